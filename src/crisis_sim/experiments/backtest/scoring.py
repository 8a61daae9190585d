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

Beside each case's scores stand those of three baselines that know nothing of
the model, each made leave-one-case-out from the records of the *other* cases
(:func:`leave_one_out_baselines`), so that no baseline has seen the case it
forecasts:

* **base rate**: the share of each outcome class among the other cases;
* **commonest class**: all weight on the class most common among the other
  cases; a tie spreads the weight evenly over the tied classes (never broken by
  file order or names), and a modal match then counts as a fraction;
* **median time**: the median observed time to decision of the other cases
  that were decided.

A model worth its assumptions should beat them (Brier 1950 on reference
forecasts; Tetlock 2005 on forecasters against base rates).

:func:`overall_scores` sums the cases up, for the model and for each baseline,
and says whether the model beats each. Everything here is a pure function of
DataFrames and plain values (no I/O), so it is tested on synthetic tables.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crisis_sim.analysis.markdown import markdown_table
from crisis_sim.analysis.stats import wilson_interval
from crisis_sim.analysis.summary import OUTCOMES
from crisis_sim.core.columns import furthest_column
from crisis_sim.core.types import outcome_label

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
"""The model's columns of the scoreboard table, in order (docs/backtest.md)."""

BASELINE_COLUMNS = (
    "base_rate_share_observed", "base_rate_brier", "base_rate_match",
    "commonest_outcome", "commonest_brier", "commonest_match",
    "baseline_hours", "baseline_log10_time_ratio", "baseline_time_match",
)
"""The baselines' columns, after the model's (:func:`leave_one_out_baselines`)."""


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


def scoreboard(rows: Sequence[Mapping[str, Any]],
               reference: Mapping[str, tuple[str, float | None]] | None = None) -> pd.DataFrame:
    """The scoreboard table: one row per case, the columns of :data:`COLUMNS` and then the
    baselines of :data:`BASELINE_COLUMNS`, computed here from the rows' own records (any
    baseline values the rows carry are recomputed, so they always agree with the records) and
    from the ``reference`` records, if given (:func:`leave_one_out_baselines`)."""
    import pandas as pd

    table = pd.DataFrame(list(rows), columns=list(COLUMNS))
    records = {str(r["case"]): (str(r["observed_outcome"]), _hours_or_none(r["observed_hours"]))
               for r in table.to_dict(orient="records")}
    baselines = leave_one_out_baselines(records, reference)
    for column in BASELINE_COLUMNS:
        table[column] = [baselines[str(case)][column] for case in table["case"]]
    for column in ("time_match", "baseline_time_match"):
        table[column] = table[column].astype("boolean")
    for column in ("observed_hours", "median_hours", "log10_time_ratio", "base_rate_share_observed",
                   "base_rate_brier", "base_rate_match", "commonest_brier", "commonest_match",
                   "baseline_hours", "baseline_log10_time_ratio"):
        table[column] = table[column].astype("float64")
    return table


def _hours_or_none(value: Any) -> float | None:
    return None if value is None or math.isnan(float(value)) else float(value)


