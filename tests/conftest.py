"""Shared fixtures: a small valid scenario, written to disk, and a stand-in run result.

The small scenario fits the schema in ``crisis_sim.scenario`` without relying
on the bundled files, so schema, CLI and results tests stay independent of
the calibrated scenarios.
"""

from __future__ import annotations

import copy
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from crisis_sim.core.log import LogEntry, LogKind
from crisis_sim.core.types import Action, ActionType

# A shell that starts the suite as a background job (`make test &`) starts it with SIGINT
# ignored, and every command a test starts would inherit that: the tests that press Ctrl-C on a
# command need it as a terminal gives it (a handler here is reset to the default in a child).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
# `nohup make test` starts it with SIGHUP ignored, and every command a test starts would inherit
# that and rightly keep ignoring it (crisis_sim.batch.stops leaves an ignored SIGHUP so): the tests
# that hang up on a command need its default action. A handler that does nothing keeps this
# process as nohup wanted it, and is reset to the default in every command a test starts.
if signal.getsignal(signal.SIGHUP) is signal.SIG_IGN:
    signal.signal(signal.SIGHUP, lambda signum, frame: None)

PROJECT = Path(__file__).resolve().parents[1]
BUNDLED_DEFAULT = PROJECT / "scenarios" / "us_colombia_2025.yaml"


def _policy_name(preferred: tuple[str, ...]) -> str:
    """A registered policy name, preferring the given ones (falls back before registration)."""
    try:
        from crisis_sim.core.policy import policy_names

        names = policy_names()
    except ImportError:
        names = []
    for name in preferred:
        if name in names:
            return name
    return names[0] if names else preferred[0]


MINIMAL_SCENARIO: dict[str, Any] = {
    "name": "small_crisis",
    "title": "A small deportation-flight crisis",
    "description": "Two governments, two measures, one flight stream.",
    "start": "2025-01-26T03:41:00-05:00",
    "round_hours": 6,
    "rounds": 12,
    "decision_noise": 0.05,
    "actors": {
        "sender": {
            "name": "Sender",
            "role": "initiator",
            "gdp_usd_bn": 1000,
            "approval": 0.5,
            "audience_cost": 0.6,
            "dignity": 0.2,
            "resolve": {"mean": 0.8, "sd": 0.1},
            "policy": {"name": "__sender_policy__", "params": {}},
        },
        "receiver": {
            "name": "Receiver",
            "role": "target",
            "gdp_usd_bn": 100,
            "approval": 0.4,
            "audience_cost": 0.3,
            "dignity": 0.7,
            "resolve": {"mean": 0.4, "sd": 0.1},
            "policy": {"name": "__receiver_policy__", "params": {}},
        },
    },
    "trade": [
        {"exporter": "receiver", "importer": "sender", "usd_bn": 15},
        {"exporter": "sender", "importer": "receiver", "usd_bn": 14},
    ],
    "measures": {
        "tariff": {
            "label": "Tariff 25% → 50%",
            "kind": "tariff",
            "imposer": "sender",
            "target": "receiver",
            "schedule": [{"after_days": 0, "rate": 0.25}, {"after_days": 7, "rate": 0.5}],
        },
        "visas": {
            "label": "Visa sanctions",
            "kind": "visa_sanctions",
            "imposer": "sender",
            "target": "receiver",
            "schedule": [{"after_days": 0, "rate": 0.02}],
            "lift_after": "first_flight_landed",
        },
    },
    "issues": [
        {
            "sender": "sender",
            "receiver": "receiver",
            "deportees_pending": 200,
            "deportees_per_flight": 100,
            "flights_per_day": 1,
        }
    ],
    "events": [{"at_hours": 12, "kind": "back_channel", "actors": ["sender", "receiver"]}],
    # The small crisis is balanced at a one-month horizon, whatever the shared default:
    # the mechanism tests built on it compare against that balance.
    "dynamics": {"concern_days": 30},
}


def minimal_scenario_data() -> dict[str, Any]:
    """A fresh copy of the small valid scenario, with registered policy names filled in."""
    data = copy.deepcopy(MINIMAL_SCENARIO)
    data["actors"]["sender"]["policy"]["name"] = _policy_name(
        ("turn_the_screw", "hardliner", "tit_for_tat")
    )
    data["actors"]["receiver"]["policy"]["name"] = _policy_name(
        ("dignity_first", "face_saver", "appeaser")
    )
    return data


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def scenario_data() -> dict[str, Any]:
    return minimal_scenario_data()


