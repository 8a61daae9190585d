"""Every command is stoppable, not only the ones that run batches (:mod:`crisis_sim.batch.stops`).

SIGTERM and SIGHUP would end the process at once, with no clean-up: a folder
being built under a hidden name (an export, a plot, a comparison, a
back-test's scoreboard) would stay behind. The command line takes them over:
they unwind the command as Ctrl-C does and end in one line, with 128 + the
signal. A stop that lands while a compiled module initialises (its
ImportError, raised from the stop) ends the same way, in any command.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import minimal_scenario_data, write_yaml
from crisis_sim.batch import stops

CASES = Path(__file__).resolve().parents[1] / "cases"


@pytest.fixture(scope="module")
def batch_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from crisis_sim.batch import run_batch

    base = tmp_path_factory.mktemp("stops")
    scenario = write_yaml(base / "s.yaml", minimal_scenario_data())
    return run_batch(str(scenario), 20, workers=1, out=base / "b").path


def _command_line(argv: list[str], patch: str) -> list[str]:
    """``python -c``: apply ``patch`` (Python source), then run ``crisis-sim ARGV`` as the console script
    does."""
    source = textwrap.dedent(patch) + textwrap.dedent(f"""
        import sys
        from crisis_sim.cli import main
        sys.argv = ["crisis-sim", *{argv!r}]
        main()
    """)
    return [sys.executable, "-c", source]


SLOW_CSV = """
    import time
    import pandas as pd
    _to_csv = pd.DataFrame.to_csv
    def slow(self, *args, **kwargs):
        result = _to_csv(self, *args, **kwargs)
        time.sleep(30)  # a long write: the signal lands here
        return result
    pd.DataFrame.to_csv = slow
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name)
def test_a_signal_while_export_writes_stops_it_in_one_line_and_leaves_no_hidden_folder(
    signum, batch_folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "csv"
    process = subprocess.Popen(_command_line(["export", str(batch_folder), "--out", str(out)], SLOW_CSV),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".tmp-*/runs.csv")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert list(tmp_path.glob(".tmp-*/runs.csv")), "the export never started writing"
    process.send_signal(signum)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail(f"{signum.name} did not stop the export")
    said = "interrupted" if signum == signal.SIGINT else f"stopped by {signum.name}"
    assert err == f"{said}\n"
    assert process.returncode == (130 if signum == signal.SIGINT else 128 + signum)
    assert list(tmp_path.iterdir()) == []  # neither the export nor its hidden folder


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=lambda s: s.name)
def test_a_stop_inside_a_lazy_import_of_any_command_is_a_stop_not_a_traceback(
    signum, batch_folder: Path, tmp_path: Path
) -> None:
    """As a stop landing while matplotlib's or scipy's compiled modules initialise surfaces: their
    ImportError, raised from the stop (here in ``plot``, which imports matplotlib late)."""
    patch = f"""
        import signal
        from crisis_sim.batch import stops
        import crisis_sim.present.plots as plots
        def save_group_plots(*args, **kwargs):
            stops.requested.append({int(signum)})
            stop = stops.Stopped({int(signum)}) if {int(signum)} != signal.SIGINT else KeyboardInterrupt()
            try:
                raise stop
            except KeyboardInterrupt as exc:
                raise ImportError("initialization failed") from exc
        plots.save_group_plots = save_group_plots
    """
    done = subprocess.run(_command_line(["plot", str(batch_folder)], patch), capture_output=True, text=True,
                          timeout=120)
    said = "interrupted" if signum == signal.SIGINT else f"stopped by {signum.name}"
    assert done.stderr == f"{said}\n"
    assert done.returncode == (130 if signum == signal.SIGINT else 128 + signum)
    assert not list(batch_folder.glob(".tmp*"))


def test_later_stop_signals_wait_for_the_clean_up_then_stop_again(monkeypatch) -> None:
    """The first SIGTERM raises; one within the grace period is recorded, not raised (the clean-up
    it set off is not cut short); one after it raises again (the first may have been dropped)."""
    now = [100.0]
    monkeypatch.setattr(stops.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(stops, "requested", [])
    monkeypatch.setattr(stops, "seen", [])
    monkeypatch.setattr(stops, "_raised_at", [])
    with pytest.raises(stops.Stopped) as first:
        stops.terminate(signal.SIGTERM, None)
    assert (first.value.signum, first.value.name) == (signal.SIGTERM, "SIGTERM")
    now[0] += stops.GRACE_SECONDS / 2
    stops.terminate(signal.SIGHUP, None)  # ignored: still unwinding
    now[0] += stops.GRACE_SECONDS
    with pytest.raises(stops.Stopped):
        stops.terminate(signal.SIGHUP, None)
    assert stops.requested == [signal.SIGTERM, signal.SIGHUP, signal.SIGHUP]


def test_a_stop_is_found_behind_the_import_error_it_caused() -> None:
    try:
        try:
            raise stops.Stopped(signal.SIGHUP)
        except KeyboardInterrupt as stop:
            raise ImportError("initialization failed") from stop
    except ImportError as exc:
        cause = stops.stop_cause(exc)
        assert isinstance(cause, stops.Stopped) and cause.signum == signal.SIGHUP
    assert stops.stop_cause(ImportError("no module named x")) is None


def test_a_backtest_stopped_while_it_writes_its_scoreboard_leaves_no_hidden_folder_and_resumes(
    tmp_path: Path, monkeypatch
) -> None:
    import crisis_sim.experiments.backtest.figure as figure
    from crisis_sim.batch.api import BatchStopped
    from crisis_sim.experiments.backtest.run import run_backtest

    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("us_guatemala_safe_third_2019", "saudi_canada_2018"):
        text = (CASES / f"{name}.yaml").read_text().replace("rounds: 1096", "rounds: 20")
        (cases / f"{name}.yaml").write_text(text)
    drawn = figure.save_scoreboard

    def stopped(table, path):
        raise BatchStopped(signal.SIGTERM)

    monkeypatch.setattr(figure, "save_scoreboard", stopped)
    out = tmp_path / "bt"
    with pytest.raises(BatchStopped):
        run_backtest(cases, 2, out=out, workers=1)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".crisis-sim"]
    assert not (out / "backtest.csv").exists()
    monkeypatch.setattr(figure, "save_scoreboard", drawn)
    result = run_backtest(cases, 2, out=out, workers=1, resume=True)
    assert (result.path / "backtest.csv").is_file()
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".crisis-sim"]


