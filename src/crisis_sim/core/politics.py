"""Governments that fall: a change of leader or cabinet, with a hazard that rises as approval
is lost.

What moved many long crises in the record was a change of minister or government: a new
leader is not bound by the public stand of the one before (the audience cost of backing
down is the old leader's, fearon1994) and is a new type, whose resolve the others must read
afresh. Economic coercion destabilises the leaders it presses (marinov2005: sanctions raise
the hazard that a target's leader loses office), and leaders whose support erodes are
replaced (bdm2003, the selectorate theory: a leader survives while its coalition stays
loyal). Here each government party to an undecided dispute has a hazard of falling,

    h(t) = government_change_per_year / 8,766 h · exp((approval at taking office − approval now)
                                                       / approval_hazard_scale),

so a government that has lost approval under the measures (or to its own costs) is likelier
to fall, and one buoyed by a rally is less. The time of the fall is drawn by inverting the
integrated hazard (the next-reaction method, gibson-bruck2000): each government draws a
threshold ``E ~ Exp(1)`` from its own political stream once, and falls in the turn in which
the hazard integrated since then passes it. No random number is used turn by turn, and the
governments' choices are drawn from their own streams as before, so switching the mechanism
off (``government_change_per_year: 0``) compares the same runs (common random numbers).

The new government draws its resolve from the same distribution (a new type from the same
country), the public belief about it starts again from that distribution, it takes office
with the approval the government started the crisis with (a fresh mandate), and it is not
bound by its predecessor's public commitment (:func:`crisis_sim.core.events.change_government`).
"""

from __future__ import annotations

from crisis_sim.core.dynamics import fall_hazard_per_hour
from crisis_sim.core.events import change_government
from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.rules import turning_point
from crisis_sim.core.schema import Dynamics, GovernmentChange
from crisis_sim.core.types import EventKind
from crisis_sim.core.world import World


def hazard_per_hour(dyn: Dynamics, approval: float, approval_at_office: float) -> float:
    """The hourly hazard that a government falls: the baseline rate of
    ``dyn.government_change_per_year``, multiplied by e for every ``dyn.approval_hazard_scale``
    of approval lost since it took office (divided, for approval gained):
    :func:`~crisis_sim.core.dynamics.fall_hazard_per_hour`."""
    return fall_hazard_per_hour(dyn.government_change_per_year, approval_at_office - approval,
                                dyn.approval_hazard_scale)


def disputing(world: World) -> set[str]:
    """The governments party to an open dispute not yet decided: only such a government's
    fall belongs to the crisis."""
    return {party for i in world.issues if i.opened and i.decided is None
            for party in (i.spec.sender, i.spec.receiver)}


def governments_fall(world: World) -> None:
    """At a turn's close (after approval has moved): add each disputing government's hazard over
    the turn to its integrated hazard; one whose integrated hazard passes its threshold falls,
    and its successor draws its own threshold."""
    in_dispute = disputing(world)
    for key, gov in world.governments.items():
        if key not in in_dispute:
            continue
        gov.hazard_integrated += hazard_per_hour(world.dyn, gov.approval, world.approval_start[key]) \
            * world.turn_hours
        if gov.hazard_integrated >= gov.hazard_threshold:
            fall(world, key)


def fall(world: World, key: str) -> None:
    """``key``'s government falls and a new one takes office (see the module docstring); logged
    as an event and a turning point that say why, from the run's own figures."""
    gov = world.governments[key]
    before, start = gov.approval, world.approval_start[key]
    fresh_mandate = world.scenario_spec.actors[key].approval
    change_government(world, key, GovernmentChange(resolve=gov.spec.resolve, approval=fresh_mandate),
                      rng=gov.politics)
    gov.terms_in_office += 1
    gov.hazard_integrated = 0.0
    gov.hazard_threshold = float(gov.politics.exponential())
    name = world.scenario_spec.actors[key].name
    if before < start:
        why = f"after approval fell from {start:.0%} to {before:.0%}"
    else:
        why = f"with approval at {before:.0%} ({start:.0%} when it took office)"
    text = (f"the government of {name} falls {why}; a new government takes office,"
            " not bound by its predecessor's stand")
    world.log.append(LogEntry(world.round, world.hours, world.clock_text, None, LogKind.EVENT,
                              event=EventKind.GOVERNMENT_CHANGE, reason=text))
    turning_point(world, text)