@pytest.fixture
def scenario_file(tmp_path: Path, scenario_data: dict[str, Any]) -> Path:
    return write_yaml(tmp_path / "small_crisis.yaml", scenario_data)


@pytest.fixture(scope="module")
def small_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small scenario written once per test module (for batches, which read a file)."""
    return write_yaml(tmp_path_factory.mktemp("scenario") / "small_crisis.yaml", minimal_scenario_data())


@pytest.fixture
def default_data() -> dict[str, Any]:
    """The bundled default scenario as raw data (the small one until it exists)."""
    if BUNDLED_DEFAULT.is_file():
        return yaml.safe_load(BUNDLED_DEFAULT.read_text(encoding="utf-8"))
    return minimal_scenario_data()


# --------------------------------------------------------------------------
# A stand-in run result with the shape experiments.run_scenario returns
# --------------------------------------------------------------------------


@dataclass
class FakeRunResult:
    scenario: Any
    seed: int
    rounds_run: int
    stopped_early: bool
    model_frame: Any
    actor_frame: Any
    events: list[LogEntry]
    outcome: dict[str, Any]


def fake_result(seed: int = 0) -> FakeRunResult:
    """A plausible run of the small scenario: tariff threatened, visas imposed then lifted."""
    from datetime import timedelta

    import pandas as pd

    from crisis_sim.core.schema import Scenario

    scenario = Scenario.model_validate(minimal_scenario_data())
    rounds = 8
    actors = list(scenario.actors)
    rows, actor_rows = [], []
    for r in range(rounds + 1):
        hours = r * scenario.round_hours
        clock = (scenario.start + timedelta(hours=hours)).isoformat()
        tariff = "available" if r == 0 else ("threatened" if r < 2 else "lifted")
        visas = "available" if r == 0 else ("imposed" if r < 6 else "lifted")
        row = {
            "round": r,
            "hours": hours,
            "clock": clock,
            "escalation": {0: 0, 1: 2, 2: 1}.get(r, 0 if r >= 6 else 1),
            "measures_in_force": int(visas == "imposed"),
            "rate_tariff": 0.0,
            "state_tariff": tariff,
            "rate_visas": 0.02 if visas == "imposed" else 0.0,
            "state_visas": visas,
        }
        for i, actor in enumerate(actors):
            cost = 0.001 * r * (i + 1) + seed * 1e-4
            approval = 0.5 - 0.01 * r * i + 0.005 * r * (1 - i)
            row[f"cost_{actor}"] = cost
            row[f"approval_{actor}"] = approval
            other = actors[1 - i]
            actor_rows.append(
                {
                    "round": r,
                    "hours": hours,
                    "actor": actor,
                    "approval": approval,
                    "cost_usd_bn": cost,
                    "resolve": 0.5 + 0.1 * i,
                    "committed": r > 0 and i == 0,
                    f"belief_{other}": 0.5 + 0.02 * r,
                }
            )
        row.update(
            deportees_returned=100 if r >= 5 else 0,
            deportees_pending=100 if r >= 5 else 200,
            relations=0.8 - 0.01 * r,
        )
        rows.append(row)
    events = [
        LogEntry(1, 6.0, rows[1]["clock"], "sender", LogKind.DECISION,
                 (Action(ActionType.THREATEN, "sender", "receiver", "tariff"),
                  Action(ActionType.IMPOSE, "sender", "receiver", "visas")),
                 reason="the receiver refused the flights"),
        LogEntry(2, 12.0, rows[2]["clock"], "receiver", LogKind.DECISION,
                 (Action(ActionType.ACCEPT_WITH_CONDITIONS, "receiver"),),
                 reason="pain ahead outweighs the dignity stake"),
        LogEntry(5, 30.0, rows[5]["clock"], None, LogKind.EVENT, reason="first flight landed"),
    ]
    outcome = {
        "outcome": "target_concedes",
        "variant": "face_saving",
        "decided_round": 2,
        "decided_at_hours": 12.0,
        "rounds_run": rounds,
        "stopped_early": True,
        "measures": {
            "tariff": {
                "label": "Tariff 25% → 50%",
                "imposer": "sender",
                "target": "receiver",
                "furthest": "threatened",
                "final": "lifted",
                "imposed_hours": 0.0,
            },
            "visas": {
                "label": "Visa sanctions",
                "imposer": "sender",
                "target": "receiver",
                "furthest": "imposed",
                "final": "lifted",
                "imposed_hours": 30.0,
            },
        },
        "costs_usd_bn": {a: rows[-1][f"cost_{a}"] for a in actors},
        "approval": {a: rows[-1][f"approval_{a}"] for a in actors},
        "deportees_returned": 100,
        "first_flight_hours": 30.0,
        "turning_points": [
            {"round": 1, "hours": 6.0, "text": "Sender threatens a tariff, imposes visa sanctions"},
            {"round": 2, "hours": 12.0, "text": "Receiver accepts with conditions"},
        ],
    }
    return FakeRunResult(
        scenario=scenario,
        seed=seed,
        rounds_run=rounds,
        stopped_early=True,
        model_frame=pd.DataFrame(rows),
        actor_frame=pd.DataFrame(actor_rows),
        events=events,
        outcome=outcome,
    )


BROWSER_TEST = "test_dashboard_browser.py"
INSTALL_CHROMIUM = "apt-get install chromium"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """Say loudly when the browser test was skipped, with the one command that installs Chromium.

    One "s" among hundreds of dots is easy to miss; the dashboard is then
    untested in a real browser (issue 15, item 5).
    """
    skipped = [report for report in terminalreporter.stats.get("skipped", [])
               if BROWSER_TEST in str(getattr(report, "nodeid", "") or report.location[0])]
    if not skipped:
        return
    longrepr = skipped[0].longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    terminalreporter.section("browser test skipped", sep="!", red=True, bold=True)
    terminalreporter.write_line(f"The dashboard browser test did not run: {reason.removeprefix('Skipped: ')}",
                                red=True, bold=True)
    if "chromium" in reason.lower():
        terminalreporter.write_line(f"Install Chromium with: {INSTALL_CHROMIUM}", bold=True)


def load_script(name: str):
    """The module of ``scripts/<name>.py`` (the scripts that regenerate the figures the docs
    quote are not a package), registered under its name so that its dataclasses resolve."""
    import importlib.util
    import sys

    path = PROJECT / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def run_script(script_path: Path, args: list[str], cwd: Path, in_a_process: bool,
                monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
                timeout: float = 120) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``python script_path *args`` run in ``cwd``: in a process of
    its own, or (``in_a_process`` false) in this one, the file run as ``__main__`` (its
    ``if __name__ == "__main__"`` block) with ``sys.argv``, the working folder and the script's
    folder on ``sys.path`` as a process would have them. An exception other than the script's
    ``SystemExit`` (a traceback, in a process) fails the calling test."""
    if in_a_process:
        result = subprocess.run([sys.executable, str(script_path), *args], cwd=cwd,
                                capture_output=True, text=True, timeout=timeout)
        return result.returncode, result.stdout, result.stderr
    import runpy

    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", [str(script_path), *args])
    monkeypatch.syspath_prepend(str(script_path.parent))
    capfd.readouterr()
    with pytest.raises(SystemExit) as ended:  # any other exception is a traceback: the test fails
        runpy.run_path(str(script_path), run_name="__main__")
    captured = capfd.readouterr()
    return ended.value.code, captured.out, captured.err


