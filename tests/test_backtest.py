"""The historical back-test: scoring on synthetic tables, the ``history`` block and an
issue's ``demand`` in the schema, the bundled case files, and ``crisis-sim backtest``
end to end on two shortened cases (bad input: one line, exit 2, nothing written)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from crisis_sim.cli import app
from crisis_sim.core.schema import History, Scenario
from crisis_sim.experiments.backtest.scoring import (
    Observed,
    brier_score,
    imposed_sets,
    log10_time_ratio,
    median_decision_hours,
    modal,
    outcome_shares,
    overall_scores,
    score_case,
    scoreboard,
    scoreboard_markdown,
)
from crisis_sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"
runner = CliRunner()


def runs_table(outcomes: list[str], hours: list[float | None], tariff: list[str]) -> pd.DataFrame:
    """A synthetic runs table with the columns the scoring reads."""
    return pd.DataFrame({
        "run_id": range(len(outcomes)),
        "outcome": outcomes,
        "decided_at_hours": [math.nan if h is None else h for h in hours],
        "furthest_tariff": tariff,
        "furthest_visas": ["imposed"] * len(outcomes),
    })


# ---- scoring, on synthetic tables


def test_outcome_shares_cover_every_class_and_refuse_unknown_ones() -> None:
    shares = outcome_shares(["target_concedes"] * 3 + ["standoff"])
    assert shares["target_concedes"] == 0.75 and shares["standoff"] == 0.25
    assert shares["mutual_escalation"] == 0.0 and len(shares) == 7
    assert shares["claimed_by_both"] == shares["defused"] == 0.0
    with pytest.raises(ValueError, match="unknown"):
        outcome_shares(["victory"])
    with pytest.raises(ValueError, match="no runs"):
        outcome_shares([])


def test_brier_score_is_zero_when_certain_and_right_two_when_certain_and_wrong() -> None:
    certain = outcome_shares(["standoff"] * 4)
    assert brier_score(certain, "standoff") == 0.0
    assert brier_score(certain, "target_concedes") == 2.0
    even = dict.fromkeys(certain, 0.2)  # seven classes at 0.2: 0.8² + 6 × 0.2²
    assert brier_score(even, "standoff") == pytest.approx(0.88)
    half = outcome_shares(["standoff", "target_concedes"])
    assert brier_score(half, "standoff") == pytest.approx(0.5)


def test_median_counts_undecided_runs_as_latest() -> None:
    assert median_decision_hours([10, 20, 30]) == 20
    assert median_decision_hours([10, None, math.nan]) is None
    assert median_decision_hours([10, 20, None]) == 20
    assert median_decision_hours([10, 30, None, None]) is None
    assert median_decision_hours([10, 30, 50, None]) == 40


def test_log10_time_ratio() -> None:
    assert log10_time_ratio(240.0, 24.0) == pytest.approx(1.0)
    assert log10_time_ratio(12.0, 120.0) == pytest.approx(-1.0)
    assert log10_time_ratio(None, 24.0) is None
    assert log10_time_ratio(24.0, None) is None
    assert log10_time_ratio(0.0, 10.0) == pytest.approx(-1.0)  # hour 0 taken as one hour


def test_imposed_sets_and_a_mode_that_never_depends_on_chance() -> None:
    table = runs_table(["standoff"] * 3, [None] * 3, ["imposed", "threatened", "lifted"])
    assert imposed_sets(table, ["tariff", "visas", "absent"]) == [
        frozenset({"tariff", "visas"}), frozenset({"visas"}), frozenset({"visas"})]
    assert modal(["b", "a", "a", "b"], ["a", "b"]) == ("a", 2)
    assert modal(["b", "a", "a", "b"]) == ("b", 2)


def test_score_case_row() -> None:
    table = runs_table(
        ["target_concedes"] * 6 + ["standoff"] * 4,
        [48.0] * 6 + [None] * 4,
        ["threatened"] * 7 + ["imposed"] * 3,
    )
    observed = Observed("target_concedes", 24.0, frozenset({"visas"}), "docs/sources.md §5 C0.1")
    row = score_case("c", table, observed, ["tariff", "visas"])
    assert row["runs"] == 10 and row["share_observed"] == 0.6
    assert row["share_observed_lo"] < 0.6 < row["share_observed_hi"]
    assert row["modal_outcome"] == "target_concedes" and row["outcome_match"]
    assert row["brier"] == pytest.approx(0.4**2 + 0.4**2)
    assert row["median_hours"] == 48.0
    assert row["log10_time_ratio"] == pytest.approx(math.log10(2)) and row["time_match"]
    assert row["measures_match_share"] == 0.7 and row["measures_match"]
    assert row["modal_measures"] == "visas"
    both = frozenset({"tariff", "visas"})
    missed = score_case("c", table, Observed("standoff", None, both), ["tariff", "visas"])
    assert not missed["outcome_match"] and not missed["measures_match"]
    assert missed["log10_time_ratio"] is None and missed["time_match"] is None
    with pytest.raises(ValueError, match="unknown outcome"):
        Observed("victory", None, frozenset())


def test_overall_scores_and_markdown_have_one_line_per_case() -> None:
    good = score_case("good", runs_table(["standoff"] * 4, [None] * 4, ["imposed"] * 4),
                      Observed("standoff", None, frozenset({"tariff", "visas"})), ["tariff", "visas"])
    slow = score_case("slow", runs_table(["target_concedes"] * 4, [1000.0] * 4, ["available"] * 4),
                      Observed("target_concedes", 10.0, frozenset()), ["tariff", "visas"])
    table = scoreboard([good, slow])
    overall = overall_scores(table)
    assert overall["cases"] == 2 and overall["outcome_matches"] == 2
    assert overall["timed_cases"] == 1 and overall["time_matches"] == 0
    assert overall["median_abs_log10_time_ratio"] == pytest.approx(2.0)
    assert overall["measures_matches"] == 1
    assert overall["mean_brier"] == 0.0
    text = scoreboard_markdown(table, overall, runs=4, seed=0)
    assert sum(line.startswith(("| good", "| slow")) for line in text.splitlines()) == 2
    assert "in 2 of 2 cases" in text


# ---- the schema: history and demand


def _history(**fields) -> History:
    return History(**{"outcome": "target_concedes", "source": "docs/sources.md §5 C3.4", **fields})


def test_history_block_reads_days_or_hours_not_both() -> None:
    assert _history(decided_after_days=2).decided_hours == 48.0
    assert _history(decided_after_hours=7).decided_hours == 7.0
    assert _history().decided_hours is None
    with pytest.raises(ValidationError, match="not both"):
        _history(decided_after_hours=7, decided_after_days=1)
    with pytest.raises(ValidationError):
        _history(outcome="victory")
    with pytest.raises(ValidationError):
        _history(decided_after_days=-1)


def test_history_names_measures_of_the_catalogue(tmp_path: Path) -> None:
    data = yaml.safe_load((CASES / "us_guatemala_safe_third_2019.yaml").read_text())
    data["history"]["measures_imposed"] = ["us_tariff", "us_wall"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(bad)
    assert caught.value.problems == [
        f"{bad}: history.measures_imposed.1: unknown measure 'us_wall'; measures are "
        "us_remittance_fees, us_tariff, us_travel_ban"]


def test_optional_blocks_leave_existing_scenarios_hashing_as_before() -> None:
    scenario = load_scenario("chicken_audience_costs")
    assert scenario.history is None and scenario.issues[0].demand is None
    assert "history" not in scenario.to_yaml() and "demand" not in scenario.to_yaml()
    case = load_scenario(CASES / "us_turkey_brunson_2018.yaml")
    again = Scenario.model_validate(yaml.safe_load(case.to_yaml()))
    assert again == case and again.content_hash() == case.content_hash()
    assert case.issues[0].demand.label == "release pastor Brunson"


def test_every_case_file_loads_with_a_history() -> None:
    files = sorted(CASES.glob("*.yaml"))
    assert len(files) >= 9  # eight or more besides the founding case
    assert load_scenario("us_colombia_2025") == load_scenario(CASES / "us_colombia_2025.yaml")
    outcomes = {load_scenario(f).history.outcome.value for f in files}
    assert {"target_concedes", "initiator_backs_down", "negotiated_settlement", "standoff"} <= outcomes


def test_narration_tells_the_demand_in_its_own_words() -> None:
    from crisis_sim.present.narrate import narrate
    from crisis_sim.runs import run_scenario

    scenario = load_scenario(CASES / "us_turkey_brunson_2018.yaml", ["rounds=20"])
    text = narrate(run_scenario(scenario, 0))
    assert "demands that Turkey release pastor Brunson" in text
    assert "the demand of the United States to release pastor Brunson" in text
    assert "flight" not in text


# ---- crisis-sim backtest, end to end


@pytest.fixture
def two_cases(tmp_path: Path) -> Path:
    """Two real cases cut to a short horizon, so that the test stays cheap."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("us_guatemala_safe_third_2019", "saudi_canada_2018"):
        text = (CASES / f"{name}.yaml").read_text().replace("rounds: 1096", "rounds: 30")
        (folder / f"{name}.yaml").write_text(text)
    return folder


