"""Shared reckoning for policies: stakes, expected pain, credibility, breaking points.

All figures are in approval units (0.01 = one point of domestic approval),
so that economic pain, dignity and audience costs can be weighed together,
and every policy family's utilities are on that one scale (a rule-based
family prefers its rule's pick by :data:`~crisis_sim.policies.common.RULE_MARGIN`).

The reckoning is a war of attrition under private resolve (fearon1994,
fearon1995, docs/sources.md §3.1): a government holds out while the stake
and the audience cost it would lose by giving way outweigh the pain it
expects before the other side gives way. Resolve scales the stake, so the
same pain breaks a low-resolve government first; beliefs about the other
side's resolve (public, on a grid: :mod:`crisis_sim.core.beliefs`) set how
likely it is to give way first and to carry out its threats.
"""

from __future__ import annotations

import functools
import math

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import audience_cost, fall_chance
from crisis_sim.core.types import Action, ActionType, MeasureState, Option
from crisis_sim.core.view import MeasureView, WorldView

GIVE_WAY_RATE = 0.9
"""P(an opponent below its breaking point gives way within the concern window).
ASSUMPTION: better than even, as a type that values the stake less than the fight
gives way (fearon1995, docs/sources.md §3.1), but not certain within the window."""

DIGNITY_STAKE_FLOOR = 0.5
"""Share of the stake a government with no dignity salience still sees; dignity 1 doubles
it. ASSUMPTION: dignity and sovereignty raise what prevailing is worth (the receiver's
stated grounds on 26 January 2025, docs/sources.md §1 T3) but never make all of it."""

MILITARY_AIRCRAFT_GRIEVANCE = 0.25
"""Share of its stake a receiver adds to the cost of accepting flights on the sender's
military aircraft. ASSUMPTION: the 2025 refusal named military planes and the treatment
of deportees as the grievance (docs/sources.md §1 T3); a face-saving acceptance on the
receiver's own aircraft avoids it."""

RESTRAINTS_GRIEVANCE = 0.25
"""Share of its stake a receiver adds to the cost of accepting deportees flown in
restraints. ASSUMPTION: as :data:`MILITARY_AIRCRAFT_GRIEVANCE` (docs/sources.md §1 T3)."""

RESOLVE_MIDPOINT = 0.5
"""Resolve at which a rule-based family's stated thresholds apply as written; they scale
with resolve / 0.5. ASSUMPTION: the midpoint of the resolve scale."""

RISK_NEUTRAL = 0.5
"""The ``risk_tolerance`` of a government that weighs uncertain pain at its expected value.
ASSUMPTION: the midpoint of the scale, as the schema's default."""

NO_BELIEF = 0.5
"""P(resolute) assumed of a government one holds no belief about. ASSUMPTION: the
uninformative even chance."""


# ------------------------------------------------------------------ stakes and costs


def resolve_free(fn):
    """Memoise a figure that does not depend on my resolve on the view (:attr:`WorldView.memo`),
    so that reading a move at every resolve of the grid works it out once."""

    @functools.wraps(fn)
    def memoised(view: WorldView, *args):
        key = (fn.__name__, *args)
        memo = view.memo
        if key not in memo:
            memo[key] = fn(view, *args)
        return memo[key]

    return memoised


def stake_weight(dignity: float) -> float:
    """How much of ``stake_scale`` a fully resolute government with this dignity puts at stake."""
    return DIGNITY_STAKE_FLOOR + (1.0 - DIGNITY_STAKE_FLOOR) * dignity


def stake(view: WorldView, resolve: float | None = None) -> float:
    """What prevailing is worth to me: private resolve, raised by dignity salience."""
    r = view.resolve if resolve is None else resolve
    return r * stake_weight(view.dignity) * view.dynamics.stake_scale * attention_of(view, view.me)


