"""Direct tests of the core mechanics on hand-built states, with real numbers.

The escalation ladder, how an unsettled run is classified, implementing a
settlement, expected pain, relations, precedent, and the legal moves of a
receiver, a sender and a bystander before and after a decision. Models are
built from the small scenario of ``conftest`` (plus a counter-measure and a
bystander) and their public attributes set by hand.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from conftest import minimal_scenario_data
from crisis_sim.core import beliefs as belief_grid
from crisis_sim.core import dynamics
from crisis_sim.core.events import fire_events
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.moves import apply_action
from crisis_sim.core.outcomes import classify_unsettled, escalation_level, outcome_record
from crisis_sim.core.schema import Dynamics, Scenario
from crisis_sim.core.settlement import implement_settlement
from crisis_sim.core.state import Proposal
from crisis_sim.core.types import (
    Action,
    ActionType,
    FlightStatus,
    LiftCondition,
    MeasureKind,
    MeasureState,
    Outcome,
    Role,
    Variant,
)
from crisis_sim.core.view import IssueView, MeasureView, Profile, WorldView
from crisis_sim.policies import reasoning


def scenario(**changes) -> Scenario:
    """The small scenario with a receiver counter-tariff and a bystander."""
    data = minimal_scenario_data()
    data["measures"]["counter"] = {
        "label": "Counter-tariff",
        "kind": "counter_tariff",
        "imposer": "receiver",
        "target": "sender",
        "schedule": [{"after_days": 0, "rate": 0.25}, {"after_days": 7, "rate": 0.5}],
    }
    data["actors"]["onlooker"] = {
        **data["actors"]["receiver"],
        "name": "Onlooker",
        "role": "third_party",
        "policy": {"name": "mediator", "params": {}},
    }
    data["events"] = []
    data.update(changes)
    return Scenario.model_validate(data)


@pytest.fixture
def model() -> CrisisModel:
    return CrisisModel(scenario(), seed=0)


def impose(model: CrisisModel, key: str, hours: float = 0.0, rate: float | None = None) -> None:
    m = model.measures[key]
    m.set_state(MeasureState.IMPOSED)
    m.imposed_at = hours
    m.rate = m.spec.schedule[0].rate if rate is None else rate


# --------------------------------------------------------------------------
# The escalation ladder
# --------------------------------------------------------------------------


def test_rung_0_calm_once_every_issue_is_decided(model):
    model.issues[0].decided = Outcome.TARGET_CONCEDES
    assert escalation_level(model) == 0


def test_rung_1_dispute_while_an_issue_is_open(model):
    assert model.issues[0].decided is None
    assert escalation_level(model) == 1


def test_rung_2_threats(model):
    model.measures["tariff"].set_state(MeasureState.THREATENED)
    assert escalation_level(model) == 2


def test_rung_3_one_side_imposes(model):
    model.measures["tariff"].set_state(MeasureState.THREATENED)
    impose(model, "visas")
    assert escalation_level(model) == 3


def test_rung_4_both_sides_impose(model):
    impose(model, "tariff")
    impose(model, "counter")
    assert escalation_level(model) == 4


def test_rung_5_both_impose_and_a_schedule_stepped_up(model):
    impose(model, "tariff", rate=0.5)
    impose(model, "counter")
    assert escalation_level(model) == 5


def test_suspended_and_lifted_measures_are_off_the_ladder(model):
    model.measures["tariff"].set_state(MeasureState.SUSPENDED)
    model.measures["counter"].set_state(MeasureState.LIFTED)
    assert escalation_level(model) == 1


# --------------------------------------------------------------------------
# Classifying an unsettled run
# --------------------------------------------------------------------------


def test_both_sides_imposing_is_mutual_escalation_from_the_later_side(model):
    impose(model, "tariff", hours=6.0)
    impose(model, "visas", hours=30.0)  # the sender's earliest (6 h) counts
    impose(model, "counter", hours=18.0)
    # 18 h is the opening of round 4 (round r opens at (r - 1) * 6 h)
    assert classify_unsettled(model, model.issues[0]) == (Outcome.MUTUAL_ESCALATION, 4)
    record = outcome_record(model)
    assert record["outcome"] == "mutual_escalation"
    assert (record["decided_round"], record["decided_at_hours"]) == (4, 18.0)


def test_one_side_imposing_is_a_standoff_undecided(model):
    impose(model, "tariff", hours=6.0)
    model.measures["counter"].set_state(MeasureState.THREATENED)
    assert classify_unsettled(model, model.issues[0]) == (Outcome.STANDOFF, None)
    record = outcome_record(model)
    assert record["outcome"] == "standoff"
    assert record["decided_round"] is None and record["decided_at_hours"] is None


def test_a_decided_issue_keeps_its_outcome_in_the_record(model):
    issue = model.issues[0]
    issue.decided, issue.variant = Outcome.TARGET_CONCEDES, "face_saving"
    issue.decided_round, issue.decided_hours = 2, 12.0
    impose(model, "tariff")
    impose(model, "counter")
    record = outcome_record(model)
    assert (record["outcome"], record["variant"], record["decided_round"]) == (
        "target_concedes", "face_saving", 2)


# --------------------------------------------------------------------------
# Hand-built views
# --------------------------------------------------------------------------


def measure_view(id: str, imposer: str, target: str, state: MeasureState, *,
                 lift_after: LiftCondition = LiftCondition.COMPLIANCE, target_share: float = 0.0,
                 imposer_share: float = 0.0, pressure: float = 0.0) -> MeasureView:
    return MeasureView(
        id=id, label=id.title(), kind=MeasureKind.TARIFF, imposer=imposer, target=target,
        state=state, rate=0.0, target_annual_share=target_share,
        imposer_annual_share=imposer_share, political_pressure=pressure, answered_in_kind=True,
        lift_after=lift_after, can_escalate=False,
    )


def issue_view(*, status: FlightStatus = FlightStatus.REFUSED, decided: Outcome | None = None,
               landed: bool = False) -> IssueView:
    return IssueView(index=0, sender="s", receiver="r", status=status, decided=decided,
                     face_saving=True, face_saving_share=0.5, first_flight_landed=landed,
                     hours_contested=12.0, aircraft="military", restraints=True)


def view(me: str, measures=(), issue: IssueView | None = None, beliefs=None,
         dyn: Dynamics | None = None, **changes) -> WorldView:
    issue = issue if issue is not None else issue_view()
    fields = {
        "me": me, "role": Role.INITIATOR if me == "s" else Role.TARGET, "round": 4, "hours": 12.0,
        "round_hours": 3.0, "resolve": 0.6, "approval": 0.5, "approval_start": 0.5, "cost_usd_bn": 0.0,
        "gdp_usd_bn": 100.0, "committed": False, "hours_committed": 0.0, "audience_cost": 0.5, "dignity": 0.4,
        "risk_tolerance": 0.5, "beliefs": beliefs or {"s": 0.5, "r": 0.5},
        "resolve_means": {"s": 0.5, "r": 0.5},
        "resolve_beliefs": {"s": belief_grid.prior(0.5, 0.2), "r": belief_grid.prior(0.5, 0.2)},
        "profiles": {k: Profile(dignity=0.4, audience_cost=0.5, risk_tolerance=0.5, gdp_usd_bn=100.0,
                                committed=False, hours_committed=0.0, approval=0.5, approval_start=0.5,
                                temperature=0.01, deliberation_hours=0.0) for k in ("s", "r")},
        "issue": issue, "issues": (issue,), "measures": tuple(measures), "last_moves": {}, "proposals": {},
        "proposed_to": frozenset(), "back_channels": frozenset(), "offered_to_receive": False,
        # round figures for the sums below, whatever the fitted defaults are
        "dynamics": dyn or Dynamics(concern_days=30.0, pain_weight=10.0, stake_scale=0.1,
                                    audience_cost_scale=0.15),
    }
    fields.update(changes)
    return WorldView(**fields)


# --------------------------------------------------------------------------
# Implementing a settlement
# --------------------------------------------------------------------------

ACCEPTED = issue_view(status=FlightStatus.ACCEPTED, decided=Outcome.TARGET_CONCEDES)


def moves(option) -> set[tuple[ActionType, str | None]]:
    return {(a.kind, a.measure) for a in option.actions}


def test_nothing_to_implement_while_the_issue_is_open():
    threatened = measure_view("tariff", "s", "r", MeasureState.THREATENED)
    assert implement_settlement(view("s", [threatened])) is None


def test_the_winning_sender_holds_its_threats_in_reserve():
    threatened = measure_view("tariff", "s", "r", MeasureState.THREATENED)
    option = implement_settlement(view("s", [threatened], ACCEPTED))
    assert moves(option) == {(ActionType.SUSPEND, "tariff")}
    assert "hold Tariff in reserve" in option.reason
    assert all(a.actor == "s" and a.counterpart == "r" for a in option.actions)


def test_first_flight_measures_stay_until_the_first_flight_lands():
    visas = measure_view("visas", "s", "r", MeasureState.IMPOSED,
                         lift_after=LiftCondition.FIRST_FLIGHT_LANDED)
    waiting = implement_settlement(view("s", [visas], ACCEPTED))
    assert moves(waiting) == {(ActionType.WAIT, None)}
    assert "keep Visas until the first flight lands" in waiting.reason
    landed = dataclasses.replace(ACCEPTED, first_flight_landed=True)
    option = implement_settlement(view("s", [visas], landed))
    assert moves(option) == {(ActionType.LIFT, "visas")}


def test_compliance_measures_lift_at_once_and_never_measures_stay():
    tariff = measure_view("tariff", "s", "r", MeasureState.IMPOSED)
    forever = measure_view("aid", "s", "r", MeasureState.IMPOSED, lift_after=LiftCondition.NEVER)
    option = implement_settlement(view("s", [tariff, forever], ACCEPTED))
    assert moves(option) == {(ActionType.LIFT, "tariff")}
    assert implement_settlement(view("s", [forever], ACCEPTED)) is None


def test_a_sender_that_backed_down_lifts_rather_than_suspends():
    withdrawn = issue_view(status=FlightStatus.WITHDRAWN, decided=Outcome.INITIATOR_BACKS_DOWN)
    threatened = measure_view("tariff", "s", "r", MeasureState.THREATENED)
    visas = measure_view("visas", "s", "r", MeasureState.IMPOSED,
                         lift_after=LiftCondition.FIRST_FLIGHT_LANDED)
    option = implement_settlement(view("s", [threatened, visas], withdrawn))
    assert moves(option) == {(ActionType.LIFT, "tariff"), (ActionType.LIFT, "visas")}


def test_the_receiver_that_gave_way_withdraws_its_counter_measures():
    counter = measure_view("counter", "r", "s", MeasureState.IMPOSED)
    threat = measure_view("threat", "r", "s", MeasureState.THREATENED)
    sender_tariff = measure_view("tariff", "s", "r", MeasureState.IMPOSED)
    option = implement_settlement(view("r", [counter, threat, sender_tariff], ACCEPTED))
    assert moves(option) == {(ActionType.LIFT, "counter"), (ActionType.LIFT, "threat")}


# --------------------------------------------------------------------------
# Expected pain (policies/reasoning.py)
# --------------------------------------------------------------------------


def test_pain_of_a_measure_in_force_over_the_concern_window():
    m = measure_view("tariff", "s", "r", MeasureState.IMPOSED, target_share=0.01,
                     imposer_share=0.002, pressure=0.001)
    v = view("r", [m])
    # 1% of GDP a year × 10 points per unit share × 30/365, plus 0.001 a day × 30 days
    assert reasoning.measure_pain(v, m, 30) == pytest.approx(0.01 * 10 * 30 / 365 + 0.03)
    assert reasoning.measure_pain(v, m, 30, on_target=False) == pytest.approx(0.002 * 10 * 30 / 365)
    assert reasoning.expected_pain(v) == pytest.approx(0.01 * 10 * 30 / 365 + 0.03)


def test_a_threat_counts_with_the_chance_it_is_carried_out_and_the_nearness_of_its_deadline():
    # the threat costs its imposer too: only a sender resolute enough carries it out
    m = measure_view("tariff", "s", "r", MeasureState.THREATENED, target_share=0.01, imposer_share=0.01)
    full = 0.01 * 10 * 30 / 365
    no_deadline = math.exp(-1.0)  # as if the deadline were urgency_hours away
    low, high = belief_grid.point_mass(0.05), belief_grid.point_mass(0.95)
    weak = view("r", [m], resolve_beliefs={"s": low, "r": low})
    strong = view("r", [m], resolve_beliefs={"s": high, "r": low})
    assert reasoning.expected_pain(weak) == pytest.approx(0.0)
    assert reasoning.expected_pain(strong) == pytest.approx(no_deadline * full)
    soon = dataclasses.replace(issue_view(), deadline_in=2.0)
    near = view("r", [m], issue=soon, resolve_beliefs={"s": high, "r": low})
    assert reasoning.expected_pain(near) == pytest.approx(math.exp(-2.0 / 24.0) * full)
    assert reasoning.expected_pain(near) > reasoning.expected_pain(strong)


def test_my_own_measures_in_force_cost_me_and_others_measures_do_not():
    mine = measure_view("counter", "r", "s", MeasureState.IMPOSED, target_share=0.05,
                        imposer_share=0.004)
    elsewhere = measure_view("other", "s", "x", MeasureState.IMPOSED, target_share=0.05)
    lifted = measure_view("old", "s", "r", MeasureState.LIFTED, target_share=0.05)
    v = view("r", [mine, elsewhere, lifted])
    assert reasoning.expected_pain(v) == pytest.approx(0.004 * 10 * 30 / 365)


def test_holding_out_is_worth_less_as_pain_grows_and_giving_way_costs_stake_and_face():
    small = measure_view("t", "s", "r", MeasureState.IMPOSED, target_share=0.001)
    big = measure_view("t", "s", "r", MeasureState.IMPOSED, target_share=0.01)
    assert reasoning.value_of_holding(view("r", [big])) < reasoning.value_of_holding(view("r", [small])) < 0
    v = view("r", [], committed=True, hours_committed=48.0)
    stake = 0.6 * (0.5 + 0.5 * 0.4) * 0.1
    face = 0.5 * 0.15 * 1.0  # full commitment after 2 days
    grievance = (0.25 + 0.25) * stake  # military aircraft, restraints: avoided by saving face
    assert reasoning.value_of_giving_way(v) == pytest.approx(-(stake + face + grievance))
    assert reasoning.value_of_giving_way(v, face_kept=0.5) == pytest.approx(-(stake + face) / 2)


def test_only_flights_carry_the_grievance_of_military_planes_and_restraints():
    """A demand that is not the flights (a detainee, a policy) has no planes or restraints: giving
    way to it costs stake and face alone, whatever the issue's flight fields default to."""
    flights = view("r", [], committed=True, hours_committed=48.0)
    demand = view("r", [], committed=True, hours_committed=48.0,
                  issue=dataclasses.replace(issue_view(), demand="release the captain"))
    assert flights.issue.aircraft == demand.issue.aircraft == "military" and demand.issue.restraints
    stake = 0.6 * (0.5 + 0.5 * 0.4) * 0.1
    face = 0.5 * 0.15 * 1.0
    assert reasoning.grievance(flights) == pytest.approx(0.5 * stake)
    assert reasoning.grievance(demand) == 0.0
    assert reasoning.value_of_giving_way(demand) == pytest.approx(-(stake + face))


