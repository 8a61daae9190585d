"""Approximate Bayesian computation by rejection: fitting parameters to the back-test. No I/O.

The method is the plain rejection sampler of approximate Bayesian computation
(Pritchard et al. 1999; Beaumont, Zhang & Balding 2002): draw parameter
vectors from the prior, simulate each, and keep the fraction ``accept`` whose
simulations lie closest to the observations. The kept draws are a sample of
the approximate posterior; the smaller the fraction, the closer the
approximation and the fewer the draws left to describe it. Beaumont et al.
take the tolerance as a quantile of the distances, as here.

The distance between a parameter vector's simulations and the historical
record is the mean over cases of a per-case distance (:func:`case_distance`):

* half the Brier score of the runs' outcome shares against the class the
  record gives (Brier 1950; :func:`crisis_sim.experiments.backtest.scoring.brier_score`):
  0 when every run ends in the observed class, 1 when every run ends in one
  other class. The Brier score is a proper scoring rule (Gneiting & Raftery
  2007): over many cases it is smallest for draws whose outcome shares match
  how often each outcome happens, where the plain miss rate
  ``1 - P(observed)`` would reward draws that put every run in the commonest
  class;
* plus, for a case whose record has a time to decision,
  ``min(1, |log10(t_sim / t_obs)|)``, where ``t_sim`` is the median time to
  decision of the runs with an undecided run counted at its horizon (a
  censored time). Ten times too fast or too slow, or worse, counts 1.

So each case contributes between 0 and 2 (a standoff, which has no time,
between 0 and 1), and the distance is a plain mean of them.

Everything works on a *distance table*: one row per prior draw (its
``point_id``), one column per case. :func:`reject` keeps the closest draws
by the mean over the columns; :func:`leave_one_out` keeps, for each case,
the closest by the mean over the *other* columns, so that the draws
predicting a case were chosen without it (cross-validation, Stone 1974).
A prediction for a case is its posterior predictive: the runs of the kept
draws pooled (:func:`pooled_runs`), scored like any back-test batch
(:mod:`crisis_sim.experiments.backtest.scoring`). What a study adopts
is the kept draws themselves, each run drawing one (:mod:`crisis_sim.core.posterior`); one
point of them, their medians (:func:`point_values`), is scored too, in sample and
leave-one-case-out (:mod:`crisis_sim.experiments.calibration.report`), to show whether a
single point would do as well.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from crisis_sim.analysis.summary import OUTCOMES
from crisis_sim.experiments.backtest.scoring import (
    Observed,
    brier_score,
    median_decision_hours,
    outcome_shares,
)

if TYPE_CHECKING:
    import pandas as pd

TIME_CAP = 1.0
"""Largest contribution of the time term of one case: a factor of ten (or more) off."""
DISTANCE = "distance"
"""The column of the mean distance over cases."""


class AbcError(ValueError):
    """Numbers an ABC fit cannot use (an accepted share outside (0, 1], no draws)."""


def censored_median_hours(decided_hours: Iterable[float | None], horizon_hours: float) -> float:
    """Median time to decision, an undecided run (None or NaN) counted at ``horizon_hours``."""
    values = [horizon_hours if v is None or math.isnan(float(v)) else min(float(v), horizon_hours)
              for v in decided_hours]
    if not values:
        raise AbcError("no runs to take a median of")
    median = median_decision_hours(values)
    assert median is not None
    return median


def case_distance(
    outcomes: Sequence[str], decided_hours: Sequence[float | None], observed: Observed, horizon_hours: float
) -> dict[str, float]:
    """The distance of one case's runs (at one parameter vector) from its record.

    Returns ``outcome`` (half the Brier score), ``time`` (the capped
    ``|log10|`` time ratio; 0 for a record without a time) and ``distance``
    (their sum).
    """
    if len(outcomes) == 0:
        raise AbcError("no runs to score")
    miss = brier_score(outcome_shares(outcomes), observed.outcome) / 2
    time = 0.0
    if observed.decided_hours is not None:
        median = censored_median_hours(decided_hours, horizon_hours)
        time = min(TIME_CAP, abs(math.log10(max(median, 1.0) / max(observed.decided_hours, 1.0))))
    return {"outcome": miss, "time": time, DISTANCE: miss + time}


def distance_table(
    runs: Mapping[str, pd.DataFrame], observed: Mapping[str, Observed], horizons: Mapping[str, float]
) -> pd.DataFrame:
    """The per-case distance of every draw: index ``point_id``, one column per case (sorted).

    ``runs[case]`` is the case's runs table (``point_id``, ``outcome``,
    ``decided_at_hours``); every case must hold the same draws. The same
    figures as :func:`case_distance` for each draw's runs, computed for all
    draws at once.
    """
    import pandas as pd

    columns = {}
    ids: list[int] | None = None
    for case in sorted(runs):
        distance = _case_distances(runs[case], observed[case], horizons[case])
        if ids is None:
            ids = distance.index.tolist()
        elif distance.index.tolist() != ids:
            raise AbcError(f"{case}: its draws differ from the other cases'")
        columns[case] = distance.to_numpy()
    if ids is None:
        raise AbcError("no cases")
    return pd.DataFrame(columns, index=pd.Index(ids, name="point_id"))


def _case_distances(table: pd.DataFrame, observed: Observed, horizon_hours: float) -> pd.Series:
    """:func:`case_distance` of each draw's runs in ``table``, by ``point_id`` (sorted)."""
    import numpy as np
    import pandas as pd

    outcomes = table["outcome"].astype(str)
    unknown = sorted(set(outcomes.unique()) - set(OUTCOMES))
    if unknown:
        raise AbcError(f"unknown outcome class(es): {', '.join(unknown)}")
    points = table["point_id"].to_numpy()
    shares = pd.crosstab(points, outcomes.to_numpy(), normalize="index")
    shares = shares.reindex(columns=list(OUTCOMES), fill_value=0.0)
    target = np.array([1.0 if o == observed.outcome else 0.0 for o in OUTCOMES])
    distance = ((shares.to_numpy() - target) ** 2).sum(axis=1) / 2
    if observed.decided_hours is not None:
        hours = table["decided_at_hours"].to_numpy(dtype=float)
        hours = np.where(np.isnan(hours), horizon_hours, np.minimum(hours, horizon_hours))
        median = pd.Series(hours).groupby(points).median().reindex(shares.index).to_numpy()
        ratio = np.abs(np.log10(np.maximum(median, 1.0) / max(observed.decided_hours, 1.0)))
        distance = distance + np.minimum(TIME_CAP, ratio)
    return pd.Series(distance, index=shares.index.astype(int))


