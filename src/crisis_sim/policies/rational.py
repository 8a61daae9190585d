"""The belief-based expected-utility policy.

Fearon (1995): bargaining fails through private information and incentives to
bluff. This policy weighs each move by its expected utility under the
government's beliefs about the other's resolve, in approval units:

* holding out risks the stake plus a growing audience cost if the other side
  does not give way, and costs the expected pain of the measures standing
  (threats weighted by how likely they are to be carried out);
* giving way costs the stake and the audience cost of backing down now
  (Fearon 1994), less what a face-saving variant keeps;
* accepting terms costs the share of the stake they concede;
* meeting the demand in part (where the issue allows it) costs that fraction of
  the stake and face, if the sender settles for it.

The government then chooses with logit noise (bounded rationality), so close
calls go either way across seeds.
"""

from __future__ import annotations

from functools import partial

from pydantic import Field

from crisis_sim.core.policy import Policy, PolicyParams
from crisis_sim.core.types import CARRIED_OUT, Action, ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.coercion import reputation
from crisis_sim.policies.common import complying, complying_with_dignity, wait
from crisis_sim.policies.reasoning import (
    backdown_cost,
    counter_demand_option,
    exchange_gain,
    exchange_paid,
    hope,
    inducement_option,
    my_measures,
    office_at_risk,
    p_counter_demand_met,
    p_gives_way,
    pain_on,
    review_options,
    stake,
    unmet_demand_loss,
    value_of_giving_way,
    value_of_holding,
    value_of_meeting_in_part,
)

THREAT_PAIN_SHARE = 0.5
"""Share of a measure's pain a standing threat already puts on the target in the sender's
reckoning; imposing it adds the rest. ASSUMPTION: a threat is half-believed before it is
carried out (cheap talk moves beliefs a little, fearon1997, docs/sources.md §3.1)."""

RECEIVER_OPENING_TERMS = 0.4
"""Terms a receiver proposes over a back channel (0 = its own position, 1 = the sender's).
ASSUMPTION: a little short of splitting the difference, in its own favour."""

SENDER_OPENING_TERMS = 0.7
"""Terms a sender proposes over a back channel. ASSUMPTION: short of the 0.75 from which terms
count as meeting the demand (:data:`crisis_sim.core.rules.TERMS_RECEIVER_GIVES_WAY`), so the
offer reads as a compromise the receiver can accept."""


PRESSING = frozenset({MeasureState.THREATENED}) | CARRIED_OUT
"""States of a measure that press its target: threatened, in force, or a one-off act done."""


class ExpectedUtilityParams(PolicyParams):
    counter: bool = Field(
        True, description="As receiver, weigh answering in kind while holding out: a threat for a "
        "threat, an imposition for an economic measure imposed.")
    coerce: bool = Field(
        True, description="As sender, weigh threatening its available measures and imposing the "
        "threatened ones (false: only keep up the demand, withdraw it, or bargain).")
    reciprocity: float = Field(
        0.01, description="Utility added to holding out when answering in kind (rally at home, "
        "reciprocity norm), in approval units (0.01 = 1 point).")
    reputation_weight: float = Field(
        1.0, description="How much a sender weighs its credibility with other receiving states "
        "against withdrawing its demand (0: not at all).")


