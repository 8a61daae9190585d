"""Batch folders on disk: create, replace or reopen them; the manifest (files: :mod:`.tables`).

The layout is specified in ``docs/batch-format.md``. Every file is written
under a hidden temporary name (``.<name>.tmp-<random>``, which no reader
globbing ``*.parquet`` picks up) and renamed into place, so a batch killed at
any moment leaves only whole files; the folder itself appears with its
manifest in one rename. A chunk is done when both of its part files exist
and match the size and SHA-256 the manifest records for them
(:mod:`crisis_sim.batch.integrity`).
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.integrity import CHUNKS, COLUMNS, PLAN_HASH, chunk_key
from crisis_sim.batch.tables import (
    RUNS_DIR,
    TRAJECTORIES_DIR,
    write_text_atomic,
)
from crisis_sim.runs.safe_folders import check_replaceable, staging_folder, timestamped_folder, write_marker

if TYPE_CHECKING:

    from crisis_sim.batch.api import BatchPlan

FORMAT = "crisis-sim-batch/2"
OLD_FORMATS = ("crisis-sim-batch/1",)
"""Formats without chunk records: read as unverifiable, never counted."""
MANIFEST = "manifest.json"
SUMMARY_CSV = "summary.csv"
SUMMARY_MD = "summary.md"


class BatchError(Exception):
    """Bad batch input other than the scenario: a flag, a folder, a resume that does not fit."""


class BatchFolderExistsError(BatchError):
    """The output folder exists and neither ``resume`` nor ``force`` was given."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def is_batch_folder(path: Path) -> bool:
    return path.is_dir() and (path / MANIFEST).is_file()


MAX_MANIFEST_BYTES = 64_000_000
"""The largest manifest read (a record is about 300 bytes a chunk; a batch has at most a few
thousand chunks)."""


