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
    """Power: with 60 runs, the assertion holds with probability ≥ 0.98 if the true shares are those
    measured on 2026-12-07 at 200 seeds (Southland gives way in 9.5%, Northland backs down in 42%,
    four endings seen; at seeds 0-59, 7 and 21); it is a bound on one arm, so there is no arm without
    the effect to compare it with. (The sender read by its own rule, docs/model.md §7.22, made
    Southland's concessions rarer: 17% before.)"""
    count = shares(chicken)
    assert count["target_concedes"] >= 2, count
    assert count["initiator_backs_down"] >= 2, count
    assert len(count) >= 3, count


@pytest.mark.xfail(strict=True, reason=(
    'measured miss: in chicken the target gives way in 7 runs and the sender backs down in 21 (of 60; '
    '21 negotiated settlements, 11 defused): the sender, whose demand goes unmet while it waits, swerves '
    'more often, reputation or not (compelling is harder than deterring, schelling1966)'))
def test_chicken_the_sender_swerves_less_because_its_credibility_elsewhere_is_at_stake(chicken):
    """peterson2013, docs/teaching.md exercise 2: the mirror images differ in the sender's
    reputation with its other receivers; without it the two swerve about equally often.
    Power: with 60 runs an arm, the first bound holds with probability below 0.001 if the true
    shares are those measured on 2026-12-07 at 200 seeds (19 concessions against 84 back-downs;
    without precedent 13 against 93), so it fails as marked."""
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
    Measured on 2026-12-07 (the sender read by its own rule, docs/model.md §7.22): of the runs in
    which a side gives way, the one that does is the less resolved in 69 of 103 at 200 seeds (mean
    resolve gap -0.09, sd 0.28) and in 19 of 28 at seeds 0-59 (before that reading, 51 of 68:
    Northland now gives way far more often, and its choice hangs less on its resolve, since its
    demand is lost whether it keeps it or drops it).
    Power: resampling the 200 seeds' give-way runs as a 60-seed batch, both assertions hold with
    probability 0.95; were who swerves independent of resolve (the gap's sign a coin toss), 0.39."""
    gaps = []
    for r in chicken:
        if r["outcome"] in ("target_concedes", "initiator_backs_down"):
            swerved = "southland" if r["outcome"] == "target_concedes" else "northland"
            held = "northland" if swerved == "southland" else "southland"
            gaps.append(r["resolve"][swerved] - r["resolve"][held])
    assert len(gaps) >= 10
    assert sum(g < 0 for g in gaps) > len(gaps) / 2, gaps
    assert sum(gaps) < 0, gaps


def test_chicken_a_public_commitment_makes_southland_swerve_less(chicken):
    """Committed, Southland never gives way; a commitment also ties its hands in talks, so fewer
    crises end in a deal (putnam1988: a government bound at home has a smaller win-set, which
    makes agreement rarer). Many committed runs are standoffs that last the full 30 days, so
    that arm is run over seeds 0-29 and compared by share. Measured on 2026-12-07 (the sender read
    by its own rule, docs/model.md §7.22): Southland gives way in 0 of 30 against 7 of 60; a deal
    in 4 of 30 against 21 of 60; Northland backs down in 8 of 30 against 21 of 60 (at 200 seeds:
    58 against 84, and 45 standoffs against none: Northland, whose demand is lost whether it keeps
    it or drops it, mostly waits rather than pay face to drop it, docs/teaching.md exercise 2).
    Power: with 30 runs committed and 60 not, if the true shares are those of 200 seeds (Southland
    gives way 0 and 0.095, a deal 0.09 and 0.38), both assertions hold with probability 0.99 or
    more; the deal comparison holds with probability below one half when there is no effect."""
    seeds = range(30)
    committed = shares(outcomes("chicken_audience_costs", "actors.southland.public_commitment=true",
                                seeds=seeds))
    base = shares(chicken)
    assert committed["target_concedes"] / len(seeds) * 2 <= base["target_concedes"] / len(chicken)
    deal = "negotiated_settlement"
    assert committed[deal] / len(seeds) < base[deal] / len(chicken), (committed, base)


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
