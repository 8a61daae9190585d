"""Third parties: the bandwagoner, the solidarity condemner, and the mediator.

Onlookers matter through precedent (Peterson 2013): how one crisis ends
moves every other receiving state's resolve and its belief in the sender.
These policies let third parties act on a crisis too.
"""

from __future__ import annotations

from crisis_sim.core.policy import Policy
from crisis_sim.core.types import ActionType, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, pick, wait


def _pressured(view: WorldView) -> list[str]:
    """Senders of undecided issues that threaten or impose measures."""
    live = {(i.sender, i.receiver) for i in view.issues if i.contested}
    return sorted({m.imposer for m in view.measures
                   if (m.imposer, m.target) in live
                   and m.state in (MeasureState.THREATENED, MeasureState.IMPOSED)})


class Bandwagoner(Policy):
    """Side with the strong: offer to take the sender's deportees (El Salvador's CECOT offer).

    Once a sender is coercing someone, it offers to receive other nations'
    deportees, which weakens the coerced receivers' resolve and their belief
    that the sender needs them.
    """

    name = "bandwagoner"
    summary = "side with the coercer: offer to receive other nations' deportees"

    def options(self, view: WorldView) -> list[Option]:
        for sender in _pressured(view):
            act = view.act(ActionType.OFFER_TO_RECEIVE, sender)
            if view.is_legal(act):
                return pick([act], "side with the strong: offer to take the deportees", view)
        return [wait(view, "nothing to gain by moving now", CHOSEN)]


class Solidarity(Policy):
    """Condemn a coercing sender once per crisis, stiffening its targets (Venezuela's line)."""

    name = "solidarity"
    summary = "condemn a coercing sender, stiffening the receivers' resolve"

    def reset(self) -> None:
        self.condemned: set[str] = set()

    def options(self, view: WorldView) -> list[Option]:
        for sender in _pressured(view):
            if sender not in self.condemned and sender != view.me:
                self.condemned.add(sender)
                return pick([view.act(ActionType.CONDEMN, sender)],
                            "condemn the coercion of a fellow receiving state", view)
        return [wait(view, "nothing new to condemn", CHOSEN)]


class Mediator(Policy):
    """Offer split-the-difference terms once a crisis reaches threats."""

    name = "mediator"
    summary = "offer to mediate split-the-difference terms once a crisis reaches threats"

    def reset(self) -> None:
        self.mediated: set[str] = set()

    def options(self, view: WorldView) -> list[Option]:
        pressed = set(_pressured(view))
        for issue in view.issues:
            if issue.contested and issue.sender in pressed and issue.receiver not in self.mediated:
                act = view.act(ActionType.MEDIATE, issue.receiver)
                if view.is_legal(act):
                    self.mediated.add(issue.receiver)
                    return pick([act], "offer good offices: terms halfway", view)
        return [wait(view, "no crisis to mediate", CHOSEN)]
