"""Figures of one run: the escalation ladder with the measures, and costs and approval.

Every function draws on the ``ax`` it is given, or on a new standalone
:class:`~matplotlib.figure.Figure` when ``ax`` is ``None``, and returns what
it drew on. Figures are never shown and never registered with pyplot, so the
module works the same in a script, a test, a notebook (pass your own ``ax``,
or display ``ax.figure``) and on a machine with no display: saving to PNG
goes through matplotlib's Agg renderer.

Time runs along the x axis in simulated hours from the start of the crisis,
with days marked on a second axis above. Units are chosen so that numbers
read naturally: escalation on the named rungs of the ladder
(:data:`crisis_sim.core.outcomes.LADDER`), costs in USD bn in every figure
(the unit the model, the tables and the terminal use; the axis label says
so), approval in percent in every figure. docs/gallery.md shows every figure.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import Bbox

from crisis_sim.core.columns import Family, rate_column, state_column
from crisis_sim.core.outcomes import LADDER
from crisis_sim.core.types import OUTCOME_CLASSES, Outcome, outcome_label

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.artist import Artist
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

RUNGS = tuple(f"{level} {rung.split(':')[0]}" for level, rung in enumerate(LADDER))
"""Tick labels of the escalation axis: ``0 calm`` … ``5 escalation`` (the rungs of LADDER)."""

APPROVAL_LABEL = "domestic approval (%)"
"""The one label (and unit: percent) of approval in every figure."""

APPROVAL_MIN_SPAN = 20.0
"""The least range an approval axis shows, in percentage points: a fall of 1.7 points takes a
twelfth of the axis, as it weighs in a government's standing, not all of it."""


COST_UNIT = "USD bn"
"""The one unit of cost in every figure, table and summary: what the model counts in."""

COST_LABEL = f"cumulative cost ({COST_UNIT})"
"""The label of every cost axis."""


def _plain_numbers(ax: Axes) -> None:
    """Tick labels as plain decimals (0.002, not 2 with a 1e-3 offset above the axis)."""
    from matplotlib.ticker import ScalarFormatter

    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    ax.yaxis.set_major_formatter(formatter)


def _ladder_axis(ax: Axes, *, extra_ticks: Sequence[float] = (), extra_labels: Sequence[str] = ()) -> None:
    """Integer ticks on the named rungs of the escalation ladder (plus any lanes below)."""
    levels = list(range(len(RUNGS)))
    ax.set_yticks([*levels, *extra_ticks], [*RUNGS, *extra_labels])
    for label in ax.get_yticklabels()[: len(levels)]:
        label.set_color("#1f3a93")


def _new_axes(figsize: tuple[float, float] = (10, 5)) -> Axes:
    fig = Figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def _add_days_axis(ax: Axes) -> None:
    """Mark days on a secondary axis above the hours axis."""
    to_days: tuple[Callable[[Any], Any], Callable[[Any], Any]] = (lambda h: h / 24.0, lambda d: d * 24.0)
    top = ax.secondary_xaxis("top", functions=to_days)
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


def literal(text: str) -> str:
    """``text`` as matplotlib draws it literally: every ``$`` escaped, so that a
    user's ``price $\\notacommand{x}$`` is text, not mathtext (which would fail to
    parse). Every text from a scenario or a batch goes through here."""
    return str(text).replace("$", r"\$")


def _wrap(title: str, width: int = 90) -> str:
    """Wrap a long title onto several lines (keeping its own line breaks); drawn literally."""
    return literal("\n".join(textwrap.fill(part, width) for part in title.split("\n")))


def _label(meta: Any, measure_id: str) -> str:
    if isinstance(meta, Mapping):
        return literal(str(meta.get("label") or measure_id))
    return literal(str(getattr(meta, "label", None) or measure_id))