def attention_of(view: WorldView, who: str) -> float:
    """The share of its stake ``who`` still gives the issue at hand: the sender's fading attention
    (submodel 7.24), 1 for the receiver (the demand is made of it; it does not fade)."""
    issue = view.issue
    return issue.sender_attention if issue is not None and who == issue.sender else 1.0


def unmet_demand_loss(view: WorldView) -> float:
    """What a sender loses over the concern window if its demand stays unmet throughout: its
    stake, lost at ``stake / concern_days`` a day for each of the ``concern_days`` it weighs.

    A demand is wanted: every day without it is a day's share of what it is worth lost, so an
    endless refusal costs the sender its whole stake and holding out is worth less than
    winning (delay is costly to both sides, fearon1995; docs/model.md §7.22). 0 for a receiver."""
    issue = view.issue
    if issue is None or view.me != issue.sender:
        return 0.0
    return stake(view)


def deal_share(view: WorldView) -> float:
    """What the settlement under review gives the sender, as a share of its demand: the terms it
    agreed (1 when the receiver gave way) times the share of the demand the receiver has carried
    out by now (``IssueView.delivered``: deportees returned, the detainee freed)."""
    issue = view.issue
    if issue is None:
        return 0.0
    return (1.0 if issue.terms is None else issue.terms) * issue.delivered


def value_of_keeping_the_deal(view: WorldView) -> float:
    """Utility of keeping a settlement at its review: the sender goes without the part of its
    demand the deal does not give it (:func:`deal_share`), that share of what an unmet demand
    costs it over the concern window (:func:`unmet_demand_loss`)."""
    return -(1.0 - deal_share(view)) * unmet_demand_loss(view)


def value_of_reopening(view: WorldView) -> float:
    """Utility of reopening the crisis at a settlement's review: renewing the demand under the
    threat of its suspended measures, weighed as a sender weighs carrying out its threats. If
    the receiver gives way (:func:`p_gives_way` under those measures as if carried out) the
    sender has its whole demand; if not, it bears its own cost of them and goes without the
    demand over the window (a war of attrition, fearon1995; docs/model.md §7.11)."""
    other = view.counterpart()
    if other is None:
        return 0.0
    suspended = tuple(view.measures_between(view.me, other, MeasureState.SUSPENDED))
    p = p_gives_way(view, other, pain_on(view, other, suspended))
    mine = pain_on(view, view.me, suspended)
    return -(1.0 - p) * (mine + unmet_demand_loss(view) + office_at_risk(view, view.me, spread=mine))


def inducement_option(view: WorldView, other: str, pain_on_them: float, my_loss: float) -> Option | None:
    """Offer the issue's inducement, if that is legal now (a sender's move, once): worth what
    holding the demand is worth once the receiver counts the inducement as given on compliance
    (:func:`p_gives_way` as offered), less its cost if it is given. ``my_loss`` is what the sender
    loses over the window if the receiver does not give way (its own pain and the unmet demand).
    A carrot is offered when it raises the chance of compliance by enough to pay for itself
    (baldwin1971; drezner1999: offered where the sender expects it to be taken; docs/model.md §7.26)."""
    issue = view.issue
    if issue is None or issue.inducement is None:
        return None
    return _giving_option(view, view.act(ActionType.OFFER_INDUCEMENT, other), issue.inducement_cost,
                          p_gives_way(view, other, pain_on_them, 0.0, True), my_loss,
                          f"offer {issue.inducement} if they comply")


def counter_demand_option(view: WorldView, other: str, pain_on_them: float, my_loss: float) -> Option | None:
    """Agree to the receiver's counter-demand, if that is legal now (a sender's move, once the
    receiver has made it): weighed as an inducement is (:func:`inducement_option`), with the
    receiver counting the counter-demand as given on compliance where, unmet, complying would cost
    it the counter-demand's worth at home (docs/model.md §7.28)."""
    issue = view.issue
    if issue is None or not issue.counter_demanded:
        return None
    return _giving_option(view, view.act(ActionType.MEET_COUNTER_DEMAND, other), issue.counter_cost,
                          p_gives_way(view, other, pain_on_them, 0.0, False, True), my_loss,
                          f"agree to {issue.counter_demand} if they comply")


