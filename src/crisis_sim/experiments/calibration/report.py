"""Scoreboards and the report of a calibration (:mod:`crisis_sim.experiments.calibration.abc`). No I/O.

Five fits of the same cases are scored side by side, each by the back-test's
own scoring (:func:`crisis_sim.experiments.backtest.scoring.score_case`) plus the
calibration's distance (:func:`crisis_sim.experiments.calibration.abc.case_distance`):

* ``defaults`` — the runs at the cases' current values (nothing fitted);
* ``posterior`` — in sample: the runs of the draws the rejection step kept,
  pooled (the posterior predictive), every case having helped choose them;
* ``loo`` — out of sample: for each case, the pooled runs of the draws kept
  when that case was left out (leave-one-case-out cross-validation);
* ``medians`` — in sample: the runs at the kept draws' medians, one point of the posterior
  (:func:`~crisis_sim.experiments.calibration.abc.point_values`);
* ``loo_medians`` — out of sample: for each case, the runs at the medians of the
  draws kept without it.

An adoption writes the kept draws themselves (:data:`crisis_sim.core.calibrated.POSTERIOR`),
and each run of a case draws one of them (:mod:`crisis_sim.core.posterior`): the adopted model
is the posterior predictive. So the calibrated parameters are adopted only if :data:`JUDGED`,
that model fitted without each case it predicts, beats ``defaults`` and the back-test's two
baselines (:func:`verdict`): the in-sample figures are always flattered by the fit. The two
point fits say whether one point of the posterior would do as well: a mixture of kept draws
can match what no single one of them does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from crisis_sim.analysis.markdown import markdown_table as table_lines
from crisis_sim.core.types import outcome_label
from crisis_sim.experiments.backtest.scoring import (
    TIME_FACTOR,
    Observed,
    leave_one_out_baselines,
    score_case,
    scoreboard,
)
from crisis_sim.experiments.calibration.abc import DISTANCE, case_distance, pooled_runs

if TYPE_CHECKING:
    import pandas as pd

POINT_FITS = ("medians", "loo_medians")
"""The fits run at one point each (their own batches), after the draws."""
FITS = ("defaults", "posterior", "loo", *POINT_FITS)
FIT_LABELS = {"defaults": "defaults", "posterior": "posterior (in sample)", "loo": "leave-one-out",
              "medians": "medians (in sample)", "loo_medians": "medians, leave-one-out"}
SHORT_LABELS = {"defaults": "defaults", "posterior": "posterior", "loo": "loo", "medians": "medians",
                "loo_medians": "loo medians"}
"""The headers of the side-by-side table (five fits across)."""
JUDGED = "loo"
"""The fit the verdict judges: the model an adoption makes (the kept draws, each run drawing
one), scored out of sample."""


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
    point_runs: Mapping[str, Mapping[str, pd.DataFrame]],
) -> pd.DataFrame:
    """The fits' scoreboards in one long table, a ``fit`` column first (:data:`FITS`);
    ``point_runs[fit][case]``: the runs of each fit of :data:`POINT_FITS`."""
    import pandas as pd

    predicted = {
        "defaults": dict(defaults_runs),
        "posterior": {c: pooled_runs(r, accepted) for c, r in draws_runs.items()},
        "loo": {c: pooled_runs(r, loo[c]) for c, r in draws_runs.items()},
        **{fit: dict(point_runs[fit]) for fit in POINT_FITS},
    }
    tables = []
    for fit in FITS:
        table = fit_scoreboard(predicted[fit], observed, horizons, measures)
        table.insert(0, "fit", fit)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


TIME_FACTORS = (round(TIME_FACTOR), 3)
"""The factors within which a fit's median time to decision counts as matching the record's, in
its totals: the back-test's :data:`~crisis_sim.experiments.backtest.scoring.TIME_FACTOR`, and 3
(a median not decided by the horizon is a miss, as on the back-test's scoreboard)."""


def totals(board: pd.DataFrame) -> pd.DataFrame:
    """Per fit: mean distance, modal-outcome matches, mean P(observed), mean Brier score, and of
    the cases whose record has a time (``timed_cases``), those whose median time to decision is
    within each factor of :data:`TIME_FACTORS` of it (``time_within_2``, ``time_within_3``)."""
    import pandas as pd

    rows = []
    for fit in FITS:
        part = board[board["fit"] == fit]
        timed = part[part["observed_hours"].notna()]
        ratio = timed["log10_time_ratio"].abs()
        rows.append({
            "fit": fit,
            "cases": len(part),
            "mean_distance": float(part[DISTANCE].mean()),
            "outcome_matches": int(part["outcome_match"].sum()),
            "mean_share_observed": float(part["share_observed"].mean()),
            "mean_brier": float(part["brier"].mean()),
            "timed_cases": len(timed),
            **{f"time_within_{k}": int((ratio <= math.log10(k)).sum()) for k in TIME_FACTORS},
        })
    return pd.DataFrame(rows)


BASELINES = ("base_rate", "commonest")
BASELINE_LABELS = {"base_rate": "the base rate", "commonest": "the commonest class"}
RIVALS = ("defaults", *BASELINES)
"""What the leave-one-out fit must beat to be adopted: the current values and the back-test's
two baselines, each made without the case it predicts."""
EDGE = 0.10
"""The outer share of a prior's range, at each end, that :func:`edge_warnings` looks at."""
EDGE_CROWD = 0.5
"""A prior is flagged when more than this share of the kept draws lies in the outer
:data:`EDGE` of its range at one end (a uniform posterior puts 10% there)."""


def baseline_totals(records: Mapping[str, tuple[str, float | None]]) -> dict[str, dict[str, float]]:
    """Mean Brier score and modal matches of the back-test's two baselines, leave-one-case-out
    (:func:`crisis_sim.experiments.backtest.scoring.leave_one_out_baselines`): for each case,
    the base rate and the commonest class among the *other* cases' records. A baseline's
    modal match of a case is 1, or 1/k when the observed class is one of k tied modes."""
    scores = leave_one_out_baselines(records)
    out = {}
    for name in BASELINES:
        briers = [float(s[f"{name}_brier"]) for s in scores.values()]
        matches = [float(s[f"{name}_match"]) for s in scores.values()]
        out[name] = {"mean_brier": sum(briers) / len(briers), "outcome_matches": sum(matches)}
    return out


def verdict(total: pd.DataFrame, baselines: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Whether the posterior is adopted: :data:`JUDGED` against every rival of :data:`RIVALS`.

    The rule, fixed before any study is run so that it cannot protect a favourite
    value: the posterior is adopted if and only if, out of sample (each case predicted
    by the draws kept without it), its mean Brier score is strictly lower than that of
    the defaults and of each baseline, and its modal outcome matches (the runs' commonest
    class is the recorded one) are at least as many as each rival's. A tie in matches
    does not fail (a count over a handful of cases is coarse); a tie in Brier does. It
    judges the model an adoption makes: the kept draws, each run drawing one
    (:mod:`crisis_sim.core.posterior`). ``total``: :func:`totals`; ``baselines``:
    :func:`baseline_totals`. Every comparison is returned, with the judged fit's figure
    as ``value``, and ``failed`` names the ones lost.
    """
    by_fit = total.set_index("fit")
    loo = {"mean_brier": float(by_fit["mean_brier"].loc[JUDGED]),
           "outcome_matches": float(by_fit["outcome_matches"].loc[JUDGED])}
    rivals = {"defaults": {"mean_brier": float(by_fit["mean_brier"].loc["defaults"]),
                           "outcome_matches": float(by_fit["outcome_matches"].loc["defaults"])}}
    rivals.update({name: {k: float(baselines[name][k]) for k in ("mean_brier", "outcome_matches")}
                   for name in BASELINES})
    comparisons = []
    for rival in RIVALS:
        comparisons.append({"rival": rival, "measure": "mean_brier", "value": loo["mean_brier"],
                            "rival_value": rivals[rival]["mean_brier"],
                            "passed": loo["mean_brier"] < rivals[rival]["mean_brier"]})
        comparisons.append({"rival": rival, "measure": "outcome_matches", "value": loo["outcome_matches"],
                            "rival_value": rivals[rival]["outcome_matches"],
                            "passed": loo["outcome_matches"] >= rivals[rival]["outcome_matches"]})
    failed = [f"{c['rival']}:{c['measure']}" for c in comparisons if not c["passed"]]
    return {"adopt": not failed, "judged": JUDGED, "cases": int(by_fit["cases"].loc[JUDGED]),
            "comparisons": comparisons, "failed": failed}


def _rival(name: str) -> str:
    return BASELINE_LABELS.get(name, "the defaults")


def verdict_line(v: Mapping[str, Any]) -> str:
    """The verdict in words, naming every comparison the leave-one-out fit lost."""
    lines = []
    for c in v["comparisons"]:
        if c["measure"] == "mean_brier":
            lines.append(f"{_rival(c['rival'])}: mean Brier {c['value']:.3f} against {c['rival_value']:.3f} "
                         f"({'beaten' if c['passed'] else 'not beaten'})")
        else:
            lines.append(f"{_rival(c['rival'])}: modal matches {c['value']:g} against "
                         f"{c['rival_value']:g} of {v['cases']} ({'not fewer' if c['passed'] else 'fewer'})")
    head = ("Adopted: leave-one-out, the posterior beats the defaults and both baselines."
            if v["adopt"] else
            "Not adopted: leave-one-out, the posterior loses to "
            + "; ".join(f"{_rival(r)} on {'mean Brier' if m == 'mean_brier' else 'modal matches'}"
                        for r, m in (f.split(":") for f in v["failed"])) + ".")
    return "\n".join([head, *(f"  {line}" for line in lines), *v.get("prior_edges", [])])


def edge_warnings(values: pd.DataFrame, accepted: Sequence[int],
                  priors: Mapping[str, tuple[float, float]]) -> list[str]:
    """A warning for each prior whose kept draws crowd an edge: more than :data:`EDGE_CROWD`
    of them in the outer :data:`EDGE` of its range at one end. Such a prior cuts the posterior
    off; the rule is to widen it and rerun the study (docs/calibration.md)."""
    kept = values.loc[list(accepted)]
    out = []
    for name, (lo, hi) in priors.items():
        column = kept[name].astype(float)
        width = hi - lo
        for end, share in (("lower", float((column <= lo + EDGE * width).mean())),
                           ("upper", float((column >= hi - EDGE * width).mean()))):
            if share > EDGE_CROWD:
                out.append(f"warning: {name}: {100 * share:.0f}% of the kept draws lie in the {end} "
                           f"{100 * EDGE:.0f}% of its prior {lo:g}..{hi:g}; widen the prior and rerun")
    return out


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
        header += [f"{SHORT_LABELS[fit]}: P(obs)", "d"]
    rows = [header]
    parts = {fit: board[board["fit"] == fit].set_index("case") for fit in FITS}
    for case in parts["defaults"].index:
        first = parts["defaults"].loc[case]
        row = [str(case), outcome_label(first["observed_outcome"]), _hours(first["observed_hours"])]
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
        line = (f"{FIT_LABELS[r['fit']]}: mean distance {r['mean_distance']:.3f}; modal outcome matches "
                f"{r['outcome_matches']} of {r['cases']}; mean P(observed) "
                f"{100 * r['mean_share_observed']:.0f}%; mean Brier {r['mean_brier']:.2f}")
        if "timed_cases" in r:  # totals stored before times were counted have none
            line += (f"; median time within a factor of {' / '.join(map(str, TIME_FACTORS))}: "
                     f"{' / '.join(str(r[f'time_within_{k}']) for k in TIME_FACTORS)} of {r['timed_cases']}")
        lines.append(line)
    return lines


def aligned(rows: Sequence[Sequence[str]], left: int = 1) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) if i < left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()
                     for r in rows)


def markdown_table(rows: Sequence[Sequence[str]], left: int = 1) -> str:
    head, *body = rows
    return "\n".join(table_lines(head, body, left=left))


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
              "Posterior: the kept draws' runs pooled; loo (leave-one-out): for each case, the draws kept "
              "without it; medians: the runs at the kept draws' medians, one point of the posterior; "
              "loo medians: for each case, at the medians of the draws kept without it. The verdict "
              "judges loo: the adopted model is the kept draws, each run drawing one.", "",
              markdown_table(side_by_side(board), left=3), "",
              *[f"- {line}" for line in total_lines(total)], "",
              *[f"- {ln.strip()}" if ln.startswith("  ") else ln for ln in verdict_line(v).splitlines()],
              ""]
    return "\n".join(lines)
