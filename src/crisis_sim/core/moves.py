"""The moves of a round: what each does when it is made (which are legal: :mod:`crisis_sim.core.legal`).

Every government decides at once from the views of the round's opening, and
the round's moves are resolved together, so that nothing depends on the order
of the governments or their names (:func:`apply_round`). Each move also has a
time within the round (``Decision.moved_after``: a government that moves with
a constant chance per hour moves at an exponentially distributed time,
:func:`~crisis_sim.core.dynamics.move_time`), so that a round is a resolution
of continuous time and not a meeting at which everything happens at once.
When moves conflict in one round:

* **Both sides give way** on an issue (the receiver accepts while the sender
  withdraws, or each accepts the other's terms): the one that gave way first
  decides the issue, and the other's move lapses. If they gave way at the
  same moment (both certain to move, at once) they meet halfway: the issue
  is settled at the mean of the terms each side's move implied (accepting
  the flights implies 1, withdrawing 0, accepting terms their figure),
  classified by :func:`~crisis_sim.core.rules.classify_terms`.
* **One gives way while the other escalates** on that issue: the concession
  stands, and the threats, impositions and escalations between the two made
  later in the round (or at the same moment) lapse: a concession overtakes
  an escalation prepared against it. Those made before it took effect.
* **A proposal crosses an acceptance**: the acceptance of terms open at the
  start of the round settles the issue; proposals made in the same round lapse.
* The receiver's offer to meet the demand in part (``comply_in_part``, one of
  the issue's ``demand.partial`` fractions) is a proposal of its own at that
  fraction: the sender settles the issue by accepting it (variant ``partial``).
* Terms proposed by a third party (a mediator) settle the issue once both
  parties have accepted them, in one round or in different rounds while they
  stay open.

Everything else (measures, statements, condemnations, offers) concerns one
government's own instruments and applies as chosen; third parties' moves are
applied by kind (condemnations, then offers), never by name.
"""

from __future__ import annotations

from statistics import fmean

from crisis_sim.core.dynamics import BLUFF_CALLED_SHARE, audience_cost, clip01
from crisis_sim.core.government import Government
from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.rules import (
    coercion_used,
    condemn,
    decide,
    keep_deal,
    offer_to_receive,
    open_proposals,
    open_talks,
    propose,
    reopen,
    settle,
    turning_point,
)
from crisis_sim.core.state import IssueRun, MeasureRun
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

DECIDING = frozenset({ActionType.ACCEPT_FLIGHTS, ActionType.ACCEPT_WITH_CONDITIONS,
                      ActionType.WITHDRAW_DEMAND, ActionType.ACCEPT_TERMS})
"""Moves that can decide an issue."""
ESCALATING = frozenset({ActionType.THREATEN, ActionType.IMPOSE, ActionType.ESCALATE,
                        ActionType.SET_DEADLINE})
"""Moves a same-round concession overtakes."""
COERCING = frozenset({ActionType.THREATEN, ActionType.IMPOSE})
"""Moves that make a refusal a coercion crisis (:func:`_first_coercion`)."""
THIRD_PARTY_ORDER = (ActionType.CONDEMN, ActionType.OFFER_TO_RECEIVE, ActionType.MEDIATE)
"""Third parties' moves apply kind by kind, in this order, whoever makes them."""


def apply_round(world: World, decisions: list[Decision]) -> dict[str, list[Action]]:
    """Resolve every government's decision of this round together, and log what took effect.

    Returns the moves that took effect, by government."""
    applied: dict[str, list[Action]] = {d.actor: [] for d in decisions}
    due = [i for i in world.issues
           if i.decided is None and i.deadline_at is not None and i.deadline_at <= world.hours]
    if not due and all(a.kind is ActionType.WAIT for d in decisions for a in d.actions):
        _log_decisions(world, decisions, applied)  # a quiet turn (most of a long crisis): nothing to apply
        return applied
    when = {d.actor: d.moved_after for d in decisions}
    decided_now: dict[int, float] = {}
    # 1. moves that can decide an issue, issue by issue, both sides at once
    for issue in world.issues:
        if issue.decided is not None or not issue.opened:
            continue
        parties = (issue.spec.sender, issue.spec.receiver)
        moves = [(d.actor, a) for d in decisions if d.actor in parties for a in d.actions
                 if a.kind in DECIDING and _issue_of(world, d.actor, a) is issue]
        taken, at = _resolve_issue(world, issue, moves, when, _first_coercion(world, issue, decisions))
        for actor, action in taken:
            applied[actor].append(action)
        if issue.decided is not None:
            decided_now[issue.index] = at
    # 2. every other move, unless a concession this round overtook it
    ordered = sorted(
        ((d, a) for d in decisions for a in d.actions if a.kind not in DECIDING),
        key=lambda da: THIRD_PARTY_ORDER.index(da[1].kind) if da[1].kind in THIRD_PARTY_ORDER else -1,
    )
    for decision, action in ordered:
        if action.kind is ActionType.WAIT:
            continue
        gov = world.governments[decision.actor]
        about = _issue_of(world, decision.actor, action)
        if action.kind in ESCALATING and about is not None and about.index in decided_now \
                and decision.moved_after >= decided_now[about.index]:
            continue
        if apply_action(world, gov, action, about):
            applied[decision.actor].append(action)
    for issue in due:
        _deadline_reached(world, issue, applied.get(issue.spec.sender, []))
    _log_decisions(world, decisions, applied)
    return applied