def test_a_receivers_reasons_name_the_demand_and_not_the_flights():
    """The expected-utility receiver words giving way as the demand it meets: 'agree to release
    the captain', in its own way for the face-saving form; the flights keep their words."""
    from crisis_sim.policies.rational import ExpectedUtility, ExpectedUtilityParams

    policy = ExpectedUtility(ExpectedUtilityParams())
    demand = dataclasses.replace(issue_view(), demand="release the captain")
    for issue, words in ((demand, "agree to release the captain"), (issue_view(), "accept the flights")):
        talking = view("r", [], issue=issue, back_channels=frozenset({"s"}))
        reasons = [o.reason for o in policy.options(talking)]
        assert any(r.startswith(f"{words}: ") for r in reasons), reasons
        assert any(r.startswith(f"{words} in our own way" if issue.demand else "accept on our own aircraft")
                   for r in reasons), reasons
        if issue.demand:
            assert not any("flights" in r or "aircraft" in r for r in reasons), reasons


# --------------------------------------------------------------------------
# Relations and precedent (core.dynamics)
# --------------------------------------------------------------------------


def test_relations_close_half_the_gap_a_day():
    assert dynamics.relations_next(1.0, 5, 24.0) == pytest.approx(0.5)
    assert dynamics.relations_next(0.2, 0, 24.0) == pytest.approx(0.6)
    assert dynamics.relations_next(1.0, 5, 48.0) == pytest.approx(0.25)
    assert dynamics.relations_next(0.6, 2, 3.0) == pytest.approx(0.6)  # already at the goal
    levels = [dynamics.relations_next(0.8, e, 6.0) for e in range(6)]
    assert levels == sorted(levels, reverse=True) and len(set(levels)) == 6


