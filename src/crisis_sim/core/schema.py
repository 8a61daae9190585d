"""The scenario schema: the typed, frozen description of one crisis.

A scenario is the whole world of one crisis: the governments and what they
trade, the catalogue of coercive measures with their schedules, the
deportation-flight issue in dispute, scheduled events, the clock, and the
noise in decisions. These pydantic models check types and ranges; reading
files, ``--set`` overrides and the checks across references (an actor named
in a measure must exist, a policy must be registered) live in
:mod:`crisis_sim.scenario`.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crisis_sim.core import calibrated
from crisis_sim.core.calibrated import VALUES as CALIBRATED
from crisis_sim.core.canonical import canonical_json
from crisis_sim.core.types import KIND_EFFECTS, Channel, EventKind, LiftCondition, MeasureKind, Outcome, Role

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

MAX_TITLE, MAX_NAME, MAX_LABEL, MAX_NOTE, MAX_DESCRIPTION = 200, 80, 80, 500, 5000
"""Length limits of the texts a scenario gives (characters): they are drawn in
figures and printed in summaries, and a megabyte title would keep the plotting
busy for minutes. The bundled scenarios use less than half of each."""


class _Strict(BaseModel):
    """Base for every schema model: unknown fields are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, allow_inf_nan=False)
    """``allow_inf_nan=False``: every number is finite, so no NaN or Infinity
    reaches the model or the JSON files of a run."""


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

    name: str = Field(max_length=MAX_NAME)
    params: dict[str, Any] = Field(default_factory=dict)


class Actor(_Strict):
    """A government: its role, economy, domestic politics and policy, as read from a scenario."""

    name: str = Field(min_length=1, max_length=MAX_NAME)
    role: Role
    gdp_usd_bn: Positive
    approval: Fraction
    audience_cost: Fraction
    """Sensitivity to the domestic cost of backing down after a public commitment (Fearon 1994)."""
    dignity: Fraction
    """Salience of dignity and sovereignty in the dispute."""
    risk_tolerance: Fraction = 0.5
    """Attitude to uncertain pain: below 0.5 a threat that may or may not be carried out weighs
    more than its expected value, above 0.5 less (0.5: risk-neutral)."""
    deliberation_hours: NonNegative = 0.0
    """Mean hours the government takes to make up its mind on a move (an exponential delay,
    redrawn every hour: 0 decides at once). Time to draft a package, consult, sign."""
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


class LiftStage(_Strict):
    """By ``after_days`` after the imposer begins to lift a measure, ``share`` of it is lifted."""

    after_days: NonNegative
    share: Annotated[float, Field(gt=0, le=1)]


def _channel_of(data: dict[str, Any]) -> Channel | None:
    """The channel of a measure being validated, from the fields read so far."""
    if data.get("bites_on") is not None:
        channel: Channel = data["bites_on"]
        return channel
    kind = data.get("kind")
    return KIND_EFFECTS[kind].bites_on if kind is not None else None


def _politics_of(data: dict[str, Any]) -> str:
    """How an error names a measure that bites on politics: by its kind or its ``bites_on``."""
    return "measures that bite on politics" if data.get("bites_on") is not None else str(data.get("kind"))


