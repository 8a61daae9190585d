"""Are the governments' beliefs calibrated? A reliability table for stated beliefs.

Every government states, every round, its belief that each other government's
resolve exceeds 0.5 (the ``belief_*`` columns of the trajectories). Over many
runs, among the statements of about 30%, the other side should turn out
resolute about 30% of the time. This script runs a scenario many times, bins
every statement by its value (bins 0.1 wide) and prints, per bin, the number
of statements, their mean and the share that came true::

    .venv/bin/python scripts/belief_reliability.py [SCENARIO] [--runs 2000] [--set PATH=VALUE ...]

Beliefs are Bayesian updates of the public prior with the policies' own choice
probabilities as likelihoods (docs/model.md, "Learning"), so the realised
share should match the stated belief within sampling error and the error of
reading resolve on a grid.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from crisis_sim.core import beliefs
from crisis_sim.core.model import CrisisModel
from crisis_sim.scenario import load_scenario

BIN_WIDTH = 0.1
MIN_COUNT = 100
"""Bins with fewer statements are shown but not judged."""


@dataclass(frozen=True)
class Bin:
    low: float
    count: int
    mean_belief: float
    realised: float

    @property
    def gap(self) -> float:
        return abs(self.realised - self.mean_belief)


def statements(scenario_name: str, runs: int, overrides: Sequence[str] = (),
               workers: int = 1) -> list[tuple[float, bool]]:
    """(stated belief that X is resolute, whether X's resolve exceeds 0.5), for every government,
    every other government and every round while its issue is undecided, over seeds 0 to
    ``runs`` - 1 (split among ``workers`` processes; the statements do not depend on it)."""
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        parts = [range(w, runs, workers) for w in range(workers)]
        context = multiprocessing.get_context("forkserver")  # no fork of a threaded process
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            done = pool.map(_statements, [scenario_name] * workers, [list(overrides)] * workers, parts)
            return [pair for part in done for pair in part]
    return _statements(scenario_name, list(overrides), range(runs))


def _statements(scenario_name: str, overrides: list[str], seeds: range) -> list[tuple[float, bool]]:
    scenario = load_scenario(scenario_name, overrides)
    out = []
    for seed in seeds:
        m = CrisisModel(scenario, seed, agent_records=False)
        truth = {k: g.resolve > beliefs.RESOLUTE_ABOVE for k, g in m.governments.items()}
        while True:
            if all(i.decided is None for i in m.issues):
                for key in m.governments:
                    for other, belief in m.beliefs_of(key).items():
                        out.append((belief, truth[other]))
            if not m.running or m.round >= scenario.rounds:
                break
            m.step()
    return out


def reliability(pairs: Sequence[tuple[float, bool]], width: float = BIN_WIDTH) -> list[Bin]:
    """The reliability table: statements binned by value."""
    bins: dict[int, list[tuple[float, bool]]] = {}
    top = round(1 / width) - 1
    for belief, came_true in pairs:
        bins.setdefault(min(top, int(belief / width)), []).append((belief, came_true))
    return [Bin(k * width, len(v), sum(b for b, _ in v) / len(v), sum(t for _, t in v) / len(v))
            for k, v in sorted(bins.items())]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="chicken_audience_costs")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    table = reliability(statements(args.scenario, args.runs, args.overrides, args.workers))
    print(f"{args.scenario}: {args.runs} runs, statements P(other's resolve > 0.5) while undecided")
    print(f"{'bin':>9} {'count':>7} {'stated':>7} {'came true':>10} {'gap':>6}")
    for b in table:
        judged = "" if b.count >= MIN_COUNT else "  (too few to judge)"
        print(f"{b.low:4.1f}-{b.low + BIN_WIDTH:3.1f} {b.count:7d} {b.mean_belief:7.3f} "
              f"{b.realised:10.3f} {b.gap:6.3f}{judged}")
    worst = max((b.gap for b in table if b.count >= MIN_COUNT), default=0.0)
    print(f"largest gap in a bin of {MIN_COUNT}+ statements: {worst:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
