"""The rules of a round after the moves: settling an issue, precedent, flights, costs, beliefs.

Functions of the run's state (:class:`~crisis_sim.core.world.World`), called
by :class:`~crisis_sim.core.model.CrisisModel` phase by phase and by the moves
of :mod:`crisis_sim.core.moves`.
"""

from __future__ import annotations

from crisis_sim.core.dynamics import (
    annual_cost_share,
    audience_cost,
    bayes_update,
    clip01,
    cost_this_round,
    likelihoods,
    precedent_on_belief,
    precedent_on_resolve,
)
from crisis_sim.core.government import Government
from crisis_sim.core.state import IssueRun
from crisis_sim.core.types import (
    Decision,
    FlightStatus,
    LiftCondition,
    MeasureState,
    Outcome,
    Role,
    Variant,
)
from crisis_sim.core.world import World

FLIGHTS_ON = (FlightStatus.ACCEPTED, FlightStatus.ACCEPTED_WITH_CONDITIONS)
"""Statuses under which flights are (to be) flown."""

TERMS_RECEIVER_GIVES_WAY = 0.75
"""Accepted terms at or above this are the receiver giving way (0 = the receiver's
position, 1 = the sender's). ASSUMPTION: see :data:`TERMS_SENDER_BACKS_DOWN`."""
TERMS_SENDER_BACKS_DOWN = 0.25
"""Accepted terms at or below this are the sender backing down; between the two, a
negotiated settlement. ASSUMPTION (both): the middle half of the scale counts as a
compromise and each quarter at an end as one side's position, as split-the-difference
terms (0.5) sit squarely in the middle."""

CONDEMNATION_WEIGHT = 0.5
"""A condemnation moves the sender's targets by this share of ``precedent_weight``.
ASSUMPTION: a third party's words (Venezuela's, docs/sources.md §2 G2) count half as
much as a crisis's actual ending (onlookers learn from endings: peterson2013, §3.3)."""
OFFER_TO_RECEIVE_WEIGHT = 0.5
"""A third country's offer to take the sender's deportees moves the sender's targets by
this share of ``precedent_weight``. ASSUMPTION: as :data:`CONDEMNATION_WEIGHT`, half an
ending (El Salvador's offer, docs/sources.md §2 G1)."""


def turning_point(world: World, text: str) -> None:
    """Note a turning point of the story (kept in ``outcome.json``)."""
    world.turning_points.append({"round": world.round, "hours": world.hours, "text": text})


# ------------------------------------------------------------ settlement


def propose(world: World, proposer: str, issue: IssueRun, terms: float) -> None:
    """Put ``terms`` on the table to each party of ``issue`` other than the proposer."""
    for party in (issue.spec.sender, issue.spec.receiver):
        if party != proposer:
            world.proposals[(proposer, party)] = terms


def accept_terms(world: World, gov: Government, issue: IssueRun, proposer: str | None) -> bool:
    """Accept the terms ``proposer`` offered ``gov``; False if none are open.

    Terms of :data:`TERMS_RECEIVER_GIVES_WAY` (0.75) or more are the receiver giving way,
    :data:`TERMS_SENDER_BACKS_DOWN` (0.25) or less the sender backing down, anything
    between a negotiated settlement. The side that gives
    more keeps face in proportion to what the terms left it. Every proposal
    between the parties is then withdrawn.
    """
    terms = world.proposals.get((proposer, gov.key))
    if terms is None:
        return False
    if terms >= TERMS_RECEIVER_GIVES_WAY:
        outcome, status = Outcome.TARGET_CONCEDES, FlightStatus.ACCEPTED
    elif terms <= TERMS_SENDER_BACKS_DOWN:
        outcome, status = Outcome.INITIATOR_BACKS_DOWN, FlightStatus.WITHDRAWN
    else:
        outcome, status = Outcome.NEGOTIATED_SETTLEMENT, FlightStatus.ACCEPTED_WITH_CONDITIONS
    issue.terms = terms
    loser = issue.spec.receiver if outcome is Outcome.TARGET_CONCEDES else issue.spec.sender
    decide(world, issue, outcome, Variant.TERMS, status, backer=world.governments[loser],
           share=1.0 - terms if loser == issue.spec.receiver else terms)
    world.proposals = {k: v for k, v in world.proposals.items()
                       if {k[0], k[1]} & {issue.spec.sender, issue.spec.receiver} == set()}
    return True


