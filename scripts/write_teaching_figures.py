"""Regenerate the figures of docs/teaching.md by running the commands the page prints.

Each table of the lesson sits between ``<!-- figures:NAME -->`` and
``<!-- /figures -->`` markers, under a console block of ``$ crisis-sim batch
...`` commands. This script runs exactly those commands, as printed
(:func:`page_commands`; ``python -m crisis_sim`` in a scratch folder, where
they write their batch folders), reads each row's figures from the sweep
point of the batch folder the row names (:data:`TABLES`), checks that each
is what the command printed on the terminal (:func:`check_printed`), writes
the tables between the markers and keeps the raw figures, with the commands
that made them, in ``tests/data/teaching_figures.json``. Every column of a
table is one the command prints: an outcome share, "decided at (h)", and,
when the command asks for them with ``--show variants,measures``, the share
of runs decided in a variant (``variant:face_saving``) or in which a measure
was imposed (``imposed:us_tariff``); when fewer than :data:`FEW_DECIDED` runs
of a row were decided, its median says how many. The sentences of the page
that quote a figure are generated too (:data:`SENTENCES`, between
``<!-- says:NAME -->`` markers). ``tests/test_teaching_doc.py`` checks that
the page shows exactly what that file renders to and that the commands are
the page's, and reruns two tables' printed commands live::

    .venv/bin/python scripts/write_teaching_figures.py          # rewrite docs/teaching.md
    .venv/bin/python scripts/write_teaching_figures.py --render # only rewrite it from the stored figures
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
from collections.abc import Callable, Sequence
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
        "head": ("| runs | Colombia gives way | on its own planes | US tariff imposed | "
                 "decided after (median h, IQR) |"),
        "rows": [("100 runs", 0, 0)],
        "cells": ["share:target_concedes", "variant:face_saving", "imposed:us_tariff", "hours"],
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
        "rows": [("threaten tariffs, 24 h deadline (as in 2025)", 0, 0), ("impose everything at once", 1, 0),
                 ("threaten, the counter-tariff felt by no one in the US", 2, 0),
                 ("impose at once, the counter-tariff felt by no one in the US", 3, 0)],
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
        "head": ("| Westmark's resolve (mean) | Westmark backs down | its tariff imposed | "
                 "mutual escalation | decided after (median h, IQR) |"),
        "rows": [("0.1 (a bluffer)", 0, 0), ("0.5", 0, 1), ("0.9 (resolute)", 0, 2)],
        "cells": ["share:initiator_backs_down", "imposed:west_tariff", "share:mutual_escalation", "hours"],
    },
}
"""Each table: its header, its rows (label, which of the commands above it, which of its sweep
points) and the cell of each column: an outcome share (``share:CLASS``), a variant's share
(``variant:VARIANT``) or a measure's (``imposed:MEASURE``), or the decision time."""


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


def shown(argv: Sequence[str]) -> list[str]:
    """What a printed command asks its summary to show beyond the outcomes (``--show``)."""
    asked = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--show"]
    return [kind.strip() for value in asked for kind in value.split(",")]


def figures_of(runs: pd.DataFrame, show: Sequence[str] = ()) -> dict:
    """The figures of one sweep point: outcome shares, the decision hours of the runs decided,
    and what ``show`` asks for: the share of runs in each variant and with each measure imposed."""
    from crisis_sim.analysis.summary import IMPOSED, VARIANTS
    from crisis_sim.core.columns import Family

    n = len(runs)
    out = {f"share:{k}": float(v) / n for k, v in runs["outcome"].value_counts().items()}
    if "variants" in show:
        out.update({f"variant:{v}": float((runs["variant"] == v).sum()) / n for v in VARIANTS})
    if "measures" in show:
        out.update({f"imposed:{m}": float((runs[Family.FURTHEST.column(m)] == IMPOSED).sum()) / n
                    for m in Family.FURTHEST.keys_in(runs.columns)})
    hours = runs["decided_at_hours"].dropna()
    out["hours"] = [float(hours.quantile(q)) for q in (0.25, 0.5, 0.75)] if len(hours) else None
    out["decided"] = len(hours)
    return out


def terminal_tables(stdout: str) -> dict[str, list[dict[str, str]]]:
    """The tables ``crisis-sim batch`` printed, by kind (``outcomes``, and ``variants`` and
    ``measures`` when shown): for each sweep point in order, its cells by column header."""
    tables: dict[str, list[dict[str, str]]] = {}
    kind, header, previous = "", [], ""
    for line in stdout.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == "n":
            kind = ("variants" if previous.startswith("How the first issue") else
                    "measures" if previous.startswith("Measures imposed") else "outcomes")
            header, tables[kind] = cells, []
        elif kind and cells[0].isdigit() and len(cells) == len(header):
            tables[kind].append(dict(zip(header, cells, strict=True)))
        if line.strip():
            previous = line.strip()
    return tables


