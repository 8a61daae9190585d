"""The back-test's scoreboard as a figure: for each case, how often the model ends it as history did.

One row per case: the share of its runs that end in the observed outcome class, with its 95%
Wilson interval (the model), beside the share the leave-one-case-out base rate gives that
class (the baseline to beat, docs/backtest.md). A case whose dot lies right of its baseline's
cross is one where the model knows more than the record of the other cases. The observed class
is written beside each row; the case's mean Brier scores are in the title. Drawn on a standalone
:class:`~matplotlib.figure.Figure` (never shown), so it works without a display.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from matplotlib.figure import Figure

if TYPE_CHECKING:
    import pandas as pd

SCOREBOARD_PNG = "scoreboard.png"


def plot_scoreboard(table: pd.DataFrame) -> Figure:
    """The figure of a scoreboard table (:func:`crisis_sim.experiments.backtest.scoring.scoreboard`)."""
    rows = table.sort_values("case", ascending=False).reset_index(drop=True)
    figure = Figure(figsize=(9, 0.38 * len(rows) + 1.6))
    ax = figure.add_subplot()
    y = list(range(len(rows)))
    share = rows["share_observed"] * 100
    low = share - rows["share_observed_lo"] * 100
    high = rows["share_observed_hi"] * 100 - share
    ax.errorbar(share, y, xerr=[low, high], fmt="o", color="tab:blue", ecolor="tab:blue", capsize=2,
                label="the model: share of runs ending as history did (95% interval)")
    if "base_rate_share_observed" in rows:
        ax.plot(rows["base_rate_share_observed"] * 100, y, "x", color="0.35", markersize=7,
                label="baseline: base rate of the other cases")
    ax.set_yticks(y, [f"{case}  ({outcome.replace('_', ' ')})"
                      for case, outcome in zip(rows["case"], rows["observed_outcome"], strict=True)],
                  fontsize=8)
    ax.set_xlim(-3, 103)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("runs ending in the observed outcome class (%)")
    model = rows["brier"].mean()
    title = f"Back-test: {len(rows)} cases, {int(rows['runs'].iloc[0])} runs each; mean Brier {model:.2f}"
    if "base_rate_brier" in rows and rows["base_rate_brier"].notna().any():
        title += f" (base rate {rows['base_rate_brier'].mean():.2f}; 0 best, 2 worst)"
    ax.set_title(title, fontsize=10, pad=34)
    ax.grid(axis="x", color="0.9")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1, fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def save_scoreboard(table: pd.DataFrame, path: str | Path, dpi: int = 110) -> Path:
    """Draw :func:`plot_scoreboard` and write it as a PNG at ``path``."""
    path = Path(path)
    plot_scoreboard(table).savefig(path, dpi=dpi, bbox_inches="tight")
    return path
