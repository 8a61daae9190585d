"""Crises of a campaign that overlap in time, merged into one scenario and run as one model.

A crisis entry with ``starts_after_days: D`` opens ``D`` days after the
previous crisis opened, before that one's horizon (docs/scenarios.md,
"Overlapping crises"). Such a crisis is run together with the previous one
(and so with every crisis that one is run with): a :class:`Group`. Their
scenarios are merged into one (:func:`merge`), so that they interact while
both are live, as the issues of one scenario do (docs/model.md §7.16, §7.20):

* actors, measures and trade are the union of the crises'; the same key is
  the same government, measure or flow, and must be defined the same way in
  every crisis that names it (else a problem naming the crisis and the field);
* issues are those of every crisis in order, each later crisis's issues
  opening ``opens_at_hours`` after it opens; its events likewise shifted;
* the clock (``start``, ``round_hours``), ``stop_when_settled``,
  ``decision_noise`` and ``dynamics`` are the group's first crisis's, and the
  others must agree on all but ``start``; the horizon is the latest of the
  crises' (their opening hour plus their own horizon);
* a later crisis may have no measure in force at its start (it would be in
  force from the group's start).

The merged scenario is validated like any scenario file. No I/O here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crisis_sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.campaign import Crisis

SHARED = ("round_hours", "stop_when_settled", "decision_noise", "dynamics")
"""Fields every crisis of a group must agree on: one model has one clock and one set of dynamics."""


@dataclass(frozen=True)
class Group:
    """Crises run as one model: their indices, the scenario run, when each opens and its issues.

    A crisis run alone is a group of one whose scenario is its own.
    """

    crises: tuple[int, ...]
    scenario: Scenario
    opens_at_hours: tuple[float, ...]
    """Hours from the group's start at which each crisis opens (0 for the first)."""
    issues: tuple[range, ...]
    """Which of the scenario's issues are each crisis's, in order."""

    @property
    def first(self) -> int:
        return self.crises[0]

    @property
    def overlapping(self) -> bool:
        return len(self.crises) > 1


def groups(crises: Sequence[Crisis], source: str) -> tuple[Group, ...]:
    """The crises grouped into runs: each crisis with ``starts_after_days`` joins the previous one's."""
    runs: list[list[Crisis]] = []
    for crisis in crises:
        if crisis.starts_after_days is not None and runs:
            runs[-1].append(crisis)
        else:
            runs.append([crisis])
    problems: list[str] = []
    out: list[Group] = []
    for run in runs:
        if len(run) == 1:
            only = run[0]
            out.append(Group((only.index,), only.scenario, (0.0,), (range(len(only.scenario.issues)),)))
            continue
        try:
            out.append(merge(run, source))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return tuple(out)


def opening_hours(crises: Sequence[Crisis]) -> list[float]:
    """When each crisis of a group opens, in hours from the first's opening."""
    hours = [0.0]
    for crisis in crises[1:]:
        hours.append(hours[-1] + 24.0 * float(crisis.starts_after_days or 0.0))
    return hours


def merge(crises: Sequence[Crisis], source: str) -> Group:
    """One scenario of the crises of a group (see the module's rules); ScenarioError naming each
    conflict as ``<campaign file>: crises.<k>: <field>: ...``."""
    from crisis_sim.scenario.files import validate_data

    first = crises[0].scenario
    hours = opening_hours(crises)
    problems: list[str] = []
    actors: dict[str, tuple[int, Any]] = {}
    measures: dict[str, tuple[int, Any]] = {}
    trade: dict[tuple[str, str], tuple[int, Any]] = {}
    issues: list[Any] = []
    events: list[Any] = []
    slices: list[range] = []
    for crisis, offset in zip(crises, hours, strict=True):
        scenario, where = crisis.scenario, f"{source}: crises.{crisis.index}"
        for name in SHARED:
            if getattr(scenario, name) != getattr(first, name):
                problems.append(f"{where}: {name}: differs from crises.{crises[0].index}'s; crises run "
                                "together (starts_after_days) share it")
        for key, actor in scenario.actors.items():
            problems += _same(actors, key, crisis.index, actor, f"{where}: actors.{key}", "government")
        for key, measure in scenario.measures.items():
            problems += _same(measures, key, crisis.index, measure, f"{where}: measures.{key}", "measure")
            for flag, what in (("in_force_at_start", "a measure in force"),
                               ("threatened_at_start", "a threat standing")):
                if offset > 0 and getattr(measure, flag) and key not in _first_seen(measures, crisis.index):
                    problems.append(f"{where}: measures.{key}.{flag}: a crisis that opens later "
                                    f"cannot start with {what}")
        for i, flow in enumerate(scenario.trade):
            problems += _same(trade, (flow.exporter, flow.importer), crisis.index, flow,
                              f"{where}: trade.{i}", "trade flow")
        start = len(issues)
        issues += [i.model_copy(update={"opens_at_hours": i.opens_at_hours + offset})
                   for i in scenario.issues]
        slices.append(range(start, len(issues)))
        events += [e.model_copy(update={"at_hours": e.at_hours + offset}) for e in scenario.events]
    if problems:
        raise ScenarioError(problems)
    horizon = max(h + c.scenario.rounds * c.scenario.round_hours for c, h in zip(crises, hours, strict=True))
    merged = first.model_copy(update={
        "actors": {k: v for k, (_, v) in actors.items()},
        "measures": {k: v for k, (_, v) in measures.items()},
        "trade": [v for _, v in trade.values()],
        "issues": issues,
        "events": sorted(events, key=lambda e: e.at_hours),
        "rounds": math.ceil(horizon / first.round_hours - 1e-9),
        "history": None,
    })
    label = f"{source}: crises.{crises[0].index}-{crises[-1].index} run together"
    scenario = validate_data(merged.model_dump(mode="json", exclude_none=True), label)
    return Group(tuple(c.index for c in crises), scenario, tuple(hours), tuple(slices))


def _same(seen: dict, key: Any, crisis: int, value: Any, where: str, what: str) -> list[str]:
    """Record ``value`` under ``key``; a problem if an earlier crisis defined it otherwise."""
    if key not in seen:
        seen[key] = (crisis, value)
        return []
    earlier, known = seen[key]
    if known == value:
        return []
    return [f"{where}: defined otherwise in crises.{earlier}; the same {what} in crises run together "
            "(starts_after_days) must be defined the same way"]


def _first_seen(seen: dict, crisis: int) -> set:
    """Keys first defined by a crisis before ``crisis``."""
    return {k for k, (c, _) in seen.items() if c != crisis}
