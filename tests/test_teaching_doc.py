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
        if arg in ("--set", "--sweep", "--as", "-n", "--seed", "--runs", "--out", "--show"):
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
    time, and variant and measure shares when the row's command asks for them with --show; its
    rows name a sweep point of a command printed above it."""
    from crisis_sim.analysis.summary import OUTCOMES, VARIANTS

    script = load_script("write_teaching_figures")
    text = DOC.read_text(encoding="utf-8")
    always = {f"share:{o}" for o in OUTCOMES} | {"hours"}
    for name, table in script.TABLES.items():
        commands = script.page_commands(text, name)
        for label, command, point in table["rows"]:
            argv = commands[command]
            show = script.shown(argv)
            printed = set(always)
            printed |= {f"variant:{v}" for v in VARIANTS} if "variants" in show else set()
            if "measures" in show:
                printed |= {c for c in table["cells"] if c.startswith("imposed:")}
            assert set(table["cells"]) <= printed, (name, label)
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


@pytest.mark.parametrize("name", ["base", "bluff"])
def test_the_variant_and_measure_columns_come_out_of_their_printed_commands(name, tmp_path):
    """The tables with --show columns, rerun live from the page: the commands as printed give the
    stored figures, each checked against what the command printed (run_printed raises otherwise)."""
    import json

    script = load_script("write_teaching_figures")
    text = DOC.read_text(encoding="utf-8")
    stored = json.loads(script.FIGURES.read_text(encoding="utf-8"))[name]
    commands = script.page_commands(text, name)
    assert any(script.shown(argv) for argv in commands)
    points = [script.run_printed(argv, tmp_path / f"{name}-{i}", in_this_process=True)[1]
              for i, argv in enumerate(commands)]
    for (label, command, point), figures in zip(script.TABLES[name]["rows"], stored["rows"], strict=True):
        assert points[command][point] == figures, label
        assert any(k.startswith(("variant:", "imposed:")) for k in figures), label


def test_a_figure_the_terminal_did_not_print_is_refused():
    script = load_script("write_teaching_figures")
    printed = """x: 100 runs, root seed 0
Outcome shares with 95% Wilson intervals; figures: median (IQR).

  n      target concedes  decided at (h)
100  100.0% (96.3–100.0)    15 (11.2–21)

How the first issue was decided (variant), share of all runs:
  n          face saving           terms         partial
100  100.0% (96.3–100.0)  0.0% (0.0–3.7)  0.0% (0.0–3.7)

Measures imposed at some point, share of runs:
  n  emergency tariff
100    3.0% (1.0–8.5)
"""
    right = {"share:target_concedes": 1.0, "variant:face_saving": 1.0, "imposed:us_tariff": 0.03,
             "hours": [11.25, 15.0, 21.0], "decided": 100}
    script.check_printed(printed, [right], {"us_tariff": "emergency tariff"})
    for key, wrong in (("variant:face_saving", 0.97), ("imposed:us_tariff", 0.0), ("share:standoff", 0.02),
                       ("hours", [11.0, 16.0, 21.0])):
        with pytest.raises(ValueError):
            script.check_printed(printed, [{**right, key: wrong}], {"us_tariff": "emergency tariff"})


def _generated(text: str) -> list[tuple[str, str]]:
    return re.findall(r"<!-- says:(\w+) -->(.*?)<!-- /says -->", text, flags=re.S)


def test_the_prose_quotes_the_figures_of_its_table():
    """Every share and median hour a generated sentence quotes is a cell of its table as the page
    shows it ('every run' a 100% cell, 'no run' a 0% one); and the hand-written prose quotes no
    share of runs or decision time of its own."""
    script = load_script("write_teaching_figures")
    text = DOC.read_text(encoding="utf-8")
    said = _generated(text)
    assert {name for name, _ in said} == set(script.SENTENCES)
    for name, sentence in said:
        source = script.SENTENCES[name][0]
        table = text.split(f"<!-- figures:{source} -->", 1)[1].split("<!-- /figures -->")[0]
        cells = {c.strip() for line in table.splitlines() for c in line.split("|")}
        medians = {c.split(" ")[0] for c in cells if "(" in c}
        for share in re.findall(r"\b(\d+)%(?! tariff)", sentence):  # a tariff rate is not a share
            assert f"{share}%" in cells, (name, share)
        for hour in re.findall(r"(\d+) hours", sentence) + re.findall(r"against (\d+)\)?[.,)]", sentence):
            assert hour in medians, (name, hour)
        assert "every run" not in sentence or "100%" in cells, name
        assert "no run" not in sentence or "0%" in cells, name
    hand = re.sub(r"<!-- says:\w+ -->.*?<!-- /says -->", "", text, flags=re.S)
    hand = re.sub(r"<!-- figures:\w+ -->.*?<!-- /figures -->", "", hand, flags=re.S)
    hand = hand.split("## Extension")[0]  # exercise 4 quotes a 1,000-run campaign batch of its own
    for pattern in (r"\d+% of (the )?runs", r"\(\d+% (against|and)", r"\d+ hours after"):
        assert not re.search(pattern, hand), pattern


def test_the_prose_sentence_breaks_when_a_figure_contradicts_its_claim():
    script = load_script("write_teaching_figures")
    import json

    stored = json.loads(script.FIGURES.read_text(encoding="utf-8"))["chicken"]["rows"]
    nobody, south, north = (dict(r) for r in stored)
    south["share:target_concedes"] = 0.05  # the committed side gives way after all
    with pytest.raises(ValueError, match="never gives way"):
        script.SENTENCES["chicken"][1]([nobody, south, north])


def test_the_chicken_table_comes_out_of_its_printed_commands(tmp_path):
    """The cheapest table rerun live from the page: its two printed commands, exactly as printed,
    give the stored figures, and the shares the page shows are the ones the terminal prints."""
    import json

    script = load_script("write_teaching_figures")
    text = DOC.read_text(encoding="utf-8")
    stored = json.loads(script.FIGURES.read_text(encoding="utf-8"))["chicken"]
    commands = script.page_commands(text, "chicken")
    assert stored["commands"] == [shlex.join(argv) for argv in commands]
    runs = [script.run_printed(argv, tmp_path / f"chicken-{i}", in_this_process=True)
            for i, argv in enumerate(commands)]
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
