"""Output folders written whole or not at all, and never over unrelated files.

Run folders and compare folders are built under a temporary name beside
their destination and renamed into place when complete. An existing
destination is replaced only with ``force``, and only when it is empty or a
folder of the same kind (it holds the kind's marker file), so that a typo in
``--out`` with ``--force`` cannot delete someone's work.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path


@contextmanager
def staging_folder(out_dir: Path, *, error: type[Exception]) -> Iterator[Path]:
    """A new, empty, hidden folder beside ``out_dir`` to build it in; deleted if building fails.

    ``out_dir``'s parent is created first (a failure there is ``error``, in
    one line). The caller renames the finished folder into place before the
    block ends; if anything in the block raises, the half-built folder goes.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(f"{out_dir}: cannot create parent folder: {exc.strerror}") from None
    tmp = out_dir.parent / f".tmp-{out_dir.name}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def check_replaceable(
    out_dir: Path,
    *,
    force: bool,
    kind: str,
    marker: str,
    error: type[Exception],
    exists_error: type[Exception],
) -> None:
    """Raise unless ``out_dir`` may be written: free, or with ``force`` empty or a ``kind`` folder."""
    if not out_dir.exists() and not out_dir.is_symlink():
        if out_dir.parent.exists() and not out_dir.parent.is_dir():
            raise error(f"{out_dir}: parent {out_dir.parent} is not a folder")
        return
    if not force:
        raise exists_error(f"{out_dir}: already exists; use --force to replace it")
    if out_dir.is_symlink() or not out_dir.is_dir():
        raise error(f"{out_dir}: exists and is not a folder; not replacing it")
    if any(out_dir.iterdir()) and not (out_dir / marker).is_file():
        raise error(f"{out_dir}: exists and is not a {kind} folder (no {marker}); not replacing it")


def move_into_place(
    tmp: Path,
    out_dir: Path,
    *,
    check: Callable[[Path], None],
    error: type[Exception],
    exists_error: type[Exception],
) -> None:
    """Rename the finished ``tmp`` to ``out_dir``, swapping an old folder out first.

    ``check(out_dir)`` runs again just before the swap (the folder may have
    changed while the new one was being written). If the rename fails, the
    old folder is put back.
    """
    old: Path | None = None
    if out_dir.exists():
        check(out_dir)
        old = out_dir.parent / f".old-{out_dir.name}-{secrets.token_hex(4)}"
        out_dir.rename(old)
    try:
        tmp.rename(out_dir)
    except OSError as exc:
        if old is not None:
            old.rename(out_dir)
        if out_dir.exists():
            raise exists_error(f"{out_dir}: already exists; use --force to replace it") from None
        raise error(f"{out_dir}: cannot create: {exc.strerror}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


OUTPUT_ROOT = Path("runs")
"""Where run, batch and comparison folders go unless told otherwise (relative to the working directory)."""


def timestamped_folder(name: str, now: datetime | None = None) -> Path:
    """``runs/<name>-<UTC timestamp>``, with a numbered suffix if that is taken."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    base = OUTPUT_ROOT / f"{name}-{stamp}"
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate
