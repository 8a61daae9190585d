"""The rules of a round after the moves: settling an issue, precedent, flights, costs, beliefs.

Functions of the run's state (:class:`~crisis_sim.core.world.World`), called
by :class:`~crisis_sim.core.model.CrisisModel` phase by phase and by the moves
of :mod:`crisis_sim.core.moves`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import (
    annual_cost_share,
    audience_cost,
    clip01,
    cost_this_round,
    precedent_on_resolve,
    strain_ahead,
    strain_over,
    strain_per_day,
)
from crisis_sim.core.state import IssueRun, MeasureRun, Proposal
from crisis_sim.core.types import (
    OUTCOME_CLASSES,
    FlightStatus,
    LiftCondition,
    MeasureState,
    Outcome,
    Role,
    Variant,
)
from crisis_sim.core.world import World

if TYPE_CHECKING:
    from crisis_sim.core.schema import Exchange

FLIGHTS_ON = (FlightStatus.ACCEPTED, FlightStatus.ACCEPTED_WITH_CONDITIONS)
"""Statuses under which flights are (to be) flown."""

TERMS_RECEIVER_GIVES_WAY = 0.75
"""Accepted terms at or above this meet the demand (0 = the receiver's position, 1 = the
sender's): the receiver giving way at 1, a settlement both sides claim below it
(:func:`classify_terms`). ASSUMPTION: see :data:`TERMS_SENDER_BACKS_DOWN`."""
TERMS_SENDER_BACKS_DOWN = 0.25
"""Accepted terms at or below this are the sender backing down; between the two, a
negotiated settlement. ASSUMPTION (both): the middle half of the scale counts as a
compromise and each quarter at an end as one side's position, as split-the-difference
terms (0.5) sit squarely in the middle."""

NO_PRECEDENT = frozenset(o for o, c in OUTCOME_CLASSES.items() if not c.sets_precedent)
"""Endings onlookers learn nothing from (:func:`precedent`): none shows one side caving to
coercion in public."""

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


def propose(world: World, proposer: str, issue: IssueRun, terms: float, partial: bool = False) -> None:
    """Put ``terms`` on the table for ``issue``: a party's offer to the other, or a third
    party's to both (``partial``: the receiver's offer to meet the demand in that part). It
    replaces the proposer's earlier offer and lapses after ``dynamics.proposal_hours`` unanswered."""
    world.proposals[(proposer, issue.index)] = Proposal(proposer, issue.index, terms, world.hours,
                                                        partial=partial)


def expire_proposals(world: World) -> None:
    """Proposals older than ``dynamics.proposal_hours``, or about a decided issue, lapse."""
    limit = world.dyn.proposal_hours
    world.proposals = {
        key: p for key, p in world.proposals.items()
        if world.hours - p.made_at < limit and world.issues[p.issue].decided is None
    }


def open_talks(world: World, opener: str, other: str) -> None:
    """``opener`` moves to open talks with ``other``: it pays ``dynamics.talks_cost`` in approval
    now, and the talks are open ``dynamics.talks_lead_hours`` later (:func:`talks_due`), unless
    they are open or were being opened before this hour. Both sides reaching out at the same
    hour both pay (the moves of a turn are simultaneous: neither came second)."""
    pair = frozenset((opener, other))
    due = world.hours + world.dyn.talks_lead_hours
    if pair in world.back_channels or world.talks_opening.get(pair, due) != due:
        return
    openers = world.talks_opener.setdefault(pair, set())
    if opener in openers:
        return
    openers.add(opener)
    gov = world.governments[opener]
    gov.talks_lost += world.dyn.talks_cost
    gov.approval = clip01(gov.approval - world.dyn.talks_cost)
    world.talks_opening[pair] = due
    talks_due(world)