def test_a_stop_while_a_results_folder_is_swapped_in_leaves_the_new_one_and_nothing_hidden(
    tmp_path: Path, monkeypatch
) -> None:
    """``rebuilt`` (a sensitivity's or a calibration's results folder): a stop that cuts short the
    removal of the old contents still leaves the new ones in place and no hidden folder."""
    import shutil

    from crisis_sim.runs import safe_folders

    target = tmp_path / "calibration"
    target.mkdir()
    (target / "old.txt").write_text("old")
    real = shutil.rmtree
    cut: list[str] = []

    def rmtree(path, *args, **kwargs):
        if ".old-" in str(path) and not cut:
            cut.append(str(path))
            raise stops.Stopped(signal.SIGTERM)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(safe_folders.shutil, "rmtree", rmtree)
    with pytest.raises(stops.Stopped), safe_folders.rebuilt(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert cut
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calibration"]
    assert [p.name for p in target.iterdir()] == ["new.txt"]


def test_a_stop_inside_the_block_keeps_the_old_results_and_nothing_hidden(tmp_path: Path) -> None:
    from crisis_sim.runs.safe_folders import rebuilt

    target = tmp_path / "sensitivity"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(stops.Stopped), rebuilt(target) as tmp:
        (tmp / "half.txt").write_text("half")
        raise stops.Stopped(signal.SIGHUP)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sensitivity"]
    assert [p.name for p in target.iterdir()] == ["old.txt"]


def test_an_error_that_a_stop_became_with_the_stop_lost_is_still_the_stop(batch_folder: Path) -> None:
    """pandas' compiled modules, initialising when the stop lands, can lose it on the way: a
    SystemError raised from an ImportError, neither of them the stop. Once a stop signal came,
    the command reports the stop, in one line, not the error's traceback."""
    patch = """
        import signal
        from crisis_sim.batch import stops
        import crisis_sim.present.plots as plots
        def save_group_plots(*args, **kwargs):
            stops.seen.append(int(signal.SIGTERM))
            try:
                raise ImportError('PyCapsule_Import could not import module "pandas"')
            except ImportError as exc:
                raise SystemError("returned a result with an exception set") from exc
        plots.save_group_plots = save_group_plots
    """
    done = subprocess.run(_command_line(["plot", str(batch_folder)], patch), capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stderr) == (128 + signal.SIGTERM, "stopped by SIGTERM\n")
    unstopped = patch.replace("stops.seen.append(int(signal.SIGTERM))", "pass")
    done = subprocess.run(_command_line(["plot", str(batch_folder)], unstopped), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" in done.stderr  # no stop came: a bug, as it is


@pytest.mark.parametrize(("stop", "raised"), [("KeyboardInterrupt()", "KeyboardInterrupt"),
                                              ("stops.Stopped(signal.SIGTERM)", "Stopped")])
def test_a_stop_dropped_where_python_cannot_raise_it_is_raised_again(stop: str, raised: str) -> None:
    """Python drops a KeyboardInterrupt raised inside a finaliser or a weak-reference callback (it
    reports it as unraisable); the command would then carry on through a long write with no check
    of its own. The stop is raised again in the main thread a moment later (a SIGTERM's after its
    grace period), once."""
    script = textwrap.dedent(f"""
        import signal, sys, time
        from crisis_sim.batch import stops
        stops.install()
        class Dropped:  # what Python hands sys.unraisablehook
            exc_type, exc_traceback, err_msg, object = None, None, None, None
            exc_value = {stop}
        began = time.monotonic()
        sys.unraisablehook(Dropped())
        sys.unraisablehook(Dropped())  # dropped twice: raised again once
        try:
            time.sleep(10)
        except KeyboardInterrupt as exc:
            print(type(exc).__name__, round(time.monotonic() - began, 1))
        try:
            time.sleep(3)
            print("once")
        except KeyboardInterrupt:
            print("twice")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    name, seconds, once = out.stdout.split()
    assert name == raised and once == "once", out
    assert (2.0 <= float(seconds) < 5.0) if raised == "Stopped" else float(seconds) < 2.0, out
