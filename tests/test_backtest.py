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

from conftest import PROJECT
from crisis_sim.cli import app
from crisis_sim.core.schema import History, Scenario
from crisis_sim.experiments.backtest.rule import SHARED_BEHAVIOUR, departures
from crisis_sim.experiments.backtest.scoring import (
    BASELINE_COLUMNS,
    Observed,
    base_rate_forecast,
    brier_score,
    commonest_forecast,
    imposed_sets,
    leave_one_out_baselines,
    log10_time_ratio,
    median_decision_hours,
    modal,
    modal_match,
    outcome_shares,
    overall_scores,
    score_case,
    scoreboard,
    scoreboard_markdown,
    scoreboard_text,
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


# ---- baselines, leave-one-case-out, on a table worked by hand

TINY = {
    "a": ("target_concedes", 10.0),
    "b": ("target_concedes", 40.0),
    "c": ("standoff", None),
    "d": ("negotiated_settlement", 100.0),
}
"""Four records. Leaving out a (or b), the others hold one each of target_concedes,
standoff and negotiated_settlement: a three-way tie. Leaving out c (or d), target_concedes
twice and the other class once."""


def test_base_rate_and_commonest_class_forecasts() -> None:
    base = base_rate_forecast(["target_concedes", "target_concedes", "standoff"])
    assert base["target_concedes"] == pytest.approx(2 / 3) and base["standoff"] == pytest.approx(1 / 3)
    assert commonest_forecast(["target_concedes", "target_concedes", "standoff"])["target_concedes"] == 1.0
    tied = commonest_forecast(["standoff", "target_concedes"])
    assert tied["standoff"] == tied["target_concedes"] == 0.5 and sum(tied.values()) == 1.0
    assert modal_match(tied, "standoff") == 0.5 and modal_match(tied, "defused") == 0.0
    assert modal_match(base, "target_concedes") == 1.0
    with pytest.raises(ValueError, match="no runs"):
        base_rate_forecast([])


def test_leave_one_out_baselines_by_hand() -> None:
    got = leave_one_out_baselines(TINY)
    a, b, c, d = (got[k] for k in "abcd")
    # a: the others are one each of three classes; base rate = commonest = 1/3 each
    assert a["base_rate_share_observed"] == pytest.approx(1 / 3)
    assert a["base_rate_brier"] == pytest.approx((2 / 3) ** 2 + 2 * (1 / 3) ** 2)  # 2/3
    assert a["commonest_brier"] == pytest.approx(2 / 3)
    assert a["base_rate_match"] == a["commonest_match"] == pytest.approx(1 / 3)
    assert a["commonest_outcome"] == "target_concedes / negotiated_settlement / standoff"
    assert a["baseline_hours"] == 70.0  # median of 40 and 100
    assert a["baseline_log10_time_ratio"] == pytest.approx(math.log10(7.0)) and not a["baseline_time_match"]
    assert b["baseline_hours"] == 55.0 and b["baseline_time_match"]  # 55 / 40 is within a factor of 2
    # c: the others are target_concedes twice, negotiated_settlement once; c was a standoff
    assert c["base_rate_brier"] == pytest.approx(14 / 9)  # (2/3)² + (1/3)² + 1²
    assert c["commonest_outcome"] == "target_concedes"
    assert c["commonest_brier"] == 2.0 and c["commonest_match"] == 0.0 and c["base_rate_match"] == 0.0
    assert c["baseline_hours"] == 40.0  # median of 10, 40 and 100
    assert c["baseline_log10_time_ratio"] is None and c["baseline_time_match"] is None  # no observed time
    assert d["base_rate_brier"] == pytest.approx(14 / 9) and d["commonest_brier"] == 2.0
    assert d["baseline_hours"] == 25.0 and d["baseline_log10_time_ratio"] == pytest.approx(math.log10(0.25))
    assert set(a) == set(BASELINE_COLUMNS)
    assert leave_one_out_baselines({"only": ("standoff", None)})["only"] == dict.fromkeys(BASELINE_COLUMNS)


def test_baselines_depend_neither_on_order_nor_on_names() -> None:
    got = leave_one_out_baselines(TINY)
    renamed = {f"z{name}": TINY[name] for name in reversed(list(TINY))}
    again = leave_one_out_baselines(renamed)
    for name in TINY:
        assert again[f"z{name}"] == got[name]


def test_reference_records_feed_the_baselines_but_never_a_case_its_own_record() -> None:
    """Crises new to the model (here c alone) scored against baselines made from the records it
    knows (a, b, d): the same figures as leaving c out of all four; a reference record named as
    the scored case is its own, and is left out whatever it says."""
    alone = {"c": TINY["c"]}
    known = {name: TINY[name] for name in "abd"}
    with_reference = leave_one_out_baselines(alone, known)
    assert with_reference["c"] == leave_one_out_baselines(TINY)["c"]
    leaked = leave_one_out_baselines(alone, {**known, "c": ("standoff", None)})
    assert leaked["c"] == with_reference["c"]
    assert leave_one_out_baselines(alone)["c"] == dict.fromkeys(BASELINE_COLUMNS)  # nothing to learn from
    # the scored cases learn from each other and from the reference
    both = leave_one_out_baselines({"a": TINY["a"], "c": TINY["c"]}, {"b": TINY["b"], "d": TINY["d"]})
    assert both == {name: leave_one_out_baselines(TINY)[name] for name in "ac"}


def _tiny_case(name: str, outcomes: list[str], hours: float | None) -> dict:
    observed, when = TINY[name]
    table = runs_table(outcomes, [hours] * len(outcomes), ["available"] * len(outcomes))
    return score_case(name, table, Observed(observed, when, frozenset({"visas"})), ["tariff", "visas"])


def test_totals_say_whether_the_model_beats_each_baseline() -> None:
    good = [_tiny_case("a", ["target_concedes"] * 2, 10.0), _tiny_case("b", ["target_concedes"] * 2, 40.0),
            _tiny_case("c", ["standoff"] * 2, None), _tiny_case("d", ["standoff"] * 2, None)]
    table = scoreboard(good)
    assert list(table.columns) == [*table.columns[: -len(BASELINE_COLUMNS)], *BASELINE_COLUMNS]
    overall = overall_scores(table)
    # the model: Brier 0, 0, 0, 2 (mean 0.5), 3 modal matches, on time in a and b (d not decided)
    assert overall["mean_brier"] == 0.5 and overall["outcome_matches"] == 3 and overall["time_matches"] == 2
    assert overall["base_rate_mean_brier"] == pytest.approx(10 / 9)  # (2/3 + 2/3 + 14/9 + 14/9) / 4
    assert overall["commonest_mean_brier"] == pytest.approx(4 / 3)  # (2/3 + 2/3 + 2 + 2) / 4
    assert overall["base_rate_outcome_matches"] == pytest.approx(2 / 3)  # a third each for a and b
    assert overall["commonest_outcome_matches"] == pytest.approx(2 / 3)
    assert overall["observed_timed_cases"] == overall["baseline_timed_cases"] == 3
    assert overall["baseline_time_matches"] == 1  # b only
    assert overall["baseline_median_abs_log10_time_ratio"] == pytest.approx(math.log10(4))  # d: 25 h for 100
    assert overall["beats_base_rate_on_brier"] and overall["beats_commonest_on_brier"]
    assert overall["beats_base_rate_on_matches"] and overall["beats_commonest_on_matches"]
    assert overall["beats_median_time"]
    text = scoreboard_text(table, overall)
    assert "mean Brier 1.11, modal class matches in 0.67 of 4; the model beats it on Brier: yes" in text

    bad = [_tiny_case("a", ["standoff"] * 2, None), _tiny_case("b", ["standoff"] * 2, None),
           _tiny_case("c", ["target_concedes"] * 2, 5.0), _tiny_case("d", ["standoff"] * 2, None)]
    worse = overall_scores(scoreboard(bad))
    assert worse["mean_brier"] == 2.0 and worse["outcome_matches"] == 0 and worse["time_matches"] == 0
    assert not worse["beats_base_rate_on_brier"] and not worse["beats_commonest_on_matches"]
    assert not worse["beats_median_time"]
    assert "on modal matches: no" in scoreboard_text(scoreboard(bad), worse)
    json.dumps(worse, allow_nan=False)  # overall.json holds no NaN


def test_one_case_alone_has_no_baseline_and_still_writes_its_totals() -> None:
    table = scoreboard([_tiny_case("c", ["standoff"] * 2, None)])
    overall = overall_scores(table)
    assert overall["base_rate_mean_brier"] is None and overall["beats_base_rate_on_brier"] is None
    json.dumps(overall, allow_nan=False)
    assert "none, with no other case to learn from" in scoreboard_text(table, overall)


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
    outcomes = {load_scenario(f).history.outcome.value for f in files}
    assert {"target_concedes", "initiator_backs_down", "negotiated_settlement", "standoff"} <= outcomes


@pytest.mark.parametrize("file", sorted(CASES.glob("*.yaml")), ids=lambda f: f.stem)
def test_every_case_is_written_by_the_shared_rule(file: Path) -> None:
    assert not file.is_symlink()  # a case file of its own, not a bundled scenario
    data = yaml.safe_load(file.read_text())
    assert "events" not in data and "dynamics" not in data and "decision_noise" not in data
    assert departures(file, load_scenario(file)) == []


def test_a_case_that_departs_from_the_shared_rule_is_named_field_by_field_and_scored(
        two_cases: Path, tmp_path: Path) -> None:
    """A case file that states its own behaviour (here a bolder target and a back channel) is
    scored all the same, with one note per departure naming the file and the field."""
    file = two_cases / "saudi_canada_2018.yaml"
    data = yaml.safe_load(file.read_text())
    target = next(k for k, a in data["actors"].items() if a["role"] == "target")
    data["actors"][target]["resolve"]["mean"] = 0.7
    data["decision_noise"] = 0.01
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    shortened = f"{file}: rounds: 30; the shared rule: 1096"  # two_cases cuts the horizon
    mine = [shortened, f"{file}: decision_noise: stated; the shared rule: the fitted default, unstated",
            f"{file}: actors.{target}.resolve.mean: 0.7; the shared rule: 0.5"]
    assert departures(file, load_scenario(file)) == mine
    assert SHARED_BEHAVIOUR["target"]["resolve.mean"] == 0.5
    other = two_cases / "us_guatemala_safe_third_2019.yaml"
    expected = [*mine, f"{other}: rounds: 30; the shared rule: 1096"]  # files in name order
    out = tmp_path / "bt"
    args = ["backtest", str(two_cases), "--runs", "2", "--workers", "1", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "4 departures from the shared rule" in result.stderr
    assert all(f"  {line}" in result.stderr.splitlines() for line in expected)
    assert json.loads((out / "overall.json").read_text())["rule_departures"] == expected
    # a what-if given on the command line changes the runs, not what the files say
    again = runner.invoke(app, [*args, "--force", "--set", "decision_noise=0.02"])
    assert again.exit_code == 0, again.output
    assert json.loads((out / "overall.json").read_text())["rule_departures"] == expected


def test_the_founding_case_is_not_the_bundled_teaching_scenario() -> None:
    case, bundled = load_scenario(CASES / "us_colombia_2025.yaml"), load_scenario("us_colombia_2025")
    assert case.name == bundled.name and case.history == bundled.history
    assert case.trade == bundled.trade and case.measures == bundled.measures
    assert bundled.round_hours == 3 and case.round_hours == 24  # the teaching scenario keeps its own choices
    assert case.events == []  # and the case file has no scripted event


def test_narration_tells_the_demand_in_its_own_words() -> None:
    from crisis_sim.present.narrate import narrate
    from crisis_sim.runs import run_scenario

    scenario = load_scenario(CASES / "us_turkey_brunson_2018.yaml", ["rounds=20"])
    text = narrate(run_scenario(scenario, 0))
    assert "demands that Turkey release pastor Brunson" in text
    assert "the demand of the United States to release pastor Brunson" in text
    assert "flight" not in text


def test_a_concession_and_its_carrying_out_are_told_in_the_demands_words() -> None:
    """A case whose demand is not flights: when the target gives way in its own way and then does
    what was demanded, the turning points (outcome.json, the narration) say so in the demand's
    words, not in the flights' (China-Japan 2010: the first of seeds 0-9 that ends so)."""
    from crisis_sim.present.narrate import narrate
    from crisis_sim.runs import run_scenario

    scenario = load_scenario(CASES / "china_japan_trawler_2010.yaml")
    for seed in range(10):
        result = run_scenario(scenario, seed)
        if (result.outcome["outcome"], result.outcome["variant"]) == ("target_concedes", "face_saving"):
            break
    else:
        pytest.fail("no face-saving concession in seeds 0-9")
    told = [p["text"] for p in result.outcome["turning_points"]]
    assert "Japan agrees to release the trawler captain, in its own way (face-saving)" in told
    assert "Japan carries out the demand: release the trawler captain" in told
    assert not any("flight" in text for text in told)
    assert "flight" not in narrate(result)


# ---- crisis-sim backtest, end to end


def test_backtest_writes_the_scoreboard(two_cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "bt"
    result = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--workers", "1",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "saudi_canada_2018" in result.stdout and "Modal outcome matches history in" in result.stdout
    table = pd.read_parquet(out / "backtest.parquet")
    assert list(table["case"]) == ["saudi_canada_2018", "us_guatemala_safe_third_2019"]
    assert (table["runs"] == 5).all()
    csv = pd.read_csv(out / "backtest.csv")
    assert csv["observed_outcome"].tolist() == ["standoff", "target_concedes"]
    # leave-one-case-out, each case's base rate is the other's class alone: a Brier of 2
    assert csv["base_rate_brier"].tolist() == [2.0, 2.0] and csv["commonest_match"].tolist() == [0.0, 0.0]
    overall = json.loads((out / "overall.json").read_text())
    assert overall["base_rate_mean_brier"] == 2.0 and "beats_commonest_on_brier" in overall
    assert "base rate (each class's share among the other cases)" in result.stdout
    markdown = (out / "backtest.md").read_text()
    assert sum(line.startswith(("| saudi", "| us_guat")) for line in markdown.splitlines()) == 2
    assert (out / "cases" / "saudi_canada_2018" / "manifest.json").is_file()
    assert (out / "scoreboard.png").read_bytes().startswith(b"\x89PNG")
    again = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--out", str(out)])
    assert again.exit_code == 2 and "--force" in again.stderr
    as_json = runner.invoke(app, ["backtest", str(two_cases), "--runs", "5", "--workers", "1",
                                  "--out", str(out), "--force", "--json"])
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    assert [c["case"] for c in document["cases"]] == list(table["case"])
    assert document["cases"][0]["log10_time_ratio"] is None  # a standoff has no time
    assert document["overall"]["cases"] == 2
    assert document["cases"][1]["baseline_hours"] is None  # the other case, a standoff, has no time


def test_new_crises_are_scored_against_baselines_made_from_the_known_cases(two_cases: Path,
                                                                           tmp_path: Path) -> None:
    """`--baselines-from cases/`: one new case alone (here a copy of Guatemala) gets baselines
    learned from the project's cases, never from its own record, and the totals say from where."""
    new = tmp_path / "new"
    new.mkdir()
    (two_cases / "us_guatemala_safe_third_2019.yaml").rename(new / "us_guatemala_safe_third_2019.yaml")
    out = tmp_path / "bt"
    result = runner.invoke(app, ["backtest", str(new), "--runs", "5", "--workers", "1", "--out", str(out),
                                 "--baselines-from", str(PROJECT / "cases")])
    assert result.exit_code == 0, result.output
    known = len(list((PROJECT / "cases").glob("*.yaml"))) - 1  # its own record left out
    assert (f"Baselines, each made from the records of the other cases and of {known} reference cases"
            in result.stdout)
    overall = json.loads((out / "overall.json").read_text())
    assert overall["baseline_reference"] == {"folder": str(PROJECT / "cases"), "cases": known}
    from crisis_sim.experiments.backtest.run import reference_records

    records = reference_records(PROJECT / "cases")
    del records["us_guatemala_safe_third_2019"]
    (expected,) = leave_one_out_baselines(reference_records(new), records).values()
    row = pd.read_csv(out / "backtest.csv").iloc[0]
    assert row["base_rate_brier"] == pytest.approx(expected["base_rate_brier"], rel=1e-5)  # CSV: 6 digits
    assert row["baseline_hours"] == pytest.approx(expected["baseline_hours"], rel=1e-5)
    bad = runner.invoke(app, ["backtest", str(new), "--runs", "5", "--out", str(tmp_path / "bt2"),
                              "--baselines-from", str(tmp_path / "nowhere")])
    assert bad.exit_code == 2 and bad.stderr.strip() == f"{tmp_path / 'nowhere'}: no such folder"
    assert not (tmp_path / "bt2").exists()


def test_two_backtests_are_compared_case_by_case_with_their_noise(two_cases: Path, tmp_path: Path) -> None:
    """`crisis-sim compare A B` of two back-tests: each case's share of runs ending as history did
    in each, the change and whether it is beyond twice its standard error, and the totals; a
    back-test against itself changes nothing; a batch is not compared with a back-test."""
    from crisis_sim.experiments.backtest.versus import share_change_se

    a, b = tmp_path / "a", tmp_path / "b"
    base = ["backtest", str(two_cases), "--runs", "20", "--workers", "1"]
    assert runner.invoke(app, [*base, "--out", str(a)]).exit_code == 0
    what_if = runner.invoke(app, [*base, "--out", str(b), "--set", "decision_noise=0.3"])
    assert what_if.exit_code == 0, what_if.output
    result = runner.invoke(app, ["compare", str(a), str(b), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    rows = {row["case"]: row for row in document["cases"]}
    table_a = pd.read_parquet(a / "backtest.parquet").set_index("case")
    table_b = pd.read_parquet(b / "backtest.parquet").set_index("case")
    for case, row in rows.items():
        p_a, p_b = table_a.loc[case, "share_observed"], table_b.loc[case, "share_observed"]
        assert row["change"] == pytest.approx(p_b - p_a)
        se = share_change_se(p_a, 20, p_b, 20)
        assert row["moved"] == (abs(p_b - p_a) > 2 * se if se > 0 else p_b != p_a)
    assert document["summary"]["totals"]["reference"]["mean_brier"] == pytest.approx(
        json.loads((a / "overall.json").read_text())["mean_brier"])
    # much noise: a government moves at random far more often, and the standoff is rarer
    assert rows["saudi_canada_2018"]["share_observed_b"] < rows["saudi_canada_2018"]["share_observed_a"]
    text = runner.invoke(app, ["compare", str(a), str(b)])
    assert text.exit_code == 0, text.output
    assert "saudi_canada_2018" in text.stdout and "Modal outcome matches" in text.stdout
    same = json.loads(runner.invoke(app, ["compare", str(a), str(a), "--json"]).stdout)
    assert all(row["change"] == 0 and not row["moved"] for row in same["cases"])
    mixed = runner.invoke(app, ["compare", str(a), str(a / "cases" / "saudi_canada_2018")])
    assert mixed.exit_code == 2 and "not a back-test folder" in mixed.stderr


def test_an_interrupted_backtest_keeps_its_finished_cases_and_resumes(two_cases: Path, tmp_path: Path,
                                                                      monkeypatch) -> None:
    """Ctrl-C during the second case: the first case's batch stays, no scoreboard is written, and
    the exit code is 130 with the command that continues; --resume then runs only what is left and
    writes the scoreboard of the uninterrupted back-test; other settings are refused in one line."""
    import crisis_sim.experiments.backtest.run as backtest_run

    whole = tmp_path / "whole"
    first = runner.invoke(app, ["backtest", str(two_cases), "-n", "4", "-w", "1", "--out", str(whole)])
    assert first.exit_code == 0, first.output
    real, started = backtest_run.run_batch, []

    def interrupted_on_the_second(scenario, *args, **kwargs):
        started.append(scenario.name)
        if len(started) == 2:
            raise KeyboardInterrupt
        return real(scenario, *args, **kwargs)

    out = tmp_path / "bt"
    monkeypatch.setattr(backtest_run, "run_batch", interrupted_on_the_second)
    stopped = runner.invoke(app, ["backtest", str(two_cases), "-n", "4", "-w", "1", "--out", str(out)])
    assert stopped.exit_code == 130 and f"--resume --out {out}" in stopped.stderr
    assert (out / "cases" / "saudi_canada_2018" / "manifest.json").is_file()
    assert not (out / "backtest.csv").exists()
    assert not (out / "cases" / "us_guatemala_safe_third_2019").exists()
    monkeypatch.setattr(backtest_run, "run_batch", real)
    again = ["backtest", str(two_cases), "-w", "1", "--out", str(out), "--resume"]
    other = runner.invoke(app, [*again, "-n", "5"])
    assert other.exit_code == 2 and "cannot resume: made with other runs" in other.stderr
    resumed = runner.invoke(app, [*again, "-n", "4"])
    assert resumed.exit_code == 0, resumed.output
    assert "case 2 of 2: us_guatemala_safe_third_2019" in resumed.stderr and "left)" in resumed.stderr
    assert (out / "backtest.csv").read_text() == (whole / "backtest.csv").read_text()


def test_the_estimate_is_not_below_what_the_backtest_costs(two_cases: Path, tmp_path: Path) -> None:
    """Every run is bounded by its case's horizon, so the estimate of CPU time errs long: here it is
    compared with the CPU time the same back-test then takes in this process (one worker)."""
    import resource
    import time

    from crisis_sim.experiments.backtest.run import estimate_seconds, run_backtest

    cases, likely, cost = estimate_seconds(two_cases, 6, 0)
    assert cases == 2 and 0 < likely <= cost
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.process_time()
    run_backtest(two_cases, 6, seed=0, workers=1, out=tmp_path / "bt")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = time.process_time() - began + (after.ru_utime + after.ru_stime) - (children.ru_utime
                                                                              + children.ru_stime)
    assert cost >= spent, (cost, spent)


def test_the_estimate_runs_a_pilot_and_writes_nothing(two_cases: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["backtest", str(two_cases), "-n", "50", "-w", "2", "--estimate"])
    assert result.exit_code == 0, result.output
    assert "back-test: 2 cases x 50 runs = 100 runs" in result.stderr and "on 2 workers" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases"]


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


def test_every_entry_that_is_not_plainly_a_case_or_not_one_is_named(two_cases: Path, tmp_path: Path) -> None:
    """A dangling link, a device, a FIFO, a folder named *.yaml and CASE.YAML: one line each,
    exit 2, nothing written, for the back-test and the calibration alike (docs/backtest.md)."""
    import os

    (two_cases / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (two_cases / "null.yaml").symlink_to("/dev/null")
    os.mkfifo(two_cases / "pipe.yml")
    (two_cases / "folder.yaml").mkdir()
    (two_cases / "SHOUT.YAML").write_text((two_cases / "saudi_canada_2018.yaml").read_text())
    (two_cases / "README.md").write_text("not a case\n")  # plainly not a case: not read
    (two_cases / ".#lock.yaml").symlink_to("user@host.1234")  # hidden (an editor's lock): not read
    bad = ["SHOUT.YAML", "folder.yaml", "gone.yaml", "null.yaml", "pipe.yml"]
    commands = (["backtest", str(two_cases), "--runs", "2"], ["calibrate", str(two_cases), "--draws", "2"])
    for command in commands:
        out = tmp_path / "out"
        result = runner.invoke(app, [*command, "--out", str(out)])
        assert result.exit_code == 2, result.output
        lines = result.stderr.splitlines()
        assert [line.split(":")[0] for line in lines] == [str(two_cases / name) for name in bad], lines
        assert "lower case" in lines[0] and "missing file" in lines[2] and "FIFO" in lines[4]
        assert not out.exists() and result.stdout == ""


def test_the_default_cases_are_the_installed_ones_and_the_project_s() -> None:
    """With no folder, back-test and calibration read crisis_sim.cases: in a checkout, cases/ itself."""
    from crisis_sim.experiments.backtest.run import cases_folder
    from crisis_sim.scenario.files import installed_cases

    assert cases_folder(None) == installed_cases()
    assert installed_cases().resolve() == CASES.resolve()
    assert cases_folder("elsewhere") == Path("elsewhere")


def test_a_change_made_to_every_case_is_scored_recorded_and_kept_on_resume(two_cases: Path,
                                                                          tmp_path: Path) -> None:
    """``--set`` makes a what-if of the whole back-test: every case runs with the change (here
    audience costs switched off, which moves the outcomes), the scoreboard page says so, a resume
    with another change is refused, and a bad path is one line per case, exit 2, nothing written."""
    plain, changed = tmp_path / "plain", tmp_path / "changed"
    base = ["backtest", str(two_cases), "-n", "6", "-w", "1"]
    assert runner.invoke(app, [*base, "--out", str(plain)]).exit_code == 0
    what_if = [*base, "--set", "dynamics.audience_cost_scale=0", "--set", "dynamics.stake_scale=0.05"]
    result = runner.invoke(app, [*what_if, "--out", str(changed)])
    assert result.exit_code == 0, result.output
    assert "each with `dynamics.audience_cost_scale=0`, `dynamics.stake_scale=0.05`" in \
        (changed / "backtest.md").read_text()
    assert (changed / "backtest.csv").read_text() != (plain / "backtest.csv").read_text()
    other = runner.invoke(app, [*base, "--set", "dynamics.stake_scale=0.06", "--out", str(changed),
                                "--resume"])
    assert other.exit_code == 2 and "cannot resume: made with other cases" in other.stderr
    bad = runner.invoke(app, [*base, "--set", "dynamics.no_such_field=1", "--out", str(tmp_path / "bad")])
    assert bad.exit_code == 2 and bad.stderr.count("dynamics.no_such_field: unknown field") == 2
    assert not (tmp_path / "bad").exists()