def decide(world: World, issue: IssueRun, outcome: Outcome, variant: Variant | None,
           status: FlightStatus, backer: Government, share: float = 0.0) -> None:
    """Classify an issue as decided now; the side that gave way pays its audience cost.

    ``share`` is how much face the giving-way side keeps (a face-saving
    variant or favourable terms), which scales its audience cost down.
    Accepted flights are due after the issue's lead time (shorter on the
    receiver's own aircraft). Onlookers then learn from the precedent.
    """
    issue.decided, issue.variant, issue.status = outcome, variant, status
    issue.decided_round, issue.decided_hours = world.round, world.hours
    if status in FLIGHTS_ON:
        lead = issue.spec.flight_lead_hours
        own = status is FlightStatus.ACCEPTED_WITH_CONDITIONS
        issue.first_flight_due = world.hours + (lead.own_aircraft if own else lead.sender_aircraft)
    dyn = world.dyn
    cost = audience_cost(backer.spec.audience_cost, dyn.audience_cost_scale,
                         backer.committed, backer.hours_committed(), dyn.commitment_days)
    backer.approval = clip01(backer.approval - cost * (1.0 - share))
    turning_point(world, outcome_text(world, issue))
    precedent(world, issue)


def outcome_text(world: World, issue: IssueRun) -> str:
    """How a decided issue ended, in a few words for the turning points."""
    actors = world.scenario_spec.actors
    s, r = actors[issue.spec.sender].name, actors[issue.spec.receiver].name
    return {
        Outcome.TARGET_CONCEDES: f"{r} accepts the flights"
        + (" on its own aircraft (face-saving)" if issue.variant is Variant.FACE_SAVING else ""),
        Outcome.INITIATOR_BACKS_DOWN: f"{s} backs down",
        Outcome.NEGOTIATED_SETTLEMENT: f"{s} and {r} settle on terms {issue.terms:.2f}"
        if issue.terms is not None else f"{s} and {r} settle",
    }.get(issue.decided, str(issue.decided))


def precedent(world: World, issue: IssueRun) -> None:
    """Onlookers learn from how this crisis ended (Peterson 2013)."""
    w = world.dyn.precedent_weight
    target_won = issue.decided is Outcome.INITIATOR_BACKS_DOWN
    sender = issue.spec.sender
    for key, gov in world.governments.items():
        if key in (sender, issue.spec.receiver):
            continue
        if gov.role is not Role.INITIATOR:
            gov.resolve = precedent_on_resolve(gov.resolve, w, target_won)
        if sender in gov.beliefs and issue.decided is not Outcome.NEGOTIATED_SETTLEMENT:
            gov.beliefs[sender] = precedent_on_belief(gov.beliefs[sender], w, target_won)


def condemn(world: World, sender: str | None) -> None:
    """Condemnation stiffens the resolve of the sender's targets while their issues are open."""
    w = world.dyn.precedent_weight * CONDEMNATION_WEIGHT
    for issue in world.issues:
        if issue.spec.sender == sender and issue.decided is None:
            receiver = world.governments[issue.spec.receiver]
            receiver.resolve = precedent_on_resolve(receiver.resolve, w, True)


def offer_to_receive(world: World, sender: str | None) -> None:
    """A third country takes others' deportees: the sender's hand strengthens."""
    w = world.dyn.precedent_weight * OFFER_TO_RECEIVE_WEIGHT
    for issue in world.issues:
        if issue.spec.sender == sender and issue.decided is None:
            receiver = world.governments[issue.spec.receiver]
            receiver.resolve = precedent_on_resolve(receiver.resolve, w, False)
            receiver.beliefs[sender] = precedent_on_belief(receiver.beliefs[sender], w, False)


# ------------------------------------------------------------ flights, costs, beliefs


