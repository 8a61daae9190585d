"""docs/backtest.md's tables of mechanisms on history are what their stored figures render
(scripts/mechanisms_on_history.py --doc writes both), at the size the page promises: every case of
cases/, every mechanism, at least 40 runs a case and arm; and the summary reads the stored figures
as its docstring says (a change against theory's sign beyond twice its error is "opposite")."""

from __future__ import annotations

import json

from conftest import load_script


def test_the_page_shows_the_stored_tables_at_full_size():
    module = load_script("mechanisms_on_history")
    stored = json.loads(module.STORED.read_text(encoding="utf-8"))
    assert stored["runs"] >= 40
    from crisis_sim.experiments.backtest.run import case_files, cases_folder

    cases = {p.stem for p in case_files(cases_folder(None))}
    assert [r["mechanism"] for r in stored["rows"]] == [m.name for m in module.MECHANISMS]
    for row in stored["rows"]:
        assert {c["case"] for c in row["cases"]} == cases
    assert set(stored["totals"]) == {"on", *(m.name for m in module.MECHANISMS)}
    assert module.page_block() == module.markdown(stored)
    assert module.main(["--check"]) == 0


def test_the_verdict_follows_the_sign_and_the_noise():
    module = load_script("mechanisms_on_history")
    up = module.Mechanism("m", "t", lambda d: ["x=1"], "a compromise", +1)

    def row(on: int, off: int, cases: int = 10) -> dict:
        """Ten cases alike: of 40 runs, ``on`` and ``off`` end in a compromise; draw 0 agrees with
        theory, draw 1 goes against it."""
        arm_on, arm_off = [40, 0, 0, on, 0], [40, 0, 0, off, 0]
        cell = {"case": "c", "applies": True, "switch": "x=1", "on": arm_on, "off": arm_off,
                "by_draw": {"0": [[20, 0, 0, on // 2, 0], [20, 0, 0, off // 2, 0]],
                            "1": [[20, 0, 0, off // 2, 0], [20, 0, 0, on // 2, 0]]}}
        return {"mechanism": "m", "cases": [cell] * cases}

    assert module.summary(up, row(20, 8), 40)["verdict"] == "as theory says"
    assert module.summary(up, row(8, 20), 40)["verdict"] == "opposite"
    assert module.summary(up, row(9, 8), 40)["verdict"] == "within noise"
    moved = module.summary(up, row(20, 8), 40)
    assert (moved["with_theory"], moved["against"], moved["draws_with"], moved["draws"]) == (10, 0, 1, 2)
    none = module.Mechanism("m", "t", lambda d: [], "a compromise", 0)
    assert module.summary(none, row(20, 8), 40)["verdict"] == "no direction stated"
