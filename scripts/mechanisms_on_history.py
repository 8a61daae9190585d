"""What each mechanism does to the back-test's crises: every case run with the mechanism on and off.

The box of ``scripts/mechanism_effects.py`` is the bundled lessons, crises of days; mechanisms whose
time scale is months (governments that fall, attention that fades, a relationship strained while a
dispute stays open) cannot show there. This script switches each mechanism off in every case of
``cases/`` (written by the shared rule of docs/backtest.md), runs ``--runs`` seeded runs of each case
with it on and off, on the same seeds (common random numbers: the switch is the only difference;
each run takes the same kept draw of the calibrated posterior in both arms, docs/model.md §4.9), and
reports, per mechanism:

* the case outcome share theory says it should move, and in which direction (with the mechanism
  on minus off), each with its source: pooled over the cases (the mean of the cases' changes),
  with twice its standard error (counted as if the two arms were independent; on common seeds
  the error of a difference is smaller, so the verdict errs towards "within noise"), and
  *as theory says* when the sign is right and the change is beyond twice its standard error,
  *within noise* when it is not beyond it, *opposite* when the sign is wrong beyond it;
* in how many cases that share moves by at least 5 points in theory's direction and against it;
* in how many of the calibration's kept draws (each run takes one) the change pooled over the
  cases has theory's sign: the box here is the posterior of the six shared parameters, not one
  chosen point;
* the back-test's totals with the mechanism off (modal matches and mean Brier score), beside the
  model's with every mechanism on: what the mechanism earns on history (in sample).

The switches are those of ``scripts/mechanism_effects.py`` and two that only a case can show:

==================  =============================================================================
relationship        ``dynamics.relationship_value=0``: an open dispute strains nothing
                    (docs/model.md §7.27; Keohane and Nye 1977, Crescenzi 2005)
terms weighing      every ``turn_the_screw`` sender's ``weigh_terms=false``: terms short of its
                    floor are refused outright (§7.11; Fearon 1995: a bargaining range)
==================  =============================================================================

Decision noise has no direction theory states; it is shown, not judged. A mechanism that applies
to no case (counter-measures where every case's target is written without them) is shown as such::

    .venv/bin/python scripts/mechanisms_on_history.py [--runs 40] [--seed 0] [--workers 2] \
        [--cases DIR] [--json FILE]
    .venv/bin/python scripts/mechanisms_on_history.py --doc     # the stored figures and the page
    .venv/bin/python scripts/mechanisms_on_history.py --check   # is docs/backtest.md's table current?

``--doc`` writes the stored figures and the tables of docs/backtest.md (between its
``<!-- mechanisms-on-history -->`` markers); ``--check`` runs no model and compares those tables
with what the stored figures render.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crisis_sim.analysis.markdown import marked_block, with_marked_block
from crisis_sim.experiments.switches import (
    counter_measures_off,
    decision_noise_off,
    face_saving_off,
    terms_weighing_off,
)

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "backtest.md"
STORED = ROOT / "tests" / "data" / "mechanisms_on_history.json"
START, END = "<!-- mechanisms-on-history -->", "<!-- /mechanisms-on-history -->"

MEASURES: dict[str, tuple[str, ...]] = {
    "target gives way": ("target_concedes",),
    "sender backs down": ("initiator_backs_down",),
    "a compromise": ("negotiated_settlement", "claimed_by_both"),
    "not decided": ("standoff", "mutual_escalation"),
}
"""The outcome shares a mechanism is expected to move: each a set of outcome classes."""

MOVED = 0.05
"""A case's share moves when it changes by at least this much (5 points)."""


@dataclass(frozen=True)
class Mechanism:
    name: str
    theory: str
    switch_off: Callable[[dict], list[str]]
    """The ``--set`` overrides that switch the mechanism off in a case (as plain data); an empty
    list when it does not apply to that case."""
    measure: str
    """The share of :data:`MEASURES` theory says the mechanism moves."""
    sign: int
    """Its direction with the mechanism on: +1 up, -1 down, 0 none stated."""


