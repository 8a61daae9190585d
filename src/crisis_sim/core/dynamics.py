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

BLUFF_CALLED_SHARE = 0.5
"""Share of the full audience cost a sender pays when its public deadline passes and it does
not carry out its threat (whether or not it names a new one). ASSUMPTION: fearon1994
(docs/sources.md §3.1): a leader who does not follow through on a public threat is
punished at home; half, as the demand itself still stands."""

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


def attention(hours_since_renewed: float, half_life_days: float) -> float:
    """The share of its stake a sender still gives a demand ``hours_since_renewed`` after it last
    renewed it: halving every ``half_life_days`` (1 throughout when 0). Public attention to an
    issue rises and fades (downs1972, the issue-attention cycle): a demand nobody presses loses
    its place on the agenda, for the government that made it as for its public."""
    if half_life_days <= 0 or hours_since_renewed <= 0:
        return 1.0
    share: float = 0.5 ** (hours_since_renewed / (24.0 * half_life_days))
    return share


def strain_per_day(relationship_value: float, two_way_trade_usd_bn: float, gdp_usd_bn: float) -> float:
    """Approval a government loses a day while a dispute with a partner stays open:
    ``relationship_value`` times its two-way trade with the partner as a share of its GDP, a
    year, spread over its days. Interdependence makes a strained relationship dear, and the
    more so for the more dependent side (keohane-nye1977, crescenzi2005; docs/model.md §7.27)."""
    if relationship_value <= 0 or gdp_usd_bn <= 0:
        return 0.0
    return relationship_value * two_way_trade_usd_bn / gdp_usd_bn / 365.0


def strain_built(age_days: float, window_days: float) -> float:
    """Share of its full daily cost a strained relationship has reached after the dispute has
    been open ``age_days``: ``1 - exp(-age / window)``.

    What an open dispute costs an interdependent state is the trade and business it expects to
    lose, and those expectations sour as the dispute lasts (copeland2015, the trade expectations
    theory: the value of interdependence is the expected future stream of trade): traders,
    investors and officials who at first wait and see hold back more the longer the dispute
    stays open (handley-limao2015: trade policy uncertainty holds back entry and investment).
    Expectations adapt over the concern window (the shadow of the future the governments weigh),
    so the window is also the time constant. ASSUMPTION: the adaptive-expectations form
    (docs/model.md §7.27)."""
    if window_days <= 0:
        return 1.0
    return -math.expm1(-max(0.0, age_days) / window_days)


def strain_over(from_days: float, to_days: float, window_days: float) -> float:
    """Mean of :func:`strain_built` over the dispute's ages ``from_days`` to ``to_days`` (a turn
    just played; ages before the opening count 0): the integral of ``1 - e^(-age/window)`` over
    the part since the opening, ``length - window (e^(-start/window) - e^(-end/window))``, over the
    turn's length. Exact, so what a stretch of time charges is the same however it is cut into
    turns."""
    if to_days <= from_days:
        return strain_built(to_days, window_days)
    if window_days <= 0:
        return max(0.0, to_days - max(0.0, from_days)) / (to_days - from_days)
    start, end = max(0.0, from_days), max(0.0, to_days)
    built = (end - start) - window_days * (math.exp(-start / window_days) - math.exp(-end / window_days))
    return built / (to_days - from_days)


def strain_ahead(age_days: float, window_days: float) -> float:
    """Mean of :func:`strain_built` over the concern window ahead, from ``age_days`` to
    ``age_days + window_days``: the share of the full strain a government foresees bearing over
    its window if the dispute stays open (``1 - exp(-age / window) (1 - 1/e)``)."""
    if window_days <= 0:
        return 1.0
    return 1.0 - math.exp(-max(0.0, age_days) / window_days) * (1.0 - math.exp(-1.0))


HOURS_PER_YEAR = 8766.0
"""Hours in an average year (365.25 days)."""

