"""Execute examples/worked_example.ipynb and store it with its outputs (tables, printed lines, figure).

The notebook is a stored figure like any other (``scripts/figures.py``): its outputs come from
the model, so they are remade whenever the model changes. ``tests/test_examples.py`` executes it
afresh and checks that it prints and tabulates exactly what is stored::

    .venv/bin/python scripts/write_notebook.py            # execute and store
    .venv/bin/python scripts/write_notebook.py --check    # exit 1 if the stored outputs are stale
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
NOTEBOOK = PROJECT / "examples" / "worked_example.ipynb"


def executed(path: Path = NOTEBOOK):
    """The notebook at ``path``, every cell executed in a fresh kernel (working folder: a temporary
    one, so nothing is written beside it)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="crisis-sim-notebook-") as tmp:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": tmp}}).execute()
    return notebook


def text_outputs(notebook) -> list[str]:
    """What the notebook prints and tabulates, cell by cell, as text (figures left out: their
    bytes depend on the plotting library's version)."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                texts.append(output.get("text", ""))
            elif "data" in output and "text/plain" in output["data"] and "image/png" not in output["data"]:
                texts.append(output["data"]["text/plain"])
    return texts


def main(argv: Sequence[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the stored outputs are stale")
    args = parser.parse_args(argv)
    fresh = executed()
    if args.check:
        stored = nbformat.read(NOTEBOOK, as_version=4)
        return 0 if text_outputs(stored) == text_outputs(fresh) else 1
    for cell in fresh.cells:  # no run-specific noise in the stored file
        cell.get("metadata", {}).pop("execution", None)
    nbformat.write(fresh, NOTEBOOK)
    print("".join(t for t in text_outputs(fresh) if not t.startswith("<")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
