"""docs/teaching.md stays runnable: every command in it names a real scenario,
valid --set and --sweep values and a real actor, and the story it quotes is
the golden narration."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from conftest import load_script
from crisis_sim.scenario import load_scenario
from crisis_sim.scenario.campaign import is_campaign_file, load_campaign
from crisis_sim.scenario.campaign_paths import set_changes

PROJECT = Path(__file__).resolve().parents[1]
DOC = PROJECT / "docs" / "teaching.md"
GOLDEN = PROJECT / "tests" / "golden" / "us_colombia_2025_seed0.txt"


def commands() -> list[list[str]]:
    """Every ``$ crisis-sim ...`` command of the page's console blocks, continuation lines joined."""
    text = DOC.read_text(encoding="utf-8").replace("\\\n", " ")
    found = []
    for line in re.findall(r"^\$ (crisis-sim .*)$", text, re.MULTILINE):
        found.append(shlex.split(line.split(" #")[0]))
    return found


def override_sets(argv: list[str]) -> tuple[str, list[list[str]], str | None]:
    """The scenario, the lists of --set overrides it runs with (one per sweep point), and --as."""
    scenario, sets, sweeps, actor = "us_colombia_2025", [], [], None
    positional = []
    i = 2
    while i < len(argv):
        arg = argv[i]
        if arg in ("--set", "--sweep", "--as", "-n", "--seed", "--runs", "--out"):
            value = argv[i + 1]
            if arg == "--set":
                sets.append(value)
            elif arg == "--sweep":
                path, _, values = value.partition("=")
                sweeps.append([f"{path}={v}" for v in values.split(",")])
            elif arg == "--as":
                actor = value
            i += 2
            continue
        if not arg.startswith("-"):
            positional.append(arg)
        i += 1
    if positional:
        scenario = positional[0]
    points = [sets]
    for sweep in sweeps:
        points = [[*p, s] for p in points for s in sweep]
    return scenario, points, actor


COMMANDS = [c for c in commands() if c[1] in ("run", "batch", "play")]


def test_the_page_has_the_lesson_commands():
    kinds = {c[1] for c in COMMANDS}
    assert {"run", "batch", "play"} <= kinds
    assert len(COMMANDS) >= 12


@pytest.mark.parametrize("argv", COMMANDS, ids=[" ".join(c[1:4]) for c in COMMANDS])
def test_every_command_names_a_valid_scenario_and_values(argv):
    scenario, points, actor = override_sets(argv)
    if is_campaign_file(PROJECT / scenario):
        for sets in points:  # a campaign's paths: its own fields, crises.<k>.<scenario path>, ...
            load_campaign(PROJECT / scenario, set_changes(sets, scenario))
        return
    for sets in points:
        loaded = load_scenario(scenario, sets)
        if actor is not None:
            assert actor in loaded.actors


def test_the_quoted_story_is_the_golden_narration():
    text = DOC.read_text(encoding="utf-8")
    block = text.split("```text", 1)[1].split("```", 1)[0]
    golden = GOLDEN.read_text(encoding="utf-8")
    for line in block.strip("\n").splitlines():
        if line.strip() != "...":
            assert line in golden, line



def test_the_page_shows_the_figures_the_script_computed():
    """Every table between figures markers is what scripts/write_teaching_figures.py renders
    from tests/data/teaching_figures.json (rerun the script after changing the model)."""
    script = load_script("write_teaching_figures")
    assert script.main(["--check"]) == 0
    text = DOC.read_text(encoding="utf-8")
    assert text.count("<!-- figures:") == len(script.TABLES)


CHICKEN_ROWS = load_script("write_teaching_figures").TABLES["chicken"]["rows"]


@pytest.mark.parametrize("row", range(len(CHICKEN_ROWS)), ids=[label for label, _, _ in CHICKEN_ROWS])
def test_the_chicken_figures_are_what_the_model_gives_now(row, tmp_path):
    """One table recomputed live (the cheapest), a row at a time as the script computes it
    (``compute`` runs each row's batch in turn): the stored figures are the model's."""
    import json

    script = load_script("write_teaching_figures")
    stored = json.loads(script.FIGURES.read_text(encoding="utf-8"))
    _, scenario, sets = script.TABLES["chicken"]["rows"][row]
    assert len(stored["chicken"]) == len(CHICKEN_ROWS)
    assert script.run_row(scenario, sets, tmp_path / f"chicken-{row}") == stored["chicken"][row]
