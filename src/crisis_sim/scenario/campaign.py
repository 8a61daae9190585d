"""Campaign files: crises run in sequence (or overlapping), with reputation carried from one to the next.

A campaign file is a YAML mapping with ``kind: campaign`` (docs/scenarios.md,
"Campaign files")::

    kind: campaign
    name: reputation_after_backdown
    belief_decay: 0.2          # share of the old evidence forgotten at each hand-over
    half_life_days: 365        # optional: the rest halves with each year between crises
    crises:
      - scenario: hardliner_first.yaml     # a file beside this one, or a bundled scenario's name
        label: first crisis
      - scenario: us_colombia_2025
        gap_days: 180
        set: {actors.colombia.resolve.mean: 0.5}   # changes to that scenario, as --set makes them
      - scenario: another.yaml
        starts_after_days: 2     # opens two days after the previous one opened: run with it as one model

:func:`load_campaign` reads and checks it, loading every crisis's scenario,
and raises :class:`~crisis_sim.scenario.errors.ScenarioError` with one line
per problem, each naming the file and the field
(``camp.yaml: crises.1.scenario: no such file or bundled scenario 'x.yaml'``).
``--set`` and ``--sweep`` values reach a campaign through the paths of
:mod:`crisis_sim.scenario.campaign_paths` (``belief_decay``,
``crises.1.actors.colombia.resolve.mean``); a sweep's campaigns are
:mod:`crisis_sim.scenario.campaign_sweeps`. How beliefs are carried is
:mod:`crisis_sim.core.reputation`; running a campaign is :mod:`crisis_sim.runs.campaign`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crisis_sim.core.canonical import canonical_json
from crisis_sim.core.schema import Fraction, Scenario
from crisis_sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from crisis_sim.scenario.campaign_paths import Change, ScenarioChange
    from crisis_sim.scenario.overlap import Group

CAMPAIGN_KIND = "campaign"
MAX_CRISES = 50
"""Most crises in one campaign."""


class CrisisEntry(BaseModel):
    """One crisis of a campaign file."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(min_length=1, max_length=1000)
    """A scenario file, relative to the campaign file, or a bundled scenario's name."""
    label: str | None = Field(default=None, max_length=200)
    """How outputs name this crisis (default: ``crisis <n>: <scenario name>``)."""
    gap_days: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    """Days between the previous crisis and this one (0 for the first)."""
    starts_after_days: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    """Days after the previous crisis opened at which this one opens, before that one's horizon:
    the two overlap and are run as one model (:mod:`crisis_sim.scenario.overlap`)."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Changes to the scenario, ``{path: value}`` as ``--set path=value`` makes them."""


class CampaignSpec(BaseModel):
    """A campaign file, as written."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["campaign"]
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    title: str = Field(default="", max_length=200)
    description: str = Field(default="", max_length=5000)
    belief_decay: Fraction
    """Share of the evidence about each government's resolve forgotten at each hand-over."""
    half_life_days: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    """With it, the evidence kept also halves with every ``half_life_days`` of ``gap_days``."""
    crises: list[CrisisEntry] = Field(min_length=1, max_length=MAX_CRISES)


@dataclass(frozen=True)
class Crisis:
    """One crisis of a loaded campaign: its scenario, validated, and where it came from."""

    index: int
    label: str
    scenario: Scenario
    source: str
    gap_days: float
    sets: tuple[str, ...] = ()
    starts_after_days: float | None = None
    """Days after the previous crisis opened at which this one opens (it overlaps that one), or None."""


