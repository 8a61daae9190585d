"""The dignity-first refuser: stand on principle until the pain passes a threshold."""

from __future__ import annotations

from pydantic import Field

from crisis_sim.core.policy import Policy, PolicyParams
from crisis_sim.core.types import ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, give_way, labels, pick, wait
from crisis_sim.policies.reasoning import counterpart_moves, expected_pain, my_measures, resolve_scaled


class DignityFirstParams(PolicyParams):
    pain_threshold: float = Field(
        0.05, ge=0, description="Give way (receiver: accept, with face-saving conditions if on offer; "
        "sender: withdraw the demand) once approval lost plus the pain expected over the concern "
        "window reaches this (0.05 = 5 points) at resolve 0.5; scaled by resolve / 0.5.")
    counter: bool = Field(
        True, description="While holding out, answer the other side's threat of last round with a "
        "threat, and its imposition or escalation with an imposition, one measure at a time.")


class DignityFirst(Policy):
    """Refuse on grounds of dignity and sovereignty; give way only when it hurts enough.

    The receiver's line of 26 January 2025 ("the U.S. must establish a
    protocol for the dignified treatment of migrants"): refuse, commit in
    public, match threats with counter-threats — then, once the approval lost
    plus the pain expected over the concern window passes ``pain_threshold``,
    accept with the face-saving conditions if they are on offer. As a sender
    it holds its demand until the same threshold and then withdraws it.
    Resolve scales the threshold (``pain_threshold`` × resolve / 0.5): a
    resolute government stands on principle through more pain.
    """

    name = "dignity_first"
    summary = "refuse on dignity, counter-threaten; give way (saving face) once pain passes a threshold"
    Params = DignityFirstParams
    params: DignityFirstParams

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "no issue of its own")]
        p = self.params
        other = view.counterpart()
        receiver = view.me == view.issue.receiver
        pain = view.approval_lost() + expected_pain(view)
        threshold = resolve_scaled(p.pain_threshold, view)
        if pain >= threshold:
            if receiver:
                return pick([give_way(view)],
                            f"the pain ({pain * 100:.1f} approval points) outweighs the principle:"
                            " accept, on our own terms of dignity", view)
            return pick([view.act(ActionType.WITHDRAW_DEMAND, other)],
                        f"the pain ({pain * 100:.1f} points) outweighs the demand", view)
        acts = []
        if receiver and view.issue.status is FlightStatus.PENDING:
            acts.append(view.act(ActionType.REFUSE_FLIGHTS, other))
        if not view.committed:
            acts.append(view.act(ActionType.PUBLIC_STATEMENT, other))
        if p.counter:
            seen = counterpart_moves(view)
            if seen & {ActionType.IMPOSE, ActionType.ESCALATE}:
                acts += [view.act(ActionType.IMPOSE, other, m.id)
                         for m in my_measures(view, MeasureState.THREATENED, MeasureState.AVAILABLE)][:1]
            elif ActionType.THREATEN in seen:
                acts += [view.act(ActionType.THREATEN, other, m.id)
                         for m in my_measures(view, MeasureState.AVAILABLE)][:1]
        if acts:
            what = labels(view, acts)
            return pick(acts, "dignity first: hold the line" + (f", answer with {what}" if what else ""),
                        view)
        return [wait(view, f"dignity first: holding (pain {pain * 100:.1f} of "
                     f"{threshold * 100:.1f} points)", CHOSEN)]
