"""The dashboard page over :class:`~crisis_sim.teach.dashboard.model.DashboardModel`.

``crisis-sim dashboard`` serves this module with solara; it reads the scenario
to open with from the environment variable ``CRISIS_SIM_DASHBOARD_SCENARIO``
(a bundled scenario's name or a file path; default ``us_colombia_2025``) and
the mode from ``CRISIS_SIM_DASHBOARD_MODE``: the classroom page
(:mod:`crisis_sim.teach.dashboard.classroom`) unless it is ``developer``, which
serves Mesa's SolaraViz with its own controls (play and render intervals,
threads, page tabs, the step counter).

Both pages offer one control per keyword argument of the model
(:func:`model_params`); a new model is built from the controls on Reset. Each browser session gets its own
model, so several students can use one server. The model is built only from
values the page offered (:func:`classroom_model`): a forged selector value (a
path in place of a bundled scenario's name) is refused, never read.
"""

from __future__ import annotations

import os
from typing import Any

import solara
from mesa.visualization import Slider, SolaraViz

from crisis_sim.core.policy import policy_names
from crisis_sim.scenario import DEFAULT_SCENARIO, bundled_scenarios
from crisis_sim.teach.dashboard import DEVELOPER, MODE_ENV, SCENARIO_ENV
from crisis_sim.teach.dashboard.classroom import ClassroomPage
from crisis_sim.teach.dashboard.components import (
    CostsApprovalChart,
    EscalationChart,
    EventLog,
    StatusCard,
)
from crisis_sim.teach.dashboard.guard import check_controls
from crisis_sim.teach.dashboard.model import AS_SCENARIO, DashboardModel


def start_scenario() -> str:
    """The scenario the dashboard opens with."""
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


def model_params(scenario: str) -> dict:
    """SolaraViz's controls, one per keyword argument of :class:`DashboardModel`."""
    scenarios = list(bundled_scenarios())
    if scenario not in scenarios:
        scenarios.insert(0, scenario)
    policies = [AS_SCENARIO, *policy_names()]
    return {
        "scenario_name": {"type": "Select", "value": scenario, "values": scenarios, "label": "Scenario"},
        "exposure": Slider("Target exposure ×", 1.0, 0.1, 2.0, 0.05),
        "audience_costs": Slider("Audience costs ×", 1.0, 0.0, 2.0, 0.1),
        "resolve_shift": Slider("Target resolve ±", 0.0, -0.5, 0.5, 0.05),
        "decision_noise": Slider("Decision noise ×", 1.0, 0.0, 10.0, 0.5),
        "initiator_policy": {
            "type": "Select",
            "value": AS_SCENARIO,
            "values": policies,
            "label": "Initiator's policy",
        },
        "target_policy": {
            "type": "Select",
            "value": AS_SCENARIO,
            "values": policies,
            "label": "Target's policy",
        },
        "seed": Slider("Seed", 0, 0, 99, 1),
    }


def offered_controls(scenario: str) -> dict[str, dict]:
    """What the page offers for each control: a selector's values, a slider's range."""
    offered: dict[str, dict] = {}
    for name, control in model_params(scenario).items():
        if isinstance(control, dict):
            offered[name] = {"values": list(control["values"])}
        else:
            offered[name] = {"min": control.min, "max": control.max}
    return offered


def classroom_model(scenario: str) -> type[DashboardModel]:
    """A :class:`DashboardModel` class that refuses control values the page did not offer.

    SolaraViz rebuilds the model on Reset as ``type(model)(**controls)`` with
    whatever values the browser sent; this class checks each against
    :func:`offered_controls` first (:class:`~crisis_sim.teach.dashboard.guard.ChoiceError`,
    one line, nothing read). The scenario the server was started with (a
    bundled name or the file the teacher gave) and the bundled names are the
    only scenarios it loads.
    """
    offered = offered_controls(scenario)

    class ClassroomModel(DashboardModel):
        def __init__(
            self,
            scenario_name: str = scenario,
            exposure: float = 1.0,
            audience_costs: float = 1.0,
            resolve_shift: float = 0.0,
            decision_noise: float = 1.0,
            initiator_policy: str = AS_SCENARIO,
            target_policy: str = AS_SCENARIO,
            seed: int = 0,
        ):
            controls: dict[str, Any] = {
                "scenario_name": scenario_name,
                "exposure": exposure,
                "audience_costs": audience_costs,
                "resolve_shift": resolve_shift,
                "decision_noise": decision_noise,
                "initiator_policy": initiator_policy,
                "target_policy": target_policy,
                "seed": seed,
            }
            check_controls(offered, controls)
            super().__init__(**controls)

    return ClassroomModel


def developer_mode() -> bool:
    """Whether the page is Mesa's SolaraViz with its developer controls (``--developer``)."""
    return os.environ.get(MODE_ENV) == DEVELOPER


@solara.component
def Page() -> None:
    """One dashboard per browser session: the classroom page, or Mesa's with ``--developer``."""
    scenario = start_scenario()
    if developer_mode():
        DeveloperPage(scenario)
    else:
        ClassroomPage(scenario, model_params(scenario), classroom_model(scenario))


@solara.component
def DeveloperPage(scenario: str) -> None:
    """Mesa's SolaraViz with all its controls, for whoever develops a policy or a scenario."""
    model = solara.use_memo(lambda: classroom_model(scenario)(scenario_name=scenario), [])
    SolaraViz(
        model,
        components=[
            (StatusCard, 0),
            (EscalationChart, 0),
            (EventLog, 0),
            (CostsApprovalChart, 0),
        ],
        model_params=model_params(scenario),
        name="crisis-sim dashboard",
        play_interval=400,
    )
