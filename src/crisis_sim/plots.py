"""Figures of one run: the escalation ladder with the measures, and costs and approval.

Every function draws on the ``ax`` it is given, or on a new standalone
:class:`~matplotlib.figure.Figure` when ``ax`` is ``None``, and returns what
it drew on. Figures are never shown and never registered with pyplot, so the
module works the same in a script, a test, a notebook (pass your own ``ax``,
or display ``ax.figure``) and on a machine with no display: saving to PNG
goes through matplotlib's Agg renderer.

Time runs along the x axis in simulated hours from the start of the crisis,
with days marked on a second axis above.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes

ESCALATION_PNG = "escalation.png"
COSTS_APPROVAL_PNG = "costs_approval.png"
DPI = 120

STATE_STYLE: dict[str, dict[str, Any]] = {
    "threatened": {"facecolor": "#f6c85f", "edgecolor": "#b8860b", "hatch": "//", "alpha": 0.6},
    "suspended": {"facecolor": "#bbbbbb", "edgecolor": "#777777", "hatch": "..", "alpha": 0.6},
    "imposed": {"facecolor": "#d62728", "edgecolor": "#8b0000", "hatch": None, "alpha": 0.85},
}
"""How each measure state is drawn; states not listed (available, lifted) leave the lane empty."""

MARKER_COLORS = ["#2ca02c", "#9467bd", "#8c564b", "#e377c2"]

LANE_HEIGHT = 0.6
LANE_GAP = 1.0


def _new_axes(figsize: tuple[float, float] = (10, 5)) -> Axes:
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def _add_days_axis(ax: Axes) -> None:
    """Mark days on a secondary axis above the hours axis."""
    top = ax.secondary_xaxis("top", functions=(lambda h: h / 24.0, lambda d: d * 24.0))
    top.set_xlabel("simulated days")
    top.xaxis.set_major_locator(MaxNLocator(integer=True))


def _round_step(hours: Sequence[float]) -> float:
    return float(hours[1] - hours[0]) if len(hours) > 1 else 1.0


def _hours_axis(ax: Axes, hours: Sequence[float], *, extend: bool = False) -> None:
    """Label the hours axis; with ``extend``, show the last round's state for one round."""
    ax.set_xlabel("simulated hours from the start")
    if len(hours):
        start, end = float(hours[0]), float(hours[-1])
        if extend or end <= start:
            end += _round_step(hours)
        ax.set_xlim(start, end)
    _add_days_axis(ax)


def _wrap(title: str, width: int = 90) -> str:
    """Wrap a long title onto several lines (keeping its own line breaks)."""
    return "\n".join(textwrap.fill(part, width) for part in title.split("\n"))


def _label(meta: Any, measure_id: str) -> str:
    if isinstance(meta, Mapping):
        return str(meta.get("label") or measure_id)
    return str(getattr(meta, "label", None) or measure_id)


def _measure_ids(model_frame: pd.DataFrame, measures_meta: Mapping[str, Any] | None) -> list[str]:
    in_frame = [c.removeprefix("state_") for c in model_frame.columns if c.startswith("state_")]
    if measures_meta:
        return [m for m in measures_meta if m in in_frame]
    return in_frame


def _segments(hours: list[float], values: list[Any]) -> list[tuple[float, float, Any]]:
    """Runs of equal values as (start hour, end hour, value); each row holds until the next."""
    if not hours:
        return []
    ends = [*hours[1:], hours[-1] + _round_step(hours)]
    runs: list[tuple[float, float, Any]] = []
    for start, end, value in zip(hours, ends, values, strict=True):
        if runs and runs[-1][2] == value and runs[-1][1] == start:
            runs[-1] = (runs[-1][0], end, value)
        else:
            runs.append((start, end, value))
    return runs


def _rate_text(rate: float) -> str:
    return f"{rate:.0%}" if rate < 10 else f"{rate:.0f}×"