def talks_due(world: World) -> None:
    """Talks whose lead time has passed are open: a back channel between the pair (a turning point)."""
    actors = world.scenario_spec.actors
    for pair, at in sorted(world.talks_opening.items(), key=lambda kv: (kv[1], _in_order(world, kv[0]))):
        if at > world.hours:
            continue
        del world.talks_opening[pair]
        openers = world.talks_opener.pop(pair, set())
        if pair not in world.back_channels:
            world.back_channels.add(pair)
            first, second = _in_order(world, pair, openers)
            how = "both reach out" if openers == pair else f"{actors[first].name} reaches out"
            turning_point(world, f"talks open between {actors[first].name} and {actors[second].name} "
                                 f"({how})")


def _in_order(world: World, pair: frozenset[str],
              openers: set[str] | frozenset[str] = frozenset()) -> tuple[str, str]:
    """The pair in an order that names never decide: an opener first, then by role (the
    initiator first), then by the governments' descriptions without their names."""
    actors = world.scenario_spec.actors

    def key(k: str) -> tuple[bool, str, str]:
        return (k not in openers, actors[k].role.value, world.descriptions[k])

    first, second = sorted(pair, key=key)
    return first, second


def open_proposals(world: World, me: str) -> dict[str, Proposal]:
    """Proposals ``me`` may accept now, by proposer: on an issue of mine, not my own, not yet
    accepted by me."""
    out = {}
    for (proposer, index), p in world.proposals.items():
        spec = world.issues[index].spec
        if me in (spec.sender, spec.receiver) and proposer != me and me not in p.accepted_by:
            out[proposer] = p
    return out


def classify_terms(terms: float) -> tuple[Outcome, FlightStatus]:
    """The outcome class of a settlement at ``terms`` (0 = the receiver's position, 1 = the sender's).

    Terms that meet the demand (at or above :data:`TERMS_RECEIVER_GIVES_WAY`) but fall short of
    the sender's full position leave the receiver a share it asked for: a settlement each side
    presents as its own win (``claimed_by_both``: putnam1988, docs/sources.md §3.2). Only terms
    of 1 are the receiver giving way outright.
    """
    if terms >= 1.0:
        return Outcome.TARGET_CONCEDES, FlightStatus.ACCEPTED
    if terms >= TERMS_RECEIVER_GIVES_WAY:
        return Outcome.CLAIMED_BY_BOTH, FlightStatus.ACCEPTED
    if terms <= TERMS_SENDER_BACKS_DOWN:
        return Outcome.INITIATOR_BACKS_DOWN, FlightStatus.WITHDRAWN
    return Outcome.NEGOTIATED_SETTLEMENT, FlightStatus.ACCEPTED_WITH_CONDITIONS


def coercion_used(world: World, issue: IssueRun) -> bool:
    """Whether either party to ``issue`` has threatened or imposed a measure on the other since
    the issue opened, or one stands between them (threatened, held in reserve, or in force,
    from before the crisis too): what makes a refusal a coercion crisis (schelling1966)."""
    parties = {issue.spec.sender, issue.spec.receiver}
    opened = issue.spec.opens_at_hours
    for m in world.measures.values():
        if {m.spec.imposer, m.spec.target} != parties:
            continue
        if m.state in (MeasureState.THREATENED, MeasureState.SUSPENDED, MeasureState.IMPOSED):
            return True
        if any(at is not None and at >= opened for at in (m.threatened_at, m.imposed_at)):
            return True
    return False


