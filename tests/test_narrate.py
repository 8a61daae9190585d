"""Narration: the story of a run, pinned by a golden text, plain when piped.

The golden file ``tests/golden/us_colombia_2025_seed0.txt`` is the narration of
the bundled scenario under seed 0. When the model or the narration changes on
purpose, regenerate it with the separate command below and read the difference
before committing::

    PYTHONPATH=src .venv/bin/python tests/regen_golden.py
    git diff tests/golden

The test only reads the golden file: it never writes it, and fails when it is missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import fake_result
from crisis_sim.cli import app
from crisis_sim.core.types import Action, ActionType
from crisis_sim.present.narrate import Line, a_pct, money, narrate, render
from crisis_sim.runs.single_run import run_scenario
from crisis_sim.scenario import load_scenario

GOLDEN = Path(__file__).parent / "golden" / "us_colombia_2025_seed0.txt"
REGEN = "PYTHONPATH=src .venv/bin/python tests/regen_golden.py"


@pytest.fixture(scope="module")
def default_run():
    return run_scenario(load_scenario("us_colombia_2025"), 0)


def test_narration_of_seed_0_matches_the_golden_text(default_run):
    if not GOLDEN.is_file():
        pytest.fail(f"golden file {GOLDEN} is missing; create it with: {REGEN}")
    text = narrate(default_run)
    assert text == GOLDEN.read_text(encoding="utf-8"), (
        f"narration changed; if on purpose, regenerate with: {REGEN}"
    )


def test_a_missing_golden_file_fails_and_is_not_written(default_run, tmp_path, monkeypatch):
    missing = tmp_path / "golden.txt"
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", missing)
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        test_narration_of_seed_0_matches_the_golden_text(default_run)
    assert not missing.exists()


def test_the_story_has_clock_times_reasons_numbers_beliefs_and_the_ending(default_run):
    text = " ".join(narrate(default_run).split())  # unwrapped
    assert "Sun 03:41 — Colombia refuses landing permission" in text
    assert "Its reasoning: ultimatum: comply within 24h" in text
    assert "25% on all of Colombia's goods now, 50% after 7 days" in text
    assert "The United States now thinks there is a 43% chance Colombia means it (it thought 50%)" in text
    assert "Turning point: Colombia accepts the flights on its own aircraft" in text
    assert "How it ended" in text and "face-saving compromise" in text
    assert "Only threatened, never imposed: IEEPA financial sanctions and emergency tariff." in text


def test_plain_unless_colour_is_asked_for(default_run):
    assert "\x1b[" not in narrate(default_run)
    assert "\x1b[" in narrate(default_run, color=True)
    plain = narrate(default_run, color=True).replace("\x1b[0m", "")
    for code in ("\x1b[1m", "\x1b[2m", "\x1b[36m", "\x1b[1;4m", "\x1b[1;33m", "\x1b[1;32m"):
        plain = plain.replace(code, "")
    assert plain == narrate(default_run)


def test_every_line_fits_the_width(default_run):
    assert max(len(line) for line in narrate(default_run).splitlines()) <= 88


def test_long_standoffs_are_folded(tmp_path):
    result = run_scenario(load_scenario("us_colombia_2025_firm"), 0)
    text = narrate(result)
    assert "quiet rounds" in text
    assert len(text.splitlines()) < 400  # 240 rounds; a deal proposed again each day it lapses
    assert result.outcome["outcome"] != "mutual_escalation" or "mutual escalation" in text


def test_narrates_a_hand_built_run_of_another_scenario():
    text = narrate(fake_result())
    assert "Sender threatens Tariff 25% → 50%" in text
    assert "Receiver accepts the flights, but on its own aircraft" in text


def test_small_pieces():
    assert Action.from_description("accept_terms terms=0.50 -> colombia", "united_states") == Action(
        ActionType.ACCEPT_TERMS, "united_states", "colombia", terms=0.5)
    targets = {"us_tariff": "colombia"}
    assert Action.from_description("threaten us_tariff", "united_states", targets) == Action(
        ActionType.THREATEN, "united_states", "colombia", "us_tariff")
    assert money(0.000039) == "USD 39 thousand"
    assert money(0.0047) == "USD 4.7 million"
    assert money(14.3) == "USD 14.3 billion"
    assert (a_pct(0.8), a_pct(0.96), a_pct(0.11)) == ("an 80%", "a 96%", "an 11%")
    assert render([Line("x " * 60, prefix="> ")], width=40).splitlines()[1].startswith("  x")


def test_run_narrate_prints_the_story_plain_when_piped(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--narrate", "--no-plots", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Sun 03:41 — Colombia refuses landing permission" in result.output
    assert "\x1b[" not in result.output
    assert f"Run folder: {out}" in result.output
    assert (out / "outcome.json").is_file()


def test_run_narrate_with_json_is_a_usage_error(tmp_path):
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--narrate", "--json", "--out", str(out)])
    assert result.exit_code == 2
    assert "--narrate and --json" in result.output
    assert not out.exists()


# --------------------------------------------------------------------------
# Plain sentences in every bundled scenario (issue 15, item 4)
# --------------------------------------------------------------------------


def _bundled_narrations():
    from crisis_sim.scenario import bundled_scenarios

    for name in bundled_scenarios():
        scenario = load_scenario(name)
        for seed in range(5):
            result = run_scenario(scenario, seed)
            turning = "\n".join(point["text"] for point in result.outcome["turning_points"])
            yield name, seed, scenario, narrate(result, width=10_000), turning


@pytest.fixture(scope="module")
def bundled_narrations():
    return list(_bundled_narrations())


def test_bundled_narrations_have_no_doubled_names(bundled_narrations):
    """'Westmark threatens Westmark tariff' reads as 'Westmark threatens its tariff'."""
    import re

    assert len(bundled_narrations) >= 25
    for name, seed, scenario, text, _ in bundled_narrations:
        for actor in scenario.actors.values():
            word = re.escape(actor.name)
            doubled = re.findall(rf"\b{word} \w+ {word}\w*", text)
            assert doubled == [], f"{name} seed {seed}: {doubled}"


def test_turning_points_in_outcome_json_have_no_doubled_names(bundled_narrations):
    """outcome.json and the run summary print the turning points without the narration's help."""
    import re

    said = []
    for name, seed, scenario, _, turning in bundled_narrations:
        said.append(turning)
        for actor in scenario.actors.values():
            word = re.escape(actor.name)
            doubled = re.findall(rf"\b{word} \w+ {word}\w*", turning)
            assert doubled == [], f"{name} seed {seed}: {doubled}"
    assert "Westmark imposes its tariff" in "\n".join(said)  # was "... imposes Westmark tariff"


