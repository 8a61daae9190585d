"""Measures by what they do (docs/scenarios.md, Measure and MeasureKind; docs/model.md §7.4).

A measure's behaviour comes from two declared effects, how it bites (``bites_on``: trade or
politics) and whether its target answers it in kind (``answered_in_kind``), each defaulting to
its kind's row of ``KIND_EFFECTS``; no policy reads a kind's name.
"""

from __future__ import annotations

import pytest

from crisis_sim.core.types import KIND_EFFECTS, Channel, MeasureKind
from crisis_sim.runs import run_scenario
from crisis_sim.scenario import ScenarioError, load_scenario

IMPOSED_FROM_THE_START = ["measures.north_tariff.in_force_at_start=true", "decision_noise=0"]


def test_every_kind_declares_its_effects() -> None:
    assert set(KIND_EFFECTS) == set(MeasureKind)


def test_a_target_answers_an_imposition_in_kind_only_if_the_measure_invites_it() -> None:
    """Chicken at no noise with Northland's tariff in force from hour 0, seeds 0-9: in the runs
    where Southland holds out it imposes its own tariff; told the tariff is not answered in kind,
    it threatens its tariff in those same runs instead and imposes it in none.
    Power: with 10 runs, 'at least 3 imposed' holds with probability ≥ 0.94 if the true share is 0.5 (5
    of 10, measured on 2026-12-06); the comparison with the other arm is run by run, not statistical."""
    def furthest(*extra: str) -> list[str]:
        scenario = load_scenario("chicken_audience_costs", [*IMPOSED_FROM_THE_START, *extra])
        return [run_scenario(scenario, seed).outcome["measures"]["south_tariff"]["furthest"]
                for seed in range(10)]

    answered = furthest()
    not_answered = furthest("measures.north_tariff.answered_in_kind=false")
    assert answered.count("imposed") >= 3, answered
    assert "imposed" not in not_answered
    assert [a == "imposed" for a in answered] == [n == "threatened" for n in not_answered]


def test_a_measure_that_bites_on_politics_costs_no_trade() -> None:
    """The 2025 visa sanctions, declared to bite on politics: the same political pressure, no
    trade cost to either side (its trade cost is small but not zero as a trade friction)."""
    def visa_costs(*overrides: str) -> tuple[float, float]:
        scenario = load_scenario("us_colombia_2025", ["decision_noise=0", *overrides])
        from crisis_sim.core.model import CrisisModel

        model = CrisisModel(scenario, seed=0)
        run = model.measures["us_visa_sanctions"]
        return run.flow_usd_bn, run.imposer_flow_usd_bn

    assert visa_costs()[0] > 0
    assert visa_costs("measures.us_visa_sanctions.bites_on=politics") == (0.0, 0.0)


@pytest.mark.parametrize("kind", ["migration_pressure", "diplomatic_act", "legal_action"])
def test_a_kind_that_bites_on_politics_needs_political_pressure(kind: str) -> None:
    base = f"measures.us_visa_sanctions.kind={kind}"
    with pytest.raises(ScenarioError, match=f"{kind} act only through political_pressure"):
        load_scenario("us_colombia_2025", [base, "measures.us_visa_sanctions.political_pressure=0"])
    with pytest.raises(ScenarioError, match="bite on politics act only through political_pressure"):
        load_scenario("us_colombia_2025", ["measures.us_visa_sanctions.bites_on=politics",
                                           "measures.us_visa_sanctions.political_pressure=0"])


@pytest.mark.parametrize("kind", [k.value for k in MeasureKind])
def test_every_kind_runs(kind: str) -> None:
    """Each kind, in place of the 2025 visa sanctions (with the pressure a politics kind needs)."""
    scenario = load_scenario("us_colombia_2025", [f"measures.us_visa_sanctions.kind={kind}",
                                                  "measures.us_visa_sanctions.political_pressure=0.0003"])
    assert scenario.measures["us_visa_sanctions"].channel is KIND_EFFECTS[MeasureKind(kind)].bites_on
    assert run_scenario(scenario, 0).outcome["outcome"]


def test_stating_the_kind_s_own_effects_changes_nothing() -> None:
    """Declaring what the kind already implies: the same run, byte for byte, and a scenario that
    states no effect hashes as before the fields existed (``Scenario.plain`` leaves them out)."""
    plain = load_scenario("us_colombia_2025")
    stated = load_scenario("us_colombia_2025", ["measures.us_tariff.bites_on=trade",
                                                "measures.us_tariff.answered_in_kind=true"])
    assert stated.measures["us_tariff"].channel is Channel.TRADE
    assert "bites_on" not in plain.plain()["measures"]["us_tariff"]
    assert run_scenario(plain, 4).outcome == {**run_scenario(stated, 4).outcome,
                                              "scenario": run_scenario(plain, 4).outcome["scenario"]}
