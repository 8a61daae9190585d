"""The two generic teaching scenarios show what docs/teaching.md says they show.

Every number in them is an assumption chosen to teach one idea; these tests
pin the idea, over 60 seeds each (one arm, whose runs mostly last the full
30 days, over 30), so that a change to the model that breaks a lesson is noticed.
"""

from __future__ import annotations

from collections import Counter
from statistics import median

import pytest

from crisis_sim.core.outcomes import outcome_record
from crisis_sim.runs.single_run import run_model
from crisis_sim.scenario import load_scenario

SEEDS = range(60)


def outcomes(name: str, *sets: str, seeds: range = SEEDS) -> list[dict]:
    scenario = load_scenario(name, list(sets))
    return [outcome_record(run_model(scenario, seed)) for seed in seeds]


def shares(records: list[dict]) -> Counter:
    return Counter(r["outcome"] for r in records)


@pytest.mark.parametrize("name", ["chicken_audience_costs", "turn_the_screw_ultimatum"])
def test_every_number_is_marked_and_the_file_validates(name):
    from crisis_sim.scenario import bundled_scenarios

    path = bundled_scenarios()[name]
    text = path.read_text(encoding="utf-8")
    assert "ASSUMPTION" in text
    load_scenario(name)  # raises on any problem


@pytest.fixture(scope="module")
def chicken():
    return outcomes("chicken_audience_costs")


def test_chicken_either_side_may_swerve(chicken):
    """Power: with 60 runs, the assertion holds with probability ≥ 0.99 if the true shares are those
    measured on 2026-12-06 (Southland gives way in 11, Northland backs down in 10, four endings seen); it
    is a bound on one arm, so there is no arm without the effect to compare it with."""
    count = shares(chicken)
    assert count["target_concedes"] >= 5, count
    assert count["initiator_backs_down"] >= 2, count
    assert len(count) >= 3, count


@pytest.mark.xfail(strict=True, reason=(
    'measured miss: in chicken the target now gives way in 11 runs and the sender backs down in 10 '
    '(of 60; 28 negotiated settlements, 11 defused): the asked 3 to 1 no longer holds once both '
    'can open talks and settle'))
def test_chicken_the_sender_swerves_less_because_its_credibility_elsewhere_is_at_stake(chicken):
    """peterson2013, docs/teaching.md exercise 2: the mirror images differ in the sender's
    reputation with its other receivers; without it the two swerve about equally often.
    Power: with 60 runs an arm, the first bound holds with probability ≤ 0.016 if the true shares are
    those measured on 2026-12-06 (11 concessions against 10 back-downs; without precedent 8 against 18),
    so it fails as marked."""
    count = shares(chicken)
    assert count["target_concedes"] >= 3 * count["initiator_backs_down"], count
    even = shares(outcomes("chicken_audience_costs", "dynamics.precedent_weight=0"))
    assert even["initiator_backs_down"] >= 2 * count["initiator_backs_down"], even
    assert abs(even["target_concedes"] - even["initiator_backs_down"]) <= 0.15 * len(SEEDS), even


def test_chicken_sometimes_collides_before_someone_swerves(chicken):
    """Power: with 60 runs, the assertion holds with probability ≥ 0.999 if the true share of collisions is
    1/3 (20 of 60, measured on 2026-12-06); it is a bound on one arm, so there is no arm without the
    effect to compare it with."""
    both = sum(all(m["furthest"] == "imposed" for m in r["measures"].values()) for r in chicken)
    assert both >= 3