def decide(world: World, issue: IssueRun, outcome: Outcome, variant: Variant | None,
           status: FlightStatus, receiver_moved: float, sender_moved: float,
           terms: float | None = None, coerced: bool | None = None) -> None:
    """Classify an issue as decided now; each side pays the audience cost of how far it moved.

    An issue decided before any coercion (``coerced`` false; ``None``: read now by
    :func:`coercion_used`) is ``defused``, whoever gave way and however: the refusal never
    became a coercion crisis (docs/model.md §7.13). A receiver that gives way outright and is
    given the inducement its sender offered, or the counter-demand its sender agreed to, has won
    something in return: both claim the deal (``claimed_by_both``, §7.26, §7.28).

    ``receiver_moved`` and ``sender_moved`` are the shares of the distance
    from its stated position each side gave up (a full concession 1, a
    face-saving one 1 − the issue's face share, terms τ: τ for the receiver
    and 1 − τ for the sender). Each pays its audience cost in that proportion
    (fearon1994: the cost falls on a leader who backs down from a public
    stand; backing part of the way costs part). Accepted flights are due after
    the issue's lead time (shorter on the receiver's own aircraft). Onlookers
    then learn from the precedent.
    """
    if not (coercion_used(world, issue) if coerced is None else coerced):
        outcome = Outcome.DEFUSED
    elif outcome is Outcome.TARGET_CONCEDES and (inducement_due(issue, receiver_moved)
                                                 or counter_demand_due(issue, receiver_moved)):
        outcome = Outcome.CLAIMED_BY_BOTH  # the demand met, and the sender gives something in return
    issue.decided, issue.variant, issue.status, issue.terms = outcome, variant, status, terms
    issue.decided_round, issue.decided_hours = world.round, world.hours
    issue.deadline_at = None
    if status in FLIGHTS_ON:
        lead = issue.spec.flight_lead_hours
        own = status is FlightStatus.ACCEPTED_WITH_CONDITIONS
        issue.first_flight_due = world.hours + (lead.own_aircraft if own else lead.sender_aircraft)
    dyn = world.dyn
    for key, moved in ((issue.spec.receiver, receiver_moved), (issue.spec.sender, sender_moved)):
        gov = world.governments[key]
        cost = audience_cost(gov.spec.audience_cost, dyn.audience_cost_scale,
                             gov.committed, gov.hours_committed(), dyn.commitment_days)
        gov.approval = clip01(gov.approval - cost * moved)
    give_inducement(world, issue, receiver_moved)
    settle_counter_demand(world, issue, receiver_moved)
    world.proposals = {k: p for k, p in world.proposals.items() if p.issue != issue.index}
    turning_point(world, outcome_text(world, issue))
    schedule_review(world, issue)
    precedent(world, issue)


def inducement_due(issue: IssueRun, receiver_moved: float) -> bool:
    """Whether the receiver's compliance (``receiver_moved`` > 0: in whole or in part) earns the
    inducement its sender offered and has not yet given."""
    return issue.offered_at is not None and issue.given_at is None and receiver_moved > 0


def counter_demand_due(issue: IssueRun, receiver_moved: float) -> bool:
    """Whether the receiver's compliance (``receiver_moved`` > 0) earns the counter-demand its
    sender agreed to and has not yet given."""
    return issue.counter_met_at is not None and issue.counter_given_at is None and receiver_moved > 0


def settle_counter_demand(world: World, issue: IssueRun, receiver_moved: float) -> None:
    """When the receiver complies, in whole or in part (``receiver_moved`` > 0), with a
    counter-demand of its own standing: given, once, if the sender agreed to it (the receiver's
    approval rises by its worth, the sender's falls by its cost); if not, the receiver has dropped
    a demand it made in public and loses its worth at home (fearon1997, tying hands;
    docs/model.md §7.28)."""
    wanted = issue.spec.counter_demand
    if wanted is None or issue.counter_demanded_at is None or issue.counter_given_at is not None \
            or receiver_moved <= 0:
        return
    issue.counter_given_at = world.hours
    if issue.counter_met_at is None:
        receiver = world.governments[issue.spec.receiver]
        receiver.approval = clip01(receiver.approval - wanted.worth)
        receiver.deal_gained -= wanted.worth
        turning_point(world, f"{world.scenario_spec.actors[issue.spec.receiver].name} complies "
                      f"without {wanted.label}")
        return
    _hand_over(world, issue, wanted)


def give_inducement(world: World, issue: IssueRun, receiver_moved: float) -> None:
    """An inducement offered is given when the receiver complies, in whole or in part
    (``receiver_moved`` > 0), once: its government gains the inducement's worth at home and the
    sender's loses its cost (baldwin1971; docs/model.md §7.26)."""
    inducement = issue.spec.inducement
    if inducement is None or not inducement_due(issue, receiver_moved):
        return
    issue.given_at = world.hours
    _hand_over(world, issue, inducement)


