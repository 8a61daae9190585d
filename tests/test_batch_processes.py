"""A running batch against the rest of the machine: its lock, and workers that die with it.

Real processes: a batch is started with ``python -m crisis_sim batch`` in a
subprocess, and what happens to its folder and its pool workers is read from
the folder and from ``/proc`` (docs/batch-format.md, "The lock").
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisis_sim.batch import load_batch, run_batch
from crisis_sim.batch.lock import LOCK
from crisis_sim.cli import app

runner = CliRunner()

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

# far more runs than a test lets it finish, in chunks of 100 (the smallest): the first is soon on disk
RUNS = "6400"


def _ppid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def _running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def _children(pid: int) -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(int(p.name)) == pid]


def _parts(folder: Path) -> set[str]:
    return {
        f"{d.name}/{p.name}"
        for d in (folder / "runs", folder / "trajectories")
        if d.is_dir()
        for p in d.iterdir()
    }


@pytest.fixture
def running_batch(tmp_path: Path) -> Iterator[tuple[subprocess.Popen, Path]]:
    """A batch with 2 pool workers, once its first chunk is on disk and both workers run."""
    out = tmp_path / "running"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crisis_sim",
            "batch",
            "us_colombia_2025",
            "--runs",
            RUNS,
            "--workers",
            "2",
            "--out",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "stderr").open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not list((out / "runs").glob("part-*.parquet")) if (out / "runs").is_dir() else True:
            assert time.monotonic() < deadline, "no chunk appeared"
            assert process.poll() is None, "the batch ended early"
            time.sleep(0.02)
        yield process, out
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.mark.parametrize(
    ("sig", "code", "lock_left"),
    [
        (signal.SIGKILL, -signal.SIGKILL, True),  # cannot be caught: the lock is left, found stale later
        (signal.SIGTERM, 128 + signal.SIGTERM, False),  # a clean stop, as Ctrl-C
        (signal.SIGHUP, 128 + signal.SIGHUP, False),
    ],
)
def test_workers_die_with_the_batch_process_and_write_nothing_after(
    running_batch, tmp_path: Path, sig, code, lock_left
) -> None:
    process, out = running_batch
    workers = _children(process.pid)
    assert len(workers) >= 2  # the two pool workers (and perhaps a resource tracker)
    process.send_signal(sig)  # the batch process only, not its process group
    process.wait(timeout=10)
    assert process.returncode == code
    assert (out / LOCK).exists() == lock_left
    lines = (tmp_path / "stderr").read_text().splitlines()
    assert lines == ([] if lock_left else [
        f"stopped by {sig.name}; finished chunks are kept: finish it with --resume --out {out}"
    ])
    killed_at = time.monotonic()
    while any(_running(w) for w in workers) and time.monotonic() < killed_at + 2.0:
        time.sleep(0.02)
    assert [w for w in workers if _running(w)] == [], "workers outlived their batch by 2 s"
    files = _parts(out)
    time.sleep(0.5)
    assert _parts(out) == files  # nothing was written after the batch died
    # A worker killed in the middle of writing a chunk may leave its hidden
    # temporary file (a SIGKILL cannot be cleaned up after): readers never
    # look at hidden files, and a resume writes the chunk again.


def test_a_second_writer_is_refused_while_a_batch_runs_and_a_kill_leaves_its_lock(
    running_batch, tmp_path: Path
) -> None:
    process, out = running_batch
    lock = json.loads((out / LOCK).read_text())
    assert lock["pid"] == process.pid
    manifest = (out / "manifest.json").read_bytes()
    base = ["batch", "us_colombia_2025", "--runs", RUNS, "--workers", "1", "--out", str(out)]
    for flag in ("--resume", "--force"):
        second = runner.invoke(app, [*base, flag])  # a second writer, in this process
        assert second.exit_code == 2, second.output
        lines = second.stderr.strip().splitlines()
        assert (
            len(lines) == 1 and "a batch is writing this folder" in lines[0] and str(process.pid) in lines[0]
        )
        assert out.is_dir() and (out / LOCK).is_file()
    for args in (
        ["run", "--no-plots", "--force", "--out", str(out)],
        ["run", "--no-plots", "--out", str(out)],
        ["compare", str(out), str(out), "--no-plots", "--force", "--out", str(out)],
    ):
        other = runner.invoke(app, args)  # in this process: the lock's holder is the batch's
        assert other.exit_code == 2, other.output
        assert other.stderr.splitlines() == [
            f"{out}: a batch is writing this folder: batch process {process.pid} on this host "
            f"(since {lock['since']}); not replacing it"
        ]
    assert process.poll() is None  # the first batch was left alone
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    assert json.loads((out / LOCK).read_text())["pid"] == process.pid  # left behind by the kill: stale
    assert (
        json.loads((out / "manifest.json").read_bytes())["created_at"] == json.loads(manifest)["created_at"]
    )


def test_a_stale_lock_is_taken_over_and_released(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    run_batch(small_file, 4, seed=1, workers=1, out=out, chunk_size=2)
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    stale = {"pid": int(gone.stdout), "host": socket.gethostname(), "start": None, "since": "then"}
    (out / LOCK).write_text(json.dumps(stale))
    run_batch(small_file, 4, seed=1, workers=1, out=out, resume=True)
    assert not (out / LOCK).exists()
    assert len(load_batch(out).runs) == 4


def test_a_lock_held_by_a_live_process_refuses_the_python_api_too(small_file: Path, tmp_path: Path) -> None:
    from crisis_sim.batch import BatchError

    out = tmp_path / "b"
    run_batch(small_file, 4, seed=1, workers=1, out=out, chunk_size=2)
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        live = {"pid": holder.pid, "host": socket.gethostname(), "start": None, "since": "now"}
        (out / LOCK).write_text(json.dumps(live))
        for kwargs in ({"resume": True}, {"force": True}):
            with pytest.raises(
                BatchError, match=f"a batch is writing this folder: batch process {holder.pid}"
            ):
                run_batch(small_file, 4, seed=1, workers=1, out=out, **kwargs)
        assert json.loads((out / LOCK).read_text())["pid"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
