"""What a government can do, and the states a measure passes through.

Small value objects with no behaviour beyond checking themselves: the core
never passes strings for choices: each choice is an Enum, as Mesa's
``CitizenState`` and the Axelrod library's ``Action`` are. The records
(:class:`Action`, :class:`Option`, :class:`Decision`) are immutable by convention:
slotted dataclasses, hashable by value, that no code changes once built (a frozen
dataclass checks every field it sets, which costs more than the rest of building it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class ActionType(StrEnum):
    """Every move a government can make in a round."""

    WAIT = "wait"
    """Hold position: keep what stands, do nothing new."""
    ACCEPT_FLIGHTS = "accept_flights"
    """The receiver accepts the flights on the sender's terms."""
    REFUSE_FLIGHTS = "refuse_flights"
    """The receiver refuses landing permission."""
    ACCEPT_WITH_CONDITIONS = "accept_with_conditions"
    """The face-saving compromise: accept, but on the receiver's own aircraft, no restraints."""
    THREATEN = "threaten"
    IMPOSE = "impose"
    ESCALATE = "escalate"
    """Bring the next step of a measure's schedule forward now."""
    SUSPEND = "suspend"
    """Hold a measure 'in reserve': drafted, not in force."""
    LIFT = "lift"
    OPEN_TALKS = "open_talks"
    """Open talks with the other party (a call, an envoy, an intermediary): once they are open,
    after ``dynamics.talks_lead_hours``, terms can be proposed and face saved."""
    PROPOSE_TERMS = "propose_terms"
    COMPLY_IN_PART = "comply_in_part"
    """The receiver meets the demand in part (``terms``: one of the issue's ``demand.partial``
    fractions) and offers that as the settlement: the sender may accept it as terms."""
    ACCEPT_TERMS = "accept_terms"
    PUBLIC_STATEMENT = "public_statement"
    """A public commitment: raises the speaker's audience cost of backing down."""
    WITHDRAW_DEMAND = "withdraw_demand"
    """The sender backs down: stops the flights and lifts what it imposed."""
    SET_DEADLINE = "set_deadline"
    """The sender names in public the hours the receiver has to comply (an ultimatum)."""
    OFFER_INDUCEMENT = "offer_inducement"
    """The sender offers in public the issue's inducement (a carrot), given if the receiver
    complies, in whole or in part (docs/model.md §7.26)."""
    COUNTER_DEMAND = "counter_demand"
    """The receiver asks in public for the issue's counter-demand in return for complying
    (docs/model.md §7.28)."""
    MEET_COUNTER_DEMAND = "meet_counter_demand"
    """The sender agrees in public to the receiver's counter-demand: it is given when the receiver
    complies, in whole or in part (docs/model.md §7.28)."""
    MEDIATE = "mediate"
    CONDEMN = "condemn"
    OFFER_TO_RECEIVE = "offer_to_receive"
    """A third party offers to take other nations' deportees (El Salvador, CECOT)."""
    KEEP_DEAL = "keep_deal"
    """At a settlement's review date the sender keeps the deal: the issue is settled for good."""
    REOPEN = "reopen"
    """At a settlement's review date the sender renews its demand: the issue is contested again and
    the measures it suspended are threatened again (docs/model.md §7.11)."""


MEASURE_ACTIONS = frozenset(
    {ActionType.THREATEN, ActionType.IMPOSE, ActionType.ESCALATE, ActionType.SUSPEND,
     ActionType.LIFT}
)
"""Actions that name a measure."""


class MeasureState(IntEnum):
    """Where a measure stands. The integer order is the order of escalation
    for ``available`` < ``threatened`` < ``imposed``; ``suspended`` and
    ``lifted`` are steps back down and rank below ``imposed``; ``done`` is a one-off
    act carried out (it bit once, when imposed, and nothing is left to lift or step up:
    docs/model.md §7.1)."""

    AVAILABLE = 0
    THREATENED = 1
    SUSPENDED = 2
    LIFTED = 3
    IMPOSED = 4
    DONE = 5

    @property
    def label(self) -> str:
        """The lower-case name used in files: ``imposed``."""
        return _STATE_LABELS[self]


