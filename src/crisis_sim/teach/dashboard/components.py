"""The dashboard's panels: trajectory charts, a status card, and the event log.

Each panel is a solara component taking the model, as Mesa's SolaraViz passes
it, and reading Mesa's ``update_counter`` so that it redraws after every step.
Charts are drawn with matplotlib by the functions of :mod:`crisis_sim.present.plots`
and sent to the browser as PNG images: nothing has to be fetched from the
internet to show them.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, cast

import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from crisis_sim.core.columns import approval_column, cost_column
from crisis_sim.core.log import LogEntry
from crisis_sim.core.outcomes import fraction_met
from crisis_sim.present.narrate import Teller, capital, demand_label, plain_reason
from crisis_sim.present.plots import COST_UNIT, plot_approval, plot_costs, plot_escalation

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.artist import Artist
    from matplotlib.typing import RcKeyType

    from crisis_sim.teach.dashboard.model import DashboardModel

EVENTS_SHOWN = 12
"""How many of the latest events the log shows."""

DPI = 100

_COMMAND_STYLE = "white-space: pre-wrap; word-break: break-all; background: #f4f4f4; padding: 0.4em"
_TEXT_STYLE = "font-size: 0.95rem; line-height: 1.45; overflow: auto; max-height: 100%;"


def _decided_hours(model: DashboardModel) -> float | None:
    hours = [o["decided_at_hours"] for o in model.final_outcomes() if o["decided_at_hours"] is not None]
    return min(hours) if hours else None


def _first_flight_hours(model: DashboardModel) -> float | None:
    landed = [i.first_flight_at for i in model.issues if i.first_flight_at is not None]
    return min(landed) if landed else None


def actor_frame(model_frame: pd.DataFrame, actors: list[str]) -> pd.DataFrame:
    """One row per round and government (``actor``, ``hours``, ``cost_usd_bn``, ``approval``).

    Built from the model reporters ``cost_<actor>`` and ``approval_<actor>``, the
    shape :func:`crisis_sim.present.plots.plot_costs` and ``plot_approval`` draw.
    """
    import pandas as pd

    parts = [
        pd.DataFrame(
            {
                "actor": key,
                "hours": model_frame["hours"],
                "cost_usd_bn": model_frame[cost_column(key)],
                "approval": model_frame[approval_column(key)],
            }
        )
        for key in actors
    ]
    return pd.concat(parts, ignore_index=True)


CLASSROOM_STYLE: dict[RcKeyType, Any] = {
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.labelsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "legend.fontsize": 12,
}
"""Matplotlib settings for a projected page: text of 12-14 pt where a printed figure has 8-10.

The charts are drawn at 100 dpi at the size they take on a 1280×720 page, so
13 pt is 18 pixels, the size of the page's own text (17 px), which a class
reads off a projected 1280-pixel-wide screen.
"""
CLASSROOM_MIN_TEXT = 12.0
"""No text on a classroom chart is smaller than this (pt), whatever the plot function set."""
CLASSROOM_LINE_FACTOR = 1.6
"""Data lines on a classroom chart are this much wider than on a printed figure."""


def _for_the_room(figure: Figure) -> None:
    """Enlarge what the plot functions drew small for print: text, data lines, and drop the days axis.

    The plot functions of :mod:`crisis_sim.present.plots` fix a few sizes
    (legends and rate labels at 8 pt) for figures in a report; on a projected
    page they must be read from the back of the room. The secondary "simulated
    days" axis is dropped: over the first rounds it reads 0.000 … 0.040, and
    the status card gives the clock.
    """
    from matplotlib.text import Text

    for ax in figure.axes:
        for child in list(ax.child_axes):
            child.remove()
        for line in ax.get_lines():
            line.set_linewidth(line.get_linewidth() * CLASSROOM_LINE_FACTOR)
    for text in figure.findobj(Text):
        if float(text.get_fontsize()) < CLASSROOM_MIN_TEXT:  # in points (a number, never a name)
            text.set_fontsize(CLASSROOM_MIN_TEXT)


def escalation_figure(model: DashboardModel, size: tuple[float, float], *, classroom: bool) -> Figure:
    """The escalation ladder and each measure's state, round by round, as a figure of ``size`` inches."""
    import matplotlib

    frame = model.datacollector.get_model_vars_dataframe()
    with matplotlib.rc_context(CLASSROOM_STYLE if classroom else {}):
        figure = Figure(figsize=size, dpi=DPI, layout="constrained")
        ax = figure.subplots()
        plot_escalation(
            frame,
            model.scenario_spec.measures,
            ax,
            title=None if classroom else model.scenario_spec.title,
            markers={"decided": _decided_hours(model), "first flight landed": _first_flight_hours(model)},
        )
        if classroom:
            # the title is in the status card; the legend goes under the chart, where it
            # leaves the lanes their width
            ax.set_title("")
            legend = ax.get_legend()
            if legend is not None:
                # every entry of plot_escalation's legend has its handle (None: an artist with none)
                handles = cast("list[Artist]", legend.legend_handles)
                labels = [t.get_text() for t in legend.get_texts()]
                legend.remove()
                columns = 3 if len(handles) <= 5 else 2  # six long labels do not fit three abreast
                figure.legend(handles, labels, loc="outside lower center", ncol=columns, frameon=False)
            _for_the_room(figure)
    return figure


