"""Trajectory reporters, the escalation ladder, and classifying how a crisis ended.

The outcome classes follow the endings of Bueno de Mesquita & Lalman's
International Interaction Game (docs/sources.md §3 bdm-lalman1992): acquiescence
(``target_concedes``), capitulation of the sender (``initiator_backs_down``),
negotiation (``negotiated_settlement``), the status quo (``standoff``), and
war, here full mutual sanctions (``mutual_escalation``).
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import mesa
import pandas as pd

from crisis_sim.core.columns import (
    FRACTION_MET,
    approval_column,
    cost_column,
    rate_column,
    state_column,
)
from crisis_sim.core.run_record import POSTERIOR_DRAW, may_be_met_in_part
from crisis_sim.core.types import ESCALATION_RANK, MeasureState, Outcome, Variant

if TYPE_CHECKING:
    from crisis_sim.core.state import IssueRun
    from crisis_sim.core.world import World

LADDER = (
    "calm: flights flowing, no measures",
    "dispute: flights refused",
    "threats: measures threatened",
    "coercion: measures imposed by one side",
    "mutual coercion: measures imposed by both sides",
    "escalation: both sides imposing, a schedule stepped up",
)
"""The small escalation ladder. Its upper rungs correspond to the embargo-type
steps at rungs 10-20 of Kahn's 44-rung ladder."""


def escalation_level(model: World) -> int:
    """The highest rung of :data:`LADDER` the crisis stands on now.

    A one-off act counts as an imposition in the round it was done (it was carried out then),
    and not after: it leaves nothing in force (docs/model.md §7.1)."""
    since = model.hours - model.scenario_spec.round_hours
    imposed = [m for m in model.measures.values()
               if m.state is MeasureState.IMPOSED or (m.done_at is not None and m.done_at > since)]
    imposers = {m.spec.imposer for m in imposed}
    both = any(
        {i.spec.sender, i.spec.receiver} <= imposers for i in model.issues
    )
    if both:
        stepped = any(m.rate > m.spec.schedule[0].rate for m in imposed)
        return 5 if stepped else 4
    if imposed:
        return 3
    if any(m.state is MeasureState.THREATENED for m in model.measures.values()):
        return 2
    if any(i.decided is None and i.opened for i in model.issues):
        return 1
    return 0


def classify_unsettled(model: World, issue: IssueRun) -> tuple[Outcome, int | None]:
    """At the horizon, an undecided issue is mutual escalation or a standoff.

    Mutual escalation when both parties have measures in force against each
    other; its round is the one in which the later side's measure went in
    (round ``r`` opens at hour ``(r - 1) * round_hours``). Otherwise a
    standoff, undecided (round ``None``).
    """
    parties = (issue.spec.sender, issue.spec.receiver)
    started: dict[str, float] = {}
    for m in model.measures.values():
        if m.state is MeasureState.IMPOSED and (m.spec.imposer, m.spec.target) in (
            parties, parties[::-1]
        ):
            t = max(0.0, m.imposed_at or 0.0)  # in force before the start: from hour 0
            started[m.spec.imposer] = min(started.get(m.spec.imposer, t), t)
    if set(parties) <= set(started):
        hours = max(started.values())
        return Outcome.MUTUAL_ESCALATION, round(hours / model.scenario_spec.round_hours) + 1
    return Outcome.STANDOFF, None

