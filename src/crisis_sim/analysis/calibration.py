"""Are the governments' beliefs calibrated? Reliability tables for stated beliefs.

Every government states, every round, its belief that each other government's
resolve exceeds 0.5 (the ``belief_*`` columns of the trajectories). Over many
runs, among the statements of about 30%, the other side should turn out
resolute about 30% of the time. :func:`statements` collects them from runs of
a scenario and :func:`reliability` bins them by value (bins 0.1 wide): per
bin, the number of statements, their mean and the share that came true.

Beliefs are Bayesian updates of the public prior with the policies' own choice
probabilities as likelihoods (docs/model.md, "Learning"), so the realised
share should match the stated belief within sampling error and the error of
reading resolve on a grid. ``scripts/belief_reliability.py`` prints the table.
"""

from __future__ import annotations

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
