"""``crisis-sim play``: a student plays one government through stdin.

The game reads one line per choice, so the tests drive it as a classroom
terminal would with piped input: numbers from the menu, bad input, end of input.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from crisis_sim.cli import app
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.policy import REGISTRY
from crisis_sim.core.types import ActionType
from crisis_sim.policies.human import HumanPolicy
from crisis_sim.present.narrate import Teller
from crisis_sim.scenario import load_scenario
from crisis_sim.teach.play import menu, parse_choice

# The opening menu for Colombia in us_colombia_2025 (see test_opening_menu_is_numbered_and_grouped).
ACCEPT, ACCEPT_SAVING_FACE, THREATEN_COUNTER, IMPOSE_COUNTER = "1", "2", "3", "4"


def play(*args: str, answers: str):
    return CliRunner().invoke(app, ["play", *args], input=answers)


def test_accepting_at_once_ends_with_the_target_conceding_and_a_full_debrief():
    result = play("--as", "colombia", answers=f"{ACCEPT}\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Round 1 of 240" in text and "Your move:" in text
    assert "Colombia gave way and accepted the flights on the terms the United States set." in text
    assert "What your choices cost (seed 0)" in text
    assert "You played: Colombia gives way" in text
    assert "The model playing Colombia (expected_utility): Colombia gives way (face-saving)" in text
    assert "The same crisis 200 times, with the model in every seat (seeds 0–199)" in text
    assert "What really happened" in text and "twelve-hour trade war" in text


def test_refusing_and_counter_imposing_ends_in_mutual_escalation():
    answers = f"{IMPOSE_COUNTER}\n" + "0\n" * 20
    result = play("--as", "colombia", "--set", "rounds=12", "--runs", "5", answers=answers)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Colombia imposes Colombian counter-tariff" in text
    assert "mutual escalation, a small trade war" in text
    assert "You played: mutual escalation" in text


def test_the_sender_can_back_down():
    result = play("--as", "united_states", "--runs", "0", answers="1\n")
    assert result.exit_code == 0, result.output
    assert "The United States backed down" in result.output
    assert "The same crisis" not in result.output  # --runs 0 skips the ensemble


def test_bad_input_re_prompts_and_the_game_goes_on():
    answers = "xyz\n99\n\n1 1\n0 1\n2\n"
    result = play("--as", "colombia", "--runs", "0", answers=answers)
    assert result.exit_code == 0, result.output
    assert result.output.count("is not on the menu") == 2
    assert "Each move can be picked only once." in result.output
    assert "0 (wait) cannot be combined with other moves." in result.output
    assert result.output.count("Type a number from 0 to 4") == 3
    assert "face-saving compromise" in result.output


@pytest.mark.parametrize("answers", ["", "0\n0\n", "q\n"])
def test_end_of_input_or_q_leaves_cleanly(answers):
    result = play("--as", "colombia", answers=answers)
    assert result.exit_code == 0, result.output
    assert "Game over" in result.output
    assert "Traceback" not in result.output and "How it ended" not in result.output


def test_unknown_actor_is_one_line_listing_the_actors():
    result = CliRunner().invoke(app, ["play", "--as", "peru"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "--as: unknown actor 'peru'; actors in us_colombia_2025: colombia, united_states"]


def test_a_bad_scenario_exits_2():
    result = CliRunner().invoke(app, ["play", "no_such_scenario", "--as", "colombia"])
    assert result.exit_code == 2
    assert "no such file or bundled scenario" in result.output


def test_piped_stdin_through_the_real_command():
    done = subprocess.run(
        [sys.executable, "-m", "crisis_sim", "play", "--as", "colombia", "--runs", "3"],
        input=f"{ACCEPT_SAVING_FACE}\n", capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # no colour when piped
    assert "> 2" in done.stdout  # answers are echoed, so the transcript reads like a session
    assert "face-saving compromise" in done.stdout


def test_opening_menu_is_numbered_and_grouped():
    scenario = load_scenario("us_colombia_2025")
    model = CrisisModel(scenario, 0)
    model.round = 1
    (view,) = model.views_for(model.governments["colombia"])
    items = menu(view, Teller(scenario))
    assert [(i.number, i.action.kind, i.action.measure) for i in items] == [
        (1, ActionType.ACCEPT_FLIGHTS, None),
        (2, ActionType.ACCEPT_WITH_CONDITIONS, None),
        (3, ActionType.THREATEN, "co_counter_tariff"),
        (4, ActionType.IMPOSE, "co_counter_tariff"),
    ]
    assert all(view.is_legal(i.action) for i in items)
    assert parse_choice("0", items) == ()
    assert parse_choice("3", items) == (items[2].action,)
    assert isinstance(parse_choice("1 2", items), str)  # one move about the flights at a time
    assert isinstance(parse_choice("3 4", items), str)  # one move per measure at a time


def test_human_policy_waits_without_a_player_and_is_not_a_scenario_policy():
    assert "human" not in REGISTRY
    model = CrisisModel(load_scenario("us_colombia_2025"), 0)
    model.governments["colombia"].policy = HumanPolicy()
    model.step()
    (colombia,) = [e for e in model.log if e.actor == "colombia"]
    assert colombia.is_wait
    assert colombia.reason == "no one at the controls: waits"
    assert "human" not in CliRunner().invoke(app, ["list"]).output


def test_w_n_waits_several_rounds_but_stops_when_the_others_move():
    result = play("--as", "colombia", "--runs", "0", answers=f"w 10\n{ACCEPT_SAVING_FACE}\n")
    assert result.exit_code == 0, result.output
    assert "Round 1 of 240" in result.output
    assert "Round 2 of 240" not in result.output and "Round 3 of 240" not in result.output
    assert "Round 4 of 240" in result.output  # the US announced its package in round 3
    assert "face-saving compromise" in result.output
