"""What each mechanism does over the box of assumptions, not at one chosen point.

For each bundled scenario given (by default the founding case, the firm what-if
and the chicken lesson) and each mechanism the model documents, draws a Latin
hypercube over every number the scenario file marks ``# ASSUMPTION`` (each moved
by up to ±``--range`` of its value), runs ``--runs`` seeded runs at every point
with the mechanism on and again with it switched off — the same points and the
same seeds (common random numbers: the switch is the only difference) — and
reports, per mechanism:

* ``moved``: the share of the box's points where switching the mechanism off
  moves some outcome class's share by at least ``--threshold`` (5 points);
* ``significant``: the share of points where that largest move is also beyond
  twice its binomial standard error (a change larger than the noise of
  ``--runs`` runs);
* the median change, over the points, in the share of runs in which the target
  gives way (``target_concedes`` and the face-saving and partial forms the model
  counts as giving way) and in which the sender backs down: effect = share with
  the mechanism on minus share with it off.

A mechanism that does not apply to a scenario (face saving where the issue
offers none, counter-measures where the target has none) is reported as such.
The switches (docs/backtest.md, "Mechanisms over the box of assumptions"):

==================  =============================================================
learning            ``dynamics.learning=false``: beliefs frozen at the prior
audience costs      ``dynamics.audience_cost_scale=0``: backing down after a public
                    commitment costs nothing (Fearon 1994)
precedent           ``dynamics.precedent_weight=0``: no precedent for other
                    receivers, no reputation at stake for the sender (Peterson 2013)
deadlines           ``dynamics.urgency_hours=1e6``: a threat presses as much a week
                    before its deadline as an hour before (Schelling 1966)
rally               ``dynamics.rally=0``: no rally round the flag for standing firm
face saving         every issue's ``face_saving=false``: no own-aircraft formula
counter-measures    every policy's ``counter=false``: the target never retaliates
decision noise      ``decision_noise=0`` (and every government's): choices greedy
governments fall    ``dynamics.government_change_per_year=0``: no government falls
                    (Marinov 2005; Croco 2011); it matters in crises that last months,
                    so over the 30 days of these scenarios it is expected to move little
fading attention    ``dynamics.attention_half_life_days=0``: a sender's stake in its
                    demand does not fade (Downs 1972); likewise a matter of months
==================  =============================================================

A number the switch itself sets is left out of the box for that mechanism (in
both arms), so that the box never undoes the switch::

    .venv/bin/python scripts/mechanism_effects.py [--points 50] [--runs 100] [--range 0.3] \
        [--scenario us_colombia_2025 ...] [--json FILE] [--workers 2]
    .venv/bin/python scripts/mechanism_effects.py --check   # is docs/backtest.md's table current?

``--doc`` writes the stored figures and the table of docs/backtest.md (between its
``<!-- mechanism-effects -->`` markers); ``--check`` runs no model and compares that table with
what the stored figures render.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from crisis_sim.analysis.markdown import marked_block, with_marked_block
from crisis_sim.experiments.switches import counter_measures_off, decision_noise_off, face_saving_off

SCENARIOS = ("us_colombia_2025", "us_colombia_2025_firm", "chicken_audience_costs")
GIVES_WAY = ("target_concedes",)
BACKS_DOWN = ("initiator_backs_down",)


@dataclass(frozen=True)
class Mechanism:
    name: str
    theory: str
    switch_off: Callable[[dict], list[str]]
    """The ``--set`` overrides that switch the mechanism off in a scenario (as plain data);
    an empty list when it does not apply."""


MECHANISMS = (
    Mechanism("learning", "Fearon 1995: beliefs read from moves", lambda d: ["dynamics.learning=false"]),
    Mechanism("audience costs", "Fearon 1994", lambda d: ["dynamics.audience_cost_scale=0"]),
    Mechanism("precedent and reputation", "Peterson 2013", lambda d: ["dynamics.precedent_weight=0"]),
    Mechanism("deadlines", "Schelling 1966; George 1991", lambda d: ["dynamics.urgency_hours=1000000"]),
    Mechanism("rally", "rally round the flag", lambda d: ["dynamics.rally=0"]),
    Mechanism("face saving", "George 1991: a formula to accept", face_saving_off),
    Mechanism("counter-measures", "retaliation in kind", counter_measures_off),
    Mechanism("decision noise", "logit choice (McKelvey and Palfrey 1995)", decision_noise_off),
    Mechanism("governments fall", "Marinov 2005; Croco 2011",
              lambda d: ["dynamics.government_change_per_year=0"]),
    Mechanism("fading attention", "Downs 1972: the issue-attention cycle",
              lambda d: ["dynamics.attention_half_life_days=0"]),
)


def switched_paths(overrides: Sequence[str]) -> set[str]:
    return {o.split("=", 1)[0] for o in overrides}


def shares(runs: pd.DataFrame) -> pd.DataFrame:
    """Per design point, the share of runs ending in each outcome class."""
    return pd.crosstab(runs["point_id"], runs["outcome"], normalize="index")


def compare(on: pd.DataFrame, off: pd.DataFrame, runs: int, threshold: float) -> dict[str, float]:
    """The box's summary of one mechanism: see the module docstring."""
    a, b = shares(on), shares(off)
    classes = sorted(set(a.columns) | set(b.columns))
    a = a.reindex(columns=classes, fill_value=0.0)
    b = b.reindex(index=a.index, columns=classes, fill_value=0.0)
    delta = a - b
    largest = delta.abs().max(axis=1)
    which = delta.abs().to_numpy().argmax(axis=1)
    p_on = a.to_numpy()[np.arange(len(a)), which]
    p_off = b.to_numpy()[np.arange(len(b)), which]
    error = np.sqrt((p_on * (1 - p_on) + p_off * (1 - p_off)) / runs)
    significant = (largest.to_numpy() > 2 * error) & (largest.to_numpy() >= threshold)

    def median_of(group: Sequence[str]) -> float:
        cols = [c for c in group if c in classes]
        return float(delta[cols].sum(axis=1).median()) if cols else 0.0

    return {
        "points": len(delta),
        "moved": float((largest >= threshold).mean()),
        "significant": float(significant.mean()),
        "median_largest": float(largest.median()),
        "median_gives_way": median_of(GIVES_WAY),
        "median_backs_down": median_of(BACKS_DOWN),
    }


