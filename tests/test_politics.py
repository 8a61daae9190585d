"""Governments that fall (core/politics.py, docs/model.md §7.23): the hazard, the time of a fall
against its analytic distribution, what a new government is, and the switch.

marinov2005: pressure raises the hazard that a leader falls; croco2011: a new leader is not bound
by its predecessor's stand; gibson-bruck2000: the time of an event with a time-varying hazard is
drawn by inverting the integrated hazard.
"""

from __future__ import annotations

import functools
import math
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

from conftest import PROJECT
from crisis_sim.core import politics
from crisis_sim.core.dynamics import HOURS_PER_YEAR
from crisis_sim.core.log import LogKind
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.schema import Dynamics
from crisis_sim.core.types import EventKind
from crisis_sim.scenario import load_scenario

LONG_CASE = PROJECT / "cases" / "china_australia_2020.yaml"
NO_FALLS = "dynamics.government_change_per_year=0"
NO_FADING = "dynamics.attention_half_life_days=0"


def test_the_hazard_is_the_baseline_until_approval_moves_and_e_times_it_per_scale_lost():
    dyn = Dynamics(government_change_per_year=0.2, approval_hazard_scale=0.1)
    base = 0.2 / HOURS_PER_YEAR
    assert politics.hazard_per_hour(dyn, 0.45, 0.45) == pytest.approx(base)
    assert politics.hazard_per_hour(dyn, 0.35, 0.45) == pytest.approx(base * math.e)
    assert politics.hazard_per_hour(dyn, 0.55, 0.45) == pytest.approx(base / math.e)  # a rally shields
    assert politics.hazard_per_hour(Dynamics(government_change_per_year=0.0), 0.0, 0.9) == 0.0


def _first_fall_hours(approval_at, dyn: Dynamics, seeds: range, turn_hours: float = 24.0,
                      horizon_hours: float = 20 * 8766.0) -> list[float]:
    """Hours until a government first falls, in a stub crisis whose approval at hour t is
    ``approval_at(t)``: the rule of :func:`politics.governments_fall` turn by turn (turns of a
    day: a fall is timed to within a day of falls whose mean time is years)."""
    times = []
    for seed in seeds:
        gov = SimpleNamespace(politics=np.random.default_rng(seed), hazard_integrated=0.0)
        gov.hazard_threshold = float(gov.politics.exponential())
        fell = []
        issue = SimpleNamespace(opened=True, decided=None, spec=SimpleNamespace(sender="a", receiver="b"))
        world = SimpleNamespace(governments={"b": gov}, issues=[issue], dyn=dyn, turn_hours=turn_hours,
                                approval_start={"b": 0.45}, hours=0.0)
        original = politics.fall
        politics.fall = lambda w, key, fell=fell: fell.append(w.hours)
        try:
            while not fell and world.hours < horizon_hours:
                world.hours += turn_hours
                gov.approval = approval_at(world.hours)
                politics.governments_fall(world)
        finally:
            politics.fall = original
        times.append(fell[0] if fell else math.inf)
    return times


def test_at_steady_approval_a_government_falls_at_an_exponential_time_with_the_baseline_rate():
    """With approval unchanged the hazard is constant, so the time of the fall is exponential
    with mean 1 / rate (to within the turn).
    Power: with 600 runs, the assertion fails with probability ≤ 0.013 when the times follow the stated
    law (0.01 from the Kolmogorov–Smirnov test, 0.003 from the mean, whose 12 % margin is 2.9 standard
    errors); measured on 2026-12-06: p = 0.44, mean 1.06 / rate."""
    dyn = Dynamics(government_change_per_year=0.5)
    times = _first_fall_hours(lambda t: 0.45, dyn, range(600))
    rate = 0.5 / HOURS_PER_YEAR
    assert stats.kstest(times, stats.expon(scale=1 / rate).cdf).pvalue > 0.01
    assert np.mean(times) == pytest.approx(1 / rate, rel=0.12)


def test_under_falling_approval_the_time_of_a_fall_follows_the_integrated_hazard():
    """Approval falling a point a month: S(t) = exp(-∫h), ∫h = h0·k·(e^(t/k) - 1) with
    k = scale / (0.01 a month); checked by Kolmogorov–Smirnov.
    Power: with 600 runs an arm, the Kolmogorov–Smirnov check fails with probability 0.01 when the times
    follow the stated law (p = 0.45 on 2026-12-06), and the median comparison holds with probability ≥
    0.999 if the true medians are those measured on 2026-12-06, 12,060 h falling and 31,248 h steady
    (standard errors 416 h and 2,247 h; normal approximation)."""
    dyn = Dynamics(government_change_per_year=0.2, approval_hazard_scale=0.1)
    per_hour = 0.01 / (30 * 24)
    times = _first_fall_hours(lambda t: 0.45 - per_hour * t, dyn, range(600))
    h0, k = 0.2 / HOURS_PER_YEAR, 0.1 / per_hour

    def cdf(t):
        return 1.0 - np.exp(-h0 * k * np.expm1(np.asarray(t) / k))

    assert stats.kstest(times, cdf).pvalue > 0.01
    steady = _first_fall_hours(lambda t: 0.45, dyn, range(600))
    assert np.median(times) < 0.8 * np.median(steady)  # losing approval brings the fall nearer


