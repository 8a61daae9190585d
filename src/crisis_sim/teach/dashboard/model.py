"""`DashboardModel`: a crisis model built from a bundled scenario and slider values.

Mesa's SolaraViz (re)creates the model by calling its class with keyword
arguments, one per control in the sidebar. :class:`DashboardModel` takes those
scalar values, turns them into ``--set`` overrides of the chosen scenario (the
same ones ``crisis-sim run`` accepts, so every dashboard run can be repeated
from the command line), loads the scenario with them, and is otherwise a plain
:class:`~crisis_sim.core.model.CrisisModel`.

The sliders are relative to the chosen scenario (a factor of 1, or a shift of
0, leaves it as written), so that they mean the same thing whichever scenario
is picked:

* ``exposure`` multiplies the yearly exports of each target government to each
  initiator, the trade that the initiator's tariffs and sanctions bite on;
* ``audience_costs`` multiplies every government's audience-cost sensitivity
  (capped at 1);
* ``resolve_shift`` moves the mean of each target government's private resolve
  (kept between 0 and 1);
* ``decision_noise`` multiplies the logit temperature of every choice;
* ``initiator_policy`` and ``target_policy`` replace the policy of every
  initiator or target with a registered policy at its default parameters.

Only this module's imports are needed: it runs without the ``viz`` extra.
"""

from __future__ import annotations

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.schema import Scenario
from crisis_sim.core.types import Role
from crisis_sim.scenario import DEFAULT_SCENARIO, load_scenario

AS_SCENARIO = "(as in scenario)"
"""The policy choice that keeps each government's policy from the scenario file."""


def _number(value: float) -> str:
    """A float as a short, exact-enough YAML scalar for ``--set``."""
    return f"{round(float(value), 6):g}"


def _clip01(value: float) -> float:
    return min(1.0, max(0.0, value))


def dashboard_overrides(
    scenario: Scenario,
    *,
    exposure: float = 1.0,
    audience_costs: float = 1.0,
    resolve_shift: float = 0.0,
    decision_noise: float = 1.0,
    initiator_policy: str = AS_SCENARIO,
    target_policy: str = AS_SCENARIO,
) -> list[str]:
    """The ``--set PATH=VALUE`` overrides that apply the dashboard's controls to ``scenario``.

    Controls left at their neutral value (factor 1, shift 0, policy as in the
    scenario) add nothing, so the defaults reproduce the scenario file exactly.
    """
    roles = {key: actor.role for key, actor in scenario.actors.items()}
    overrides: list[str] = []
    if exposure != 1.0:
        for i, flow in enumerate(scenario.trade):
            if roles.get(flow.exporter) is Role.TARGET and roles.get(flow.importer) is Role.INITIATOR:
                overrides.append(f"trade.{i}.usd_bn={_number(flow.usd_bn * exposure)}")
    for key, actor in scenario.actors.items():
        if audience_costs != 1.0:
            value = _clip01(actor.audience_cost * audience_costs)
            overrides.append(f"actors.{key}.audience_cost={_number(value)}")
        if resolve_shift != 0.0 and actor.role is Role.TARGET:
            value = _clip01(actor.resolve.mean + resolve_shift)
            overrides.append(f"actors.{key}.resolve.mean={_number(value)}")
        if decision_noise != 1.0 and actor.decision_noise is not None:
            value = actor.decision_noise * decision_noise
            overrides.append(f"actors.{key}.decision_noise={_number(value)}")
        policy = {Role.INITIATOR: initiator_policy, Role.TARGET: target_policy}.get(actor.role)
        if policy and policy != AS_SCENARIO:
            overrides += [f"actors.{key}.policy.name={policy}", f"actors.{key}.policy.params={{}}"]
    if decision_noise != 1.0:
        overrides.append(f"decision_noise={_number(scenario.decision_noise * decision_noise)}")
    return overrides


class DashboardModel(CrisisModel):
    """A :class:`CrisisModel` built from a scenario name and the dashboard's controls.

    Args:
        scenario_name: a bundled scenario's name, or a scenario file's path.
        exposure: factor on each target's exports to each initiator.
        audience_costs: factor on every government's audience-cost sensitivity.
        resolve_shift: added to the mean of each target's resolve.
        decision_noise: factor on the logit temperature of every choice.
        initiator_policy: a registered policy for the initiators, or ``AS_SCENARIO``.
        target_policy: a registered policy for the targets, or ``AS_SCENARIO``.
        seed: fixes every random draw of the run.

    Raises:
        crisis_sim.scenario.ScenarioError: the scenario cannot be loaded, or
            the controls make it invalid (each problem on one line).
    """

    def __init__(
        self,
        scenario_name: str = DEFAULT_SCENARIO,
        exposure: float = 1.0,
        audience_costs: float = 1.0,
        resolve_shift: float = 0.0,
        decision_noise: float = 1.0,
        initiator_policy: str = AS_SCENARIO,
        target_policy: str = AS_SCENARIO,
        seed: int = 0,
    ):
        base = load_scenario(scenario_name)
        self.scenario_name = scenario_name
        self.overrides = dashboard_overrides(
            base,
            exposure=exposure,
            audience_costs=audience_costs,
            resolve_shift=resolve_shift,
            decision_noise=decision_noise,
            initiator_policy=initiator_policy,
            target_policy=target_policy,
        )
        scenario = load_scenario(scenario_name, self.overrides) if self.overrides else base
        super().__init__(scenario, seed=int(seed))

    def command_line(self) -> str:
        """The ``crisis-sim run`` command that repeats this run."""
        parts = ["crisis-sim", "run", self.scenario_name, "--seed", str(self.seed)]
        for item in self.overrides:
            parts += ["--set", item]
        return " ".join(parts)
