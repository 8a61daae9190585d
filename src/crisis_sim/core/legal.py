"""Which moves are legal: the rules of what a government may do, read from what it sees.

Legality is a function of the mover's :class:`~crisis_sim.core.view.WorldView`
alone — its issue, the public state of the measures and issues, its own
commitment, its back channels and the proposals open to and from it — so a
view answers :attr:`~crisis_sim.core.view.WorldView.legal` by itself, with no
path back to the model (a policy cannot reach another government's private
resolve through it). Carrying the moves out is :mod:`crisis_sim.core.moves`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crisis_sim.core.types import CARRIED_OUT, Action, ActionType, FlightStatus, MeasureState

if TYPE_CHECKING:
    from crisis_sim.core.view import WorldView

MEASURE_MOVES = {
    MeasureState.AVAILABLE: (ActionType.THREATEN, ActionType.IMPOSE),
    MeasureState.THREATENED: (ActionType.IMPOSE, ActionType.SUSPEND, ActionType.LIFT),
    MeasureState.IMPOSED: (ActionType.ESCALATE, ActionType.SUSPEND, ActionType.LIFT),
    MeasureState.SUSPENDED: (ActionType.IMPOSE, ActionType.LIFT),
    MeasureState.LIFTED: (ActionType.THREATEN,),
    MeasureState.DONE: (),
}
"""The moves open on a measure in each state. A one-off act done is done: nothing is left to
lift, suspend, step up or threaten again (a second act is a second measure of the catalogue)."""


def legal_moves(view: WorldView) -> list[Action]:
    """Every move ``view.me`` may make now about ``view.issue`` (or as a bystander, ``issue`` None).

    While an issue is contested the receiver may refuse (once), accept, or
    accept on face-saving terms where the issue allows them and talks with the
    sender are open to arrange them (own aircraft, no restraints: the
    2025 formula was worked out over a back channel, docs/sources.md §1 T8), or meet the demand in one of
    the parts the issue allows (``demand.partial``) while no offer of its own stands, or ask for
    the issue's counter-demand (once); the sender
    may withdraw its demand or set a public deadline while it has a threat to back it
    (:func:`can_back_a_deadline`), offer the issue's inducement and agree to a counter-demand
    made. Both may move their measures against the other,
    commit in public (once), open talks with the other (:func:`may_open_talks`), propose terms
    while talks are open, and accept terms proposed to them. Once it is decided only measure
    moves remain, and for the sender, when a settlement's review is due, keeping the deal or
    reopening the crisis.
    """
    me, issue = view.me, view.issue
    legal = [Action(ActionType.WAIT, me)]
    if issue is None:
        return legal + _bystander_moves(view)
    other = issue.counterpart(me)
    if not issue.contested:
        if issue.review_due and me == issue.sender:
            legal += [Action(ActionType.KEEP_DEAL, me, other), Action(ActionType.REOPEN, me, other)]
        legal += _measure_moves(view, other)
        return legal
    legal += _receiver_moves(view, other) if me == issue.receiver else _sender_moves(view, other)
    legal += _measure_moves(view, other)
    if not view.committed:
        legal.append(Action(ActionType.PUBLIC_STATEMENT, me, other))
    if may_open_talks(view, other):
        legal.append(Action(ActionType.OPEN_TALKS, me, other))
    if other in view.back_channels and other not in view.proposed_to:
        legal.append(Action(ActionType.PROPOSE_TERMS, me, other))
    for proposer, terms in sorted(view.proposals.items()):
        legal.append(Action(ActionType.ACCEPT_TERMS, me, proposer, terms=terms))
    return legal


def _receiver_moves(view: WorldView, other: str) -> list[Action]:
    """The receiver's own moves on a contested issue: refuse (once), accept, accept on its own
    terms over open talks, meet the demand in part, ask for the counter-demand."""
    me, issue = view.me, view.issue
    assert issue is not None  # asked by legal_moves, about an issue
    legal = []
    if issue.status is FlightStatus.PENDING:
        legal.append(Action(ActionType.REFUSE_FLIGHTS, me, other))
    legal.append(Action(ActionType.ACCEPT_FLIGHTS, me, other))
    if issue.face_saving and other in view.back_channels:
        legal.append(Action(ActionType.ACCEPT_WITH_CONDITIONS, me, other))
    if other not in view.proposed_to:
        legal += [Action(ActionType.COMPLY_IN_PART, me, other, terms=f) for f in issue.partial]
    if may_counter_demand(view):
        legal.append(Action(ActionType.COUNTER_DEMAND, me, other))
    return legal


def _sender_moves(view: WorldView, other: str) -> list[Action]:
    """The sender's own moves on a contested issue: withdraw, set a deadline it can back, offer
    the inducement, agree to the counter-demand."""
    me = view.me
    legal = [Action(ActionType.WITHDRAW_DEMAND, me, other)]
    if can_back_a_deadline(view, other):
        legal.append(Action(ActionType.SET_DEADLINE, me, other))
    if may_offer_inducement(view):
        legal.append(Action(ActionType.OFFER_INDUCEMENT, me, other))
    if may_meet_counter_demand(view):
        legal.append(Action(ActionType.MEET_COUNTER_DEMAND, me, other))
    return legal


def can_back_a_deadline(view: WorldView, other: str) -> bool:
    """Whether a deadline set now could be backed: the sender has a measure against ``other`` not
    yet carried out (threatened, held in reserve, or still to be threatened with the deadline). An
    ultimatum with nothing left to threaten is no move (schelling1966: a compellent threat
    must name what follows if the deadline passes)."""
    return any(m.imposer == view.me and m.target == other and m.state not in CARRIED_OUT
               for m in view.measures)


def may_offer_inducement(view: WorldView) -> bool:
    """Whether the sender may offer its issue's inducement now: the issue has one, the sender
    has not offered it yet, and it is contested (an offer is made once, in public, and stands)."""
    issue = view.issue
    return (issue is not None and view.me == issue.sender and issue.contested
            and issue.inducement is not None and not issue.inducement_offered)


def may_counter_demand(view: WorldView) -> bool:
    """Whether the receiver may make its issue's counter-demand now: the issue has one, the
    receiver has not made it yet, and it is contested (made once, in public, it stands)."""
    issue = view.issue
    return (issue is not None and view.me == issue.receiver and issue.contested
            and issue.counter_demand is not None and not issue.counter_demanded)


def may_meet_counter_demand(view: WorldView) -> bool:
    """Whether the sender may agree to the receiver's counter-demand now: the receiver has made
    it, the sender has not agreed yet, and the issue is contested."""
    issue = view.issue
    return (issue is not None and view.me == issue.sender and issue.contested
            and issue.counter_demanded and not issue.counter_met)


def may_open_talks(view: WorldView, other: str) -> bool:
    """Whether ``view.me`` may move to open talks with ``other``: no talks are open between
    them, and neither side has already moved to open them. Talks are a move of the parties
    (a call, an envoy, an intermediary asked in), open to every government in every crisis;
    a scenario's ``back_channel`` event opens them from outside as well."""
    return other not in view.back_channels and other not in view.talks_opening


def _measure_moves(view: WorldView, other: str) -> list[Action]:
    """Moves on my measures against ``other`` open in each measure's state (:data:`MEASURE_MOVES`);
    a measure steps up only while its schedule has a step left."""
    me = view.me
    legal = []
    for m in view.measures:
        if m.imposer != me or m.target != other:
            continue
        for kind in MEASURE_MOVES[m.state]:
            if kind is ActionType.ESCALATE and not m.can_escalate:
                continue
            legal.append(Action(kind, me, other, m.id))
    return legal


def _bystander_moves(view: WorldView) -> list[Action]:
    """A third party may condemn a sender, mediate, or (once) offer to receive deportees."""
    me = view.me
    legal = []
    for issue in view.issues:
        if issue.contested:
            legal.append(Action(ActionType.CONDEMN, me, issue.sender))
            legal.append(Action(ActionType.MEDIATE, me, issue.receiver))
    if not view.offered_to_receive:
        senders = sorted({i.sender for i in view.issues})
        legal += [Action(ActionType.OFFER_TO_RECEIVE, me, s) for s in senders if s != me]
    return sorted(set(legal), key=lambda a: (a.kind.value, a.counterpart or ""))
