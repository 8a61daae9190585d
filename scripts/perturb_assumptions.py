"""Does the founding case survive a joint perturbation of every assumed number?

Draws ``--samples`` scenarios, each with every number that
``scenarios/us_colombia_2025.yaml`` marks ``# ASSUMPTION`` moved at once by
up to ±``--range`` (uniform, Latin hypercube), runs them as one batch (one
seeded run each, ``--replicates`` more if asked) and prints the share of runs
that reproduce the behavioural pattern (docs/sources.md §1.2 P4: Colombia gives
way before the deadline, in the face-saving form, within 24 hours of its
refusal; ``scripts/colombia_2025_pattern.py``), with each criterion's share, and
apart the parts that follow from inputs and implementation rules (reported,
not counted)::

    .venv/bin/python scripts/perturb_assumptions.py [--samples 200] [--range 0.3] [--out DIR [--force]]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

SCENARIO = "us_colombia_2025"


def main(argv: Sequence[str] | None = None) -> int:
    from colombia_2025_pattern import BEHAVIOUR, INPUTS_AND_RULES, colombia_2025_pattern, pattern_lines

    from crisis_sim.batch import run_batch
    from crisis_sim.batch.design import Design, assumption_parameters
    from crisis_sim.batch.folder import BatchError
    from crisis_sim.scenario import bundled_scenarios, load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--replicates", type=int, default=1)
    parser.add_argument("--range", type=float, default=0.3, dest="rel")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None, help="keep the batch folder here")
    parser.add_argument("--force", action="store_true", help="replace an existing batch folder at --out")
    args = parser.parse_args(argv)
    if args.replicates < 1:  # run_batch would name it --runs
        raise BatchError(f"--replicates: must be a whole number >= 1, got {args.replicates}")

    if args.out is not None:  # as `crisis-sim batch --out`: never inside another folder of ours
        from crisis_sim.runs.safe_folders import check_not_inside

        check_not_inside(args.out, error=BatchError)
    base = load_scenario(SCENARIO)
    parameters, skipped = assumption_parameters(base, bundled_scenarios()[SCENARIO], args.rel)
    design = Design("lhs", tuple(parameters), args.samples, seed=args.seed, dummy=False)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.out or Path(tmp) / "perturbed"
        batch = run_batch(base, args.replicates, seed=args.seed, workers=args.workers, out=out,
                          design=design, progress=False, force=args.force)
        table = colombia_2025_pattern(batch.runs, batch.trajectories)
    n = len(table)
    print(f"{SCENARIO}: {len(parameters)} assumed numbers moved at once by up to ±{args.rel:.0%} "
          f"({len(skipped)} left out: zero or at a limit), {args.samples} draws × {args.replicates} run(s)")
    print("  behaviour (counted):")
    print("\n".join(pattern_lines(table, ("pattern", *BEHAVIOUR, "counter_threat"))))
    print("  inputs and implementation rules (reported, not counted):")
    print("\n".join(pattern_lines(table, INPUTS_AND_RULES)))
    timing = table["announcement_to_deal_hours"].between(6, 14)
    print(f"  {'deal 6-14 h after the announcement':<24} {int(timing.sum()):5d}/{n}  {timing.mean():6.1%}")
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    sys.exit(exit_code(main))
