"""A settlement that is a pause with a review date (docs/model.md §7.11): an issue with
``review_after_days``, decided by the receiver giving way or by terms, has the sender suspend its
measures rather than lift them, and at the review date the sender keeps the deal or reopens the
crisis, weighing them as it weighs its other moves.

The scenarios are built here: a sender with a tariff, a receiver of low resolve that gives way,
and a demand the receiver carries out at once (one flight) or only a little of by the review
(a hundred thousand deportees at ten a day).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from crisis_sim.core.outcomes import outcome_record
from crisis_sim.core.schema import Scenario
from crisis_sim.runs import run_scenario
from crisis_sim.runs.single_run import run_model
from crisis_sim.scenario import load_scenario
from crisis_sim.scenario.files import validate_data

REVIEW_DAYS = 45
"""The 2019 US–Mexico deal's review (docs/sources.md §5 C1)."""

EXPECTED_UTILITY = {"name": "expected_utility"}
ULTIMATUM = {"name": "turn_the_screw", "params": {"deadline_hours": 48}}
IMPOSED_AT_ONCE = {"name": "turn_the_screw", "params": {"deadline_hours": 48, "impose_now": ["tariff"]}}
"""A sender that imposes its tariff at the outset: every run has a measure to lift or suspend."""
CARRIED_OUT_AT_ONCE = (100, 100)
"""Deportees pending and per flight: the first flight returns them all."""
CARRIED_OUT_LITTLE = (10_000, 10)
"""A thousand flights at one a day: by the review, under half a percent returned."""


def actor(role: str, policy: dict[str, Any], resolve: float) -> dict[str, Any]:
    return {"name": role.title(), "role": role, "gdp_usd_bn": 500, "approval": 0.5, "audience_cost": 0.5,
            "dignity": 0.5, "resolve": {"mean": resolve, "sd": 0.2}, "policy": policy}


def crisis(sender: dict[str, Any], demand: tuple[int, int], review: float | None = REVIEW_DAYS,
           rounds: int = 200) -> Scenario:
    pending, per_flight = demand
    issue: dict[str, Any] = {"sender": "sender", "receiver": "receiver", "deportees_pending": pending,
                             "deportees_per_flight": per_flight, "flights_per_day": 1, "face_saving": False}
    if review is not None:
        issue["review_after_days"] = review
    data = {
        "name": "review", "title": "A deal under review", "start": "2025-01-01T00:00:00+00:00",
        "round_hours": 24, "rounds": rounds, "decision_noise": 0.005,
        "actors": {"sender": actor("initiator", sender, 0.7),
                   "receiver": actor("target", EXPECTED_UTILITY, 0.4)},
        "trade": [{"exporter": "receiver", "importer": "sender", "usd_bn": 50},
                  {"exporter": "sender", "importer": "receiver", "usd_bn": 50}],
        "measures": {"tariff": {"label": "Tariff", "kind": "tariff", "imposer": "sender",
                                "target": "receiver", "schedule": [{"after_days": 0, "rate": 0.25}]}},
        "issues": [issue],
        "dynamics": {"government_change_per_year": 0, "stake_scale": 0.1, "concern_days": 60},
    }
    return validate_data(data, "test")


def records(scenario: Scenario, seeds: range) -> list[dict[str, Any]]:
    return [outcome_record(run_model(scenario, seed, agent_records=False)) for seed in seeds]


@pytest.mark.parametrize("sender", [EXPECTED_UTILITY, ULTIMATUM], ids=["expected_utility", "turn_the_screw"])
def test_a_deal_that_leaves_the_sender_little_reopens_more_often(sender) -> None:
    """Over 30 seeds, runs reopened at least once: a deal carried out at once is mostly kept
    (seen: 8 and 9 of 30, the noise of a close call), one carried out only in small part mostly
    reopened (30 and 26 of 30).
    Power: with 30 runs an arm, the assertion holds with probability ≥ 0.96 (expected utility) and ≥ 0.90
    (turn the screw) if the true shares reopened are those measured on 2026-12-06 (8 and 30 of 30; 9 and
    26), and holds with probability ≤ 0.001 when there is no effect."""
    def reopened(demand: tuple[int, int]) -> int:
        return sum(r["issues"][0]["reopened"] > 0 for r in records(crisis(sender, demand), range(30)))

    delivered, little = reopened(CARRIED_OUT_AT_ONCE), reopened(CARRIED_OUT_LITTLE)
    assert little >= delivered + 12, (delivered, little)
    assert delivered <= 12, delivered


