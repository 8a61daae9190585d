"""Two back-tests side by side: what a change of model or of assumption did to each case.

The research loop is: change a mechanism or an assumption, rerun the back-test, and see
which cases moved. :func:`backtest_difference` reads two finished back-test folders (the
first is the reference) and gives, for each case both scored, the share of runs ending as
history did in each, its change and whether that change is larger than sampling noise (twice
the standard error of a difference of two proportions: a change of a few runs in 50 is not
a result), the modal outcome and the Brier score in each, and the median time; then the
totals of each. ``crisis-sim compare A B`` prints it when both folders are back-tests.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.core.types import outcome_label

if TYPE_CHECKING:
    import pandas as pd

NOISE_SE = 2.0
"""A change in a case's share of runs ending as history did counts as more than noise when it
exceeds this many standard errors of the difference of the two shares."""


class NotABacktestError(ValueError):
    """A folder that is not a finished back-test; its message names the folder."""


def is_backtest_folder(folder: Path) -> bool:
    """Whether ``folder`` is a back-test folder (made by ``crisis-sim backtest``), finished or not."""
    from crisis_sim.experiments.backtest.run import KIND, SETTINGS
    from crisis_sim.runs.safe_folders import folder_kind

    return folder.is_dir() and (folder / SETTINGS).is_file() and folder_kind(folder) == KIND


def read_backtest(folder: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The scoreboard table and the totals of a finished back-test folder; NotABacktestError if it is
    not one, or not finished (its scoreboard is written last)."""
    import pandas as pd

    from crisis_sim.experiments.backtest.run import OVERALL_JSON, SCOREBOARD_PARQUET

    if not is_backtest_folder(folder):
        raise NotABacktestError(f"{folder}: not a back-test folder")
    if not (folder / SCOREBOARD_PARQUET).is_file() or not (folder / OVERALL_JSON).is_file():
        raise NotABacktestError(f"{folder}: the back-test is not finished (no scoreboard yet); "
                           "finish it with crisis-sim backtest --resume")
    try:
        table = pd.read_parquet(folder / SCOREBOARD_PARQUET)
        overall = json.loads((folder / OVERALL_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise NotABacktestError(f"{folder}: cannot read the scoreboard: {exc}") from None
    return table, overall


def share_change_se(p_a: float, n_a: int, p_b: float, n_b: int) -> float:
    """Standard error of the difference of two independent proportions ``p_b - p_a``."""
    return math.sqrt(p_a * (1.0 - p_a) / n_a + p_b * (1.0 - p_b) / n_b)


def backtest_difference(a: Path, b: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Case by case, back-test ``b`` against the reference ``a`` (see the module docstring).

    Returns the table (one row per case both scored, in ``a``'s order) and a summary: each
    back-test's totals, the cases only one of them scored, and how many cases moved beyond
    noise, up and down."""
    import pandas as pd

    table_a, overall_a = read_backtest(a)
    table_b, overall_b = read_backtest(b)
    merged = table_a.merge(table_b, on="case", suffixes=("_a", "_b"), how="inner", sort=False)
    rows = []
    for r in merged.to_dict(orient="records"):
        p_a, p_b = float(r["share_observed_a"]), float(r["share_observed_b"])
        change = p_b - p_a
        se = share_change_se(p_a, int(r["runs_a"]), p_b, int(r["runs_b"]))
        moved = abs(change) > NOISE_SE * se if se > 0 else change != 0
        rows.append({
            "case": r["case"], "observed_outcome": r["observed_outcome_a"],
            "share_observed_a": p_a, "share_observed_b": p_b, "change": change, "change_se": se,
            "moved": moved, "modal_outcome_a": r["modal_outcome_a"], "modal_outcome_b": r["modal_outcome_b"],
            "outcome_match_a": bool(r["outcome_match_a"]), "outcome_match_b": bool(r["outcome_match_b"]),
            "brier_a": float(r["brier_a"]), "brier_b": float(r["brier_b"]),
            "median_hours_a": r["median_hours_a"], "median_hours_b": r["median_hours_b"],
            "runs_a": int(r["runs_a"]), "runs_b": int(r["runs_b"]),
        })
    table = pd.DataFrame(rows)
    names_a, names_b = set(table_a["case"]), set(table_b["case"])
    summary = {
        "reference": str(a), "other": str(b), "cases": len(table),
        "only_in_reference": sorted(names_a - names_b), "only_in_other": sorted(names_b - names_a),
        "moved_up": int(((table["change"] > 0) & table["moved"]).sum()) if len(table) else 0,
        "moved_down": int(((table["change"] < 0) & table["moved"]).sum()) if len(table) else 0,
        "totals": {"reference": _totals(overall_a), "other": _totals(overall_b)},
    }
    return table, summary


def _totals(overall: dict[str, Any]) -> dict[str, Any]:
    keys = ("cases", "outcome_matches", "mean_share_observed", "mean_brier", "timed_cases", "time_matches")
    return {key: overall.get(key) for key in keys}


def difference_text(table: pd.DataFrame, summary: dict[str, Any]) -> str:
    """The comparison as text: one line per case, then the totals of each back-test."""
    from crisis_sim.experiments.backtest.scoring import median_text
    header = ("case", "observed", "P(observed) A → B", "change", "modal A → B", "Brier A → B",
              "median time A → B")
    rows = [header]
    for r in table.to_dict(orient="records"):
        mark = " *" if r["moved"] else ""
        rows.append((
            r["case"], outcome_label(r["observed_outcome"]),
            f"{r['share_observed_a']:.0%} → {r['share_observed_b']:.0%}",
            f"{r['change'] * 100:+.0f} ± {NOISE_SE * r['change_se'] * 100:.0f}{mark}",
            f"{_modal(r['modal_outcome_a'], r['outcome_match_a'])} → "
            f"{_modal(r['modal_outcome_b'], r['outcome_match_b'])}",
            f"{r['brier_a']:.2f} → {r['brier_b']:.2f}",
            f"{median_text(r['median_hours_a'])} → {median_text(r['median_hours_b'])}",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    ref, other = summary["totals"]["reference"], summary["totals"]["other"]
    out = [f"A: {summary['reference']}", f"B: {summary['other']}", "", *lines, "",
           f"* a change of the share larger than {NOISE_SE:g} standard errors of the difference: "
           f"{_cases(summary['moved_up'])} up, {summary['moved_down']} down, of {summary['cases']}.",
           f"Modal outcome matches history: {ref['outcome_matches']} of {ref['cases']} → "
           f"{other['outcome_matches']} of {other['cases']}; mean Brier {_mean_text(ref['mean_brier'])} → "
           f"{_mean_text(other['mean_brier'])}; time within a factor of 2: {ref['time_matches']} of "
           f"{ref['timed_cases']} → {other['time_matches']} of {other['timed_cases']}."]
    if summary["only_in_reference"] or summary["only_in_other"]:
        out.append("Not compared (scored by one back-test only; the totals above are each back-test's "
                   f"own): A only {', '.join(summary['only_in_reference']) or '-'}; B only "
                   f"{', '.join(summary['only_in_other']) or '-'}.")
    return "\n".join(out)


def _cases(n: int) -> str:
    return f"{n} case" if n == 1 else f"{n} cases"


def _modal(outcome: str, match: bool) -> str:
    return f"{outcome_label(outcome)} {'✓' if match else '✗'}"


def _mean_text(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
