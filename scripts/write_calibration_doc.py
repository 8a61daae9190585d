"""Write the worked example of docs/calibration.md from a finished calibration folder.

A full calibration takes most of an hour here, so this script does not run
one: make it with the command the page shows, then point the script at the
folder. It writes what the command printed (its cost estimate, then the
posterior, the scoreboards side by side and the verdict) between
``<!-- calibration -->`` and ``<!-- /calibration -->`` markers, copies the pair
plot to ``docs/img/calibration-pairs.png`` and keeps the figures, with the
content hash of every case the study ran, in
``tests/data/calibration_study.json``. ``tests/test_calibration_doc.py``
checks that the page shows exactly what that file renders and that the
study's cases are the cases of ``cases/`` as they are now::

    crisis-sim calibrate cases --draws 40 --runs 10 --accept 0.2 --seed 0 --workers 2 \\
        --out runs/calibration --force
    .venv/bin/python scripts/write_calibration_doc.py --from runs/calibration
    .venv/bin/python scripts/write_calibration_doc.py --check    # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
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
BLOCK = re.compile(r"(<!-- calibration -->\n)(.*?)(<!-- /calibration -->)", re.DOTALL)
SHOWN_OUT = "runs/calibration"


def figures_from_folder(folder: Path) -> dict[str, Any]:
    """Everything the page shows, read from a calibration folder, as JSON types."""
    from crisis_sim.analysis.abc_report import summary_text
    from crisis_sim.batch.calibrate import RESULTS_DIR, SETTINGS, Estimate

    stored = json.loads((folder / SETTINGS).read_text(encoding="utf-8"))
    settings, estimate = stored["settings"], stored["estimate"]
    results = folder / RESULTS_DIR
    summary = pd.read_parquet(results / "posterior_summary.parquet")
    board = pd.read_parquet(results / "scoreboard.parquet")
    total = pd.read_csv(results / "totals.csv")
    verdict = json.loads((results / "verdict.json").read_text(encoding="utf-8"))
    pilot = Estimate(runs=estimate["runs"], pilot_runs=estimate["pilot_runs"],
                     pilot_seconds=estimate["pilot_seconds"], workers=estimate["workers"],
                     per_case_seconds=estimate["pilot_seconds_per_case"], done=estimate["done"])
    command = list(stored["command"])
    if "--out" in command:
        command[command.index("--out") + 1] = SHOWN_OUT
    shutil.copyfile(results / "pairs.png", PAIRS)
    return {
        "command": command,
        "settings": settings,
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


def page_with(figures: dict[str, Any], text: str) -> str:
    if not BLOCK.search(text):
        raise SystemExit(f"{DOC}: no <!-- calibration --> ... <!-- /calibration --> block")
    return BLOCK.sub(lambda m: m.group(1) + render(figures) + m.group(3), text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="folder", type=Path, help="a finished calibration folder")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        return 0 if page_with(json.loads(FIGURES.read_text(encoding="utf-8")), text) == text else 1
    if args.folder is None:
        parser.error("give --from FOLDER (a finished calibration) or --check")
    figures = figures_from_folder(args.folder)
    FIGURES.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    DOC.write_text(page_with(figures, text), encoding="utf-8")
    print(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