class Measure(_Strict):
    """One coercive measure a government can threaten, impose, suspend and lift.

    Its bite is an ad-valorem equivalent ``rate`` on the share ``coverage`` of
    the target's exports to the imposer; schedules step the rate up over time
    (George's "gradual turning of the screw": 25% now, 50% after 7 days).
    """

    label: str = Field(min_length=1, max_length=MAX_LABEL)
    kind: MeasureKind
    bites_on: Channel | None = None
    """How it bites: on the target's ``trade`` or only on its ``politics`` (through
    ``political_pressure``); ``None`` takes its kind's (:data:`crisis_sim.core.types.KIND_EFFECTS`)."""
    answered_in_kind: bool | None = None
    """Whether a target that bears it imposed answers with an imposition of its own (else with a
    threat); ``None`` takes its kind's."""
    continuing: bool | None = None
    """Whether, imposed, it stays in force and bites every day until undone (true), or is a
    one-off act (false: an ambassador recalled, diplomats expelled) that bites once, when carried
    out, with the pain of ``dynamics.one_off_days`` in force, and is then done; ``None`` takes
    its kind's."""
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
    in_force_at_start: bool = False
    """Already imposed when the crisis opens (a licence revoked before it): in force from
    hour 0, never needing imposing."""
    in_force_since_days: NonNegative = 0.0
    """With ``in_force_at_start``: days it had been in force at hour 0 (its schedule has run
    that long, and its lag may be over)."""
    threatened_at_start: bool = False
    """Already threatened when the crisis opens (a threat standing from before it, public): its
    imposer may carry it out at once, and the policies weigh it as any threat from hour 0."""
    via: list[Identifier] = Field(default_factory=list)
    """Third countries whose imports from the target the measure taxes or cuts (a secondary
    measure): it bites on the target's exports to them, not on its exports to the imposer."""
    lift_stages: list[LiftStage] = Field(default_factory=list)
    """Lifting an imposed measure in part or in stages: the share lifted by each number of
    days after lifting begins (the last share 1). Empty: lifted at once."""

    @property
    def channel(self) -> Channel:
        """How it bites: ``bites_on``, else its kind's."""
        return self.bites_on if self.bites_on is not None else KIND_EFFECTS[self.kind].bites_on

    @property
    def answered_with_imposition(self) -> bool:
        """``answered_in_kind``, else its kind's."""
        stated = self.answered_in_kind
        return stated if stated is not None else KIND_EFFECTS[self.kind].answered_in_kind

    @property
    def one_off(self) -> bool:
        """Whether it is a one-off act (``continuing`` false, else its kind's)."""
        stated = self.continuing
        return not (stated if stated is not None else KIND_EFFECTS[self.kind].continuing)

    @model_validator(mode="after")
    def _states_at_the_start_are_possible(self) -> Measure:
        """A one-off act is carried out during the crisis and is then done: it cannot have been
        in force before it, nor be lifted in stages; a measure stands at the start as a threat or
        in force, not both."""
        if self.one_off and self.in_force_at_start:
            raise ValueError("a one-off act (continuing: false) bites once, when carried out: "
                             "it cannot be in_force_at_start")
        if self.threatened_at_start and self.in_force_at_start:
            raise ValueError("a measure in force at the start is not also a threat standing at it: "
                             "give threatened_at_start or in_force_at_start, not both")
        if self.one_off and self.lift_stages:
            raise ValueError("a one-off act (continuing: false) is done once carried out: "
                             "it has no lift_stages")
        return self

    @field_validator("political_pressure")
    @classmethod
    def _politics_press(cls, value: float, info: ValidationInfo) -> float:
        if _channel_of(info.data) is Channel.POLITICS and value <= 0:
            raise ValueError(f"{_politics_of(info.data)} act only through political_pressure: must be > 0")
        return value

    @field_validator("in_force_since_days")
    @classmethod
    def _since_needs_in_force(cls, value: float, info: ValidationInfo) -> float:
        if value > 0 and not info.data.get("in_force_at_start"):
            raise ValueError("needs in_force_at_start: true")
        return value

    @field_validator("via")
    @classmethod
    def _via_distinct(cls, via: list[str], info: ValidationInfo) -> list[str]:
        if len(set(via)) != len(via):
            raise ValueError("names a country twice")
        if via and _channel_of(info.data) is Channel.POLITICS:
            raise ValueError(f"{_politics_of(info.data)} bite on politics, not on trade: give no via")
        return via

    @field_validator("lift_stages")
    @classmethod
    def _stages_in_order(cls, stages: list[LiftStage], info: ValidationInfo) -> list[LiftStage]:
        if not stages:
            return stages
        days, shares = [s.after_days for s in stages], [s.share for s in stages]
        if any(b <= a for a, b in pairwise(days)):
            raise ValueError("stages must have strictly increasing after_days")
        if any(b <= a for a, b in pairwise(shares)):
            raise ValueError("stages must lift strictly growing shares")
        if shares[-1] != 1:
            raise ValueError(f"the last stage must lift the whole measure (share 1), got {shares[-1]:g}")
        if info.data.get("lift_after") is LiftCondition.NEVER:
            raise ValueError("a measure with lift_after: never is never lifted, so it has no lift stages")
        return stages

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


