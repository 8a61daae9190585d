"""docs/backtest.md shows the current scoreboard: the block between its scoreboard markers is
what scripts/write_backtest_doc.py renders from tests/data/backtest_scoreboard.json, that
file covers exactly the cases of cases/ with their records, its baselines and totals are
what the rows give, and one case recomputed now gives the row it holds (rerun the script
after changing the model or a case)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import assert_page_renders, stored_figures
from crisis_sim.batch.api import run_batch
from crisis_sim.experiments.backtest.run import load_cases
from crisis_sim.experiments.backtest.scoring import COLUMNS, Observed, overall_scores, score_case, scoreboard

PROJECT = Path(__file__).resolve().parents[1]
FIGURES = stored_figures("backtest_scoreboard")
LIVE_CASE = "us_colombia_2025"
"""The case recomputed live: the founding case, mostly decided within days, so 50 runs take seconds."""


def test_the_page_shows_what_the_figures_render() -> None:
    assert_page_renders("write_backtest_doc", FIGURES, "backtest.md")


def test_the_figures_cover_every_case_with_its_record() -> None:
    cases = {s.name: s.history for _, s in load_cases(PROJECT / "cases")}
    rows = {r["case"]: r for r in FIGURES["rows"]}
    assert sorted(rows) == sorted(cases)
    for name, history in cases.items():
        observed = Observed.from_history(history)
        row = rows[name]
        assert row["observed_outcome"] == observed.outcome, name
        assert row["observed_hours"] == observed.decided_hours, name
        assert row["runs"] == FIGURES["runs"], name
    assert FIGURES["overall"]["cases"] == len(cases)
    assert FIGURES["overall"]["outcome_matches"] == sum(r["outcome_match"] for r in rows.values())


def test_the_baselines_and_totals_are_what_the_stored_rows_give() -> None:
    table = scoreboard(FIGURES["rows"])
    rows = json.loads(table.to_json(orient="records"))
    assert [r["case"] for r in rows] == [r["case"] for r in FIGURES["rows"]]
    for now, stored in zip(rows, FIGURES["rows"], strict=True):
        assert now.keys() == stored.keys()
        for key, value in stored.items():
            assert now[key] == (pytest.approx(value, rel=1e-9) if isinstance(value, float) else value), key
    overall = overall_scores(table)
    assert overall.keys() == FIGURES["overall"].keys()
    for key, value in FIGURES["overall"].items():
        assert overall[key] == (pytest.approx(value, rel=1e-9) if isinstance(value, float) else value), key


def test_one_case_recomputed_now_gives_the_row_on_the_page(tmp_path: Path) -> None:
    (file, scenario), = [(f, s) for f, s in load_cases(PROJECT / "cases") if s.name == LIVE_CASE]
    batch = run_batch(scenario, FIGURES["runs"], seed=FIGURES["seed"], workers=1, out=tmp_path / "b",
                      source=str(file))
    observed = Observed.from_history(scenario.history)
    row = score_case(scenario.name, batch.runs, observed, list(scenario.measures))
    now = json.loads(scoreboard([row]).to_json(orient="records"))[0]
    stored = next(r for r in FIGURES["rows"] if r["case"] == LIVE_CASE)
    model = {key: value for key, value in stored.items() if key in COLUMNS}  # baselines: the test above
    assert list(model) == list(COLUMNS)
    for key, value in model.items():
        if isinstance(value, float):
            assert now[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
        else:
            assert now[key] == value, key
