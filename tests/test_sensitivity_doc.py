"""docs/sensitivity.md's worked example is the current one: the blocks between its
sensitivity markers are what scripts/write_sensitivity_example.py renders from
tests/data/sensitivity_example.json, and that file was made from the scenarios and the
assumptions they mark as they are now (rerun the script after changing either)."""

from __future__ import annotations

from conftest import assert_page_renders, load_script, stored_figures
from crisis_sim.batch.design import assumption_parameters
from crisis_sim.scenario import load_scenario, resolve_scenario_path

FIGURES = stored_figures("sensitivity_example")


def test_the_page_shows_what_the_figures_render() -> None:
    assert_page_renders("write_sensitivity_example", FIGURES, "sensitivity.md")


def test_each_study_was_made_from_the_scenario_as_it_is_now() -> None:
    studies = load_script("write_sensitivity_example").STUDIES
    assert sorted(FIGURES) == sorted(studies)
    for name, study in studies.items():
        assert FIGURES[name]["scenario_hash"] == load_scenario(study["scenario"]).content_hash(), name
        assert FIGURES[name]["command"] == load_script("write_sensitivity_example").command(name)


def test_the_screening_varied_every_assumption_the_scenario_marks_now() -> None:
    loaded = load_scenario("us_colombia_2025")
    found, _ = assumption_parameters(loaded, resolve_scenario_path("us_colombia_2025"), 0.3, [])
    assert FIGURES["morris"]["parameters"] == [p.path for p in found] + ["dummy"]
    assert FIGURES["morris"]["points"] == 10 * (len(found) + 2)  # Morris: samples x (k + 1), dummy in k