def overall_scores(table: pd.DataFrame) -> dict[str, Any]:
    """Totals over the cases: matches counted, shares and Brier scores averaged, and the
    median absolute time error over the cases that have one (None if none has); then the
    same totals for each baseline, and whether the model beats it.

    The model beats a baseline on Brier if its mean Brier score is lower, on modal matches
    if it has more of them, and on time if more of the cases with an observed time are
    matched within :data:`TIME_FACTOR` (a simulated median "not decided" is a miss).
    Equal is not better. A baseline with no other case to learn from is None.
    """
    import pandas as pd

    ratios = sorted(abs(r) for r in table["log10_time_ratio"].tolist() if not pd.isna(r))
    timed = [bool(t) for t in table["time_match"].tolist() if not pd.isna(t)]
    totals: dict[str, Any] = {
        "cases": len(table),
        "outcome_matches": int(table["outcome_match"].sum()),
        "mean_share_observed": float(table["share_observed"].mean()) if len(table) else math.nan,
        "mean_brier": float(table["brier"].mean()) if len(table) else math.nan,
        "timed_cases": len(timed),
        "time_matches": sum(timed),
        "median_abs_log10_time_ratio": _median(ratios),
        "measures_matches": int(table["measures_match"].sum()),
    }
    if not set(BASELINE_COLUMNS) <= set(table.columns):
        return totals
    baseline_ratios = sorted(abs(r) for r in table["baseline_log10_time_ratio"].tolist() if not pd.isna(r))
    baseline_timed = [bool(t) for t in table["baseline_time_match"].tolist() if not pd.isna(t)]
    totals.update({
        "base_rate_mean_share_observed": _mean(table["base_rate_share_observed"]),
        "base_rate_mean_brier": _mean(table["base_rate_brier"]),
        "base_rate_outcome_matches": _total(table["base_rate_match"]),
        "commonest_mean_brier": _mean(table["commonest_brier"]),
        "commonest_outcome_matches": _total(table["commonest_match"]),
        "observed_timed_cases": int(table["observed_hours"].notna().sum()),
        "baseline_timed_cases": len(baseline_timed),
        "baseline_time_matches": sum(baseline_timed),
        "baseline_median_abs_log10_time_ratio": _median(baseline_ratios),
    })
    for name in ("base_rate", "commonest"):
        totals[f"beats_{name}_on_brier"] = _lower(totals["mean_brier"], totals[f"{name}_mean_brier"])
        totals[f"beats_{name}_on_matches"] = _lower(totals[f"{name}_outcome_matches"],
                                                    totals["outcome_matches"])
    totals["beats_median_time"] = _lower(totals["baseline_time_matches"] if baseline_timed else None,
                                         totals["time_matches"])
    return totals


def _mean(column: pd.Series) -> float | None:
    values = column.dropna()
    return float(values.mean()) if len(values) else None


def _total(column: pd.Series) -> float | None:
    values = column.dropna()
    return float(values.sum()) if len(values) else None


def _lower(low: float | None, high: float | None) -> bool | None:
    """Whether ``low < high``; None when either is missing (or NaN)."""
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return None
    return bool(low < high)


# --------------------------------------------------------------------------
# Baselines, leave-one-case-out
# --------------------------------------------------------------------------


def base_rate_forecast(other_outcomes: Iterable[str]) -> dict[str, float]:
    """The base rate: the share of each outcome class among the other cases' records
    (every class present, in canonical order). ValueError if there is no other case."""
    return outcome_shares(other_outcomes)


def commonest_forecast(other_outcomes: Iterable[str]) -> dict[str, float]:
    """All weight on the class commonest among the other cases' records; a tie spreads it
    evenly over the tied classes, so that the forecast depends neither on the order of the
    cases nor on their names. ValueError if there is no other case."""
    shares = outcome_shares(other_outcomes)
    tied = _top_classes(shares)
    return {o: (1.0 / len(tied) if o in tied else 0.0) for o in OUTCOMES}


def modal_match(forecast: Mapping[str, float], observed: str) -> float:
    """How far a forecast's mode matches the observed class: 1 if the observed class alone
    has the largest share, ``1/k`` if it is one of ``k`` classes tied for it, else 0 (the
    expected match of a mode drawn at random among the tied classes)."""
    tied = _top_classes(forecast)
    return 1.0 / len(tied) if observed in tied else 0.0


def _top_classes(shares: Mapping[str, float]) -> list[str]:
    top = max(shares.values())
    return [o for o in OUTCOMES if shares.get(o, 0.0) == top]


