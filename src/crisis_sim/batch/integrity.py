"""A batch folder proves its own integrity: chunk records, the plan's hash, verification.

The manifest records, for every finished chunk, the size and SHA-256 of its
two part files (``chunks``), the column layout of the two tables once
(``columns``), and a hash of the plan that fixes every chunk (``plan_hash``:
scenario, runs, seed, sweep, points, chunk size, counts, columns). A reader
or ``--resume`` counts a chunk only when both of its files are recorded and
match their record byte for byte (``docs/batch-format.md``, "Integrity").
Anything else in ``runs/`` or ``trajectories/`` is a problem named by file:
a recorded chunk whose file is missing, shorter or different (truncated,
or copied in from another batch), a part file the manifest does not record,
a copy of another chunk, or a file a batch never writes (``part-junk.parquet``,
``part-00099.parquet`` beyond the last chunk).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNKS = "chunks"
COLUMNS = "columns"
PLAN_HASH = "plan_hash"
TABLES = ("runs", "trajectories")
PLAN_KEYS = (
    "format",
    "scenario_hash",
    "scenario",
    "runs",
    "seed",
    "sweep",
    "points",
    "n_points",
    "n_runs",
    "chunk_size",
    "n_chunks",
    COLUMNS,
)
"""The manifest keys ``plan_hash`` covers: everything that fixes what a chunk holds."""

_PART = re.compile(r"part-(\d{5})\.parquet")


def chunk_key(chunk_id: int) -> str:
    """A chunk's key in ``chunks``: its id on five digits, as in its file name."""
    return f"{chunk_id:05d}"


def file_record(data: Any) -> dict[str, Any]:
    """``{"bytes": size, "sha256": hex}`` of a file's content (bytes or a buffer)."""
    view = memoryview(data)
    return {"bytes": view.nbytes, "sha256": hashlib.sha256(view).hexdigest()}


