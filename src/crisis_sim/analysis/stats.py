"""Statistics shared by batch summaries and comparisons, computed by SciPy (no I/O).

The batch layer and ``compare`` compute their intervals here, the same way,
and both are SciPy's own: the Wilson score interval of
``scipy.stats.binomtest(...).proportion_ci(method="wilson")`` and the
percentile bootstrap of ``scipy.stats.bootstrap``. SciPy is imported inside
the functions: it takes about a second to import, and a plain
``crisis-sim run`` never needs it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence

import numpy as np

LEVEL = 0.95
"""Confidence level of every interval unless a caller asks for another."""

REDUCERS = ("mean", "median")
"""How a statistic reduces a column of runs (NaN, e.g. an undecided run's hours, is left out)."""


@functools.lru_cache(maxsize=4096)
def wilson_interval(successes: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval for a proportion ``successes / n``.

    Better than the normal ("Wald") interval for small ``n`` and shares near 0
    or 1: it never leaves [0, 1] and is not empty at 0 or ``n`` successes
    (Wilson 1927; Brown, Cai & DasGupta 2001). With ``n == 0`` nothing is
    known and the interval is ``(0.0, 1.0)``. SciPy's ``binomtest`` also
    computes an exact p-value (about 1 ms a call), so results are cached:
    a batch summary asks for the same ``(successes, n)`` many times.

    Raises:
        ValueError: if ``n`` is negative or ``successes`` is not in ``[0, n]``.
    """
    if n < 0 or successes < 0 or successes > n:
        raise ValueError(f"need 0 <= successes <= n, got successes={successes}, n={n}")
    if n == 0:
        return 0.0, 1.0
    from scipy.stats import binomtest

    interval = binomtest(int(successes), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return float(interval.low), float(interval.high)


def reduce_runs(values: np.ndarray, reducer: str, axis: int = -1) -> np.ndarray:
    """Mean or median along ``axis``, ignoring NaN (NaN where nothing is left)."""
    if reducer not in REDUCERS:
        raise ValueError(f"unknown reducer {reducer!r}; expected one of {', '.join(REDUCERS)}")
    if not np.isnan(values).any():  # the common case, and much faster
        return np.mean(values, axis=axis) if reducer == "mean" else np.median(values, axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: NaN is the answer
        return np.nanmean(values, axis=axis) if reducer == "mean" else np.nanmedian(values, axis=axis)


def _rows_reduced(values: np.ndarray, reducers: Sequence[str]) -> np.ndarray:
    """Row ``j`` of ``values`` (statistics × ... × runs) reduced over runs by ``reducers[j]``."""
    return np.stack([reduce_runs(values[j], r, axis=-1) for j, r in enumerate(reducers)])


def bootstrap_difference(
    reference: np.ndarray,
    other: np.ndarray,
    reducers: Sequence[str],
    *,
    n_boot: int,
    rng: np.random.Generator,
    level: float = LEVEL,
    max_elements: int = 1 << 22,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap intervals of ``statistic(other) - statistic(reference)``.

    ``reference`` and ``other`` are statistics × runs: row ``j`` is reduced
    over runs by ``reducers[j]``. The two samples are resampled independently
    (runs with replacement, ``n_boot`` times; Efron & Tibshirani 1993, ch. 13)
    by ``scipy.stats.bootstrap``; a resample picks the same runs for every
    row, so the statistics of a sample keep their joint distribution.
    ``max_elements`` bounds the resampled array drawn at once (rows × resamples
    × runs) through SciPy's ``batch``.

    One departure from SciPy, for a measured reason: where a resample leaves a
    statistic undefined (the median hours of decided runs when a resample has
    none), SciPy's interval is NaN; here those resamples are left out and the
    interval taken over the others, as a reader of a comparison expects.

    Returns:
        ``(lo, hi)``, one value per row; NaN when either sample has fewer
        than two runs (a bootstrap needs two).
    """
    from scipy.stats import bootstrap

    k = len(reducers)
    if reference.shape[-1] < 2 or other.shape[-1] < 2:
        return np.full(k, np.nan), np.full(k, np.nan)

    def difference(ref: np.ndarray, oth: np.ndarray, axis: int = -1) -> np.ndarray:
        return _rows_reduced(oth, reducers) - _rows_reduced(ref, reducers)

    largest = max(reference.shape[-1], other.shape[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NaN resamples: handled below
        result = bootstrap(
            (reference, other),
            difference,
            n_resamples=n_boot,
            batch=max(1, max_elements // (largest * k)),
            vectorized=True,
            paired=False,
            axis=-1,
            confidence_level=level,
            method="percentile",
            rng=rng,
        )
    lo = np.asarray(result.confidence_interval.low, dtype=float)
    hi = np.asarray(result.confidence_interval.high, dtype=float)
    undefined = np.isnan(lo) | np.isnan(hi)
    if undefined.any():
        tail = (1.0 - level) / 2.0 * 100.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows stay NaN
            nan_lo, nan_hi = np.nanpercentile(
                result.bootstrap_distribution[undefined], [tail, 100.0 - tail], axis=-1
            )
        lo[undefined], hi[undefined] = nan_lo, nan_hi
    return lo, hi
