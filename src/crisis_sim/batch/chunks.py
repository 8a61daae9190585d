"""One chunk of a batch: run its models and gather its two tables.

This is the code that runs in worker processes. A :class:`ChunkTask` carries
everything a chunk needs (the scenarios of its points, its run ids and their
seeds, the column layout), so :func:`run_chunk` depends on nothing else and
pickles cheaply. It returns two Arrow tables, one row per run and one row per
run and round, built straight from each model's ``DataCollector`` columns: no
DataFrame per run, which would cost as much as the run itself.

The column layout (:class:`Columns`) is fixed from the scenarios before any
chunk runs, so every chunk's tables have the same schema whatever values
its runs produced. It does not depend on the order of keys in the scenario
file: per-actor and per-measure columns are sorted by key within their
family (two files that differ only in key order have the same
``scenario_hash`` and so the same tables).
"""

from __future__ import annotations

from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crisis_sim.core.columns import (
    ISSUE_FIELDS,
    ISSUE_PREFIX,
    Family,
    issue_column,
)
from crisis_sim.core.posterior import draws_from_posterior
from crisis_sim.core.run_record import may_be_met_in_part, run_columns, run_row

if TYPE_CHECKING:
    import pyarrow as pa

    from crisis_sim.core.model import CrisisModel
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.campaign import Campaign

INT_VARIABLES = ("round", "escalation", "measures_in_force", "deportees_returned", "deportees_pending")
"""Trajectory variables stored as integers; every other numeric variable is a float."""


@dataclass(frozen=True)
class Columns:
    """The column names and Arrow types (as text) of a batch's two tables."""

    runs: tuple[tuple[str, str], ...]
    trajectories: tuple[tuple[str, str], ...]
    actors: tuple[str, ...]
    measures: tuple[str, ...]
    sweep: tuple[tuple[str, str], ...] = ()

    @property
    def later_issue_columns(self) -> tuple[str, ...]:
        """The runs table's columns of issues after the first (``issue_<k>_...``)."""
        return tuple(name for name, _ in self.runs if name.startswith(ISSUE_PREFIX))

    def runs_schema(self) -> pa.Schema:
        return _schema(self.runs)

    def trajectories_schema(self) -> pa.Schema:
        return _schema(self.trajectories)


def _schema(columns: Sequence[tuple[str, str]]) -> pa.Schema:
    import pyarrow as pa

    types = {"int64": pa.int64(), "float64": pa.float64(), "string": pa.string(), "bool": pa.bool_()}
    return pa.schema([pa.field(name, types[kind]) for name, kind in columns])


