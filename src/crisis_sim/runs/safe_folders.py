"""Output folders written whole or not at all, and never over unrelated files.

Run folders and compare folders are built under a temporary name beside
their destination and renamed into place when complete. Every folder this
program makes (run, batch, comparison) carries a small marker file,
``.crisis-sim``, saying what it is: ``{"kind": "run", "version": 1}``. An
existing destination is replaced only with ``force``, and only when it is
empty or carries the marker of the same kind, so that a typo in ``--out``
with ``--force`` cannot delete someone's work (a folder that merely holds a
``manifest.json`` is not enough), a run cannot replace a batch, and the
current folder or one of its parents is never replaced.
"""

from __future__ import annotations

import json
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

MARKER = ".crisis-sim"
"""The marker file of every folder this program makes."""
MARKER_VERSION = 1
KINDS = ("run", "batch", "comparison", "backtest", "campaign", "calibration", "export")
_MARKER_MAX_BYTES = 4096


def write_marker(folder: Path, kind: str) -> None:
    """Mark ``folder`` as a ``kind`` folder made by this program (one of :data:`KINDS`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown folder kind {kind!r}")
    text = json.dumps({"kind": kind, "version": MARKER_VERSION}, sort_keys=True) + "\n"
    (folder / MARKER).write_text(text, encoding="utf-8")


def differing_settings(old: dict, new: dict, ignore: tuple[str, ...] = ()) -> list[str]:
    """The keys whose values differ between a folder's recorded settings and a rerun's (what a
    ``--resume`` refuses, named), sorted; ``ignore``: keys that may differ."""
    return sorted(k for k in set(old) | set(new) if k not in ignore and old.get(k) != new.get(k))


def fresh_marked_folder(folder: Path, kind: str, settings_file: str, text: str, *,
                        error: type[Exception]) -> None:
    """Make ``folder`` anew for work written in place (an old one, already checked replaceable by
    :func:`check_replaceable`, is removed): its marker, then ``settings_file`` holding ``text``,
    written under a hidden name and renamed so that it is never half there. A folder that cannot
    be made is ``error``, in one line."""
    if folder.exists() or folder.is_symlink():
        shutil.rmtree(folder)
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise error(f"{folder}: cannot create: {exc.strerror}") from None
    write_marker(folder, kind)
    tmp = folder / f".{settings_file}.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.rename(folder / settings_file)


def folder_kind(folder: Path) -> str | None:
    """The kind a folder's marker names, or None (no marker, or not one of ours)."""
    file = folder / MARKER
    try:
        if file.is_symlink() or not file.is_file():
            return None
        with file.open("rb") as fh:
            data = json.loads(fh.read(_MARKER_MAX_BYTES))
    except (OSError, ValueError):
        return None
    kind = data.get("kind") if isinstance(data, dict) else None
    return kind if kind in KINDS else None


def enclosing_folder(path: Path) -> tuple[Path, str] | None:
    """The nearest folder above ``path`` that this program made (its marker's kind), or None.

    Only folders that exist are looked at; ``path`` itself is not (whether it
    may be replaced is :func:`check_replaceable`'s question).
    """
    try:
        here = path.resolve()
    except (OSError, RuntimeError):
        return None
    for parent in here.parents:
        kind = folder_kind(parent)
        if kind is not None:
            return parent, kind
    return None


def check_not_inside(path: Path, *, error: type[Exception]) -> None:
    """Raise ``error`` (one line) when ``path`` lies inside a folder this program made.

    A run, batch, comparison, back-test, campaign, calibration or export
    folder belongs to the command that made it: its readers (and its
    integrity checks) would meet files they never wrote, and a ``--force``
    or ``--resume`` of that folder would delete or set aside the new output.
    """
    found = enclosing_folder(path)
    if found is not None:
        folder, kind = found
        raise error(f"{path}: inside the {kind} folder {folder}; choose a folder outside it")


def _is_cwd_or_ancestor(path: Path) -> bool:
    """Whether ``path`` is the working directory or one of the folders above it."""
    try:
        target, here = path.resolve(), Path.cwd().resolve()
    except OSError:
        return False
    return target == here or target in here.parents


@contextmanager
def staging_folder(out_dir: Path, *, error: type[Exception]) -> Iterator[Path]:
    """A new, empty, hidden folder beside ``out_dir`` to build it in; deleted if building fails.

    ``out_dir``'s parent is created first; a failure there or in making the
    hidden folder (a read-only parent) is ``error``, in one line. The caller
    renames the finished folder into place before the block ends; if
    anything in the block raises, the half-built folder goes.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise error(f"{out_dir}: cannot create parent folder: {exc.strerror}") from None
    tmp = out_dir.parent / f".tmp-{out_dir.name}-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
    except OSError as exc:
        raise error(f"{out_dir}: cannot write in {out_dir.parent}: {exc.strerror}") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def rebuilt(target: Path) -> Iterator[Path]:
    """A hidden folder beside ``target`` to build its new contents in, swapped in for ``target``
    when the block ends (the old one, if any, removed); deleted if anything in the block fails,
    leaving ``target`` as it was. For a results folder inside a folder this program owns
    (a batch's ``sensitivity/``, a calibration's ``calibration/``)."""
    tmp = target.parent / f".{target.name}.tmp-{secrets.token_hex(4)}"
    old: Path | None = None
    try:
        tmp.mkdir()
        yield tmp
        if target.exists():
            old = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
            target.rename(old)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and old.exists() and not target.exists():
            old.rename(target)  # a stop between the two renames: the old contents stay
        raise
    finally:
        # the old contents, once swapped out; a stop that cuts the first removal short (the
        # command line ignores a second one while it unwinds) leaves the second to finish it
        if old is not None:
            try:
                shutil.rmtree(old, ignore_errors=True)
            finally:
                shutil.rmtree(old, ignore_errors=True)


def check_replaceable(
    out_dir: Path,
    *,
    force: bool,
    kind: str,
    error: type[Exception],
    exists_error: type[Exception],
) -> None:
    """Raise unless ``out_dir`` may be written: free, or with ``force`` empty or a ``kind`` folder.

    A ``kind`` folder carries this program's marker naming that kind
    (:func:`folder_kind`). The working directory and its parents are never
    replaced. Every refusal is one line.
    """
    if not out_dir.exists() and not out_dir.is_symlink():
        if out_dir.parent.exists() and not out_dir.parent.is_dir():
            raise error(f"{out_dir}: parent {out_dir.parent} is not a folder")
        return
    if not force:
        raise exists_error(f"{out_dir}: already exists; use --force to replace it")
    if out_dir.is_symlink() or not out_dir.is_dir():
        raise error(f"{out_dir}: exists and is not a folder; not replacing it")
    if _is_cwd_or_ancestor(out_dir):
        raise error(f"{out_dir}: is the current folder or one above it; not replacing it")
    try:
        empty = not any(out_dir.iterdir())
    except OSError as exc:
        raise error(f"{out_dir}: cannot read: {exc.strerror}") from None
    if empty:
        return
    found = folder_kind(out_dir)
    if found is None:
        article = "an" if kind[0] in "aeiou" else "a"
        raise error(f"{out_dir}: exists and is not {article} {kind} folder made by crisis-sim "
                    f"(no {MARKER}); not replacing it")
    if found != kind:
        raise error(f"{out_dir}: is a {found} folder, not a {kind} folder; not replacing it")


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
        try:
            out_dir.rename(old)
        except OSError as exc:
            raise error(f"{out_dir}: cannot replace: {exc.strerror}") from None
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
