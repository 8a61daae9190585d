"""Regenerate the golden narration of tests/test_narrate.py (a separate step, never a test).

    PYTHONPATH=src .venv/bin/python tests/regen_golden.py

Writes ``tests/golden/us_colombia_2025_seed0.txt`` from the bundled scenario
under seed 0. Read ``git diff tests/golden`` before committing the result.
"""

from __future__ import annotations

from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden" / "us_colombia_2025_seed0.txt"


def golden_text() -> str:
    from crisis_sim.present.narrate import narrate
    from crisis_sim.runs.single_run import run_scenario
    from crisis_sim.scenario import load_scenario

    return narrate(run_scenario(load_scenario("us_colombia_2025"), 0))


def main() -> None:
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    GOLDEN.write_text(golden_text(), encoding="utf-8")
    print(f"wrote {GOLDEN}")


if __name__ == "__main__":
    main()
