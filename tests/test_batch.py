"""Batches through the Python API: identical tables for any worker count, the grid and
its labels, seeds, the folder format, resume and force, summaries checked independently.

Most batches use the small test scenario (a few milliseconds a run); one uses
the bundled firm what-if, whose runs end in more than one way.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from scipy.stats import binomtest

from crisis_sim.analysis.stats import wilson_interval
from crisis_sim.analysis.summary import OUTCOMES, summarize, summary_markdown
from crisis_sim.batch import load_batch, run_batch
from crisis_sim.batch.api import BatchError, BatchFolderExistsError, plan_batch
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.outcomes import outcome_record
from crisis_sim.runs.single_run import run_model
from crisis_sim.scenario import ScenarioError, load_scenario

SWEEP = ["actors.receiver.resolve.mean=0.3,0.8", "actors.receiver.policy=appeaser,tit_for_tat"]


def parquet_bytes(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for sub in ("runs", "trajectories")
        for p in sorted((folder / sub).glob("*.parquet"))
    }


@pytest.fixture(scope="module")
def swept(small_file: Path, tmp_path_factory: pytest.TempPathFactory):
    """A 2 x 2 sweep, 15 runs a point, chunks of 7 runs, one worker."""
    out = tmp_path_factory.mktemp("batch") / "swept"
    return run_batch(small_file, 15, seed=3, sweep=SWEEP, workers=1, out=out, chunk_size=7)


def test_a_sweep_point_is_the_batch_its_set_gives(swept, tmp_path: Path, small_file: Path) -> None:
    """Common random numbers: each point's rows are those of a one-point batch of that scenario
    with the same root seed; --independent-seeds gives every run its own seed, and a folder made
    one way is not resumed the other."""
    from crisis_sim.batch.api import BatchError
    from crisis_sim.scenario import load_scenario

    point = swept.runs[swept.runs["point_id"] == 3].reset_index(drop=True)
    sets = [f"actors.receiver.resolve.mean={point['actors.receiver.resolve.mean'].iloc[0]}",
            f"actors.receiver.policy.name={point['actors.receiver.policy'].iloc[0]}"]
    alone = run_batch(load_scenario(small_file, sets), 15, seed=3, workers=1, out=tmp_path / "alone",
                      chunk_size=7).runs
    for column in ("seed", "outcome", "decided_round", "rounds_run"):
        assert point[column].equals(alone[column]), column  # NaN (undecided) equals NaN here
    independent = run_batch(small_file, 15, seed=3, sweep=SWEEP, workers=1, out=tmp_path / "own",
                            chunk_size=7, independent_seeds=True)
    children = np.random.SeedSequence(3).spawn(60)
    assert list(independent.runs["seed"]) == [int(c.generate_state(1, dtype=np.uint32)[0])
                                              for c in children]
    assert "--independent-seeds" in json.loads((tmp_path / "own" / "manifest.json").read_text())["command"]
    with pytest.raises(BatchError, match="a seed of its own for every run"):
        run_batch(small_file, 15, seed=3, sweep=SWEEP, workers=1, out=tmp_path / "own", chunk_size=7,
                  resume=True)


def test_one_and_two_workers_write_identical_tables(swept, tmp_path: Path, small_file: Path) -> None:
    two = run_batch(small_file, 15, seed=3, sweep=SWEEP, workers=2, out=tmp_path / "w2", chunk_size=7)
    pd.testing.assert_frame_equal(swept.runs, two.runs)
    pd.testing.assert_frame_equal(swept.trajectories, two.trajectories)
    pd.testing.assert_frame_equal(swept.summary, two.summary)
    assert parquet_bytes(swept.path) == parquet_bytes(two.path)
    assert (swept.path / "summary.csv").read_bytes() == (two.path / "summary.csv").read_bytes()
    assert two.manifest["workers"] == 2 and swept.manifest["workers"] == 1


def test_folder_layout_and_manifest(swept) -> None:
    folder = swept.path
    assert sorted(p.name for p in folder.iterdir()) == [
        ".crisis-sim",
        "manifest.json",
        "runs",
        "summary.csv",
        "summary.md",
        "trajectories",
    ]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["format"] == "crisis-sim-batch/2"
    assert manifest["scenario_name"] == "small_crisis"
    assert manifest["scenario_hash"] == load_scenario(manifest["command"][2]).content_hash()
    assert (manifest["runs"], manifest["seed"], manifest["n_runs"]) == (15, 3, 60)
    assert (manifest["chunk_size"], manifest["n_chunks"]) == (7, 9)
    assert manifest["sweep"] == [
        {"path": "actors.receiver.resolve.mean", "values": [0.3, 0.8]},
        {"path": "actors.receiver.policy", "values": ["appeaser", "tit_for_tat"]},
    ]
    assert manifest["points"][1] == {
        "point_id": 1,
        "values": {"actors.receiver.resolve.mean": 0.3, "actors.receiver.policy": "tit_for_tat"},
        "label": "actors.receiver.resolve.mean=0.3, actors.receiver.policy=tit_for_tat",
    }
    assert manifest["finished_at"] and manifest["created_at"]
    assert {"crisis-sim", "mesa", "numpy", "pandas", "pyarrow", "python"} <= set(manifest["versions"])
    assert manifest["scenario"]["actors"]["receiver"]["name"] == "Receiver"
    assert [p.name for p in sorted((folder / "runs").iterdir())] == [
        f"part-{k:05d}.parquet" for k in range(9)
    ]
    assert swept.complete


def test_runs_table_grid_ids_seeds_and_labels(swept) -> None:
    runs = swept.runs
    assert list(runs["run_id"]) == list(range(60))
    assert list(runs["point_id"]) == [r // 15 for r in range(60)]
    assert list(runs["replicate"]) == [r % 15 for r in range(60)]
    assert list(runs["actors.receiver.resolve.mean"]) == [0.3] * 30 + [0.8] * 30
    assert list(runs["actors.receiver.policy"]) == (["appeaser"] * 15 + ["tit_for_tat"] * 15) * 2
    # common random numbers: replicate r of every point has the seed of run r of a one-point batch
    children = np.random.SeedSequence(3).spawn(15)
    assert list(runs["seed"]) == [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children] * 4
    assert runs["outcome"].isin(OUTCOMES).all()
    expected = [
        "run_id",
        "point_id",
        "replicate",
        "actors.receiver.resolve.mean",
        "actors.receiver.policy",
        "seed",
        "outcome",
        "variant",
        "decided_round",
        "decided_at_hours",
        "rounds_run",
        "stopped_early",
        "cost_receiver",  # per-actor columns in key order, whatever the file's order
        "cost_sender",
        "approval_receiver",
        "approval_sender",
        "resolve_receiver",
        "resolve_sender",
        "furthest_tariff",
        "furthest_visas",
        "deportees_returned",
        "first_flight_hours",
        "posterior_draw",  # the small crisis leaves the fitted values to the calibrated posterior
    ]
    assert list(runs.columns) == expected
    assert runs["posterior_draw"].between(0, 7).all()


def test_each_row_is_the_run_it_names(swept, small_file: Path) -> None:
    """Rerun a few runs by hand from their seed and sweep values; rows and trajectories agree."""
    for run_id in (0, 22, 59):
        row = swept.runs.loc[run_id]
        policy = row["actors.receiver.policy"]
        scenario = load_scenario(
            small_file,
            [
                f"actors.receiver.resolve.mean={row['actors.receiver.resolve.mean']}",
                f"actors.receiver.policy={{name: {policy}, params: {{}}}}",
            ],
        )
        model = run_model(scenario, int(row["seed"]))
        outcome = outcome_record(model)
        assert row["outcome"] == outcome["outcome"]
        assert row["rounds_run"] == outcome["rounds_run"] == model.round
        for field in ("variant", "decided_round", "decided_at_hours", "stopped_early",
                      "deportees_returned", "first_flight_hours"):
            expected = outcome[field]
            assert (pd.isna(row[field]) and expected is None) or row[field] == expected, field
        for measure, record in outcome["measures"].items():
            assert row[f"furthest_{measure}"] == record["furthest"]
        assert row["cost_receiver"] == pytest.approx(outcome["costs_usd_bn"]["receiver"], abs=1e-6)
        drawn = CrisisModel(scenario, int(row["seed"]), agent_records=False).governments
        for actor in ("receiver", "sender"):  # the resolve drawn at the start, exactly
            assert row[f"resolve_{actor}"] == drawn[actor].resolve
        trajectory = swept.trajectories[swept.trajectories["run_id"] == run_id]
        frame = model.datacollector.get_model_vars_dataframe()
        assert list(trajectory["round"]) == list(range(model.round + 1))
        for column in ("escalation", "cost_sender", "approval_receiver", "rate_tariff", "relations"):
            assert list(trajectory[column]) == pytest.approx(list(frame[column]))


def test_trajectory_columns_are_the_numeric_variables(swept) -> None:
    schema = pq.read_schema(swept.path / "trajectories" / "part-00000.parquet")
    assert schema.names[:2] == ["run_id", "round"]
    assert "clock" not in schema.names and not any(n.startswith("state_") for n in schema.names)
    for name in ("hours", "escalation", "measures_in_force", "rate_tariff", "cost_sender", "relations"):
        assert name in schema.names
    assert str(schema.field("escalation").type) == "int64"
    assert str(schema.field("approval_sender").type) == "double"
    counts = swept.trajectories.groupby("run_id").size()
    assert list(counts) == list(swept.runs["rounds_run"] + 1)


def test_summary_matches_an_independent_computation(swept) -> None:
    summary = swept.summary
    assert list(summary["point_id"]) == [0, 1, 2, 3]
    assert list(summary["n"]) == [15] * 4
    assert summary.loc[3, "label"] == "actors.receiver.resolve.mean=0.8, actors.receiver.policy=tit_for_tat"
    for _, row in summary.iterrows():
        runs = swept.runs[swept.runs["point_id"] == row["point_id"]]
        for outcome in OUTCOMES:
            k = int((runs["outcome"] == outcome).sum())
            ci = binomtest(k, 15).proportion_ci(confidence_level=0.95, method="wilson")
            assert row[f"share_{outcome}"] == pytest.approx(k / 15)
            assert row[f"share_{outcome}_lo"] == pytest.approx(ci.low, abs=1e-7)
            assert row[f"share_{outcome}_hi"] == pytest.approx(ci.high, abs=1e-7)
        for figure in ("cost_receiver", "approval_sender"):
            q25, median, q75 = np.percentile(runs[figure], [25, 50, 75])
            assert row[f"{figure}_median"] == pytest.approx(median)
            assert (row[f"{figure}_q25"], row[f"{figure}_q75"]) == pytest.approx((q25, q75))
    on_disk = pd.read_csv(swept.path / "summary.csv")
    assert list(on_disk.columns) == list(summary.columns)
    assert on_disk["share_standoff_hi"].to_numpy() == pytest.approx(
        summary["share_standoff_hi"].to_numpy(), rel=1e-5
    )


def test_summary_of_mixed_outcomes(tmp_path: Path) -> None:
    """Chicken ends in more than one way: interior intervals, decided-hours quartiles (a summary
    test: any scenario with mixed endings serves; the firm what-if now backs down in every run)."""
    batch = run_batch("chicken_audience_costs", 12, seed=3, workers=1, out=tmp_path / "firm")
    runs, row = batch.runs, batch.summary.iloc[0]
    assert runs["outcome"].nunique() >= 2
    for outcome in OUTCOMES:
        k = int((runs["outcome"] == outcome).sum())
        ci = binomtest(k, 12).proportion_ci(confidence_level=0.95, method="wilson")
        assert (row[f"share_{outcome}_lo"], row[f"share_{outcome}_hi"]) == pytest.approx(
            (ci.low, ci.high), abs=1e-7
        )
    decided = runs["decided_at_hours"].dropna()
    assert row["decided_at_hours_median"] == pytest.approx(float(np.median(decided)))
    scenario = load_scenario("chicken_audience_costs")
    for _, run in runs.iterrows():  # every row as the full outcome record has it
        outcome = outcome_record(run_model(scenario, int(run["seed"])))
        for field in ("outcome", "variant", "decided_round", "decided_at_hours", "rounds_run",
                      "stopped_early", "deportees_returned", "first_flight_hours"):
            expected = outcome[field]
            assert (pd.isna(run[field]) and expected is None) or run[field] == expected, field
        for measure, record in outcome["measures"].items():
            assert run[f"furthest_{measure}"] == record["furthest"]


def test_summarize_with_hand_made_runs() -> None:
    manifest = {
        "sweep": [{"path": "x", "values": [1, 2]}],
        "points": [
            {"point_id": 0, "values": {"x": 1}, "label": "x=1"},
            {"point_id": 1, "values": {"x": 2}, "label": "x=2"},
        ],
        "scenario": {"actors": {"a": {}}},
    }
    runs = pd.DataFrame(
        {
            "point_id": [0] * 7 + [1] * 3,
            "outcome": ["standoff"] * 2 + ["target_concedes"] * 5 + ["standoff"] * 3,
            "decided_at_hours": [math.nan, 3, 6, 9, 12, 15, 18, math.nan, math.nan, math.nan],
            "cost_a": np.arange(10.0),
            "approval_a": np.linspace(0, 1, 10),
        }
    )
    summary = summarize(runs, manifest)
    assert list(summary["n"]) == [7, 3]
    assert summary.loc[0, "share_standoff"] == pytest.approx(2 / 7)
    # Wilson (1927) by hand: p = 2/7, n = 7, z = 1.959964
    p, n, z = 2 / 7, 7, 1.959964
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert summary.loc[0, "share_standoff_lo"] == pytest.approx(centre - half)
    assert summary.loc[0, "share_standoff_hi"] == pytest.approx(centre + half)
    assert summary.loc[1, "share_standoff_lo"] == pytest.approx(wilson_interval(3, 3)[0])
    assert summary.loc[0, "decided_at_hours_median"] == 10.5
    assert math.isnan(summary.loc[1, "decided_at_hours_median"])
    assert summary.loc[1, "cost_a_q25"] == pytest.approx(7.5)


def test_summary_markdown_gives_approval_in_percent_as_every_figure_does() -> None:
    manifest = {
        "scenario_name": "s",
        "points": [{"point_id": 0, "values": {}, "label": ""}],
        "scenario": {"actors": {"a": {"name": "Alpha"}}},
    }
    runs = pd.DataFrame(
        {
            "point_id": [0] * 4,
            "outcome": ["standoff"] * 4,
            "decided_at_hours": [math.nan] * 4,
            "cost_a": [0.1, 0.2, 0.3, 0.4],
            "approval_a": [0.40, 0.42, 0.44, 0.46],
        }
    )
    page = summary_markdown(summarize(runs, manifest), manifest)
    header, _, row = page.splitlines()[-3:]
    cells = dict(zip(header.strip("| ").split(" | "), row.strip("| ").split(" | "), strict=True))
    assert cells["approval Alpha (%)"] == "43.0 (41.5–44.5)"
    assert cells["cost Alpha (USD bn)"] == "0.25 (0.175–0.325)"
    assert "approval in percent" in page


def test_wilson_interval_edges() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 10)[0] == 0.0 and wilson_interval(10, 10)[1] == 1.0
    lo, hi = wilson_interval(5, 10)
    assert (lo, hi) == pytest.approx((0.236593, 0.763407), abs=1e-6)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_existing_folder_is_never_touched_without_resume_or_force(swept, tmp_path: Path) -> None:
    before = parquet_bytes(swept.path)
    manifest = (swept.path / "manifest.json").read_bytes()
    with pytest.raises(BatchFolderExistsError, match="use --resume to finish it or --force"):
        run_batch("us_colombia_2025", 2, workers=1, out=swept.path)
    assert parquet_bytes(swept.path) == before
    assert (swept.path / "manifest.json").read_bytes() == manifest

    unrelated = tmp_path / "notes"
    unrelated.mkdir()
    (unrelated / "keep.txt").write_text("mine")
    with pytest.raises(BatchError, match="not a batch folder"):
        run_batch("us_colombia_2025", 2, workers=1, out=unrelated, force=True)
    assert [p.name for p in unrelated.iterdir()] == ["keep.txt"]


def test_force_replaces_a_batch_folder_or_an_empty_one(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    first = run_batch(small_file, 3, seed=1, workers=1, out=out)
    second = run_batch(small_file, 4, seed=2, workers=1, out=out, force=True)
    assert (second.manifest["runs"], len(second.runs)) == (4, 4)
    assert first.path == second.path
    empty = tmp_path / "empty"
    empty.mkdir()
    assert len(run_batch(small_file, 2, workers=1, out=empty, force=True).runs) == 2
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_resume_runs_only_missing_chunks_and_equals_a_whole_batch(
    swept, small_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "partial"
    run_batch(small_file, 15, seed=3, sweep=SWEEP, workers=1, out=out, chunk_size=7)
    for k in (0, 4, 8):  # chunks lost, one file of a chunk lost, a stray temporary file
        (out / "runs" / f"part-{k:05d}.parquet").unlink()
    (out / "trajectories" / "part-00006.parquet").unlink()
    (out / "runs" / ".part-00004.parquet.tmp-0badf00d").write_bytes(b"half")
    kept = (out / "runs" / "part-00001.parquet").stat().st_mtime_ns
    with pytest.raises(BatchError) as lost:  # recorded chunks that are gone are reported, not skipped
        load_batch(out)
    named = {line.split(": ")[0]: line for line in str(lost.value).splitlines()}
    missing = [out / "runs" / f"part-{k:05d}.parquet" for k in (0, 4, 8)]
    missing.append(out / "trajectories" / "part-00006.parquet")
    partners = [out / "trajectories" / f"part-{k:05d}.parquet" for k in (0, 4, 8)]
    partners.append(out / "runs" / "part-00006.parquet")
    assert set(named) == {str(p) for p in missing + partners}
    assert all("missing" in named[str(p)] for p in missing)
    seen = []
    resumed = run_batch(
        small_file,
        15,
        seed=3,
        sweep=SWEEP,
        workers=1,
        out=out,
        resume=True,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[0] == (60 - 4 * 7 + 3, 60) and seen[-1] == (60, 60)  # chunk 8 holds the last 4 runs
    assert (out / "runs" / "part-00001.parquet").stat().st_mtime_ns == kept
    assert not list((out / "runs").glob(".*"))
    assert parquet_bytes(out) == parquet_bytes(swept.path)
    pd.testing.assert_frame_equal(resumed.runs, swept.runs)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"runs": 16}, "it was made with --runs 15, not 16"),
        ({"seed": 4}, "it was made with --seed 3, not 4"),
        ({"sweep": SWEEP[:1]}, "it was made with --sweep actors.receiver.resolve.mean=0.3,0.8 --sweep"),
        ({"scenario": "rounds=13"}, "the scenario differs"),
    ],
)
def test_resume_with_other_arguments_is_refused(swept, small_file: Path, change, reason) -> None:
    arguments = {"scenario": small_file, "runs": 15, "seed": 3, "sweep": SWEEP} | change
    if arguments["scenario"] == "rounds=13":
        arguments["scenario"] = load_scenario(small_file, ["rounds=13"])
    before = parquet_bytes(swept.path)
    with pytest.raises(BatchError, match="cannot resume") as info:
        run_batch(**arguments, workers=1, out=swept.path, resume=True)
    assert reason in str(info.value)
    assert "\n" not in str(info.value)
    assert parquet_bytes(swept.path) == before


def test_bad_sweeps_write_nothing(small_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "never"
    with pytest.raises(ScenarioError) as info:
        run_batch(small_file, 2, sweep=["actors.receiver.resolve.mean=0.5,2"], workers=1, out=out)
    assert len(info.value.problems) == 1
    with pytest.raises(ScenarioError):
        run_batch(small_file, 2, sweep={"actors.receiver.policy": ["stubborn"]}, workers=1, out=out)
    with pytest.raises(BatchError, match="--runs"):
        run_batch(small_file, 0, workers=1, out=out)
    with pytest.raises(BatchError, match="unknown engine 'cluster'"):
        run_batch(small_file, 2, workers=1, out=out, engine="cluster")
    assert list(tmp_path.iterdir()) == []


def test_chunks_and_seeds_come_from_the_arguments_only(small_file: Path) -> None:
    plan = plan_batch(small_file, 1000, seed=9, sweep={"actors.receiver.resolve.mean": [0.2, 0.4]})
    assert (plan.n_runs, plan.chunk_size, plan.n_chunks) == (2000, 100, 20)
    task = plan.task(9)
    assert (task.start, task.stop) == (900, 1000)
    assert set(task.scenarios) == {0}
    assert set(plan.task(10).scenarios) == {1}
    assert task.seeds == tuple(int(s) for s in plan.seeds[900:1000])
    assert plan_batch(small_file, 10).chunk_size == 100
    assert plan_batch(small_file, 64 * 150).chunk_size == 150
    assert plan_batch(small_file, 20_000).chunk_size == 250


def test_load_batch_refuses_other_folders(tmp_path: Path) -> None:
    with pytest.raises(BatchError, match="no such batch folder"):
        load_batch(tmp_path / "nope")
    with pytest.raises(BatchError, match=r"not a batch folder \(no manifest.json\)"):
        load_batch(tmp_path)


def test_the_format_page_lists_every_manifest_key_and_runs_column(swept) -> None:
    """docs/batch-format.md stays in step with what is written."""
    page = (Path(__file__).resolve().parents[1] / "docs" / "batch-format.md").read_text(encoding="utf-8")

    def first_cells(section: str) -> set[str]:
        text = page.split(f"## {section}", 1)[1].split("\n## ", 1)[0]
        rows = [line.split("|")[1] for line in text.splitlines() if line.startswith("| `")]
        return {name for row in rows for name in re.findall(r"`([^`]+)`", row)}

    assert first_cells("manifest.json") == set(swept.manifest)
    documented = first_cells("runs table")
    for column in swept.runs.columns:
        generic = re.sub(r"^(cost|approval|resolve|furthest)_\w+$", r"\1_<x>", column)
        generic = generic.replace("<x>", "<actor>" if not column.startswith("furthest") else "<measure>")
        assert column in documented or generic in documented or column.startswith("actors."), column


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_forked_and_spawned_workers_compute_the_same_chunks(small_file: Path, method: str) -> None:
    """The pool's start method changes how workers start, never what they compute."""
    from crisis_sim.batch.chunks import run_chunk
    from crisis_sim.batch.engines.local import LocalEngine

    plan = plan_batch(small_file, 10, seed=4, sweep=SWEEP, chunk_size=6)
    tasks = [plan.task(k) for k in range(plan.n_chunks)]
    here = {task.chunk_id: run_chunk(task) for task in tasks}
    with LocalEngine(3, start_method=method) as engine:
        there = {result.chunk_id: result for result in engine.map_chunks(run_chunk, tasks)}
    assert sorted(there) == sorted(here) == list(range(plan.n_chunks))
    for k, result in here.items():
        assert there[k].runs.equals(result.runs)
        assert there[k].trajectories.equals(result.trajectories)


