"""``crisis-sim compare`` and ``crisis-sim plot`` end to end, on batch folders built by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from batchfolders import write_batch
from conftest import fake_result
from crisis_sim.cli import app
from crisis_sim.core.types import Outcome
from crisis_sim.runs.run_folder import write_run

runner = CliRunner()

A_OUTCOMES = ["target_concedes"] * 30 + ["standoff"] * 10
B_OUTCOMES = ["target_concedes"] * 20 + ["mutual_escalation"] * 25 + ["standoff"] * 5
COMPARE_FILES = {
    ".crisis-sim",
    "report.md",
    "comparison.json",
    "outcome_shares.csv",
    "differences.csv",
    "fan_charts.csv",
    "outcome_shares.png",
    "fan_escalation.png",
    "fan_cost.png",
    "fan_approval.png",
}
GROUP_PNGS = {"outcome_shares.png", "fan_escalation.png", "fan_cost.png", "fan_approval.png"}
SWEEP = [{"path": "actors.receiver.policy", "values": ["appeaser", "tit_for_tat", "hardliner"]}]


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(scope="module")
def batches(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("batches")
    return {
        "a": write_batch(root / "a", [A_OUTCOMES]),
        "b": write_batch(root / "b", [B_OUTCOMES], cost_base=2.0, escalation_step=0.5),
        "b2": write_batch(root / "b2", [B_OUTCOMES], scenario="a later version"),
        "swept": write_batch(
            root / "swept", [A_OUTCOMES[:20], B_OUTCOMES[:20], B_OUTCOMES[30:]], sweep=SWEEP
        ),
    }


def _one_line_exit_2(result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


# --------------------------------------------------------------------------
# compare
# --------------------------------------------------------------------------


def test_compare_writes_a_report_beside_tables_and_figures(batches: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = invoke("compare", batches["a"], batches["b"], "--out", out)
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == COMPARE_FILES
    assert [p.name for p in tmp_path.iterdir()] == ["cmp"]  # no temporary folder left
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Comparison: a vs b")
    assert "| target concedes | 75.0% [59.8, 85.8] | 40.0% [27.6, 53.8] |" in report
    assert "### b − a" in report and "| share target concedes | 75.0% | 40.0% | -35.0 pts |" in report
    for png in GROUP_PNGS:
        assert f"]({png})" in report
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "target concedes" in result.stdout and f"Report: {out / 'report.md'}" in result.stdout
    assert result.stderr == ""  # same scenario version: no warning


def test_compare_json_is_the_statistics(batches: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    result = invoke(
        "compare", batches["a"], batches["b"], "--out", out, "--json", "--seed", "2", "--no-plots"
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document == json.loads((out / "comparison.json").read_text(encoding="utf-8"))
    assert not (out / "outcome_shares.png").exists()  # --no-plots
    assert "![" not in (out / "report.md").read_text(encoding="utf-8")
    counts = {(r["group"], r["outcome"]): r["count"] for r in document["shares"]}
    assert counts[("a", "target_concedes")] == 30 and counts[("b", "mutual_escalation")] == 25
    assert {r["group"] for r in document["differences"]} == {"b"}
    assert document["settings"]["seed"] == 2 and document["settings"]["n_boot"] == 2000
    assert document["command"][:4] == ["crisis-sim", "compare", str(batches["a"]), str(batches["b"])]


def test_compare_is_reproducible(batches: dict[str, Path], tmp_path: Path) -> None:
    for name in ("one", "two"):
        done = invoke("compare", batches["a"], batches["b"], "--out", tmp_path / name, "--no-plots")
        assert done.exit_code == 0, done.output
    for table in ("differences.csv", "outcome_shares.csv", "fan_charts.csv"):
        assert (tmp_path / "one" / table).read_bytes() == (tmp_path / "two" / table).read_bytes()


def test_compare_warns_on_stderr_when_scenario_versions_differ(
    batches: dict[str, Path], tmp_path: Path
) -> None:
    result = invoke("compare", batches["a"], batches["b2"], "--out", tmp_path / "cmp", "--no-plots")
    assert result.exit_code == 0, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("warning: groups come from different scenario versions")
    assert "> **Warning:**" in (tmp_path / "cmp" / "report.md").read_text(encoding="utf-8")


def test_compare_by_a_sweep_path(batches: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    by = ["--by", "actors.receiver.policy"]
    result = invoke("compare", batches["swept"], *by, "--out", out, "--json", "--no-plots")
    assert result.exit_code == 0, result.output
    groups = [g["group"] for g in json.loads(result.stdout)["groups"]]
    assert groups == [f"actors.receiver.policy={v}" for v in ("appeaser", "tit_for_tat", "hardliner")]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Comparison: appeaser vs tit_for_tat vs hardliner (actors.receiver.policy)")
    assert "### hardliner − appeaser" in report


def test_compare_never_overwrites_without_force(batches: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    assert invoke("compare", batches["a"], batches["b"], "--out", out, "--no-plots").exit_code == 0
    before = (out / "comparison.json").read_text(encoding="utf-8")
    again = invoke("compare", batches["b"], batches["a"], "--out", out)
    _one_line_exit_2(again, str(out), "--force")
    assert (out / "comparison.json").read_text(encoding="utf-8") == before
    forced = invoke("compare", batches["b"], batches["a"], "--out", out, "--force", "--no-plots")
    assert forced.exit_code == 0, forced.output
    assert "# Comparison: b vs a" in (out / "report.md").read_text(encoding="utf-8")


def test_compare_force_never_replaces_an_unrelated_folder(batches: dict[str, Path], tmp_path: Path) -> None:
    unrelated = tmp_path / "notes"
    unrelated.mkdir()
    (unrelated / "keep.txt").write_text("mine")
    result = invoke("compare", batches["a"], batches["b"], "--out", unrelated, "--force")
    _one_line_exit_2(result, "not a comparison folder")
    assert (unrelated / "keep.txt").read_text() == "mine"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (["{a}", "{missing}"], ["missing: no such"]),
        (["{a}", "{plain}"], ["not a batch folder"]),
        (["{a}"], ["nothing to compare"]),
        (["{swept}", "--by", "actors.nobody.x"], ["'actors.nobody.x' is not a sweep path"]),
        (["{a}", "--by", "actors.receiver.policy"], ["not a sweep path", "no sweep"]),
        (["{a}", "{b}", "--by", "actors.receiver.policy"], ["one batch"]),
        (["{a}", "{b}", "--resamples", "0"], []),
    ],
)
def test_compare_bad_input_exits_2_with_one_line(
    batches: dict[str, Path], tmp_path: Path, args: list[str], needles: list[str]
) -> None:
    (tmp_path / "plain").mkdir()
    paths = {**batches, "missing": tmp_path / "missing", "plain": tmp_path / "plain"}
    out = tmp_path / "cmp"
    result = invoke("compare", *[a.format(**paths) for a in args], "--out", out)
    if needles:
        _one_line_exit_2(result, *needles)
    else:
        assert result.exit_code == 2
    assert not out.exists()


# --------------------------------------------------------------------------
# plot
# --------------------------------------------------------------------------


def test_plot_redraws_a_run_folder(tmp_path: Path) -> None:
    run = write_run(fake_result(), tmp_path / "run", command=["crisis-sim", "run"], plots=False)
    result = invoke("plot", run)
    assert result.exit_code == 0, result.output
    assert (run / "escalation.png").is_file() and (run / "costs_approval.png").is_file()
    assert result.stdout.splitlines() == [str(run / "escalation.png"), str(run / "costs_approval.png")]
    assert not [p for p in run.iterdir() if p.name.startswith(".tmp")]


def test_plot_draws_a_batch_folder(batches: dict[str, Path]) -> None:
    folder = batches["swept"]
    result = invoke("plot", folder)
    assert result.exit_code == 0, result.output
    assert {Path(line).name for line in result.stdout.splitlines()} == GROUP_PNGS
    for png in GROUP_PNGS:
        assert (folder / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp")]


def test_plot_bad_paths_exit_2(tmp_path: Path) -> None:
    _one_line_exit_2(invoke("plot", tmp_path / "nope"), "no such folder")
    (tmp_path / "empty").mkdir()
    _one_line_exit_2(invoke("plot", tmp_path / "empty"), "neither a run folder", "nor a batch folder")
    assert list((tmp_path / "empty").iterdir()) == []


# --------------------------------------------------------------------------
# on a batch made by crisis-sim batch
# --------------------------------------------------------------------------


def test_compare_and_plot_a_real_batch(tmp_path: Path) -> None:
    from crisis_sim.batch import run_batch

    path = "actors.colombia.resolve.mean"
    batch = run_batch(
        "us_colombia_2025", runs=6, sweep=[f"{path}=0.2,0.9"], workers=1, out=tmp_path / "b", progress=False
    )
    out = tmp_path / "cmp"
    result = invoke("compare", tmp_path / "b", "--by", path, "--out", out, "--json", "--resamples", "200")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    runs = batch.runs
    for point_id, value in enumerate(("0.2", "0.9")):
        expected = runs[runs["point_id"] == point_id]["outcome"].value_counts().to_dict()
        counts = {
            r["outcome"]: r["count"]
            for r in document["shares"]
            if r["group"] == f"{path}={value}" and r["count"]
        }
        assert counts == expected
    assert {p.name for p in out.iterdir()} == COMPARE_FILES
    plotted = invoke("plot", tmp_path / "b")
    assert plotted.exit_code == 0, plotted.output
    assert {p.name for p in (tmp_path / "b").iterdir()} >= GROUP_PNGS


# --------------------------------------------------------------------------
# the figures themselves
# --------------------------------------------------------------------------


def test_group_figures_draw_on_a_given_axes_and_leave_pyplot_alone(batches: dict[str, Path]) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from crisis_sim.batch import load_batch
    from crisis_sim.experiments.compare.comparison import compare
    from crisis_sim.present.plots import plot_fan_chart, plot_outcome_shares

    result = compare(load_batch(batches["a"]), load_batch(batches["b"]), n_boot=10)
    before = plt.get_fignums()
    fig = Figure()
    ax = fig.add_subplot()
    assert plot_fan_chart(result.fans, "cost_sender", ax, scale=2.0) is ax
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    median_a = result.fans.query("group == 'a' and variable == 'cost_sender'")["median"]
    assert list(ax.get_lines()[0].get_ydata()[:-1]) == list(median_a * 2.0)
    bars_ax = plot_outcome_shares(result.shares)
    assert bars_ax.figure is not fig
    assert len(bars_ax.patches) == 2 * len(Outcome)  # a bar per group and outcome class
    assert bars_ax.get_xticklabels()[0].get_text() == "target\nconcedes"
    assert plt.get_fignums() == before