def test_precedent_moves_resolve_up_when_a_target_wins_and_down_when_it_caves():
    assert dynamics.precedent_on_resolve(0.5, 0.2, target_won=True) == pytest.approx(0.6)
    assert dynamics.precedent_on_resolve(0.5, 0.2, target_won=False) == pytest.approx(0.4)
    assert dynamics.precedent_on_resolve(0.5, 0.0, target_won=True) == 0.5
    assert dynamics.precedent_on_resolve(0.9, 1.0, target_won=False) == 0.0


# --------------------------------------------------------------------------
# Legal actions
# --------------------------------------------------------------------------


def the_issue(model: CrisisModel, me: str = "sender") -> IssueView:
    (v,) = model.views_for(model.governments[me])
    return v.issue


def kinds(actions) -> set[tuple[ActionType, str | None]]:
    return {(a.kind, a.measure) for a in actions}


def test_a_receiver_that_refused_may_accept_and_with_a_back_channel_save_face(model):
    legal = model.legal_actions("receiver", the_issue(model))
    assert kinds(legal) == {
        (ActionType.WAIT, None), (ActionType.ACCEPT_FLIGHTS, None),
        (ActionType.PUBLIC_STATEMENT, None), (ActionType.OPEN_TALKS, None),
        (ActionType.THREATEN, "counter"), (ActionType.IMPOSE, "counter"),
    }
    assert all(a.actor == "receiver" for a in legal)
    assert {a.counterpart for a in legal if a.kind is not ActionType.WAIT} == {"sender"}
    model.back_channels.add(frozenset(("sender", "receiver")))  # the face-saving formula needs one
    legal = kinds(model.legal_actions("receiver", the_issue(model)))
    assert {(ActionType.ACCEPT_WITH_CONDITIONS, None), (ActionType.PROPOSE_TERMS, None)} <= legal
    assert (ActionType.OPEN_TALKS, None) not in legal  # talks are open already


