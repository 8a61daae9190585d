"""Beliefs about another government's resolve: a distribution on a grid, updated by Bayes' rule.

Resolve is a number in [0, 1] drawn privately once per run
(:func:`crisis_sim.core.dynamics.draw_resolve`). A belief about it lives on
the same scale: the probability that the resolve lies in each of
:data:`GRID_POINTS` equal bins of [0, 1], each bin represented by its
midpoint (:data:`GRID`). The prior is the public distribution the resolve is
drawn from (a Beta with the scenario's mean and sd), so beliefs start
calibrated; they stay calibrated because the likelihood of an observed move
is the mover's own choice probability at each grid value of its resolve
(:func:`crisis_sim.core.model.CrisisModel` re-evaluates the mover's policy
there) — the observer reads behaviour with the model that produced it
(fearon1995, docs/sources.md §3.1; Bayesian updating on a grid: a standard
discretisation of a continuous type space).

Beliefs are *public*: every move is seen by everyone and every update uses
public information only, so what anyone believes about a government is the
same for all observers (the "public belief" of signalling games). A
government therefore also knows what the others believe about it.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence

from crisis_sim.core.dynamics import MAX_BETA_VARIANCE_SHARE, MIN_RESOLVE_SD

GRID_POINTS = 10
"""Number of resolve bins. ASSUMPTION: bins 0.1 wide resolve the thresholds the
policies use (0.5 for "resolute") while keeping the update cheap."""

GRID: tuple[float, ...] = tuple((k + 0.5) / GRID_POINTS for k in range(GRID_POINTS))
"""Bin midpoints: the resolve values a belief puts weight on."""

RESOLUTE_ABOVE = 0.5
"""A government is called *resolute* when its resolve exceeds this; the belief columns of
the trajectories give P(resolve > 0.5). ASSUMPTION: the midpoint of the scale, where the
two-type models of fearon1995 draw their line."""

LIKELIHOOD_FLOOR = 1e-9
"""Smallest likelihood a move is given at any resolve. ASSUMPTION: a move the model says a
type would never make is still possible (a tremble), so no bin is ruled out for good."""

Belief = tuple[float, ...]
"""Probabilities of the resolve bins, summing to 1."""


@functools.lru_cache(maxsize=256)
def prior(mean: float, sd: float) -> Belief:
    """The public prior: the mass of Beta(mean, sd) in each bin, with the spread capped as the
    draw caps it (:func:`crisis_sim.core.dynamics.draw_resolve`); a point mass when there is no
    Beta to draw from (sd 0, a mean at 0 or 1, or parameters that underflow).

    Each bin's mass is the difference of the Beta's distribution function at its edges (the
    regularised incomplete beta function), exact even where the density is unbounded at 0 or 1
    (a shape parameter below 1: a wide spread near either end of the scale).
    """
    from scipy.special import betainc  # loaded only when a prior is first needed

    variance = min(sd * sd, mean * (1 - mean) * MAX_BETA_VARIANCE_SHARE)
    if sd < MIN_RESOLVE_SD or mean <= 0 or mean >= 1 or variance <= 0:
        return point_mass(mean)
    common = mean * (1 - mean) / variance - 1
    a, b = mean * common, (1 - mean) * common
    if not (a > 0 and b > 0):
        return point_mass(mean)
    edges = [betainc(a, b, k / GRID_POINTS) for k in range(GRID_POINTS + 1)]
    masses = [max(0.0, float(hi - lo)) for lo, hi in itertools.pairwise(edges)]
    return normalise(masses) or point_mass(mean)


def point_mass(value: float) -> Belief:
    """All weight on the bin holding ``value``."""
    index = min(GRID_POINTS - 1, max(0, int(value * GRID_POINTS)))
    return tuple(1.0 if k == index else 0.0 for k in range(GRID_POINTS))


def normalise(weights: Sequence[float]) -> Belief | None:
    total = sum(weights)
    if not total > 0 or total == math.inf:
        return None
    return tuple([w / total for w in weights])


def update(belief: Belief, likelihood: Sequence[float]) -> Belief:
    """Bayes' rule: the posterior after a move with ``likelihood[k]`` = P(move | resolve in bin k),
    each likelihood floored at :data:`LIKELIHOOD_FLOOR` (so is a NaN)."""
    floor = LIKELIHOOD_FLOOR
    weighted = [p * (like if like > floor else floor) for p, like in zip(belief, likelihood, strict=True)]
    posterior = normalise(weighted)
    return posterior if posterior is not None else belief


def p_resolute(belief: Belief, above: float = RESOLUTE_ABOVE) -> float:
    """P(resolve > ``above``)."""
    return sum(p for p, r in zip(belief, GRID, strict=True) if r > above)


def mean(belief: Belief) -> float:
    """Expected resolve."""
    return sum(p * r for p, r in zip(belief, GRID, strict=True))


_WIDTH = 1.0 / GRID_POINTS


def _share_below(k: int, threshold: float) -> float:
    """The share of bin ``k`` below ``threshold``, in [0, 1]."""
    return min(1.0, max(0.0, (threshold - k * _WIDTH) / _WIDTH))


_running_totals: tuple[Belief | None, tuple[float, ...]] = (None, ())


def mass_below(belief: Belief, threshold: float) -> float:
    """P(resolve < ``threshold``), counting a bin by the share of it below the threshold.

    The bins wholly below the threshold add up to a running total of the belief (kept for the
    last belief asked about: a search asks about one belief many times); the bins around it
    are added to it one by one, in order, as a sum over every bin would add them, so the
    answer is that sum's to the last bit.
    """
    global _running_totals
    if math.isnan(threshold):
        return 0.0  # no bin has a share below it
    known, totals = _running_totals
    if known is not belief:
        totals = tuple(itertools.accumulate(belief, initial=0.0))
        _running_totals = (belief, totals)
    clamped = min(2.0, max(-1.0, threshold))  # beyond these every bin is wholly below (above) it
    first = min(len(belief), max(0, int(clamped * GRID_POINTS) - 1))
    total = totals[first]  # bins 0 .. first-1, each wholly below the threshold
    for k in range(first, len(belief)):
        share = _share_below(k, threshold)
        if share == 0.0:
            break
        total += belief[k] * share
    return total


BISECTIONS = 30
"""Halvings of [0, 1] in :func:`turning_point`: a resolve to within 1e-9."""


def turning_point(holds: Callable[[float], bool]) -> float:
    """The resolve at which ``holds`` (true for low resolve, false for high, switching once)
    turns false: 0 if it holds nowhere, 1 if it holds everywhere, else found by bisection."""
    if not holds(0.0):
        return 0.0
    if holds(1.0):
        return 1.0
    low, high = 0.0, 1.0
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if holds(middle):
            low = middle
        else:
            high = middle
    return (low + high) / 2


def tilt(belief: Belief, weight: float, toward_resolute: bool) -> Belief:
    """Shift a belief toward high (or low) resolve by ``weight`` in [0, 1].

    How onlookers read a crisis that ended elsewhere (peterson2013,
    docs/sources.md §3.3): each bin is reweighted by ``1 ± weight·(2r − 1)``,
    so a weight of 0 leaves the belief as it is and 1 removes the far end.
    """
    sign = 1.0 if toward_resolute else -1.0
    shifted = normalise([p * (1.0 + sign * weight * (2.0 * r - 1.0))
                         for p, r in zip(belief, GRID, strict=True)])
    return shifted if shifted is not None else belief
