"""Run folders: write one run's files atomically, and read them back.

A run folder holds everything needed to see, re-draw and reproduce one run::

    manifest.json     scenario name and SHA-256, seed, package versions,
                      command line, start/end times (UTC), wall seconds,
                      rounds run, whether the run stopped early
    scenario.yaml     the resolved scenario (``--set`` overrides applied)
    trajectory.csv    model-level trajectory, one row per round
    actors.csv        per-actor trajectory, one row per (round, actor)
    events.jsonl      one JSON object per line: who did what, and why
    outcome.json      outcome class, when decided, measures' furthest states, ...
    escalation.png    escalation ladder and measures over time
    costs_approval.png  cumulative cost and approval per actor

Only ``manifest.json`` carries times and versions; every other file depends
on the scenario and the seed alone, so two runs with the same seed give
byte-identical trajectories, events and outcome.

The folder is built under a hidden temporary sibling
(``.tmp-<name>-<random>``) and renamed into place at the end, so a reader
never sees a half-written run and a failed run leaves nothing behind. An
existing folder is replaced only with ``force=True``, and only if it is
empty or is a run folder: it carries the hidden marker ``.crisis-sim``
(``{"kind": "run", "version": 1}``, see :mod:`crisis_sim.runs.safe_folders`), so
``--force`` never deletes an unrelated directory, nor a batch or comparison.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.plain_data import json_default
from crisis_sim.core.types import Action, ActionType, EventKind
from crisis_sim.runs.safe_folders import check_replaceable, move_into_place, staging_folder, write_marker

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pandas as pd

    from crisis_sim.core.schema import Scenario
    from crisis_sim.runs.single_run import RunResult

MANIFEST = "manifest.json"
SCENARIO = "scenario.yaml"
TRAJECTORY = "trajectory.csv"
ACTORS = "actors.csv"
EVENTS = "events.jsonl"
OUTCOME = "outcome.json"
DATA_FILES = (MANIFEST, SCENARIO, TRAJECTORY, ACTORS, EVENTS, OUTCOME)
"""Files every run folder has (plots are optional)."""

FLOAT_FORMAT = "%.6g"
"""Six significant digits in the CSV files: plenty for the model, stable across platforms."""

VERSIONED_PACKAGES = ("crisis-sim", "mesa", "numpy", "pandas", "matplotlib", "pydantic")


class RunFolderError(Exception):
    """A run folder cannot be written or read (bad path, existing folder, missing file)."""


class RunFolderExistsError(RunFolderError):
    """The output folder exists and ``force`` was not given."""


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


def dumps(data: Any) -> str:
    """The one JSON style of run files: indented, keys sorted, newline at the end; strict JSON
    (``allow_nan=False``: a NaN or infinity is an error, never written as ``NaN``)."""
    return (
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False,
                   default=json_default) + "\n"
    )


def dumps_line(data: Any) -> str:
    """One compact JSON object on one line (for ``events.jsonl``)."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, allow_nan=False, default=json_default) + "\n"


def log_record(entry: LogEntry) -> dict[str, Any]:
    """A log entry as one object of ``events.jsonl`` (actions as their short labels)."""
    return {
        "round": entry.round,
        "hours": entry.hours,
        "clock": entry.clock,
        "actor": entry.actor,
        "kind": entry.kind.value,
        "actions": entry.labels(),
        "reason": entry.reason,
    }


def log_entry(record: dict[str, Any], targets: dict[str, str]) -> LogEntry:
    """An object of ``events.jsonl`` read back into a :class:`LogEntry`.

    ``targets`` maps measure ids to their targets (a measure action's label
    leaves its counterpart out).
    """
    kind = LogKind(record["kind"])
    labels = record.get("actions") or []
    actor = record.get("actor")
    if kind is LogKind.EVENT:
        actions: tuple[Action, ...] = ()
        event = EventKind(labels[0]) if labels else None
    else:
        assert actor is not None  # a decision names its government (log_record writes it)
        actions = tuple(Action.from_description(text, actor, targets) for text in labels
                        if text != ActionType.WAIT.value)
        event = None
    return LogEntry(record["round"], record["hours"], record["clock"], actor, kind,
                    actions, event, record.get("reason") or "")


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------