def test_either_party_opens_talks_and_after_the_lead_time_may_save_face_and_propose():
    """Talks are a move (docs/model.md §7.21): the opener pays ``talks_cost`` at once, talks open
    ``talks_lead_hours`` later, and only then are face-saving acceptance and proposals legal;
    while they are being opened neither side may open them again."""
    m = CrisisModel(scenario(), seed=0)
    lead, cost = m.dyn.talks_lead_hours, m.dyn.talks_cost
    assert lead > 0 and cost > 0
    for me in ("sender", "receiver"):
        assert (ActionType.OPEN_TALKS, None) in kinds(m.legal_actions(me, the_issue(m, me)))
    before = m.governments["sender"].approval
    apply_action(m, m.governments["sender"], Action(ActionType.OPEN_TALKS, "sender", "receiver"),
                 m.issues[0])
    assert m.governments["sender"].approval == pytest.approx(before - cost)
    for me in ("sender", "receiver"):
        legal = kinds(m.legal_actions(me, the_issue(m, me)))
        assert (ActionType.OPEN_TALKS, None) not in legal
        assert (ActionType.PROPOSE_TERMS, None) not in legal
    assert (ActionType.ACCEPT_WITH_CONDITIONS, None) not in kinds(
        m.legal_actions("receiver", the_issue(m, "receiver")))
    m.hours = lead - 0.5
    fire_events(m)
    assert frozenset(("sender", "receiver")) not in m.back_channels
    m.hours = lead
    fire_events(m)
    assert frozenset(("sender", "receiver")) in m.back_channels
    legal = kinds(m.legal_actions("receiver", the_issue(m, "receiver")))
    assert {(ActionType.ACCEPT_WITH_CONDITIONS, None), (ActionType.PROPOSE_TERMS, None)} <= legal
    assert any("talks open" in t["text"] for t in m.turning_points)


