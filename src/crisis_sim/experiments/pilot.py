"""A bound on what a run costs, from a timed pilot on the scenarios an experiment will run.

The back-test and the calibration say what they will cost before they start. A pilot run that
settles in a day says nothing of a run that never settles, so a run's cost is bounded by its
horizon, not by how soon the pilot ended: the slowest pilot build plus the scenario's ``rounds``
times the slowest pilot round, times :data:`PILOT_MARGIN`. Quiet rounds late in a long crisis cost
less than the busy rounds of its opening that the pilot timed, so the bound errs long.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from crisis_sim.core.schema import Scenario

PILOT_MARGIN = 1.5
"""Each run's bound is its pilot cost times this: a run also gathers its row and trajectory and
its chunk is written, which the pilot leaves out, and a run may cost more a round than the
pilot's did."""


def run_bound(pilots: Iterable[Scenario], rounds: int, seed: int = 0) -> float:
    """Seconds one run of ``rounds`` rounds costs at most, from one timed pilot run of each of
    ``pilots`` (a case at its defaults, and at a prior draw of a calibration) with ``seed``."""
    from crisis_sim.core.model import CrisisModel

    build = per_round = 0.0
    for pilot in pilots:
        t0 = time.perf_counter()
        model = CrisisModel(pilot, seed, agent_records=False)
        t1 = time.perf_counter()
        played = 0
        while played < pilot.rounds and model.running:
            model.step()
            played += 1
        build = max(build, t1 - t0)
        per_round = max(per_round, (time.perf_counter() - t1) / max(played, 1))
    return PILOT_MARGIN * (build + rounds * per_round)


def batch_overhead(scenario: Scenario) -> float:
    """Seconds one batch costs besides its runs: a batch of one one-round run made and written in a
    temporary folder (planning, the folder, the tables, the summary)."""
    import tempfile
    from pathlib import Path

    from crisis_sim.batch.api import run_batch

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="crisis-sim-pilot-") as tmp:
        run_batch(scenario.model_copy(update={"rounds": 1}), 1, out=Path(tmp) / "batch", workers=1)
    return time.perf_counter() - t0