def accepted_count(n_draws: int, accept: float) -> int:
    """How many of ``n_draws`` a share ``accept`` keeps: at least one."""
    if not 0 < accept <= 1 or math.isnan(accept):
        raise AbcError(f"--accept: a share above 0 and at most 1, got {accept}")
    if n_draws < 1:
        raise AbcError("no prior draws")
    return max(1, round(accept * n_draws))


def mean_distance(distances: pd.DataFrame, without: str | None = None) -> pd.Series:
    """The mean distance over the cases (columns), leaving out the case ``without``."""
    columns = [c for c in distances.columns if c != without]
    if not columns:
        raise AbcError("leaving one case out needs at least two cases")
    return distances[columns].mean(axis=1)


def reject(distances: pd.DataFrame, accept: float, without: str | None = None) -> list[int]:
    """The rejection step: the ``point_id`` of the closest ``accept`` share of the draws.

    Ranked by the mean distance over the cases (``without`` one left out),
    ties by ``point_id``, so that the kept set never depends on chance.
    """
    mean = mean_distance(distances, without)
    k = accepted_count(len(mean), accept)
    order = sorted(zip(mean.tolist(), mean.index.tolist(), strict=True))
    return [int(point_id) for _, point_id in order[:k]]


def leave_one_out(distances: pd.DataFrame, accept: float) -> dict[str, list[int]]:
    """For each case, the draws the rejection step keeps when that case is left out."""
    return {case: reject(distances, accept, without=case) for case in distances.columns}


def pooled_runs(runs: pd.DataFrame, point_ids: Iterable[int]) -> pd.DataFrame:
    """The runs of the draws ``point_ids``: a sample of the posterior predictive."""
    keep = set(point_ids)
    return runs[runs["point_id"].isin(keep)]


ADOPTED_DIGITS = 4
"""Significant digits of an adopted value: as the report prints a median and the adoption
writes it into :mod:`crisis_sim.core.calibrated`."""


def adopted_value(x: float) -> float:
    """``x`` to :data:`ADOPTED_DIGITS` significant digits, as an adoption would write it."""
    return float(f"{x:.{ADOPTED_DIGITS}g}")


def point_values(draws: pd.DataFrame, point_ids: Sequence[int]) -> dict[str, float]:
    """One point for the kept draws ``point_ids``: each parameter's median over them, to
    :data:`ADOPTED_DIGITS` significant digits (``draws``: one row per draw, indexed by
    ``point_id``, one column per parameter)."""
    kept = draws.loc[list(point_ids)]
    return {name: adopted_value(float(kept[name].astype(float).median())) for name in draws.columns}


def posterior_table(
    draws: pd.DataFrame, distances: pd.DataFrame, accepted: Sequence[int]
) -> pd.DataFrame:
    """The kept draws: ``point_id``, their parameter values, each case's distance and the mean, ``rank``.

    ``draws``: one row per draw, indexed by ``point_id``, one column per parameter.
    """
    table = draws.loc[list(accepted)].copy()
    per_case = distances.loc[list(accepted)].add_prefix("distance_")
    table = table.join(per_case)
    table[DISTANCE] = distances.loc[list(accepted)].mean(axis=1)
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.reset_index()


def posterior_summary(
    draws: pd.DataFrame,
    accepted: Sequence[int],
    priors: Mapping[str, tuple[float, float]],
    defaults: Mapping[str, float | None],
) -> pd.DataFrame:
    """One row per parameter: its prior range, current default, and the posterior's
    median, 5%, 25%, 75% and 95% quantiles and mean over the kept draws, the value at the
    closest draw, and the posterior's width as a share of the prior's (90% interval over range)."""
    import pandas as pd

    kept = draws.loc[list(accepted)]
    best = kept.iloc[0]
    rows = []
    for name, (lo, hi) in priors.items():
        values = kept[name].astype(float)
        q = values.quantile([0.05, 0.25, 0.5, 0.75, 0.95]).tolist()
        rows.append({
            "parameter": name, "prior_lo": lo, "prior_hi": hi, "default": defaults.get(name),
            "median": q[2], "q05": q[0], "q25": q[1], "q75": q[3], "q95": q[4],
            "mean": float(values.mean()), "best": float(best[name]),
            "width_share": (q[4] - q[0]) / (hi - lo),
        })
    table = pd.DataFrame(rows)
    table["default"] = table["default"].astype("float64")
    return table

