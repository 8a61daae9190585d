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
