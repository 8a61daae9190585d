"""Print how much learning moves a scenario's outcome shares: the same seeds with beliefs updated
by Bayes' rule and with every belief frozen at its prior (``dynamics.learning``)::

    .venv/bin/python scripts/freeze_beliefs.py [SCENARIO ...] [--runs 400] [--seed 0] [--workers 2]

Each scenario is run as two batches under the same root seed, so run k of one has the same seed
(the same private resolves, the same noise draws until the beliefs part ways) as run k of the
other: one with ``dynamics.learning=true``, one with ``false``. The table gives each outcome's
share with learning and with frozen beliefs, the difference in points, twice the standard error
of a difference between two independent shares of that many runs (paired runs make the real
one smaller), and how many runs ended otherwise. Without a scenario it measures the firm
what-if and the chicken game.
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from crisis_sim.batch.api import run_batch
from crisis_sim.scenario import load_scenario

DEFAULT_SCENARIOS = ("us_colombia_2025_firm", "chicken_audience_costs")
LEARNING = "dynamics.learning"


def measure(scenario: str, runs: int, seed: int, workers: int | None,
            overrides: list[str]) -> tuple[pd.DataFrame, int]:
    """The shares table of one scenario (learning, frozen, difference and 2 SE, in points) and
    the number of runs whose outcome differs between the two."""
    outcomes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for learning in (True, False):
            scenario_now = load_scenario(scenario, [*overrides, f"{LEARNING}={str(learning).lower()}"])
            batch = run_batch(scenario_now, runs, seed=seed, workers=workers,
                              out=Path(tmp) / str(learning), progress=False)
            outcomes[learning] = batch.runs.sort_values("run_id")["outcome"].reset_index(drop=True)
    table = pd.DataFrame({"learning": outcomes[True].value_counts(normalize=True),
                          "frozen": outcomes[False].value_counts(normalize=True)}).fillna(0.0)
    pooled = (table["learning"] + table["frozen"]) / 2
    out = 100 * table
    out["difference"] = out["learning"] - out["frozen"]
    out["2 SE"] = 200 * (2 * pooled * (1 - pooled) / runs).map(math.sqrt)
    return out.sort_index(), int((outcomes[True] != outcomes[False]).sum())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(DEFAULT_SCENARIOS))
    parser.add_argument("--runs", type=int, default=400)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)
    for scenario in args.scenarios:
        table, changed = measure(scenario, args.runs, args.seed, args.workers, args.overrides)
        print(f"{scenario}: {args.runs} runs each way, root seed {args.seed}, outcome shares (%)")
        print(table.round(1).to_string())
        largest = table["difference"].abs().max()
        print(f"largest difference: {largest:.1f} points; {changed} of {args.runs} runs ended otherwise\n")
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    raise SystemExit(exit_code(main))
