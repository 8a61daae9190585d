"""The classroom page: only the controls a teacher needs, readable from the back of a room.

``crisis-sim dashboard`` opens this page (``--developer`` opens Mesa's
SolaraViz with its own controls instead, :func:`crisis_sim.teach.dashboard.app.DeveloperPage`).
It is a plain solara page over the same model class, the same controls
(:func:`~crisis_sim.teach.dashboard.app.model_params`) and the same check of
every value the browser sends (:func:`~crisis_sim.teach.dashboard.app.classroom_model`),
without Mesa's developer controls (play and render intervals, threads, page
tabs, the step counter).

The layout fits a 1280×720 projector with nothing below the fold: a control
column on the left (scenario, the four teaching sliders with their values
written beside their names, each side's policy, the seed, then Reset, ▶/❚❚ and
Step) and, on the right, the status card and the event log over the escalation
chart and the cost and approval charts. The charts are drawn at the size they
are shown, with 14-16 pt text (:data:`~crisis_sim.teach.dashboard.components.CLASSROOM_STYLE`).

Play steps the model every :data:`PLAY_INTERVAL_S` in a worker thread; when the
run stops (settled, or the scenario's last round) playing stops too, so the
button shows ▶ again.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import solara
from mesa.visualization.user_param import Slider
from mesa.visualization.utils import force_update, update_counter

from crisis_sim.core.types import Role
from crisis_sim.scenario import ScenarioError
from crisis_sim.teach.dashboard.components import (
    EVENTS_SHOWN,
    costs_approval_figure,
    escalation_figure,
    event_log_html,
    status_html,
)
from crisis_sim.teach.dashboard.guard import ChoiceError
from crisis_sim.teach.dashboard.model import DashboardModel

PLAY_INTERVAL_S = 0.4
"""Seconds between rounds while playing: slow enough for a class to follow the charts."""
ESCALATION_SIZE = (5.5, 4.85)
"""The escalation chart's size in inches at 100 dpi: the pixels it takes on a 1280×720 page."""
COSTS_SIZE = (4.0, 4.85)
"""The stacked cost and approval charts' size in inches at 100 dpi."""

CSS = """
.crisis-classroom { display: grid; grid-template-columns: 290px minmax(0, 1fr); gap: 10px;
  height: 100vh; box-sizing: border-box; padding: 8px; overflow: hidden; font-size: 17px; }
.crisis-controls { overflow-y: auto; padding-right: 4px; }
.crisis-controls .v-select .v-select__selection, .crisis-controls .v-label { font-size: 17px !important; }
.crisis-control-head { display: flex; justify-content: space-between; align-items: baseline;
  font-size: 17px; margin-top: 2px; }
.crisis-value { font-weight: 700; font-size: 19px; color: #1f3a93; min-width: 3.5em; text-align: right; }
.crisis-controls .v-input__slot { margin-bottom: 0 !important; }
.crisis-controls .v-messages { display: none; }
.crisis-controls .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.crisis-controls .v-text-field { padding-top: 6px !important; }
.crisis-buttons { display: flex; gap: 8px; justify-content: space-between; margin: 6px 0; }
.crisis-buttons .v-btn { font-size: 18px !important; min-width: 80px !important; }
.crisis-pending { color: #b35900; font-weight: 600; font-size: 15px; min-height: 1.3em; }
.crisis-main { display: grid; grid-template-columns: minmax(0, 58fr) minmax(0, 42fr);
  grid-template-rows: 208px minmax(0, 1fr); gap: 8px; min-height: 0; }
.crisis-main > * { min-height: 0; min-width: 0; overflow: hidden; }
.crisis-status, .crisis-events { overflow: auto; line-height: 1.35; font-size: 17px; }
.crisis-status h3, .crisis-events h3 { font-size: 20px; margin: 0 0 4px 0; line-height: 1.2; }
.crisis-status ul, .crisis-events ul { margin: 0; padding-left: 1.1em; }
.crisis-events li { margin-bottom: 3px; }
.crisis-when { color: #555; font-size: 15px; }
.crisis-clock { color: #555; font-size: 15px; }
.crisis-repeat { font-size: 14px; color: #555; }
.crisis-command { font-size: 13px; margin: 0; }
.crisis-chart { display: flex; align-items: flex-start; justify-content: center; height: 100%; }
.crisis-chart > div { width: 100%; height: 100%; }
.crisis-chart img { width: 100% !important; height: 100% !important; object-fit: contain;
  object-position: top center; }
"""


def _decimals(step: float) -> int:
    text = f"{step:g}"
    return len(text.split(".")[1]) if "." in text else 0


def shown_value(name: str, control: Slider, value: float) -> str:
    """A slider's value as the page writes it next to its name: '× 0.50', '+0.10', '7'."""
    digits = _decimals(control.step)
    if name == "seed":
        return str(int(value))
    if name == "resolve_shift":
        return f"{value:+.{digits}f}"
    return f"× {value:.{digits}f}"


def side_names(model: DashboardModel, role: Role) -> str:
    """The governments of one side, by name ('United States'), for the policy selector's label."""
    return ", ".join(a.name for a in model.scenario_spec.actors.values() if a.role is role)


def default_choices(params: dict[str, Any]) -> dict[str, Any]:
    """Each control's starting value: the neutral one, at which the run is the scenario file's."""
    return {name: c.value if isinstance(c, Slider) else c["value"] for name, c in params.items()}


