"""tests/power.py against scipy.stats and cases worked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import power


@pytest.mark.parametrize("n,k,p", [(20, 14, 0.6), (40, 33, 0.917), (300, 270, 0.917), (10, 3, 0.05),
                                   (60, 0, 0.3), (30, 31, 0.5)])
def test_a_share_bound_is_the_binomial_tail(n, k, p):
    assert power.at_least(n, k, p) == pytest.approx(stats.binom.sf(k - 1, n, p), abs=1e-12)
    assert power.at_most(n, k, p) == pytest.approx(stats.binom.cdf(k, n, p), abs=1e-12)


def test_the_pmf_sums_to_one_and_is_exact_at_the_ends():
    assert power.binomial_pmf(40, 0.37).sum() == pytest.approx(1.0)
    assert power.binomial_pmf(5, 0.0).tolist() == [1, 0, 0, 0, 0, 0]
    assert power.binomial_pmf(5, 1.0).tolist() == [0, 0, 0, 0, 0, 1]
    with pytest.raises(ValueError):
        power.binomial_pmf(5, 1.2)


def test_a_difference_of_counts_is_the_double_sum_of_scipy_s_pmfs():
    n_a, p_a, n_b, p_b = 20, 0.8, 20, 0.35
    brute = sum(stats.binom.pmf(a, n_a, p_a) * stats.binom.pmf(b, n_b, p_b)
                for a in range(n_a + 1) for b in range(n_b + 1) if a > b + 5)
    assert power.exact_power([(n_a, p_a), (n_b, p_b)], lambda a, b: a > b + 5) == pytest.approx(brute)
    assert power.difference_power(n_a, p_a, n_b, p_b, 5 / 20) == pytest.approx(brute)


def test_unequal_arms_and_three_arms():
    brute = sum(stats.binom.pmf(a, 30, 0.1) * stats.binom.pmf(b, 60, 0.43)
                for a in range(31) for b in range(61) if a / 30 * 2 <= b / 60)
    got = power.exact_power([(30, 0.1), (60, 0.43)], lambda a, b: a / 30 * 2 <= b / 60)
    assert got == pytest.approx(brute)
    ordered = sum(stats.binom.pmf(a, 8, 0.2) * stats.binom.pmf(b, 8, 0.5) * stats.binom.pmf(c, 8, 0.7)
                  for a in range(9) for b in range(9) for c in range(9) if a <= b <= c)
    got = power.exact_power([(8, 0.2), (8, 0.5), (8, 0.7)], lambda a, b, c: (a <= b) & (b <= c))
    assert got == pytest.approx(ordered)


def test_the_normal_approximation_worked_by_hand_and_near_the_exact_figure():
    # (0.5 - 0.2 - 0.1) / sqrt(0.25/40 + 0.16/40) = 0.2 / 0.10124 = 1.9755; Φ(1.9755) = 0.9759
    assert power.difference_power_normal(40, 0.5, 40, 0.2, 0.1) == pytest.approx(0.9759, abs=1e-4)
    assert power.normal_cdf(1.959964) == pytest.approx(0.975, abs=1e-6)
    assert power.normal_power(1.0, 0.0, 0.5) == 1.0 and power.normal_power(0.5, 0.0, 0.5) == 0.0
    exact = power.difference_power(300, 0.223, 300, 0.037, 0.1)
    assert exact == pytest.approx(power.difference_power_normal(300, 0.223, 300, 0.037, 0.1), abs=0.02)


def test_two_equal_shares_fail_a_two_standard_error_check_about_one_time_in_twenty():
    """At many runs the pooled check |A − B| ≤ 2·SE fails with probability 2(1 − Φ(2)) = 0.0455."""
    assert power.equal_shares_false_alarm(2000, 0.5) == pytest.approx(2 * (1 - stats.norm.cdf(2)), abs=0.005)
    assert power.equal_shares_false_alarm(100, 0.0) == 0.0  # nothing ever happens: never apart
    assert 0.0 < power.equal_shares_false_alarm(100, 0.2) < 0.08


def test_a_mean_difference_worked_by_hand():
    # (0.6 - 0.3 - 0.2) / sqrt(0.04/60 + 0.09/60) = 0.1 / 0.046547 = 2.1483; Φ = 0.98416
    got = power.mean_difference_power(0.6, 0.2, 60, 0.3, 0.3, 60, margin=0.2)
    assert got == pytest.approx(stats.norm.cdf(0.1 / math.sqrt(0.13 / 60)))
    assert got == pytest.approx(0.98416, abs=1e-4)


def test_the_median_s_standard_error_is_that_of_a_normal_sample():
    """For a normal sample the median's standard error is √(π/2)·σ/√n = 1.2533 σ/√n."""
    n = 400
    sample = stats.norm.ppf((np.arange(n) + 0.5) / n) * 3.0  # an evenly spread sample, σ = 3
    assert power.median_standard_error(sample) == pytest.approx(1.2533 * 3 / math.sqrt(n), rel=0.05)
    assert power.median_standard_error([5.0] * 40) == 0.0
    with pytest.raises(ValueError):
        power.median_standard_error([1.0])


def test_a_median_difference():
    n = 400
    a = stats.norm.ppf((np.arange(n) + 0.5) / n)
    b = a + 0.2
    se = power.median_standard_error(a)
    assert power.median_difference_power(a, b) == pytest.approx(stats.norm.cdf(0.2 / (se * math.sqrt(2))))
    assert power.median_difference_power(a, b, margin=0.2) == pytest.approx(0.5, abs=1e-9)


def test_with_no_effect_a_margin_of_counts_is_rarely_cleared():
    """Two arms of 20 with one true share: a > b + 5 is likeliest at p = 1/2, where the difference
    of counts has sd √10 and clearing 5.5 is z = 1.74 in the normal approximation (about 0.04)."""
    bound = power.no_effect_bound([20, 20], lambda a, b: a > b + 5)
    assert bound == pytest.approx(power.exact_power([(20, 0.5), (20, 0.5)], lambda a, b: a > b + 5), rel=1e-6)
    assert bound == pytest.approx(1 - stats.norm.cdf(5.5 / math.sqrt(10)), abs=0.01)
    assert power.no_effect_bound([10], lambda x: x >= 0) == 1.0
