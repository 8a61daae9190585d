"""The plan of a batch: everything fixed before any work is dispatched.

The grid of sweep points (every point's scenario validated), one seed per run from
``numpy.random.SeedSequence(seed)`` (shared across points unless asked otherwise:
:mod:`crisis_sim.batch.seeds`), and chunks of consecutive run ids whose size depends on
the arguments only, so that the tables are the same for any number of workers, any engine
and any interruption (docs/batch-format.md).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.folder import (
    BatchError,
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

    from crisis_sim.batch.chunks import ChunkTask, Columns
    from crisis_sim.batch.design import Design
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.campaign import Campaign

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


def grid_points_of(
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


def plan_of(grid_points: _Points, chunk_size: int | None, independent_seeds: bool = False) -> BatchPlan:
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
    return _plan_of_grid(g, _scheme(g, independent_seeds), chunk_size,
                         plan_columns(g.scenarios, opening, sweep_columns), design=g.design)


def _plan_of_grid(g: _Points, scheme: str, chunk_size: int | None, columns: Columns,
                  **extra: Any) -> BatchPlan:
    """The plan of a grid whose columns are laid out: its seeds by ``scheme``, its chunks."""
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
        columns=columns,
        **extra,
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
    columns = plan_columns(scenarios, opening, [(s.path, column_type(s.values)) for s in g.sweeps],
                           campaign=True)
    return _plan_of_grid(g, scheme, chunk_size, columns, campaign=g.campaign, campaigns=g.campaigns)


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
    return plan_of(grid_points_of(scenario, runs, seed, sweep, source, max_runs, design), chunk_size,
                 independent_seeds)
