"""Global sensitivity analysis: known answers (Ishigami), the noise floor, assumptions, the command.

The analysis path is checked on a function whose Sobol' indices are known
in closed form, through the same evaluator interface a batch of crises uses
(:func:`crisis_sim.experiments.sensitivity.indices.study`); the batch side on the small
scenario of conftest, with a design small enough to run in a second.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from crisis_sim.batch.api import BatchError, load_batch, run_batch
from crisis_sim.batch.design import DUMMY, Design, DesignError, Parameter
from crisis_sim.cli import app
from crisis_sim.experiments.sensitivity.indices import noise, study
from crisis_sim.scenario.assumptions import marked_assumptions, relative_range

A, B = 7.0, 0.1
PI = math.pi


def ishigami(design: Design, matrix: np.ndarray) -> pd.DataFrame:
    """Ishigami & Homma (1990): sin x1 + a sin² x2 + b x3⁴ sin x1; the fourth input is ignored."""
    x1, x2, x3 = matrix[:, 0], matrix[:, 1], matrix[:, 2]
    y = np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)
    return pd.DataFrame({"point_id": np.arange(len(matrix)), "y": y})


def ishigami_indices() -> tuple[list[float], list[float]]:
    """Analytic S1 and ST of x1, x2, x3 (Sobol' & Levitan 1999)."""
    v = A**2 / 8 + B * PI**4 / 5 + B**2 * PI**8 / 18 + 0.5
    v1 = 0.5 * (1 + B * PI**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = 8 * B**2 * PI**8 / 225
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


PARAMETERS = (*(Parameter(f"x{i}", -PI, PI) for i in (1, 2, 3)), Parameter("ignored", -PI, PI))


def test_sobol_finds_the_analytic_ishigami_indices_within_their_intervals() -> None:
    result = study(Design("sobol", PARAMETERS, 512, seed=1), ishigami)
    table = result.indices.set_index("parameter")
    s1, st = ishigami_indices()
    for name, first, total in zip(("x1", "x2", "x3"), s1, st, strict=True):
        row = table.loc[name]
        assert row["S1_lo"] <= first <= row["S1_hi"], (name, "S1", row["S1"], first)
        assert row["ST_lo"] <= total <= row["ST_hi"], (name, "ST", row["ST"], total)
    # the ignored input and the dummy: exactly nothing, and judged not to matter
    for name in ("ignored", DUMMY):
        assert table.loc[name, "ST"] == pytest.approx(0.0, abs=1e-12)
        assert table.loc[name, "ST_lo"] <= 0.0 <= table.loc[name, "ST_hi"] + 1e-12
    assert set(result.mattering()) == {"x1", "x2", "x3"}
    assert result.not_mattering() == ["ignored"]


def test_morris_gives_an_ignored_input_no_effect_and_ranks_the_rest() -> None:
    result = study(Design("morris", PARAMETERS, 20, seed=2), ishigami)
    table = result.indices.set_index("parameter")
    assert table.loc["ignored", "mu_star"] == 0.0 and table.loc["ignored", "mu_star_hi"] == 0.0
    assert table.loc["ignored", "sigma"] == 0.0
    for name in ("x1", "x2", "x3"):  # every real input: a bootstrap interval clear of zero
        assert table.loc[name, "mu_star_lo"] > 0.5
        assert table.loc[name, "sigma_lo"] <= table.loc[name, "sigma"] <= table.loc[name, "sigma_hi"]
    # x3 acts only through its interaction with x1: sigma well above |mu|
    assert table.loc["x3", "sigma"] > 2 * abs(table.loc["x3", "mu"])
    assert result.not_mattering() == ["ignored"]


def test_noise_is_the_within_point_share_of_the_variance() -> None:
    """Two points, means 0 and 2, within-point spread of 1: total variance (1·6/7 + ...) split by hand."""
    runs = pd.DataFrame({"point_id": [0, 0, 0, 0, 1, 1, 1, 1], "y": [-1, 1, -1, 1, 1, 3, 1, 3]})
    row = noise(runs).iloc[0]
    within = np.var([-1, 1, -1, 1], ddof=1)
    assert row["within_var"] == pytest.approx(within)
    assert row["noise_share"] == pytest.approx(within / np.var(runs["y"], ddof=1))
    assert row["noise_share_of_means"] == pytest.approx(min(1.0, within / 4 / np.var([0, 2], ddof=1)))


def test_a_noise_share_is_never_above_one() -> None:
    """Points with the same mean: the within-point estimate (1 per point, ddof 1) exceeds the
    total's (0.8), and the share reads 100%, not 125%."""
    runs = pd.DataFrame({"point_id": [0, 0, 0, 1, 1, 1], "y": [-1, 1, 0, 1, -1, 0]})
    row = noise(runs).iloc[0]
    assert row["within_var"] > np.var(runs["y"], ddof=1)
    assert row["noise_share"] == 1.0


def test_a_design_refuses_what_salib_cannot_sample() -> None:
    with pytest.raises(DesignError, match="power of two"):
        Design("sobol", PARAMETERS, 100)
    with pytest.raises(DesignError, match="LO < HI"):
        Design("morris", (Parameter("x", 1.0, 1.0),), 4)
    with pytest.raises(DesignError, match="unknown method"):
        Design("fast", PARAMETERS, 4)


MARKED = """\
name: x
rounds: 12                 # ASSUMPTION: a horizon
decision_noise: 0.05
actors:
  a:
    dignity: 0.9           # ASSUMPTION
    resolve: {mean: 0.4, sd: 0.1}   # ASSUMPTION: both numbers
trade:
  - {exporter: a, importer: b, usd_bn: 15}   # ASSUMPTION
  - {exporter: b, importer: a, usd_bn: 14}
"""


def test_assumptions_are_the_numbers_on_marked_lines(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text(MARKED, encoding="utf-8")
    found = {a.path: a.value for a in marked_assumptions(file)}
    assert found == {
        "rounds": 12, "actors.a.dignity": 0.9, "actors.a.resolve.mean": 0.4,
        "actors.a.resolve.sd": 0.1, "trade.0.usd_bn": 15,
    }


def test_a_relative_range_stops_where_the_schema_does(scenario_data) -> None:
    scenario_data["actors"]["receiver"]["dignity"] = 0.9
    assert relative_range(scenario_data, "actors.receiver.dignity", 0.9, 0.3) == (0.63, 1.0)
    assert relative_range(scenario_data, "trade.0.usd_bn", 15, 0.3) == (10.5, 19.5)
    assert relative_range(scenario_data, "rounds", 12, 0.3, integer=True) == (8.4, 15.6)
    assert relative_range(scenario_data, "events.0.at_hours", 0, 0.3) is None


def _design(samples: int = 2) -> Design:
    return Design("morris", (Parameter("actors.receiver.resolve.mean", 0.2, 0.8),
                             Parameter("rounds", 6, 14, integer=True)), samples, seed=4)


def test_a_design_batch_holds_its_matrix_and_resumes_to_the_same_bytes(
    small_file: Path, tmp_path: Path
) -> None:
    from crisis_sim.batch.design import sample

    design = _design()
    whole = run_batch(small_file, 2, seed=4, design=design, out=tmp_path / "a", workers=1, chunk_size=4)
    stored = whole.runs.groupby("point_id")[design.names].first().to_numpy()
    assert np.array_equal(stored, sample(design))
    rounds = whole.runs.groupby("point_id")["rounds_run"].max().to_numpy()
    assert np.all(rounds <= np.round(stored[:, 1]))  # each point ran its own (rounded) horizon
    # kill the batch's record of one chunk and its file: resume recomputes it, byte for byte
    manifest = json.loads((whole.path / "manifest.json").read_text())
    part = whole.path / "runs" / "part-00001.parquet"
    before = part.read_bytes()
    part.unlink()
    resumed = run_batch(small_file, 2, seed=4, design=design, out=tmp_path / "a", workers=1, resume=True,
                        chunk_size=4)
    assert part.read_bytes() == before
    assert len(resumed.runs) == design.n_points * 2 == resumed.runs["run_id"].nunique()
    assert json.loads((whole.path / "manifest.json").read_text())["design"] == manifest["design"]
    with pytest.raises(BatchError, match="another sampled design"):
        run_batch(small_file, 2, seed=4, design=_design(3), out=tmp_path / "a", workers=1, resume=True,
                  chunk_size=4)
    assert load_batch(tmp_path / "a").complete


runner = CliRunner()


def test_the_command_writes_a_study_and_refuses_bad_input(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "study"
    bad = runner.invoke(app, ["sensitivity", str(small_file), "--param", "actors.nobody.dignity=0:1",
                              "--out", str(out)])
    assert bad.exit_code == 2 and "no field 'actors.nobody'" in bad.output and not out.exists()
    beyond = runner.invoke(app, ["sensitivity", str(small_file), "--param", "rounds=-5:20",
                                 "--out", str(out)])
    assert beyond.exit_code == 2 and not out.exists()  # one line for the bad end, not one per sample
    assert beyond.output.strip().splitlines() == [
        f"{small_file} with rounds=-5: rounds: must be >= 1, got -5"
    ]
    result = runner.invoke(app, [
        "sensitivity", str(small_file), "--method", "morris", "--samples", "2", "--replicates", "2",
        "--param", "actors.receiver.resolve.mean=0.2:0.8", "--param", "trade.0.usd_bn=5:25",
        "--workers", "1", "--out", str(out),
    ])
    assert result.exit_code == 0, result.output
    assert "report in" in result.output
    folder = out / "sensitivity"
    indices = pd.read_parquet(folder / "indices.parquet")
    assert set(indices["parameter"]) == {"actors.receiver.resolve.mean", "trade.0.usd_bn", DUMMY}
    assert {"mu_star", "mu_star_lo", "mu_star_hi", "sigma", "sigma_lo", "sigma_hi"} <= set(indices.columns)
    report = (folder / "report.md").read_text()
    assert "## What matters" in report and "## The model's own noise" in report
    assert sorted(p.name for p in folder.glob("*.png")) == sorted(
        f"{o}.png" for o in indices["output"].unique())
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"][:2] == ["crisis-sim", "sensitivity"]
    assert manifest["design"]["method"] == "morris"