def _file_digest(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def plan_hash(manifest: Mapping[str, Any]) -> str:
    """SHA-256 of the plan keys of a manifest (canonical JSON: sorted keys, no spaces)."""
    plan = {key: manifest.get(key) for key in PLAN_KEYS}
    if "design" in manifest:  # a sensitivity study's sampled design (absent from a sweep's manifest)
        plan["design"] = manifest["design"]
    text = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def plan_problem(folder: Path, manifest: Mapping[str, Any]) -> str | None:
    """Why the manifest's plan cannot be trusted (edited since the batch was made), or None."""
    recorded = manifest.get(PLAN_HASH)
    where = folder / "manifest.json"
    if not isinstance(recorded, str):
        return f"{where}: no plan_hash; the chunks cannot be verified"
    if not isinstance(manifest.get(CHUNKS), dict):
        return f"{where}: no chunk records; the chunks cannot be verified"
    try:
        actual = plan_hash(manifest)
    except (TypeError, ValueError):
        actual = None
    if actual != recorded:
        return (
            f"{where}: the plan (scenario, runs, seed, sweep, chunk_size, counts or columns) "
            "was edited after the batch was made: plan_hash does not match"
        )
    return None


@dataclass(frozen=True)
class Problem:
    """A file of a batch folder that is not counted, and why.

    ``own``: the file sits at the name of one of this batch's chunks (it is
    recomputed on resume, so the file can go); otherwise this program never
    writes such a name and the file is set aside, not deleted.
    """

    path: Path
    reason: str
    own: bool

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def verify(folder: Path, manifest: Mapping[str, Any]) -> tuple[list[int], list[Problem]]:
    """The chunks whose both files match their records (sorted), and every problem found.

    A chunk with a problem in either file is not counted (its other file is
    reported too when present, since a chunk is both or nothing).
    """
    records: Mapping[str, Any] = manifest.get(CHUNKS) or {}
    n_chunks = manifest.get("n_chunks")
    n_chunks = n_chunks if isinstance(n_chunks, int) else 0
    problems: list[Problem] = []
    bad: set[int] = set()
    present: dict[int, list[Path]] = {}
    for table in TABLES:
        seen = _check_table_files(folder / table, table, records, n_chunks, problems, bad, present)
        _check_records_have_files(folder / table, records, n_chunks, seen, problems, bad)
    _check_record_keys(folder, records, n_chunks, problems, bad)
    good = sorted(
        int(key)
        for key in records
        if key.isdigit()
        and key == chunk_key(int(key))
        and int(key) < n_chunks
        and int(key) not in bad
        and len(present.get(int(key), [])) == 2
    )
    for chunk in list(good):  # the records are not trusted: each chunk must hold its own runs
        runs_problem = _run_ids_problem(folder, chunk, manifest)
        if runs_problem:
            problems.append(Problem(folder / TABLES[0] / f"part-{chunk_key(chunk)}.parquet", runs_problem,
                                    True))
            good.remove(chunk)
            bad.add(chunk)
    # The other file of a chunk that lost one: not counted, and named so that resume clears it.
    named = {p.path for p in problems}
    for chunk in sorted(bad):
        for path in present.get(chunk, []):
            if path not in named:
                problems.append(
                    Problem(path, "its chunk's other file is damaged; the chunk is not counted", True)
                )
    return good, problems


NOT_A_CHUNK = "not a chunk of this batch (a batch never writes this name)"


def _recorded_hashes(records: Mapping[str, Any], table: str) -> dict[str, str]:
    """Each recorded file's SHA-256, with the name of the chunk file it belongs to."""
    by_hash: dict[str, str] = {}
    for key, record in records.items():
        entry = record.get(table) if isinstance(record, Mapping) else None
        if isinstance(entry, Mapping) and isinstance(entry.get("sha256"), str):
            by_hash[entry["sha256"]] = f"part-{key}.parquet"
    return by_hash


def _check_table_files(sub: Path, table: str, records: Mapping[str, Any], n_chunks: int,
                       problems: list[Problem], bad: set[int], present: dict[int, list[Path]]) -> set[int]:
    """Every file of one table's folder against the manifest's records: each problem found is
    added to ``problems``, its chunk to ``bad``; every chunk file to ``present``. The chunks
    whose file is there."""
    by_hash = _recorded_hashes(records, table)
    names = sorted(p.name for p in sub.iterdir() if not p.name.startswith(".")) if sub.is_dir() else []
    seen: set[int] = set()
    for name in names:
        path = sub / name
        match = _PART.fullmatch(name)
        chunk = int(match.group(1)) if match else None
        if chunk is None or chunk >= n_chunks or not path.is_file():
            problems.append(Problem(path, NOT_A_CHUNK, False))
            continue
        seen.add(chunk)
        present.setdefault(chunk, []).append(path)
        record = records.get(chunk_key(chunk))
        why = _file_problem(path, record.get(table) if isinstance(record, Mapping) else None, by_hash)
        if why is not None:
            problems.append(Problem(path, why, True))
            bad.add(chunk)
    return seen


def _file_problem(path: Path, entry: Any, by_hash: Mapping[str, str]) -> str | None:
    """Why a chunk file does not match its manifest record ``entry``, or None when it does."""
    if not isinstance(entry, Mapping):
        copy = by_hash.get(_file_digest(path))
        why = f"a copy of {copy}" if copy else "not recorded in the manifest"
        return f"{why}; not a finished chunk of this batch"
    size = path.stat().st_size
    if size == entry.get("bytes") and _file_digest(path) == entry.get("sha256"):
        return None
    copy = by_hash.get(_file_digest(path))
    if copy:
        return f"a copy of {copy}"
    if size != entry.get("bytes"):
        recorded = entry.get("bytes")
        return f"{size} bytes, the manifest records {recorded} (truncated, or not this batch's file)"
    return "its content differs from the manifest's record (not this batch's file)"


def _check_records_have_files(sub: Path, records: Mapping[str, Any], n_chunks: int, seen: set[int],
                              problems: list[Problem], bad: set[int]) -> None:
    """Every record of the manifest names a chunk of the plan whose file is there."""
    for key in records:
        chunk = int(key) if key.isdigit() else None
        if chunk is None or chunk >= n_chunks:
            why = "recorded in the manifest but outside the plan"
            problems.append(Problem(sub / f"part-{key}.parquet", why, False))
            continue
        if chunk not in seen:
            why = "missing (recorded in the manifest as finished)"
            problems.append(Problem(sub / f"part-{key}.parquet", why, True))
            bad.add(chunk)


def _check_record_keys(folder: Path, records: Mapping[str, Any], n_chunks: int, problems: list[Problem],
                       bad: set[int]) -> None:
    """Every record is under its chunk's own key (``00007``, not ``7``)."""
    for key in records:
        if key.isdigit() and key != chunk_key(int(key)) and int(key) < n_chunks:
            problems.append(Problem(folder / "manifest.json", f"chunks: record {key!r} is not a chunk's key "
                                    f"(chunk {int(key)} is {chunk_key(int(key))!r}); not counted", False))
            bad.add(int(key))


def chunk_runs(manifest: Mapping[str, Any], chunk: int) -> range:
    """The run ids chunk ``chunk`` holds by the plan: ``chunk_size`` of them from ``chunk * chunk_size``."""
    size, total = manifest.get("chunk_size"), manifest.get("n_runs")
    if not isinstance(size, int) or not isinstance(total, int) or size < 1:
        return range(0)
    return range(chunk * size, min((chunk + 1) * size, total))


def _run_ids_problem(folder: Path, chunk: int, manifest: Mapping[str, Any]) -> str | None:
    """Why chunk ``chunk``'s files do not hold the runs the plan gives it, or None.

    Its runs table must hold each run id of :func:`chunk_runs` (once, or once
    per crisis in a campaign's batch, where ``crisis`` is a column) and
    nothing else; its trajectories the same run ids. A chunk of another batch
    whose manifest record was copied in too, or a record of one chunk copied
    under another's key, fails here however well its bytes match the record.
    """
    import pyarrow.parquet as pq

    from crisis_sim.batch.seeds import INDEPENDENT, seeds_of_runs

    expected = chunk_runs(manifest, chunk)
    ids: dict[str, list[Any]] = {}
    for table in TABLES:
        path = folder / table / f"part-{chunk_key(chunk)}.parquet"
        try:
            columns = pq.read_schema(path).names
            wanted = ["run_id", "seed"] if table == TABLES[0] else ["run_id"]
            read = pq.read_table(path, columns=wanted)
            ids[table] = read.column("run_id").to_pylist()
            if table == TABLES[0]:
                seeds = read.column("seed").to_pylist()
        except Exception as exc:  # any unreadable file is the same problem
            return f"cannot be read as a table of runs ({type(exc).__name__}); not counted"
        if table == TABLES[0] and "crisis" not in columns and len(ids[table]) != len(set(ids[table])):
            return f"chunk {chunk} of {folder} holds a run id twice; not counted"
    if set(ids[TABLES[0]]) != set(expected) or set(ids[TABLES[1]]) != set(expected):
        found = sorted(set(ids[TABLES[0]]) | set(ids[TABLES[1]]),
                       key=lambda r: (not isinstance(r, int), r if isinstance(r, int) else 0, str(r)))
        shown = f"{found[0]}..{found[-1]}" if found else "none"
        return (f"chunk {chunk} of {folder} holds run ids {shown}, the plan gives it "
                f"{expected.start}..{expected.stop - 1} (a chunk of another batch?); not counted")
    root = manifest.get("seed")
    if isinstance(root, int) and len(expected):
        runs = manifest.get("runs")
        scheme = manifest.get("seeds", INDEPENDENT)
        per_point = runs if isinstance(runs, int) and runs > 0 else 1
        planned = dict(zip(expected, seeds_of_runs(root, expected.start, expected.stop, per_point, scheme),
                           strict=True))
        if any(planned.get(r) != s for r, s in zip(ids[TABLES[0]], seeds, strict=True)):
            return (f"chunk {chunk} of {folder} holds runs with seeds other than the plan's "
                    f"(seed {root}): a chunk of another batch; not counted")
    return None
