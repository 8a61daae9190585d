"""Coercers: the always-escalating hardliner and George's turn-the-screw ultimatum."""

from __future__ import annotations

from functools import partial

from pydantic import Field

from crisis_sim.core.dynamics import BLUFF_CALLED_SHARE
from crisis_sim.core.policy import MeasureId, Policy, PolicyParams
from crisis_sim.core.types import ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import MeasureView, WorldView
from crisis_sim.policies.common import CHOSEN, give_way, labels, pick, wait
from crisis_sim.policies.reasoning import (
    backdown_cost,
    breaks,
    counter_demand_option,
    exchange_paid,
    inducement_option,
    my_measures,
    office_at_risk,
    p_gives_way,
    pain_on,
    review_options,
    stake,
    unmet_demand_loss,
)

HARDLINER_STAKE_MULTIPLE = 4.0
"""A hardliner counts its stake this many times over when it weighs giving way: it yields
only to pain several times what an expected-utility government of its resolve would
bear. ASSUMPTION: "never yield" as a strong disposition rather than an absolute, so that
resolve still matters (a low-resolve hardliner can crack under enough pain)."""

class Hardliner(Policy):
    """Always escalate, never yield.

    Takes the most escalatory step open on every measure each round: threaten
    what is available, impose what is threatened, bring schedules forward.
    As a receiver it refuses and commits in public. The pure "war" strategy
    of Bueno de Mesquita & Lalman's game; a useful foil in tournaments.
    Resolve: it gives way only past a breaking point where it counts its
    stake :data:`HARDLINER_STAKE_MULTIPLE` times over, so a low-resolve
    hardliner can crack under heavy pain and a resolute one never does.
    """

    name = "hardliner"
    summary = "always escalate: threaten, impose, step up schedules; never give way"

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "hardliner with no issue of its own: stays out")]
        other = view.counterpart()
        if breaks(view, HARDLINER_STAKE_MULTIPLE):
            if view.me == view.issue.receiver:
                return pick([give_way(view)], "even a hardliner breaks: the pain is past bearing", view)
            return pick([view.act(ActionType.WITHDRAW_DEMAND, other)],
                        "even a hardliner breaks: the demand costs too much", view)
        acts = []
        if view.issue.status is FlightStatus.PENDING and view.me == view.issue.receiver:
            acts.append(view.act(ActionType.REFUSE_FLIGHTS, other))
        if not view.committed:
            acts.append(view.act(ActionType.PUBLIC_STATEMENT, other))
        for m in my_measures(view):
            if m.state in (MeasureState.AVAILABLE, MeasureState.LIFTED):
                acts.append(view.act(ActionType.THREATEN, other, m.id))
            elif m.state in (MeasureState.THREATENED, MeasureState.SUSPENDED):
                acts.append(view.act(ActionType.IMPOSE, other, m.id))
            elif m.can_escalate:
                acts.append(view.act(ActionType.ESCALATE, other, m.id))
        what = labels(view, acts) or "nothing left to escalate"
        return pick(acts, f"never back down; escalate: {what}", view)


class TurnTheScrewParams(PolicyParams):
    impose_now: tuple[MeasureId, ...] = Field(
        (), description="Measures (ids) imposed at once, with the announcement, instead of threatened "
        "(e.g. visa sanctions).")
    threaten: tuple[MeasureId, ...] | None = Field(
        None, description="Measures (ids) threatened in the announcement and imposed if the deadline "
        "passes; `null`: every available measure not in `impose_now`.")
    deadline_hours: float = Field(
        24.0, gt=0, description="Hours the target has to comply after the announcement (a public "
        "deadline); an extension names the same again.")
    escalate_every_hours: float | None = Field(
        None, ge=0, description="Once measures are in force, bring the next schedule step of each "
        "forward this often, in hours (`null` or 0: the schedules keep their own pace).")
    accept_terms_at_least: float = Field(
        0.75, ge=0, le=1, description="Accept terms proposed to it, or the demand met in part, if they "
        "are at least this (0 = the receiver's position, 1 = the sender's; a part is its fraction).")
    reputation_weight: float = Field(
        1.0, ge=0, description="How much it weighs its credibility with other receiving states "
        "against withdrawing its demand (0: not at all).")
    weigh_terms: bool = Field(
        True, description="Weigh terms short of `accept_terms_at_least` against holding out and "
        "withdrawing, each costing the share of stake, face and credibility it concedes (`false`: "
        "refuse any terms below it, whatever holding out costs).")


