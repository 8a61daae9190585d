"""Run the calibration studies of docs/calibration.md and write the page's worked example.

``--run`` is the one command that regenerates everything: it runs ``crisis-sim
calibrate`` with each study's documented settings (:data:`STUDIES`) into a
temporary folder, then writes what the command printed (its cost estimate,
then the posterior, the scoreboards side by side and the verdict) between
``<!-- calibration:NAME -->`` and ``<!-- /calibration -->`` markers, copies the
pair plot of the full study to ``docs/img/calibration-pairs.png`` and keeps the
figures, with a checksum of every case file the study ran and the fingerprint
of the model that ran it (:func:`crisis_sim.core.fingerprint.model_fingerprint`),
in ``tests/data/calibration_study.json``. ``tests/test_calibration_doc.py``
checks that the page shows exactly what that file renders, that each study
ran the case files of ``cases/`` as they are now and the model as it is now::

    .venv/bin/python scripts/write_calibration_doc.py --run          # every study, then the page
    .venv/bin/python scripts/write_calibration_doc.py --run --name full
    .venv/bin/python scripts/write_calibration_doc.py --from runs/calibration --name full  # a folder
    .venv/bin/python scripts/write_calibration_doc.py --check        # exit 1 if the page is stale

A quick look at the whole pipeline, written elsewhere than the repository (``--into``)::

    .venv/bin/python scripts/write_calibration_doc.py --run --name full --case saudi_canada_2018 \
        --case us_colombia_2025 --draws 4 --runs 2 --into /tmp/calibration-check
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
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
then the horizon alone."""
STUDY_SETTINGS = {
    "full": ("--draws", "80", "--runs", "6", "--accept", "0.1", "--seed", "0", "--workers", "2"),
    "concern": ("--param", "dynamics.concern_days=5:400", "--draws", "40", "--runs", "6", "--accept", "0.2",
                "--seed", "0", "--workers", "2"),
}
"""Each study's documented settings (docs/calibration.md, "How many draws"): enough draws that
leaving a case out changes the kept set (so the leave-one-out scoreboard is not the in-sample
one), 10% of them kept."""


def case_checksums(folder: Path) -> dict[str, str]:
    """SHA-256 of each case file's bytes, by case name (a link counts as the file it names)."""
    from crisis_sim.experiments.backtest.run import load_cases

    return {s.name: hashlib.sha256(f.read_bytes()).hexdigest() for f, s in load_cases(folder)}


def figures_from_folder(folder: Path, name: str, pairs: Path = PAIRS) -> dict[str, Any]:
    """Everything the page shows, read from a calibration folder, as JSON types."""
    from crisis_sim.core.fingerprint import model_fingerprint
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
        shutil.copyfile(results / "pairs.png", pairs)
    return {
        "command": command,
        "settings": settings,
        "model_fingerprint": model_fingerprint(),
        "case_files": {k: v for k, v in case_checksums(PROJECT / settings["folder"]).items()
                       if k in settings["cases"]},
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


def run_study(name: str, tmp: Path, overrides: Sequence[str] = ()) -> Path:
    """Run ``crisis-sim calibrate`` on ``cases`` with the study's settings (then ``overrides``,
    which a later option of the same name wins) into ``tmp``; the folder made."""
    out = tmp / name
    command = [sys.executable, "-m", "crisis_sim", "calibrate", "cases", *STUDY_SETTINGS[name], *overrides,
               "--out", str(out)]
    done = subprocess.run(command, cwd=PROJECT)
    if done.returncode != 0:
        raise SystemExit(f"write_calibration_doc.py: {' '.join(command[2:])} failed ({done.returncode})")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="folder", type=Path, help="a finished calibration folder")
    parser.add_argument("--run", action="store_true", help="run the studies with their documented settings")
    parser.add_argument("--name", choices=sorted(STUDIES), help="the page's block it fills (--run: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--case", action="append", default=[], help="--run: only these cases (a quick look)")
    parser.add_argument("--draws", type=int, help="--run: other draws than the documented ones")
    parser.add_argument("--runs", type=int, help="--run: other runs than the documented ones")
    parser.add_argument("--into", type=Path, help="write the page, figures and plot into this folder")
    args = parser.parse_args(argv)
    doc, figures_file, pairs = DOC, FIGURES, PAIRS
    if args.into is not None:
        args.into.mkdir(parents=True, exist_ok=True)
        doc, figures_file, pairs = (args.into / p.name for p in (DOC, FIGURES, PAIRS))
        for source, target in ((DOC, doc), (FIGURES, figures_file)):
            if not target.exists():
                shutil.copyfile(source, target)
    text = doc.read_text(encoding="utf-8")
    if args.check:
        return 0 if page_with(json.loads(figures_file.read_text(encoding="utf-8")), text) == text else 1
    figures = json.loads(figures_file.read_text(encoding="utf-8")) if figures_file.is_file() else {}
    if args.run:
        overrides = [x for name in args.case for x in ("--case", name)]
        overrides += ["--draws", str(args.draws)] if args.draws is not None else []
        overrides += ["--runs", str(args.runs)] if args.runs is not None else []
        names = [args.name] if args.name else list(STUDIES)
        with tempfile.TemporaryDirectory(prefix="crisis-sim-calibration-") as tmp:
            for name in names:
                figures[name] = figures_from_folder(run_study(name, Path(tmp), overrides), name, pairs)
    elif args.folder is not None:
        names = [args.name or "full"]
        figures[names[0]] = figures_from_folder(args.folder, names[0], pairs)
    else:
        parser.error("give --run, --from FOLDER (a finished calibration) or --check")
    figures_file.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    doc.write_text(page_with(figures, text, every=False), encoding="utf-8")
    for name in names:
        print(render(figures[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
