"""The tracked figures: what ``make bench`` measures and writes into benchmarks/README.md.

One row per run of this script, with its date and commit, under "Tracked figures" in
benchmarks/README.md, so that a regression shows as a row that is worse than the one above:

- **instructions** (callgrind, stable on a shared machine to a few parts in a thousand): a run
  of each of three bundled scenarios until settled (seeds 0-9), and a turn of the back-test
  cases, over their first six rounds and over whole runs (``bench_instructions.py``);
- **work counts** per run of ``us_colombia_2025`` (seeds 0-99): turns played, decisions,
  policy evaluations (the deciding government's, and the observers' readings of it) per
  decision, and objects built (actions, options, decisions, views);
- **runs a second on one worker**: ``crisis-sim batch us_colombia_2025 --workers 1`` against
  ``mesa.batch_run`` at one process on the same seeds, whole commands side by side, and
  their ratio;
- **back-test wall time**: ``crisis-sim backtest`` at ``--backtest-runs`` runs a case (200, the
  documented budget, by default) on 2 workers; at fewer, scaled to 200 runs a case (an upper
  bound: the fixed costs scale too).

    .venv/bin/python benchmarks/track.py                   # everything, about 12 minutes
    .venv/bin/python benchmarks/track.py --no-write        # print the row, leave the README alone
    .venv/bin/python benchmarks/track.py --batch-runs 2000 --backtest-runs 10

Wall-clock figures (runs a second, back-test time) depend on what else the machine is doing:
the load average before and after is printed, and kept in the row. It is not a test and
always exits 0.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from batch_common import load_average, measure
from bench_instructions import instructions

ROOT = Path(__file__).resolve().parent.parent
README = Path(__file__).resolve().parent / "README.md"
SCENARIOS = ("us_colombia_2025", "chicken_audience_costs", "deportations_2025_region")
WORK_SEEDS = range(100)
MARK = "<!-- tracked rows: benchmarks/track.py appends below -->"
HEADER = (
    "| date | commit | M instr. a run: " + " / ".join(SCENARIOS) + " | M instr. a back-test turn "
    "| per run: turns / decisions / policy evaluations a decision / objects built "
    "| runs/s, 1 worker: batch / batch_run (ratio) "
    "| back-test, every case, 2 workers: measured; at 200 a case "
    "| load before → after |\n|---|---|---|---|---|---|---|---|"
)


def instruction_figures() -> tuple[list[float], float, float]:
    """M instructions a run of each of :data:`SCENARIOS`, and M instructions a back-test turn over
    the cases' first six rounds and over their whole runs."""
    jobs = [("base-run", name) for name in SCENARIOS] + [("run", name) for name in SCENARIOS]
    jobs += [("base-turns", SCENARIOS[0]), ("turns", SCENARIOS[0]), ("whole", SCENARIOS[0])]
    with ThreadPoolExecutor(2) as pool:  # two at a time: a core each
        counted = dict(zip(jobs, pool.map(lambda job: instructions(*job), jobs), strict=True))
    per_run = [(counted["run", n][0] - counted["base-run", n][0]) / counted["run", n][1] / 1e6
               for n in SCENARIOS]
    base = counted["base-turns", SCENARIOS[0]][0]
    turns, whole = counted["turns", SCENARIOS[0]], counted["whole", SCENARIOS[0]]
    return per_run, (turns[0] - base) / turns[1] / 1e6, (whole[0] - base) / whole[1] / 1e6


def work_counts(name: str = SCENARIOS[0], seeds: range = WORK_SEEDS) -> dict[str, float]:
    """Per run of ``name``: turns played, decisions, policy evaluations a decision, objects built.

    Counted by wrapping, in this process only, the methods that do the work: every policy
    class's ``options`` (the deciding government's and every reading of it), ``Government.decide``
    and the constructors of the model's value objects.
    """
    from crisis_sim.core import types as types_module
    from crisis_sim.core import view as view_module
    from crisis_sim.core.government import Government
    from crisis_sim.core.model import turns_in
    from crisis_sim.core.policy import REGISTRY
    from crisis_sim.runs.single_run import run_model
    from crisis_sim.scenario import load_scenario

    counts: Counter[str] = Counter()

    def counting(owner: type, method: str, label: str) -> None:
        original = owner.__dict__[method]

        def counted(*args, **kwargs):
            counts[label] += 1
            return original(*args, **kwargs)

        setattr(owner, method, counted)

    counting(Government, "decide", "decisions")
    for cls in {REGISTRY[policy] for policy in REGISTRY}:
        if "options" in cls.__dict__:
            counting(cls, "options", "evaluations")
    built = (types_module.Action, types_module.Option, types_module.Decision, view_module.WorldView,
             view_module.MeasureView, view_module.IssueView, view_module.Profile)
    for cls in built:
        counting(cls, "__init__", "objects")
    scenario = load_scenario(name)
    for seed in seeds:
        model = run_model(scenario, seed)
        counts["turns"] += model.round * turns_in(scenario.round_hours)
    runs = len(seeds)
    return {"turns": counts["turns"] / runs, "decisions": counts["decisions"] / runs,
            "evaluations": counts["evaluations"] / max(1, counts["decisions"]),
            "objects": counts["objects"] / runs}


