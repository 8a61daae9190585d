"""Coercers: the always-escalating hardliner and George's turn-the-screw ultimatum."""

from __future__ import annotations

from pydantic import Field

from crisis_sim.core.policy import MeasureId, Policy, PolicyParams
from crisis_sim.core.types import ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import WorldView
from crisis_sim.policies.common import CHOSEN, labels, pick, wait
from crisis_sim.policies.reasoning import my_measures


class Hardliner(Policy):
    """Always escalate, never yield.

    Takes the most escalatory step open on every measure each round: threaten
    what is available, impose what is threatened, bring schedules forward.
    As a receiver it refuses and commits in public. The pure "war" strategy
    of Bueno de Mesquita & Lalman's game; a useful foil in tournaments.
    """

    name = "hardliner"
    summary = "always escalate: threaten, impose, step up schedules; never give way"

    def options(self, view: WorldView) -> list[Option]:
        if view.issue is None:
            return [wait(view, "hardliner with no issue of its own: stays out")]
        other = view.counterpart()
        acts = []
        if view.issue.status is FlightStatus.PENDING and view.me == view.issue.receiver:
            acts.append(view.act(ActionType.REFUSE_FLIGHTS, other))
        if not view.committed:
            acts.append(view.act(ActionType.PUBLIC_STATEMENT, other))
        for m in my_measures(view):
            if m.state in (MeasureState.AVAILABLE, MeasureState.LIFTED):
                acts.append(view.act(ActionType.THREATEN, other, m.id))
            elif m.state in (MeasureState.THREATENED, MeasureState.SUSPENDED):
                acts.append(view.act(ActionType.IMPOSE, other, m.id))
            elif m.can_escalate:
                acts.append(view.act(ActionType.ESCALATE, other, m.id))
        what = labels(view, acts) or "nothing left to escalate"
        return pick(acts, f"never back down; escalate: {what}", view)


class TurnTheScrewParams(PolicyParams):
    impose_now: tuple[MeasureId, ...] = Field(
        (), description="Measures (ids) imposed at once, with the announcement, instead of threatened "
        "(e.g. visa sanctions).")
    threaten: tuple[MeasureId, ...] | None = Field(
        None, description="Measures (ids) threatened in the announcement and imposed if the deadline "
        "passes; `null`: every available measure not in `impose_now`.")
    announce_after_hours: float = Field(
        0.0, description="Hours after the refusal before the package is announced (the time it takes "
        "to draft it); waits until then.")
    deadline_hours: float = Field(
        24.0, description="Hours the target has to comply after the announcement before the threatened "
        "measures are imposed.")
    escalate_every_hours: float | None = Field(
        None, description="After the deadline, bring the next schedule step of every measure in force "
        "forward this often, in hours (`null` or 0: the schedules keep their own pace).")
    max_approval_loss: float = Field(
        0.1, description="Withdraw the demand once the sender's own approval has fallen this far below "
        "its start (0.1 = 10 points).")
    accept_terms_at_least: float = Field(
        0.75, description="Accept terms the target proposes if they are at least this (0 = the "
        "receiver's position, 1 = the sender's).")


class TurnTheScrew(Policy):
    """A scheduled ultimatum: announce a graduated package with a deadline, then carry it out.

    George's "gradual turning of the screw" and Schelling's point that
    compellence needs a deadline (docs/sources.md §3 george1991,
    george-simons1994, schelling1966). On the first refusal it
    imposes ``impose_now`` and threatens the rest; if the target has not
    complied by the deadline it imposes what it threatened and lets the
    schedules climb. It backs down only when its own approval has fallen by
    ``max_approval_loss``. Both Colombia 2025 and Mexico 2019 were of this kind.
    """

    name = "turn_the_screw"
    summary = "George's turn-the-screw: announce a graduated package and a deadline, impose if unmet"
    Params = TurnTheScrewParams

    def reset(self) -> None:
        self.announced_at: dict[str, float] = {}
        self.last_escalation: dict[str, float] = {}

    def options(self, view: WorldView) -> list[Option]:
        p = self.params
        if view.issue is None or view.me != view.issue.sender:
            return [wait(view, "turn-the-screw coercer with no flights of its own to press")]
        other = view.counterpart()
        if view.approval_lost() >= p.max_approval_loss:
            lost = view.approval_lost() * 100
            return pick([view.act(ActionType.WITHDRAW_DEMAND, other)],
                        f"approval down {lost:.0f} points: the screw costs too much at home", view)
        terms = view.proposals.get(other)
        if terms is not None and terms >= p.accept_terms_at_least:
            return pick([view.act(ActionType.ACCEPT_TERMS, other, terms=terms)],
                        f"terms {terms:.2f} meet the demand", view)
        mine = my_measures(view)
        if all(m.state is MeasureState.AVAILABLE for m in mine):
            if view.issue.hours_contested < p.announce_after_hours:
                return [wait(view, "drafting the response to the refusal", CHOSEN)]
            self.announced_at[other] = view.hours
            acts = []
            for m in mine:
                if m.state is not MeasureState.AVAILABLE:
                    continue
                if m.id in p.impose_now:
                    acts.append(view.act(ActionType.IMPOSE, other, m.id))
                elif p.threaten is None or m.id in p.threaten:
                    acts.append(view.act(ActionType.THREATEN, other, m.id))
            if not view.committed:
                acts.append(view.act(ActionType.PUBLIC_STATEMENT, other))
            return pick(acts, f"ultimatum: comply within {p.deadline_hours:.0f}h or face "
                        f"{labels(view, acts)}", view)
        announced = self.announced_at.setdefault(other, view.hours)
        left = p.deadline_hours - (view.hours - announced)
        threatened = [m for m in mine if m.state is MeasureState.THREATENED]
        if left <= 0 and threatened:
            acts = [view.act(ActionType.IMPOSE, other, m.id) for m in threatened]
            return pick(acts, f"deadline passed without compliance: impose {labels(view, acts)}", view)
        if p.escalate_every_hours and left <= 0:
            last = self.last_escalation.get(other, announced + p.deadline_hours)
            steps = [m for m in mine if m.can_escalate]
            if steps and view.hours - last >= p.escalate_every_hours:
                self.last_escalation[other] = view.hours
                acts = [view.act(ActionType.ESCALATE, other, m.id) for m in steps]
                return pick(acts, f"turn the screw: step up {labels(view, acts)}", view)
        if left > 0:
            return [wait(view, f"deadline in {left:.0f}h: waiting for compliance", CHOSEN)]
        return [wait(view, "measures in force: waiting for compliance", CHOSEN)]