def plot_escalation(
    model_frame: pd.DataFrame,
    measures_meta: Mapping[str, Any] | None = None,
    ax: Axes | None = None,
    *,
    title: str | None = None,
    markers: Mapping[str, float | None] | None = None,
) -> Axes:
    """The escalation ladder over time, with one lane per measure below it.

    The escalation level is a step line (it holds until the next round). Each
    measure has a lane under the ladder, banded by its state: hatched amber
    while threatened, grey while suspended, solid red while imposed, with the
    rate in force written on the band when it changes (25% → 50%).

    ``model_frame`` has the columns ``hours``, ``escalation``, and per measure
    ``state_<id>`` and ``rate_<id>``; ``measures_meta`` maps measure ids to
    mappings or objects with a ``label`` (an outcome's ``measures`` or a
    scenario's ``measures``) and sets the order of the lanes. ``markers`` maps
    labels to simulated hours marked by dashed vertical lines (e.g. when the
    crisis was decided, when the first flight landed); ``None`` hours are skipped.
    """
    ax = ax if ax is not None else _new_axes()
    hours = [float(h) for h in model_frame["hours"]]
    level = [float(x) for x in model_frame["escalation"]]
    top = max([*level, 1.0])
    # the last row holds for one more round, so that the final level shows as a step
    line_hours = [*hours, hours[-1] + _round_step(hours)] if hours else hours
    line_level = [*level, level[-1]] if level else level
    ax.step(
        line_hours,
        line_level,
        where="post",
        color="#1f3a93",
        linewidth=2.2,
        label="escalation level",
    )
    ax.fill_between(line_hours, line_level, step="post", color="#1f3a93", alpha=0.08)

    ids = _measure_ids(model_frame, measures_meta)
    lane_y: list[float] = []
    lane_names: list[str] = []
    for i, measure_id in enumerate(ids):
        y = -(i + 1) * LANE_GAP
        lane_y.append(y)
        lane_names.append(_label((measures_meta or {}).get(measure_id), measure_id))
        states = [str(s) for s in model_frame[f"state_{measure_id}"]]
        rate_col = f"rate_{measure_id}"
        rates = (
            [float(r) for r in model_frame[rate_col]]
            if rate_col in model_frame
            else [0.0] * len(hours)
        )
        for start, end, state in _segments(hours, states):
            style = STATE_STYLE.get(state)
            if style is None:
                continue
            ax.broken_barh(
                [(start, end - start)], (y - LANE_HEIGHT / 2, LANE_HEIGHT), linewidth=0.8, **style
            )
        for start, end, (state, rate) in _segments(hours, list(zip(states, rates, strict=True))):
            if state == "imposed" and rate > 0:
                ax.text(
                    start + (end - start) / 2,
                    y,
                    _rate_text(rate),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color="white",
                    fontweight="bold",
                    clip_on=True,
                )

    marker_lines = []
    for (label, at), color in zip(
        (markers or {}).items(), MARKER_COLORS * (1 + len(markers or {})), strict=False
    ):
        if at is not None:
            marker_lines.append(
                ax.axvline(float(at), color=color, linestyle="--", linewidth=1.2, label=label)
            )

    ax.axhline(-LANE_GAP / 2, color="#444444", linewidth=0.6)
    level_ticks = list(range(int(top) + 1))
    ax.set_yticks([*level_ticks, *lane_y], [str(t) for t in level_ticks] + lane_names)
    ax.set_ylim(-(len(ids) + 0.6) * LANE_GAP if ids else -0.5, top + 0.5)
    ax.set_ylabel("escalation level  /  measures")
    ax.grid(axis="x", alpha=0.3)
    _hours_axis(ax, hours, extend=True)
    handles = [ax.get_lines()[0], *marker_lines]
    handles += [Patch(label=state, **style) for state, style in STATE_STYLE.items()]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False
    )
    ax.set_title(_wrap(title or "Escalation and measures over time"))
    return ax