def _giving_option(view: WorldView, act: Action, cost: float, p_yes: float, my_loss: float,
                   what: str) -> Option | None:
    """A sender's move that promises something given on compliance: worth holding the demand
    with the receiver giving way with chance ``p_yes``, less ``cost`` (and the office it puts at
    risk) if it does; None when the move is not legal now."""
    if not view.is_legal(act):
        return None
    own_pain = pain_on(view, view.me)
    value = -(1.0 - p_yes) * (my_loss + office_at_risk(view, view.me, spread=own_pain)) \
        - p_yes * (cost + office_at_risk(view, view.me, jump=cost))
    return Option((act,), value, f"{what}: {value * 100:+.1f} pts (P(they give way) {p_yes:.2f})")


def p_counter_demand_met(view: WorldView, sender: str, pain_on_sender: float) -> float:
    """P(the ``sender`` agrees to my counter-demand), as I, the receiver, read it: a sender of
    resolve r agrees when what agreeing costs it (the counter-demand's cost) is less than what it
    saves by getting its demand met now rather than going without it over its window: its stake at
    r (:func:`their_stake_per_resolve`, as :func:`unmet_demand_loss` counts it) and its own pain.
    So the senders that want their demand most pay (fearon1995: a bargain both prefer to
    fighting), and the answer is :data:`GIVE_WAY_RATE` times the belief's mass above that resolve
    (docs/model.md §7.28)."""
    issue = view.issue
    belief = view.resolve_beliefs.get(sender)
    if issue is None or belief is None:
        return 0.0
    per_resolve = their_stake_per_resolve(view, sender)
    needed = issue.counter_cost - pain_on_sender
    if per_resolve <= 0:
        return GIVE_WAY_RATE if needed < 0 else 0.0
    return GIVE_WAY_RATE * (1.0 - beliefs.mass_below(belief, needed / per_resolve))


def review_options(view: WorldView) -> list[Option]:
    """A sender's options at a settlement's review, by the reckoning of its other moves: keep the
    deal (:func:`value_of_keeping_the_deal`) or reopen the crisis (:func:`value_of_reopening`)."""
    other = view.counterpart()
    keep, again = value_of_keeping_the_deal(view), value_of_reopening(view)
    return [Option((view.act(ActionType.KEEP_DEAL, other),), keep,
                   f"keep the deal: {keep * 100:+.1f} pts ({deal_share(view):.0%} of the demand met)"),
            Option((view.act(ActionType.REOPEN, other),), again,
                   f"reopen the crisis: {again * 100:+.1f} pts")]


def grievance(view: WorldView) -> float:
    """What a receiver adds to the cost of accepting on the sender's terms: military planes,
    restraints. Accepting on its own aircraft (the face-saving variant) avoids it. Only
    deportation flights have aircraft and restraints: an issue with any other demand has no
    such grievance, whatever its ``aircraft`` and ``restraints`` say."""
    issue = view.issue
    if issue is None or view.me != issue.receiver or issue.demand is not None:
        return 0.0
    share = MILITARY_AIRCRAFT_GRIEVANCE * (issue.aircraft == "military") \
        + RESTRAINTS_GRIEVANCE * issue.restraints
    return share * stake(view)


def backdown_cost(view: WorldView, extra_hours: float = 0.0) -> float:
    """Audience cost of backing down now (or ``extra_hours`` later), Fearon (1994)."""
    d = view.dynamics
    return audience_cost(view.audience_cost, d.audience_cost_scale, view.committed,
                         view.hours_committed + extra_hours, d.commitment_days)