def _log_decisions(world: World, decisions: list[Decision], applied: dict[str, list[Action]]) -> None:
    """Log each government's decision of the round with the moves of it that took effect."""
    for decision in decisions:
        taken = applied[decision.actor]
        world.log.append(LogEntry(
            world.round, world.hours, world.clock_text, decision.actor, LogKind.DECISION,
            tuple(a for a in decision.actions if a in taken) if taken else (), reason=decision.reason,
        ))


def _deadline_reached(world: World, issue: IssueRun, sender_moves: list[Action]) -> None:
    """A public deadline has come: carried out (the sender imposed), or missed — a bluff called,
    whether or not the sender names a new deadline (an extension)."""
    if issue.decided is not None:
        return
    if any(a.kind is ActionType.IMPOSE for a in sender_moves):
        if issue.deadline_at is not None and issue.deadline_at <= world.hours:
            issue.deadline_at = None
        return
    issue.deadlines_missed += 1
    if issue.deadline_at is not None and issue.deadline_at <= world.hours:
        issue.deadline_at = None
    gov, dyn = world.governments[issue.spec.sender], world.dyn
    cost = audience_cost(gov.spec.audience_cost, dyn.audience_cost_scale, gov.committed,
                         gov.hours_committed(), dyn.commitment_days)
    gov.approval = clip01(gov.approval - BLUFF_CALLED_SHARE * cost)
    sender = world.scenario_spec.actors[issue.spec.sender].name
    turning_point(world, f"the deadline passes and {sender} does not carry out its threats")


def _first_coercion(world: World, issue: IssueRun, decisions: list[Decision]) -> float | None:
    """When within this round a party first threatens or imposes a measure on the other
    (None if neither does): made before the issue is decided, it took effect first, so the
    issue is not ``defused`` (:func:`~crisis_sim.core.rules.coercion_used`)."""
    parties = (issue.spec.sender, issue.spec.receiver)
    times = [d.moved_after for d in decisions if d.actor in parties for a in d.actions
             if a.kind in COERCING and _measure_of(world, a).spec.target in parties
             and _measure_of(world, a).spec.target != d.actor]
    return min(times, default=None)


def _measure_of(world: World, action: Action) -> MeasureRun:
    """The measure a measure action is about (it names one: :class:`Action` checks)."""
    assert action.measure is not None
    return world.measures[action.measure]


def _issue_of(world: World, actor: str, action: Action) -> IssueRun | None:
    """The issue an action is about: the one with its counterpart, the proposal's, or the actor's first."""
    if action.kind is ActionType.ACCEPT_TERMS:
        p = open_proposals(world, actor).get(action.counterpart) if action.counterpart is not None else None
        return world.issues[p.issue] if p is not None else None
    if action.issue is not None and actor in (
            (issue := world.issues[action.issue]).spec.sender, issue.spec.receiver):
        return issue
    if action.counterpart:
        found = issue_between(world, actor, action.counterpart)
        if found is not None:
            return found
    return next((i for i in world.issues if i.opened and actor in (i.spec.sender, i.spec.receiver)), None)


def _implied_terms(world: World, issue: IssueRun, actor: str, action: Action) -> float | None:
    """Where a deciding move puts the issue (0 = the receiver's position, 1 = the sender's)."""
    if action.kind in (ActionType.ACCEPT_FLIGHTS, ActionType.ACCEPT_WITH_CONDITIONS):
        return 1.0 if actor == issue.spec.receiver else None
    if action.kind is ActionType.WITHDRAW_DEMAND:
        return 0.0 if actor == issue.spec.sender else None
    p = open_proposals(world, actor).get(action.counterpart) if action.counterpart is not None else None
    return p.terms if p is not None else None


