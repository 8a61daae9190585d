"""A policy from another package is found through the ``crisis_sim.policies`` entry points.

The plugin is a tiny distribution written to a temporary folder: its module
``stubborn_plugin.py`` and a ``stubborn_plugin-0.1.dist-info`` folder with
``METADATA`` and ``entry_points.txt`` — what ``pip install`` of its
``pyproject.toml`` (written alongside, for the record) would leave in
site-packages, and all that :mod:`importlib.metadata` reads. Putting that
folder on ``PYTHONPATH`` of a fresh ``python -m crisis_sim`` process installs
the plugin for that process only, so this test process's registry is left alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import crisis_sim
from crisis_sim.scenario import bundled_scenarios

SCENARIO = "us_colombia_2025"
TARGET = "colombia"

PLUGIN_MODULE = '''\
"""A stubborn government: it never moves."""

from pydantic import Field

from crisis_sim.core.policy import Policy, PolicyParams
from crisis_sim.core.types import ActionType, Option


class StubbornParams(PolicyParams):
    motto: str = Field("not one step", description="What it says each round instead of moving.")


class Stubborn(Policy):
    name = "stubborn"
    summary = "never moves: waits out every round, whatever happens"
    Params = StubbornParams

    def options(self, view):
        return [Option((view.act(ActionType.WAIT),), 1.0, f"stubborn: {self.params.motto}")]
'''

PYPROJECT = '''\
[project]
name = "stubborn-plugin"
version = "0.1"
dependencies = ["crisis-sim"]

[project.entry-points."crisis_sim.policies"]
stubborn = "stubborn_plugin:Stubborn"
'''


@pytest.fixture
def plugin(tmp_path: Path) -> Path:
    """A folder holding the installed plugin distribution."""
    folder = tmp_path / "plugin"
    folder.mkdir()
    (folder / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (folder / "stubborn_plugin.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    info = folder / "stubborn_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: stubborn-plugin\nVersion: 0.1\nRequires-Dist: crisis-sim\n",
        encoding="utf-8",
    )
    (info / "entry_points.txt").write_text(
        "[crisis_sim.policies]\nstubborn = stubborn_plugin:Stubborn\n", encoding="utf-8"
    )
    return folder


def crisis_sim_process(
    args: list[str], cwd: Path, plugin: Path | None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m crisis_sim ARGS`` with this test's crisis_sim, and the plugin if given."""
    paths = [str(Path(crisis_sim.__file__).resolve().parents[1])]
    if plugin is not None:
        paths.insert(0, str(plugin))
    if os.environ.get("PYTHONPATH"):
        paths.append(os.environ["PYTHONPATH"])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=cwd, env=env,
        timeout=timeout, check=False,
    )


def test_a_plugin_policy_is_listed_with_its_parameters(tmp_path, plugin) -> None:
    done = crisis_sim_process(["-m", "crisis_sim", "list", "--policies"], tmp_path, plugin)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "stubborn" in lines
    assert "  never moves: waits out every round, whatever happens" in lines
    assert '  motto: text, default "not one step"' in lines
    plain = crisis_sim_process(["-m", "crisis_sim", "list"], tmp_path, plugin)
    assert any(line.split()[:1] == ["stubborn"] for line in plain.stdout.splitlines())


def test_a_plugin_policy_runs_and_validates(tmp_path, plugin) -> None:
    out = tmp_path / "run"
    done = crisis_sim_process(
        ["-m", "crisis_sim", "run", SCENARIO, "--no-plots", "--out", str(out),
         "--set", f"actors.{TARGET}.policy.name=stubborn",
         "--set", f"actors.{TARGET}.policy.params={{motto: never}}"],
        tmp_path, plugin,
    )
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    assert any("stubborn: never" in json.dumps(event) for event in events)

    data = yaml.safe_load(bundled_scenarios()[SCENARIO].read_text(encoding="utf-8"))
    data["actors"][TARGET]["policy"] = {"name": "stubborn", "params": {"motto": "no"}}
    path = tmp_path / "stubborn.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    checked = crisis_sim_process(["-m", "crisis_sim", "validate", str(path)], tmp_path, plugin)
    assert (checked.returncode, checked.stdout.strip()) == (
        0, f"{path}: ok (scenario format 2, the current one)"), checked.stderr

    data["actors"][TARGET]["policy"]["params"] = {"mood": "grim"}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    checked = crisis_sim_process(["-m", "crisis_sim", "validate", str(path)], tmp_path, plugin)
    assert checked.returncode == 2
    assert checked.stderr.strip() == (
        f"{path}: actors.{TARGET}.policy.params.mood: unknown parameter; valid parameters: motto"
    )

    without = crisis_sim_process(["-m", "crisis_sim", "validate", str(path)], tmp_path, None)
    assert without.returncode == 2
    assert "unknown policy 'stubborn'" in without.stderr


def test_the_dashboard_offers_a_plugin_policy(tmp_path, plugin) -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    code = (
        "from crisis_sim.teach.dashboard.app import model_params\n"
        "from crisis_sim.teach.dashboard.model import DashboardModel\n"
        f"params = model_params({SCENARIO!r})\n"
        "print(params['initiator_policy']['values'])\n"
        "print(params['target_policy']['values'])\n"
        f"model = DashboardModel(scenario_name={SCENARIO!r}, target_policy='stubborn')\n"
        "for _ in range(5):\n"
        "    model.step()\n"
        "print('stepped')\n"
    )
    done = crisis_sim_process(["-c", code], tmp_path, plugin)
    assert done.returncode == 0, done.stderr
    initiator, target, stepped = done.stdout.splitlines()[-3:]
    assert "'stubborn'" in initiator and "'stubborn'" in target
    assert stepped == "stepped"
