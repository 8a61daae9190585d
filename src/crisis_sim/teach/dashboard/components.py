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
from crisis_sim.present.narrate import Teller, capital, demand_label, reason_in_words
from crisis_sim.present.plots import COST_UNIT, plot_approval, plot_costs, plot_escalation

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.artist import Artist
    from matplotlib.typing import RcKeyType

    from crisis_sim.teach.dashboard.model import DashboardModel

EVENTS_SHOWN = 12
"""How many of the latest events the log shows."""

DPI = 100

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
            # the title is in the status card; the rungs and lanes name themselves (the axis
            # label is longer than the chart is high); the legend goes under the chart, where
            # it leaves the lanes their width
            ax.set_title("")
            ax.set_ylabel("")
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
    """Cumulative economic cost and domestic approval of each government, side by side."""
    import matplotlib

    frame = actor_frame(model.datacollector.get_model_vars_dataframe(), sorted(model.governments))
    names = {key: actor.name for key, actor in model.scenario_spec.actors.items()}
    with matplotlib.rc_context(CLASSROOM_STYLE if classroom else {}):
        figure = Figure(figsize=size, dpi=DPI, layout="constrained")
        cost_ax, approval_ax = figure.subplots(1, 2)
        plot_costs(frame, cost_ax, names=names)  # in USD bn, as everywhere (COST_UNIT)
        plot_approval(frame, approval_ax, names=names)
        if classroom:
            cost_ax.set_title(f"Economic cost ({COST_UNIT})")
            cost_ax.set_ylabel("")
            approval_ax.set_title("Domestic approval (%)")
            approval_ax.set_ylabel("")
            for ax in (cost_ax, approval_ax):
                ax.set_xlabel("simulated hours")
            approval_ax.get_legend().remove()  # one legend, on the cost chart, is enough
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


def decided_when(model: DashboardModel, outcome: dict[str, Any]) -> str:
    """When an issue was decided, dated as the chart's "decided" line is: 'round 4, 9 h, Sun 12:41'."""
    hours = outcome["decided_at_hours"]
    teller = Teller(model.scenario_spec)
    return f"round {outcome['decided_round']}, {hours:g} h, {teller.clock(float(hours))}"


def _outcome_item(model: DashboardModel, teller: Teller, issue: Any, outcome: dict[str, Any]) -> str:
    """One issue's state in a plain sentence: who gave way and when, or that no one has yet.

    Whenever the escalation chart draws a "decided" line for the issue (its
    ``decided_at_hours``), the sentence names the same round and hour, also for
    a mutual escalation, which no side has given way in.
    """
    sender, receiver = issue.spec.sender, issue.spec.receiver
    between = f"between {teller.name(sender)} and {teller.name(receiver)}"
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
        return f"{verdict.rstrip('.')} (decided in {decided_when(model, outcome)})."
    if model.round == 0:
        demand = demand_label(issue.spec)
        wants = f"to {demand}" if demand is not None else "to take the flights"
        return f"{teller.name(sender, start=True)} wants {teller.name(receiver)} {wants}."
    if str(outcome["outcome"]) == "mutual_escalation" and outcome["decided_at_hours"] is not None:
        return (
            f"Mutual escalation {between} since {decided_when(model, outcome)}: both have measures "
            "in force against each other, and no one has given way."
        )
    return f"No one has given way yet {between}."


def _outcome_items(model: DashboardModel) -> list[str]:
    """One plain sentence per issue (HTML-escaped)."""
    teller = Teller(model.scenario_spec)
    pairs = zip(model.issues, model.final_outcomes(), strict=True)
    return [escape(_outcome_item(model, teller, issue, outcome)) for issue, outcome in pairs]


def round_state(model: DashboardModel) -> str:
    """Where the run stands, in words: 'the crisis opens', 'under way', 'settled: the run stops here'."""
    spec = model.scenario_spec
    if model.settled and not model.running:
        return "settled: the run stops here"
    if model.round >= spec.rounds:
        return "the end of the scenario's time"
    if model.round == 0:
        return "the crisis opens"
    return "settled; the governments still move" if model.settled else "the crisis is under way"


def round_line(model: DashboardModel) -> str:
    """The round and the clock: the state at the close of the last round played.

    'Round 4 of 240 · Sun 26 Jan 15:41, 12 h in: the crisis is under way': states
    are read at a round's close (docs/batch-format.md, "Rounds and hours"), so the
    clock is the close of round 4, while the story dates round 4's moves at its
    opening (9 h).
    """
    spec = model.scenario_spec
    hours = model.round * spec.round_hours
    clock = model.clock.strftime("%a %d %b %H:%M")
    return (
        f"<p class='crisis-round'>Round <b>{model.round}</b> of {spec.rounds} "
        f"<span class='crisis-clock'>· {clock}, {hours:g} h in</span>: {round_state(model)}</p>"
    )


def status_html(model: DashboardModel, *, command: bool = True) -> str:
    """Where the crisis stands: round, simulated clock, outcome, and how to repeat the run."""
    outcomes = "".join(f"<li>{item}</li>" for item in _outcome_items(model))
    text = (
        f"<h3>{escape(model.scenario_spec.title)}</h3>"
        f"{round_line(model)}"
        f"<ul class='crisis-outcomes' style='margin: 0.2em 0'>{outcomes}</ul>"
    )
    if command:
        text += (
            "<p class='crisis-repeat' style='margin: 0'>The same run in a terminal: "
            f"<code class='crisis-command'>{escape(model.command_line())}</code></p>"
        )
    return text


@solara.component
def StatusCard(model: DashboardModel) -> None:
    """Where the crisis stands: round, simulated clock, outcome, and how to repeat the run."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model), classes=["crisis-status"], style=_TEXT_STYLE)


def when_html(model: DashboardModel, round_: int, hours: float) -> str:
    """When a move was made, as every panel says it: 'round 4 · 9 h · Sun 12:41'.

    A move belongs to the round it was made in, at the hour it was made
    (docs/batch-format.md, "Rounds and hours"): the escalation chart draws its
    effect from that hour, and the status card dates a decision the same way.
    """
    teller = Teller(model.scenario_spec)
    return f"<span class='crisis-when'>round {round_} · {hours:g} h · {teller.clock(hours)}</span>"


def event_line(model: DashboardModel, entry: LogEntry) -> str:
    """One log entry as HTML, in plain words: when, who did what, and why (the policy's reasoning)."""
    teller = Teller(model.scenario_spec)
    when = when_html(model, entry.round, float(entry.hours))
    if entry.actor is None:
        what = teller.tidy(entry.reason) if entry.reason else str(entry.event or "").replace("_", " ")
        return f"{when} {escape(capital(what))}"
    if entry.actions:
        text = teller.moves(entry.actor, entry.actions)
    else:
        text = f"{teller.name(entry.actor, start=True)} waits."
    if not entry.reason:
        return f"{when} {escape(teller.tidy(text))}"
    named = [m.label for m in model.scenario_spec.measures.values() if m.label in text]
    why = teller.tidy(reason_in_words(entry.reason, named))
    return f"{when} {escape(teller.tidy(text))} <span class='crisis-why'>Why: {escape(why)}.</span>"


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
