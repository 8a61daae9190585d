"""When a run's outcome was decided, and how long the run went on: the head of a run summary.

Two moments are easily confused. An issue is *decided* in the round a move
settles it (a concession, a withdrawal, a deal); a run *goes on* after that
until the crisis is settled (the winner's measures lifted, the first flight
landed) or the horizon is reached (``core.rules.is_settled``). An issue still
open at the horizon is classified then (``core.outcomes.classify_unsettled``):
mutual escalation, dated from the round both sides' measures were in force,
or a standoff, undated. So "decided in round 11" and "ran all 240 rounds"
are both true of a mutual escalation, and the summary says which is which.

A scenario with several disputes (``issues``) gets one line per dispute,
named by its two parties.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from crisis_sim.core.types import OUTCOME_CLASSES, Outcome, Variant, outcome_label

AT_THE_HORIZON = frozenset(o for o, c in OUTCOME_CLASSES.items() if c.at_the_horizon)
"""The classes an issue still open at the end of a run is given (never a move's result)."""

LABEL_WIDTH = 12


def hours_text(hours: float) -> str:
    """``30 simulated hours``, with days from two days on."""
    text = f"{hours:g} simulated hours"
    if hours >= 48:
        text += f" ({hours / 24:.1f} days)"
    return text


def clock(start: datetime, hours: float) -> str:
    """The wall-clock moment ``hours`` after ``start``, with its UTC offset."""
    moment = start + timedelta(hours=hours)
    offset = moment.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return moment.strftime("%a %d %b %Y %H:%M") + zone


def verdict(record: dict[str, Any]) -> str:
    """``target concedes (face saving)``: the class and its variant, in words."""
    text = outcome_label(record.get("outcome", "?"))
    if record.get("variant"):
        text += f" ({Variant(record['variant']).value.replace('_', ' ')})"
    return text


def _moment(record: dict[str, Any], start: datetime) -> str | None:
    """``round 5, after 12 simulated hours, Sun 26 Jan 2025 15:41 (UTC-05:00)``, or None."""
    decided_round, hours = record.get("decided_round"), record.get("decided_at_hours")
    if decided_round is None or hours is None:
        return None
    return f"round {decided_round}, after {hours_text(float(hours))}, {clock(start, float(hours))}"


def _at_the_horizon(record: dict[str, Any]) -> bool:
    try:
        return Outcome(str(record.get("outcome"))) in AT_THE_HORIZON
    except ValueError:
        return False


def _line(label: str, text: str) -> str:
    return f"{label + ':':<{LABEL_WIDTH}} {text}"


def _one_issue(record: dict[str, Any], start: datetime) -> list[str]:
    moment = _moment(record, start)
    if not _at_the_horizon(record):
        return [_line("Outcome", verdict(record)),
                _line("Decided at", moment or "not decided within the horizon")]
    lines = [_line("Outcome", f"{verdict(record)}, as the run ended (never settled)")]
    if moment is not None:
        lines.append(_line("Since", f"{moment}: both sides' measures in force from then on"))
    return lines


def dispute_label(issue: dict[str, Any], names: dict[str, str]) -> str:
    """``United States – Venezuela``: a dispute named by its sender and receiver."""
    sender, receiver = str(issue.get("sender")), str(issue.get("receiver"))
    return f"{names.get(sender, sender)} – {names.get(receiver, receiver)}"


def _per_dispute(issues: list[dict[str, Any]], names: dict[str, str], start: datetime) -> list[str]:
    labels = [dispute_label(issue, names) for issue in issues]
    width = max(len(label) for label in labels) + 1
    lines = [f"Outcome of each of the {len(issues)} disputes:"]
    for label, issue in zip(labels, issues, strict=True):
        moment = _moment(issue, start)
        if _at_the_horizon(issue):
            when = "as the run ended" + (f", in it since {moment}" if moment else "")
        else:
            when = f"decided at {moment}" if moment else "not decided within the horizon"
        lines.append(f"  {label + ':':<{width}} {verdict(issue)}; {when}")
    return lines


def _ran_until(outcome: dict[str, Any], horizon: int, disputes: int, complied: str) -> str:
    rounds_run = outcome["rounds_run"]
    if outcome.get("stopped_early"):
        settled = "every dispute was" if disputes > 1 else "the crisis was"
        how = f"stopped early, once {settled} settled (measures lifted or suspended, {complied})"
    elif outcome.get("settled"):
        how = "the full horizon; settled in the last round"
    else:
        how = "the full horizon, the crisis still unsettled"
    return _line("Ran until", f"round {rounds_run} of {horizon}: {how}")


def decision_lines(outcome: dict[str, Any], *, start: datetime, horizon: int,
                   names: dict[str, str], complied: str = "flights under way") -> list[str]:
    """The head of a run summary: the outcome, when it was decided, and until when the run went on.

    ``outcome`` is a run's ``outcome.json`` record; ``start`` the scenario's
    start, ``horizon`` its ``rounds``, ``names`` the actors' display names,
    ``complied`` what a settled crisis has under way besides its measures lifted (the flights,
    or a demand carried out: :func:`compliance_words`).
    One outcome line per dispute when the scenario has more than one.
    """
    issues = list(outcome.get("issues") or [])
    lines = _per_dispute(issues, names, start) if len(issues) > 1 else _one_issue(outcome, start)
    if outcome.get("rounds_run") is not None:
        lines.append(_ran_until(outcome, horizon, max(1, len(issues)), complied))
    return lines


def compliance_words(demands: list[str | None]) -> str:
    """What a settled crisis has under way, in words, for issues whose demands are ``demands``
    (None: the deportation flights): the flights, the demand carried out, or both kinds."""
    flights, other = any(d is None for d in demands), any(d is not None for d in demands)
    if flights and other:
        return "flights under way, demands carried out"
    if other:
        return "the demand carried out" if len(demands) == 1 else "the demands carried out"
    return "flights under way"
