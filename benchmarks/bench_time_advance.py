"""Quiet blocks against turn-by-turn play: the same outcomes, in less time.

For every bundled scenario (scenarios/*.yaml) and every back-test case (cases/*.yaml) it runs
seeds 0..N-1 twice, once turn by turn (``quiet_tolerance=0``) and once with quiet blocks
(the default tolerance, :data:`crisis_sim.core.advance.QUIET_TOLERANCE`), and prints per
scenario a table of each outcome's share under both, whether the two shares are within two
standard errors of their difference (sqrt(p1(1-p1)/N + p2(1-p2)/N)), the median decision
hour under both and whether they are within one turn, and the CPU time of each with the
speed-up. Outcomes are counted per issue (a scenario with several issues counts each).

    .venv/bin/python benchmarks/bench_time_advance.py                   # N = 200 everywhere
    .venv/bin/python benchmarks/bench_time_advance.py --runs 200 --case-runs 20
    .venv/bin/python benchmarks/bench_time_advance.py --only china_lithuania_2021 --runs 1

It is not a test and always exits 0; read its "ok"/"DIFF" columns. With two standard
errors, about one share in twenty is expected to fall outside by chance alone.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections import Counter
from pathlib import Path

from crisis_sim.core.advance import QUIET_TOLERANCE
from crisis_sim.core.model import CrisisModel, turns_in
from crisis_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def play(scenario, seeds, tolerance: float) -> tuple[Counter, list[float], float, int]:
    """Outcome counts, decision hours, CPU seconds and turns reused over ``seeds``."""
    counts: Counter = Counter()
    hours: list[float] = []
    reused = 0
    start = time.process_time()
    for seed in seeds:
        model = CrisisModel(scenario, seed, agent_records=False, quiet_tolerance=tolerance)
        for _ in range(scenario.rounds):
            if not model.running:
                break
            model.step()
        reused += model.quiet.turns_reused
        for record in model.final_outcomes():
            counts[str(getattr(record["outcome"], "value", record["outcome"]))] += 1
            if record["decided_at_hours"] is not None:
                hours.append(record["decided_at_hours"])
    return counts, hours, time.process_time() - start, reused


def compare(path: Path, runs: int, tolerance: float) -> bool:
    scenario = load_scenario(path)
    seeds = range(runs)
    fixed, fixed_hours, fixed_cpu, _ = play(scenario, seeds, 0.0)
    jump, jump_hours, jump_cpu, reused = play(scenario, seeds, tolerance)
    n_fixed, n_jump = sum(fixed.values()), sum(jump.values())
    turn = scenario.round_hours / turns_in(scenario.round_hours)
    print(f"\n## {path.parent.name}/{path.stem}  ({runs} runs, {scenario.rounds} rounds of "
          f"{scenario.round_hours:g} h, turns of {turn:g} h; quiet tolerance {tolerance:g})")
    print(f"{'outcome':<26}{'fixed %':>9}{'jump %':>9}{'2 SE':>8}  within")
    all_ok = True
    for outcome in sorted(set(fixed) | set(jump)):
        p1, p2 = fixed[outcome] / n_fixed, jump[outcome] / n_jump
        se = math.sqrt(p1 * (1 - p1) / n_fixed + p2 * (1 - p2) / n_jump)
        ok = abs(p1 - p2) <= 2 * se or p1 == p2
        all_ok &= ok
        print(f"{outcome:<26}{100 * p1:>9.1f}{100 * p2:>9.1f}{200 * se:>8.1f}  {'ok' if ok else 'DIFF'}")
    med1 = statistics.median(fixed_hours) if fixed_hours else None
    med2 = statistics.median(jump_hours) if jump_hours else None
    med_ok = (med1 is None and med2 is None) or (
        med1 is not None and med2 is not None and abs(med1 - med2) <= turn)
    all_ok &= med_ok
    verdict = "ok" if med_ok else "DIFF"
    print(f"{'median decision hour':<26}{_h(med1):>9}{_h(med2):>9}{turn:>8g}  {verdict}")
    speed = fixed_cpu / jump_cpu if jump_cpu > 0 else float("inf")
    print(f"CPU: fixed {fixed_cpu:.2f} s, jump {jump_cpu:.2f} s, speed-up {speed:.2f}x; "
          f"turns reused {reused}")
    return all_ok


def _h(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="runs per bundled scenario (default 200)")
    parser.add_argument("--case-runs", type=int, default=None,
                        help="runs per back-test case (default: --runs)")
    parser.add_argument("--tolerance", type=float, default=QUIET_TOLERANCE)
    parser.add_argument("--only", nargs="*", default=None, help="scenario or case names to run")
    args = parser.parse_args(argv)
    case_runs = args.runs if args.case_runs is None else args.case_runs
    paths = [(p, args.runs) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
    paths += [(p, case_runs) for p in sorted((ROOT / "cases").glob("*.yaml"))]
    verdicts = {}
    for path, runs in paths:
        if args.only and path.stem not in args.only:
            continue
        verdicts[f"{path.parent.name}/{path.stem}"] = compare(path, runs, args.tolerance)
    print("\n## summary")
    for name, ok in verdicts.items():
        print(f"{name:<40}{'all within' if ok else 'some outside'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
