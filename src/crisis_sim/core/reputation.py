"""Reputation across crises: what a campaign carries from one crisis to the next, and how it fades.

Within a crisis the public belief about each government's resolve moves by
Bayes' rule (:mod:`crisis_sim.core.beliefs`). A campaign runs crises in
sequence and starts each from the beliefs the last one left, faded toward the
new crisis's own prior by a stated decay (docs/model.md §7.20).

The fading is *Bayesian forgetting* (kulhavy-zarrop1993, docs/sources.md §3.7): the
carried belief is the geometric mixture

    carried(r) ∝ posterior(r) ** w · prior(r) ** (1 − w)

with ``w`` the share of the old evidence retained
(:func:`retained_weight`). When the new prior is the one the old crisis
started from, this is the prior times the evidence of the old crisis raised
to the power ``w``: every move seen counts ``w`` times as much as when it was
seen. ``w = 1`` carries the posterior whole (reputation is kept,
sartori2005; weisiger-yarhi-milo2015); ``w = 0`` forgets it (each crisis is judged on
its own terms, the sceptical view of mercer1996).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from crisis_sim.core.beliefs import GRID_POINTS, Belief, normalise


def checked_belief(belief: Sequence[float]) -> Belief:
    """``belief`` as a :data:`~crisis_sim.core.beliefs.Belief`: :data:`GRID_POINTS` weights, normalised.

    Raises ValueError for the wrong number of bins, a negative or non-finite
    weight, or no weight at all.
    """
    values = tuple(float(p) for p in belief)
    if len(values) != GRID_POINTS:
        raise ValueError(f"a belief has {GRID_POINTS} bins, got {len(values)}")
    if any(not math.isfinite(p) or p < 0 for p in values):
        raise ValueError("a belief's weights must be finite and >= 0")
    out = normalise(values)
    if out is None:
        raise ValueError("a belief must put weight on some bin")
    return out


def retained_weight(decay: float, gap_days: float = 0.0, half_life_days: float | None = None) -> float:
    """The share ``w`` of the evidence carried into the next crisis.

    ``decay`` is forgotten at the hand-over itself; with ``half_life_days``,
    the rest halves with every ``half_life_days`` of the ``gap_days`` between
    the crises: ``w = (1 − decay) · 0.5 ** (gap_days / half_life_days)``.
    """
    w = 1.0 - decay
    if half_life_days is not None and gap_days > 0:
        w *= 0.5 ** (gap_days / half_life_days)
    return min(1.0, max(0.0, w))


def carry(posterior: Belief, prior: Belief, retained: float) -> Belief:
    """The belief a crisis starts from: ``posterior ** w · prior ** (1 − w)``, normalised.

    A bin either belief rules out stays ruled out; should the two share no
    bin at all (a point-mass prior elsewhere), the new prior is kept.
    """
    w = min(1.0, max(0.0, retained))
    if w >= 1.0:
        return tuple(posterior)
    if w <= 0.0:
        return tuple(prior)
    mixed = [(p ** w) * (q ** (1.0 - w)) if p > 0 and q > 0 else 0.0
             for p, q in zip(posterior, prior, strict=True)]
    out = normalise(mixed)
    return out if out is not None else tuple(prior)
