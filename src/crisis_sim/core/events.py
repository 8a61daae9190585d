"""Scheduled events: what happens to the governments at set times, whatever they choose."""

from __future__ import annotations

from crisis_sim.core.dynamics import clip01
from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.rules import propose, turning_point
from crisis_sim.core.types import EventKind
from crisis_sim.core.world import World


def fire_events(world: World) -> None:
    """Every scheduled event due by now happens, in time order, and is logged.

    A back channel opens between each pair of its actors; a mediation puts
    terms halfway (0.5) to every open issue among its actors; a public
    commitment commits its actors; a visit or approval shock moves their
    approval. Back channels and mediations are turning points too.
    """
    while world.pending_events and world.pending_events[0].at_hours <= world.hours:
        event = world.pending_events.pop(0)
        actors = [a for a in event.actors if a in world.governments]
        if event.kind is EventKind.BACK_CHANNEL:
            for a in actors:
                for b in actors:
                    if a < b:
                        world.back_channels.add(frozenset((a, b)))
        elif event.kind is EventKind.MEDIATION:
            for issue in world.issues:
                if issue.decided is None and {issue.spec.sender, issue.spec.receiver} <= set(actors):
                    propose(world, "mediator", issue, 0.5)
        elif event.kind is EventKind.PUBLIC_COMMITMENT:
            for a in actors:
                gov = world.governments[a]
                if not gov.committed:
                    gov.committed, gov.committed_at = True, world.hours
        elif event.kind is EventKind.APPROVAL_SHOCK or event.kind is EventKind.VISIT:
            for a in actors:
                gov = world.governments[a]
                gov.approval = clip01(gov.approval + event.approval_change)
        note = event.note or event.kind.value.replace("_", " ")
        world.log.append(LogEntry(world.round, world.hours, world.clock_text, None, LogKind.EVENT,
                                  event=event.kind, reason=note))
        if event.kind in (EventKind.BACK_CHANNEL, EventKind.MEDIATION):
            turning_point(world, note)
