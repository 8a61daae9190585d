"""The model: reproducibility, exact horizons, invariants, and the pure dynamics."""

from __future__ import annotations

import numpy as np
import pytest

from crisis_sim.core.dynamics import (
    audience_cost,
    draw_resolve,
    rate_at,
)
from crisis_sim.runs.single_run import run_model, run_scenario
from crisis_sim.scenario import load_scenario

NOISY = ["decision_noise=0.03"]  # enough noise that seeds differ in choices too


def _fingerprint(result) -> tuple[str, str, str, str]:
    return (
        result.model_frame.to_csv(index=False),
        result.actor_frame.to_csv(index=False),
        repr(result.events),
        repr(result.outcome),
    )


def test_same_seed_gives_byte_identical_trajectories_events_and_outcome():
    scenario = load_scenario("us_colombia_2025", NOISY)
    assert _fingerprint(run_scenario(scenario, 42)) == _fingerprint(run_scenario(scenario, 42))


def test_different_seeds_differ():
    scenario = load_scenario("us_colombia_2025", NOISY)
    prints = {_fingerprint(run_scenario(scenario, seed))[1] for seed in range(5)}
    assert len(prints) == 5  # private resolve draws alone differ by seed


@pytest.mark.parametrize("rounds", [1, 7, 50])
def test_runs_exactly_the_rounds_asked_when_not_stopping_early(rounds):
    scenario = load_scenario("us_colombia_2025", [f"rounds={rounds}", "stop_when_settled=false"])
    result = run_scenario(scenario, 0)
    assert result.rounds_run == rounds
    assert list(result.model_frame["round"]) == list(range(rounds + 1))  # round 0 is the opening
    assert not result.stopped_early


def test_stops_early_once_settled_and_says_so():
    result = run_scenario(load_scenario("us_colombia_2025"), 0)
    assert result.stopped_early and result.outcome["stopped_early"]
    assert result.outcome["settled"]
    assert result.rounds_run < 240
    assert len(result.model_frame) == result.rounds_run + 1


@pytest.mark.parametrize("name", ["us_colombia_2025", "us_colombia_2025_firm",
                                  "deportations_2025_region"])
def test_invariants_hold_every_round(name):
    scenario = load_scenario(name, ["rounds=120", "stop_when_settled=false"])
    result = run_scenario(scenario, 5)
    frame, actors = result.model_frame, result.actor_frame
    assert actors["approval"].between(0, 1).all()
    for actor, costs in actors.groupby("actor")["cost_usd_bn"]:
        assert (np.diff(costs.to_numpy()) >= -1e-12).all(), f"{actor}: cost fell"
    total = sum(i.deportees_pending for i in scenario.issues)
    assert (frame["deportees_returned"] + frame["deportees_pending"] == total).all()
    assert frame["escalation"].between(0, 5).all()
    assert frame["relations"].between(0, 1).all()
    beliefs = actors.filter(like="belief_")
    # a probability; after a long standoff the mass on one side of 0.5 can fall below a
    # double's resolution next to 1, so 1.0 itself is a belief the floats can state
    assert ((beliefs.isna()) | ((beliefs > 0) & (beliefs <= 1))).all().all()


def test_measures_cost_only_when_imposed():
    """Threatened measures cost nothing; imposed ones cost both sides."""
    threatened = run_scenario(load_scenario("us_colombia_2025"), 0)
    tariff = threatened.model_frame["rate_us_tariff"]
    assert (tariff == 0).all()
    hard = load_scenario("us_colombia_2025", [
        "actors.united_states.policy.name=hardliner", "actors.united_states.policy.params={}",
        "actors.colombia.policy.name=hardliner", "actors.colombia.policy.params={}",
        "rounds=80"])
    result = run_scenario(hard, 0)
    rates = result.model_frame["rate_us_tariff"]
    assert rates.max() == pytest.approx(0.5)  # the schedule stepped up to 50%
    assert result.outcome["costs_usd_bn"]["colombia"] > result.outcome["costs_usd_bn"]["united_states"] > 0


# ------------------------------------------------------------------- dynamics


def test_graduated_schedule_steps_up_after_seven_days():
    steps = [(0.0, 0.25), (7.0, 0.5)]
    assert rate_at(steps, 0.0) == 0.25
    assert rate_at(steps, 6.99) == 0.25
    assert rate_at(steps, 7.0) == 0.5
    assert rate_at(steps, 1.0, forced_steps=1) == 0.5
    assert rate_at(steps, 1.0, forced_steps=5) == 0.5


