"""The historical back-test: every case of a folder run as a batch and scored against its record.

:func:`run_backtest` is what ``crisis-sim backtest`` calls. It reads every
scenario file of a folder (by default the installed cases, the project's ``cases/``:
:func:`cases_folder`), each of which must carry a
``history`` block (``core.schema.History``), and checks them all before
anything runs, so a bad file stops the back-test with one line per problem and
nothing written. Then it runs each case as a batch with :func:`run_batch`
(same seeds, same engines as ``crisis-sim batch``), scores each batch's runs
table with :mod:`crisis_sim.experiments.backtest.scoring`, and writes one folder::

    DIR/backtest.csv       the scoreboard, one row per case, with its baselines (docs/backtest.md)
    DIR/backtest.parquet   the same table, typed
    DIR/backtest.md        the scoreboard as Markdown, with the totals and the baselines'
    DIR/overall.json       the totals, the baselines' and whether the model beats each
    DIR/scoreboard.png     each case's share of runs ending as history did, beside the base rate
    DIR/cases/<name>/      each case's batch folder (docs/batch-format.md)

    DIR/backtest.json      the settings: runs, seed, each case's content hash, the model

The folder is written in place, each case's batch as it finishes and the
scoreboard last (``backtest.csv`` the very last), so an interrupted back-test
keeps its finished cases and ``resume`` continues it; an existing folder is
replaced only with ``force`` and only if it is a back-test folder.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.api import run_batch
from crisis_sim.batch.folder import BatchError, BatchFolderExistsError
from crisis_sim.core.plain_data import json_default

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.core.schema import Scenario

CASE_SUFFIXES = (".yaml", ".yml")
KIND = "backtest"
CHUNKS_PER_CASE = 16
"""Chunks a case's batch is cut into (:func:`case_chunk_size`)."""
SCOREBOARD_CSV, SCOREBOARD_PARQUET, SCOREBOARD_MD, OVERALL_JSON = (
    "backtest.csv", "backtest.parquet", "backtest.md", "overall.json",
)


@dataclass(frozen=True)
class BacktestResult:
    """A finished back-test: the scoreboard, its totals and where they were written."""

    path: Path
    table: pd.DataFrame
    overall: dict[str, Any]
    runs: int
    seed: int


def cases_folder(folder: str | Path | None) -> Path:
    """``folder`` as a path; None: the installed cases (``crisis_sim.cases``, the project's ``cases/``)."""
    from crisis_sim.scenario.files import installed_cases

    return installed_cases() if folder is None else Path(folder)


def _read_entry(entry: Path) -> tuple[bool, str | None]:
    """Whether an entry of a cases folder is a case, and what is wrong with it (None: nothing),
    by the rule of :func:`case_files`."""
    import stat

    suffix = entry.suffix
    named_case = suffix.lower() in CASE_SUFFIXES
    try:
        mode = entry.stat().st_mode
    except FileNotFoundError:
        if entry.is_symlink():
            return False, f"{entry}: a link to a missing file ({entry.readlink()}); remove or fix it"
        return False, f"{entry}: vanished while the folder was read"
    except OSError as exc:
        return False, f"{entry}: cannot read it: {exc.strerror}"
    if stat.S_ISDIR(mode):
        return False, f"{entry}: a folder named like a case file; cases are files" if named_case else None
    if not stat.S_ISREG(mode):
        return False, f"{entry}: not a regular file (a device, FIFO or socket); not reading it"
    if named_case and suffix not in CASE_SUFFIXES:
        return False, f"{entry}: extension {suffix!r}: case files end in .yaml or .yml, in lower case"
    return named_case, None


def case_files(folder: Path) -> list[Path]:
    """The scenario files of a cases folder, sorted by name; ScenarioError naming every bad entry.

    The rule (docs/backtest.md, "Which files are cases"): a case is an entry
    whose name ends in ``.yaml`` or ``.yml`` (lower case) and which is a
    regular file or a link to one. Names starting with ``.`` are hidden and
    never read (editor lock and swap files); a regular file or folder with any
    other extension (``README.md``, ``notes/``) is not a case. Everything else
    is an error, one line per entry, so nothing is skipped without a word: a
    link whose target is missing, a device, a FIFO or a socket (whatever its
    name), a folder named ``*.yaml``, and a case extension in another case
    (``CASE.YAML``, ``x.Yml``), which would be a case on one file system and
    not on another.
    """
    from crisis_sim.scenario import ScenarioError

    if not folder.exists():
        raise ScenarioError([f"{folder}: no such folder"])
    if not folder.is_dir():
        raise ScenarioError([f"{folder}: not a folder of case files"])
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise ScenarioError([f"{folder}: cannot list the folder: {exc.strerror}"]) from None
    files: list[Path] = []
    problems: list[str] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        is_case, problem = _read_entry(entry)
        if problem is not None:
            problems.append(problem)
        elif is_case:
            files.append(entry)
    if problems:
        raise ScenarioError(problems)
    if not files:
        raise ScenarioError([f"{folder}: no case files (*.yaml) in it"])
    return files