MECHANISMS = (
    Mechanism("learning", "Slantchev 2003: fighting reveals resolve, so wars of attrition end",
              lambda d: ["dynamics.learning=false"], "not decided", -1),
    Mechanism("audience costs", "Fearon 1994: both sides stood in public, so neither backs down easily",
              lambda d: ["dynamics.audience_cost_scale=0"], "not decided", +1),
    Mechanism("precedent and reputation", "Peterson 2013: a sender that backs down invites defiance",
              lambda d: ["dynamics.precedent_weight=0"], "sender backs down", -1),
    Mechanism("deadlines", "Schelling 1966: a deadline brings the decision forward",
              lambda d: ["dynamics.urgency_hours=1000000"], "not decided", -1),
    Mechanism("rally", "Mueller 1970: standing firm rallies support at home",
              lambda d: ["dynamics.rally=0"], "target gives way", -1),
    Mechanism("face saving", "George 1991: a formula that lets the target accept",
              face_saving_off, "target gives way", +1),
    Mechanism("counter-measures", "retaliation raises what the sender pays",
              counter_measures_off, "sender backs down", +1),
    Mechanism("decision noise", "McKelvey and Palfrey 1995: choices with error (no direction)",
              decision_noise_off, "not decided", 0),
    Mechanism("governments fall", "Marinov 2005; Croco 2011: a new leader can change course",
              lambda d: ["dynamics.government_change_per_year=0"], "not decided", -1),
    Mechanism("fading attention", "Downs 1972: a demand nobody presses fades",
              lambda d: ["dynamics.attention_half_life_days=0"], "sender backs down", +1),
    Mechanism("relationship", "Keohane and Nye 1977; Crescenzi 2005: exit costs restrain conflict",
              lambda d: ["dynamics.relationship_value=0"], "not decided", -1),
    Mechanism("terms weighing", "Fearon 1995: a bargaining range both prefer to fighting",
              terms_weighing_off, "a compromise", +1),
)


# ---------------------------------------------------------------------------- running


def run_case(scenario, runs: int, seed: int, workers: int | None, out: Path) -> pd.DataFrame:
    """One case's runs (a batch at the back-test's chunking): outcome, decision hour, kept draw."""
    from crisis_sim.batch import run_batch
    from crisis_sim.experiments.backtest.run import case_chunk_size

    batch = run_batch(scenario, runs, seed=seed, workers=workers, out=out, progress=False,
                      chunk_size=case_chunk_size(runs))
    return batch.runs


def counts(runs: pd.DataFrame) -> list[int]:
    """How many runs there are, then how many end in each share of :data:`MEASURES`, in order."""
    return [len(runs), *(int(runs["outcome"].isin(classes).sum()) for classes in MEASURES.values())]


def shares(arm: list[int]) -> dict[str, float]:
    """The shares of :data:`MEASURES` from an arm's :func:`counts`."""
    return {m: arm[i + 1] / arm[0] for i, m in enumerate(MEASURES)}


def draws(runs: pd.DataFrame) -> pd.Series:
    """Each run's kept draw of the posterior (-1 where the case draws none)."""
    if "posterior_draw" not in runs.columns:
        return pd.Series(-1, index=runs.index)
    return runs["posterior_draw"].fillna(-1).astype(int)


def measure_all(args, tmp: Path) -> dict[str, Any]:
    """Run every case with every mechanism on and off; the per-case figures the tables are made of."""
    from crisis_sim.experiments.backtest.run import cases_folder, load_cases
    from crisis_sim.experiments.backtest.scoring import Observed, score_case
    from crisis_sim.scenario import load_scenario

    folder = cases_folder(args.cases)
    cases = load_cases(folder)
    base: dict[str, pd.DataFrame] = {}
    scores: dict[str, list[dict]] = {"on": []}

    def scored(scenario, runs: pd.DataFrame) -> dict:
        assert scenario.history is not None  # load_cases refuses a case without one
        observed = Observed.from_history(scenario.history)
        return score_case(scenario.name, runs, observed, list(scenario.measures))

    for _file, scenario in cases:
        print(f"  {scenario.name}: every mechanism on", file=sys.stderr)
        base[scenario.name] = run_case(scenario, args.runs, args.seed, args.workers,
                                       tmp / scenario.name / "on")
        scores["on"].append(scored(scenario, base[scenario.name]))
    rows = []
    for mechanism in MECHANISMS:
        scores[mechanism.name] = []
        cells = []
        for file, scenario in cases:
            overrides = mechanism.switch_off(scenario.model_dump(mode="json"))
            on = base[scenario.name]
            if overrides:
                print(f"  {scenario.name}: {mechanism.name} off", file=sys.stderr)
                off = run_case(load_scenario(file, overrides), args.runs, args.seed, args.workers,
                               tmp / scenario.name / mechanism.name.replace(" ", "_"))
            else:
                off = on
            scores[mechanism.name].append(scored(scenario, off))
            by_draw = {str(draw): [counts(on[draws(on) == draw]), counts(off[draws(off) == draw])]
                       for draw in sorted(set(draws(on)) | set(draws(off)))}
            cells.append({"case": scenario.name, "applies": bool(overrides), "switch": " ".join(overrides),
                          "on": counts(on), "off": counts(off), "by_draw": by_draw})
        rows.append({"mechanism": mechanism.name, "cases": cells})
    return {"rows": rows, "totals": {arm: totals(rows_) for arm, rows_ in scores.items()}}