def costs_approval_figure(model: DashboardModel, size: tuple[float, float], *, classroom: bool) -> Figure:
    """Cumulative economic cost and domestic approval of each government: side by side, or stacked."""
    import matplotlib

    frame = actor_frame(model.datacollector.get_model_vars_dataframe(), sorted(model.governments))
    names = {key: actor.name for key, actor in model.scenario_spec.actors.items()}
    with matplotlib.rc_context(CLASSROOM_STYLE if classroom else {}):
        figure = Figure(figsize=size, dpi=DPI, layout="constrained")
        cost_ax, approval_ax = figure.subplots(2, 1, sharex=True) if classroom else figure.subplots(1, 2)
        plot_costs(frame, cost_ax, names=names)  # in USD bn, as everywhere (COST_UNIT)
        plot_approval(frame, approval_ax, names=names)
        if classroom:
            cost_ax.set_title(f"Economic cost ({COST_UNIT})")
            cost_ax.set_xlabel("")
            cost_ax.set_ylabel(COST_UNIT)
            approval_ax.set_title("Domestic approval (%)")
            approval_ax.set_ylabel("%")
            approval_ax.set_xlabel("simulated hours")
            cost_ax.get_legend().remove()  # one legend, on the approval chart, is enough
            _for_the_room(figure)
    return figure


@solara.component
def EscalationChart(model: DashboardModel) -> None:
    """The escalation ladder and each measure's state, round by round (developer page)."""
    update_counter.get()
    figure = escalation_figure(model, (8.5, 4.2), classroom=False)
    with solara.Column(classes=["crisis-chart", "crisis-escalation"]):
        solara.FigureMatplotlib(figure, format="png")


@solara.component
def CostsApprovalChart(model: DashboardModel) -> None:
    """Cumulative economic cost and domestic approval of each government (developer page)."""
    update_counter.get()
    figure = costs_approval_figure(model, (8.5, 3.6), classroom=False)
    with solara.Column(classes=["crisis-chart", "crisis-costs"]):
        solara.FigureMatplotlib(figure, format="png")