class DemandKind(StrEnum):
    """What the sender demands of the receiver, in words (the mechanics stay those of flights).

    Real coercion cases demand many things besides accepting deportation
    flights: freeing a detainee (the pastor held in Turkey in 2018, the
    trawler captain held in Japan in 2010), changing a policy (stepping up
    migration enforcement, 2019), or something else (docs/sources.md §5).
    The kind and the label change how a crisis is told, not how it is played.
    """

    FLIGHTS = "flights"
    """Accept deportation flights (the founding case; the default)."""
    RELEASE_DETAINEE = "release_detainee"
    """Free a named person held by the receiver."""
    POLICY_CHANGE = "policy_change"
    """Change or drop a named policy."""
    GENERIC = "generic"
    """Any other demand, told by its label."""


class Demand(_Strict):
    """The demand at the heart of an issue, as narration tells it."""

    kind: DemandKind = DemandKind.FLIGHTS
    label: str = Field("the flights", min_length=1, max_length=MAX_LABEL)
    """The demand in a few words, as a thing to accept or refuse: "release pastor Brunson"."""
    partial: list[float] = Field(default_factory=list, max_length=9)
    """Fractions of the demand the receiver may meet in part and offer as the settlement, each
    strictly between 0 and 1 (``[0.5]``: half of it). Empty: all or nothing."""

    @property
    def words(self) -> str | None:
        """The demand in its own words when it is not the deportation flights (which keep the
        flights' wording), else None: completes "the demand to ...", "agrees to ..."."""
        return None if self.kind is DemandKind.FLIGHTS else self.label

    @field_validator("partial")
    @classmethod
    def _fractions_inside(cls, partial: list[float]) -> list[float]:
        for value in partial:
            if not 0.0 < value < 1.0:
                raise ValueError(f"{value:g} is not a fraction strictly between 0 and 1")
        if len(set(partial)) != len(partial):
            raise ValueError("names a fraction twice")
        return sorted(partial)


class Exchange(_Strict):
    """Something one side of an issue can give the other as part of a settlement, in approval."""

    label: str = Field(min_length=1, max_length=MAX_LABEL)
    """What it is, in a few words: "a state visit", "a higher transit fee"."""
    worth: NonNegative
    """Approval the receiver's government gains when it is given (0.02 = two points): what
    complying is then worth to it at home."""
    cost: NonNegative = 0.0
    """Approval the sender's government loses by giving it (criticism of a reward to a
    government that defied it)."""


class Inducement(Exchange):
    """What a sender can give for compliance (a carrot): a visit, a gesture of recognition, aid,
    a trade concession. Offered in public, it is given when the receiver complies, in whole or in
    part (baldwin1971, drezner1999; docs/model.md §7.26)."""


class CounterDemand(Exchange):
    """What the receiver can ask of the sender in return for complying: a higher transit fee,
    how its nationals are treated, a gesture. The receiver makes it in public; the sender may meet
    it, and it is then given when the receiver complies, in whole or in part. A receiver that
    complies without it met has dropped a demand it made in public and pays its ``worth`` at home
    (fearon1997 on tying hands; putnam1988: a government's own demands narrow what it can accept;
    docs/model.md §7.28)."""