_STATE_LABELS = {state: state.name.lower() for state in MeasureState}

ESCALATION_RANK = {
    MeasureState.AVAILABLE: 0,
    MeasureState.LIFTED: 0,
    MeasureState.SUSPENDED: 1,
    MeasureState.THREATENED: 1,
    MeasureState.IMPOSED: 2,
    MeasureState.DONE: 2,
}
"""How far up the ladder a state is, for 'the furthest state a measure reached' (a one-off act
done was imposed: its furthest state stays ``imposed``)."""

CARRIED_OUT = frozenset({MeasureState.IMPOSED, MeasureState.DONE})
"""States of a measure its imposer has carried out: in force, or a one-off act done."""


class FlightStatus(StrEnum):
    """Where the deportation-flight issue stands."""

    PENDING = "pending"
    REFUSED = "refused"
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CONDITIONS = "accepted_with_conditions"
    WITHDRAWN = "withdrawn"
    """The sender stopped sending (it backed down)."""


class Outcome(StrEnum):
    """How a crisis ends (after Bueno de Mesquita & Lalman's endings, and two endings real
    cases need besides: docs/model.md §7.13). The order is the order of the batch tables'
    columns: classes added later come last."""

    TARGET_CONCEDES = "target_concedes"
    INITIATOR_BACKS_DOWN = "initiator_backs_down"
    NEGOTIATED_SETTLEMENT = "negotiated_settlement"
    STANDOFF = "standoff"
    MUTUAL_ESCALATION = "mutual_escalation"
    CLAIMED_BY_BOTH = "claimed_by_both"
    """The demand is met on terms that leave the target a share it asked for
    (``TERMS_RECEIVER_GIVES_WAY`` <= terms < 1): each side can tell its public it won."""
    DEFUSED = "defused"
    """Decided before either party threatened or imposed a measure on the other: a refusal
    resolved before it became a coercion crisis."""


@dataclass(frozen=True, slots=True)
class OutcomeClass:
    """What every output says of one outcome class (one entry each: :data:`OUTCOME_CLASSES`)."""

    label: str
    """A column head, an axis tick, a summary line: the class's name in words."""
    words: str
    """Plain words for a story: what happened."""
    sets_precedent: bool
    """Whether onlookers learn from it: one side caved (Peterson 2013;
    :func:`crisis_sim.core.rules.precedent`)."""
    at_the_horizon: bool
    """Whether it is the class of a run still undecided when it ends (read at the horizon)."""
    colour: str
    """Its colour in every chart (Okabe & Ito's colour-blind-safe palette)."""


OUTCOME_CLASSES: dict[Outcome, OutcomeClass] = {
    Outcome.TARGET_CONCEDES: OutcomeClass("target concedes", "the target gives way", True, False, "#0072B2"),
    Outcome.INITIATOR_BACKS_DOWN: OutcomeClass("initiator backs down", "the sender backs down", True, False,
                                               "#E69F00"),
    Outcome.NEGOTIATED_SETTLEMENT: OutcomeClass("negotiated settlement", "a deal in between", False, False,
                                                "#009E73"),
    Outcome.STANDOFF: OutcomeClass("standoff", "a standoff", False, True, "#999999"),
    Outcome.MUTUAL_ESCALATION: OutcomeClass("mutual escalation", "mutual escalation", False, True,
                                             "#D55E00"),
    Outcome.CLAIMED_BY_BOTH: OutcomeClass("claimed by both", "a deal both sides claim", False, False,
                                          "#56B4E9"),
    Outcome.DEFUSED: OutcomeClass("defused", "defused before any threat", False, False, "#CC79A7"),
}
"""Each outcome class with its words, whether it sets a precedent, whether it is read at the
horizon, and its colour: narration, play, the command line, reports and charts all read it here."""