def load_cases(folder: Path, changes: Sequence[str] = ()) -> list[tuple[Path, Scenario]]:
    """Every case of ``folder``, validated; ScenarioError with every problem of every file at once.

    Besides the checks of any scenario, a case must have a ``history`` block,
    and two cases may not share a name. ``changes`` (``PATH=VALUE``, as ``crisis-sim run
    --set``) are made to every case before it is checked: a what-if over the whole back-test.
    """
    from crisis_sim.scenario import ScenarioError, load_scenario

    problems: list[str] = []
    cases: list[tuple[Path, Scenario]] = []
    names: dict[str, Path] = {}
    for file in case_files(folder):
        try:
            scenario = load_scenario(file, list(changes))
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        if scenario.history is None:
            problems.append(f"{file}: history: required for a back-test case (what really happened)")
        elif scenario.name in names:
            problems.append(f"{file}: name: '{scenario.name}' is also the name of {names[scenario.name]}")
        else:
            names[scenario.name] = file
            cases.append((file, scenario))
    if problems:
        raise ScenarioError(problems)
    return cases


def case_chunk_size(runs: int) -> int:
    """Runs per chunk of a case's batch: about :data:`CHUNKS_PER_CASE` chunks, so that every worker
    has work while the case's longest runs finish (a case's runs last from hours to years, and a
    chunk is one worker's task). Results do not depend on it: each run has its own seed."""
    return max(1, math.ceil(runs / CHUNKS_PER_CASE))


def default_out_dir() -> Path:
    """``runs/backtest-<UTC time>``."""
    from crisis_sim.runs.safe_folders import timestamped_folder

    return timestamped_folder("backtest")


SETTINGS = "backtest.json"
"""The settings that fix the results (runs, seed, each case's content hash, the model's
fingerprint): written when the folder is made, compared by ``resume``."""


def backtest_settings(cases: list[tuple[Path, Scenario]], runs: int, seed: int) -> dict[str, Any]:
    """What fixes a back-test's results; a resumed folder must have been made with the same."""
    from crisis_sim.core.fingerprint import model_fingerprint

    return {"runs": runs, "seed": seed, "model": model_fingerprint(),
            "cases": {s.name: s.content_hash() for _, s in cases}}


