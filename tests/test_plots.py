"""Plots draw where they are told, never touch pyplot's state, and save PNGs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from conftest import fake_result
from crisis_sim.present.plots import (
    APPROVAL_LABEL,
    COST_UNIT,
    RUNGS,
    identical_groups,
    plot_approval,
    plot_costs,
    plot_costs_approval,
    plot_escalation,
    plot_fan_chart,
    plot_outcome_shares,
    save_group_plots,
    save_run_plots,
    short_labels,
    short_paths,
)


def _pyplot_figures() -> list[int]:
    import matplotlib.pyplot as plt

    return plt.get_fignums()


def test_escalation_draws_on_a_given_axes() -> None:
    result = fake_result()
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_escalation(result.model_frame, result.outcome["measures"], ax=ax) is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Tariff 25% → 50%" in labels and "Visa sanctions" in labels
    # the whole ladder, named, on integer ticks
    assert labels[:6] == [
        "0 calm", "1 dispute", "2 threats", "3 coercion", "4 mutual coercion", "5 escalation"
    ]
    assert list(ax.get_yticks()[:6]) == [0, 1, 2, 3, 4, 5]
    assert ax.get_xlabel() == "simulated hours from the start"
    assert ax.get_title()
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"escalation level", "threatened", "imposed"} <= set(legend)


def test_escalation_without_meta_finds_measures_from_columns() -> None:
    result = fake_result()
    ax = plot_escalation(result.model_frame, markers={"decided": 12.0, "never": None})
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "tariff" in labels and "visas" in labels
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "decided" in legend and "never" not in legend


def test_costs_and_approval_panels() -> None:
    result = fake_result()
    cost_ax, approval_ax = plot_costs_approval(
        result.actor_frame, names={"sender": "Sender", "receiver": "Receiver"}
    )
    assert cost_ax.figure is approval_ax.figure
    # one unit everywhere: USD bn, as the terminal summary and the tables give it, however small
    assert cost_ax.get_ylabel() == "cumulative cost (USD bn)"
    costs = result.actor_frame.sort_values("hours")
    first = costs[costs["actor"] == costs["actor"].min()]["cost_usd_bn"]
    assert list(cost_ax.get_lines()[0].get_ydata()) == list(first)
    cost_ax.figure.canvas.draw()  # plain decimals on the axis, no "1e-3" offset above it
    assert cost_ax.yaxis.get_offset_text().get_text() == ""
    assert approval_ax.get_ylabel() == APPROVAL_LABEL
    assert {t.get_text() for t in cost_ax.get_legend().get_texts()} == {"Sender", "Receiver"}
    assert plot_costs(result.actor_frame).get_title() == "Economic cost"
    assert plot_approval(result.actor_frame).get_title() == "Domestic approval"


def test_save_run_plots_writes_two_pngs_and_leaves_pyplot_alone(tmp_path: Path) -> None:
    before = _pyplot_figures()
    written = save_run_plots(fake_result(), tmp_path)
    assert [p.name for p in written] == ["escalation.png", "costs_approval.png"]
    for path in written:
        assert path.read_bytes().startswith(b"\x89PNG")
        assert path.stat().st_size > 10_000
    assert _pyplot_figures() == before


def test_save_run_plots_accepts_a_mapping(tmp_path: Path) -> None:
    result = fake_result()
    frames = {"model_frame": result.model_frame, "actor_frame": result.actor_frame}
    assert len(save_run_plots(frames, tmp_path)) == 2


# --------------------------------------------------------------------------
# group figures: labels, identical groups, early ends, units
# --------------------------------------------------------------------------

SWEEP = [
    f"actors.colombia.resolve.mean={mean}, actors.colombia.policy.name={policy}"
    for mean in ("0.2", "0.4") for policy in ("dignity_first", "appeaser")
]


def _fans(curves: dict[str, list[float]], variable: str = "escalation") -> pd.DataFrame:
    """A fans table: one group per curve, one row per round (3 h apart), a zero-width band."""
    rows = [
        {"group": g, "variable": variable, "round": r, "hours": 3.0 * r, "n": 10,
         "p10": v, "median": v, "p90": v}
        for g, values in curves.items() for r, v in enumerate(values)
    ]
    return pd.DataFrame(rows)


def _legend(ax) -> list[str]:
    return [t.get_text().replace("\n", " ").replace("   ", " ") for t in ax.get_legend().get_texts()]


def test_short_paths_keep_the_last_telling_components() -> None:
    assert short_paths(["actors.colombia.resolve.mean", "actors.colombia.policy.name"]) == {
        "actors.colombia.resolve.mean": "resolve.mean",
        "actors.colombia.policy.name": "policy",
    }
    # the same tail for two actors: the actor stays in
    assert short_paths(["actors.a.resolve.mean", "actors.b.resolve.mean"]) == {
        "actors.a.resolve.mean": "a.resolve.mean",
        "actors.b.resolve.mean": "b.resolve.mean",
    }
    assert short_paths(["trade.0.usd_bn"]) == {"trade.0.usd_bn": "usd_bn"}


def test_short_labels_name_only_what_differs() -> None:
    display, title = short_labels(SWEEP)
    assert display[SWEEP[0]] == "resolve.mean=0.2, policy=dignity_first"
    assert title is None
    shared = [f"actors.a.stake=1, actors.a.resolve.mean={m}" for m in ("0.2", "0.8")]
    display, title = short_labels(shared)
    assert list(display.values()) == ["resolve.mean=0.2", "resolve.mean=0.8"]
    assert title == "all groups: stake=1"
    assert short_labels(["base", "firm"]) == ({"base": "base", "firm": "firm"}, None)


def test_identical_groups_are_drawn_once_and_the_legend_says_so() -> None:
    fans = _fans({SWEEP[0]: [1, 3, 3], SWEEP[1]: [1, 0, 0], SWEEP[2]: [1, 3, 3], SWEEP[3]: [1, 0, 0]})
    assert identical_groups(fans, SWEEP) == [[SWEEP[0], SWEEP[2]], [SWEEP[1], SWEEP[3]]]
    ax = plot_fan_chart(fans, "escalation")
    assert _legend(ax) == [
        "2 points with identical results: policy=dignity_first, resolve.mean=0.2 or 0.4",
        "2 points with identical results: policy=appeaser, resolve.mean=0.2 or 0.4",
    ]
    medians = [line for line in ax.get_lines() if line.get_label() and not line.get_label().startswith("_")]
    assert len(medians) == 2 and medians[0].get_linestyle() != medians[1].get_linestyle()
    unmerged = plot_fan_chart(fans, "escalation", merge=False)
    assert len(unmerged.get_legend().get_texts()) == 4
    # the escalation axis: named rungs on integer ticks
    assert [t.get_text() for t in ax.get_yticklabels()] == list(RUNGS)
    assert list(ax.get_yticks()) == [0, 1, 2, 3, 4, 5]


def test_outcome_bars_merge_identical_groups() -> None:
    rows = [
        {"group": g, "outcome": o, "count": c, "n": 10, "share": c / 10, "lo": 0.0, "hi": 1.0}
        for g, counts in zip(SWEEP, ([10, 0], [4, 6], [10, 0], [10, 0]), strict=True)
        for o, c in zip(("target_concedes", "standoff"), counts, strict=True)
    ]
    ax = plot_outcome_shares(pd.DataFrame(rows))
    assert len(ax.patches) == 2 * 2
    assert _legend(ax)[0].startswith("3 points with identical results: ")


def test_a_group_that_ends_early_is_marked_and_the_axis_ends_with_the_data() -> None:
    fans = _fans({"base": [1, 3, 0], "firm": [1, 3, 3, 3, 3, 4]})
    ax = plot_fan_chart(fans, "escalation")
    assert ax.get_xlim() == (0.0, 18.0)  # firm's last round (15 h) held for one round, not a horizon
    assert _legend(ax) == ["base (runs over by 9 h)", "firm"]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert len(dots) == 1 and list(dots[0].get_xdata()) == [9.0]
    assert any("base: all runs over" in t.get_text() for t in ax.texts)


def test_costs_in_usd_bn_and_approval_in_percent(tmp_path: Path) -> None:
    assert COST_UNIT == "USD bn"
    fans = pd.concat([_fans({"a": [0.0, 0.002], "b": [0.0, 0.004]}, "cost_x"),
                      _fans({"a": [0.4, 0.41], "b": [0.4, 0.39]}, "approval_x")])
    shares = pd.DataFrame([{"group": g, "outcome": "standoff", "count": 1, "n": 1,
                            "share": 1.0, "lo": 0.5, "hi": 1.0} for g in ("a", "b")])
    written = save_group_plots(shares, fans, tmp_path)
    assert [p.name for p in written] == ["outcome_shares.png", "fan_escalation.png", "fan_cost.png",
                                         "fan_approval.png"]
    cost_ax = plot_fan_chart(fans, "cost_x", scale=1000.0)
    assert max(cost_ax.get_lines()[1].get_ydata()) == 4.0
    from crisis_sim.present.plots import _fan_panels

    cost_fig = _fan_panels(fans, "cost", names=None, groups=None, title="t")
    approval_fig = _fan_panels(fans, "approval", names=None, groups=None, title="t")
    assert cost_fig.axes[0].get_ylabel() == "cumulative cost (USD bn)"
    assert max(cost_fig.axes[0].get_lines()[1].get_ydata()) == 0.004
    assert approval_fig.axes[0].get_ylabel() == APPROVAL_LABEL
    assert max(approval_fig.axes[0].get_lines()[0].get_ydata()) == 41.0


def test_approval_axes_do_not_exaggerate_small_changes() -> None:
    """A fall of a point or two takes a small part of the axis: it spans at least APPROVAL_MIN_SPAN
    points (within 0-100), in a run's chart and in the fan charts alike."""
    from crisis_sim.present.plots import APPROVAL_MIN_SPAN, _fan_panels

    frame = pd.DataFrame({"actor": ["a"] * 3 + ["b"] * 3, "hours": [0.0, 3.0, 6.0] * 2,
                          "approval": [0.354, 0.350, 0.337, 0.47, 0.471, 0.472]})
    ax = plot_approval(frame)
    lo, hi = ax.get_ylim()
    assert hi - lo >= APPROVAL_MIN_SPAN - 1e-9 and lo >= 0.0 and hi <= 100.0
    assert lo <= 33.7 and hi >= 47.2  # every value still on the axis
    near_zero = plot_approval(frame.assign(approval=[0.01, 0.012, 0.015, 0.02, 0.02, 0.02]))
    assert near_zero.get_ylim()[0] == 0.0  # widened within 0-100, never below 0
    wide = plot_approval(frame.assign(approval=[0.1, 0.5, 0.9, 0.2, 0.3, 0.4]))
    assert wide.get_ylim()[1] - wide.get_ylim()[0] < 100  # a wide range keeps matplotlib's limits
    fans = _fans({"a": [0.40, 0.41], "b": [0.40, 0.39]}, "approval_x")
    panel = _fan_panels(fans, "approval", names=None, groups=None, title="t").axes[0]
    assert panel.get_ylim()[1] - panel.get_ylim()[0] >= APPROVAL_MIN_SPAN - 1e-9


