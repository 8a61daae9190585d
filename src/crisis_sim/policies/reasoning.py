"""Shared reckoning for policies: stakes, expected pain, and the cost of backing down.

All figures are in approval units (0.01 = one point of domestic approval),
so that economic pain, dignity and audience costs can be weighed together.
"""

from __future__ import annotations

from crisis_sim.core.dynamics import audience_cost, carry_through_probability
from crisis_sim.core.types import ActionType, MeasureState
from crisis_sim.core.view import MeasureView, WorldView

GIVE_WAY_RATE = 0.6
"""P(an irresolute opponent gives way within the concern window) in the reckoning.
ASSUMPTION: better than even, as an irresolute type values the stake less than the
fight (fearon1995, docs/sources.md §3.1), but not certain within a month."""

DIGNITY_STAKE_FLOOR = 0.5
"""Share of the stake a government with no dignity salience still sees; dignity 1 doubles
it. ASSUMPTION: dignity and sovereignty raise what prevailing is worth (the receiver's
stated grounds on 26 January 2025, docs/sources.md §1 T3) but never make all of it."""

NO_BELIEF = 0.5
"""P(resolute) assumed of a government one holds no belief about. ASSUMPTION: the
uninformative even chance."""


def stake(view: WorldView) -> float:
    """What prevailing is worth to me: private resolve, raised by dignity salience."""
    weight = DIGNITY_STAKE_FLOOR + (1.0 - DIGNITY_STAKE_FLOOR) * view.dignity
    return view.resolve * weight * view.dynamics.stake_scale


def backdown_cost(view: WorldView, extra_hours: float = 0.0) -> float:
    """Audience cost of backing down now (or ``extra_hours`` later), Fearon (1994)."""
    d = view.dynamics
    return audience_cost(view.audience_cost, d.audience_cost_scale, view.committed,
                         view.hours_committed + extra_hours, d.commitment_days)


def measure_pain(view: WorldView, m: MeasureView, days: float, on_target: bool = True) -> float:
    """Approval lost over ``days`` if ``m`` is in force that long (target or imposer side)."""
    share = m.target_annual_share if on_target else m.imposer_annual_share
    pain = share * view.dynamics.pain_weight * days / 365.0
    if on_target:
        pain += m.political_pressure * days
    return pain


def expected_pain(view: WorldView, days: float | None = None) -> float:
    """Approval I expect to lose over the concern window if I hold out.

    Measures against me in force count in full; threatened or suspended ones
    count with the probability that their author carries them out, given my
    belief about its resolve. My own measures in force cost me too.
    """
    d = view.dynamics
    days = d.concern_days if days is None else days
    total = 0.0
    for m in view.measures:
        if m.target == view.me and m.state is MeasureState.IMPOSED:
            total += measure_pain(view, m, days)
        elif m.target == view.me and m.state in (MeasureState.THREATENED, MeasureState.SUSPENDED):
            p = carry_through_probability(view.beliefs.get(m.imposer, NO_BELIEF),
                                          d.threat_credibility, d.bluff_credibility)
            total += p * measure_pain(view, m, days)
        elif m.imposer == view.me and m.state is MeasureState.IMPOSED:
            total += measure_pain(view, m, days, on_target=False)
    return total


def p_other_gives_way(view: WorldView) -> float:
    """P(the counterpart gives way first), from my belief about its resolve."""
    other = view.counterpart()
    belief = view.beliefs.get(other, NO_BELIEF) if other else NO_BELIEF
    return (1.0 - belief) * GIVE_WAY_RATE


def value_of_holding(view: WorldView) -> float:
    """Utility of holding out over the concern window (a war of attrition, Fearon 1994/1995).

    With probability ``p`` the other side gives way first and holding costs
    nothing; otherwise I bear the expected pain of the measures — but never
    more than the stake plus the (grown) audience cost, since past that point
    I would give way myself.
    """
    days = view.dynamics.concern_days
    p_win = p_other_gives_way(view)
    ceiling = stake(view) + backdown_cost(view, days * 24.0)
    return -(1.0 - p_win) * min(expected_pain(view), ceiling)


def value_of_giving_way(view: WorldView, face_kept: float = 0.0) -> float:
    """Utility of giving way now, keeping ``face_kept`` of stake and face (face-saving)."""
    return -(1.0 - face_kept) * (stake(view) + backdown_cost(view))


def pressure_on_me(view: WorldView) -> list[MeasureView]:
    """Measures threatened or in force against me by my counterpart."""
    other = view.counterpart()
    return view.measures_between(other, view.me, MeasureState.THREATENED, MeasureState.IMPOSED) \
        if other else []


def my_measures(view: WorldView, *states: MeasureState) -> list[MeasureView]:
    """My measures against my counterpart, optionally in ``states``."""
    other = view.counterpart()
    return view.measures_between(view.me, other, *states) if other else []


def counterpart_moves(view: WorldView) -> set[ActionType]:
    """The kinds of move my counterpart made last round."""
    other = view.counterpart()
    return {a.kind for a in view.last_moves.get(other, ())} if other else set()