def _hand_over(world: World, issue: IssueRun, given: Exchange) -> None:
    """The sender gives the receiver ``given`` (an inducement, a counter-demand agreed to): the
    receiver's approval rises by its worth, the sender's falls by its cost, each kept as the
    deal's share of the approval's changes, and it is told."""
    receiver, sender = world.governments[issue.spec.receiver], world.governments[issue.spec.sender]
    receiver.approval = clip01(receiver.approval + given.worth)
    sender.approval = clip01(sender.approval - given.cost)
    receiver.deal_gained += given.worth
    sender.deal_gained -= given.cost
    turning_point(world, f"{world.scenario_spec.actors[issue.spec.sender].name} gives {given.label}")


def schedule_review(world: World, issue: IssueRun) -> None:
    """A settlement of an issue with ``review_after_days`` is a pause: when the receiver gave way
    or terms were agreed (not when the sender backed down, nor for a dispute defused before any
    measure), the sender reviews it that many days later (:func:`keep_deal`, :func:`reopen`);
    meanwhile it suspends its measures rather than lifting them
    (:func:`~crisis_sim.core.settlement.implement_settlement`)."""
    days = issue.spec.review_after_days
    if days is None or issue.status not in FLIGHTS_ON or issue.decided is Outcome.DEFUSED:
        return
    issue.review_due = world.hours + 24.0 * days
    turning_point(world, f"the deal is to be reviewed in {days:g} days")


def keep_deal(world: World, issue: IssueRun) -> None:
    """At its review the sender keeps the deal: the issue is settled for good (its suspended
    measures stay held in reserve, as a winning sender's unfired threats are)."""
    issue.review_due = None
    sender = world.scenario_spec.actors[issue.spec.sender].name
    turning_point(world, f"{sender} keeps the deal at its review: settled for good")


def reopen(world: World, issue: IssueRun) -> None:
    """At its review the sender renews its demand: the issue is contested again (refused, its
    flights stopped), the measures the sender suspended against the receiver are threatened
    again, and its attention to the demand is renewed. The decision it reopens is undone:
    the issue's outcome is whatever decides it next, or the horizon's reading."""
    sender, receiver = issue.spec.sender, issue.spec.receiver
    issue.review_due = None
    issue.reopened += 1
    issue.decided = issue.variant = issue.terms = None
    issue.decided_round = issue.decided_hours = None
    issue.status, issue.refused_at = FlightStatus.REFUSED, world.hours
    issue.first_flight_due = None
    issue.renewed_at = world.hours
    for m in world.measures.values():
        if m.spec.imposer == sender and m.spec.target == receiver and m.state is MeasureState.SUSPENDED:
            m.set_state(MeasureState.THREATENED)
            m.threatened_at = world.hours
    names = world.scenario_spec.actors
    turning_point(world, f"{names[sender].name} reopens the crisis at the review: it renews its demand "
                         f"on {names[receiver].name} under the threat of its suspended measures")


def settle(world: World, issue: IssueRun, terms: float, variant: Variant = Variant.TERMS,
           coerced: bool | None = None) -> None:
    """Decide ``issue`` on ``terms``: classified by :func:`classify_terms`, moves shared."""
    outcome, status = classify_terms(terms)
    decide(world, issue, outcome, variant, status, receiver_moved=terms, sender_moved=1.0 - terms,
           terms=terms, coerced=coerced)