def _falls(m: CrisisModel) -> list:
    return [e for e in m.log if e.kind is LogKind.EVENT and e.event is EventKind.GOVERNMENT_CHANGE]


def _run(scenario, seed: int) -> CrisisModel:
    m = CrisisModel(scenario, seed, agent_records=False)
    while m.running and m.round < scenario.rounds:
        m.step()
    return m


@functools.cache
def _long_case(*overrides: str):
    return load_scenario(str(LONG_CASE), list(overrides))


@functools.cache
def _finished(seed: int, *overrides: str) -> CrisisModel:
    """The three-year case (with ``overrides``) run to its end with ``seed``: run once in a test
    process and shared, read only, by the tests below that run it with that seed (a run is the
    same model whichever test asks for it first)."""
    return _run(_long_case(*overrides), seed)


@pytest.fixture(scope="module", autouse=True)
def _forget_the_runs():
    yield
    _finished.cache_clear()


def test_a_new_government_is_uncommitted_with_a_fresh_mandate_and_a_fresh_belief():
    scenario = _long_case()
    for seed in range(10):
        m = _finished(seed)
        if _falls(m):
            break
    else:
        pytest.fail("no government fell in 10 runs of a three-year case")
    fallen = [k for k, g in m.governments.items() if g.terms_in_office]
    assert fallen
    entry = _falls(m)[0]
    name = scenario.actors[fallen[0]].name
    assert f"the government of {name} falls" in entry.reason
    assert any(p["text"] == entry.reason for p in m.turning_points)


def test_switched_off_nobody_falls_and_every_choice_is_drawn_the_same_until_the_first_fall():
    """Common random numbers: falls use their own stream, so the runs with and without them are
    the same until the first fall."""
    fell = 0
    for seed in range(6):
        a, b = _finished(seed), _finished(seed, NO_FALLS)
        assert not _falls(b)
        falls = _falls(a)
        if not falls:
            assert a.log == b.log
            continue
        fell += 1
        first = falls[0].hours
        assert [e for e in a.log if e.hours < first] == [e for e in b.log if e.hours < first]
    assert fell > 0


def test_without_falls_a_long_crisis_ends_less_often_within_three_years():
    """The direction theory gives (marinov2005, croco2011): a crisis that no government's pain
    ends is ended by new governments; without them more runs stay undecided.
    Power: with 20 runs an arm, the assertion holds with probability ≥ 0.998 if the true shares decided
    are 0.75 and 0.10 (15 and 2 of 20, measured on 2026-12-06), and holds with probability ≤ 0.04 when
    there is no effect."""
    decided_on = sum(_finished(s).issues[0].decided is not None for s in range(20))
    decided_off = sum(_finished(s, NO_FALLS).issues[0].decided is not None for s in range(20))
    assert decided_on > decided_off + 5


# --------------------------------------------------------------------------
# A sender's attention fades unless it renews its demand (docs/model.md §7.24, downs1972)
# --------------------------------------------------------------------------


def test_attention_halves_every_half_life_and_is_whole_when_switched_off():
    from crisis_sim.core.dynamics import attention

    assert attention(0.0, 365.0) == 1.0
    assert attention(365 * 24.0, 365.0) == pytest.approx(0.5)
    assert attention(2 * 365 * 24.0, 365.0) == pytest.approx(0.25)
    assert attention(10 * 365 * 24.0, 0.0) == 1.0


def test_a_threat_or_an_imposition_renews_the_demand():
    """In the first of seeds 0-9 in which the sender imposes a measure after the opening, its
    attention is renewed at that hour."""
    scenario = _long_case()
    for seed in range(10):
        m = CrisisModel(scenario, seed, agent_records=False)

        def imposed_later(model: CrisisModel = m) -> bool:
            return any(ms.state.value == "imposed" and (ms.imposed_at or 0.0) > 0
                       for ms in model.measures.values())

        while m.running and not imposed_later():
            m.step()
        if imposed_later():
            break
    imposed = max(ms.imposed_at or 0.0 for ms in m.measures.values())
    assert imposed > 0 and m.issues[0].renewed_at == imposed


@pytest.mark.xfail(strict=True, reason=(
    "measured miss on the fitted defaults (docs/calibration.md): China-Australia, seeds 0-29, the "
    "sender climbs down in 8 runs with its attention fading and in 8 without; on the former defaults "
    "the fading added at least 3"))
def test_without_fading_attention_the_sender_climbs_down_less_often():
    """downs1972: a demand nobody presses loses its place; with its attention fading a sender
    whose measures cost it something withdraws in more runs of a three-year case than one whose
    stake stays whole (governments falling in both arms, same seeds).
    Power: with 30 runs an arm, the assertion holds with probability ≤ 0.23 if the true shares are 8/30
    in both arms (measured on 2026-12-06), so it fails as marked about three times in four over fresh
    seeds."""
    from crisis_sim.core.types import Outcome

    backs = [sum(_finished(seed, *arm).issues[0].decided is Outcome.INITIATOR_BACKS_DOWN
                 for seed in range(30))
             for arm in ((), (NO_FADING,))]
    assert backs[0] >= backs[1] + 3, backs
