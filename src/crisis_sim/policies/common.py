"""Small builders shared by the policy families."""

from __future__ import annotations

from crisis_sim.core.types import Action, ActionType, Option
from crisis_sim.core.view import WorldView

CHOSEN, PASSED_OVER = 1.0, 0.0
"""Utilities a rule-based policy gives its pick and the alternatives it names. With the
default decision noise (0.01) the pick is taken all but always and the alternative is
the rare tremble of the logit choice (mckelvey-palfrey1995, docs/sources.md §3.4).
ASSUMPTION: one approval unit apart, far more than the noise."""


def wait(view: WorldView, reason: str, utility: float = PASSED_OVER) -> Option:
    return Option((view.act(ActionType.WAIT),), utility, reason)


def pick(actions: list[Action], reason: str, view: WorldView) -> list[Option]:
    """A rule's choice as the best option, with waiting as the trembling alternative."""
    legal = tuple(a for a in actions if view.is_legal(a))
    if not legal:
        return [wait(view, reason, CHOSEN)]
    return [Option(legal, CHOSEN, reason), wait(view, "hesitates and waits")]


def labels(view: WorldView, actions: list[Action]) -> str:
    names = {m.id: m.label for m in view.measures}
    return ", ".join(names.get(a.measure, a.measure or "") for a in actions if a.measure)


def give_way(view: WorldView) -> Action:
    """The receiver's concession: with face-saving conditions when the issue allows them."""
    kind = ActionType.ACCEPT_WITH_CONDITIONS if view.issue and view.issue.face_saving \
        else ActionType.ACCEPT_FLIGHTS
    return view.act(kind, view.counterpart())