class ExpectedUtility(Policy):
    """Choose the move with the highest expected utility given beliefs about resolve."""

    name = "expected_utility"
    summary = "belief-based expected utility: weigh stake, expected pain and audience costs"
    Params = ExpectedUtilityParams
    params: ExpectedUtilityParams

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "no issue of its own: stays out")]
        if view.me == view.issue.receiver:
            return self._receiver(view)
        return self._sender(view)

    # ---------------------------------------------------------------- receiver

    def _receiver(self, view: WorldView) -> list[Option]:
        assert view.issue is not None  # options() answers a view with no issue itself
        other = view.issue.counterpart(view.me)
        hold = value_of_holding(view)
        options = []
        hold_acts = []
        if view.issue.status is FlightStatus.PENDING:
            hold_acts.append(view.act(ActionType.REFUSE_FLIGHTS, other))
        they_yield = hope(view)
        options.append(Option(tuple(hold_acts) or (view.act(ActionType.WAIT),), hold,
                              lambda: f"hold out: {_pts(hold)} (stake {_pts(stake(view))},"
                                      f" P(they yield) {they_yield:.2f})"))
        counter = self._counter_move(view, other)
        if counter is not None:
            value = hold + self.params.reciprocity
            options.append(Option((*hold_acts, counter), value,
                                  lambda: f"hold out and answer in kind: {_pts(value)}"))
        full = value_of_giving_way(view)
        options.append(Option((view.act(ActionType.ACCEPT_FLIGHTS, other),), full,
                              lambda: f"{complying(view)}: {_pts(full)}"
                                      f" (audience cost {_pts(backdown_cost(view))})"))
        talks_worth = []
        if view.issue.face_saving:
            face = value_of_giving_way(view, view.issue.face_saving_share)
            if view.is_legal(view.act(ActionType.ACCEPT_WITH_CONDITIONS, other)):
                options.append(Option((view.act(ActionType.ACCEPT_WITH_CONDITIONS, other),), face,
                                      lambda: f"{complying_with_dignity(view)}: {_pts(face)} vs"
                                              f" holding {_pts(hold)}"))
            elif other in view.talks_opening and face > hold:
                # talks are being opened: holding until they are is worth the deal they make possible
                options[0] = Option(options[0].actions, face, lambda: f"hold until talks open, then accept"
                                    f" with dignity: {_pts(face)} (holding alone {_pts(hold)})")
            else:
                talks_worth.append(face)
        options += self._terms_options(view, other, hold, receiver=True, talks_worth=talks_worth)
        options += self._partial_options(view, other, hold)
        ask = counter_demand_ask(view, other, hold)
        if ask is not None:
            options.append(ask)
        return options

    # ------------------------------------------------------------------ sender

    def _sender(self, view: WorldView) -> list[Option]:
        assert view.issue is not None  # options() answers a view with no issue itself
        other = view.issue.counterpart(view.me)
        options = []
        mine_now = pain_on(view, view.me)

        unmet = unmet_demand_loss(view)

        def coerce_value(pain_on_them: float, pain_on_me: float) -> float:
            # Holding the demand: if the receiver does not give way, I bear my own pain and go
            # without what I demand (docs/model.md §7.22). A public commitment makes backing
            # down dearer, never holding (Fearon 1994).
            p = p_gives_way(view, other, pain_on_them)
            return -(1 - p) * (pain_on_me + unmet + office_at_risk(view, view.me, spread=pain_on_me))

        theirs_now = pain_on(view, other) + THREAT_PAIN_SHARE * sum(
            pain_on(view, other, (m,)) - pain_on(view, other)
            for m in my_measures(view, MeasureState.THREATENED, MeasureState.SUSPENDED))
        hold = coerce_value(theirs_now, mine_now)
        options.append(Option((view.act(ActionType.WAIT),), hold,
                              lambda: f"keep up the pressure: {_pts(hold)}"))
        if self.params.coerce:
            fresh = tuple(my_measures(view, MeasureState.AVAILABLE, MeasureState.LIFTED))
            if fresh:
                promised = THREAT_PAIN_SHARE * (pain_on(view, other, fresh) - pain_on(view, other))
                threat = coerce_value(theirs_now + promised, mine_now)
                acts = tuple(view.act(ActionType.THREATEN, other, m.id) for m in fresh)
                options.append(Option(acts, threat, lambda: f"threaten the package: {_pts(threat)}"))
            loaded = tuple(my_measures(view, MeasureState.THREATENED, MeasureState.SUSPENDED))
            if loaded:
                carry = coerce_value(pain_on(view, other, loaded), pain_on(view, view.me, loaded))
                imposed = tuple(view.act(ActionType.IMPOSE, other, m.id) for m in loaded)
                options.append(Option(imposed, carry, lambda: f"carry out the threats: {_pts(carry)}"))
        face = backdown_cost(view)
        offer = None if view.issue.inducement is None else inducement_option(
            view, other, theirs_now, mine_now + unmet)
        if offer is not None:
            options.append(offer)
        meet = counter_demand_option(view, other, theirs_now, mine_now + unmet)
        if meet is not None:
            options.append(meet)
        back = -(stake(view) + face + reputation(view, self.params.reputation_weight)
                 + office_at_risk(view, view.me, jump=face))
        options.append(Option((view.act(ActionType.WITHDRAW_DEMAND, other),), back,
                              lambda: f"withdraw the demand: {_pts(back)} (credibility at stake)"))
        options += self._terms_options(view, other, hold, receiver=False)
        return options

    def review(self, view: WorldView) -> list[Option]:
        """At a settlement's review: keep the deal or reopen the crisis, weighed as its other
        moves are (:func:`~crisis_sim.policies.reasoning.review_options`)."""
        return review_options(view)

    # ---------------------------------------------------------------- helpers

    def _counter_move(self, view: WorldView, other: str) -> Action | None:
        """Match the counterpart's level: imposition for imposition, threat for threat (a one-off
        act done counts as an imposition, on either side: an expulsion answers an expulsion)."""
        if not self.params.counter:
            return None
        theirs = {m.state for m in view.measures_between(other, view.me)}
        economic_imposed = any(m.answered_in_kind and m.state in CARRIED_OUT
                               for m in view.measures_between(other, view.me))
        mine = {m.state for m in my_measures(view)}
        if economic_imposed and not mine & CARRIED_OUT:
            ready = my_measures(view, MeasureState.THREATENED, MeasureState.AVAILABLE)
            return view.act(ActionType.IMPOSE, other, ready[0].id) if ready else None
        if theirs & PRESSING and not mine & PRESSING:
            ready = my_measures(view, MeasureState.AVAILABLE)
            return view.act(ActionType.THREATEN, other, ready[0].id) if ready else None
        return None

    def _terms_options(self, view: WorldView, other: str, hold: float, receiver: bool,
                       talks_worth: list[float] | None = None) -> list[Option]:
        """Accept terms on the table (its share of stake and face conceded), or propose its own
        while talks are open, worth the terms if the other says yes (:func:`p_settles`)
        and holding out if not. While talks are not open, opening them (:func:`open_talks_option`)
        is worth the best of the moves they would make legal (``talks_worth``: a face-saving
        acceptance; proposing terms) less ``dynamics.talks_cost``."""
        options = []
        s, face = stake(view), backdown_cost(view)
        # an inducement offered, a counter-demand agreed to, is given on any settlement the
        # receiver complies with (7.26, 7.28)
        side = exchange_gain(view) if receiver else -exchange_paid(view)
        for proposer, terms in sorted(view.proposals.items()):
            conceded = terms if receiver else 1 - terms
            value = -conceded * (s + face) - office_at_risk(view, view.me, jump=conceded * face)
            if side:
                value += side
            options.append(Option((view.act(ActionType.ACCEPT_TERMS, proposer, terms=terms),), value,
                                  partial(_accept_terms_reason, terms, value)))
        opening = RECEIVER_OPENING_TERMS if receiver else SENDER_OPENING_TERMS
        propose = view.act(ActionType.PROPOSE_TERMS, other, terms=opening)
        worth = list(talks_worth or ())
        if other not in view.proposals:
            conceded = opening if receiver else 1 - opening
            p_yes = p_settles(view, other, kept=opening if receiver else 1 - opening)
            office = office_at_risk(view, view.me, jump=conceded * face)
            value = p_yes * -conceded * (s + face) - p_yes * office + (1 - p_yes) * hold
            if side:
                value += p_yes * side
            if view.is_legal(propose):
                options.append(Option((propose,), value,
                                      lambda: f"propose terms {opening:.2f} in the talks:"
                                      f" {_pts(value)} if they may say yes ({p_yes:.2f})"))
            elif other not in view.back_channels:
                worth.append(value)
        talks = open_talks_option(view, other, worth)
        return options + ([talks] if talks is not None else [])

    def _partial_options(self, view: WorldView, other: str, hold: float) -> list[Option]:
        """Meet the demand in one of the parts the issue allows and offer that as the settlement:
        worth its share of stake and face if the sender settles for it (:func:`p_settles`, keeping
        that fraction of its demand), else holding out goes on."""
        assert view.issue is not None  # asked by _receiver, for its issue
        options = []
        for fraction in view.issue.partial:
            act = view.act(ActionType.COMPLY_IN_PART, other, terms=fraction)
            if not view.is_legal(act):
                continue
            p_yes = p_settles(view, other, kept=fraction)
            value = p_yes * value_of_meeting_in_part(view, fraction) + (1 - p_yes) * hold
            options.append(Option((act,), value, partial(_in_part_reason, fraction, value, p_yes)))
        return options


