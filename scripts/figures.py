"""Every stored figure, how it is made, what it costs, and which model made it.

A stored figure is anything in the repository computed by running the model: a
docs page's generated block, a teaching table, the gallery's PNGs, the
back-test scoreboard, the sensitivity and calibration studies, the golden
narration, the output fingerprint, the dashboard's screenshot. :data:`FIGURES` is the manifest (figure →
the commands that make it → their cost on 2 cores); ``tests/data/figures.json``
records, for each figure, the fingerprint of the model that made it
(:func:`crisis_sim.core.fingerprint.model_fingerprint`), ``tests/data/figure_inputs.json``
what the scenarios, cases and examples it was made from said (:func:`inputs_hash`), and
``tests/test_stale_figures.py`` lists every figure made by another model or from inputs that
have changed since (a case rewritten makes the back-test's figures stale, not a comment).

    .venv/bin/python scripts/figures.py               # regenerate every figure, in parallel
    .venv/bin/python scripts/figures.py --list        # the manifest and which figures are stale
    .venv/bin/python scripts/figures.py backtest gallery   # only these
    .venv/bin/python scripts/figures.py --jobs 2      # how many generators run at once
    .venv/bin/python scripts/figures.py --unchanged   # the code moved but not its outputs: re-record

(``make figures`` runs the first; ``make calibrate`` the calibration, then every figure it made
stale.) A figure is recorded only when all of its commands succeed; a failed one keeps its old
record, so it stays stale. The calibration runs first and alone: when its verdict adopts new
defaults (``scripts/write_calibration_doc.py``), the model changes, and the other figures are
then made by the model with the adopted defaults.
``--unchanged`` is for a change to the model's code that is meant to move no
output (a faster kernel, a refactoring): it runs the output fingerprint's check
(every bundled scenario, seeds 0-9, and two batches, hashed) and, only if not
one file differs, records the current model for every figure that was current
for the model before (given as ``--unchanged FINGERPRINT``, default: the one
most figures record). It records no inputs: a figure whose scenarios or cases changed stays
stale until it is remade.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "data" / "figures.json"
PY = sys.executable


@dataclass(frozen=True)
class Figure:
    name: str
    commands: tuple[tuple[str, ...], ...]
    minutes: float
    """Rough cost on an idle 2-core machine (all of its commands)."""
    makes: str
    inputs: tuple[str, ...] = ()
    """Folders of YAML files it is made from (the bundled scenarios, the cases, the examples): a
    change to what one of them says, not to a comment or to the order of keys, makes the figure
    stale as a change of the model does (:func:`inputs_hash`)."""


LESSONS, CASES, EXAMPLES = "scenarios", "cases", "examples"
INPUTS_RECORD = ROOT / "tests" / "data" / "figure_inputs.json"
"""For each figure with :attr:`Figure.inputs`, the :func:`inputs_hash` of the files it was made from."""


CALIBRATION_MINUTES = 12.0
"""The two calibration studies at their documented settings (``write_calibration_doc.py --run``)
on the shared 2-core machine, 2 workers: both together 12.4 min after the cases took the
catalogue's kinds (migration pressure and one-off acts leave fewer runs settled early), 6.3 min
before (measured on 7 December 2026 by
``scripts/figures.py calibration``, after quiet blocks stopped repeating readings that change
nothing; 11.3 and 11.6 min earlier that day). ``crisis-sim calibrate --estimate`` bounds them at
3 h 05 min and 1 h 33 min, every run to its horizon."""

FIGURES = (
    Figure("output_fingerprint",
           ((PY, "scripts/output_fingerprint.py", "--write", "tests/data/output_fingerprint.json",
             "--force"),),
           1.5, "tests/data/output_fingerprint.json", (LESSONS, CASES)),
    Figure("golden_narration", ((PY, "tests/regen_golden.py"),), 0.1,
           "tests/golden/us_colombia_2025_seed0.txt", (LESSONS,)),
    Figure("policy_docs", ((PY, "scripts/write_policy_docs.py"),), 0.1, "docs/policies.md"),
    Figure("parameter_table", ((PY, "scripts/write_parameter_table.py"),), 0.1,
           "docs/model.md (the parameter table: an adoption changes the fitted defaults)"),
    Figure("teaching", ((PY, "scripts/write_teaching_figures.py"),), 1,
           "docs/teaching.md, tests/data/teaching_figures.json", (LESSONS,)),
    Figure("gallery", ((PY, "scripts/write_gallery.py"),), 1, "docs/gallery.md, docs/img/gallery/*.png",
           (LESSONS,)),
    Figure("sensitivity", ((PY, "scripts/write_sensitivity_example.py"),), 5,
           "docs/sensitivity.md, tests/data/sensitivity_example.json", (LESSONS,)),
    Figure("backtest", ((PY, "scripts/write_backtest_doc.py"),), 2,
           "docs/backtest.md, tests/data/backtest_scoreboard.json", (CASES,)),
    Figure("calibration", ((PY, "scripts/write_calibration_doc.py", "--run"),), CALIBRATION_MINUTES,
           "docs/calibration.md, docs/img/calibration-pairs.png, tests/data/calibration_study.json",
           (CASES,)),
    Figure("notebook", ((PY, "scripts/write_notebook.py"),), 0.5, "examples/worked_example.ipynb",
           (LESSONS, EXAMPLES)),
    Figure("mechanism_effects", ((PY, "scripts/mechanism_effects.py", "--doc"),), 26,
           "docs/backtest.md (mechanisms over the box), tests/data/mechanism_effects.json", (LESSONS,)),
    Figure("mechanisms_on_history", ((PY, "scripts/mechanisms_on_history.py", "--doc"),),
           8, "docs/backtest.md (mechanisms on history), tests/data/mechanisms_on_history.json", (CASES,)),
    Figure("dashboard", ((PY, "scripts/write_dashboard_screenshot.py"),), 0.2,
           "docs/img/dashboard.png (needs Chromium and the viz extra)", (LESSONS,)),
)


OVERDUE: dict[str, str] = {}
"""Figures known to be stale, each with why it has not been remade. ``tests/test_stale_figures.py``
lists them without failing, and fails if one of them is in fact current (then its entry must go)."""


def record() -> dict[str, str]:
    return json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}


def inputs_record() -> dict[str, str]:
    return json.loads(INPUTS_RECORD.read_text(encoding="utf-8")) if INPUTS_RECORD.exists() else {}


def inputs_hash(figure: Figure, root: Path = ROOT) -> str:
    """The first 16 hex digits of the SHA-256 of what the YAML files of ``figure``'s inputs say:
    each file's path under ``root`` and its parsed content with sorted keys (so a comment or the
    order of keys changes nothing); "" for a figure with no inputs."""
    if not figure.inputs:
        return ""
    import hashlib

    import yaml

    digest = hashlib.sha256()
    for folder in figure.inputs:
        for path in sorted((root / folder).rglob("*.yaml")):
            content = yaml.safe_load(path.read_text(encoding="utf-8"))
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(json.dumps(content, sort_keys=True, default=str).encode() + b"\0")
    return digest.hexdigest()[:16]


def stale(current: str) -> list[str]:
    """The figures whose recorded model is not ``current`` (or that were never recorded), or that
    were made from inputs that have changed since (:attr:`Figure.inputs`)."""
    made, inputs = record(), inputs_record()
    return [f.name for f in FIGURES
            if made.get(f.name) != current or inputs.get(f.name, "") != inputs_hash(f)]


def make(figure: Figure) -> tuple[str, bool, float, str]:
    start = time.monotonic()
    for command in figure.commands:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            return figure.name, False, time.monotonic() - start, (done.stderr or done.stdout)[-2000:]
    return figure.name, True, time.monotonic() - start, ""


def main(argv: Sequence[str] | None = None) -> int:
    from crisis_sim.core.fingerprint import model_fingerprint

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="figures to make (default: all)")
    parser.add_argument("--list", action="store_true", help="print the manifest and what is stale")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--unchanged", nargs="?", const="", default=None, metavar="FINGERPRINT",
                        help="re-record figures if the output fingerprint shows no output moved")
    args = parser.parse_args(argv)
    current = model_fingerprint()
    known = {f.name: f for f in FIGURES}
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"figures.py: unknown figure(s) {', '.join(unknown)}; known: {', '.join(known)}",
              file=sys.stderr)
        return 2
    if not 1 <= args.jobs <= 16:
        print(f"figures.py: --jobs: must be from 1 to 16, got {args.jobs}", file=sys.stderr)
        return 2
    if args.unchanged is not None:
        return re_record(current, args.unchanged)
    if args.list:
        old = set(stale(current))
        for f in FIGURES:
            state = "OVERDUE" if f.name in OVERDUE else "STALE" if f.name in old else "ok"
            print(f"{f.name:<20} {f.minutes:7.1f} min  {state:<7}  {f.makes}")
        return 0
    # with no names, every figure but the overdue ones (their cost is in OVERDUE): name them to make them
    chosen = [known[n] for n in args.names] if args.names else [f for f in FIGURES if f.name not in OVERDUE]
    if known["calibration"] in chosen:
        # alone and first: its verdict may adopt new defaults, which makes every other figure stale
        chosen.remove(known["calibration"])
        name, ok, seconds, error = make(known["calibration"])
        print(f"{name:<20} {'made' if ok else 'FAILED'} in {seconds / 60:.1f} min", flush=True)
        if not ok:
            print(error, file=sys.stderr)
            return 1
        adopted = model_fingerprint()  # the file as it is now: an adoption rewrote core/calibrated.py
        write_record(record() | {"calibration": adopted})  # adopting its posterior is its consequence
        record_inputs(known["calibration"])
        if adopted != current:
            print(f"figures.py: the calibration adopted new defaults (model {adopted}); every other "
                  "figure is remade", flush=True)
            current = adopted
            chosen = [known[n] for n in stale(current) if n not in OVERDUE]
    return 1 if make_all(chosen, current, args.jobs) else 0


def write_record(made: dict[str, str]) -> None:
    RECORD.write_text(json.dumps(dict(sorted(made.items())), indent=2) + "\n", encoding="utf-8")


def record_inputs(figure: Figure) -> None:
    """Record the inputs ``figure`` was just made from (:func:`inputs_hash`)."""
    if figure.inputs:
        recorded = dict(sorted((inputs_record() | {figure.name: inputs_hash(figure)}).items()))
        INPUTS_RECORD.write_text(json.dumps(recorded, indent=2) + "\n", encoding="utf-8")


def make_all(chosen: list[Figure], current: str, jobs: int) -> int:
    """Make ``chosen`` (the longest first, so the parallel run ends sooner), recording ``current``
    for each one made; the number that failed."""
    failed = 0
    with ThreadPoolExecutor(jobs) as pool:
        for name, ok, seconds, error in pool.map(make, sorted(chosen, key=lambda f: -f.minutes)):
            print(f"{name:<20} {'made' if ok else 'FAILED'} in {seconds / 60:.1f} min", flush=True)
            if ok:
                write_record(record() | {name: current})
                record_inputs(next(f for f in chosen if f.name == name))
            else:
                failed += 1
                print(error, file=sys.stderr)
    return failed


def re_record(current: str, before: str) -> int:
    """Record ``current`` for the figures made by ``before`` if no output moved (see the docstring)."""
    from collections import Counter

    made = record()
    before = before or Counter(made.values()).most_common(1)[0][0]
    check = (PY, "scripts/output_fingerprint.py", "--check", "tests/data/output_fingerprint.json")
    done = subprocess.run(check, cwd=ROOT, capture_output=True, text=True)
    print(done.stdout.strip() or done.stderr.strip())
    if done.returncode != 0:
        print("figures.py: outputs moved; remake the figures instead", file=sys.stderr)
        return 1
    moved = [name for name, fingerprint in made.items() if fingerprint == before]
    made.update(dict.fromkeys(moved, current))
    made["output_fingerprint"] = current if "output_fingerprint" in moved else made.get("output_fingerprint")
    write_record(made)
    print(f"re-recorded for model {current}: {', '.join(moved) or 'nothing'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
