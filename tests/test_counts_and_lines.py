"""Every count a user gives is capped before anything is written; every usage error is one line
and exit 2; what the commands print of the user's words carries no control characters.

The caps (docs/batch-format.md, "Limits"): ``backtest --runs`` (a case's batch is a batch),
``sensitivity --levels``, ``compare --resamples`` and ``play --runs``; ``backtest`` and
``calibrate`` check ``--workers`` and ``--engine`` before they make their folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import minimal_scenario_data, write_yaml
from crisis_sim.cli import app

runner = CliRunner()
CONTROL = "\x1b\x07\r\x9b"


def _one_line_exit_2(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["compare", "a", "b", "--resamples", "0"], "crisis-sim compare: Invalid value for '--resamples'"),
        (["plot", "a", "--bogus"], "crisis-sim plot: No such option: --bogus"),
        (["new"], "crisis-sim new: Missing argument 'NAME'"),
        (["export", "a", "--bogus"], "crisis-sim export: No such option: --bogus"),
        (["run", "--seed", "x"], "crisis-sim run: Invalid value for '--seed'"),
        (["diff", "a"], "crisis-sim diff: Missing argument 'B'"),
        (["bogus"], "crisis-sim: No such command 'bogus'"),
        (["--bogus"], "crisis-sim: No such option: --bogus"),
    ],
)
def test_a_usage_error_is_one_line_and_exit_2_for_every_command(args, said) -> None:
    assert _one_line_exit_2(runner.invoke(app, args)).startswith(said)


def test_backtest_refuses_too_many_runs_a_bad_engine_or_workers_before_making_its_folder(
    two_cases: Path, tmp_path: Path
) -> None:
    for flags, said in ((["-n", "1000001"], "--runs 1,000,001: at most 1,000,000 runs of a case"),
                        (["-n", "2", "--engine", "bogus"], "--engine bogus: unknown engine"),
                        (["-n", "2", "-w", "257"], "--workers: at most 256")):
        out = tmp_path / "bt"
        line = _one_line_exit_2(runner.invoke(app, ["backtest", str(two_cases), *flags, "--out", str(out)]))
        assert line.startswith(said)
        assert not out.exists() and not out.is_symlink()
    line = _one_line_exit_2(runner.invoke(app, ["backtest", str(two_cases), "-n", "1000001", "--estimate"]))
    assert line.startswith("--runs 1,000,001")


def test_run_backtest_checks_its_numbers_before_the_folder_too(two_cases: Path, tmp_path: Path) -> None:
    from crisis_sim.batch.folder import BatchError
    from crisis_sim.experiments.backtest.run import run_backtest

    with pytest.raises(BatchError, match="at most 1,000,000 runs of a case"):
        run_backtest(two_cases, 1_000_001, out=tmp_path / "bt")
    with pytest.raises(BatchError, match="unknown engine"):
        run_backtest(two_cases, 2, out=tmp_path / "bt", engine="nope")
    assert not (tmp_path / "bt").exists()


def test_calibrate_refuses_a_bad_engine_or_workers_before_the_pilot_and_the_folder(
    two_cases: Path, tmp_path: Path
) -> None:
    for flags, said in ((["--engine", "bogus"], "--engine bogus: unknown engine"),
                        (["-w", "300"], "--workers: at most 256")):
        out = tmp_path / "cal"
        result = runner.invoke(app, ["calibrate", str(two_cases), "--draws", "2", "--runs", "2", *flags,
                                     "--out", str(out)])
        assert _one_line_exit_2(result).startswith(said)
        assert "pilot" not in result.stderr and not out.exists()


def test_sensitivity_caps_the_morris_levels(tmp_path: Path) -> None:
    scenario = write_yaml(tmp_path / "s.yaml", minimal_scenario_data())
    out = tmp_path / "sens"
    result = runner.invoke(app, ["sensitivity", str(scenario), "--param", "rounds=2:5", "--levels", "1002",
                                 "--out", str(out)])
    assert _one_line_exit_2(result) == "--levels: at most 1,000, got 1,002"
    assert not out.exists()


def test_compare_caps_the_resamples_before_writing(tmp_path: Path) -> None:
    from crisis_sim.batch import run_batch

    scenario = write_yaml(tmp_path / "s.yaml", minimal_scenario_data())
    batch = run_batch(str(scenario), 5, workers=1, out=tmp_path / "b").path
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(batch), str(batch), "--resamples", "100001",
                                 "--out", str(out)])
    assert _one_line_exit_2(result) == "--resamples: at most 100,000, got 100,001"
    assert not out.exists()


def test_play_caps_the_runs_of_its_debrief() -> None:
    result = runner.invoke(app, ["play", "--as", "colombia", "--runs", "10001"], input="q\n")
    assert _one_line_exit_2(result).startswith("crisis-sim play: Invalid value for '--runs'")


def test_new_diff_and_export_print_no_control_characters(tmp_path: Path, monkeypatch) -> None:
    from crisis_sim.batch import run_batch

    monkeypatch.chdir(tmp_path)
    target = f"a{CONTROL}b.yaml"
    made = runner.invoke(app, ["new", "copy", "--out", target])
    assert made.exit_code == 0, made.output
    assert Path(target).is_file()
    assert "ab.yaml: new scenario 'copy'" in made.stdout
    same = runner.invoke(app, ["diff", target, target])
    assert same.stdout == "ab.yaml and ab.yaml: no differences\n"
    scenario = write_yaml(tmp_path / "s.yaml", minimal_scenario_data())
    batch = run_batch(str(scenario), 5, workers=1, out=tmp_path / "b").path
    exported = runner.invoke(app, ["export", str(batch), "--out", f"x{CONTROL}y"])
    assert exported.exit_code == 0, exported.output
    assert "xy" in exported.stdout
    for result in (made, same, exported):
        assert not any(c in result.output for c in CONTROL), repr(result.output)


def test_play_echoes_a_piped_answer_without_its_control_characters() -> None:
    result = runner.invoke(app, ["play", "--as", "colombia", "--runs", "0"], input=f"zz{CONTROL}\nq\n")
    assert result.exit_code == 0, result.output
    assert "> zz" in result.stdout
    assert not any(c in result.output for c in CONTROL), repr(result.output[-300:])


def test_dashboard_refuses_an_address_it_cannot_listen_on_in_one_line() -> None:
    from crisis_sim.cli.dashboard import missing_viz_modules

    if missing_viz_modules():
        pytest.skip("the viz extra is not installed")
    result = runner.invoke(app, ["dashboard", "--host", f"no{CONTROL}such.invalid", "--port", "8799",
                                 "--no-open"])
    line = _one_line_exit_2(result)
    assert line.startswith("--host nosuch.invalid: not an address to listen on")
    assert result.stdout == ""