@resolve_free
def their_backdown_cost(view: WorldView, other: str) -> float:
    """The audience cost ``other`` would pay for backing down now (its profile is public)."""
    p, d = view.profiles[other], view.dynamics
    return audience_cost(p.audience_cost, d.audience_cost_scale, p.committed, p.hours_committed,
                         d.commitment_days)


def measure_pain(view: WorldView, m: MeasureView, days: float, on_target: bool = True) -> float:
    """Approval lost over ``days`` if ``m`` is in force that long (target or imposer side).

    The same two sources the model applies (:func:`crisis_sim.core.rules.costs_and_approval`):
    the economic cost as a share of GDP, and for the target the measure's
    political pressure. A one-off act inflicts its pain once, whatever the window: the pain
    of ``dynamics.one_off_days`` in force (:func:`pain_days`).
    """
    days = pain_days(view, m, days)
    share = m.target_annual_share if on_target else m.imposer_annual_share
    pain = share * view.dynamics.pain_weight * days / 365.0
    if on_target:
        pain += m.political_pressure * days
    return pain


def pain_days(view: WorldView, m: MeasureView, days: float) -> float:
    """The days of pain ``m`` inflicts within a window of ``days``: all of them for a measure in
    force until undone, ``dynamics.one_off_days`` for a one-off act, which bites once, in full,
    and is done (a lump, not a flow over the window: docs/model.md §7.1)."""
    return days if m.continuing else view.dynamics.one_off_days


def time_weight(view: WorldView) -> float:
    """How much of a threat's pain presses now: ``exp(-hours to the deadline / urgency_hours)``.

    The nearer a public deadline, the more a threat weighs (schelling1966:
    compellence needs a deadline; docs/sources.md §3.2). A threat with no
    deadline standing, or one whose deadline passed unenforced, presses as if
    its deadline were ``urgency_hours`` away.
    """
    urgency = view.dynamics.urgency_hours
    left = view.issue.deadline_in if view.issue is not None else None
    hours = urgency if left is None else max(0.0, left)
    return math.exp(-hours / urgency)


def risk_weighted(p: float, risk_tolerance: float) -> float:
    """A probability as a government with ``risk_tolerance`` weighs it.

    :data:`RISK_NEUTRAL` (0.5) is risk-neutral (the probability itself); a risk-averse government
    (below 0.5) overweights an uncertain loss, a risk-acceptant one
    underweights it, most where the outcome is most uncertain (p = 0.5).
    ASSUMPTION: a symmetric probability weighting, the simplest with that shape.
    """
    return p + (1.0 - risk_tolerance / RISK_NEUTRAL) * p * (1.0 - p)


# ------------------------------------------------------------------ the other side


def their_stake_per_resolve(view: WorldView, other: str) -> float:
    """``other``'s stake per unit of resolve (its dignity and a sender's fading attention are
    public)."""
    return stake_weight(view.profiles[other].dignity) * view.dynamics.stake_scale * attention_of(view, other)


def giving_way_per_resolve(view: WorldView, who: str) -> float:
    """What giving way costs ``who`` per unit of its resolve: its stake, and for a sender also its
    credibility with the other states it presses (:func:`crisis_sim.policies.coercion.reputation`
    at weight 1, peterson2013)."""
    per_resolve = their_stake_per_resolve(view, who)
    receivers = len({i.receiver for i in view.issues if i.sender == who})
    return per_resolve * (1.0 + view.dynamics.precedent_weight * receivers)


def endurance(per_resolve: float, backdown: float, resolve: float, pain: float,
              kept: float = 0.0, gain: float = 0.0) -> float:
    """How much pain a side would bear rather than give way, per unit of the pain it faces:
    what giving way costs it (``1 - kept`` of its stake, ``per_resolve`` × ``resolve``, and its
    audience cost ``backdown``) over ``pain``.

    In a war of attrition the side with the higher ratio of prize to cost of
    fighting outlasts the other (maynardsmith1974, fearon1994: the audience
    cost raises what backing down costs and so how long a leader holds).
    Infinite for a side that bears no pain. An inducement it would be given for complying
    (``gain``, docs/model.md §7.26) takes that much off what giving way costs it.
    """
    cost = (1.0 - kept) * (resolve * per_resolve + backdown)
    if gain:
        cost -= gain
    return cost / pain if pain > 0 else math.inf


