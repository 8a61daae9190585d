"""Regenerate the figures of docs/teaching.md from the model.

Each table of the lesson sits between ``<!-- figures:NAME -->`` and
``<!-- /figures -->`` markers; this script runs the batches the lesson's
commands name (100 runs each, root seed 0, as ``crisis-sim batch -n 100``
does), writes the tables between the markers and keeps the raw figures in
``tests/data/teaching_figures.json``. ``tests/test_teaching_doc.py`` checks
that the page shows exactly what that file renders to, and recomputes one
table live::

    .venv/bin/python scripts/write_teaching_figures.py          # rewrite docs/teaching.md
    .venv/bin/python scripts/write_teaching_figures.py --check  # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
DOC = PROJECT / "docs" / "teaching.md"
FIGURES = PROJECT / "tests" / "data" / "teaching_figures.json"
RUNS = 100

FIRM = "us_colombia_2025_firm"
IMPOSE_ALL = [
    "actors.united_states.policy.params.impose_now=[us_visa_sanctions, us_inspections, us_tariff, "
    "us_financial_sanctions]",
    "actors.united_states.policy.params.threaten=[]",
]

HARDLINE_EASTMARK = [
    "actors.eastmark.policy.name=hardliner", "actors.eastmark.policy.params={}",
    "measures.east_counter_tariff.political_pressure=0.0012", "actors.westmark.resolve.sd=0.05",
]
"""The ultimatum against a target that never yields, whose counter-tariff hits an exporters'
lobby in Westmark: the sender's threat costs it something, so a bluffer can be told apart."""

TABLES: dict[str, dict] = {
    "base": {
        "head": ("| runs | Colombia gives way | on its own planes | tariffs imposed | "
                 "decided after (median h, IQR) |"),
        "rows": [("100 runs", "us_colombia_2025", [])],
        "cells": ["share:target_concedes", "share:face_saving", "share:tariff_imposed", "hours"],
    },
    "exports": {
        "head": ("| Colombia's exports to the US | Colombia gives way | mutual escalation | "
                 "decided after (median h, IQR) |"),
        "rows": [(label, "us_colombia_2025", [f"trade.0.usd_bn={v}"]) for label, v in (
            ("USD 14.3 bn (as in 2024)", 14.3), ("USD 7.15 bn (half)", 7.15),
            ("USD 3.6 bn (a quarter)", 3.6), ("USD 1.8 bn (an eighth)", 1.8))],
        "cells": ["share:target_concedes", "share:mutual_escalation", "hours"],
    },
    "exports_firm": {
        "head": ("| Colombia's exports to the US | Colombia gives way | mutual escalation | "
                 "the US backs down | decided after (median h, IQR) |"),
        "rows": [(label, FIRM, [f"trade.0.usd_bn={v}"]) for label, v in (
            ("USD 14.3 bn", 14.3), ("USD 7.15 bn", 7.15), ("USD 3.6 bn", 3.6))],
        "cells": ["share:target_concedes", "share:mutual_escalation", "share:initiator_backs_down", "hours"],
    },
    "commitment_firm": {
        "head": ("| firm Colombia | gives way | mutual escalation | the US backs down | "
                 "decided after (median h, IQR) |"),
        "rows": [("committed in public", FIRM, ["actors.colombia.public_commitment=true"]),
                 ("not committed", FIRM, ["actors.colombia.public_commitment=false"])],
        "cells": ["share:target_concedes", "share:mutual_escalation", "share:initiator_backs_down", "hours"],
    },
    "chicken": {
        "head": ("| who committed in public | Southland gives way | Northland backs down | "
                 "a deal in between | settled before any threat |"),
        "rows": [("nobody", "chicken_audience_costs", []),
                 ("Southland", "chicken_audience_costs", ["actors.southland.public_commitment=true"]),
                 ("Northland", "chicken_audience_costs", ["actors.northland.public_commitment=true"])],
        "cells": ["share:target_concedes", "share:initiator_backs_down", "share:negotiated_settlement",
                  "share:defused"],
    },
    "threat_vs_imposition": {
        "head": ("| firm Colombia, US strategy | Colombia gives way | mutual escalation | "
                 "the US backs down | decided after (median h, IQR) |"),
        "rows": [("threaten tariffs, 24 h deadline (as in 2025)", FIRM, []),
                 ("impose everything at once", FIRM, IMPOSE_ALL)],
        "cells": ["share:target_concedes", "share:mutual_escalation", "share:initiator_backs_down", "hours"],
    },
    "ultimatum": {
        "head": ("| Westmark's ultimatum | Eastmark gives way | standoff | mutual escalation | "
                 "decided after (median h, IQR) |"),
        "rows": [("48 h deadline, screw turned daily", "turn_the_screw_ultimatum", []),
                 ("no deadline (1000 h)", "turn_the_screw_ultimatum",
                  ["actors.westmark.policy.params.deadline_hours=1000"]),
                 ("48 h deadline, no screw", "turn_the_screw_ultimatum",
                  ["actors.westmark.policy.params.escalate_every_hours=null"])],
        "cells": ["share:target_concedes", "share:standoff", "share:mutual_escalation", "hours"],
    },
    "bluff": {
        "head": ("| Westmark's resolve (mean) | Westmark backs down | its tariff imposed | "
                 "mutual escalation | decided after (median h, IQR) |"),
        "rows": [(label, "turn_the_screw_ultimatum",
                  [*HARDLINE_EASTMARK, f"actors.westmark.resolve.mean={v}"])
                 for label, v in (("0.1 (a bluffer)", 0.1), ("0.5", 0.5), ("0.9 (resolute)", 0.9))],
        "cells": ["share:initiator_backs_down", "imposed:west_tariff", "share:mutual_escalation", "hours"],
    },
}
"""Each table: its header, its rows (label, scenario, --set overrides) and the cell of each column."""


