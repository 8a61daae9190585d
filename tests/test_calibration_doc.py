"""docs/calibration.md's worked example is the current one: the blocks between its
calibration markers are what scripts/write_calibration_doc.py renders from
tests/data/calibration_study.json, and the studies it records ran the case files of
cases/ as they are now, with the model as it is now (rerun
``scripts/write_calibration_doc.py --run`` after changing a case or the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_page_renders, load_script, stored_figures
from crisis_sim.core import calibrated
from crisis_sim.core.fingerprint import model_fingerprint
from crisis_sim.core.schema import Dynamics, Scenario

PROJECT = Path(__file__).resolve().parents[1]
FIGURES = stored_figures("calibration_study")


def test_the_page_shows_what_the_figures_render() -> None:
    assert_page_renders("write_calibration_doc", FIGURES, "calibration.md")


def test_each_study_ran_the_case_files_as_they_are_now() -> None:
    module = load_script("write_calibration_doc")
    now = module.case_checksums(PROJECT / "cases")
    for name, study in FIGURES.items():
        assert study["case_files"] == now, name
        assert sorted(study["settings"]["cases"]) == sorted(now), name


def test_each_study_ran_the_model_as_it_is_now() -> None:
    """Made by this model, or recorded for it in tests/data/figures.json: by the adoption of the
    study's own posterior (``write_calibration_doc.py``: the study ran the model with the values
    the adoption replaced, :data:`crisis_sim.core.calibrated.REPLACED`), or by
    ``scripts/figures.py --unchanged`` for a change meant to move no output (a faster kernel),
    after the output fingerprint's check."""
    import json

    current = model_fingerprint()
    recorded = json.loads((PROJECT / "tests" / "data" / "figures.json").read_text()).get("calibration")
    for name, study in FIGURES.items():
        assert current in (study.get("model_fingerprint"), recorded), f"{name}: made by another model"


def test_each_study_ran_its_documented_settings() -> None:
    module = load_script("write_calibration_doc")
    for name, study in FIGURES.items():
        command = study["command"]
        settings = module.STUDY_SETTINGS[name]
        assert " ".join(settings) in " ".join(command), name


def test_the_verdicts_follow_the_totals_and_the_baselines() -> None:
    for name, study in FIGURES.items():
        totals = {row["fit"]: row for row in study["totals"]}
        v = study["verdict"]
        lost = [c for c in v["comparisons"] if not c["passed"]]
        assert v["adopt"] == (not lost), name
        for c in v["comparisons"]:
            # the totals are stored rounded to 5 decimals, the verdict's figures in full
            if c["rival"] == "defaults":
                assert c["rival_value"] == pytest.approx(totals["defaults"][c["measure"]], abs=1e-5), name
            assert c["value"] == pytest.approx(totals[v["judged"]][c["measure"]], abs=1e-5), name


def test_the_defaults_are_what_the_rule_of_adoption_gives() -> None:
    """The fitted defaults are the posterior medians of the first study whose verdict adopts them
    (the five parameters together, else the horizon alone), and record what they replaced. With
    no study adopting, the defaults stay as they are (``write_calibration_doc.adopt``): they are
    the values every study ran as its defaults and did not replace (from an earlier adoption,
    named by ``ADOPTED_FROM``, or set by assumption)."""
    module = load_script("write_calibration_doc")
    chosen = module.adoption(FIGURES)
    if chosen is None:
        for name, study in FIGURES.items():
            lines = study["printed"].splitlines()
            start = next(i for i, line in enumerate(lines) if line.startswith("parameter "))
            for line in lines[start + 1:]:
                if not line.strip():
                    break
                path, _prior, default, *_ = line.split()
                assert calibrated.VALUES[path] == pytest.approx(float(default), rel=5e-4), (name, path)
        return
    name, medians = chosen
    assert name == calibrated.ADOPTED_FROM
    for path, value in medians.items():
        assert calibrated.VALUES[path] == value, path
    for path, value in calibrated.VALUES.items():  # the schema's defaults are these values
        section, _, field = path.rpartition(".")
        model = Dynamics if section == "dynamics" else Scenario
        assert model.model_fields[field].default == value, path


def test_no_case_states_a_fitted_parameter() -> None:
    """The shared rule: every case runs on the fitted defaults, so a study's defaults column and
    an adoption apply to all of them alike (a case that stated its own would escape both)."""
    from crisis_sim.experiments.backtest.run import load_cases

    split_fitted = load_script("write_calibration_doc").split_fitted
    for _, scenario in load_cases(PROJECT / "cases"):
        assert split_fitted(scenario)[1] == set(), scenario.name


def test_every_bundled_scenario_states_each_fitted_parameter() -> None:
    """The other half of the rule: a teaching scenario keeps the values it was designed with, so an
    adoption never rewrites a lesson (docs/calibration.md, "What the adoption changes")."""
    from crisis_sim.scenario import load_scenario
    from crisis_sim.scenario.files import bundled_scenarios

    examples = sorted((PROJECT / "examples" / "campaigns").glob("chicken_*.yaml"))
    files = [load_scenario(path) for path in [*bundled_scenarios().values(), *examples]]
    assert len(files) >= 6
    split_fitted = load_script("write_calibration_doc").split_fitted
    for scenario in files:
        assert split_fitted(scenario)[1] == set(calibrated.VALUES), scenario.name


def test_an_adoption_writes_the_new_defaults_into_the_format_reference() -> None:
    """docs/scenarios.md gives each fitted field's default: an adoption rewrites the rows whose
    default is the value it replaced, and no other row (an actor's own decision_noise is null)."""
    module = load_script("write_calibration_doc")
    text = ("| `decision_noise` | number ≥ 0 | `0.01937` | Temperature. |\n"
            "| `stake_scale` | number ≥ 0 | `0.3743` | Stake. |\n"
            "| `decision_noise` | number ≥ 0, or `null` | `null` | Its own. |\n"
            "| `concern_days` | number > 0 | `104.6` | Days. |\n")
    replaced = {"decision_noise": 0.01937, "dynamics.stake_scale": 0.3743, "dynamics.concern_days": 104.6}
    values = {"decision_noise": 0.01937, "dynamics.stake_scale": 0.3229, "dynamics.concern_days": 96.58}
    assert module.with_documented_defaults(text, replaced, values) == (
        "| `decision_noise` | number ≥ 0 | `0.01937` | Temperature. |\n"
        "| `stake_scale` | number ≥ 0 | `0.3229` | Stake. |\n"
        "| `decision_noise` | number ≥ 0, or `null` | `null` | Its own. |\n"
        "| `concern_days` | number > 0 | `96.58` | Days. |\n")