class _RepeatedKeyError(ValueError):
    pass


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refusing a key given twice (``json`` would keep the last one silently): a
    chunk recorded twice in ``chunks`` is an error, not one of the two records."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            what = f"chunk {key} is recorded twice" if key.isdigit() else f"key {key!r} appears twice"
            raise _RepeatedKeyError(what)
        out[key] = value
    return out


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a batch folder; :class:`BatchError` if there is none or it is not one."""
    file = folder / MANIFEST
    if not folder.is_dir():
        raise BatchError(f"{folder}: no such batch folder")
    if not file.is_file():
        raise BatchError(f"{folder}: not a batch folder (no {MANIFEST})")
    from crisis_sim.scenario import ScenarioError
    from crisis_sim.scenario.files import read_limited

    try:
        raw = read_limited(file, MAX_MANIFEST_BYTES)
    except ScenarioError as exc:
        raise BatchError(exc.problems[0]) from None
    try:
        manifest = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_repeated_keys)
    except _RepeatedKeyError as exc:
        raise BatchError(f"{folder}: manifest.json: {exc}; the manifest cannot be trusted") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BatchError(f"{file}: cannot read: {exc}") from None
    if isinstance(manifest, dict) and manifest.get("format") in OLD_FORMATS:
        raise BatchError(
            f"{file}: format {manifest['format']} records no chunk hashes, so its tables cannot be "
            f"verified; run its command again (same arguments give the same tables)"
        )
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BatchError(f"{folder}: not a batch folder (manifest format is not {FORMAT})")
    return manifest


def set_aside(folder: Path, problems: list[Any], say: Callable[[str], None]) -> None:
    """Clear what resume will not count: delete the batch's own bad chunk files, move others aside.

    A file at one of this batch's chunk names (truncated, copied in, not
    recorded) is deleted: its chunk is recomputed, byte for byte. A file this
    program never writes (``part-junk.parquet``, a chunk beyond the plan) is
    not its to delete: it is moved to ``set-aside/<table>/`` in the folder,
    where no reader of the tables looks.
    """
    for problem in problems:
        path = problem.path
        if not path.exists() and not path.is_symlink():
            continue
        if problem.own:
            path.unlink()
            say(f"{problem}: deleted; its chunk is computed again")
            continue
        target_dir = folder / "set-aside" / path.parent.name
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / path.name
        while target.exists():
            target = target_dir / f"{path.name}.{secrets.token_hex(2)}"
        path.rename(target)
        say(f"{problem}: moved to {target} (not written by this batch, so not deleted)")


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
    if manifest.get("model_fingerprint") != identity["model_fingerprint"]:
        return (
            f"it was made by another version of the model (fingerprint "
            f"{manifest.get('model_fingerprint')} in the folder, {identity['model_fingerprint']} now)"
        )
    if manifest.get("runs") != identity["runs"]:
        return f"it was made with --runs {manifest.get('runs')}, not {identity['runs']}"
    if manifest.get("seed") != identity["seed"]:
        return f"it was made with --seed {manifest.get('seed')}, not {identity['seed']}"
    if manifest.get("sweep") != identity["sweep"]:
        return f"it was made with {sweep_text(manifest.get('sweep'))}, not {sweep_text(identity['sweep'])}"
    if manifest.get("seeds") != identity.get("seeds"):
        made = ("common seeds at every sweep point" if manifest.get("seeds")
                else "a seed of its own for every run")
        return f"it was made with {made} (--independent-seeds decides)"
    if manifest.get("design") != identity.get("design"):
        return "it was made with another sampled design (method, parameters, samples or levels)"
    return None


def _new_manifest(plan: BatchPlan, command: list[str], engine: str, workers: int) -> dict[str, Any]:
    from crisis_sim.runs.run_folder import package_versions

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
        "scenario_name": plan.name,
        **plan.identity(),
        "scenario": plan.scenario.model_dump(mode="json"),
        "points": [p.to_json() for p in plan.points],
        "n_points": len(plan.points),
        "n_runs": plan.n_runs,
        "chunk_size": plan.chunk_size,
        "n_chunks": plan.n_chunks,
        COLUMNS: {
            "runs": [list(c) for c in plan.columns.runs],
            "trajectories": [list(c) for c in plan.columns.trajectories],
        },
        CHUNKS: {},
        "versions": versions,
        "command": list(command),
        "engine": engine,
        "workers": workers,
        "created_at": _now(),
        "finished_at": None,
    } | {PLAN_HASH: ""}


def _sealed(manifest: dict[str, Any]) -> dict[str, Any]:
    from crisis_sim.batch.integrity import plan_hash

    manifest[PLAN_HASH] = plan_hash(manifest)
    return manifest


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    from crisis_sim.runs.run_folder import dumps

    write_text_atomic(folder / MANIFEST, dumps(manifest))


def _create_folder(out: Path, manifest: dict[str, Any]) -> None:
    """Make the folder with its manifest and empty table folders in one rename."""
    try:
        with staging_folder(out, error=BatchError) as tmp:
            (tmp / RUNS_DIR).mkdir()
            (tmp / TRAJECTORIES_DIR).mkdir()
            write_marker(tmp, "batch")
            _write_manifest(tmp, manifest)
            from crisis_sim.batch.lock import write_lock

            write_lock(tmp)  # the folder appears locked by this batch
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
    :func:`crisis_sim.runs.safe_folders.check_replaceable`). Anything else raises :class:`BatchError`
    (:class:`BatchFolderExistsError` when it exists and neither was asked
    for), saying why in one line.
    """
    if resume and force:
        raise BatchError("--resume and --force: give one or the other")
    if not out.exists() and not out.is_symlink():
        if out.parent.exists() and not out.parent.is_dir():
            raise BatchError(f"{out}: parent {out.parent} is not a folder")
        return None
    if out.is_dir():
        from crisis_sim.batch.lock import live_holder

        holder = live_holder(out)
        if holder is not None:
            raise BatchError(f"{out}: a batch is writing this folder: {holder}; not touching it")
    if resume:
        from crisis_sim.batch.integrity import plan_problem

        manifest = read_manifest(out)
        edited = plan_problem(out, manifest)
        if edited:
            raise BatchError(f"cannot resume: {edited}")
        if plan is None:
            return manifest
        reason = resume_mismatch(manifest, plan.identity())
        if reason:
            raise BatchError(f"{out}: cannot resume: {reason}")
        if plan.design is not None and manifest.get("points") != [p.to_json() for p in plan.points]:
            raise BatchError(f"{out}: cannot resume: the design's points differ (another SALib version?)")
        if manifest.get("chunk_size") != plan.chunk_size:
            raise BatchError(
                f"{out}: cannot resume: chunks of {manifest.get('chunk_size')} runs in the folder, "
                f"{plan.chunk_size} now"
            )
        columns = {
            "runs": [list(c) for c in plan.columns.runs],
            "trajectories": [list(c) for c in plan.columns.trajectories],
        }
        if manifest.get(COLUMNS) != columns:
            raise BatchError(
                f"{out}: cannot resume: the tables' columns in the folder differ from this plan's"
            )
        return manifest
    if not force:
        raise BatchFolderExistsError(
            f"{out}: already exists; use --resume to finish it or --force to replace it"
        )
    check_replaceable(out, force=True, kind="batch", error=BatchError, exists_error=BatchFolderExistsError)
    return None


