"""Scenario files: the typed schema, safe YAML loading, and every error at once.

A scenario is the whole world of one crisis: the governments and what they
trade, the catalogue of coercive measures with their schedules, the
deportation-flight issue in dispute, scheduled events, the clock, and the
noise in decisions. It is read from YAML, checked against the pydantic models
below, then checked again for cross-references (an actor named in a measure
must exist; a policy must be registered; its parameters must fit it).

Problems are collected, never raised one by one: :func:`load_scenario` raises
:class:`ScenarioError` holding one line per problem, each naming the file and
the field path, e.g.::

    scenarios/x.yaml: actors.colombia.resolve.mean: must be between 0 and 1, got 1.4
"""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

# --------------------------------------------------------------------------
# Small checked types
# --------------------------------------------------------------------------


def _fraction(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


Fraction = Annotated[float, AfterValidator(_fraction)]
"""A number in [0, 1]: approval, shares, sensitivities, probabilities."""

NonNegative = Annotated[float, Field(ge=0)]
Positive = Annotated[float, Field(gt=0)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class _Strict(BaseModel):
    """Base for every schema model: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class Role(StrEnum):
    """What a government is to the crisis."""

    INITIATOR = "initiator"
    """Sends the deportation flights and coerces (the United States in 2025)."""
    TARGET = "target"
    """Is asked to receive the flights (Colombia in 2025)."""
    THIRD_PARTY = "third_party"
    """Watches, mediates, condemns, or offers to receive others' deportees."""


class MeasureKind(StrEnum):
    """The catalogue of coercive measures (DESIGN.md, 'Measures')."""

    TARIFF = "tariff"
    COUNTER_TARIFF = "counter_tariff"
    VISA_SANCTIONS = "visa_sanctions"
    INSPECTIONS = "inspections"
    FINANCIAL_SANCTIONS = "financial_sanctions"
    AID_CUT = "aid_cut"
    DECERTIFICATION = "decertification"


class LiftCondition(StrEnum):
    """When an imposing government is willing to lift a measure after compliance.

    ``first_flight_landed`` encodes the White House line of 26 January 2025:
    visa sanctions and inspections stay "until the first planeload ... is
    successfully returned" (FACTS.md section 1).
    """

    COMPLIANCE = "compliance"
    FIRST_FLIGHT_LANDED = "first_flight_landed"
    NEVER = "never"


class EventKind(StrEnum):
    """Scheduled happenings that the governments do not choose."""

    BACK_CHANNEL = "back_channel"
    """Private talks open between the actors: terms can be proposed and accepted."""
    MEDIATION = "mediation"
    """A third party offers terms halfway between the positions."""
    VISIT = "visit"
    """A high-level visit: relations improve, tension eases a little."""
    PUBLIC_COMMITMENT = "public_commitment"
    """The named actors commit in public (raising their audience cost)."""
    APPROVAL_SHOCK = "approval_shock"
    """Domestic approval of the named actors moves by ``approval_change``."""


# --------------------------------------------------------------------------
# Actors, trade, measures, the issue, events
# --------------------------------------------------------------------------


class ResolveDistribution(_Strict):
    """Private resolve, drawn once per run from a Beta distribution.

    Resolve is the government's type in Fearon's (1995) sense: how much it
    values winning relative to the costs of the crisis. The others never see
    it; they hold beliefs about it. ``sd = 0`` fixes resolve at ``mean``.
    """

    mean: Fraction
    sd: Annotated[float, Field(ge=0, le=0.5)] = 0.1


class PolicySpec(_Strict):
    """A registered decision policy and its parameters."""

    name: str
    params: dict[str, Any] = Field(default_factory=dict)


class Actor(_Strict):
    """A government (DESIGN.md, 'Government')."""

    name: str = Field(min_length=1)
    role: Role
    gdp_usd_bn: Positive
    approval: Fraction
    audience_cost: Fraction
    """Sensitivity to the domestic cost of backing down after a public commitment (Fearon 1994)."""
    dignity: Fraction
    """Salience of dignity and sovereignty in the dispute."""
    risk_tolerance: Fraction = 0.5
    resolve: ResolveDistribution
    policy: PolicySpec
    public_commitment: bool = False
    """Whether the government is publicly committed at the start of the crisis."""
    decision_noise: NonNegative | None = None
    """Logit temperature for this government; ``None`` takes the scenario's."""


class TradeFlow(_Strict):
    """Goods sold by ``exporter`` to ``importer`` per year."""

    exporter: Identifier
    importer: Identifier
    usd_bn: Positive


class ScheduleStep(_Strict):
    """From ``after_days`` after imposition, the measure bites at ``rate``."""

    after_days: NonNegative
    rate: Annotated[float, Field(ge=0, le=5)]


class Measure(_Strict):
    """One coercive measure a government can threaten, impose, suspend and lift.

    Its bite is an ad-valorem equivalent ``rate`` on the share ``coverage`` of
    the target's exports to the imposer; schedules step the rate up over time
    (George's "gradual turning of the screw": 25% now, 50% after 7 days).
    """

    label: str = Field(min_length=1)
    kind: MeasureKind
    imposer: Identifier
    target: Identifier
    schedule: list[ScheduleStep] = Field(min_length=1)
    coverage: Fraction = 1.0
    target_elasticity: NonNegative = 1.0
    """Share of the tariff-equivalent borne by the target's exporters."""
    imposer_elasticity: NonNegative = 0.3
    """Share borne by the imposer's own importers and consumers."""
    lag_hours: NonNegative = 0.0
    """Time between signing (imposition) and the first day of cost."""
    political_pressure: NonNegative = 0.0
    """Approval lost per day in force by the target's government (elite pressure)."""
    lift_after: LiftCondition = LiftCondition.COMPLIANCE

    @field_validator("schedule")
    @classmethod
    def _schedule_in_order(cls, steps: list[ScheduleStep]) -> list[ScheduleStep]:
        days = [s.after_days for s in steps]
        if days != sorted(days) or len(set(days)) != len(days):
            raise ValueError("steps must have strictly increasing after_days")
        if days[0] != 0:
            raise ValueError("the first step must start at after_days 0")
        return steps


class FlightLead(_Strict):
    """Hours from accepting the flights to the first one landing."""

    sender_aircraft: NonNegative = 12.0
    own_aircraft: NonNegative = 40.0


class Issue(_Strict):
    """The deportation flights in dispute between a sender and a receiver."""

    sender: Identifier
    receiver: Identifier
    deportees_pending: Annotated[int, Field(ge=0)]
    deportees_per_flight: Annotated[int, Field(ge=1)]
    flights_per_day: Positive
    aircraft: Literal["military", "civilian"] = "military"
    restraints: bool = True
    refused_at_start: bool = True
    """True when the crisis opens with the receiver's refusal (Petro, 03:41)."""
    face_saving: bool = True
    """Whether the receiver may accept with conditions (own aircraft, no restraints)."""
    face_saving_share: Fraction = 0.5
    """Share of the dignity stake a face-saving acceptance preserves."""
    flight_lead_hours: FlightLead = Field(default_factory=FlightLead)


class Event(_Strict):
    """Something scheduled at a simulated time."""

    at_hours: NonNegative
    kind: EventKind
    actors: list[Identifier] = Field(min_length=1)
    note: str = ""
    approval_change: Annotated[float, Field(ge=-1, le=1)] = 0.0


class Dynamics(_Strict):
    """Weights of the mechanisms (DESIGN.md, 'Mechanisms'); defaults are assumptions."""

    pain_weight: NonNegative = 10.0
    """Approval points lost per 1% of GDP lost in a year (economic pain to approval)."""
    rally: NonNegative = 0.01
    """Approval gained per day by a government standing firm in its first days (rally effect)."""
    rally_days: NonNegative = 3.0
    """How long the rally-round-the-flag effect lasts."""
    audience_cost_scale: NonNegative = 0.15
    """Approval lost on backing down, per unit of audience-cost sensitivity, at full commitment."""
    commitment_days: Positive = 2.0
    """Days for a public commitment to reach full strength (audience costs grow, Fearon 1994)."""
    threat_credibility: Fraction = 0.8
    """P(a resolute government carries out a threat) in the belief model."""
    bluff_credibility: Fraction = 0.2
    """P(an irresolute government carries out a threat)."""
    precedent_weight: Fraction = 0.2
    """How far one crisis's ending moves onlookers' resolve and beliefs (Peterson 2013)."""
    stake_scale: NonNegative = 0.1
    """Approval at stake in the dispute for a government of full resolve (0.1 = 10 points)."""
    concern_days: Positive = 30.0
    """Days of future pain a government weighs when deciding (its shadow of the future)."""


class Scenario(_Strict):
    """A complete crisis, as read from one YAML file."""

    name: Identifier
    title: str = Field(min_length=1)
    description: str = ""
    start: datetime
    """Simulated clock at round 0 (e.g. 2025-01-26T03:41:00-05:00)."""
    round_hours: Annotated[float, Field(gt=0, le=168)]
    rounds: Annotated[int, Field(ge=1, le=100_000)]
    """Horizon: the number of rounds to run."""
    stop_when_settled: bool = True
    """Stop early once the crisis is settled (decided and every measure resolved)."""
    decision_noise: NonNegative = 0.01
    """Logit temperature of every government's choices, in approval units
    (0.01: options one approval point apart are chosen e:1; 0 = always the best)."""
    actors: dict[Identifier, Actor]
    trade: list[TradeFlow] = Field(default_factory=list)
    measures: dict[Identifier, Measure] = Field(default_factory=dict)
    issues: list[Issue] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    dynamics: Dynamics = Field(default_factory=Dynamics)

    @field_validator("actors")
    @classmethod
    def _at_least_two(cls, actors: dict[str, Actor]) -> dict[str, Actor]:
        if len(actors) < 2:
            raise ValueError("a crisis needs at least 2 governments")
        return actors

    def content_hash(self) -> str:
        """SHA-256 of the canonical JSON form: equal scenarios hash equal."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def to_yaml(self) -> str:
        """The resolved scenario as YAML (what a run folder keeps)."""
        return yaml.safe_dump(self.model_dump(mode="json"), sort_keys=False, allow_unicode=True)


# --------------------------------------------------------------------------
# Loading and errors
# --------------------------------------------------------------------------


class ScenarioError(Exception):
    """Bad scenario input: holds one message line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000
"""Expanded size cap, so that a YAML alias bomb is refused, not expanded."""


class _NoDuplicatesLoader(yaml.SafeLoader):
    """Safe loader that also refuses duplicate mapping keys."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_NoDuplicatesLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _count_nodes(data: Any, limit: int) -> int:
    """Count nodes as seen after alias expansion, stopping past ``limit``."""
    count = 0
    stack = [data]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely; raise ScenarioError with one line on failure."""
    label = str(path)
    if not path.exists():
        raise ScenarioError([f"{label}: no such file"])
    if path.is_dir():
        raise ScenarioError([f"{label}: is a directory, not a scenario file"])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError([f"{label}: file is larger than {MAX_FILE_BYTES} bytes"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{label}: cannot read file: {exc}"]) from None
    if not text.strip():
        raise ScenarioError([f"{label}: file is empty"])
    try:
        data = yaml.load(text, Loader=_NoDuplicatesLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError([f"{label}: not valid YAML{where}: {problem}"]) from None
    if _count_nodes(data, MAX_NODES) > MAX_NODES:
        raise ScenarioError(
            [f"{label}: document expands to more than {MAX_NODES} nodes (a YAML alias bomb?)"]
        )
    if not isinstance(data, dict):
        raise ScenarioError([f"{label}: top level must be a mapping of fields, got {_kind(data)}"])
    return data


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(error: dict) -> str:
    """Turn one pydantic error into 'path: message, got value'."""
    kind, msg = error["type"], error["msg"]
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "required field is missing",
        "extra_forbidden": "unknown field",
        "greater_than_equal": f"must be >= {ctx.get('ge')}",
        "greater_than": f"must be > {ctx.get('gt')}",
        "less_than_equal": f"must be <= {ctx.get('le')}",
        "less_than": f"must be < {ctx.get('lt')}",
        "string_pattern_mismatch": "must be lower_snake_case (a-z, 0-9, _), starting with a letter",
    }
    text = messages.get(kind, msg.removeprefix("Value error, "))
    loc = error["loc"]
    if kind == "extra_forbidden":
        text = f"unknown field '{loc[-1]}'"
    if kind not in ("missing", "extra_forbidden") and "input" in error:
        shown = error["input"]
        if not isinstance(shown, dict | list) and shown is not None:
            text += f", got {shown!r}" if isinstance(shown, str) else f", got {shown}"
    return f"{_dotted(loc)}: {text}"


def _reference_problems(data: dict[str, Any]) -> list[str]:
    """Cross-field checks on the raw mapping, tolerant of wrong types elsewhere."""
    from crisis_sim.policies import policy_problems  # policies import nothing from here

    problems: list[str] = []
    actors = data.get("actors") if isinstance(data.get("actors"), dict) else {}
    known = set(actors)

    def check(path: str, value: Any) -> None:
        if isinstance(value, str) and known and value not in known:
            problems.append(
                f"{path}: unknown actor '{value}'; actors are {', '.join(sorted(known))}"
            )

    for i, flow in enumerate(_as_list(data.get("trade"))):
        if isinstance(flow, dict):
            check(f"trade.{i}.exporter", flow.get("exporter"))
            check(f"trade.{i}.importer", flow.get("importer"))
    measures = data.get("measures") if isinstance(data.get("measures"), dict) else {}
    for key, measure in measures.items():
        if isinstance(measure, dict):
            check(f"measures.{key}.imposer", measure.get("imposer"))
            check(f"measures.{key}.target", measure.get("target"))
            if measure.get("imposer") is not None and measure.get("imposer") == measure.get(
                "target"
            ):
                problems.append(f"measures.{key}.target: a government cannot target itself")
    for i, issue in enumerate(_as_list(data.get("issues"))):
        if isinstance(issue, dict):
            check(f"issues.{i}.sender", issue.get("sender"))
            check(f"issues.{i}.receiver", issue.get("receiver"))
            if issue.get("sender") is not None and issue.get("sender") == issue.get("receiver"):
                problems.append(f"issues.{i}.receiver: must differ from the sender")
    for i, event in enumerate(_as_list(data.get("events"))):
        if isinstance(event, dict):
            for j, name in enumerate(_as_list(event.get("actors"))):
                check(f"events.{i}.actors.{j}", name)
    for key, actor in actors.items():
        if isinstance(actor, dict) and isinstance(actor.get("policy"), dict):
            spec = actor["policy"]
            problems.extend(
                f"actors.{key}.policy.{line}"
                for line in policy_problems(spec.get("name"), spec.get("params") or {})
            )
    return problems


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def validate_data(data: dict[str, Any], label: str) -> Scenario:
    """Validate a raw mapping; raise ScenarioError with every problem at once."""
    problems: list[str] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(_describe(e) for e in exc.errors())
    for line in _reference_problems(data):
        if line not in problems:
            problems.append(line)
    if problems:
        raise ScenarioError([f"{label}: {line}" for line in problems])
    assert scenario is not None
    return scenario


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, apply ``--set path=value`` overrides, and validate a scenario file.

    ``path`` may also be the name of a bundled scenario (``us_colombia_2025``).
    """
    file = resolve_scenario_path(path)
    data = read_yaml(file)
    if overrides:
        data = apply_overrides(data, overrides, str(file))
    return validate_data(data, str(file))


# --------------------------------------------------------------------------
# Bundled scenarios and --set overrides
# --------------------------------------------------------------------------

DEFAULT_SCENARIO = "us_colombia_2025"


def bundled_dir() -> Path:
    """The folder holding the bundled scenarios (``scenarios/`` of the project)."""
    return Path(__file__).resolve().parents[2] / "scenarios"


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario names mapped to their files, sorted by name."""
    folder = bundled_dir()
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))} if folder.is_dir() else {}


def resolve_scenario_path(path: str | Path) -> Path:
    """A file path as given, or a bundled scenario's file when given its bare name."""
    candidate = Path(path)
    if candidate.exists() or candidate.suffix in (".yaml", ".yml") or "/" in str(path):
        return candidate
    bundled = bundled_scenarios()
    if str(path) in bundled:
        return bundled[str(path)]
    names = ", ".join(bundled) or "none"
    raise ScenarioError([f"{path}: no such file or bundled scenario (bundled: {names})"])


def apply_overrides(data: dict[str, Any], overrides: list[str], label: str) -> dict[str, Any]:
    """Apply ``dotted.path=value`` settings (values parsed as YAML scalars/lists)."""
    data = copy.deepcopy(data)
    problems: list[str] = []
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            problems.append(f"--set {item}: expected path=value")
            continue
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        try:
            set_path(data, key, value)
        except KeyError as exc:
            problems.append(f"--set {item}: {exc.args[0]}")
    if problems:
        raise ScenarioError([f"{label}: {p}" for p in problems])
    return data


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``value`` at ``dotted`` (``actors.colombia.resolve.mean``; list items by index).

    The parent of the last part must exist, so that a typo is an error rather
    than a silently ignored new field.
    """
    parts = dotted.split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        node = _child(node, part, ".".join(parts[: depth + 1]))
    last = parts[-1]
    if isinstance(node, list):
        index = _index(node, last, dotted)
        node[index] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise KeyError(f"'{'.'.join(parts[:-1])}' is not a mapping or list")


def _child(node: Any, part: str, so_far: str) -> Any:
    if isinstance(node, dict):
        if part not in node:
            raise KeyError(f"no field '{so_far}' in the scenario")
        return node[part]
    if isinstance(node, list):
        return node[_index(node, part, so_far)]
    raise KeyError(f"'{so_far}' is not a mapping or list")


def _index(node: list, part: str, so_far: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise KeyError(f"'{so_far}': list index must be 0..{len(node) - 1}")
    return int(part)
