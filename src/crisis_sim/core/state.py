"""What a run carries from round to round besides the governments: measures and issues.

Plain mutable records, owned and changed only by :class:`~crisis_sim.core.model.CrisisModel`;
governments see them through the frozen views of :mod:`crisis_sim.core.view`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crisis_sim.core.dynamics import rate_at
from crisis_sim.core.schema import Issue, Measure
from crisis_sim.core.types import (
    ESCALATION_RANK,
    Channel,
    FlightStatus,
    MeasureState,
    Outcome,
    Variant,
)
from crisis_sim.core.view import MeasureView


@dataclass
class MeasureRun:
    """A measure of the catalogue during a run."""

    id: str
    spec: Measure
    flow_usd_bn: float
    """The target's yearly exports to the imposer: the trade the measure bites on."""
    state: MeasureState = MeasureState.AVAILABLE
    imposed_at: float | None = None
    forced_steps: int = 0
    furthest: MeasureState = MeasureState.AVAILABLE
    hours_in_force: float = 0.0
    threatened_at: float | None = None
    lift_began_at: float | None = None
    """Hour its imposer began to lift it in stages (``lift_stages``), while it is being lifted."""
    done_at: float | None = None
    """Hour a one-off act bit, once, and was done (:meth:`bite_once`)."""

    view_cache: dict[tuple[Any, ...], MeasureView] = field(default_factory=dict, repr=False)
    """Public views by (state, forced steps, rate); may be shared by runs of one scenario."""
    expected_cache: dict[tuple[int, float], float] = field(default_factory=dict, repr=False)
    """Expected rates by forced steps and days; may be shared likewise."""

    def __post_init__(self) -> None:
        self.steps = [(s.after_days, s.rate) for s in self.spec.schedule]
        self.rate = 0.0
        """The rate in force this round (set each round with the costs)."""
        if self.spec.in_force_at_start:
            self.set_state(MeasureState.IMPOSED)
            self.imposed_at = -24.0 * self.spec.in_force_since_days
            self.rate = self.rate_now(0.0)
        elif self.spec.threatened_at_start:
            self.set_state(MeasureState.THREATENED)
            self.threatened_at = 0.0

    @property
    def imposer_flow_usd_bn(self) -> float:
        """The trade whose cost the imposer bears itself: none for a secondary measure
        (third countries' buyers bear it, :func:`measure_flows`)."""
        return 0.0 if self.spec.via else self.flow_usd_bn

    def in_force(self, hours: float) -> bool:
        """Imposed and past its lag: biting (at its rate) and pressing (politically)."""
        return (self.state is MeasureState.IMPOSED and self.imposed_at is not None
                and hours - self.imposed_at >= self.spec.lag_hours)

    def rate_now(self, hours: float) -> float:
        """The rate biting now: 0 unless in force; the part not yet lifted while lifted in stages."""
        if not self.in_force(hours):
            return 0.0
        assert self.imposed_at is not None  # in force: imposed
        rate = rate_at(self.steps, (hours - self.imposed_at - self.spec.lag_hours) / 24.0, self.forced_steps)
        if self.lift_began_at is not None:
            rate *= 1.0 - self.lifted_share(hours)
        return rate

    def lifted_share(self, hours: float) -> float:
        """The share lifted by now of a measure being lifted in stages (0 when it is not)."""
        if self.lift_began_at is None:
            return 0.0
        days = (hours - self.lift_began_at) / 24.0
        return max((s.share for s in self.spec.lift_stages if s.after_days <= days), default=0.0)

    def lift(self, hours: float) -> None:
        """Lift it: at once, or, for an imposed measure with ``lift_stages``, begin lifting it in
        stages (it stays imposed, at a falling rate, until the last stage lifts it)."""
        if self.spec.lift_stages and self.state is MeasureState.IMPOSED:
            if self.lift_began_at is None:
                self.lift_began_at = hours
            if self.lifted_share(hours) < 1.0:
                return
        self.lift_began_at = None
        self.set_state(MeasureState.LIFTED)

    def lift_stage_due(self, hours: float) -> None:
        """A measure being lifted in stages is lifted once its last stage has come."""
        if self.lift_began_at is not None and self.lifted_share(hours) >= 1.0:
            self.lift(hours)

    @property
    def one_off(self) -> bool:
        """A one-off act: it bites once, when carried out, and is then done (``Measure.one_off``)."""
        return self.spec.one_off

    def bite_once(self, hours: float) -> None:
        """A one-off act has borne its pain: it is done (docs/model.md §7.1)."""
        self.set_state(MeasureState.DONE)
        self.done_at = hours

    def expected_rate(self, concern_days: float) -> float:
        """Average schedule rate over the concern window (or any number of days from imposition:
        a one-off act's ``one_off_days``), as a threat promises it."""
        key = (self.forced_steps, concern_days)
        if key not in self.expected_cache:
            samples = 8
            total = sum(
                rate_at(self.steps, concern_days * (i + 0.5) / samples, self.forced_steps)
                for i in range(samples)
            )
            self.expected_cache[key] = total / samples
        return self.expected_cache[key]

    def set_state(self, state: MeasureState) -> None:
        self.state = state
        if ESCALATION_RANK[state] > ESCALATION_RANK[self.furthest]:
            self.furthest = state


