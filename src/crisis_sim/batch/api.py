"""Batches: many seeded runs across a sweep grid, written to a folder chunk by chunk.

:func:`run_batch` is what ``crisis-sim batch`` calls, and what a notebook
calls; :func:`load_batch` reads a folder back. The folder format is specified
in ``docs/batch-format.md``. In short:

* a **plan** fixes everything before any work is dispatched: the grid of
  sweep points (every point's scenario validated), one seed per run from
  ``numpy.random.SeedSequence(seed)``, and chunks of consecutive run ids whose
  size depends on the arguments only;
* an **engine** (:mod:`crisis_sim.batch.engines`) computes chunks, anywhere, in any order;
* the parent writes each finished chunk's two Parquet files under a
  temporary name and renames them into place, so a killed batch leaves only
  whole files, and ``resume=True`` runs only the chunks that are missing.

The tables are therefore the same for any number of workers, any engine and
any interruption: the same arguments always give the same bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.folder import (
    MANIFEST,
    RUNS_DIR,
    SUMMARY_CSV,
    SUMMARY_MD,
    TRAJECTORIES_DIR,
    BatchError,
    BatchFolderExistsError,
    check_folder,
    default_out_dir,
    finish_manifest,
    is_batch_folder,
    prepare_folder,
    read_manifest,
    read_table,
    record_chunk,
    runs_columns,
    write_chunk,
    write_text_atomic,
)
from crisis_sim.batch.seeds import COMMON, INDEPENDENT, plan_seeds
from crisis_sim.core.fingerprint import model_fingerprint
from crisis_sim.scenario.sweeps import (
    Point,
    Sweep,
    check_sweeps,
    column_type,
    column_value,
    grid,
    parse_sweeps,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from crisis_sim.batch.chunks import ChunkResult, ChunkTask, Columns
    from crisis_sim.batch.design import Design
    from crisis_sim.batch.engines.base import Engine
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.campaign import Campaign

__all__ = [
    "MANIFEST",
    "BatchError",
    "BatchFolderExistsError",
    "BatchIntegrityError",
    "BatchPlan",
    "BatchResult",
    "BatchStopped",
    "load_batch",
    "plan_batch",
    "run_batch",
]

MIN_CHUNK, MAX_CHUNK, TARGET_CHUNKS = 100, 250, 64
MAX_RUNS = 1_000_000
"""Most runs in one batch (``--runs`` times the sweep grid's points), unless
``max_runs`` (``--max-runs``) says more."""
MAX_WORKERS = 256
"""Most worker processes of one batch: a slip of the keyboard (``--workers 10000``) would start
that many processes before the first chunk."""
MAX_CHUNK_ROWS = 1_000_000
"""Most trajectory rows (runs x rounds) one chunk may hold, so that a batch's memory
does not grow with ``rounds`` beyond one chunk's tables (``docs/batch-format.md``)."""

Progress = Callable[[int, int], None]
"""Called as ``progress(runs_done, runs_total)`` after each chunk (and once at the start)."""


# --------------------------------------------------------------------------
# The plan: everything fixed before dispatch
# --------------------------------------------------------------------------


def chunk_size_for(n_runs: int, rounds: int = 0) -> int:
    """Runs per chunk: about 64 chunks, each of 100 to 250 runs, and at most
    :data:`MAX_CHUNK_ROWS` rounds in all (``rounds``: the longest horizon of the batch)."""
    size = min(MAX_CHUNK, max(MIN_CHUNK, math.ceil(n_runs / TARGET_CHUNKS)))
    return max(1, min(size, MAX_CHUNK_ROWS // max(rounds, 1)))


@dataclass(frozen=True)
class BatchPlan:
    """A batch fully laid out: points, their scenarios, seeds, chunks, columns."""

    scenario: Scenario
    source: str
    runs: int
    seed: int
    sweeps: tuple[Sweep, ...]
    points: tuple[Point, ...]
    scenarios: tuple[Scenario, ...]
    seeds: np.ndarray
    chunk_size: int
    columns: Columns
    design: Design | None = None
    """A sampled design whose rows are the points (a sensitivity study), or None for a sweep grid."""
    campaign: Campaign | None = None
    """A campaign whose crises each run makes in turn (one row per run and crisis), or None."""
    campaigns: tuple[Campaign, ...] = ()
    """A campaign's batch: the campaign of each point (its sweep's values set), in point order."""
    seed_scheme: str = INDEPENDENT
    """How the points' runs are seeded (:data:`crisis_sim.batch.seeds.COMMON`: a sweep's points
    share their seeds; :data:`~crisis_sim.batch.seeds.INDEPENDENT`: every run its own)."""

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.runs

    @property
    def n_chunks(self) -> int:
        return math.ceil(self.n_runs / self.chunk_size)

    @property
    def name(self) -> str:
        """The scenario's name, or the campaign's."""
        return self.campaign.name if self.campaign is not None else self.scenario.name

    def identity(self) -> dict[str, Any]:
        identity = {
            "scenario_hash": (self.campaign or self.scenario).content_hash(),
            "model_fingerprint": model_fingerprint(),
            "runs": self.runs,
            "seed": self.seed,
            "sweep": [s.to_json() for s in self.sweeps],
        }
        if self.seed_scheme == COMMON:  # absent: every run its own seed, as before common seeds
            identity["seeds"] = COMMON
        if self.design is not None:
            identity["design"] = self.design.to_json()
        if self.campaign is not None:
            identity["campaign"] = self.campaign.to_json()
        return identity

    @cached_property
    def _key(self) -> str:
        """Names this plan's point scenarios in workers (see ``ChunkTask.scenario_keys``)."""
        text = json.dumps(self.identity(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def task(self, chunk_id: int) -> ChunkTask:
        from crisis_sim.batch.chunks import ChunkTask

        start = chunk_id * self.chunk_size
        stop = min(start + self.chunk_size, self.n_runs)
        point_ids = range(start // self.runs, (stop - 1) // self.runs + 1)
        return ChunkTask(
            chunk_id=chunk_id,
            start=start,
            stop=stop,
            runs_per_point=self.runs,
            seeds=tuple(int(s) for s in self.seeds[start:stop]),
            scenarios={p: self.scenarios[p] for p in point_ids},
            sweep_values={
                p: tuple(column_value(self.points[p].values[name], kind) for name, kind in self.columns.sweep)
                for p in point_ids
            },
            columns=self.columns,
            scenario_keys={p: f"{self._key}:{p}" for p in point_ids},
            campaigns={p: self.campaigns[p] for p in point_ids} if self.campaign is not None else {},
        )


def _sweeps_from(sweep: Any) -> list[Sweep]:
    """Sweeps from ``--sweep`` strings, :class:`Sweep` objects, or a ``{path: values}`` mapping."""
    if sweep is None:
        return []
    if isinstance(sweep, str):
        sweep = [sweep]
    if isinstance(sweep, Mapping):
        sweep = [Sweep(str(path), _plain_values(values)) for path, values in sweep.items()]
    parsed = iter(parse_sweeps([s for s in sweep if isinstance(s, str)]))
    sweeps = [next(parsed) if isinstance(s, str) else s for s in sweep]
    check_sweeps(sweeps)
    return sweeps


def _plain_values(values: Any) -> tuple[Any, ...]:
    """Values as plain JSON types (numpy scalars become Python numbers)."""
    items = [values] if isinstance(values, str) else list(values)
    return tuple(json.loads(json.dumps(items, default=lambda v: v.item())))


@dataclass(frozen=True)
class _Points:
    """A batch's grid, every point's scenario validated against the schema (no model built yet)."""

    base: Scenario
    source: str
    runs: int
    seed: int
    sweeps: tuple[Sweep, ...]
    points: tuple[Point, ...]
    scenarios: tuple[Scenario, ...]
    design: Design | None = None
    campaign: Campaign | None = None
    campaigns: tuple[Campaign, ...] = ()

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.runs

    @property
    def longest(self) -> int:
        """The most rounds one run can take (a campaign's: all its crises')."""
        if self.campaign is not None:
            return max(c.rounds for c in self.campaigns)
        return max(s.rounds for s in self.scenarios)


def _points(
    scenario: Scenario | Campaign | str | Path, runs: int, seed: int, sweep: Any, source: str | None,
    max_runs: int = MAX_RUNS, design: Design | None = None,
) -> _Points:
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario import load_scenario, resolve_scenario_path
    from crisis_sim.scenario.sweeps import point_scenarios

    if isinstance(max_runs, bool) or not isinstance(max_runs, int) or max_runs < 1:
        raise BatchError(f"--max-runs: must be a whole number >= 1, got {max_runs!r}")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise BatchError(f"--runs: must be a whole number >= 1, got {runs!r}")
    if runs > max_runs:
        raise BatchError(
            f"--runs {runs}: more than {max_runs} runs in one batch (raise the limit with --max-runs)"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise BatchError(f"--seed: must be a whole number >= 0, got {seed!r}")
    from crisis_sim.scenario.campaign import Campaign, is_campaign_file, load_campaign

    if not isinstance(scenario, Scenario | Campaign) and is_campaign_file(scenario):
        scenario = load_campaign(resolve_scenario_path(scenario))
    if isinstance(scenario, Campaign):
        return _campaign_points(scenario, runs, seed, sweep, source, design, max_runs)
    if isinstance(scenario, Scenario):
        base, source = scenario, source or scenario.name
    else:
        base, source = load_scenario(scenario), source or str(resolve_scenario_path(scenario))
    if design is not None:
        return _design_points(base, source, runs, seed, sweep, max_runs, design)
    sweeps = _sweeps_from(sweep)
    _check_size(runs, sweeps, max_runs)
    points = grid(sweeps)
    scenarios = point_scenarios(base, sweeps, points, source)
    return _Points(base, source, runs, seed, tuple(sweeps), tuple(points), tuple(scenarios))


def _campaign_points(
    campaign: Campaign, runs: int, seed: int, sweep: Any, source: str | None, design: Design | None,
    max_runs: int,
) -> _Points:
    """A campaign's batch: a point per value of its sweep (one with none), whose runs each make
    every crisis of that point's campaign in turn."""
    from crisis_sim.scenario.campaign_sweeps import point_campaigns

    if design is not None:
        raise BatchError("a sampled design needs a scenario, not a campaign")
    sweeps = _sweeps_from(sweep)
    _check_size(runs, sweeps, max_runs)
    points = grid(sweeps)
    campaigns = tuple(point_campaigns(campaign, sweeps, points))
    firsts = tuple(c.crises[0].scenario for c in campaigns)
    return _Points(firsts[0], source or campaign.source, runs, seed, tuple(sweeps), tuple(points), firsts,
                   campaign=campaign, campaigns=campaigns)


def _check_size(runs: int, sweeps: Sequence[Sweep], max_runs: int) -> None:
    total = runs * math.prod(len(s.values) for s in sweeps)
    if total > max_runs:
        raise BatchError(
            f"--runs {runs} at each of {total // runs} sweep points: {total} runs, more than {max_runs} "
            "in one batch (raise the limit with --max-runs)"
        )


def _design_points(
    base: Scenario, source: str, runs: int, seed: int, sweep: Any, max_runs: int, design: Design
) -> _Points:
    """The points of a sampled design: one per row of its sample matrix (:mod:`crisis_sim.batch.design`)."""
    from crisis_sim.batch.design import MAX_DESIGN_POINTS, design_points, sample

    if sweep:
        raise BatchError("a sampled design and --sweep: give one or the other (fix a value with --set)")
    if design.seed != seed:
        raise BatchError(f"the design's seed {design.seed} differs from the batch's --seed {seed}")
    total = runs * design.n_points
    if design.n_points > MAX_DESIGN_POINTS:
        raise BatchError(
            f"--samples {design.samples}: {design.n_points} design points, more than {MAX_DESIGN_POINTS}; "
            "fewer samples or parameters"
        )
    if total > max_runs:
        raise BatchError(
            f"--replicates {runs} at each of {design.n_points} design points: {total} runs, more than "
            f"{max_runs} in one batch (raise the limit with --max-runs)"
        )
    points, scenarios = design_points(base, design, sample(design), source)
    return _Points(base, source, runs, seed, (), tuple(points), tuple(scenarios), design)


def _plan(grid_points: _Points, chunk_size: int | None, independent_seeds: bool = False) -> BatchPlan:
    """Build each point's model once (problems only a model sees; the opening variables)."""
    from crisis_sim.batch.chunks import plan_columns
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.scenario import ScenarioError

    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise BatchError(f"chunk_size: must be a whole number >= 1, got {chunk_size!r}")
    g = grid_points
    if g.campaign is not None:
        return _campaign_plan(g, chunk_size, _scheme(g, independent_seeds))
    opening: list[dict[str, Any]] = []
    problems: list[str] = []
    for point, point_scenario in zip(g.points, g.scenarios, strict=True):
        try:
            model = CrisisModel(point_scenario, 0)
        except ScenarioError as exc:
            where = f"{g.source} with {point.label}: " if point.values else ""
            problems.extend(f"{where}{line}" for line in exc.problems)
            continue
        opening.append({k: v[0] for k, v in model.datacollector.model_vars.items()})
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    if g.design is not None:
        from crisis_sim.batch.design import design_columns

        sweep_columns = design_columns(g.design)
    else:
        sweep_columns = [(s.path, column_type(s.values)) for s in g.sweeps]
    return BatchPlan(
        scenario=g.base,
        source=g.source,
        runs=g.runs,
        seed=g.seed,
        sweeps=g.sweeps,
        points=g.points,
        scenarios=g.scenarios,
        seeds=plan_seeds(g.seed, len(g.points), g.runs, _scheme(g, independent_seeds)),
        seed_scheme=_scheme(g, independent_seeds),
        chunk_size=chunk_size or chunk_size_for(g.n_runs, g.longest),
        columns=plan_columns(g.scenarios, opening, sweep_columns),
        design=g.design,
    )


def _scheme(g: _Points, independent_seeds: bool) -> str:
    """Common seeds for a sweep grid of more than one point unless asked otherwise; a sampled
    design's points (and a single point) keep one seed per run."""
    if g.design is not None or len(g.points) < 2 or independent_seeds:
        return INDEPENDENT
    return COMMON


def _campaign_plan(g: _Points, chunk_size: int | None, scheme: str = INDEPENDENT) -> BatchPlan:
    """A campaign's plan: the columns of every crisis of every point, with ``crisis`` and the
    opening beliefs."""
    from crisis_sim.batch.chunks import plan_columns
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.scenario import ScenarioError

    assert g.campaign is not None
    opening: list[dict[str, Any]] = []
    problems: list[str] = []
    scenarios: list[Scenario] = []
    for point, campaign in zip(g.points, g.campaigns, strict=True):
        where = f"{g.source} with {point.label}" if point.values else g.source
        for crisis in campaign.crises:
            try:
                model = CrisisModel(crisis.scenario, 0)
            except ScenarioError as exc:
                problems.extend(f"{where}: crises.{crisis.index}: {line}" for line in exc.problems)
                continue
            opening.append({k: v[0] for k, v in model.datacollector.model_vars.items()})
            scenarios.append(crisis.scenario)
        for group in campaign.groups:
            if group.overlapping:  # crises run together: problems only their one model sees
                try:
                    CrisisModel(group.scenario, 0)
                except ScenarioError as exc:
                    problems.extend(f"{where}: crises.{group.first}-{group.crises[-1]} run together: {line}"
                                    for line in exc.problems)
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))
    return BatchPlan(
        scenario=g.base,
        source=g.source,
        runs=g.runs,
        seed=g.seed,
        sweeps=g.sweeps,
        points=g.points,
        scenarios=g.scenarios,
        seeds=plan_seeds(g.seed, len(g.points), g.runs, scheme),
        seed_scheme=scheme,
        chunk_size=chunk_size or chunk_size_for(g.n_runs, g.longest),
        columns=plan_columns(scenarios, opening, [(s.path, column_type(s.values)) for s in g.sweeps],
                             campaign=True),
        campaign=g.campaign,
        campaigns=g.campaigns,
    )


def plan_batch(
    scenario: Scenario | Campaign | str | Path,
    runs: int,
    seed: int = 0,
    sweep: Any = None,
    *,
    chunk_size: int | None = None,
    source: str | None = None,
    max_runs: int = MAX_RUNS,
    design: Design | None = None,
    independent_seeds: bool = False,
) -> BatchPlan:
    """Lay out a batch and validate all of it; nothing runs and nothing is written.

    Raises :class:`~crisis_sim.scenario.ScenarioError` for a bad scenario,
    sweep path or sweep value (one line per problem), and :class:`BatchError`
    for bad numbers. ``source`` names the scenario in messages (default: its
    file, or its name for a :class:`Scenario`). ``max_runs`` bounds the runs in
    all (:data:`MAX_RUNS` by default), checked before anything is laid out.
    ``design``: a sampled design (:class:`~crisis_sim.batch.design.Design`)
    whose rows are the points, instead of a sweep grid; ``runs`` replicates each. A sweep's
    points share their seeds (common random numbers) unless ``independent_seeds``.
    """
    return _plan(_points(scenario, runs, seed, sweep, source, max_runs, design), chunk_size,
                 independent_seeds)


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


class BatchResult:
    """A batch folder read back: manifest, and its tables as DataFrames (read when first used).

    ``runs``: one row per run; ``trajectories``: one row per run and round;
    ``summary``: one row per sweep point (see ``docs/batch-format.md``). A
    batch that was interrupted reads as far as its finished chunks go
    (``complete`` is false). Only the chunks in ``chunks`` are read: those
    whose files match the manifest's records (:func:`load_batch` checks).
    """

    def __init__(self, path: Path, manifest: dict[str, Any], chunks: list[int] | None = None):
        self.path = Path(path)
        self.manifest = manifest
        self.chunks = sorted(int(k) for k in manifest.get("chunks") or {}) if chunks is None else list(chunks)

    def __repr__(self) -> str:
        return (
            f"BatchResult(path={str(self.path)!r}, scenario={self.manifest.get('scenario_name')!r}, "
            f"n_runs={self.manifest.get('n_runs')}, complete={self.complete})"
        )

    @property
    def complete(self) -> bool:
        return self.manifest.get("finished_at") is not None

    @property
    def is_campaign(self) -> bool:
        """Whether each run made the crises of a campaign (one row per run and crisis)."""
        return bool(self.manifest.get("campaign"))

    @cached_property
    def runs(self) -> pd.DataFrame:
        order = ["run_id", "crisis"] if self.is_campaign else ["run_id"]
        return read_table(self.path / RUNS_DIR, order, chunks=self.chunks)

    @cached_property
    def trajectories(self) -> pd.DataFrame:
        order = ["run_id", "crisis", "round"] if self.is_campaign else ["run_id", "round"]
        return read_table(self.path / TRAJECTORIES_DIR, order, chunks=self.chunks)

    @cached_property
    def summary(self) -> pd.DataFrame:
        from crisis_sim.analysis.summary import figures, summarize

        names = runs_columns(self.path, self.chunks)
        wanted = ["run_id", "point_id", "crisis", "outcome", *figures(names)]
        order = ["run_id", "crisis"] if self.is_campaign else ["run_id"]
        runs = read_table(
            self.path / RUNS_DIR, order, columns=[c for c in names if c in wanted], chunks=self.chunks
        )
        return summarize(runs, self.manifest)


class BatchIntegrityError(BatchError):
    """A batch folder whose files do not match its manifest: one line per file in ``problems``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_batch(path: str | Path) -> BatchResult:
    """Read a batch folder written by :func:`run_batch` (complete or not), verified.

    Raises :class:`BatchError` when ``path`` is not a batch folder, and
    :class:`BatchIntegrityError` (one line per file) when its plan was edited
    or a chunk file is missing, truncated, foreign, duplicated or unexpected
    (:func:`crisis_sim.batch.integrity.verify`): nothing is counted then.
    """
    from crisis_sim.batch.integrity import plan_problem, verify

    folder = Path(path)
    manifest = read_manifest(folder)
    edited = plan_problem(folder, manifest)
    if edited:
        raise BatchIntegrityError([edited])
    good, problems = verify(folder, manifest)
    if problems:
        raise BatchIntegrityError([f"{p}; `--resume` recomputes it" if p.own else str(p) for p in problems])
    return BatchResult(folder, manifest, good)


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


def run_batch(
    scenario: Scenario | Campaign | str | Path,
    runs: int,
    seed: int = 0,
    sweep: Any = None,
    workers: int | None = None,
    out: str | Path | None = None,
    resume: bool = False,
    force: bool = False,
    engine: str = "local",
    progress: Progress | bool | None = None,
    *,
    command: list[str] | None = None,
    chunk_size: int | None = None,
    source: str | None = None,
    scheduler: str | None = None,
    max_runs: int = MAX_RUNS,
    design: Design | None = None,
    independent_seeds: bool = False,
) -> BatchResult:
    """Run ``runs`` seeded replicates at every point of the sweep grid; write a batch folder.

    Args:
        scenario: a :class:`Scenario`, a scenario file, or a bundled scenario's name.
        runs: replicates per sweep point.
        seed: the root seed; run seeds are spawned from it before any work starts. A sweep's
            points share them (common random numbers: replicate ``r`` of every point has the
            seed of run ``r`` of a one-point batch) unless ``independent_seeds``.
        sweep: ``--sweep`` strings (``"path=v1,v2"``, ``"path=lo:hi:n"``),
            :class:`~crisis_sim.scenario.sweeps.Sweep` objects, or a ``{path: [values]}`` mapping.
        workers: worker processes (None: one per CPU; 1: in this process).
        out: the batch folder (None: ``runs/<scenario>-batch-<UTC time>``).
        resume: finish the folder ``out`` made with the same arguments.
        force: replace ``out`` if it is empty or a batch folder.
        engine: an engine name (:func:`crisis_sim.batch.engines.base.make_engine`).
        progress: ``progress(done, total)`` after each chunk, or True for a
            progress bar on stderr when it is a terminal.
        command: the command line to record (default: the equivalent ``crisis-sim batch``).
        chunk_size: runs per chunk (default: from the number of runs).
        source: how messages and the recorded command name the scenario.
        scheduler: a Dask scheduler address (``tcp://host:8786``) for
            ``engine="dask"``; None starts a local Dask cluster.
        max_runs: most runs in all (``runs`` times the grid's points), checked
            before anything is planned (default :data:`MAX_RUNS`).
        design: a sampled design whose rows are the points instead of a sweep
            grid (a sensitivity study: :mod:`crisis_sim.experiments.sensitivity.run`);
            its seed must be ``seed``.

    Returns:
        The folder read back as a :class:`BatchResult`.

    Raises:
        ScenarioError: a bad scenario, sweep path or sweep value (nothing written).
        BatchError: a bad number, engine or folder, or a resume that does not fit.
    """
    from crisis_sim.batch.chunks import ChunkWritten, run_and_write_chunk, run_chunk

    with _stop_on_signals() as stopped:  # SIGTERM, SIGHUP: stop as cleanly as Ctrl-C
        if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
            raise BatchError(f"--workers: must be a whole number >= 1, got {workers!r}")
        if workers is not None and workers > MAX_WORKERS:
            raise BatchError(f"--workers: at most {MAX_WORKERS} worker processes, got {workers}")
        grid_points = _points(scenario, runs, seed, sweep, source, max_runs, design)
        reopening = resume and out is not None and Path(out).exists()
        if out is not None and not reopening:
            check_folder(Path(out), None, resume=resume, force=force)  # refuse before starting workers
        with contextlib.ExitStack() as held:  # the lock, released after the workers have stopped
            with contextlib.ExitStack() as stack:
                chosen = None
                if not reopening:
                    # A new folder: start the workers now, so that their imports overlap the planning.
                    n_runs = grid_points.n_runs
                    n_chunks = math.ceil(n_runs / (chunk_size or chunk_size_for(n_runs, grid_points.longest)))
                    chosen = _start_engine(stack, engine, workers, n_chunks, scheduler)
                plan = _plan(grid_points, chunk_size, independent_seeds)
                folder = Path(out) if out is not None else default_out_dir(plan.name)
                if resume and chunk_size is None and is_batch_folder(folder):
                    size = read_manifest(folder).get("chunk_size")
                    if isinstance(size, int) and size >= 1:
                        plan = _with_chunk_size(plan, size)
                existing = check_folder(folder, plan, resume=resume, force=force)
                held.callback(_release, folder)  # removes the lock only if this process holds it
                done: set[int] = set()
                if existing is not None:
                    from crisis_sim.batch.integrity import verify

                    done = set(verify(folder, existing)[0])
                todo = [k for k in range(plan.n_chunks) if k not in done]
                if chosen is None and todo:
                    chosen = _start_engine(stack, engine, workers, len(todo), scheduler)
                manifest = prepare_folder(
                    folder,
                    plan,
                    resume=resume,
                    force=force,
                    command=command
                    or (design_command(plan, folder) if plan.design is not None else None)
                    or command_line(
                        plan.source,
                        plan.runs,
                        plan.seed,
                        folder,
                        sweeps=sweep_flags(plan.sweeps),
                        workers=workers,
                        engine=engine,
                        scheduler=scheduler,
                        independent_seeds=len(plan.points) > 1 and plan.seed_scheme == INDEPENDENT,
                    ),
                    engine=engine,
                    workers=chosen.workers if chosen is not None else 0,
                    say=_say,
                )
                done_runs = plan.n_runs - sum(_chunk_runs(plan, k) for k in todo)
                update = stack.enter_context(_progress(progress, _live_count(chosen, done_runs)))
                update(done_runs, plan.n_runs)
                if chosen is not None:
                    in_workers = getattr(chosen, "shares_files", False)
                    fn: Callable[[ChunkTask], ChunkResult | ChunkWritten] = (
                        partial(run_and_write_chunk, folder=str(folder)) if in_workers else run_chunk)
                    stopped()  # a signal whose exception was lost while the workers started
                    for result in chosen.map_chunks(fn, _tasks(plan, todo)):
                        # written in the worker when the engine shares the folder (in_workers)
                        files = (result.files if isinstance(result, ChunkWritten)
                                 else write_chunk(folder, result))
                        record_chunk(folder, manifest, result.chunk_id, files)
                        done_runs += result.n_runs
                        update(done_runs, plan.n_runs)
                        stopped()
            stopped()
            _finish(folder, BatchResult(folder, manifest))
        return load_batch(folder)


class BatchStopped(KeyboardInterrupt):
    """A batch stopped by SIGTERM or SIGHUP, cleanly, as Ctrl-C stops it.

    Raised in the main thread by the handlers :func:`run_batch` installs
    (:func:`_stop_on_signals`): the workers are terminated, the folder's lock
    is released, and its finished chunks are kept for ``--resume``. A
    subclass of :class:`KeyboardInterrupt`, so that whatever cleans up after
    Ctrl-C cleans up after these too. ``signum``: the signal's number.
    """

    def __init__(self, signum: int):
        import signal

        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")


STOP_SIGNALS = ("SIGTERM", "SIGHUP")
"""Signals that stop a batch cleanly (when ``run_batch`` runs in the main thread)."""


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[Callable[[], None]]:
    """Turn SIGTERM and SIGHUP into :class:`BatchStopped` in the main thread, for the block only.

    By their default action these signals end the process at once: its
    workers die with it (:func:`crisis_sim.batch.engines.local.die_with_parent`)
    but its ``batch.lock`` stays behind, to be found stale later. Raised as an
    exception instead, they unwind the batch like Ctrl-C: workers terminated,
    lock released, folder resumable (``docs/batch-format.md``, "The lock").

    Only a signal whose disposition is the default is taken over: one that is
    ignored (``nohup`` ignores SIGHUP) or handled by the caller's own
    handler is left as it is. Outside the main thread nothing is installed
    (Python delivers signals to the main thread only). The first signal
    raises; later ones, while the batch unwinds, are ignored, so that the
    clean-up is not cut short. The previous handlers are restored on exit.

    The signal is also recorded, and the block is given a check to call at
    safe points (``stopped()``: after the workers start, after each chunk,
    before the batch is marked finished) that raises :class:`BatchStopped`
    if a signal came. Python runs a handler between two bytecodes of the main
    thread, wherever it is, and an exception raised while it is inside a
    finaliser or a weak-reference callback (which the process pool's start-up
    runs) is printed and dropped: without the check, a signal landing there
    was lost and the batch ran to the end with exit code 0.
    """
    import signal
    import threading

    from crisis_sim.batch import stops

    came: list[int] = []

    def check() -> None:
        first = came[0] if came else (stops.requested[0] if stops.requested else None)
        if first is not None:
            raise KeyboardInterrupt if first == signal.SIGINT else BatchStopped(first)

    if threading.current_thread() is not threading.main_thread():
        yield check
        return

    def stop(signum: int, frame: object) -> None:
        if came:
            return
        came.append(signum)
        check()

    previous = {}
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            previous[number] = signal.signal(number, stop)
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, stops.interrupt):  # Ctrl-C, recorded
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, stop)
    try:
        yield check
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _say(line: str) -> None:
    """A note about the folder (a chunk set aside, a stale lock taken over), on stderr."""
    print(line, file=sys.stderr, flush=True)


def _release(folder: Path) -> None:
    from crisis_sim.batch.lock import release

    release(folder)


def _start_engine(
    stack: contextlib.ExitStack, name: str, workers: int | None, n_chunks: int, scheduler: str | None = None
) -> Engine:
    """Make and enter the engine, with no more workers than chunks to run.

    An engine that cannot start (an unknown name, a missing extra, an
    unreachable scheduler: :class:`~crisis_sim.batch.engines.base.EngineError`) is bad
    input, reported before the folder is touched.
    """
    from crisis_sim.batch.engines.base import EngineError, default_workers, make_engine

    wanted = workers if workers is not None else default_workers()
    try:
        options = {"scheduler": scheduler} if scheduler else {}
        return stack.enter_context(make_engine(name, max(1, min(wanted, n_chunks)), **options))
    except EngineError as exc:
        raise BatchError(f"--engine {name}: {exc}") from None


def _with_chunk_size(plan: BatchPlan, size: int) -> BatchPlan:
    return replace(plan, chunk_size=size)


def _chunk_runs(plan: BatchPlan, chunk_id: int) -> int:
    start = chunk_id * plan.chunk_size
    return min(plan.chunk_size, plan.n_runs - start)


def _tasks(plan: BatchPlan, chunk_ids: Sequence[int]) -> Iterator[ChunkTask]:
    for k in chunk_ids:
        yield plan.task(k)


def _finish(folder: Path, result: BatchResult) -> None:
    """Write the summary files, then mark the manifest finished."""
    from crisis_sim.analysis.summary import summary_csv, summary_markdown

    summary = result.summary
    write_text_atomic(folder / SUMMARY_CSV, summary_csv(summary))
    write_text_atomic(folder / SUMMARY_MD, summary_markdown(summary, result.manifest))
    finish_manifest(folder, result.manifest)


class _Quiet:
    def __enter__(self) -> Progress:
        return lambda done, total: None

    def __exit__(self, *exc: object) -> None:
        return None


class _Callback:
    def __init__(self, callback: Progress):
        self.callback = callback

    def __enter__(self) -> Progress:
        return self.callback

    def __exit__(self, *exc: object) -> None:
        return None


def _live_count(engine: Engine | None, done: int) -> Callable[[], int] | None:
    """Runs done so far, counted as the workers finish them, when the engine counts them
    (``runs_finished``, the local engine): ``done`` (those of earlier chunks) plus the engine's."""
    if engine is None or not hasattr(engine, "runs_finished"):
        return None
    return lambda: done + int(engine.runs_finished)


def _progress(progress: Progress | bool | None, live: Callable[[], int] | None = None) -> Any:
    if callable(progress):
        return _Callback(progress)
    if progress and sys.stderr.isatty():
        from crisis_sim.batch.progress import RunsBar

        return RunsBar(live=live)
    return _Quiet()
