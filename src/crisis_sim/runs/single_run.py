"""One run of a scenario: build the model, step it, gather what happened.

:func:`run_scenario` is what ``crisis-sim run`` calls; it returns a
:class:`RunResult` holding the trajectories as DataFrames, the event log, and
the outcome as a JSON-ready dict. It does no file I/O (see :mod:`crisis_sim.runs.run_folder`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crisis_sim.core.log import LogEntry
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.outcomes import outcome_record
from crisis_sim.core.schema import Scenario
from crisis_sim.present import without_doubled_names


@dataclass
class RunResult:
    """Everything one run produced.

    ``model_frame`` has one row per round (round 0 is the opening state):
    round, hours, clock, escalation, measures_in_force, ``rate_<measure>``,
    ``state_<measure>``, ``cost_<actor>`` (cumulative USD bn),
    ``approval_<actor>``, deportees_returned, deportees_pending, relations.
    ``actor_frame`` has one row per (round, actor): approval, cost_usd_bn,
    resolve, committed and ``belief_<other>`` (P(other is resolute)).
    ``events`` lists each round's decisions and scheduled events with reasons
    (:class:`~crisis_sim.core.log.LogEntry`).
    """

    scenario: Scenario
    seed: int
    rounds_run: int
    stopped_early: bool
    model_frame: pd.DataFrame
    actor_frame: pd.DataFrame
    events: list[LogEntry]
    outcome: dict


def run_model(scenario: Scenario, seed: int, *, agent_records: bool = True) -> CrisisModel:
    """Step a fresh model until the horizon, or until the crisis settles (if asked).

    ``agent_records=False`` skips the per-government records (see :class:`CrisisModel`).
    """
    return run_to_end(CrisisModel(scenario, seed, agent_records=agent_records))


def run_to_end(model: CrisisModel) -> CrisisModel:
    """Step a model already built until its horizon, or until the crisis settles (if asked).

    For callers that read something from the freshly built model first (a
    batch reads each government's drawn resolve: ``core.outcomes.private_draws``).
    """
    for _ in range(model.scenario_spec.rounds):
        if not model.running:
            break
        model.step()
    return model


def run_scenario(scenario: Scenario, seed: int) -> RunResult:
    """Run ``scenario`` once under ``seed`` and gather its trajectories and outcome."""
    return gather(run_model(scenario, seed))


def gather(model: CrisisModel) -> RunResult:
    """The trajectories, events and outcome of a finished model (built with ``agent_records``)."""
    scenario, seed = model.scenario_spec, model.seed
    model_frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    agents = agents.rename(columns={"Step": "round"}).drop(columns=["AgentID"])
    hours = dict(zip(model_frame["round"], model_frame["hours"], strict=True))
    agents.insert(1, "hours", agents["round"].map(hours))
    agents = agents.sort_values(["round", "actor"], kind="stable").reset_index(drop=True)
    return RunResult(
        scenario=scenario,
        seed=seed,
        rounds_run=model.round,
        stopped_early=model.round < scenario.rounds,
        model_frame=model_frame,
        actor_frame=agents,
        events=list(model.log),
        outcome=worded(outcome_record(model), scenario),
    )


def worded(outcome: dict, scenario: Scenario) -> dict:
    """``outcome`` with its turning points in plain sentences ("Westmark imposes its tariff")."""
    names = [actor.name for actor in scenario.actors.values()]
    outcome["turning_points"] = [
        {**point, "text": without_doubled_names(str(point.get("text", "")), names)}
        for point in outcome.get("turning_points") or []
    ]
    return outcome
