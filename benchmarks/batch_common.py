"""Shared helpers of the batch benchmarks: the machine, child processes, peak memory.

Peak memory of a command is measured two ways, both printed:

* **tree**: the command runs in its own process; every 20 ms the resident
  set sizes (RSS) of it and all its descendants (pool workers) are read from
  ``/proc`` and summed; the largest sum is kept. This is what the machine
  had to hold at once. Linux only (elsewhere it prints ``n/a``).
* **largest process**: ``ru_maxrss`` of the command and of its waited-for
  children (``resource.getrusage``), the peak of the single largest process.

CPU time (user + system) of the command and its workers is reported too: on
a machine shared with other load, wall-clock speed-ups understate what the
same work gives on free CPUs, and CPU time shows how much work was added.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def machine() -> str:
    """One line about the machine and its load, to tell figures from different machines apart."""
    import mesa
    import numpy
    import pyarrow

    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, load average {load}; "
        f"Python {platform.python_version()}, Mesa {mesa.__version__}, numpy {numpy.__version__}, "
        f"pyarrow {pyarrow.__version__}"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text(encoding="ascii").split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants now."""
    tree = _children()
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _rss(pid)
        todo.extend(tree.get(pid, []))
    return total


@dataclass
class Measured:
    seconds: float
    peak_tree_mb: float | None
    largest_process_mb: float
    report: dict
    cpu_seconds: float
    """User and system CPU time of the command and its worker processes."""


def measure(command: list[str], *, cwd: Path | None = None) -> Measured:
    """Run ``command`` (its stdout, or its last line, is JSON); time it and its peak memory.

    The command runs under a small wrapper process so that ``ru_maxrss`` of
    its children belongs to this measurement alone.
    """
    wrapper = (
        "import json, resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stderr.write(done.stderr)\n"
        "if done.returncode: sys.exit(done.returncode)\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "text = done.stdout.strip()\n"
        "try:\n"
        "    report = json.loads(text)\n"
        "except ValueError:\n"
        "    report = json.loads(text.splitlines()[-1])\n"
        "print(json.dumps(report))\n"
        "print(json.dumps({'maxrss_kb': usage.ru_maxrss, 'cpu': usage.ru_utime + usage.ru_stime}))\n"
    )
    on_linux = Path("/proc/self/statm").exists()
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", wrapper, *command], stdout=subprocess.PIPE, text=True, cwd=cwd
    )
    peak = 0
    while process.poll() is None:
        if on_linux:
            peak = max(peak, tree_rss(process.pid) - _rss(process.pid))  # the wrapper itself excluded
        time.sleep(0.02)
    seconds = time.perf_counter() - began
    out = process.stdout.read() if process.stdout else ""
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    lines = out.strip().splitlines()
    report = json.loads(lines[-2]) if len(lines) >= 2 else {}
    usage = json.loads(lines[-1])
    largest = usage["maxrss_kb"] / 1024
    return Measured(seconds, peak / 2**20 if on_linux else None, largest, report, usage["cpu"])


def mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} MB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def self_peak_mb() -> float:
    """This process's own peak RSS so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
