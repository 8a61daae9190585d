"""Beliefs on a resolve grid and the per-hour choice rule: the pure functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import (
    draw_choice,
    draw_resolve,
    log_stay_per_hour,
    logit_probabilities,
    round_probabilities,
    round_probabilities_grid,
)


def test_the_prior_is_the_beta_the_resolve_is_drawn_from():
    prior = beliefs.prior(0.7, 0.1)
    assert sum(prior) == pytest.approx(1.0)
    assert beliefs.mean(prior) == pytest.approx(0.7, abs=0.01)
    rng = np.random.default_rng(3)
    draws = np.array([draw_resolve(rng, 0.7, 0.1) for _ in range(20_000)])
    assert beliefs.p_resolute(prior) == pytest.approx((draws > 0.5).mean(), abs=0.01)
    assert beliefs.prior(0.35, 0.0) == beliefs.point_mass(0.35)
    assert beliefs.point_mass(0.35)[3] == 1.0


def test_bayes_moves_toward_the_types_likelier_to_make_the_move():
    prior = beliefs.prior(0.5, 0.2)
    rising = list(beliefs.GRID)  # a move the resolute make more often
    posterior = beliefs.update(prior, rising)
    assert beliefs.mean(posterior) > beliefs.mean(prior)
    assert beliefs.update(prior, [1.0] * beliefs.GRID_POINTS) == pytest.approx(prior)
    # a likelihood of zero everywhere keeps the prior (nothing to learn from an impossible move)
    assert beliefs.update(prior, [0.0] * beliefs.GRID_POINTS) == pytest.approx(prior)


def test_mass_below_counts_part_of_a_bin_and_tilt_shifts_the_mean():
    flat = tuple([1 / beliefs.GRID_POINTS] * beliefs.GRID_POINTS)
    assert beliefs.mass_below(flat, 0.25) == pytest.approx(0.25)
    assert beliefs.mass_below(flat, -1) == 0 and beliefs.mass_below(flat, 2) == pytest.approx(1)
    up, down = beliefs.tilt(flat, 0.2, True), beliefs.tilt(flat, 0.2, False)
    assert beliefs.mean(down) < beliefs.mean(flat) < beliefs.mean(up)
    assert beliefs.tilt(flat, 0.0, True) == pytest.approx(flat)


def test_logit_probabilities_are_greedy_at_zero_temperature():
    assert logit_probabilities([0.0, 1.0, 0.5], 0.0) == [0.0, 1.0, 0.0]
    p = logit_probabilities([0.0, 0.01], 0.01)
    assert p[1] == pytest.approx(math.e / (1 + math.e))


@pytest.mark.parametrize("deliberation", [0.0, 5.0])
def test_the_round_length_is_a_resolution_only(deliberation):
    """P(still waiting after 6 hours) is the same in rounds of 1, 2, 3 or 6 hours."""
    utilities, stay = [0.0, 0.004], 0  # waiting is worse by a little: a slow drift to moving
    waited = []
    for hours in (1.0, 2.0, 3.0, 6.0):
        p = round_probabilities(utilities, 0.005, hours, stay, deliberation)
        waited.append(p[stay] ** (6.0 / hours))
    assert waited == pytest.approx([waited[0]] * 4)
    assert 0.0 < waited[0] < 1.0
    sure = round_probabilities([0.0, 1.0], 0.005, 3.0, 0, deliberation)
    # a preferred move is made as soon as the government is ready: per hour, not per day
    assert sure[0] == pytest.approx(math.exp(-3.0 / deliberation) if deliberation else 0.0)


def test_a_preferred_wait_slips_only_at_a_decision_point():
    """docs/model.md §7.7: a government that prefers waiting by a point chooses once, by the logit
    rule, at a decision point (whatever the turn's length), and holds that choice in the quiet
    turns after it; its hourly rate of moving is 0 there and its readiness at the point."""
    utilities, stay = [0.01, 0.0], 0
    logit = logit_probabilities(utilities, 0.005)
    for hours in (1.0, 3.0, 24.0):
        assert round_probabilities(utilities, 0.005, hours, stay, reconsidering=True) == pytest.approx(logit)
        assert round_probabilities(utilities, 0.005, hours, stay, reconsidering=False) == [1.0, 0.0]
    assert log_stay_per_hour(utilities, 0.005, stay, reconsidering=False) == 0.0
    assert log_stay_per_hour(utilities, 0.005, stay, 0.0, True) == -math.inf  # a slip is made at once
    assert log_stay_per_hour(utilities, 0.005, stay, 4.0, True) == pytest.approx(-1 / 4.0)
    grid = np.array([utilities, [0.0, 0.01]])  # one row prefers waiting, one moving
    quiet = round_probabilities_grid(grid, 0.005, 3.0, stay, reconsidering=False)
    assert quiet[0].tolist() == [1.0, 0.0]
    assert quiet[1].tolist() == pytest.approx(round_probabilities([0.0, 0.01], 0.005, 3.0, stay))


def test_draw_choice_uses_no_random_number_when_one_option_is_certain():
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    assert draw_choice([0.0, 1.0, 0.0], rng) == (1, 0.0)
    assert rng.bit_generator.state == state
    picks = [draw_choice([0.25, 0.75], rng)[0] for _ in range(4000)]
    assert sum(picks) / 4000 == pytest.approx(0.75, abs=0.03)


@pytest.mark.parametrize("name", ["us_colombia_2025", "chicken_audience_costs"])
def test_reading_a_move_off_three_points_equals_asking_at_every_resolve(name):
    """core.inference.choice_likelihood reads affine utilities off three points; it must give what
    asking the policy at every resolve of the grid gives."""
    from crisis_sim.core.government import is_stay
    from crisis_sim.core.inference import choice_likelihood
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.scenario import load_scenario

    def asked_everywhere(gov, view, chosen):
        out = []
        for r in beliefs.GRID:
            options = gov.reading_policy.options(view.with_resolve(r))
            p = gov.choice_probabilities(view, options)
            out.append(sum(q for o, q in zip(options, p, strict=True)
                           if (is_stay(o) if is_stay(chosen) else o.actions == chosen.actions)))
        return out

    scenario = load_scenario(name)
    checked = 0
    for seed in range(6):
        m = CrisisModel(scenario, seed, agent_records=False)
        while m.running and m.round < 30:
            m.step()
            for gov in m.governments.values():
                for view, options, chosen in gov.last_choices:
                    fast = choice_likelihood(gov, view, chosen, options)
                    assert fast == pytest.approx(asked_everywhere(gov, view, chosen), abs=1e-12)
                    checked += 1
    assert checked >= 20


@pytest.mark.parametrize("sd", [7.2e-155, 1e-9])
def test_a_spread_too_narrow_to_be_a_beta_is_the_mean_drawn_and_believed(sd):
    """A subnormal-squared spread overflowed the Beta's log-normaliser (Hypothesis found 7.2e-155)."""
    assert draw_resolve(np.random.default_rng(0), 0.5, sd) == 0.5
    belief = beliefs.prior(0.5, sd)
    assert belief == beliefs.point_mass(0.5)


def test_freezing_beliefs_is_measured_run_by_run():
    """scripts/freeze_beliefs.py pairs runs by seed: the shares it prints are those of the two
    batches, they move by no more than the runs that ended otherwise, and in the chicken game
    learning does change how some crises end (frozen beliefs are not the same model).
    Power: with 40 paired runs, 'changed > 0' holds with probability ≥ 0.998 if the true share of runs
    that end otherwise is 0.15 (6 of 40, measured on 2026-12-06), and with probability 0 when there is no
    effect (learning never changes an ending)."""
    from conftest import load_script

    script = load_script("freeze_beliefs")
    runs = 40
    table, changed = script.measure("chicken_audience_costs", runs, 0, 1, [])
    assert table["learning"].sum() == pytest.approx(100) and table["frozen"].sum() == pytest.approx(100)
    assert list(table["difference"]) == pytest.approx(list(table["learning"] - table["frozen"]))
    assert table["difference"].abs().sum() / 2 <= 100 * changed / runs + 1e-9
    assert changed > 0


@pytest.mark.xfail(strict=True, reason=(
    'measured miss: in the firm what-if no run of 100 now ends with Colombia giving way, with '
    'or without learning (the US backs down or the crisis is settled otherwise), so the effect of '
    'learning on its concessions cannot be measured there'))
def test_a_target_that_learns_the_sender_holds_out_under_pressure_gives_way_more_often():
    """fearon1994, slantchev2003: in the firm what-if the counter-tariff costs the US approval, so
    a US that keeps its threats up is showing resolve; a Colombia that reads this gives way, one
    whose beliefs are frozen keeps hoping the US will back down and holds on (100 paired runs,
    eight days: 10 of 100 give way with learning, none frozen; 400 runs over 30 days, printed by
    scripts/freeze_beliefs.py: 18.5 % against 3.8 %).
    Power: with 100 runs an arm, the assertion holds with probability 0 if the true shares are those
    measured on 2026-12-06 (no run gives way in either arm), so it fails as marked."""
    from conftest import load_script

    script = load_script("freeze_beliefs")
    table, changed = script.measure("us_colombia_2025_firm", 100, 0, 1, ["rounds=64"])
    gives_way = table.loc["target_concedes"]
    assert gives_way["learning"] - gives_way["frozen"] >= 5, table
    assert changed >= 5


@pytest.mark.parametrize("mean,sd", [(0.9, 0.25), (0.6, 0.2), (0.2, 0.3), (0.8, 0.1)])
def test_the_prior_is_the_distribution_resolve_is_drawn_from(mean, sd):
    """Each bin of the public prior holds the share of drawn resolves that fall in it, also where
    the Beta's density is unbounded at an end of the scale (mean 0.9, sd 0.25: a shape parameter
    below 1, where a midpoint sum over the bin put 11 % in the lowest bin instead of 4 %)."""
    rng = np.random.default_rng(7)
    draws = np.array([draw_resolve(rng, mean, sd) for _ in range(40_000)])
    shares = np.histogram(draws, bins=beliefs.GRID_POINTS, range=(0.0, 1.0))[0] / len(draws)
    assert np.abs(np.array(beliefs.prior(mean, sd)) - shares).max() < 0.01


def test_a_reliability_bin_counts_runs_and_resamples_them_not_statements():
    """Three hundred statements from 300 runs are 300 observations; from two runs they are two:
    the interval of the gap widens accordingly (the cluster bootstrap of experiments.reliability)."""
    from crisis_sim.experiments.reliability import reliability

    many = [(run, 0.3, run % 2 == 0) for run in range(300)]
    two = [(0, 0.3, True)] * 150 + [(1, 0.3, False)] * 150
    (a,), (b,) = reliability(many), reliability(two)
    assert (a.count, a.runs, b.count, b.runs) == (300, 300, 300, 2)
    assert a.realised == b.realised == 0.5 and a.gap == pytest.approx(0.2)
    assert a.interval[0] > 0.1 and a.interval[1] < 0.3  # about ±0.06 around 0.2
    assert b.interval == pytest.approx((-0.3, 0.7))    # either run alone: nothing came true, or all
    assert reliability(many) == reliability(many)      # seeded: the same table every time


def _mass_below_bin_by_bin(belief, threshold):
    """P(resolve < threshold) summed over every bin in order: what beliefs.mass_below must equal."""
    total = 0.0
    width = 1.0 / beliefs.GRID_POINTS
    for k, p in enumerate(belief):
        total += p * min(1.0, max(0.0, (threshold - k * width) / width))
    return total


@given(st.lists(st.floats(0, 1), min_size=beliefs.GRID_POINTS, max_size=beliefs.GRID_POINTS),
       st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                 st.integers(0, beliefs.GRID_POINTS).map(lambda k: k / beliefs.GRID_POINTS),
                 st.floats(-0.2, 1.2)))
def test_the_mass_below_a_threshold_is_the_bin_by_bin_sum_to_the_bit(weights, threshold):
    """mass_below starts from a running total of the bins wholly below the threshold; it must
    give what adding every bin's share in order gives, to the last bit (the war-of-attrition
    search compares such figures, so a last-bit difference could change a choice)."""
    belief = beliefs.normalise(weights) or beliefs.point_mass(0.5)
    expected = _mass_below_bin_by_bin(belief, threshold)
    assert beliefs.mass_below(belief, threshold) == expected
    assert beliefs.mass_below(tuple(belief), threshold) == expected  # a new belief, same figure
