"""Office at stake (docs/model.md §7.25): a government weighs the chance that it falls on each
course open to it, so the costs it has borne, and a rally, enter its decisions.

The crises are built here, not read from scenarios/: ``dynamics.office_value`` is 0 in every
bundled scenario and case (the mechanism is off by default), and these tests switch it on.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from crisis_sim.core.dynamics import HOURS_PER_YEAR, fall_chance, fall_hazard_per_hour
from crisis_sim.core.log import LogKind
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.schema import Dynamics
from crisis_sim.core.types import EventKind
from crisis_sim.policies.reasoning import office_at_risk
from crisis_sim.scenario.files import validate_data

# ------------------------------------------------------------ the chance of falling


@pytest.mark.parametrize(("lost", "jump", "spread"), [(0.0, 0.0, 0.0), (0.1, 0.0, 0.05), (-0.05, 0.02, 0.2),
                                                      (0.3, 0.1, 0.0), (0.0, 0.0, 0.4)])
def test_the_chance_of_falling_is_the_hazard_integrated_along_the_loss(lost, jump, spread):
    """``fall_chance`` against the hazard integrated numerically (the midpoint rule, 20,000 steps)
    along a loss of approval that jumps and then grows linearly."""
    per_year, scale, hours = 0.3, 0.1, 60 * 24.0
    steps = 20_000
    integrated = sum(fall_hazard_per_hour(per_year, lost + jump + spread * (k + 0.5) / steps, scale)
                     for k in range(steps)) * hours / steps
    assert fall_chance(per_year, lost, scale, hours, jump, spread) == pytest.approx(
        1.0 - math.exp(-integrated), rel=1e-6)


def test_no_chance_of_falling_when_governments_never_fall():
    assert fall_chance(0.0, 0.5, 0.1, 1000.0, 0.1, 0.1) == 0.0
    assert fall_hazard_per_hour(0.2, 0.0, 0.1) == pytest.approx(0.2 / HOURS_PER_YEAR)
    assert fall_hazard_per_hour(0.2, 1e6, 1e-3) < math.inf  # an exponent past a float's range is capped


def _view(office_value: float, approval: float, approval_start: float = 0.5, **dynamics: Any):
    """The two things office_at_risk reads: the dynamics and each government's public standing."""
    profile = SimpleNamespace(approval=approval, approval_start=approval_start)
    return SimpleNamespace(dynamics=Dynamics(office_value=office_value, concern_days=30, **dynamics),
                           profiles={"me": profile})


def test_office_is_at_risk_only_when_it_has_a_value_and_governments_can_fall():
    assert office_at_risk(_view(0.0, 0.4), "me", 0.05, 0.05) == 0.0
    assert office_at_risk(_view(1.0, 0.4, government_change_per_year=0.0), "me", 0.05, 0.05) == 0.0
    assert office_at_risk(_view(1.0, 0.4), "me") == 0.0  # a course that costs nothing more


def test_more_pain_puts_more_at_risk_and_the_same_pain_more_the_more_approval_is_already_lost():
    """The hazard grows exponentially with approval lost, so the risk a course adds is convex in
    the loss: what has been borne already makes the next loss dearer, and a rally (approval
    above where it started) makes it cheaper."""
    risk = [office_at_risk(_view(1.0, 0.5 - lost), "me", 0.0, 0.05) for lost in (-0.05, 0.0, 0.1, 0.2)]
    assert risk == sorted(risk) and risk[0] < risk[-1] / 4
    fresh = _view(1.0, 0.5)
    assert 0 < office_at_risk(fresh, "me", 0.0, 0.02) < office_at_risk(fresh, "me", 0.0, 0.06)
    assert 0 < office_at_risk(fresh, "me", 0.02, 0.0) < office_at_risk(fresh, "me", 0.06, 0.0)


# --------------------------------------------- a one-sided war of attrition, solved

PRESSURE = 0.002
"""Approval the sender's measure costs the receiver a day (0.2 points), from hour 0."""
STAKE = 0.2
"""The receiver's stake: resolve 0.5 × dignity weight 1 × stake_scale 0.4."""
CONCERN_DAYS = 30.0
FALLS_PER_YEAR, HAZARD_SCALE = 0.2, 0.1


