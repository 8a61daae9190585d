"""A fingerprint of the model: what every stored result and every batch records.

A result depends on the scenario (its :meth:`~crisis_sim.core.schema.Scenario.content_hash`)
and on the code that turns a scenario into a run: the model itself (``core``,
whose schema holds every default) and the policies. The fingerprint is the
SHA-256 of that code's text, file by file in a fixed order, so any change to a
rule, a default or a policy changes it, and nothing else does (not a document,
not the command line, not the plotting). A batch folder records it and
``--resume`` refuses a folder made by another model; each stored figure records
it, and a test lists the figures made by another model.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

MODEL_PACKAGES = ("core", "policies")
"""The subpackages of ``crisis_sim`` whose code decides what a run does."""


@cache
def model_fingerprint() -> str:
    """The first 16 hex digits of the SHA-256 of the model's source, file by file."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for package in MODEL_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()[:16]