def outcome_text(world: World, issue: IssueRun) -> str:
    """How a decided issue ended, in a few words for the turning points."""
    actors = world.scenario_spec.actors
    s, r = actors[issue.spec.sender].name, actors[issue.spec.receiver].name
    if issue.variant is Variant.PARTIAL and issue.terms is not None:
        return f"{s} accepts the demand met in part ({issue.terms:.0%}) as the settlement"
    demand = issue.spec.demand_words
    if demand is None:
        gives_way = f"{r} accepts the flights"
        face_saved = " on its own aircraft (face-saving)"
    else:
        gives_way = f"{r} agrees to {demand}"
        face_saved = ", in its own way (face-saving)"
    if issue.variant is Variant.FACE_SAVING:
        gives_way += face_saved
    texts: dict[Outcome | None, str] = {
        Outcome.TARGET_CONCEDES: gives_way,
        Outcome.INITIATOR_BACKS_DOWN: f"{s} backs down",
        Outcome.NEGOTIATED_SETTLEMENT: f"{s} and {r} settle on terms {issue.terms:.2f}"
        if issue.terms is not None else f"{s} and {r} settle",
        Outcome.CLAIMED_BY_BOTH: f"{r} meets the demand on terms {issue.terms:.2f}: "
        f"{s} and {r} each claim the deal"
        if issue.terms is not None else f"{s} and {r} each claim the deal",
        Outcome.DEFUSED: f"the dispute between {s} and {r} is settled before any threat: defused",
    }
    return texts.get(issue.decided, str(issue.decided))


def precedent(world: World, issue: IssueRun) -> None:
    """Onlookers learn from how this crisis ended (Peterson 2013).

    When one side caved, every other receiving government's resolve moves
    (up if the target won, down if it caved) and the public belief about the
    sender's resolve tilts the same way. A negotiated settlement is no one's
    defeat, and a settlement both sides claim is presented as no one's: nothing is
    learnt from them; nor from a dispute defused before any threat, which tested no
    one's resolve under coercion.
    """
    if issue.decided in NO_PRECEDENT:
        return
    w = world.dyn.precedent_weight
    target_won = issue.decided is Outcome.INITIATOR_BACKS_DOWN
    sender = issue.spec.sender
    for key, gov in world.governments.items():
        if key in (sender, issue.spec.receiver) or gov.role is Role.INITIATOR:
            continue
        gov.resolve = precedent_on_resolve(gov.resolve, w, target_won)
    world.public_beliefs[sender] = beliefs.tilt(world.public_beliefs[sender], w, not target_won)


def condemn(world: World, sender: str | None) -> None:
    """Condemnation stiffens the resolve of the sender's targets while their issues are open."""
    w = world.dyn.precedent_weight * CONDEMNATION_WEIGHT
    for issue in world.issues:
        if issue.spec.sender == sender and issue.decided is None and issue.opened:
            receiver = world.governments[issue.spec.receiver]
            receiver.resolve = precedent_on_resolve(receiver.resolve, w, True)


def offer_to_receive(world: World, sender: str | None) -> None:
    """A third country takes others' deportees: the sender's hand strengthens."""
    w = world.dyn.precedent_weight * OFFER_TO_RECEIVE_WEIGHT
    for issue in world.issues:
        if issue.spec.sender == sender and issue.decided is None and issue.opened:
            receiver = world.governments[issue.spec.receiver]
            receiver.resolve = precedent_on_resolve(receiver.resolve, w, False)
    if sender in world.public_beliefs:
        world.public_beliefs[sender] = beliefs.tilt(world.public_beliefs[sender], w, True)


# ------------------------------------------------------------ flights, costs, beliefs


def land_flights(world: World) -> None:
    """Flights land once due: the first at its due time, then ``flights_per_day``, until no one is pending."""
    round_hours = world.turn_hours  # a round, or one turn of a long round (CrisisModel.step)
    for issue in world.issues:
        if issue.first_flight_due is None or world.hours < issue.first_flight_due:
            continue
        if issue.first_flight_at is None:
            issue.first_flight_at = world.hours
            issue.flight_credit = 1.0
            receiver = world.scenario_spec.actors[issue.spec.receiver].name
            demand = issue.spec.demand_words
            turning_point(world, f"first flight lands in {receiver}" if demand is None
                          else f"{receiver} carries out the demand: {demand}")
        else:
            issue.flight_credit += issue.spec.flights_per_day * round_hours / 24
        while issue.flight_credit >= 1.0 and issue.pending > 0:
            issue.flight_credit -= 1.0
            landed = min(issue.spec.deportees_per_flight, issue.pending)
            issue.pending -= landed
            issue.returned += landed