def open_folder(out_dir: Path, settings: dict[str, Any], *, resume: bool, force: bool) -> bool:
    """Make ``out_dir`` for a back-test, or check that it may be resumed; True when resumed.

    A back-test folder is written in place: each case's batch as it finishes, the scoreboard last,
    so an interrupted back-test keeps its finished cases for ``resume`` (which refuses a folder
    made with other settings, and says which). Without ``resume`` an existing folder is replaced
    only with ``force`` and only if it is a back-test folder. Every refusal is a BatchError in
    one line, before anything is written.
    """
    from crisis_sim.runs.safe_folders import (
        check_replaceable,
        differing_settings,
        folder_kind,
        fresh_marked_folder,
    )

    if resume and force:
        raise BatchError("--resume and --force: give one or the other")
    if resume and out_dir.exists():
        if folder_kind(out_dir) != KIND or not (out_dir / SETTINGS).is_file():
            raise BatchError(f"{out_dir}: cannot resume: not a back-test folder")
        try:
            old = json.loads((out_dir / SETTINGS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise BatchError(f"{out_dir}/{SETTINGS}: cannot resume: unreadable") from None
        differ = differing_settings(old, settings)
        if differ:
            raise BatchError(f"{out_dir}: cannot resume: made with other {', '.join(differ)}"
                             + (" (another model)" if "model" in differ else ""))
        return True
    if out_dir.exists() or out_dir.is_symlink():
        check_replaceable(out_dir, force=force, kind=KIND, error=BatchError,
                          exists_error=BatchFolderExistsError)
    fresh_marked_folder(out_dir, KIND, SETTINGS, json.dumps(settings, indent=2) + "\n", error=BatchError)
    return False


def run_backtest(
    folder: str | Path | None = None,
    runs: int = 200,
    seed: int = 0,
    out: str | Path | None = None,
    *,
    force: bool = False,
    resume: bool = False,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Any = None,
    note: Callable[[str], None] | None = None,
    changes: Sequence[str] = (),
    baselines_from: str | Path | None = None,
) -> BacktestResult:
    """Run every case of ``folder`` as a batch of ``runs`` seeded runs and score it against history.

    ``runs`` is at most :data:`crisis_sim.batch.plan.MAX_RUNS` (a case's batch is a batch).

    ``resume`` finishes the folder ``out`` that an interrupted back-test with the same settings
    left (its finished cases are kept, a case's batch resumes from its last chunk). ``note`` is
    told which case starts ("case 3 of 17: ...") with the time so far and an estimate of the
    time left at that pace. ``changes`` (``PATH=VALUE``, as ``crisis-sim run --set``) are made to
    every case (:func:`load_cases`): a what-if scored as the back-test scores the model. The
    folder's settings hold each case's content as changed, so a resume must give the same.
    ``baselines_from``: a folder of cases whose records the baselines learn from too, without
    running them (:func:`reference_records`): to score crises new to the model against baselines
    made from the cases it knows.

    Raises:
        ScenarioError: a bad case file (every problem of every file, one line each); nothing written.
        BatchError: bad numbers, an engine that cannot start, or an output folder that cannot be
            written or resumed.
    """
    import time

    from crisis_sim.batch.api import check_engine_flags, check_runs
    from crisis_sim.experiments.backtest.scoring import (
        Observed,
        overall_scores,
        score_case,
        scoreboard,
    )

    check_runs(runs)  # before the folder is made: a bad number leaves nothing behind
    check_engine_flags(workers, engine)
    folder = cases_folder(folder)
    cases = load_cases(folder, changes)
    reference = None if baselines_from is None else reference_records(Path(baselines_from))
    departed = rule_departures(cases if not changes else load_cases(folder))  # the files as written
    if note is not None and departed:
        note(f"{len(departed)} departures from the shared rule of docs/backtest.md (scored all the same):")
        for line in departed:
            note(f"  {line}")
    out_dir = Path(out) if out is not None else default_out_dir()
    open_folder(out_dir, backtest_settings(cases, runs, seed), resume=resume, force=force)
    from crisis_sim.batch.api import _stop_on_signals

    rows = []
    started = time.monotonic()
    with _stop_on_signals():  # SIGTERM or SIGHUP unwinds too; the finished cases stay
        for i, (file, scenario) in enumerate(cases):
            where = out_dir / "cases" / scenario.name
            if note is not None:
                pace = _pace(time.monotonic() - started, i, len(cases))
                note(f"case {i + 1} of {len(cases)}: {scenario.name}{pace}")
            batch = run_batch(
                scenario, runs, seed=seed, workers=workers, out=where, resume=where.exists(),
                engine=engine, progress=progress, source=str(file), scheduler=scheduler,
                chunk_size=case_chunk_size(runs),
            )
            assert scenario.history is not None  # load_cases refuses a case without one
            rows.append(score_case(scenario.name, batch.runs, Observed.from_history(scenario.history),
                                   list(scenario.measures)))
        table = scoreboard(rows, reference)
        overall = overall_scores(table)
        overall["rule_departures"] = departed
        if reference is not None:
            scored = {scenario.name for _, scenario in cases}
            overall["baseline_reference"] = {"folder": str(baselines_from),
                                             "cases": len(set(reference) - scored)}
        _write_scoreboard(out_dir, table, overall, runs, seed, folder, changes)
    return BacktestResult(out_dir, table, overall, runs, seed)


def rule_departures(cases: list[tuple[Path, Scenario]]) -> list[str]:
    """Where ``cases`` (each file with the scenario read from it) depart from the shared rule
    (:func:`crisis_sim.experiments.backtest.rule.departures`), one line each."""
    from crisis_sim.experiments.backtest.rule import departures

    return [line for file, scenario in cases for line in departures(file, scenario)]


def reference_records(folder: Path) -> dict[str, tuple[str, float | None]]:
    """The records of the cases of ``folder`` (checked as any cases are, :func:`load_cases`), by
    case name: observed outcome class and hours to decision. Nothing is run: they only feed the
    baselines (:func:`crisis_sim.experiments.backtest.scoring.leave_one_out_baselines`)."""
    records = {}
    for _, scenario in load_cases(folder):
        assert scenario.history is not None  # load_cases refuses a case without one
        records[scenario.name] = (str(scenario.history.outcome.value), scenario.history.decided_hours)
    return records


def _write_scoreboard(out_dir: Path, table: pd.DataFrame, overall: dict[str, Any], runs: int, seed: int,
                      folder: Path, changes: Sequence[str] = ()) -> None:
    """The scoreboard's files, made in a hidden folder inside ``out_dir`` and moved into place, the
    CSV last (a folder with it is complete); the hidden folder is removed if anything stops it."""
    import shutil

    from crisis_sim.experiments.backtest.figure import SCOREBOARD_PNG, save_scoreboard
    from crisis_sim.experiments.backtest.scoring import scoreboard_markdown

    staged = out_dir / ".scoreboard.tmp"
    staged.mkdir(exist_ok=True)
    try:
        table.to_csv(staged / SCOREBOARD_CSV, index=False, float_format="%.6g", lineterminator="\n")
        table.to_parquet(staged / SCOREBOARD_PARQUET, index=False)
        (staged / SCOREBOARD_MD).write_text(
            scoreboard_markdown(table, overall, runs=runs, seed=seed, folder=str(folder), changes=changes),
            encoding="utf-8"
        )
        overall_text = json.dumps(overall, indent=2, allow_nan=False, default=json_default) + "\n"
        (staged / OVERALL_JSON).write_text(overall_text, encoding="utf-8")
        save_scoreboard(table, staged / SCOREBOARD_PNG)
        for name in (SCOREBOARD_PARQUET, SCOREBOARD_MD, OVERALL_JSON, SCOREBOARD_PNG, SCOREBOARD_CSV):
            (staged / name).rename(out_dir / name)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def estimate_seconds(folder: str | Path | None, runs: int, seed: int, *,
                     progress: bool = False, changes: Sequence[str] = ()) -> tuple[int, float, float]:
    """The cases of a back-test, the CPU seconds it takes if every run costs what its case's pilot
    run did, and a bound on them: each case's run bounded from the timed pilot run (its batch's
    first seed) by the case's horizon (:func:`crisis_sim.experiments.pilot.run_bound`), times
    ``runs``, plus what each case's batch costs besides its runs. Writes nothing that outlives
    the call; ScenarioError for a bad case file, as the back-test itself. ``progress``: a bar of
    the pilot's runs on stderr, when it is a terminal."""
    import time

    from crisis_sim.batch.api import check_runs
    from crisis_sim.batch.progress import terminal_bar
    from crisis_sim.batch.seeds import run_seeds
    from crisis_sim.experiments.pilot import batch_overhead, run_bound

    check_runs(runs)
    cases = load_cases(cases_folder(folder), changes)
    first_seed = int(run_seeds(seed, 1)[0])
    likely = bound = 0.0
    with terminal_bar(progress, "pilot runs") as update:
        update(0, len(cases))
        for done, (_, scenario) in enumerate(cases, start=1):
            began = time.perf_counter()
            bound += runs * run_bound((scenario,), scenario.rounds, first_seed)
            likely += runs * (time.perf_counter() - began)
            update(done, len(cases))
    fixed = len(cases) * batch_overhead(cases[0][1])
    return len(cases), likely + fixed, bound + fixed


def estimate_text(folder: str | Path | None, runs: int, seed: int, workers: int | None, *,
                  progress: bool = False, changes: Sequence[str] = ()) -> str:
    """The cost of a back-test from a pilot (:func:`estimate_seconds`), on ``workers`` processes,
    in words: what runs like the pilot's would take, and the bound."""
    import os

    from crisis_sim.experiments.durations import duration

    cases, likely, bound = estimate_seconds(folder, runs, seed, progress=progress, changes=changes)
    workers = workers or os.cpu_count() or 1
    on = f"on {workers} worker{'s' if workers != 1 else ''}"
    return (f"back-test: {cases} cases x {runs} runs = {cases * runs} runs\n"
            f"pilot: one run of each case; runs like the pilot's -> about {duration(likely / workers)} "
            f"{on}; every run to its case's horizon -> at most {duration(bound / workers)} {on} "
            f"({duration(bound)} of CPU)")


def _pace(elapsed: float, done: int, total: int) -> str:
    """", 2 min 10 s so far, about 9 min left" once a case has finished (the cases' mean so far)."""
    if done == 0:
        return ""
    from crisis_sim.experiments.durations import duration

    return f" ({duration(elapsed)} so far, about {duration(elapsed / done * (total - done))} left)"