def outcome_label(value: object) -> str:
    """An outcome class's label (``target concedes``); any other value with its underscores
    as spaces (an unknown class is shown as it is, not hidden)."""
    try:
        return OUTCOME_CLASSES[Outcome(str(value))].label
    except ValueError:
        return str(value).replace("_", " ")


@dataclass(slots=True, unsafe_hash=True)
class Action:
    """One move by one government.

    ``measure`` names a measure of the scenario's catalogue for measure actions;
    ``counterpart`` names the government the move is aimed at; ``terms`` is a
    point in [0, 1] between the receiver's position (0) and the sender's (1).
    """

    kind: ActionType
    actor: str
    counterpart: str | None = None
    measure: str | None = None
    terms: float | None = None
    hours: float | None = None
    """For ``set_deadline``: hours from now until the deadline."""
    issue: int | None = field(default=None, compare=False)
    """The index of the issue the move is about, when made from an issue's view: what tells
    apart two issues between the same two governments. Not part of a move's identity."""

    def __post_init__(self) -> None:
        if (self.kind in MEASURE_ACTIONS) != (self.measure is not None):
            raise ValueError(f"{self.kind} {'needs' if self.measure is None else 'takes no'} measure")
        if self.terms is not None and not 0.0 <= self.terms <= 1.0:
            raise ValueError("terms must be between 0 and 1")

    def describe(self) -> str:
        """A short label: ``threaten us_tariff`` or ``accept_with_conditions``."""
        parts = [self.kind.value]
        if self.measure:
            parts.append(self.measure)
        if self.terms is not None:
            parts.append(f"terms={self.terms:.2f}")
        if self.hours is not None:
            parts.append(f"hours={self.hours:g}")
        if self.counterpart and not self.measure:
            parts.append(f"-> {self.counterpart}")
        return " ".join(parts)

    @classmethod
    def from_description(cls, text: str, actor: str, targets: Mapping[str, str] | None = None) -> Action:
        """Read :meth:`describe`'s label back (as ``events.jsonl`` holds it).

        A label leaves out a measure action's counterpart: it is the measure's
        target, looked up in ``targets`` (measure id -> target). Terms come back
        rounded to the label's two decimals.
        """
        head, _, counterpart = text.partition(" -> ")
        words = head.split()
        kind = ActionType(words[0]) if words else ActionType.WAIT
        measure, terms, hours = None, None, None
        for word in words[1:]:
            if word.startswith("terms="):
                terms = float(word.removeprefix("terms="))
            elif word.startswith("hours="):
                hours = float(word.removeprefix("hours="))
            else:
                measure = word
        other = counterpart or ((targets or {}).get(measure) if measure else None)
        return cls(kind, actor, other, measure, terms, hours)


class Option:
    """A move a policy considers, with its utility and the reason in words.

    A move may be a package of actions taken together (the 26 January
    announcement threatened tariffs and imposed visa sanctions at once).

    The reason may be given in words or as a function that words it: the function is called
    the first time the reason is read, and only then. Observers reading a move ask the policy
    for its options at other resolves and never read their reasons
    (:func:`crisis_sim.core.inference.choice_likelihood`), so they need not be worded. Two
    options are equal when their actions, utilities and reasons are.
    """

    __slots__ = ("_reason", "actions", "utility")
    __match_args__ = ("actions", "utility", "reason")

    def __init__(self, actions: tuple[Action, ...], utility: float, reason: str | Callable[[], str]):
        self.actions = actions
        self.utility = utility
        self._reason = reason

    @property
    def reason(self) -> str:
        """Why the policy weighs this move so, in words (worded on first read)."""
        reason = self._reason
        if not isinstance(reason, str):
            reason = self._reason = reason()
        return reason

    def _fields(self) -> tuple[tuple[Action, ...], float, str]:
        return self.actions, self.utility, self.reason

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Option:
            return NotImplemented
        assert isinstance(other, Option)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return f"Option(actions={self.actions!r}, utility={self.utility!r}, reason={self.reason!r})"