def leave_one_out_baselines(records: Mapping[str, tuple[str, float | None]],
                            reference: Mapping[str, tuple[str, float | None]] | None = None,
                            ) -> dict[str, dict[str, Any]]:
    """The baselines' scores for each case, each baseline made from the other cases only.

    Args:
        records: for each case (by name), its observed outcome class and hours to
            decision (None for a record without a time, such as a standoff).
        reference: more records that the baselines learn from and that are not scored (the
            bundled cases, when the scored ones are crises new to the model): a reference
            record named as a scored case is that case's own, and is left out.

    Returns:
        For each case, the values of :data:`BASELINE_COLUMNS`: the base rate's share of
        the observed class, Brier score and modal match; the commonest class (tied
        classes joined by " / "), its Brier score and modal match; the median observed
        hours of the other decided cases, its log10 ratio to the case's own and whether
        that is within :data:`TIME_FACTOR`. All None for a case with no other case, and
        the time ones None when no other case (or not this one) has a time.
    """
    out: dict[str, dict[str, Any]] = {}
    pool = {**(reference or {}), **records}
    for case, (outcome, hours) in records.items():
        others = [record for name, record in pool.items() if name != case]
        if not others:
            out[case] = dict.fromkeys(BASELINE_COLUMNS)
            continue
        other_outcomes = [o for o, _ in others]
        base = base_rate_forecast(other_outcomes)
        commonest = commonest_forecast(other_outcomes)
        median = _median(sorted(h for _, h in others if h is not None))
        ratio = log10_time_ratio(median, hours)
        out[case] = {
            "base_rate_share_observed": base[outcome],
            "base_rate_brier": brier_score(base, outcome),
            "base_rate_match": modal_match(base, outcome),
            "commonest_outcome": " / ".join(o for o in OUTCOMES if commonest[o] > 0),
            "commonest_brier": brier_score(commonest, outcome),
            "commonest_match": modal_match(commonest, outcome),
            "baseline_hours": median,
            "baseline_log10_time_ratio": ratio,
            "baseline_time_match": None if ratio is None else abs(ratio) <= math.log10(TIME_FACTOR),
        }
    return out


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
    if hours is None or _missing(hours):
        return "-"
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} d"


def median_text(hours: float | None) -> str:
    """A simulated median time in words: "not decided" when it falls among the runs the horizon
    left undecided (missing), else hours or days."""
    return "not decided" if _missing(hours) else _hours(hours)


def _mark(value: Any) -> str:
    if _missing(value):
        return ""
    return " ✓" if bool(value) else " ✗"


def _cells(row: Mapping[Hashable, Any]) -> list[str]:
    """A row of the scoreboard as its cells (a row as ``DataFrame.to_dict`` gives it)."""
    ratio = row["log10_time_ratio"]
    ratio_text = "-" if _missing(ratio) else f"{ratio:+.2f}"
    return [
        str(row["case"]),
        outcome_label(row["observed_outcome"]),
        _hours(row["observed_hours"]),
        f"{str(row['modal_outcome']).replace('_', ' ')} {100 * row['modal_share']:.0f}%"
        f"{_mark(row['outcome_match'])}",
        f"{100 * row['share_observed']:.0f}% ({100 * row['share_observed_lo']:.0f}–"
        f"{100 * row['share_observed_hi']:.0f})",
        f"{row['brier']:.2f}",
        median_text(row["median_hours"]),
        ratio_text + _mark(row["time_match"]),
        f"{100 * row['measures_match_share']:.0f}%{_mark(row['measures_match'])}",
    ]