def test_audience_cost_grows_with_the_age_of_the_commitment():
    young = audience_cost(0.5, 0.15, True, 1.0, 2.0)
    old = audience_cost(0.5, 0.15, True, 48.0, 2.0)
    assert 0 < young < old == pytest.approx(0.5 * 0.15)
    assert audience_cost(0.5, 0.15, False, 48.0, 2.0) == 0.0


def test_resolve_draws_have_the_asked_mean():
    rng = np.random.default_rng(1)
    draws = [draw_resolve(rng, 0.7, 0.1) for _ in range(4000)]
    assert np.mean(draws) == pytest.approx(0.7, abs=0.01)
    assert np.std(draws) == pytest.approx(0.1, abs=0.01)
    assert draw_resolve(rng, 0.7, 0.0) == 0.7
    assert draw_resolve(rng, 0.6, 2.2e-309) == 0.6  # sd squared underflows to 0: no Beta to draw from


def test_model_uses_only_its_own_generator():
    """Two models built with the same seed draw the same private resolve."""
    scenario = load_scenario("us_colombia_2025")
    a, b = run_model(scenario, 9), run_model(scenario, 9)
    assert [g.resolve for g in a.governments.values()] == [g.resolve for g in b.governments.values()]


@pytest.mark.parametrize("name", ["us_colombia_2025", "deportations_2025_region"])
def test_round_collector_keeps_what_mesas_data_collector_keeps(name, monkeypatch):
    """Skipping Mesa's per-value copy changes nothing collected; so does leaving out agent records."""
    import mesa
    import pandas as pd

    import crisis_sim.core.model

    scenario = load_scenario(name, NOISY)
    ours = run_model(scenario, 5)
    lean = run_model(scenario, 5, agent_records=False)
    monkeypatch.setattr(crisis_sim.core.model, "RoundCollector", mesa.DataCollector)
    theirs = run_model(scenario, 5)
    assert type(theirs.datacollector) is mesa.DataCollector
    def as_lists(model):
        return {name: list(values) for name, values in model.datacollector.model_vars.items()}

    assert as_lists(ours) == as_lists(theirs) == as_lists(lean)
    pd.testing.assert_frame_equal(
        ours.datacollector.get_model_vars_dataframe(), theirs.datacollector.get_model_vars_dataframe()
    )
    assert len(ours.datacollector.model_vars["round"]) == ours.round + 1
    # numbers are stored 8 bytes a value; text stays a list
    stored = {name: type(values).__name__ for name, values in ours.datacollector.model_vars.items()}
    assert stored["round"] == stored["hours"] == stored["escalation"] == "array"
    assert stored["clock"] == "list"
    pd.testing.assert_frame_equal(
        ours.datacollector.get_agent_vars_dataframe(), theirs.datacollector.get_agent_vars_dataframe()
    )
    assert not lean.datacollector.agent_reporters


def test_round_collector_reads_back_every_value_as_reported():
    """Compact storage is only a storage: ints, floats, None, bools, text and huge ints read back as given."""
    import mesa
    import pandas as pd

    from crisis_sim.core.outcomes import RoundCollector

    series = {
        "ints": [0, 1, 2, 3],
        "ints_then_floats": [0, 1, 2.5, 3],
        "floats_then_ints": [0.5, 1, 2, 3.5],
        "floats": [0.5, 1.0, 2.0, 3.25],
        "floats_then_none": [0.5, 1.5, None, 2.0],
        "ints_then_bool": [1, 0, True, 2],
        "text": ["a", "b", "c", "d"],
        "huge": [1, 2**70, 3, 4],
    }

    class Ticker(mesa.Model):
        tick = 0

    def collected(collector_class):
        model = Ticker()
        collector = collector_class(
            model_reporters={name: (lambda m, v=values: v[m.tick]) for name, values in series.items()}
        )
        for model.tick in range(4):
            collector.collect(model)
        return collector

    ours, theirs = collected(RoundCollector), collected(mesa.DataCollector)
    for name in series:
        assert list(ours.model_vars[name]) == theirs.model_vars[name], name
        if name != "floats_then_ints":  # there, ints read back as floats (as pandas reads them)
            as_given = [(type(v), v) for v in theirs.model_vars[name]]
            assert [(type(v), v) for v in ours.model_vars[name]] == as_given, name
    pd.testing.assert_frame_equal(ours.get_model_vars_dataframe(), theirs.get_model_vars_dataframe())
    kinds = {name: type(values).__name__ for name, values in ours.model_vars.items()}
    assert kinds["ints"] == kinds["floats"] == kinds["floats_then_ints"] == "array"
    assert kinds["ints_then_floats"] == kinds["text"] == kinds["huge"] == kinds["floats_then_none"] == "list"
