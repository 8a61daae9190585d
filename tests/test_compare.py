"""compare(): shares, intervals and differences checked against values computed here.

The batches are built by hand (``batchfolders``) or as :class:`Group` objects
with known outcome counts and figures, and every statistic is recomputed in
the test by a plain, independent route: the Wilson formula written out, the
bootstrap as a Python loop over the same resample indices, and known
analytic cases.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from batchfolders import run_rows, trajectory_rows, write_batch
from crisis_sim.batch import load_batch as read_batch
from crisis_sim.experiments.compare.comparison import (
    OUTCOMES,
    CompareError,
    Group,
    carried_forward,
    compare,
    fan_charts,
    sweep_groups,
)

Z = statistics.NormalDist().inv_cdf(0.975)  # the 95% two-sided normal quantile, 1.95996...
A_OUTCOMES = ["target_concedes"] * 30 + ["standoff"] * 10
B_OUTCOMES = ["target_concedes"] * 20 + ["mutual_escalation"] * 25 + ["standoff"] * 5


def wilson(k: int, n: int, z: float = Z) -> tuple[float, float]:
    """Wilson (1927) score interval, written out from the textbook formula."""
    p = k / n
    centre = (2 * n * p + z**2) / (2 * (n + z**2))
    half = z * math.sqrt(z**2 + 4 * n * p * (1 - p)) / (2 * (n + z**2))
    return max(0.0, centre - half), min(1.0, centre + half)


def linear_percentile(values: list[float], q: float) -> float:
    """The q-th percentile with linear interpolation between order statistics."""
    data = sorted(values)
    position = q / 100 * (len(data) - 1)
    below = math.floor(position)
    above = min(below + 1, len(data) - 1)
    return data[below] + (data[above] - data[below]) * (position - below)


def group(label: str, outcomes: list[str], *, scenario_hash: str = "h1", **kwargs) -> Group:
    runs = run_rows(outcomes, **kwargs)
    return Group(label, runs, trajectory_rows(runs), scenario_name="s", scenario_hash=scenario_hash)


@pytest.fixture(scope="module")
def ab() -> tuple[Group, Group]:
    return group("A", A_OUTCOMES), group("B", B_OUTCOMES, cost_base=2.0)


# --------------------------------------------------------------------------
# Outcome shares and Wilson intervals
# --------------------------------------------------------------------------


def test_shares_count_every_outcome_with_wilson_intervals(ab: tuple[Group, Group]) -> None:
    result = compare(*ab, n_boot=50)
    shares = result.shares.set_index(["group", "outcome"])
    assert list(result.shares["outcome"].unique()) == list(OUTCOMES)
    for label, outcomes in (("A", A_OUTCOMES), ("B", B_OUTCOMES)):
        n = len(outcomes)
        for outcome in OUTCOMES:
            k = outcomes.count(outcome)
            row = shares.loc[(label, outcome)]
            assert row["count"] == k and row["n"] == n
            assert row["share"] == pytest.approx(k / n, abs=1e-15)
            lo, hi = wilson(k, n)
            assert row["lo"] == pytest.approx(lo, abs=1e-12)
            assert row["hi"] == pytest.approx(hi, abs=1e-12)


def test_wilson_edges_are_exact(ab: tuple[Group, Group]) -> None:
    shares = compare(*ab, n_boot=10).shares.set_index(["group", "outcome"])
    none = shares.loc[("A", "mutual_escalation")]
    assert none["lo"] == 0.0 and none["hi"] == pytest.approx(Z**2 / (40 + Z**2))


# --------------------------------------------------------------------------
# Bootstrap differences
# --------------------------------------------------------------------------


def _loop_statistics(runs: pd.DataFrame, index: np.ndarray, actors: list[str]) -> dict[str, float]:
    """The statistics of one resample, one value at a time (no numpy reductions)."""
    rows = runs.iloc[index]
    out: dict[str, float] = {}
    outcomes = list(rows["outcome"])
    for outcome in OUTCOMES:
        out[f"share_{outcome}"] = sum(o == outcome for o in outcomes) / len(outcomes)
    decided = [float(h) for h in rows["decided_at_hours"] if not math.isnan(h)]
    out["decided_at_hours_median"] = statistics.median(decided) if decided else math.nan
    for actor in actors:
        for kind in ("cost", "approval"):
            values = [float(v) for v in rows[f"{kind}_{actor}"]]
            out[f"{kind}_{actor}_mean"] = statistics.fmean(values)
            out[f"{kind}_{actor}_median"] = statistics.median(values)
    return out


def test_bootstrap_matches_a_plain_loop_over_the_same_resamples() -> None:
    # odd sizes, undecided runs, three groups: the third compared with the first too
    groups = [
        group("A", A_OUTCOMES[:37]),
        group("B", B_OUTCOMES[:43], cost_base=1.5, hours_base=14.0),
        group("C", B_OUTCOMES[5:30], cost_base=0.5),
    ]
    n_boot, seed = 300, 11
    result = compare(*groups, n_boot=n_boot, seed=seed)

    # One generator per group after the first; SciPy draws the reference's
    # resample indices, then the group's, from it.
    actors = ["sender", "receiver"]
    children = np.random.SeedSequence(seed).spawn(len(groups) - 1)
    point = [_loop_statistics(g.runs, np.arange(len(g.runs)), actors) for g in groups]
    pairs: list[tuple[list[dict[str, float]], list[dict[str, float]]]] = [([], [])]
    for g, child in zip(groups[1:], children, strict=True):
        rng = np.random.default_rng(child)
        index_a = rng.integers(0, len(groups[0].runs), size=(n_boot, len(groups[0].runs)))
        index_g = rng.integers(0, len(g.runs), size=(n_boot, len(g.runs)))
        pairs.append(
            (
                [_loop_statistics(groups[0].runs, index_a[b], actors) for b in range(n_boot)],
                [_loop_statistics(g.runs, index_g[b], actors) for b in range(n_boot)],
            )
        )

    differences = result.differences.set_index(["group", "statistic"])
    assert len(differences) == 2 * (len(OUTCOMES) + 1 + 4 * len(actors))
    for k, g in enumerate(groups[1:], start=1):
        for statistic, value in point[k].items():
            row = differences.loc[(g.label, statistic)]
            assert row["reference"] == "A"
            assert row["value"] == pytest.approx(value, abs=1e-12)
            assert row["reference_value"] == pytest.approx(point[0][statistic], abs=1e-12)
            assert row["difference"] == pytest.approx(value - point[0][statistic], abs=1e-12)
            reference_boot, group_boot = pairs[k]
            diffs = [
                group_boot[b][statistic] - reference_boot[b][statistic]
                for b in range(n_boot)
                if not math.isnan(group_boot[b][statistic] - reference_boot[b][statistic])
            ]
            assert row["lo"] == pytest.approx(linear_percentile(diffs, 2.5), abs=1e-9)
            assert row["hi"] == pytest.approx(linear_percentile(diffs, 97.5), abs=1e-9)


def test_bootstrap_of_a_difference_in_means_matches_the_normal_interval() -> None:
    """Large samples: the percentile interval is close to d ± z·sqrt(s1²/n1 + s2²/n2)."""
    rng = np.random.default_rng(5)
    samples = {"A": rng.normal(10.0, 2.0, 600), "B": rng.normal(10.6, 3.0, 500)}
    groups = []
    for label, values in samples.items():
        runs = run_rows(["target_concedes"] * len(values))
        runs["cost_sender"] = values
        groups.append(Group(label, runs))
    row = compare(*groups, n_boot=2000).differences.set_index("statistic").loc["cost_sender_mean"]
    a, b = samples["A"], samples["B"]
    d = b.mean() - a.mean()
    se = math.sqrt(a.var() / len(a) + b.var() / len(b))
    assert row["difference"] == pytest.approx(d, abs=1e-12)
    assert row["lo"] == pytest.approx(d - Z * se, abs=0.1 * Z * se)
    assert row["hi"] == pytest.approx(d + Z * se, abs=0.1 * Z * se)


def test_bootstrap_of_a_difference_in_shares_matches_the_normal_interval() -> None:
    a = ["target_concedes"] * 240 + ["standoff"] * 160  # 60%
    b = ["target_concedes"] * 150 + ["standoff"] * 150  # 50%
    result = compare(group("A", a), group("B", b), n_boot=2000)
    row = result.differences.set_index("statistic").loc["share_target_concedes"]
    se = math.sqrt(0.6 * 0.4 / 400 + 0.5 * 0.5 / 300)
    assert row["difference"] == pytest.approx(-0.1)
    assert row["lo"] == pytest.approx(-0.1 - Z * se, abs=0.1 * Z * se)
    assert row["hi"] == pytest.approx(-0.1 + Z * se, abs=0.1 * Z * se)


def test_same_seed_same_intervals_and_groups_do_not_disturb_each_other(
    ab: tuple[Group, Group],
) -> None:
    first = compare(*ab, n_boot=200, seed=3).differences
    again = compare(*ab, n_boot=200, seed=3).differences
    pd.testing.assert_frame_equal(first, again)
    other = compare(*ab, n_boot=200, seed=4).differences
    assert not np.allclose(first["lo"], other["lo"], equal_nan=True)
    # a third group draws from its own generator: B's intervals do not move
    three = compare(*ab, group("C", A_OUTCOMES[::2]), n_boot=200, seed=3).differences
    pd.testing.assert_frame_equal(three[three["group"] == "B"].reset_index(drop=True), first)


def test_chunked_resampling_still_gives_finite_reproducible_intervals(
    ab: tuple[Group, Group], monkeypatch: pytest.MonkeyPatch
) -> None:
    import crisis_sim.experiments.compare.comparison as module

    monkeypatch.setattr(module, "CHUNK_ELEMENTS", 100)  # 2 resamples per draw for 40–50 runs
    first = compare(*ab, n_boot=101, seed=1).differences
    assert first[["lo", "hi"]].notna().all().all()
    pd.testing.assert_frame_equal(first, compare(*ab, n_boot=101, seed=1).differences)


# --------------------------------------------------------------------------
# Groups from batch folders and --by
# --------------------------------------------------------------------------

SWEEP = [
    {"path": "actors.receiver.resolve.mean", "values": [0.3, 0.6]},
    {"path": "actors.receiver.policy", "values": ["appeaser", "tit_for_tat"]},
]
POINTS = [  # grid order: the first sweep varies slowest
    ["target_concedes"] * 8 + ["standoff"] * 2,  # 0.3, appeaser
    ["target_concedes"] * 5 + ["mutual_escalation"] * 5,  # 0.3, tit_for_tat
    ["target_concedes"] * 6 + ["standoff"] * 4,  # 0.6, appeaser
    ["target_concedes"] * 1 + ["mutual_escalation"] * 9,  # 0.6, tit_for_tat
]


@pytest.fixture(scope="module")
def swept(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_batch(tmp_path_factory.mktemp("batch") / "swept", POINTS, sweep=SWEEP)


@pytest.mark.parametrize(
    ("path", "labels", "members"),
    [
        ("actors.receiver.policy", ["appeaser", "tit_for_tat"], [(0, 2), (1, 3)]),
        ("actors.receiver.resolve.mean", ["0.3", "0.6"], [(0, 1), (2, 3)]),
    ],
)
def test_by_groups_the_values_of_one_sweep_pooled_over_the_others(
    swept: Path, path: str, labels: list[str], members: list[tuple[int, int]]
) -> None:
    batch = read_batch(swept)
    result = compare(batch, by=path, n_boot=100)
    assert result.labels == [f"{path}={value}" for value in labels]
    shares = result.shares.set_index(["group", "outcome"])
    for label, points in zip(result.labels, members, strict=True):
        pooled = [o for p in points for o in POINTS[p]]
        assert result.groups.set_index("group").loc[label, "n"] == len(pooled)
        for outcome in OUTCOMES:
            assert shares.loc[(label, outcome), "count"] == pooled.count(outcome)
    assert result.warnings == []  # one batch: one scenario version
    assert result.settings["by"] == path


def test_by_groups_keep_their_own_runs_trajectories(swept: Path) -> None:
    groups = sweep_groups(read_batch(swept), "actors.receiver.policy")
    for g in groups:
        assert set(g.trajectories["run_id"]) == set(g.runs["run_id"])


def test_unknown_by_path_names_the_path_and_the_known_ones(swept: Path) -> None:
    with pytest.raises(CompareError, match=r"'actors\.nobody' is not a sweep path") as info:
        compare(read_batch(swept), by="actors.nobody")
    assert "actors.receiver.policy" in str(info.value)


def test_fewer_than_two_groups_is_refused(tmp_path: Path, swept: Path) -> None:
    single = write_batch(tmp_path / "single", [A_OUTCOMES])
    with pytest.raises(CompareError, match="at least two groups"):
        compare(read_batch(single))
    one_value = write_batch(tmp_path / "one", [A_OUTCOMES], sweep=[{"path": "x.y", "values": [1.0]}])
    with pytest.raises(CompareError, match="at least two groups"):
        compare(read_batch(one_value), by="x.y")
    with pytest.raises(CompareError, match="one batch"):
        compare(read_batch(swept), read_batch(single), by="actors.receiver.policy")


def test_batches_pool_their_points_and_warn_on_different_scenario_versions(
    tmp_path: Path, swept: Path
) -> None:
    other = write_batch(tmp_path / "other", [B_OUTCOMES], scenario="another version")
    result = compare(read_batch(swept), read_batch(other), n_boot=100)
    assert result.labels == ["swept", "other"]
    assert list(result.groups["n"]) == [40, 50]
    assert len(result.warnings) == 1
    assert "different scenario versions" in result.warnings[0]
    same = write_batch(tmp_path / "same", [B_OUTCOMES])  # the default scenario text
    assert compare(read_batch(swept), read_batch(same), n_boot=100).warnings == []


def test_different_scenarios_are_not_warned_about_as_versions(tmp_path: Path, swept: Path) -> None:
    """Two scenarios compared on purpose (a what-if against its base) are not two versions of one."""
    other = write_batch(tmp_path / "firm", [B_OUTCOMES], scenario="a what-if", name="small_crisis_firm")
    assert compare(read_batch(swept), read_batch(other), n_boot=100).warnings == []
    edited = write_batch(tmp_path / "edited", [B_OUTCOMES], scenario="the what-if edited",
                         name="small_crisis_firm")
    (warning,) = compare(read_batch(swept), read_batch(other), read_batch(edited), n_boot=100).warnings
    assert "different scenario versions of small_crisis_firm" in warning
    assert "swept" not in warning  # only the two versions of the what-if are named


def test_actor_names_come_from_the_scenario(ab: tuple[Group, Group], swept: Path) -> None:
    result = compare(read_batch(swept), by="actors.receiver.policy", n_boot=10)
    assert result.actor_names == {"sender": "Sender", "receiver": "Receiver"}


# --------------------------------------------------------------------------
# Fan charts
# --------------------------------------------------------------------------


def test_runs_that_stopped_early_keep_their_last_value() -> None:
    trajectories = pd.DataFrame(
        {
            "run_id": [7, 7, 7, 9, 9, 8, 8, 8, 8],
            "round": [0, 1, 2, 0, 1, 0, 1, 2, 3],
            "x": [0.0, 1.0, 2.0, 0.0, 5.0, 0.0, 1.0, 1.0, 3.0],
        }
    )
    dense = carried_forward(trajectories, np.array([7, 8, 9]), "x")
    expected = [[0, 1, 2, 2], [0, 1, 1, 3], [0, 5, 5, 5]]
    np.testing.assert_array_equal(dense, np.array(expected, dtype=float))


def test_fan_chart_quantiles_per_round(ab: tuple[Group, Group]) -> None:
    result = compare(*ab, n_boot=10)
    fans = result.fans
    assert set(fans["variable"]) == {
        "escalation",
        "cost_sender",
        "cost_receiver",
        "approval_sender",
        "approval_receiver",
    }
    a_runs, a_traj = ab[0].runs, ab[0].trajectories
    last = a_traj.groupby("run_id")["round"].max()
    for round_ in (0, 3, 8):
        # each run's cost at this round, or its last one if it stopped before
        values = [
            float(
                a_traj[(a_traj["run_id"] == run) & (a_traj["round"] == min(round_, last[run]))][
                    "cost_sender"
                ].iloc[0]
            )
            for run in a_runs["run_id"]
        ]
        row = fans[
            (fans["group"] == "A") & (fans["variable"] == "cost_sender") & (fans["round"] == round_)
        ].iloc[0]
        assert row["n"] == len(values)
        assert row["hours"] == 6.0 * round_
        assert row["median"] == pytest.approx(linear_percentile(values, 50))
        assert row["p10"] == pytest.approx(linear_percentile(values, 10))
        assert row["p90"] == pytest.approx(linear_percentile(values, 90))


def test_escalation_fans_stay_on_the_rungs_of_the_ladder() -> None:
    # six runs on rungs 0, 1, 1, 2, 3, 5 at round 1: linear quantiles would give
    # 0.5, 1.5 and 4.0; the ladder's are rungs runs were on
    rungs = [0, 1, 1, 2, 3, 5]
    runs = run_rows(["standoff"] * len(rungs))
    trajectories = pd.DataFrame(
        {
            "run_id": np.repeat(runs["run_id"].to_numpy(), 2),
            "round": [0, 1] * len(rungs),
            "hours": [0.0, 6.0] * len(rungs),
            "escalation": [x for rung in rungs for x in (0, rung)],
            "cost_sender": [x for rung in rungs for x in (0.0, float(rung))],
        }
    )
    fans = fan_charts([Group("A", runs, trajectories)], ["escalation", "cost_sender"])
    at = fans[fans["round"] == 1].set_index("variable")
    expected = np.quantile(rungs, [0.1, 0.5, 0.9], method="inverted_cdf")
    assert list(at.loc["escalation", ["p10", "median", "p90"]]) == list(expected) == [0, 1, 5]
    assert list(at.loc["cost_sender", ["p10", "median", "p90"]]) == pytest.approx(
        [linear_percentile(rungs, q) for q in (10, 50, 90)]
    )
    assert at.loc["cost_sender", "median"] == 1.5


def test_statistics_as_json_have_no_nan(ab: tuple[Group, Group]) -> None:
    document = compare(*ab, n_boot=20).to_dict()
    text = json.dumps(document, allow_nan=False)
    back = json.loads(text)
    assert set(back) == {"settings", "warnings", "groups", "shares", "differences"}
    assert back["settings"]["n_boot"] == 20 and back["settings"]["seed"] == 0