def test_a_reopened_issue_is_decided_again_and_the_record_says_so() -> None:
    """A reopened issue is contested again and decided again; the record gives the last decision
    (its hour after the reopening) and how many times it was reopened.
    Power: with 10 runs, 'seen >= 5' holds with probability ≥ 0.99 if the true share of runs reopened and
    decided again is 0.8 (8 of 10, measured on 2026-12-06); it is a bound on one arm, so there is no arm
    without the effect to compare it with."""
    seen = 0
    for r in records(crisis(ULTIMATUM, CARRIED_OUT_LITTLE, rounds=120), range(10)):
        texts = [p["text"] for p in r["turning_points"]]
        reopenings = [p["hours"] for p in r["turning_points"] if "reopens the crisis" in p["text"]]
        if not reopenings or r["decided_at_hours"] is None:
            continue
        seen += 1
        assert r["issues"][0]["reopened"] == len(reopenings)
        assert r["decided_at_hours"] > reopenings[-1]
        assert r["outcome"] in ("target_concedes", "claimed_by_both", "negotiated_settlement")
        assert sum("to be reviewed" in t for t in texts) == len(reopenings) + 1
    assert seen >= 5


def test_under_review_the_sender_suspends_its_measures_and_keeping_the_deal_settles_it() -> None:
    """The same runs with and without a review: where the sender's tariff, imposed at the outset,
    was in force when the receiver gave way, it is lifted without a review and suspended with one;
    a deal kept at its review is settled for good (the run stops once settled).
    Power: with 20 runs, 'compared >= 3' holds with probability ≥ 0.999 if the true share of runs to
    compare is 0.45 (9 of 20, measured on 2026-12-07; the others end in a standoff or are reopened
    at the review); it is a bound on one arm, so there is no arm without the effect to compare it
    with. (It first used the ultimatum's tariff, imposed only if the deadline passed: 3 of 20 runs,
    then 2 of 20 after a calibration, a bound that held with probability 0.6.)"""
    compared = 0
    for seed in range(20):
        final = run_scenario(crisis(IMPOSED_AT_ONCE, CARRIED_OUT_AT_ONCE, review=None), seed).outcome
        paused = run_scenario(crisis(IMPOSED_AT_ONCE, CARRIED_OUT_AT_ONCE), seed).outcome
        if final["measures"]["tariff"]["furthest"] != "imposed" or final["outcome"] != "target_concedes":
            continue
        if paused["issues"][0]["reopened"]:
            continue
        compared += 1
        assert final["measures"]["tariff"]["final"] == "lifted"
        assert paused["measures"]["tariff"]["final"] == "suspended"
        assert paused["settled"] and not paused["issues"][0]["review_pending"]
        assert any("keeps the deal" in p["text"] for p in paused["turning_points"])
        assert paused["rounds_run"] >= paused["decided_round"] + REVIEW_DAYS
    assert compared >= 3


def test_no_review_changes_nothing() -> None:
    """``review_after_days: null`` is the settlement as before: the same runs, the same hash, and
    no review fields in the record."""
    plain = load_scenario("chicken_audience_costs")
    stated = load_scenario("chicken_audience_costs", ["issues.0.review_after_days=null"])
    assert plain.content_hash() == stated.content_hash()
    for seed in (0, 1):
        a, b = run_scenario(plain, seed), run_scenario(stated, seed)
        assert a.outcome == b.outcome
        assert a.model_frame.equals(b.model_frame)
        assert "reopened" not in a.outcome["issues"][0]


def test_the_less_the_terms_give_the_sender_the_likelier_it_reopens() -> None:
    """At a review, the same sender's view with the deal's terms lowered: keeping it is worth the
    share of the demand it gives (terms × share carried out) of the sender's stake, reopening
    does not depend on the terms, so the chance of reopening rises as the terms fall."""
    from dataclasses import replace

    from crisis_sim.core.model import CrisisModel
    from crisis_sim.policies.reasoning import deal_share, review_options, unmet_demand_loss

    def with_a_deal(seed: int) -> CrisisModel | None:
        model = CrisisModel(crisis(ULTIMATUM, CARRIED_OUT_AT_ONCE), seed=seed)
        while model.issues[0].review_due is None and model.round < 10:
            model.step()
        return model if model.issues[0].review_due is not None else None

    model = next(m for seed in range(10) if (m := with_a_deal(seed)) is not None)
    model.hours = model.issues[0].review_due  # the sender's view when the review comes
    sender = model.governments["sender"]
    at_review = model.views_for(sender)[0]
    assert at_review.issue is not None and at_review.issue.review_due
    chances = []
    for terms in (1.0, 0.8, 0.5, 0.2):  # the demand carried out in full, on these terms
        view = replace(at_review, issue=replace(at_review.issue, terms=terms, delivered=1.0))
        keep, again = review_options(view)
        assert deal_share(view) == terms
        assert keep.utility == pytest.approx(-(1 - terms) * unmet_demand_loss(view))
        chances.append(sender.choice_probabilities(view, [keep, again])[1])
    # seen: 0.17, 0.72, 0.99, 0.9998 (this sender has seen the receiver give way after three
    # days of a building strain, so it expects a reopened crisis to be won cheaply; before the
    # strain built up, the deal came after two days and the chances were 0.000004 to 0.08)
    assert all(a < b for a, b in pairwise(chances)), chances
    assert chances[0] < 0.5 < chances[-1], chances  # a full deal mostly kept, a poor one mostly reopened
