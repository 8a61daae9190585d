"""Does the founding pattern depend on the length of a round?

Runs the bundled ``us_colombia_2025`` as a batch at several round lengths
(``--set round_hours=H``, with ``rounds`` set so that the horizon stays the
file's 720 hours) and prints, for each, the share of runs that show the
behavioural pattern (``scripts/colombia_2025_pattern.py``: Colombia gives way,
before the deadline, in the face-saving form, within 24 hours of its refusal;
every criterion in hours, none in rounds), each criterion's share, and apart
the parts that follow from inputs and implementation rules (not counted)::

    .venv/bin/python scripts/pattern_round_length.py [--runs 100] [--hours 1 1.5 3 6] [--seed 0]

The same root seed at every round length: the batches differ only in the clock.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

SCENARIO = "us_colombia_2025"
ROUND_HOURS = (1.0, 1.5, 3.0, 6.0)


def main(argv: Sequence[str] | None = None) -> int:
    from colombia_2025_pattern import BEHAVIOUR, INPUTS_AND_RULES, colombia_2025_pattern, pattern_lines

    from crisis_sim.batch import run_batch
    from crisis_sim.batch.folder import BatchError
    from crisis_sim.scenario import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--hours", type=float, nargs="+", default=list(ROUND_HOURS), metavar="H")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    bad = [h for h in args.hours if not 0 < h <= 168]
    if bad:
        raise BatchError(f"--hours: each a round length above 0 and at most 168, got {bad[0]:g}")

    base = load_scenario(SCENARIO)
    horizon = base.rounds * base.round_hours
    print(f"{SCENARIO}: {args.runs} runs at each round length, root seed {args.seed}, "
          f"horizon {horizon:g} hours throughout")
    with tempfile.TemporaryDirectory() as tmp:
        for hours in args.hours:
            rounds = math.ceil(horizon / hours - 1e-9)
            scenario = load_scenario(SCENARIO, [f"round_hours={hours:g}", f"rounds={rounds}"])
            batch = run_batch(scenario, args.runs, seed=args.seed, workers=args.workers,
                              out=Path(tmp) / f"h{hours:g}", progress=False)
            table = colombia_2025_pattern(batch.runs, batch.trajectories)
            decided = table.loc[table["pattern"], "decided_at_hours"]
            median = f"{decided.median():g} h" if len(decided) else "-"
            print(f"\nround_hours={hours:g} ({rounds} rounds): the behavioural pattern, median decision "
                  f"{median} after the refusal")
            print("\n".join(pattern_lines(table, ("pattern", *BEHAVIOUR))))
            print("  inputs and implementation rules (reported, not counted):")
            print("\n".join(pattern_lines(table, INPUTS_AND_RULES)))
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    sys.exit(exit_code(main))