@pytest.mark.parametrize(
    ("platform", "threads", "expected"),
    [("linux", 1, "fork"), ("linux", 2, "spawn"), ("darwin", 1, "spawn"), ("win32", 1, "spawn")],
)
def test_default_start_method_forks_only_a_single_threaded_process_on_linux(
    monkeypatch: pytest.MonkeyPatch, platform: str, threads: int, expected: str
) -> None:
    """Platform and thread count are set here, so every case is checked on every machine."""
    import sys
    import threading

    from crisis_sim.batch.engines.local import default_start_method

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(threading, "active_count", lambda: threads)
    assert default_start_method() == expected


def test_a_live_helper_thread_rules_out_fork() -> None:
    import threading

    from crisis_sim.batch.engines.local import default_start_method

    release = threading.Event()
    helper = threading.Thread(target=release.wait)
    helper.start()
    try:
        assert threading.active_count() >= 2
        assert default_start_method() == "spawn"
    finally:
        release.set()
        helper.join()


def test_a_worker_keeps_the_first_copy_of_each_point_scenario(small_file: Path) -> None:
    """Chunks arrive pickled; later chunks of a point run on the first copy (its caches warm)."""
    import pickle

    from crisis_sim.batch.chunks import _first_copy, run_chunk

    plan = plan_batch(small_file, 20, seed=2, sweep=SWEEP, chunk_size=10)
    first, second = (pickle.loads(pickle.dumps(plan.task(k))) for k in (0, 1))
    assert first.scenario_keys == second.scenario_keys == {0: first.scenario_keys[0]}
    assert first.scenarios[0] is not second.scenarios[0]
    run_chunk(first)
    assert _first_copy(second.scenario_keys[0], second.scenarios[0]) is first.scenarios[0]
    other_point = plan.task(2).scenario_keys
    other_plan = plan_batch(small_file, 20, seed=3, sweep=SWEEP, chunk_size=10).task(0).scenario_keys
    assert other_point[1] != first.scenario_keys[0] and other_plan[0] != first.scenario_keys[0]


def test_every_issue_has_its_outcome_in_the_runs_table(tmp_path: Path) -> None:
    """Two crises at once: the second issue's outcome, variant and time are columns of the row,
    equal to the run's own per-issue outcomes; a one-issue scenario has no such columns."""
    batch = run_batch("deportations_2025_region", 6, seed=5, workers=1, out=tmp_path / "region")
    columns = [c for c in batch.runs.columns if c.startswith("issue_")]
    assert columns == ["issue_2_outcome", "issue_2_variant", "issue_2_decided_at_hours"]
    scenario = load_scenario("deportations_2025_region")
    for _, run in batch.runs.iterrows():
        second = run_model(scenario, int(run["seed"])).final_outcomes()[1]
        assert run["issue_2_outcome"] == second["outcome"].value
        assert (None if pd.isna(run["issue_2_variant"]) else run["issue_2_variant"]) == second["variant"]
        assert run["issue_2_decided_at_hours"] == pytest.approx(second["decided_at_hours"])
    one = run_batch("us_colombia_2025", 2, seed=5, workers=1, out=tmp_path / "one")
    assert not [c for c in one.runs.columns if c.startswith("issue_")]
