"""Scoring the model against history: how far a batch of runs reproduces a real crisis.

A back-test case is a scenario whose ``history`` block records what really
happened (``core.schema.History``): the outcome class, the time to decision
and the measures put into force. For each case, :func:`score_case` compares
the runs table of its batch with that record:

* **outcome**: the share of runs that end in the observed class, with its 95%
  Wilson interval; the modal simulated class and its share; whether the mode
  is the observed class;
* **Brier score** of the simulated outcome distribution against the observed
  class (Brier 1950, in its multi-class form): the sum over the classes of
  ``(share - observed)**2``, where ``observed`` is 1 for the class that
  happened and 0 otherwise. 0 is a certain, right forecast; 2 a certain,
  wrong one; spreading evenly over the five classes scores 0.8;
* **time**: ``log10`` of the simulated median time to decision over the
  observed one (0: the same; 1: ten times slower; -1: ten times faster). A
  run not decided by the horizon counts as slower than any decided run, so a
  median that falls among them is "not decided" and has no ratio; a record
  without a time (a standoff) has none either. Within a factor of
  :data:`TIME_FACTOR` counts as a match;
* **measures**: the set of measures each run put into force (its
  ``furthest_<measure>`` column reads ``imposed``) against the recorded set;
  the share of runs with exactly that set, and whether the modal set is it.

:func:`overall_scores` sums the cases up. Everything here is a pure function
of DataFrames and plain values (no I/O), so it is tested on synthetic tables.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crisis_sim.analysis.stats import wilson_interval
from crisis_sim.analysis.summary import OUTCOMES
from crisis_sim.core.columns import furthest_column

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.core.schema import History

TIME_FACTOR = 2.0
"""A simulated median time within this factor of the observed one counts as a match
(a choice of the scoreboard, not a fitted number; docs/backtest.md)."""

IMPOSED = "imposed"
"""The ``furthest_<measure>`` value of a measure that was put into force."""

COLUMNS = (
    "case", "runs", "observed_outcome", "observed_hours", "observed_measures",
    "share_observed", "share_observed_lo", "share_observed_hi",
    "modal_outcome", "modal_share", "outcome_match", "brier",
    "median_hours", "log10_time_ratio", "time_match",
    "modal_measures", "measures_match_share", "measures_match", "source",
)
"""The columns of the scoreboard table, in order (docs/backtest.md)."""


@dataclass(frozen=True)
class Observed:
    """What really happened in one case, as the scoring needs it."""

    outcome: str
    decided_hours: float | None
    measures_imposed: frozenset[str]
    source: str = ""

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome class {self.outcome!r}; classes are {', '.join(OUTCOMES)}")

    @classmethod
    def from_history(cls, history: History) -> Observed:
        return cls(
            outcome=str(history.outcome.value),
            decided_hours=history.decided_hours,
            measures_imposed=frozenset(history.measures_imposed),
            source=history.source,
        )


def outcome_shares(outcomes: Iterable[str]) -> dict[str, float]:
    """The share of each outcome class (every class present, in canonical order).

    Raises:
        ValueError: for no runs at all, or a class the model does not know.
    """
    counts = Counter(str(o) for o in outcomes)
    unknown = sorted(set(counts) - set(OUTCOMES))
    if unknown:
        raise ValueError(f"unknown outcome class(es): {', '.join(unknown)}")
    n = sum(counts.values())
    if n == 0:
        raise ValueError("no runs to score")
    return {o: counts.get(o, 0) / n for o in OUTCOMES}


def brier_score(shares: Mapping[str, float], observed: str) -> float:
    """Multi-class Brier score of a forecast distribution against the class that happened."""
    if observed not in OUTCOMES:
        raise ValueError(f"unknown outcome class {observed!r}")
    return float(sum((shares.get(o, 0.0) - (1.0 if o == observed else 0.0)) ** 2 for o in OUTCOMES))


def median_decision_hours(decided_hours: Iterable[float | None]) -> float | None:
    """Median time to decision over all runs, an undecided run (None or NaN) counting as
    later than every decided one; None when the median falls among the undecided."""
    values = sorted(math.inf if v is None or math.isnan(float(v)) else float(v) for v in decided_hours)
    if not values:
        return None
    mid = len(values) // 2
    median = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return None if math.isinf(median) else median


def log10_time_ratio(simulated_hours: float | None, observed_hours: float | None) -> float | None:
    """``log10(simulated / observed)``; None when either is missing.

    A decision at hour 0 (in the opening round) is taken as one hour, so that
    the ratio stays finite.
    """
    if simulated_hours is None or observed_hours is None:
        return None
    return math.log10(max(simulated_hours, 1.0) / max(observed_hours, 1.0))


def imposed_sets(runs: pd.DataFrame, measures: Sequence[str]) -> list[frozenset[str]]:
    """For each run (row), the measures whose furthest state was ``imposed``."""
    columns = {m: furthest_column(m) for m in measures if furthest_column(m) in runs.columns}
    flags = {m: (runs[c].astype(str) == IMPOSED).tolist() for m, c in columns.items()}
    return [frozenset(m for m in columns if flags[m][i]) for i in range(len(runs))]


def modal(items: Sequence[Any], order: Sequence[Any] | None = None) -> tuple[Any, int]:
    """The commonest item and its count; ties go to the item first in ``order``
    (or the first seen), so that the mode never depends on chance."""
    counts = Counter(items)
    if not counts:
        raise ValueError("no items")
    rank = {item: i for i, item in enumerate(order or [])}
    first_seen = {item: i for i, item in reversed(list(enumerate(items)))}
    best = max(counts, key=lambda k: (counts[k], -rank.get(k, len(rank)), -first_seen[k]))
    return best, counts[best]


def score_case(case: str, runs: pd.DataFrame, observed: Observed, measures: Sequence[str]) -> dict[str, Any]:
    """One scoreboard row: a case's runs table scored against its record.

    Args:
        case: the case's name.
        runs: the batch's runs table (``outcome``, ``decided_at_hours``,
            ``furthest_<measure>`` columns; one row per run).
        observed: what really happened.
        measures: the measure ids of the case's catalogue.
    """
    outcomes = [str(o) for o in runs["outcome"]]
    n = len(outcomes)
    shares = outcome_shares(outcomes)
    hits = sum(o == observed.outcome for o in outcomes)
    lo, hi = wilson_interval(hits, n)
    mode, mode_count = modal(outcomes, OUTCOMES)
    median = median_decision_hours(runs["decided_at_hours"].tolist())
    ratio = log10_time_ratio(median, observed.decided_hours)
    sets = imposed_sets(runs, measures)
    modal_set, _ = modal(sets)
    return {
        "case": case,
        "runs": n,
        "observed_outcome": observed.outcome,
        "observed_hours": observed.decided_hours,
        "observed_measures": _set_text(observed.measures_imposed),
        "share_observed": hits / n,
        "share_observed_lo": lo,
        "share_observed_hi": hi,
        "modal_outcome": mode,
        "modal_share": mode_count / n,
        "outcome_match": mode == observed.outcome,
        "brier": brier_score(shares, observed.outcome),
        "median_hours": median,
        "log10_time_ratio": ratio,
        "time_match": None if ratio is None else abs(ratio) <= math.log10(TIME_FACTOR),
        "modal_measures": _set_text(modal_set),
        "measures_match_share": sum(s == observed.measures_imposed for s in sets) / n,
        "measures_match": modal_set == observed.measures_imposed,
        "source": observed.source,
    }


def _set_text(measures: Iterable[str]) -> str:
    return ", ".join(sorted(measures)) or "none"


def scoreboard(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """The scoreboard table: one row per case, the columns of :data:`COLUMNS`."""
    import pandas as pd

    table = pd.DataFrame(list(rows), columns=list(COLUMNS))
    for column in ("time_match",):
        table[column] = table[column].astype("boolean")
    for column in ("observed_hours", "median_hours", "log10_time_ratio"):
        table[column] = table[column].astype("float64")
    return table


def overall_scores(table: pd.DataFrame) -> dict[str, Any]:
    """Totals over the cases: matches counted, shares and Brier scores averaged, and the
    median absolute time error over the cases that have one (None if none has)."""
    import pandas as pd

    ratios = sorted(abs(r) for r in table["log10_time_ratio"].tolist() if not pd.isna(r))
    timed = [bool(t) for t in table["time_match"].tolist() if not pd.isna(t)]
    return {
        "cases": len(table),
        "outcome_matches": int(table["outcome_match"].sum()),
        "mean_share_observed": float(table["share_observed"].mean()) if len(table) else math.nan,
        "mean_brier": float(table["brier"].mean()) if len(table) else math.nan,
        "timed_cases": len(timed),
        "time_matches": sum(timed),
        "median_abs_log10_time_ratio": _median(ratios),
        "measures_matches": int(table["measures_match"].sum()),
    }


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


# --------------------------------------------------------------------------
# Presenting the scoreboard
# --------------------------------------------------------------------------

HEADER = ("case", "observed", "observed time", "modal simulated (share, 95% CI)", "P(observed)",
          "Brier", "median time", "log10 ratio", "measures")


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _hours(hours: float | None) -> str:
    if _missing(hours):
        return "-"
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} d"


def _mark(value: Any) -> str:
    if _missing(value):
        return ""
    return " ✓" if bool(value) else " ✗"


def _cells(row: Mapping[str, Any]) -> list[str]:
    ratio = row["log10_time_ratio"]
    ratio_text = "-" if _missing(ratio) else f"{ratio:+.2f}"
    median = row["median_hours"]
    median_text = "not decided" if _missing(median) else _hours(median)
    return [
        str(row["case"]),
        str(row["observed_outcome"]).replace("_", " "),
        _hours(row["observed_hours"]),
        f"{str(row['modal_outcome']).replace('_', ' ')} {100 * row['modal_share']:.0f}%"
        f"{_mark(row['outcome_match'])}",
        f"{100 * row['share_observed']:.0f}% ({100 * row['share_observed_lo']:.0f}–"
        f"{100 * row['share_observed_hi']:.0f})",
        f"{row['brier']:.2f}",
        median_text,
        ratio_text + _mark(row["time_match"]),
        f"{100 * row['measures_match_share']:.0f}%{_mark(row['measures_match'])}",
    ]


def _total_lines(overall: Mapping[str, Any]) -> list[str]:
    ratio = overall["median_abs_log10_time_ratio"]
    ratio_text = "-" if ratio is None else f"{ratio:.2f}"
    return [
        f"Modal outcome matches history in {overall['outcome_matches']} of {overall['cases']} cases; "
        f"mean share of runs with the observed outcome {100 * overall['mean_share_observed']:.0f}%; "
        f"mean Brier score {overall['mean_brier']:.2f} (0 best, 2 worst).",
        f"Time to decision within a factor of {TIME_FACTOR:g} in {overall['time_matches']} of "
        f"{overall['timed_cases']} cases with a time on both sides; median |log10 ratio| {ratio_text}.",
        f"Modal set of imposed measures matches history in {overall['measures_matches']} of "
        f"{overall['cases']} cases.",
    ]


def scoreboard_markdown(table: pd.DataFrame, overall: Mapping[str, Any], *, runs: int, seed: int,
                        folder: str = "") -> str:
    """The scoreboard as a Markdown page: one line per case, then the totals."""
    where = f" of `{folder}`" if folder else ""
    lines = [
        "# Back-test scoreboard",
        "",
        f"{overall['cases']} cases{where}, {runs} runs each, root seed {seed}. ✓/✗: whether the "
        "modal simulated outcome, the median time (within a factor of "
        f"{TIME_FACTOR:g}) and the modal set of imposed measures match the record; P(observed): "
        "the share of runs ending in the observed class, with its 95% Wilson interval; "
        "measures: the share of runs that imposed exactly the recorded measures.",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "|".join("---" if i < 3 else "---:" for i in range(len(HEADER))) + "|",
    ]
    for row in table.to_dict(orient="records"):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in _cells(row)) + " |")
    lines += ["", *_total_lines(overall)]
    return "\n".join(lines) + "\n"


def scoreboard_text(table: pd.DataFrame, overall: Mapping[str, Any]) -> str:
    """The scoreboard for a terminal: aligned columns, then the totals."""
    rows = [list(HEADER), *(_cells(r) for r in table.to_dict(orient="records"))]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(_pad(c, w, left=i < 3) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    return "\n".join([*lines, "", *_total_lines(overall)])


def _pad(cell: str, width: int, *, left: bool) -> str:
    return cell.ljust(width) if left else cell.rjust(width)
