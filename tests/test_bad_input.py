"""Every class of bad input: exit 2, one line per problem naming file and field, nothing written.

Bad files are made by loading the bundled default scenario, breaking it, and
dumping it to a temporary folder. Each case runs ``crisis-sim run`` from
inside that folder without ``--out`` (so the default ``runs/...`` folder
would appear if anything were written) and ``crisis-sim validate``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from conftest import run_script, write_yaml
from crisis_sim.cli import app
from crisis_sim.scenario import ScenarioError

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


def test_planes_and_restraints_on_a_demand_that_is_not_flights(tmp_path, monkeypatch) -> None:
    """Military aircraft or restraints on an issue with a demand (a detainee, a policy) would be
    ignored by the model (they are the flights' grievance): the file is refused, naming them."""
    import yaml

    data = yaml.safe_load((Path(__file__).parents[1] / "cases" / "us_turkey_brunson_2018.yaml").read_text())
    assert data["issues"][0]["demand"]
    data["issues"][0].update(aircraft="military", restraints=True)
    path = write_yaml(tmp_path / "bad.yaml", data)
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: issues.0: aircraft: military and restraints: true describe deportation flights; an"
        " issue with a demand has no planes or restraints: leave them out"
    ]
    del data["issues"][0]["aircraft"], data["issues"][0]["restraints"]  # left out: a valid file
    assert runner.invoke(app, ["validate", str(write_yaml(tmp_path / "good.yaml", data))]).exit_code == 0


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


# --------------------------------------------------------------------------
# Bounded resources (issue 14, item 4): files, --set and --sweep values, batch sizes
# --------------------------------------------------------------------------


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_file_nested_500_deep_is_one_line(tmp_path, monkeypatch) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(f"a: {_nested(500)}\n")
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: not valid YAML at line 1")
    assert line.endswith("nested deeper than 64 levels")


def test_set_and_sweep_values_are_held_to_the_depth_limit(tmp_path, monkeypatch) -> None:
    lines = run_bad(tmp_path, monkeypatch, "--set", f"actors.colombia.name={_nested(500)}")
    assert lines[0].endswith("--set actors.colombia.name: value nested deeper than 64 levels")
    result = runner.invoke(app, ["batch", "-n", "2", "--sweep", f"actors.colombia.name={_nested(500)},x"])
    assert result.exit_code == 2, result.output
    assert result.stderr == "--sweep actors.colombia.name: value nested deeper than 64 levels\n"


def _flow_bomb(levels: int = 9) -> str:
    """A billion-laughs alias bomb on one line, as a ``--set`` value."""
    text = "&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 8)
        text = text.replace(f"&a{i - 1} ", f"&a{i} [&a{i - 1} ", 1) + f", {refs}]"
    return text


def test_an_alias_bomb_through_set_is_refused_quickly(tmp_path, monkeypatch) -> None:
    import time

    started = time.perf_counter()
    (line,) = run_bad(tmp_path, monkeypatch, "--set", f"description={_flow_bomb()}")
    assert line.endswith("--set description: value expands to more than 200000 nodes (a YAML alias bomb?)")
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_devices_and_fifos_are_refused_at_once(kind: str, tmp_path) -> None:
    """In a real process with a timeout: before the fix /dev/zero grew memory and a FIFO blocked forever."""
    import os

    if kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    import crisis_sim

    env = dict(os.environ, PYTHONPATH=str(Path(crisis_sim.__file__).parents[1]))
    def bounded() -> None:  # should reading ever regress, fail fast instead of eating the host's memory
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))

    proc = subprocess.run([sys.executable, "-m", "crisis_sim", "validate", str(path)],
                          capture_output=True, text=True, timeout=30, cwd=tmp_path, env=env,
                          preexec_fn=bounded)
    assert proc.returncode == 2
    assert proc.stderr == f"{path}: not a regular file (a device, pipe or socket); not reading it\n"