def _outcome_items(model: DashboardModel) -> list[str]:
    """One plain sentence per issue: who gave way (and when), or that no one has yet."""
    teller = Teller(model.scenario_spec)
    items = []
    for issue, outcome in zip(model.issues, model.final_outcomes(), strict=True):
        sender, receiver = issue.spec.sender, issue.spec.receiver
        if issue.decided is not None:
            verdict = teller.verdict(
                {
                    "sender": sender,
                    "receiver": receiver,
                    "outcome": str(outcome["outcome"]),
                    "variant": outcome["variant"],
                    "status": issue.status.value,
                    "fraction_met": fraction_met(issue),
                }
            )
            text = f"{verdict} (round {outcome['decided_round']})"
        elif model.round == 0:
            demand = demand_label(issue.spec)
            wants = f"to {demand}" if demand is not None else "to take the flights"
            text = f"{teller.name(sender, start=True)} wants {teller.name(receiver)} {wants}."
        elif str(outcome["outcome"]) == "mutual_escalation":
            text = (
                f"No one has given way yet between {teller.name(sender)} and {teller.name(receiver)}; "
                "both have sanctions in force."
            )
        else:
            text = f"No one has given way yet between {teller.name(sender)} and {teller.name(receiver)}."
        items.append(escape(text))
    return items


def round_state(model: DashboardModel) -> str:
    """Where the run stands, in words: 'the crisis opens', 'under way', 'settled: the run stops here'."""
    spec = model.scenario_spec
    if model.settled and not model.running:
        return "settled: the run stops here (Reset to start again)"
    if model.round >= spec.rounds:
        return "the end of the scenario's time (Reset to start again)"
    if model.round == 0:
        return "the crisis opens"
    return "settled; the governments still move" if model.settled else "the crisis is under way"


def status_html(model: DashboardModel, *, command: bool = True) -> str:
    """Where the crisis stands: round, simulated clock, outcome, and how to repeat the run."""
    spec = model.scenario_spec
    clock = model.clock.strftime("%a %d %b %Y %H:%M")
    outcomes = "".join(f"<li>{item}</li>" for item in _outcome_items(model))
    text = (
        f"<h3>{escape(spec.title)}</h3>"
        f"<p class='crisis-round'>Round <b>{model.round}</b> of {spec.rounds}: {round_state(model)} "
        f"<span class='crisis-clock'>· {clock}</span></p>"
        f"<ul class='crisis-outcomes' style='margin: 0.3em 0'>{outcomes}</ul>"
    )
    if command:
        text += (
            "<p class='crisis-repeat' style='margin: 0.3em 0'>The same run from a terminal:</p>"
            f"<pre class='crisis-command' style='{_COMMAND_STYLE}'>{escape(model.command_line())}</pre>"
        )
    return text


@solara.component
def StatusCard(model: DashboardModel) -> None:
    """Where the crisis stands: round, simulated clock, outcome, and how to repeat the run."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model), classes=["crisis-status"], style=_TEXT_STYLE)


def event_line(model: DashboardModel, entry: LogEntry) -> str:
    """One log entry as HTML, in plain words: when, who did what, and the policy's reason."""
    teller = Teller(model.scenario_spec)
    when = f"<span class='crisis-when'>round {entry.round} · {teller.clock(float(entry.hours))}</span>"
    if entry.actor is None:
        what = teller.tidy(entry.reason) if entry.reason else str(entry.event or "").replace("_", " ")
        return f"{when} {escape(capital(what))}"
    if entry.actions:
        text = teller.moves(entry.actor, entry.actions)
    else:
        text = f"{teller.name(entry.actor, start=True)} waits."
    reason = f" <i>({escape(plain_reason(entry.reason))})</i>" if entry.reason else ""
    return f"{when} {escape(teller.tidy(text))}{reason}"


def event_log_html(model: DashboardModel, shown: int = EVENTS_SHOWN) -> str:
    """The latest ``shown`` events, newest first, leaving out rounds where a government only waited."""
    latest = [e for e in model.log if not e.is_wait][-shown:]
    if latest:
        body = "<ul>" + "".join(f"<li>{event_line(model, e)}</li>" for e in reversed(latest)) + "</ul>"
    else:
        body = "<p><i>Nothing has happened yet: press Step or ▶.</i></p>"
    return f"<h3>What happened (newest first)</h3>{body}"


@solara.component
def EventLog(model: DashboardModel) -> None:
    """The latest events, newest first: who did what, and the reason its policy gave."""
    update_counter.get()
    solara.HTML(
        tag="div", unsafe_innerHTML=event_log_html(model), classes=["crisis-events"], style=_TEXT_STYLE
    )
