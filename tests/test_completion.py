"""Shell completion offers the bundled scenario names, then scenario files and folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crisis_sim.cli.completion import complete_scenario
from crisis_sim.scenario import bundled_scenarios


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


@pytest.mark.parametrize("command", ["run", "batch"])
def test_the_shell_is_offered_the_names(command: str, tmp_path: Path) -> None:
    env = {**os.environ, "_CRISIS_SIM_COMPLETE": "complete_zsh",
           "_TYPER_COMPLETE_ARGS": f"crisis-sim {command} chick"}
    done = subprocess.run([sys.executable, "-m", "crisis_sim"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert '"chicken_audience_costs"' in done.stdout
    assert "us_colombia_2025" not in done.stdout