def counter_demand_ask(view: WorldView, other: str, hold: float) -> Option | None:
    """Ask in public for the issue's counter-demand in return for complying, if that is legal now
    (a receiver's move, once). If the sender agrees (:func:`p_counter_demand_met`), complying is
    worth the counter-demand more; if not, complying costs its worth at home, a demand of its own
    dropped in public (tying hands, fearon1997), and holding out costs it that much in the runs
    where it gives way in the end (unless the sender yields first, :func:`hope`). Either way it
    then does the better of complying (outright, or on its own terms where that is open now) and
    holding out::

        U_ask = p_met * max(hold, comply + W) + (1 - p_met) * max(hold - (1 - h) * W, comply - W)

    (docs/model.md §7.28). A receiver that would hold anyway asks when the counter-demand would
    make complying worth it; one that would give way now asks when the sender is likely enough
    to pay. A counter-demand no sender would meet ties its hands for nothing: it is not asked."""
    issue = view.issue
    if issue is None or issue.counter_demand is None:  # nothing to ask: no move to build
        return None
    act = view.act(ActionType.COUNTER_DEMAND, other)
    if not view.is_legal(act):
        return None
    comply = value_of_giving_way(view)
    if issue.face_saving and view.is_legal(view.act(ActionType.ACCEPT_WITH_CONDITIONS, other)):
        comply = max(comply, value_of_giving_way(view, issue.face_saving_share))
    worth = issue.counter_worth
    p_met = p_counter_demand_met(view, other, pain_on(view, other))
    tied = hold - (1.0 - hope(view)) * worth  # refused, it holds on: unless they yield, it gives way dearer
    value = p_met * max(hold, comply + worth) + (1.0 - p_met) * max(tied, comply - worth)
    return Option((act,), value, lambda: f"ask for {issue.counter_demand} in return: {_pts(value)}"
                  f" (P(they agree) {p_met:.2f})")