MAX_HAZARD_EXPONENT = 700.0
"""The largest exponent of a hazard's growth with lost approval that is worked out (e to a
larger power overflows a float): a government that has lost that many hazard scales of approval
falls at once in all but name, and so it reads. ASSUMPTION: a numerical guard; any bound
past a few dozen gives the same runs."""


def fall_hazard_per_hour(per_year: float, approval_lost: float, hazard_scale: float) -> float:
    """The hourly hazard that a government falls: ``per_year`` (the baseline rate, a year) times
    e for every ``hazard_scale`` of approval lost since it took office, divided for approval
    gained (marinov2005: coercion raises the hazard that a target's leader falls; bdm2003)."""
    if per_year <= 0:
        return 0.0
    return per_year / HOURS_PER_YEAR * math.exp(min(MAX_HAZARD_EXPONENT, approval_lost / hazard_scale))


def fall_chance(per_year: float, approval_lost: float, hazard_scale: float, hours: float,
                jump: float = 0.0, spread: float = 0.0) -> float:
    """P(a government falls within ``hours``) if it loses ``jump`` more approval at once and then
    ``spread`` more evenly over those hours, having lost ``approval_lost`` since it took office.

    The hazard of :func:`fall_hazard_per_hour` integrated over a loss that grows linearly:
    ``h(lost + jump) · hours · (e^x - 1) / x`` with ``x = spread / hazard_scale`` (1 when no
    loss is spread), and the chance of at least one fall, ``1 - e^-H``."""
    if per_year <= 0 or hours <= 0:
        return 0.0
    x = min(MAX_HAZARD_EXPONENT, spread / hazard_scale)
    growth = math.expm1(x) / x if x != 0 else 1.0
    integrated = fall_hazard_per_hour(per_year, approval_lost + jump, hazard_scale) * hours * growth
    return -math.expm1(-integrated)


def relations_next(relations: float, escalation: int, round_hours: float, top: int = 5) -> float:
    """Relations index (1 = normal, 0 = broken) drifting toward what the escalation allows.

    It closes half the gap every :data:`RELATIONS_HALF_LIFE_HOURS`: relations
    sour and mend slower than moves are made. ``top`` is the highest rung of the
    escalation ladder (:data:`crisis_sim.core.outcomes.LADDER`).
    """
    goal = 1.0 - escalation / top
    keep: float = 0.5 ** (round_hours / RELATIONS_HALF_LIFE_HOURS)
    return goal + (relations - goal) * keep


def clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


# --------------------------------------------------------------------------
# Third parties and precedent (Peterson 2013)
# --------------------------------------------------------------------------


def precedent_on_resolve(resolve: float, weight: float, target_won: bool) -> float:
    """An onlooker's resolve after another target won (up) or caved (down)."""
    if target_won:
        return resolve + weight * (1.0 - resolve)
    return resolve - weight * resolve


# --------------------------------------------------------------------------
# Private resolve and bounded rationality
# --------------------------------------------------------------------------


MAX_BETA_VARIANCE_SHARE = 0.95
"""Largest variance of a resolve draw, as a share of the most a Beta with that mean
allows (mean·(1−mean)). ASSUMPTION: just under 1, so both Beta parameters stay
positive when a scenario asks for a spread too wide for its mean."""


MIN_RESOLVE_SD = 1e-6
"""A resolve spread below this is no spread: the resolve is the mean, drawn and believed
(a Beta that narrow has parameters beyond 10^11, where its log-normaliser overflows
for subnormal spreads). ASSUMPTION: far below any spread a scenario would mean."""


def draw_resolve(rng: np.random.Generator, mean: float, sd: float) -> float:
    """Draw resolve from a Beta distribution with the given mean and standard deviation.

    ``sd = 0`` (or a mean at 0 or 1) gives the mean itself, and so does an
    ``sd`` below :data:`MIN_RESOLVE_SD` or a mean so small (``5e-324``) that
    the Beta's parameters underflow to 0. An ``sd`` too large for a Beta with that mean is capped at the
    largest possible.
    """
    variance = min(sd * sd, mean * (1 - mean) * MAX_BETA_VARIANCE_SHARE)
    if sd < MIN_RESOLVE_SD or mean <= 0 or mean >= 1 or variance <= 0:
        return mean
    common = mean * (1 - mean) / variance - 1
    alpha, beta = mean * common, (1 - mean) * common
    if not (alpha > 0 and beta > 0):  # underflow again: no Beta to draw from; resolve is the mean
        return mean
    return float(rng.beta(alpha, beta))


