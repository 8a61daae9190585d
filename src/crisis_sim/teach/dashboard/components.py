"""The dashboard's panels: trajectory charts, a status card, and the event log.

Each panel is a solara component taking the model, as Mesa's SolaraViz passes
it, and reading Mesa's ``update_counter`` so that it redraws after every step.
Charts are drawn with matplotlib by the functions of :mod:`crisis_sim.present.plots`
and sent to the browser as PNG images: nothing has to be fetched from the
internet to show them.
"""

from __future__ import annotations

import re
from html import escape
from typing import TYPE_CHECKING

import solara
from matplotlib.figure import Figure
from mesa.visualization.utils import update_counter

from crisis_sim.core.columns import approval_column, cost_column
from crisis_sim.core.log import LogEntry
from crisis_sim.present.plots import plot_approval, plot_costs, plot_escalation

if TYPE_CHECKING:
    import pandas as pd

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


@solara.component
def EscalationChart(model: DashboardModel) -> None:
    """The escalation ladder and each measure's state, round by round."""
    update_counter.get()
    frame = model.datacollector.get_model_vars_dataframe()
    figure = Figure(figsize=(8.5, 4.2), dpi=DPI, layout="constrained")
    plot_escalation(
        frame,
        model.scenario_spec.measures,
        figure.subplots(),
        title=model.scenario_spec.title,
        markers={"decided": _decided_hours(model), "first flight landed": _first_flight_hours(model)},
    )
    with solara.Column(classes=["crisis-chart", "crisis-escalation"]):
        solara.FigureMatplotlib(figure, format="png")


@solara.component
def CostsApprovalChart(model: DashboardModel) -> None:
    """Cumulative economic cost and domestic approval of each government."""
    update_counter.get()
    frame = actor_frame(model.datacollector.get_model_vars_dataframe(), sorted(model.governments))
    names = {key: actor.name for key, actor in model.scenario_spec.actors.items()}
    figure = Figure(figsize=(8.5, 3.6), dpi=DPI, layout="constrained")
    cost_ax, approval_ax = figure.subplots(1, 2)
    plot_costs(frame, cost_ax, names=names)
    plot_approval(frame, approval_ax, names=names)
    with solara.Column(classes=["crisis-chart", "crisis-costs"]):
        solara.FigureMatplotlib(figure, format="png")


def _outcome_items(model: DashboardModel) -> list[str]:
    names = {key: actor.name for key, actor in model.scenario_spec.actors.items()}
    items = []
    for issue, outcome in zip(model.issues, model.final_outcomes(), strict=True):
        verdict = str(outcome["outcome"]).replace("_", " ")
        if outcome["variant"]:
            verdict += f" ({str(outcome['variant']).replace('_', ' ')})"
        so_far = "" if issue.decided is not None else " so far"
        when = (
            f", decided in round {outcome['decided_round']}" if outcome["decided_round"] is not None else ""
        )
        items.append(
            f"{escape(names[issue.spec.sender])} → {escape(names[issue.spec.receiver])}: "
            f"<b>{escape(verdict)}</b>{so_far}{when}"
        )
    return items


def status_html(model: DashboardModel) -> str:
    """Where the crisis stands: round, simulated clock, outcome, and how to repeat the run."""
    spec = model.scenario_spec
    clock = model.clock.strftime("%a %d %b %Y %H:%M")
    if model.settled and not model.running:
        state = "settled: the run stops here (Reset to start again)"
    elif model.round >= spec.rounds:
        state = "horizon reached"
    else:
        state = "running"
    outcomes = "".join(f"<li>{item}</li>" for item in _outcome_items(model))
    return (
        f"<h3>{escape(spec.title)}</h3>"
        f"<p class='crisis-round'>Round <b>{model.round}</b> of {spec.rounds} · {clock} · {state}</p>"
        f"<ul style='margin: 0.4em 0'>{outcomes}</ul>"
        "<p style='margin: 0.4em 0'>Controls in the sidebar take effect on <b>Reset</b>. "
        "The same run from a terminal:</p>"
        f"<pre class='crisis-command' style='{_COMMAND_STYLE}'>{escape(model.command_line())}</pre>"
    )


@solara.component
def StatusCard(model: DashboardModel) -> None:
    """Where the crisis stands: round, simulated clock, outcome, and how to repeat the run."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model), classes=["crisis-status"], style=_TEXT_STYLE)


def _readable(model: DashboardModel, text: str) -> str:
    """Measure ids and actor keys replaced by their labels and names; arrows for ``->``."""
    spec = model.scenario_spec
    words = {key: measure.label or key for key, measure in spec.measures.items()}
    words |= {key: actor.name for key, actor in spec.actors.items()}
    text = re.sub(r"\w+", lambda word: words.get(word.group(), word.group()), text)
    return text.replace("->", "→").replace("_", " ")


def event_line(model: DashboardModel, entry: LogEntry) -> str:
    """One log entry as HTML: simulated time, round, who, what, and the policy's reason."""
    names = {key: actor.name for key, actor in model.scenario_spec.actors.items()}
    who = names.get(entry.actor, entry.actor) if entry.actor else "Scheduled"
    actions = _readable(model, ", ".join(entry.labels())) or entry.kind.value
    reason = f" — {escape(entry.reason)}" if entry.reason else ""
    return (
        f"<code>{float(entry.hours):g} h</code> round {entry.round} · "
        f"<b>{escape(who)}</b>: {escape(actions)}{reason}"
    )


def event_log_html(model: DashboardModel, shown: int = EVENTS_SHOWN) -> str:
    """The latest ``shown`` events, newest first, leaving out rounds where a government only waited."""
    latest = [e for e in model.log if not e.is_wait][-shown:]
    if latest:
        body = "<ul>" + "".join(f"<li>{event_line(model, e)}</li>" for e in reversed(latest)) + "</ul>"
    else:
        body = "<p><i>Nothing has happened yet: press Step or ▶.</i></p>"
    return f"<h3>Event log (latest {shown}, newest first)</h3>{body}"


@solara.component
def EventLog(model: DashboardModel) -> None:
    """The latest events, newest first: who did what, and the reason its policy gave."""
    update_counter.get()
    solara.HTML(
        tag="div", unsafe_innerHTML=event_log_html(model), classes=["crisis-events"], style=_TEXT_STYLE
    )