def batch_speeds(runs: int) -> tuple[float, float]:
    """Runs a second of ``crisis-sim batch --workers 1`` and of ``mesa.batch_run`` at one process
    (``bench_batch_vs_mesa.py``), same scenario and seeds, whole commands."""
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        ours = measure([sys.executable, "-m", "crisis_sim", "batch", SCENARIOS[0], "--runs", str(runs),
                        "--seed", "0", "--workers", "1", "--out", str(Path(tmp) / "b"), "--json"],
                       memory=False)
        mesa_child = [sys.executable, str(here / "bench_batch_vs_mesa.py"), "--mesa-child", str(runs), "1"]
        theirs = measure(mesa_child, memory=False)
    return runs / ours.seconds, runs / theirs.seconds


def backtest_seconds(runs: int) -> tuple[float, int]:
    """Wall seconds of ``crisis-sim backtest`` at ``runs`` runs a case on 2 workers, and its cases."""
    cases = len(list((ROOT / "cases").glob("*.yaml")))
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "crisis_sim", "backtest", "--runs", str(runs), "--workers", "2",
                        "--out", str(Path(tmp) / "bt")], check=True, capture_output=True, cwd=ROOT)
        return time.perf_counter() - began, cases


def commit() -> str:
    out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True, cwd=ROOT)
    return (out.stdout.strip() or "?") + ("+" if dirty.stdout.strip() else "")


def row(args: argparse.Namespace) -> str:
    before = load_average()
    per_run, per_turn, per_whole_turn = instruction_figures()
    each = ", ".join(f"{n} {m:.2f} M" for n, m in zip(SCENARIOS, per_run, strict=True))
    print(f"instructions a run: {each}; a back-test turn {per_turn:.3f} M (first six rounds), "
          f"{per_whole_turn:.3f} M (whole runs)", flush=True)
    work = work_counts()
    print(f"per run of {SCENARIOS[0]}: {work['turns']:.1f} turns, {work['decisions']:.1f} decisions, "
          f"{work['evaluations']:.2f} policy evaluations a decision, {work['objects']:.0f} objects built",
          flush=True)
    ours, theirs = batch_speeds(args.batch_runs)
    print(f"runs a second on one worker ({args.batch_runs} runs): batch {ours:.0f}, "
          f"mesa.batch_run {theirs:.0f} ({ours / theirs:.2f}x)", flush=True)
    seconds, cases = backtest_seconds(args.backtest_runs)
    at_200 = seconds * 200 / args.backtest_runs
    print(f"back-test, {cases} cases x {args.backtest_runs} runs, 2 workers: {seconds / 60:.1f} min",
          flush=True)
    after = load_average()
    return (f"| {dt.date.today().isoformat()} | {commit()} | " + " / ".join(f"{m:.1f}" for m in per_run)
            + f" | {per_turn:.2f} (first 6 rounds); {per_whole_turn:.2f} (whole runs)"
            f" | {work['turns']:.0f} / {work['decisions']:.1f} / {work['evaluations']:.2f}"
            f" / {work['objects']:.0f} | {ours:.0f} / {theirs:.0f} ({ours / theirs:.2f}×) | "
            + (f"{seconds / 60:.1f} min at 200 a case " if args.backtest_runs == 200 else
               f"{seconds / 60:.1f} min at {args.backtest_runs} a case; ≤ ~{at_200 / 60:.0f} min at 200 ")
            + f"| {before} → {after} |")


README_MARKS = ("<!-- bench:begin -->", "<!-- bench:end -->")
LABELS = ("date", "commit", "M instructions a run (" + ", ".join(SCENARIOS) + "; seeds 0-9)",
          "M instructions a back-test turn: the cases' first six rounds; whole runs (target ≤ 0.80, "
          "set against 2.4 M over whole runs)",
          "per run of us_colombia_2025: turns / decisions / policy evaluations a decision / objects built",
          "runs a second on one worker: crisis-sim batch / mesa.batch_run (ratio; targets ≥ 400, ≥ 1.5×)",
          "back-test, every case, 2 workers (target ≤ 5 min at 200 runs a case)",
          "load average before → after")


def show_in_readme(line: str) -> None:
    """The latest row, as a two-column table between the README's bench marks."""
    path = ROOT / "README.md"
    text = path.read_text(encoding="utf-8")
    begin, end = README_MARKS
    if begin not in text or end not in text:
        raise SystemExit(f"{path}: no {begin} ... {end} to write between")
    cells = [c.strip() for c in line.strip().strip("|").split("|")]
    table = "| figure | measured |\n|---|---|\n" + "".join(
        f"| {label} | {cell} |\n" for label, cell in zip(LABELS, cells, strict=True))
    head, rest = text.split(begin, 1)
    path.write_text(head + begin + "\n" + table + end + rest.split(end, 1)[1], encoding="utf-8")


def append(line: str) -> None:
    text = README.read_text(encoding="utf-8")
    if MARK not in text:
        raise SystemExit(f"{README}: no line {MARK!r} to append below")
    head, tail = text.split(MARK, 1)
    table, rest = [*tail.split("\n\n", 1), ""][:2]
    rows = [r for r in table.strip().splitlines() if r.startswith("|")][2:]
    table = "\n" + HEADER + "\n" + "\n".join([*rows, line]) + "\n"
    README.write_text(head + MARK + table + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-runs", type=int, default=4000)
    parser.add_argument("--backtest-runs", type=int, default=200)
    parser.add_argument("--no-write", action="store_true", help="print the row only")
    args = parser.parse_args()
    os.chdir(ROOT)
    line = row(args)
    print(line)
    if not args.no_write:
        append(line)
        show_in_readme(line)
        print(f"appended to {README.relative_to(ROOT)}; shown in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
