"""The dashboard without a browser: its model, its overrides, its panels, its command.

:class:`DashboardModel` needs only the core dependencies; the panel and page
tests need the ``viz`` extra and are skipped without it. The browser test is
``test_dashboard_browser.py``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from crisis_sim.cli import app
from crisis_sim.cli import dashboard as cli_viz
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.policy import policy_names
from crisis_sim.core.types import Role
from crisis_sim.scenario import bundled_scenarios, load_scenario
from crisis_sim.teach.dashboard.model import AS_SCENARIO, DashboardModel, dashboard_overrides

runner = CliRunner()
DEFAULT = "us_colombia_2025"


def _run(model: CrisisModel, rounds: int = 40):
    for _ in range(rounds):
        if not model.running:
            break
        model.step()
    return model.datacollector.get_model_vars_dataframe()


def test_neutral_controls_reproduce_the_scenario_file() -> None:
    for name in bundled_scenarios():
        dashboard = DashboardModel(scenario_name=name, seed=3)
        assert dashboard.overrides == []
        assert dashboard.command_line() == f"crisis-sim run {name} --seed 3"
        plain = CrisisModel(load_scenario(name), seed=3)
        assert _run(dashboard).equals(_run(plain)), name


def test_overrides_scale_and_shift_the_scenario() -> None:
    scenario = load_scenario(DEFAULT)
    overrides = dashboard_overrides(
        scenario,
        exposure=0.5,
        audience_costs=2.0,
        resolve_shift=0.3,
        decision_noise=3.0,
        initiator_policy="hardliner",
        target_policy="dignity_first",
    )
    assert "trade.0.usd_bn=7.15" in overrides  # Colombia's exports to the US, halved
    assert not any(item.startswith("trade.1.") for item in overrides)  # US exports unchanged
    assert "actors.united_states.audience_cost=1" in overrides  # 0.6 × 2, capped at 1
    assert "actors.colombia.audience_cost=1" in overrides
    assert "actors.colombia.resolve.mean=0.8" in overrides
    assert not any(item.startswith("actors.united_states.resolve") for item in overrides)
    assert "decision_noise=0.015" in overrides
    assert "actors.united_states.policy.name=hardliner" in overrides
    assert "actors.colombia.policy.name=dignity_first" in overrides

    model = DashboardModel(
        exposure=0.5,
        audience_costs=2.0,
        resolve_shift=0.3,
        decision_noise=3.0,
        initiator_policy="hardliner",
        target_policy="dignity_first",
    )
    spec = model.scenario_spec
    assert spec.trade[0].usd_bn == pytest.approx(7.15)
    assert spec.actors["colombia"].resolve.mean == pytest.approx(0.8)
    assert spec.actors["united_states"].policy.name == "hardliner"
    assert spec.decision_noise == pytest.approx(0.015)
    assert model.command_line().startswith("crisis-sim run us_colombia_2025 --seed 0 --set ")


def test_resolve_and_audience_costs_stay_in_range() -> None:
    low = DashboardModel(resolve_shift=-0.5, audience_costs=0.0).scenario_spec
    high = DashboardModel(resolve_shift=0.5, audience_costs=2.0).scenario_spec
    for spec in (low, high):
        for actor in spec.actors.values():
            assert 0.0 <= actor.resolve.mean <= 1.0
            assert 0.0 <= actor.audience_cost <= 1.0
    assert low.actors["colombia"].resolve.mean == 0.0
    assert high.actors["colombia"].resolve.mean == 1.0


def test_every_policy_choice_runs_on_either_side() -> None:
    for policy in [AS_SCENARIO, *policy_names()]:
        for side in ("initiator_policy", "target_policy"):
            model = DashboardModel(**{side: policy}, seed=1)
            _run(model, rounds=12)
            role = Role.INITIATOR if side == "initiator_policy" else Role.TARGET
            expected = {
                actor.policy.name for actor in load_scenario(DEFAULT).actors.values() if actor.role is role
            }
            got = {a.policy.name for a in model.scenario_spec.actors.values() if a.role is role}
            assert got == (expected if policy == AS_SCENARIO else {policy})


def test_exposure_changes_the_run() -> None:
    """Halving Colombia's exports to the US halves what the US measures cost it."""
    full = _run(DashboardModel(seed=0))
    half = _run(DashboardModel(seed=0, exposure=0.5))
    assert full["cost_colombia"].iloc[-1] > 0
    assert not full.equals(half)


