"""Print why a target under sustained measures holds out: what ends each run of a crisis, and the
target's reckoning over time (docs/backtest.md, "Why a target under measures holds for a year")::

    .venv/bin/python scripts/why_targets_hold.py CASE [CASE ...] [--runs 30] [--set PATH=VALUE]
    .venv/bin/python scripts/why_targets_hold.py CASE --reckoning SEED [--every 7] [--sender]

``--set`` changes a value of every case as ``crisis-sim run --set`` does (for instance
``dynamics.government_change_per_year=0``: no government falls).

**What ends the runs.** Each case is run at seeds 0 to ``--runs`` - 1 (model seeds, not a
batch's), and each decided run is put in one of three classes by when it was decided: before any
government fell, within :data:`AFTER_A_FALL_DAYS` days after one fell, or later than that after a
fall; the table gives the counts, the runs not settled within the horizon (a standoff or a mutual
escalation), the median day of a settlement (a run not settled counting as later than any settled
one), and the runs by outcome class.

**The target's reckoning.** One run, every ``--every`` days and at the decision: the terms the
target's policy weighs (docs/model.md §7.5-7.6), in points of approval: its stake, its audience
cost of backing down, the better of giving way outright and (where the issue allows it) in
face-saving form, the pain it expects over its window, its hope that the sender yields first,
the value of holding out, the resolve below which giving way is worth more than holding
(``r*``) and the public belief's mass below it (the share of the types the others think it may
be that would give way now).

**The sender's reckoning** (``--sender``): the same for the side that made the demand, with the
values its own policy puts on keeping up the pressure and on withdrawing the demand
(docs/model.md §7.10, §7.22, §7.24): the share of its stake its attention still gives the demand,
its stake, the chance it reads that the target gives way under the pressure standing, and the
resolve below which withdrawing is worth more than holding.
"""

from __future__ import annotations

import argparse
import copy
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from crisis_sim.batch.folder import BatchError
from crisis_sim.core import beliefs
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.policy import Policy
from crisis_sim.core.types import ActionType, EventKind, MeasureState
from crisis_sim.core.view import WorldView
from crisis_sim.policies import reasoning
from crisis_sim.runs.single_run import run_model
from crisis_sim.scenario import Scenario, load_scenario

AFTER_A_FALL_DAYS = 3.0
"""A run decided within this many days after a government fell is counted as ended by the fall."""

MAX_RUNS = 10_000


@dataclass(frozen=True)
class Endings:
    """What ended the runs of one case."""

    runs: int
    before_any_fall: list[float]
    """Days of the decisions made before any government fell."""
    after_a_fall: int
    """Runs decided within :data:`AFTER_A_FALL_DAYS` days after a government fell."""
    later_after_a_fall: int
    undecided: int
    """Runs not settled within the horizon (a standoff or a mutual escalation)."""
    median_day: float | None
    """The median day of a decision; None when it falls among the undecided runs."""
    outcomes: dict[str, int]
    """Runs by outcome class."""


def endings(scenario: Scenario, runs: int) -> Endings:
    """Run ``scenario`` at seeds 0..runs-1 and sort each run by what ended it."""
    before: list[float] = []
    after = later = undecided = 0
    days: list[float] = []
    outcomes: Counter[str] = Counter()
    for seed in range(runs):
        model = run_model(scenario, seed, agent_records=False)
        outcomes[str(model.final_outcomes()[0]["outcome"])] += 1
        issue = model.issues[0]
        if issue.decided is None:  # a standoff or a mutual escalation at the horizon
            undecided += 1
            days.append(float("inf"))
            continue
        decided_at = issue.decided_hours
        day = decided_at / 24.0
        days.append(day)
        falls = [e.hours / 24.0 for e in model.log
                 if e.event is EventKind.GOVERNMENT_CHANGE and e.hours <= decided_at]
        if not falls:
            before.append(day)
        elif day - falls[-1] <= AFTER_A_FALL_DAYS:
            after += 1
        else:
            later += 1
    median = statistics.median_low(days)
    return Endings(runs, sorted(before), after, later, undecided,
                   None if median == float("inf") else median, dict(sorted(outcomes.items())))