def test_a_receiver_giving_way_opens_talks_and_saves_face_without_any_scheduled_event():
    """With no event in the scenario, a receiver resolved to give way (a threshold of 0) opens
    talks itself, holds while they are being opened, and then accepts on face-saving terms."""
    data = minimal_scenario_data()
    data["events"] = []
    data["issues"][0].update(refused_at_start=True, face_saving=True)
    data["actors"]["receiver"]["policy"] = {"name": "dignity_first", "params": {"pain_threshold": 0}}
    data["actors"]["sender"]["policy"] = {"name": "hardliner", "params": {}}
    data["decision_noise"] = 0
    data["rounds"] = 40
    sc = Scenario.model_validate(data)
    m = CrisisModel(sc, seed=0)
    while m.running and m.round < sc.rounds:
        m.step()
    opened = [e.hours for e in m.log for a in e.actions if a.kind is ActionType.OPEN_TALKS]
    assert opened and all(e.actor == "receiver" for e in m.log
                          for a in e.actions if a.kind is ActionType.OPEN_TALKS)
    issue = m.issues[0]
    assert issue.variant is Variant.FACE_SAVING
    assert issue.decided_hours >= opened[0] + sc.dynamics.talks_lead_hours


def test_a_receiver_may_refuse_only_while_the_flights_are_pending():
    data = minimal_scenario_data()
    data["issues"][0]["refused_at_start"] = False
    data["issues"][0]["face_saving"] = False
    m = CrisisModel(Scenario.model_validate(data), seed=0)
    legal = kinds(m.legal_actions("receiver", the_issue(m)))
    assert (ActionType.REFUSE_FLIGHTS, None) in legal
    assert (ActionType.ACCEPT_WITH_CONDITIONS, None) not in legal