def run_arm(base, parameters, args, out: Path):
    from crisis_sim.batch import run_batch
    from crisis_sim.batch.design import Design

    design = Design("lhs", tuple(parameters), args.points, seed=args.seed, dummy=False)
    batch = run_batch(base, args.runs, seed=args.seed, workers=args.workers, out=out, design=design,
                      progress=False)
    return batch.runs


def measure(name: str, args, tmp: Path) -> list[dict]:
    from crisis_sim.batch.design import assumption_parameters
    from crisis_sim.scenario import bundled_scenarios, load_scenario

    base = load_scenario(name)
    data = base.model_dump(mode="json")
    parameters, _ = assumption_parameters(base, bundled_scenarios()[name], args.rel)
    cache: dict[frozenset[str], pd.DataFrame] = {}
    rows = []
    for mechanism in MECHANISMS:
        overrides = mechanism.switch_off(data)
        if not overrides:
            rows.append({"scenario": name, "mechanism": mechanism.name, "applies": False})
            continue
        paths = switched_paths(overrides)
        box = [p for p in parameters if p.path not in paths]
        left_out = frozenset(p.path for p in parameters if p.path in paths)
        if left_out not in cache:
            cache[left_out] = run_arm(base, box, args, tmp / f"{name}-on-{len(cache)}")
        off = run_arm(load_scenario(name, overrides), box, args, tmp / f"{name}-off-{mechanism.name}")
        summary = compare(cache[left_out], off, args.runs, args.threshold)
        rows.append({"scenario": name, "mechanism": mechanism.name, "applies": True,
                     "switch": " ".join(overrides), "box": len(box), **summary})
        print(f"  {name:<24} {mechanism.name:<26} moved {summary['moved']:6.0%}  "
              f"significant {summary['significant']:6.0%}  "
              f"median gives way {summary['median_gives_way']:+.3f}  "
              f"backs down {summary['median_backs_down']:+.3f}", file=sys.stderr)
    return rows