def _measure_ids(model_frame: pd.DataFrame, measures_meta: Mapping[str, Any] | None) -> list[str]:
    in_frame = Family.STATE.keys_in(model_frame.columns)
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

    The escalation level is a step line, each round's level drawn from the round's opening,
    when its moves were made, to its close (it holds until the next round). Each
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
    ax = ax if ax is not None else _new_axes((10, 6.5))
    closes = [float(h) for h in model_frame["hours"]]
    rows = slice(1, None) if len(closes) > 1 else slice(None)
    # A row is the state at a round's close, made by the moves at its opening (docs/batch-format.md,
    # "Rounds and hours"): it is drawn over the round, from its opening, where the story puts the
    # moves. Row 0, the state before the first round, takes no time.
    hours = [h - _round_step(closes) for h in closes[rows]] if len(closes) > 1 else closes
    level = [float(x) for x in model_frame["escalation"]][rows]
    top = len(RUNGS) - 1  # the whole ladder, so a reader sees how high the crisis went
    # the last row holds to its round's close, so that the final level shows as a step
    line_hours = [*hours, hours[-1] + _round_step(closes)] if hours else hours
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
        states = [str(s) for s in model_frame[state_column(measure_id)]][rows]
        rate_col = rate_column(measure_id)
        rates = (
            [float(r) for r in model_frame[rate_col]][rows]
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
    _ladder_axis(ax, extra_ticks=lane_y, extra_labels=lane_names)
    ax.set_ylim(-(len(ids) + 0.6) * LANE_GAP if ids else -0.5, top + 0.5)
    ax.set_ylabel("escalation rung  /  measures")
    ax.grid(axis="x", alpha=0.3)
    _hours_axis(ax, closes)
    handles: list[Artist] = [ax.get_lines()[0], *marker_lines]
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
        label = literal((names or {}).get(str(actor), str(actor)))
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
    """Cumulative economic cost of the crisis per actor, in USD bn (:data:`COST_UNIT`)."""
    ax = ax if ax is not None else _new_axes((7, 4.5))
    _per_actor(actor_frame, "cost_usd_bn", ax, names)
    ax.set_ylabel(COST_LABEL)
    _plain_numbers(ax)
    ax.set_ylim(bottom=0)
    ax.set_title("Economic cost")
    return ax


def approval_axis(ax: Axes, min_span: float = APPROVAL_MIN_SPAN) -> None:
    """Widen an approval axis (percent) to at least ``min_span`` points around what it shows,
    within 0-100, so that a small change looks as small as it is."""
    lo, hi = ax.get_ylim()
    if hi - lo >= min_span:
        return
    middle = (lo + hi) / 2
    lo = min(max(0.0, middle - min_span / 2), 100.0 - min_span)
    ax.set_ylim(lo, lo + min_span)


def plot_approval(
    actor_frame: pd.DataFrame, ax: Axes | None = None, *, names: Mapping[str, str] | None = None
) -> Axes:
    """Domestic approval per actor (0 to 1, shown as percent), on an axis of at least
    :data:`APPROVAL_MIN_SPAN` points."""
    ax = ax if ax is not None else _new_axes((7, 4.5))
    frame = actor_frame.assign(approval_pct=actor_frame["approval"] * 100.0)
    _per_actor(frame, "approval_pct", ax, names)
    ax.set_ylabel(APPROVAL_LABEL)
    ax.set_title("Domestic approval")
    approval_axis(ax)
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


def save_run_plots(run: Any, folder: str | Path, *, dpi: int = DPI) -> list[Path]:
    """Write ``escalation.png`` and ``costs_approval.png`` for a run into ``folder``.

    ``run`` is a run result or a run folder read back (anything with
    ``model_frame``, ``actor_frame``, and optionally ``scenario``, ``outcome``
    and ``seed``), or a mapping with those keys. ``dpi`` sets the resolution
    (docs/gallery.md uses smaller files). Returns the files written.
    """
    return _save(run_figures(run), Path(folder), dpi)


def _save(figures: list[tuple[Figure, str]], folder: Path, dpi: int) -> list[Path]:
    written = []
    for figure, filename in figures:
        path = folder / filename
        figure.savefig(path, dpi=dpi, metadata={"Software": None})
        written.append(path)
    return written


def run_figures(run: Any) -> list[tuple[Figure, str]]:
    """The figures :func:`save_run_plots` writes, each with its file name, unsaved."""
    get: Callable[..., Any] = (
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

    markers = {
        "decided": outcome.get("decided_at_hours"),
        _compliance_marker(scenario): outcome.get("first_flight_hours"),
    }
    escalation_ax = plot_escalation(
        model_frame, measures_meta, title=f"{heading}\nEscalation and measures", markers=markers
    )
    cost_ax, _ = plot_costs_approval(actor_frame, names=names, title=heading)
    figures = []
    for ax, filename in ((escalation_ax, ESCALATION_PNG), (cost_ax, COSTS_APPROVAL_PNG)):
        assert isinstance(ax.figure, Figure)  # each chart has a figure of its own (_new_axes)
        figures.append((ax.figure, filename))
    return figures


# --------------------------------------------------------------------------
# Batches and comparisons: groups of runs
# --------------------------------------------------------------------------

OUTCOME_SHARES_PNG = "outcome_shares.png"
FAN_ESCALATION_PNG = "fan_escalation.png"
FAN_COST_PNG = "fan_cost.png"
FAN_APPROVAL_PNG = "fan_approval.png"
GROUP_PNGS = (OUTCOME_SHARES_PNG, FAN_ESCALATION_PNG, FAN_COST_PNG, FAN_APPROVAL_PNG)
"""Figures of a comparison or a batch, in the order :func:`save_group_plots` writes them."""

BAND_ALPHA = 0.18
MODE_SHARE = 0.1
"""A fan chart draws a group whose runs end in two or more outcome classes with at least this share
of its runs each one band per class (its modes) instead of one band around a median between them."""
LINE_STYLES = ("-", "--", "-.", ":")
"""Line styles cycled over the groups, so that lines lying on top of each other stay distinguishable."""

GENERIC_LEAVES = frozenset({"mean", "sd", "name", "value", "values", "min", "max", "lo", "hi"})
"""Last components of a sweep path that say little alone (``mean`` of what?)."""

_LABEL_PART = re.compile(r", (?=[A-Za-z_][\w.\-]*=)")


def group_colors(labels: Sequence[str]) -> dict[str, Any]:
    """One color per group: matplotlib's ten default colors, or viridis beyond ten groups."""
    if len(labels) <= 10:
        return {label: f"C{i}" for i, label in enumerate(labels)}
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return {label: cmap(i / (len(labels) - 1)) for i, label in enumerate(labels)}


def _group_order(frame: pd.DataFrame, groups: Sequence[str] | None) -> list[str]:
    return list(groups) if groups is not None else list(dict.fromkeys(frame["group"]))


def _parse_label(label: str) -> dict[str, str] | None:
    """``path=value, path=value`` (a sweep point's label) as a mapping; None if it is not one."""
    pairs = [part.partition("=") for part in _LABEL_PART.split(str(label))]
    if any(not sep or not key for key, sep, _ in pairs):
        return None
    return {key: value for key, _, value in pairs}


def _tail(path: str, n: int) -> str:
    return ".".join(path.split(".")[-n:])


def short_paths(paths: Sequence[str]) -> dict[str, str]:
    """The shortest tail of each dotted path that still names it among ``paths``.

    A tail neither starts with a list index nor is a bare generic leaf
    (``mean``, ``sd``, :data:`GENERIC_LEAVES`): ``actors.colombia.resolve.mean``
    → ``resolve.mean``. A trailing ``.name`` (a policy's name) is dropped when
    that stays unambiguous: ``actors.colombia.policy.name`` → ``policy``.
    """

    def shortest(candidates: Sequence[str]) -> dict[str, str]:
        short = {}
        for path in candidates:
            parts = path.split(".")
            for n in range(1, len(parts) + 1):
                tail = _tail(path, n)
                first = tail.split(".")[0]
                telling = any(p not in GENERIC_LEAVES and not p.isdigit() for p in tail.split("."))
                if n < len(parts) and (first.isdigit() or not telling):
                    continue
                if all(_tail(other, n) != tail for other in candidates if other != path):
                    break
            short[path] = tail
        return short

    stripped = [p.removesuffix(".name") if p.count(".") else p for p in paths]
    if len(set(stripped)) == len(stripped):
        named = shortest(stripped)
        result = {path: named[s] for path, s in zip(paths, stripped, strict=True)}
        if len(set(result.values())) == len(result):
            return result
    return shortest(list(paths))


def short_labels(labels: Sequence[str]) -> tuple[dict[str, str], str | None]:
    """Display labels naming only what differs between groups, and a legend title (or None).

    Sweep-point labels (``actors.colombia.resolve.mean=0.2, actors.colombia.policy.name=appeaser``)
    keep only the paths whose values differ between the groups, shortened by
    :func:`short_paths` (``resolve.mean=0.2, policy=appeaser``); values shared by
    every group go to the legend title. Other labels (folder names) stay as they are.
    """
    identity = {str(label): str(label) for label in labels}
    parsed = [_parse_label(label) for label in labels]
    if len(labels) < 2 or any(p is None for p in parsed) or len({tuple(p or {}) for p in parsed}) != 1:
        return identity, None
    points = [p for p in parsed if p is not None]
    keys = list(points[0])
    varying = [k for k in keys if len({p[k] for p in points}) > 1]
    if not varying:
        return identity, None
    shorts = short_paths(keys)
    display = {
        str(label): ", ".join(f"{shorts[k]}={p[k]}" for k in varying)
        for label, p in zip(labels, points, strict=True)
    }
    if len(set(display.values())) < len(display):
        return identity, None
    shared = [f"{shorts[k]}={points[0][k]}" for k in keys if k not in varying]
    return display, ("all groups: " + ", ".join(shared)) if shared else None


def identical_groups(frame: pd.DataFrame, order: Sequence[str]) -> list[list[str]]:
    """The groups of ``order`` in classes with identical rows in ``frame`` (a fans or shares table).

    Classes come in the order of their first member; a group with no rows is a class of its own.
    """
    classes: dict[str, list[str]] = {}
    columns = [c for c in frame.columns if c != "group"]
    for label in order:
        part = frame[frame["group"] == label]
        key = repr(part[columns].to_numpy().tolist()) if len(part) else f"\0{label}"
        classes.setdefault(key, []).append(label)
    return list(classes.values())


def _class_label(members: Sequence[str], display: Mapping[str, str]) -> str:
    """A group's legend text; for identical groups, how many and which."""
    if len(members) == 1:
        return display[members[0]]
    shown = [display[m] for m in members]
    parsed = [_parse_label(text) for text in shown]
    noun = "points" if all(parsed) else "groups"
    text = "; ".join(shown)
    if all(parsed) and len({tuple(p or {}) for p in parsed}) == 1:
        points = [p for p in parsed if p is not None]
        differ = [k for k in points[0] if len({p[k] for p in points}) > 1]
        if len(differ) == 1:
            (key,) = differ
            same = [f"{k}={points[0][k]}" for k in points[0] if k != key]
            values = list(dict.fromkeys(p[key] for p in points))
            listed = ", ".join(values[:-1]) + f" or {values[-1]}"
            text = ", ".join([*same, f"{key}={listed}"])
    return f"{len(members)} {noun} with identical results: {text}"


def _legend_label(label: str, width: int = 48) -> str:
    """Long group labels (``path=value, path=value``) on several lines."""
    return literal(textwrap.fill(str(label), width, break_long_words=False, subsequent_indent="  "))


def _hours_text(hours: float) -> str:
    return f"{hours:g} h" if hours < 48 else f"{hours:g} h, day {hours / 24:.1f}"


class _EndNote(Annotation):
    """A note beside a point that stays inside its axes: to the right of the point, else to its
    left, else not drawn at all (the legend says the same).

    Where it fits is decided when it is drawn, once the layout has given the axes its final size;
    the layout itself leaves the note out, so that a long note does not squeeze the axes.
    """

    GAP = 6
    """Points between the point and the note."""

    def __init__(self, text: str, xy: tuple[float, float], *, rise: float, **kwargs: Any) -> None:
        super().__init__(text, xy, xytext=(self.GAP, rise), textcoords="offset points", **kwargs)
        self._rise = rise
        self.set_in_layout(False)

    def _place(self, renderer: Any) -> None:
        assert self.axes is not None
        inside = self.axes.bbox
        self.set_visible(True)
        for side in (1, -1):
            self.xyann = (side * self.GAP, self._rise)
            self.set_horizontalalignment("left" if side > 0 else "right")
            box = self.get_window_extent(renderer)
            bbox_patch = self.get_bbox_patch()
            if bbox_patch is not None:
                self.update_bbox_position_size(renderer)
                box = Bbox.union([box, bbox_patch.get_window_extent(renderer)])
            if (inside.x0 <= box.x0 and box.x1 <= inside.x1 and inside.y0 <= box.y0
                    and box.y1 <= inside.y1):
                return
        self.set_visible(False)

    def draw(self, renderer: Any) -> None:
        self._place(renderer)
        super().draw(renderer)


def plot_fan_chart(
    fans: pd.DataFrame,
    variable: str,
    ax: Axes | None = None,
    *,
    groups: Sequence[str] | None = None,
    scale: float = 1.0,
    title: str | None = None,
    ylabel: str | None = None,
    legend: bool = True,
    merge: bool = True,
    modes: pd.DataFrame | None = None,
) -> Axes:
    """One variable over time for several groups: median line and 10–90% band, overlaid.

    ``fans`` has the columns of :attr:`crisis_sim.experiments.compare.comparison.Comparison.fans`
    (``group``, ``variable``, ``hours``, ``p10``, ``median``, ``p90``).
    Values hold until the next round (step lines; the last round is shown
    for one round); ``scale`` multiplies them (100 to show approval in
    percent). ``groups`` sets which groups and their order (default: as they
    appear); the legend goes outside, on the right, labelled by what differs
    between the groups (:func:`short_labels`).

    With ``merge``, groups whose rows in ``fans`` (every variable) are
    identical are drawn once, the legend saying so ("3 points with identical
    results: ..."); the other lines differ in color and line style. The x axis
    ends one round after the last round of the longest group; a group whose
    runs were all over earlier ends in a dot, and its legend entry says when.
    ``escalation`` is drawn on the named rungs of the ladder.

    ``modes`` (the same statistics per group and outcome class,
    :func:`~crisis_sim.experiments.compare.comparison.fan_charts` with ``by_outcome``)
    shows the modes of a group whose runs end in different ways: when two or more
    outcome classes each hold at least :data:`MODE_SHARE` of its runs, each is drawn
    as a band and median of its own (the group's color, a line style per class,
    the legend giving the class and its share), since one band around a median
    between the modes would describe no run.
    """
    ax = ax if ax is not None else _new_axes((10, 4.8))
    rows = fans[fans["variable"] == variable]
    order = _group_order(fans, groups)
    display, legend_title = short_labels(order)
    colors = group_colors(order)
    classes = identical_groups(fans[fans["group"].isin(order)], order) if merge else [[g] for g in order]
    drawn: list[tuple[str, list[float], list[float], list[float], list[float], list[str]]] = []
    for label in (members[0] for members in classes):
        part = rows[rows["group"] == label].sort_values("hours")
        if part.empty:
            continue
        members = next(c for c in classes if c[0] == label)
        hours = [float(h) for h in part["hours"]]
        hours.append(hours[-1] + _round_step(hours))  # the last round holds for one round
        p10, median, p90 = (
            [*values, values[-1]]
            for values in (part[column].to_numpy(dtype=float) * scale for column in ("p10", "median", "p90"))
        )
        drawn.append((label, hours, median, p10, p90, members))
    axis_end = max((d[1][-1] for d in drawn), default=0.0)
    split = False
    for i, (label, hours, median, p10, p90, members) in enumerate(drawn):
        ends_early = hours[-1] < axis_end
        text = _class_label(members, display)
        if ends_early:
            text += f" (runs over by {_hours_text(hours[-1])})"
        ways = _modes_of(modes, label, variable, scale) if modes is not None else []
        if len(ways) >= 2:
            split = True
            for outcome, share, part_hours, part_p10, part_median, part_p90 in ways:
                style = LINE_STYLES[[o.value for o in Outcome].index(outcome) % len(LINE_STYLES)]
                # one group alone: each class in its own colour, as in every chart; else the group's
                colour = OUTCOME_CLASSES[Outcome(outcome)].colour if len(drawn) == 1 else colors[label]
                ax.fill_between(part_hours, part_p10, part_p90, step="post", color=colour,
                                alpha=BAND_ALPHA / 1.5, linewidth=0)
                way = f"{text}: {outcome_label(outcome)} ({100 * share:.0f}% of runs)"
                ax.step(part_hours, part_median, where="post", color=colour, linewidth=2.0,
                        linestyle=style, label=_legend_label(way))
            continue
        ax.fill_between(hours, p10, p90, step="post", color=colors[label], alpha=BAND_ALPHA, linewidth=0)
        ax.step(
            hours,
            median,
            where="post",
            color=colors[label],
            linewidth=2.4 if i == 0 else 2.0,
            linestyle=LINE_STYLES[i % len(LINE_STYLES)],
            label=_legend_label(text),
        )
    early = [d for d in drawn if d[1][-1] < axis_end]
    for k, (label, hours, median, *_, members) in enumerate(early):
        ax.plot([hours[-1]], [median[-1]], marker="o", markersize=7, color=colors[label],
                markeredgecolor="white", linestyle="none", zorder=4, clip_on=False)
        if len(early) <= 3:  # a word beside the dot, while there is room for it
            noun = "points" if all(_parse_label(m) for m in members) else "groups"
            who = display[label] if len(members) == 1 else f"{len(members)} identical {noun}"
            # each label a line above the last, so that dots close together keep apart words
            note = _EndNote(literal(f"{who}: all runs over"), (hours[-1], median[-1]), rise=6 + 13 * k,
                            fontsize=8, color=colors[label],
                            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                  "alpha": 0.85})
            ax.add_artist(note)
    ax.grid(alpha=0.3)
    if legend and drawn:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False,
                  title=_legend_label(legend_title) if legend_title else None, title_fontsize=9,
                  alignment="left")
    _hours_axis(ax, sorted({h for d in drawn for h in d[1]}))
    if variable == "escalation":
        _ladder_axis(ax)
        ax.set_ylim(-0.3, len(RUNGS) - 0.7)
    ax.set_ylabel(ylabel or variable)
    what = "median and 10–90% band over runs"
    if split:
        what += f", apart for each outcome with at least {100 * MODE_SHARE:.0f}% of a group's runs"
    ax.set_title(_wrap(f"{title or variable}\n{what}", 60))
    return ax