Move = tuple[str, Action]
"""A government's key and one of its actions."""


def _resolve_issue(world: World, issue: IssueRun, moves: list[Move],
                   when: dict[str, float], coercion_at: float | None = None) -> tuple[list[Move], float]:
    """Apply the deciding moves of one round on ``issue`` by the rules of the module docstring.

    ``coercion_at`` is when in the round a party first threatened or imposed a measure on
    the other, if one did. Returns the moves that took effect and when within the round the
    issue was decided.
    """
    def coerced(at: float) -> bool:
        return coercion_used(world, issue) or (coercion_at is not None and coercion_at < at)

    valid = [(actor, a, t) for actor, a in moves if (t := _implied_terms(world, issue, actor, a)) is not None]
    if not valid:
        return [], 0.0
    # third-party terms need both parties: record acceptances first
    final = []
    for actor, action, _terms in valid:
        if action.kind is ActionType.ACCEPT_TERMS and action.counterpart not in (
                issue.spec.sender, issue.spec.receiver):
            assert action.counterpart is not None  # valid: its proposal was found (_implied_terms)
            key = (action.counterpart, issue.index)
            p = world.proposals[key]
            world.proposals[key] = p = type(p)(p.proposer, p.issue, p.terms, p.made_at,
                                               p.accepted_by | {actor})
            if {issue.spec.sender, issue.spec.receiver} <= p.accepted_by:
                at = max(when[a] for a, _, _ in valid)
                settle(world, issue, p.terms, coerced=coerced(at))
                return [(a, act) for a, act, _ in valid], at
        else:
            final.append((actor, action, _terms))
    if not final:
        return [(a, act) for a, act, _ in valid], 0.0
    first = min(when[actor] for actor, _, _ in final)
    final = [m for m in final if when[m[0]] <= first]  # a later concession lapses
    by_side: dict[str, float] = {}
    for actor, _action, terms in final:
        by_side.setdefault(actor, terms)
    was_coerced = coerced(first)
    if set(by_side) == {issue.spec.sender, issue.spec.receiver}:  # both gave way at once: meet halfway
        settle(world, issue, fmean(by_side.values()), coerced=was_coerced)
        return [(a, act) for a, act, _ in final], first
    actor, action, terms = final[0]
    kind = action.kind
    if kind is ActionType.ACCEPT_FLIGHTS:
        decide(world, issue, Outcome.TARGET_CONCEDES, None, FlightStatus.ACCEPTED, 1.0, 0.0,
               coerced=was_coerced)
    elif kind is ActionType.ACCEPT_WITH_CONDITIONS:
        decide(world, issue, Outcome.TARGET_CONCEDES, Variant.FACE_SAVING,
               FlightStatus.ACCEPTED_WITH_CONDITIONS, 1.0 - issue.spec.face_saving_share, 0.0,
               coerced=was_coerced)
    elif kind is ActionType.WITHDRAW_DEMAND:
        decide(world, issue, Outcome.INITIATOR_BACKS_DOWN, None, FlightStatus.WITHDRAWN, 0.0, 1.0,
               coerced=was_coerced)
        for m in world.measures.values():
            if m.spec.imposer == actor and m.spec.target == issue.spec.receiver and \
                    m.state in (MeasureState.THREATENED, MeasureState.IMPOSED):
                m.lift(world.hours)
    else:
        offer = (open_proposals(world, actor).get(action.counterpart)
                 if action.counterpart is not None else None)
        variant = Variant.PARTIAL if offer is not None and offer.partial else Variant.TERMS
        settle(world, issue, terms, variant, coerced=was_coerced)
    return [(actor, action)], first


def issue_between(world: World, a: str, b: str | None) -> IssueRun | None:
    """The open issue whose parties are ``a`` and ``b``, if there is one: the first still
    contested, else the first (a second dispute between the same two, opened later, is
    the one their moves are about once the first is decided)."""
    found = [i for i in world.issues if i.opened and {i.spec.sender, i.spec.receiver} == {a, b}]
    return next((i for i in found if i.decided is None), found[0] if found else None)


def apply_action(world: World, gov: Government, action: Action, issue: IssueRun | None) -> bool:
    """Carry out one move that does not decide an issue; False if events overtook it."""
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
    if kind in (ActionType.KEEP_DEAL, ActionType.REOPEN):
        if issue is None or not issue.review_due_by(world.hours):
            return False
        (keep_deal if kind is ActionType.KEEP_DEAL else reopen)(world, issue)
        return True
    if kind is ActionType.MEDIATE:
        target = next((i for i in world.issues
                       if i.spec.receiver == action.counterpart and i.decided is None and i.opened), None)
        if target:
            propose(world, gov.key, target, SPLIT_THE_DIFFERENCE)
        return True
    if issue is None or issue.decided is not None:
        return False
    return apply_issue_move(world, gov, action, issue)


