"""The lock a running batch holds on its folder, so that no second writer touches it.

``batch.lock`` in the folder holds the writer's PID, host and process start
time as JSON. It is created with ``O_EXCL`` (one winner), removed when the
batch ends, and left behind only by a batch that was killed: a lock whose
process no longer runs on this host (or whose PID now names a process that
started later) is stale and taken over. A lock from another host cannot be
checked and is respected. ``docs/batch-format.md`` ("The lock").
"""

from __future__ import annotations

import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LOCK = "batch.lock"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux ``/proc``), or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2 :].split()[19]


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    if start is not None:
        now = _start_time(pid)
        if now is not None and now != start:
            return False  # the PID was reused by a later process
    return True


def read_lock(folder: Path) -> dict[str, Any] | None:
    """The lock's content, or None when there is none (an unreadable lock reads as ``{}``)."""
    from crisis_sim.scenario import ScenarioError
    from crisis_sim.scenario.files import read_limited

    if not (folder / LOCK).exists() and not (folder / LOCK).is_symlink():
        return None
    try:  # a regular file of at most 64 KB: a FIFO or a device named like the lock never blocks
        data = json.loads(read_limited(folder / LOCK, 65_536).decode("utf-8"))
    except (ScenarioError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def live_holder(folder: Path) -> str | None:
    """Who holds the folder's lock, in words, if that process may still run; None if free or stale."""
    lock = read_lock(folder)
    if lock is None:
        return None
    pid, host = lock.get("pid"), lock.get("host")
    if not isinstance(pid, int) or not isinstance(host, str):
        return None  # a half-written or damaged lock: no process can be checked
    if host != socket.gethostname():
        return (
            f"batch process {pid} on host {host} "
            f"(cannot be checked from here; delete {folder / LOCK} if it is gone)"
        )
    if pid == os.getpid() or not _alive(pid, lock.get("start")):
        return None
    return f"batch process {pid} on this host (since {lock.get('since')})"


def lock_content() -> str:
    pid = os.getpid()
    since = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    record = {"pid": pid, "host": socket.gethostname(), "start": _start_time(pid), "since": since}
    return json.dumps(record) + "\n"


def write_lock(folder: Path) -> None:
    """Create the lock file (``O_EXCL``); :class:`FileExistsError` if there is one."""
    fd = os.open(folder / LOCK, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(lock_content())


def acquire(folder: Path, error: type[Exception]) -> str | None:
    """Take the folder's lock; raise ``error`` if a live batch holds it.

    Returns a note when a stale lock (its batch was killed) was taken over.
    """
    for _ in range(3):
        try:
            write_lock(folder)
            return None
        except FileExistsError:
            holder = live_holder(folder)
            if holder is not None:
                raise error(f"{folder}: a batch is writing this folder: {holder}") from None
            stale = read_lock(folder)
            (folder / LOCK).unlink(missing_ok=True)
            try:
                write_lock(folder)
            except FileExistsError:
                continue  # another writer won the race: check it again
            return f"{folder / LOCK}: took over a stale lock (process {(stale or {}).get('pid')} is gone)"
    raise error(f"{folder}: a batch is writing this folder (its lock keeps changing)")


def release(folder: Path) -> None:
    """Remove the folder's lock if this process holds it."""
    lock = read_lock(folder)
    if lock and lock.get("pid") == os.getpid() and lock.get("host") == socket.gethostname():
        (folder / LOCK).unlink(missing_ok=True)