def package_versions() -> dict[str, str | None]:
    """Versions of crisis-sim, its main dependencies and Python."""
    return dict(_package_versions())


@cache
def _package_versions() -> dict[str, str | None]:
    """Read once a process: installed versions do not change under a running program."""
    versions: dict[str, str | None] = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["python"] = platform.python_version()
    return versions


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def check_out_dir(out_dir: Path, *, force: bool) -> None:
    """Raise :class:`RunFolderError` unless ``out_dir`` may be written.

    Free: it does not exist. With ``force``: it is an empty folder or a run
    folder (it carries the run marker, ``.crisis-sim``). Anything else is
    refused, so a typo in ``--out`` with ``--force`` cannot delete unrelated
    files.
    """
    check_replaceable(out_dir, force=force, kind="run",
                      error=RunFolderError, exists_error=RunFolderExistsError)


def write_run(
    result: RunResult,
    out_dir: Path,
    *,
    command: list[str],
    plots: bool = True,
    force: bool = False,
    started_at: datetime | None = None,
) -> Path:
    """Write ``result`` as a run folder at ``out_dir``, atomically; return the folder.

    ``command`` is recorded in the manifest. ``started_at`` (UTC) is when the
    run began; without it the start of writing is used. Raises
    :class:`RunFolderExistsError` when ``out_dir`` exists and ``force`` is false, and
    :class:`RunFolderError` when ``out_dir`` cannot be replaced safely.
    """
    out_dir = Path(out_dir)
    started_at = started_at or datetime.now(UTC)
    check_out_dir(out_dir, force=force)
    with staging_folder(out_dir, error=RunFolderError) as tmp:
        _write_contents(result, tmp, command=command, plots=plots, started_at=started_at)
        _move_into_place(tmp, out_dir, force=force)
    return out_dir


def _write_contents(
    result: RunResult, folder: Path, *, command: list[str], plots: bool, started_at: datetime
) -> None:
    scenario: Scenario = result.scenario
    write_marker(folder, "run")
    (folder / SCENARIO).write_text(scenario.to_yaml(), encoding="utf-8")
    write_frame(result.model_frame, folder / TRAJECTORY)
    write_frame(result.actor_frame, folder / ACTORS)
    with (folder / EVENTS).open("w", encoding="utf-8", newline="\n") as fh:
        for event in result.events:
            fh.write(dumps_line(log_record(event)))
    (folder / OUTCOME).write_text(dumps(result.outcome), encoding="utf-8")
    plot_files: list[str] = []
    if plots:
        from crisis_sim.present.plots import save_run_plots

        plot_files = [p.name for p in save_run_plots(result, folder)]
    finished_at = datetime.now(UTC)
    manifest = {
        "scenario": scenario.name,
        "scenario_title": scenario.title,
        "scenario_sha256": scenario.content_hash(),
        "seed": int(result.seed),
        "rounds": scenario.rounds,
        "rounds_run": int(result.rounds_run),
        "stopped_early": bool(result.stopped_early),
        "outcome": result.outcome.get("outcome"),
        "command": list(command),
        "started_utc": _utc_iso(started_at),
        "finished_utc": _utc_iso(finished_at),
        "wall_seconds": round((finished_at - started_at).total_seconds(), 3),
        "versions": package_versions(),
        "files": sorted([*DATA_FILES, *plot_files]),
    }
    (folder / MANIFEST).write_text(dumps(manifest), encoding="utf-8")


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """A data frame as CSV in the run-folder style (no index, 6 significant digits)."""
    frame.to_csv(path, index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def _move_into_place(tmp: Path, out_dir: Path, *, force: bool) -> None:
    """Rename ``tmp`` to ``out_dir``; with ``force`` swap an old run folder out first."""
    move_into_place(tmp, out_dir, check=lambda d: check_out_dir(d, force=force),
                    error=RunFolderError, exists_error=RunFolderExistsError)


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFolder:
    """One run read back from its folder (the same pieces as a run result)."""

    path: Path
    manifest: dict[str, Any]
    scenario: Scenario
    model_frame: pd.DataFrame
    actor_frame: pd.DataFrame
    events: list[LogEntry]
    outcome: dict[str, Any]

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])

    @property
    def rounds_run(self) -> int:
        return int(self.manifest["rounds_run"])

    @property
    def stopped_early(self) -> bool:
        return bool(self.manifest["stopped_early"])