def _texts_outside(figure: Figure) -> list[str]:
    """What of ``figure`` is drawn past its edge (cut off in the saved PNG): each axes with its
    drawn tick labels, axis labels, title and legend, and the figure's own texts and legends."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    box = figure.bbox
    shown = [ax for ax in figure.axes if ax.get_visible()]
    parts = [(f"axes {ax.get_title()!r}", ax.get_tightbbox(renderer)) for ax in shown]
    parts += [(t.get_text(), t.get_window_extent(renderer)) for t in figure.texts if t.get_text().strip()]
    parts += [("a figure legend", legend.get_window_extent(renderer)) for legend in figure.legends]
    return [name for name, extent in parts if extent is not None and (
        extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1)]


def test_no_label_past_the_edge_of_a_figure() -> None:
    """Titles, axis labels, tick labels, legends and notes of the run and group figures lie within
    the figure (checked on their drawn extents)."""
    from crisis_sim.present.plots import _fan_panels

    result = fake_result()
    fig = plot_escalation(result.model_frame, result.outcome["measures"], title="a long title " * 4).figure
    assert _texts_outside(fig) == []
    fig = plot_costs_approval(result.actor_frame, names={"colombia": "Colombia"})[0].figure
    assert _texts_outside(fig) == []
    fans = pd.concat([_fans({"a": [0.0, 0.002], "b": [0.0, 0.004]}, "cost_x"),
                      _fans({"a": [0.4, 0.41], "b": [0.4, 0.39]}, "approval_x"),
                      _fans({"a": [1.0, 3.0], "b": [1.0, 2.0]}, "escalation")])
    for kind in ("cost", "approval"):
        assert _texts_outside(_fan_panels(fans, kind, names=None, groups=None, title="t")) == [], kind
    assert _texts_outside(plot_fan_chart(fans, "escalation").figure) == []


def _texts_past_their_axes(figure: Figure) -> list[str]:
    """The texts of an axes (notes beside its lines) drawn past that axes' own box: into a
    neighbouring panel, its legend or off the figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    past = []
    for ax in (ax for ax in figure.axes if ax.get_visible()):
        box = ax.bbox
        for text in ax.texts:
            if not text.get_visible() or not text.get_text().strip():
                continue
            extent = text.get_window_extent(renderer)
            if (extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1
                    or extent.y1 > box.y1 + 1):
                past.append(f"{ax.get_title()!r}: {text.get_text()!r}")
    return past


