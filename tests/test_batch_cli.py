"""``crisis-sim batch`` end to end: bad input exits 2 with one line and writes nothing,
resume refuses other arguments, --json, and a batch killed with SIGKILL in a real
process resumes to the tables of an uninterrupted one, and one stopped by SIGTERM stops cleanly
(workers gone, lock released) and resumes to them too.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crisis_sim.analysis.stats import wilson_interval
from crisis_sim.batch import load_batch, run_batch
from crisis_sim.cli import app

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize(
    "args",
    [
        ["--runs", "0"],
        ["--runs", "many"],
        ["--workers", "0"],
        ["--seed", "-1"],
        ["--bogus"],
        ["--engine", "cluster"],
        ["--sweep", "actors.receiver.resolve.mean"],
        ["--sweep", "actors.receiver.nope=1,2"],
        ["--sweep", "actors.receiver.resolve.mean=0.5,1.4"],
        ["--sweep", "actors.receiver.policy=appeaser,stubborn"],
        ["--sweep", "trade.9.usd_bn=1:2:3"],
        ["--sweep", "rounds=5,6", "--sweep", "rounds=7"],
        ["--set", "actors.receiver.nope=1"],
        ["--resume", "--force"],
        ["--show", "costs"],
        ["--show", ","],
    ],
)
def test_bad_flags_and_sweeps_exit_2_with_one_line(
    args: list[str], scenario_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = invoke("batch", str(scenario_file), "--out", str(out), *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_bad_sweep_value_names_the_file_the_point_and_the_field(scenario_file: Path, tmp_path: Path) -> None:
    result = invoke(
        "batch", str(scenario_file), "--out", str(tmp_path / "o"), "--sweep", "actors.receiver.dignity=0.5,3"
    )
    assert result.stderr == (
        f"{scenario_file} with actors.receiver.dignity=3: actors.receiver.dignity: "
        "must be between 0 and 1, got 3\n"
    )


def test_resume_needs_out() -> None:
    result = invoke("batch", "--resume")
    assert result.exit_code == 2
    assert result.stderr == "--resume: give the folder to finish with --out DIR\n"


def test_json_summary_and_refusals(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    sweep = ["--sweep", "actors.receiver.policy=appeaser,tit_for_tat"]
    result = invoke(
        "batch", str(scenario_file), "--runs", "4", "--workers", "1", "--out", str(out), "--json", *sweep
    )
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["n_runs"] == 8 and document["path"] == str(out)
    assert [row["label"] for row in document["summary"]] == [
        "actors.receiver.policy=appeaser",
        "actors.receiver.policy=tit_for_tat",
    ]
    assert document["summary"][0]["share_target_concedes_lo"] >= 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["command"] == [
        "crisis-sim",
        "batch",
        str(scenario_file),
        "--runs",
        "4",
        "--seed",
        "0",
        "--sweep",
        "actors.receiver.policy=appeaser,tit_for_tat",
        "--workers",
        "1",
        "--out",
        str(out),
    ]
    before = (out / "manifest.json").read_bytes()

    again = invoke("batch", str(scenario_file), "--runs", "4", "--out", str(out), *sweep)
    assert again.exit_code == 2
    assert again.stderr == f"{out}: already exists; use --resume to finish it or --force to replace it\n"

    other = invoke("batch", str(scenario_file), "--runs", "5", "--out", str(out), "--resume", *sweep)
    assert other.exit_code == 2
    assert other.stderr == f"{out}: cannot resume: it was made with --runs 4, not 5\n"

    unswept = invoke("batch", str(scenario_file), "--runs", "4", "--out", str(out), "--resume")
    assert unswept.exit_code == 2
    assert "cannot resume: it was made with --sweep actors.receiver.policy=appeaser,tit_for_tat" in (
        unswept.stderr
    )
    assert (out / "manifest.json").read_bytes() == before

    table = invoke(
        "batch", str(scenario_file), "--runs", "4", "--workers", "1", "--out", str(out), "--resume", *sweep
    )
    assert table.exit_code == 0, table.output
    assert "actors.receiver.policy=tit_for_tat" in table.stdout
    # the table prints each share of the JSON summary with its Wilson interval
    row = document["summary"][1]
    share = max((k for k in row if k.startswith("share_") and not k.endswith(("_lo", "_hi"))), key=row.get)
    lo, hi = wilson_interval(round(row[share] * 4), 4)
    assert f"{row[share]:.1%} ({100 * lo:.1f}–{100 * hi:.1f})" in table.stdout


def test_show_prints_variant_and_measure_shares_and_writes_the_same_files(
    scenario_file: Path, tmp_path: Path
) -> None:
    """--show variants,measures adds to the terminal the share of runs decided in each variant and
    of runs in which each measure was imposed, each with its Wilson interval, counted from the runs
    table; the folder it writes is byte for byte the one written without it."""
    from crisis_sim.analysis.summary import VARIANTS

    sweep = ["--sweep", "actors.receiver.policy=appeaser,tit_for_tat"]
    common = ["batch", str(scenario_file), "--runs", "6", "--workers", "1", *sweep]
    plain = invoke(*common, "--out", str(tmp_path / "a"))
    shown = invoke(*common, "--out", str(tmp_path / "b"), "--show", "measures,variants")
    assert plain.exit_code == 0 and shown.exit_code == 0, shown.output
    assert "Measures imposed" not in plain.stdout and "How the first issue" not in plain.stdout
    for name in ("summary.csv", "summary.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert load_batch(tmp_path / "a").runs.equals(load_batch(tmp_path / "b").runs)

    runs = load_batch(tmp_path / "b").runs
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text())
    lines = shown.stdout.splitlines()
    variants = lines.index("How the first issue was decided (variant), share of all runs:")
    measures = lines.index("Measures imposed at some point, share of runs:")
    assert variants < measures < len(lines) - 1 and lines[-1].startswith("Batch folder:")
    assert lines[variants + 1].split() == ["n", *(w for v in VARIANTS for w in v.split("_"))]
    labels = {k: m["label"] for k, m in manifest["scenario"]["measures"].items()}
    for point, group in runs.groupby("point_id"):
        label = manifest["points"][point]["label"]
        for start, column, value, names in (
            (variants, "variant", None, VARIANTS),
            (measures, None, "imposed", sorted(labels)),
        ):
            row = lines[lines.index(label, start) + 1]
            for name in names:
                hits = (group["variant"] == name) if column else (group[f"furthest_{name}"] == value)
                k = int(hits.fillna(False).sum())
                lo, hi = wilson_interval(k, len(group))
                assert f"{k / len(group):.1%} ({100 * lo:.1f}–{100 * hi:.1f})" in row, (name, row)
        assert any(runs[f"furthest_{m}"].eq("imposed").any() for m in labels)  # not only zeros

    document = json.loads(invoke("batch", str(scenario_file), "--runs", "6", "--workers", "1", "--out",
                                 str(tmp_path / "c"), "--show", "measures", "--json", *sweep).stdout)
    (first, _) = document["shown"]
    assert {k for k in first if k.startswith("imposed_") and not k.endswith(("_lo", "_hi"))} == {
        f"imposed_{m}" for m in labels}
    assert not any(k.startswith("variant_") for k in first)


def _first_chunk(folder: Path, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list((folder / "runs").glob("part-*.parquet")) if (folder / "runs").is_dir() else []:
            return True
        time.sleep(0.01)
    return False


BATCH_800 = ["batch", "us_colombia_2025", "--runs", "800", "--seed", "5"]
"""A batch of 8 chunks of 100 runs, long enough (with 2 workers) to be stopped part-way."""


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory):
    """The batch of :data:`BATCH_800`, uninterrupted: what every interrupted one must resume to."""
    return run_batch("us_colombia_2025", 800, seed=5, workers=1, out=tmp_path_factory.mktemp("b") / "whole")


def _start(out: Path) -> subprocess.Popen:
    """:data:`BATCH_800` with 2 pool workers in a real process (its own session), writing ``out``."""
    return subprocess.Popen(
        [sys.executable, "-m", "crisis_sim", *BATCH_800, "--out", str(out), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _resumes_to(out: Path, whole) -> None:
    """``--resume`` (in-process) finishes ``out`` with the tables of the uninterrupted batch."""
    resumed = invoke(*BATCH_800, "--out", str(out), "--workers", "1", "--resume", "--json")
    assert resumed.exit_code == 0, resumed.output
    for line in resumed.stderr.splitlines():  # no progress bar when piped; only notes on the folder
        assert "took over a stale lock" in line or "not recorded in the manifest" in line, line
    assert json.loads(resumed.stdout)["n_runs"] == 800
    batch = load_batch(out)
    assert batch.complete
    assert list(batch.runs["run_id"]) == list(range(800))
    pd.testing.assert_frame_equal(batch.runs, whole.runs)
    pd.testing.assert_frame_equal(batch.trajectories, whole.trajectories)
    pd.testing.assert_frame_equal(batch.summary, whole.summary)
    assert [p.name for p in out.rglob(".*")] == [".crisis-sim"]  # the folder's marker, no leftovers


def _stopped_part_way(out: Path) -> None:
    done = sorted(p.name for p in (out / "runs").glob("part-*.parquet"))
    assert 1 <= len(done) < 8, "the batch should have been stopped part-way"
    for part in done:  # every file present is whole
        assert len(pd.read_parquet(out / "runs" / part)) == 100
    assert json.loads((out / "manifest.json").read_text())["finished_at"] is None


def test_sigkill_then_resume_equals_an_uninterrupted_batch(tmp_path: Path, whole) -> None:
    """Kill the whole process group (parent and workers) once a chunk is on disk; resume."""
    out = tmp_path / "killed"
    process = _start(out)
    try:
        assert _first_chunk(out, timeout=60), "no chunk appeared"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    _stopped_part_way(out)
    assert (out / "batch.lock").is_file()  # left behind by the kill; found stale by the resume
    _resumes_to(out, whole)


def _pids_with_parent(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
        except OSError:
            continue
        if stat and int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_sigterm_stops_cleanly_and_resume_equals_an_uninterrupted_batch(tmp_path: Path, whole) -> None:
    """SIGTERM to the batch process alone, once a chunk is on disk: it stops as Ctrl-C does.

    Its workers are terminated, its lock is released, it exits 128 + 15 with
    one line, and ``--resume`` finishes the folder to the uninterrupted tables.
    """
    out = tmp_path / "stopped"
    process = _start(out)
    try:
        assert _first_chunk(out, timeout=60), "no chunk appeared"
        workers = _pids_with_parent(process.pid)
        process.send_signal(signal.SIGTERM)  # the batch process only, not its process group
        _, stderr = process.communicate(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == 128 + signal.SIGTERM
    assert stderr.decode().splitlines() == [
        f"stopped by SIGTERM; finished chunks are kept: finish it with --resume --out {out}"
    ]
    assert len(workers) >= 2  # the two pool workers (and perhaps a resource tracker)
    deadline = time.monotonic() + 2.0
    while any(_running(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [w for w in workers if _running(w)] == [], "workers outlived their batch by 2 s"
    assert not (out / "batch.lock").exists()
    _stopped_part_way(out)
    _resumes_to(out, whole)


def _same_batch(a: Path, b: Path) -> None:
    """Two batch folders made with the same arguments: same plan, same tables."""
    first, second = (json.loads((f / "manifest.json").read_text()) for f in (a, b))
    for key in ("scenario_hash", "runs", "seed", "sweep", "points", "n_runs", "chunk_size"):
        assert first[key] == second[key], key
    pd.testing.assert_frame_equal(load_batch(a).runs, load_batch(b).runs)


def _rerun(command: list[str], out: Path) -> Path:
    """Run a recorded ``crisis-sim batch`` command again, writing to ``out`` instead."""
    assert command[:2] == ["crisis-sim", "batch"] and command[-2] == "--out"
    result = invoke(*command[1:-1], str(out))
    assert result.exit_code == 0, result.output
    return out


def test_recorded_command_reproduces_a_library_batch(scenario_file: Path, tmp_path: Path) -> None:
    made = run_batch(
        scenario_file, 3, seed=5, workers=1, out=tmp_path / "lib",
        sweep={"actors.receiver.resolve.mean": [0.3, 0.8], "actors.receiver.policy": ["appeaser"]},
    )
    command = made.manifest["command"]
    assert command[2] == str(scenario_file)
    _same_batch(made.path, _rerun(command, tmp_path / "again"))


def test_recorded_command_reproduces_a_cli_batch_with_sets_and_ranges(
    scenario_file: Path, tmp_path: Path
) -> None:
    args = ["batch", str(scenario_file), "--runs", "3", "--seed", "2",
            "--sweep", "actors.receiver.resolve.mean=0.2:0.8:2", "--set", "decision_noise=0.1",
            "--workers", "1"]
    result = invoke(*args, "--out", str(tmp_path / "cli"))
    assert result.exit_code == 0, result.output
    command = json.loads((tmp_path / "cli" / "manifest.json").read_text())["command"]
    assert command == ["crisis-sim", *args, "--out", str(tmp_path / "cli")]
    _same_batch(tmp_path / "cli", _rerun(command, tmp_path / "again"))


def test_export_writes_wide_and_long_csv_with_the_same_numbers(scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "b"
    sweep = "actors.receiver.resolve.mean=0.2,0.8"
    batch = run_batch(str(scenario_file), 3, out=out, sweep=[sweep], workers=1)
    result = invoke("export", str(out))
    assert result.exit_code == 0, result.output
    wide_dir = tmp_path / "b-csv"
    assert result.stdout.split() == [str(wide_dir / "runs.csv"), str(wide_dir / "trajectories.csv")]
    runs = pd.read_csv(wide_dir / "runs.csv")
    pd.testing.assert_frame_equal(runs, batch.runs, check_dtype=False)
    wide = pd.read_csv(wide_dir / "trajectories.csv")
    assert list(wide.columns[:5]) == ["run_id", "point_id", "replicate", "seed",
                                     "actors.receiver.resolve.mean"]
    assert len(wide) == len(batch.trajectories)
    assert sorted(set(wide["actors.receiver.resolve.mean"])) == [0.2, 0.8]

    result = invoke("export", str(out), "--long", "--out", str(tmp_path / "long"))
    assert result.exit_code == 0, result.output
    tidy = pd.read_csv(tmp_path / "long" / "trajectories_long.csv", keep_default_na=False)
    assert list(tidy.columns) == ["run_id", "point_id", "replicate", "seed", "actors.receiver.resolve.mean",
                                  "round", "hours", "quantity", "subject", "value"]
    actor = batch.manifest["scenario"]["issues"][0]["receiver"]
    traj = batch.trajectories
    row = traj.iloc[len(traj) // 2]  # a round some run reached (runs stop when settled)
    one = tidy[(tidy.run_id == row.run_id) & (tidy["round"] == row["round"]) & (tidy.quantity == "approval")
               & (tidy.subject == actor)]
    expected = row[f"approval_{actor}"]
    assert one["value"].item() == expected
    assert set(tidy.loc[tidy.quantity == "escalation", "subject"]) == {""}


def test_export_refuses_a_non_batch_and_an_unknown_format(tmp_path: Path) -> None:
    result = invoke("export", str(tmp_path))
    assert result.exit_code == 2 and len(result.output.strip().splitlines()) == 1
    result = invoke("export", str(tmp_path), "--format", "xlsx")
    assert result.exit_code == 2 and "unknown format 'xlsx'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_resume_takes_a_reordered_file_and_refuses_another_model(tmp_path: Path) -> None:
    """A scenario file with its keys in another order is the same scenario (the same hash and
    streams), so ``--resume`` finishes the folder with it; a folder made by another version of
    the model (another ``model_fingerprint``) is refused, since its chunks came from other rules."""
    import yaml

    from crisis_sim.scenario import bundled_scenarios

    data = yaml.safe_load(bundled_scenarios()["chicken_audience_costs"].read_text())
    first = tmp_path / "first.yaml"
    first.write_text(yaml.safe_dump(data, sort_keys=False))
    respelled = tmp_path / "respelled.yaml"
    respelled.write_text(yaml.safe_dump(data, sort_keys=True))  # every mapping's keys sorted
    assert first.read_text() != respelled.read_text()
    whole, out = tmp_path / "whole", tmp_path / "out"
    assert invoke("batch", str(first), "--runs", "4", "--workers", "1", "--out", str(whole)).exit_code == 0
    assert invoke("batch", str(first), "--runs", "4", "--workers", "1", "--out", str(out)).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["chunks"] = {}
    (out / "manifest.json").write_text(json.dumps(manifest))
    for part in (out / "runs").glob("*.parquet"):
        part.unlink()
    for part in (out / "trajectories").glob("*.parquet"):
        part.unlink()
    resumed = invoke("batch", str(respelled), "--runs", "4", "--workers", "1", "--out", str(out), "--resume")
    assert resumed.exit_code == 0, resumed.output
    pd.testing.assert_frame_equal(load_batch(out).runs, load_batch(whole).runs)

    manifest = json.loads((out / "manifest.json").read_text())
    manifest["model_fingerprint"] = "0" * 16
    (out / "manifest.json").write_text(json.dumps(manifest))
    other = invoke("batch", str(first), "--runs", "4", "--workers", "1", "--out", str(out), "--resume")
    assert other.exit_code == 2
    assert "cannot resume: it was made by another version of the model" in other.stderr
