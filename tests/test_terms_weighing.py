"""A turn-the-screw sender weighs terms short of its demand (docs/model.md §7.11): accepting terms
``t`` concedes ``1 - t`` of what withdrawing the demand concedes whole (stake, face, credibility
with other receivers), and is weighed against holding out and withdrawing."""

from __future__ import annotations

from typing import Any

import pytest

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.state import Proposal
from crisis_sim.core.types import ActionType, MeasureState
from crisis_sim.policies.coercion import reputation
from crisis_sim.policies.reasoning import backdown_cost, stake
from crisis_sim.scenario.files import validate_data
from test_inducements import crisis


def _screw(weigh_terms: bool = True) -> Any:
    """The carrot-and-stick crisis with a turn-the-screw sender whose 5% tariff is in force."""
    data = crisis(None, measures=True, sender="turn_the_screw").model_dump(mode="json")
    data["actors"]["sender"]["policy"]["params"] = {"weigh_terms": weigh_terms}
    return validate_data(data, "test")


def _sender_options(scenario: Any, terms: float) -> tuple[Any, list]:
    model = CrisisModel(scenario, 0)
    tariff = model.measures["tariff"]
    tariff.set_state(MeasureState.IMPOSED)
    tariff.imposed_at, tariff.rate = 0.0, tariff.spec.schedule[0].rate
    model.proposals[("receiver", 0)] = Proposal("receiver", 0, terms, model.hours)
    model._public_round = -1  # the shared views are rebuilt from the state as it stands
    view = model.views_for(model.governments["sender"])[0]
    return view, model.governments["sender"].policy.options(view)


def _accept(options: list) -> list:
    return [o for o in options if o.actions and o.actions[0].kind is ActionType.ACCEPT_TERMS]


@pytest.mark.parametrize("terms", [0.0, 0.4, 0.7])
def test_terms_short_of_the_demand_are_worth_their_share_of_a_withdrawal(terms: float) -> None:
    view, options = _sender_options(_screw(), terms)
    (accept,) = _accept(options)
    withdraw = stake(view) + backdown_cost(view) + reputation(view, 1.0)
    assert withdraw > 0
    assert accept.utility == pytest.approx(-(1 - terms) * withdraw)  # no office at stake here
    (back,) = [o for o in options if o.actions[0].kind is ActionType.WITHDRAW_DEMAND]
    assert accept.utility >= back.utility  # never worse than giving up the whole demand


def test_without_weighing_terms_below_the_floor_are_never_an_option() -> None:
    _, options = _sender_options(_screw(weigh_terms=False), 0.4)
    assert _accept(options) == []
    _, at_floor = _sender_options(_screw(weigh_terms=False), 0.75)  # at accept_terms_at_least
    best = max(at_floor, key=lambda o: o.utility)
    assert _accept([best]) == [best] and best.reason.endswith("meet the demand")  # taken at once
