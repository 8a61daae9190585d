"""Conciliators: the appeaser and the face-saving compromiser."""

from __future__ import annotations

from pydantic import Field

from crisis_sim.core.policy import Policy, PolicyParams
from crisis_sim.core.types import ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, complying, complying_with_dignity, give_way, pick, wait
from crisis_sim.policies.reasoning import breaks, my_measures, pressure_on_me, resolve_scaled


class AppeaserParams(PolicyParams):
    patience_hours: float = Field(
        0.0, ge=0, description="Hours after the refusal to bear the dispute before giving way, at "
        "resolve 0.5 (scaled by resolve / 0.5: a resolute appeaser bears it longer); terms proposed "
        "to it are accepted at any time.")


class Appeaser(Policy):
    """Give way at once: a receiver accepts the flights, a sender withdraws its demand.

    The acquiescence and capitulation strategies of Bueno de Mesquita &
    Lalman: it ends crises fast and cheaply, at the price of the stake.
    Resolve sets its patience: ``patience_hours`` × resolve / 0.5.
    """

    name = "appeaser"
    summary = "give way at once: accept the flights, or withdraw the demand"
    Params = AppeaserParams
    params: AppeaserParams

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "appeaser on the sidelines keeps out of it")]
        other = view.counterpart()
        if view.proposals:
            proposer, terms = sorted(view.proposals.items())[0]
            return pick([view.act(ActionType.ACCEPT_TERMS, proposer, terms=terms)],
                        "any terms are better than a fight", view)
        if view.issue.status is FlightStatus.REFUSED \
                and view.issue.hours_contested < resolve_scaled(self.params.patience_hours, view):
            return [wait(view, "bearing the dispute a little longer", CHOSEN)]
        if view.me == view.issue.receiver:
            return pick([view.act(ActionType.ACCEPT_FLIGHTS, other)],
                        f"avoid the costs of a fight: {complying(view)}", view)
        return pick([view.act(ActionType.WITHDRAW_DEMAND, other)],
                    "not worth a fight: withdraw the demand", view)


class FaceSaverParams(PolicyParams):
    min_pressure: float = Field(
        0.0, description="As receiver, give way (with face saved) once more than this many of the "
        "sender's measures are threatened or in force against it (0: at the first threat).")
    offer_terms: float = Field(
        0.5, description="Terms proposed once talks are open (0 = the receiver's position, "
        "1 = the sender's).")
    accept_within: float = Field(
        0.3, description="Accept proposed terms within this distance of its own point (`offer_terms` "
        "as receiver, 1 - `offer_terms` as sender).")


class FaceSaver(Policy):
    """Look for the compromise that lets both sides claim a win.

    A receiver under pressure gives way with conditions (its own aircraft, no
    restraints) once holding out costs more than that partial concession — a
    resolute one later than an irresolute one — or opens talks and proposes terms
    over them; it accepts terms near its own. A sender threatens but never
    imposes, opens talks and offers terms over them (Fearon 1995: a
    settlement both prefer to fighting almost always exists); it backs down
    when holding costs it more than the stake (its breaking point).
    """

    name = "face_saver"
    summary = "seek a face-saving compromise: conditional acceptance or split-the-difference terms"
    Params = FaceSaverParams
    params: FaceSaverParams

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "no issue of its own")]
        p = self.params
        other = view.counterpart()
        receiver = view.me == view.issue.receiver
        my_point = p.offer_terms
        for proposer, terms in sorted(view.proposals.items()):
            if abs(terms - my_point) <= p.accept_within:
                return pick([view.act(ActionType.ACCEPT_TERMS, proposer, terms=terms)],
                            f"terms {terms:.2f} let both sides claim a win", view)
        propose = view.act(ActionType.PROPOSE_TERMS, other, terms=my_point)
        can_propose = view.is_legal(propose)
        talks = view.act(ActionType.OPEN_TALKS, other)
        if receiver:
            pressed = len(pressure_on_me(view)) > p.min_pressure
            if pressed and view.issue.face_saving and breaks(view, kept=view.issue.face_saving_share):
                move = give_way(view)
                if move.kind is not ActionType.ACCEPT_FLIGHTS:
                    how = complying_with_dignity(view, flights="accept, on our own aircraft and with dignity")
                    return pick([move], f"under pressure: {how}"
                                + ("" if move.kind is ActionType.ACCEPT_WITH_CONDITIONS
                                   else " (once talks are open)"), view)
            if pressed and view.is_legal(talks):
                return pick([talks], "under pressure: open talks to look for a way out", view)
            if pressed and can_propose:
                return pick([propose], f"under pressure: propose terms {my_point:.2f} over the back "
                            "channel", view)
            if pressed and breaks(view):
                return pick([view.act(ActionType.ACCEPT_FLIGHTS, other)],
                            "no dignified way out, and holding costs more: accept", view)
            return [wait(view, "holding, while looking for a dignified way out", CHOSEN)]
        if breaks(view):
            return pick([view.act(ActionType.WITHDRAW_DEMAND, other)],
                        "holding costs more than the demand is worth: withdraw it", view)
        if can_propose:
            return pick([propose], f"talks open: propose terms {my_point:.2f}", view)
        fresh = [view.act(ActionType.THREATEN, other, m.id)
                 for m in my_measures(view, MeasureState.AVAILABLE)]
        if fresh:
            return pick(fresh, "make the cost of refusal clear, without imposing it", view)
        if view.is_legal(talks):
            return pick([talks], "threats stand: open talks, to offer a compromise", view)
        return [wait(view, "threats stand; leaving room for a compromise", CHOSEN)]
