"""Regenerate the current scoreboard of docs/backtest.md from the model.

The scoreboard the page shows sits between ``<!-- scoreboard -->`` and
``<!-- /scoreboard -->`` markers. This script runs the back-test (every case
of ``cases/``, 50 runs each, root seed 0, as
``crisis-sim backtest cases --runs 50 --seed 0`` does) or reads a back-test
folder already written with ``--from``, writes the scoreboard between the
markers and keeps the rows and totals in ``tests/data/backtest_scoreboard.json``.
The baselines and the totals are pure functions of the rows, so ``--rescore``
recomputes them from the stored rows without running anything, and ``--case
NAME`` reruns only that case (same runs and seed as the stored figures) and
rescores the rest as stored: each case's batch is seeded on its own, so either
gives what a full run would. ``tests/test_backtest_doc.py`` checks that the
page shows exactly what that file renders to, that the file covers exactly the
cases of ``cases/`` with their records and baselines, and recomputes one case
live::

    .venv/bin/python scripts/write_backtest_doc.py                      # run it (about 10 min on 2 CPUs)
    .venv/bin/python scripts/write_backtest_doc.py --from runs/backtest # from a folder already written
    .venv/bin/python scripts/write_backtest_doc.py --case us_colombia_2025  # rerun one changed case
    .venv/bin/python scripts/write_backtest_doc.py --rescore            # totals and baselines, no run
    .venv/bin/python scripts/write_backtest_doc.py --check              # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
DOC = PROJECT / "docs" / "backtest.md"
FIGURES = PROJECT / "tests" / "data" / "backtest_scoreboard.json"
PICTURE = PROJECT / "docs" / "img" / "backtest-scoreboard.png"
CASES = PROJECT / "cases"
RUNS = 50
SEED = 0
BLOCK = re.compile(r"(<!-- scoreboard -->\n)(.*?)(<!-- /scoreboard -->)", re.DOTALL)


def figures_from_folder(folder: Path) -> dict[str, Any]:
    """The scoreboard rows and totals of a back-test folder, as JSON types, with the runs per
    case and the root seed its case batches were made with."""
    table = pd.read_parquet(folder / "backtest.parquet")
    overall = json.loads((folder / "overall.json").read_text(encoding="utf-8"))
    rows = json.loads(table.to_json(orient="records"))  # NaN and NA become null
    first = json.loads((folder / "cases" / rows[0]["case"] / "manifest.json").read_text(encoding="utf-8"))
    return {"runs": first["runs"], "seed": first["seed"], "rows": rows, "overall": overall}


def run_figures(runs: int, seed: int, workers: int | None) -> dict[str, Any]:
    """Run the back-test of ``cases/`` and return its figures."""
    from crisis_sim.experiments.backtest.run import run_backtest

    with tempfile.TemporaryDirectory() as tmp:
        result = run_backtest(CASES, runs, seed, Path(tmp) / "bt", workers=workers, progress=True)
        return figures_from_folder(result.path)


def rescored(figures: dict[str, Any], new_rows: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The figures with ``new_rows`` in place of the stored rows of the same cases, and the
    baselines and totals recomputed from the rows (no run)."""
    from crisis_sim.experiments.backtest.scoring import overall_scores, scoreboard

    replaced = {r["case"]: r for r in new_rows}
    rows = [replaced.pop(r["case"], r) for r in figures["rows"]]
    rows = sorted([*rows, *replaced.values()], key=lambda r: r["case"])
    table = scoreboard(rows)
    overall = json.loads(json.dumps(overall_scores(table), allow_nan=False, default=_plain))
    return {**figures, "rows": json.loads(table.to_json(orient="records")), "overall": overall}


def run_cases(names: Sequence[str], runs: int, seed: int, workers: int | None) -> list[dict[str, Any]]:
    """The scoreboard rows of the named cases of ``cases/``, each run afresh as a batch."""
    from crisis_sim.batch.api import run_batch
    from crisis_sim.experiments.backtest.run import load_cases
    from crisis_sim.experiments.backtest.scoring import Observed, score_case

    cases = {s.name: (f, s) for f, s in load_cases(CASES)}
    unknown = sorted(set(names) - set(cases))
    if unknown:
        raise SystemExit(f"--case: no such case in {CASES}: {', '.join(unknown)}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            file, scenario = cases[name]
            batch = run_batch(scenario, runs, seed=seed, workers=workers, out=Path(tmp) / name,
                              source=str(file), progress=True)
            rows.append(score_case(name, batch.runs, Observed.from_history(scenario.history),
                                   list(scenario.measures)))
    return rows


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else str(value)


def render(figures: dict[str, Any]) -> str:
    """The block the page shows: the command, then the scoreboard as it printed."""
    from crisis_sim.experiments.backtest.scoring import scoreboard, scoreboard_text

    table = scoreboard(figures["rows"])
    command = (f"crisis-sim backtest cases --runs {figures['runs']} --seed {figures['seed']} "
               "--out runs/backtest --force")
    return f"```\n$ {command}\n{scoreboard_text(table, figures['overall'])}\n```\n"


def page_with(figures: dict[str, Any], text: str) -> str:
    if not BLOCK.search(text):
        raise SystemExit(f"{DOC}: no <!-- scoreboard --> ... <!-- /scoreboard --> block")
    return BLOCK.sub(lambda m: m.group(1) + render(figures) + m.group(3), text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="folder", type=Path, help="a back-test folder already written")
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per case")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--case", action="append", default=[], metavar="NAME",
                        help="rerun only this case (repeatable) and rescore the stored rest")
    parser.add_argument("--rescore", action="store_true",
                        help="recompute the baselines and totals from the stored rows, without a run")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--figure", action="store_true",
                        help="only redraw docs/img/backtest-scoreboard.png from the stored rows")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        figures = json.loads(FIGURES.read_text(encoding="utf-8"))
        return 0 if page_with(figures, text) == text else 1
    if args.figure:
        draw(json.loads(FIGURES.read_text(encoding="utf-8")))
        return 0
    if args.case or args.rescore:
        stored = json.loads(FIGURES.read_text(encoding="utf-8"))
        figures = rescored(stored, run_cases(args.case, stored["runs"], stored["seed"], args.workers))
    elif args.folder is not None:
        figures = figures_from_folder(args.folder)
    else:
        figures = run_figures(args.runs, args.seed, args.workers)
    FIGURES.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    # the page as it is now, not as it was before the runs: another generator may have written its
    # own block of it meanwhile (scripts/figures.py runs two at once)
    DOC.write_text(page_with(figures, DOC.read_text(encoding="utf-8")), encoding="utf-8")
    draw(figures)
    print(render(figures))
    return 0


def draw(figures: dict[str, Any]) -> None:
    """The scoreboard figure of the page (:mod:`crisis_sim.experiments.backtest.figure`), from the
    stored rows: the one the back-test writes beside its scoreboard."""
    from crisis_sim.experiments.backtest.figure import save_scoreboard
    from crisis_sim.experiments.backtest.scoring import scoreboard

    save_scoreboard(scoreboard(figures["rows"]), PICTURE)


if __name__ == "__main__":
    sys.exit(main())
