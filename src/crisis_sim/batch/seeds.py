"""The model seed of every run of a batch, spawned from its root seed.

Its own module so that the integrity check (:mod:`crisis_sim.batch.integrity`),
which the folder code imports, can recompute a chunk's seeds without importing
:mod:`crisis_sim.batch.api`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


def run_seeds(seed: int, n: int, start: int = 0) -> np.ndarray:
    """The model seed of each run: child ``run_id`` of ``SeedSequence(seed).spawn(n)``
    (runs ``start`` to ``n - 1`` only, if ``start`` is given).

    Child ``i`` of a fresh ``SeedSequence(seed)`` is ``SeedSequence(seed,
    spawn_key=(i,))``; building it directly gives the same seeds without
    holding ``n`` SeedSequence objects at once. Each child gives one 32-bit
    model seed: ``child.generate_state(1, dtype=uint32)[0]``.
    """
    import numpy as np

    return np.fromiter(
        (
            np.random.SeedSequence(seed, spawn_key=(i,)).generate_state(1, dtype=np.uint32)[0]
            for i in range(start, n)
        ),
        dtype=np.uint32,
        count=max(0, n - start),
    )


COMMON = "common"
"""A sweep whose points share their seeds: replicate ``r`` of every point runs with the seed of
run ``r`` of a batch of one point (common random numbers), so a point's rows are the batch that
``--set`` of that point gives, and a difference between points is the parameter's, not the dice's."""
INDEPENDENT = "independent"
"""Every run of the batch its own seed (run ``run_id`` of :func:`run_seeds`): the scheme of a
sampled design, and of a sweep asked for it (``--independent-seeds``) or written before common
seeds."""


def plan_seeds(seed: int, n_points: int, runs: int, scheme: str) -> np.ndarray:
    """The model seed of every run of a batch of ``n_points`` points × ``runs`` replicates, run ids
    point-major."""
    import numpy as np

    if scheme == COMMON:
        return np.tile(run_seeds(seed, runs), n_points)
    return run_seeds(seed, n_points * runs)


def seeds_of_runs(seed: int, start: int, stop: int, runs: int, scheme: str) -> list[int]:
    """The seeds of runs ``start`` to ``stop - 1`` under ``scheme`` (what a chunk must hold)."""
    if scheme == COMMON:
        base = run_seeds(seed, runs)
        return [int(base[run_id % runs]) for run_id in range(start, stop)]
    return [int(s) for s in run_seeds(seed, stop, start)]