def test_bundled_narrations_have_no_negative_zero(bundled_narrations):
    for name, seed, _, text, _ in bundled_narrations:
        for zero in ("-0.0", "−0.0"):
            lines = [line for line in text.splitlines() if zero in line]
            assert lines == [], f"{name} seed {seed}: {lines[:3]}"


def test_bundled_narrations_have_no_empty_reasons(bundled_narrations):
    for name, seed, _, text, _ in bundled_narrations:
        empty = [line for line in text.splitlines() if line.strip() in ("Its reasoning:", "—", ".")]
        assert empty == [], f"{name} seed {seed}: {empty}"
        assert "Its reasoning: \n" not in text + "\n"


def test_a_tie_in_the_reasoning_is_said_to_be_one():
    from crisis_sim.present.narrate import plain_reason

    said = plain_reason("accept on our own aircraft, with dignity: -5.7 pts vs holding -5.7 pts")
    assert said.endswith("(a near tie: less than 0.1 points apart)")
    assert "near tie" not in plain_reason("accept: -3.8 pts vs holding -7.7 pts")
    assert plain_reason("hold out: -0.0 pts (stake +4.2 pts)") == "hold out: 0.0 pts (stake +4.2 pts)"
    assert plain_reason("hold out: -0.05 pts") == "hold out: -0.05 pts"


def test_an_empty_reason_is_not_told():
    from crisis_sim.core.log import LogEntry, LogKind
    from crisis_sim.present.narrate import Teller, event_lines

    scenario = load_scenario("us_colombia_2025")
    entry = LogEntry(round=1, hours=3.0, clock="", actor="colombia", kind=LogKind.DECISION, reason="  ",
                     actions=(Action(ActionType.REFUSE_FLIGHTS, "colombia", "united_states"),))
    lines = event_lines(Teller(scenario), entry, "  Sun 06:41 — ", {})
    assert [line.prefix.strip() for line in lines] == ["Sun 06:41 —"]
