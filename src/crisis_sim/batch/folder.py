"""Batch folders on disk: create, replace or reopen them; write files atomically; read tables.

The layout is specified in ``docs/batch-format.md``. Every file is written
under a hidden temporary name (``.<name>.tmp-<random>``, which no reader
globbing ``*.parquet`` picks up) and renamed into place, so a batch killed at
any moment leaves only whole files; the folder itself appears with its
manifest in one rename. A chunk is done when both of its part files exist.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.runs.folders import check_replaceable, staging_folder, timestamped_folder, write_marker

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.batch.api import BatchPlan
    from crisis_sim.batch.chunks import ChunkResult

FORMAT = "crisis-sim-batch/1"
MANIFEST = "manifest.json"
RUNS_DIR = "runs"
TRAJECTORIES_DIR = "trajectories"
SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"
IDENTITY = ("scenario_hash", "runs", "seed", "sweep")
"""Manifest keys that fix a batch: ``resume`` refuses a folder that differs in any."""
PARQUET_COMPRESSION = "snappy"


class BatchError(Exception):
    """Bad batch input other than the scenario: a flag, a folder, a resume that does not fit."""


class BatchFolderExistsError(BatchError):
    """The output folder exists and neither ``resume`` nor ``force`` was given."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def part_name(chunk_id: int) -> str:
    return f"part-{chunk_id:05d}.parquet"