class Issue(_Strict):
    """The deportation flights (or another demand) in dispute between a sender and a receiver."""

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
    demand: Demand | None = None
    """What is demanded, in words; ``None`` is the deportation flights. For any
    other kind the flight fields still drive the model: "accepting" is complying
    and the "first flight" is the demand carried out."""
    opens_at_hours: NonNegative = 0.0
    """Hours from ``start`` at which the issue opens (a second crisis weeks later): before
    it, it does not exist for decisions, narration or settlement."""
    review_after_days: Positive | None = None
    """A settlement that is a pause with a review date: when the receiver gives way or terms
    are agreed, the sender suspends its measures instead of lifting them, and this many days
    later decides whether the deal stands (settled for good) or the crisis reopens (the 2019
    US–Mexico deal had a 45-day review). ``None``: a settlement is final."""
    inducement: Inducement | None = None
    """What the sender can offer for compliance (docs/model.md §7.26); ``None``: nothing."""
    counter_demand: CounterDemand | None = None
    """What the receiver can ask in return for complying (docs/model.md §7.28); ``None``: nothing."""

    @model_validator(mode="after")
    def _flights_have_planes(self) -> Issue:
        """``aircraft`` and ``restraints`` describe deportation flights (a grievance of their own,
        docs/model.md 7.4): an issue with another demand has neither, so a file that gives it
        military aircraft or restraints says something the model would ignore."""
        if self.demand_words is not None:
            said = [f"{name}: {str(getattr(self, name)).lower()}" for name, none in
                    (("aircraft", "civilian"), ("restraints", False))
                    if name in self.model_fields_set and getattr(self, name) != none]
            if said:
                raise ValueError(f"{' and '.join(said)} describe deportation flights; an issue with a"
                                 " demand has no planes or restraints: leave "
                                 f"{'it' if len(said) == 1 else 'them'} out")
        return self

    @property
    def demand_words(self) -> str | None:
        """The demand in its own words (:attr:`Demand.words`), or None for the flights."""
        return None if self.demand is None else self.demand.words


class GovernmentChange(_Strict):
    """A new government in office: what changes (``None``: as before).

    The new government draws a new private resolve from ``resolve``, and the
    public belief about it starts again from that distribution's prior; it is
    judged from its own first day (approval lost counts from the change); it
    is bound by its predecessor's public commitment only with ``keeps_commitment``.
    """

    policy: PolicySpec | None = None
    resolve: ResolveDistribution | None = None
    approval: Fraction | None = None
    audience_cost: Fraction | None = None
    dignity: Fraction | None = None
    risk_tolerance: Fraction | None = None
    deliberation_hours: NonNegative | None = None
    keeps_commitment: bool = False


class MarketShock(_Strict):
    """A shock to the named governments' economy and standing, as relative changes."""

    gdp_change: Annotated[float, Field(ge=-0.9, le=1)] = 0.0
    """Relative change of GDP (−0.05: the economy shrinks by 5%)."""
    approval_change: Annotated[float, Field(ge=-1, le=1)] = 0.0
    """Change of approval (−0.03: three points down)."""
    exports_change: Annotated[float, Field(ge=-1, le=5)] = 0.0
    """Relative change of the government's exports (to ``partners``, or to everyone)."""
    partners: list[Identifier] = Field(default_factory=list)
    """Importers whose purchases ``exports_change`` moves; empty: every importer."""


class Event(_Strict):
    """Something scheduled at a simulated time."""

    at_hours: NonNegative
    kind: EventKind
    actors: list[Identifier] = Field(min_length=1)
    note: str = Field("", max_length=MAX_NOTE)
    approval_change: Annotated[float, Field(ge=-1, le=1)] = 0.0
    government: GovernmentChange | None = None
    """For ``government_change``: the new government's parameters."""
    market: MarketShock | None = None
    """For ``market_shock``: what the shock moves."""