@dataclass(slots=True, unsafe_hash=True)
class Decision:
    """What a government did this round and why."""

    actor: str
    actions: tuple[Action, ...]
    reason: str
    moved_after: float = 0.0
    """Hours into the round at which the government moved (0 for a wait or a certain move):
    what orders moves that conflict within one round (:mod:`crisis_sim.core.moves`)."""

    @property
    def is_wait(self) -> bool:
        return all(a.kind is ActionType.WAIT for a in self.actions)


class Variant(StrEnum):
    """How an issue was decided, when it matters beyond the outcome class."""

    FACE_SAVING = "face_saving"
    """The receiver accepted on its own aircraft, without restraints (the compromise of 2025)."""
    TERMS = "terms"
    """Terms proposed through a back channel (or by a mediator) were accepted."""
    PARTIAL = "partial"
    """The receiver met the demand in part and the sender accepted that fraction as the
    settlement (the issue's terms are the fraction)."""


class Role(StrEnum):
    """What a government is to the crisis."""

    INITIATOR = "initiator"
    """Sends the deportation flights and coerces (the United States in 2025)."""
    TARGET = "target"
    """Is asked to receive the flights (Colombia in 2025)."""
    THIRD_PARTY = "third_party"
    """Watches, mediates, condemns, or offers to receive others' deportees."""


class MeasureKind(StrEnum):
    """The catalogue of coercive measures (docs/sources.md §1 T5, T7; §2 G3 for ``decertification``).

    Adding a kind: a member here and its row of :data:`KIND_EFFECTS` (how it bites and whether
    it is answered in kind); every kind is described by the same fields of
    ``core.schema.Measure`` and costed by ``core.dynamics.annual_cost_share`` (docs/architecture.md).
    """

    TARIFF = "tariff"
    COUNTER_TARIFF = "counter_tariff"
    VISA_SANCTIONS = "visa_sanctions"
    INSPECTIONS = "inspections"
    FINANCIAL_SANCTIONS = "financial_sanctions"
    AID_CUT = "aid_cut"
    DECERTIFICATION = "decertification"
    PERSONAL_SANCTIONS = "personal_sanctions"
    """Sanctions on named officials (asset freezes, travel bans on ministers): they bite on the
    leader's standing at home (``political_pressure``), not on trade."""
    EXPORT_CONTROLS = "export_controls"
    """A halt or licensing of exports the target needs (rare earths, technology, gas)."""
    MIGRATION_PRESSURE = "migration_pressure"
    """Migrants let through or guided to the target's border: pressure on its government, not
    on its trade."""
    CONSUMER_BOYCOTT = "consumer_boycott"
    """A boycott of the target's goods, services or tourism, encouraged by the imposer's state."""
    DIPLOMATIC_ACT = "diplomatic_act"
    """An ambassador recalled, diplomats expelled, relations downgraded: by default a one-off act,
    which bites once, when carried out (``KindEffects.continuing``)."""
    AGREEMENT_SUSPENSION = "agreement_suspension"
    """A trade, transit or cooperation agreement suspended."""
    LEGAL_ACTION = "legal_action"
    """A case brought before a court or a trade body (the WTO), or a prosecution."""


class Channel(StrEnum):
    """How a measure bites on its target (a measure's ``bites_on``)."""

    TRADE = "trade"
    """On the target's exports: ``coverage`` × rate × elasticity of the flow, borne by both sides,
    plus any ``political_pressure``."""
    POLITICS = "politics"
    """Only on the target government's standing at home, through ``political_pressure``: no trade
    cost to either side, whatever the schedule's rate."""