def open_talks_option(view: WorldView, other: str, worth: list[float]) -> Option | None:
    """Open talks with ``other`` (a call, an envoy, an intermediary), if that is legal now: worth
    the best move they would make legal (``worth``), less what reaching out costs at home
    (``dynamics.talks_cost``). The lead time before the talks are open is not discounted: a
    government that opens them holds meanwhile (docs/model.md §7.21)."""
    act = view.act(ActionType.OPEN_TALKS, other)
    if not worth or not view.is_legal(act):
        return None
    value = max(worth) - view.dynamics.talks_cost
    return Option((act,), value, lambda: f"open talks: {_pts(value)} for what they make possible")


def p_settles(view: WorldView, other: str, kept: float) -> float:
    """P(``other`` says yes to a settlement that keeps it ``kept`` of its position).

    Saying yes is giving way in part: it costs ``1 - kept`` of its stake and
    audience cost, against holding out under the pain it bears now (with my
    threats as if carried out). The same war-of-attrition reading as a full
    concession (:func:`~crisis_sim.policies.reasoning.p_gives_way` with the
    face kept), over the whole public belief about both sides: a side that
    has shown it holds out under pain is less likely to settle, a side that
    has seen me hold out is likelier to (fearon1995: a bargain both prefer to
    fighting exists; private resolve decides whether it is found).
    """
    mine = tuple(my_measures(view, MeasureState.THREATENED, MeasureState.SUSPENDED))
    return p_gives_way(view, other, pain_on(view, other, mine), kept)


def _accept_terms_reason(terms: float, value: float) -> str:
    return f"accept terms {terms:.2f}: {_pts(value)}"


def _in_part_reason(fraction: float, value: float, p_yes: float) -> str:
    return f"meet the demand in part ({fraction:.0%}): {_pts(value)} if they settle for it ({p_yes:.2f})"


def _pts(value: float) -> str:
    """Utility in approval points, for reasons: '-3.2 pts'."""
    return f"{value * 100:+.1f} pts"