class Dynamics(_Strict):
    """Weights of the mechanisms in ``core.dynamics``; the defaults are assumptions, not cited values,
    except the four the back-test's calibration fits (``pain_weight``, ``audience_cost_scale``,
    ``stake_scale``, ``concern_days``), whose defaults are :data:`crisis_sim.core.calibrated.VALUES`
    (docs/calibration.md)."""

    pain_weight: NonNegative = CALIBRATED["dynamics.pain_weight"]
    """Approval points lost per 1% of GDP lost in a year (economic pain to approval)."""
    rally: NonNegative = 0.01
    """Approval gained per day by a government standing firm in its first days (rally effect).
    ASSUMPTION: a crisis lifts a leader's approval for a while (mueller1970); no source gives the
    size for these crises."""
    rally_days: NonNegative = 3.0
    """How long the rally-round-the-flag effect lasts. ASSUMPTION: short-lived (mueller1970)."""
    audience_cost_scale: NonNegative = CALIBRATED["dynamics.audience_cost_scale"]
    """Approval lost on backing down, per unit of audience-cost sensitivity, at full commitment."""
    commitment_days: Positive = 2.0
    """Days for a public commitment to reach full strength (audience costs grow, Fearon 1994)."""
    precedent_weight: Fraction = 0.2
    """How far one crisis's ending moves onlookers' resolve and beliefs (Peterson 2013)."""
    stake_scale: NonNegative = CALIBRATED["dynamics.stake_scale"]
    """Approval at stake in the dispute for a government of full resolve (0.1 = 10 points)."""
    concern_days: Positive = CALIBRATED["dynamics.concern_days"]
    """Days of future pain a government weighs when deciding (its shadow of the future)."""
    proposal_hours: Positive = 24.0
    """Hours a proposal of terms stays open before it lapses unanswered."""
    talks_lead_hours: NonNegative = 6.0
    """Hours from a government's move to open talks (``open_talks``: a call, an envoy, an
    intermediary) until talks are open. ASSUMPTION: a quarter of a day to reach the other
    side's leadership and agree a channel (docs/model.md §7.21)."""
    talks_cost: NonNegative = 0.001
    """Approval the government that opens talks loses at home (0.001 = 0.1 points): reaching out
    reads a little as weakness. ASSUMPTION: small beside any audience cost (docs/model.md §7.21)."""
    government_change_per_year: NonNegative = 0.2
    """Baseline hazard that a government party to a dispute falls (a change of leader or
    cabinet), per year, before approval moves it (:mod:`crisis_sim.core.politics`); 0 switches
    governments that fall off. ASSUMPTION: a mean tenure of about five years, within the range
    of leaders' tenures in bdm2003 (docs/sources.md §3.1)."""
    approval_hazard_scale: Positive = 0.1
    """Approval lost since a government took office that multiplies its hazard of falling by e
    (0.1: ten points lost, about 2.7 times the baseline; as many gained divide it). ASSUMPTION:
    marinov2005 finds that coercion raises the hazard a target's leader falls, without a scale
    in approval (docs/sources.md §3.1)."""
    relationship_value: NonNegative = CALIBRATED["dynamics.relationship_value"]
    """What normal relations with the other party to a dispute are worth to a government, in
    approval a year per unit of its two-way trade with that party as a share of its GDP: while
    the dispute stays open each party loses that much, pro rata (the cost of a strained
    relationship: business, visits and other pending matters held up), and weighs it as the pain
    of holding out (docs/model.md §7.27); 0 leaves it out. Its default is fitted to the
    back-test (:data:`crisis_sim.core.calibrated.VALUES`): interdependence raises the cost of
    conflict, the more for the more dependent side (keohane-nye1977, crescenzi2005), and no
    source gives its value in approval."""
    office_value: NonNegative = 0.0
    """What a government's leaders put on staying in office, in approval units (1 = 100 points):
    each weighs the chance that it falls (:mod:`crisis_sim.core.politics`) over its concern
    window on each course open to it, so that holding out while approval erodes grows dearer
    the more it has already lost, and a rally makes it cheaper (docs/model.md §7.25); 0, the
    default, leaves office out of every decision. ASSUMPTION: leaders' first aim is to keep
    office (bdm2003), and coercion threatens it (marinov2005); no source gives its value in
    approval."""
    attention_half_life_days: NonNegative = 365.0
    """Days in which a sender's attention to an unmet demand halves unless it renews the demand
    (a threat, an imposition, a step up or a deadline): its stake in the dispute, what it loses
    while the demand is unmet and what it would lose by withdrawing shrink with it, so a sender
    whose own measures cost it something can climb down after years (docs/model.md §7.24); 0
    switches the fading off. ASSUMPTION: a year (downs1972 describes the cycle, not its pace)."""
    learning: bool = True
    """Whether governments learn from each other's moves (Bayes' rule on the public belief);
    false freezes every belief at its prior: the what-if of governments that learn nothing."""
    urgency_hours: Positive = 24.0
    """How a threat presses as its deadline nears: it weighs exp(-hours left / urgency_hours)
    of its pain (with no deadline standing, as if one were this far off)."""
    one_off_days: Positive = 30.0
    """Days in force whose pain a one-off act (a measure with ``continuing`` false: an ambassador
    recalled, diplomats expelled) inflicts at once, when carried out; the policies weigh a threat
    of it, and its imposer's own cost, as this one lump (docs/model.md §7.1). ASSUMPTION: a
    month, about the time a recalled ambassador stays away or an expelled mission takes to be
    restaffed before relations run again at their former level."""