def figures_of(runs: pd.DataFrame) -> dict:
    """The figures of one batch: outcome shares, face-saving and tariff shares, decision hours."""
    n = len(runs)
    out = {f"share:{k}": float(v) / n for k, v in runs["outcome"].value_counts().items()}
    out["share:face_saving"] = float((runs["variant"] == "face_saving").sum()) / n
    tariff = [c for c in runs.columns if c.startswith("furthest_") and "tariff" in c
              and not c.startswith("furthest_co_")]
    out["share:tariff_imposed"] = float((runs[tariff] == "imposed").any(axis=1).sum()) / n if tariff else 0.0
    for column in runs.columns:
        if column.startswith("furthest_"):
            out[f"imposed:{column.removeprefix('furthest_')}"] = float((runs[column] == "imposed").sum()) / n
    hours = runs["decided_at_hours"].dropna()
    out["hours"] = [float(hours.quantile(q)) for q in (0.25, 0.5, 0.75)] if len(hours) else None
    return out


def run_row(scenario: str, overrides: Sequence[str], folder: Path) -> dict:
    from crisis_sim.batch import run_batch
    from crisis_sim.scenario import load_scenario

    batch = run_batch(load_scenario(scenario, list(overrides)), RUNS, seed=0, workers=1,
                      out=folder, progress=False)
    return figures_of(batch.runs)


def compute(names: Sequence[str] | None = None) -> dict[str, list[dict]]:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in TABLES.items():
            if names and name not in names:
                continue
            out[name] = [run_row(scenario, sets, Path(tmp) / f"{name}-{i}")
                         for i, (_, scenario, sets) in enumerate(table["rows"])]
            print(f"{name}: {len(out[name])} rows", file=sys.stderr)
    return out


def cell(figures: dict, key: str) -> str:
    if key == "hours":
        h = figures.get("hours")
        return "–" if h is None else f"{h[1]:.0f} ({h[0]:.0f}–{h[2]:.0f})"
    return f"{100 * figures.get(key, 0.0):.0f}%"


def render(name: str, rows: list[dict]) -> str:
    table = TABLES[name]
    columns = table["head"].count("|") - 1
    lines = [table["head"], "|---" + "|---:" * (columns - 1) + "|"]
    for (label, _, _), figures in zip(table["rows"], rows, strict=True):
        lines.append("| " + " | ".join([label] + [cell(figures, k) for k in table["cells"]]) + " |")
    return "\n".join(lines)


def page(text: str, figures: dict[str, list[dict]]) -> str:
    """The page with every marked table replaced by its rendering."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<!-- figures:{name} -->\n{render(name, figures[name])}\n<!-- /figures -->"

    return re.sub(r"<!-- figures:(\w+) -->\n.*?<!-- /figures -->", replace, text, flags=re.S)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the page against the stored figures")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.check:
        stored = json.loads(FIGURES.read_text(encoding="utf-8"))
        if page(text, stored) != text:
            print("docs/teaching.md differs from tests/data/teaching_figures.json", file=sys.stderr)
            return 1
        return 0
    figures = compute()
    FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    DOC.write_text(page(text, figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
