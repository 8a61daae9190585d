"""Pure functions for the mechanisms of a round.

Nothing here holds state or draws a random number except through the
generator it is handed, so every mechanism can be read, tested and reused on
its own. Each group of functions cites the theory it stands on (docs/sources.md §3:
fearon1994, fearon1995, peterson2013, mckelvey-palfrey1995).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from crisis_sim.core.types import ActionType

# --------------------------------------------------------------------------
# Economic pain
# --------------------------------------------------------------------------


def rate_at(steps: Sequence[tuple[float, float]], days_in_force: float, forced_steps: int = 0) -> float:
    """Rate of a graduated schedule ``[(after_days, rate), ...]`` after ``days_in_force``.

    ``forced_steps`` counts escalations brought forward by an ``escalate``
    action: each moves one step up the schedule before its time. This is
    George's "gradual turning of the screw" (25% now, 50% after 7 days).
    """
    index = 0
    for i, (after_days, _) in enumerate(steps):
        if days_in_force >= after_days:
            index = i
    index = min(index + forced_steps, len(steps) - 1)
    return steps[index][1]


def annual_cost_share(
    flow_usd_bn: float, coverage: float, rate: float, elasticity: float, gdp_usd_bn: float
) -> float:
    """Yearly cost of a measure as a share of GDP: trade exposed × rate × elasticity / GDP.

    The same formula serves both sides: the target's exporters lose with the
    target elasticity, the imposer's importers and consumers pay with the
    imposer elasticity (the incidence of a tariff falls on both).
    """
    return flow_usd_bn * coverage * rate * elasticity / gdp_usd_bn


def cost_this_round(annual_share: float, gdp_usd_bn: float, round_hours: float) -> float:
    """USD bn lost in one round by a government bearing ``annual_share`` of its GDP a year."""
    return annual_share * gdp_usd_bn * round_hours / (365.0 * 24.0)


# --------------------------------------------------------------------------
# Domestic politics (Fearon 1994)
# --------------------------------------------------------------------------

AUDIENCE_COST_AT_COMMITMENT = 0.25
"""Share of the full audience cost a public commitment carries the moment it is made; the
rest grows in over ``commitment_days``. ASSUMPTION: fearon1994 (docs/sources.md §3.1) has the
cost grow with the time the stand has lasted but gives no scale; a quarter at once
makes even a fresh commitment bind a little."""

RELATIONS_HALF_LIFE_HOURS = 24.0
"""Relations close half the gap to what the escalation allows in this many hours.
ASSUMPTION: a day, so that relations sour and mend slower than moves are made."""


def commitment_strength(hours_committed: float, commitment_days: float) -> float:
    """How binding a public commitment has become, from 0 (just made) to 1.

    Fearon (1994): the audience cost of backing down grows the longer the
    commitment has stood in public; here it grows linearly to full strength.
    """
    if hours_committed <= 0:
        return 0.0
    return min(1.0, hours_committed / (24.0 * commitment_days))


def audience_cost(
    sensitivity: float, scale: float, committed: bool, hours_committed: float, commitment_days: float
) -> float:
    """Approval lost by backing down now (0 when no public commitment was made)."""
    if not committed:
        return 0.0
    grown = commitment_strength(hours_committed, commitment_days)
    return sensitivity * scale * (AUDIENCE_COST_AT_COMMITMENT + (1.0 - AUDIENCE_COST_AT_COMMITMENT) * grown)


def relations_next(relations: float, escalation: int, round_hours: float, top: int = 5) -> float:
    """Relations index (1 = normal, 0 = broken) drifting toward what the escalation allows.

    It closes half the gap every :data:`RELATIONS_HALF_LIFE_HOURS`: relations
    sour and mend slower than moves are made. ``top`` is the highest rung of the
    escalation ladder (:data:`crisis_sim.core.outcomes.LADDER`).
    """
    goal = 1.0 - escalation / top
    keep = 0.5 ** (round_hours / RELATIONS_HALF_LIFE_HOURS)
    return goal + (relations - goal) * keep


def clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


# --------------------------------------------------------------------------
# Beliefs and bluffing (Fearon 1995)
# --------------------------------------------------------------------------

SIGNAL_LIKELIHOODS: dict[ActionType, tuple[float, float]] = {
    # (P(action | resolute), P(action | irresolute)); ratios > 1 raise the belief.
    ActionType.THREATEN: (0.9, 0.6),
    ActionType.PUBLIC_STATEMENT: (0.8, 0.5),
    ActionType.REFUSE_FLIGHTS: (0.8, 0.5),
    ActionType.SUSPEND: (0.3, 0.6),
    ActionType.LIFT: (0.2, 0.6),
    ActionType.PROPOSE_TERMS: (0.5, 0.7),
    ActionType.WITHDRAW_DEMAND: (0.05, 0.5),
    ActionType.ACCEPT_FLIGHTS: (0.05, 0.5),
    ActionType.ACCEPT_WITH_CONDITIONS: (0.2, 0.6),
}
"""How informative each observed move is about the mover's resolve.

