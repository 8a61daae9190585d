"""Property-based tests (Hypothesis): scenario round-trips, validation that fails only
with ScenarioError, ``set_path`` and sweep parsing, and model invariants over random
seeds and perturbed bundled scenarios. Kept small (``max_examples``) to run in seconds.
"""

from __future__ import annotations

import copy
import itertools
import math
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.outcomes import escalation_level
from crisis_sim.scenario import (
    ScenarioError,
    bundled_scenarios,
    load_scenario,
    read_yaml,
    set_path,
    validate_data,
)
from crisis_sim.scenario.sweeps import parse_sweep

BUNDLED = sorted(bundled_scenarios())
RAW = {name: read_yaml(path) for name, path in bundled_scenarios().items()}
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------
# Valid numeric perturbations of a scenario
# --------------------------------------------------------------------------

FRACTIONS = ("approval", "audience_cost", "dignity", "risk_tolerance")


def _numeric_paths(data: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    """(path, lo, hi, integer) for numeric fields whose valid range is known."""
    paths = []
    for key, actor in data["actors"].items():
        for field in FRACTIONS:
            if field in actor:
                paths.append((f"actors.{key}.{field}", 0.0, 1.0, False))
        paths.append((f"actors.{key}.resolve.mean", 0.0, 1.0, False))
        paths.append((f"actors.{key}.resolve.sd", 0.0, 0.5, False))
        paths.append((f"actors.{key}.gdp_usd_bn", 1.0, 50_000.0, False))
    for i, _ in enumerate(data.get("trade", [])):
        paths.append((f"trade.{i}.usd_bn", 0.01, 1_000.0, False))
    for key, measure in data.get("measures", {}).items():
        for j, _ in enumerate(measure["schedule"]):
            paths.append((f"measures.{key}.schedule.{j}.rate", 0.0, 5.0, False))
        if "coverage" in measure:
            paths.append((f"measures.{key}.coverage", 0.0, 1.0, False))
    for i, _ in enumerate(data["issues"]):
        paths.append((f"issues.{i}.deportees_pending", 0, 2_000, True))
        paths.append((f"issues.{i}.deportees_per_flight", 1, 300, True))
        paths.append((f"issues.{i}.flights_per_day", 0.1, 10.0, False))
    paths.append(("decision_noise", 0.0, 0.2, False))
    return paths


@st.composite
def valid_mutation(draw, name: str | None = None, rounds: int | None = None) -> dict[str, Any]:
    """A bundled scenario's raw data with a few numbers changed within their ranges."""
    name = name or draw(st.sampled_from(BUNDLED))
    data = copy.deepcopy(RAW[name])
    paths = _numeric_paths(data)
    for path, lo, hi, integer in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=5)):
        value = draw(st.integers(lo, hi) if integer else st.floats(lo, hi, allow_nan=False))
        set_path(data, path, value)
    if rounds is not None:
        data["rounds"] = rounds
    return data


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", BUNDLED)
def test_a_bundled_scenario_round_trips_through_yaml(name):
    scenario = load_scenario(name)
    again = validate_data(yaml.safe_load(scenario.to_yaml()), "again")
    assert again.content_hash() == scenario.content_hash()
    assert again == scenario


@FAST
@given(valid_mutation())
def test_a_valid_mutation_round_trips_through_yaml(data):
    scenario = validate_data(data, "mutated")
    again = validate_data(yaml.safe_load(scenario.to_yaml()), "again")
    assert again.content_hash() == scenario.content_hash()


@FAST
@given(valid_mutation(name="us_colombia_2025"))
def test_a_changed_number_changes_the_hash_unless_it_is_the_same(data):
    scenario = validate_data(data, "mutated")
    original = load_scenario("us_colombia_2025")
    same = scenario.model_dump(mode="json") == original.model_dump(mode="json")
    assert (scenario.content_hash() == original.content_hash()) == same


# --------------------------------------------------------------------------
# Junk anywhere gives ScenarioError, nothing else
# --------------------------------------------------------------------------


def _all_paths(node: Any, prefix: str = "") -> list[str]:
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        out.append(path)
        out.extend(_all_paths(child, path))
    return out


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, -1, 10**9, 1e308, -0.0]),
    st.text(max_size=30),
    st.just("x" * 100_000),
    st.lists(st.lists(st.integers(), max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.sampled_from(["2025-13-45", "nonesuch", "", "ÆØÅ", "1e999"]),
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(BUNDLED), st.data())
def test_junk_at_any_path_raises_only_scenario_error(name, data):
    raw = copy.deepcopy(RAW[name])
    path = data.draw(st.sampled_from(_all_paths(raw)), label="path")
    junk = data.draw(JUNK, label="junk")
    set_path(raw, path, junk)
    try:
        validate_data(raw, "junk")
    except ScenarioError as exc:
        assert exc.problems and all(line.startswith("junk: ") for line in exc.problems)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(BUNDLED), st.data())
def test_a_number_out_of_its_range_is_a_scenario_error(name, data):
    raw = copy.deepcopy(RAW[name])
    path, lo, hi, _ = data.draw(st.sampled_from(_numeric_paths(raw)), label="field")
    bad = data.draw(st.one_of(
        st.floats(max_value=lo, exclude_max=True, allow_nan=False, allow_infinity=False),
        st.floats(min_value=max(hi, 5.0 if "rate" in path else hi), exclude_min=True,
                  allow_nan=False, allow_infinity=False),
        st.just(math.nan),
    ).filter(lambda v: not (lo <= v <= hi) or math.isnan(v)), label="value")
    if path.endswith("gdp_usd_bn") or path.endswith("usd_bn") or path.endswith("flights_per_day"):
        assume(bad <= 0 or math.isnan(bad))  # only the lower bound is the schema's
    if path.endswith(("deportees_pending", "deportees_per_flight")):
        assume(bad < lo)
    if path == "decision_noise" or path.endswith("gdp_usd_bn"):
        assume(bad < 0 or math.isnan(bad))
    set_path(raw, path, bad)
    with pytest.raises(ScenarioError) as info:
        validate_data(raw, "bad")
    assert any(path in line for line in info.value.problems), info.value.problems


