"""Every numeric field of an actor or a measure moves some result of some bundled scenario.

A field that changes nothing is a defect (a dead input): it invites users to
tune a number the model ignores. For each field the test changes it in every
actor (or measure) of a bundled scenario and compares the runs of a few seeds
with the unchanged ones; it stops at the first scenario where anything
differs (trajectories, events or outcome).
"""

from __future__ import annotations

import copy

import pytest

from crisis_sim.core.schema import Scenario
from crisis_sim.runs.single_run import run_scenario
from crisis_sim.scenario import bundled_scenarios, load_scenario

SEEDS = (0, 1, 2, 3)
ORDER = ["us_colombia_2025", "chicken_audience_costs", "deportations_2025_region",
         "turn_the_screw_ultimatum", "us_colombia_2025_firm"]
"""Cheapest scenarios first: most fields show in the first."""

ACTOR_FIELDS = ["gdp_usd_bn", "approval", "audience_cost", "dignity", "risk_tolerance",
                "deliberation_hours", "resolve.mean", "resolve.sd", "decision_noise"]
MEASURE_FIELDS = ["coverage", "target_elasticity", "imposer_elasticity", "lag_hours",
                  "political_pressure", "schedule.rate", "schedule.after_days"]


def changed(value: float | None, field: str) -> float:
    """Another legal value for a field: halved (or raised when it is 0 or bounded by 1)."""
    if value is None:
        return 0.05
    if field in ("lag_hours", "deliberation_hours", "political_pressure") and value == 0:
        return {"lag_hours": 30.0, "deliberation_hours": 6.0, "political_pressure": 0.002}[field]
    if field == "schedule.after_days":
        return value + 3.0
    return value / 2 if value > 0 else 0.3


def mutate(data: dict, section: str, field: str) -> dict:
    out = copy.deepcopy(data)
    for item in out[section].values():
        if field.startswith("schedule."):
            key = field.split(".")[1]
            for i, step in enumerate(item["schedule"]):
                if key == "after_days" and i == 0:
                    continue  # the first step starts at day 0
                step[key] = changed(step[key], field)
        elif "." in field:
            head, key = field.split(".")
            item[head][key] = min(0.95, changed(item[head][key], field)) if key == "mean" \
                else changed(item[head][key], field)
        else:
            item[field] = changed(item.get(field), field)
    return out


def fingerprint(scenario: Scenario) -> list[str]:
    out = []
    for seed in SEEDS:
        r = run_scenario(scenario, seed)
        out.append(r.model_frame.to_csv(index=False) + repr(r.events) + repr(r.outcome))
    return out


@pytest.mark.parametrize("section,field", [("actors", f) for f in ACTOR_FIELDS]
                         + [("measures", f) for f in MEASURE_FIELDS])
def test_the_field_moves_some_result(section, field):
    names = [n for n in ORDER if n in bundled_scenarios()]
    for name in names:
        base = load_scenario(name)
        data = mutate(base.model_dump(mode="json"), section, field)
        if fingerprint(Scenario.model_validate(data)) != fingerprint(base):
            return
    pytest.fail(f"{section}.*.{field} changes nothing in any bundled scenario")
