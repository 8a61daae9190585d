"""Shared helpers of the batch benchmarks: the machine, child processes, peak memory.

Peak memory of a command is measured two ways, both printed:

* **all processes**: the command runs in its own process; every 500 ms the
  proportional set sizes (PSS, from ``/proc/PID/smaps_rollup``) of it and
  all its descendants (pool workers) are summed, and the largest sum is
  kept. PSS counts every page once, split between the processes that share
  it, so the sum is the memory the command took from the machine: forked
  workers share most of their parent's pages, and summing resident set
  sizes (RSS) would count those once per process. The summed RSS, read
  every 100 ms, is printed too, for reference. Linux only (elsewhere ``n/a``).
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


def _pss(pid: int) -> int:
    """Proportional set size in bytes (0 once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text(encoding="ascii").splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def descendants(root: int) -> list[int]:
    """The processes started by ``root``, their children, and so on (not ``root``)."""
    tree = _children()
    found, todo = [], list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


@dataclass
class Measured:
    seconds: float
    peak_tree_mb: float | None
    """Peak of the summed PSS of the command and its workers: the memory it took (Linux)."""
    largest_process_mb: float
    report: dict
    cpu_seconds: float
    """User and system CPU time of the command and its worker processes."""
    peak_rss_sum_mb: float | None = None
    """Peak of the summed RSS: counts pages shared between processes once per process."""


def measure(command: list[str], *, cwd: Path | None = None, memory: bool = True) -> Measured:
    """Run ``command`` (its stdout, or its last line, is JSON); time it and its peak memory.

    Sampling memory takes CPU from the measured command when it keeps every
    CPU busy (a batch with a worker per CPU), so it is kept light: the
    processes are found every 0.5 s, their RSS read every 0.1 s and their PSS
    every 0.5 s (the peak between two readings can be missed by a little:
    memory that grows steadily is undercounted by at most half a second's
    growth). ``memory=False`` samples nothing, for timings alone.

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
    on_linux = Path("/proc/self/smaps_rollup").exists()
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", wrapper, *command], stdout=subprocess.PIPE, text=True, cwd=cwd
    )
    peak = peak_rss = 0
    pids: list[int] = []
    next_scan = next_pss = began
    while process.poll() is None:
        if on_linux and memory:  # the wrapper itself excluded
            now = time.perf_counter()
            if now >= next_scan:  # finding the workers reads every process's /proc entry
                pids, next_scan = descendants(process.pid), now + 0.5
            peak_rss = max(peak_rss, sum(_rss(pid) for pid in pids))
            if now >= next_pss:  # reading PSS costs ~10 ms per GB mapped
                peak, next_pss = max(peak, sum(_pss(pid) for pid in pids)), now + 0.5
        time.sleep(0.1 if memory else 0.02)
    seconds = time.perf_counter() - began
    out = process.stdout.read() if process.stdout else ""
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    lines = out.strip().splitlines()
    report = json.loads(lines[-2]) if len(lines) >= 2 else {}
    usage = json.loads(lines[-1])
    largest = usage["maxrss_kb"] / 1024
    return Measured(
        seconds,
        peak / 2**20 if on_linux and memory else None,
        largest,
        report,
        usage["cpu"],
        peak_rss / 2**20 if on_linux and memory else None,
    )


def mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} MB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def self_peak_mb() -> float:
    """This process's own peak RSS so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
