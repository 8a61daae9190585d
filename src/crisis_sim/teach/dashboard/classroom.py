"""The classroom page: only the controls a teacher needs, readable from the back of a room.

``crisis-sim dashboard`` opens this page (``--developer`` opens Mesa's
SolaraViz with its own controls instead, :func:`crisis_sim.teach.dashboard.app.DeveloperPage`).
It is a plain solara page over the same model class, the same controls
(:func:`~crisis_sim.teach.dashboard.app.model_params`) and the same check of
every value the browser sends (:func:`~crisis_sim.teach.dashboard.app.classroom_model`),
without Mesa's developer controls (play and render intervals, threads, page
tabs, the step counter).

The layout fits a 1280×720 projector with nothing below the fold, in three
columns: the controls on the left (Reset, ▶/❚❚, Step, the play speed and "To
the end", then the scenario, the four teaching sliders with their values
written beside their names, each side's policy and the seed, every label at
least 16 px); in the middle the status card over the escalation chart and the
cost and approval charts; on the right, the whole height of the page, the
story: the latest moves in full sentences, newest first, each with its
reasoning in plain words (it scrolls; nothing is cut short). The charts are
drawn at the size they are shown, with 13-14 pt text
(:data:`~crisis_sim.teach.dashboard.components.CLASSROOM_STYLE`).

Play steps the model in a worker thread at the chosen speed (:data:`SPEEDS`,
rounds a second of real time); when the run stops (settled, or the scenario's
last round) playing stops too, so the button shows ▶ again. "To the end"
plays every remaining round at once.
"""

from __future__ import annotations

import threading
import time
from html import escape
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

SPEEDS = (1.0, 2.5, 5.0, 10.0, 25.0)
"""The play speeds offered, in rounds a second of real time (slowest first)."""
DEFAULT_SPEED = 1
"""The speed play starts at (an index into :data:`SPEEDS`): 2.5 rounds a second, slow enough
for a class to follow the charts."""
FRAME_S = 0.2
"""The shortest time between two redraws while playing: faster speeds play several rounds a frame."""
ESCALATION_SIZE = (5.6, 3.85)
"""The escalation chart's size in inches at 100 dpi: the pixels it takes on a 1280×720 page."""
COSTS_SIZE = (5.6, 1.8)
"""The cost and approval charts' size (side by side) in inches at 100 dpi."""

