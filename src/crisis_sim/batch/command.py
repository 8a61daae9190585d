"""The command line a batch records in its manifest, every choice spelled out: what
``--resume`` compares and what a reader can run again."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.scenario.sweeps import (
    Sweep,
)

if TYPE_CHECKING:

    pass
from crisis_sim.batch.plan import BatchPlan


def command_line(
    scenario: str,
    runs: int,
    seed: int,
    out: str | Path,
    *,
    sweeps: Sequence[str] = (),
    sets: Sequence[str] = (),
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    independent_seeds: bool = False,
) -> list[str]:
    """The ``crisis-sim batch`` command that makes this batch, every choice spelled out.

    Recorded in the manifest; run again (with another ``--out``) it gives the
    same tables. ``scenario`` is a file or a bundled scenario's name;
    ``sweeps`` and ``sets`` are ``PATH=...`` flag values. The CLI passes them
    as typed; :func:`run_batch` spells out its plan (:func:`sweep_flags`).
    """
    command = ["crisis-sim", "batch", scenario, "--runs", str(runs), "--seed", str(seed)]
    for item in sweeps:
        command += ["--sweep", item]
    for item in sets:
        command += ["--set", item]
    if independent_seeds:
        command.append("--independent-seeds")
    return [*command, *engine_flags(workers, engine, scheduler), "--out", str(out)]


def engine_flags(workers: int | None, engine: str, scheduler: str | None) -> list[str]:
    """The ``--workers``, ``--engine`` and ``--scheduler`` flags of a recorded command, each only
    when it is not the default."""
    flags = [] if workers is None else ["--workers", str(workers)]
    if engine != "local":
        flags += ["--engine", engine]
    if scheduler:
        flags += ["--scheduler", scheduler]
    return flags


def design_command(plan: BatchPlan, out: str | Path) -> list[str]:
    """The ``crisis-sim sensitivity`` command of a plan with a sampled design, every choice spelled out."""
    design = plan.design
    assert design is not None
    command = ["crisis-sim", "sensitivity", plan.source, "--method", design.method]
    for p in design.parameters:
        command += ["--param", f"{p.path}={p.lo!r}:{p.hi!r}"]
    command += ["--samples", str(design.samples), "--replicates", str(plan.runs), "--seed", str(plan.seed)]
    if design.method == "morris" and design.levels != 4:
        command += ["--levels", str(design.levels)]
    if not design.dummy:
        command += ["--no-dummy"]
    return [*command, "--out", str(out)]


def sweep_flags(sweeps: Sequence[Sweep]) -> list[str]:
    """``--sweep`` values (``path=v1,v2``) that give these sweeps back."""
    return [f"{s.path}={','.join(_flag_value(v) for v in s.values)}" for s in sweeps]


def _flag_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
