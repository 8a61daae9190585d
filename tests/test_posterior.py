"""The calibrated posterior in every run (crisis_sim.core.posterior): which paths a scenario leaves
to it, how a run draws, and that the draw moves nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisis_sim.core import calibrated
from crisis_sim.core.model import CrisisModel
from crisis_sim.runs.single_run import run_scenario
from crisis_sim.scenario import ScenarioError, load_scenario

PROJECT = Path(__file__).resolve().parents[1]
CASE = PROJECT / "cases" / "us_colombia_2025.yaml"
LESSON = PROJECT / "scenarios" / "us_colombia_2025.yaml"


def _rows(**changes: float) -> list[dict[str, float]]:
    """Two kept draws: the defaults, and the defaults with ``changes``."""
    return [dict(calibrated.VALUES), {**calibrated.VALUES, **changes}]


def test_a_case_leaves_every_fitted_path_to_the_posterior_and_a_lesson_none() -> None:
    assert load_scenario(CASE).posterior == sorted(calibrated.VALUES)
    assert load_scenario(LESSON).posterior == []


def test_a_value_set_is_stated_and_no_longer_drawn() -> None:
    changed = load_scenario(CASE, ["dynamics.pain_weight=3"])
    assert "dynamics.pain_weight" not in changed.posterior and changed.dynamics.pain_weight == 3
    assert len(changed.posterior) == len(calibrated.VALUES) - 1


def test_a_path_that_is_not_fitted_is_refused() -> None:
    with pytest.raises(ScenarioError, match=r"posterior.*dynamics\.rally: not a fitted path"):
        load_scenario(CASE, ["posterior=[dynamics.rally]"])


def test_each_run_draws_one_kept_draw_by_its_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calibrated, "POSTERIOR", _rows(**{"dynamics.pain_weight": 3.0}))
    case = load_scenario(CASE)
    draws = {}
    for seed in range(20):
        model = CrisisModel(case, seed)
        draws[seed] = model.posterior_draw
        expected = calibrated.POSTERIOR[model.posterior_draw]["dynamics.pain_weight"]
        assert model.dyn.pain_weight == expected
    assert set(draws.values()) == {0, 1}  # both drawn, over 20 seeds
    assert all(CrisisModel(case, seed).posterior_draw == k for seed, k in draws.items())  # a seed, a draw
    lesson = load_scenario(LESSON)
    model = CrisisModel(lesson, 0)
    assert model.posterior_draw is None and model.dyn.pain_weight == lesson.dynamics.pain_weight


def test_the_draw_moves_no_other_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    """A posterior whose every draw is the defaults plays every run exactly as no posterior does:
    the draw has its own stream."""
    case = load_scenario(CASE)
    monkeypatch.setattr(calibrated, "POSTERIOR", [])
    plain = [run_scenario(case, seed) for seed in range(5)]
    monkeypatch.setattr(calibrated, "POSTERIOR", _rows())
    drawn = [run_scenario(load_scenario(CASE), seed) for seed in range(5)]
    for a, b in zip(plain, drawn, strict=True):
        assert b.outcome.pop("posterior_draw") in (0, 1) and "posterior_draw" not in a.outcome
        assert a.outcome == b.outcome
        assert a.model_frame.equals(b.model_frame)


def test_a_case_hashes_as_before_while_no_posterior_is_adopted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(calibrated, "POSTERIOR", [])
    case = load_scenario(CASE)
    assert "posterior" not in case.plain()
    monkeypatch.setattr(calibrated, "POSTERIOR", _rows())
    assert case.plain()["posterior"] == sorted(calibrated.VALUES)


def test_a_run_of_a_case_says_which_kept_draw_it_took(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from crisis_sim.cli import app
    from crisis_sim.core.posterior import draw_index

    runner = CliRunner()
    result = runner.invoke(app, ["run", str(CASE), "--seed", "3", "--no-plots", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    if calibrated.POSTERIOR:
        k = draw_index(3, len(calibrated.POSTERIOR))
        assert f"Shared parameters: kept draw {k + 1} of {len(calibrated.POSTERIOR)}" in result.output
    lesson = runner.invoke(app, ["run", str(LESSON), "--no-plots", "--out", str(tmp_path / "l")])
    assert lesson.exit_code == 0 and "Shared parameters" not in lesson.output


def test_a_campaign_draws_once_for_all_its_crises(tmp_path: Path) -> None:
    """The shared parameters are the world's: every crisis of a campaign run plays the same kept
    draw (picked by the campaign's seed), where each crisis has a seed of its own."""
    import shutil

    import yaml

    from crisis_sim.runs.campaign import campaign_runs
    from crisis_sim.scenario.campaign import load_campaign

    shutil.copy(CASE, tmp_path / "case.yaml")
    campaign = {"kind": "campaign", "name": "twice", "title": "The same case twice", "belief_decay": 0.1,
                "crises": [{"scenario": "case.yaml"}, {"scenario": "case.yaml", "gap_days": 30}]}
    (tmp_path / "twice.yaml").write_text(yaml.safe_dump(campaign), encoding="utf-8")
    loaded = load_campaign(tmp_path / "twice.yaml")
    for seed in range(6):
        crises = list(campaign_runs(loaded, seed))
        assert len({c.seed for c in crises}) == 2
        draws = {c.model.posterior_draw for c in crises}
        assert len(draws) == 1
        if calibrated.POSTERIOR:
            from crisis_sim.core.posterior import draw_index

            assert draws == {draw_index(seed, len(calibrated.POSTERIOR))}
