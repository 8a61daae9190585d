"""The Dask engine: the same tables as the local engine, no run lost when a worker dies,
resume across engines, and a clear refusal when the scheduler cannot be reached."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

distributed = pytest.importorskip("distributed", reason="needs the distributed extra")

from crisis_sim.batch import load_batch, run_batch  # noqa: E402

SWEEP = ["actors.receiver.resolve.mean=0.3,0.8"]


@pytest.fixture(scope="module")
def local(small_file: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("local") / "batch"
    return run_batch(small_file, 24, seed=5, sweep=SWEEP, workers=1, out=out, chunk_size=6)


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of two worker processes on loopback, as a user would start one."""
    import logging

    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
        dashboard_address=":0", silence_logs=logging.ERROR,
    ) as running:
        yield running


def assert_same_tables(a, b) -> None:
    pd.testing.assert_frame_equal(a.runs, b.runs)
    pd.testing.assert_frame_equal(a.trajectories, b.trajectories)
    pd.testing.assert_frame_equal(a.summary, b.summary)
    assert not a.runs["run_id"].duplicated().any()


def test_local_cluster_gives_the_local_engines_tables(local, small_file: Path, tmp_path: Path) -> None:
    on_dask = run_batch(small_file, 24, seed=5, sweep=SWEEP, workers=2, out=tmp_path / "d",
                        chunk_size=6, engine="dask")
    assert_same_tables(local, on_dask)
    assert on_dask.manifest["engine"] == "dask"


def test_a_worker_killed_mid_batch_loses_and_duplicates_no_run(
    local, cluster, small_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crisis_sim.batch.engines.dask

    monkeypatch.setattr(crisis_sim.batch.engines.dask, "RUNS_PER_TASK", 1)  # one chunk a task
    with distributed.Client(cluster, set_as_default=False) as client:
        pids = sorted(client.run(os.getpid).values())
    killed = []

    def kill_one_worker(done: int, total: int) -> None:
        if 0 < done < total and not killed:
            os.kill(pids[0], signal.SIGKILL)
            killed.append(pids[0])

    result = run_batch(small_file, 24, seed=5, sweep=SWEEP, out=tmp_path / "k", chunk_size=6,
                       engine="dask", scheduler=cluster.scheduler_address, progress=kill_one_worker)
    assert killed, "the worker was never killed"
    assert_same_tables(local, result)


def test_resume_on_dask_completes_a_batch_begun_locally(local, small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"

    class StopBatchError(Exception):
        pass

    def stop_after_first_chunk(done: int, total: int) -> None:
        if done > 0:
            raise StopBatchError

    with pytest.raises(StopBatchError):
        run_batch(small_file, 24, seed=5, sweep=SWEEP, workers=1, out=out, chunk_size=6,
                  progress=stop_after_first_chunk)
    finished = len(list((out / "runs").glob("*.parquet")))
    assert 0 < finished < 8
    result = run_batch(small_file, 24, seed=5, sweep=SWEEP, workers=2, out=out, chunk_size=6,
                       resume=True, engine="dask")
    assert_same_tables(local, result)
    assert_same_tables(local, load_batch(out))


def test_unreachable_scheduler_exits_2_with_one_line(small_file: Path, tmp_path: Path) -> None:
    """Exit 2, one line, nothing written; the subprocess's own timeout fails the test if the
    connection attempt hangs (how quickly it gives up is the next test's, not a wall clock's)."""
    out = tmp_path / "never"
    proc = subprocess.run(
        [sys.executable, "-m", "crisis_sim", "batch", str(small_file), "-n", "4", "--engine", "dask",
         "--scheduler", "tcp://127.0.0.1:9", "--out", str(out)],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in lines[0]
    assert "Traceback" not in proc.stderr
    assert not out.exists()


def test_a_scheduler_is_given_a_few_seconds_to_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine asks Dask to give up on a silent scheduler after CONNECT_TIMEOUT, and says so."""
    import distributed

    from crisis_sim.batch.engines import dask as engine

    asked: dict = {}

    def refuse(address, **kwargs):
        asked.update(kwargs, address=address)
        raise OSError("timed out")

    monkeypatch.setattr(distributed, "Client", refuse)
    refused = pytest.raises(engine.EngineError,
                            match="cannot reach the Dask scheduler at tcp://x:1: timed out")
    with refused, engine.DaskEngine(scheduler="tcp://x:1"):
        pass
    assert asked["address"] == "tcp://x:1" and asked["timeout"] == engine.CONNECT_TIMEOUT == "3s"


def test_scheduler_without_the_dask_engine_is_refused(small_file: Path, tmp_path: Path) -> None:
    """A usage mistake, answered before any engine starts (in this process: the command's exit code
    and lines, as ``test_unreachable_scheduler_exits_2_with_one_line`` checks them in a process)."""
    from typer.testing import CliRunner

    from crisis_sim.cli import app

    result = CliRunner().invoke(app, ["batch", str(small_file), "-n", "4", "--scheduler", "tcp://127.0.0.1:9",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == "--scheduler: only for --engine dask"
    assert result.stdout == ""
    assert not (tmp_path / "x").exists()