def resolve_matching(per_resolve: float, backdown: float, pain: float,
                     target_endurance: float) -> float:
    """The resolve at which a side whose giving way costs ``per_resolve`` × resolve plus
    ``backdown``, under ``pain``, has ``target_endurance``: below it that side gives out first."""
    if math.isinf(target_endurance):
        return math.inf
    if per_resolve <= 0:
        return math.inf if target_endurance * pain > backdown else -math.inf
    return (target_endurance * pain - backdown) / per_resolve


def _mass_outlasted(belief, per_resolve: float, backdown: float, pain: float, unmet: float,
                    target: float) -> float:
    """The belief's mass of a sender's resolves whose endurance ``(r w + B) / (P + r u)`` is below
    ``target`` (it gives out first)."""
    if math.isinf(target):
        return 1.0
    slope = per_resolve - target * unmet
    edge = target * pain - backdown
    if slope > 0:
        return beliefs.mass_below(belief, edge / slope)
    if slope < 0:
        return 1.0 - beliefs.mass_below(belief, edge / slope)
    return 1.0 if edge > 0 else 0.0


@resolve_free
def p_gives_way(view: WorldView, other: str, pain_on_them: float, kept: float = 0.0,
                as_offered: bool = False, as_met: bool = False) -> float:
    """P(``other`` gives way within the concern window under ``pain_on_them``), reading the whole
    public belief about both sides.

    A war of attrition with private resolve (fearon1994, fearon1995,
    docs/sources.md §3.1), read one level deep. A government of the other
    side with resolve r gives way when the pain it faces, discounted by its
    hope that I give out first, exceeds what giving way costs it (``1 - kept``
    of its stake and audience cost, and a sender's credibility). Its hope is
    the share of the public belief about *me* whose endurance (:func:`endurance`)
    is below its own at r: the side that values the prize less for the pain it
    bears gives out first. That hope rises with r and the cost of giving way
    rises with r, so the types that give way are those below one resolve
    (:func:`crisis_sim.core.beliefs.turning_point`); the answer is :data:`GIVE_WAY_RATE` times the belief's
    mass below it. Learning moves both halves: the longer the other holds out
    under pain, the less of its belief lies below that resolve; the longer I
    hold, the less it hopes I give out first. A receiver offered an inducement (or that would
    be, ``as_offered``: how a sender weighs offering it) counts its worth against what giving
    way costs it (docs/model.md §7.26).
    """
    belief_them = view.resolve_beliefs.get(other)
    belief_me = view.resolve_beliefs.get(view.me)
    if belief_them is None or belief_me is None:
        return (1.0 - NO_BELIEF) * GIVE_WAY_RATE
    issue = view.issue
    gain = exchange_gain(view, other, as_offered, as_met)
    if pain_on_them <= 0 and not gain:
        return 0.0
    if issue is not None and other == issue.receiver and issue.face_saving:
        kept = max(kept, issue.face_saving_share)  # it gives way the cheapest way open to it
    if pain_on_them <= 0:  # a carrot alone: it gives way if what it is given outweighs what it gives up
        per_resolve = giving_way_per_resolve(view, other)
        below = (gain / (1.0 - kept) - their_backdown_cost(view, other)) / per_resolve \
            if per_resolve > 0 and kept < 1.0 else math.inf
        return GIVE_WAY_RATE * beliefs.mass_below(belief_them, below)
    pain_on_me = pain_on(view, view.me, tuple(view.measures_between(
        other, view.me, MeasureState.THREATENED, MeasureState.SUSPENDED)))

    # what giving way costs each side, worked out once for the thirty-odd halvings of the search;
    # office at risk, each side's as the other reads it, adds to its pain and to its audience cost
    their_per_resolve, their_backdown = giving_way_per_resolve(view, other), their_backdown_cost(view, other)
    my_per_resolve, my_backdown = giving_way_per_resolve(view, view.me), their_backdown_cost(view, view.me)
    pain_on_them += office_at_risk(view, other, spread=pain_on_them)
    pain_on_me += office_at_risk(view, view.me, spread=pain_on_me)
    their_backdown += office_at_risk(view, other, jump=their_backdown)
    my_backdown += office_at_risk(view, view.me, jump=my_backdown)

    # a sender's unmet demand is part of what holding costs it (7.22): read it by that rule
    sender = issue.sender if issue is not None else None
    their_unmet = their_stake_per_resolve(view, other) if other == sender else 0.0
    my_unmet = their_stake_per_resolve(view, view.me) if view.me == sender else 0.0

    def gives_way(r: float) -> bool:
        theirs = endurance(their_per_resolve, their_backdown, r, pain_on_them + r * their_unmet, kept, gain)
        if my_unmet:
            their_hope = GIVE_WAY_RATE * _mass_outlasted(belief_me, my_per_resolve, my_backdown, pain_on_me,
                                                         my_unmet, theirs)
        else:
            their_hope = GIVE_WAY_RATE * beliefs.mass_below(
                belief_me, resolve_matching(my_per_resolve, my_backdown, pain_on_me, theirs))
        return theirs < 1.0 - their_hope

    if their_unmet and not gives_way(0.0) and gives_way(1.0):  # the keener sender settles first
        return GIVE_WAY_RATE * (1.0 - beliefs.mass_below(belief_them, beliefs.turning_point(
            lambda r: not gives_way(r))))
    return GIVE_WAY_RATE * beliefs.mass_below(belief_them, beliefs.turning_point(gives_way))


