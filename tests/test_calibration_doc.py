"""docs/calibration.md's worked example is the current one: the blocks between its
calibration markers are what scripts/write_calibration_doc.py renders from
tests/data/calibration_study.json, and the studies it records ran the case files of
cases/ as they are now (rerun the calibrations and the script after changing a case)."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_page_renders, load_script, stored_figures
from crisis_sim.core.schema import Dynamics

PROJECT = Path(__file__).resolve().parents[1]
FIGURES = stored_figures("calibration_study")


def test_the_page_shows_what_the_figures_render() -> None:
    assert_page_renders("write_calibration_doc", FIGURES, "calibration.md")


def test_each_study_ran_the_case_files_as_they_are_now() -> None:
    module = load_script("write_calibration_doc")
    now = module.case_checksums(PROJECT / "cases")
    assert "us_colombia_2025" in now  # the founding case is among the fitted ones
    for name, study in FIGURES.items():
        assert study["case_files"] == now, name
        assert sorted(study["settings"]["cases"]) == sorted(now), name


def test_the_verdicts_follow_the_totals() -> None:
    for name, study in FIGURES.items():
        totals = {row["fit"]: row for row in study["totals"]}
        out_of_sample, defaults = totals["loo"]["mean_distance"], totals["defaults"]["mean_distance"]
        assert study["verdict"]["helps"] == (out_of_sample < defaults), name


def test_the_adopted_horizon_is_the_fitted_median() -> None:
    printed = FIGURES["concern"]["printed"]
    row = next(line for line in printed.splitlines() if line.startswith("dynamics.concern_days"))
    assert float(row.split()[3]) == Dynamics().concern_days
    assert FIGURES["concern"]["verdict"]["helps"]
