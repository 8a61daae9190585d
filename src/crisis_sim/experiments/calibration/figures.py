"""The pair plot of a calibration: prior draws and the draws the rejection step kept.

A corner of ``k x k`` panels for ``k`` parameters. On the diagonal, each
parameter's histogram over the prior draws (light) and over the kept draws
(dark): a kept histogram narrower than the prior's is what the data say
about the parameter. Below the diagonal, every draw as a grey dot and the kept
ones in colour, so that a ridge (two parameters traded against each other)
shows. The current default, where the cases share one, is a dashed line on
the diagonal and a cross below it. Drawn on a new
standalone figure, never shown and never registered with pyplot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd

COLOR = "#1f5f8b"
PRIOR = "0.75"
DEFAULT = "#b22222"


def _short(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def pair_plot(
    draws: pd.DataFrame,
    accepted: Sequence[int],
    priors: Mapping[str, tuple[float, float]],
    defaults: Mapping[str, float | None] | None = None,
    title: str = "",
) -> Figure:
    """The pair plot of ``draws`` (one row per draw, indexed by ``point_id``) and the kept ones."""
    names = list(priors)
    k = len(names)
    size = max(2.0, 1.9 * k)
    figure = Figure(figsize=(size + 0.4, size), layout="constrained")
    axes = figure.subplots(k, k, squeeze=False)
    kept = draws.loc[list(accepted)]
    defaults = defaults or {}
    for i, row_name in enumerate(names):
        for j, col_name in enumerate(names):
            ax = axes[i][j]
            lo, hi = priors[col_name]
            if j > i:  # the upper triangle would mirror the lower one
                ax.set_axis_off()
                continue
            if i == j:
                bins = [lo + (hi - lo) * b / 10 for b in range(11)]
                ax.hist(draws[col_name], bins=bins, color=PRIOR, label="prior draws")
                ax.hist(kept[col_name], bins=bins, color=COLOR, label="kept")
                if defaults.get(col_name) is not None:
                    ax.axvline(defaults[col_name], color=DEFAULT, linestyle="--", label="default")
                ax.set_yticks([])
            else:
                ax.scatter(draws[col_name], draws[row_name], s=6, color=PRIOR, linewidths=0)
                ax.scatter(kept[col_name], kept[row_name], s=14, color=COLOR, linewidths=0)
                d_col, d_row = defaults.get(col_name), defaults.get(row_name)
                if d_col is not None and d_row is not None:
                    ax.plot([d_col], [d_row], marker="x", color=DEFAULT, markersize=7)
                ax.set_ylim(*priors[row_name])
            ax.set_xlim(lo, hi)
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(_short(col_name), fontsize=8)
            if j == 0 and i != j:
                ax.set_ylabel(_short(row_name), fontsize=8)
    if k:
        handles, labels = axes[0][0].get_legend_handles_labels()
        where = axes[0][k - 1] if k > 1 else axes[0][0]
        where.legend(handles, labels, fontsize=7, loc="upper right", frameon=False)
    if title:
        figure.suptitle(title, fontsize=9)
    return figure
