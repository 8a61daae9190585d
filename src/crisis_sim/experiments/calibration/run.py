"""A calibration: the back-test's cases run as batches over prior draws, fitted by rejection ABC.

:func:`run_calibration` is what ``crisis-sim calibrate`` calls. The prior is
uniform over each parameter's range and is sampled as a Latin hypercube (McKay
et al. 1979) through the sensitivity study's sampled designs
(:mod:`crisis_sim.batch.design`), so that each case is one batch whose points
are the prior draws, with everything a batch has: seeds fixed before
dispatch, chunks fixed by the arguments, any engine, the same bytes for any
number of workers, and ``--resume`` after any interruption. Each case is also
run at its current values (the defaults), as a plain batch. Once every draw
has run, each case is run again at one point of the posterior: the kept
draws' medians (in sample), and the medians of the draws kept without it
(leave-one-case-out), to show whether one point would do as well as the kept
draws an adoption writes (docs/calibration.md). Every point, the defaults included, is run as many
times as the kept draws pool, so that the fits it compares are equally noisy.
The fit itself (distances, the rejection step of Beaumont, Zhang & Balding
2002, leave-one-case-out) is :mod:`crisis_sim.experiments.calibration.abc`. The folder::

    DIR/calibration.json          the settings (the resume check), the cost estimate, the command
    DIR/draws/<case>/             each case's batch over the prior draws (docs/batch-format.md)
    DIR/defaults/<case>/          each case's batch at its current values
    DIR/points/medians/<case>/    each case's batch at the kept draws' medians
    DIR/points/loo_medians/<case>/  ... at the medians of the draws kept without it
    DIR/calibration/              the results, written whole when every batch is complete:
        draws.{parquet,csv}            every draw: values, distance per case, mean, kept
        posterior.{parquet,csv}        the kept draws, closest first
        posterior_summary.{parquet,csv}  per parameter: prior, default, median, quantiles, best
        scoreboard.{parquet,csv}       the back-test scoreboard of each fit (report.FITS)
        totals.csv, verdict.json       per fit: mean distance, matches, P(observed), Brier, time matches
        loo.csv                        for each case, the draws kept without it and their medians
        pairs.png, report.md

Bad input (a missing cases folder, a case without ``history``, an unknown
parameter path, LO >= HI) is refused before anything is written.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.design import Design, DesignError
from crisis_sim.batch.folder import BatchError, BatchFolderExistsError
from crisis_sim.experiments.backtest.run import cases_folder, load_cases
from crisis_sim.experiments.durations import duration
from crisis_sim.runs.safe_folders import rebuilt

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.batch.design import Parameter
    from crisis_sim.core.schema import Scenario

KIND = "calibration"
SETTINGS = "calibration.json"
DRAWS_DIR, DEFAULTS_DIR, RESULTS_DIR, POINTS_DIR = "draws", "defaults", "calibration", "points"
DEFAULT_PARAMETERS = (
    "dynamics.pain_weight=2:30",
    "dynamics.audience_cost_scale=0:0.4",
    "dynamics.stake_scale=0.02:0.5",
    "dynamics.concern_days=5:400",
    "decision_noise=0:0.06",
    "dynamics.relationship_value=0:1",
)
"""The parameters fitted unless others are given, with their uniform priors (docs/calibration.md).
A prior whose kept draws crowd an edge is widened and the study rerun
(:func:`crisis_sim.experiments.calibration.report.edge_warnings`): ``concern_days`` was 5:120
(kept draws at 102–117), ``stake_scale`` 0.02:0.3 and ``decision_noise`` 0:0.03 (their 95%
quantiles at the upper edge)."""
HORIZON_FIELDS = ("rounds", "round_hours")
CHUNKS_PER_CASE = 16


@dataclass(frozen=True)
class CalibrationPlan:
    """A calibration laid out and checked: cases, prior, draws, runs; nothing run yet."""

    folder: Path
    cases: tuple[tuple[Path, Scenario], ...]
    design: Design
    runs: int
    accept: float

    @property
    def seed(self) -> int:
        return self.design.seed

    @property
    def draws(self) -> int:
        return self.design.n_points

    @property
    def point_runs(self) -> int:
        """Runs of each case at one point (the defaults, each median point): as many as the kept
        draws pool, so that a point is scored with the noise of the fits it is compared with."""
        from crisis_sim.experiments.calibration.abc import accepted_count

        return accepted_count(self.draws, self.accept) * self.runs

    @property
    def n_runs(self) -> int:
        from crisis_sim.experiments.calibration.report import POINT_FITS

        return len(self.cases) * (self.draws * self.runs + (1 + len(POINT_FITS)) * self.point_runs)

    @property
    def chunk_size(self) -> int:
        """Runs per chunk of a case's draws batch: whole draws, about :data:`CHUNKS_PER_CASE` chunks."""
        return self.runs * max(1, math.ceil(self.draws / CHUNKS_PER_CASE))

    def settings(self) -> dict[str, Any]:
        """What fixes the results: compared on ``--resume``."""
        from crisis_sim.experiments.calibration.abc import accepted_count

        return {
            "folder": str(self.folder),
            "cases": {s.name: s.content_hash() for _, s in self.cases},
            "parameters": [p.to_json() for p in self.design.parameters],
            "draws": self.draws,
            "runs": self.runs,
            "seed": self.seed,
            "accept": self.accept,
            "accepted": accepted_count(self.draws, self.accept),
        }

    @property
    def priors(self) -> dict[str, tuple[float, float]]:
        return {p.path: (p.lo, p.hi) for p in self.design.parameters}

    def defaults(self) -> dict[str, float | None]:
        """Each parameter's current value, if every case has the same one (else None)."""
        from crisis_sim.batch.design import _value_at

        out: dict[str, float | None] = {}
        for p in self.design.parameters:
            values = {_value_at(s.model_dump(mode="json"), p.path) for _, s in self.cases}
            value = values.pop() if len(values) == 1 else None
            out[p.path] = float(value) if isinstance(value, int | float) else None
        return out


