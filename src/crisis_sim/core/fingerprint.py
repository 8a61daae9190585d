"""A fingerprint of the model: what every stored result and every batch records.

A result depends on the scenario (its :meth:`~crisis_sim.core.schema.Scenario.content_hash`)
and on the code that turns a scenario into a run: the model itself (``core``,
whose schema holds every default) and the policies. The fingerprint is the
SHA-256 of that code's syntax tree, file by file in a fixed order, with
docstrings and comments left out: any change to a rule, a default or a policy
changes it, and nothing else does (not a docstring, not a comment, not a
document, not the command line, not the plotting). A batch folder records it and
``--resume`` refuses a folder made by another model; each stored figure records
it, and a test lists the figures made by another model.
"""

from __future__ import annotations

import ast
import hashlib
from functools import cache
from pathlib import Path

MODEL_PACKAGES = ("core", "policies")
"""The subpackages of ``crisis_sim`` whose code decides what a run does."""


@cache
def model_fingerprint() -> str:
    """The first 16 hex digits of the SHA-256 of the model's code, file by file."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for package in MODEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(code_of(path.read_text(encoding="utf-8")).encode() + b"\0")
    return digest.hexdigest()[:16]


def code_of(source: str) -> str:
    """The syntax tree of ``source`` without its docstrings (a string standing alone as a
    statement: a module's, class's or function's, or an attribute's), as text; comments never
    reach the tree."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            kept = [s for s in body if not _is_docstring(s)]
            node.body = kept or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))
