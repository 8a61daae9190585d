"""Scoreboards and the report of a calibration (:mod:`crisis_sim.experiments.calibration.abc`). No I/O.

Three fits of the same cases are scored side by side, each by the back-test's
own scoring (:func:`crisis_sim.experiments.backtest.scoring.score_case`) plus the
calibration's distance (:func:`crisis_sim.experiments.calibration.abc.case_distance`):

* ``defaults`` — the runs at the cases' current values (nothing fitted);
* ``posterior`` — in sample: the runs of the draws the rejection step kept,
  pooled (the posterior predictive), every case having helped choose them;
* ``loo`` — out of sample: for each case, the pooled runs of the draws kept
  when that case was left out (leave-one-case-out cross-validation).

The calibrated parameters help only if ``loo`` beats ``defaults``: the
in-sample figure is always flattered by the fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crisis_sim.experiments.backtest.scoring import Observed, score_case, scoreboard
from crisis_sim.experiments.calibration.abc import DISTANCE, case_distance, pooled_runs

if TYPE_CHECKING:
    import pandas as pd

FITS = ("defaults", "posterior", "loo")
FIT_LABELS = {"defaults": "defaults", "posterior": "posterior (in sample)", "loo": "leave-one-out"}


def fit_scoreboard(
    runs: Mapping[str, pd.DataFrame],
    observed: Mapping[str, Observed],
    horizons: Mapping[str, float],
    measures: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """The back-test scoreboard of one fit (``runs[case]``: the runs it predicts the case by),
    with the calibration's ``distance`` of each case added."""
    rows = []
    for case in sorted(runs):
        table = runs[case]
        row = score_case(case, table, observed[case], list(measures[case]))
        row[DISTANCE] = case_distance(table["outcome"].astype(str).tolist(),
                                      table["decided_at_hours"].tolist(), observed[case],
                                      horizons[case])[DISTANCE]
        rows.append(row)
    table = scoreboard(rows)
    table[DISTANCE] = [r[DISTANCE] for r in rows]
    return table


def scoreboards(
    draws_runs: Mapping[str, pd.DataFrame],
    defaults_runs: Mapping[str, pd.DataFrame],
    accepted: Sequence[int],
    loo: Mapping[str, Sequence[int]],
    observed: Mapping[str, Observed],
    horizons: Mapping[str, float],
    measures: Mapping[str, Sequence[str]],
) -> pd.DataFrame:
    """The three fits' scoreboards in one long table, a ``fit`` column first (:data:`FITS`)."""
    import pandas as pd

    predicted = {
        "defaults": dict(defaults_runs),
        "posterior": {c: pooled_runs(r, accepted) for c, r in draws_runs.items()},
        "loo": {c: pooled_runs(r, loo[c]) for c, r in draws_runs.items()},
    }
    tables = []
    for fit in FITS:
        table = fit_scoreboard(predicted[fit], observed, horizons, measures)
        table.insert(0, "fit", fit)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def totals(board: pd.DataFrame) -> pd.DataFrame:
    """Per fit: mean distance, modal-outcome matches, mean P(observed), mean Brier score."""
    import pandas as pd

    rows = []
    for fit in FITS:
        part = board[board["fit"] == fit]
        rows.append({
            "fit": fit,
            "cases": len(part),
            "mean_distance": float(part[DISTANCE].mean()),
            "outcome_matches": int(part["outcome_match"].sum()),
            "mean_share_observed": float(part["share_observed"].mean()),
            "mean_brier": float(part["brier"].mean()),
        })
    return pd.DataFrame(rows)


def verdict(total: pd.DataFrame) -> dict[str, Any]:
    """Whether the cross-validated fit beats the defaults, by the mean distance (lower is better)."""
    by_fit = total.set_index("fit")
    loo, defaults = float(by_fit.loc["loo", "mean_distance"]), float(by_fit.loc["defaults", "mean_distance"])
    return {"loo_mean_distance": loo, "defaults_mean_distance": defaults, "helps": loo < defaults}


def verdict_line(v: Mapping[str, Any]) -> str:
    if v["helps"]:
        return (f"The calibrated parameters beat the defaults out of sample: leave-one-out mean "
                f"distance {v['loo_mean_distance']:.3f} against {v['defaults_mean_distance']:.3f}.")
    return (f"The calibrated parameters do not beat the defaults out of sample: leave-one-out mean "
            f"distance {v['loo_mean_distance']:.3f} against {v['defaults_mean_distance']:.3f}.")


# --------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------


