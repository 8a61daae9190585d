"""Scheduled events: what happens to the governments at set times, whatever they choose.

Besides the events of the scenario's ``events`` list, issues open here at
their ``opens_at_hours`` (:func:`open_issues`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

import numpy as np

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import clip01, draw_resolve
from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.policy import make_policy
from crisis_sim.core.rules import propose, talks_due, turning_point
from crisis_sim.core.schema import Event, GovernmentChange, MarketShock
from crisis_sim.core.state import measure_flows
from crisis_sim.core.types import EventKind
from crisis_sim.core.world import World


def fire_events(world: World) -> None:
    """Issues due to open open; then every scheduled event due by now happens, in time
    order, and is logged.

    A back channel opens between each pair of its actors; a mediation puts
    terms halfway (0.5) to every open issue among its actors; a public
    commitment commits its actors; a visit or approval shock moves their
    approval; a change of government puts a new one in office
    (:func:`change_government`); a market shock moves GDP, approval and
    exports (:func:`market_shock`). Back channels, mediations and changes of
    government are turning points too. Talks a party moved to open whose lead time has passed
    open first (:func:`~crisis_sim.core.rules.talks_due`).
    """
    open_issues(world)
    talks_due(world)
    while world.pending_events and world.pending_events[0].at_hours <= world.hours:
        event = world.pending_events.pop(0)
        actors = [a for a in event.actors if a in world.governments]
        HAPPENS[event.kind](world, event, actors)
        note = event.note or event.kind.value.replace("_", " ")
        world.log.append(LogEntry(world.round, world.hours, world.clock_text, None, LogKind.EVENT,
                                  event=event.kind, reason=note))
        if event.kind in (EventKind.BACK_CHANNEL, EventKind.MEDIATION):
            turning_point(world, note)
        elif event.kind is EventKind.GOVERNMENT_CHANGE:
            names = ", ".join(world.scenario_spec.actors[a].name for a in actors)
            turning_point(world, f"a new government takes office in {names}")


def _back_channel(world: World, event: Event, actors: list[str]) -> None:
    """A back channel opens between each pair of the actors (talks being opened are open)."""
    for a in actors:
        for b in actors:
            if a < b:
                world.back_channels.add(frozenset((a, b)))
                world.talks_opening.pop(frozenset((a, b)), None)
                world.talks_opener.pop(frozenset((a, b)), None)


def _mediation(world: World, event: Event, actors: list[str]) -> None:
    """A mediator puts terms halfway (0.5) to every open issue among the actors."""
    for issue in world.issues:
        if issue.decided is None and issue.opened and {issue.spec.sender, issue.spec.receiver} <= set(actors):
            propose(world, "mediator", issue, 0.5)


def _public_commitment(world: World, event: Event, actors: list[str]) -> None:
    """The actors commit themselves in public (from now, if not already)."""
    for a in actors:
        gov = world.governments[a]
        if not gov.committed:
            gov.committed, gov.committed_at = True, world.hours


def _approval_shock(world: World, event: Event, actors: list[str]) -> None:
    """The actors' approval moves by the event's change (a visit, a scandal, a rally)."""
    for a in actors:
        gov = world.governments[a]
        gov.approval = clip01(gov.approval + event.approval_change)


def _government_change(world: World, event: Event, actors: list[str]) -> None:
    for a in actors:
        change_government(world, a, event.government or GovernmentChange())


def _market_shock(world: World, event: Event, actors: list[str]) -> None:
    market_shock(world, actors, event.market or MarketShock())


HAPPENS: dict[EventKind, Callable[[World, Event, list[str]], None]] = {
    EventKind.BACK_CHANNEL: _back_channel,
    EventKind.MEDIATION: _mediation,
    EventKind.PUBLIC_COMMITMENT: _public_commitment,
    EventKind.APPROVAL_SHOCK: _approval_shock,
    EventKind.VISIT: _approval_shock,
    EventKind.GOVERNMENT_CHANGE: _government_change,
    EventKind.MARKET_SHOCK: _market_shock,
}
"""What each kind of scheduled event does to the world (every kind has an entry:
``tests/test_core_mechanics.py``)."""


def open_issues(world: World) -> None:
    """Issues whose ``opens_at_hours`` has come open now: from this round they exist for
    decisions, settlement and the record. One that opens refused is refused from its
    opening hour. Logged as an event (with no kind of the scenario's) and a turning point."""
    for issue in world.issues:
        if issue.opened or issue.spec.opens_at_hours > world.hours:
            continue
        issue.opened = True
        actors = world.scenario_spec.actors
        sender, receiver = actors[issue.spec.sender].name, actors[issue.spec.receiver].name
        demand = issue.spec.demand.label if issue.spec.demand is not None else "the flights"
        text = (f"a new dispute opens: {receiver} refuses {sender}'s demand ({demand})"
                if issue.refused_at is not None else
                f"a new dispute opens: {sender} demands {demand} of {receiver}")
        world.log.append(LogEntry(world.round, world.hours, world.clock_text, None, LogKind.EVENT,
                                  reason=text))
        turning_point(world, text)


def change_government(world: World, key: str, change: GovernmentChange,
                      rng: np.random.Generator | None = None) -> None:
    """A new government takes office in ``key``, with the parameters ``change`` gives.

    Each parameter it gives replaces the old one (policy, audience cost, dignity,
    risk tolerance, deliberation time, approval). With a ``resolve`` distribution
    the new government draws its own private resolve from it (from the
    government's own random stream), and the public belief about it, and its
    publicly known mean, start again from that distribution: a new leader is a
    new type, and observers know only the odds. Its approval lost is counted
    from the change. Unless ``keeps_commitment``, it is not bound by its
    predecessor's public commitment. A person playing the seat keeps playing it:
    the new policy is the one the others read the seat's moves by. The resolve is drawn
    from ``rng`` when given (a fall of :mod:`crisis_sim.core.politics` draws from the
    government's political stream), else from the government's own stream.
    """
    gov = world.governments[key]
    fields = ("audience_cost", "dignity", "risk_tolerance", "deliberation_hours", "policy", "resolve")
    update = {f: getattr(change, f) for f in fields if getattr(change, f) is not None}
    if update:
        gov.spec = gov.spec.model_copy(update=update)
    if change.policy is not None:
        policy = make_policy(change.policy.name, change.policy.params)
        if gov.policy is gov.reading_policy:
            gov.policy = policy
        gov.reading_policy = policy
    if change.resolve is not None:
        mean, sd = change.resolve.mean, change.resolve.sd
        gov.resolve = draw_resolve(gov.stream if rng is None else rng, mean, sd)
        world.public_beliefs[key] = beliefs.prior(mean, sd)
        world.resolve_means = MappingProxyType({**world.resolve_means, key: mean})
    if change.approval is not None:
        gov.approval = change.approval
    world.approval_start[key] = gov.approval
    if not change.keeps_commitment:
        gov.committed, gov.committed_at = False, None
    gov.forget_settlement()


def market_shock(world: World, actors: list[str], shock: MarketShock) -> None:
    """A market shock to each of ``actors``: GDP and approval move, and so do its exports
    (to ``partners``, or to everyone), and with them the trade every measure bites on."""
    for key in actors:
        gov = world.governments[key]
        if shock.gdp_change:
            gdp = gov.spec.gdp_usd_bn * (1 + shock.gdp_change)
            gov.spec = gov.spec.model_copy(update={"gdp_usd_bn": gdp})
        gov.approval = clip01(gov.approval + shock.approval_change)
        if shock.exports_change:
            for (exporter, importer), usd in list(world.trade.items()):
                if exporter == key and (not shock.partners or importer in shock.partners):
                    world.trade[(exporter, importer)] = usd * (1 + shock.exports_change)
    if shock.exports_change:
        for m in world.measures.values():
            m.flow_usd_bn = sum(measure_flows(world.trade, m.spec).values())