def land_flights(world: World) -> None:
    """Flights land once due: the first at its due time, then ``flights_per_day``, until no one is pending."""
    round_hours = world.scenario_spec.round_hours
    for issue in world.issues:
        if issue.first_flight_due is None or world.hours < issue.first_flight_due:
            continue
        if issue.first_flight_at is None:
            issue.first_flight_at = world.hours
            issue.flight_credit = 1.0
            receiver = world.scenario_spec.actors[issue.spec.receiver].name
            turning_point(world, f"first flight lands in {receiver}")
        else:
            issue.flight_credit += issue.spec.flights_per_day * round_hours / 24
        while issue.flight_credit >= 1.0 and issue.pending > 0:
            issue.flight_credit -= 1.0
            landed = min(issue.spec.deportees_per_flight, issue.pending)
            issue.pending -= landed
            issue.returned += landed
            issue.flights_landed += 1


def costs_and_approval(world: World) -> None:
    """Economic pain of measures in force, then approval (rally, pain, elite pressure).

    Each government keeps the running total of each source
    (``rally_gained``, ``pain_lost``, ``pressure_lost``), for explaining a
    result afterwards (the debrief of ``crisis-sim play``).

    Each measure biting now costs its target and its imposer a share of the
    trade it covers; the pain, as a share of GDP, costs approval. Its target
    also loses approval to the measure's political pressure. While the rally
    lasts, both parties to an undecided issue gain approval for standing firm.
    """
    round_hours = world.scenario_spec.round_hours
    governments = world.governments
    dyn = world.dyn
    lost = dict.fromkeys(governments, 0.0)
    """Approval each government loses this round."""
    for m in world.measures.values():
        m.rate = rate = m.rate_now(world.hours)
        if rate <= 0:
            continue
        m.hours_in_force += round_hours
        spec = m.spec
        exposed = m.flow_usd_bn * spec.coverage
        for key, elasticity in ((spec.target, spec.target_elasticity),
                                (spec.imposer, spec.imposer_elasticity)):
            gov = governments[key]
            gdp = gov.spec.gdp_usd_bn
            share = annual_cost_share(exposed, 1.0, rate, elasticity, gdp)
            cost = cost_this_round(share, gdp, round_hours)
            gov.cost_usd_bn += cost
            pain = dyn.pain_weight * cost / gdp
            gov.pain_lost += pain
            lost[key] += pain
        pressure = spec.political_pressure * round_hours / 24
        governments[spec.target].pressure_lost += pressure
        lost[spec.target] += pressure
    if world.hours <= dyn.rally_days * 24:
        rally = dyn.rally * round_hours / 24
        standing_firm = {
            party for i in world.issues if i.decided is None for party in (i.spec.sender, i.spec.receiver)
        }
        for key in standing_firm:
            governments[key].rally_gained += rally
            lost[key] -= rally
    for key, gov in governments.items():
        gov.approval = clip01(gov.approval - lost[key])


def update_beliefs(world: World, decisions: list[Decision]) -> None:
    """Each government updates P(resolute) of each mover from its observed moves (Bayes).

    Waiting says nothing about resolve; each other kind of move is evidence
    only as credible as the likelihoods of :func:`~crisis_sim.core.dynamics.likelihoods` make it.
    """
    dyn = world.dyn
    tc, bc = dyn.threat_credibility, dyn.bluff_credibility
    for decision in decisions:
        if decision.is_wait:
            continue
        kinds = {a.kind for a in decision.actions}
        for kind in sorted(kinds, key=lambda k: k.value):
            like = likelihoods(kind, tc, bc)
            if like is None:
                continue
            for gov in world.governments.values():
                if gov.key != decision.actor:
                    gov.beliefs[decision.actor] = bayes_update(gov.beliefs[decision.actor], *like)


def is_settled(world: World) -> bool:
    """Every issue decided, its measures resolved, and accepted flights under way."""
    for issue in world.issues:
        if issue.decided is None:
            return False
        if issue.status in FLIGHTS_ON and issue.first_flight_at is None:
            return False
        parties = {issue.spec.sender, issue.spec.receiver}
        for m in world.measures.values():
            if {m.spec.imposer, m.spec.target} == parties \
                    and m.spec.lift_after is not LiftCondition.NEVER \
                    and m.state in (MeasureState.THREATENED, MeasureState.IMPOSED):
                return False
    return True
