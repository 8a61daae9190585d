"""The worked notebook in ``examples/`` runs against the current code.

Every cell is executed in a fresh kernel (nbclient); a cell that raises, or
an ``assert`` in the notebook that fails, fails this test.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_worked_example_notebook_runs(tmp_path: Path) -> None:
    notebook = nbformat.read(EXAMPLES / "worked_example.ipynb", as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    printed = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "target_concedes face_saving 9.0 h" in printed  # seed 0 of the bundled scenario
    assert "firm what-if: -" in printed