def test_a_sender_may_withdraw_and_threaten_or_impose_each_of_its_measures(model):
    legal = model.legal_actions("sender", the_issue(model))
    assert kinds(legal) == {
        (ActionType.WAIT, None), (ActionType.WITHDRAW_DEMAND, None),
        (ActionType.PUBLIC_STATEMENT, None), (ActionType.SET_DEADLINE, None),
        (ActionType.OPEN_TALKS, None),
        (ActionType.THREATEN, "tariff"), (ActionType.IMPOSE, "tariff"),
        (ActionType.THREATEN, "visas"), (ActionType.IMPOSE, "visas"),
    }


def test_measure_moves_follow_the_state_and_the_schedule(model):
    impose(model, "tariff")
    model.measures["visas"].set_state(MeasureState.THREATENED)
    legal = kinds(model.legal_actions("sender", the_issue(model)))
    assert {(ActionType.ESCALATE, "tariff"), (ActionType.SUSPEND, "tariff"),
            (ActionType.LIFT, "tariff")} <= legal
    assert (ActionType.IMPOSE, "tariff") not in legal
    assert {(ActionType.IMPOSE, "visas"), (ActionType.SUSPEND, "visas")} <= legal
    model.measures["tariff"].forced_steps = 1  # top of a two-step schedule
    assert (ActionType.ESCALATE, "tariff") not in kinds(model.legal_actions("sender", the_issue(model)))


def test_a_bystander_may_condemn_mediate_or_offer_to_receive(model):
    legal = model.legal_actions("onlooker", None)
    assert set(legal) == {
        Action(ActionType.WAIT, "onlooker"),
        Action(ActionType.CONDEMN, "onlooker", "sender"),
        Action(ActionType.MEDIATE, "onlooker", "receiver"),
        Action(ActionType.OFFER_TO_RECEIVE, "onlooker", "sender"),
    }
    model.governments["onlooker"].offered_to_receive = True
    assert Action(ActionType.OFFER_TO_RECEIVE, "onlooker", "sender") not in model.legal_actions(
        "onlooker", None)


