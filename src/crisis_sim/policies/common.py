"""Small builders shared by the policy families."""

from __future__ import annotations

from collections.abc import Callable

from crisis_sim.core.types import Action, ActionType, Option
from crisis_sim.core.view import WorldView

Reason = str | Callable[[], str]
"""An option's reason: in words, or a function that words it when it is read."""

RULE_MARGIN = 0.02
"""How much a rule-based policy prefers its rule's pick to the alternative it names
(hesitating), in approval units like every utility: 2 points. With the decision noise of
the bundled scenarios (0.005) the pick is taken within the hour about 98 times in 100,
so a rule-based government trembles on the same scale as an expected-utility one
(mckelvey-palfrey1995, docs/sources.md §3.4). ASSUMPTION."""

CHOSEN, PASSED_OVER = RULE_MARGIN, 0.0
"""Utilities of a rule's pick and of the alternative it passes over: RULE_MARGIN apart
(ASSUMPTION, see :data:`RULE_MARGIN`)."""


def wait(view: WorldView, reason: Reason, utility: float = PASSED_OVER) -> Option:
    return Option((view.act(ActionType.WAIT),), utility, reason)


def pick(actions: list[Action], reason: Reason, view: WorldView) -> list[Option]:
    """A rule's choice as the best option, with waiting as the trembling alternative (``reason``
    in words, or a function that words it when it is read: :class:`~crisis_sim.core.types.Option`)."""
    legal = tuple(a for a in actions if view.is_legal(a))
    if not legal:
        return [wait(view, reason, CHOSEN)]
    return [Option(legal, CHOSEN, reason), wait(view, "not decided yet: still weighing it")]


def labels(view: WorldView, actions: list[Action]) -> str:
    names = {m.id: m.label for m in view.measures}
    return ", ".join(names.get(a.measure, a.measure or "") for a in actions if a.measure)


def complying(view: WorldView) -> str:
    """What giving way is, in a reason's words: accepting the flights, or agreeing to the demand
    in its own words where it is not the flights."""
    demand = None if view.issue is None else view.issue.demand
    return "accept the flights" if demand is None else f"agree to {demand}"


def complying_with_dignity(view: WorldView, flights: str = "accept on our own aircraft, with dignity") -> str:
    """The face-saving form of giving way, in a reason's words: ``flights`` for the flights (on the
    receiver's own aircraft), in its own way for any other demand."""
    demand = None if view.issue is None else view.issue.demand
    return flights if demand is None else f"agree to {demand} in our own way, with dignity"


def give_way(view: WorldView) -> Action:
    """The receiver's concession: with face-saving conditions when they can be had (the issue
    allows them and talks are open to arrange them). Where the issue allows them but talks are
    not open, the concession begins by opening talks, and waits for them while they are being
    opened: a government that means to save face does not give it up for a few hours."""
    other = view.counterpart()
    face = view.act(ActionType.ACCEPT_WITH_CONDITIONS, other)
    if view.is_legal(face):
        return face
    if view.issue is not None and view.issue.face_saving:
        talks = view.act(ActionType.OPEN_TALKS, other)
        if view.is_legal(talks):
            return talks
        if other in view.talks_opening:
            return view.act(ActionType.WAIT)
    return view.act(ActionType.ACCEPT_FLIGHTS, other)
