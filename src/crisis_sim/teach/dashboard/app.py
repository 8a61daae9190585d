"""The dashboard page: Mesa's SolaraViz over :class:`~crisis_sim.teach.dashboard.model.DashboardModel`.

``crisis-sim dashboard`` serves this module with solara; it reads the scenario
to open with from the environment variable ``CRISIS_SIM_DASHBOARD_SCENARIO``
(a bundled scenario's name or a file path; default ``us_colombia_2025``).

SolaraViz supplies the sidebar: Reset, ▶ (play) and Step, the play speed, and
one control per keyword argument of the model (see ``MODEL_PARAMS``). A new
model is built from the controls on Reset. Each browser session gets its own
model, so several students can use one server.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import Slider, SolaraViz

from crisis_sim.core.policy import policy_names
from crisis_sim.scenario import DEFAULT_SCENARIO, bundled_scenarios
from crisis_sim.teach.dashboard import SCENARIO_ENV
from crisis_sim.teach.dashboard.components import (
    CostsApprovalChart,
    EscalationChart,
    EventLog,
    StatusCard,
)
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


@solara.component
def Page() -> None:
    """One dashboard per browser session."""
    scenario = start_scenario()
    model = solara.use_memo(lambda: DashboardModel(scenario_name=scenario), [])
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
