"""Stored figures know which model made them (scripts/figures.py, tests/data/figures.json).

Every figure computed by running the model is listed in the manifest of
``scripts/figures.py`` and recorded with the fingerprint of the model that
made it (:func:`crisis_sim.core.fingerprint.model_fingerprint`: the syntax tree
of ``core`` and ``policies`` without docstrings). When the model's code changes,
every figure it made is listed here until ``make figures`` remakes it; so is a figure
made from scenarios or cases whose content has changed since (tests/data/figure_inputs.json).
"""

from __future__ import annotations

from conftest import load_script
from crisis_sim.core.fingerprint import code_of, model_fingerprint


def test_no_stored_figure_was_made_by_another_model():
    """Except those listed as overdue, with the reason (printed here), which must really be stale."""
    figures = load_script("figures")
    stale = [name for name in figures.stale(model_fingerprint()) if name not in figures.OVERDUE]
    for name, why in figures.OVERDUE.items():
        print(f"overdue: {name}: {why}")
    assert set(figures.OVERDUE) <= set(figures.stale(model_fingerprint())), "an overdue figure is current"
    assert stale == [], (f"made by another model than the current one ({model_fingerprint()}) or from "
                         "scenarios or cases that have changed since: "
                         f"{', '.join(stale)}; run `make figures` (or scripts/figures.py {' '.join(stale)})")


def test_a_figure_is_stale_when_what_its_inputs_say_changes_not_when_a_comment_does(tmp_path):
    """A case or scenario edited after a figure was made from it makes the figure stale, as the
    model's code does (tests/data/figure_inputs.json); a comment or the order of keys does not."""
    figures = load_script("figures")
    made_from_cases = figures.Figure("x", (), 0, "", ("cases",))
    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "a.yaml"
    case.write_text("name: a\nrounds: 10  # why\nkind: tariff\n")
    before = figures.inputs_hash(made_from_cases, tmp_path)
    case.write_text("kind: tariff   # another comment\nname: a\nrounds: 10\n")
    assert figures.inputs_hash(made_from_cases, tmp_path) == before
    case.write_text("name: a\nrounds: 10\nkind: export_controls\n")
    assert figures.inputs_hash(made_from_cases, tmp_path) != before
    assert figures.inputs_hash(figures.Figure("y", (), 0, ""), tmp_path) == ""
    assert {f.name for f in figures.FIGURES if "cases" in f.inputs} >= {"backtest", "calibration"}


def test_the_fingerprint_ignores_docstrings_and_comments_but_not_code():
    assert code_of('def f():\n    """doc"""\n    return 1  # why\n') == code_of("def f():\n    return 1\n")
    assert code_of('class A:\n    x: int = 1\n    """about x"""\n') == code_of("class A:\n    x: int = 1\n")
    assert code_of("x = 1.0") != code_of("x = 1.5")
    assert code_of("def f(a, b):\n    return a - b\n") != code_of("def f(a, b):\n    return b - a\n")