# --------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------


def test_dashboard_without_the_extra_says_how_to_install_it(monkeypatch) -> None:
    monkeypatch.setattr(cli_viz, "missing_viz_modules", lambda: ["solara"])
    result = runner.invoke(app, ["dashboard", "--no-open"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [cli_viz.INSTALL_HINT]
    assert "pip install -e '.[viz]'" in cli_viz.INSTALL_HINT


def test_dashboard_with_a_bad_scenario_exits_2_before_serving(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(cli_viz, "missing_viz_modules", list)  # the check needs no extra
    result = runner.invoke(app, ["dashboard", str(tmp_path / "nope.yaml"), "--no-open"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"{tmp_path / 'nope.yaml'}: no such file"]
    result = runner.invoke(app, ["dashboard", "no_such_scenario", "--no-open"])
    assert result.exit_code == 2
    assert "no such file or bundled scenario" in result.stderr


def test_help_does_not_import_the_dashboard() -> None:
    code = (
        "import sys\n"
        "from crisis_sim.cli import app\n"
        "try:\n"
        "    app(['dashboard', '--help'], prog_name='crisis-sim')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', [m for m in ('solara', 'mesa', 'crisis_sim.teach.dashboard') if m in sys.modules])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert "LOADED []" in done.stdout, done.stdout + done.stderr
    assert "--port" in done.stdout


# --------------------------------------------------------------------------
# the page and its panels (need the viz extra)
# --------------------------------------------------------------------------


def test_page_controls_match_the_model_arguments() -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from mesa.visualization.solara_viz import _check_model_params

    from crisis_sim.teach.dashboard.app import model_params

    params = model_params(DEFAULT)
    _check_model_params(DashboardModel.__init__, params)  # raises on an unknown or missing name
    assert params["scenario_name"]["values"] == list(bundled_scenarios())
    assert params["initiator_policy"]["values"] == [AS_SCENARIO, *policy_names()]
    assert model_params("my/crisis.yaml")["scenario_name"]["values"][0] == "my/crisis.yaml"


def test_event_log_and_status_speak_in_names_not_keys() -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.components import (
        EVENTS_SHOWN,
        actor_frame,
        event_log_html,
        status_html,
    )

    model = DashboardModel(seed=0)
    assert "Nothing has happened yet" in event_log_html(model)
    status = status_html(model)
    assert (
        "Round <b>0</b> of 240 <span class='crisis-clock'>· Sun 26 Jan 03:41, 0 h in</span>: the crisis opens"
        in status
    )
    assert "The United States wants Colombia to take the flights." in status
    assert "so far" not in status
    _run(model, rounds=6)
    log = event_log_html(model)
    assert "United States" in log
    assert "Colombia" in log
    assert "united_states" not in log
    assert "us_visa_sanctions" not in log
    assert log.count("<li>") <= EVENTS_SHOWN
    for code in ("terms=", "propose_terms", "accept_with_conditions", "->", "_"):
        assert code not in log, code
    status = status_html(model)
    clock = "<span class='crisis-clock'>· Sun 26 Jan 21:41, 18 h in</span>"
    assert f"Round <b>6</b> of 240 {clock}: the crisis is under way" in status
    assert "Colombia gave way" in status
    assert "target concedes" not in status
    frame = actor_frame(model.datacollector.get_model_vars_dataframe(), sorted(model.governments))
    assert set(frame["actor"]) == {"colombia", "united_states"}
    assert len(frame) == 2 * 7  # rounds 0..6, two governments


def test_proposals_read_as_sentences() -> None:
    """A proposal is told in words ('proposes a deal'), not as the log file's 'propose_terms terms=0.40'."""
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.core.log import LogEntry, LogKind
    from crisis_sim.core.types import Action, ActionType
    from crisis_sim.teach.dashboard.components import event_line

    model = DashboardModel(seed=0)
    entry = LogEntry(
        round=3,
        hours=9.0,
        clock="2025-01-26T12:41:00",
        actor="colombia",
        kind=LogKind.DECISION,
        actions=(Action(ActionType.PROPOSE_TERMS, "colombia", counterpart="united_states", terms=0.4),),
        reason="propose terms: -0.0 pts",
    )
    line = event_line(model, entry)
    assert "Colombia proposes a deal through the back channel: terms 0.40" in line
    assert "terms=" not in line
    assert "-0.0" not in line
    assert "round 3" in line


def test_status_story_and_chart_date_a_decision_alike() -> None:
    """Colombia gives way in round 4 at 9 h: the status, the story and the chart's 'decided' line agree.

    Moves are dated at the hour they are made within their round, states at the round's
    close (docs/batch-format.md, "Rounds and hours"): after 6 rounds the clock reads the
    close of round 6 (18 h), and the decision is dated at round 4's opening, 9 h.
    """
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.components import _decided_hours, event_log_html, status_html

    model = DashboardModel(seed=0)
    _run(model, rounds=6)
    status = status_html(model)
    assert "(decided in round 4, 9 h, Sun 12:41)." in status
    assert _decided_hours(model) == 9.0
    assert "round 4 · 9 h · Sun 12:41</span> Colombia accepts the flights" in event_log_html(model)
    assert "18 h in" in status


def test_a_mutual_escalation_is_dated_as_the_chart_dates_it() -> None:
    """Two hardliners: the chart draws 'decided' when both sides' measures are in force; the status
    says so with the same round and hour, not that nothing has happened."""
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.components import _decided_hours, status_html

    model = DashboardModel(initiator_policy="hardliner", target_policy="hardliner", seed=0)
    _run(model, rounds=12)
    assert str(model.final_outcomes()[0]["outcome"]) == "mutual_escalation"
    hours = _decided_hours(model)
    assert hours is not None
    round_ = model.final_outcomes()[0]["decided_round"]
    status = status_html(model)
    assert (
        f"Mutual escalation between the United States and Colombia since round {round_}, {hours:g} h"
        in status
    )
    assert "No one has given way yet" not in status


def test_reasons_read_in_plain_words() -> None:
    """The policies' notation ('-3.2 pts', 'P(they give way) 0.90', '24h') is told in words."""
    from crisis_sim.present.narrate import reason_in_words

    cases = [
        (
            "accept on our own aircraft, with dignity: -3.2 pts vs holding -6.9 pts",
            "accept on our own aircraft, with dignity: a cost of 3.2 approval points, "
            "against a cost of 6.9 for holding out",
        ),
        (
            "keep up the pressure: -0.5 pts (P(they give way) 0.90)",
            "keep up the pressure: a cost of 0.5 approval points (a 90% chance they give way)",
        ),
        (
            "propose terms 0.70 in the talks: -4.7 pts if they may say yes (0.51)",
            "propose terms 0.70 in the talks: a cost of 4.7 approval points, "
            "counting a 51% chance they agree",
        ),
        (
            "hold out and answer in kind: +0.6 pts",
            "hold out and answer in kind: a gain of 0.6 approval points",
        ),
        (
            "open talks: -0.0 pts for what they make possible",
            "open talks: nothing either way for what they make possible",
        ),
        (
            "hold out: 0.0 pts (stake +6.2 pts, P(they yield) 0.00)",
            "hold out: nothing either way (at stake 6.2 points, a 0% chance they give way)",
        ),
        (
            "deadline in 15h: waiting for compliance (-0.5 pts)",
            "deadline in 15 hours: waiting for compliance (a cost of 0.5 approval points)",
        ),
        ("talks open: propose terms 0.50; talks open: propose terms 0.50", "talks open: propose terms 0.50"),
        (
            "implementing the outcome: lift enhanced CBP inspections; lift visa sanctions",
            "carrying out the settlement",
        ),
        (
            "implementing the outcome: hold IEEPA financial sanctions in reserve; "
            "keep visa sanctions until the first flight lands",
            "carrying out the settlement; keep visa sanctions until the first flight lands",
        ),
    ]
    for reason, words in cases:
        assert reason_in_words(reason) == words, reason
    named = ["IEEPA financial sanctions", "emergency tariff", "visa sanctions"]
    ultimatum = (
        "ultimatum: comply within 24h or face IEEPA financial sanctions, emergency tariff, visa sanctions"
    )
    assert reason_in_words(ultimatum, named) == "ultimatum: comply within 24 hours or face these measures"
    assert reason_in_words(ultimatum, named[:1]) == ultimatum.replace(
        "24h", "24 hours"
    )  # the move names one only


def test_play_speeds_and_playing_to_the_end() -> None:
    """Every round is drawn up to 5 rounds a second; faster speeds play several a frame. 'To the end'
    stops where the run stops (settled) or at the scenario's last round."""
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.classroom import FRAME_S, SPEEDS, finished, frame_plan, play_to_end

    assert frame_plan(1.0) == (1.0, 1)
    assert frame_plan(2.5) == (0.4, 1)
    assert frame_plan(5.0) == (FRAME_S, 1)
    assert frame_plan(25.0) == (FRAME_S, 5)
    for speed in SPEEDS:
        interval, rounds = frame_plan(speed)
        assert rounds / interval == pytest.approx(speed)
    model = DashboardModel(seed=0)
    play_to_end(model)
    assert finished(model) and model.settled
    assert model.round < model.scenario_spec.rounds  # stopped once settled, not at the horizon
    long = DashboardModel(
        scenario_name="turn_the_screw_ultimatum",
        initiator_policy="hardliner",
        target_policy="hardliner",
        seed=0,
    )
    play_to_end(long)
    assert finished(long)


def test_slider_values_as_the_page_writes_them() -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.app import model_params
    from crisis_sim.teach.dashboard.classroom import shown_value

    params = model_params(DEFAULT)
    assert shown_value("exposure", params["exposure"], 0.5) == "× 0.50"
    assert shown_value("audience_costs", params["audience_costs"], 2.0) == "× 2.0"
    assert shown_value("resolve_shift", params["resolve_shift"], -0.1) == "-0.10"
    assert shown_value("resolve_shift", params["resolve_shift"], 0.0) == "+0.00"
    assert shown_value("seed", params["seed"], 7) == "7"


def test_classroom_charts_are_drawn_large() -> None:
    """Every text on a classroom chart is at least 12 pt, and the data lines wider than in print."""
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from matplotlib.text import Text

    from crisis_sim.teach.dashboard.components import (
        CLASSROOM_MIN_TEXT,
        costs_approval_figure,
        escalation_figure,
    )

    model = DashboardModel(seed=0)
    _run(model, rounds=6)
    for build in (escalation_figure, costs_approval_figure):
        room = build(model, (5.0, 4.5), classroom=True)
        sizes = [t.get_fontsize() for t in room.findobj(Text) if t.get_text()]
        assert min(sizes) >= CLASSROOM_MIN_TEXT, build.__name__
        print_ = build(model, (5.0, 4.5), classroom=False)
        widest = max(line.get_linewidth() for ax in room.axes for line in ax.get_lines())
        widest_print = max(line.get_linewidth() for ax in print_.axes for line in ax.get_lines())
        assert widest > widest_print, build.__name__
        assert all(not ax.child_axes for ax in room.axes)  # no "simulated days" axis of 0.000 ... 0.040


def test_the_samesite_warning_is_filtered_and_only_it(monkeypatch) -> None:
    """The server's cookie fallback warning is silenced by its text; other warnings still show."""
    import warnings

    monkeypatch.setattr(warnings, "filters", list(warnings.filters))
    monkeypatch.setenv("SOLARA_THEME_SHOW_BANNER", "True")
    cli_viz._quiet_solara()
    import os

    assert os.environ["SOLARA_THEME_SHOW_BANNER"] == "False"
    with warnings.catch_warnings(record=True) as caught:
        warnings.warn_explicit(
            cli_viz_samesite_text(), UserWarning, "starlette.py", 578, module="solara.server.starlette"
        )
        warnings.warn_explicit(
            "something else", UserWarning, "starlette.py", 600, module="solara.server.starlette"
        )
    assert [str(w.message) for w in caught] == ["something else"]


def cli_viz_samesite_text() -> str:
    return (
        "Cookies with samesite=none require https, but according to the asgi framework, "
        "the scheme is 'http'\nand the x-forwarded-proto header is 'http'."
    )
