"""docs/calibration.md's worked example is the current one: the blocks between its
calibration markers are what scripts/write_calibration_doc.py renders from
tests/data/calibration_study.json, and the studies it records ran the case files of
cases/ as they are now, with the model as it is now (rerun
``scripts/write_calibration_doc.py --run`` after changing a case or the model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import assert_page_renders, load_script, stored_figures
from crisis_sim.core.fingerprint import model_fingerprint
from crisis_sim.core.schema import Dynamics

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
    """Made by this model, or by one whose outputs this model reproduces file for file: a change
    meant to move no output (a faster kernel) is re-recorded by ``scripts/figures.py --unchanged``
    after the output fingerprint's check, in tests/data/figures.json."""
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
            assert c["loo"] == pytest.approx(totals["loo"][c["measure"]], abs=1e-5), name


def test_an_adopted_horizon_is_the_fitted_median() -> None:
    study = FIGURES["concern"]
    if not study["verdict"]["adopt"]:
        return  # nothing adopted: the default stays whatever it was
    row = next(line for line in study["printed"].splitlines() if line.startswith("dynamics.concern_days"))
    assert float(row.split()[3]) == Dynamics().concern_days