def totals(rows: list[dict]) -> dict[str, float]:
    from crisis_sim.experiments.backtest.scoring import overall_scores, scoreboard

    overall = overall_scores(scoreboard(rows))
    return {"outcome_matches": int(overall["outcome_matches"]), "mean_brier": float(overall["mean_brier"]),
            "mean_share_observed": float(overall["mean_share_observed"]), "cases": int(overall["cases"])}


# ---------------------------------------------------------------------------- reading


def summary(mechanism: Mechanism, row: dict, runs: int) -> dict[str, Any]:
    """One mechanism's line of the table, from its stored per-case figures."""
    cells = [c for c in row["cases"] if c["applies"]]
    if not cells:
        return {"applies": 0}
    m = mechanism.measure
    on, off = [shares(c["on"]) for c in cells], [shares(c["off"]) for c in cells]
    changes = [a[m] - b[m] for a, b in zip(on, off, strict=True)]
    variance = sum(a[m] * (1 - a[m]) + b[m] * (1 - b[m]) for a, b in zip(on, off, strict=True)) / runs
    error = 2 * math.sqrt(variance) / len(cells)
    mean = sum(changes) / len(cells)
    sign = mechanism.sign
    verdict = ("no direction stated" if sign == 0 else
               "as theory says" if sign * mean > error else
               "opposite" if sign * mean < -error else "within noise")
    with_theory = sum(1 for d in changes if sign and sign * d >= MOVED)
    against = sum(1 for d in changes if sign and -sign * d >= MOVED)
    moved = sum(1 for d in changes if abs(d) >= MOVED)
    kept = sorted({d for c in cells for d in c["by_draw"]} - {"-1"}, key=int)
    draws_with = 0
    column = 1 + list(MEASURES).index(m)
    for d in kept:
        arms = [c["by_draw"][d] for c in cells if d in c["by_draw"]]
        pooled = []
        for arm in (0, 1):  # on, off
            n = sum(a[arm][0] for a in arms)
            pooled.append(sum(a[arm][column] for a in arms) / n if n else None)
        if None not in pooled and sign * (pooled[0] - pooled[1]) > 0:
            draws_with += 1
    changes_of = {k: sum(a[k] - b[k] for a, b in zip(on, off, strict=True)) / len(cells) for k in MEASURES}
    return {"applies": len(cells), "mean": mean, "error": error, "verdict": verdict, "changes": changes_of,
            "with_theory": with_theory, "against": against, "moved": moved,
            "draws_with": draws_with, "draws": len(kept)}