# --------------------------------------------------------------------------
# set_path
# --------------------------------------------------------------------------

LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=10),
                 st.floats(allow_nan=False))


@FAST
@given(st.sampled_from(BUNDLED), st.data(), LEAF)
def test_set_then_read_gives_the_value(name, data, value):
    raw = copy.deepcopy(RAW[name])
    path = data.draw(st.sampled_from(_all_paths(raw)), label="path")
    set_path(raw, path, value)
    node: Any = raw
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    assert node == value


@FAST
@given(st.sampled_from(BUNDLED), st.data(), st.from_regex(r"[a-z]{3,8}", fullmatch=True))
def test_a_missing_parent_is_a_key_error(name, data, missing):
    raw = copy.deepcopy(RAW[name])
    parents = [p for p in _all_paths(raw) if isinstance(_get(raw, p), dict)]
    parent = data.draw(st.sampled_from(["", *parents]), label="parent")
    assume(missing not in (_get(raw, parent) if parent else raw))
    before = copy.deepcopy(raw)
    path = f"{parent}.{missing}.leaf" if parent else f"{missing}.leaf"
    with pytest.raises(KeyError):
        set_path(raw, path, 1)
    assert raw == before


@FAST
@given(st.sampled_from(BUNDLED), st.data(), st.integers(min_value=0, max_value=50))
def test_a_list_index_out_of_range_is_a_key_error(name, data, extra):
    raw = copy.deepcopy(RAW[name])
    lists = [p for p in _all_paths(raw) if isinstance(_get(raw, p), list)]
    parent = data.draw(st.sampled_from(lists), label="list")
    index = len(_get(raw, parent)) + extra
    before = copy.deepcopy(raw)
    with pytest.raises(KeyError):
        set_path(raw, f"{parent}.{index}", 1)
    with pytest.raises(KeyError):
        set_path(raw, f"{parent}.{index}.x", 1)
    assert raw == before


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


# --------------------------------------------------------------------------
# Sweep parsing
# --------------------------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(st.integers(-1000, 1000), st.integers(1, 2000), st.integers(2, 12), st.integers(0, 3))
def test_lo_hi_n_gives_n_sorted_values_ends_included(lo_units, width_units, n, decimals):
    scale = 10**decimals
    lo, hi = lo_units / scale, (lo_units + width_units) / scale
    assume(width_units >= n)  # distinct after rounding
    lo_text, hi_text = f"{lo:.{decimals}f}", f"{hi:.{decimals}f}"
    sweep = parse_sweep(f"actors.a.resolve.mean={lo_text}:{hi_text}:{n}")
    values = list(sweep.values)
    assert sweep.path == "actors.a.resolve.mean"
    assert len(values) == n
    assert values == sorted(values) and len(set(values)) == n
    assert values[0] == pytest.approx(lo, abs=1e-12) and values[-1] == pytest.approx(hi, abs=1e-12)
    steps = [b - a for a, b in itertools.pairwise(values)]
    assert max(steps) - min(steps) == pytest.approx(0, abs=1e-9 * max(1.0, abs(hi)))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(-10**6, 10**6),
                          st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True)
                          .filter(lambda s: s not in ("true", "false", "null", "yes", "no",
                                                      "on", "off", "y", "n"))),
                min_size=1, max_size=6, unique_by=str))
def test_a_list_gives_those_values_in_order(values):
    assume(len({str(v) for v in values}) == len(values))
    sweep = parse_sweep("rounds=" + ",".join(str(v) for v in values))
    assert list(sweep.values) == values


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=6).filter(lambda v: len(set(v)) < len(v)))
def test_a_value_given_twice_is_a_scenario_error(values):
    with pytest.raises(ScenarioError, match="twice"):
        parse_sweep("rounds=" + ",".join(map(str, values)))


# --------------------------------------------------------------------------
# Model invariants
# --------------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(BUNDLED).flatmap(lambda n: valid_mutation(name=n, rounds=40)),
       st.integers(0, 2**32 - 1))
def test_model_invariants_hold_every_round(data, seed):
    scenario = validate_data(data, "perturbed")
    model = CrisisModel(scenario, seed=seed)
    initial = [issue.pending for issue in model.issues]
    costs = dict.fromkeys(model.governments, 0.0)
    for _ in range(scenario.rounds):
        if not model.running:
            break
        model.step()
        for key, gov in model.governments.items():
            assert 0.0 <= gov.approval <= 1.0, (key, gov.approval)
            assert 0.0 <= gov.resolve <= 1.0, (key, gov.resolve)
            assert gov.cost_usd_bn >= costs[key], (key, gov.cost_usd_bn, costs[key])
            costs[key] = gov.cost_usd_bn
            for other, belief in gov.beliefs.items():
                assert 0.0 <= belief <= 1.0, (key, other, belief)
        for other, grid in model.public_beliefs.items():  # a distribution over the resolve bins
            assert all(p >= 0.0 for p in grid) and sum(grid) == pytest.approx(1.0), (other, grid)
        for issue, start in zip(model.issues, initial, strict=True):
            assert issue.returned + issue.pending == start
            assert issue.returned >= 0 and issue.pending >= 0
        level = escalation_level(model)
        assert level in range(6)
        assert 0.0 <= model.relations <= 1.0
        for m in model.measures.values():
            assert m.furthest >= m.state or m.state.name in ("SUSPENDED", "LIFTED")
