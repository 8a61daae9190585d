"""Old scenario files: validate names the format version and what replaced each retired field.

The format-1 file here is the bundled us_colombia_2025 with the fields its
format-1 version had (``git show 0e83360^:scenarios/us_colombia_2025.yaml``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from crisis_sim.cli import app
from crisis_sim.scenario import ScenarioError, bundled_scenarios, load_scenario
from crisis_sim.scenario.migrations import (
    CURRENT_FORMAT,
    RETIRED,
    format_version,
    retired_field,
    with_hint,
)


def _format_1(tmp_path: Path) -> Path:
    data = yaml.safe_load(bundled_scenarios()["us_colombia_2025"].read_text(encoding="utf-8"))
    params = data["actors"]["united_states"]["policy"]["params"]
    params["announce_after_hours"] = 8
    params["max_approval_loss"] = 0.08
    data.setdefault("dynamics", {})["threat_credibility"] = 0.8
    path = tmp_path / "old.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_every_retired_field_names_what_replaced_it(tmp_path: Path) -> None:
    path = _format_1(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    problems = info.value.problems
    (moved,) = [p for p in problems if ".announce_after_hours:" in p]
    assert moved.startswith(f"{path}: actors.united_states.policy.params.announce_after_hours: unknown")
    assert moved.endswith("a format 1 field, moved to actors.<id>.deliberation_hours (the hours a "
                          "government takes to decide, for every policy)")
    (removed,) = [p for p in problems if ".max_approval_loss:" in p]
    assert "a format 1 field, removed: turn_the_screw no longer gives up" in removed
    (dynamics,) = [p for p in problems if "threat_credibility" in p]
    assert "public belief about the threatener's resolve" in dynamics
    assert all("format 1 field" in p for p in problems)


def test_the_format_version_comes_from_the_retired_fields(tmp_path: Path) -> None:
    old = yaml.safe_load(_format_1(tmp_path).read_text(encoding="utf-8"))
    assert format_version(old) == 1
    for path in bundled_scenarios().values():
        assert format_version(yaml.safe_load(path.read_text(encoding="utf-8"))) == CURRENT_FORMAT
    assert retired_field("crises.1.actors.x.policy.params.max_approval_loss") is RETIRED[1]
    assert retired_field("actors.x.policy.params.deadline_hours") is None
    # only an "unknown" line gets a hint: a retired name is not blamed for another problem
    other = "dynamics.threat_credibility: must be <= 1"
    assert with_hint(other) == other


def test_validate_says_which_format_a_file_seems_to_be(tmp_path: Path) -> None:
    path = _format_1(tmp_path)
    result = CliRunner().invoke(app, ["validate", str(path), "us_colombia_2025"])
    assert result.exit_code == 2
    assert result.stdout.splitlines() == ["us_colombia_2025: ok (scenario format 2, the current one)"]
    assert result.stderr.splitlines()[-1] == (
        f"{path}: seems to be scenario format 1, of files written before 29 November 2026; "
        "the lines above say what replaced each old field")
