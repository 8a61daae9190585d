"""A batch's files: written atomically, read back as tables.

Every file is written under a hidden temporary name (``.<name>.tmp-<random>``, which no reader
globbing ``*.parquet`` picks up) and renamed into place, so a batch killed at any moment leaves
only whole files. A chunk's two tables are Parquet files named by the chunk (``part-00007.parquet``),
each with its size and SHA-256 for the manifest (:mod:`crisis_sim.batch.integrity`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.batch.chunks import ChunkResult

RUNS_DIR = "runs"
TRAJECTORIES_DIR = "trajectories"
PARQUET_COMPRESSION = "snappy"


def part_name(chunk_id: int) -> str:
    return f"part-{chunk_id:05d}.parquet"


def _tmp_name(path: Path) -> Path:
    """A hidden sibling name that no reader globbing ``*.parquet`` picks up."""
    return path.with_name(f".{path.name}.tmp-{secrets.token_hex(4)}")


def write_atomic(path: Path, write: Callable[[Path], object]) -> None:
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


def write_parquet_atomic(
    table: Any, path: Path, check: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Write ``table`` as Parquet atomically; return its file's record (size, SHA-256).

    The file is serialised in memory, hashed, then written: the same bytes
    ``pq.write_table`` writes to a file, without reading them back.
    ``check`` is called just before the file is put in place (a worker uses
    it to stop if its batch process has died).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from crisis_sim.batch.integrity import file_record

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression=PARQUET_COMPRESSION)
    data = sink.getvalue()
    record = file_record(data)

    def write(tmp: Path) -> None:
        with tmp.open("wb") as file:
            file.write(memoryview(data))
        if check is not None:
            check()

    write_atomic(path, write)
    return record


def write_chunk(
    folder: Path, result: ChunkResult, check: Callable[[], None] | None = None
) -> dict[str, Any]:
    """A chunk's two files, each atomically; return their records for the manifest's ``chunks``."""
    name = part_name(result.chunk_id)
    return {
        TRAJECTORIES_DIR: write_parquet_atomic(result.trajectories, folder / TRAJECTORIES_DIR / name, check),
        RUNS_DIR: write_parquet_atomic(result.runs, folder / RUNS_DIR / name, check),
    }


def read_table(
    folder: Path, order: list[str], columns: list[str] | None = None, chunks: list[int] | None = None
) -> pd.DataFrame:
    """Concatenate a table's parts (only ``chunks`` if given; only ``columns``), sorted by ``order``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if chunks is None:
        parts = sorted(folder.glob("part-*.parquet"))
    else:
        parts = [folder / part_name(k) for k in chunks]
    if not parts:
        return _empty(columns)
    if columns is not None:
        available = set(pq.read_schema(parts[0]).names)
        columns = [c for c in columns if c in available]
    table = pa.concat_tables([pq.read_table(p, columns=columns) for p in parts])
    return table.to_pandas().sort_values(order, kind="stable").reset_index(drop=True)


def runs_columns(folder: Path, chunks: list[int] | None = None) -> list[str]:
    """The column names of a batch's runs table (empty before its first chunk)."""
    import pyarrow.parquet as pq

    if chunks is None:
        parts = sorted((folder / RUNS_DIR).glob("part-*.parquet"))
    else:
        parts = [folder / RUNS_DIR / part_name(k) for k in chunks]
    return pq.read_schema(parts[0]).names if parts else []


def _empty(columns: list[str] | None) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(columns=columns or [])
