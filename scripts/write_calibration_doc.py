"""Write the worked example of docs/calibration.md from a finished calibration folder.

A calibration takes most of an hour here, so this script does not run one:
make it with the command the page shows, then point the script at the
folder, naming the page's block it fills (:data:`STUDIES`). It writes what
the command printed (its cost estimate, then the posterior, the scoreboards
side by side and the verdict) between ``<!-- calibration:NAME -->`` and
``<!-- /calibration -->`` markers, copies the pair plot of the full study to
``docs/img/calibration-pairs.png`` and keeps the figures, with a checksum of
every case file the study ran, in ``tests/data/calibration_study.json``.
``tests/test_calibration_doc.py`` checks that the page shows exactly what
that file renders and that each study's case files are those of ``cases/``
as they are now::

    crisis-sim calibrate cases --draws 40 --runs 10 --accept 0.2 --seed 0 --workers 2 \\
        --out runs/calibration --force
    .venv/bin/python scripts/write_calibration_doc.py --from runs/calibration --name full
    .venv/bin/python scripts/write_calibration_doc.py --check    # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
DOC = PROJECT / "docs" / "calibration.md"
FIGURES = PROJECT / "tests" / "data" / "calibration_study.json"
PAIRS = PROJECT / "docs" / "img" / "calibration-pairs.png"
BLOCK = re.compile(r"(<!-- calibration:(\w+) -->\n)(.*?)(<!-- /calibration -->)", re.DOTALL)
STUDIES = {"full": "runs/calibration", "concern": "runs/calibration-concern"}
"""The page's studies and the folder each command names: the five shared parameters at once,
then the horizon alone (the one adopted)."""


def case_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of each case file's bytes, by case name (a link counts as the file it names)."""
    from crisis_sim.experiments.backtest.run import load_cases

    return {s.name: hashlib.sha256(f.read_bytes()).hexdigest() for f, s in load_cases(folder)}


def figures_from_folder(folder: Path, name: str) -> dict[str, Any]:
    """Everything the page shows, read from a calibration folder, as JSON types."""
    from crisis_sim.experiments.calibration.report import summary_text
    from crisis_sim.experiments.calibration.run import RESULTS_DIR, SETTINGS, Estimate

    stored = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
    settings, estimate = stored["settings"], stored["estimate"]
    results = folder / RESULTS_DIR
    summary = pd.read_parquet(results / "posterior_summary.parquet")
    board = pd.read_parquet(results / "scoreboard.parquet")
    total = pd.read_csv(results / "totals.csv")
    verdict = json.loads((results / "verdict.json").read_text(encoding="utf-8"))
    pilot = Estimate(runs=estimate["runs"], pilot_runs=estimate["pilot_runs"],
                     pilot_seconds=estimate["pilot_seconds"], workers=estimate["workers"],
                     per_case_seconds=estimate["pilot_seconds_per_case"], done=estimate["done"],
                     fixed_seconds=estimate.get("fixed_seconds", 0.0))
    command = list(stored["command"])
    if "--out" in command:
        command[command.index("--out") + 1] = STUDIES[name]
    if name == "full":
        shutil.copyfile(results / "pairs.png", PAIRS)
    return {
        "command": command,
        "settings": settings,
        "case_files": case_checksums(PROJECT / settings["folder"]),
        "printed": "\n".join([
            pilot.text(_Plan(settings)),
            summary_text(summary, board, total, verdict, accepted=settings["accepted"],
                         draws=settings["draws"]),
        ]),
        "totals": json.loads(total.to_json(orient="records")),
        "verdict": verdict,
    }


class _Plan:
    """The two figures :meth:`Estimate.text` reads from a plan, from stored settings."""

    def __init__(self, settings: dict[str, Any]):
        self.cases = list(settings["cases"])
        self.draws = settings["draws"]
        self.runs = settings["runs"]


def render(figures: dict[str, Any]) -> str:
    command = " ".join(figures["command"])
    return f"```\n$ {command}\n{figures['printed']}\n```\n"


def page_with(figures: dict[str, Any], text: str, *, every: bool = True) -> str:
    """The page with each block holding what its study's figures render (``every``: the page
    must have one block per study and the figures every study)."""
    names = [m.group(2) for m in BLOCK.finditer(text)]
    if every and sorted(names) != sorted(figures):
        raise SystemExit(f"{DOC}: calibration blocks {names}, figures for {sorted(figures)}")

    def block(m: re.Match) -> str:
        name = m.group(2)
        return m.group(1) + (render(figures[name]) if name in figures else "") + m.group(4)

    return BLOCK.sub(block, text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="folder", type=Path, help="a finished calibration folder")
    parser.add_argument("--name", choices=sorted(STUDIES), default="full", help="the page's block it fills")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        return 0 if page_with(json.loads(FIGURES.read_text(encoding="utf-8")), text) == text else 1
    if args.folder is None:
        parser.error("give --from FOLDER (a finished calibration) or --check")
    figures = json.loads(FIGURES.read_text(encoding="utf-8")) if FIGURES.is_file() else {}
    figures[args.name] = figures_from_folder(args.folder, args.name)
    FIGURES.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    DOC.write_text(page_with(figures, text, every=False), encoding="utf-8")
    print(render(figures[args.name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
