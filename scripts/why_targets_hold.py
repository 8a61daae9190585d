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
one), the runs by outcome class, and those settled soon after a fall by outcome class and by whose
government fell last (the target's or the initiator's).

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
from collections.abc import Callable, Sequence
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
    after_a_fall_by: dict[str, int]
    """The runs of :attr:`after_a_fall` by outcome class and by whose government fell last
    ("target concedes after the target's fall")."""


def endings(scenario: Scenario, runs: int) -> Endings:
    """Run ``scenario`` at seeds 0..runs-1 and sort each run by what ended it."""
    before: list[float] = []
    after = later = undecided = 0
    days: list[float] = []
    outcomes: Counter[str] = Counter()
    by_whom: Counter[str] = Counter()
    falls_of = {f"the government of {actor.name} falls": actor.role for actor in scenario.actors.values()}
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
        falls = [(e.hours / 24.0, e.reason) for e in model.log
                 if e.event is EventKind.GOVERNMENT_CHANGE and e.hours <= decided_at]
        if not falls:
            before.append(day)
        elif day - falls[-1][0] <= AFTER_A_FALL_DAYS:
            after += 1
            role = next(r for prefix, r in falls_of.items() if falls[-1][1].startswith(prefix))
            by_whom[f"{issue.decided.value} after the {role}'s fall"] += 1
        else:
            later += 1
    median = statistics.median_low(days)
    return Endings(runs, sorted(before), after, later, undecided,
                   None if median == float("inf") else median, dict(sorted(outcomes.items())),
                   dict(sorted(by_whom.items())))


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


@dataclass(frozen=True)
class Moment:
    """What one side decides from at a turn's opening, kept so that its reckoning can be worked out
    afterwards, and only for the moments printed: the view (immutable), the public belief about
    it, and a copy of its policy as it stood (a policy that remembers its moves must not remember
    one only asked about here)."""

    day: float
    approval_change: float
    view: WorldView
    belief: beliefs.Belief
    policy: Policy


def moment(model: CrisisModel, key: str) -> Moment:
    """``key``'s moment now: the view of its own issue it decides from."""
    gov = model.governments[key]
    return Moment(model.hours / 24.0, gov.approval - model.approval_start[key],
                  next(v for v in model.views_for(gov) if v.issue is not None),
                  model.public_beliefs[key], copy.deepcopy(gov.policy))


def reckoning_of(m: Moment) -> Reckoning:
    """The receiver's reckoning at a moment."""
    view = m.view
    breaking = beliefs.turning_point(
        lambda r: give_way_value(view.with_resolve(r)) >= reasoning.value_of_holding(view.with_resolve(r)))
    return Reckoning(
        day=m.day, approval_change=m.approval_change,
        stake=reasoning.stake(view), audience_cost=reasoning.backdown_cost(view),
        give_way=give_way_value(view), pain=reasoning.expected_pain(view), hope=reasoning.hope(view),
        hold=reasoning.value_of_holding(view), breaking_resolve=breaking,
        mass_below=beliefs.mass_below(m.belief, breaking))


def reckoning_at(model: CrisisModel, receiver: str) -> Reckoning:
    """The receiver's reckoning in the view it decides from now."""
    return reckoning_of(moment(model, receiver))


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


def sender_reckoning_of(m: Moment) -> SenderReckoning | None:
    """The sender's reckoning at a moment, by its own policy; None while the policy weighs no
    choice between holding and withdrawing."""
    view, policy = m.view, m.policy
    values = _sender_values(policy, view)
    if values is None:
        return None
    issue = view.issue
    assert issue is not None  # the sender's view of its own issue
    receiver = issue.counterpart(view.me)
    standing = tuple(reasoning.my_measures(view, MeasureState.THREATENED, MeasureState.SUSPENDED))
    breaking = beliefs.turning_point(lambda r: _withdraws(policy, view.with_resolve(r)))
    return SenderReckoning(
        day=m.day, approval_change=m.approval_change, attention=issue.sender_attention,
        stake=reasoning.stake(view),
        p_gives_way=reasoning.p_gives_way(view, receiver, reasoning.pain_on(view, receiver, standing)),
        hold=values[0], withdraw=values[1], breaking_resolve=breaking,
        mass_below=beliefs.mass_below(m.belief, breaking))


def sender_reckoning_at(model: CrisisModel, sender: str) -> SenderReckoning | None:
    """The sender's reckoning in the view it decides from now."""
    return sender_reckoning_of(moment(model, sender))


def _withdraws(policy: Policy, view: WorldView) -> bool:
    values = _sender_values(policy, view)
    return values is not None and values[1] >= values[0]


