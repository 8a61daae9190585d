"""Reciprocity: tit-for-tat (Axelrod)."""

from __future__ import annotations

from crisis_sim.core.policy import Policy
from crisis_sim.core.types import ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, give_way, pick, wait
from crisis_sim.policies.reasoning import breaks, counterpart_moves, my_measures

ESCALATIONS = {ActionType.IMPOSE, ActionType.ESCALATE}
DE_ESCALATIONS = {ActionType.SUSPEND, ActionType.LIFT, ActionType.WITHDRAW_DEMAND}


class TitForTat(Policy):
    """Do what the other side did last round: threat for threat, sanction for sanction.

    Axelrod's tournament winner: nice (never the first to escalate), retaliatory,
    forgiving (de-escalation is answered in kind) and clear. A sender treats a
    standing refusal as a defection; a receiver answers de-escalation by
    accepting the flights with conditions. Whether it does well here depends,
    as Axelrod warned, on the payoffs and the other players. Resolve sets
    where mirroring stops: once holding out costs more than giving way (its
    breaking point, later for a resolute government), it gives way.
    """

    name = "tit_for_tat"
    summary = "Axelrod's tit-for-tat: mirror the other side's last move, never escalate first"

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "no issue of its own")]
        other = view.issue.counterpart(view.me)
        seen = counterpart_moves(view)
        receiver = view.me == view.issue.receiver
        if breaks(view):
            act = give_way(view) if receiver else view.act(ActionType.WITHDRAW_DEMAND, other)
            return pick([act], "the fight costs more than giving way", view)
        if seen & DE_ESCALATIONS:
            acts = [view.act(ActionType.LIFT, other, m.id)
                    for m in my_measures(view, MeasureState.THREATENED, MeasureState.IMPOSED)]
            if receiver:
                acts.append(give_way(view))
            return pick(acts, "they stepped back: step back too", view)
        if seen & ESCALATIONS:
            return pick(self._step_up(view, other, impose=True), "they imposed: impose in kind", view)
        opened = ActionType.THREATEN in seen or (
            not receiver and view.issue.status is FlightStatus.REFUSED and view.round == 1
        ) or ActionType.REFUSE_FLIGHTS in seen
        if opened:
            return pick(self._step_up(view, other, impose=False),
                        "they threatened or refused: threaten in kind", view)
        if receiver and view.issue.status is FlightStatus.PENDING:
            return pick([view.act(ActionType.ACCEPT_FLIGHTS, other)], "nice first: accept", view)
        return [wait(view, "nothing new from the other side: hold", CHOSEN)]

    @staticmethod
    def _step_up(view: WorldView, other: str, impose: bool):
        for m in my_measures(view):
            if impose and m.state in (MeasureState.THREATENED, MeasureState.AVAILABLE,
                                      MeasureState.SUSPENDED):
                return [view.act(ActionType.IMPOSE, other, m.id)]
            if not impose and m.state in (MeasureState.AVAILABLE, MeasureState.LIFTED):
                return [view.act(ActionType.THREATEN, other, m.id)]
        return []
