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


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_signal_at_any_moment_stops_the_batch_cleanly(small_file: Path, tmp_path: Path) -> None:
    rng = random.Random(20261206)
    command = [sys.executable, "-m", "crisis_sim", "batch", str(small_file), "-n", "40", "-w", "2"]
    stopped = 0
    for trial in range(TRIALS):
        sig = SIGNALS[trial % 3]
        out = tmp_path / f"b{trial}"
        process = subprocess.Popen([*command, "--out", str(out)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.0, 2.5))
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
            time.sleep(0.1)
        assert _processes_naming(str(out)) == [], f"trial {trial}: workers left behind"
        assert not list(tmp_path.rglob(".tmp*")), f"trial {trial}: a hidden folder left"
    assert stopped >= TRIALS // 3  # most signals land while the batch runs


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_stopped_backtest_leaves_no_hidden_folder(tmp_path: Path) -> None:
    """Stopped at any moment, even by a second signal while it unwinds from the first, a back-test
    leaves no hidden folder and no worker behind, and either nothing, its whole folder, or a
    folder that ``--resume`` finishes (docs/backtest.md: it keeps its finished cases)."""
    cases = tmp_path / "cases"
    cases.mkdir()
    root = Path(__file__).resolve().parents[1] / "cases"
    for name in ("us_guatemala_safe_third_2019", "saudi_canada_2018"):
        text = (root / f"{name}.yaml").read_text().replace("rounds: 1096", "rounds: 30")
        (cases / f"{name}.yaml").write_text(text)
    rng = random.Random(7)
    stopped: list[Path] = []
    for trial in range(9):
        sig = SIGNALS[trial % 3]
        out = tmp_path / "runs" / f"bt{trial}"
        process = subprocess.Popen(
            [sys.executable, "-m", "crisis_sim", "backtest", str(cases), "--runs", "6", "-w", "2",
             "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.0, 4.0))
        process.send_signal(sig)
        time.sleep(rng.uniform(0.0, 0.2))  # a second one, as an impatient user or a supervisor sends
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
            time.sleep(0.1)
        assert _processes_naming(str(out)) == [], f"trial {trial}: workers left behind"
    for out in stopped[:1]:  # a stopped back-test is finished by --resume
        done = subprocess.run([sys.executable, "-m", "crisis_sim", "backtest", str(cases), "--runs", "6",
                               "-w", "2", "--out", str(out), "--resume"], capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0 and (out / "overall.json").is_file(), done.stderr


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
