"""Quiet blocks (core/advance.py) play a crisis as turn-by-turn play does.

Three claims: a tolerance of 0 is turn-by-turn play itself; as the tolerance goes to 0 the
runs become those of turn-by-turn play, seed by seed; and at the default tolerance an
ensemble's outcome shares are those of turn-by-turn play (benchmarks/bench_time_advance.py
makes the full comparison, every scenario and case).
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from crisis_sim.core.advance import QUIET_TOLERANCE, QuietBlocks
from crisis_sim.core.model import CrisisModel
from crisis_sim.scenario import load_scenario


def _run(scenario, seed: int, tolerance: float) -> CrisisModel:
    model = CrisisModel(scenario, seed, agent_records=False, quiet_tolerance=tolerance)
    for _ in range(scenario.rounds):
        if not model.running:
            break
        model.step()
    return model


def _outcomes(model: CrisisModel) -> list[tuple]:
    return [(o["outcome"], o["decided_at_hours"]) for o in model.final_outcomes()]


def test_a_tolerance_of_zero_reads_every_turn():
    scenario = load_scenario("us_colombia_2025_firm")
    model = _run(scenario, 3, 0.0)
    assert model.quiet.turns_reused == 0 and model.quiet.blocks == 0


def test_blocks_are_used_at_the_default_tolerance():
    scenario = load_scenario("us_colombia_2025_firm")
    assert sum(_run(scenario, seed, QUIET_TOLERANCE).quiet.turns_reused for seed in range(5)) > 0


def test_one_seed_fixes_a_run_with_blocks():
    scenario = load_scenario("us_colombia_2025_firm")
    seed = next(s for s in range(50) if _run(scenario, s, 0.1).quiet.turns_reused > 0)  # a run with blocks
    first, second = (_run(scenario, seed, 0.1) for _ in range(2))
    assert first.quiet.turns_reused > 0
    frames = [m.datacollector.get_model_vars_dataframe() for m in (first, second)]
    assert frames[0].equals(frames[1])
    assert first.log == second.log


def test_a_negative_tolerance_is_refused():
    with pytest.raises(ValueError):
        QuietBlocks(object(), -0.1)


def test_the_runs_converge_to_turn_by_turn_play_as_the_tolerance_goes_to_zero():
    """A sweep of the tolerance down to 0: the seeds whose record differs from turn-by-turn
    play never grow in number as it shrinks, and at 0 there are none (the same records to the
    last bit); blocks are used at every tolerance above 0. (How many turns are reused is not
    monotone in the tolerance: a run that a looser tolerance ends sooner has fewer turns to
    reuse.)"""
    scenario = load_scenario("us_colombia_2025_firm")
    seeds = range(12)
    fixed = {s: _run(scenario, s, 0.0) for s in seeds}
    frames = {s: m.datacollector.get_model_vars_dataframe() for s, m in fixed.items()}
    differing, reused = [], []
    for tolerance in (0.1, 0.01, 1e-4, 1e-8, 0.0):
        runs = {s: _run(scenario, s, tolerance) for s in seeds}
        differing.append(sum(not runs[s].datacollector.get_model_vars_dataframe().equals(frames[s])
                             or _outcomes(runs[s]) != _outcomes(fixed[s]) for s in seeds))
        reused.append(sum(m.quiet.turns_reused for m in runs.values()))
    assert differing == sorted(differing, reverse=True)
    assert differing[-1] == 0
    assert all(r > 0 for r in reused[:-1]) and reused[-1] == 0


@pytest.mark.parametrize("name", ["chicken_audience_costs", "us_colombia_2025_firm"])
def test_outcome_shares_are_those_of_turn_by_turn_play(name):
    """60 seeds each way, the same seeds (paired: each seed's run under both).

    Unpaired, the shares must lie within two standard errors of their difference; with 60
    runs a side that is about ±18 points at a share of one half, so this check alone
    finds only a gross shift (power about one half against an 18-point shift). The paired
    check is the sharp one: per outcome, the seeds that have it under one play and not the
    other (b one way, c the other) must balance as McNemar's test asks, |b − c| ≤ 2·sqrt(b + c)
    (about 95 %); a shift of 5 seeds of 60 all one way (8 points) fails it, and with changed
    seeds both ways, 8 one way against 1 the other (|7| > 2·3). The median decision hour must
    lie within one turn.
    Power: with 60 runs an arm, the assertion holds with probability 1.0 if the true shares are those
    measured on 2026-12-06 (both plays give the same ending in every seed: chicken 11 / 28 / 11 / 10, the
    firm what-if 60 back-downs, no discordant seed), and the unpaired check fails with probability ≤ 0.19
    when there is no effect (chicken, arms taken as independent; the pairing makes it rarer)."""
    scenario = load_scenario(name)
    seeds = range(60)
    fixed = {s: _outcomes(_run(scenario, s, 0.0)) for s in seeds}
    jump = {s: _outcomes(_run(scenario, s, QUIET_TOLERANCE)) for s in seeds}
    n = sum(len(v) for v in fixed.values())
    shares_fixed = Counter(o for v in fixed.values() for o, _ in v)
    shares_jump = Counter(o for v in jump.values() for o, _ in v)
    for outcome in set(shares_fixed) | set(shares_jump):
        p1, p2 = shares_fixed[outcome] / n, shares_jump[outcome] / n
        se = math.sqrt(p1 * (1 - p1) / n + p2 * (1 - p2) / n)
        assert abs(p1 - p2) <= 2 * se or p1 == p2, (outcome, p1, p2)
        b = sum(outcome in [o for o, _ in fixed[s]] and outcome not in [o for o, _ in jump[s]] for s in seeds)
        c = sum(outcome in [o for o, _ in jump[s]] and outcome not in [o for o, _ in fixed[s]] for s in seeds)
        assert abs(b - c) <= 2 * math.sqrt(b + c), (outcome, b, c)
    hours_fixed = sorted(h for v in fixed.values() for _, h in v if h is not None)
    hours_jump = sorted(h for v in jump.values() for _, h in v if h is not None)
    turn = scenario.round_hours / math.ceil(scenario.round_hours / 3.0 - 1e-9)
    assert abs(hours_fixed[len(hours_fixed) // 2] - hours_jump[len(hours_jump) // 2]) <= turn



def _every_scenario_and_case() -> list:
    from crisis_sim.experiments.backtest.run import load_cases
    from crisis_sim.scenario.files import bundled_scenarios, installed_cases

    cases = [s for _, s in load_cases(installed_cases())]
    return [load_scenario(n) for n in sorted(bundled_scenarios())] + cases


def test_a_block_opens_on_its_state_until_the_next_hour_anything_falls_due(monkeypatch):
    """Where ``steady_until`` says nothing can fall due, the turns of a block are not read again:
    read anyway (``CHECK_STEADY``), the state, the events due and the proposals that lapse are
    exactly those of the block's first turn, in every bundled scenario and case, two seeds each;
    and most quiet turns of the long cases are such turns."""
    from crisis_sim.core import advance

    monkeypatch.setattr(advance, "CHECK_STEADY", True)
    steady = reused = 0
    for scenario in _every_scenario_and_case():
        for seed in range(2):
            model = _run(scenario, seed, QUIET_TOLERANCE)
            steady, reused = steady + model.quiet.turns_steady, reused + model.quiet.turns_reused
    assert steady > 0.8 * reused


def test_turns_not_read_again_change_nothing(monkeypatch):
    """The same runs, bit for bit (trajectories and logs), with every turn of a block read again
    (``steady_until`` saying a step may come at once): not reading them is a saving, not a model."""
    from crisis_sim.core import advance

    scenario = next(s for s in _every_scenario_and_case() if s.name == "saudi_canada_2018")
    skipping = [_run(scenario, seed, QUIET_TOLERANCE) for seed in range(3)]
    assert all(m.quiet.turns_steady > 100 for m in skipping)
    monkeypatch.setattr(advance, "steady_until", lambda model: -math.inf)
    reading = [_run(scenario, seed, QUIET_TOLERANCE) for seed in range(3)]
    assert all(m.quiet.turns_steady == 0 for m in reading)
    for a, b in zip(skipping, reading, strict=True):
        assert a.datacollector.get_model_vars_dataframe().equals(b.datacollector.get_model_vars_dataframe())
        assert a.log == b.log


def test_a_schedule_that_steps_up_in_a_standoff_ends_the_stretch_not_read_again(monkeypatch):
    """A small tariff in force from the start that triples after ten days, against a hardliner
    that holds out: the turns after the step open on the new rate, read again (``CHECK_STEADY``
    fails the run if a turn not read had stepped), while most quiet turns were not read."""
    from crisis_sim.core import advance
    from crisis_sim.scenario.files import validate_data

    tariff = {"label": "A tariff", "kind": "tariff", "imposer": "sender", "target": "receiver",
              "schedule": [{"after_days": 0, "rate": 0.01}, {"after_days": 10, "rate": 0.03}],
              "in_force_at_start": True}

    def actor(role: str, policy: str) -> dict:
        return {"name": role.title(), "role": role, "gdp_usd_bn": 300, "approval": 0.5,
                "audience_cost": 0.3, "dignity": 0.5, "resolve": {"mean": 0.9, "sd": 0.05},
                "policy": {"name": policy}}

    scenario = validate_data({
        "name": "step", "title": "A step", "start": "2025-01-01T00:00:00+00:00", "round_hours": 24,
        "rounds": 30, "actors": {"sender": actor("initiator", "expected_utility"),
                                 "receiver": actor("target", "hardliner")},
        "trade": [{"exporter": "receiver", "importer": "sender", "usd_bn": 1}],
        "measures": {"tariff": tariff},
        "issues": [{"sender": "sender", "receiver": "receiver", "deportees_pending": 1,
                    "deportees_per_flight": 1, "flights_per_day": 1}],
    }, "test")
    monkeypatch.setattr(advance, "CHECK_STEADY", True)
    standoffs = [m for m in (_run(scenario, seed, QUIET_TOLERANCE) for seed in range(2))
                 if m.final_outcomes()[0]["outcome"] == "standoff"]
    assert standoffs and all(m.measures["tariff"].rate == 0.03 for m in standoffs)  # the step came
    assert all(m.quiet.turns_steady > 0.8 * m.quiet.turns_reused for m in standoffs)