def _modes_of(
    modes: pd.DataFrame, label: str, variable: str, scale: float
) -> list[tuple[str, float, list[float], list[float], list[float], list[float]]]:
    """The outcome classes of group ``label`` holding at least :data:`MODE_SHARE` of its runs,
    commonest first: each class's share, and its hours, p10, median and p90 (the last round held
    for one round more, as the group's)."""
    rows = modes[(modes["group"] == label) & (modes["variable"] == variable)]
    out = []
    for outcome, part in rows.groupby("outcome", sort=False):
        share = float(part["share"].iloc[0])
        if share < MODE_SHARE:
            continue
        part = part.sort_values("hours")
        hours = [float(h) for h in part["hours"]]
        hours.append(hours[-1] + _round_step(hours))
        p10, median, p90 = (
            [*values, values[-1]]
            for values in (part[column].to_numpy(dtype=float) * scale for column in ("p10", "median", "p90"))
        )
        out.append((str(outcome), share, hours, p10, median, p90))
    return sorted(out, key=lambda way: -way[1])


def _fan_panels(
    fans: pd.DataFrame,
    kind: str,
    *,
    names: Mapping[str, str] | None,
    groups: Sequence[str] | None,
    title: str,
    modes: pd.DataFrame | None = None,
) -> Figure:
    """One panel per actor of ``cost_<actor>`` or ``approval_<actor>`` fans, two to a row.

    Costs are in USD bn (:data:`COST_UNIT`); approval in percent.
    """
    family = Family(kind)
    variables = [v for v in dict.fromkeys(fans["variable"]) if family.owns(v)]
    approval = family is Family.APPROVAL
    if approval:
        scale, ylabel = 100.0, APPROVAL_LABEL
    else:
        scale, ylabel = 1.0, COST_LABEL
    ncols = min(2, max(1, len(variables)))
    nrows = max(1, -(-len(variables) // 2))
    fig = Figure(figsize=(7.5 * ncols, 4.5 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(variables) :]:
        ax.set_visible(False)
    for i, (ax, variable) in enumerate(zip(axes, variables, strict=False)):
        actor = family.key_of(variable) or ""
        plot_fan_chart(
            fans,
            variable,
            ax,
            groups=groups,
            scale=scale,
            title=(names or {}).get(actor, actor),
            ylabel=ylabel,
            legend=i == len(variables) - 1,
            modes=modes,
        )
        if approval:
            approval_axis(ax)
        else:
            _plain_numbers(ax)
    fig.suptitle(_wrap(title))
    return fig


def plot_outcome_shares(
    shares: pd.DataFrame,
    ax: Axes | None = None,
    *,
    groups: Sequence[str] | None = None,
    title: str | None = None,
    merge: bool = True,
) -> Axes:
    """Outcome shares per group as grouped bars, with their intervals as error bars.

    ``shares`` has the columns of :attr:`crisis_sim.experiments.compare.comparison.Comparison.shares`
    (``group``, ``outcome``, ``share``, ``lo``, ``hi``); one cluster of bars
    per outcome class, one bar per group. Shares are shown in percent. With
    ``merge``, groups with identical shares get one bar, the legend saying so;
    groups are labelled by what differs between them (:func:`short_labels`).
    """
    ax = ax if ax is not None else _new_axes((12, 5))
    order = _group_order(shares, groups)
    display, legend_title = short_labels(order)
    outcomes = list(dict.fromkeys(shares["outcome"]))
    colors = group_colors(order)
    classes = identical_groups(shares[shares["group"].isin(order)], order) if merge else [[g] for g in order]
    width = 0.8 / max(1, len(classes))
    for i, members in enumerate(classes):
        label = members[0]
        part = shares[shares["group"] == label].set_index("outcome").reindex(outcomes)
        share = part["share"].to_numpy(dtype=float) * 100.0
        lo = part["lo"].to_numpy(dtype=float) * 100.0
        hi = part["hi"].to_numpy(dtype=float) * 100.0
        x = [k - 0.4 + width * (i + 0.5) for k in range(len(outcomes))]
        ax.bar(
            x,
            share,
            width,
            yerr=[share - lo, hi - share],
            color=colors[label],
            label=_legend_label(_class_label(members, display)),
            capsize=3,
            error_kw={"elinewidth": 1.0, "ecolor": "#333333"},
        )
    ticks = [textwrap.fill(outcome_label(o), 12) for o in outcomes]
    ax.set_xticks(range(len(outcomes)), ticks, fontsize=9)
    ax.set_ylim(0, 102)
    ax.set_ylabel("share of runs (%), 95% interval")
    ax.grid(axis="y", alpha=0.3)
    if order:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False,
                  title=_legend_label(legend_title) if legend_title else None, title_fontsize=9,
                  alignment="left")
    ax.set_title(_wrap(title or "Outcome shares", 80))
    return ax


def save_group_plots(
    shares: pd.DataFrame,
    fans: pd.DataFrame,
    folder: str | Path,
    *,
    names: Mapping[str, str] | None = None,
    groups: Sequence[str] | None = None,
    title: str | None = None,
    dpi: int = DPI,
    modes: pd.DataFrame | None = None,
) -> list[Path]:
    """Write the outcome-share bar chart and the three fan charts into ``folder``.

    Files: ``outcome_shares.png``, ``fan_escalation.png``, ``fan_cost.png``,
    ``fan_approval.png`` (the fan charts only when ``fans`` has rows).
    ``names`` maps actor ids to display names; ``dpi`` sets the resolution;
    ``modes`` (per group and outcome class) draws a group whose runs end in
    different ways one band per way (:func:`plot_fan_chart`).
    Returns the files written.
    """
    figures = group_figures(shares, fans, names=names, groups=groups, title=title, modes=modes)
    return _save(figures, Path(folder), dpi)


def group_figures(
    shares: pd.DataFrame,
    fans: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    groups: Sequence[str] | None = None,
    title: str | None = None,
    modes: pd.DataFrame | None = None,
) -> list[tuple[Figure, str]]:
    """The figures :func:`save_group_plots` writes, each with its file name, unsaved."""
    heading = f"{title}: " if title else ""
    bars = plot_outcome_shares(shares, groups=groups, title=f"{heading}outcome shares")
    figures = [(bars.figure, OUTCOME_SHARES_PNG)]
    if not fans.empty:
        escalation = plot_fan_chart(
            fans,
            "escalation",
            groups=groups,
            title=f"{heading}escalation",
            ylabel="escalation rung",
            modes=modes,
        )
        cost = _fan_panels(fans, "cost", names=names, groups=groups, title=f"{heading}economic cost",
                           modes=modes)
        approval = _fan_panels(
            fans, "approval", names=names, groups=groups, title=f"{heading}domestic approval", modes=modes
        )
        figures += [
            (escalation.figure, FAN_ESCALATION_PNG),
            (cost, FAN_COST_PNG),
            (approval, FAN_APPROVAL_PNG),
        ]
    out = []
    for figure, filename in figures:
        assert isinstance(figure, Figure)  # each chart has a figure of its own (_new_axes)
        out.append((figure, filename))
    return out


def _compliance_marker(scenario: Any) -> str:
    """The label of the marker at the first act of compliance: a flight landed, or a demand that
    is not the flights carried out (a scenario of one such issue; ``scenario`` may be None)."""
    if scenario is not None and len(scenario.issues) == 1 and scenario.issues[0].demand_words is not None:
        return "demand carried out"
    return "first flight landed"