def strains(world: World, issue: IssueRun, ahead: bool = False) -> tuple[float, float]:
    """What the open dispute of ``issue`` costs its sender and its receiver a day, in approval
    (:func:`~crisis_sim.core.dynamics.strain_per_day`: each one's two-way trade with the other as
    a share of its GDP), built up with the dispute's age: its mean over the turn that closes now
    (:func:`~crisis_sim.core.dynamics.strain_over`, :func:`~crisis_sim.core.dynamics.strain_built`),
    or, ``ahead``, over the concern window ahead, as the governments weigh it
    (:func:`~crisis_sim.core.dynamics.strain_ahead`); nothing once it is decided, before it opens,
    or with ``dynamics.relationship_value`` 0."""
    value = world.dyn.relationship_value
    if value <= 0 or not _open_dispute(issue):
        return 0.0, 0.0
    sender, receiver = issue.spec.sender, issue.spec.receiver
    two_way = world.trade.get((sender, receiver), 0.0) + world.trade.get((receiver, sender), 0.0)
    age_days = (world.hours - issue.spec.opens_at_hours) / 24.0
    window = world.dyn.concern_days
    share = strain_ahead(age_days, window) if ahead else \
        strain_over(age_days - world.turn_hours / 24.0, age_days, window)
    return (share * strain_per_day(value, two_way, world.governments[sender].spec.gdp_usd_bn),
            share * strain_per_day(value, two_way, world.governments[receiver].spec.gdp_usd_bn))


def strain_building(world: World) -> bool:
    """Whether any open dispute's strain is building up (:func:`strains`): an undecided issue,
    opened, with ``dynamics.relationship_value`` above 0."""
    return world.dyn.relationship_value > 0 and any(_open_dispute(i) for i in world.issues)


def _open_dispute(issue: IssueRun) -> bool:
    """Whether ``issue`` is a dispute that strains the relationship: opened and not decided."""
    return issue.opened and issue.decided is None


Charges = tuple[tuple[tuple[Any, str, float], ...], dict[str, float]]
"""A turn's costs: each increment, in the order it is made, as (government or measure, attribute,
amount), and the approval each government loses (:func:`turn_charges`)."""


def costs_and_approval(world: World, charges: Charges | None = None) -> Charges:
    """Economic pain of measures in force, then approval (rally, pain, elite pressure): the turn's
    charges (:func:`turn_charges`) made, and returned. ``charges``: a turn's charges worked out
    already, for a turn in which nothing they depend on can have changed (a quiet block's steady
    stretch, :meth:`~crisis_sim.core.advance.QuietBlocks.steady`): made again, in the same order,
    they give the same figures to the last bit."""
    if charges is None:
        charges = turn_charges(world)
    increments, lost = charges
    for holder, attribute, amount in increments:
        setattr(holder, attribute, getattr(holder, attribute) + amount)
    for key, gov in world.governments.items():
        gov.approval = clip01(gov.approval - lost[key])
    return charges