def test_after_the_decision_only_measure_moves_and_waiting_remain(model):
    impose(model, "visas")
    model.issues[0].decided = Outcome.TARGET_CONCEDES
    decided = dataclasses.replace(the_issue(model), decided=Outcome.TARGET_CONCEDES)
    assert kinds(model.legal_actions("sender", decided)) == {
        (ActionType.WAIT, None), (ActionType.THREATEN, "tariff"), (ActionType.IMPOSE, "tariff"),
        (ActionType.SUSPEND, "visas"), (ActionType.LIFT, "visas"),  # one step: no escalate
    }
    assert kinds(model.legal_actions("receiver", decided)) == {
        (ActionType.WAIT, None), (ActionType.THREATEN, "counter"), (ActionType.IMPOSE, "counter"),
    }
    assert model.legal_actions("onlooker", None) == [
        Action(ActionType.WAIT, "onlooker"), Action(ActionType.OFFER_TO_RECEIVE, "onlooker", "sender")]


def test_a_back_channel_opens_proposals_and_a_proposal_can_be_accepted():
    data = minimal_scenario_data()  # back channel at 12 h
    m = CrisisModel(Scenario.model_validate(data), seed=0)
    assert (ActionType.PROPOSE_TERMS, None) not in kinds(m.legal_actions("sender", the_issue(m)))
    m.back_channels.add(frozenset(("sender", "receiver")))
    assert (ActionType.PROPOSE_TERMS, None) in kinds(m.legal_actions("sender", the_issue(m)))
    m.proposals[("sender", 0)] = Proposal("sender", 0, 0.6, m.hours)
    legal = m.legal_actions("receiver", the_issue(m, "receiver"))
    assert Action(ActionType.ACCEPT_TERMS, "receiver", "sender", terms=0.6) in legal
    assert (ActionType.PROPOSE_TERMS, None) not in kinds(m.legal_actions("sender", the_issue(m)))


def test_a_sender_with_nothing_left_to_threaten_may_set_no_deadline(model):
    """An ultimatum needs a threat behind it (docs/model.md §7.10): with every measure of the
    sender's in force, setting a deadline is no legal move; one measure held back makes it one."""
    impose(model, "tariff")
    model.measures["visas"].set_state(MeasureState.THREATENED)
    assert (ActionType.SET_DEADLINE, None) in kinds(model.legal_actions("sender", the_issue(model)))
    impose(model, "visas")
    assert (ActionType.SET_DEADLINE, None) not in kinds(model.legal_actions("sender", the_issue(model)))


def test_turn_the_screw_imposing_everything_at_once_names_no_deadline():
    """A turn-the-screw sender whose announcement holds nothing back names no deadline, so no
    bluff of its is ever called."""
    data = minimal_scenario_data()
    data["events"] = []
    data["issues"][0]["refused_at_start"] = True
    data["actors"]["sender"]["policy"] = {"name": "turn_the_screw",
                                          "params": {"impose_now": ["tariff", "visas"], "threaten": []}}
    data["actors"]["sender"]["deliberation_hours"] = 0
    data["decision_noise"] = 0
    data["rounds"] = 40
    sc = Scenario.model_validate(data)
    m = CrisisModel(sc, seed=0)
    while m.running and m.round < sc.rounds:
        m.step()
    moves_made = [a.kind for e in m.log if e.actor == "sender" for a in e.actions]
    assert ActionType.IMPOSE in moves_made
    assert ActionType.SET_DEADLINE not in moves_made
    assert m.issues[0].deadlines_missed == 0


# --------------------------------------------------------------------------
# The sender wants its demand (docs/model.md §7.22)
# --------------------------------------------------------------------------


def test_a_sender_counts_its_unmet_demand_so_an_endless_refusal_is_worse_than_winning():
    """Holding with no pain on either side and no hope the receiver yields costs the sender its
    whole stake (not nothing); a threat that raises the chance the receiver yields is worth more
    than waiting; a receiver counts no unmet demand."""
    from crisis_sim.policies.rational import ExpectedUtility

    tariff = measure_view("t", "s", "r", MeasureState.AVAILABLE, target_share=0.05, imposer_share=0.001)
    sender = view("s", measures=(tariff,))
    assert reasoning.stake(sender) > 0
    assert reasoning.unmet_demand_loss(sender) == pytest.approx(reasoning.stake(sender))
    assert reasoning.unmet_demand_loss(view("r", measures=(tariff,))) == 0.0
    options = ExpectedUtility().options(sender)
    by_kind = {o.actions[0].kind: o.utility for o in options}
    hope_now = reasoning.p_gives_way(sender, "r", 0.0)
    assert by_kind[ActionType.WAIT] == pytest.approx(-(1 - hope_now) * reasoning.stake(sender))
    assert by_kind[ActionType.WAIT] < 0.0  # winning is worth 0: waiting forever is worse
    assert by_kind[ActionType.THREATEN] > by_kind[ActionType.WAIT]