def one_sided(office_value: float, rounds: int = 200, rally: float = 0.0) -> Any:
    """A sender that never gives way (a hardliner that bears nothing: its measure bites on
    politics, not trade) presses a receiver that weighs by expected utility, without noise, has
    no audience cost and no grievance: the receiver's hope is 0, its pain a steady
    ``PRESSURE`` a day, and it gives way once holding out is worse than its stake."""
    def actor(role: str, policy: str, resolve: float) -> dict[str, Any]:
        return {"name": role.title(), "role": role, "gdp_usd_bn": 500, "approval": 0.5, "audience_cost": 0.0,
                "dignity": 1.0, "resolve": {"mean": resolve, "sd": 0.0}, "policy": {"name": policy}}

    data = {
        "name": "one_sided", "title": "A one-sided war of attrition", "start": "2025-01-01T00:00:00+00:00",
        "round_hours": 24, "rounds": rounds, "decision_noise": 0.0,
        "actors": {"sender": actor("initiator", "hardliner", 1.0),
                   "receiver": actor("target", "expected_utility", 0.5)},
        "trade": [{"exporter": "receiver", "importer": "sender", "usd_bn": 50}],
        "measures": {"pressure": {"label": "Pressure", "kind": "diplomatic_act", "imposer": "sender",
                                  "target": "receiver", "continuing": True, "in_force_at_start": True,
                                  "schedule": [{"after_days": 0, "rate": 0.0}],
                                  "political_pressure": PRESSURE}},
        "issues": [{"sender": "sender", "receiver": "receiver", "deportees_pending": 100,
                    "deportees_per_flight": 100, "flights_per_day": 1, "face_saving": False,
                    "aircraft": "civilian", "restraints": False, "refused_at_start": True}],
        "dynamics": {"rally": rally, "rally_days": 3, "stake_scale": 0.4, "concern_days": CONCERN_DAYS,
                     "government_change_per_year": FALLS_PER_YEAR, "approval_hazard_scale": HAZARD_SCALE,
                     "office_value": office_value, "relationship_value": 0.0},
        "posterior": [],  # solved by hand at the values stated and the defaults: nothing drawn
    }
    return validate_data(data, "test")


def solved_concession_day(office_value: float) -> float:
    """The day the receiver gives way, solved from the rule written out, not from the model's
    code: it gives way once the pain of holding out over its window, ``p = PRESSURE × W``, plus
    ``office_value`` × the rise in its chance of falling, ``e^-u - e^-u·g(p/s)``, exceeds its stake,
    where ``u = h0 · W · e^(L/s)`` after losing ``L``. Solved for ``u`` by bisection on its rising
    branch, then ``L = s ln(u / (h0 W))`` and the day ``L / PRESSURE``."""
    pain, s = PRESSURE * CONCERN_DAYS, HAZARD_SCALE
    g = math.expm1(pain / s) / (pain / s)

    def holding_is_worse(u: float) -> bool:
        return pain + office_value * (math.exp(-u) - math.exp(-u * g)) > STAKE

    lo, hi = 0.0, math.log(g) / (g - 1.0)  # the rise in the chance of falling peaks at hi
    assert holding_is_worse(hi), "no concession on the rising branch: choose other numbers"
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if holding_is_worse(mid) else (mid, hi)
    u0 = FALLS_PER_YEAR / HOURS_PER_YEAR * CONCERN_DAYS * 24.0
    return s * math.log(hi / u0) / PRESSURE


def _concession(model: CrisisModel) -> tuple[float | None, bool]:
    """The day the receiver gave way (None if it did not), and whether a government fell first."""
    fell = False
    while model.running and model.round < model.scenario_spec.rounds:
        model.step()
        fell = fell or any(e.kind is LogKind.EVENT and e.event is EventKind.GOVERNMENT_CHANGE
                           for e in model.log)
        issue = model.issues[0]
        if issue.decided is not None:
            assert issue.decided_hours is not None  # decided: it has an hour
            return issue.decided_hours / 24.0, fell
    return None, fell


@pytest.mark.parametrize("office_value", [3.0, 5.0])
def test_the_receiver_gives_way_on_the_day_the_one_sided_war_of_attrition_solves_for(office_value):
    """With office at stake the receiver's concession hazard rises with the costs it has borne:
    it holds while approval erodes and gives way on the day the rule, solved by hand, says
    (within the 3-hour turn in which its decisions are read), in every run in which its
    government did not fall first. Without office at stake it never gives way: its pain
    alone (6 points over its window) never outweighs its stake (20)."""
    expected = solved_concession_day(office_value)
    assert 20 < expected < 150
    scenario = one_sided(office_value)
    checked = 0
    for seed in range(8):
        day, fell = _concession(CrisisModel(scenario, seed, agent_records=False))
        if fell:
            continue
        checked += 1
        assert day is not None and 0 <= day - expected <= 0.125, (seed, day, expected)
    assert checked >= 4
    never, _ = _concession(CrisisModel(one_sided(0.0, rounds=int(expected) + 30), 0, agent_records=False))
    assert never is None


def test_a_rally_puts_off_the_concession_by_the_days_it_takes_to_lose_what_it_gave():
    """A rally of 1 point a day for 3 days lifts approval 3 points above where it started, so the
    receiver reaches the approval at which it gives way 3 / 0.2 = 15 days later (the rally
    effect moves a decision only through office at stake: docs/model.md §7.25)."""
    expected = solved_concession_day(5.0) + 0.03 / PRESSURE
    for seed in range(4):
        day, fell = _concession(CrisisModel(one_sided(5.0, rally=0.01), seed, agent_records=False))
        if not fell:
            assert day is not None and 0 <= day - expected <= 0.125, (seed, day, expected)
            return
    pytest.fail("a government fell first in every run")
