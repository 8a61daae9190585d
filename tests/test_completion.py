"""Shell completion offers the bundled scenario names, then scenario files and folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import crisis_sim
from crisis_sim.cli.completion import complete_scenario
from crisis_sim.scenario import bundled_scenarios

SOURCE = str(Path(crisis_sim.__file__).resolve().parents[1])
"""The folder the package under test is imported from: the shell's command imports it too."""


def test_bundled_names_then_files_and_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "us_mine.yaml").write_text("name: x\n", encoding="utf-8")
    (tmp_path / "us_notes.txt").write_text("", encoding="utf-8")
    (tmp_path / "us_folder").mkdir()
    (tmp_path / "us_folder" / "crisis.yml").write_text("name: x\n", encoding="utf-8")
    bundled = [name for name in bundled_scenarios() if name.startswith("us_")]
    assert bundled == ["us_colombia_2025", "us_colombia_2025_firm"]
    assert complete_scenario("us_") == [*bundled, "us_folder/", "us_mine.yaml"]
    assert complete_scenario("us_folder/") == ["us_folder/crisis.yml"]
    assert complete_scenario("") == [*bundled_scenarios(), "us_folder/", "us_mine.yaml"]
    assert complete_scenario("nowhere/x") == []


def _offered(words: str, folder: Path) -> str:
    """What the shell is offered for ``crisis-sim <words>``, as zsh asks a real process."""
    env = {**os.environ, "_CRISIS_SIM_COMPLETE": "complete_zsh", "PYTHONPATH": SOURCE,
           "_TYPER_COMPLETE_ARGS": f"crisis-sim {words}"}
    done = subprocess.run([sys.executable, "-m", "crisis_sim"], env=env, cwd=folder, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("command", ["run", "batch"])
def test_the_shell_is_offered_the_names(command: str, tmp_path: Path) -> None:
    offered = _offered(f"{command} chick", tmp_path)
    assert '"chicken_audience_costs"' in offered
    assert "us_colombia_2025" not in offered


def test_every_scenario_argument_completes_the_bundled_names() -> None:
    """Each argument or option that takes a bundled scenario's name (its help says so) completes it."""
    import typer.main

    from crisis_sim.cli import app

    group = typer.main.get_command(app)
    takes_a_name, completes = [], []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        for param in command.params:
            if "bundled" in (getattr(param, "help", None) or "").lower():
                takes_a_name.append(f"{name} {param.name}")
                if getattr(param, "_custom_shell_complete", None) is not None:
                    completes.append(f"{name} {param.name}")
    assert {"run scenario", "batch scenario", "validate files", "new source", "diff first", "diff second",
            "play scenario", "dashboard scenario", "sensitivity scenario"} <= set(takes_a_name)
    assert completes == takes_a_name


@pytest.mark.parametrize("words", ["diff us_colombia_2025 chick", "new x --from chick", "play chick"])
def test_the_shell_is_offered_the_names_by_diff_new_and_play(words: str, tmp_path: Path) -> None:
    assert '"chicken_audience_costs"' in _offered(words, tmp_path)
