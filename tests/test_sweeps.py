"""Sweeps: parsing ``--sweep`` flags, the grid and its labels, validating every point."""

from __future__ import annotations

import pytest

from crisis_sim.scenario import ScenarioError, validate_data
from crisis_sim.scenario.sweeps import (
    Sweep,
    column_type,
    grid,
    missing_field,
    parse_sweep,
    parse_sweeps,
    point_data,
    point_scenarios,
    value_text,
)


def test_a_list_of_values_is_parsed_as_yaml() -> None:
    sweep = parse_sweep("actors.receiver.resolve.mean=0.2, 0.5,1")
    assert sweep == Sweep("actors.receiver.resolve.mean", (0.2, 0.5, 1))
    assert parse_sweep("issues.0.face_saving=true,false").values == (True, False)
    assert parse_sweep("actors.receiver.policy=appeaser,tit_for_tat").values == ("appeaser", "tit_for_tat")


def test_lo_hi_n_is_evenly_spaced_without_binary_noise() -> None:
    assert parse_sweep("x=0.1:0.5:5").values == (0.1, 0.2, 0.3, 0.4, 0.5)
    assert parse_sweep("x=0:1:3").values == (0.0, 0.5, 1.0)
    assert parse_sweep("rounds=10:30:3").values == (10, 20, 30)  # whole numbers stay whole
    assert parse_sweep("x=0.7:0.7:1").values == (0.7,)
    assert parse_sweep("x=1:0:3").values == (1.0, 0.5, 0.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("actors.receiver.resolve.mean", "expected path=v1,v2,... or path=lo:hi:n"),
        ("=1,2", "expected path=v1,v2"),
        ("x=", "expected path=v1,v2"),
        ("x=0:1:0", "lo:hi:n needs n >= 1"),
        ("x=1,2,1", "a value appears twice"),
    ],
)
def test_malformed_flags_give_one_line(text: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_sweep(text)
    assert len(info.value.problems) == 1
    assert message in info.value.problems[0]
    assert info.value.problems[0].startswith(f"--sweep {text}")


def test_a_path_swept_twice_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_sweeps(["x=1,2", "y=3", "x=4"])
    assert info.value.problems == ["--sweep x: swept twice; give all its values in one --sweep"]


def test_grid_is_the_product_first_sweep_slowest_with_labels() -> None:
    sweeps = parse_sweeps(["a.b=0.5,1", "c=x,y,z"])
    points = grid(sweeps)
    assert [p.point_id for p in points] == list(range(6))
    assert [tuple(p.values.values()) for p in points] == [
        (0.5, "x"),
        (0.5, "y"),
        (0.5, "z"),
        (1, "x"),
        (1, "y"),
        (1, "z"),
    ]
    assert points[4].label == "a.b=1, c=y"
    assert grid([]) == grid(()) and len(grid([])) == 1 and grid([])[0].label == ""


def test_value_text_and_column_types() -> None:
    assert [value_text(v) for v in (0.5, 1, True, None, "appeaser", 0.1 + 0.2)] == [
        "0.5",
        "1",
        "true",
        "null",
        "appeaser",
        "0.30000000000000004",
    ]
    assert column_type([1, 2]) == "int64"
    assert column_type([1, 2.5]) == "float64"
    assert column_type([True, False]) == "bool"
    assert column_type(["a", 1]) == "string"


def test_missing_fields_are_named(scenario_data) -> None:
    data = validate_data(scenario_data, "s").model_dump(mode="json")
    assert missing_field(data, "actors.receiver.resolve.mean") is None
    assert missing_field(data, "actors.receiver.policy.params.new_param") is None
    assert missing_field(data, "actors.receiver.nope") == "no field 'actors.receiver.nope' in the scenario"
    assert missing_field(data, "trade.7.usd_bn") == "'trade.7': list index must be 0..1"
    assert missing_field(data, "rounds.x") == "'rounds' is not a mapping or list"


def test_sweeping_a_policy_by_name_resets_its_params(scenario_data) -> None:
    scenario_data["actors"]["receiver"]["policy"]["params"] = {"threshold": 0.1}
    for path in ("actors.receiver.policy", "actors.receiver.policy.name"):
        data = point_data(scenario_data, {path: "appeaser"})
        assert data["actors"]["receiver"]["policy"] == {"name": "appeaser", "params": {}}
    data = point_data(
        scenario_data,
        {"actors.receiver.policy.params.threshold": 0.2, "actors.receiver.policy": "dignity_first"},
    )
    assert data["actors"]["receiver"]["policy"] == {"name": "dignity_first", "params": {"threshold": 0.2}}


def test_every_point_is_validated_with_one_line_per_bad_value(scenario_data) -> None:
    base = validate_data(scenario_data, "s.yaml")
    sweeps = parse_sweeps(["actors.receiver.resolve.mean=0.2,1.4", "round_hours=3,6"])
    with pytest.raises(ScenarioError) as info:
        point_scenarios(base, sweeps, grid(sweeps), "s.yaml")
    assert info.value.problems == [
        "s.yaml with actors.receiver.resolve.mean=1.4: actors.receiver.resolve.mean: "
        "must be between 0 and 1, got 1.4"
    ]
    sweeps = parse_sweeps(["actors.receiver.nope=1,2"])
    with pytest.raises(ScenarioError) as info:
        point_scenarios(base, sweeps, grid(sweeps), "s.yaml")
    assert info.value.problems == [
        "--sweep actors.receiver.nope: no field 'actors.receiver.nope' in the scenario"
    ]


def test_valid_points_give_their_scenarios(scenario_data) -> None:
    base = validate_data(scenario_data, "s.yaml")
    sweeps = parse_sweeps(["actors.receiver.resolve.mean=0.2,0.6", "actors.receiver.policy=appeaser"])
    scenarios = point_scenarios(base, sweeps, grid(sweeps), "s.yaml")
    assert [s.actors["receiver"].resolve.mean for s in scenarios] == [0.2, 0.6]
    assert {s.actors["receiver"].policy.name for s in scenarios} == {"appeaser"}
    assert point_scenarios(base, [], grid([]), "s.yaml") == [base]