@dataclass(frozen=True)
class Campaign:
    """A campaign file loaded and checked: its crises in order and the decay of beliefs."""

    name: str
    title: str
    source: str
    belief_decay: float
    half_life_days: float | None
    crises: tuple[Crisis, ...]
    changes: tuple[Change, ...] = ()
    """The ``--set`` changes it was loaded with (a sweep adds each point's to them)."""
    groups: tuple[Group, ...] = ()
    """The crises as they are run: one model each, or one for crises that overlap."""

    def to_json(self) -> dict[str, Any]:
        """What fixes the campaign's runs, JSON-ready (the manifest's ``campaign``)."""
        return {
            "name": self.name,
            "title": self.title,
            "belief_decay": self.belief_decay,
            "half_life_days": self.half_life_days,
            "crises": [
                {
                    "crisis": c.index + 1,
                    "label": c.label,
                    "scenario_name": c.scenario.name,
                    "scenario_hash": c.scenario.content_hash(),
                    "actors": {k: a.name for k, a in sorted(c.scenario.actors.items())},
                    "source": c.source,
                    "gap_days": c.gap_days,
                    "set": list(c.sets),
                    **({} if c.starts_after_days is None else {"starts_after_days": c.starts_after_days}),
                    **self._run_with(c.index),
                }
                for c in self.crises
            ],
        }

    def _run_with(self, index: int) -> dict[str, list[int]]:
        """``{"run_with": [crisis numbers]}`` for a crisis run in one model with others, else ``{}``."""
        for group in self.groups:
            if group.overlapping and index in group.crises:
                return {"run_with": [k + 1 for k in group.crises]}
        return {}

    def content_hash(self) -> str:
        """SHA-256 of what fixes the runs: the decay and each crisis's resolved scenario and gap
        (not the files' paths, labels or comments)."""
        fixed = {
            "belief_decay": self.belief_decay,
            "half_life_days": self.half_life_days,
            "crises": [(c.scenario.content_hash(), c.gap_days, *_overlap(c)) for c in self.crises],
        }
        return hashlib.sha256(canonical_json(fixed).encode()).hexdigest()

    @property
    def rounds(self) -> int:
        """The longest a campaign run can be: every model's rounds (crises run together count once)."""
        return sum(g.scenario.rounds for g in self.groups)

    def group_of(self, crisis: int) -> Group:
        """The group crisis ``crisis`` (its index) is run in."""
        return next(g for g in self.groups if crisis in g.crises)


def _overlap(crisis: Crisis) -> tuple[float, ...]:
    """What a crisis's hash adds when it overlaps the previous one (nothing otherwise, so that the
    hashes of campaigns in sequence are as they were)."""
    return () if crisis.starts_after_days is None else (crisis.starts_after_days,)


def is_campaign_file(path: str | Path) -> bool:
    """Whether ``path`` (a file or a bundled name) is a readable mapping with ``kind: campaign``."""
    from crisis_sim.scenario.files import read_yaml, resolve_scenario_path

    try:
        data = read_yaml(resolve_scenario_path(path))
    except ScenarioError:
        return False
    return data.get("kind") == CAMPAIGN_KIND


def load_campaign(path: str | Path, changes: Sequence[Change] = (), *, where: str | None = None) -> Campaign:
    """Read a campaign file and every scenario it names; every problem at once (ScenarioError).

    ``changes``: ``--set`` or swept values on the campaign, by the paths of
    :mod:`crisis_sim.scenario.campaign_paths`. ``where`` names the campaign in
    messages about values (default: its file; a sweep point adds ``with <its values>``);
    a bad path is always named by the file.
    """
    from crisis_sim.scenario.campaign_paths import apply_to_campaign, untaken
    from crisis_sim.scenario.files import read_yaml

    file = Path(path)
    label = str(file)
    where = where or label
    data = read_yaml(file)
    data, scenario_changes = apply_to_campaign(data, changes, label)
    try:
        spec = CampaignSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([f"{where}: {_campaign_problem(e)}" for e in exc.errors()]) from None
    problems: list[str] = []
    crises: list[Crisis] = []
    taken: set[int] = set()
    for i, entry in enumerate(spec.crises):
        at = f"{label}: crises.{i}"
        try:
            scenario_file = _crisis_file(file, entry.scenario)
        except ScenarioError as exc:
            problems.append(f"{at}.scenario: {exc.problems[0]}")
            continue
        mine = any(sc.crisis in (None, i) for sc in scenario_changes)
        try:
            scenario, applied = _load(scenario_file, entry.set, at, scenario_changes, i,
                                      label=label, changed=f"{where}: crises.{i}" if mine else None)
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        taken.update(applied)
        sets = tuple(_set_item(k, v) for k, v in entry.set.items())
        sets += tuple(_set_item(scenario_changes[j].path, scenario_changes[j].change.value) for j in applied)
        crises.append(
            Crisis(
                index=i,
                label=entry.label or f"crisis {i + 1}: {scenario.name}",
                scenario=scenario,
                source=str(scenario_file),
                gap_days=0.0 if i == 0 else float(entry.gap_days),
                sets=sets,
                starts_after_days=entry.starts_after_days,
            )
        )
    if not problems:
        problems = [f"{label}: {line}" for line in untaken(scenario_changes, taken)]
    if not problems:
        problems = _overlap_problems(spec, crises, where)
    if problems:
        raise ScenarioError(problems)
    from crisis_sim.scenario.overlap import groups

    run_as = groups(crises, where)
    return Campaign(
        name=spec.name,
        title=spec.title or spec.name,
        source=label,
        belief_decay=float(spec.belief_decay),
        half_life_days=None if spec.half_life_days is None else float(spec.half_life_days),
        crises=tuple(crises),
        changes=tuple(changes),
        groups=run_as,
    )