class History(_Strict):
    """What really happened in a crisis the scenario describes: the target of a back-test.

    Read only by ``crisis-sim backtest`` (docs/backtest.md), never by the
    model. ``source`` names the entry of docs/sources.md the record rests on.
    """

    outcome: Outcome
    """The observed outcome class, judged by the rules of the model's classes."""
    decided_after_hours: NonNegative | None = None
    """Hours from the scenario's start until the crisis was decided (give this or the days)."""
    decided_after_days: NonNegative | None = None
    """The same in days, for crises that lasted months or years."""
    measures_imposed: list[Identifier] = Field(default_factory=list)
    """Measures of the scenario's catalogue that were really put into force."""
    source: str = Field(min_length=1, max_length=MAX_LABEL)
    """Where the record is: ``docs/sources.md §5 C3.4``."""
    note: str = Field("", max_length=MAX_NOTE)

    @model_validator(mode="after")
    def _one_duration(self) -> History:
        if self.decided_after_hours is not None and self.decided_after_days is not None:
            raise ValueError("give decided_after_hours or decided_after_days, not both")
        if len(set(self.measures_imposed)) != len(self.measures_imposed):
            raise ValueError("measures_imposed names a measure twice")
        return self

    @property
    def decided_hours(self) -> float | None:
        """The observed time to decision in hours, or None when the record gives none."""
        if self.decided_after_days is not None:
            return self.decided_after_days * 24.0
        return self.decided_after_hours


