"""Calibration by rejection ABC: the rejection step and leave-one-out on toy simulators with a
known answer, the per-case distance, and ``crisis-sim calibrate`` end to end on two shortened
cases (the outputs, resume after an interruption, bad input: one line, exit 2, nothing written)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from crisis_sim.cli import app
from crisis_sim.experiments.backtest.scoring import Observed
from crisis_sim.experiments.calibration.abc import (
    AbcError,
    accepted_count,
    case_distance,
    censored_median_hours,
    distance_table,
    leave_one_out,
    posterior_summary,
    reject,
)
from crisis_sim.experiments.calibration.report import baseline_totals, edge_warnings, verdict, verdict_line

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
CONCEDES, STANDOFF = "target_concedes", "standoff"


# ---- the distance of one case


def test_case_distance_is_half_the_brier_score_plus_the_capped_time_ratio() -> None:
    record = Observed(CONCEDES, 100.0, frozenset())
    right = case_distance([CONCEDES] * 4, [100.0] * 4, record, horizon_hours=1000)
    assert right == {"outcome": 0.0, "time": 0.0, "distance": 0.0}
    half = case_distance([CONCEDES, STANDOFF], [10.0, None], record, horizon_hours=1000)
    assert half["outcome"] == pytest.approx(0.25)  # Brier (0.5² + 0.5²) / 2
    assert half["time"] == pytest.approx(abs(math.log10(505 / 100)))  # median of 10 and the horizon
    wrong = case_distance([STANDOFF] * 3, [None] * 3, record, horizon_hours=100_000)
    assert wrong == {"outcome": 1.0, "time": 1.0, "distance": 2.0}  # ten times or more off counts 1
    standoff = case_distance([STANDOFF] * 3, [None] * 3, Observed(STANDOFF, None, frozenset()), 10.0)
    assert standoff["distance"] == 0.0
    assert censored_median_hours([5.0, None, None], 50.0) == 50.0
    with pytest.raises(AbcError):
        case_distance([], [], record, 10.0)


def test_accepted_count_and_a_bad_share() -> None:
    assert accepted_count(40, 0.2) == 8 and accepted_count(3, 0.01) == 1 and accepted_count(5, 1.0) == 5
    for bad in (0.0, -0.1, 1.5, math.nan):
        with pytest.raises(AbcError, match="--accept"):
            accepted_count(10, bad)


# ---- toy simulators with a known answer


def toy_outcome_runs(thetas: np.ndarray, n_runs: int, rng: np.random.Generator) -> pd.DataFrame:
    """Each run concedes with probability theta, decided at hour 10; else a standoff."""
    point = np.repeat(np.arange(len(thetas)), n_runs)
    conceded = rng.random(len(point)) < thetas[point]
    return pd.DataFrame({
        "point_id": point,
        "outcome": np.where(conceded, CONCEDES, STANDOFF),
        "decided_at_hours": np.where(conceded, 10.0, np.nan),
    })


def test_rejection_concentrates_around_the_true_value_of_a_one_parameter_model() -> None:
    """Cases observed from theta = 0.7; draws from U(0, 1); the kept ones centre on 0.7."""
    rng = np.random.default_rng(1)
    true_theta, n_cases, n_draws = 0.7, 40, 300
    thetas = rng.random(n_draws)
    observed, runs, horizons = {}, {}, {}
    for c in range(n_cases):
        name = f"case{c:02d}"
        concedes = rng.random() < true_theta
        observed[name] = Observed(CONCEDES if concedes else STANDOFF, None, frozenset())
        runs[name] = toy_outcome_runs(thetas, 20, rng)
        horizons[name] = 100.0
    distances = distance_table(runs, observed, horizons)
    assert list(distances.columns) == sorted(observed) and len(distances) == n_draws
    one = runs["case00"][runs["case00"]["point_id"] == 7]
    assert distances.loc[7, "case00"] == pytest.approx(case_distance(
        one["outcome"].tolist(), one["decided_at_hours"].tolist(), observed["case00"], 100.0)["distance"])
    kept = reject(distances, 0.05)
    assert len(kept) == 15
    share = sum(o.outcome == CONCEDES for o in observed.values()) / n_cases
    posterior = thetas[kept]
    assert abs(np.median(posterior) - share) < 0.1  # around the observed rate (0.7 in expectation)
    assert np.quantile(posterior, 0.95) - np.quantile(posterior, 0.05) < 0.4  # narrower than the prior
    draws = pd.DataFrame({"theta": thetas}, index=pd.Index(range(n_draws), name="point_id"))
    summary = posterior_summary(draws, kept, {"theta": (0.0, 1.0)}, {"theta": 0.5})
    row = summary.iloc[0]
    assert row["q05"] <= row["median"] <= row["q95"] and row["width_share"] < 0.4
    assert row["best"] == thetas[kept[0]]


def toy_time_runs(thetas: np.ndarray, n_runs: int, rng: np.random.Generator) -> pd.DataFrame:
    """Every run concedes, at 10**(theta + noise) hours."""
    point = np.repeat(np.arange(len(thetas)), n_runs)
    return pd.DataFrame({
        "point_id": point,
        "outcome": CONCEDES,
        "decided_at_hours": 10 ** (thetas[point] + rng.normal(0, 0.05, len(point))),
    })


def toy_time_distances(observed_hours: dict[str, float], thetas: np.ndarray) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    observed = {c: Observed(CONCEDES, h, frozenset()) for c, h in observed_hours.items()}
    runs = {c: toy_time_runs(thetas, 5, rng) for c in observed}
    return distance_table(runs, observed, dict.fromkeys(observed, 10_000.0))


def test_rejection_finds_a_time_scale() -> None:
    thetas = np.linspace(0, 3, 121)
    distances = toy_time_distances({"a": 10**1.5, "b": 10**1.5}, thetas)
    kept = reject(distances, 0.05)
    assert np.all(np.abs(thetas[kept] - 1.5) <= 0.1)
    assert reject(distances, 0.05) == kept  # no chance involved


def test_leave_one_out_fits_each_case_without_it() -> None:
    """Three cases in which the target concedes and one standoff: in sample the fit
    concedes about 3 times in 4; the standoff left out is predicted by a fit to the
    other three (concede nearly always), which never saw it and predicts it worse."""
    rng = np.random.default_rng(3)
    thetas = np.linspace(0, 1, 101)
    observed = {c: Observed(CONCEDES, None, frozenset()) for c in ("a", "b", "c")}
    observed["standoff"] = Observed(STANDOFF, None, frozenset())
    runs = {c: toy_outcome_runs(thetas, 200, rng) for c in observed}
    distances = distance_table(runs, observed, dict.fromkeys(observed, 100.0))
    loo = leave_one_out(distances, 0.05)
    assert set(loo) == set(observed)
    for case, kept in loo.items():
        assert kept == reject(distances.drop(columns=case), 0.05)
    in_sample = reject(distances, 0.05)
    assert abs(np.median(thetas[in_sample]) - 0.75) <= 0.15  # a flat optimum: 3(1 - p)² + p²
    assert np.all(thetas[loo["standoff"]] >= 0.9)
    predicted = distances.loc[loo["standoff"], "standoff"].mean()
    fitted = distances.loc[in_sample, "standoff"].mean()
    assert predicted > fitted + 0.2  # out of sample is not flattered by the fit
    with pytest.raises(AbcError, match="two cases"):
        leave_one_out(distances[["a"]], 0.05)


# ---- crisis-sim calibrate end to end


TINY = ["--draws", "6", "--runs", "2", "--accept", "0.25",
        "--param", "dynamics.pain_weight=2:30", "--param", "dynamics.audience_cost_scale=0:0.4"]
TABLES = ("draws", "posterior", "posterior_summary", "scoreboard")


def tables(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / "calibration" / f"{name}.parquet") for name in TABLES}


def test_calibrate_writes_posterior_scoreboards_and_resumes_to_the_same_tables(
    two_cases: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cal"
    result = runner.invoke(app, ["calibrate", str(two_cases), *TINY, "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # 2 cases x (6 draws x 2 runs + (the defaults and 2 adopted points) x 4 runs)
    assert "pilot:" in result.stderr and "48 runs" in result.stderr
    assert "leave-one-out" in result.stdout and "posterior: 2 of 6 prior draws kept" in result.stdout
    done = tables(out)
    assert len(done["draws"]) == 6 and done["draws"]["kept"].sum() == 2
    assert list(done["posterior"]["rank"]) == [1, 2]
    assert list(done["posterior_summary"]["parameter"]) == ["dynamics.pain_weight",
                                                            "dynamics.audience_cost_scale"]
    board = done["scoreboard"]
    assert sorted(set(board["fit"])) == ["defaults", "loo", "loo_medians", "medians", "posterior"]
    points = board[board["fit"].isin(["defaults", "medians", "loo_medians"])]
    assert len(board) == 10 and (points["runs"] == 4).all()  # one point: as many runs as two draws
    assert (board[board["fit"] == "posterior"]["runs"] == 4).all()  # two kept draws, two runs each
    for name in ("pairs.png", "report.md", "totals.csv", "loo.csv", "verdict.json", "draws.csv"):
        assert (out / "calibration" / name).is_file()
    assert "adopted" in (out / "calibration" / "report.md").read_text().lower()

    # Interrupted after the first chunk, then resumed (with another worker count): the same tables.
    from crisis_sim.experiments.calibration.run import plan_calibration, run_calibration

    plan = plan_calibration(two_cases, TINY[7::2], 6, 2, 0, 0.25)
    again = tmp_path / "again"
    calls = []

    def stop_after_first_chunk(done_runs: int, total: int) -> None:
        calls.append(done_runs)
        if done_runs > 0:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_calibration(plan, again, workers=1, progress=stop_after_first_chunk)
    assert not (again / "calibration").exists() and (again / "draws").is_dir()
    refused = runner.invoke(app, ["calibrate", str(two_cases), *TINY, "--out", str(again)])
    assert refused.exit_code == 2 and "--force" in refused.stderr and "pilot" not in refused.stderr
    resumed = runner.invoke(app, ["calibrate", str(two_cases), *TINY, "--workers", "2", "--resume",
                                  "--out", str(again)])
    assert resumed.exit_code == 0, resumed.output
    assert "48 runs, " in resumed.stderr and "still to run" in resumed.stderr
    for name, table in tables(again).items():
        pd.testing.assert_frame_equal(table, done[name], obj=name)
    other = runner.invoke(app, ["calibrate", str(two_cases), *TINY[:6], "--resume", "--out", str(again)])
    assert other.exit_code == 2 and "cannot resume" in other.stderr and "parameters" in other.stderr


def test_estimate_only_writes_nothing(two_cases: Path, tmp_path: Path) -> None:
    out = tmp_path / "cal"
    result = runner.invoke(app, ["calibrate", str(two_cases), *TINY, "--estimate", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pilot: 4 runs" in result.stderr and "at most about" in result.stderr
    assert not out.exists()


def test_a_change_made_to_every_case_is_in_the_plan_and_the_recorded_command(two_cases: Path) -> None:
    """``--set`` calibrates a what-if: every case is planned with the change (so its content, which
    a resume compares, differs from the plain case's), the recorded command gives it again, and a
    bad path is one line per case, exit 2, nothing written."""
    from crisis_sim.cli.calibrate import _command
    from crisis_sim.experiments.calibration.run import plan_calibration

    plain = plan_calibration(two_cases, None, 4, 2, 0, 0.5)
    changed = plan_calibration(two_cases, None, 4, 2, 0, 0.5, (), ["dynamics.office_value=1"])
    assert all(s.dynamics.office_value == 1.0 for _, s in changed.cases)
    assert plain.settings()["cases"] != changed.settings()["cases"]
    command = _command(two_cases, None, [], 4, 2, 0.5, 0, 1, "local", None, two_cases / "out",
                       ["dynamics.office_value=1"])
    assert command[command.index("--set") + 1] == "dynamics.office_value=1"
    bad = runner.invoke(app, ["calibrate", str(two_cases), "--draws", "4", "--runs", "2",
                              "--set", "dynamics.no_such_field=1", "--out", str(two_cases / "cal")])
    assert bad.exit_code == 2 and bad.stderr.count("dynamics.no_such_field: unknown field") == 2
    assert not (two_cases / "cal").exists()


def _drop_history(folder: Path) -> None:
    file = folder / "saudi_canada_2018.yaml"
    data = yaml.safe_load(file.read_text())
    data.pop("history")
    file.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("args", "edit", "expected"),
    [
        (["--param", "dynamics.pane_weight=1:2"], None, "--param dynamics.pane_weight:"),
        (["--param", "dynamics.pain_weight=5:5"], None, "needs LO < HI"),
        (["--param", "rounds=10:20"], None, "the horizon is not a calibration parameter"),
        ([], _drop_history, "saudi_canada_2018.yaml: history: required for a back-test case"),
        (["--accept", "0"], None, "--accept:"),
        (["--case", "atlantis_1999", "--case", "saudi_canada_2018"], None, "--case atlantis_1999:"),
        (["--case", "saudi_canada_2018"], None, "at least two cases"),
    ],
)
def test_bad_input_exits_2_in_one_line_and_writes_nothing(
    two_cases: Path, tmp_path: Path, args: list[str], edit, expected: str
) -> None:
    if edit is not None:
        edit(two_cases)
    out = tmp_path / "cal"
    result = runner.invoke(app, ["calibrate", str(two_cases), "--draws", "4", "--runs", "2", *args,
                                 "--out", str(out)])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    if "--param" in args and "rounds" not in args[1]:
        assert str(two_cases) in lines[0]  # names the file it was checked against
    assert not out.exists() and "pilot" not in result.stderr


def test_a_missing_cases_folder_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["calibrate", str(tmp_path / "nowhere"), "--out", str(tmp_path / "cal")])
    assert result.exit_code == 2 and result.stderr.strip() == f"{tmp_path / 'nowhere'}: no such folder"
    assert not (tmp_path / "cal").exists()


def test_the_estimate_is_not_below_what_the_calibration_costs(two_cases: Path, tmp_path: Path) -> None:
    """The pilot bounds every run by its horizon, so the estimate of CPU time errs long: here it is
    compared with the CPU time the same calibration then takes in this process (one worker)."""
    import resource
    import time

    from crisis_sim.experiments.calibration.run import estimate, plan_calibration, run_calibration

    plan = plan_calibration(two_cases, TINY[7::2], 6, 2, 0, 0.25)
    cost = estimate(plan, workers=1)
    assert cost.pilot_runs == 4 and set(cost.per_case_seconds) == {"saudi_canada_2018",
                                                                   "us_guatemala_safe_third_2019"}
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.process_time()
    run_calibration(plan, tmp_path / "cal", workers=1)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = time.process_time() - began + (after.ru_utime + after.ru_stime) - (children.ru_utime
                                                                              + children.ru_stime)
    assert cost.cpu_seconds >= spent, (cost.to_json(), spent)
    assert cost.wall_seconds == pytest.approx(cost.run_seconds + cost.fixed_seconds)


# --------------------------------------------------------------------------
# The verdict: adopted only if leave-one-out beats the defaults and both baselines
# --------------------------------------------------------------------------


def _totals(loo: tuple[float, int], defaults: tuple[float, int], cases: int = 4) -> pd.DataFrame:
    """A totals table of hand-made figures: (mean Brier, modal matches) per fit."""
    rows = []
    for fit, (brier, matches) in (("defaults", defaults), ("posterior", (0.1, cases)), ("loo", loo),
                                  ("medians", (0.1, cases)), ("loo_medians", (0.1, cases))):
        rows.append({"fit": fit, "cases": cases, "mean_distance": 0.5, "outcome_matches": matches,
                     "mean_share_observed": 0.5, "mean_brier": brier})
    return pd.DataFrame(rows)


BASELINES = {"base_rate": {"mean_brier": 0.8, "outcome_matches": 2.0},
             "commonest": {"mean_brier": 1.0, "outcome_matches": 2.5}}


def test_a_fit_that_beats_the_defaults_and_both_baselines_is_adopted() -> None:
    v = verdict(_totals(loo=(0.6, 3), defaults=(1.2, 1)), BASELINES)
    assert v["adopt"] and v["failed"] == []
    assert verdict_line(v).startswith("Adopted")


def test_a_fit_that_beats_the_defaults_but_not_a_baseline_is_not_adopted() -> None:
    v = verdict(_totals(loo=(0.9, 3), defaults=(1.2, 1)), BASELINES)  # the base rate's Brier is 0.8
    assert not v["adopt"]
    assert v["failed"] == ["base_rate:mean_brier"]
    assert "the base rate on mean Brier" in verdict_line(v).splitlines()[0]


def test_fewer_modal_matches_than_a_baseline_fail_and_a_tie_does_not() -> None:
    fewer = verdict(_totals(loo=(0.6, 2), defaults=(1.2, 1)), BASELINES)  # the commonest class: 2.5
    assert not fewer["adopt"] and fewer["failed"] == ["commonest:outcome_matches"]
    tie = verdict(_totals(loo=(0.6, 3), defaults=(1.2, 3)), BASELINES)
    assert tie["adopt"]


def test_a_fit_that_beats_the_baselines_but_not_the_defaults_is_not_adopted() -> None:
    v = verdict(_totals(loo=(0.6, 3), defaults=(0.6, 3)), BASELINES)  # a tie in Brier is no win
    assert v["failed"] == ["defaults:mean_brier"] and not v["adopt"]


def test_the_verdict_judges_the_kept_draws_pooled_not_their_medians() -> None:
    """What is adopted is the kept draws, each run drawing one (crisis_sim.core.posterior), so the
    verdict judges them pooled, leave-one-case-out; a single point of them is shown beside it and
    decides nothing, better or worse."""
    totals = _totals(loo=(0.5, 4), defaults=(0.7, 3))
    totals.loc[totals["fit"] == "loo_medians", ["mean_brier", "outcome_matches"]] = [0.9, 1]
    v = verdict(totals, BASELINES)
    assert v["judged"] == "loo" and v["adopt"]
    assert {c["value"] for c in v["comparisons"]} == {0.5, 4.0}
    totals = _totals(loo=(0.9, 1), defaults=(0.7, 3))
    totals.loc[totals["fit"] == "loo_medians", ["mean_brier", "outcome_matches"]] = [0.2, 4]
    v = verdict(totals, BASELINES)
    assert not v["adopt"] and "the defaults on mean Brier" in verdict_line(v).splitlines()[0]


def test_the_adopted_point_is_each_median_to_four_significant_digits() -> None:
    from crisis_sim.experiments.calibration.abc import point_values

    draws = pd.DataFrame({"a": [1.0, 2.0, 3.0, 100.0], "b": [0.123456, 0.2, 0.3, 0.4]},
                         index=pd.Index([0, 1, 2, 3], name="point_id"))
    assert point_values(draws, [0, 1, 2]) == {"a": 2.0, "b": 0.2}
    assert point_values(draws, [0, 3]) == {"a": 50.5, "b": 0.2617}  # 0.261728 to four digits


def test_baseline_totals_are_made_without_the_case_they_predict() -> None:
    records = {"a": ("target_concedes", 10.0), "b": ("target_concedes", 20.0), "c": ("standoff", None)}
    scores = baseline_totals(records)
    # a and b: the others are one concession and one standoff (a tie: half a match each);
    # c: the others are two concessions, so both baselines miss it with Brier 2.
    assert scores["commonest"]["outcome_matches"] == pytest.approx(1.0)
    assert scores["commonest"]["mean_brier"] == pytest.approx((0.5 + 0.5 + 2) / 3)
    assert scores["base_rate"]["mean_brier"] == pytest.approx((0.5 + 0.5 + 2) / 3)


def test_a_prior_whose_kept_draws_crowd_an_edge_is_flagged() -> None:
    values = pd.DataFrame({"x": [1.0, 2.0, 95.0, 98.0, 99.0], "y": [10.0, 30.0, 50.0, 70.0, 90.0]})
    warnings = edge_warnings(values, [2, 3, 4, 1], {"x": (0.0, 100.0), "y": (0.0, 100.0)})
    assert len(warnings) == 1 and warnings[0].startswith("warning: x: 75% of the kept draws lie in the upper")
    assert edge_warnings(values, [0, 1, 2, 3], {"x": (0.0, 100.0), "y": (0.0, 100.0)}) == []


def test_totals_count_the_cases_matched_in_time_by_factor() -> None:
    """Of the cases whose record has a time, a fit's totals count those whose median time is
    within a factor of 2 and of 3 of it; a median not decided (no ratio) is a miss in both, and a
    standoff (no recorded time) counts in neither total."""
    import math

    import pandas as pd

    from crisis_sim.experiments.calibration.abc import DISTANCE
    from crisis_sim.experiments.calibration.report import FITS, total_lines, totals

    cases = {  # observed hours, log10 of the median's ratio to it
        "within 2": (100.0, math.log10(1.9)), "within 3": (100.0, -math.log10(2.9)),
        "beyond 3": (100.0, math.log10(3.1)), "not decided": (100.0, math.nan),
        "standoff": (math.nan, math.nan)}
    board = pd.DataFrame([{"fit": fit, "case": case, "observed_hours": hours, "log10_time_ratio": ratio,
                           DISTANCE: 0.5, "outcome_match": True, "share_observed": 0.5, "brier": 0.5}
                          for fit in FITS for case, (hours, ratio) in cases.items()])
    total = totals(board)
    counted = total[["timed_cases", "time_within_2", "time_within_3"]].drop_duplicates()
    assert counted.values.tolist() == [[4, 1, 2]]
    assert total_lines(total)[0].endswith("median time within a factor of 2 / 3: 1 / 2 of 4")
