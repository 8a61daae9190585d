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

``--into`` writes a new folder; an existing one is updated only with ``--force`` and only if it
holds nothing but what this script writes there (the page, its figures, the pair plot).
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


def split_fitted(scenario: Any) -> tuple[dict[str, Any], set[str]]:
    """What a scenario's file states (parsed), without the paths the calibration fits
    (:data:`crisis_sim.core.calibrated.VALUES`), and which of those paths it does state."""
    from crisis_sim.core.calibrated import VALUES

    stated = scenario.model_dump(mode="json", exclude_unset=True)
    found = set()
    for path in VALUES:
        *parents, leaf = path.split(".")
        node = stated
        for key in parents:
            node = node.get(key, {})
        if leaf in node:
            found.add(path)
            del node[leaf]
    return stated, found


def case_checksums(folder: Path) -> dict[str, str]:
    """A checksum of each case as the model reads it, by case name: the SHA-256 of what its file
    states (parsed, so a comment or the layout does not count), leaving out the paths the
    calibration fits, which a study sets on every case alike and whose defaults the model's
    fingerprint covers (:func:`split_fitted`)."""
    from crisis_sim.core.canonical import canonical_json
    from crisis_sim.experiments.backtest.run import load_cases

    return {scenario.name: hashlib.sha256(canonical_json(split_fitted(scenario)[0]).encode()).hexdigest()
            for _, scenario in load_cases(folder)}


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
        "kept": kept_draws(results, [p["path"] for p in settings["parameters"]]),
    }


def kept_draws(results: Path, paths: list[str]) -> list[dict[str, float]]:
    """The study's kept draws, closest first, each path's value to four significant digits (as an
    adoption writes them into ``core/calibrated.py``'s ``POSTERIOR``)."""
    from crisis_sim.experiments.calibration.abc import adopted_value

    table = pd.read_parquet(results / "posterior.parquet").sort_values("rank")
    return [{path: adopted_value(float(row[path])) for path in paths} for _, row in table.iterrows()]


class _Plan:
    """The figures :meth:`Estimate.text` reads from a plan, from stored settings."""

    def __init__(self, settings: dict[str, Any]):
        self.cases = list(settings["cases"])
        self.draws = settings["draws"]
        self.runs = settings["runs"]
        self.point_runs = settings["accepted"] * settings["runs"]


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


ADOPTION_ORDER = ("full", "concern")
"""The studies whose verdict can adopt new defaults, in order: the five shared parameters fitted
together first; the horizon alone only when that fit is not adopted."""
CALIBRATED = PROJECT / "src" / "crisis_sim" / "core" / "calibrated.py"


def posterior_medians(printed: str) -> dict[str, float]:
    """Each fitted path's posterior median, as the study printed it (four significant digits)."""
    lines = printed.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("parameter "))
    medians = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        path, _prior, _default, median, *_ = line.split()
        medians[path] = float(median)
    return medians


def adoption(figures: dict[str, Any]) -> tuple[str, dict[str, float]] | None:
    """The first study of :data:`ADOPTION_ORDER` whose verdict adopts its posterior, with the
    posterior medians; ``None`` when none does. (Its kept draws are ``figures[name]["kept"]``.)"""
    for name in ADOPTION_ORDER:
        if name in figures and figures[name]["verdict"]["adopt"]:
            return name, posterior_medians(figures[name]["printed"])
    return None


def adopted_posterior(study: dict[str, Any], values: dict[str, float]) -> list[dict[str, float]]:
    """The kept draws an adoption writes as ``POSTERIOR``: each a value for every fitted path,
    a path the study did not fit taking its default (``values``), as a case that leaves it
    unstated would."""
    return [{path: draw.get(path, default) for path, default in values.items()} for draw in study["kept"]]


def adopt(figures: dict[str, Any], target: Path = CALIBRATED) -> str:
    """Write the adopted study's posterior medians into ``core/calibrated.py`` as the defaults,
    with what they replace; what was done, as a line. Refuses (exit 1) a study made by a model
    other than the current one: its verdict compared other defaults."""
    from crisis_sim.core.fingerprint import calibration_record, model_fingerprint

    chosen = adoption(figures)
    if chosen is None:
        return "calibration: no study adopts its posterior; the defaults stay as they are"
    name, medians = chosen
    study = figures[name]
    figures_record = PROJECT / "tests" / "data" / "figures.json"
    made = json.loads(figures_record.read_text(encoding="utf-8"))
    if model_fingerprint() not in (study["model_fingerprint"], made.get("calibration")):
        raise SystemExit(f"write_calibration_doc.py: study {name!r} was made by another model; "
                         "rerun it (--run)")
    record = calibration_record()
    values = dict(record["VALUES"])
    if all(values.get(path) == value for path, value in medians.items()):
        return f"calibration: the defaults already are study {name!r}'s posterior medians"
    unknown = sorted(set(medians) - set(values))
    if unknown:
        raise SystemExit(f"write_calibration_doc.py: {CALIBRATED}: no default for {', '.join(unknown)}")
    replaced, current = dict(values), model_fingerprint()
    replaced_posterior = list(record.get("POSTERIOR") or [])
    values.update(medians)
    text = CALIBRATED.read_text(encoding="utf-8")
    text = _assign(text, "VALUES", "dict[str, float]", values)
    text = _assign(text, "ADOPTED_FROM", "str | None", name)
    text = _assign(text, "STUDY_FINGERPRINT", "str | None", current)
    text = _assign(text, "REPLACED", "dict[str, float] | None", replaced)
    text = _assign(text, "POSTERIOR", "list[dict[str, float]]", adopted_posterior(study, values))
    text = _assign(text, "REPLACED_POSTERIOR", "list[dict[str, float]] | None", replaced_posterior)
    target.write_text(text, encoding="utf-8")
    if target == CALIBRATED:  # the studies describe the model their adoption made (figures.py)
        made["calibration"] = model_fingerprint()
        doc = SCENARIOS_DOC.read_text(encoding="utf-8")
        SCENARIOS_DOC.write_text(with_documented_defaults(doc, replaced, values), encoding="utf-8")
        figures_record.write_text(json.dumps(dict(sorted(made.items())), indent=2) + "\n", encoding="utf-8")
    changed = ", ".join(f"{p} {replaced[p]:g} -> {v:g}" for p, v in medians.items() if replaced[p] != v)
    return (f"calibration: adopted study {name!r}'s posterior medians ({changed}); every other figure "
            "is now stale")