def markdown(rows: list[dict], args) -> str:
    lines = [
        f"{args.points} Latin-hypercube points over the ASSUMPTION numbers (±{args.rel:.0%}) "
        f"× {args.runs} runs, "
        f"with and without each mechanism, common seeds (root seed {args.seed}). "
        f"*moved*: share of points where some outcome share changes by ≥ {args.threshold:.0%}; "
        "*beyond noise*: and by more than twice its standard error; the medians are of "
        "(share with the mechanism) − (share without), over the points.",
        "",
        "| scenario | mechanism | moved | beyond noise | median largest change | "
        "median Δ target gives way | median Δ sender backs down |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if not r["applies"]:
            lines.append(f"| {r['scenario']} | {r['mechanism']} | does not apply | | | | |")
            continue
        lines.append(f"| {r['scenario']} | {r['mechanism']} | {r['moved']:.0%} | {r['significant']:.0%} | "
                     f"{r['median_largest']:.2f} | {r['median_gives_way']:+.2f} | "
                     f"{r['median_backs_down']:+.2f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    from crisis_sim.batch.folder import BatchError

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", action="append", default=None)
    parser.add_argument("--points", type=int, default=50)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--range", type=float, default=0.3, dest="rel")
    parser.add_argument("--threshold", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--doc", action="store_true",
                        help=f"write {STORED.relative_to(ROOT)} and the table of {PAGE.relative_to(ROOT)}")
    parser.add_argument("--check", action="store_true",
                        help=f"run nothing; exit 1 if the table of {PAGE.relative_to(ROOT)} is not what "
                             f"{STORED.relative_to(ROOT)} renders")
    args = parser.parse_args(argv)
    if args.check:
        return 0 if page_block() == render(json.loads(STORED.read_text(encoding="utf-8"))) else 1
    for flag, value, cap in (("--points", args.points, 10_000), ("--runs", args.runs, 100_000)):
        if not 1 <= value <= cap:
            raise BatchError(f"{flag}: must be a whole number from 1 to {cap}, got {value}")
    if args.json is not None and (args.json.exists() or args.json.is_symlink()):
        raise BatchError(f"{args.json}: already exists; remove it first")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.scenario or SCENARIOS:
            rows.extend(measure(name, args, Path(tmp)))
    table = markdown(rows, args)
    print(table)
    from crisis_sim.core.fingerprint import model_fingerprint

    stored = json.dumps({"model_fingerprint": model_fingerprint(), "points": args.points, "runs": args.runs,
                         "range": args.rel, "seed": args.seed, "threshold": args.threshold,
                         "rows": rows}, indent=2) + "\n"
    if args.json is not None:
        args.json.write_text(stored)
    if args.doc:
        STORED.write_text(stored)
        write_block(table)
    return 0


ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "backtest.md"
STORED = ROOT / "tests" / "data" / "mechanism_effects.json"
START, END = "<!-- mechanism-effects -->", "<!-- /mechanism-effects -->"


def render(stored: dict) -> str:
    """The page's table from the stored figures (what ``tests/test_mechanism_effects_doc.py`` checks)."""
    args = argparse.Namespace(points=stored["points"], runs=stored["runs"], rel=stored["range"],
                              seed=stored["seed"], threshold=stored["threshold"])
    return markdown(stored["rows"], args)


def page_block() -> str:
    """The table the page shows now, between its markers."""
    return marked_block(PAGE.read_text(encoding="utf-8"), START, END)


def write_block(table: str) -> None:
    PAGE.write_text(with_marked_block(PAGE.read_text(encoding="utf-8"), START, END, table), encoding="utf-8")


if __name__ == "__main__":
    from crisis_sim.cli.script import exit_code

    raise SystemExit(exit_code(main))