def _per_actor(
    actor_frame: pd.DataFrame, column: str, ax: Axes, names: Mapping[str, str] | None
) -> None:
    for actor, rows in actor_frame.groupby("actor", sort=True):
        label = (names or {}).get(str(actor), str(actor))
        ax.step(
            [float(h) for h in rows["hours"]],
            [float(v) for v in rows[column]],
            where="post",
            linewidth=1.8,
            label=label,
        )
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, framealpha=0.9)
    _hours_axis(ax, sorted({float(h) for h in actor_frame["hours"]}))


def plot_costs(
    actor_frame: pd.DataFrame, ax: Axes | None = None, *, names: Mapping[str, str] | None = None
) -> Axes:
    """Cumulative economic cost of the crisis per actor (USD bn)."""
    ax = ax if ax is not None else _new_axes((7, 4.5))
    _per_actor(actor_frame, "cost_usd_bn", ax, names)
    ax.set_ylabel("cumulative cost (USD bn)")
    ax.set_ylim(bottom=0)
    ax.set_title("Economic cost")
    return ax


def plot_approval(
    actor_frame: pd.DataFrame, ax: Axes | None = None, *, names: Mapping[str, str] | None = None
) -> Axes:
    """Domestic approval per actor (0 to 1, shown as percent)."""
    ax = ax if ax is not None else _new_axes((7, 4.5))
    frame = actor_frame.assign(approval_pct=actor_frame["approval"] * 100.0)
    _per_actor(frame, "approval_pct", ax, names)
    ax.set_ylabel("domestic approval (%)")
    ax.set_title("Domestic approval")
    return ax


def plot_costs_approval(
    actor_frame: pd.DataFrame,
    axes: Sequence[Axes] | None = None,
    *,
    names: Mapping[str, str] | None = None,
    title: str | None = None,
) -> tuple[Axes, Axes]:
    """Two panels side by side: cumulative cost and approval per actor."""
    if axes is None:
        fig = Figure(figsize=(13, 5), layout="constrained")
        axes = fig.subplots(1, 2)
        if title:
            fig.suptitle(_wrap(title))
    cost_ax, approval_ax = axes[0], axes[1]
    plot_costs(actor_frame, cost_ax, names=names)
    plot_approval(actor_frame, approval_ax, names=names)
    return cost_ax, approval_ax


def save_run_plots(run: Any, folder: str | Path) -> list[Path]:
    """Write ``escalation.png`` and ``costs_approval.png`` for a run into ``folder``.

    ``run`` is a run result or a run folder read back (anything with
    ``model_frame``, ``actor_frame``, and optionally ``scenario``, ``outcome``
    and ``seed``), or a mapping with those keys. Returns the files written.
    """
    get = (
        run.get
        if isinstance(run, Mapping)
        else lambda key, default=None: getattr(run, key, default)
    )
    model_frame, actor_frame = get("model_frame"), get("actor_frame")
    scenario, outcome, seed = get("scenario"), get("outcome") or {}, get("seed")
    measures_meta = outcome.get("measures") or (scenario.measures if scenario else None)
    names = {key: actor.name for key, actor in scenario.actors.items()} if scenario else None
    heading = scenario.title if scenario else "Crisis run"
    if seed is not None:
        heading += f" (seed {seed})"

    folder = Path(folder)
    markers = {
        "decided": outcome.get("decided_at_hours"),
        "first flight landed": outcome.get("first_flight_hours"),
    }
    escalation_ax = plot_escalation(
        model_frame, measures_meta, title=f"{heading}\nEscalation and measures", markers=markers
    )
    cost_ax, _ = plot_costs_approval(actor_frame, names=names, title=heading)
    written = []
    for ax, filename in ((escalation_ax, ESCALATION_PNG), (cost_ax, COSTS_APPROVAL_PNG)):
        path = folder / filename
        ax.figure.savefig(path, dpi=DPI, metadata={"Software": None})
        written.append(path)
    return written