SCENARIOS_DOC = PROJECT / "docs" / "scenarios.md"
"""The format's reference, whose tables give each field's default (``tests/test_docs.py`` checks)."""


def with_documented_defaults(text: str, replaced: dict[str, float], values: dict[str, float]) -> str:
    """``text`` (docs/scenarios.md) with each adopted path's row giving its new default: the row of
    the field named by the path's last part whose default cell states the value it replaced (an
    actor's own ``decision_noise``, whose default is ``null``, is left alone)."""
    for path, value in values.items():
        old = replaced.get(path)
        if old is None or old == value:
            continue
        field = path.rsplit(".", 1)[-1]
        row = rf"^(\| `{re.escape(field)}` \| [^|]+ \| )`{re.escape(repr(old))}`( \|)"
        text = re.sub(row, rf"\g<1>`{value!r}`\g<2>", text, flags=re.MULTILINE)
    return text


def _assign(text: str, name: str, annotation: str, value: Any) -> str:
    """``text`` with the module-level assignment of ``name`` (up to its docstring) stating ``value``."""
    if isinstance(value, dict):
        body = "".join(f"    {json.dumps(k)}: {v!r},\n" for k, v in value.items())
        literal = "{\n" + body + "}"
    elif isinstance(value, list):
        rows = ["    {\n" + "".join(f"        {json.dumps(k)}: {v!r},\n" for k, v in row.items()) + "    },\n"
                for row in value]
        literal = "[\n" + "".join(rows) + "]" if rows else "[]"
    else:
        literal = "None" if value is None else json.dumps(value)  # double-quoted, as the code is
    pattern = re.compile(rf"^{name}: [^=]+= .*?(?=\n\"\"\")", re.DOTALL | re.MULTILINE)
    if not pattern.search(text):
        raise SystemExit(f"write_calibration_doc.py: {CALIBRATED}: no assignment of {name}")
    return pattern.sub(lambda _: f"{name}: {annotation} = {literal}", text, count=1)


INTO_FILES = frozenset({DOC.name, FIGURES.name, PAIRS.name})
"""What ``--into`` writes: a folder holding anything else is not this script's to update."""


def into_problem(into: Path, force: bool) -> str | None:
    """Why ``--into`` may not be written, in one line, or None: it must be a new folder, or (with
    ``force``) one holding only what this script writes; never inside a folder of crisis-sim's."""
    from crisis_sim.runs.safe_folders import enclosing_folder

    if into.is_symlink() or (into.exists() and not into.is_dir()):
        return f"--into {into}: not a folder"
    if into.is_dir():
        names = {p.name for p in into.iterdir()}
        if not names <= INTO_FILES:
            return f"--into {into}: holds files this script did not write; choose a new folder"
        if names and not force:
            return f"--into {into}: already exists; use --force to update it"
    found = enclosing_folder(into)
    if found is not None:
        return f"--into {into}: inside the {found[1]} folder {found[0]}; choose a folder outside it"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="folder", type=Path, help="a finished calibration folder")
    parser.add_argument("--run", action="store_true", help="run the studies with their documented settings")
    parser.add_argument("--name", choices=sorted(STUDIES), help="the page's block it fills (--run: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    parser.add_argument("--adopt", action="store_true",
                        help="only apply the stored studies' verdict to the defaults (--run does it too)")
    parser.add_argument("--case", action="append", default=[], help="--run: only these cases (a quick look)")
    parser.add_argument("--draws", type=int, help="--run: other draws than the documented ones")
    parser.add_argument("--runs", type=int, help="--run: other runs than the documented ones")
    parser.add_argument("--into", type=Path, help="write the page, figures and plot into this folder")
    parser.add_argument("--force", action="store_true", help="--into: update a folder written before")
    args = parser.parse_args(argv)
    doc, figures_file, pairs = DOC, FIGURES, PAIRS
    if args.into is not None and not (args.check or args.adopt):
        problem = into_problem(args.into, args.force)
        if problem:
            print(f"{Path(sys.argv[0]).name}: {problem}", file=sys.stderr)
            return 2
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
    if args.adopt:
        print(adopt(figures))
        return 0
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
    text = doc.read_text(encoding="utf-8")  # again: the page may have been edited while the studies ran
    doc.write_text(page_with(figures, text, every=False), encoding="utf-8")
    for name in names:
        print(render(figures[name]))
    if args.run and args.into is None and not args.case and args.draws is None and args.runs is None:
        print(adopt(figures))  # only a study at its documented settings, on every case, may adopt
    return 0


if __name__ == "__main__":
    sys.exit(main())