def test_the_byte_limit_holds_while_reading(tmp_path, monkeypatch) -> None:
    from crisis_sim.scenario.files import MAX_FILE_BYTES, read_limited

    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line == f"{path}: file is larger than {MAX_FILE_BYTES} bytes"
    path.write_text("a: 1\n" * 10)
    assert read_limited(path, limit=50) == b"a: 1\n" * 10
    with pytest.raises(ScenarioError, match="larger than 49 bytes"):
        read_limited(path, limit=49)


def _batch_refused(*args: str) -> str:
    import time

    started = time.perf_counter()
    result = runner.invoke(app, ["batch", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert time.perf_counter() - started < 10  # refused before any planning
    return line


def test_batch_sizes_are_limited_before_planning(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _batch_refused("--runs", "1000000000") == (
        "--runs 1000000000: more than 1000000 runs in one batch (raise the limit with --max-runs)"
    )
    assert _batch_refused("--runs", "5", "--max-runs", "4").startswith("--runs 5: more than 4 runs")
    assert _batch_refused("--sweep", "actors.colombia.resolve.mean=0:1:100000000") == (
        "--sweep actors.colombia.resolve.mean=0:1:100000000: at most 1000 values, got n = 100000000"
    )
    assert _batch_refused("--sweep", "actors.colombia.resolve.mean=0:1:100",
                          "--sweep", "actors.us.resolve.mean=0:1:100") == (
        "--sweep: the grid has 10000 points; at most 1000"
    )
    line = _batch_refused("--runs", "1001", "--sweep", "actors.colombia.resolve.mean=0:1:1000")
    assert line.startswith("--runs 1001 at each of 1000 sweep points: 1001000 runs, more than 1000000")
    assert list(tmp_path.iterdir()) == []


def test_chunks_shrink_as_rounds_grow(small_file) -> None:
    from crisis_sim.batch.plan import MAX_CHUNK_ROWS, chunk_size_for, plan_batch
    from crisis_sim.scenario import load_scenario

    assert chunk_size_for(20_000, rounds=480) == 250  # the bundled horizons are untouched
    assert chunk_size_for(200, rounds=100_000) == 10
    assert chunk_size_for(200, rounds=10 * MAX_CHUNK_ROWS) == 1
    long = load_scenario(small_file, ["rounds=100000", "stop_when_settled=false"])
    plan = plan_batch(long, 200)
    assert plan.chunk_size == 10
    assert plan.chunk_size * long.rounds <= MAX_CHUNK_ROWS


@pytest.mark.parametrize(("field", "limit"), [
    ("title", 200), ("description", 5000), ("actors.colombia.name", 80),
    ("measures.us_tariff.label", 80),
])
def test_texts_have_length_limits(field: str, limit: int, tmp_path, monkeypatch) -> None:
    (line,) = run_bad(tmp_path, monkeypatch, "--set", f"{field}={'x' * 200_000}")
    assert f": {field}: must be at most {limit} characters, got 'xxxx" in line
    assert line.endswith("... (200000 characters)")
    assert len(line) < 300


# --------------------------------------------------------------------------
# Every user error is exit 2 with one line (issue 14, item 5)
# --------------------------------------------------------------------------


@pytest.mark.parametrize("setting", [
    "actors.colombia.gdp_usd_bn=.inf", "trade.0.usd_bn=.inf", "actors.colombia.approval=.nan",
    "dynamics.pain_weight=-.inf",
])
def test_non_finite_numbers_are_refused(setting: str, tmp_path, monkeypatch) -> None:
    path = setting.partition("=")[0]
    (line,) = run_bad(tmp_path, monkeypatch, "--set", setting)
    assert f": {path}: must be" in line


def test_strict_json_never_writes_nan() -> None:
    from crisis_sim.runs.run_folder import dumps, dumps_line

    for write in (dumps, dumps_line):
        with pytest.raises(ValueError, match="not JSON compliant"):
            write({"x": float("nan")})


@pytest.mark.parametrize("setting", ["actors.colombia.resolve.mean=5e-324",
                                     "actors.colombia.resolve.sd=5e-324"])
def test_subnormal_resolve_runs_as_its_mean(setting: str, tmp_path, monkeypatch) -> None:
    """Before: ValueError (mean) and ZeroDivisionError (sd) from the Beta draw."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["run", "--no-plots", "--set", setting, "--out", "r", "--json"])
    assert result.exit_code == 0, result.output
    json.loads((tmp_path / "r" / "outcome.json").read_text())  # strict JSON


def test_draw_resolve_with_underflowing_parameters_gives_the_mean() -> None:
    import numpy as np

    from crisis_sim.core.dynamics import draw_resolve

    rng = np.random.default_rng(0)
    assert draw_resolve(rng, 0.6, 5e-324) == 0.6
    assert draw_resolve(rng, 5e-324, 0.1) == 5e-324
    assert 0 < draw_resolve(rng, 0.6, 0.1) < 1


def test_a_label_with_mathtext_dollars_is_drawn_literally(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    label = r"price $\notacommand{x}$"
    checked = runner.invoke(app, ["validate", "us_colombia_2025"])
    assert checked.exit_code == 0
    result = runner.invoke(app, ["run", "--set", f"measures.us_tariff.label={label}",
                                 "--set", r"title=A $\frac{1}{0}$ crisis", "--out", "r"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r" / "escalation.png").stat().st_size > 0
    from crisis_sim.present.plots import literal

    assert literal(label) == r"price \$\notacommand{x}\$"


def test_an_unwritable_output_parent_is_one_line(tmp_path, monkeypatch) -> None:
    """A read-only parent (simulated: the tests may run as root, who can write anywhere)."""
    import errno

    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.name.startswith(".tmp-"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(Path, "mkdir", read_only)
    out = tmp_path / "ro" / "run"
    lines = run_bad(tmp_path, monkeypatch, "--no-plots", "--out", str(out))
    assert lines == [f"{out}: cannot write in {out.parent}: Read-only file system"]
    result = runner.invoke(app, ["batch", "-n", "2", "-w", "1", "--out", str(tmp_path / "ro" / "b")])
    assert result.exit_code == 2
    ro = tmp_path / "ro"
    assert result.stderr == f"{ro / 'b'}: cannot write in {ro}: Read-only file system\n"
    nowhere = Path("/proc/crisis-sim-test/run")
    (line,) = run_bad(tmp_path, monkeypatch, "--no-plots", "--out", str(nowhere))
    assert line.startswith(f"{nowhere}: cannot")


def test_a_busy_output_folder_is_one_line(tmp_path, monkeypatch) -> None:
    """Renaming a busy folder (a mount point, a working directory) fails with EBUSY."""
    import errno

    out = tmp_path / "run"
    first = runner.invoke(app, ["run", "--no-plots", "--out", str(out)])
    assert first.exit_code == 0
    real_rename = Path.rename

    def busy(self, target):
        if self == out:
            raise OSError(errno.EBUSY, "Device or resource busy", str(self))
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", busy)
    result = runner.invoke(app, ["run", "--no-plots", "--out", str(out), "--force"])
    assert result.exit_code == 2, result.output
    assert result.stderr == f"{out}: cannot replace: Device or resource busy\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no half-built folder left


ESCAPES = "\x1b[31mred\x1b]0;title\x07\x9b2J\r"


def test_terminal_output_has_no_control_characters(tmp_path, monkeypatch) -> None:
    """Before: 7 escape characters reached the terminal in the summary, 54 with --narrate."""
    monkeypatch.chdir(tmp_path)
    sets = ["--set", f"title=T{ESCAPES}", "--set", f"actors.colombia.name=C{ESCAPES}",
            "--set", f"measures.us_tariff.label=L{ESCAPES}"]
    for extra in (["--out", "a"], ["--narrate", "--out", "b"]):
        result = runner.invoke(app, ["run", "--no-plots", *sets, *extra])
        assert result.exit_code == 0, result.output
        assert "red" in result.stdout
        assert not any(ch in result.output for ch in "\x1b\x07\x9b\r")
    batch = runner.invoke(app, ["batch", "-n", "2", "-w", "1", *sets, "--out", "c"])
    assert batch.exit_code == 0, batch.output
    assert not any(ch in batch.output for ch in "\x1b\x07\x9b\r")
    bad = runner.invoke(app, ["run", "--set", f"rounds={ESCAPES}"])
    assert bad.exit_code == 2
    assert not any(ch in bad.stderr for ch in "\x1b\x07\x9b\r")
    from crisis_sim.present import printable

    assert printable(f"a{ESCAPES}\tb\nc") == "a[31mred]0;title2J\tb\nc"


def test_json_output_carries_no_raw_control_characters(tmp_path, monkeypatch) -> None:
    """JSON escapes the C0 controls but leaves DEL and the C1 ones (a CSI, U+009B) raw: the --json
    outputs escape them too, and still read back as the same value."""
    monkeypatch.chdir(tmp_path)
    label = "T\x9b31m\x7fend"
    sets = ["--set", f"measures.us_tariff.label={label}", "--no-plots"]
    for command in (["run", "--json", *sets], ["run", "--json", "--out", "r", *sets],
                    ["batch", "-n", "2", "-w", "1", "--json", "--out", "b", *sets[:2]]):
        result = runner.invoke(app, command)
        assert result.exit_code == 0, result.output
        assert not any(ch in result.stdout for ch in "\x9b\x7f\x1b"), command
    outcome = json.loads(runner.invoke(app, ["run", "--json", *sets]).stdout)
    assert outcome["measures"]["us_tariff"]["label"] == label


# --------------------------------------------------------------------------
# Crises that unfold over time: the new fields' bad values (docs/scenarios.md)
# --------------------------------------------------------------------------


def _add_event(event: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
    return lambda d: d.setdefault("events", []).append(event)


OFFICIALS = {"label": "Officials", "kind": "personal_sanctions", "imposer": "united_states",
             "target": "colombia", "schedule": [{"after_days": 0, "rate": 0}]}

TIMED_CASES = {
    "issue opening at the horizon": (
        lambda d: d["issues"][0].update(opens_at_hours=720),
        "issues.0.opens_at_hours: opens at hour 720, not before the horizon "
        "(rounds × round_hours = 720 hours)"),
    "in force since, without in force": (
        lambda d: d["measures"]["us_tariff"].update(in_force_since_days=3),
        "measures.us_tariff.in_force_since_days: needs in_force_at_start: true, got 3"),
    "via an unknown country": (
        lambda d: d["measures"]["us_tariff"].update(via=["atlantis"]),
        "measures.us_tariff.via.0: unknown actor 'atlantis'; actors are colombia, united_states"),
    "via the target itself": (
        lambda d: d["measures"]["us_tariff"].update(via=["colombia"]),
        "measures.us_tariff.via.0: must be a third country, not the measure's imposer or target"),
    "via a country the target does not sell to": (
        lambda d: (d["actors"].__setitem__("peru", {**d["actors"]["colombia"], "role": "third_party"}),
                   d["measures"]["us_tariff"].update(via=["peru"])),
        "measures.us_tariff.via.0: no trade from 'colombia' to 'peru' in trade: "
        "the measure would bite on nothing"),
    "personal sanctions without pressure": (
        lambda d: d["measures"].__setitem__("officials", OFFICIALS),
        "measures.officials.political_pressure: personal_sanctions act only through "
        "political_pressure: must be > 0, got 0.0"),
    "new government naming an unknown actor": (
        _add_event({"at_hours": 5, "kind": "government_change", "actors": ["petro"],
                    "government": {"dignity": 0.2}}),
        "events.{n}.actors.0: unknown actor 'petro'; actors are colombia, united_states"),
    "government change without its block": (
        _add_event({"at_hours": 5, "kind": "government_change", "actors": ["colombia"]}),
        "events.{n}.government: required for an event of kind government_change"),
    "a government block on another kind": (
        _add_event({"at_hours": 5, "kind": "visit", "actors": ["colombia"], "government": {"dignity": 0.2}}),
        "events.{n}.government: only an event of kind government_change takes it, not visit"),
    "a new government's unknown policy": (
        _add_event({"at_hours": 5, "kind": "government_change", "actors": ["colombia"],
                    "government": {"policy": {"name": "dove"}}}),
        "events.{n}.government.policy.name: unknown policy 'dove'"),
    "a new government's resolve out of range": (
        _add_event({"at_hours": 5, "kind": "government_change", "actors": ["colombia"],
                    "government": {"resolve": {"mean": 1.3}}}),
        "events.{n}.government.resolve.mean: must be between 0 and 1, got 1.3"),
    "a market shock wiping out GDP": (
        _add_event({"at_hours": 5, "kind": "market_shock", "actors": ["colombia"],
                    "market": {"gdp_change": -1}}),
        "events.{n}.market.gdp_change: must be >= -0.9, got -1"),
    "a market shock with an unknown partner": (
        _add_event({"at_hours": 5, "kind": "market_shock", "actors": ["colombia"],
                    "market": {"exports_change": -0.2, "partners": ["usa"]}}),
        "events.{n}.market.partners.0: unknown actor 'usa'; actors are colombia, united_states"),
}


@pytest.mark.parametrize("case", list(TIMED_CASES))
def test_bad_timed_fields_are_one_line_each(case: str, tmp_path, default_data, monkeypatch) -> None:
    mutate, expected = TIMED_CASES[case]
    n = len(default_data.get("events", []))
    path = broken(tmp_path, default_data, mutate)
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    expected = expected.format(n=n)
    assert line.startswith(f"{path}: {expected}"), line


STAGE_CASES = {
    "last stage short of a full lift": (
        [{"after_days": 0, "share": 0.5}, {"after_days": 7, "share": 0.8}], None,
        "measures.us_tariff.lift_stages: the last stage must lift the whole measure (share 1), got 0.8"),
    "stages out of order": (
        [{"after_days": 7, "share": 0.5}, {"after_days": 3, "share": 1}], None,
        "measures.us_tariff.lift_stages: stages must have strictly increasing after_days"),
    "a share of nothing": (
        [{"after_days": 0, "share": 0}, {"after_days": 3, "share": 1}], None,
        "measures.us_tariff.lift_stages.0.share: must be > 0.0, got 0"),
    "lifting in stages a measure never lifted": (
        [{"after_days": 0, "share": 1}], "never",
        "measures.us_tariff.lift_stages: a measure with lift_after: never is never lifted"),
}


@pytest.mark.parametrize("case", list(STAGE_CASES))
def test_bad_lift_stages_are_one_line_each(case: str, tmp_path, default_data, monkeypatch) -> None:
    stages, lift_after, expected = STAGE_CASES[case]

    def mutate(d: dict[str, Any]) -> None:
        d["measures"]["us_tariff"]["lift_stages"] = stages
        if lift_after:
            d["measures"]["us_tariff"]["lift_after"] = lift_after

    path = broken(tmp_path, default_data, mutate)
    (line,) = run_bad(tmp_path, monkeypatch, str(path))
    assert line.startswith(f"{path}: {expected}"), line


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.25])
def test_a_part_of_a_demand_outside_zero_and_one_is_refused(
        tmp_path, default_data, monkeypatch, fraction) -> None:
    """A demand met in part names fractions strictly between 0 and 1 (docs/scenarios.md, Demand)."""
    path = broken(tmp_path, default_data,
                  lambda d: d["issues"][0].update(demand={"kind": "flights", "partial": [0.5, fraction]}))
    assert run_bad(tmp_path, monkeypatch, str(path)) == [
        f"{path}: issues.0.demand.partial: {fraction:g} is not a fraction strictly between 0 and 1"
    ]


def test_set_reaches_a_block_the_file_leaves_out(tmp_path, scenario_data) -> None:
    """A block the schema defines but the file omits (here ``dynamics``) takes --set like any
    other; a misspelt block name is still an error, and so is a new actor's key."""
    from crisis_sim.scenario import ScenarioError, load_scenario

    scenario_data.pop("dynamics", None)
    path = write_yaml(tmp_path / "no_dynamics.yaml", scenario_data)
    assert load_scenario(path).dynamics.concern_days != 12
    assert load_scenario(path, ["dynamics.concern_days=12"]).dynamics.concern_days == 12
    for bad, message in [("dynamcs.concern_days=12", "no field 'dynamcs' in the scenario"),
                         ("dynamics.concern_dayz=12", "unknown field 'concern_dayz'"),
                         ("actors.nobody.resolve.mean=0.5", "no field 'actors.nobody' in the scenario")]:
        with pytest.raises(ScenarioError) as caught:
            load_scenario(path, [bad])
        (line,) = caught.value.problems
        assert line.startswith(str(path)) and line.endswith(message), line


RESEARCH_SCRIPT_MISTAKES = [
    ("perturb_assumptions", ["--range", "0"], "--range 0.0: a relative range above 0"),
    ("perturb_assumptions", ["--range", "2", "--samples", "4"], "rounds: must be >= 1, got 0"),
    ("freeze_beliefs", ["no_such_scenario"], "no_such_scenario: no such file or bundled scenario"),
    ("freeze_beliefs", ["us_colombia_2025", "--set", "dynamics.nope=1"], "dynamics.nope: unknown field"),
    ("belief_reliability", ["no_such_scenario"], "no_such_scenario: no such file or bundled scenario"),
    ("belief_reliability", ["--runs", "0"], "--runs: must be a whole number >= 1, got 0"),
    ("perturb_assumptions", ["--replicates", "0"], "--replicates: must be a whole number >= 1, got 0"),
    ("belief_reliability", ["--runs", "100000000"], "--runs: at most 100,000, got 100,000,000"),
    ("belief_reliability", ["--workers", "5000"], "--workers: at most 256, got 5,000"),
    ("why_targets_hold", ["no_such_case"], "no_such_case: no such file or bundled scenario"),
    ("why_targets_hold", ["us_colombia_2025", "--runs", "0"],
     "--runs: must be a whole number from 1 to 10,000, got 0"),
    ("mechanisms_on_history", ["--runs", "0"], "--runs: must be a whole number from 1 to 100000, got 0"),
    ("mechanisms_on_history", ["--cases", "/nonexistent", "--runs", "1"], "/nonexistent: no such folder"),
]
IN_A_PROCESS = {script: tuple(args) for script, args, _ in reversed(RESEARCH_SCRIPT_MISTAKES)}
"""Each script's first case runs as ``python scripts/<name>.py``, in a process of its own; the
others run the same file in this process (:func:`conftest.run_script`), which spares a start-up each."""


@pytest.mark.parametrize(("script", "args", "expected"), RESEARCH_SCRIPT_MISTAKES)
def test_the_research_scripts_report_a_mistake_in_lines_and_exit_2(tmp_path, script, args, expected,
                                                                   monkeypatch, capfd):
    """The scripts the docs send researchers to (scripts/*.py) answer bad input as the commands do:
    exit 2, each problem a line naming the script, no traceback, nothing written where they ran."""
    script_path = Path(__file__).resolve().parents[1] / "scripts" / f"{script}.py"
    code, stdout, stderr = run_script(script_path, args, tmp_path, IN_A_PROCESS[script] == tuple(args),
                                      monkeypatch, capfd)
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines and all(line.startswith(f"{script}.py: ") for line in lines), lines
    assert any(expected in line for line in lines), lines
    assert stdout == ""
    assert list(tmp_path.iterdir()) == []


# ---- export, plot, compare, new and --resume: one line, exit 2, nothing left behind


def one_line(result, *needles: str) -> str:
    """Exit 2, one line on stderr (no traceback) holding every needle; the line."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def small_batch(small_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "batch"
    made = runner.invoke(app, ["batch", str(small_file), "-n", "4", "-w", "1", "--out", str(out)])
    assert made.exit_code == 0, made.output
    return out


def test_export_of_a_batch_with_no_finished_chunk_writes_nothing(small_batch: Path, tmp_path: Path) -> None:
    manifest = json.loads((small_batch / "manifest.json").read_text())
    manifest["chunks"], manifest["finished_at"] = {}, None
    (small_batch / "manifest.json").write_text(json.dumps(manifest))
    for sub in ("runs", "trajectories"):
        for part in (small_batch / sub).iterdir():
            part.unlink()
    out = tmp_path / "csv"
    one_line(runner.invoke(app, ["export", str(small_batch), "--out", str(out)]), "no finished chunk")
    assert not out.exists() and not list(tmp_path.glob(".tmp-*"))


def test_export_and_plot_into_a_read_only_folder(small_batch: Path, tmp_path: Path, monkeypatch) -> None:
    """Simulated, as above: the tests may run as root."""
    import errno
    import tempfile

    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if self.name.startswith(".tmp-"):
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_mkdir(self, *args, **kwargs)

    def no_scratch(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    monkeypatch.setattr(tempfile, "mkdtemp", no_scratch)
    out = tmp_path / "csv"
    one_line(runner.invoke(app, ["export", str(small_batch), "--out", str(out)]), "Read-only file system")
    assert not out.exists()
    before = _listing(small_batch)
    one_line(runner.invoke(app, ["plot", str(small_batch)]), f"{small_batch}: cannot write the plots")
    assert _listing(small_batch) == before


def test_plot_of_a_run_folder_with_a_garbage_trajectory(small_file: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    made = runner.invoke(app, ["run", str(small_file), "--no-plots", "--out", str(run)])
    assert made.exit_code == 0, made.output
    good = (run / "trajectory.csv").read_text()
    for garbage, needle in [("garbage\n", "not a run's table: no column round"),
                            ("", "cannot read run files"),
                            (b"round\xff\x00\n", "not UTF-8 text"),
                            (good.replace("\n1,", "\nx,", 1), "round: not numbers")]:
        if isinstance(garbage, bytes):
            (run / "trajectory.csv").write_bytes(garbage)
        else:
            (run / "trajectory.csv").write_text(garbage)
        one_line(runner.invoke(app, ["plot", str(run)]), str(run), needle)
        assert not list(run.glob("*.png")) and not list(run.glob(".tmp-*"))


def test_run_folder_files_are_bounded_and_never_a_fifo(small_file: Path, tmp_path: Path) -> None:
    import os

    run = tmp_path / "run"
    assert runner.invoke(app, ["run", str(small_file), "--no-plots", "--out", str(run)]).exit_code == 0
    (run / "events.jsonl").unlink()
    os.mkfifo(run / "events.jsonl")
    one_line(runner.invoke(app, ["plot", str(run)]), "not a regular file: events.jsonl")


def test_resume_when_trajectories_is_a_file(small_batch: Path, small_file: Path) -> None:
    import shutil

    shutil.rmtree(small_batch / "trajectories")
    (small_batch / "trajectories").write_text("not a folder\n")
    result = runner.invoke(app, ["batch", str(small_file), "-n", "4", "-w", "1", "--out", str(small_batch),
                                 "--resume"])
    one_line(result, f"{small_batch / 'trajectories'}: not a folder")
    assert (small_batch / "trajectories").read_text() == "not a folder\n"


def test_compare_export_and_plot_on_a_chunk_recorded_twice(small_batch: Path, tmp_path: Path) -> None:
    import shutil

    good = shutil.copytree(small_batch, tmp_path / "good")
    text = (small_batch / "manifest.json").read_text()
    record = json.dumps(json.loads(text)["chunks"]["00000"])
    doubled = text.replace('"chunks": {', f'"chunks": {{"00000": {record}, ', 1)
    (small_batch / "manifest.json").write_text(doubled)
    for args in (["compare", str(good), str(small_batch), "--out", str(tmp_path / "c"), "--no-plots"],
                 ["export", str(small_batch), "--out", str(tmp_path / "csv")],
                 ["plot", str(small_batch)]):
        one_line(runner.invoke(app, args), str(small_batch), "chunk 00000 is recorded twice")
    assert not (tmp_path / "c").exists() and not (tmp_path / "csv").exists()


def _new_sources(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Bad ``new --from`` sources: (path, the words of its one line)."""
    import os

    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "big.yaml").write_text("name: x\ndescription: " + "x" * 3_000_000 + "\n")
    (tmp_path / "deep.yaml").write_text(_nested(500))
    (tmp_path / "bomb.yaml").write_text(billion_laughs(9))
    os.mkfifo(tmp_path / "pipe.yaml")
    campaign = Path(__file__).resolve().parents[1] / "examples" / "campaigns"
    first = sorted(p for p in campaign.glob("*.yaml") if "kind: campaign" in p.read_text())[0]
    return {
        "missing": (str(tmp_path / "nowhere.yaml"), "no such file"),
        "folder": (str(tmp_path / "folder.yaml"), "is a directory"),
        "latin1": (str(tmp_path / "latin1.yaml"), "cannot read file"),
        "big": (str(tmp_path / "big.yaml"), "larger than 2000000 bytes"),
        "deep": (str(tmp_path / "deep.yaml"), "nested deeper than"),
        "bomb": (str(tmp_path / "bomb.yaml"), "alias bomb"),
        "fifo": (str(tmp_path / "pipe.yaml"), "not a regular file"),
        "device": ("/dev/zero", "not a regular file"),
        "campaign": (str(first), "a campaign file"),
    }


def test_new_refuses_every_bad_source_and_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    cases = _new_sources(sources)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for name, (source, needle) in cases.items():
        one_line(runner.invoke(app, ["new", "copy", "--from", source]), source, needle)
        assert list(work.iterdir()) == [], name
    one_line(runner.invoke(app, ["new", "a" * 300]), "300 characters", "(64)")
    assert list(work.iterdir()) == []
    made = runner.invoke(app, ["new", "copy"])
    assert made.exit_code == 0, made.output
    assert [p.name for p in work.iterdir()] == ["copy.yaml"]
    one_line(runner.invoke(app, ["new", "copy"]), "already exists")


def test_worker_counts_have_a_cap(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    result = runner.invoke(app, ["batch", str(small_file), "-n", "2", "-w", "100000", "--out", str(out)])
    one_line(result, "--workers: at most 256 worker processes, got 100000")
    assert not out.exists()


def test_warnings_quoting_the_users_words_carry_no_control_characters(tmp_path) -> None:
    """matplotlib warns "Glyph 27 (\\x1b) missing from font" when a title holds an escape; the
    command line prints warnings through the same filter as everything else."""
    result = subprocess.run(
        [sys.executable, "-m", "crisis_sim", "run", "--set", f"title=T{ESCAPES}", "--out", "r"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "missing from font" in result.stderr  # the warning is still shown
    assert not any(ch in result.stdout + result.stderr for ch in "\x1b\x07\x9b\r")
