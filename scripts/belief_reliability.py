"""Print the reliability table of the governments' stated beliefs (crisis_sim.experiments.reliability).

Per bin: the statements, the runs they came from, and an interval for the gap that resamples
runs (a bin filled by a few long standoffs is fewer observations than its count says)::

    .venv/bin/python scripts/belief_reliability.py [SCENARIO] [--runs 2000] [--set PATH=VALUE] [--workers 2]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from crisis_sim.batch.folder import BatchError
from crisis_sim.batch.plan import MAX_WORKERS
from crisis_sim.experiments.reliability import BIN_WIDTH, MIN_COUNT, reliability, statements

MAX_RUNS = 100_000
"""Most ``--runs``: every statement of every run is held in memory (docs/batch-format.md, "Limits")."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="chicken_audience_costs")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    for flag, value, most in (("--runs", args.runs, MAX_RUNS), ("--workers", args.workers, MAX_WORKERS)):
        if value < 1:  # as a batch answers them
            raise BatchError(f"{flag}: must be a whole number >= 1, got {value}")
        if value > most:
            raise BatchError(f"{flag}: at most {most:,}, got {value:,}")
    table = reliability(statements(args.scenario, args.runs, args.overrides, args.workers))
    print(f"{args.scenario}: {args.runs} runs, statements P(other's resolve > 0.5) while undecided")
    print(f"{'bin':>9} {'count':>7} {'runs':>5} {'stated':>7} {'came true':>10} {'gap':>6}"
          f"  {'95% interval of true - stated, by run':>38}")
    for b in table:
        judged = "" if b.count >= MIN_COUNT else "  (too few to judge)"
        lo, hi = b.interval
        print(f"{b.low:4.1f}-{b.low + BIN_WIDTH:3.1f} {b.count:7d} {b.runs:5d} {b.mean_belief:7.3f} "
              f"{b.realised:10.3f} {b.gap:6.3f}  {lo:+19.3f} to {hi:+.3f}{judged}")
    worst = max((b.gap for b in table if b.count >= MIN_COUNT), default=0.0)
    print(f"largest gap in a bin of {MIN_COUNT}+ statements: {worst:.3f}")
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    raise SystemExit(exit_code(main))