class Scenario(_Strict):
    """A complete crisis, as read from one YAML file."""

    name: Identifier
    title: str = Field(min_length=1, max_length=MAX_TITLE)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    start: datetime
    """Simulated clock at round 0 (e.g. 2025-01-26T03:41:00-05:00)."""
    round_hours: Annotated[float, Field(gt=0, le=168)]
    rounds: Annotated[int, Field(ge=1, le=100_000)]
    """Horizon: the number of rounds to run."""
    stop_when_settled: bool = True
    """Stop early once the crisis is settled (decided and every measure resolved)."""
    decision_noise: NonNegative = CALIBRATED["decision_noise"]
    """Logit temperature of every government's choices, in approval units
    (0.01: options one approval point apart are chosen e:1; 0 = always the best); the default
    is fitted to the back-test (:data:`crisis_sim.core.calibrated.VALUES`)."""
    actors: dict[Identifier, Actor]
    trade: list[TradeFlow] = Field(default_factory=list)
    measures: dict[Identifier, Measure] = Field(default_factory=dict)
    issues: list[Issue] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    dynamics: Dynamics = Field(default_factory=Dynamics)
    posterior: list[str] = Field(default_factory=list)
    """The fitted paths (:data:`crisis_sim.core.calibrated.VALUES`) that each run draws from the
    calibrated posterior (:mod:`crisis_sim.core.posterior`) instead of taking the value above.
    Left out of a file, it is every fitted path the file does not state, so a case written by the
    shared rule carries the calibration's uncertainty and a scenario that states its values keeps
    them; ``[]`` runs every value as given. Setting a path (``--set``, a sweep) takes it out."""
    history: History | None = None
    """What really happened, for a back-test; the model never reads it."""

    @model_validator(mode="before")
    @classmethod
    def _unstated_fitted_paths(cls, data: Any) -> Any:
        if isinstance(data, dict) and "posterior" not in data:
            data = {**data, "posterior": unstated_fitted_paths(data)}
        return data

    @field_validator("posterior")
    @classmethod
    def _fitted_paths_only(cls, paths: list[str]) -> list[str]:
        unknown = [p for p in paths if p not in CALIBRATED]
        if unknown:
            raise ValueError(f"{', '.join(unknown)}: not a fitted path (one of {', '.join(CALIBRATED)})")
        if len(set(paths)) != len(paths):
            raise ValueError("names a path twice")
        return sorted(paths)

    @field_validator("actors")
    @classmethod
    def _at_least_two(cls, actors: dict[str, Actor]) -> dict[str, Actor]:
        if len(actors) < 2:
            raise ValueError("a crisis needs at least 2 governments")
        return actors

    def plain(self) -> dict[str, Any]:
        """The scenario as JSON types, leaving out the optional blocks and fields it does
        not use (``history``, an issue's ``demand``, a demand's ``partial`` and an issue's
        ``opens_at_hours``, ``review_after_days`` and ``inducement``, a measure's ``bites_on``,
        ``answered_in_kind``, ``in_force_at_start``, ``in_force_since_days``,
        ``threatened_at_start``, ``via``,
        ``lift_stages`` and ``continuing``, an event's ``government`` and ``market``, the
        dynamics of :data:`DYNAMICS_ADDED`) while at their defaults, so that a file without
        them hashes and reads back as it did before they existed."""
        data = self.model_dump(mode="json")
        if data.get("history") is None:
            data.pop("history", None)
        for issue in data.get("issues", []):
            if issue.get("demand") is None:
                issue.pop("demand", None)
            else:
                _drop_defaults(issue["demand"], {"partial": []})
            _drop_defaults(issue, {"opens_at_hours": 0.0, "review_after_days": None, "inducement": None,
                                   "counter_demand": None})
        for measure in data.get("measures", {}).values():
            _drop_defaults(measure, {"in_force_at_start": False, "in_force_since_days": 0.0,
                                     "threatened_at_start": False, "via": [],
                                     "lift_stages": [], "bites_on": None, "answered_in_kind": None,
                                     "continuing": None})
        _drop_defaults(data.get("dynamics", {}), DYNAMICS_ADDED)
        if not data.get("posterior") or not calibrated.POSTERIOR:  # drawn from nothing: no effect
            data.pop("posterior", None)
        for event in data.get("events", []):
            _drop_defaults(event, {"government": None, "market": None})
        return data

    def content_hash(self) -> str:
        """SHA-256 of the canonical form (:mod:`crisis_sim.core.canonical`): equal scenarios
        hash equal, however their files order keys or write numbers."""
        text = canonical_json(self.plain())
        return hashlib.sha256(text.encode()).hexdigest()

    def to_yaml(self) -> str:
        """The resolved scenario as YAML (what a run folder keeps)."""
        return yaml.safe_dump(self.plain(), sort_keys=False, allow_unicode=True)


def unstated_fitted_paths(data: dict[str, Any]) -> list[str]:
    """The fitted paths (:data:`crisis_sim.core.calibrated.VALUES`) a raw scenario mapping does
    not state."""
    out = []
    for path in CALIBRATED:
        node: Any = data
        for key in path.split("."):
            node = node.get(key) if isinstance(node, dict) else None
            if node is None:
                break
        if node is None:
            out.append(path)
    return sorted(out)


DYNAMICS_ADDED: dict[str, Any] = {name: Dynamics.model_fields[name].default
                                   for name in ("one_off_days", "office_value", "relationship_value")}
"""Dynamics added after scenarios were hashed, with their defaults: left out of
:meth:`Scenario.plain` while at them, so that every scenario hashes as before."""


def _drop_defaults(item: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Remove the fields of ``item`` that hold their default (see :meth:`Scenario.plain`)."""
    for key, default in defaults.items():
        if key in item and item[key] == default:
            del item[key]