@dataclass
class IssueRun:
    """The flights issue during a run."""

    index: int
    spec: Issue
    status: FlightStatus
    pending: int
    decided: Outcome | None = None
    variant: Variant | None = None
    decided_round: int | None = None
    decided_hours: float | None = None
    refused_at: float | None = None
    first_flight_due: float | None = None
    first_flight_at: float | None = None
    returned: int = 0
    flight_credit: float = 0.0
    terms: float | None = None
    deadline_at: float | None = None
    """Hour of the sender's public deadline, while one stands."""
    deadlines_missed: int = 0
    """Deadlines that passed with the threats behind them not carried out (bluffs called)."""
    renewed_at: float = 0.0
    """Hour the sender last renewed its demand (opened it, threatened, imposed, stepped up or
    named a deadline): its attention fades from there (submodel 7.24)."""
    review_due: float | None = None
    """Hour at which the sender reviews the settlement, while a review is pending (an issue with
    ``review_after_days``, decided by the receiver giving way or by terms: submodel 7.11)."""
    reopened: int = 0
    """Times the sender reopened the issue at a review."""
    offered_at: float | None = None
    """Hour the sender offered the issue's inducement (None: not offered)."""
    given_at: float | None = None
    """Hour the inducement was given, once, when the receiver complied (None: not given)."""
    counter_demanded_at: float | None = None
    """Hour the receiver made the issue's counter-demand (None: not made)."""
    counter_met_at: float | None = None
    """Hour the sender agreed to the counter-demand (None: not agreed)."""
    counter_given_at: float | None = None
    """Hour the counter-demand was given, once, when the receiver complied (None: not given)."""

    def __post_init__(self) -> None:
        self.opened = self.spec.opens_at_hours <= 0
        """Whether the issue exists yet (``opens_at_hours`` has come)."""
        self.renewed_at = max(self.renewed_at, self.spec.opens_at_hours)
        if not self.opened and self.refused_at is not None:
            self.refused_at = self.spec.opens_at_hours

    def review_due_by(self, hours: float) -> bool:
        """Whether the settlement's review has come by ``hours``."""
        return self.review_due is not None and self.review_due <= hours

    @property
    def delivered(self) -> float:
        """The share of the demand the receiver has carried out: the deportees returned of those
        pending at the start (for a demand of one act, 1 once it is done)."""
        total = self.spec.deportees_pending
        if total <= 0:
            return 1.0 if self.first_flight_at is not None else 0.0
        return self.returned / total


def measure_flows(trade: dict[tuple[str, str], float], spec: Measure) -> dict[str, float]:
    """The yearly trade a measure bites on, by importer: the target's exports to the imposer,
    or, for a secondary measure, to each third country of ``via``; none for a measure that bites
    on politics (sanctions on officials, migration pressure: ``Measure.channel``)."""
    if spec.channel is Channel.POLITICS:
        return {spec.imposer: 0.0}
    if spec.via:
        return {v: trade.get((spec.target, v), 0.0) for v in spec.via}
    return {spec.imposer: trade.get((spec.target, spec.imposer), 0.0)}


@dataclass(frozen=True)
class Proposal:
    """Terms on the table for one issue: by one of its parties (the other must accept) or by a
    third party (both must accept). Lapses after ``dynamics.proposal_hours``."""

    proposer: str
    issue: int
    terms: float
    made_at: float
    accepted_by: frozenset[str] = frozenset()
    partial: bool = False
    """The receiver's offer to meet the demand in part (``terms`` the fraction)."""
