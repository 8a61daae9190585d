"""Global sensitivity analysis: per-point outputs, indices, noise. No I/O.

Three methods, all through SALib (Herman & Usher 2017; Iwanaga et al. 2022):

* ``morris`` — elementary effects on a grid of ``levels`` levels (Morris 1991),
  ``samples`` trajectories of ``k + 1`` points each (Campolongo et al. 2007):
  ``mu*`` (mean absolute effect: does the parameter matter?) and ``sigma``
  (their spread: does it act through interactions or non-linearly?). A
  screening method: about ``10 (k + 1)`` to ``50 (k + 1)`` points.
* ``sobol`` — Saltelli's sampling (Saltelli 2002; Saltelli et al. 2010) of
  ``samples (k + 2)`` points, ``samples`` a power of two: ``S1``, the share of
  the output's variance a parameter explains alone, and ``ST``, its share
  with every interaction (Jansen's estimator). A variance decomposition.
* ``lhs`` — a Latin hypercube of ``samples`` points (McKay et al. 1979) for
  plain exploration; summarised by Spearman rank correlations.

The model is stochastic, so each design point is run ``replicates`` times
and summarised by outputs (:func:`point_outputs`): the share of each outcome
class, quantiles of the decision time, mean cost and approval. How much of
their variance is the model's own noise is read from the replicates
(:func:`noise`, the law of total variance). A ``dummy`` parameter, which the
model never reads, is added to every design by default: its index is the
noise floor that a parameter must clear to be said to matter (Khorashadi
Zadeh et al. 2017).

The design itself (:class:`~crisis_sim.batch.design.Design`, sampled by
:func:`~crisis_sim.batch.design.sample`) is a batch's plan. The entry point for any
model is :func:`study`: a :data:`Evaluator` maps a design's sample matrix to a
run-level table (``point_id`` and numbers), and everything after that (outputs
per point, indices, noise, verdicts) is the same code whether the evaluator ran
a batch of crises or a test function.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crisis_sim.batch.design import DUMMY, Design, DesignError, sample
from crisis_sim.core.types import Outcome

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

DECISION_TIME = "decided_at_hours"
QUANTILES = (("median", 0.5), ("q25", 0.25), ("q75", 0.75))
CONFIDENCE = 0.95
RESAMPLES = 1000
MATTERS_SOBOL = 0.05
"""A total-order index whose lower bound clears this (and the dummy's upper bound) matters."""
MATTERS_MORRIS = 0.1
"""A mu* whose lower bound clears this share of the largest mu* (and the dummy's upper bound) matters."""


INDEX_OF = {"morris": "mu_star", "sobol": "ST", "lhs": "rho"}
"""The index each method ranks parameters by."""
INDEX_COLUMNS = {
    "morris": ("mu", "mu_star", "mu_star_lo", "mu_star_hi", "sigma", "sigma_lo", "sigma_hi"),
    "sobol": ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi"),
    "lhs": ("rho", "rho_lo", "rho_hi"),
}
"""The columns of each method's indices table, after ``output`` and ``parameter``."""


# --------------------------------------------------------------------------
# Outputs: per run, then per design point
# --------------------------------------------------------------------------


def run_outputs(runs: pd.DataFrame, horizon_hours: Sequence[float] | float) -> pd.DataFrame:
    """A batch's runs table as the numbers a sensitivity analysis reads, one row per run.

    ``point_id``; ``share_<outcome>`` (1 when the run ended so, else 0);
    ``decided_at_hours``, with an undecided run counted at its horizon
    (``horizon_hours``, per run or for all: a censored time); ``cost_<actor>``
    and ``approval_<actor>`` as in the runs table.
    """
    import numpy as np
    import pandas as pd

    from crisis_sim.core.columns import Family

    out = pd.DataFrame({"point_id": runs["point_id"].to_numpy()})
    for outcome in Outcome:
        out[Family.SHARE.column(outcome.value)] = (runs["outcome"] == outcome.value).to_numpy(dtype=float)
    decided = runs[DECISION_TIME].to_numpy(dtype=float)
    horizon = np.broadcast_to(np.asarray(horizon_hours, dtype=float), decided.shape)
    out[DECISION_TIME] = np.where(np.isnan(decided), horizon, decided)
    for column in runs.columns:
        if Family.COST.owns(column) or Family.APPROVAL.owns(column):
            out[column] = runs[column].to_numpy(dtype=float)
    return out


def _output_names(column: str) -> list[str]:
    if column == DECISION_TIME:
        return [f"{column}_{name}" for name, _ in QUANTILES]
    return [column]


def point_outputs(runs: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """One row per design point (index ``0 .. n_points - 1``), one column per output.

    Each numeric column of the run-level table is averaged over the point's
    replicates (a ``share_*`` column so becomes the share of runs), except
    ``decided_at_hours``, which gives its median and quartiles. A point
    without runs is an error: every point must have been evaluated.
    """
    import numpy as np
    import pandas as pd

    columns = [c for c in runs.columns if c not in ("point_id", "replicate", "run_id")]
    grouped = runs.groupby("point_id", sort=True)
    frames = []
    for column in columns:
        if column == DECISION_TIME:
            for (_, q), out in zip(QUANTILES, _output_names(column), strict=True):
                frames.append(grouped[column].quantile(q).rename(out))
        else:
            frames.append(grouped[column].mean().rename(column))
    table = pd.concat(frames, axis=1) if frames else pd.DataFrame(index=grouped.size().index)
    missing = sorted(set(range(n_points)) - set(table.index))
    if missing:
        raise DesignError(f"{len(missing)} design points have no runs (the first: {missing[0]})")
    return table.reindex(np.arange(n_points))


def noise(runs: pd.DataFrame) -> pd.DataFrame:
    """How much of each run-level figure's variance is the model's own noise.

    By the law of total variance, a figure's variance across all runs is the
    variance of the point means (what the parameters do) plus the mean
    variance within points (what the seed does). Per run-level column:
    ``replicates`` (per point, the smallest), ``total_var``, ``within_var``,
    ``noise_share`` (within / total: the share of run-to-run variance that
    the parameters do not explain, at most 1: the two unbiased estimates can
    put within a little above total when the points barely differ), and ``noise_share_of_means``: the share
    of the variance of the point averages that comes from averaging only
    ``replicates`` noisy runs (within / replicates / variance of the means,
    at most 1). Null when there is one run per point.
    """
    import numpy as np
    import pandas as pd

    grouped = runs.groupby("point_id", sort=True)
    replicates = int(grouped.size().min()) if len(runs) else 0
    rows = []
    for column in [c for c in runs.columns if c not in ("point_id", "replicate", "run_id")]:
        values = runs[column].to_numpy(dtype=float)
        total = float(np.var(values, ddof=1)) if values.size > 1 else math.nan
        within = float(grouped[column].var(ddof=1).mean()) if replicates > 1 else math.nan
        means = grouped[column].mean().to_numpy()
        means_var = float(np.var(means, ddof=1)) if grouped.ngroups > 1 else math.nan
        share = min(1.0, within / total) if replicates > 1 and total > 0 else math.nan
        of_means = min(1.0, within / replicates / means_var) if replicates > 1 and means_var > 0 else math.nan
        rows.append(
            {
                "output": column,
                "replicates": replicates,
                "total_var": total,
                "within_var": within,
                "noise_share": share,
                "noise_share_of_means": of_means,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Indices
# --------------------------------------------------------------------------


def _morris(
    design: Design, matrix: np.ndarray, y: np.ndarray, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """mu, mu*, sigma from SALib; percentile bootstrap intervals of mu* and sigma over trajectories."""
    import numpy as np
    from SALib.analyze import morris
    from SALib.analyze.morris import _compute_elementary_effects
    from SALib.util import _compute_delta

    k = len(design.names)
    found = morris.analyze(design.problem(), matrix, y, num_levels=design.levels, num_resamples=10,
                           seed=int(rng.integers(2**31)))
    effects = _compute_elementary_effects(matrix, y, k + 1, _compute_delta(design.levels))  # k x trajectories
    r = effects.shape[1]
    picks = rng.integers(r, size=(RESAMPLES, r))
    resampled = effects[:, picks]  # k x resamples x r
    mu_star = np.abs(resampled).mean(axis=2)
    sigma = resampled.std(axis=2, ddof=1)
    tail = (1 - CONFIDENCE) / 2 * 100
    return {
        "mu": np.asarray(found["mu"]),
        "mu_star": np.asarray(found["mu_star"]),
        "mu_star_lo": np.percentile(mu_star, tail, axis=1),
        "mu_star_hi": np.percentile(mu_star, 100 - tail, axis=1),
        "sigma": np.asarray(found["sigma"]),
        "sigma_lo": np.percentile(sigma, tail, axis=1),
        "sigma_hi": np.percentile(sigma, 100 - tail, axis=1),
    }


def _sobol(design: Design, y: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """S1 and ST (Saltelli 2010; Jansen 1999) with 95% percentile intervals from SALib's bootstrap.

    SALib's own ``_conf`` is 1.96 bootstrap standard deviations; the
    percentiles of the same resamples are used instead, because an output
    that is nearly constant (an outcome share that is 0 at almost every
    point) gives a few resamples with almost no variance, whose huge
    estimates would swamp a standard deviation but not a percentile.
    """
    import numpy as np
    from SALib.analyze import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a constant resample: SALib warns and returns 0 for it
        found = sobol.analyze(design.problem(), y, calc_second_order=False, num_resamples=RESAMPLES,
                              conf_level=CONFIDENCE, keep_resamples=True, seed=int(rng.integers(2**31)))
    tail = (1 - CONFIDENCE) / 2 * 100
    out = {}
    for key in ("S1", "ST"):
        resampled = np.asarray(found[f"{key}_conf_all"])
        out[key] = np.asarray(found[key])
        out[f"{key}_lo"] = np.percentile(resampled, tail, axis=0)
        out[f"{key}_hi"] = np.percentile(resampled, 100 - tail, axis=0)
    return out


def _spearman(matrix: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Spearman rank correlation of each parameter with the output, with a percentile bootstrap interval."""
    import numpy as np
    from scipy.stats import spearmanr

    def rho(rows: np.ndarray) -> np.ndarray:
        return np.array([spearmanr(matrix[rows, j], y[rows]).statistic for j in range(matrix.shape[1])])

    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a resample with constant y gives nan, dropped below
        boots = np.array([rho(rng.integers(n, size=n)) for _ in range(200)])
    tail = (1 - CONFIDENCE) / 2 * 100
    return {
        "rho": rho(np.arange(n)),
        "rho_lo": np.nanpercentile(boots, tail, axis=0),
        "rho_hi": np.nanpercentile(boots, 100 - tail, axis=0),
    }


def indices(design: Design, matrix: np.ndarray, outputs: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """The sensitivity indices of every output that varies, in long form.

    One row per output and parameter (``dummy`` included): ``output``,
    ``parameter``, then for morris ``mu``, ``mu_star``, ``sigma`` with
    ``_lo``/``_hi`` bounds; for sobol ``S1``, ``ST`` with bounds; for lhs
    ``rho`` with bounds. An output that is the same at every point, or is
    missing somewhere, has no rows (see :func:`constant_outputs`).
    """
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    rows = []
    for name in outputs.columns:
        y = outputs[name].to_numpy(dtype=float)
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        if design.method == "morris":
            found = _morris(design, matrix, y, rng)
        elif design.method == "sobol":
            found = _sobol(design, y, rng)
        else:
            found = _spearman(matrix, y, rng)
        for j, parameter in enumerate(design.names):
            values = {k: float(v[j]) for k, v in found.items()}
            rows.append({"output": name, "parameter": parameter, **values})
    return pd.DataFrame(rows, columns=["output", "parameter", *INDEX_COLUMNS[design.method]])


def constant_outputs(outputs: pd.DataFrame) -> list[str]:
    """Outputs with no indices: the same at every design point (or not a number somewhere)."""
    import numpy as np

    def varies(values: np.ndarray) -> bool:
        return bool(np.all(np.isfinite(values)) and np.ptp(values) > 0)

    return [c for c in outputs.columns if not varies(outputs[c].to_numpy(dtype=float))]





def verdicts(design: Design, table: pd.DataFrame) -> pd.DataFrame:
    """Which parameters matter, output by output: one row per output and parameter (dummy left out).

    ``index``, ``lo``, ``hi``: the ranking index and its interval; ``floor``:
    what the lower bound must clear, the larger of the dummy's upper bound
    (the noise floor, when the design has a dummy) and a fixed share
    (ST 0.05; mu* a tenth of the output's largest; |rho| 0.1); ``matters``:
    whether it does.
    """
    import pandas as pd

    key = INDEX_OF[design.method]
    rows = []
    for output, group in table.groupby("output", sort=False):
        values = group.set_index("parameter")
        lo_col, hi_col = f"{key}_lo", f"{key}_hi"
        if design.method == "lhs":
            size = values[key].abs()
            lo = values[[lo_col, hi_col]].abs().min(axis=1).where(values[lo_col] * values[hi_col] > 0, 0.0)
            hi = values[[lo_col, hi_col]].abs().max(axis=1)
            fixed = 0.1
        else:
            size, lo, hi = values[key], values[lo_col], values[hi_col]
            fixed = MATTERS_SOBOL if design.method == "sobol" else MATTERS_MORRIS * float(values[key].max())
        floor = max(fixed, float(hi[DUMMY])) if design.dummy else fixed
        for parameter in values.index:
            if parameter == DUMMY:
                continue
            rows.append({
                "output": output, "parameter": parameter, "index": float(size[parameter]),
                "lo": float(lo[parameter]), "hi": float(hi[parameter]), "floor": floor,
                "matters": bool(lo[parameter] > floor),
            })
    frame = pd.DataFrame(rows, columns=["output", "parameter", "index", "lo", "hi", "floor", "matters"])
    return frame.astype({"index": float, "lo": float, "hi": float, "floor": float, "matters": bool})


# --------------------------------------------------------------------------
# A study: any model, through an evaluator
# --------------------------------------------------------------------------

Evaluator = Callable[["Design", "np.ndarray"], "pd.DataFrame"]
"""Maps a design and its sample matrix to a run-level table: ``point_id`` (the
row of the matrix) and one numeric column per run-level figure, one row per
run (several per point when the model is stochastic)."""


@dataclass
class SensitivityResult:
    """A design, what it gave, and what that says."""

    design: Design
    matrix: np.ndarray
    runs: pd.DataFrame
    outputs: pd.DataFrame
    indices: pd.DataFrame
    noise: pd.DataFrame
    verdicts: pd.DataFrame
    constant: list[str] = field(default_factory=list)

    def mattering(self) -> list[str]:
        """Parameters that matter for at least one output, most important first."""
        found = self.verdicts.loc[self.verdicts["matters"]]
        largest = found.assign(size=found["index"].abs()).groupby("parameter")["size"].max()
        order = largest.sort_values(ascending=False)
        return list(order.index)

    def not_mattering(self) -> list[str]:
        """Parameters that matter for no output (at this design's size)."""
        found = set(self.mattering())
        return [p.path for p in self.design.parameters if p.path not in found]


def analyse(design: Design, matrix: np.ndarray, runs: pd.DataFrame, seed: int = 0) -> SensitivityResult:
    """Outputs per point, indices, noise and verdicts from an evaluated design's run-level table."""
    outputs = point_outputs(runs, len(matrix))
    table = indices(design, matrix, outputs, seed)
    return SensitivityResult(
        design=design, matrix=matrix, runs=runs, outputs=outputs, indices=table, noise=noise(runs),
        verdicts=verdicts(design, table), constant=constant_outputs(outputs),
    )


def study(design: Design, evaluate: Evaluator, seed: int = 0) -> SensitivityResult:
    """Sample the design, evaluate it, analyse it: the whole path for any model."""
    matrix = sample(design)
    return analyse(design, matrix, evaluate(design, matrix), seed)
