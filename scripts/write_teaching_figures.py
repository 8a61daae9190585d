"""Regenerate the figures of docs/teaching.md by running the commands the page prints.

Each table of the lesson sits between ``<!-- figures:NAME -->`` and
``<!-- /figures -->`` markers, under a console block of ``$ crisis-sim batch
...`` commands. This script runs exactly those commands, as printed
(:func:`page_commands`; ``python -m crisis_sim`` in a scratch folder, where
they write their batch folders), reads each row's figures from the sweep
point of the batch folder the row names (:data:`TABLES`), writes the tables
between the markers and keeps the raw figures, with the commands that made
them, in ``tests/data/teaching_figures.json``. Every column of a table is a
column the command prints (an outcome share, or "decided at (h)"); when fewer
than :data:`FEW_DECIDED` runs of a row were decided, its median says how many.
``tests/test_teaching_doc.py`` checks that the page shows exactly what that
file renders to and that the commands are the page's, and reruns one table's
printed commands live::

    .venv/bin/python scripts/write_teaching_figures.py          # rewrite docs/teaching.md
    .venv/bin/python scripts/write_teaching_figures.py --check  # exit 1 if the page is stale
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

PROJECT = Path(__file__).resolve().parents[1]
DOC = PROJECT / "docs" / "teaching.md"
FIGURES = PROJECT / "tests" / "data" / "teaching_figures.json"
RUNS = 100

FEW_DECIDED = 20
"""A row's median decision time over fewer decided runs than this says how many it is over."""

TABLES: dict[str, dict] = {
    "base": {
        "head": "| runs | Colombia gives way | decided after (median h, IQR) |",
        "rows": [("100 runs", 0, 0)],
        "cells": ["share:target_concedes", "hours"],
    },
    "exports": {
        "head": ("| Colombia's exports to the US | Colombia gives way | mutual escalation | "
                 "decided after (median h, IQR) |"),
        "rows": [("USD 14.3 bn (as in 2024)", 0, 0), ("USD 7.15 bn (half)", 0, 1),
                 ("USD 3.6 bn (a quarter)", 0, 2), ("USD 1.8 bn (an eighth)", 0, 3)],
        "cells": ["share:target_concedes", "share:mutual_escalation", "hours"],
    },
    "exports_firm": {
        "head": ("| Colombia's exports to the US | Colombia gives way | mutual escalation | "
                 "the US backs down | decided after (median h, IQR) |"),
        "rows": [("USD 14.3 bn", 0, 0), ("USD 7.15 bn", 0, 1), ("USD 3.6 bn", 0, 2)],
        "cells": ["share:target_concedes", "share:mutual_escalation", "share:initiator_backs_down", "hours"],
    },
    "commitment_firm": {
        "head": ("| firm Colombia | gives way | mutual escalation | the US backs down | "
                 "decided after (median h, IQR) |"),
        "rows": [("committed in public", 0, 0), ("not committed", 0, 1)],
        "cells": ["share:target_concedes", "share:mutual_escalation", "share:initiator_backs_down", "hours"],
    },
    "chicken": {
        "head": ("| who committed in public | Southland gives way | Northland backs down | "
                 "a deal in between | settled before any threat |"),
        # nobody committed is the first point of both commands (the same seeds: the same runs)
        "rows": [("nobody", 0, 0), ("Southland", 0, 1), ("Northland", 1, 1)],
        "cells": ["share:target_concedes", "share:initiator_backs_down", "share:negotiated_settlement",
                  "share:defused"],
    },
    "threat_vs_imposition": {
        "head": ("| firm Colombia, US strategy | Colombia gives way | mutual escalation | "
                 "the US backs down | decided after (median h, IQR) |"),
        "rows": [("threaten tariffs, 24 h deadline (as in 2025)", 0, 0), ("impose everything at once", 1, 0)],
        "cells": ["share:target_concedes", "share:mutual_escalation", "share:initiator_backs_down", "hours"],
    },
    "ultimatum": {
        "head": ("| Westmark's ultimatum | Eastmark gives way | standoff | mutual escalation | "
                 "decided after (median h, IQR) |"),
        # the scenario as written (48 h, the screw turned every 24 h) is the first point of both
        "rows": [("48 h deadline, screw turned daily", 0, 0), ("no deadline (1000 h)", 0, 1),
                 ("48 h deadline, no screw", 1, 1)],
        "cells": ["share:target_concedes", "share:standoff", "share:mutual_escalation", "hours"],
    },
    "bluff": {
        "head": ("| Westmark's resolve (mean) | Westmark backs down | mutual escalation | "
                 "decided after (median h, IQR) |"),
        "rows": [("0.1 (a bluffer)", 0, 0), ("0.5", 0, 1), ("0.9 (resolute)", 0, 2)],
        "cells": ["share:initiator_backs_down", "share:mutual_escalation", "hours"],
    },
}
"""Each table: its header, its rows (label, which of the commands above it, which of its sweep
points) and the cell of each column: an outcome share (``share:CLASS``) or the decision time."""


