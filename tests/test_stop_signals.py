"""A batch is always stoppable: SIGTERM, SIGHUP or SIGINT at any moment, start-up included.

Each trial starts ``crisis-sim batch`` on a tiny scenario with two workers and
sends one signal after a random delay (from 0, while the workers start, to
past the end). The process must end within a few seconds; if it ended
because of the signal its exit code is non-zero and the folder resumes to
complete, and never are worker processes or hidden temporary folders left
behind. Thirty-three trials, eleven for each signal.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crisis_sim.batch import load_batch
from crisis_sim.cli import app

runner = CliRunner()

TRIALS = 33
SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _no_traceback(err: str, out: Path) -> None:
    """No traceback, but for Ctrl-C landing while Python itself starts, before any of this
    program's code runs (then nothing has been written)."""
    if "Traceback" in err:
        assert err.rstrip().endswith("KeyboardInterrupt") and not out.exists(), err


_DELAYS = (lambda rng: [rng.uniform(0.0, 2.5) for _ in range(TRIALS)])(random.Random(20261206))
"""When each trial sends its signal, drawn as one sequence, whichever trials a worker runs."""
PIECE = 3
"""Trials a test runs (one for each signal): eleven tests that the workers of ``-n`` share."""


def _session_folder(request: pytest.FixtureRequest, factory: pytest.TempPathFactory, name: str) -> Path:
    """A folder that every worker of this test session shares (pytest-xdist gives each worker a
    temporary folder inside the session's own, and names the session)."""
    base = factory.getbasetemp()
    worker = getattr(request.config, "workerinput", None)
    return base.parent / f"{name}-{worker['testrunuid']}" if worker else base / name


def _tally(folder: Path, piece: int, stopped: int, pieces: int) -> int | None:
    """Record that ``piece`` stopped ``stopped`` batches; once every piece of this test session has
    recorded its count (whichever worker ran it), the total, else None."""
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{piece}.tmp"
    part.write_text(str(stopped))
    part.rename(folder / f"{piece}.count")  # whole files only: another worker may be reading
    counts = list(folder.glob("*.count"))
    return sum(int(c.read_text()) for c in counts) if len(counts) == pieces else None


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("first", range(0, TRIALS, PIECE))
def test_a_signal_at_any_moment_stops_the_batch_cleanly(first: int, small_file: Path, tmp_path: Path,
                                                        request: pytest.FixtureRequest,
                                                        tmp_path_factory: pytest.TempPathFactory) -> None:
    """Trials ``first`` to ``first`` + 2 of the thirty-three; the test that runs last counts the
    batches stopped in all of them."""
    command = [sys.executable, "-m", "crisis_sim", "batch", str(small_file), "-n", "40", "-w", "2"]
    stopped = 0
    for trial in range(first, min(first + PIECE, TRIALS)):
        sig = SIGNALS[trial % 3]
        out = tmp_path / f"b{trial}"
        process = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(_DELAYS[trial])
        process.send_signal(sig)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"trial {trial}: {sig.name} did not stop the batch")
        _no_traceback(err, out)
        if process.returncode == 0:  # it finished before the signal came
            assert json.loads((out / "manifest.json").read_text())["finished_at"], err
        else:
            stopped += 1
            assert process.returncode in (128 + sig, 130, -sig), (sig.name, process.returncode, err)
            if out.exists():  # the same command resumes it (in this process: no start-up to pay)
                resumed = runner.invoke(app, [*command[3:], "--out", str(out), "--resume"])
                assert resumed.exit_code == 0, resumed.output
                assert load_batch(out).complete
        deadline = time.monotonic() + 5
        while _processes_naming(str(out)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _processes_naming(str(out)) == [], f"trial {trial}: workers left behind"
        assert not list(tmp_path.rglob(".tmp*")), f"trial {trial}: a hidden folder left"
    total = _tally(_session_folder(request, tmp_path_factory, "signal-trials"), first, stopped,
                   pieces=len(range(0, TRIALS, PIECE)))
    if total is not None:
        assert total >= TRIALS // 3  # most signals land while the batch runs


_BACKTEST_DELAYS = (lambda rng: [(rng.uniform(0.0, 4.0), rng.uniform(0.0, 0.2)) for _ in range(9)])(
    random.Random(7))
"""Per trial of the back-test: when its first signal is sent, and how long after it the second."""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("first", range(0, 9, PIECE))
def test_a_stopped_backtest_leaves_no_hidden_folder(first: int, tmp_path: Path) -> None:
    """Stopped at any moment, even by a second signal while it unwinds from the first, a back-test
    leaves no hidden folder and no worker behind, and either nothing, its whole folder, or a
    folder that ``--resume`` finishes (docs/backtest.md: it keeps its finished cases). Trials
    ``first`` to ``first`` + 2 of nine, one for each signal."""
    cases = tmp_path / "cases"
    cases.mkdir()
    root = Path(__file__).resolve().parents[1] / "cases"
    for name in ("us_guatemala_safe_third_2019", "saudi_canada_2018"):
        text = (root / f"{name}.yaml").read_text().replace("rounds: 1096", "rounds: 30")
        (cases / f"{name}.yaml").write_text(text)
    stopped: list[Path] = []
    for trial in range(first, first + PIECE):
        sig = SIGNALS[trial % 3]
        out = tmp_path / "runs" / f"bt{trial}"
        process = subprocess.Popen(
            [sys.executable, "-m", "crisis_sim", "backtest", str(cases), "--runs", "6", "-w", "2",
             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        delay, again = _BACKTEST_DELAYS[trial]
        time.sleep(delay)
        process.send_signal(sig)
        time.sleep(again)  # a second one, as an impatient user or a supervisor sends
        if process.poll() is None:
            process.send_signal(sig)
        try:
            _, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            pytest.fail(f"trial {trial}: {sig.name} did not stop the back-test")
        _no_traceback(err, out)
        if process.returncode == 0:
            assert (out / "overall.json").is_file()
        else:
            # nothing written, the whole back-test (a signal that lands as the process exits), or
            # a back-test folder with its settings, which --resume finishes
            resumable = (out / "backtest.json").is_file()
            assert not out.exists() or (out / "overall.json").is_file() or resumable, err
            if out.exists() and not (out / "overall.json").is_file():
                stopped.append(out)
        assert not list((tmp_path / "runs").glob(".tmp-*")) if (tmp_path / "runs").exists() else True
        deadline = time.monotonic() + 5
        while _processes_naming(str(out)) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _processes_naming(str(out)) == [], f"trial {trial}: workers left behind"
    for out in stopped[:1]:  # a stopped back-test is finished by --resume (in this process)
        done = runner.invoke(app, ["backtest", str(cases), "--runs", "6", "-w", "2", "--out", str(out),
                                   "--resume"])
        assert done.exit_code == 0 and (out / "overall.json").is_file(), done.output


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_a_stop_that_lands_inside_a_module_import_is_a_stop_not_a_traceback(signum, capsys) -> None:
    """A signal handled while a compiled module initialises (scipy's, imported when the summary is
    written) surfaces as that module's ImportError raised from the stop; it still ends as a stop:
    one line and 128 + the signal, as anywhere else."""
    import typer

    from crisis_sim.batch.api import BatchStopped
    from crisis_sim.cli.options import kept_for_resume

    with pytest.raises(typer.Exit) as info, kept_for_resume(Path("runs/b")):
        try:
            raise BatchStopped(signum)
        except BatchStopped as stop:
            raise ImportError("initialization failed") from stop
    assert info.value.exit_code == 128 + signum
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--resume --out runs/b" in err
