"""The moves of a round: what each does when it is made (which are legal: :mod:`crisis_sim.core.legal`).

Every government decides at once from the start-of-round views; the
decisions then take effect one government after another, in key order. A
move that events overtook (the issue was decided earlier this round by the
other side) does nothing and is not logged.
"""

from __future__ import annotations

from crisis_sim.core.government import Government
from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.rules import (
    accept_terms,
    condemn,
    decide,
    offer_to_receive,
    propose,
    turning_point,
)
from crisis_sim.core.state import IssueRun
from crisis_sim.core.types import (
    MEASURE_ACTIONS,
    Action,
    ActionType,
    Decision,
    FlightStatus,
    MeasureState,
    Outcome,
    Variant,
)
from crisis_sim.core.world import World

SPLIT_THE_DIFFERENCE = 0.5
"""Terms a mediator proposes, and terms proposed without a figure: halfway between the
receiver's position (0) and the sender's (1). ASSUMPTION: some bargain both prefer
to fighting exists (fearon1995, docs/sources.md §3.1), and the midpoint is the one a
party with no information of its own would name."""

# ------------------------------------------------------------ applying moves


def apply_decision(world: World, decision: Decision) -> None:
    """Carry out a government's decision, action by action, and log what took effect."""
    gov = world.governments[decision.actor]
    issues = [i for i in world.issues if gov.key in (i.spec.sender, i.spec.receiver)]
    applied = []
    for action in decision.actions:
        if action.kind is ActionType.WAIT:
            continue
        issue = issue_between(world, action.actor, action.counterpart) if action.counterpart else None
        if apply_action(world, gov, action, issue or (issues[0] if issues else None)):
            applied.append(action)
    world.log.append(LogEntry(
        world.round, world.hours, world.clock_text, decision.actor, LogKind.DECISION,
        tuple(applied), reason=decision.reason,
    ))


def issue_between(world: World, a: str, b: str | None) -> IssueRun | None:
    """The issue whose parties are ``a`` and ``b``, if there is one."""
    for issue in world.issues:
        if {issue.spec.sender, issue.spec.receiver} == {a, b}:
            return issue
    return None


def apply_action(world: World, gov: Government, action: Action, issue: IssueRun | None) -> bool:
    """Carry out one action; False if events overtook it (e.g. the issue was just decided)."""
    kind = action.kind
    if kind in MEASURE_ACTIONS:
        return apply_measure(world, action)
    if kind is ActionType.PUBLIC_STATEMENT:
        if not gov.committed:
            gov.committed, gov.committed_at = True, world.hours
        return True
    if kind is ActionType.CONDEMN:
        condemn(world, action.counterpart)
        return True
    if kind is ActionType.OFFER_TO_RECEIVE:
        gov.offered_to_receive = True
        offer_to_receive(world, action.counterpart)
        return True
    if kind is ActionType.MEDIATE:
        target = next((i for i in world.issues
                       if i.spec.receiver == action.counterpart and i.decided is None), None)
        if target:
            propose(world, gov.key, target, SPLIT_THE_DIFFERENCE)
        return True
    if issue is None or issue.decided is not None:
        return False
    if kind is ActionType.REFUSE_FLIGHTS:
        issue.status, issue.refused_at = FlightStatus.REFUSED, world.hours
        return True
    if kind is ActionType.ACCEPT_FLIGHTS:
        decide(world, issue, Outcome.TARGET_CONCEDES, None, FlightStatus.ACCEPTED, backer=gov)
        return True
    if kind is ActionType.ACCEPT_WITH_CONDITIONS:
        decide(world, issue, Outcome.TARGET_CONCEDES, Variant.FACE_SAVING,
               FlightStatus.ACCEPTED_WITH_CONDITIONS, backer=gov, share=issue.spec.face_saving_share)
        return True
    if kind is ActionType.WITHDRAW_DEMAND:
        decide(world, issue, Outcome.INITIATOR_BACKS_DOWN, None, FlightStatus.WITHDRAWN, backer=gov)
        for m in world.measures.values():
            if m.spec.imposer == gov.key and m.spec.target == issue.spec.receiver and \
                    m.state in (MeasureState.THREATENED, MeasureState.IMPOSED):
                m.set_state(MeasureState.LIFTED)
        return True
    if kind is ActionType.PROPOSE_TERMS:
        propose(world, gov.key, issue, action.terms if action.terms is not None else SPLIT_THE_DIFFERENCE)
        return True
    if kind is ActionType.ACCEPT_TERMS:
        return accept_terms(world, gov, issue, action.counterpart)
    return False


def apply_measure(world: World, action: Action) -> bool:
    """Threaten, impose, step up (bring the schedule's next rate forward), suspend or lift a measure."""
    m = world.measures[action.measure]
    kind = action.kind
    if kind is ActionType.THREATEN:
        m.set_state(MeasureState.THREATENED)
        m.threatened_at = world.hours
    elif kind is ActionType.IMPOSE:
        m.set_state(MeasureState.IMPOSED)
        m.imposed_at = world.hours
        turning_point(world, f"{world.scenario_spec.actors[m.spec.imposer].name} imposes {m.spec.label}")
    elif kind is ActionType.ESCALATE:
        m.forced_steps += 1
    elif kind is ActionType.SUSPEND:
        m.set_state(MeasureState.SUSPENDED)
    elif kind is ActionType.LIFT:
        m.set_state(MeasureState.LIFTED)
    return True