def _total_lines(overall: Mapping[str, Any]) -> list[str]:
    ratio = overall["median_abs_log10_time_ratio"]
    ratio_text = "-" if ratio is None else f"{ratio:.2f}"
    lines = [
        f"Modal outcome matches history in {overall['outcome_matches']} of {overall['cases']} cases; "
        f"mean share of runs with the observed outcome {100 * overall['mean_share_observed']:.0f}%; "
        f"mean Brier score {overall['mean_brier']:.2f} (0 best, 2 worst).",
        f"Time to decision within a factor of {TIME_FACTOR:g} in {overall['time_matches']} of "
        f"{overall['timed_cases']} cases with a time on both sides; median |log10 ratio| {ratio_text}.",
        f"Modal set of imposed measures matches history in {overall['measures_matches']} of "
        f"{overall['cases']} cases.",
    ]
    if overall.get("base_rate_mean_brier") is None:
        return [*lines, "Baselines (leave-one-case-out): none, with no other case to learn from."]
    cases = overall["cases"]
    reference = overall.get("baseline_reference")
    head = "Baselines, each made from the other cases' records only (leave-one-case-out):"
    if reference and reference["cases"]:
        head = (f"Baselines, each made from the records of the other cases and of {reference['cases']} "
                f"reference cases of {reference['folder']} (never the case's own):")
    return [
        *lines,
        head,
        f"  base rate (each class's share among the other cases): mean Brier "
        f"{overall['base_rate_mean_brier']:.2f}, modal class matches in "
        f"{_count(overall['base_rate_outcome_matches'])} of {cases}; the model beats it on Brier: "
        f"{_yes(overall['beats_base_rate_on_brier'])}, on modal matches: "
        f"{_yes(overall['beats_base_rate_on_matches'])}.",
        f"  commonest class among the other cases (a tie spread evenly, matching in part): mean Brier "
        f"{overall['commonest_mean_brier']:.2f}, matches in "
        f"{_count(overall['commonest_outcome_matches'])} of {cases}; the model beats it on Brier: "
        f"{_yes(overall['beats_commonest_on_brier'])}, on modal matches: "
        f"{_yes(overall['beats_commonest_on_matches'])}.",
        _time_baseline_line(overall),
    ]


def _time_baseline_line(overall: Mapping[str, Any]) -> str:
    observed = overall["observed_timed_cases"]
    if not overall["baseline_timed_cases"]:
        return "  median observed time of the other decided cases: no case has a time on both sides."
    ratio = overall["baseline_median_abs_log10_time_ratio"]
    return (f"  median observed time of the other decided cases: within a factor of {TIME_FACTOR:g} in "
            f"{overall['baseline_time_matches']} of {observed} cases with an observed time (the model: "
            f"{overall['time_matches']} of {observed}, a median not decided being a miss); median |log10 "
            f"ratio| {ratio:.2f}; the model beats it on time: {_yes(overall['beats_median_time'])}.")


def _count(value: float) -> str:
    """A count of matches: whole, or to two decimals when ties made it a fraction."""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"


def _yes(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def scoreboard_markdown(table: pd.DataFrame, overall: Mapping[str, Any], *, runs: int, seed: int,
                        folder: str = "", changes: Sequence[str] = ()) -> str:
    """The scoreboard as a Markdown page: one line per case, then the totals."""
    where = f" of `{folder}`" if folder else ""
    if changes:
        where += ", each with " + ", ".join(f"`{change}`" for change in changes)
    lines = [
        "# Back-test scoreboard",
        "",
        f"{overall['cases']} cases{where}, {runs} runs each, root seed {seed}. ✓/✗: whether the "
        "modal simulated outcome, the median time (within a factor of "
        f"{TIME_FACTOR:g}) and the modal set of imposed measures match the record; P(observed): "
        "the share of runs ending in the observed class, with its 95% Wilson interval; "
        "measures: the share of runs that imposed exactly the recorded measures.",
        "",
        *markdown_table(HEADER, [_cells(row) for row in table.to_dict(orient="records")], left=3),
    ]
    model, baselines = _total_lines(overall)[:3], _total_lines(overall)[3:]
    lines += ["", *model, ""]  # the baselines' header, then each as an item of a list
    lines += [f"- {line.strip()}" if line.startswith("  ") else f"{line}\n" for line in baselines]
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