@dataclass(frozen=True)
class KindEffects:
    """What a measure of a kind does unless the scenario says otherwise (``bites_on``,
    ``answered_in_kind``, ``continuing``): the behaviour a kind's name stood for, declared in
    one table."""

    bites_on: Channel
    answered_in_kind: bool
    """Whether a target that bears it imposed answers with an imposition of its own (else with a
    threat): a trade war's tit for tat (axelrod1984's reciprocity; docs/model.md §7.1)."""
    continuing: bool = True
    """Whether, imposed, it stays in force until undone and bites every day (a state), or is a
    one-off act that bites once, when carried out, with the pain of ``dynamics.one_off_days`` in
    force, and is then done: nothing to lift or step up (docs/model.md §7.1)."""


KIND_EFFECTS: dict[MeasureKind, KindEffects] = {
    MeasureKind.TARIFF: KindEffects(Channel.TRADE, True),
    MeasureKind.COUNTER_TARIFF: KindEffects(Channel.TRADE, True),
    MeasureKind.VISA_SANCTIONS: KindEffects(Channel.TRADE, False),
    MeasureKind.INSPECTIONS: KindEffects(Channel.TRADE, False),
    MeasureKind.FINANCIAL_SANCTIONS: KindEffects(Channel.TRADE, True),
    MeasureKind.AID_CUT: KindEffects(Channel.TRADE, True),
    MeasureKind.DECERTIFICATION: KindEffects(Channel.TRADE, False),
    MeasureKind.PERSONAL_SANCTIONS: KindEffects(Channel.POLITICS, False),
    MeasureKind.EXPORT_CONTROLS: KindEffects(Channel.TRADE, True),
    MeasureKind.MIGRATION_PRESSURE: KindEffects(Channel.POLITICS, False),
    MeasureKind.CONSUMER_BOYCOTT: KindEffects(Channel.TRADE, False),
    MeasureKind.DIPLOMATIC_ACT: KindEffects(Channel.POLITICS, True, continuing=False),
    MeasureKind.AGREEMENT_SUSPENSION: KindEffects(Channel.TRADE, False),
    MeasureKind.LEGAL_ACTION: KindEffects(Channel.POLITICS, False),
}
"""Each kind's default effects. ASSUMPTION for every row (docs/model.md §7.1): economic
measures a state imposes (tariffs, financial sanctions, aid cuts, export controls) are answered
in kind, as trade wars are; frictions on people and paperwork (visas, inspections,
decertification), boycotts and suspended agreements draw a threat back; expulsions of diplomats
are answered in kind, by the reciprocity norm of diplomacy; sanctions on officials, migration
pressure and legal action bite on politics, not on trade; a diplomatic act (an ambassador
recalled, diplomats expelled) is a one-off act, every other kind a state that continues until
undone."""


class LiftCondition(StrEnum):
    """When an imposing government is willing to lift a measure after compliance.

    ``first_flight_landed`` encodes the White House line of 26 January 2025:
    the visa sanctions and inspections stay in force until the first plane of
    deportees has been returned (docs/sources.md §1 T9, pattern P6).
    """

    COMPLIANCE = "compliance"
    FIRST_FLIGHT_LANDED = "first_flight_landed"
    NEVER = "never"


class EventKind(StrEnum):
    """Scheduled happenings that the governments do not choose."""

    BACK_CHANNEL = "back_channel"
    """Private talks open between the actors, offered from outside (an intermediary): terms can be
    proposed and accepted. Any party can open talks itself too (``open_talks``)."""
    MEDIATION = "mediation"
    """A third party offers terms halfway between the positions."""
    VISIT = "visit"
    """A high-level visit: relations improve, tension eases a little."""
    PUBLIC_COMMITMENT = "public_commitment"
    """The named actors commit in public (raising their audience cost)."""
    APPROVAL_SHOCK = "approval_shock"
    """Domestic approval of the named actors moves by ``approval_change``."""
    GOVERNMENT_CHANGE = "government_change"
    """A new government takes office in the named actors, with the parameters of its
    ``government`` block (policy, resolve, audience cost, dignity, ...)."""
    MARKET_SHOCK = "market_shock"
    """A market shock moves the named actors' GDP, approval or exports (its ``market`` block)."""