def page_commands(text: str, name: str) -> list[list[str]]:
    """The ``crisis-sim batch`` commands of the console block just above table ``name``.

    Continuation lines are joined and a trailing ``# comment`` dropped, as a shell would.
    """
    before = text.split(f"<!-- figures:{name} -->", 1)[0]
    block = before.rsplit("```console\n", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    lines = re.findall(r"^\$ (crisis-sim batch .*)$", block, re.MULTILINE)
    return [shlex.split(line.split(" #")[0]) for line in lines]


def printed(text: str, name: str) -> list[str]:
    """The commands above table ``name`` as one string each, as the figures file records them."""
    return [shlex.join(argv) for argv in page_commands(text, name)]


def figures_of(runs: pd.DataFrame) -> dict:
    """The figures of one sweep point: outcome shares, and the decision hours of the runs decided."""
    n = len(runs)
    out = {f"share:{k}": float(v) / n for k, v in runs["outcome"].value_counts().items()}
    hours = runs["decided_at_hours"].dropna()
    out["hours"] = [float(hours.quantile(q)) for q in (0.25, 0.5, 0.75)] if len(hours) else None
    out["decided"] = len(hours)
    return out


def run_printed(argv: Sequence[str], scratch: Path) -> tuple[str, list[dict]]:
    """Run one printed command exactly (``crisis-sim`` is ``python -m crisis_sim`` of this checkout)
    in the empty folder ``scratch``: what it prints, and the figures of each sweep point of the
    batch folder it wrote."""
    from crisis_sim.batch import load_batch

    assert argv[0] == "crisis-sim", argv
    scratch.mkdir(parents=True)
    path = os.pathsep.join(p for p in (str(PROJECT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    for name in ("examples", "scenarios"):  # scenario files the page names by a relative path
        (scratch / name).symlink_to(PROJECT / name)
    done = subprocess.run([sys.executable, "-m", "crisis_sim", *argv[1:]], cwd=scratch, check=True,
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True)
    (folder,) = (scratch / "runs").iterdir()
    runs = load_batch(folder).runs
    return done.stdout, [figures_of(group) for _, group in runs.groupby("point_id", sort=True)]


def compute(names: Sequence[str] | None = None) -> dict[str, dict]:
    """Each table's printed commands and the figures of its rows, from running those commands."""
    text = DOC.read_text(encoding="utf-8")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, table in TABLES.items():
            if names and name not in names:
                continue
            commands = page_commands(text, name)
            points = [run_printed(argv, Path(tmp) / f"{name}-{i}")[1] for i, argv in enumerate(commands)]
            rows = [points[command][point] for _, command, point in table["rows"]]
            out[name] = {"commands": printed(text, name), "rows": rows}
            print(f"{name}: {len(rows)} rows from {len(commands)} command(s)", file=sys.stderr)
    return out


def cell(figures: dict, key: str) -> str:
    """A table cell: a share in whole percent, or the median decision time (IQR) in hours,
    saying over how many runs when fewer than :data:`FEW_DECIDED` were decided."""
    if key == "hours":
        h = figures.get("hours")
        if h is None:
            return "–"
        text = f"{h[1]:.0f} ({h[0]:.0f}–{h[2]:.0f})"
        decided = figures["decided"]
        return text if decided >= FEW_DECIDED else f"{text}, {decided} decided"
    return f"{100 * figures.get(key, 0.0):.0f}%"


def render(name: str, rows: list[dict]) -> str:
    table = TABLES[name]
    columns = table["head"].count("|") - 1
    lines = [table["head"], "|---" + "|---:" * (columns - 1) + "|"]
    for (label, _, _), figures in zip(table["rows"], rows, strict=True):
        lines.append("| " + " | ".join([label] + [cell(figures, k) for k in table["cells"]]) + " |")
    return "\n".join(lines)


def page(text: str, figures: dict[str, dict]) -> str:
    """The page with every marked table replaced by its rendering."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<!-- figures:{name} -->\n{render(name, figures[name]['rows'])}\n<!-- /figures -->"

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
        moved = [name for name in TABLES if stored[name]["commands"] != printed(text, name)]
        if moved:
            print(f"the page prints other commands than made: {', '.join(moved)}", file=sys.stderr)
            return 1
        return 0
    figures = compute()
    FIGURES.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    DOC.write_text(page(text, figures), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
