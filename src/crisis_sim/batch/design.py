"""A sampled design as a batch's points: ``--param`` and ``--assumptions`` to scenarios.

A sensitivity study is a batch whose points come from a sampled design
(:class:`~crisis_sim.experiments.sensitivity.indices.Design`) instead of a sweep grid:
row ``i`` of the sample matrix is point ``i``, its values are the sampled
values (one runs-table column per parameter, ``dummy`` included, so that the
runs table alone holds the whole matrix), and its scenario is the base
scenario with each parameter set to its sampled value, an integer field to
the nearest whole number. Everything else (seeds, chunks, streaming,
resume, engines) is the batch's own (:mod:`crisis_sim.batch.api`).

Parameters are given as ``PATH=LO:HI`` (uniform on the range; PATH as for
``--set``) or taken from the scenario file: every number on a line marked
``# ASSUMPTION`` (:mod:`crisis_sim.scenario.assumptions`), varied by ``±rel``
of its value within what the schema accepts. Every point's scenario is
validated before anything runs (one line per problem).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.experiments.sensitivity.indices import DUMMY, Design, Parameter

if TYPE_CHECKING:
    import numpy as np

    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.sweeps import Point

MAX_DESIGN_POINTS = 20_000
"""Most points a sampled design may have (the manifest lists them all)."""
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*$")


def _error(problems: list[str]) -> Exception:
    from crisis_sim.scenario import ScenarioError

    return ScenarioError(problems)


def _value_at(data: Any, path: str) -> Any:
    """The value at ``path`` of a dumped scenario; None for a policy parameter left at its default."""
    node = data
    for part in path.split("."):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError):
            return None
    return node


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Skipped:
    """An assumption left out of the design, and why."""

    path: str
    reason: str


def parse_parameters(base: Scenario, texts: Sequence[str]) -> list[Parameter]:
    """``--param PATH=LO:HI`` flags as parameters; every problem at once (ScenarioError).

    The path must name a numeric field of the scenario; an integer field
    (``rounds``) is set to the nearest whole number of each sampled value.
    """
    from crisis_sim.scenario.sweeps import missing_field

    data = base.model_dump(mode="json")
    problems, parameters = [], []
    for text in texts:
        path, sep, raw = text.partition("=")
        path = path.strip()
        match = _RANGE.match(raw) if sep else None
        if not path or match is None:
            problems.append(f"--param {text}: expected PATH=LO:HI, e.g. actors.colombia.resolve.mean=0.3:0.7")
            continue
        missing = missing_field(data, path)
        if missing:
            problems.append(f"--param {path}: {missing}")
            continue
        current = _value_at(data, path)
        if current is not None and not _numeric(current):
            problems.append(f"--param {path}: not a number in the scenario (it is {current!r})")
            continue
        lo, hi = float(match.group(1)), float(match.group(2))
        if not lo < hi:
            problems.append(f"--param {text}: needs LO < HI")
            continue
        parameters.append(Parameter(path, lo, hi, integer=isinstance(current, int)))
    if problems:
        raise _error(problems)
    return parameters


def assumption_parameters(
    base: Scenario, file: Path, rel: float, given: Sequence[str] = ()
) -> tuple[list[Parameter], list[Skipped]]:
    """Every number ``file`` marks ``# ASSUMPTION``, varied by ``±rel`` of its value.

    ``given``: paths already given by ``--param`` (their ranges win). Returns
    the parameters and the assumptions left out: a value of zero (nothing to
    scale), one the loaded scenario does not hold at that path (``--set``
    replaced it), or one already at both of its limits.
    """
    from crisis_sim.scenario.assumptions import marked_assumptions, relative_range
    from crisis_sim.scenario.sweeps import missing_field

    if not 0 < rel < 10:
        raise _error([f"--range {rel}: a relative range above 0, such as 0.3 for ±30%"])
    data = base.model_dump(mode="json")
    parameters, skipped = [], []
    for found in marked_assumptions(file):
        if found.path in given:
            continue
        if missing_field(data, found.path):
            skipped.append(Skipped(found.path, "not in the loaded scenario"))
            continue
        value = _value_at(data, found.path)
        if not _numeric(value):
            skipped.append(Skipped(found.path, "not a number in the loaded scenario"))
            continue
        integer = isinstance(value, int)
        span = relative_range(data, found.path, value, rel, integer)
        if span is None:
            skipped.append(Skipped(found.path, f"{value:g}: nothing to vary by a relative range"))
            continue
        parameters.append(Parameter(found.path, span[0], span[1], integer=integer))
    return parameters, skipped


def design_points(
    base: Scenario, design: Design, matrix: np.ndarray, source: str
) -> tuple[list[Point], list[Scenario]]:
    """Point ``i`` of the batch for row ``i`` of ``matrix``, and its scenario, every one validated.

    Raises ScenarioError with one line per distinct problem (at most 20,
    then a count) and BatchError for a design larger than
    :data:`MAX_DESIGN_POINTS`.
    """
    from crisis_sim.batch.folder import BatchError
    from crisis_sim.scenario import ScenarioError, validate_data
    from crisis_sim.scenario.sweeps import Point, _cap, point_data

    if len(matrix) > MAX_DESIGN_POINTS:
        raise BatchError(
            f"--samples {design.samples}: {len(matrix)} design points, more than {MAX_DESIGN_POINTS}; "
            "fewer samples or parameters"
        )
    base_data = base.model_dump(mode="json")
    problems = []
    for p in design.parameters:  # each end of each range alone first: one line per bad end
        for end in (p.lo, p.hi):
            value = p.scenario_value(end)
            try:
                validate_data(point_data(base_data, {p.path: value}), f"{source} with {p.path}={value}")
            except ScenarioError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    names = design.names
    points, scenarios = [], []
    for i, row in enumerate(matrix):
        values = {name: float(x) for name, x in zip(names, row, strict=True)}
        label = f"sample {i}"
        points.append(Point(point_id=i, values=values, label=label))
        settings = {p.path: p.scenario_value(values[p.path]) for p in design.parameters}
        try:
            scenarios.append(validate_data(point_data(base_data, settings), f"{source} with {label}"))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    return points, scenarios


def design_columns(design: Design) -> list[tuple[str, str]]:
    """The runs-table columns of a design: one float64 column per parameter, then ``dummy``."""
    return [(name, "float64") for name in design.names]


__all__ = [
    "DUMMY",
    "MAX_DESIGN_POINTS",
    "Skipped",
    "assumption_parameters",
    "design_columns",
    "design_points",
    "parse_parameters",
]
