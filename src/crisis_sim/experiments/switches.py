"""How a documented mechanism is switched off in a scenario: the ``--set`` overrides that do it,
read from the scenario's plain data (``Scenario.model_dump(mode="json")``).

The scripts that measure what each mechanism does use them, so that the switch is the only
difference between the two arms of each comparison: ``scripts/mechanism_effects.py`` over the
lessons' box of assumptions, ``scripts/mechanisms_on_history.py`` over the back-test's cases
(docs/backtest.md, "Mechanisms over the box" and "Mechanisms on history"). A switch that does not
apply to a scenario (no issue offers a face-saving form, no government is written with
counter-measures) gives no override.
"""

from __future__ import annotations

from typing import Any


def face_saving_off(data: dict[str, Any]) -> list[str]:
    """Every issue that offers a face-saving form offers none (docs/model.md §7.11)."""
    return [f"issues.{i}.face_saving=false" for i, issue in enumerate(data["issues"])
            if issue.get("face_saving")]


def counter_measures_off(data: dict[str, Any]) -> list[str]:
    """Every government written with ``counter: true`` no longer answers in kind."""
    return [f"actors.{k}.policy.params.counter=false" for k, actor in sorted(data["actors"].items())
            if actor["policy"].get("params", {}).get("counter")]


def decision_noise_off(data: dict[str, Any]) -> list[str]:
    """Choices greedy: the scenario's ``decision_noise`` and every government's own set to 0."""
    own = [k for k, actor in sorted(data["actors"].items()) if actor.get("decision_noise") is not None]
    return ["decision_noise=0"] + [f"actors.{k}.decision_noise=0" for k in own]


def terms_weighing_off(data: dict[str, Any]) -> list[str]:
    """Every ``turn_the_screw`` sender that weighs terms short of its floor refuses them outright
    (``weigh_terms: false``, docs/model.md §7.11)."""
    return [f"actors.{k}.policy.params.weigh_terms=false" for k, actor in sorted(data["actors"].items())
            if actor["policy"]["name"] == "turn_the_screw"
            and actor["policy"].get("params", {}).get("weigh_terms", True)]
