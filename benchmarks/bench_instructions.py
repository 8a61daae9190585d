"""Instructions per run and per back-test turn, counted by callgrind.

Wall-clock figures drift with the load on a shared machine; instruction counts
do not (to a few parts in a thousand). This script runs itself under
``valgrind --tool=callgrind``, two processes for each figure, side by side:

- per run: a bundled scenario (``us_colombia_2025`` unless named with
  ``--scenario``) stepped until settled (``run_model``) for seeds 0-9;
- per turn: every case of ``cases/`` for seed 0, each model stepped for its
  first 6 rounds (or until settled), without per-government records (as a
  batch runs it); a 24-hour round is 8 turns (``core.model.turns_in``): the turns
  in which the governments decide most;
- per turn of whole runs: every case for seed 0 stepped until settled or to its horizon (three
  years), as the back-test plays it: mostly quiet turns. The figure the target of 0.80 M a
  turn was set against (2.4 M: about 21 G instructions over the 8,768 turns of a run that never
  settles).

Each figure's work is counted as the instructions of a process that imports,
loads the scenario or the cases, warms up (one run of the same kind at another
seed: caches filled, lazy imports done) and then does the work, less those of a
process that only imports, loads and warms up: the figures count the model, not
the parsing of its files. Needs valgrind::

    .venv/bin/python benchmarks/bench_instructions.py               # both figures
    .venv/bin/python benchmarks/bench_instructions.py --only run    # or turns, or whole
    .venv/bin/python benchmarks/bench_instructions.py --only run --scenario chicken_audience_costs

It is not a test and always exits 0; benchmarks/README.md keeps the figures.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SCENARIO = "us_colombia_2025"
RUN_SEEDS = range(10)
CASE_SEEDS = range(1)
CASE_ROUNDS = 6
WARM_UP_SEED = 1000
ROOT = Path(__file__).resolve().parent.parent


def founding_runs(seeds, scenario) -> int:
    from crisis_sim.runs.single_run import run_model

    for seed in seeds:
        run_model(scenario, seed)
    return len(seeds)


def case_turns(seeds, cases, rounds: int = CASE_ROUNDS) -> int:
    from crisis_sim.core.model import CrisisModel, turns_in

    turns = 0
    for scenario in cases:
        for seed in seeds:
            model = CrisisModel(scenario, seed, agent_records=False)
            for _ in range(rounds):
                model.step()
                turns += turns_in(scenario.round_hours)
                if not model.running:
                    break
    return turns


def whole_case_turns(seeds, cases) -> int:
    """Every case stepped until settled or to its horizon, as the back-test plays it: its turns."""
    from crisis_sim.core.model import CrisisModel, turns_in

    turns = 0
    for scenario in cases:
        for seed in seeds:
            model = CrisisModel(scenario, seed, agent_records=False)
            while model.running and model.round < scenario.rounds:
                model.step()
            turns += model.round * turns_in(scenario.round_hours)
    return turns


def inner(what: str, name: str = SCENARIO) -> None:
    """The body run under callgrind: load the scenario (or the cases) and warm up, then (unless a
    base) the measured work. Loading comes before the base's end, so that no figure counts the
    parsing of a scenario file (about 10 M instructions a run and 2 M a turn when it did, until
    2026-12-07)."""
    from crisis_sim.scenario import load_scenario

    count = 0
    if what.endswith("run"):
        scenario = load_scenario(name)
        founding_runs([WARM_UP_SEED], scenario)
        if what == "run":
            count = founding_runs(RUN_SEEDS, scenario)
    else:
        cases = [load_scenario(str(path)) for path in sorted((ROOT / "cases").glob("*.yaml"))]
        case_turns([WARM_UP_SEED], cases, rounds=1)
        if what == "turns":
            count = case_turns(CASE_SEEDS, cases)
        elif what == "whole":
            count = whole_case_turns(CASE_SEEDS, cases)
    print(f"count={count}")


def instructions(what: str, name: str = SCENARIO) -> tuple[int, int]:
    """(instructions, units of work) of one callgrind run of ``inner(what)`` (``name``: the
    scenario of a per-run figure)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={tmp}/cg.out",
             sys.executable, __file__, "--inner", what, name],
            capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    collected = int(re.search(r"Collected : (\d+)", out.stderr).group(1))
    count = int(re.search(r"count=(\d+)", out.stdout).group(1))
    return collected, count


def main() -> int:
    if sys.argv[1:2] == ["--inner"]:
        inner(sys.argv[2], sys.argv[3])
        return 0
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
    name = sys.argv[sys.argv.index("--scenario") + 1] if "--scenario" in sys.argv else SCENARIO
    figures = [f for f in ("run", "turns", "whole") if only in (None, f)]
    jobs = [job for f in figures for job in ("base-turns" if f == "whole" else f"base-{f}", f)]
    jobs = list(dict.fromkeys(jobs))
    with ThreadPoolExecutor(len(jobs)) as pool:  # side by side
        counted = dict(zip(jobs, pool.map(lambda job: instructions(job, name), jobs), strict=True))
    if "run" in figures:
        per_run = (counted["run"][0] - counted["base-run"][0]) / counted["run"][1]
        print(f"{name}: {per_run / 1e6:.2f} M instructions a run "
              f"(seeds {RUN_SEEDS.start}-{RUN_SEEDS.stop - 1}, run_model until settled)")
    if "turns" in figures:
        turns = counted["turns"][1]
        per_turn = (counted["turns"][0] - counted["base-turns"][0]) / turns
        print(f"back-test cases: {per_turn / 1e6:.3f} M instructions a turn "
              f"({turns} turns: every case, seed {CASE_SEEDS.start}, first {CASE_ROUNDS} rounds)")
    if "whole" in figures:
        turns = counted["whole"][1]
        per_turn = (counted["whole"][0] - counted["base-turns"][0]) / turns
        print(f"back-test cases, whole runs: {per_turn / 1e6:.3f} M instructions a turn "
              f"({turns} turns: every case, seed {CASE_SEEDS.start}, until settled or to its horizon)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
