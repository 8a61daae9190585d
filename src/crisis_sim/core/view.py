"""The read-only world a government sees when it decides.

Policies never touch the model: they get a :class:`WorldView`, read-only, built
fresh each round, holding what the government knows — its own private resolve,
the public state of measures and issues, its beliefs about the others, and
the moves that are legal now. The view is plain data: its mappings are
read-only, and nothing in it leads back to the model or to another
government's private values — the legal moves are worked out from the view's
own fields (:mod:`crisis_sim.core.legal`), not asked of the model. This keeps
policies honest (no peeking at the others' resolve) and makes them easy to
test with hand-built views.

The small records of a view (:class:`MeasureView`, :class:`IssueView`, :class:`Profile`) are
immutable by convention: plain slotted dataclasses, hashable by value, that no code changes
once built (a frozen dataclass checks every field it sets, which costs more than the rest
of building it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from crisis_sim.core.legal import legal_moves
from crisis_sim.core.schema import Dynamics
from crisis_sim.core.types import (
    Action,
    ActionType,
    FlightStatus,
    LiftCondition,
    MeasureKind,
    MeasureState,
    Outcome,
    Role,
)


@dataclass(slots=True, unsafe_hash=True)
class MeasureView:
    """Public facts about one measure, with its expected bite."""

    id: str
    label: str
    kind: MeasureKind
    imposer: str
    target: str
    state: MeasureState
    rate: float
    """Rate in force now (0 unless imposed and past its lag)."""
    target_annual_share: float
    """Target's yearly loss as a share of its GDP at the schedule's average rate over
    the concern window (what a threat promises)."""
    imposer_annual_share: float
    """The imposer's own yearly loss as a share of its GDP, same basis."""
    political_pressure: float
    answered_in_kind: bool
    """Whether its target answers it, imposed, with an imposition (``Measure.answered_in_kind``)."""
    lift_after: LiftCondition
    can_escalate: bool
    in_force: bool = False
    """Imposed and past its lag: biting at ``rate`` and pressing with ``political_pressure``."""
    lifting: bool = False
    """Being lifted in stages: still imposed, at a falling rate, until the last stage."""
    continuing: bool = True
    """In force until undone, biting every day; false for a one-off act, whose shares above are
    then at its schedule's average rate over ``dynamics.one_off_days``, the pain it inflicts
    once, when carried out (``Measure.continuing``)."""


@dataclass(slots=True, unsafe_hash=True)
class IssueView:
    """The deportation-flight issue between a sender and a receiver."""

    index: int
    sender: str
    receiver: str
    status: FlightStatus
    decided: Outcome | None
    face_saving: bool
    face_saving_share: float
    first_flight_landed: bool
    hours_contested: float
    """Hours since the receiver's refusal (0 while not refused)."""
    aircraft: str = "military"
    """Whose aircraft the sender flies: ``military`` planes are a grievance of their own."""
    restraints: bool = False
    """Whether deportees fly in restraints (a dignity grievance)."""
    deadline_in: float | None = None
    """Hours until the sender's public deadline (negative once passed); None without one."""
    deadlines_missed: int = 0
    """Deadlines the sender let pass without carrying out its threats."""
    partial: tuple[float, ...] = ()
    """Fractions of the demand the receiver may meet in part (``demand.partial``)."""
    demand: str | None = None
    """The demand in its own words (``Issue.demand_words``); None: the deportation flights."""
    sender_attention: float = 1.0
    """The share of its stake the sender still gives the demand: 1 when it last renewed it,
    halving every ``dynamics.attention_half_life_days`` after (submodel 7.24)."""
    review_in: float | None = None
    """Hours until the sender reviews the settlement (0 or less: the review is due); None
    without a pending review (submodel 7.11)."""
    terms: float | None = None
    """The terms it was settled on (None: the receiver gave way, or undecided)."""
    delivered: float = 0.0
    """The share of the demand the receiver has carried out (``IssueRun.delivered``)."""
    strain_per_day: tuple[float, float] = (0.0, 0.0)
    """What the open dispute costs the sender and the receiver a day, in approval (a strained
    relationship, ``dynamics.relationship_value``; 0 once decided)."""
    inducement: str | None = None
    """What the sender can offer for compliance, in words (None: nothing; ``Issue.inducement``)."""
    inducement_worth: float = 0.0
    """What the issue's inducement is worth to the receiver (0 without one)."""
    inducement_cost: float = 0.0
    """What giving it costs the sender."""
    inducement_offered: bool = False
    """Whether the sender has offered it (it is then given when the receiver complies)."""
    counter_demand: str | None = None
    """What the receiver can ask in return for complying, in words (None: nothing;
    ``Issue.counter_demand``)."""
    counter_worth: float = 0.0
    """What the counter-demand is worth to the receiver (0 without one)."""
    counter_cost: float = 0.0
    """What giving it costs the sender."""
    counter_demanded: bool = False
    """Whether the receiver has made it, in public."""
    counter_met: bool = False
    """Whether the sender has agreed to it (it is then given when the receiver complies)."""

    @property
    def review_due(self) -> bool:
        """Whether the sender reviews the settlement now."""
        return self.review_in is not None and self.review_in <= 0

    @property
    def contested(self) -> bool:
        return self.decided is None

    def counterpart(self, me: str) -> str:
        return self.receiver if me == self.sender else self.sender


