"""Implementing an outcome once an issue is decided.

Once a side has given way (or terms were agreed), the parties carry out what
the ending implies rather than play on: the winner of a coercive exchange
holds its unfired threats "in reserve" (suspended, not lifted) and lifts what
it imposed when the measure's own condition is met — on 26 January 2025 the
White House kept the visa sanctions and inspections in force until the first
plane of deportees had been returned (docs/sources.md §1 T9; pattern P5, P6).
The side that gave way, or a winning target, withdraws its counter-measures.
A settlement that is a pause with a review date (an issue's ``review_after_days``) is
implemented the same way, except that the sender suspends its measures rather than lifting
them until it has reviewed the deal (docs/model.md §7.11).
"""

from __future__ import annotations

from crisis_sim.core.types import ActionType, FlightStatus, LiftCondition, MeasureState, Option
from crisis_sim.core.view import WorldView


def implement_settlement(view: WorldView) -> Option | None:
    """The package of moves that implements the decided issue in ``view``, if any."""
    issue = view.issue
    if issue is None or issue.contested:
        return None
    other = issue.counterpart(view.me)
    pair = {view.me, other}
    if any(i.contested and {i.sender, i.receiver} == pair for i in view.issues):
        return None  # a later dispute between the same two is open: its play governs the measures
    flights_on = issue.status in (FlightStatus.ACCEPTED, FlightStatus.ACCEPTED_WITH_CONDITIONS)
    paused = issue.review_in is not None and view.me == issue.sender
    actions, kept, notes, lifting = [], [], [], []
    for m in view.measures_between(view.me, other):
        if m.state is MeasureState.THREATENED and flights_on and view.me == issue.sender:
            actions.append(view.act(ActionType.SUSPEND, other, m.id))
            notes.append(f"hold {m.label} in reserve")
        elif m.state in (MeasureState.THREATENED, MeasureState.IMPOSED):
            if m.lift_after is LiftCondition.NEVER:
                continue
            if m.lifting:
                lifting.append(m.label)
                continue
            waiting = (m.lift_after is LiftCondition.FIRST_FLIGHT_LANDED and flights_on
                       and not issue.first_flight_landed)
            if waiting:
                kept.append(m.label)
            elif paused:
                actions.append(view.act(ActionType.SUSPEND, other, m.id))
                notes.append(f"suspend {m.label} until the deal's review")
            else:
                actions.append(view.act(ActionType.LIFT, other, m.id))
                notes.append(f"lift {m.label}")
    if kept:
        until = "the first flight lands" if issue.demand is None else "the demand is carried out"
        notes.append(f"keep {', '.join(kept)} until {until}")
    if lifting:
        notes.append(f"lift {', '.join(lifting)} in stages")
    if not notes:
        return None
    if not actions:
        actions.append(view.act(ActionType.WAIT))
    return Option(tuple(actions), 0.0, "implementing the outcome: " + "; ".join(notes))