@resolve_free
def p_carried_out(view: WorldView, m: MeasureView) -> float:
    """P(the imposer carries out its threat of ``m``): the belief that its resolve is above the
    point where the stake and the audience cost of a called bluff outweigh its own cost of
    imposing (weighed by my attitude to risk)."""
    imposer = m.imposer
    own_pain = measure_pain(view, m, view.dynamics.concern_days, on_target=False)
    bluff_called = their_backdown_cost(view, imposer)
    own_pain += office_at_risk(view, imposer, spread=own_pain)
    bluff_called += office_at_risk(view, imposer, jump=bluff_called)
    per_resolve = their_stake_per_resolve(view, imposer)
    threshold = (own_pain - bluff_called) / per_resolve if per_resolve > 0 else 1.0
    belief = view.resolve_beliefs.get(imposer)
    p = 1.0 - beliefs.mass_below(belief, threshold) if belief is not None else NO_BELIEF
    return risk_weighted(p, view.risk_tolerance)


# ------------------------------------------------------------------ my reckoning


@resolve_free
def expected_pain(view: WorldView, days: float | None = None) -> float:
    """Approval I expect to lose over the concern window if I hold out.

    Measures against me in force count in full; threatened or suspended ones
    count with the probability that their author carries them out and the
    weight of time (:func:`time_weight`). My own measures in force cost me too.
    """
    d = view.dynamics
    days = d.concern_days if days is None else days
    total = 0.0
    weight = None
    for m in view.measures:
        if m.target == view.me and m.state is MeasureState.IMPOSED:
            total += measure_pain(view, m, days)
        elif m.target == view.me and m.state in (MeasureState.THREATENED, MeasureState.SUSPENDED):
            if weight is None:
                weight = time_weight(view)
            total += weight * p_carried_out(view, m) * measure_pain(view, m, days)
        elif m.imposer == view.me and m.state is MeasureState.IMPOSED:
            total += measure_pain(view, m, days, on_target=False)
    per_day = strain(view, view.me)
    if per_day:
        total += per_day * days
    return total