@dataclass(slots=True, unsafe_hash=True)
class Profile:
    """What everyone knows of a government: its public attributes and its standing now."""

    dignity: float
    audience_cost: float
    risk_tolerance: float
    gdp_usd_bn: float
    committed: bool
    hours_committed: float
    approval: float
    approval_start: float
    temperature: float
    deliberation_hours: float


@dataclass(frozen=True, slots=True)
class WorldView:
    """Everything one government may use to decide, at the start of a round."""

    me: str
    role: Role
    round: int
    hours: float
    round_hours: float
    resolve: float
    approval: float
    approval_start: float
    cost_usd_bn: float
    gdp_usd_bn: float
    committed: bool
    hours_committed: float
    audience_cost: float
    dignity: float
    risk_tolerance: float
    beliefs: Mapping[str, float]
    """P(resolve > 0.5) of each other government, by government (read-only)."""
    resolve_beliefs: Mapping[str, tuple[float, ...]]
    """The public belief about every government's resolve, mine included (what the others
    think of me): probabilities of the bins of :data:`crisis_sim.core.beliefs.GRID`."""
    profiles: Mapping[str, Profile]
    """Every government's public attributes and standing, mine included."""
    resolve_means: Mapping[str, float]
    """Publicly known mean resolve of each government (the common prior)."""
    issue: IssueView | None
    """The issue this decision is about (None for a government with no issue of its own)."""
    issues: tuple[IssueView, ...]
    measures: tuple[MeasureView, ...]
    last_moves: Mapping[str, tuple[Action, ...]]
    """What every other government did last round."""
    proposals: Mapping[str, float]
    """Terms proposed to me and still open, by proposer."""
    proposed_to: frozenset[str]
    """Governments to whom my own proposal is still open."""
    back_channels: frozenset[str]
    """Governments I have a back channel with: talks are open."""
    offered_to_receive: bool
    """Whether I have already offered to receive others' deportees (a bystander may, once)."""
    dynamics: Dynamics
    unseen_hours: float = 0.0
    """Hours of the last round that came after my own move in it, during which I could not move
    again: my chance to move counts from my last move, not from this round's opening, so this
    round it is counted over ``unseen_hours + round_hours`` hours (submodel 7.7). 0 when I
    did not move last round."""
    _legal: frozenset[Action] | None = field(default=None, init=False, repr=False, compare=False)
    _memo: dict[Any, Any] | None = field(default=None, init=False, repr=False, compare=False)

    reconsidering: bool = True
    """Whether this turn is a decision point: the first turn, or the world changed by a step
    since the last (a move, an event, a measure's state or rate, a new government): a preferred
    wait is chosen afresh only then, and held otherwise (submodel 7.7)."""
    talks_opening: frozenset[str] = frozenset()
    """Governments with whom talks are being opened (by either side) and are not open yet."""

    @property
    def hours_to_move(self) -> float:
        """The hours over which this round's chance of moving is counted (:attr:`unseen_hours`)."""
        return self.round_hours + self.unseen_hours

    # ---- convenience queries used by policies ------------------------------

    @property
    def legal(self) -> frozenset[Action]:
        """Every move I may make now, from this view alone (:func:`crisis_sim.core.legal.legal_moves`);
        worked out on first use, since most policies never ask."""
        legal = self._legal
        if legal is None:
            legal = frozenset(legal_moves(self))
            object.__setattr__(self, "_legal", legal)
        return legal

    def with_resolve(self, resolve: float) -> WorldView:
        """The same view for a government of another resolve (how observers read a move).

        It shares :attr:`memo` (and the legal moves, if worked out) with this view: the memo is
        made here if it was not yet, so that every copy works into the same one.
        """
        values = list(_view_fields(self))
        values[_RESOLVE] = resolve
        other = WorldView(*values)
        object.__setattr__(other, "_memo", self.memo)
        object.__setattr__(other, "_legal", self._legal)
        return other

    @property
    def memo(self) -> dict[Any, Any]:
        """Scratch space for figures that do not depend on my resolve (expected pain, the other
        side's chances), shared by :meth:`with_resolve` copies so that reading a move at every
        resolve works them out once."""
        memo = self._memo
        if memo is None:
            memo = {}
            object.__setattr__(self, "_memo", memo)
        return memo

    def is_legal(self, action: Action) -> bool:
        """Whether ``action`` may be taken now (terms of a proposal may be any value)."""
        if action.kind in (ActionType.PROPOSE_TERMS, ActionType.SET_DEADLINE):
            action = self.act(action.kind, action.counterpart) if action.actor == self.me \
                else Action(action.kind, action.actor, action.counterpart)
        return action in self.legal

    def act(self, kind: ActionType, counterpart: str | None = None, measure: str | None = None,
            terms: float | None = None, hours: float | None = None) -> Action:
        """Build an action by me.

        Actions are immutable, so the plain ones (no terms, no hours) are built once per view and
        handed out again (the memo is shared by the :meth:`with_resolve` copies): observers
        reading a move ask the policy for the same options at other resolves.
        """
        if terms is not None or hours is not None or kind.__class__ is not ActionType:
            return self._new_action(kind, counterpart, measure, terms, hours)
        key = ("act", kind, counterpart, measure)
        memo = self.memo
        action = memo.get(key)
        if action is None:
            action = memo[key] = self._new_action(kind, counterpart, measure, None, None)
        return action

    def _new_action(self, kind: ActionType, counterpart: str | None, measure: str | None,
                    terms: float | None, hours: float | None) -> Action:
        return Action(kind, self.me, counterpart, measure, terms, hours,
                      None if self.issue is None else self.issue.index)

    def measures_between(self, imposer: str, target: str, *states: MeasureState) -> list[MeasureView]:
        """Measures by ``imposer`` against ``target``, optionally only in ``states``."""
        return [
            m for m in self.measures
            if m.imposer == imposer and m.target == target and (not states or m.state in states)
        ]

    def counterpart(self) -> str | None:
        return self.issue.counterpart(self.me) if self.issue else None

    def approval_lost(self) -> float:
        return max(0.0, self.approval_start - self.approval)


_FIELD_NAMES = tuple(name for name in WorldView.__dataclass_fields__ if not name.startswith("_"))
_view_fields = attrgetter(*_FIELD_NAMES)
"""Every field of a view given to its constructor, in order, in one call."""
_RESOLVE = _FIELD_NAMES.index("resolve")