def prepare_folder(
    out: Path,
    plan: BatchPlan,
    *,
    resume: bool,
    force: bool,
    command: list[str],
    engine: str,
    workers: int,
    say: Callable[[str], None] = lambda line: None,
) -> dict[str, Any]:
    """Create, replace or reopen the batch folder (after :func:`check_folder`) and lock it.

    Returns the manifest. Reopening keeps only the chunks that verify
    (:func:`crisis_sim.batch.integrity.verify`): the others' files are
    cleared (:func:`set_aside`, each action told to ``say``) and their chunks
    are computed again. The caller releases the lock
    (:func:`crisis_sim.batch.lock.release`) when the batch ends.
    """
    from crisis_sim.batch import lock

    manifest = check_folder(out, plan, resume=resume, force=force)
    if manifest is not None:
        from crisis_sim.batch.integrity import verify

        note = lock.acquire(out, BatchError)
        if note:
            say(note)
        try:
            _remove_leftovers(out)
            for sub in (out / RUNS_DIR, out / TRAJECTORIES_DIR):
                if sub.is_symlink() or (sub.exists() and not sub.is_dir()):
                    raise BatchError(f"{sub}: not a folder; a batch folder's {sub.name}/ holds its chunks "
                                     "(move it away, or replace the batch with --force)")
                try:
                    sub.mkdir(exist_ok=True)
                except OSError as exc:
                    raise BatchError(f"{sub}: cannot create: {exc.strerror}") from None
            good, problems = verify(out, manifest)
            set_aside(out, problems, say)
            manifest[CHUNKS] = {chunk_key(k): manifest[CHUNKS][chunk_key(k)] for k in good}
            manifest.update(command=list(command), engine=engine, workers=workers, finished_at=None)
            _write_manifest(out, manifest)
        except BaseException:
            lock.release(out)
            raise
        return manifest
    if out.exists() or out.is_symlink():
        _replace_folder(out)
    manifest = _sealed(_new_manifest(plan, command, engine, workers))
    _create_folder(out, manifest)
    return manifest


def finish_manifest(folder: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """Mark the batch finished (``finished_at``); return the new manifest."""
    done = dict(manifest, finished_at=_now())
    _write_manifest(folder, done)
    return done


def record_chunk(folder: Path, manifest: dict[str, Any], chunk_id: int, files: dict[str, Any]) -> None:
    """Record a written chunk's files in the manifest and save it (atomically).

    Until this rename the chunk is not finished: a batch killed between its
    files and this record recomputes the chunk on resume.
    """
    manifest[CHUNKS][chunk_key(chunk_id)] = files
    _write_manifest(folder, manifest)


def default_out_dir(scenario_name: str, now: datetime | None = None) -> Path:
    """``runs/<scenario>-batch-<UTC time>``, with a suffix if that is taken."""
    return timestamped_folder(f"{scenario_name}-batch", now)
