"""The batch progress bar moves within a chunk: count, rate and time left from the first seconds.

Chunks hold at least a hundred runs, so a bar moved only by finished chunks sat at
``0/200 -:--:-- left`` for the whole of a two-chunk batch. The local engine's workers count their
runs as they finish them (``LocalEngine.runs_finished``) and the bar reads that count twice a second.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PROJECT
from crisis_sim.batch.api import plan_batch
from crisis_sim.batch.progress import rate_text

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
BAR = re.compile(r"runs .*?(\d+)/(\d+)\s+(\S+ runs/s)?.*?(\S+) left")


@pytest.mark.parametrize(("workers", "method"), [(1, None), (2, "fork"), (2, "spawn")])
def test_the_local_engine_counts_every_run_its_workers_finish(small_file: Path, workers: int,
                                                              method: str | None) -> None:
    from crisis_sim.batch.chunks import run_chunk
    from crisis_sim.batch.engines.local import LocalEngine

    plan = plan_batch(small_file, 10, seed=4, chunk_size=6)
    tasks = [plan.task(k) for k in range(plan.n_chunks)]
    with LocalEngine(workers, start_method=method) as engine:
        assert engine.runs_finished == 0
        sizes = [result.n_runs for result in engine.map_chunks(run_chunk, tasks)]
        assert engine.runs_finished == sum(sizes) == 10
    from crisis_sim.batch import chunks

    assert chunks._run_counter is None  # the engine stopped counting in this process on exit


def test_one_worker_counts_the_runs_of_a_chunk_before_it_returns(small_file: Path) -> None:
    from crisis_sim.batch.chunks import run_chunk
    from crisis_sim.batch.engines.local import LocalEngine

    plan = plan_batch(small_file, 10, seed=4, chunk_size=6)
    seen = []
    with LocalEngine(1) as engine:
        def chunk_and_look(task):
            result = run_chunk(task)
            seen.append(engine.runs_finished)  # the chunk is done, not yet handed back
            return result

        list(engine.map_chunks(chunk_and_look, [plan.task(0), plan.task(1)]))
    assert seen == [6, 10]


def test_rate_text() -> None:
    assert rate_text(1234.4) == "1,234 runs/s"
    assert rate_text(0.42) == "0.4 runs/s"  # a slow batch's rate is not 0


def _bar_lines(args: list[str], cwd: Path, timeout: float = 120) -> list[tuple[float, str]]:
    """What a terminal shows while ``args`` runs (its stdout and stderr a pseudo-terminal), each
    distinct line with the second it appeared."""
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COLUMNS", "LINES")}
    env["PYTHONPATH"] = str(PROJECT / "src")
    main, child = pty.openpty()
    process = subprocess.Popen(args, cwd=cwd, env=env, stdin=child, stdout=child, stderr=child)
    os.close(child)
    start, lines, rest = time.monotonic(), [], b""
    try:
        while time.monotonic() - start < timeout:
            ready, _, _ = select.select([main], [], [], 0.2)
            if not ready:
                if process.poll() is not None:
                    break
                continue
            try:
                data = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            pieces = re.split(rb"[\r\n]", rest + data)
            rest = pieces.pop()
            for piece in pieces:
                text = ANSI.sub(b"", piece).decode(errors="replace").strip()
                if text and (not lines or lines[-1][1] != text):
                    lines.append((time.monotonic() - start, text))
    finally:
        os.close(main)
        if process.poll() is None:
            process.kill()
        process.wait()
    assert process.returncode == 0, lines
    return lines


def test_the_bar_of_a_two_chunk_batch_moves_before_a_chunk_is_done(tmp_path: Path) -> None:
    """200 runs on 2 workers are two chunks of 100; the bar shows counts between chunk ends, a rate
    and a time left well before the batch ends."""
    lines = _bar_lines([sys.executable, "-m", "crisis_sim", "batch", "us_colombia_2025_firm", "--runs", "200",
                        "--workers", "2", "--out", str(tmp_path / "batch")], cwd=tmp_path)
    bars = [(second, BAR.search(text)) for second, text in lines]
    bars = [(second, int(m[1]), m[3], m[4]) for second, m in bars if m]
    assert bars and bars[-1][1] == 200, lines
    between = [b for b in bars if b[1] not in (0, 100, 200)]
    assert between, f"the bar moved only at chunk ends: {lines}"
    timed = [b for b in bars if b[1] < 200 and b[2] and re.fullmatch(r"\d+:\d\d:\d\d", b[3])]
    assert timed, f"no rate and time left before the end: {lines}"


def test_the_backtest_pilot_shows_its_runs_on_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    """``backtest --estimate`` times a pilot run of each case first (seconds for the 17 cases): a bar
    of the pilot's runs on a terminal; piped, only the estimate."""
    import shutil

    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("saudi_canada_2018", "us_colombia_2025", "china_lithuania_2021"):
        shutil.copy(PROJECT / "cases" / f"{name}.yaml", cases)
    command = [sys.executable, "-m", "crisis_sim", "backtest", str(cases), "--estimate"]
    lines = [text for _, text in _bar_lines(command, cwd=tmp_path)]
    pilot = [int(m[1]) for line in lines if line.startswith("pilot runs") and (m := BAR.search(line))]
    assert pilot and pilot[-1] == 3 and pilot == sorted(pilot), lines
    assert lines[-2].startswith("back-test: 3 cases x 200 runs"), lines
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"PYTHONPATH": str(PROJECT / "src")}
    piped = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert piped.stdout == "" and piped.stderr.splitlines()[0] == "back-test: 3 cases x 200 runs = 600 runs"
    assert "pilot runs" not in piped.stderr
