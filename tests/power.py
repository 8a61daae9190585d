"""The statistical power of the tests that run the model over many seeds.

A statistical test runs each arm over ``n`` seeds and asserts something about counts, shares,
means or medians. Read each arm's runs as independent draws (a run's outcome is a Bernoulli
trial with the arm's true share ``p``); then:

- the probability that the assertion holds when the true shares are the measured ones is its
  *power* against the measured effect;
- the probability that it holds (or fails) when the arms share one true value is what it does
  when there is *no effect*.

Counts are handled exactly (:func:`exact_power` sums the binomial probabilities of every
outcome that satisfies the assertion); means and medians by the normal approximation
(:func:`normal_power`). Nothing here runs the model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np


def normal_cdf(z: float) -> float:
    """Φ(z) = (1 + erf(z / √2)) / 2."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def binomial_pmf(n: int, p: float) -> np.ndarray:
    """P(X = x) for X ~ Bin(n, p), x = 0..n: C(n, x) pˣ (1 − p)ⁿ⁻ˣ (exact at p = 0 and p = 1)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a share must lie in [0, 1], not {p}")
    pmf = np.zeros(n + 1)
    if p in (0.0, 1.0):
        pmf[0 if p == 0.0 else n] = 1.0
        return pmf
    x = np.arange(n + 1)
    log_comb = np.array([math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) for k in x])
    return np.exp(log_comb + x * math.log(p) + (n - x) * math.log1p(-p))


def exact_power(arms: Sequence[tuple[int, float]], holds: Callable[..., np.ndarray]) -> float:
    """P(holds(X₁, …, X_k)) for independent Xᵢ ~ Bin(nᵢ, pᵢ), exactly:

        Σ over x₁..x_k of  Π C(nᵢ, xᵢ) pᵢ^xᵢ (1 − pᵢ)^(nᵢ − xᵢ) · 1[holds(x₁, …, x_k)].

    ``arms`` gives each arm's (runs, true share); ``holds`` is the test's assertion written on
    the counts, evaluated on NumPy arrays of every combination of counts (use ``&``, ``|`` and
    NumPy functions, not ``and``/``or``). For example ``decided_on > decided_off + 5`` over 20
    seeds each is ``exact_power([(20, a), (20, b)], lambda on, off: on > off + 5)``.
    """
    grids = np.meshgrid(*[np.arange(n + 1) for n, _ in arms], indexing="ij")
    probability = np.ones(grids[0].shape) if arms else np.ones(())
    for axis, (n, p) in enumerate(arms):
        shape = [1] * len(arms)
        shape[axis] = n + 1
        probability = probability * binomial_pmf(n, p).reshape(shape)
    mask = np.broadcast_to(np.asarray(holds(*grids), dtype=bool), probability.shape)
    return float(min(1.0, probability[mask].sum()))


def at_least(n: int, k: float, p: float) -> float:
    """P(X ≥ k) for X ~ Bin(n, p): Σ_{x ≥ k} C(n, x) pˣ (1 − p)ⁿ⁻ˣ (a share bound ``X ≥ s·n``)."""
    return exact_power([(n, p)], lambda x: x >= k)


def at_most(n: int, k: float, p: float) -> float:
    """P(X ≤ k) for X ~ Bin(n, p): Σ_{x ≤ k} C(n, x) pˣ (1 − p)ⁿ⁻ˣ."""
    return exact_power([(n, p)], lambda x: x <= k)


def difference_power(n_a: int, p_a: float, n_b: int, p_b: float, margin: float) -> float:
    """P(X_a/n_a − X_b/n_b > margin), exactly, for X_a ~ Bin(n_a, p_a), X_b ~ Bin(n_b, p_b)
    independent: the one-sided two-proportion comparison at the assertion's margin (for counts
    over the same number of runs, ``a > b + m`` is margin ``m / n``)."""
    return exact_power([(n_a, p_a), (n_b, p_b)],
                       lambda a, b: a / n_a - b / n_b > margin + 1e-12)


def difference_power_normal(n_a: int, p_a: float, n_b: int, p_b: float, margin: float) -> float:
    """The normal approximation to :func:`difference_power`:

        Φ((p_a − p_b − margin) / √(p_a(1 − p_a)/n_a + p_b(1 − p_b)/n_b)).
    """
    se = math.sqrt(p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b)
    return normal_power(p_a - p_b, se, margin)


def equal_shares_false_alarm(n: int, p: float, z: float = 2.0) -> float:
    """P(|A − B| > z·√(2 p̄(1 − p̄)/n)) for shares A, B of two arms of n runs with the same true
    share p (p̄ = (A + B)/2, the pooled share): how often a test that asks two shares to agree
    within z pooled standard errors of their difference fails when there is no effect. Exact,
    by :func:`exact_power`."""
    def apart(a, b):
        pooled = (a + b) / (2 * n)
        return np.abs(a - b) / n > z * np.sqrt(2 * pooled * (1 - pooled) / n) + 1e-9

    return exact_power([(n, p), (n, p)], apart)


def normal_power(effect: float, se: float, margin: float = 0.0) -> float:
    """P(estimate > margin) for an estimate ~ N(effect, se²): Φ((effect − margin) / se)
    (1 if se is 0 and the effect exceeds the margin, else 0)."""
    if se == 0:
        return 1.0 if effect > margin else 0.0
    return normal_cdf((effect - margin) / se)


def mean_difference_power(mean_a: float, sd_a: float, n_a: int, mean_b: float, sd_b: float, n_b: int,
                          margin: float = 0.0) -> float:
    """P(mean_a − mean_b > margin) for sample means of n_a and n_b runs, normal approximation:

        Φ((μ_a − μ_b − margin) / √(σ_a²/n_a + σ_b²/n_b)).
    """
    return normal_power(mean_a - mean_b, math.sqrt(sd_a ** 2 / n_a + sd_b ** 2 / n_b), margin)


def median_standard_error(values: Sequence[float], z: float = 1.959964) -> float:
    """The distribution-free standard error of a sample median (McKean and Schrader 1984):

        (x₍ₙ₋c₊₁₎ − x₍c₎) / (2z),  c = round((n + 1)/2 − z·√(n/4)),

    the width of the order-statistic confidence interval of the median divided by 2z (for a
    normal sample it tends to 1.2533 σ/√n)."""
    xs = sorted(values)
    n = len(xs)
    if n < 2:
        raise ValueError("a median's standard error needs at least two values")
    c = max(1, min(n, round((n + 1) / 2 - z * math.sqrt(n / 4))))
    return (xs[n - c] - xs[c - 1]) / (2 * z)


def median_difference_power(a: Sequence[float], b: Sequence[float], margin: float = 0.0) -> float:
    """P(median(b) − median(a) > margin) for arms like the measured ones, normal approximation:

        Φ((m_b − m_a − margin) / √(se_a² + se_b²)),

    with each median's standard error from :func:`median_standard_error`."""
    import statistics

    se = math.sqrt(median_standard_error(a) ** 2 + median_standard_error(b) ** 2)
    return normal_power(statistics.median(b) - statistics.median(a), se, margin)


def no_effect_bound(arms: Sequence[int], holds: Callable[..., np.ndarray], grid: int = 201) -> float:
    """max over p of P(holds(X₁, …, X_k)) when every arm has the same true share p
    (Xᵢ ~ Bin(nᵢ, p), p on a grid of ``grid`` points over [0, 1]): the most often an assertion
    of an effect can hold when there is none, whatever the common share."""
    return max(exact_power([(n, p) for n in arms], holds) for p in np.linspace(0.0, 1.0, grid))
