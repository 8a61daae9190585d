"""Plots draw where they are told, never touch pyplot's state, and save PNGs."""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from conftest import fake_result
from crisis_sim.present.plots import (
    plot_approval,
    plot_costs,
    plot_costs_approval,
    plot_escalation,
    save_run_plots,
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
    assert "USD bn" in cost_ax.get_ylabel()
    assert "approval" in approval_ax.get_ylabel()
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
