"""Inducements (docs/model.md §7.26): what a sender can give for compliance (a carrot), offered in
public once and given when the receiver complies, in whole or in part.

The crises are built here, not read from scenarios/: no bundled scenario or case has an
inducement (the field is new), so these tests are what shows it working.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.types import Action, ActionType, Outcome
from crisis_sim.present.narrate import Teller
from crisis_sim.runs import run_scenario
from crisis_sim.scenario.files import validate_data

WORTH = 0.08
RATE = 0.05
"""The stick: a 5% tariff on the receiver's exports to the sender."""
"""What the inducement is worth to the receiver's government: 8 points of approval."""


def crisis(inducement: dict[str, Any] | None, *, measures: bool = False, sender: str = "expected_utility",
           noise: float = 0.0, resolve: float = 0.2) -> Any:
    """A sender that demands something of a receiver of low resolve (stake about 6 points), with
    nothing to coerce it with unless ``measures``; the sender may offer ``inducement``."""
    def actor(role: str, policy: str, resolve: float) -> dict[str, Any]:
        return {"name": role.title(), "role": role, "gdp_usd_bn": 300, "approval": 0.5, "audience_cost": 0.3,
                "dignity": 0.5, "resolve": {"mean": resolve, "sd": 0.05}, "policy": {"name": policy}}

    issue: dict[str, Any] = {"sender": "sender", "receiver": "receiver", "deportees_pending": 1,
                             "deportees_per_flight": 1, "flights_per_day": 1, "refused_at_start": True,
                             "aircraft": "civilian", "restraints": False}
    if inducement is not None:
        issue["inducement"] = inducement
    tariff = {"label": "A 5% tariff", "kind": "tariff", "imposer": "sender", "target": "receiver",
              "schedule": [{"after_days": 0, "rate": RATE}]}
    data = {
        "name": "carrot", "title": "A carrot", "start": "2025-01-01T00:00:00+00:00",
        "round_hours": 24, "rounds": 60, "decision_noise": noise,
        "actors": {"sender": actor("initiator", sender, 0.7),
                   "receiver": actor("target", "expected_utility", resolve)},
        "trade": [{"exporter": "receiver", "importer": "sender", "usd_bn": 40}],
        "measures": {"tariff": tariff} if measures else {},
        "issues": [issue],
        "dynamics": {"government_change_per_year": 0, "rally": 0, "talks_cost": 0, "relationship_value": 0.0},
        "posterior": [],  # nothing but the carrot (or the stick) moves the receiver: nothing drawn
    }
    return validate_data(data, "test")


VISIT = {"label": "a state visit", "worth": WORTH, "cost": 0.005}


def test_a_carrot_alone_settles_a_refusal_that_nothing_else_moves():
    """With nothing to coerce it with, the sender's demand stands unmet in every run; offered a
    visit worth more than its stake, the receiver complies, in a dispute that never saw a threat
    (``defused``), and its government gains the visit's worth while the sender's pays its cost."""
    without = Counter(run_scenario(crisis(None), seed).outcome["outcome"] for seed in range(5))
    assert without == Counter({"standoff": 5})
    for seed in range(5):
        model = CrisisModel(crisis(VISIT), seed)
        gov, issue = model.governments, model.issues[0]
        while issue.decided is None and model.round < model.scenario_spec.rounds:
            before = {k: g.approval for k, g in gov.items()}
            model.step()
        assert issue.decided is Outcome.DEFUSED
        assert issue.offered_at is not None and issue.given_at == issue.decided_hours
        assert gov["receiver"].approval - before["receiver"] == pytest.approx(WORTH)
        assert gov["sender"].approval - before["sender"] == pytest.approx(-VISIT["cost"])
        told = [p["text"] for p in model.turning_points]
        assert "Initiator offers a state visit if Target complies" in told


def test_a_carrot_that_costs_the_sender_more_than_its_demand_is_worth_is_not_offered():
    dear = {"label": "a state visit", "worth": WORTH, "cost": 0.5}
    for seed in range(3):
        result = run_scenario(crisis(dear), seed)
        assert result.outcome["outcome"] == "standoff"
        assert not any(a.kind is ActionType.OFFER_INDUCEMENT for e in result.events for a in e.actions)