def check_printed(stdout: str, points: Sequence[dict], measures: dict[str, str]) -> None:
    """Raise unless every share and median decision time in ``points`` (the figures of each sweep
    point) is what the command printed; ``measures`` gives each measure's printed label."""
    tables = terminal_tables(stdout)
    for i, figures in enumerate(points):
        for key, value in figures.items():
            kind, _, name = key.partition(":")
            if key == "hours":
                if value is not None:
                    found = tables["outcomes"][i]["decided at (h)"]
                    if not found.startswith(f"{value[1]:.3g} ("):
                        raise ValueError(f"point {i}: decided at {value[1]:g} h, the terminal says {found}")
                continue
            if key == "decided":
                continue
            column = measures.get(name, name) if kind == "imposed" else name.replace("_", " ")
            table = {"share": "outcomes", "variant": "variants", "imposed": "measures"}[kind]
            found = tables[table][i].get(column, "0.0% (")  # the terminal leaves out classes never seen
            if not found.startswith(f"{100 * value:.1f}% ("):
                raise ValueError(f"point {i}: {key} {100 * value:.1f}%, the terminal says {found}")


def run_printed(argv: Sequence[str], scratch: Path,
                in_this_process: bool = False) -> tuple[str, list[dict]]:
    """Run one printed command exactly (``crisis-sim`` is ``python -m crisis_sim`` of this checkout)
    in the empty folder ``scratch``: what it prints, and the figures of each sweep point of the
    batch folder it wrote, each checked against what it printed (:func:`check_printed`).
    ``in_this_process``: the command's arguments are given to the ``crisis-sim`` command tree of
    the crisis_sim already imported (typer's test runner), in ``scratch`` as working folder, which
    spares a test the start-up of a process."""
    from crisis_sim.analysis.summary import measure_labels
    from crisis_sim.batch import load_batch

    assert argv[0] == "crisis-sim", argv
    scratch.mkdir(parents=True)
    for name in ("examples", "scenarios"):  # scenario files the page names by a relative path
        (scratch / name).symlink_to(PROJECT / name)
    stdout = _printed_here(argv, scratch) if in_this_process else _printed(argv, scratch)
    (folder,) = (scratch / "runs").iterdir()
    batch = load_batch(folder)
    points = [figures_of(group, shown(argv)) for _, group in batch.runs.groupby("point_id", sort=True)]
    check_printed(stdout, points, measure_labels(batch.manifest))
    return stdout, points


def _printed(argv: Sequence[str], scratch: Path) -> str:
    """What ``argv`` prints, run as ``python -m crisis_sim`` of this checkout in ``scratch``."""
    path = os.pathsep.join(p for p in (str(PROJECT / "src"), os.environ.get("PYTHONPATH", "")) if p)
    done = subprocess.run([sys.executable, "-m", "crisis_sim", *argv[1:]], cwd=scratch, check=True,
                          env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True)
    return done.stdout


