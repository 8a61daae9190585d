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
import json
from functools import cache
from pathlib import Path
from typing import Any

MODEL_PACKAGES = ("core", "policies")
"""The subpackages of ``crisis_sim`` whose code decides what a run does."""


CALIBRATED_MODULE = "core/calibrated.py"
"""The module of fitted defaults: only its values count, not the record of where they came from."""


def model_fingerprint(values: dict[str, float] | None = None,
                      posterior: list[dict[str, float]] | None = None) -> str:
    """The first 16 hex digits of the SHA-256 of the model's code, file by file, with the fitted
    defaults (:data:`crisis_sim.core.calibrated.VALUES` and ``POSTERIOR`` as the file now states
    them, or ``values`` and ``posterior`` in their place: the model as it was before an adoption
    replaced them) hashed as their values. An empty posterior hashes as the values alone."""
    record = calibration_record()
    if values is None:
        values = record["VALUES"]
        posterior = record.get("POSTERIOR") if posterior is None else posterior
    if not posterior:
        return _fingerprint(json.dumps(values, sort_keys=True))
    return _fingerprint(json.dumps({"values": values, "posterior": posterior}, sort_keys=True))


def calibration_record() -> dict[str, Any]:
    """The names assigned in ``core/calibrated.py``, read from the file as it is now (a process
    that imported the module before an adoption rewrote it still fingerprints the new one)."""
    path = Path(__file__).resolve().parents[1] / CALIBRATED_MODULE
    names = {}
    for statement in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(statement, ast.AnnAssign | ast.Assign):
            target = statement.target if isinstance(statement, ast.AnnAssign) else statement.targets[0]
            assert isinstance(target, ast.Name) and statement.value is not None
            names[target.id] = ast.literal_eval(statement.value)
    return names


@cache
def _fingerprint(values: str) -> str:
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for package in MODEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            digest.update(name.encode() + b"\0")
            code = values if name == CALIBRATED_MODULE else code_of(path.read_text(encoding="utf-8"))
            digest.update(code.encode() + b"\0")
    return digest.hexdigest()[:16]


def code_of(source: str) -> str:
    """The syntax tree of ``source`` without its docstrings (a string standing alone as a
    statement: a module's, class's or function's, or an attribute's), as text; comments never
    reach the tree."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list):
            body[:] = [s for s in body if not _is_docstring(s)] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))
