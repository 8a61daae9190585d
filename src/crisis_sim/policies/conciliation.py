"""Conciliators: the appeaser and the face-saving compromiser."""

from __future__ import annotations

from pydantic import Field

from crisis_sim.core.policy import Policy, PolicyParams
from crisis_sim.core.types import ActionType, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, give_way, pick, wait
from crisis_sim.policies.reasoning import my_measures, pressure_on_me


class AppeaserParams(PolicyParams):
    patience_hours: float = Field(
        0.0, description="Hours after the refusal to bear the dispute before giving way (terms "
        "proposed by the other side are accepted at any time).")


class Appeaser(Policy):
    """Give way at once: a receiver accepts the flights, a sender withdraws its demand.

    The acquiescence and capitulation strategies of Bueno de Mesquita &
    Lalman: it ends crises fast and cheaply, at the price of the stake.
    """

    name = "appeaser"
    summary = "give way at once: accept the flights, or withdraw the demand"
    Params = AppeaserParams

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "appeaser on the sidelines keeps out of it")]
        other = view.counterpart()
        if view.proposals.get(other) is not None:
            terms = view.proposals[other]
            return pick([view.act(ActionType.ACCEPT_TERMS, other, terms=terms)],
                        "any terms are better than a fight", view)
        if view.issue.hours_contested < self.params.patience_hours:
            return [wait(view, "bearing the dispute a little longer", CHOSEN)]
        if view.me == view.issue.receiver:
            return pick([view.act(ActionType.ACCEPT_FLIGHTS, other)],
                        "avoid the costs of a fight: accept the flights", view)
        return pick([view.act(ActionType.WITHDRAW_DEMAND, other)],
                    "not worth a fight: withdraw the demand", view)


class FaceSaverParams(PolicyParams):
    min_pressure: float = Field(
        0.0, description="As receiver, give way (with face saved) once more than this many of the "
        "sender's measures are threatened or in force against it (0: at the first threat).")
    offer_terms: float = Field(
        0.5, description="Terms proposed once a back channel opens (0 = the receiver's position, "
        "1 = the sender's).")
    accept_within: float = Field(
        0.3, description="Accept proposed terms within this distance of its own point (`offer_terms` "
        "as receiver, 1 - `offer_terms` as sender).")


class FaceSaver(Policy):
    """Look for the compromise that lets both sides claim a win.

    A receiver under pressure accepts the flights with conditions (its own
    aircraft, no restraints): a partial concession that keeps face, as
    Colombia did in 2025. A sender threatens but never imposes, and offers
    split-the-difference terms when a back channel opens (Fearon 1995: a
    settlement both prefer to fighting almost always exists).
    """

    name = "face_saver"
    summary = "seek a face-saving compromise: conditional acceptance or split-the-difference terms"
    Params = FaceSaverParams

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "no issue of its own")]
        p = self.params
        other = view.counterpart()
        receiver = view.me == view.issue.receiver
        mine_point = 1.0 - p.offer_terms if not receiver else p.offer_terms
        terms = view.proposals.get(other)
        if terms is not None and abs(terms - mine_point) <= p.accept_within:
            return pick([view.act(ActionType.ACCEPT_TERMS, other, terms=terms)],
                        f"terms {terms:.2f} let both sides claim a win", view)
        if other in view.back_channels and not view.proposals.get(other):
            return pick([view.act(ActionType.PROPOSE_TERMS, other, terms=p.offer_terms)],
                        f"back channel open: propose terms {p.offer_terms:.2f}", view)
        if receiver:
            if len(pressure_on_me(view)) > p.min_pressure:
                return pick([give_way(view)],
                            "under pressure: accept, on our own aircraft and with dignity", view)
            return [wait(view, "holding, while looking for a dignified way out", CHOSEN)]
        fresh = [view.act(ActionType.THREATEN, other, m.id)
                 for m in my_measures(view, MeasureState.AVAILABLE)]
        if fresh:
            return pick(fresh, "make the cost of refusal clear, without imposing it", view)
        return [wait(view, "threats stand; leaving room for a compromise", CHOSEN)]