def test_chicken_the_side_that_swerves_is_mostly_the_less_resolved(chicken):
    """fearon1995: who gives way depends on the private resolve the other side cannot see.
    Power: with 60 runs (21 of them a side giving way), the assertion holds with probability ≥ 0.78 if
    the true share is 16/21 = 0.76 less resolved (measured on 2026-12-06), and with probability ≤ 0.04 if
    who swerves were a coin toss (0.5)."""
    lower = [r["resolve"]["southland" if r["outcome"] == "target_concedes" else "northland"]
             < r["resolve"]["northland" if r["outcome"] == "target_concedes" else "southland"]
             for r in chicken if r["outcome"] in ("target_concedes", "initiator_backs_down")]
    assert len(lower) >= 10
    assert sum(lower) >= 0.7 * len(lower)


def test_chicken_a_public_commitment_makes_southland_swerve_less(chicken):
    """Committed, Southland never gives way and about half the runs are standoffs that last the
    full 30 days, so that arm is run over seeds 0-29 and compared by share: Southland gives way
    in 0 of 30 against 11 of 60, Northland backs down in 9 of 30 against 10 of 60 (a difference
    of 0.13, about 1.4 standard errors: the back-down half of the test is weak; see its power).
    Power: with 30 runs committed and 60 not, the assertion holds with probability ≥ 0.90 if the true
    shares are those measured on 2026-12-06 (Southland gives way in 0 of 30 against 11 of 60, Northland
    backs down in 9 of 30 against 10 of 60), and the back-down comparison holds with probability ≤ 0.47
    when there is no effect."""
    seeds = range(30)
    committed = shares(outcomes("chicken_audience_costs", "actors.southland.public_commitment=true",
                                seeds=seeds))
    base = shares(chicken)
    assert committed["target_concedes"] / len(seeds) * 2 <= base["target_concedes"] / len(chicken)
    assert committed["initiator_backs_down"] / len(seeds) > base["initiator_backs_down"] / len(chicken)


@pytest.fixture(scope="module")
def ultimatum():
    return outcomes("turn_the_screw_ultimatum")


def test_ultimatum_the_target_gives_way_after_the_deadline_under_the_tariff(ultimatum):
    """Power: with 60 runs, the assertion holds with probability ≥ 0.999 if the true shares are those
    measured on 2026-12-06 (60 of 60 give way, 59 of them after hour 54 under the tariff; median 81 h,
    standard error 6.1 h); it is a bound on one arm, so there is no arm without the effect to compare it
    with."""
    conceded = [r for r in ultimatum if r["outcome"] == "target_concedes"]
    assert len(conceded) >= 0.9 * len(ultimatum)
    after = [r for r in conceded if r["decided_at_hours"] >= 54
             and r["measures"]["west_tariff"]["furthest"] == "imposed"]
    assert len(after) >= 0.85 * len(ultimatum)
    assert 60 <= median(r["decided_at_hours"] for r in conceded) <= 120


def test_ultimatum_without_a_deadline_is_a_standoff():
    """Power: with 60 runs, the assertion holds with probability 1.0 if the true share of standoffs is 1.0
    (60 of 60, measured on 2026-12-06); it is a bound on one arm, so there is no arm without the effect
    to compare it with."""
    records = outcomes("turn_the_screw_ultimatum", "actors.westmark.policy.params.deadline_hours=1000",
                       "rounds=40")  # ten days without a deadline tell it
    assert shares(records)["standoff"] >= 0.85 * len(records)
    assert all(r["measures"]["west_tariff"]["furthest"] != "imposed" for r in records)


def test_ultimatum_without_the_screw_the_target_can_live_with_the_tariff(ultimatum):
    """Power: with 60 runs an arm, the assertion holds with probability ≥ 0.999 if the true shares are those
    measured on 2026-12-06 (56 mutual escalations and 3 concessions without the screw, 60 concessions
    with it), and the comparison of concessions holds with probability ≤ 0.47 when there is no effect."""
    records = outcomes("turn_the_screw_ultimatum", "actors.westmark.policy.params.escalate_every_hours=null")
    count = shares(records)
    assert count["mutual_escalation"] >= 0.2 * len(records), count
    assert count["target_concedes"] < shares(ultimatum)["target_concedes"]
