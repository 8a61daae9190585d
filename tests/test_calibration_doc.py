"""docs/calibration.md's worked example is the current one: the block between its
calibration markers is what scripts/write_calibration_doc.py renders from
tests/data/calibration_study.json, and the study it records ran the cases of cases/ as
they are now (rerun the calibration and the script after changing a case)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from crisis_sim.batch.backtest import load_cases

PROJECT = Path(__file__).resolve().parents[1]
FIGURES = json.loads((PROJECT / "tests" / "data" / "calibration_study.json").read_text(encoding="utf-8"))


def script():
    path = PROJECT / "scripts" / "write_calibration_doc.py"
    spec = importlib.util.spec_from_file_location("write_calibration_doc", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_page_shows_what_the_figures_render() -> None:
    text = (PROJECT / "docs" / "calibration.md").read_text(encoding="utf-8")
    assert script().page_with(FIGURES, text) == text, "rerun scripts/write_calibration_doc.py"


def test_the_study_ran_the_cases_as_they_are_now() -> None:
    cases = {scenario.name: scenario.content_hash() for _, scenario in load_cases(PROJECT / "cases")}
    assert FIGURES["settings"]["cases"] == cases
    assert "us_colombia_2025" in cases  # the founding case is among the fitted ones


def test_the_verdict_follows_the_totals() -> None:
    totals = {row["fit"]: row for row in FIGURES["totals"]}
    out_of_sample, defaults = totals["loo"]["mean_distance"], totals["defaults"]["mean_distance"]
    assert FIGURES["verdict"]["helps"] == (out_of_sample < defaults)