def stored_figures(name: str) -> dict:
    """The figures a script wrote to ``tests/data/<name>.json`` for a page of the docs."""
    import json

    return json.loads((PROJECT / "tests" / "data" / f"{name}.json").read_text(encoding="utf-8"))


def assert_page_renders(script: str, figures: dict, doc: str) -> None:
    """``docs/<doc>`` is what ``scripts/<script>.py`` renders from ``figures`` between its markers."""
    text = (PROJECT / "docs" / doc).read_text(encoding="utf-8")
    assert load_script(script).page_with(figures, text) == text, f"rerun scripts/{script}.py"


def each_finished_model(name: str, overrides: list[str], seeds: range):
    """A bundled scenario (with ``overrides``) run to its end once per seed, one model at a time:
    a test that looks for the first run of some kind stops running seeds once it has found it."""
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.scenario import load_scenario

    scenario = load_scenario(name, overrides)
    for seed in seeds:
        m = CrisisModel(scenario, seed, agent_records=False)
        while m.running and m.round < scenario.rounds:
            m.step()
        yield m


def finished_models(name: str, overrides: list[str], seeds: range):
    """A bundled scenario (with ``overrides``) run to its end once per seed: the finished models."""
    return list(each_finished_model(name, overrides, seeds))


@pytest.fixture
def two_cases(tmp_path: Path) -> Path:
    """Two real back-test cases cut to a short horizon (30 daily rounds), so that a test of the
    back-test or the calibration stays cheap."""
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in ("us_guatemala_safe_third_2019", "saudi_canada_2018"):
        text = (PROJECT / "cases" / f"{name}.yaml").read_text().replace("rounds: 1096", "rounds: 30")
        (folder / f"{name}.yaml").write_text(text)
    return folder