def test_a_note_beside_an_end_dot_stays_inside_its_axes() -> None:
    """A group whose runs are all over early ends in a dot with a note: to the right of the dot when
    it fits in the axes, else to its left, else not drawn; never into the next panel."""
    from crisis_sim.present.plots import _fan_panels

    def two(long: str, ends_at: int) -> pd.DataFrame:  # the second group's runs over at round `ends_at`
        return _fans({f"policy={long}_a": [0.0] * 30, f"policy={long}_b": [0.0] * ends_at}, "cost_x")

    near_the_end = two("dignity_first", 26)
    figure = _fan_panels(near_the_end, "cost", names=None, groups=None, title="t")
    assert _texts_past_their_axes(figure) == []
    (note,) = [t for t in figure.axes[0].texts if "all runs over" in t.get_text()]
    assert note.get_horizontalalignment() == "right"  # no room on the right of a dot near the end
    early = two("dignity_first", 3)
    figure = _fan_panels(early, "cost", names=None, groups=None, title="t")
    assert _texts_past_their_axes(figure) == []
    (note,) = [t for t in figure.axes[0].texts if "all runs over" in t.get_text()]
    assert note.get_visible() and note.get_horizontalalignment() == "left"
    # the middle of a narrow axes: no room on either side, so no note (the legend says when)
    middle = two("a_very_long_policy_name" * 3, 15)
    figure = _fan_panels(middle, "cost", names=None, groups=None, title="t")
    assert _texts_past_their_axes(figure) == []
    (note,) = [t for t in figure.axes[0].texts if "all runs over" in t.get_text()]
    assert not note.get_visible()
    # the check can fail: a note written past the axes' edge is caught
    ax = figure.axes[0]
    ax.annotate("far too long a note " * 5, (ax.get_xlim()[1], 0.0)).set_in_layout(False)
    assert len(_texts_past_their_axes(figure)) == 1


