"""Policy contract (every registered policy, automatically) and golden behaviour."""

from __future__ import annotations

import pickle

import pytest

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.policy import REGISTRY, make_policy, policy_names, policy_problems
from crisis_sim.core.types import ActionType, Option
from crisis_sim.runs.experiment import run_scenario
from crisis_sim.scenario import load_scenario

ALL = policy_names()
SCENARIO = "us_colombia_2025"


def test_at_least_the_seven_design_policies_are_registered():
    design = {"hardliner", "appeaser", "tit_for_tat", "turn_the_screw", "dignity_first",
              "face_saver", "expected_utility"}
    assert design <= set(ALL)


def _scenario_with(policy: str, seat: str):
    return load_scenario(SCENARIO, [f"actors.{seat}.policy.name={policy}",
                                    f"actors.{seat}.policy.params={{}}"])


@pytest.mark.parametrize("seat", ["colombia", "united_states"])
@pytest.mark.parametrize("name", ALL)
class TestPolicyContract:
    """Axelrod-style contract: legal moves with reasons, seeded reproducibility, clean reset."""

    def test_returns_legal_options_with_reasons(self, name, seat):
        model = CrisisModel(_scenario_with(name, seat), seed=3)
        gov = model.governments[seat]
        for _ in range(12):
            for view in model.views_for(gov):
                if view.issue and not view.issue.contested:
                    continue
                options = gov.policy.options(view)
                assert options, "a policy must always offer at least one option"
                for option in options:
                    assert isinstance(option, Option)
                    assert option.reason.strip()
                    assert isinstance(option.utility, float | int)
                    for action in option.actions:
                        assert action.actor == seat
                        assert view.is_legal(action), f"{name} proposed illegal {action}"
            if not model.running:
                break
            model.step()

    def test_same_seed_same_run(self, name, seat):
        scenario = _scenario_with(name, seat)
        a, b = run_scenario(scenario, 11), run_scenario(scenario, 11)
        assert a.events == b.events
        assert a.outcome == b.outcome

    def test_reset_and_pickle(self, name, seat):
        policy = make_policy(name)
        model = CrisisModel(_scenario_with(name, seat), seed=1)
        for _ in range(6):
            model.step()
        used = model.governments[seat].policy
        used.reset()
        fresh = make_policy(name, model.scenario_spec.actors[seat].policy.params)
        assert vars(used) == vars(fresh)
        clone = pickle.loads(pickle.dumps(policy))
        assert vars(clone) == vars(policy)
        assert REGISTRY[name].summary and REGISTRY[name].__doc__


def test_unknown_policy_lists_valid_names():
    problems = policy_problems("nonesuch", {})
    assert len(problems) == 1
    assert "unknown policy 'nonesuch'" in problems[0]
    assert "turn_the_screw" in problems[0]


def test_bad_policy_parameter_is_named():
    problems = policy_problems("turn_the_screw", {"deadline_hourz": 3})
    assert problems == [
        "params.deadline_hourz: unknown parameter; valid parameters: impose_now, threaten, "
        "announce_after_hours, deadline_hours, escalate_every_hours, max_approval_loss, "
        "accept_terms_at_least"
    ]


# ---------------------------------------------------------------- golden sequences


def _moves(result, actor):
    return [(e.round, tuple(e.labels())) for e in result.events
            if e.actor == actor and not e.is_wait]


def test_golden_turn_the_screw_against_expected_utility():
    """The bundled crisis, seed 0: the ultimatum at 12:41, acceptance, measures in reserve."""
    result = run_scenario(load_scenario(SCENARIO), 0)
    assert _moves(result, "united_states") == [
        (3, ("threaten us_financial_sanctions", "impose us_inspections", "threaten us_tariff",
             "impose us_visa_sanctions")),
        (5, ("suspend us_financial_sanctions", "suspend us_tariff")),
        (19, ("lift us_inspections", "lift us_visa_sanctions")),
    ]
    assert _moves(result, "colombia") == [(4, ("accept_with_conditions -> united_states",))]


def test_golden_hardliner_sender_escalates_every_round_it_can():
    scenario = load_scenario(SCENARIO, ["actors.united_states.policy.name=hardliner",
                                        "actors.united_states.policy.params={}",
                                        "actors.colombia.policy.name=hardliner",
                                        "actors.colombia.policy.params={}",
                                        "rounds=4", "decision_noise=0"])
    result = run_scenario(scenario, 0)
    assert _moves(result, "united_states") == [
        (1, ("threaten us_financial_sanctions", "threaten us_inspections", "threaten us_tariff",
             "threaten us_visa_sanctions")),
        (2, ("impose us_financial_sanctions", "impose us_inspections", "impose us_tariff",
             "impose us_visa_sanctions")),
        (3, ("escalate us_tariff",)),
    ]
    assert _moves(result, "colombia") == [
        (1, ("threaten co_counter_tariff",)),
        (2, ("impose co_counter_tariff",)),
        (3, ("escalate co_counter_tariff",)),
    ]
    assert result.outcome["outcome"] == "mutual_escalation"


def test_golden_appeaser_receiver_accepts_in_round_one():
    scenario = load_scenario(SCENARIO, ["actors.colombia.policy.name=appeaser",
                                        "actors.colombia.policy.params={}", "decision_noise=0"])
    result = run_scenario(scenario, 0)
    assert _moves(result, "colombia")[0] == (1, ("accept_flights -> united_states",))
    assert result.outcome["variant"] is None
    assert result.outcome["decided_round"] == 1
    assert all(m["furthest"] == "available" for m in result.outcome["measures"].values())


def test_golden_tit_for_tat_mirrors_threat_then_imposition():
    scenario = load_scenario(SCENARIO, ["actors.colombia.policy.name=tit_for_tat",
                                        "actors.colombia.policy.params={}", "decision_noise=0",
                                        "rounds=16", "stop_when_settled=false"])
    result = run_scenario(scenario, 0)
    moves = _moves(result, "colombia")
    assert moves[0] == (4, ("impose co_counter_tariff",))  # visa and inspections were imposed
    assert result.outcome["outcome"] == "mutual_escalation"


def test_golden_appeaser_sender_backs_down():
    scenario = load_scenario(SCENARIO, ["actors.united_states.policy.name=appeaser",
                                        "actors.united_states.policy.params={}",
                                        "decision_noise=0"])
    result = run_scenario(scenario, 0)
    assert _moves(result, "united_states")[0] == (1, ("withdraw_demand -> colombia",))
    assert result.outcome["outcome"] == "initiator_backs_down"


def test_wait_is_always_legal():
    model = CrisisModel(load_scenario(SCENARIO), seed=0)
    for gov in model.governments.values():
        for view in model.views_for(gov):
            assert view.is_legal(view.act(ActionType.WAIT))