def _hours(hours: Any) -> str:
    import pandas as pd

    if hours is None or pd.isna(hours):
        return "-"
    return f"{hours:.0f} h" if hours < 72 else f"{hours / 24:.0f} d"


def side_by_side(board: pd.DataFrame) -> list[list[str]]:
    """Rows of the side-by-side scoreboard: per case, per fit P(observed) and distance."""
    header = ["case", "observed", "time"]
    for fit in FITS:
        header += [f"{FIT_LABELS[fit]}: P(obs)", "d"]
    rows = [header]
    parts = {fit: board[board["fit"] == fit].set_index("case") for fit in FITS}
    for case in parts["defaults"].index:
        first = parts["defaults"].loc[case]
        row = [str(case), str(first["observed_outcome"]).replace("_", " "), _hours(first["observed_hours"])]
        for fit in FITS:
            r = parts[fit].loc[case]
            row += [f"{100 * r['share_observed']:.0f}%", f"{r[DISTANCE]:.2f}"]
        rows.append(row)
    return rows


def posterior_lines(summary: pd.DataFrame) -> list[list[str]]:
    rows = [["parameter", "prior", "default", "median", "90% interval", "best draw"]]
    for r in summary.to_dict(orient="records"):
        default = "-" if r["default"] is None or r["default"] != r["default"] else f"{r['default']:.4g}"
        rows.append([r["parameter"], f"{r['prior_lo']:.4g}..{r['prior_hi']:.4g}", default,
                     f"{r['median']:.4g}", f"{r['q05']:.4g}..{r['q95']:.4g}", f"{r['best']:.4g}"])
    return rows


def total_lines(total: pd.DataFrame) -> list[str]:
    lines = []
    for r in total.to_dict(orient="records"):
        lines.append(f"{FIT_LABELS[r['fit']]}: mean distance {r['mean_distance']:.3f}; modal outcome matches "
                     f"{r['outcome_matches']} of {r['cases']}; mean P(observed) "
                     f"{100 * r['mean_share_observed']:.0f}%; mean Brier {r['mean_brier']:.2f}")
    return lines


def aligned(rows: Sequence[Sequence[str]], left: int = 1) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i < left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
                     for r in rows)


def markdown_table(rows: Sequence[Sequence[str]], left: int = 1) -> str:
    head, *body = rows
    lines = ["| " + " | ".join(head) + " |",
             "|" + "|".join("---" if i < left else "---:" for i in range(len(head))) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in body]
    return "\n".join(lines)


def summary_text(summary: pd.DataFrame, board: pd.DataFrame, total: pd.DataFrame,
                 v: Mapping[str, Any], *, accepted: int, draws: int) -> str:
    """What ``crisis-sim calibrate`` prints: the posterior, the scoreboards side by side, the verdict."""
    return "\n".join([
        f"posterior: {accepted} of {draws} prior draws kept (rejection ABC)",
        aligned(posterior_lines(summary)),
        "",
        aligned(side_by_side(board), left=3),
        "",
        *total_lines(total),
        verdict_line(v),
    ])


def report_markdown(summary: pd.DataFrame, board: pd.DataFrame, total: pd.DataFrame,
                    v: Mapping[str, Any], *, settings: Mapping[str, Any], figure: str | None,
                    command: Sequence[str] = ()) -> str:
    """``calibration/report.md``: settings, posterior, the scoreboards side by side, the verdict."""
    lines = [
        "# Calibration by rejection ABC",
        "",
        f"{len(settings['cases'])} cases of `{settings['folder']}`; {settings['draws']} prior draws "
        f"(a Latin hypercube, seed {settings['seed']}), {settings['runs']} runs per case at each draw and "
        f"at the defaults; the closest {settings['accepted']} draws kept (accept {settings['accept']:g}).",
        "Distance of a case: half its Brier score, plus min(1, |log10 time ratio|) when the record "
        "has a time; the distance of a draw is its mean over the cases (docs/calibration.md).",
        "",
    ]
    if command:
        lines += ["```", " ".join(command), "```", ""]
    lines += ["## Posterior", "", markdown_table(posterior_lines(summary)), ""]
    if figure:
        lines += [f"![Pair plot of the kept draws]({figure})", ""]
    lines += ["## Scoreboards", "",
              "P(obs): share of the runs ending in the observed class; d: the case's distance. "
              "Posterior: the kept draws' runs pooled; leave-one-out: for each case, the draws kept "
              "without it.", "",
              markdown_table(side_by_side(board), left=3), "",
              *[f"- {line}" for line in total_lines(total)], "", verdict_line(v), ""]
    return "\n".join(lines)
