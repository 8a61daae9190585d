"""The command line end to end: run, validate, schema, list, --help.

Most calls go through typer's CliRunner; a few start a real process with
``sys.executable -m crisis_sim`` to check real exit codes and streams.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from conftest import PROJECT
from crisis_sim.cli import app
from crisis_sim.cli.run import default_out_dir
from crisis_sim.core.types import MeasureState, Outcome

runner = CliRunner()

RUN_FILES = {
    ".crisis-sim",
    "manifest.json",
    "scenario.yaml",
    "trajectory.csv",
    "actors.csv",
    "events.jsonl",
    "outcome.json",
    "escalation.png",
    "costs_approval.png",
}
MEASURE_STATES = {state.label for state in MeasureState}


def invoke(*args: str):
    return runner.invoke(app, list(args))


def python_m(
    *args: str, cwd: Path | None = None, flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *flags, "-m", "crisis_sim", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The bundled default scenario run once with seed 1: (folder, stdout)."""
    out = tmp_path_factory.mktemp("cli") / "run"
    result = invoke("run", "--seed", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out, result.stdout


# --------------------------------------------------------------------------
# run
# --------------------------------------------------------------------------


def test_run_writes_every_file(default_run: tuple[Path, str]) -> None:
    out, _ = default_run
    assert {p.name for p in out.iterdir()} == RUN_FILES
    assert [p.name for p in out.parent.iterdir()] == ["run"]  # no temporary folders left


def test_run_outcome_has_the_promised_fields(default_run: tuple[Path, str]) -> None:
    out, _ = default_run
    outcome = json.loads((out / "outcome.json").read_text(encoding="utf-8"))
    assert outcome["outcome"] in {o.value for o in Outcome}
    assert "decided_round" in outcome and "decided_at_hours" in outcome
    assert outcome["decided_round"] is not None, "the default scenario, seed 1, is decided"
    assert isinstance(outcome["decided_at_hours"], int | float)
    scenario = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert set(outcome["measures"]) == set(scenario["measures"])
    for measure in outcome["measures"].values():
        assert measure["furthest"] in MEASURE_STATES


def test_run_manifest_records_how_to_reproduce(default_run: tuple[Path, str]) -> None:
    out, _ = default_run
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"] == "us_colombia_2025"
    assert manifest["seed"] == 1
    assert manifest["command"][:5] == ["crisis-sim", "run", "us_colombia_2025", "--seed", "1"]
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["scenario_sha256"])
    assert manifest["versions"]["mesa"].startswith("3.")


def test_run_prints_a_short_summary(default_run: tuple[Path, str]) -> None:
    out, stdout = default_run
    outcome = json.loads((out / "outcome.json").read_text(encoding="utf-8"))
    assert outcome["outcome"].replace("_", " ") in stdout
    for heading in ("Outcome:", "Decided at:", "Ran until:", "reached", "at the end", "cost (USD bn)"):
        assert heading in stdout
    reached = {
        "imposed": "imposed",
        "threatened": "threatened only",
        "suspended": "threatened only",
    }
    for measure in outcome["measures"].values():
        (line,) = [
            line for line in stdout.splitlines() if line.strip().startswith(measure["label"])
        ]
        assert reached.get(measure["furthest"], "not used") in line
        assert measure["final"] in line
    assert "United States" in stdout and "Colombia" in stdout
    assert "approval (%)" in stdout  # in percent, as the figures and summary.md give it
    (colombia,) = [line for line in stdout.splitlines() if line.strip().startswith("Colombia ")]
    assert colombia.split()[-1] == f"{100 * outcome['approval']['colombia']:.1f}"
    assert f"Run folder: {out}" in stdout
    assert outcome["turning_points"], "the default scenario, seed 1, has turning points"
    assert "Turning points:" in stdout
    for point in outcome["turning_points"]:
        assert point["text"] in stdout