def _problem(lines: list[str] | str) -> Exception:
    from crisis_sim.scenario import ScenarioError

    return ScenarioError([lines] if isinstance(lines, str) else lines)


def plan_calibration(
    folder: str | Path | None = None,
    params: Sequence[str] | None = None,
    draws: int = 40,
    runs: int = 10,
    seed: int = 0,
    accept: float = 0.2,
    only: Sequence[str] = (),
    changes: Sequence[str] = (),
) -> CalibrationPlan:
    """Lay out and check a calibration: every case, every parameter, every draw's scenario.

    ``params``: ``PATH=LO:HI`` (None: :data:`DEFAULT_PARAMETERS`); ``only``:
    the names of the cases to fit (default all); ``changes``: ``PATH=VALUE`` made to every case
    first (as ``crisis-sim backtest --set``: a calibration of a what-if). Raises ScenarioError (one line
    per problem, naming the file and field) or BatchError for bad numbers;
    nothing is written.
    """
    from crisis_sim.batch.api import plan_batch
    from crisis_sim.batch.design import parse_parameters
    from crisis_sim.experiments.calibration.abc import AbcError, accepted_count

    folder = cases_folder(folder)
    cases = load_cases(folder, changes)
    if only:
        names = {s.name for _, s in cases}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise _problem([f"--case {n}: no case of that name in {folder}" for n in unknown])
        cases = [(f, s) for f, s in cases if s.name in set(only)]
    if len(cases) < 2:
        raise _problem(f"{folder}: leave-one-case-out needs at least two cases, got {len(cases)}")
    for name, value in (("--draws", draws), ("--runs", runs)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 2:
            raise BatchError(f"{name}: a whole number >= 2, got {value!r}")
    texts = list(DEFAULT_PARAMETERS if params is None else params)
    for text in texts:
        path = text.partition("=")[0].strip()
        if path in HORIZON_FIELDS:
            raise _problem(f"--param {path}: the horizon is not a calibration parameter")
    file, first = cases[0]
    try:  # the cases share one schema: the first one says whether a path and range are good
        parameters: list[Parameter] = parse_parameters(first, texts)
    except Exception as exc:  # ScenarioError: name the file it was checked against
        lines = getattr(exc, "problems", None)
        if lines is None:
            raise
        raise _problem([f"{file}: {line}" for line in lines]) from None
    try:
        design = Design("lhs", tuple(parameters), draws, seed=seed, dummy=False)
        accepted_count(draws, accept)
    except (DesignError, AbcError) as exc:
        raise BatchError(str(exc)) from None
    plan = CalibrationPlan(folder, tuple(cases), design, runs, accept)
    for file, scenario in cases:  # every draw's scenario of every case, validated
        plan_batch(scenario, runs, seed, design=design, source=str(file), chunk_size=plan.chunk_size)
    return plan


# --------------------------------------------------------------------------
# The cost, measured before anything runs
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """The cost of a calibration, bounded from a timed pilot on the scenarios it will run.

    The pilot runs each case at its defaults and at its first prior draw (seed
    0), timing the building of each model and its rounds. A run of the
    calibration is bounded by its horizon, not by how soon the pilot settled
    (a pilot run at the defaults that settles in a day says nothing of a draw
    that never settles): each case's bound per run is the slowest pilot
    build plus the case's ``rounds`` times the slowest pilot round, times a margin
    (:func:`crisis_sim.experiments.pilot.run_bound`). The fixed part is measured too: one batch
    of one one-round run made and written in a temporary folder (each case makes two batches)
    and the pair plot of the report. So the estimate errs long.
    """

    runs: int
    pilot_runs: int
    pilot_seconds: float
    workers: int
    per_case_seconds: dict[str, float] = field(default_factory=dict)
    """Each case's bound on one run, in seconds."""
    done: int = 0
    """Runs already in the folder (a resumed calibration)."""
    fixed_seconds: float = 0.0
    """The measured cost of the batches' set-up and of the report, whatever the number of runs."""

    @property
    def seconds_per_run(self) -> float:
        return self.pilot_seconds / max(self.pilot_runs, 1)

    @property
    def run_seconds(self) -> float:
        """Runs still to make per case times each case's bound on a run, summed."""
        per_case_runs = (self.runs - self.done) / max(len(self.per_case_seconds), 1)
        return per_case_runs * sum(self.per_case_seconds.values())

    @property
    def cpu_seconds(self) -> float:
        return self.run_seconds + self.fixed_seconds

    @property
    def wall_seconds(self) -> float:
        """The runs shared by the workers; the fixed part in this process."""
        return self.run_seconds / self.workers + self.fixed_seconds

    def to_json(self) -> dict[str, Any]:
        return {"runs": self.runs, "done": self.done, "pilot_runs": self.pilot_runs,
                "pilot_seconds": self.pilot_seconds, "seconds_per_run": self.seconds_per_run,
                "workers": self.workers, "estimated_cpu_seconds": self.cpu_seconds,
                "estimated_wall_seconds": self.wall_seconds, "pilot_seconds_per_case": self.per_case_seconds,
                "fixed_seconds": self.fixed_seconds}

    def text(self, plan: CalibrationPlan) -> str:
        left = f", {self.runs - self.done} still to run" if self.done else ""
        return (
            f"calibration: {len(plan.cases)} cases x ({plan.draws} prior draws x {plan.runs} runs + the "
            f"defaults and 2 median points x {plan.point_runs} runs) = {self.runs} runs{left}\n"
            f"pilot: {self.pilot_runs} runs (each case at its defaults and its first draw) took "
            f"{self.pilot_seconds:.1f} s; every run to its horizon -> at most about "
            f"{duration(self.wall_seconds)} on {self.workers} worker{'s' if self.workers != 1 else ''} "
            f"({duration(self.cpu_seconds)} of CPU)"
        )


def done_runs(out: Path, plan: CalibrationPlan) -> int:
    """Runs the batches of a calibration folder already hold, by their manifests (0 for a new folder)."""
    from crisis_sim.batch.folder import read_manifest

    done = 0
    for _, scenario in plan.cases:
        for where in (out / DRAWS_DIR / scenario.name, out / DEFAULTS_DIR / scenario.name):
            try:
                manifest = read_manifest(where)
                size, total = int(manifest["chunk_size"]), int(manifest["n_runs"])
                done += sum(min(size, total - int(k) * size) for k in manifest.get("chunks") or {})
            except (BatchError, KeyError, TypeError, ValueError):
                continue
    return done


def estimate(plan: CalibrationPlan, workers: int | None = None, done: int = 0, *,
             progress: bool = False) -> Estimate:
    """Bound the cost of ``plan`` by a pilot on its own scenarios (see :class:`Estimate`); the runs
    still to make are counted (``done``: those a resumed folder holds already). Writes nothing
    that outlives the call (the batch it times is made in a temporary folder). ``progress``: a bar
    of the pilot's runs on stderr, when it is a terminal."""
    from crisis_sim.batch.design import design_points, sample
    from crisis_sim.batch.engines.base import default_workers
    from crisis_sim.batch.progress import terminal_bar
    from crisis_sim.experiments.calibration.figures import pair_plot
    from crisis_sim.experiments.pilot import PILOT_MARGIN, batch_overhead, run_bound

    began = time.perf_counter()
    first_draw = sample(plan.design)[:1]
    per_case: dict[str, float] = {}
    pilot_runs = 0
    planned = len(plan.cases) * (1 + len(first_draw))
    with terminal_bar(progress, "pilot runs") as update:
        update(0, planned)
        for file, scenario in plan.cases:
            _, drawn = design_points(scenario, plan.design, first_draw, str(file))
            per_case[scenario.name] = run_bound((scenario, *drawn), scenario.rounds)
            pilot_runs += 1 + len(drawn)
            update(min(pilot_runs, planned), planned)
    pilot_seconds = time.perf_counter() - began

    batch_seconds = batch_overhead(plan.cases[0][1])  # the fixed part: a batch's set-up, then the pair plot
    t0 = time.perf_counter()
    import io

    import pandas as pd

    figure = pair_plot(pd.DataFrame(sample(plan.design), columns=plan.design.names), [], plan.priors,
                       plan.defaults())
    figure.savefig(io.BytesIO(), dpi=110)
    fixed = 2 * len(plan.cases) * batch_seconds + PILOT_MARGIN * (time.perf_counter() - t0)
    chosen = workers if workers is not None else default_workers()
    return Estimate(plan.n_runs, pilot_runs, pilot_seconds, max(1, chosen), per_case, done, fixed)


# --------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class CalibrationResult:
    """A finished calibration: the tables of ``calibration/`` and where it is."""

    path: Path
    plan: CalibrationPlan
    draws: pd.DataFrame
    posterior: pd.DataFrame
    summary: pd.DataFrame
    scoreboard: pd.DataFrame
    totals: pd.DataFrame
    verdict: dict[str, Any]
    loo: dict[str, list[int]]


def check_out(out: Path, plan: CalibrationPlan, *, resume: bool, force: bool) -> bool:
    """Check, touching nothing, that ``out`` may be written; True when it is to be resumed.

    Free: ``out`` does not exist. ``resume``: a calibration folder made with
    the same settings (the cases folder may be named differently). ``force``:
    empty or a calibration folder. Anything else raises BatchError in one line.
    """
    from crisis_sim.runs.safe_folders import check_replaceable, differing_settings, folder_kind
    from crisis_sim.scenario import ScenarioError
    from crisis_sim.scenario.files import read_limited

    if resume and force:
        raise BatchError("--resume and --force: give one or the other")
    if out.exists() and resume:
        if folder_kind(out) != KIND or not (out / SETTINGS).is_file():
            raise BatchError(f"{out}: cannot resume: not a calibration folder")
        try:
            old = json.loads(read_limited(out / SETTINGS, 16_000_000).decode("utf-8"))["settings"]
            settings = plan.settings()
            differ = differing_settings(old, settings, ignore=("folder",))
        except (ScenarioError, OSError, ValueError, KeyError, TypeError, AttributeError):
            raise BatchError(f"{out}/{SETTINGS}: cannot resume: unreadable") from None
        if differ:
            raise BatchError(f"{out}: cannot resume: made with other {', '.join(differ)}")
        return True
    if out.exists() or out.is_symlink():
        check_replaceable(out, force=force, kind=KIND, error=BatchError, exists_error=BatchFolderExistsError)
    return False


def _open_folder(
    out: Path, plan: CalibrationPlan, *, resume: bool, force: bool, extra: dict[str, Any]
) -> None:
    """Make ``out`` (or check that it may be resumed or replaced) and write its settings."""
    from crisis_sim.runs.safe_folders import fresh_marked_folder

    if check_out(out, plan, resume=resume, force=force):
        return
    text = json.dumps({"settings": plan.settings(), **extra}, indent=2, default=str) + "\n"
    fresh_marked_folder(out, KIND, SETTINGS, text, error=BatchError)


def run_calibration(
    plan: CalibrationPlan,
    out: str | Path,
    *,
    resume: bool = False,
    force: bool = False,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Any = None,
    command: list[str] | None = None,
    cost: Estimate | None = None,
    note: Callable[[str], None] | None = None,
) -> CalibrationResult:
    """Run (or resume) every case's batches of ``plan`` in ``out``, fit, and write ``out/calibration/``."""
    from crisis_sim.batch.api import check_engine_flags, run_batch
    from crisis_sim.experiments.backtest.run import case_chunk_size

    check_engine_flags(workers, engine)  # before the folder is made
    out = Path(out)
    extra = {"command": command or [], "estimate": cost.to_json() if cost is not None else None}
    _open_folder(out, plan, resume=resume, force=force, extra=extra)
    options = {"workers": workers, "engine": engine, "scheduler": scheduler, "progress": progress,
               "command": command}
    draws_runs, defaults_runs = {}, {}
    for i, (file, scenario) in enumerate(plan.cases, start=1):
        if note is not None:
            note(f"case {i} of {len(plan.cases)}: {scenario.name}")
        where = out / DRAWS_DIR / scenario.name
        batch = run_batch(scenario, plan.runs, plan.seed, out=where, resume=where.exists(),
                          design=plan.design, source=str(file), chunk_size=plan.chunk_size, **options)
        draws_runs[scenario.name] = batch.runs
        where = out / DEFAULTS_DIR / scenario.name
        batch = run_batch(scenario, plan.point_runs, plan.seed, out=where, resume=where.exists(),
                          source=str(file), chunk_size=case_chunk_size(plan.point_runs), **options)
        defaults_runs[scenario.name] = batch.runs
    points = median_points(plan, kept_draws(plan, draws_runs))
    point_runs: dict[str, dict[str, pd.DataFrame]] = {fit: {} for fit in points}
    for i, (file, scenario) in enumerate(plan.cases, start=1):
        if note is not None:
            note(f"case {i} of {len(plan.cases)} at the median points: {scenario.name}")
        for fit, values in points.items():
            where = out / POINTS_DIR / fit / scenario.name
            batch = run_batch(scenario, plan.point_runs, plan.seed, out=where, resume=where.exists(),
                              sweep=_point_sweep(plan, values[scenario.name]), source=str(file),
                              chunk_size=case_chunk_size(plan.point_runs), **options)
            point_runs[fit][scenario.name] = batch.runs
    return write_results(out, plan, draws_runs, defaults_runs, point_runs, command=command or [])


@dataclass(frozen=True)
class Kept:
    """What the rejection step makes of finished draws: each case's record, horizon and measures,
    the distance table, the draws' values (by ``point_id``), the kept draws, and for each case the
    draws kept without it."""

    observed: dict[str, Any]
    horizons: dict[str, float]
    measures: dict[str, list[str]]
    distances: pd.DataFrame
    values: pd.DataFrame
    accepted: list[int]
    loo: dict[str, list[int]]


def kept_draws(plan: CalibrationPlan, draws_runs: dict[str, pd.DataFrame]) -> Kept:
    """The rejection step, in sample and leave-one-case-out, over the finished draws' runs."""
    import pandas as pd

    from crisis_sim.batch.design import sample
    from crisis_sim.experiments.backtest.scoring import Observed
    from crisis_sim.experiments.calibration import abc

    observed, horizons, measures = {}, {}, {}
    for _, s in plan.cases:
        assert s.history is not None  # load_cases refuses a case without one
        observed[s.name] = Observed.from_history(s.history)
        horizons[s.name] = s.rounds * s.round_hours
        measures[s.name] = list(s.measures)
    distances = abc.distance_table(draws_runs, observed, horizons)
    values = pd.DataFrame(sample(plan.design), columns=plan.design.names,
                          index=pd.Index(range(plan.draws), name="point_id"))
    return Kept(observed, horizons, measures, distances, values, abc.reject(distances, plan.accept),
                abc.leave_one_out(distances, plan.accept))


def median_points(plan: CalibrationPlan, kept: Kept) -> dict[str, dict[str, dict[str, float]]]:
    """One point of the posterior for each case: ``medians`` (the kept draws' medians, the same for
    every case) and ``loo_medians`` (the medians of the draws kept without the case), each as
    :func:`~crisis_sim.experiments.calibration.abc.point_values` gives them."""
    from crisis_sim.experiments.calibration.abc import point_values

    names = [s.name for _, s in plan.cases]
    medians = point_values(kept.values, kept.accepted)
    return {"medians": dict.fromkeys(names, medians),
            "loo_medians": {name: point_values(kept.values, kept.loo[name]) for name in names}}


def _point_sweep(plan: CalibrationPlan, values: dict[str, float]) -> dict[str, list[Any]]:
    """A one-point sweep that sets each fitted path to ``values``, as the design would write it."""
    return {p.path: [p.scenario_value(values[p.path])] for p in plan.design.parameters}


def fit(
    plan: CalibrationPlan, draws_runs: dict[str, pd.DataFrame], defaults_runs: dict[str, pd.DataFrame],
    point_runs: dict[str, dict[str, pd.DataFrame]],
) -> dict[str, Any]:
    """The fit from finished batches: distances, the kept draws, leave-one-out, the scoreboards
    (``point_runs[fit][case]``: the runs at the median points, :func:`median_points`)."""
    from crisis_sim.experiments.calibration import abc
    from crisis_sim.experiments.calibration.report import (
        baseline_totals,
        edge_warnings,
        scoreboards,
        totals,
        verdict,
    )

    kept = kept_draws(plan, draws_runs)
    observed, distances, values = kept.observed, kept.distances, kept.values
    accepted, loo = kept.accepted, kept.loo
    table = values.join(distances.add_prefix("distance_"))
    table[abc.DISTANCE] = abc.mean_distance(distances)
    table["kept"] = table.index.isin(accepted)
    board = scoreboards(draws_runs, defaults_runs, accepted, loo, observed, kept.horizons, kept.measures,
                        point_runs)
    total = totals(board)
    baselines = baseline_totals({c: (o.outcome, o.decided_hours) for c, o in observed.items()})
    return {
        "draws": table.reset_index(),
        "values": values,
        "accepted": accepted,
        "posterior": abc.posterior_table(values, distances, accepted),
        "summary": abc.posterior_summary(values, accepted, plan.priors, plan.defaults()),
        "scoreboard": board,
        "totals": total,
        "verdict": {**verdict(total, baselines), "prior_edges": edge_warnings(values, accepted, plan.priors)},
        "loo": loo,
        "loo_medians": median_points(plan, kept)["loo_medians"],
    }


def write_results(
    out: Path, plan: CalibrationPlan, draws_runs: dict[str, pd.DataFrame],
    defaults_runs: dict[str, pd.DataFrame], point_runs: dict[str, dict[str, pd.DataFrame]], *,
    command: Sequence[str] = (),
) -> CalibrationResult:
    """Fit, then write ``out/calibration/`` whole: built under a hidden name, then swapped into place."""
    import pandas as pd

    from crisis_sim.experiments.calibration.figures import pair_plot
    from crisis_sim.experiments.calibration.report import report_markdown
    from crisis_sim.runs.run_folder import write_frame

    f = fit(plan, draws_runs, defaults_runs, point_runs)
    target = out / RESULTS_DIR
    with rebuilt(target) as tmp:
        for name in ("draws", "posterior", "summary", "scoreboard"):
            stem = "posterior_summary" if name == "summary" else name
            f[name].to_parquet(tmp / f"{stem}.parquet", index=False)
            write_frame(f[name], tmp / f"{stem}.csv")
        write_frame(f["totals"], tmp / "totals.csv")
        loo = pd.DataFrame({"case": list(f["loo"]),
                            "kept_point_ids": [" ".join(map(str, ids)) for ids in f["loo"].values()]})
        for path in plan.design.names:  # the point each case is predicted by (loo_medians)
            loo[f"median {path}"] = [f["loo_medians"][case][path] for case in f["loo"]]
        write_frame(loo, tmp / "loo.csv")
        (tmp / "verdict.json").write_text(json.dumps(f["verdict"], indent=2) + "\n", encoding="utf-8")
        figure = pair_plot(f["values"], f["accepted"], plan.priors, plan.defaults(),
                           title=f"{len(f['accepted'])} of {plan.draws} draws kept")
        figure.savefig(tmp / "pairs.png", dpi=110)
        settings = plan.settings()
        (tmp / "report.md").write_text(
            report_markdown(f["summary"], f["scoreboard"], f["totals"], f["verdict"], settings=settings,
                            figure="pairs.png", command=command),
            encoding="utf-8")
    return CalibrationResult(out, plan, f["draws"], f["posterior"], f["summary"], f["scoreboard"],
                             f["totals"], f["verdict"], {k: list(v) for k, v in f["loo"].items()})