def logit_probabilities(utilities: Sequence[float], temperature: float) -> list[float]:
    """P(each option) under the logit (quantal-response) rule of McKelvey & Palfrey (1995).

    Better options are likelier, not certain; a temperature of 0 gives the
    best option (the first of equals) probability 1.
    """
    if temperature <= 0 or len(utilities) == 1:
        best = int(np.argmax(utilities))
        return [1.0 if i == best else 0.0 for i in range(len(utilities))]
    top = max(utilities)
    weights = [math.exp((u - top) / temperature) for u in utilities]
    total = sum(weights)
    return [w / total for w in weights]


def round_probabilities(
    utilities: Sequence[float], temperature: float, round_hours: float, stay: int | None,
    deliberation_hours: float = 0.0, reconsidering: bool = True,
) -> list[float]:
    """P(each option) over one turn: a preferred move is made within the hour it is ready (the
    logit rule read per hour), a preferred wait is revisited only at a decision point.

    ``stay`` is the index of the option that changes nothing (waiting), if
    there is one. Two cases (docs/model.md §7.7):

    * **a move is preferred**: the logit chance of waiting is the chance of not
      moving within an hour of readiness; a government that needs
      ``deliberation_hours`` on average to make up its mind (an exponential
      delay: ready within any hour with probability ``1 - exp(-1 / deliberation_hours)``)
      moves within an hour only when it is both ready and so inclined. Over a
      turn of ``round_hours`` it stays with that hourly chance to the power
      ``round_hours``, and the moves share the rest in their logit proportions,
      so the round length is a resolution only;
    * **waiting is preferred**: the government chooses once, by the logit rule,
      at a decision point (``reconsidering``: the first turn after the world
      changed by a step, :func:`crisis_sim.core.advance.discrete_state`), and
      holds that choice while nothing changes: a quantal-response error is a
      slip in a decision (mckelvey-palfrey1995), and a position held while
      nothing new happens is not a new decision each day. Trembles do not pile
      up over a quiet horizon; what ends a quiet standoff is a change (a move,
      a measure, a new government: :mod:`crisis_sim.core.politics`) or a drift
      of the reckoning that makes a move the preferred option.
    """
    p = logit_probabilities(utilities, temperature)
    if stay is None:
        return p
    if p[stay] >= max(p):
        if reconsidering:
            return p
        return [1.0 if i == stay else 0.0 for i in range(len(p))]
    ready = 1.0 - math.exp(-1.0 / deliberation_hours) if deliberation_hours > 0 else 1.0
    p_move_hour = ready * (1.0 - p[stay])
    p_stay = (1.0 - p_move_hour) ** round_hours
    moving = 1.0 - p_stay
    others = 1.0 - p[stay]
    out = [moving * q / others if others > 0 else 0.0 for q in p]
    out[stay] = p_stay
    return out