def test_backtest_writes_the_scoreboard(two_cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "bt"
    result = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--workers", "1",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "saudi_canada_2018" in result.stdout and "Modal outcome matches history in" in result.stdout
    table = pd.read_parquet(out / "backtest.parquet")
    assert list(table["case"]) == ["saudi_canada_2018", "us_guatemala_safe_third_2019"]
    assert (table["runs"] == 5).all()
    assert pd.read_csv(out / "backtest.csv")["observed_outcome"].tolist() == ["standoff", "target_concedes"]
    markdown = (out / "backtest.md").read_text()
    assert sum(line.startswith(("| saudi", "| us_guat")) for line in markdown.splitlines()) == 2
    assert (out / "cases" / "saudi_canada_2018" / "manifest.json").is_file()
    again = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    as_json = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--workers", "1",
                                  "--out", str(out), "--force", "--json"])
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    assert [c["case"] for c in document["cases"]] == list(table["case"])
    assert document["cases"][0]["log10_time_ratio"] is None  # a standoff has no time
    assert document["overall"]["cases"] == 2


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda d: d.pop("history"), "history: required for a back-test case"),
        (lambda d: d["history"].update(outcome="victory"), "history.outcome:"),
        (lambda d: d["history"].update(decided_after_days=-3), "history.decided_after_days: must be >= 0"),
        (lambda d: d["issues"][0]["demand"].update(kind="ransom"), "issues.0.demand.kind:"),
    ],
)
def test_a_bad_case_file_exits_2_in_one_line_and_writes_nothing(
    two_cases: Path, tmp_path: Path, edit, expected: str
) -> None:
    file = two_cases / "us_guatemala_safe_third_2019.yaml"
    data = yaml.safe_load(file.read_text())
    edit(data)
    file.write_text(yaml.safe_dump(data))
    out = tmp_path / "bt"
    result = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--out", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{file}: {expected}"), result.stderr
    assert not out.exists() and result.stdout == ""


def test_an_empty_or_missing_folder_exits_2(tmp_path: Path) -> None:
    for folder in (tmp_path, tmp_path / "nope"):
        result = runner.invoke(app, ["backtest", str(folder), "--out", str(tmp_path / "bt")])
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr


def test_the_default_cases_are_the_installed_ones_and_the_project_s() -> None:
    """With no folder, back-test and calibration read crisis_sim.cases: in a checkout, cases/ itself."""
    from crisis_sim.experiments.backtest.run import cases_folder
    from crisis_sim.scenario.files import installed_cases

    assert cases_folder(None) == installed_cases()
    assert installed_cases().resolve() == CASES.resolve()
    assert cases_folder("elsewhere") == Path("elsewhere")