def turn_charges(world: World) -> Charges:
    """What measures in force, a strained relationship and the rally charge each government this
    turn (and the hours each measure is in force), and the approval each loses.

    Each government keeps the running total of each source
    (``rally_gained``, ``pain_lost``, ``pressure_lost``), for explaining a
    result afterwards (the debrief of ``crisis-sim play``).

    Each measure in force (imposed and past its lag) costs its target and its
    imposer a share of the trade it covers at the rate biting now; the pain,
    as a share of GDP, costs approval. Its target also loses approval to the
    measure's political pressure, whatever the rate (a visa ban on officials
    bites on the elite, not on trade) — exactly as the policies count it
    (:func:`crisis_sim.policies.reasoning.measure_pain`). A one-off act bites
    once, in the turn it comes into force, with what it would cost over
    ``dynamics.one_off_days`` in force (:func:`bite`), and is then done. While a dispute is
    open both its parties lose what the strained relationship costs them (:func:`strains`). While
    the rally lasts, both parties to an undecided issue gain approval for standing firm.
    """
    round_hours = world.turn_hours  # a round, or one turn of a long round (CrisisModel.step)
    governments = world.governments
    dyn = world.dyn
    increments: list[tuple[Any, str, float]] = []
    lost = dict.fromkeys(governments, 0.0)
    """Approval each government loses this round."""
    for m in world.measures.values():
        if m.state is not MeasureState.IMPOSED and m.lift_began_at is None:
            m.rate = 0.0  # not imposed, nor being lifted in stages: it bites on no one
            continue
        m.lift_stage_due(world.hours)
        m.rate = rate = m.rate_now(world.hours)
        if not m.in_force(world.hours):
            continue
        hours, rate = bite(world, m, rate, increments)
        spec = m.spec
        exposed = m.flow_usd_bn * spec.coverage
        payers: tuple[tuple[str, float, float], ...] = ((spec.target, spec.target_elasticity, exposed),
                                                        (spec.imposer, spec.imposer_elasticity, exposed))
        if spec.via:
            payers = ((spec.target, spec.target_elasticity, exposed),
                      *((v, spec.imposer_elasticity, world.trade.get((spec.target, v), 0.0) * spec.coverage)
                        for v in spec.via))
        for key, elasticity, base in payers:
            if rate <= 0:
                break
            gov = governments[key]
            gdp = gov.spec.gdp_usd_bn
            share = annual_cost_share(base, 1.0, rate, elasticity, gdp)
            cost = cost_this_round(share, gdp, hours)
            pain = dyn.pain_weight * cost / gdp
            increments += ((gov, "cost_usd_bn", cost), (gov, "pain_lost", pain))
            lost[key] += pain
        pressure = spec.political_pressure * hours / 24
        increments.append((governments[spec.target], "pressure_lost", pressure))
        lost[spec.target] += pressure
    if dyn.relationship_value > 0:  # a strained relationship costs both parties while the dispute is open
        for issue in world.issues:
            parties = (issue.spec.sender, issue.spec.receiver)
            for key, per_day in zip(parties, strains(world, issue), strict=True):
                strain = per_day * round_hours / 24
                increments.append((governments[key], "strain_lost", strain))
                lost[key] += strain
    standing_firm = {
        party for i in world.issues
        if i.decided is None and i.opened and world.hours - i.spec.opens_at_hours <= dyn.rally_days * 24
        for party in (i.spec.sender, i.spec.receiver)
    }
    if standing_firm:
        rally = dyn.rally * round_hours / 24
        for key in standing_firm:
            increments.append((governments[key], "rally_gained", rally))
            lost[key] -= rally
    return tuple(increments), lost


def bite(world: World, m: MeasureRun, rate: float,
         increments: list[tuple[Any, str, float]]) -> tuple[float, float]:
    """The hours of pain a measure in force inflicts this turn, and at what rate.

    A continuing measure bites for the turn at the rate biting now, and counts the turn as
    hours in force (an increment of ``increments``, made with the turn's charges). A one-off
    act (an ambassador recalled, diplomats expelled) bites once, now,
    with the pain of ``dynamics.one_off_days`` in force at its schedule's average rate over
    them, and is done (:meth:`~crisis_sim.core.state.MeasureRun.bite_once`): it has no days in
    force and nothing after (docs/model.md §7.1).
    """
    if not m.one_off:
        increments.append((m, "hours_in_force", world.turn_hours))
        return world.turn_hours, rate
    days = world.dyn.one_off_days
    m.bite_once(world.hours)
    return 24.0 * days, m.expected_rate(days)


def is_settled(world: World) -> bool:
    """Every issue decided (and not awaiting a review), its measures resolved, and accepted
    flights under way."""
    for issue in world.issues:
        if issue.decided is None or issue.review_due is not None:
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