MAX_RUN_FILE_BYTES = 512_000_000
"""The largest file of a run folder that is read (a run's trajectory is a few megabytes)."""
ACTOR_COLUMNS = ("round", "hours", "actor", "approval", "cost_usd_bn")
"""Columns of ``actors.csv`` the readers use."""


def _trajectory_columns(scenario: Scenario) -> tuple[str, ...]:
    """Columns of ``trajectory.csv`` the readers use: clock, escalation, each actor's cost and approval."""
    from crisis_sim.core.columns import approval_column, cost_column

    per_actor = [c for a in scenario.actors for c in (cost_column(a), approval_column(a))]
    return ("round", "hours", "escalation", *per_actor)


def _check_columns(file: Path, frame: Any, columns: Sequence[str], text_columns: Sequence[str] = ()) -> None:
    """RunFolderError naming ``file`` unless ``frame`` has ``columns`` (numbers, but ``text_columns``)."""
    import pandas as pd

    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise RunFolderError(f"{file}: not a run's table: no column {', '.join(missing[:5])}")
    for column in columns:
        if column not in text_columns and not pd.api.types.is_numeric_dtype(frame[column]):
            raise RunFolderError(f"{file}: {column}: not numbers")


def read_run(folder: str | Path) -> RunFolder:
    """Read a run folder written by :func:`write_run`.

    Raises :class:`RunFolderError` naming the folder and file when a file is
    missing or unreadable, and :class:`~crisis_sim.scenario.ScenarioError`
    when the kept scenario no longer validates.
    """
    import pandas as pd

    from crisis_sim.scenario import read_yaml, validate_data

    path = Path(folder)
    if not path.is_dir():
        raise RunFolderError(f"{path}: no such run folder")
    missing = [name for name in DATA_FILES if not (path / name).is_file()]
    if missing:
        raise RunFolderError(
            f"{path}: not a complete run folder (missing or not a regular file: {', '.join(missing)})"
        )
    import io

    from crisis_sim.scenario import ScenarioError
    from crisis_sim.scenario.files import read_limited

    def text(name: str) -> str:
        try:  # a regular file, bounded: never a device, a FIFO or an endless file
            return read_limited(path / name, MAX_RUN_FILE_BYTES).decode("utf-8")
        except ScenarioError as exc:
            raise RunFolderError(exc.problems[0]) from None
        except UnicodeDecodeError as exc:
            raise RunFolderError(f"{path / name}: not UTF-8 text: {exc.reason}") from None

    try:
        manifest = json.loads(text(MANIFEST))
        outcome = json.loads(text(OUTCOME))
        records = [json.loads(line) for line in text(EVENTS).splitlines() if line.strip()]
        model_frame = pd.read_csv(io.StringIO(text(TRAJECTORY)))
        actor_frame = pd.read_csv(io.StringIO(text(ACTORS)))
    except (OSError, ValueError) as exc:
        raise RunFolderError(f"{path}: cannot read run files: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(outcome, dict):
        raise RunFolderError(f"{path}: {MANIFEST} and {OUTCOME} must each hold a JSON object")
    scenario_file = path / SCENARIO
    scenario = validate_data(read_yaml(scenario_file), str(scenario_file))
    _check_columns(path / TRAJECTORY, model_frame, _trajectory_columns(scenario))
    _check_columns(path / ACTORS, actor_frame, ACTOR_COLUMNS, text_columns=("actor",))
    targets = {key: m.target for key, m in scenario.measures.items()}
    try:
        events = [log_entry(record, targets) for record in records]
    except (KeyError, TypeError, ValueError) as exc:
        raise RunFolderError(f"{path}: cannot read {EVENTS}: {exc}") from None
    return RunFolder(
        path=path,
        manifest=manifest,
        scenario=scenario,
        model_frame=model_frame,
        actor_frame=actor_frame,
        events=events,
        outcome=outcome,
    )
