"""Figures of a sensitivity study: the Morris mu*–sigma chart and sorted index bars.

Both take one output's rows of the indices table (one row per parameter, as
:func:`crisis_sim.experiments.sensitivity.indices.indices` lays it out) and draw on the
``ax`` given or on a new standalone figure, never shown and never
registered with pyplot (as :mod:`crisis_sim.present.plots`).

How to read them (docs/sensitivity.md): on the mu*–sigma chart (Morris
1991; Campolongo et al. 2007) a parameter far to the right matters; one high
up acts through interactions or non-linearly (sigma near or above mu*: the
line sigma = mu*); one near the origin, within the dummy's reach, does not
matter at this sample size. On the bar chart, parameters are sorted by their
index; the whiskers are 95% intervals; the dashed line is the noise floor.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

DUMMY = "dummy"
DUMMY_COLOR = "0.55"
COLOR = "#1f5f8b"


def _axes(ax: Axes | None, figsize: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    return Figure(figsize=figsize, layout="constrained").add_subplot()


def _short(path: str, width: int = 38) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]


def plot_morris(
    rows: pd.DataFrame, title: str, ax: Axes | None = None, labelled: int = 8, also: Sequence[str] = ()
) -> Axes:
    """mu* against sigma per parameter, with 95% bootstrap intervals on both and the line sigma = mu*.

    The ``labelled`` parameters of largest mu* are named, those in ``also``
    (the ones that matter) and the dummy; the others are drawn unnamed and
    lighter (the report's table names them).
    """
    import numpy as np

    ax = _axes(ax, (8, 6))
    named = set(rows.nlargest(labelled, "mu_star")["parameter"]) | {DUMMY} | set(also)
    for _, row in rows.sort_values("mu_star").iterrows():
        dummy = row["parameter"] == DUMMY
        color = DUMMY_COLOR if dummy else COLOR
        if row["parameter"] not in named:
            ax.plot(row["mu_star"], row["sigma"], "o", color=color, alpha=0.35, markersize=4)
            continue
        xerr = np.array([[row["mu_star"] - row["mu_star_lo"]], [row["mu_star_hi"] - row["mu_star"]]])
        yerr = np.array([[row["sigma"] - row["sigma_lo"]], [row["sigma_hi"] - row["sigma"]]])
        ax.errorbar(row["mu_star"], row["sigma"], xerr=np.clip(xerr, 0, None), yerr=np.clip(yerr, 0, None),
                    fmt="s" if dummy else "o", color=color, ecolor=color, alpha=0.9, capsize=2, lw=0.8)
        ax.annotate(_short(str(row["parameter"])), (row["mu_star"], row["sigma"]), fontsize=7,
                    xytext=(4, 3), textcoords="offset points", color=color)
    top = float(max(rows["mu_star_hi"].max(), rows["sigma_hi"].max(), 1e-12)) * 1.08
    ax.plot([0, top], [0, top], ls="--", lw=0.8, color="0.6", label="sigma = mu*")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("mu* (mean absolute elementary effect over the parameter's range)")
    ax.set_ylabel("sigma (spread of the elementary effects)")
    ax.set_title(title, fontsize=10)
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax


def plot_sorted_index(
    rows: pd.DataFrame, title: str, key: str = "ST", also: str | None = "S1", floor: float | None = None,
    ax: Axes | None = None, label: str | None = None,
) -> Axes:
    """Horizontal bars of ``key`` (default ST) per parameter, largest on top, with 95% intervals.

    ``also``: a second index marked on each bar (S1 by default); ``floor``: a
    dashed line where an index starts to matter (the noise floor).
    """
    import numpy as np

    ordered = rows.assign(_size=rows[key].abs()).sort_values("_size", ascending=True)
    height = max(2.5, 0.32 * len(ordered) + 1.2)
    ax = _axes(ax, (8, height))
    y = np.arange(len(ordered))
    colors = [DUMMY_COLOR if p == DUMMY else COLOR for p in ordered["parameter"]]
    below, above = ordered[key] - ordered[f"{key}_lo"], ordered[f"{key}_hi"] - ordered[key]
    err = np.clip(np.vstack([below, above]), 0, None)
    ax.barh(y, ordered[key], xerr=err, color=colors, alpha=0.85, capsize=2, error_kw={"lw": 0.8},
            label=label or key)
    if also is not None and also in ordered:
        ax.plot(ordered[also], y, "k|", markersize=12, label=also)
    if floor is not None:
        ax.axvline(floor, ls="--", lw=0.8, color="0.4", label="noise floor")
    ax.axvline(0, lw=0.6, color="0.3")
    ax.set_yticks(y, [_short(str(p), 48) for p in ordered["parameter"]], fontsize=7)
    ax.set_xlabel(label or key)
    ax.set_title(title, fontsize=10)
    ax.legend(loc="best", fontsize=8, frameon=False)
    return ax


def save_figure(ax: Any, path: Any, dpi: int = 110) -> None:
    """Write the figure ``ax`` is on as a PNG (Agg; nothing shown)."""
    ax.figure.savefig(path, dpi=dpi)
