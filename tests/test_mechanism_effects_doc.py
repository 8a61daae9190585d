"""docs/backtest.md's table of mechanisms over the box of assumptions is what its stored figures
render (scripts/mechanism_effects.py --doc writes both), at the size the page promises:
at least 50 Latin-hypercube points × 100 runs a point, for the founding case, the firm what-if
and the chicken lesson, every documented mechanism."""

from __future__ import annotations

import json

from conftest import load_script


def test_the_page_shows_the_stored_table_at_full_size():
    module = load_script("mechanism_effects")
    stored = json.loads(module.STORED.read_text(encoding="utf-8"))
    assert stored["points"] >= 50 and stored["runs"] >= 100
    assert {r["scenario"] for r in stored["rows"]} == set(module.SCENARIOS)
    for name in module.SCENARIOS:
        assert [r["mechanism"] for r in stored["rows"] if r["scenario"] == name] == [
            m.name for m in module.MECHANISMS]
    assert module.PAGE.name == "backtest.md"
    assert module.page_block() == module.render(stored)
    assert module.main(["--check"]) == 0