class TurnTheScrew(Policy):
    """A scheduled ultimatum: announce a graduated package with a public deadline, then decide.

    George's "gradual turning of the screw" and Schelling's point that
    compellence needs a deadline (docs/sources.md §3 george1991,
    george-simons1994, schelling1966). Once the refusal stands and it has
    made up its mind (the actor's ``deliberation_hours``), it imposes
    ``impose_now``, threatens the rest, commits in public and names a
    deadline. At the deadline it weighs, in approval points, carrying the
    threats out (its own cost of imposing and of the answers the target has
    threatened, against the chance the target then gives way), extending the
    deadline (a bluff called: half the audience cost, and the same choice
    again at the new deadline unless the target gives way meanwhile) and
    withdrawing (stake, audience cost, reputation). Its resolve scales the
    stake, so a low-resolve sender whose threats would cost it dearly waits
    out the deadline and then backs down — its bluff called — and a resolute
    one carries them out (fearon1994; schelling1966; docs/model.md §7.10).
    With measures in force it weighs holding against backing down the same
    way, and steps the schedules up every ``escalate_every_hours``. Both
    Colombia 2025 and Mexico 2019 were of this kind.
    """

    name = "turn_the_screw"
    summary = "George's turn-the-screw: a public deadline, then impose, extend or back down"
    Params = TurnTheScrewParams
    params: TurnTheScrewParams

    def options(self, view: WorldView) -> list[Option]:
        p = self.params
        if view.issue is None or view.me != view.issue.sender:
            return [wait(view, "turn-the-screw coercer with no flights of its own to press")]
        other = view.issue.counterpart(view.me)
        for proposer, terms in sorted(view.proposals.items()):
            if terms >= p.accept_terms_at_least:
                return pick([view.act(ActionType.ACCEPT_TERMS, proposer, terms=terms)],
                            f"terms {terms:.2f} meet the demand", view)
        mine = my_measures(view)
        if view.issue.status is not FlightStatus.REFUSED:
            return [wait(view, "no refusal to answer", CHOSEN)]
        offered = self._terms_short_of_demand(view)
        if all(m.state is MeasureState.AVAILABLE for m in mine) and view.issue.deadline_in is None:
            return self._announce(view, other, mine)
        threatened = tuple(m for m in mine if m.state is MeasureState.THREATENED)
        left = view.issue.deadline_in
        back = self._back_down(view, other)
        offer = None if view.issue.inducement is None else inducement_option(
            view, other, pain_on(view, other, threatened), pain_on(view, view.me) + unmet_demand_loss(view))
        meet = counter_demand_option(view, other, pain_on(view, other, threatened),
                                     pain_on(view, view.me) + unmet_demand_loss(view))
        offered += [o for o in (offer, meet) if o is not None]
        if left is not None and left > 0:
            hold = self._hold(view, other, threatened)
            waiting = Option((view.act(ActionType.WAIT),), hold.utility, lambda:
                             f"deadline in {left:.0f}h: waiting for compliance ({_pts(hold.utility)})")
            return [waiting, back, *offered]
        if threatened:
            impose = tuple(view.act(ActionType.IMPOSE, other, m.id) for m in threatened)
            carry = self._hold(view, other, (), extra=threatened + answers_threatened(view, other))
            extend_value = self._extend_value(view, other, threatened, max(carry.utility, back.utility))
            extend = view.act(ActionType.SET_DEADLINE, other, hours=p.deadline_hours)
            return [
                Option(impose, carry.utility, lambda: f"deadline passed without compliance: impose "
                       f"{labels(view, list(impose))} ({_pts(carry.utility)})"),
                Option((extend,), extend_value, lambda: f"extend the deadline by {p.deadline_hours:g}h "
                       f"({_pts(extend_value)}: a bluff called costs face)"),
                back,
                *offered,
            ]
        options = [self._hold(view, other, ()), back, *offered]  # hold stays first: the screw steps on it
        steps = [m for m in mine if m.can_escalate]
        if p.escalate_every_hours and steps and view.round_hours > 0:
            every = p.escalate_every_hours
            since = view.issue.hours_contested
            if int(since // every) > int((since - view.round_hours) // every):
                acts = tuple(view.act(ActionType.ESCALATE, other, m.id) for m in steps)
                options.append(Option(acts, options[0].utility + CHOSEN,
                                      lambda: f"turn the screw: step up {labels(view, list(acts))}"))
        return options

    def review(self, view: WorldView) -> list[Option]:
        """At a settlement's review: keep the deal or reopen the crisis under the threat of the
        suspended measures, weighed as it weighs carrying out a threat
        (:func:`~crisis_sim.policies.reasoning.review_options`)."""
        return review_options(view)

    def _announce(self, view: WorldView, other: str, mine) -> list[Option]:
        p = self.params
        acts = []
        for m in mine:
            if m.id in p.impose_now:
                acts.append(view.act(ActionType.IMPOSE, other, m.id))
            elif p.threaten is None or m.id in p.threaten:
                acts.append(view.act(ActionType.THREATEN, other, m.id))
        if not view.committed:
            acts.append(view.act(ActionType.PUBLIC_STATEMENT, other))
        if not any(a.kind is ActionType.THREATEN for a in acts):  # nothing held back: no ultimatum
            return pick(acts, lambda: f"everything at once: {labels(view, acts) or 'the demand'}", view)
        acts.append(view.act(ActionType.SET_DEADLINE, other, hours=p.deadline_hours))
        return pick(acts, lambda: f"ultimatum: comply within {p.deadline_hours:g}h or face "
                    f"{labels(view, acts)}", view)

    def _hold(self, view: WorldView, other: str, threatened: tuple, extra: tuple = ()) -> Option:
        """Keep up the demand: if the target does not give way, I bear my own pain over the
        concern window and go without the demand (:func:`~crisis_sim.policies.reasoning.unmet_demand_loss`,
        the war of attrition of :func:`~crisis_sim.policies.reasoning.value_of_holding`)."""
        own_pain = pain_on(view, view.me, extra)
        mine = own_pain + unmet_demand_loss(view) + office_at_risk(view, view.me, spread=own_pain)
        theirs = pain_on(view, other, extra + threatened)
        p_yield = p_gives_way(view, other, theirs)
        value = -(1.0 - p_yield) * mine
        return Option((view.act(ActionType.WAIT),), value,
                      lambda: f"keep up the pressure: {_pts(value)} (P(they give way) {p_yield:.2f})")

    def _extend_value(self, view: WorldView, other: str, threatened: tuple, then: float) -> float:
        """Name a new deadline: the bluff is called (``BLUFF_CALLED_SHARE`` of the audience cost
        now), and unless the target gives way under the standing threats meanwhile, the same
        choice comes back at the new deadline, worth ``then`` (the better of carrying the threats
        out and withdrawing). So a sender extends only while it still expects the target may give
        way, not to put off a choice it will face again (schelling1966 on deadlines that must be
        met to keep their force; fearon1994 on the cost of a bluff called)."""
        p_yield = p_gives_way(view, other, pain_on(view, other, threatened))
        bluff_called = BLUFF_CALLED_SHARE * backdown_cost(view)
        return -(bluff_called + office_at_risk(view, view.me, jump=bluff_called)) + (1.0 - p_yield) * then

    def _terms_short_of_demand(self, view: WorldView) -> list[Option]:
        """Terms on the table below ``accept_terms_at_least``, each weighed as a withdrawal in
        proportion: accepting terms ``t`` concedes ``1 - t`` of the stake, of the face and of the
        credibility with other receivers that withdrawing the demand gives up whole, and puts
        office at risk by that share of the audience cost, plus what the settlement costs in an
        inducement or a counter-demand (:func:`~crisis_sim.policies.reasoning.exchange_paid`).
        A compromise is an intermediate outcome on the line between the two sides' positions,
        worth its share of each side's value of prevailing (fearon1995; docs/model.md §7.11).
        None when ``weigh_terms`` is off."""
        p = self.params
        if not p.weigh_terms or not view.proposals:
            return []
        whole = stake(view) + reputation(view, p.reputation_weight)
        face = backdown_cost(view)
        paid = exchange_paid(view)
        options = []
        for proposer, terms in sorted(view.proposals.items()):
            conceded = 1.0 - terms
            value = -conceded * (whole + face) - office_at_risk(view, view.me, jump=conceded * face) - paid
            options.append(Option((view.act(ActionType.ACCEPT_TERMS, proposer, terms=terms),), value,
                                  partial(_short_terms_reason, terms, value)))
        return options

    def _back_down(self, view: WorldView, other: str) -> Option:
        face = backdown_cost(view)
        value = -(stake(view) + face + reputation(view, self.params.reputation_weight)
                  + office_at_risk(view, view.me, jump=face))
        return Option((view.act(ActionType.WITHDRAW_DEMAND, other),), value,
                      lambda: f"withdraw the demand: {_pts(value)} (stake, face and credibility)")


def answers_threatened(view: WorldView, other: str) -> tuple[MeasureView, ...]:
    """The measures ``other`` has threatened against me: what carrying out my threats would
    bring down on me too (a counter-threat is a move in schelling1966's competition in risk
    taking: it raises what it costs me to carry out mine)."""
    return tuple(view.measures_between(other, view.me, MeasureState.THREATENED))


def reputation(view: WorldView, weight: float) -> float:
    """What backing down costs a sender in credibility with its other receiving states
    (peterson2013): ``weight`` × precedent weight × stake, per receiver it presses."""
    receivers = len({i.receiver for i in view.issues if i.sender == view.me})
    return weight * view.dynamics.precedent_weight * stake(view) * max(1, receivers)


def _short_terms_reason(terms: float, value: float) -> str:
    return f"accept terms {terms:.2f} short of the demand: {_pts(value)}"


def _pts(value: float) -> str:
    return f"{value * 100:+.1f} pts"
