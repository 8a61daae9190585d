"""Fingerprint what the program writes, to show that a refactoring changed no output.

For every bundled scenario and seeds 0-9, and every back-test case (cases/) and seeds 0-1,
it writes a run folder (no plots) and hashes its data files (trajectory, actors, events,
outcome); then it runs
two batches through the library (400 runs of the firm what-if over a
two-point sweep, 100 runs of the regional scenario) and hashes their tables
(decoded: the rows, not the Parquet bytes, which carry the writer's version)
and summaries. Manifests are left out: they hold times and versions; so is the folder
marker ``.crisis-sim`` (it says what the folder is, not what it computed).

    python scripts/output_fingerprint.py            # print the fingerprint as JSON
    python scripts/output_fingerprint.py --check F  # compare with a saved one; exit 1 on a difference
    python scripts/output_fingerprint.py --write F [--force]  # save it (--force: over an old one)

``tests/data/output_fingerprint.json`` is the saved fingerprint a test compares
against; regenerate it with ``--write`` when a change is meant to move outputs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

RUN_FILES = ("trajectory.csv", "actors.csv", "events.jsonl", "outcome.json")
SEEDS = range(10)
BATCHES = {
    "firm_sweep": {"scenario": "us_colombia_2025_firm", "runs": 40, "seed": 0,
                   "sweep": ["trade.0.usd_bn=7.15,14.3"]},
    "region": {"scenario": "deportations_2025_region", "runs": 100, "seed": 0, "sweep": None},
}


CASE_SEEDS = range(2)
"""Seeds of each back-test case (cases/*.yaml) whose run files are hashed too."""


def _digest(path: Path) -> str:
    """The SHA-256 of a file's content; of a Parquet table's decoded rows, not its bytes (which
    carry the writer's version), as CSV with every number written in full."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return hashlib.sha256(pq.read_table(path).to_pandas().to_csv(index=False).encode()).hexdigest()
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _api():
    """The library functions this script needs, wherever the package keeps them."""
    try:
        from crisis_sim.batch import run_batch
        from crisis_sim.runs import run_scenario, write_run
        from crisis_sim.scenario import bundled_scenarios, load_scenario
    except ImportError:  # the flat layout before the package was split into layers
        from crisis_sim.batch import run_batch
        from crisis_sim.runs.run_folder import write_run
        from crisis_sim.runs.single_run import run_scenario
        from crisis_sim.scenario import bundled_scenarios, load_scenario
    return run_batch, run_scenario, write_run, bundled_scenarios, load_scenario


def fingerprint(seeds=SEEDS) -> dict[str, str]:
    run_batch, run_scenario, write_run, bundled_scenarios, load_scenario = _api()
    out: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in bundled_scenarios():
            scenario = load_scenario(name)
            for seed in seeds:
                folder = write_run(run_scenario(scenario, seed), root / f"{name}-{seed}",
                                   command=["fingerprint"], plots=False)
                for file in RUN_FILES:
                    out[f"run/{name}/seed{seed}/{file}"] = _digest(folder / file)
        cases = Path(__file__).resolve().parents[1] / "cases"
        for path in sorted(cases.glob("*.yaml")):
            scenario = load_scenario(str(path))
            for seed in CASE_SEEDS:
                folder = write_run(run_scenario(scenario, seed), root / f"case-{path.stem}-{seed}",
                                   command=["fingerprint"], plots=False)
                for file in RUN_FILES:
                    out[f"case/{path.stem}/seed{seed}/{file}"] = _digest(folder / file)
        for label, args in BATCHES.items():
            folder = root / f"batch-{label}"
            run_batch(args["scenario"], args["runs"], seed=args["seed"], sweep=args["sweep"],
                      workers=2, out=folder, progress=False)
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.name not in ("manifest.json", ".crisis-sim") \
                        and path.suffix != ".png":
                    out[f"batch/{label}/{path.relative_to(folder)}"] = _digest(path)
    return out


MAX_BYTES = 16_000_000
"""Most bytes of a saved fingerprint read back (it holds about two hundred digests)."""


def _saved(path: Path) -> dict[str, str] | None:
    """The fingerprint saved in ``path`` (a regular file of at most :data:`MAX_BYTES`: devices and
    FIFOs refused), or None when it is not one: a JSON object of run/, case/ and batch/ digests."""
    from crisis_sim.scenario.errors import ScenarioError
    from crisis_sim.scenario.files import read_limited

    if path.is_symlink():
        return None
    try:
        data = json.loads(read_limited(path, MAX_BYTES).decode("utf-8"))
    except (ScenarioError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not data:
        return None
    if not all(isinstance(k, str) and k.startswith(("run/", "case/", "batch/")) and isinstance(v, str)
               for k, v in data.items()):
        return None
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", type=Path, help="compare with this saved fingerprint")
    group.add_argument("--write", type=Path, help="save the fingerprint here")
    parser.add_argument("--force", action="store_true", help="with --write: replace an existing file")
    args = parser.parse_args(argv)
    prog = Path(sys.argv[0]).name
    if args.write and (args.write.exists() or args.write.is_symlink()):
        if not args.force:
            print(f"{prog}: {args.write}: already exists; use --force to replace it", file=sys.stderr)
            return 2
        if _saved(args.write) is None:  # --force replaces a fingerprint, nothing else
            print(f"{prog}: {args.write}: not a saved fingerprint; not replacing it", file=sys.stderr)
            return 2
    saved = _saved(args.check) if args.check else None
    if args.check and saved is None:
        print(f"{prog}: {args.check}: not a saved fingerprint", file=sys.stderr)
        return 2
    current = fingerprint()
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
        print(f"{len(current)} files fingerprinted into {args.write}")
        return 0
    if saved is not None:
        differ = sorted(k for k in saved.keys() | current.keys() if saved.get(k) != current.get(k))
        for key in differ:
            print(f"differs: {key}")
        print(f"{len(current)} files, {len(differ)} differ from {args.check}")
        return 1 if differ else 0
    json.dump(current, sys.stdout, indent=1, sort_keys=True)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