@dataclass(frozen=True)
class Reckoning:
    """The target's terms at one moment, in approval units (0.01 = 1 point)."""

    day: float
    approval_change: float
    stake: float
    audience_cost: float
    give_way: float
    pain: float
    hope: float
    hold: float
    breaking_resolve: float
    mass_below: float
    decided: bool = False
    """Whether this is the view the issue was decided from (the last before the decision)."""


def give_way_value(view: WorldView) -> float:
    """The better of giving way outright and, where the issue allows it, with face saved."""
    value = reasoning.value_of_giving_way(view)
    assert view.issue is not None  # the receiver's view of its own issue
    if view.issue.face_saving:
        value = max(value, reasoning.value_of_giving_way(view, view.issue.face_saving_share))
    return value


def reckoning_at(model: CrisisModel, receiver: str) -> Reckoning:
    """The receiver's reckoning in the view it decides from now."""
    gov = model.governments[receiver]
    view = next(v for v in model.views_for(gov) if v.issue is not None)
    hold = reasoning.value_of_holding(view)
    breaking = beliefs.turning_point(
        lambda r: give_way_value(view.with_resolve(r)) >= reasoning.value_of_holding(view.with_resolve(r)))
    return Reckoning(
        day=model.hours / 24.0, approval_change=gov.approval - model.approval_start[receiver],
        stake=reasoning.stake(view), audience_cost=reasoning.backdown_cost(view),
        give_way=give_way_value(view), pain=reasoning.expected_pain(view), hope=reasoning.hope(view),
        hold=hold, breaking_resolve=breaking,
        mass_below=beliefs.mass_below(model.public_beliefs[receiver], breaking))


@dataclass(frozen=True)
class SenderReckoning:
    """The sender's terms at one moment, as its own policy weighs them (0.01 = 1 point)."""

    day: float
    approval_change: float
    attention: float
    stake: float
    p_gives_way: float
    hold: float
    withdraw: float
    breaking_resolve: float
    mass_below: float
    decided: bool = False
    """Whether this is the view the issue was decided from (the last before the decision)."""


def _sender_values(policy: Policy, view: WorldView) -> tuple[float, float] | None:
    """The utilities ``policy`` gives keeping up the pressure (its option of waiting) and
    withdrawing the demand, in ``view``; None while it offers no such choice (before its
    ultimatum, say)."""
    options = policy.options(view)
    hold = [o.utility for o in options if all(a.kind is ActionType.WAIT for a in o.actions)]
    withdraw = [o.utility for o in options if any(a.kind is ActionType.WITHDRAW_DEMAND for a in o.actions)]
    return (hold[0], withdraw[0]) if hold and withdraw else None


def sender_reckoning_at(model: CrisisModel, sender: str, receiver: str) -> SenderReckoning | None:
    """The sender's reckoning in the view it decides from now, by a copy of its own policy (a
    policy that remembers its moves must not remember one only asked about here); None while its
    policy weighs no choice between holding and withdrawing."""
    gov = model.governments[sender]
    view = next(v for v in model.views_for(gov) if v.issue is not None)
    policy = copy.deepcopy(gov.policy)
    values = _sender_values(policy, view)
    if values is None:
        return None
    hold, withdraw = values
    standing = tuple(reasoning.my_measures(view, MeasureState.THREATENED, MeasureState.SUSPENDED))
    breaking = beliefs.turning_point(lambda r: _withdraws(policy, view.with_resolve(r)))
    assert view.issue is not None  # the sender's view of its own issue
    return SenderReckoning(
        day=model.hours / 24.0, approval_change=gov.approval - model.approval_start[sender],
        attention=view.issue.sender_attention, stake=reasoning.stake(view),
        p_gives_way=reasoning.p_gives_way(view, receiver, reasoning.pain_on(view, receiver, standing)),
        hold=hold, withdraw=withdraw, breaking_resolve=breaking,
        mass_below=beliefs.mass_below(model.public_beliefs[sender], breaking))


def _withdraws(policy: Policy, view: WorldView) -> bool:
    values = _sender_values(policy, view)
    return values is not None and values[1] >= values[0]