def round_probabilities_grid(
    utilities: np.ndarray, temperature: float, round_hours: float, stay: int | None,
    deliberation_hours: float = 0.0, reconsidering: bool = True,
) -> np.ndarray:
    """:func:`round_probabilities` for many rows of utilities at once (one row per resolve of
    the belief grid), with numpy (the logit weights worked out in place, in one array)."""
    p: np.ndarray
    # a tiny temperature may overflow; a certain stay leaves no other option to share
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        if temperature <= 0:
            best = utilities.argmax(axis=1)
            p = np.zeros_like(utilities)
            p[np.arange(len(utilities)), best] = 1.0
        else:
            p = utilities - utilities.max(axis=1, keepdims=True)
            p /= temperature
            np.exp(p, out=p)
            p /= p.sum(axis=1, keepdims=True)
        if stay is None:
            return p
        ready = 1.0 - math.exp(-1.0 / deliberation_hours) if deliberation_hours > 0 else 1.0
        p_here = p[:, stay]
        others = 1.0 - p_here
        p_stay = (1.0 - ready * others) ** round_hours
        moves_share = p * ((1.0 - p_stay) / others)[:, None]  # the moves share the rest in proportion
        some_move = others > 0
        out = moves_share if some_move.all() else np.where(some_move[:, None], moves_share, 0.0)
    out[:, stay] = p_stay
    waiting_preferred = p_here >= p.max(axis=1)
    if waiting_preferred.any():
        if reconsidering:
            out[waiting_preferred] = p[waiting_preferred]
        else:
            held = np.zeros(p.shape[1])
            held[stay] = 1.0
            out[waiting_preferred] = held
    return out


def draw_choice(probabilities: Sequence[float], rng: np.random.Generator) -> tuple[int, float]:
    """An index drawn with the given probabilities, and where the draw fell inside its share.

    The second value is uniform on [0, 1) and independent of the index (the
    position of one uniform draw inside the interval it fell in), so it can
    time the move within the round without another random number
    (:func:`move_time`). When one option is certain no random number is used
    and the position is 0.
    """
    for index, p in enumerate(probabilities):
        if p >= 1.0:
            return index, 0.0
    draw = rng.random()
    for index, p in enumerate(probabilities):
        if draw < p:
            return index, draw / p
        draw -= p
    best = max(range(len(probabilities)), key=lambda i: probabilities[i])
    return best, 0.0


def log_stay_per_hour(utilities: Sequence[float], temperature: float, stay: int,
                      deliberation_hours: float = 0.0, reconsidering: bool = True) -> float:
    """The log of the chance of not moving within an hour (:func:`round_probabilities`).

    Computed in logs, so that a government all but certain to move keeps a
    finite hourly rate (its chance of waiting a whole long round underflows
    to 0, the rate does not); ``-inf`` when it is certain to move. Where
    waiting is preferred the government moves only by a slip at a decision
    point, made as soon as it is ready: the rate is its readiness (``-inf``,
    at once, without a deliberation time), and 0 away from a decision point.
    """
    if temperature <= 0:
        log_p = 0.0 if int(np.argmax(utilities)) == stay else -math.inf
    else:
        top = max(utilities)
        scaled = [(u - top) / temperature for u in utilities]
        log_p = scaled[stay] - math.log(sum(math.exp(x) for x in scaled))
    if utilities[stay] >= max(utilities):  # waiting preferred: a slip is made when ready, if at all
        if not reconsidering or log_p == 0.0:
            return 0.0
        log_p = -math.inf
    if deliberation_hours > 0:
        ready = 1.0 - math.exp(-1.0 / deliberation_hours)
        return math.log((1.0 - ready) + ready * math.exp(log_p))
    return log_p


def move_time(position: float, log_stay_hour: float, round_hours: float) -> float:
    """Hours into the round at which a government that moved this round moved.

    With a constant chance of moving each hour (:func:`round_probabilities`;
    ``log_stay_hour`` the log of the chance of not moving, from
    :func:`log_stay_per_hour`) the time of the move is exponential with rate
    ``λ = −log_stay_hour``, and given that it came within the round of
    ``round_hours`` it is the truncated exponential, read here at the uniform
    ``position`` by its inverse distribution function:
    ``−ln(1 − u(1 − e^(−λR))) / λ``. A government certain to move moves at
    once. Used to order moves that conflict within one round, so that a long
    round does not turn two moves hours apart into simultaneous ones
    (:mod:`crisis_sim.core.moves`).
    """
    rate = -log_stay_hour
    if rate == math.inf:
        return 0.0
    if rate <= 0.0:
        return round_hours * position
    return -math.log1p(position * math.expm1(-rate * round_hours)) / rate