def _tmp_name(path: Path) -> Path:
    """A hidden sibling name that no reader globbing ``*.parquet`` picks up."""
    return path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary sibling, then rename it to ``path``."""
    tmp = _tmp_name(path)
    try:
        write(tmp)
        tmp.replace(path)  # atomic: os.replace
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    write_atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_parquet_atomic(table: Any, path: Path) -> None:
    import pyarrow.parquet as pq

    write_atomic(path, lambda tmp: pq.write_table(table, tmp, compression=PARQUET_COMPRESSION))


def is_batch_folder(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a batch folder; :class:`BatchError` if there is none or it is not one."""
    file = folder / MANIFEST
    if not folder.is_dir():
        raise BatchError(f"{folder}: no such batch folder")
    if not file.is_file():
        raise BatchError(f"{folder}: not a batch folder (no {MANIFEST})")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BatchError(f"{file}: cannot read: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BatchError(f"{folder}: not a batch folder (manifest format is not {FORMAT})")
    return manifest


def done_chunks(folder: Path, n_chunks: int) -> set[int]:
    """Chunks whose two files both exist (each file appears whole or not at all)."""
    runs = folder / RUNS_DIR
    trajectories = folder / TRAJECTORIES_DIR
    return {
        k
        for k in range(n_chunks)
        if (runs / part_name(k)).is_file() and (trajectories / part_name(k)).is_file()
    }


def _remove_leftovers(folder: Path) -> None:
    """Delete temporary files a killed batch left behind."""
    for sub in (folder, folder / RUNS_DIR, folder / TRAJECTORIES_DIR):
        if sub.is_dir():
            for leftover in sub.glob(".*.tmp-*"):
                leftover.unlink(missing_ok=True)


def resume_mismatch(manifest: Mapping[str, Any], identity: Mapping[str, Any]) -> str | None:
    """Why a folder cannot be resumed with these arguments (None: it can)."""

    def sweep_text(sweeps: Any) -> str:
        items = [f"--sweep {s['path']}={','.join(map(str, s['values']))}" for s in sweeps or []]
        return " ".join(items) or "no --sweep"

    if manifest.get("scenario_hash") != identity["scenario_hash"]:
        return (
            f"the scenario differs (sha256 {str(manifest.get('scenario_hash'))[:12]} in the folder, "
            f"{identity['scenario_hash'][:12]} now)"
        )
    if manifest.get("runs") != identity["runs"]:
        return f"it was made with --runs {manifest.get('runs')}, not {identity['runs']}"
    if manifest.get("seed") != identity["seed"]:
        return f"it was made with --seed {manifest.get('seed')}, not {identity['seed']}"
    if manifest.get("sweep") != identity["sweep"]:
        return f"it was made with {sweep_text(manifest.get('sweep'))}, not {sweep_text(identity['sweep'])}"
    return None


def _new_manifest(plan: BatchPlan, command: list[str], engine: str, workers: int) -> dict[str, Any]:
    from crisis_sim.runs.folder import package_versions

    versions = package_versions()
    versions.pop("matplotlib", None)
    versions.pop("pydantic", None)
    try:
        import pyarrow

        versions["pyarrow"] = pyarrow.__version__
    except ImportError:  # pragma: no cover - a dependency
        versions["pyarrow"] = None
    return {
        "format": FORMAT,
        "scenario_name": plan.scenario.name,
        **plan.identity(),
        "scenario": plan.scenario.model_dump(mode="json"),
        "points": [p.to_json() for p in plan.points],
        "n_points": len(plan.points),
        "n_runs": plan.n_runs,
        "chunk_size": plan.chunk_size,
        "n_chunks": plan.n_chunks,
        "versions": versions,
        "command": list(command),
        "engine": engine,
        "workers": workers,
        "created_at": _now(),
        "finished_at": None,
    }


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    from crisis_sim.runs.folder import dumps

    write_text_atomic(folder / MANIFEST, dumps(manifest))


def _create_folder(out: Path, manifest: dict[str, Any]) -> None:
    """Make the folder with its manifest and empty table folders in one rename."""
    try:
        with staging_folder(out, error=BatchError) as tmp:
            (tmp / RUNS_DIR).mkdir()
            (tmp / TRAJECTORIES_DIR).mkdir()
            write_marker(tmp, "batch")
            _write_manifest(tmp, manifest)
            tmp.rename(out)
    except OSError as exc:
        if out.exists():
            raise BatchFolderExistsError(f"{out}: already exists") from None
        raise BatchError(f"{out}: cannot create: {exc.strerror}") from None


def _replace_folder(out: Path) -> None:
    """Move ``out`` aside, then delete it (checked by :func:`check_folder` first)."""
    old = out.parent / f".old-{out.name}-{secrets.token_hex(4)}"
    try:
        out.rename(old)
    except OSError as exc:
        raise BatchError(f"{out}: cannot replace: {exc.strerror}") from None
    shutil.rmtree(old, ignore_errors=True)


def check_folder(out: Path, plan: BatchPlan | None, *, resume: bool, force: bool) -> dict[str, Any] | None:
    """Check, touching nothing, that ``out`` may be written; return its manifest when resuming it.

    Free: ``out`` does not exist. ``resume``: it is a batch folder with the
    plan's identity (not checked without a plan). ``force``: it is empty or
    a batch folder (it carries the batch marker ``.crisis-sim``; see
    :func:`crisis_sim.runs.folders.check_replaceable`). Anything else raises :class:`BatchError`
    (:class:`BatchFolderExistsError` when it exists and neither was asked
    for), saying why in one line.
    """
    if resume and force:
        raise BatchError("--resume and --force: give one or the other")
    if not out.exists() and not out.is_symlink():
        if out.parent.exists() and not out.parent.is_dir():
            raise BatchError(f"{out}: parent {out.parent} is not a folder")
        return None
    if resume:
        manifest = read_manifest(out)
        if plan is None:
            return manifest
        reason = resume_mismatch(manifest, plan.identity())
        if reason:
            raise BatchError(f"{out}: cannot resume: {reason}")
        if manifest.get("chunk_size") != plan.chunk_size:
            raise BatchError(
                f"{out}: cannot resume: chunks of {manifest.get('chunk_size')} runs in the folder, "
                f"{plan.chunk_size} now"
            )
        return manifest
    if not force:
        raise BatchFolderExistsError(
            f"{out}: already exists; use --resume to finish it or --force to replace it"
        )
    check_replaceable(out, force=True, kind="batch", error=BatchError, exists_error=BatchFolderExistsError)
    return None


def prepare_folder(
    out: Path, plan: BatchPlan, *, resume: bool, force: bool, command: list[str], engine: str, workers: int
) -> dict[str, Any]:
    """Create, replace or reopen the batch folder (after :func:`check_folder`); return its manifest."""
    manifest = check_folder(out, plan, resume=resume, force=force)
    if manifest is not None:
        _remove_leftovers(out)
        (out / RUNS_DIR).mkdir(exist_ok=True)
        (out / TRAJECTORIES_DIR).mkdir(exist_ok=True)
        manifest.update(command=list(command), engine=engine, workers=workers, finished_at=None)
        _write_manifest(out, manifest)
        return manifest
    if out.exists() or out.is_symlink():
        _replace_folder(out)
    manifest = _new_manifest(plan, command, engine, workers)
    _create_folder(out, manifest)
    return manifest


def finish_manifest(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Mark the batch finished (``finished_at``); return the new manifest."""
    done = dict(manifest, finished_at=_now())
    _write_manifest(folder, done)
    return done


def write_chunk(folder: Path, result: ChunkResult) -> None:
    """A chunk's two files, each atomically; trajectories first, so runs mark it done."""
    name = part_name(result.chunk_id)
    write_parquet_atomic(result.trajectories, folder / TRAJECTORIES_DIR / name)
    write_parquet_atomic(result.runs, folder / RUNS_DIR / name)


def read_table(folder: Path, order: list[str], columns: list[str] | None = None) -> pd.DataFrame:
    """Concatenate a table's parts (only ``columns`` if given), sorted by ``order``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    parts = sorted(folder.glob("part-*.parquet"))
    if not parts:
        return _empty(columns)
    if columns is not None:
        available = set(pq.read_schema(parts[0]).names)
        columns = [c for c in columns if c in available]
    table = pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])
    return table.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)


def runs_columns(folder: Path) -> list[str]:
    """The column names of a batch's runs table (empty before its first chunk)."""
    import pyarrow.parquet as pq

    parts = sorted((folder / RUNS_DIR).glob("part-*.parquet"))
    return pq.read_schema(parts[0]).names if parts else []


def _empty(columns: list[str] | None) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=columns or [])


def default_out_dir(scenario_name: str, now: datetime | None = None) -> Path:
    """``runs/<scenario>-batch-<UTC time>``, with a suffix if that is taken."""
    return timestamped_folder(f"{scenario_name}-batch", now)