def reckonings(scenario: Scenario, seed: int, every_days: float,
               sender: bool = False) -> list[Reckoning] | list[SenderReckoning]:
    """The receiver's reckoning (the sender's, if ``sender``) every ``every_days`` days of one
    run, and in the view it last decided from before the issue was decided (marked ``decided``)."""
    model = CrisisModel(scenario, seed, agent_records=False)
    spec = model.issues[0].spec
    rows: list[Any] = []
    last = -every_days
    while model.running and model.round < scenario.rounds:
        now = (sender_reckoning_at(model, spec.sender, spec.receiver) if sender
               else reckoning_at(model, spec.receiver))
        model.step()
        if now is None:  # no choice of that kind weighed in this view
            continue
        if model.issues[0].decided is not None:
            rows.append(replace(now, decided=True))
            break
        if now.day - last >= every_days:
            rows.append(now)
            last = now.day
    return rows


def _pts(value: float) -> str:
    return f"{value * 100:7.2f}"


def print_reckoning(name: str, seed: int, rows: list[Reckoning]) -> None:
    print(f"{name}, seed {seed}: the target's reckoning (points of approval)")
    print(f"{'day':>6} {'approval':>8} {'stake':>7} {'face':>7} {'give way':>8} {'pain':>7} {'hope':>5}"
          f" {'hold':>7} {'r*':>6} {'P(r<r*)':>8}")
    print("  P(r<r*): the public belief's share of the resolves at which giving way is worth more")
    for r in rows:
        mark = "  (decided from this view)" if r.decided else ""
        print(f"{r.day:6.0f} {r.approval_change * 100:+8.2f} {_pts(r.stake)} {_pts(r.audience_cost)}"
              f" {r.give_way * 100:8.2f} {_pts(r.pain)} {r.hope:5.3f} {_pts(r.hold)}"
              f" {r.breaking_resolve:6.3f} {r.mass_below:8.2%}{mark}")


def print_sender_reckoning(name: str, seed: int, rows: list[SenderReckoning]) -> None:
    print(f"{name}, seed {seed}: the sender's reckoning (points of approval)")
    print(f"{'day':>6} {'approval':>8} {'attention':>9} {'stake':>7} {'P(gives way)':>12} {'hold':>7}"
          f" {'withdraw':>8} {'r*':>6} {'P(r<r*)':>8}")
    print("  r*: the resolve below which withdrawing is worth more than keeping up the pressure")
    for r in rows:
        mark = "  (decided from this view)" if r.decided else ""
        print(f"{r.day:6.0f} {r.approval_change * 100:+8.2f} {r.attention:9.3f} {_pts(r.stake)}"
              f" {r.p_gives_way:12.3f} {_pts(r.hold)} {r.withdraw * 100:8.2f} {r.breaking_resolve:6.3f}"
              f" {r.mass_below:8.2%}{mark}")


def print_endings(name: str, e: Endings) -> None:
    median = "not decided" if e.median_day is None else f"{e.median_day:.0f}"
    early = ", ".join(f"{d:.0f}" for d in e.before_any_fall) or "none"
    print(f"{name}: {e.runs} runs; decided before any fall {len(e.before_any_fall)} (days: {early});"
          f" within {AFTER_A_FALL_DAYS:g} days after a fall {e.after_a_fall}; later after a fall"
          f" {e.later_after_a_fall}; not settled {e.undecided}; median day {median}")
    print("  outcomes: " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in e.outcomes.items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="+")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reckoning", type=int, default=None, metavar="SEED")
    parser.add_argument("--every", type=float, default=7.0)
    parser.add_argument("--sender", action="store_true", help="the sender's reckoning, not the target's")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)
    if not 1 <= args.runs <= MAX_RUNS:
        raise BatchError(f"--runs: must be a whole number from 1 to {MAX_RUNS:,}, got {args.runs:,}")
    if args.reckoning is not None and args.reckoning < 0:
        raise BatchError(f"--reckoning: a seed >= 0, got {args.reckoning}")
    if not args.every > 0:
        raise BatchError(f"--every: days above 0, got {args.every:g}")
    scenarios = [(case, load_scenario(case, args.overrides)) for case in args.cases]
    for case, scenario in scenarios:
        if args.reckoning is None:
            print_endings(scenario.name or case, endings(scenario, args.runs))
        elif args.sender:
            print_sender_reckoning(scenario.name or case, args.reckoning,
                                   reckonings(scenario, args.reckoning, args.every, sender=True))
        else:
            print_reckoning(scenario.name or case, args.reckoning,
                            reckonings(scenario, args.reckoning, args.every))
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    raise SystemExit(exit_code(main))
