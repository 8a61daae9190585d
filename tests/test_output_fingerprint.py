"""Outputs are pinned: every bundled scenario's run files (seeds 0-9), every case's (seeds 0-1) and two
batches' tables hash as recorded in ``tests/data/output_fingerprint.json``.

A change that is meant to move outputs regenerates the record with
``python scripts/output_fingerprint.py --write tests/data/output_fingerprint.json --force``
and says so in its commit; any other change must leave it alone. The record
was first taken on the flat layout, before the package was split into layers.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import load_script

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "data" / "output_fingerprint.json"




def test_outputs_hash_as_recorded() -> None:
    saved = json.loads(RECORD.read_text())
    current = load_script("output_fingerprint").fingerprint()
    differ = sorted(k for k in saved.keys() | current.keys() if saved.get(k) != current.get(k))
    assert len(current) == len(saved) > 200
    assert differ == []
