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
    DIR/cases/<name>/      each case's batch folder (docs/batch-format.md)

The folder is built under a temporary name and renamed into place when
complete; an existing one is replaced only with ``force`` and only if it is
a back-test folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.api import run_batch
from crisis_sim.batch.folder import BatchError, BatchFolderExistsError

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.core.schema import Scenario

CASE_SUFFIXES = (".yaml", ".yml")
KIND = "backtest"
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
    import stat

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
        suffix = entry.suffix
        named_case = suffix.lower() in CASE_SUFFIXES
        try:
            mode = entry.stat().st_mode
        except FileNotFoundError:
            if entry.is_symlink():
                problems.append(f"{entry}: a link to a missing file ({entry.readlink()}); remove or fix it")
            else:
                problems.append(f"{entry}: vanished while the folder was read")
            continue
        except OSError as exc:
            problems.append(f"{entry}: cannot read it: {exc.strerror}")
            continue
        if stat.S_ISDIR(mode):
            if named_case:
                problems.append(f"{entry}: a folder named like a case file; cases are files")
            continue
        if not stat.S_ISREG(mode):
            problems.append(f"{entry}: not a regular file (a device, FIFO or socket); not reading it")
            continue
        if named_case and suffix not in CASE_SUFFIXES:
            problems.append(f"{entry}: extension {suffix!r}: case files end in .yaml or .yml, in lower case")
            continue
        if named_case:
            files.append(entry)
    if problems:
        raise ScenarioError(problems)
    if not files:
        raise ScenarioError([f"{folder}: no case files (*.yaml) in it"])
    return files


def load_cases(folder: Path) -> list[tuple[Path, Scenario]]:
    """Every case of ``folder``, validated; ScenarioError with every problem of every file at once.

    Besides the checks of any scenario, a case must have a ``history`` block,
    and two cases may not share a name.
    """
    from crisis_sim.scenario import ScenarioError, load_scenario

    problems: list[str] = []
    cases: list[tuple[Path, Scenario]] = []
    names: dict[str, Path] = {}
    for file in case_files(folder):
        try:
            scenario = load_scenario(file)
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


def default_out_dir() -> Path:
    """``runs/backtest-<UTC time>``."""
    from crisis_sim.runs.safe_folders import timestamped_folder

    return timestamped_folder("backtest")


def run_backtest(
    folder: str | Path | None = None,
    runs: int = 200,
    seed: int = 0,
    out: str | Path | None = None,
    *,
    force: bool = False,
    workers: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Any = None,
) -> BacktestResult:
    """Run every case of ``folder`` as a batch of ``runs`` seeded runs and score it against history.

    Raises:
        ScenarioError: a bad case file (every problem of every file, one line each); nothing written.
        BatchError: bad numbers, an engine that cannot start, or an output folder that cannot be written.
    """
    from crisis_sim.experiments.backtest.scoring import (
        Observed,
        overall_scores,
        score_case,
        scoreboard,
        scoreboard_markdown,
    )
    from crisis_sim.runs.safe_folders import check_replaceable, move_into_place, staging_folder, write_marker

    folder = cases_folder(folder)
    cases = load_cases(folder)
    out_dir = Path(out) if out is not None else default_out_dir()

    def check(path: Path) -> None:
        check_replaceable(path, force=force, kind=KIND, error=BatchError, exists_error=BatchFolderExistsError)

    check(out_dir)
    from crisis_sim.batch.api import _stop_on_signals

    # SIGTERM or SIGHUP between two cases' batches unwinds too, so the hidden folder goes.
    with _stop_on_signals(), staging_folder(out_dir, error=BatchError) as tmp:
        rows = []
        for file, scenario in cases:
            batch = run_batch(
                scenario, runs, seed=seed, workers=workers, out=tmp / "cases" / scenario.name,
                engine=engine, progress=progress, source=str(file), scheduler=scheduler,
            )
            assert scenario.history is not None  # load_cases refuses a case without one
            rows.append(score_case(scenario.name, batch.runs, Observed.from_history(scenario.history),
                                   list(scenario.measures)))
        table = scoreboard(rows)
        overall = overall_scores(table)
        table.to_csv(tmp / SCOREBOARD_CSV, index=False, float_format="%.6g", lineterminator="\n")
        table.to_parquet(tmp / SCOREBOARD_PARQUET, index=False)
        (tmp / SCOREBOARD_MD).write_text(
            scoreboard_markdown(table, overall, runs=runs, seed=seed, folder=str(folder)), encoding="utf-8"
        )
        (tmp / OVERALL_JSON).write_text(json.dumps(overall, indent=2, allow_nan=False, default=_plain) + "\n",
                                        encoding="utf-8")
        write_marker(tmp, KIND)
        move_into_place(tmp, out_dir, check=check, error=BatchError, exists_error=BatchFolderExistsError)
    return BacktestResult(out_dir, table, overall, runs, seed)


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)