def test_no_text_of_the_gallery_past_its_axes_or_the_figure(tmp_path: Path) -> None:
    """Every figure of the gallery, drawn as scripts/write_gallery.py draws it (its run, sweep and
    comparison: about 10 s on 2 cores): no text, tick label, title or legend past the figure's edge,
    no note past its own axes."""
    from conftest import load_script

    figures = load_script("write_gallery").figures(tmp_path)
    assert len(figures) == 10
    for name, figure in figures.items():
        assert _texts_outside(figure) == [], name
        assert _texts_past_their_axes(figure) == [], name


def test_a_group_whose_runs_end_two_ways_is_drawn_as_its_modes() -> None:
    """A group with two outcome classes of at least MODE_SHARE of its runs each gets a median and
    band per class (the legend naming the class and its share), not one median between them; a
    class under MODE_SHARE and a group of one class are drawn as before."""
    from crisis_sim.experiments.compare.comparison import Group, fan_charts
    from crisis_sim.present.plots import MODE_SHARE

    runs = pd.DataFrame({"run_id": range(10), "outcome": ["target_concedes"] * 6 + ["mutual_escalation"] * 4})
    rows = [{"run_id": r, "round": k, "hours": 3.0 * k, "escalation": 1.0,
             "cost_x": (0.0 if r < 6 else 0.01 * k)} for r in range(10) for k in range(4)]
    group = Group("split", runs, pd.DataFrame(rows))
    modes = fan_charts([group], ["cost_x"], by_outcome=True)
    assert set(modes["outcome"]) == {"target_concedes", "mutual_escalation"}
    assert dict(zip(modes["outcome"], modes["share"], strict=True)) == {"mutual_escalation": 0.4,
                                                                        "target_concedes": 0.6}
    last = modes[modes["round"] == 3].set_index("outcome")["median"]
    assert last["target_concedes"] == 0.0 and abs(last["mutual_escalation"] - 0.03) < 1e-12
    fans = fan_charts([group], ["cost_x"])
    ax = plot_fan_chart(fans, "cost_x", modes=modes)
    assert _legend(ax) == ["split: target concedes (60% of runs)", "split: mutual escalation (40% of runs)"]
    assert "apart for each outcome" in ax.get_title()
    plain = plot_fan_chart(fans, "cost_x")
    assert _legend(plain) == ["split"] and "apart" not in plain.get_title()
    rare = modes.assign(share=modes["share"].where(modes["outcome"] == "target_concedes", MODE_SHARE / 2))
    assert _legend(plot_fan_chart(fans, "cost_x", modes=rare)) == ["split"]
