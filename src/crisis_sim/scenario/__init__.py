"""Scenarios as users write them: files, bundled scenarios, overrides, sweeps.

:func:`load_scenario` reads a file (or a bundled scenario by name), applies
``--set`` overrides and returns a validated :class:`~crisis_sim.core.schema.Scenario`,
or raises :class:`ScenarioError` with one line per problem.
"""

from crisis_sim.core.schema import Scenario
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import (
    DEFAULT_SCENARIO,
    bundled_scenarios,
    load_scenario,
    read_yaml,
    resolve_scenario_path,
    validate_data,
)
from crisis_sim.scenario.overrides import apply_overrides, set_path

__all__ = [
    "DEFAULT_SCENARIO",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "bundled_scenarios",
    "load_scenario",
    "read_yaml",
    "resolve_scenario_path",
    "set_path",
    "validate_data",
]
