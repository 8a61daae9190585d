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
    from tests/data/teaching_figures.json (rerun the script after changing the model), and the
    commands that file was made by are the ones the page prints above each table."""
    script = load_script("write_teaching_figures")
    assert script.main(["--check"]) == 0
    text = DOC.read_text(encoding="utf-8")
    assert text.count("<!-- figures:") == len(script.TABLES)
    for name in script.TABLES:
        assert script.page_commands(text, name), f"no crisis-sim batch command above table {name}"


def test_every_column_is_one_the_printed_command_prints():
    """A lesson table holds only what `crisis-sim batch` prints: outcome shares and the decision
    time; its rows name a sweep point of a command printed above it."""
    from crisis_sim.analysis.summary import OUTCOMES

    script = load_script("write_teaching_figures")
    text = DOC.read_text(encoding="utf-8")
    printed = {f"share:{o}" for o in OUTCOMES} | {"hours"}
    for name, table in script.TABLES.items():
        assert set(table["cells"]) <= printed, name
        commands = script.page_commands(text, name)
        for label, command, point in table["rows"]:
            argv = commands[command]
            sweeps = [argv[i + 1] for i, a in enumerate(argv) if a == "--sweep"]
            points = 1
            for sweep in sweeps:
                points *= len(sweep.partition("=")[2].split(","))
            assert point < points, (name, label)


def test_a_median_over_few_decided_runs_says_how_many():
    script = load_script("write_teaching_figures")
    few = {"hours": [48.0, 48.0, 48.0], "decided": 9}
    assert script.cell(few, "hours") == "48 (48–48), 9 decided"
    many = {"hours": [11.0, 15.0, 21.0], "decided": script.FEW_DECIDED}
    assert script.cell(many, "hours") == "15 (11–21)"
    assert script.cell({"hours": None, "decided": 0}, "hours") == "–"


def test_the_chicken_table_comes_out_of_its_printed_commands(tmp_path):
    """The cheapest table rerun live from the page: its two printed commands, exactly as printed,
    give the stored figures, and the shares the page shows are the ones the terminal prints."""
    import json

    script = load_script("write_teaching_figures")
    text = DOC.read_text(encoding="utf-8")
    stored = json.loads(script.FIGURES.read_text(encoding="utf-8"))["chicken"]
    commands = script.page_commands(text, "chicken")
    assert stored["commands"] == [shlex.join(argv) for argv in commands]
    runs = [script.run_printed(argv, tmp_path / f"chicken-{i}") for i, argv in enumerate(commands)]
    table = script.TABLES["chicken"]
    for (label, command, point), figures in zip(table["rows"], stored["rows"], strict=True):
        printed, points = runs[command]
        assert points[point] == figures, label
        terminal = printed.splitlines()
        row = terminal[terminal.index(_point_label(commands[command], point)) + 1]
        for key in table["cells"]:
            share = figures.get(key, 0.0)
            if share:  # the terminal leaves out a class no run of the batch ended in
                assert f"{100 * share:.1f}% (" in row, (label, key, row)
                assert script.cell(figures, key) == f"{100 * share:.0f}%"


def _point_label(argv: list[str], point: int) -> str:
    """The label the terminal prints above a sweep point's row: 'path=value'."""
    (sweep,) = [argv[i + 1] for i, a in enumerate(argv) if a == "--sweep"]
    path, _, values = sweep.partition("=")
    return f"{path}={values.split(',')[point]}"