def _overlap_problems(spec: CampaignSpec, crises: Sequence[Crisis], where: str) -> list[str]:
    """``starts_after_days``: not on the first crisis, not with ``gap_days``, and before the end
    of the previous crisis's horizon."""
    problems = []
    for i, entry in enumerate(spec.crises):
        days = entry.starts_after_days
        if days is None:
            continue
        at = f"{where}: crises.{i}"
        if i == 0:
            problems.append(f"{at}.starts_after_days: the first crisis opens the campaign; give "
                            "starts_after_days to a later crisis")
            continue
        if "gap_days" in entry.model_fields_set:
            problems.append(f"{at}: give gap_days (after the previous crisis ends) or starts_after_days "
                            "(after it opens), not both")
        previous = crises[i - 1].scenario
        horizon = previous.rounds * previous.round_hours / 24.0
        if days >= horizon:
            problems.append(f"{at}.starts_after_days: {days:g} days is not before the end of crises.{i - 1} "
                            f"(its horizon is {horizon:g} days); a crisis after it takes gap_days")
    return problems


def _campaign_problem(error: Mapping[str, Any]) -> str:
    """One pydantic error as 'path: message', as scenario files word them."""
    from crisis_sim.scenario.files import _describe

    if error["type"] == "too_short" and tuple(error["loc"]) == ("crises",):
        return "crises: must list at least one crisis, got none"
    if error["type"] == "literal_error" and tuple(error["loc"]) == ("kind",):
        return f"kind: must be '{CAMPAIGN_KIND}'"
    return _describe(error)


def _crisis_file(campaign_file: Path, name: str) -> Path:
    """A crisis's scenario file: relative to the campaign file, else a bundled scenario's name."""
    from crisis_sim.scenario.files import bundled_scenarios

    candidate = campaign_file.parent / name
    if candidate.is_file():
        return candidate
    bundled = bundled_scenarios()
    if name in bundled:
        return bundled[name]
    if candidate.exists():
        raise ScenarioError([f"'{name}' is not a file"])
    raise ScenarioError([f"no such file or bundled scenario '{name}' (looked for {candidate})"])


def _set_item(path: str, value: Any) -> str:
    return f"{path}={json.dumps(value)}"


def _load(file: Path, sets: dict[str, Any], where: str, changes: Sequence[ScenarioChange] = (),
          crisis: int = 0, *, label: str = "", changed: str | None = None) -> tuple[Scenario, list[int]]:
    """The scenario of ``file`` with the crisis's ``set`` changes applied, then those of the
    command line (``changes``: see :mod:`crisis_sim.scenario.campaign_paths`), validated; and
    the index of each command-line change applied.

    ``label`` names the campaign file in messages about a command-line path;
    ``changed``: how to name the crisis in messages about values when the
    command line changed it (``camp.yaml: crises.1``), since a bad value may then be the
    command line's.
    """
    from crisis_sim.scenario.campaign_paths import apply_to_scenario
    from crisis_sim.scenario.files import read_yaml, validate_data
    from crisis_sim.scenario.overrides import set_path

    data = read_yaml(file)
    problems = []
    for path, value in sets.items():
        try:
            set_path(data, path, value)
        except KeyError as exc:
            problems.append(f"{where}.set.{path}: {exc.args[0]}")
    if problems:
        raise ScenarioError(problems)
    if data.get("kind") == CAMPAIGN_KIND:
        raise ScenarioError([f"{where}.scenario: {file} is a campaign file, not a scenario"])
    problems, applied = apply_to_scenario(data, changes, crisis)
    if problems:
        raise ScenarioError([f"{label}: {p}" for p in problems])
    return validate_data(data, changed or str(file)), applied