class RoundCollector:
    """The record of a run, one row per round: the project's own collector, with the interface
    of Mesa's ``DataCollector`` that the project and Mesa's charts read.

    ``model_vars`` (one sequence per trajectory variable), ``model_reporters``,
    ``agent_reporters``, :meth:`collect`, :meth:`get_model_vars_dataframe` and
    :meth:`get_agent_vars_dataframe` behave as Mesa's (the same frames, with the same dtypes:
    ``tests/test_model.py`` compares them), but the storage is built for long runs:

    - nothing is copied: every reporter of :func:`model_reporters` and of the model's agent
      reporters returns a number, a string or None, which cannot change later (Mesa
      deep-copies every value in case it might; the copies cost about an eighth of a run);
    - a variable whose values are all ``int`` (or that starts with a ``float`` and then has
      numbers) is kept in an ``array.array`` of 64-bit integers (or doubles): 8 bytes a value
      instead of a pointer to a 24-32-byte Python object, which is what bounds a long run's
      memory (``benchmarks/bench_batch_long_runs.py``). Any other value (a string, ``None``, a
      bool, a float after integers, an integer beyond 64 bits) moves the variable back to a
      plain list, so every value reads back as it was reported (an int among floats reads
      back as a float, as pandas reads it anyway).

    ``times`` holds the model time of each collection and ``agent_records`` each
    collection's rows of ``(time, agent id, *agent reporters' values)``, by time.
    """

    def __init__(self, model_reporters: dict[str, Callable[..., object]] | None = None,
                 agent_reporters: dict[str, Callable[..., object]] | None = None):
        self.model_reporters: dict[str, Callable[..., object]] = dict(model_reporters or {})
        self.agent_reporters: dict[str, Callable[..., object]] = dict(agent_reporters or {})
        self.model_vars: dict[str, array[Any] | list[Any]] = {name: [] for name in self.model_reporters}
        self.times: list[float] = []
        self.agent_records: dict[float, list[tuple[Any, ...]]] = {}
        self._reporters = tuple(self.model_reporters.items())
        self._agent_reporters = tuple(self.agent_reporters.values())

    def collect(self, model: mesa.Model) -> None:
        """Record one row: every model reporter's value, and each agent's if asked."""
        self.times.append(model.time)
        model_vars = self.model_vars
        for name, reporter in self._reporters:
            value = reporter(model)
            column = model_vars[name]
            if column.__class__ is array:
                if value.__class__ is not bool and value is not None:
                    try:
                        column.append(value)
                        continue
                    except (TypeError, OverflowError):
                        pass
            elif column:
                column.append(value)
                continue
            model_vars[name] = stored_with(column, value)
        if self._agent_reporters:
            time, reporters = model.time, self._agent_reporters
            self.agent_records[time] = [(time, agent.unique_id, *[report(agent) for report in reporters])
                                        for agent in model.agents]

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One column per model variable, one row per collection (a plain range index)."""
        return pd.DataFrame(self.model_vars)

    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """One row per agent and collection, indexed by ``Step`` (the model time) and ``AgentID``."""
        return pd.DataFrame.from_records(
            data=list(chain.from_iterable(self.agent_records.values())),
            columns=["Step", "AgentID", *self.agent_reporters], index=["Step", "AgentID"])


def stored_with(column: Sequence[Any], value: object) -> array[Any] | list[Any]:
    """``column`` with ``value`` appended, in the most compact storage that gives every value back as it was.

    The first value decides: an ``int`` starts an ``array('q')``, a ``float``
    an ``array('d')`` (which takes ints too: they read back as floats, as
    pandas reads a mixed list), anything else a list. A value the array
    cannot hold turns the column into a list.
    """
    if not column:
        if value.__class__ is not bool and isinstance(value, int) and -(2**63) <= value < 2**63:
            return array("q", [value])
        if isinstance(value, float):
            return array("d", [value])
        return [value]
    return [*column, value]


def model_reporters(model: World) -> dict[str, Callable[..., object]]:
    """Reporters for Mesa's DataCollector: one column per trajectory variable.

    Each returns an immutable value (a number, a string or None): see :class:`RoundCollector`.
    """
    reporters: dict[str, Callable[..., object]] = {
        "round": lambda m: m.round,
        "hours": lambda m: m.hours,
        "clock": lambda m: m.clock_text,
        "escalation": lambda m: m.escalation,
        "measures_in_force": lambda m: sum(
            1 for x in m.measures.values() if x.state is MeasureState.IMPOSED
        ),
    }
    # Each reporter holds its own measure or government: no lookup by key each round.
    for key, measure in model.measures.items():
        reporters[rate_column(key)] = lambda m, x=measure: x.rate
        reporters[state_column(key)] = lambda m, x=measure: x.state.label
    for key, gov in model.governments.items():
        reporters[cost_column(key)] = lambda m, g=gov: g.cost_usd_bn
        reporters[approval_column(key)] = lambda m, g=gov: g.approval
    reporters["deportees_returned"] = lambda m: sum(i.returned for i in m.issues)
    reporters["deportees_pending"] = lambda m: sum(i.pending for i in m.issues)
    reporters["relations"] = lambda m: m.relations
    return reporters


def final_outcomes(model: World) -> list[dict[str, Any]]:
    """Per issue: outcome, variant, and when it was decided (classifying undecided ones now)."""
    out = []
    for issue in model.issues:
        if issue.decided is not None:
            out.append({"outcome": issue.decided, "variant": issue.variant,
                        "decided_round": issue.decided_round,
                        "decided_at_hours": issue.decided_hours})
        else:
            outcome, since = classify_unsettled(model, issue)
            out.append({"outcome": outcome, "variant": None,
                        "decided_round": since,
                        "decided_at_hours": None if since is None
                        else (since - 1) * model.scenario_spec.round_hours})
    return out


def offers_partial(issue: IssueRun) -> bool:
    """Whether the issue's demand may be met in part (``demand.partial``): only then does a run
    record say what fraction was met, so that records of other scenarios stay as they were."""
    return may_be_met_in_part(issue.spec)


def review_record(issue: IssueRun) -> dict[str, Any]:
    """For an issue whose settlement is a pause with a review (``review_after_days``): how many
    times the sender reopened it at a review, and whether a review was still pending at the end
    (the outcome is then the settlement under review). Empty for other issues, so that records
    of other scenarios stay as they were."""
    if issue.spec.review_after_days is None:
        return {}
    return {"reopened": issue.reopened, "review_pending": issue.review_due is not None}


def fraction_met(issue: IssueRun) -> float | None:
    """The fraction of the demand the receiver met, when the issue was settled on its meeting the
    demand in part (variant ``partial``); None otherwise."""
    return issue.terms if issue.variant is Variant.PARTIAL else None


def private_draws(model: World) -> dict[str, float]:
    """The values each government drew privately when the model was built: its resolve.

    Read right after the model is built, before precedent moves an
    onlooker's resolve (``core.rules``); a batch stores them per run
    (``resolve_<actor>``), so that an analysis can tell the share of an
    outcome owed to the draws from the share owed to the scenario.
    """
    return {k: g.resolve for k, g in model.governments.items()}


def outcome_record(model: World, *, lean: bool = False, draws: dict[str, float] | None = None,
                   issues: range | None = None) -> dict[str, Any]:
    """The outcome record of a finished model: ``outcome.json`` of a run folder.

    The one place a run's outcome is derived. ``lean=True`` gives only what a
    batch row holds (the first issue's outcome and timing, the outcome, variant
    and timing of every later issue (``later_issues``), ``fraction_met`` (:func:`fraction_met`;
    a full record has it only for a demand that may be met in part), each government's
    final cost and approval unrounded, each measure's furthest state, and
    ``draws``: what :func:`private_draws` read when the model was built, or
    None when they were not read), which is cheap enough to build for every
    run of a batch.

    ``issues``: which of the model's issues are the run's (the crises of a
    campaign run together in one model each have theirs); None: all of them.
    The first of them is the one whose outcome is the run's.
    """
    issues = range(len(model.issues)) if issues is None else issues
    outcomes = final_outcomes(model)
    main = outcomes[issues.start]
    first = model.issues[issues.start]
    decided = {
        "outcome": main["outcome"].value,
        "variant": main["variant"],
        "decided_round": main["decided_round"],
        "decided_at_hours": main["decided_at_hours"],
        "rounds_run": model.round,
        "stopped_early": model.round < model.scenario_spec.rounds,
    }
    if offers_partial(first) or lean:
        decided[FRACTION_MET] = fraction_met(first)
    if model.posterior_draw is not None:  # a run that drew from the calibrated posterior
        decided[POSTERIOR_DRAW] = model.posterior_draw
    if lean:
        return {
            **decided,
            "costs_usd_bn": {k: g.cost_usd_bn for k, g in model.governments.items()},
            "approval": {k: g.approval for k, g in model.governments.items()},
            "furthest": {k: furthest_label(m.furthest) for k, m in model.measures.items()},
            "drawn_resolve": dict(draws or {}),
            "deportees_returned": sum(model.issues[i].returned for i in issues),
            "first_flight_hours": first.first_flight_at,
            "later_issues": [
                {"outcome": outcomes[i]["outcome"].value, "variant": outcomes[i]["variant"],
                 "decided_at_hours": outcomes[i]["decided_at_hours"]}
                for i in issues[1:]
            ],
        }
    per_issue = outcomes
    return {
        "scenario": model.scenario_spec.name,
        "seed": model.seed,
        **decided,
        "settled": model.settled,
        "issues": [
            {
                "sender": issue.spec.sender,
                "receiver": issue.spec.receiver,
                "outcome": o["outcome"].value,
                "variant": o["variant"],
                "decided_round": o["decided_round"],
                "decided_at_hours": o["decided_at_hours"],
                "status": issue.status.value,
                "first_flight_hours": issue.first_flight_at,
                "deportees_returned": issue.returned,
                **({FRACTION_MET: fraction_met(issue)} if offers_partial(issue) else {}),
                **review_record(issue),
            }
            for issue, o in zip(model.issues, per_issue, strict=True)
        ],
        "measures": {
            key: {
                "label": m.spec.label,
                "imposer": m.spec.imposer,
                "target": m.spec.target,
                "furthest": furthest_label(m.furthest),
                "final": m.state.label,
                "imposed_hours": m.hours_in_force,
            }
            for key, m in model.measures.items()
        },
        "costs_usd_bn": {k: round(g.cost_usd_bn, 6) for k, g in model.governments.items()},
        "approval": {k: round(g.approval, 6) for k, g in model.governments.items()},
        "resolve": {k: round(g.resolve, 6) for k, g in model.governments.items()},
        "deportees_returned": sum(i.returned for i in model.issues),
        "first_flight_hours": first.first_flight_at,
        "turning_points": list(model.turning_points),
    }


def furthest_label(state: MeasureState) -> str:
    """How far a measure went: ``available`` if never even threatened, else its state's label."""
    return "available" if ESCALATION_RANK[state] == 0 else state.label