def reckonings(scenario: Scenario, seed: int, every_days: float,
               sender: bool = False) -> list[Reckoning] | list[SenderReckoning]:
    """The receiver's reckoning (the sender's, if ``sender``) every ``every_days`` days of one
    run, and in the view it last decided from before the issue was decided (marked ``decided``)."""
    model = CrisisModel(scenario, seed, agent_records=False)
    spec = model.issues[0].spec
    key, work_out = (spec.sender, sender_reckoning_of) if sender else (spec.receiver, reckoning_of)
    rows: list[Any] = []
    last = -every_days
    while model.running and model.round < scenario.rounds:
        now = moment(model, key)
        model.step()
        decided = model.issues[0].decided is not None
        if not decided and now.day - last < every_days:
            continue
        row = work_out(now)
        if row is None:  # no choice of that kind weighed in this view
            continue
        if decided:
            rows.append(replace(row, decided=True))
            break
        rows.append(row)
        last = now.day
    return rows


def _pts(value: float) -> float:
    return 100.0 * value


Column = tuple[str, str, Callable[[Any], float]]
"""A printed column: its header, the format of its values (width first) and how a row gives one."""

TARGET_COLUMNS: tuple[Column, ...] = (
    ("day", "6.0f", lambda r: r.day), ("approval", "+8.2f", lambda r: _pts(r.approval_change)),
    ("stake", "7.2f", lambda r: _pts(r.stake)), ("face", "7.2f", lambda r: _pts(r.audience_cost)),
    ("give way", "8.2f", lambda r: _pts(r.give_way)), ("pain", "7.2f", lambda r: _pts(r.pain)),
    ("hope", "5.3f", lambda r: r.hope), ("hold", "7.2f", lambda r: _pts(r.hold)),
    ("r*", "6.3f", lambda r: r.breaking_resolve), ("P(r<r*)", "8.2%", lambda r: r.mass_below))

SENDER_COLUMNS: tuple[Column, ...] = (
    ("day", "6.0f", lambda r: r.day), ("approval", "+8.2f", lambda r: _pts(r.approval_change)),
    ("attention", "9.3f", lambda r: r.attention), ("stake", "7.2f", lambda r: _pts(r.stake)),
    ("P(gives way)", "12.3f", lambda r: r.p_gives_way), ("hold", "7.2f", lambda r: _pts(r.hold)),
    ("withdraw", "8.2f", lambda r: _pts(r.withdraw)), ("r*", "6.3f", lambda r: r.breaking_resolve),
    ("P(r<r*)", "8.2%", lambda r: r.mass_below))


def print_reckoning(title: str, note: str, columns: tuple[Column, ...], rows: Sequence[Any]) -> None:
    """A reckoning as a table: the title, the headers, a note, then a line a row."""
    widths = [int("".join(c for c in spec.split(".")[0] if c.isdigit())) for _, spec, _ in columns]
    print(title)
    print(" ".join(f"{header:>{width}}" for (header, _, _), width in zip(columns, widths, strict=True)))
    print(f"  {note}")
    for r in rows:
        mark = "  (decided from this view)" if r.decided else ""
        print(" ".join(format(value(r), spec) for _, spec, value in columns) + mark)


def print_endings(name: str, e: Endings) -> None:
    median = "not decided" if e.median_day is None else f"{e.median_day:.0f}"
    early = ", ".join(f"{d:.0f}" for d in e.before_any_fall) or "none"
    print(f"{name}: {e.runs} runs; decided before any fall {len(e.before_any_fall)} (days: {early});"
          f" within {AFTER_A_FALL_DAYS:g} days after a fall {e.after_a_fall}; later after a fall"
          f" {e.later_after_a_fall}; not settled {e.undecided}; median day {median}")
    print("  outcomes: " + ", ".join(f"{name.replace('_', ' ')} {n}" for name, n in e.outcomes.items()))
    if e.after_a_fall_by:
        print(f"  within {AFTER_A_FALL_DAYS:g} days after a fall, by outcome and whose government fell last: "
              + ", ".join(f"{what.replace('_', ' ')} {n}" for what, n in e.after_a_fall_by.items()))


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
            print_reckoning(f"{scenario.name or case}, seed {args.reckoning}: the sender's reckoning"
                            " (points of approval)",
                            "r*: the resolve below which withdrawing is worth more than keeping up the"
                            " pressure", SENDER_COLUMNS,
                            reckonings(scenario, args.reckoning, args.every, sender=True))
        else:
            print_reckoning(f"{scenario.name or case}, seed {args.reckoning}: the target's reckoning"
                            " (points of approval)",
                            "P(r<r*): the public belief's share of the resolves at which giving way is"
                            " worth more", TARGET_COLUMNS, reckonings(scenario, args.reckoning, args.every))
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    raise SystemExit(exit_code(main))
