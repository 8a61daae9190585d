"""Every class of bad input: exit 2, one line per problem naming file and field, nothing written.

Bad files are made by loading the bundled default scenario, breaking it, and
dumping it to a temporary folder. Each case runs ``crisis-sim run`` from
inside that folder without ``--out`` (so the default ``runs/...`` folder
would appear if anything were written) and ``crisis-sim validate``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import write_yaml
from crisis_sim.cli import app

runner = CliRunner()


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def run_bad(
    folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str, validate: bool = True
) -> list[str]:
    """Run ``crisis-sim run ARGS`` in ``folder``, check the contract, return the stderr lines."""
    monkeypatch.chdir(folder)
    before = _listing(folder)
    result = runner.invoke(app, ["run", *args])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert _listing(folder) == before  # no run folder, no runs/, no temporary folders
    lines = result.stderr.splitlines()
    assert lines and all(line.strip() for line in lines)
    if validate and args and not args[0].startswith("-"):
        checked = runner.invoke(app, ["validate", args[0]])
        assert checked.exit_code == 2
        assert checked.stderr.splitlines() == lines
        assert _listing(folder) == before
    return lines


def broken(
    tmp_path: Path, default_data: dict[str, Any], mutate: Callable[[dict[str, Any]], None]
) -> Path:
    mutate(default_data)
    return write_yaml(tmp_path / "bad.yaml", default_data)


def _target(data: dict[str, Any]) -> str:
    """The id of the target government (``colombia`` in the bundled default)."""
    return next(key for key, actor in data["actors"].items() if actor["role"] == "target")


# --------------------------------------------------------------------------
# Schema problems
# --------------------------------------------------------------------------


def test_missing_field(tmp_path, default_data, monkeypatch) -> None:
    target = _target(default_data)
    path = broken(tmp_path, default_data, lambda d: d["actors"][target].pop("approval"))
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: actors.{target}.approval: required field is missing"
    ]


def test_wrong_type(tmp_path, default_data, monkeypatch) -> None:
    path = broken(tmp_path, default_data, lambda d: d.update(rounds="many"))
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: rounds: ")
    assert "'many'" in line


def test_out_of_range(tmp_path, default_data, monkeypatch) -> None:
    target = _target(default_data)
    path = broken(tmp_path, default_data, lambda d: d["actors"][target]["resolve"].update(mean=1.4))
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: actors.{target}.resolve.mean: must be between 0 and 1, got 1.4"
    ]


def test_out_of_range_bound(tmp_path, default_data, monkeypatch) -> None:
    path = broken(tmp_path, default_data, lambda d: d.update(round_hours=0))
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: round_hours: must be > 0")
    assert line.endswith(", got 0")


def test_unknown_field(tmp_path, default_data, monkeypatch) -> None:
    target = _target(default_data)
    path = broken(tmp_path, default_data, lambda d: d["actors"][target].update(approvl=0.4))
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: actors.{target}.approvl: unknown field 'approvl'"
    ]


def test_unknown_policy_lists_the_valid_names(tmp_path, default_data, monkeypatch) -> None:
    from crisis_sim.core.policy import policy_names

    target = _target(default_data)
    path = broken(
        tmp_path, default_data, lambda d: d["actors"][target]["policy"].update(name="dove")
    )
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: actors.{target}.policy.name: unknown policy 'dove'")
    for name in policy_names():
        assert name in line


def test_unknown_policy_parameter(tmp_path, default_data, monkeypatch) -> None:
    target = _target(default_data)
    path = broken(
        tmp_path,
        default_data,
        lambda d: d["actors"][target]["policy"].update(params={"no_such_knob": 1}),
    )
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line == (
        f"{path}: actors.{target}.policy.params.no_such_knob: unknown parameter; "
        "valid parameters: counter, coerce, reciprocity, reputation_weight"
    )


def test_unknown_parameter_lists_the_valid_ones_from_the_policy_model(
    tmp_path, default_data, monkeypatch
) -> None:
    from crisis_sim.core.policy import REGISTRY

    target = _target(default_data)
    path = broken(
        tmp_path,
        default_data,
        lambda d: d["actors"][target].update(
            policy={"name": "turn_the_screw", "params": {"deadline_hours": 12, "foo": 1}}
        ),
    )
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    valid = ", ".join(REGISTRY["turn_the_screw"].Params.model_fields)
    assert line == f"{path}: actors.{target}.policy.params.foo: unknown parameter; valid parameters: {valid}"
    assert "deadline_hours" in valid


def test_parameter_given_to_a_policy_without_parameters(tmp_path, default_data, monkeypatch) -> None:
    target = _target(default_data)
    path = broken(
        tmp_path,
        default_data,
        lambda d: d["actors"][target].update(policy={"name": "hardliner", "params": {"foo": 1}}),
    )
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line == (
        f"{path}: actors.{target}.policy.params.foo: unknown parameter; hardliner takes no parameters"
    )


def test_unknown_actor_reference(tmp_path, default_data, monkeypatch) -> None:
    measure = next(iter(default_data["measures"]))
    path = broken(tmp_path, default_data, lambda d: d["measures"][measure].update(imposer="usa"))
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: measures.{measure}.imposer: unknown actor 'usa'")
    for actor in default_data["actors"]:
        assert actor in line


def _sender(data: dict[str, Any]) -> str:
    return next(key for key, actor in data["actors"].items() if actor["role"] == "initiator")


def test_unknown_measure_named_in_policy_parameters(tmp_path, default_data, monkeypatch) -> None:
    sender = _sender(default_data)
    measures = ", ".join(sorted(default_data["measures"]))
    path = broken(
        tmp_path,
        default_data,
        lambda d: d["actors"][sender].update(
            policy={"name": "turn_the_screw", "params": {"threaten": ["us_tarrif"]}}
        ),
    )
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: actors.{sender}.policy.params.threaten.0: unknown measure 'us_tarrif'; "
        f"measures are {measures}"
    ]


def test_each_unknown_measure_of_a_parameter_list_is_named(tmp_path, default_data, monkeypatch) -> None:
    sender = _sender(default_data)
    real = sorted(default_data["measures"])[0]
    path = broken(
        tmp_path,
        default_data,
        lambda d: d["actors"][sender].update(
            policy={"name": "turn_the_screw",
                    "params": {"impose_now": ["visa_ban", real, "tarif"], "threaten": [real]}}
        ),
    )
    lines = run_bad(tmp_path, monkeypatch, str(path))
    assert [line.split(";")[0] for line in lines] == [
        f"{path}: actors.{sender}.policy.params.impose_now.0: unknown measure 'visa_ban'",
        f"{path}: actors.{sender}.policy.params.impose_now.2: unknown measure 'tarif'",
    ]


def test_several_problems_give_several_lines(tmp_path, default_data, monkeypatch) -> None:
    target = _target(default_data)

    def many(d: dict[str, Any]) -> None:
        d["actors"][target]["resolve"]["mean"] = 1.4
        d["actors"][target].pop("dignity")
        d["rounds"] = 0
        d["issues"][0]["receiver"] = "atlantis"

    path = broken(tmp_path, default_data, many)
    lines = run_bad(tmp_path, monkeypatch, str(path))
    assert len(lines) == 4, lines
    assert all(line.startswith(f"{path}: ") for line in lines)
    fields = sorted(line.removeprefix(f"{path}: ").split(":")[0] for line in lines)
    assert fields == sorted(
        [
            f"actors.{target}.resolve.mean",
            f"actors.{target}.dignity",
            "rounds",
            "issues.0.receiver",
        ]
    )


# --------------------------------------------------------------------------
# File problems
# --------------------------------------------------------------------------


def test_empty_file(tmp_path, monkeypatch) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("  \n")
    assert run_bad(tmp_path, monkeypatch, str(path)) == [f"{path}: file is empty"]


def test_not_yaml(tmp_path, monkeypatch) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\nrounds: 3\n")
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: not valid YAML at line ")


def test_not_a_mapping(tmp_path, monkeypatch) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- just\n- a list\n")
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: top level must be a mapping of fields, got a list"
    ]


def test_duplicate_keys(tmp_path, monkeypatch) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n")
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert "duplicate key 'name'" in line


def test_python_tags_are_refused(tmp_path, monkeypatch) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\n")
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: not valid YAML")


def billion_laughs(levels: int = 9) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_is_refused_quickly(tmp_path, monkeypatch) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(billion_laughs(9))
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: document expands to more than")
    assert "alias bomb" in line


def test_missing_path(tmp_path, monkeypatch) -> None:
    path = tmp_path / "nowhere" / "scenario.yaml"
    assert run_bad(tmp_path, monkeypatch, str(path)) == [f"{path}: no such file"]


def test_unknown_bundled_name(tmp_path, monkeypatch) -> None:
    (line,) = run_bad(tmp_path, monkeypatch, "atlantis_2030")
    assert line.startswith("atlantis_2030: no such file or bundled scenario (bundled: ")
    assert "us_colombia_2025" in line


def test_a_directory_is_not_a_scenario(tmp_path, monkeypatch) -> None:
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert run_bad(tmp_path, monkeypatch, str(folder)) == [
        f"{folder}: is a directory, not a scenario file"
    ]


# --------------------------------------------------------------------------
# --set problems
# --------------------------------------------------------------------------


def test_bad_set_path(tmp_path, scenario_file, monkeypatch) -> None:
    lines = run_bad(
        tmp_path,
        monkeypatch,
        str(scenario_file),
        "--set",
        "actors.nobody.resolve.mean=0.5",
        validate=False,
    )
    assert lines == [
        f"{scenario_file}: --set actors.nobody.resolve.mean=0.5: no field 'actors.nobody' "
        "in the scenario"
    ]


def test_set_without_value_and_out_of_range_set(tmp_path, scenario_file, monkeypatch) -> None:
    lines = run_bad(tmp_path, monkeypatch, str(scenario_file), "--set", "rounds", validate=False)
    assert lines == [f"{scenario_file}: --set rounds: expected path=value"]
    lines = run_bad(
        tmp_path,
        monkeypatch,
        str(scenario_file),
        "--set",
        "actors.receiver.resolve.mean=1.4",
        validate=False,
    )
    assert lines == [
        f"{scenario_file}: actors.receiver.resolve.mean: must be between 0 and 1, got 1.4"
    ]


def test_bad_set_on_the_default_scenario(tmp_path, monkeypatch) -> None:
    from crisis_sim.scenario import DEFAULT_SCENARIO, resolve_scenario_path

    bundled = resolve_scenario_path(DEFAULT_SCENARIO)
    assert run_bad(tmp_path, monkeypatch, "--set", "roundz=3") == [
        f"{bundled}: roundz: unknown field 'roundz'"
    ]
    assert run_bad(tmp_path, monkeypatch, "--set", "dynamics.nope.deeper=3") == [
        f"{bundled}: --set dynamics.nope.deeper=3: no field 'dynamics.nope' in the scenario"
    ]


# --------------------------------------------------------------------------
# The same contract in a real process
# --------------------------------------------------------------------------


def test_real_process_exit_code_and_streams(tmp_path, default_data) -> None:
    target = _target(default_data)
    default_data["actors"][target]["resolve"]["mean"] = 1.4
    default_data["rounds"] = -3
    path = write_yaml(tmp_path / "bad.yaml", default_data)
    done = subprocess.run(
        [sys.executable, "-m", "crisis_sim", "run", str(path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"{path}: rounds: must be >= 1, got -3",
        f"{path}: actors.{target}.resolve.mean: must be between 0 and 1, got 1.4",
    ]
    assert _listing(tmp_path) == ["bad.yaml"]
