"""The worked notebook in ``examples/`` runs against the current code and shows what it computes.

Every cell is executed in a fresh kernel (nbclient); a cell that raises fails this test, and so
does a printed line or table that differs from the outputs stored in the notebook (remake them
with ``scripts/write_notebook.py``, which ``make figures`` runs when the model changes).
"""

from __future__ import annotations

from conftest import load_script


def test_worked_example_notebook_runs_and_prints_what_it_stores() -> None:
    import nbformat

    module = load_script("write_notebook")
    fresh = module.executed()
    outputs = [o for cell in fresh.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the figure is drawn
    stored = nbformat.read(module.NOTEBOOK, as_version=4)
    assert module.text_outputs(fresh) == module.text_outputs(stored)
    assert any("95% interval" in text for text in module.text_outputs(stored))


def test_the_notebook_has_no_bare_asserts() -> None:
    import nbformat

    module = load_script("write_notebook")
    notebook = nbformat.read(module.NOTEBOOK, as_version=4)
    assert not [c for c in notebook.cells if c.cell_type == "code" and "assert " in c.source]
