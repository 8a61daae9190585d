"""The shared rule by which every back-test case is written, as a check of a case file.

So that the back-test measures the model and not the tuning of each file, every case
states the same behaviour and only its own facts (docs/backtest.md, "The shared rule"):
the sender's and the target's attributes, their policies, one day a round over three years,
no events, the fitted defaults of the dynamics and of the decision noise, a face-saving form
open at its default share, and a demand that is not the flights met by one act of
compliance. :func:`departures` lists where a case departs from it, one line each naming the
file and the field; ``crisis-sim backtest`` prints them as notes and scores
the case all the same (a what-if may depart on purpose), and ``tests/test_backtest.py`` holds
every case of ``cases/`` to none.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario

ROUND_HOURS, ROUNDS = 24, 1096
"""One day a round, a three-year horizon."""

SHARED_BEHAVIOUR: dict[str, dict[str, Any]] = {
    "initiator": {"approval": 0.45, "audience_cost": 0.6, "dignity": 0.3, "risk_tolerance": 0.7,
                  "resolve.mean": 0.8, "resolve.sd": 0.1, "policy.name": "turn_the_screw"},
    "target": {"approval": 0.45, "audience_cost": 0.5, "dignity": 0.9, "risk_tolerance": 0.5,
               "resolve.mean": 0.5, "resolve.sd": 0.15, "policy.name": "expected_utility"},
}
"""What every case's sender (``initiator``) and target state, by role. All ASSUMPTION, first
taken from the founding case (docs/backtest.md)."""


def departures(file: Path, case: Scenario) -> list[str]:
    """Where ``case`` (read from ``file``, as written) departs from the shared rule: one line each,
    ``FILE: FIELD: what it says; the shared rule: what it should say``. Empty for a case written
    by the rule."""
    out: list[str] = []

    def differs(field: str, got: object, rule: object) -> None:
        if got != rule:
            out.append(f"{file}: {field}: {got!r}; the shared rule: {rule!r}")

    differs("round_hours", case.round_hours, ROUND_HOURS)
    differs("rounds", case.rounds, ROUNDS)
    for field, what in (("decision_noise", "the fitted default, unstated"),
                        ("dynamics", "the fitted defaults, unstated")):
        if field in case.model_fields_set:
            out.append(f"{file}: {field}: stated; the shared rule: {what}")
    if case.events:
        out.append(f"{file}: events: {len(case.events)}; the shared rule: none (no back channel, "
                   "mediator or other event)")
    for key, actor in case.actors.items():
        shared = SHARED_BEHAVIOUR.get(actor.role.value)
        if shared is None:
            continue
        stated = {"approval": actor.approval, "audience_cost": actor.audience_cost,
                  "dignity": actor.dignity, "risk_tolerance": actor.risk_tolerance,
                  "resolve.mean": actor.resolve.mean, "resolve.sd": actor.resolve.sd,
                  "policy.name": actor.policy.name}
        for field, rule in shared.items():
            differs(f"actors.{key}.{field}", stated[field], rule)
        if actor.role.value == "target" and "deliberation_hours" in actor.model_fields_set:
            out.append(f"{file}: actors.{key}.deliberation_hours: stated; the shared rule: the target's"
                       " default")
    for i, issue in enumerate(case.issues):
        differs(f"issues.{i}.face_saving", issue.face_saving, True)
        if issue.demand_words is not None:  # one act of compliance, whose lead times are how long it takes
            differs(f"issues.{i}.deportees_pending", issue.deportees_pending, 1)
            differs(f"issues.{i}.deportees_per_flight", issue.deportees_per_flight, 1)
        if "face_saving_share" in issue.model_fields_set:
            out.append(f"{file}: issues.{i}.face_saving_share: stated; the shared rule: the default")
    return out