def apply_issue_move(world: World, gov: Government, action: Action, issue: IssueRun) -> bool:
    """A move about a contested issue that does not decide it: refusing flights, a deadline, an
    inducement offered, a counter-demand made or agreed to, opening talks, proposing terms,
    meeting the demand in part."""
    kind = action.kind
    if kind is ActionType.REFUSE_FLIGHTS:
        issue.status, issue.refused_at = FlightStatus.REFUSED, world.hours
        return True
    if kind is ActionType.SET_DEADLINE:
        issue.deadline_at = world.hours + (action.hours or 0.0)
        issue.renewed_at = world.hours
        turning_point(world, f"{world.scenario_spec.actors[gov.key].name} sets a deadline: "
                      f"{action.hours:g} hours")
        return True
    if kind is ActionType.OFFER_INDUCEMENT:
        inducement = issue.spec.inducement
        if inducement is None or issue.offered_at is not None or gov.key != issue.spec.sender:
            return False
        issue.offered_at = world.hours
        actors = world.scenario_spec.actors
        turning_point(world, f"{actors[gov.key].name} offers {inducement.label} if "
                      f"{actors[issue.spec.receiver].name} complies")
        return True
    if kind is ActionType.COUNTER_DEMAND:
        wanted = issue.spec.counter_demand
        if wanted is None or issue.counter_demanded_at is not None or gov.key != issue.spec.receiver:
            return False
        issue.counter_demanded_at = world.hours
        actors = world.scenario_spec.actors
        turning_point(world, f"{actors[gov.key].name} asks for {wanted.label} in return for complying")
        return True
    if kind is ActionType.MEET_COUNTER_DEMAND:
        wanted = issue.spec.counter_demand
        if wanted is None or issue.counter_demanded_at is None or issue.counter_met_at is not None \
                or gov.key != issue.spec.sender:
            return False
        issue.counter_met_at = world.hours
        actors = world.scenario_spec.actors
        turning_point(world, f"{actors[gov.key].name} agrees to {wanted.label} if "
                      f"{actors[issue.spec.receiver].name} complies")
        return True
    if kind is ActionType.OPEN_TALKS:
        assert action.counterpart is not None  # talks with whom (legal_moves names the other)
        open_talks(world, gov.key, action.counterpart)
        return True
    if kind is ActionType.PROPOSE_TERMS:
        propose(world, gov.key, issue, action.terms if action.terms is not None else SPLIT_THE_DIFFERENCE)
        return True
    if kind is ActionType.COMPLY_IN_PART:
        assert action.terms is not None  # the fraction offered (legal_moves gives one)
        propose(world, gov.key, issue, action.terms, partial=True)
        words = issue.spec.demand_words
        what = "the demand" if words is None else f"the demand to {words}"
        text = f"{world.scenario_spec.actors[gov.key].name} meets {what} in part ({action.terms:.0%})"
        if all(point["text"] != text for point in world.turning_points):  # renewed offers are no news
            turning_point(world, text)
        return True
    return False


def apply_measure(world: World, action: Action) -> bool:
    """Threaten, impose, step up (bring the schedule's next rate forward), suspend or lift a measure."""
    m = _measure_of(world, action)
    kind = action.kind
    if kind in ESCALATING:  # the sender presses its demand again: its attention is renewed
        for issue in world.issues:
            if issue.opened and issue.decided is None and issue.spec.sender == m.spec.imposer \
                    and issue.spec.receiver == m.spec.target:
                issue.renewed_at = world.hours
    if kind is ActionType.THREATEN:
        m.set_state(MeasureState.THREATENED)
        m.threatened_at = world.hours
    elif kind is ActionType.IMPOSE:
        m.set_state(MeasureState.IMPOSED)
        m.imposed_at = world.hours
        m.lift_began_at = None
        turning_point(world, f"{world.scenario_spec.actors[m.spec.imposer].name} imposes {m.spec.label}")
    elif kind is ActionType.ESCALATE:
        m.forced_steps += 1
    elif kind is ActionType.SUSPEND:
        m.set_state(MeasureState.SUSPENDED)
    elif kind is ActionType.LIFT:
        m.lift(world.hours)
    return True