@resolve_free
def pain_on(view: WorldView, who: str, extra: tuple[MeasureView, ...] = ()) -> float:
    """The pain ``who`` bears over the concern window from measures in force (and ``extra``
    measures, as if imposed): both as target and as imposer; and, while the dispute is open,
    what its strained relationship with the other party costs it (:func:`strain`)."""
    days = view.dynamics.concern_days
    total = 0.0
    for m in view.measures:
        imposed = m.state is MeasureState.IMPOSED or m in extra
        if not imposed:
            continue
        if m.target == who:
            total += measure_pain(view, m, days)
        elif m.imposer == who:
            total += measure_pain(view, m, days, on_target=False)
    per_day = strain(view, who)
    if per_day:
        total += per_day * days
    return total


def strain(view: WorldView, who: str) -> float:
    """What the open dispute at hand costs ``who`` a day, if it is one of its parties: the value
    of a strained relationship (keohane-nye1977: the more dependent side pays more; docs/model.md
    §7.27). 0 when ``dynamics.relationship_value`` is 0 and once the dispute is decided."""
    issue = view.issue
    if issue is None:
        return 0.0
    if who == issue.sender:
        return issue.strain_per_day[0]
    if who == issue.receiver:
        return issue.strain_per_day[1]
    return 0.0


def value_of_holding(view: WorldView, pain: float | None = None, p_win: float | None = None) -> float:
    """Utility of holding out over the concern window (a war of attrition, Fearon 1994/1995).

    With probability ``p_win`` the other side gives way first and holding
    costs nothing; otherwise the refusal stands and I bear the pain I expect
    over the window, and the greater chance that my government falls under it
    (:func:`office_at_risk`). Giving way costs the stake and the audience cost
    (:func:`value_of_giving_way`); a government gives way once the pain it
    expects, discounted by its hope, outweighs them.
    """
    pain = expected_pain(view) if pain is None else pain
    if p_win is None:
        p_win = hope(view)
    return -(1.0 - p_win) * (pain + office_at_risk(view, view.me, spread=pain))


@resolve_free
def hope(view: WorldView) -> float:
    """P(my counterpart gives way first): the share of its possible resolves below its breaking
    point under the pain it faces — the measures in force against it and the ones I threaten
    (counter-threats exist to raise it: schelling1966's "competition in risk-taking").

    Whatever my resolve, the same (it is what the other side might do), so worked out once
    per view (:func:`resolve_free`)."""
    other = view.counterpart()
    if other is None:
        return 0.0
    mine = tuple(view.measures_between(view.me, other, MeasureState.THREATENED, MeasureState.SUSPENDED))
    return p_gives_way(view, other, pain_on(view, other, mine))


def value_of_giving_way(view: WorldView, face_kept: float = 0.0) -> float:
    """Utility of giving way now, keeping ``face_kept`` of stake and face (face-saving);
    a full acceptance also swallows the grievance (:func:`grievance`)."""
    face = backdown_cost(view)
    loss = (1.0 - face_kept) * (stake(view) + face)
    office = office_at_risk(view, view.me, jump=(1.0 - face_kept) * face)
    value = -(loss + (grievance(view) if face_kept == 0.0 else 0.0) + office)
    gain = exchange_gain(view)
    return value + gain if gain else value


def value_of_meeting_in_part(view: WorldView, fraction: float) -> float:
    """Utility of meeting the demand in part, if the sender settles for it: ``fraction`` of the
    stake and of the audience cost of giving way (:func:`value_of_giving_way` in proportion, as
    :func:`crisis_sim.core.rules.decide` charges the audience cost), and not the grievance of
    accepting on the sender's terms (the receiver chooses how it complies: ikle1964)."""
    face = backdown_cost(view)
    value = -(fraction * (stake(view) + face) + office_at_risk(view, view.me, jump=fraction * face))
    gain = exchange_gain(view)
    return value + gain if gain else value


