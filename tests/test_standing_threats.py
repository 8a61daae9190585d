"""A threat standing when the crisis opens (``threatened_at_start``, docs/model.md §7.15): threatened
from hour 0, weighed by the target as any threat, and its imposer may carry it out at once.

The crises are built here, not read from scenarios/: a sender, a receiver, trade between them, and
one tariff of the sender's, written either as a threat standing at hour 0 or as a measure the
sender has yet to threaten.
"""

from __future__ import annotations

from typing import Any

import pytest

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.rules import coercion_used
from crisis_sim.core.types import ActionType, MeasureState
from crisis_sim.policies.reasoning import expected_pain
from crisis_sim.scenario import ScenarioError
from crisis_sim.scenario.files import validate_data


def crisis(standing: bool, **tariff: Any) -> Any:
    """A turn-the-screw sender and an expected-utility receiver; the tariff threatened at hour 0
    when ``standing``."""
    def actor(role: str, policy: str, resolve: float) -> dict[str, Any]:
        return {"name": role.title(), "role": role, "gdp_usd_bn": 300, "approval": 0.5, "audience_cost": 0.5,
                "dignity": 0.5, "resolve": {"mean": resolve, "sd": 0.1}, "policy": {"name": policy}}

    data = {
        "name": "standing", "title": "A standing threat", "start": "2025-01-01T00:00:00+00:00",
        "round_hours": 24, "rounds": 30, "decision_noise": 0.0,
        "actors": {"sender": actor("initiator", "turn_the_screw", 0.8),
                   "receiver": actor("target", "expected_utility", 0.5)},
        "trade": [{"exporter": "receiver", "importer": "sender", "usd_bn": 40},
                  {"exporter": "sender", "importer": "receiver", "usd_bn": 20}],
        "measures": {"tariff": {"label": "A 25% tariff", "kind": "tariff", "imposer": "sender",
                                "target": "receiver", "schedule": [{"after_days": 0, "rate": 0.25}],
                                "threatened_at_start": standing, **tariff}},
        "issues": [{"sender": "sender", "receiver": "receiver", "deportees_pending": 100,
                    "deportees_per_flight": 100, "flights_per_day": 1, "refused_at_start": True}],
        "dynamics": {"government_change_per_year": 0, "relationship_value": 0.0},
        "posterior": [],
    }
    return validate_data(data, "test")


def test_a_threat_standing_at_the_start_is_threatened_from_hour_0_and_makes_it_a_coercion_crisis():
    standing, fresh = CrisisModel(crisis(True), 0), CrisisModel(crisis(False), 0)
    assert standing.measures["tariff"].state is MeasureState.THREATENED
    assert standing.measures["tariff"].threatened_at == 0.0
    assert standing.datacollector.model_vars["state_tariff"][0] == "threatened"  # round 0's record
    assert coercion_used(standing, standing.issues[0])
    assert fresh.measures["tariff"].state is MeasureState.AVAILABLE
    assert not coercion_used(fresh, fresh.issues[0])


def test_the_target_weighs_a_standing_threat_from_hour_0():
    """At hour 0 the receiver expects the tariff's pain, weighted by the chance it is carried
    out; with the tariff not yet threatened it expects none."""
    def pain_at_start(standing: bool) -> float:
        model = CrisisModel(crisis(standing), 0)
        return expected_pain(model.views_for(model.governments["receiver"])[0])

    assert pain_at_start(False) == 0.0
    assert pain_at_start(True) > 0.0


def test_its_imposer_may_carry_it_out_at_once_and_does_not_threaten_it_again():
    model = CrisisModel(crisis(True), 0)
    issue = model.views_for(model.governments["sender"])[0].issue
    moves = {a.kind for a in model.legal_actions("sender", issue) if a.measure == "tariff"}
    assert ActionType.IMPOSE in moves
    assert ActionType.THREATEN not in moves
    fresh = CrisisModel(crisis(False), 0)
    issue = fresh.views_for(fresh.governments["sender"])[0].issue
    fresh_moves = {a.kind for a in fresh.legal_actions("sender", issue) if a.measure == "tariff"}
    assert ActionType.THREATEN in fresh_moves


def test_a_measure_cannot_stand_both_as_a_threat_and_in_force_at_the_start():
    with pytest.raises((ScenarioError, ValueError), match="threatened_at_start or in_force_at_start"):
        crisis(True, in_force_at_start=True)
