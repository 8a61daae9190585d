"""Content, not spelling, seeds a run (:mod:`crisis_sim.core.canonical`).

A scenario file whose mapping keys are written in another order, at any depth,
or whose integral numbers are written as floats, says the same thing: it must
hash the same, give every government the same random stream, and give
byte-identical outputs. Hypothesis draws a permutation of the keys of every
mapping of a bundled scenario or a case and compares. The run comparison uses
the bundled scenarios (short horizons); for the back-test cases, whose runs last
three simulated years, the comparison is of everything a run is seeded from
(the scenario hash and each government's stream digest).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crisis_sim.core.canonical import canonical_json, normalised
from crisis_sim.core.model import actor_streams
from crisis_sim.core.schema import Scenario
from crisis_sim.runs.single_run import run_scenario
from crisis_sim.scenario import bundled_scenarios
from crisis_sim.scenario.files import read_yaml

CASES = sorted(p for p in (Path(__file__).parents[1] / "cases").glob("*.yaml"))
BUNDLED = sorted(bundled_scenarios().items())


def shuffled(value, draw_permutation):
    """``value`` with every mapping's keys in an order drawn by ``draw_permutation`` (at every depth)."""
    if isinstance(value, dict):
        keys = draw_permutation(list(value))
        return {k: shuffled(value[k], draw_permutation) for k in keys}
    if isinstance(value, list):
        return [shuffled(item, draw_permutation) for item in value]
    return value


def floated(value):
    """``value`` with every int (not bool) written as a float: ``24`` as ``24.0``."""
    if isinstance(value, dict):
        return {k: floated(v) for k, v in value.items()}
    if isinstance(value, list):
        return [floated(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def outputs(scenario: Scenario, seed: int) -> tuple[str, str, str, str]:
    result = run_scenario(scenario, seed)
    return (result.model_frame.to_csv(index=False), result.actor_frame.to_csv(index=False),
            "\n".join(map(repr, result.events)), canonical_json(result.outcome))


def test_the_canonical_form_sorts_keys_at_every_depth_and_normalises_numbers():
    a = {"b": [{"y": 1.0, "x": 2.5}], "a": {"d": True, "c": 24}}
    b = {"a": {"c": 24.0, "d": True}, "b": [{"x": 2.5, "y": 1}]}
    assert canonical_json(a) == canonical_json(b) == '{"a":{"c":24,"d":true},"b":[{"x":2.5,"y":1}]}'
    assert normalised([True, 1.0, 0.5]) == [True, 1, 0.5]
    assert canonical_json({"a": [1, 2]}) != canonical_json({"a": [2, 1]})  # a list's order is content


@pytest.mark.parametrize("path", CASES + [p for _, p in BUNDLED], ids=lambda p: p.stem)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_reordered_keys_give_the_same_hash_and_the_same_streams(path, data):
    raw = read_yaml(path)
    original = Scenario.model_validate(raw)
    permute = lambda keys: data.draw(st.permutations(keys))  # noqa: E731
    respelled = Scenario.model_validate(shuffled(raw, permute))
    assert respelled.content_hash() == original.content_hash()
    assert actor_streams(respelled) == actor_streams(original)


@pytest.mark.parametrize("name", [n for n, _ in BUNDLED])
@settings(max_examples=3, deadline=None)
@given(data=st.data(), seed=st.integers(0, 2**16))
def test_reordered_keys_and_float_spelling_give_byte_identical_runs(name, data, seed):
    raw = read_yaml(dict(BUNDLED)[name])
    original = Scenario.model_validate(raw)
    permute = lambda keys: data.draw(st.permutations(keys))  # noqa: E731
    respelled = Scenario.model_validate(floated(shuffled(raw, permute)))
    assert respelled.content_hash() == original.content_hash()
    assert outputs(respelled, seed) == outputs(original, seed)


@pytest.mark.parametrize("name", ["us_colombia_2025", "chicken_audience_costs"])
def test_another_policy_keeps_a_governments_stream_so_policies_compare_on_common_draws(name):
    """A government's stream derives from its description without its policy: given another
    policy, or other policy parameters, it draws the same resolve in every run."""
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.scenario import load_scenario

    base = load_scenario(name)
    key = sorted(base.actors)[0]
    other = load_scenario(name, [f"actors.{key}.policy.name=appeaser", f"actors.{key}.policy.params={{}}"])
    assert other.actors[key].policy != base.actors[key].policy
    for seed in range(5):
        a, b = CrisisModel(base, seed), CrisisModel(other, seed)
        resolve = {k: g.resolve for k, g in a.governments.items()}
        assert resolve == {k: g.resolve for k, g in b.governments.items()}