CSS = """
.crisis-classroom { display: grid; grid-template-columns: 270px minmax(0, 1fr) minmax(360px, 32%);
  gap: 10px; height: 100vh; box-sizing: border-box; padding: 8px; overflow: hidden; font-size: 17px;
  color: #1a1a1a; }
.crisis-controls { overflow-y: auto; padding-right: 4px; }
.crisis-controls .v-select .v-select__selection { font-size: 17px !important; color: #1a1a1a; }
.crisis-control-head { display: flex; justify-content: space-between; align-items: baseline;
  font-size: 17px; margin-top: 2px; color: #1a1a1a; }
.crisis-value { font-weight: 700; font-size: 18px; color: #1f3a93; min-width: 3.5em; text-align: right; }
.crisis-controls .v-input__slot { margin-bottom: 0 !important; min-height: 0 !important; }
.crisis-controls .v-messages, .crisis-controls .v-text-field__details { display: none; }
.crisis-controls .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.crisis-controls .v-text-field { padding-top: 0 !important; margin-bottom: 4px !important; }
.crisis-buttons { display: flex; gap: 8px; justify-content: space-between; margin: 4px 0; }
.crisis-buttons .v-btn { font-size: 18px !important; min-width: 76px !important; text-transform: none; }
.crisis-buttons .crisis-to-end { flex: 1; }
.crisis-pending { color: #b35900; font-weight: 600; font-size: 16px; min-height: 1.3em; }
.crisis-middle { display: grid; grid-template-rows: auto minmax(0, 68fr) minmax(0, 32fr); gap: 6px;
  min-height: 0; min-width: 0; }
.crisis-middle > * { min-height: 0; min-width: 0; overflow: hidden; }
.crisis-status { line-height: 1.3; font-size: 17px; max-height: 170px; overflow: auto !important; }
.crisis-events { overflow-y: auto; min-height: 0; line-height: 1.35; font-size: 17px; }
.crisis-status h3, .crisis-events h3 { font-size: 20px; margin: 0 0 4px 0; line-height: 1.2; }
.crisis-status p { margin: 0; }
.crisis-status ul, .crisis-events ul { margin: 0; padding-left: 1.1em; }
.crisis-events li { margin-bottom: 6px; }
.crisis-when { color: #444; font-size: 15px; white-space: nowrap; }
.crisis-why { font-style: italic; color: #333; }
.crisis-clock { color: #444; font-size: 16px; }
.crisis-repeat { font-size: 15px; color: #444; }
.crisis-command { font-size: 14px; background: #f0f0f0; padding: 0 0.3em; word-break: break-all; }
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
        control_head(control.label, shown_value(name, control, value))
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


def control_head(label: str, value: str = "") -> None:
    """A control's name (and its current value, if any) in the page's own text, at least 16 px.

    Vuetify writes a selector's label small, grey and shrunk by a transform; the
    page writes every control's name itself instead, so that all of them read
    alike from the back of the room.
    """
    shown = f"<span class='crisis-value'>{escape(value)}</span>" if value else ""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<span class='crisis-label'>{escape(label)}</span>{shown}",
        classes=["crisis-control-head"],
    )


@solara.component
def SelectControl(name: str, label: str, value: str, values: list[str], on_value) -> None:
    """A selector (scenario, a side's policy) under its name written at the page's size."""
    with solara.Div(classes=["crisis-control", f"crisis-control-{name}"]):
        control_head(label)
        solara.Select(
            label="", value=value, values=values, on_value=on_value, classes=[f"crisis-select-{name}"]
        )


def speed_text(index: int) -> str:
    """A play speed as the page writes it: '2.5 rounds/s'."""
    return f"{SPEEDS[index]:g} rounds/s"


@solara.component
def SpeedControl(index: int, on_index) -> None:
    """How fast ▶ plays, from :data:`SPEEDS`; it takes effect at once, without Reset."""
    with solara.Div(classes=["crisis-control", "crisis-control-speed"]):
        control_head("Play speed", speed_text(index))
        solara.SliderInt(
            label="", value=index, on_value=on_index, min=0, max=len(SPEEDS) - 1, step=1, thumb_label=False
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


def frame_plan(speed: float) -> tuple[float, int]:
    """How to play at ``speed`` rounds a second: (seconds between frames, rounds a frame).

    Up to 1 / :data:`FRAME_S` rounds a second every round is drawn; faster speeds play
    several rounds between two frames rather than redraw more often than a page can.
    Drawing takes time too, so the speed is the most the page plays, not a promise:
    at slow speeds no round is ever skipped.
    """
    interval = max(FRAME_S, 1.0 / speed)
    return interval, max(1, round(speed * interval))


def play_to_end(model: DashboardModel) -> None:
    """Play every round left: until the run stops (settled) or the scenario's last round."""
    while not finished(model):
        model.step()


@solara.component
def Buttons(playing, at_end: bool, on_reset, on_step, on_to_end) -> None:
    """Reset, ▶/❚❚ and Step on one row; "To the end »" under them."""
    with solara.Div(classes=["crisis-buttons"]):
        solara.Button("Reset", color="primary", on_click=on_reset, classes=["crisis-reset"])
        solara.Button(
            "❚❚" if playing.value else "▶",
            color="primary",
            on_click=lambda: playing.set(not playing.value),
            disabled=at_end,
            classes=["crisis-play"],
        )
        solara.Button(
            "Step",
            color="primary",
            on_click=on_step,
            disabled=playing.value or at_end,
            classes=["crisis-step"],
        )
    with solara.Div(classes=["crisis-buttons"]):
        solara.Button(
            "To the end »",
            color="primary",
            outlined=True,
            on_click=on_to_end,
            disabled=at_end,
            classes=["crisis-to-end"],
        )


@solara.component
def ClassroomPage(scenario: str, params: dict[str, Any], model_class: type[DashboardModel]) -> None:
    """The classroom page for one browser session: its own model, controls and player."""
    first = solara.use_memo(lambda: model_class(scenario_name=scenario), [])
    model: solara.Reactive[DashboardModel] = solara.use_reactive(first)
    choices = solara.use_reactive(default_choices(params))
    applied = solara.use_reactive(default_choices(params))
    playing = solara.use_reactive(False)
    speed = solara.use_reactive(DEFAULT_SPEED)
    at_end = solara.use_reactive(finished(first))
    error: solara.Reactive[str | None] = solara.use_reactive(None)
    lock = solara.use_memo(threading.Lock, [])

    def advance(rounds: int) -> None:
        with lock:
            current = model.value
            for _ in range(rounds):
                if finished(current):
                    break
                current.step()
            at_end.value = finished(current)
        force_update()

    def play() -> None:
        while playing.value and not at_end.value:
            interval, rounds = frame_plan(SPEEDS[speed.value])
            time.sleep(interval)
            if not playing.value:
                break
            advance(rounds)
        playing.value = False  # the run ended (or was paused): the button shows ▶ again

    solara.lab.use_task(play, dependencies=[playing.value], prefer_threaded=True)

    def to_end() -> None:
        playing.value = False
        with lock:
            play_to_end(model.value)
            at_end.value = True
        force_update()

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
            Buttons(playing, at_end.value, reset, lambda: advance(1), to_end)
            SpeedControl(speed.value, speed.set)
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
                SelectControl(
                    name,
                    selector_label(current, name, control["label"]),
                    choices.value[name],
                    list(control["values"]),
                    choose(name),
                )
        with solara.Div(classes=["crisis-middle"]):
            StatusPanel(current)
            EscalationPanel(current)
            CostsPanel(current)
        EventsPanel(current)


def selector_label(model: DashboardModel, name: str, label: str) -> str:
    """A selector's name on the page: each side's policy names its governments."""
    if name == "initiator_policy":
        return f"Policy of {side_names(model, Role.INITIATOR)}"
    if name == "target_policy":
        return f"Policy of {side_names(model, Role.TARGET)}"
    return label
