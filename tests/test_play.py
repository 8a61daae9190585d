"""``crisis-sim play``: a student plays one government through stdin.

The game reads one line per choice, so the tests drive it as a classroom
terminal would with piped input: keys from the menu, bad input, end of input.
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
from crisis_sim.teach.play import approval_sources, menu, parse_choice

# Keys of Colombia's moves in us_colombia_2025 (see test_opening_menu_has_stable_keys_and_groups).
ACCEPT, ACCEPT_SAVING_FACE, THREATEN_COUNTER, IMPOSE_COUNTER, OPEN_TALKS = "a", "c", "t1", "i1", "n"
UNTIL_THE_BACK_CHANNEL = f"{OPEN_TALKS}\nw\n"
"""Open talks in round 1 (0 h), then wait one round: talks open 6 h later (``talks_lead_hours``), and
with them the face-saving formula, on the menu of round 3, which opens at 6 h."""


def play(*args: str, answers: str):
    return CliRunner().invoke(app, ["play", *args], input=answers)


def test_accepting_at_once_ends_with_the_dispute_defused_and_a_full_debrief():
    """Accepting in the first round, before the United States has threatened anything, ends the
    dispute before it became a coercion crisis."""
    result = play("--as", "colombia", answers=f"{ACCEPT}\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Round 1 of 240" in text and "Your move:" in text
    assert ("Colombia accepted the flights before either side threatened a measure: the dispute was "
            "defused") in text
    assert "What your choices cost (seed 0)" in text
    assert "You played: defused before any threat" in text
    assert "The model playing Colombia (expected_utility): Colombia gives way (face-saving)" in text
    assert "The same crisis 200 times, with the model in every seat (seeds 0–199)" in text
    assert "What really happened" in text and "twelve-hour trade war" in text


def test_refusing_and_counter_imposing_ends_in_mutual_escalation():
    answers = f"{IMPOSE_COUNTER}\n" + "w\n" * 20
    result = play("--as", "colombia", "--set", "rounds=12", "--runs", "5", answers=answers)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Colombia imposes its counter-tariff" in text
    assert "mutual escalation, a small trade war" in text
    assert "You played: mutual escalation" in text


def test_the_sender_can_back_down():
    result = play("--as", "united_states", "--runs", "0", answers="b\n")
    assert result.exit_code == 0, result.output
    assert "The United States dropped its demand before either side threatened" in " ".join(
        result.output.split())
    assert "The same crisis" not in result.output  # --runs 0 skips the ensemble


def test_bad_input_re_prompts_and_the_game_goes_on():
    answers = "xyz\n99\n\na a\nw a\n" + UNTIL_THE_BACK_CHANNEL + "c\n"
    result = play("--as", "colombia", "--runs", "0", answers=answers)
    assert result.exit_code == 0, result.output
    assert result.output.count("is not on the menu") == 2
    assert "Each move can be picked only once." in result.output
    assert "w (wait) cannot be combined with other moves." in result.output
    assert " ".join(result.output.split()).count("Type one of the keys shown (a t1 i1 n; w waits)") == 3
    assert "face-saving compromise" in result.output


@pytest.mark.parametrize("answers", ["", "w\n0\n", "q\n"])
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
        input=f"{UNTIL_THE_BACK_CHANNEL}{ACCEPT_SAVING_FACE}\n", capture_output=True, text=True,
        timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stdout  # no colour when piped
    assert "> c" in done.stdout  # answers are echoed, so the transcript reads like a session
    assert "face-saving compromise" in done.stdout


def test_opening_menu_has_stable_keys_and_groups():
    scenario = load_scenario("us_colombia_2025")
    model = CrisisModel(scenario, 0)
    model.round = 1
    (view,) = model.views_for(model.governments["colombia"])
    items = menu(view, Teller(scenario))
    assert [(i.key, i.action.kind, i.action.measure) for i in items] == [
        ("a", ActionType.ACCEPT_FLIGHTS, None),
        ("t1", ActionType.THREATEN, "co_counter_tariff"),
        ("i1", ActionType.IMPOSE, "co_counter_tariff"),
        ("n", ActionType.OPEN_TALKS, None),
    ]
    model.back_channels.add(frozenset(("colombia", "united_states")))  # the face-saving formula needs one
    (view,) = model.views_for(model.governments["colombia"])
    items = menu(view, Teller(scenario))
    assert [i.key for i in items] == ["a", "c", "t1", "i1", "p"]
    assert all(view.is_legal(i.action) for i in items)
    assert parse_choice("w", items) == ()
    assert parse_choice("0", items) == ()
    assert parse_choice("t1", items) == (items[2].action,)
    assert parse_choice("T 1", items) == (items[2].action,)
    assert isinstance(parse_choice("a c", items), str)  # one move about the flights at a time
    assert isinstance(parse_choice("t1 i1", items), str)  # one move per measure at a time


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
    result = play("--as", "colombia", "--runs", "0",
                  answers=f"{OPEN_TALKS}\nw 10\n{ACCEPT_SAVING_FACE}\n")
    assert result.exit_code == 0, result.output
    assert "Round 1 of 240" in result.output and "Round 2 of 240" in result.output
    assert all(f"Round {n} of 240" not in result.output for n in range(3, 10))
    assert "Round 10 of 240" in result.output  # the US moved in round 9, as its deadline (24 h) ran out
    assert "Round 11 of 240" not in result.output  # talks opened at 6 h: round 10 offers the formula
    assert "face-saving compromise" in result.output


def test_a_key_keeps_its_meaning_when_the_menu_changes():
    """After a threat the menu gains 'hold in reserve' and 'lift' and loses 'threaten': 'i1' still imposes."""
    scenario = load_scenario("us_colombia_2025")
    model = CrisisModel(scenario, 0)
    colombia = model.governments["colombia"]
    model.governments["colombia"].policy = HumanPolicy(
        chooser=lambda view: (tuple(a for a in view.legal if a.kind is ActionType.THREATEN), "test"))
    teller = Teller(scenario)
    (before,) = model.views_for(colombia)
    keys_before = {i.key: i.action.kind for i in menu(before, teller)}
    model.step()
    (after,) = model.views_for(colombia)
    keys_after = {i.key: i.action.kind for i in menu(after, teller)}
    assert keys_before != keys_after  # the menu did change
    assert "t1" in keys_before and "t1" not in keys_after
    assert {"h1", "l1"} <= set(keys_after)
    for key in set(keys_before) & set(keys_after):
        assert keys_before[key] is keys_after[key]
    assert keys_after["i1"] is ActionType.IMPOSE


def test_a_proposal_is_answered_and_not_offered_again():
    answers = f"{UNTIL_THE_BACK_CHANNEL}p\nw\nq\n"  # talks are open from round 3 (6 h)
    result = play("--as", "colombia", "--runs", "0", answers=answers)
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    before, rest = text.split("Round 3 of 240", 1)
    round_3, rest = rest.split("Round 4 of 240", 1)
    assert "you can propose a deal (key p)" in round_3 and "(key p)" not in before
    round_4 = rest.split("> ", 1)[0]
    assert "you can propose a deal" not in round_4
    assert "Propose a deal" not in round_4
    assert ("Answer to your deal (terms 0.50, proposed in round 3): the United States has not accepted "
            "it this round.") in round_4


def test_the_ending_is_told_only_in_the_debrief():
    answers = f"{UNTIL_THE_BACK_CHANNEL}{ACCEPT_SAVING_FACE}\n"
    result = play("--as", "colombia", "--runs", "0", answers=answers)
    opening = " ".join(result.output.split("Round 1 of 240", 1)[0].split())
    assert "twelve hours" not in opening and "Colombia accepts" not in opening
    assert "told only at the end" in opening
    assert "You can use: 1. Colombian counter-tariff." in opening
    assert "twelve-hour trade war" in result.output.split("What really happened", 1)[1]


def test_the_debrief_says_where_approval_came_from():
    answers = "w\n" * 240
    result = play("--as", "colombia", "--runs", "0", answers=answers)
    text = " ".join(result.output.split())
    assert "You played: a standoff." in text
    assert ("Colombia: USD 855.3 million trade lost, approval +0.1 points. Where it came from: +3.0 from "
            "rallying round the flag; −2.0 from economic pain; −0.9 from elite pressure.") in text
    assert ("−0.1 from reaching out to open talks; −1.5 from audience costs (giving way after a public "
            "commitment)") in text
    assert "Colombia ended 1.3 points better off in your game than in the model's" in text


@pytest.mark.parametrize("name", ["us_colombia_2025", "us_colombia_2025_firm", "turn_the_screw_ultimatum"])
def test_approval_sources_add_up_and_audience_costs_fall_only_on_who_gave_way(name):
    from crisis_sim.core.dynamics import audience_cost
    from crisis_sim.runs.single_run import run_model

    scenario = load_scenario(name)
    model = run_model(scenario, 0)
    sources = approval_sources(model)
    issue = model.issues[0]
    for key, gov in model.governments.items():
        part = sources[key]
        parts = part.rally - part.pain - part.elite - part.talks + part.face
        assert parts == pytest.approx(part.total, abs=1e-12)
        assert part.total == pytest.approx(gov.approval - scenario.actors[key].approval, abs=1e-12)
        decided = issue.decided.value if issue.decided is not None else None
        gave_way = (key == issue.spec.receiver and decided == "target_concedes") or \
            (key == issue.spec.sender and decided == "initiator_backs_down")
        if not gave_way:
            assert part.face == pytest.approx(0.0, abs=1e-9)
    if issue.decided is not None and issue.decided.value == "target_concedes":
        receiver = scenario.actors[issue.spec.receiver]
        full = audience_cost(receiver.audience_cost, scenario.dynamics.audience_cost_scale, True,
                             (issue.decided_round) * scenario.round_hours, scenario.dynamics.commitment_days)
        assert 0 < -sources[issue.spec.receiver].face <= full + 1e-12


def test_a_crisis_about_another_demand_is_played_in_its_own_words():
    """A case whose demand is not the flights (a detained pastor): the opening, the situation
    and the menu speak of the demand, not of flights."""
    result = play("cases/us_turkey_brunson_2018.yaml", "--as", "turkey", "--runs", "0", answers="q\n")
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "The United States demands that Turkey release pastor Brunson. It has refused." in text
    assert "The demand that Turkey release pastor Brunson: refused by you" in text
    assert "The demand a Give in: release pastor Brunson, as the United States demands" in text
    assert "flight" not in text.lower()


def test_a_long_round_is_played_in_turns_each_told_before_the_student_moves():
    """chicken_audience_costs has 6-hour rounds, played as two turns of 3 hours (model.TURN_HOURS):
    the student is asked once a turn, and what the other side did in the first turn is told
    before the second question, under the turn's own heading."""
    result = play("chicken_audience_costs", "--as", "southland", "--runs", "0", answers="t1\nw\nq\n")
    out = result.output
    assert "played in 2 turns of 3 hours" in out
    first = out.index("Round 1 of 120, turn 1 of 2 · Mon 3 Mar 08:00")
    second = out.index("Round 1 of 120, turn 2 of 2 · Mon 3 Mar 11:00")
    assert first < out.index("Southland threatens its tariff") < second
    assert "w 4 waits four turns" in out