def _union(lists: Sequence[Sequence[str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for names in lists for item in names))


_KEYED = (Family.RATE, Family.STATE, Family.COST, Family.APPROVAL, Family.RESOLVE, Family.FURTHEST)


def canonical_order(names: Sequence[str]) -> tuple[str, ...]:
    """Columns with each per-actor or per-measure family sorted by key, where its first column was.

    ``hours, escalation, rate_us_tariff, rate_co_counter_tariff, cost_united_states, cost_colombia``
    becomes ``hours, escalation, rate_co_counter_tariff, rate_us_tariff, cost_colombia,
    cost_united_states``: the order of the model's variables, without the
    order of the scenario file's keys.
    """
    out: list[str] = []
    placed: set[Family] = set()
    for name in names:
        family = next((f for f in _KEYED if f.key_of(name) is not None), None)
        if family is None:
            out.append(name)
        elif family not in placed:
            placed.add(family)
            out.extend(sorted(n for n in names if family.key_of(n) is not None))
    return tuple(out)


OPENING_BELIEF = "opening_belief_"
"""Prefix of a campaign batch's runs columns: the mean public belief about a government's
resolve as the crisis opened (``opening_belief_<actor>``)."""


def opening_belief_column(actor: str) -> str:
    return f"{OPENING_BELIEF}{actor}"


def plan_columns(
    scenarios: Sequence[Scenario], opening: Sequence[dict[str, Any]], sweep: Sequence[tuple[str, str]],
    *, campaign: bool = False,
) -> Columns:
    """The layout of both tables from every point's scenario and opening (round-0) variables.

    ``opening`` holds, per point, a freshly built model's round-0 reporter
    values: every numeric variable there (not ``clock`` or ``state_*``) is a
    trajectory column. Columns are the union over points, so a point that
    lacks one stores nulls; actors and measures are in key order
    (:func:`canonical_order`). ``campaign``: ``scenarios`` are a campaign's
    crises, and both tables get a ``crisis`` column (the runs table also
    ``opening_belief_<actor>``).
    """
    actors = tuple(sorted(_union([list(s.actors) for s in scenarios])))
    measures = tuple(sorted(_union([list(s.measures) for s in scenarios])))
    numeric = canonical_order(_union(
        [
            [
                k
                for k, v in values.items()
                if isinstance(v, int | float) and not isinstance(v, bool) and k != "round"
            ]
            for values in opening
        ]
    ))
    crisis = (("crisis", "int64"),) if campaign else ()
    issues = max(len(s.issues) for s in scenarios)
    trajectories = (
        ("run_id", "int64"),
        *crisis,
        ("round", "int64"),
        *((name, "int64" if name in INT_VARIABLES else "float64") for name in numeric),
    )
    runs = (
        ("run_id", "int64"),
        ("point_id", "int64"),
        ("replicate", "int64"),
        *crisis,
        *sweep,
        ("seed", "int64"),
        *run_columns(actors, measures, partial=any(may_be_met_in_part(s.issues[0]) for s in scenarios),
                     drawn=any(draws_from_posterior(s) for s in scenarios)),
        *((issue_column(k, part), kind) for k in range(2, issues + 1) for part, kind in ISSUE_FIELDS),
        *((opening_belief_column(a), "float64") for a in (actors if campaign else ())),
    )
    return Columns(runs=runs, trajectories=trajectories, actors=actors, measures=measures, sweep=tuple(sweep))


@dataclass(frozen=True)
class ChunkTask:
    """Chunk ``chunk_id``: runs ``start`` to ``stop - 1``, with their seeds, in order.

    ``scenarios`` and ``sweep_values`` are keyed by ``point_id`` and hold only
    the points this chunk touches; ``sweep_values`` are already in column form.
    """

    chunk_id: int
    start: int
    stop: int
    runs_per_point: int
    seeds: tuple[int, ...]
    scenarios: dict[int, Scenario]
    sweep_values: dict[int, tuple[Any, ...]]
    columns: Columns
    scenario_keys: dict[int, str] = field(default_factory=dict)
    """A name for each point's scenario, the same in every chunk of the batch."""
    campaigns: dict[int, Campaign] = field(default_factory=dict)
    """A campaign's batch: the campaign of each point this chunk touches; each run makes its
    crises in turn, a row for each (:mod:`crisis_sim.runs.campaign`)."""


@dataclass
class ChunkResult:
    """The two tables of one chunk."""

    chunk_id: int
    runs: pa.Table
    trajectories: pa.Table
    seconds: float = 0.0
    n_runs: int = field(init=False)

    def __post_init__(self) -> None:
        self.n_runs = self.runs.num_rows


_run_counter: Any = None
"""A shared counter (``multiprocessing.Value``) of the runs this process has finished, for a progress
bar that moves within a chunk; None: runs are not counted. Set by :func:`count_runs_in`."""


def count_runs_in(counter: Any) -> None:
    """Count every run this process finishes from now on in ``counter`` (a ``multiprocessing.Value``
    with a lock; None stops counting). An engine sets it in each worker as the worker starts."""
    global _run_counter
    _run_counter = counter


def _counted() -> None:
    counter = _run_counter
    if counter is not None:
        with counter.get_lock():
            counter.value += 1


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run every model of a chunk; return its runs and trajectories tables."""
    import time

    import pyarrow as pa

    from crisis_sim.core.model import CrisisModel
    from crisis_sim.core.outcomes import private_draws
    from crisis_sim.runs.single_run import run_to_end

    began = time.perf_counter()
    if task.campaigns:
        return _run_campaign_chunk(task, began)
    columns = task.columns
    runs: dict[str, list[Any]] = {name: [] for name, _ in columns.runs}
    trajectories = {name: array(_TYPECODES[kind]) for name, kind in columns.trajectories}
    sweep_names = [name for name, _ in columns.sweep]
    scenarios = {p: _first_copy(task.scenario_keys.get(p), s) for p, s in task.scenarios.items()}
    for offset, run_id in enumerate(range(task.start, task.stop)):
        point_id, replicate = divmod(run_id, task.runs_per_point)
        seed = task.seeds[offset]
        model = CrisisModel(scenarios[point_id], seed, agent_records=False)
        draws = private_draws(model)
        run_to_end(model)
        row = {"run_id": run_id, "point_id": point_id, "replicate": replicate, "seed": seed}
        row.update(zip(sweep_names, task.sweep_values[point_id], strict=True))
        _add_run(runs, row, model, columns, draws)
        _add_trajectory(trajectories, run_id, model.datacollector.model_vars)
        _counted()
    return ChunkResult(
        chunk_id=task.chunk_id,
        runs=pa.table(runs, schema=columns.runs_schema()),
        trajectories=pa.table(
            {name: _arrow(trajectories[name], kind) for name, kind in columns.trajectories},
            schema=columns.trajectories_schema(),
        ),
        seconds=time.perf_counter() - began,
    )


def _run_campaign_chunk(task: ChunkTask, began: float) -> ChunkResult:
    """A chunk of campaign runs: per run, a runs row and the trajectory rows of each crisis."""
    import time

    import pyarrow as pa

    from crisis_sim.core import beliefs
    from crisis_sim.runs.campaign import campaign_runs

    columns = task.columns
    runs: dict[str, list[Any]] = {name: [] for name, _ in columns.runs}
    trajectories = {name: array(_TYPECODES[kind]) for name, kind in columns.trajectories}
    sweep_names = [name for name, _ in columns.sweep]
    scenarios = {}
    for point_id, campaign in task.campaigns.items():
        key = task.scenario_keys.get(point_id)
        names = [f"{key}:{'group' if g.overlapping else 'crisis'}{g.first}" for g in campaign.groups]
        scenarios[point_id] = tuple(_first_copy(name if key else None, g.scenario)
                                    for name, g in zip(names, campaign.groups, strict=True))
    for offset, run_id in enumerate(range(task.start, task.stop)):
        point_id, replicate = divmod(run_id, task.runs_per_point)
        seed = task.seeds[offset]
        for run in campaign_runs(task.campaigns[point_id], seed, scenarios=scenarios[point_id]):
            row: dict[str, Any] = {"run_id": run_id, "point_id": point_id, "replicate": replicate,
                                   "seed": seed, "crisis": run.crisis.index + 1}
            row.update(zip(sweep_names, task.sweep_values[point_id], strict=True))
            for actor in columns.actors:
                opened = run.opening.get(actor)
                row[opening_belief_column(actor)] = None if opened is None else beliefs.mean(opened)
            _add_run(runs, row, run.model, columns, run.draws, issues=run.issues)
            if not run.shares_model:  # crises run together: one trajectory, the first crisis's
                _add_trajectory(trajectories, run_id, run.model.datacollector.model_vars,
                                crisis=run.crisis.index + 1)
        _counted()
    result = ChunkResult(
        chunk_id=task.chunk_id,
        runs=pa.table(runs, schema=columns.runs_schema()),
        trajectories=pa.table(
            {name: _arrow(trajectories[name], kind) for name, kind in columns.trajectories},
            schema=columns.trajectories_schema(),
        ),
        seconds=time.perf_counter() - began,
    )
    result.n_runs = task.stop - task.start
    return result


_FIRST_COPIES: OrderedDict[str, Scenario] = OrderedDict()


def _first_copy(key: str | None, scenario: Scenario, keep: int = 64) -> Scenario:
    """The first copy of this point's scenario that this process was sent.

    A worker receives each chunk's scenarios afresh (unpickled), and the
    values every run of a scenario shares (measure views, expected rates:
    ``model.scenario_cache``) are kept per scenario object, so a fresh copy
    would build them again at every chunk: about 7% of a chunk's time.
    Reusing the first copy keeps them warm. Equal keys mean equal scenarios
    (the key names the batch's plan and the sweep point).
    """
    if key is None:
        return scenario
    known = _FIRST_COPIES.get(key)
    if known is None:
        known = _FIRST_COPIES[key] = scenario
        while len(_FIRST_COPIES) > keep:
            _FIRST_COPIES.popitem(last=False)
    return known


def _add_run(
    table: dict[str, list[Any]], row: dict[str, Any], model: CrisisModel, columns: Columns,
    draws: dict[str, float], issues: range | None = None,
) -> None:
    """The run's row: the lean outcome record (:func:`~crisis_sim.core.outcomes.outcome_record`)
    with the private values drawn when the model was built (``draws``), laid out by the record's
    declared fields (:func:`~crisis_sim.core.run_record.run_row`), then the later issues."""
    from crisis_sim.core.outcomes import outcome_record

    record = outcome_record(model, lean=True, draws=draws, issues=issues)
    row.update(run_row(record, columns.actors, columns.measures))
    row.update(dict.fromkeys(columns.later_issue_columns))  # a point with fewer issues: nulls
    for k, issue in enumerate(record["later_issues"], start=2):
        for part, _kind in ISSUE_FIELDS:
            row[issue_column(k, part)] = issue[part]
    for name, values in table.items():
        values.append(row[name])


_TYPECODES = {"int64": "q", "float64": "d"}
"""The ``array.array`` type of each trajectory column type (every one is numeric)."""


def _add_trajectory(
    table: dict[str, Any], run_id: int, model_vars: dict[str, Any], crisis: int | None = None
) -> None:
    """Append one run's rounds to the chunk's trajectory columns.

    A column stays an ``array.array`` (8 bytes a value; the model's collector
    stores numeric variables the same way, :class:`~crisis_sim.core.outcomes.RoundCollector`)
    while every run's values fit it; otherwise it becomes a list, and the
    table is built from the Python values as they were reported.
    """
    n = len(model_vars["round"])
    for name, stored in table.items():
        if name == "run_id":
            values: Any = array("q", [run_id]) * n
        elif name == "crisis" and crisis is not None:
            values = array("q", [crisis]) * n
        else:
            values = model_vars.get(name)
            if values is None:
                values = [None] * n
        table[name] = _extended(stored, values)


def _extended(stored: array | list, values: array | list) -> array | list:
    if isinstance(stored, array) and isinstance(values, array):
        if values.typecode == stored.typecode:
            stored.extend(values)
            return stored
        if stored.typecode == "d":  # integers into a float column, as Arrow would convert them
            stored.fromlist(values.tolist())
            return stored
    if isinstance(stored, array):
        stored = stored.tolist()
    stored.extend(values)
    return stored


def _arrow(values: array | list, kind: str) -> Any:
    """One trajectory column as an Arrow array; an ``array.array`` is passed without a copy."""
    import numpy as np
    import pyarrow as pa

    arrow_type = {"int64": pa.int64(), "float64": pa.float64()}[kind]
    if isinstance(values, array):
        return pa.array(np.frombuffer(values, dtype=np.int64 if values.typecode == "q" else np.float64),
                        type=arrow_type)
    return pa.array(values, type=arrow_type)


@dataclass(frozen=True)
class ChunkWritten:
    """A chunk computed and written by the worker itself (engines that share the folder)."""

    chunk_id: int
    n_runs: int
    files: dict[str, Any] = field(default_factory=dict)
    """Each table's file record (size, SHA-256), for the manifest's ``chunks``."""


def _parent_alive() -> None:
    """In a worker process: end it at once if the process that started it has died.

    A worker whose batch was killed must not write chunks into a folder that
    no one is writing any more (or that another batch now owns). Pool
    workers on Linux also get ``PR_SET_PDEATHSIG`` (``engines/local.py``);
    this check covers the moment before that took effect, and other systems.
    """
    import multiprocessing
    import os

    parent = multiprocessing.parent_process()
    if parent is not None and os.getppid() != parent.pid:
        os._exit(1)


def run_and_write_chunk(task: ChunkTask, folder: str) -> ChunkWritten:
    """Run a chunk and write its two files into ``folder`` (atomically), in the worker.

    For engines whose workers see the batch folder (processes on this
    machine): the tables never travel back to the parent, which would cost
    more than computing them. The files are the same bytes the parent would
    write. Before each file is put in place the worker checks that its
    parent still runs (:func:`_parent_alive`).
    """
    from pathlib import Path

    from crisis_sim.batch.tables import write_chunk

    result = run_chunk(task)
    _parent_alive()
    files = write_chunk(Path(folder), result, check=_parent_alive)
    return ChunkWritten(result.chunk_id, result.n_runs, files)