Threats are cheap talk and move beliefs a little; carrying a threat out is
costly and moves them a lot (imposition and escalation use the scenario's
``threat_credibility`` and ``bluff_credibility``). Backing off moves them down.
ASSUMPTION: the ordering — costly moves more telling than cheap talk, giving
way telling most — follows fearon1995 and fearon1997 (docs/sources.md §3.1);
the numbers themselves are not estimated from any source.
"""

BELIEF_FLOOR, BELIEF_CEILING = 0.001, 0.999
"""Bounds of a belief after a Bayesian update. ASSUMPTION: a belief never reaches
certainty, so later evidence can still move it (at 0 or 1 Bayes' rule is stuck)."""


def likelihoods(
    kind: ActionType, threat_credibility: float, bluff_credibility: float
) -> tuple[float, float] | None:
    """(P(kind | resolute), P(kind | irresolute)), or None if the move says nothing."""
    if kind in (ActionType.IMPOSE, ActionType.ESCALATE):
        return threat_credibility, bluff_credibility
    return SIGNAL_LIKELIHOODS.get(kind)


def bayes_update(prior: float, like_resolute: float, like_irresolute: float) -> float:
    """Posterior P(resolute) after a move with the given likelihoods (two types)."""
    numerator = prior * like_resolute
    denominator = numerator + (1.0 - prior) * like_irresolute
    if denominator <= 0:
        return prior
    return min(BELIEF_CEILING, max(BELIEF_FLOOR, numerator / denominator))


def carry_through_probability(
    belief_resolute: float, threat_credibility: float, bluff_credibility: float
) -> float:
    """P(a threat is carried out) given the belief that its author is resolute."""
    return belief_resolute * threat_credibility + (1.0 - belief_resolute) * bluff_credibility


# --------------------------------------------------------------------------
# Third parties and precedent (Peterson 2013)
# --------------------------------------------------------------------------


def precedent_on_resolve(resolve: float, weight: float, target_won: bool) -> float:
    """An onlooker's resolve after another target won (up) or caved (down)."""
    if target_won:
        return resolve + weight * (1.0 - resolve)
    return resolve - weight * resolve


def precedent_on_belief(belief: float, weight: float, sender_backed_down: bool) -> float:
    """An onlooker's belief in a sender's resolve after that sender backed down or prevailed.

    Peterson (2013): targets are less likely to give in to a sender that
    recently backed down from a threat; reputation carries across crises.
    """
    if sender_backed_down:
        return belief - weight * belief
    return belief + weight * (1.0 - belief)


# --------------------------------------------------------------------------
# Private resolve and bounded rationality
# --------------------------------------------------------------------------


MAX_BETA_VARIANCE_SHARE = 0.95
"""Largest variance of a resolve draw, as a share of the most a Beta with that mean
allows (mean·(1−mean)). ASSUMPTION: just under 1, so both Beta parameters stay
positive when a scenario asks for a spread too wide for its mean."""


def draw_resolve(rng: np.random.Generator, mean: float, sd: float) -> float:
    """Draw resolve from a Beta distribution with the given mean and standard deviation.

    ``sd = 0`` (or a mean at 0 or 1) gives the mean itself, and so does an
    ``sd`` or mean so small (``5e-324``) that the Beta's parameters underflow
    to 0. An ``sd`` too large for a Beta with that mean is capped at the
    largest possible.
    """
    variance = min(sd * sd, mean * (1 - mean) * MAX_BETA_VARIANCE_SHARE)
    if sd <= 0 or mean <= 0 or mean >= 1 or variance <= 0:
        return mean
    common = mean * (1 - mean) / variance - 1
    alpha, beta = mean * common, (1 - mean) * common
    if not (alpha > 0 and beta > 0):  # underflow again: no Beta to draw from; resolve is the mean
        return mean
    return float(rng.beta(alpha, beta))


def logit_choice(utilities: Sequence[float], temperature: float, rng: np.random.Generator) -> int:
    """Pick an index with probability proportional to exp(utility / temperature).

    The quantal-response (logit) model of bounded rationality (McKelvey &
    Palfrey 1995): better options are likelier, not certain. A temperature of
    0 picks the best (the first of equals) without drawing a random number.
    """
    if temperature <= 0 or len(utilities) == 1:
        return int(np.argmax(utilities))
    top = max(utilities)
    weights = [math.exp((u - top) / temperature) for u in utilities]
    total = sum(weights)
    draw = rng.random() * total
    for index, weight in enumerate(weights):
        draw -= weight
        if draw < 0:
            return index
    return len(weights) - 1
