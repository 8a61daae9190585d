"""Benchmark (e): peak memory of ``crisis-sim batch`` as runs get longer (1,000 to 100,000 rounds).

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_batch_long_runs.py                         # 20 runs; 3-5 min
    .venv/bin/python benchmarks/bench_batch_long_runs.py --runs 10 --rounds 1000 10000   # quicker

Each batch is the command a user types: ``python -m crisis_sim batch`` on
the bundled default scenario with ``--set rounds=R --set
stop_when_settled=false`` (every run steps all R rounds), the same number of
runs for every R, default workers, ``--json``, in a fresh process; its peak
memory is measured as in the other batch benchmarks (``batch_common.py``:
summed PSS of the command and its workers, and the largest single process).

A batch keeps only the chunks in flight in memory, and a chunk holds at most
``MAX_CHUNK_ROWS`` trajectory rows (runs x rounds; ``chunk_size_for`` in
``crisis_sim.batch.api``), so memory grows with rounds only until a chunk is
full, then stays bounded by one chunk's tables per worker, however long the
runs. Printed for each R: the chunk size the plan chose, the trajectory rows
of the largest chunk, the in-memory size of that chunk's trajectory table
(read back from its Parquet file with pyarrow), and the peaks. Target: the
peak of the largest process at most its peak at the smallest R plus 3 times
one chunk's trajectory table. The model's collector keeps each numeric
variable in an ``array.array`` (8 bytes a value), the chunk gathers its runs'
rows the same way, and the Arrow table is built on those buffers without a
copy, so the chunk is held about once, plus what writing Parquet needs. On a
2-CPU machine, 10 runs of 100,000 rounds (one chunk of 1,000,010 rows, 132 MB
as Arrow): largest process 750 MB when rows were Python lists, 503 MB with
compact columns, against 222 MB at 1,000 rounds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from batch_common import load_average, machine, mb, measure, verdict

SCENARIO = "us_colombia_2025"
FACTOR = 3.0


def largest_chunk_table_mb(folder: Path) -> tuple[int, float]:
    """Rows and in-memory (Arrow) size of the batch's largest trajectories chunk."""
    import pyarrow.parquet as pq

    best = (0, 0.0)
    for part in sorted((folder / "trajectories").glob("part-*.parquet")):
        table = pq.read_table(part)
        best = max(best, (table.num_rows, table.nbytes / 2**20))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs in each batch (default 20)")
    parser.add_argument("--rounds", type=int, nargs="+", default=[1000, 10_000, 100_000], metavar="R")
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    args = parser.parse_args()
    print(f"(e) peak memory of crisis-sim batch as runs get longer: {SCENARIO}, {args.runs} runs, "
          f"rounds {', '.join(f'{r:,}' for r in args.rounds)}, stop_when_settled=false")
    print(f"    {machine()}")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rounds in args.rounds:
            out = Path(tmp) / f"r{rounds}"
            command = [sys.executable, "-m", "crisis_sim", "batch", SCENARIO, "--runs", str(args.runs)]
            command += ["--set", f"rounds={rounds}", "--set", "stop_when_settled=false"]
            command += ["--out", str(out), "--json"]
            if args.workers:
                command += ["--workers", str(args.workers)]
            got = measure(command)
            assert got.report["n_runs"] == args.runs, got.report
            manifest = json.loads((out / "manifest.json").read_text())
            rows, table_mb = largest_chunk_table_mb(out)
            figures[rounds] = (got, table_mb)
            print(
                f"    {rounds:>7,} rounds: {got.seconds:6.1f} s; chunks of {manifest['chunk_size']} runs "
                f"({manifest['n_chunks']} chunks), largest {rows:,} rows = {table_mb:,.0f} MB in memory; "
                f"peak {mb(got.peak_tree_mb)} (all processes, PSS), "
                f"{mb(got.largest_process_mb)} (largest process), {mb(got.peak_rss_sum_mb)} (summed RSS)"
            )
    smallest, largest = min(args.rounds), max(args.rounds)
    base, (top, table_mb) = figures[smallest][0], figures[largest]
    bound = base.largest_process_mb + FACTOR * table_mb
    print(
        f"    largest process at {largest:,} rounds: {top.largest_process_mb:,.0f} MB; bound "
        f"{base.largest_process_mb:,.0f} MB + {FACTOR:g} x {table_mb:,.0f} MB = {bound:,.0f} MB  "
        f"{verdict(top.largest_process_mb <= bound)}"
    )
    print(f"    load average after: {load_average()}")


if __name__ == "__main__":
    main()