def test_carrot_and_stick_a_turn_the_screw_sender_offers_it_too_and_the_target_gives_way():
    """George's carrot and stick: against a target of middling resolve a 5% tariff alone leaves
    the demand unmet; a turn-the-screw sender that can also offer the visit does, and the target
    then gives way (the same seeds, the bundled scenarios' decision noise).
    Power: measured on 2026-12-06, 0 of 10 runs give way under the stick alone and 10 of 10 with
    the carrot (each ``claimed_by_both``: the target won the visit); were the true shares 0.05
    and 0.95 the test would pass with probability 0.98."""
    def outcomes(inducement: dict[str, Any] | None) -> list[dict[str, Any]]:
        return [run_scenario(crisis(inducement, measures=True, sender="turn_the_screw", noise=0.005,
                                    resolve=0.6), seed).outcome for seed in range(10)]

    stick, both = outcomes(None), outcomes(VISIT)
    assert sum(o["outcome"] in ("target_concedes", "claimed_by_both") for o in stick) <= 2
    assert sum(o["outcome"] == "claimed_by_both" for o in both) >= 8  # it won a visit in return
    assert all("Initiator gives a state visit" in [p["text"] for p in o["turning_points"]]
               for o in both if o["outcome"] == "claimed_by_both")


def _moves(model: CrisisModel, key: str) -> set[ActionType]:
    return {a.kind for a in model.legal_actions(key, model.views_for(model.governments[key])[0].issue)}


def test_it_is_offered_once_by_the_sender_and_told_in_words():
    model = CrisisModel(crisis(VISIT), 0)
    assert ActionType.OFFER_INDUCEMENT in _moves(model, "sender")
    assert ActionType.OFFER_INDUCEMENT not in _moves(model, "receiver")
    model.issues[0].offered_at = 0.0
    model._public_round = -1  # the shared views are rebuilt: the offer now stands
    assert ActionType.OFFER_INDUCEMENT not in _moves(model, "sender")
    teller = Teller(crisis(VISIT))
    offer = Action(ActionType.OFFER_INDUCEMENT, "sender", "receiver", issue=0)
    assert "offers Target a state visit if it complies" in teller.moves("sender", [offer])


def test_the_debrief_says_what_the_deal_gave_not_face():
    """The play debrief splits approval by source: an inducement's worth is the deal's, not an
    audience cost (the remainder it would otherwise have been counted in)."""
    from crisis_sim.teach.play import approval_sources

    model = CrisisModel(crisis(VISIT), 0)
    while model.issues[0].decided is None and model.round < model.scenario_spec.rounds:
        model.step()
    sources = approval_sources(model)
    assert sources["receiver"].deal == pytest.approx(WORTH)
    assert sources["sender"].deal == pytest.approx(-VISIT["cost"])
    assert sources["receiver"].face == pytest.approx(0.0, abs=1e-12)


def test_terms_count_the_inducement_they_would_bring_on_both_sides():
    """A settlement on terms is compliance in part, so an inducement offered is given on it: the
    receiver's value of accepting terms rises by its worth, the sender's falls by its cost."""
    from crisis_sim.core.rules import propose
    from crisis_sim.policies.rational import ExpectedUtility

    def accept_value(key: str, offered: bool) -> float:
        model = CrisisModel(crisis(VISIT), 0)
        issue = model.issues[0]
        propose(model, "receiver" if key == "sender" else "sender", issue, 0.6)
        if offered:
            issue.offered_at = 0.0
        view = model.views_for(model.governments[key])[0]
        options = ExpectedUtility().options(view)
        return next(o.utility for o in options if o.actions[0].kind is ActionType.ACCEPT_TERMS)

    assert accept_value("receiver", True) - accept_value("receiver", False) == pytest.approx(WORTH)
    assert accept_value("sender", True) - accept_value("sender", False) == pytest.approx(-VISIT["cost"])