def exchange_gain(view: WorldView, who: str | None = None, as_offered: bool = False,
                  as_met: bool = False) -> float:
    """What complying, in whole or in part, brings ``who`` (default: me) besides the demand met,
    if it is the receiver: the worth of the inducement its sender has offered (or would,
    ``as_offered``: how a sender weighs offering it) and of the counter-demand its sender has
    agreed to (or would, ``as_met``), each given on compliance (baldwin1971: a positive sanction
    changes what complying is worth; docs/model.md §7.26, §7.28); less the worth of a
    counter-demand it made that is not agreed to, which it would drop in public by complying
    (fearon1997, tying hands). 0 for a sender, and when nothing is offered, asked or agreed to."""
    issue = view.issue
    who = view.me if who is None else who
    if issue is None or who != issue.receiver:
        return 0.0
    gain = issue.inducement_worth if issue.inducement_offered or as_offered else 0.0
    if issue.counter_met or as_met:
        gain += issue.counter_worth
    elif issue.counter_demanded:
        gain -= issue.counter_worth
    return gain


def exchange_paid(view: WorldView) -> float:
    """What a settlement on which the receiver complies, in whole or in part, costs its sender
    besides the demand it gave up: the inducement it offered and the counter-demand it agreed to,
    given then, and the office it puts at risk by paying them (:func:`office_at_risk`). 0 for a
    receiver and while nothing is offered or agreed to."""
    issue = view.issue
    if issue is None or view.me != issue.sender:
        return 0.0
    cost = (issue.inducement_cost if issue.inducement_offered else 0.0) \
        + (issue.counter_cost if issue.counter_met else 0.0)
    if not cost:
        return 0.0
    return cost + office_at_risk(view, view.me, jump=cost)


def office_at_risk(view: WorldView, who: str, jump: float = 0.0, spread: float = 0.0) -> float:
    """What ``who`` puts at risk in office by a course that costs it ``jump`` approval at once (an
    audience cost) and ``spread`` more over the concern window (the pain of holding out):
    ``dynamics.office_value`` times the rise in the chance that its government falls within the
    window (:func:`~crisis_sim.core.dynamics.fall_chance`), over a course that costs it nothing more.

    Leaders value staying in office above all (bdm2003), and coercion threatens it by eroding
    their support (marinov2005): the hazard of falling grows exponentially with approval lost
    since taking office (docs/model.md §7.23), so the same pain puts more at risk the more has
    been lost already. This is how the costs a government has borne, and a rally, enter its
    decisions: a war of attrition in which the cost of holding out rises with its length
    (docs/model.md §7.25). Everyone's approval is public, so it reads the other side's risk
    as its own. 0 when ``office_value`` is 0 or governments never fall."""
    d = view.dynamics
    if d.office_value <= 0 or d.government_change_per_year <= 0:
        return 0.0
    profile = view.profiles[who]
    lost = profile.approval_start - profile.approval
    hours = d.concern_days * 24.0
    per_year, scale = d.government_change_per_year, d.approval_hazard_scale
    return d.office_value * (fall_chance(per_year, lost, scale, hours, jump, spread)
                             - fall_chance(per_year, lost, scale, hours))


def breaks(view: WorldView, stake_multiple: float = 1.0, kept: float = 0.0) -> bool:
    """Whether giving way now (keeping ``kept`` of the face) beats holding out, for a government
    whose stake counts ``stake_multiple`` times (a rule-based family's breaking point)."""
    if view.issue is None:
        return False
    hold = value_of_holding(view)
    give = value_of_giving_way(view, kept) * stake_multiple
    return give > hold


def resolve_scaled(threshold: float, view: WorldView) -> float:
    """A rule's stated threshold for a government of my resolve: as written at resolve 0.5,
    doubled at 1, zero at 0."""
    return threshold * view.resolve / RESOLVE_MIDPOINT


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