@pytest.mark.parametrize("policy", ["expected_utility", "turn_the_screw"])
def test_a_sender_is_read_by_the_rule_it_decides_by(policy):
    """The receiver's reading of whether the sender gives way (``p_gives_way``) agrees with the
    sender's own choice between keeping up its demand and withdrawing it, at every resolve:
    holding costs the sender its own pain and its unmet demand (§7.22), withdrawing its stake,
    face and credibility. A sender whose own measures cost it a little more than its face and
    credibility, with no hope the receiver yields, withdraws at any resolve, and so it is read; one
    whose measures cost it less holds, and so it is read. (Read without the unmet demand, as the reading once
    was, the first withdraws by its own rule while read as holding at every resolve but the
    lowest.)"""
    from crisis_sim.policies.coercion import TurnTheScrew, reputation
    from crisis_sim.policies.rational import ExpectedUtility

    chooser = ExpectedUtility() if policy == "expected_utility" else TurnTheScrew()
    committed = {k: dataclasses.replace(p, committed=True, hours_committed=1000.0)
                 for k, p in view("r").profiles.items()}
    for resolve in (0.15, 0.45, 0.75):
        belief = {"s": belief_grid.point_mass(resolve), "r": belief_grid.prior(0.5, 0.2)}
        at_resolve = view("s", resolve=resolve, committed=True, hours_committed=1000.0)
        face = reasoning.backdown_cost(at_resolve) + reputation(at_resolve, 1.0)
        for over_face in (-0.01, 0.01):  # the sender's own pain over the window, against its face
            share = (face + over_face) * 365 / (30.0 * 10.0)  # pain = share x pain_weight x window
            cost = measure_view("t", "s", "r", MeasureState.IMPOSED, imposer_share=share)
            sender = view("s", measures=(cost,), resolve=resolve, resolve_beliefs=belief, profiles=committed,
                          committed=True, hours_committed=1000.0)
            by_kind = {o.actions[0].kind: o.utility for o in chooser.options(sender)}
            withdraws = by_kind[ActionType.WITHDRAW_DEMAND] > by_kind[ActionType.WAIT]
            assert withdraws == (over_face > 0)
            receiver = view("r", measures=(cost,), resolve_beliefs=belief, profiles=committed,
                            committed=True, hours_committed=1000.0)
            read = reasoning.p_gives_way(receiver, "s", reasoning.pain_on(receiver, "s"))
            assert read == pytest.approx(reasoning.GIVE_WAY_RATE if withdraws else 0.0)


@pytest.mark.parametrize("unmet", [0.05, 0.1, 0.3])  # endurance rising, flat and falling with resolve
def test_the_senders_that_give_out_first_are_counted_whichever_way_endurance_runs(unmet):
    """``_mass_outlasted`` is the belief's mass of a sender's resolves whose endurance
    (r w + B) / (P + r u) is below a target, counted over a fine scan of resolves (each bin's
    mass spread evenly within it, as ``mass_below`` counts it): below a resolve when endurance
    rises with it, above when it falls."""
    belief = belief_grid.prior(0.6, 0.2)
    per_resolve, backdown, pain = 0.1, 0.02, 0.05
    for target in (0.3, 0.6, 1.0, 1.5):
        steps = 100_000
        scanned = sum(belief[min(int(x * len(belief)), len(belief) - 1)] / steps * len(belief)
                      for x in ((i + 0.5) / steps for i in range(steps))
                      if (x * per_resolve + backdown) / (pain + x * unmet) < target)
        got = reasoning._mass_outlasted(belief, per_resolve, backdown, pain, unmet, target)
        assert got == pytest.approx(scanned, abs=1e-4)


def test_every_kind_of_event_does_something():
    """Each kind a scenario may schedule has its effect in core.events.HAPPENS (a kind without
    one would fail the run at its hour)."""
    from crisis_sim.core.events import HAPPENS
    from crisis_sim.core.types import EventKind

    assert set(HAPPENS) == set(EventKind)