def _printed_here(argv: Sequence[str], scratch: Path) -> str:
    """What ``argv`` prints, run in this process with ``scratch`` as the working folder."""
    import contextlib

    from typer.testing import CliRunner

    from crisis_sim.cli import app

    with contextlib.chdir(scratch):
        done = CliRunner().invoke(app, list(argv[1:]))
    if done.exit_code != 0:
        raise RuntimeError(f"{shlex.join(argv)} exited {done.exit_code}: {done.output}") from done.exception
    return done.stdout


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
    """A table cell: a share (of an outcome, a variant or runs with a measure imposed) in whole
    percent, or the median decision time (IQR) in hours,
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


def pct(share: float) -> str:
    """A share as the tables print it: whole percent."""
    return f"{100 * share:.0f}%"


def of_runs(share: float) -> str:
    """A share of runs in words: 'every run', 'no run' or 'N% of the runs' (as the table rounds it)."""
    text = pct(share)
    return {"100%": "every run", "0%": "no run"}.get(text, f"{text} of the runs")


def hours(figures: dict) -> str:
    """The median decision time as the table prints it."""
    return f"{figures['hours'][1]:.0f}"


def claim(holds: bool, what: str) -> None:
    """A claim the hand prose around a generated sentence makes: stop, rather than write a page
    whose words the figures contradict."""
    if not holds:
        raise ValueError(f"docs/teaching.md says {what}; the figures no longer do: rewrite the prose")


def _share(figures: dict, key: str) -> float:
    return float(figures.get(key, 0.0))


def _base(rows: list[dict]) -> str:
    (r,) = rows
    return (f"Colombia gives way in {of_runs(_share(r, 'share:target_concedes'))}, on its own planes "
            f"in {of_runs(_share(r, 'variant:face_saving'))}; the US tariff is imposed in "
            f"{of_runs(_share(r, 'imposed:us_tariff'))}; the median run is decided {hours(r)} hours "
            "after the refusal.")


def _exports(rows: list[dict]) -> str:
    full, eighth = rows[0], rows[-1]
    claim(hours(eighth) > hours(full), "that with less to lose Colombia gives way later")
    return (f"With an eighth of its exports at stake Colombia still gives way in "
            f"{of_runs(_share(eighth, 'share:target_concedes'))} (at 2024 trade, in "
            f"{of_runs(_share(full, 'share:target_concedes'))}), but later: a median {hours(eighth)} "
            f"hours after the refusal against {hours(full)}.")


def _exports_firm(rows: list[dict]) -> str:
    full, half = rows[0], rows[1]
    concedes = [_share(r, "share:target_concedes") for r in (full, half)]
    claim(concedes[0] > concedes[1], "that a firm Colombia gives way less often with less to lose")
    return (f"a firm Colombia gives way in {of_runs(concedes[0])} at 2024 trade and in "
            f"{of_runs(concedes[1])} at half of it. Where it holds, its counter-tariff costs the US "
            "president at home until the US drops its demand: the US backs down in "
            f"{of_runs(_share(full, 'share:initiator_backs_down'))} at 2024 trade and in "
            f"{of_runs(_share(half, 'share:initiator_backs_down'))} at half.")


def _commitment_firm(rows: list[dict]) -> str:
    committed, free = rows
    return (f"A committed Colombia gives way in {of_runs(_share(committed, 'share:target_concedes'))} "
            f"(the US backs down in {of_runs(_share(committed, 'share:initiator_backs_down'))}); an "
            f"uncommitted one gives way in {of_runs(_share(free, 'share:target_concedes'))}, a median "
            f"{hours(free)} hours after the refusal.")


def _chicken(rows: list[dict]) -> str:
    nobody, south, north = rows
    gives, backs, early = "share:target_concedes", "share:initiator_backs_down", "share:defused"
    # against a committed Southland (which never gives way) an early settlement is Northland
    # dropping its demand or taking Southland's terms; with nobody committed it may also be
    # Southland giving way early, so there the sum is an upper bound
    drops_south = _share(south, backs) + _share(south, early)
    drops_nobody = _share(nobody, backs) + _share(nobody, early)
    claim(_share(south, gives) == 0 and _share(north, backs) == 0,
          "that the side that committed in public never gives way")
    claim(drops_south > drops_nobody and _share(north, gives) > _share(nobody, gives),
          "that the other side gives way, or settles before any threat, more often")
    claim(_share(nobody, backs) > _share(nobody, gives) + 0.2,
          "that with nobody committed the side that demands swerves more often")
    return (f"Against Southland committed, Northland backs down in {of_runs(_share(south, backs))} "
            f"and the dispute is settled before any threat in {pct(_share(south, early))} more "
            f"({pct(_share(nobody, backs))} and {pct(_share(nobody, early))} with nobody committed), and "
            f"Southland gives way in {of_runs(_share(north, gives))} against Northland committed "
            f"({pct(_share(nobody, gives))}). With nobody committed, "
            f"{pct(_share(nobody, 'share:negotiated_settlement'))} of the crises end in a deal over "
            "the back channel that opens after a day (a bargain both prefer to fighting, Fearon "
            f"1995), and the two do not swerve alike: Northland backs down in "
            f"{of_runs(_share(nobody, backs))}, Southland gives way in {of_runs(_share(nobody, gives))}.")


def _chicken_defused(rows: list[dict]) -> str:
    nobody, south, _ = rows
    claim(_share(south, "share:defused") > _share(nobody, "share:defused"),
          "that a committed Southland makes Northland drop its demand early more often")
    return (f"{of_runs(_share(nobody, 'share:defused'))[0].upper()}"
            f"{of_runs(_share(nobody, 'share:defused'))[1:]} with nobody committed, and "
            f"{of_runs(_share(south, 'share:defused'))} when Southland has committed in public")


def _threat(rows: list[dict]) -> str:
    threat, impose, threat_free, impose_free = rows
    gives, backs = "share:target_concedes", "share:initiator_backs_down"
    way = "agrees" if _share(threat, gives) > _share(impose, gives) else "does not agree"
    claim(_share(threat_free, backs) == 0 and _share(impose_free, backs) == 0,
          "that without the counter-tariff's pressure the US never backs down")
    claim(_share(impose_free, gives) > _share(threat_free, gives),
          "that without the counter-tariff's pressure imposition works better than the threat")
    sooner = "sooner" if hours(impose) < hours(threat) else "no sooner"
    return (f"The model {way} with the data in direction: Colombia gives way in "
            f"{pct(_share(threat, gives))} of the runs under the threat and in "
            f"{pct(_share(impose, gives))} under immediate imposition, and the US backs down in "
            f"{pct(_share(threat, backs))} and {pct(_share(impose, backs))}, {sooner} when it "
            f"imposes at once (a median {hours(impose)} hours after the refusal against "
            f"{hours(threat)}). Take the counter-tariff's pressure away (the last two rows) and "
            f"imposition works better than the threat: Colombia gives way in "
            f"{pct(_share(threat_free, gives))} of the runs under the threat and in "
            f"{pct(_share(impose_free, gives))} under immediate imposition, and the US never "
            "backs down.")


def _ultimatum(rows: list[dict]) -> str:
    screw, no_deadline, no_screw = rows
    days = float(screw["hours"][1]) / 24
    return (f"without one the threat is never carried out and Eastmark simply waits (a standoff in "
            f"{of_runs(_share(no_deadline, 'share:standoff'))}). George: a gradual turning of the "
            "screw works where a fixed, bearable sanction does not: with the screw Eastmark gives "
            f"way in {of_runs(_share(screw, 'share:target_concedes'))}, a median {hours(screw)} "
            f"hours (about {days:.0f} days) in; without it the 10% tariff goes in at the deadline, "
            f"Eastmark answers with its own, and in {of_runs(_share(no_screw, 'share:mutual_escalation'))} "
            "the two live with each other's tariffs (mutual escalation) rather than either giving way.")


def _bluff(rows: list[dict]) -> str:
    bluffer, _, resolute = rows
    backs = "share:initiator_backs_down"
    claim(_share(resolute, backs) >= 0.9, "that even a resolute Westmark almost always backs down")
    when = (f"at the same hour as a bluffer ({hours(resolute)} hours after the refusal)"
            if hours(resolute) == hours(bluffer) else
            f"only later ({hours(resolute)} hours against {hours(bluffer)})")
    return (f"Here even a resolute Westmark backs down in {of_runs(_share(resolute, backs))}, {when}, "
            f"and imposes its tariff in {of_runs(_share(resolute, 'imposed:west_tariff'))}:")


SENTENCES: dict[str, tuple[str, Callable[[list[dict]], str]]] = {
    "base": ("base", _base),
    "exports": ("exports", _exports),
    "exports_firm": ("exports_firm", _exports_firm),
    "commitment_firm": ("commitment_firm", _commitment_firm),
    "chicken": ("chicken", _chicken),
    "chicken_defused": ("chicken", _chicken_defused),
    "threat_vs_imposition": ("threat_vs_imposition", _threat),
    "ultimatum": ("ultimatum", _ultimatum),
    "bluff": ("bluff", _bluff),
}
"""The page's sentences that quote figures, between ``<!-- says:NAME -->`` and ``<!-- /says -->``:
NAME's table, and the sentence made from its rows. Each also checks the qualitative claims of the
hand prose around it (:func:`claim`)."""


def page(text: str, figures: dict[str, dict]) -> str:
    """The page with every marked table and sentence replaced by its rendering."""
    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        return f"<!-- figures:{name} -->\n{render(name, figures[name]['rows'])}\n<!-- /figures -->"

    def sentence(match: re.Match[str]) -> str:
        name = match.group(1)
        source, say = SENTENCES[name]
        return f"<!-- says:{name} -->{say(figures[source]['rows'])}<!-- /says -->"

    text = re.sub(r"<!-- figures:(\w+) -->\n.*?<!-- /figures -->", table, text, flags=re.S)
    return re.sub(r"<!-- says:(\w+) -->.*?<!-- /says -->", sentence, text, flags=re.S)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the page against the stored figures")
    parser.add_argument("--render", action="store_true",
                        help="rewrite the page's tables and sentences from the stored figures only")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    if args.render:
        DOC.write_text(page(text, json.loads(FIGURES.read_text(encoding="utf-8"))), encoding="utf-8")
        return 0
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
