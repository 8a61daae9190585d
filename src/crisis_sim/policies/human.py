"""A government played by a person: the seat a student takes in ``crisis-sim play``.

:class:`HumanPolicy` asks a *chooser* (a callable the game sets) for each
move. The chooser sees the same read-only :class:`~crisis_sim.core.view.WorldView`
as any other policy — the student knows no more than a government would —
and returns the actions picked and a reason for the log.

It is deliberately not registered: a scenario file cannot name it, and it does
not appear in ``crisis-sim list``, because a human seat only makes sense in an
interactive game. With no chooser set it waits, so a model holding one still
runs.
"""

from __future__ import annotations

from collections.abc import Callable

from crisis_sim.core.policy import Policy, PolicyParams
from crisis_sim.core.types import Action, ActionType, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, wait

Chooser = Callable[[WorldView], tuple[tuple[Action, ...], str]]
"""Given the view, return (actions, reason). It may raise to stop the game."""


class HumanPolicy(Policy):
    """Each move is chosen by a person, through ``chooser``."""

    name = "human"
    summary = "a person chooses every move (crisis-sim play); waits when no one is at the controls"

    def __init__(self, params: PolicyParams | None = None, chooser: Chooser | None = None):
        self.chooser = chooser
        super().__init__(params)

    def options(self, view: WorldView) -> list[Option]:
        if self.chooser is None:
            return [wait(view, "no one at the controls: waits", CHOSEN)]
        actions, reason = self.chooser(view)
        legal = tuple(a for a in actions if view.is_legal(a)) or (view.act(ActionType.WAIT),)
        return [Option(legal, CHOSEN, reason or "the player's choice")]

    def __getstate__(self) -> dict:
        return {"params": self.params, "chooser": None}
