"""Are the governments' beliefs calibrated? Reliability tables for stated beliefs.

Every government states, every round, its belief that each other government's
resolve exceeds 0.5 (the ``belief_*`` columns of the trajectories). Over many
runs, among the statements of about 30%, the other side should turn out
resolute about 30% of the time. :func:`statements` collects them from runs of
a scenario and :func:`reliability` bins them by value (bins 0.1 wide): per
bin, the number of statements, their mean and the share that came true, and
how many runs they came from with an interval for the gap that treats the
run as the unit (the statements of one run are not independent: one long
standoff fills a bin with hundreds of statements about the same two
governments). The interval is a cluster bootstrap: runs are drawn with
replacement and the gap worked out again (Efron and Tibshirani 1993, ch. 8
on resampling the independent units).

Beliefs are Bayesian updates of the public prior with the policies' own choice
probabilities as likelihoods (docs/model.md, "Learning"), so the realised
share should match the stated belief within sampling error and the error of
reading resolve on a grid. ``scripts/belief_reliability.py`` prints the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crisis_sim.core import beliefs
from crisis_sim.core.model import CrisisModel
from crisis_sim.scenario import load_scenario

BIN_WIDTH = 0.1
MIN_COUNT = 100
"""Bins with fewer statements are shown but not judged."""


BOOTSTRAP_DRAWS = 1000
"""Resamples of runs behind each bin's interval (seeded: the table is the same every time)."""


@dataclass(frozen=True)
class Bin:
    low: float
    count: int
    mean_belief: float
    realised: float
    runs: int = 0
    """How many runs the statements came from."""
    interval: tuple[float, float] = (float("nan"), float("nan"))
    """95% interval of realised − stated, resampling runs (:data:`BOOTSTRAP_DRAWS`)."""

    @property
    def gap(self) -> float:
        return abs(self.realised - self.mean_belief)


Statement = tuple[int, float, bool]
"""(run, stated belief that the other is resolute, whether it was)."""


def statements(scenario_name: str, runs: int, overrides: Sequence[str] = (),
               workers: int = 1) -> list[Statement]:
    """(seed, stated belief that X is resolute, whether X's resolve exceeds 0.5), for every
    government, every other government and every round while its issue is undecided, over
    seeds 0 to ``runs`` - 1, in order (split among ``workers`` processes of the local batch
    engine, :mod:`crisis_sim.batch.engines.local`; the statements do not depend on it). A bad
    name or override raises :class:`~crisis_sim.scenario.ScenarioError` before any run."""
    from crisis_sim.batch.engines.base import make_engine

    load_scenario(scenario_name, list(overrides))  # its problems here, not in a worker
    parts = [(scenario_name, list(overrides), range(w, runs, workers)) for w in range(workers)]
    with make_engine("local", workers, preload=(__name__,)) as engine:
        return sorted(s for part in engine.map_chunks(_statements_of, parts) for s in part)


def _statements_of(part: tuple[str, list[str], range]) -> list[Statement]:
    return _statements(*part)


def _statements(scenario_name: str, overrides: list[str], seeds: range) -> list[Statement]:
    scenario = load_scenario(scenario_name, overrides)
    out = []
    for seed in seeds:
        m = CrisisModel(scenario, seed, agent_records=False)
        truth = {k: g.resolve > beliefs.RESOLUTE_ABOVE for k, g in m.governments.items()}
        while True:
            if all(i.decided is None for i in m.issues):
                for key in m.governments:
                    for other, belief in m.beliefs_of(key).items():
                        out.append((seed, belief, truth[other]))
            if not m.running or m.round >= scenario.rounds:
                break
            m.step()
    return out


def reliability(pairs: Sequence[Statement], width: float = BIN_WIDTH) -> list[Bin]:
    """The reliability table: statements binned by value, with each bin's runs and interval."""
    bins: dict[int, list[Statement]] = {}
    top = round(1 / width) - 1
    for statement in pairs:
        bins.setdefault(min(top, int(statement[1] / width)), []).append(statement)
    return [_bin(k * width, v) for k, v in sorted(bins.items())]


def _bin(low: float, statements: list[Statement]) -> Bin:
    by_run: dict[int, list[float]] = {}
    for run, belief, came_true in statements:
        by_run.setdefault(run, [0, 0.0, 0.0])
        tally = by_run[run]
        tally[0] += 1
        tally[1] += belief
        tally[2] += came_true
    n, stated, true = np.array(list(by_run.values())).T
    draws = np.random.default_rng(0).integers(0, len(n), size=(BOOTSTRAP_DRAWS, len(n)))
    counts = n[draws].sum(axis=1)
    gaps = true[draws].sum(axis=1) / counts - stated[draws].sum(axis=1) / counts
    lo, hi = np.percentile(gaps, [2.5, 97.5])
    return Bin(low, int(n.sum()), stated.sum() / n.sum(), true.sum() / n.sum(),
               runs=len(n), interval=(float(lo), float(hi)))
