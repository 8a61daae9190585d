"""``--set`` and ``--sweep`` paths on a campaign file: which field of which file each one names.

A campaign's paths are those of its file, so that a change reads as the line
it would change (docs/scenarios.md, "Campaign files")::

    belief_decay=0.3                              a field of the campaign
    crises.1.gap_days=30                          a field of the second crisis's entry
    crises.1.actors.colombia.resolve.mean=0.8     a field of the second crisis's scenario
    actors.colombia.resolve.mean=0.8              that field in every crisis whose scenario has it
                                                  (defaults included: a policy's params take new keys)

Crises are numbered from 0 as the file's list is (``crises.0`` is the first,
the one outputs call crisis 1), as the campaign's own messages number them
(``crises.1.scenario: no such file``). A path whose first part is a field of
the campaign file (:data:`CAMPAIGN_FIELDS`) is the campaign's, even where a
scenario has a field of that name (``title``); ``crises.<k>.title`` is the
scenario's. A scenario change is applied after the crisis's own ``set``, by
the one path setter of ``--set`` (:func:`crisis_sim.scenario.overrides.set_path`).
No I/O here.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.overrides import parse_overrides, set_path
from crisis_sim.scenario.sweeps import missing_field, policy_setting

CAMPAIGN_FIELDS = ("name", "title", "description", "belief_decay", "half_life_days")
"""The campaign file's own fields a path may change (``kind`` and ``crises`` are the file's shape)."""
ENTRY_FIELDS = ("scenario", "label", "gap_days", "starts_after_days")
"""The fields of one crisis's entry a path may change (its ``set`` is changed by scenario paths)."""


@dataclass(frozen=True)
class Change:
    """One ``--set`` or swept value on a campaign: ``path`` to ``value``; ``flag`` names it in messages."""

    flag: str
    path: str
    value: Any


@dataclass(frozen=True)
class ScenarioChange:
    """A change to the scenario of crisis ``crisis`` (None: of every crisis whose scenario has the field)."""

    change: Change
    crisis: int | None
    path: str


def set_changes(sets: Sequence[str], label: str) -> list[Change]:
    """``--set path=value`` flags as changes (values parsed as ``--set`` parses them)."""
    return [Change(f"--set {item}", path, value) for item, path, value in parse_overrides(list(sets), label)]


def swept_changes(values: dict[str, Any]) -> list[Change]:
    """One sweep point's values as changes (a policy swept by name replaces the whole policy, as
    :func:`crisis_sim.scenario.sweeps.point_data` does), policies first."""
    changes = []
    for path, value in values.items():
        target, setting = policy_setting(path, value)
        changes.append(Change(f"--sweep {path}", target, setting))
    return sorted(changes, key=lambda c: not c.path.endswith(".policy"))


def apply_to_campaign(
    data: dict[str, Any], changes: Sequence[Change], label: str
) -> tuple[dict[str, Any], list[ScenarioChange]]:
    """Apply the changes to campaign and entry fields of the campaign mapping ``data`` (a copy is
    returned); return the scenario changes for the crises' scenarios, in order.

    Raises ScenarioError, one line per bad path, naming ``label`` (the file) and the flag.
    """
    data = copy.deepcopy(data)
    crises = found if isinstance(found := data.get("crises"), list) else []
    problems: list[str] = []
    scenario_changes: list[ScenarioChange] = []
    for change in changes:
        parts = change.path.split(".")
        try:
            if parts[0] in CAMPAIGN_FIELDS:
                set_path(data, change.path, copy.deepcopy(change.value))
            elif parts[0] == "crises":
                scenario_changes.extend(_crisis_change(crises, change, parts))
            else:
                scenario_changes.append(ScenarioChange(change, None, change.path))
        except KeyError as exc:
            problems.append(f"{label}: {change.flag}: {exc.args[0]}")
    if problems:
        raise ScenarioError(problems)
    return data, scenario_changes


def _crisis_change(crises: list[Any], change: Change, parts: list[str]) -> list[ScenarioChange]:
    """A ``crises.<k>....`` change: to the entry's own field (applied here) or to its scenario."""
    if len(parts) < 2 or not parts[1].isdigit() or int(parts[1]) >= len(crises):
        raise KeyError(f"'crises.{parts[1] if len(parts) > 1 else ''}': crisis index must be "
                       f"0..{len(crises) - 1} (crises.0 is the first)")
    k = int(parts[1])
    rest = ".".join(parts[2:])
    if not rest:
        raise KeyError(f"'crises.{k}' is a whole crisis; name one of its fields")
    if parts[2] in ENTRY_FIELDS:
        entry = crises[k]
        if not isinstance(entry, dict):
            raise KeyError(f"'crises.{k}' is not a mapping")
        set_path(entry, rest, copy.deepcopy(change.value))
        return []
    return [ScenarioChange(change, k, rest)]


def apply_to_scenario(data: dict[str, Any], changes: Sequence[ScenarioChange], crisis: int
                      ) -> tuple[list[str], list[int]]:
    """Apply to crisis ``crisis``'s scenario mapping the changes that concern it.

    Returns the problems (``flag: message``) of the changes aimed at this
    crisis by number, and the index (in ``changes``) of each change applied, so
    that a change for every crisis that no crisis had can be reported.
    """
    problems, applied = [], []
    fields = _fields(data) if any(sc.crisis is None for sc in changes) else None
    for i, sc in enumerate(changes):
        if sc.crisis not in (None, crisis):
            continue
        if sc.crisis is None and fields is not None and missing_field(fields, sc.path) is not None:
            continue  # a change for every crisis: not this one, whose scenario lacks the field
        try:
            set_path(data, sc.path, copy.deepcopy(sc.change.value))
        except KeyError as exc:
            if sc.crisis is not None:
                problems.append(f"{sc.change.flag}: {exc.args[0]}")
            continue
        applied.append(i)
    return problems, applied


def _fields(data: dict[str, Any]) -> dict[str, Any] | None:
    """Every field of the scenario ``data``, defaults included (None if it is not valid yet:
    then a change for every crisis goes where its parent exists, and validation speaks)."""
    from pydantic import ValidationError

    from crisis_sim.core.schema import Scenario

    try:
        return Scenario.model_validate(data).model_dump(mode="json")
    except ValidationError:
        return None


def untaken(changes: Sequence[ScenarioChange], taken: set[int]) -> list[str]:
    """Problems for the changes meant for every crisis that no crisis's scenario had a field for."""
    return [f"{sc.change.flag}: no crisis's scenario has the field '{sc.path}' (name one crisis as "
            f"crises.<k>.{sc.path}, or a campaign field: {', '.join(CAMPAIGN_FIELDS)})"
            for i, sc in enumerate(changes) if sc.crisis is None and i not in taken]