def markdown(stored: dict) -> str:
    runs = stored["runs"]
    on = stored["totals"]["on"]
    lines = [
        " ".join((
            f"Every case of the back-test ({on['cases']}) × {runs} runs with each mechanism on and off,",
            f"common seeds (root seed {stored['seed']}; each run takes the same kept draw of the",
            "calibrated posterior in both arms). The four shares' changes are with the mechanism on",
            "minus off, in points, the mean of the cases' changes; the share theory says the mechanism",
            "moves (↑ up, ↓ down) is in bold, ± twice its standard error (as if the arms were",
            "independent: on common seeds it is smaller), and judged: *as theory says*",
            "(right sign, beyond the error), *within noise*, or *opposite*; *cases ±5 pts*: cases where",
            "it moves by 5 points or more in theory's direction / against it; *kept draws*: of the",
            "posterior's kept draws, those in which its change pooled over the cases has theory's sign;",
            "*switched off*: the back-test's modal matches and mean Brier score without the mechanism",
            f"(with every mechanism on: {on['outcome_matches']} of {on['cases']}, {on['mean_brier']:.2f}).",
        )),
        "",
        "| mechanism | theory | " + " | ".join(MEASURES) + " | verdict | cases ±5 pts | kept draws "
        "| switched off: modal, Brier |",
        "|---|---|" + "---:|" * len(MEASURES) + "---|---:|---:|---:|",
    ]
    for mechanism in MECHANISMS:
        row = next(r for r in stored["rows"] if r["mechanism"] == mechanism.name)
        s = summary(mechanism, row, runs)
        off = stored["totals"][mechanism.name]
        if not s["applies"]:
            lines.append(f"| {mechanism.name} | {mechanism.theory} | applies to no case |"
                         + " |" * (len(MEASURES) + 3))
            continue
        cells = []
        for m in MEASURES:
            value = f"{round(100 * s['changes'][m], 1) + 0.0:+.1f}"  # + 0.0: no "-0.0"
            if m == mechanism.measure:
                arrow = {1: " ↑", -1: " ↓", 0: ""}[mechanism.sign]
                value = f"**{value} ± {100 * s['error']:.1f}**{arrow}"
            cells.append(value)
        cases = (f"{s['moved']} moved" if mechanism.sign == 0 else f"{s['with_theory']} / {s['against']}")
        kept = "" if mechanism.sign == 0 else f"{s['draws_with']} of {s['draws']}"
        lines.append(f"| {mechanism.name} | {mechanism.theory} | " + " | ".join(cells)
                     + f" | {s['verdict']} | {cases} (of {s['applies']}) | {kept} "
                     f"| {off['outcome_matches']}, {off['mean_brier']:.2f} |")
    lines += ["", "Each case's change in the share in bold above (points, on − off; blank: the switch does "
              "not apply):", ""]
    names = [c["case"] for c in stored["rows"][0]["cases"]]
    short = [m.name for m in MECHANISMS]
    lines.append("| case | " + " | ".join(short) + " |")
    lines.append("|---|" + "---:|" * len(short))
    for name in names:
        cells = []
        for mechanism in MECHANISMS:
            row = next(r for r in stored["rows"] if r["mechanism"] == mechanism.name)
            cell = next(c for c in row["cases"] if c["case"] == name)
            m = mechanism.measure
            change = shares(cell["on"])[m] - shares(cell["off"])[m]
            cells.append(f"{round(100 * change) + 0:+d}" if cell["applies"] else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def stored_text(stored: dict) -> str:
    """The stored figures as JSON, one case of one mechanism a line (counts, not shares: short and
    exact)."""
    head = {k: v for k, v in stored.items() if k != "rows"}
    rows = ",\n".join(
        f'  {{"mechanism": {json.dumps(r["mechanism"])}, "cases": [\n'
        + ",\n".join(f"    {json.dumps(c)}" for c in r["cases"]) + "\n  ]}"
        for r in stored["rows"])
    return json.dumps(head, indent=1)[:-2] + f',\n "rows": [\n{rows}\n ]\n}}\n'


def page_block() -> str:
    """The tables the page shows now, between their markers."""
    return marked_block(PAGE.read_text(encoding="utf-8"), START, END)


def write_block(table: str) -> None:
    PAGE.write_text(with_marked_block(PAGE.read_text(encoding="utf-8"), START, END, table), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    from crisis_sim.batch.folder import BatchError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cases", type=Path, default=None, help="folder of case files (default: cases/)")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--doc", action="store_true",
                        help=f"write {STORED.relative_to(ROOT)} and the tables of {PAGE.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true",
                        help=f"run nothing; exit 1 if the tables of {PAGE.relative_to(ROOT)} are not what "
                             f"{STORED.relative_to(ROOT)} renders")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if page_block() == markdown(json.loads(STORED.read_text(encoding="utf-8"))) else 1
    if not 1 <= args.runs <= 100_000:
        raise BatchError(f"--runs: must be a whole number from 1 to 100000, got {args.runs}")
    if args.json is not None and (args.json.exists() or args.json.is_symlink()):
        raise BatchError(f"{args.json}: already exists; remove it first")
    from crisis_sim.core.fingerprint import model_fingerprint

    with tempfile.TemporaryDirectory() as tmp:
        measured = measure_all(args, Path(tmp))
    stored = {"model_fingerprint": model_fingerprint(), "runs": args.runs, "seed": args.seed, **measured}
    table = markdown(stored)
    print(table)
    text = stored_text(stored)
    if args.json is not None:
        args.json.write_text(text)
    if args.doc:
        STORED.write_text(text)
        write_block(table)
    return 0


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    raise SystemExit(exit_code(main))