@solara.component
def SliderControl(name: str, control: Slider, value: float, on_value) -> None:
    """One teaching slider, its name and its current value written above it (visible without focus)."""
    with solara.Div(classes=["crisis-control", f"crisis-control-{name}"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span>{control.label}</span>"
                f"<span class='crisis-value'>{shown_value(name, control, value)}</span>"
            ),
            classes=["crisis-control-head"],
        )
        if control.is_float_slider:
            solara.SliderFloat(
                label="",
                value=value,
                on_value=on_value,
                min=control.min,
                max=control.max,
                step=control.step,
                thumb_label=False,
            )
        else:
            solara.SliderInt(
                label="",
                value=int(value),
                on_value=on_value,
                min=int(control.min),
                max=int(control.max),
                step=int(control.step),
                thumb_label=False,
            )


@solara.component
def StatusPanel(model: DashboardModel) -> None:
    """Where the crisis stands, in plain words, and the command that repeats the run."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=status_html(model), classes=["crisis-status"])


@solara.component
def EventsPanel(model: DashboardModel) -> None:
    """The latest moves, newest first, in plain words."""
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=event_log_html(model, EVENTS_SHOWN), classes=["crisis-events"])


@solara.component
def EscalationPanel(model: DashboardModel) -> None:
    """The escalation ladder and each measure's lane, drawn at the size it is shown."""
    update_counter.get()
    with solara.Div(classes=["crisis-chart", "crisis-escalation"]):
        solara.FigureMatplotlib(escalation_figure(model, ESCALATION_SIZE, classroom=True), format="png")


@solara.component
def CostsPanel(model: DashboardModel) -> None:
    """Each government's cumulative cost over its approval, drawn at the size it is shown."""
    update_counter.get()
    with solara.Div(classes=["crisis-chart", "crisis-costs"]):
        solara.FigureMatplotlib(costs_approval_figure(model, COSTS_SIZE, classroom=True), format="png")


def finished(model: DashboardModel) -> bool:
    """Whether the run can go no further: stopped once settled, or at the scenario's last round."""
    return not model.running or model.round >= model.scenario_spec.rounds


@solara.component
def ClassroomPage(scenario: str, params: dict[str, Any], model_class: type[DashboardModel]) -> None:
    """The classroom page for one browser session: its own model, controls and player."""
    first = solara.use_memo(lambda: model_class(scenario_name=scenario), [])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(first)
    choices = solara.use_reactive(default_choices(params))
    applied = solara.use_reactive(default_choices(params))
    playing = solara.use_reactive(False)
    at_end = solara.use_reactive(finished(first))
    error: solara.Reactive[str | None] = solara.use_reactive(None)
    lock = solara.use_memo(threading.Lock, [])

    def step_once() -> None:
        with lock:
            current = model.value
            if not finished(current):
                current.step()
            at_end.value = finished(current)
        force_update()

    def play() -> None:
        while playing.value and not at_end.value:
            time.sleep(PLAY_INTERVAL_S)
            if not playing.value:
                break
            step_once()
        playing.value = False  # the run ended (or was paused): the button shows ▶ again

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def reset() -> None:
        playing.value = False
        with lock:
            try:
                new = model_class(**choices.value)
            except (ChoiceError, ScenarioError) as exc:
                error.value = str(exc)
                return
            error.value = None
            model.value = new
            applied.value = dict(choices.value)
            at_end.value = finished(new)
        force_update()

    def choose(name: str):
        return lambda value: choices.set({**choices.value, name: value})

    current = model.value
    solara.Style(CSS)
    solara.Title("crisis-sim dashboard")
    with solara.Div(classes=["crisis-classroom"]):
        with solara.Div(classes=["crisis-controls"]):
            with solara.Div(classes=["crisis-buttons"]):
                solara.Button("Reset", color="primary", on_click=reset, classes=["crisis-reset"])
                solara.Button(
                    "❚❚" if playing.value else "▶",
                    color="primary",
                    on_click=lambda: playing.set(not playing.value),
                    disabled=at_end.value,
                    classes=["crisis-play"],
                )
                solara.Button(
                    "Step",
                    color="primary",
                    on_click=step_once,
                    disabled=playing.value or at_end.value,
                    classes=["crisis-step"],
                )
            pending = choices.value != applied.value
            solara.HTML(
                tag="div",
                unsafe_innerHTML="Changed: press Reset to apply" if pending else "",
                classes=["crisis-pending"],
            )
            if error.value:
                solara.Error(error.value)
            for name, control in params.items():
                if isinstance(control, Slider):
                    SliderControl(name, control, choices.value[name], choose(name))
                    continue
                label = control["label"]
                if name == "initiator_policy":
                    label = f"Policy of {side_names(current, Role.INITIATOR)}"
                elif name == "target_policy":
                    label = f"Policy of {side_names(current, Role.TARGET)}"
                solara.Select(
                    label=label,
                    value=choices.value[name],
                    values=list(control["values"]),
                    on_value=choose(name),
                    classes=[f"crisis-select-{name}"],
                )
        with solara.Div(classes=["crisis-main"]):
            StatusPanel(current)
            EventsPanel(current)
            EscalationPanel(current)
            CostsPanel(current)