def test_a_demand_that_is_not_the_flights_is_summarised_in_its_own_words(tmp_path: Path) -> None:
    """A case whose demand is not the flights (Guatemala's safe-third-country agreement) says
    when the demand was carried out, not when a flight landed; the founding case keeps its flights."""
    case = PROJECT / "cases" / "us_guatemala_safe_third_2019.yaml"
    result = runner.invoke(app, ["run", str(case), "--seed", "0", "--out", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    outcome = json.loads((tmp_path / "run" / "outcome.json").read_text(encoding="utf-8"))
    assert outcome["first_flight_hours"] is not None and outcome["stopped_early"]
    assert "Demand carried out after" in result.stdout
    assert "the demand carried out)" in result.stdout
    assert "flight" not in result.stdout.lower()


def test_run_json_without_out_writes_no_folder(
    default_run: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``run --json`` is for pipes: the outcome on stdout, no run folder unless --out asks for one."""
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "--seed", "1", "--json")
    assert result.exit_code == 0, result.output
    first, _ = default_run  # same seed: the same outcome.json, byte for byte
    assert result.stdout == (first / "outcome.json").read_text(encoding="utf-8")
    assert list(tmp_path.iterdir()) == []
    campaign = invoke("run", str(PROJECT / "examples" / "campaigns" / "backed_down.yaml"), "--json")
    assert campaign.exit_code == 0, campaign.output
    assert [c["crisis"] for c in json.loads(campaign.stdout)["crises"]] == [1, 2]
    assert list(tmp_path.iterdir()) == []


def test_run_json_prints_exactly_outcome_json(
    default_run: tuple[Path, str], tmp_path: Path
) -> None:
    result = invoke("run", "--seed", "1", "--out", str(tmp_path / "j"), "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)  # nothing but JSON on stdout
    written = (tmp_path / "j" / "outcome.json").read_text(encoding="utf-8")
    assert result.stdout == written
    assert printed == json.loads(written)
    first, _ = default_run  # same seed: the same outcome
    assert written == (first / "outcome.json").read_text(encoding="utf-8")
    assert not (tmp_path / "j" / "escalation.png").exists()


def test_same_seed_same_files_different_seed_differs(
    default_run: tuple[Path, str], tmp_path: Path
) -> None:
    first, _ = default_run
    again = tmp_path / "again"
    assert invoke("run", "--seed", "1", "--out", str(again), "--no-plots").exit_code == 0
    for name in ("scenario.yaml", "trajectory.csv", "actors.csv", "events.jsonl", "outcome.json"):
        assert (again / name).read_bytes() == (first / name).read_bytes(), name
    other = tmp_path / "other"
    assert invoke("run", "--seed", "2", "--out", str(other), "--no-plots").exit_code == 0
    differs = [
        name
        for name in ("actors.csv", "events.jsonl", "trajectory.csv")
        if (other / name).read_bytes() != (first / name).read_bytes()
    ]
    assert differs  # private resolve is drawn anew, at the least


def test_set_overrides_show_in_the_kept_scenario(tmp_path: Path) -> None:
    out = tmp_path / "set"
    result = invoke(
        "run",
        "--seed",
        "1",
        "--out",
        str(out),
        "--no-plots",
        "--set",
        "actors.colombia.resolve.mean=0.9",
        "--set",
        "decision_noise=0.1",
    )
    assert result.exit_code == 0, result.output
    kept = yaml.safe_load((out / "scenario.yaml").read_text(encoding="utf-8"))
    assert kept["actors"]["colombia"]["resolve"]["mean"] == 0.9
    assert kept["decision_noise"] == 0.1
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "actors.colombia.resolve.mean=0.9" in manifest["command"]


def test_a_file_path_runs_too(scenario_file: Path, tmp_path: Path) -> None:
    result = invoke("run", str(scenario_file), "--out", str(tmp_path / "small"), "--no-plots")
    assert result.exit_code == 0, result.output
    assert "A small deportation-flight crisis" in result.stdout


def test_existing_folder_is_kept_without_force(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert invoke("run", "--seed", "1", "--out", str(out), "--no-plots").exit_code == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    result = invoke("run", "--seed", "2", "--out", str(out), "--no-plots")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == f"{out}: already exists; use --force to replace it"
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()} == before

    result = invoke("run", "--seed", "2", "--out", str(out), "--no-plots", "--force")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["seed"] == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_force_will_not_replace_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    result = invoke("run", "--out", str(tmp_path / "mine"), "--force", "--no-plots")
    assert result.exit_code == 2
    assert "not a run folder" in result.stderr
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_default_out_dir_is_timestamped_under_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("run", "--seed", "3", "--no-plots")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "runs").iterdir()
    assert re.fullmatch(r"us_colombia_2025-seed3-\d{8}T\d{6}", folder.name)
    assert f"Run folder: runs/{folder.name}" in result.stdout


def test_default_out_dirs_never_collide(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    now = datetime(2025, 1, 26, 8, 41, tzinfo=UTC)
    first = default_out_dir("x", 0, now)
    assert first == Path("runs/x-seed0-20250126T084100")
    first.mkdir(parents=True)
    second = default_out_dir("x", 0, now)
    assert second == Path("runs/x-seed0-20250126T084100-2")
    second.mkdir()
    assert default_out_dir("x", 0, now) == Path("runs/x-seed0-20250126T084100-3")


def test_unexpected_error_exits_1_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crisis_sim.runs.single_run

    def broken(scenario, seed):
        raise RuntimeError("model bug")

    monkeypatch.setattr(crisis_sim.runs.single_run, "run_scenario", broken)
    result = invoke("run", "--out", str(tmp_path / "run"))
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# validate, schema, list, help
# --------------------------------------------------------------------------


def test_validate_reports_each_file(scenario_file: Path, tmp_path: Path) -> None:
    result = invoke("validate", str(scenario_file), "us_colombia_2025")
    assert result.exit_code == 0, result.output
    ok = ": ok (scenario format 2, the current one)"
    assert result.stdout.splitlines() == [f"{scenario_file}{ok}", f"us_colombia_2025{ok}"]

    missing = tmp_path / "missing.yaml"
    result = invoke("validate", str(scenario_file), str(missing))
    assert result.exit_code == 2
    assert result.stdout.splitlines() == [f"{scenario_file}{ok}"]
    assert result.stderr.splitlines() == [f"{missing}: no such file"]


def test_every_bundled_scenario_validates() -> None:
    from crisis_sim.scenario import bundled_scenarios

    names = list(bundled_scenarios())
    assert "us_colombia_2025" in names
    result = invoke("validate", *names)
    assert result.exit_code == 0, result.output


def test_schema_is_the_json_schema_of_scenarios() -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Scenario"
    assert {"name", "actors", "measures", "issues", "rounds"} <= set(schema["properties"])
    assert "Actor" in schema["$defs"]


def test_list_shows_scenarios_and_policies() -> None:
    from crisis_sim.core.policy import REGISTRY
    from crisis_sim.scenario import bundled_scenarios

    result = invoke("list")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    for name in bundled_scenarios():
        assert any(line.split()[:1] == [name] for line in lines), name
    for name, policy in REGISTRY.items():
        (line,) = [line for line in lines if line.split()[:1] == [name]]
        assert policy.summary in line


def test_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("run", "validate", "schema", "list"):
        assert command in result.stdout
    assert invoke("run", "--help").exit_code == 0


def test_version() -> None:
    from crisis_sim import __version__

    for flag in ("--version", "-V"):
        result = invoke(flag)
        assert result.exit_code == 0
        assert result.stdout.strip() == f"crisis-sim {__version__}"


def test_shell_completion_offered() -> None:
    """typer's completion options are on the root command (issue 15, item 5)."""
    result = invoke("--help")
    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--seed", "many"],
        ["run", "--seed", "-1"],
        ["run", "--no-such-flag"],
        ["frobnicate"],
        ["validate"],
    ],
)
def test_bad_flags_exit_2(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------
# Real processes: python -m crisis_sim
# --------------------------------------------------------------------------


def test_python_m_runs_and_prints_json(default_run: tuple[Path, str], tmp_path: Path) -> None:
    first, _ = default_run
    out = tmp_path / "sub"
    shutil.copytree(first, out)  # a run folder to replace: --force asks whether a batch holds it
    args = ("run", "--seed", "1", "--out", str(out), "--json", "--no-plots", "--force")
    done = python_m(*args, flags=("-X", "importtime"))
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    assert said == []  # quiet when not on a terminal
    # and what a run without plots does not need is not imported (start-up time)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "crisis_sim.runs.single_run" in imported
    unused = ("matplotlib", "scipy.stats", "crisis_sim.batch.api", "crisis_sim.present.plots",
              "crisis_sim.present.narrate", "crisis_sim.analysis")
    assert [m for m in unused if m in imported] == []
    assert done.stdout == (first / "outcome.json").read_text(encoding="utf-8")


def test_python_m_bad_input_exits_2_without_traceback(tmp_path: Path) -> None:
    done = python_m("run", str(tmp_path / "nope.yaml"), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [f"{tmp_path / 'nope.yaml'}: no such file"]
    assert list(tmp_path.iterdir()) == []


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys\n"
        "from crisis_sim.cli import app\n"
        "try:\n"
        "    app(['--help'], prog_name='crisis-sim')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('mesa', 'pandas', 'matplotlib', 'numpy', 'pydantic')"
        " if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "HEAVY []" in done.stdout, done.stdout + done.stderr


def test_new_copies_a_bundled_scenario_under_a_new_name(tmp_path: Path) -> None:
    target = tmp_path / "my_case.yaml"
    result = invoke("new", "my_case", "--from", "us_colombia_2025_firm", "--out", str(target))
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "ASSUMPTION" in text  # comments and notes are kept
    assert invoke("diff", "us_colombia_2025_firm", str(target)).stdout.splitlines() == [
        'name: "us_colombia_2025_firm" -> "my_case"']
    again = invoke("new", "my_case", "--out", str(target))
    assert again.exit_code == 2 and "already exists" in again.output
    assert invoke("new", "Bad-Name", "--out", str(tmp_path / "x.yaml")).exit_code == 2
    assert not (tmp_path / "x.yaml").exists()


def test_diff_lists_the_fields_a_what_if_changed() -> None:
    result = invoke("diff", "us_colombia_2025", "us_colombia_2025_firm")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "actors.colombia.resolve.mean: 0.5 -> 0.8" in lines
    assert "trade.0.usd_bn: 14.3 -> 7.15" in lines
    assert "measures.co_counter_tariff.political_pressure: 0.0 -> 0.0015" in lines
    assert [line for line in lines if line.startswith("actors.united_states.")] == [
        "actors.united_states.resolve.sd: 0.1 -> 0.3"]
    assert invoke("diff", "us_colombia_2025", "us_colombia_2025").stdout.strip().endswith("no differences")
    assert invoke("diff", "us_colombia_2025", "no_such").exit_code == 2

