"""The head of a run summary: when the outcome was decided, and until when the run went on.

"Decided" and "ran" are two moments: an issue is decided by a move and the run
goes on until the crisis is settled or the horizon is reached; an issue still
open at the horizon is classified then. A multi-dispute scenario gets one
outcome line per dispute, named by its parties.
"""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from crisis_sim.cli import app
from crisis_sim.present.decided import decision_lines

START = datetime(2025, 1, 26, tzinfo=UTC)
NAMES = {"us": "United States", "co": "Colombia", "ve": "Venezuela"}


def _issue(receiver: str, outcome: str, decided_round: int | None, hours: float | None) -> dict:
    return {"sender": "us", "receiver": receiver, "outcome": outcome, "variant": None,
            "decided_round": decided_round, "decided_at_hours": hours}


def test_mutual_escalation_at_the_horizon_is_not_called_decided() -> None:
    outcome = {**_issue("co", "mutual_escalation", 12, 33.0), "rounds_run": 240, "stopped_early": False,
               "settled": False, "issues": [_issue("co", "mutual_escalation", 12, 33.0)]}
    lines = decision_lines(outcome, start=START, horizon=240, names=NAMES)
    assert lines[0].startswith("Outcome:") and "as the run ended (never settled)" in lines[0]
    assert lines[1].startswith("Since:") and "round 12, after 33 simulated hours" in lines[1]
    assert not any(line.startswith("Decided") for line in lines)
    assert lines[2] == "Ran until:   round 240 of 240: the full horizon, the crisis still unsettled"


def test_a_decided_crisis_says_when_it_was_decided_and_when_the_run_stopped() -> None:
    outcome = {**_issue("co", "target_concedes", 5, 12.0), "variant": "face_saving", "rounds_run": 19,
               "stopped_early": True, "settled": True}
    lines = decision_lines(outcome, start=START, horizon=240, names=NAMES)
    assert lines[0] == "Outcome:     target concedes (face saving)"
    assert lines[1] == "Decided at:  round 5, after 12 simulated hours, Sun 26 Jan 2025 12:00 (UTC+00:00)"
    assert lines[2].startswith("Ran until:   round 19 of 240: stopped early, once the crisis was settled")


def test_a_standoff_has_no_date() -> None:
    outcome = {**_issue("co", "standoff", None, None), "rounds_run": 240, "stopped_early": False,
               "settled": False}
    lines = decision_lines(outcome, start=START, horizon=240, names=NAMES)
    assert lines[0] == "Outcome:     standoff, as the run ended (never settled)"
    assert lines[1].startswith("Ran until:")


def test_each_dispute_gets_its_own_outcome_line() -> None:
    issues = [_issue("co", "target_concedes", 5, 12.0), _issue("ve", "mutual_escalation", 30, 87.0)]
    outcome = {**issues[0], "rounds_run": 480, "stopped_early": False, "settled": False, "issues": issues}
    lines = decision_lines(outcome, start=START, horizon=480, names=NAMES)
    assert lines[0] == "Outcome of each of the 2 disputes:"
    assert lines[1].startswith("  United States – Colombia:  target concedes; decided at round 5,")
    assert lines[2].startswith("  United States – Venezuela: mutual escalation; as the run ended, "
                               "in it since round 30, after 87 simulated hours")
    assert lines[3].startswith("Ran until:   round 480 of 480: the full horizon")


def test_the_regional_scenario_prints_one_line_per_dispute(tmp_path) -> None:
    result = CliRunner().invoke(app, ["run", "deportations_2025_region", "--out", str(tmp_path / "r"),
                                      "--no-plots"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Outcome of each of the 2 disputes:")
    assert lines[start + 1].startswith("  United States – Colombia:")
    assert lines[start + 2].startswith("  United States – Venezuela:")
    assert lines[start + 3].startswith("Ran until:")
