"""A batch folder proves its own integrity (docs/batch-format.md, "Integrity").

Each test damages a copy of a small finished batch the way a person or a
crash might (a chunk copied in from another batch, truncated, emptied,
duplicated, removed, a junk file, an edited manifest, a key-reordered
scenario) and checks that ``load_batch``, ``compare`` and ``plot`` report
every bad file in one line and exit 2, and that ``--resume`` recomputes what
it cannot trust and ends with the tables of an undamaged batch, byte for byte.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from crisis_sim.batch import load_batch, run_batch
from crisis_sim.batch.api import BatchError, BatchIntegrityError
from crisis_sim.cli import app

runner = CliRunner()
RUNS, SEED, CHUNK = 12, 3, 4  # three chunks


def _tables(folder: Path) -> dict[str, bytes]:
    return {
        f"{sub}/{p.name}": p.read_bytes()
        for sub in ("runs", "trajectories")
        for p in sorted((folder / sub).iterdir())
    }


@pytest.fixture(scope="module")
def made(small_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("made")
    good = root / "good"
    other = root / "other"  # the same plan with another seed: its chunks are "foreign"
    run_batch(small_file, RUNS, seed=SEED, workers=1, out=good, chunk_size=CHUNK)
    run_batch(small_file, RUNS, seed=SEED + 1, workers=1, out=other, chunk_size=CHUNK)
    return {"good": good, "other": other, "scenario": small_file}


@pytest.fixture
def batch(made: dict[str, Path], tmp_path: Path) -> Path:
    return Path(shutil.copytree(made["good"], tmp_path / "batch"))


def _interrupt(folder: Path, keep: int = 1) -> None:
    """As a batch killed after ``keep`` chunks: later chunks neither on disk nor recorded."""
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in list(manifest["chunks"]):
        if int(key) >= keep:
            del manifest["chunks"][key]
            for sub in ("runs", "trajectories"):
                (folder / sub / f"part-{key}.parquet").unlink()
    manifest["finished_at"] = None
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


def _resume(made: dict[str, Path], folder: Path, scenario: Path | None = None):
    return runner.invoke(
        app,
        [
            "batch",
            str(scenario or made["scenario"]),
            "--runs",
            str(RUNS),
            "--seed",
            str(SEED),
            "--workers",
            "1",
            "--out",
            str(folder),
            "--resume",
            "--json",
        ],
    )


def _copy_foreign(made, folder):
    for sub in ("runs", "trajectories"):
        shutil.copy(made["other"] / sub / "part-00001.parquet", folder / sub / "part-00001.parquet")
    return ["runs/part-00001.parquet", "trajectories/part-00001.parquet"], "not this batch's file"


def _truncate_trajectories(made, folder):
    path = folder / "trajectories" / "part-00002.parquet"
    path.write_bytes(path.read_bytes()[:-100])
    return ["trajectories/part-00002.parquet", "runs/part-00002.parquet"], "truncated"


def _empty_runs(made, folder):
    (folder / "runs" / "part-00000.parquet").write_bytes(b"")
    return ["runs/part-00000.parquet", "trajectories/part-00000.parquet"], "0 bytes"


def _duplicate(made, folder):
    shutil.copy(folder / "runs" / "part-00000.parquet", folder / "runs" / "part-00001.parquet")
    return ["runs/part-00001.parquet", "trajectories/part-00001.parquet"], "a copy of part-00000.parquet"


def _missing_trajectories(made, folder):
    (folder / "trajectories" / "part-00001.parquet").unlink()
    return ["trajectories/part-00001.parquet", "runs/part-00001.parquet"], "missing"


DAMAGE: dict[str, Callable] = {
    "foreign": _copy_foreign,
    "truncated": _truncate_trajectories,
    "empty": _empty_runs,
    "duplicate": _duplicate,
    "missing": _missing_trajectories,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_chunk_is_reported_by_every_reader_and_recomputed_by_resume(
    made, batch: Path, tmp_path: Path, damage: str
) -> None:
    names, reason = DAMAGE[damage](made, batch)
    with pytest.raises(BatchIntegrityError) as caught:
        load_batch(batch)
    lines = caught.value.problems
    assert sorted(line.split(": ")[0] for line in lines) == sorted(str(batch / n) for n in names)
    assert reason in lines[0]

    other = shutil.copytree(made["good"], tmp_path / "other")
    compared = runner.invoke(
        app, ["compare", str(other), str(batch), "--out", str(tmp_path / "c"), "--no-plots"]
    )
    assert compared.exit_code == 2, compared.output
    assert compared.stderr.strip().splitlines() == lines  # one line per file, nothing else
    assert not (tmp_path / "c").exists()
    plotted = runner.invoke(app, ["plot", str(batch)])
    assert plotted.exit_code == 2 and plotted.stderr.strip().splitlines() == lines
    assert not list(batch.glob("*.png"))

    resumed = _resume(made, batch)
    assert resumed.exit_code == 0, resumed.output
    assert json.loads(resumed.stdout)["n_runs"] == RUNS
    assert _tables(batch) == _tables(made["good"])
    assert load_batch(batch).complete


def test_junk_and_an_extra_chunk_are_reported_then_moved_aside(made, batch: Path) -> None:
    junk = batch / "runs" / "part-junk.parquet"
    extra = batch / "trajectories" / "part-00099.parquet"
    shutil.copy(batch / "runs" / "part-00000.parquet", junk)
    shutil.copy(batch / "trajectories" / "part-00000.parquet", extra)
    with pytest.raises(BatchIntegrityError) as caught:
        load_batch(batch)
    assert sorted(line.split(": ")[0] for line in caught.value.problems) == sorted(map(str, (junk, extra)))
    assert all("not a chunk of this batch" in line for line in caught.value.problems)

    resumed = _resume(made, batch)
    assert resumed.exit_code == 0, resumed.output
    assert f"{junk}: not a chunk of this batch" in resumed.stderr
    assert "moved to" in resumed.stderr and "not deleted" in resumed.stderr
    assert (batch / "set-aside" / "runs" / "part-junk.parquet").read_bytes() == (
        made["good"] / "runs" / "part-00000.parquet"
    ).read_bytes()
    assert (batch / "set-aside" / "trajectories" / "part-00099.parquet").is_file()
    assert _tables(batch) == _tables(made["good"])
    assert len(load_batch(batch).runs) == RUNS  # no duplicate run ids


def test_a_chunk_written_but_not_recorded_is_recomputed(made, batch: Path) -> None:
    """A batch killed between a chunk's files and its record: the files are not counted."""
    _interrupt(batch, keep=1)
    for sub in ("runs", "trajectories"):
        shutil.copy(made["good"] / sub / "part-00001.parquet", batch / sub / "part-00001.parquet")
    with pytest.raises(BatchIntegrityError, match="not recorded in the manifest"):
        load_batch(batch)
    resumed = _resume(made, batch)
    assert resumed.exit_code == 0, resumed.output
    assert "part-00001.parquet: not recorded in the manifest" in resumed.stderr
    assert _tables(batch) == _tables(made["good"])


@pytest.mark.parametrize(("key", "value"), [("chunk_size", 5), ("runs", 10), ("n_chunks", 2)])
def test_an_edited_plan_is_refused(made, batch: Path, key: str, value: int) -> None:
    _interrupt(batch, keep=1)
    manifest = json.loads((batch / "manifest.json").read_text())
    manifest[key] = value
    (batch / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    with pytest.raises(BatchError, match="was edited after the batch was made: plan_hash does not match"):
        load_batch(batch)
    resumed = _resume(made, batch)
    assert resumed.exit_code == 2
    assert resumed.stderr.count("\n") == 1 and "plan_hash does not match" in resumed.stderr
    assert sorted(p.name for p in (batch / "runs").iterdir()) == ["part-00000.parquet"]


def _reversed_keys(data):
    if isinstance(data, dict):
        return {k: _reversed_keys(data[k]) for k in reversed(list(data))}
    if isinstance(data, list):
        return [_reversed_keys(v) for v in data]
    return data


def test_a_key_reordered_scenario_resumes_to_the_same_tables(made, batch: Path, tmp_path: Path) -> None:
    reordered = tmp_path / "reordered.yaml"
    data = yaml.safe_load(made["scenario"].read_text())
    reordered.write_text(yaml.safe_dump(_reversed_keys(data), sort_keys=False))
    assert list(yaml.safe_load(reordered.read_text())["actors"]) == list(reversed(list(data["actors"])))
    _interrupt(batch, keep=1)
    resumed = _resume(made, batch, scenario=reordered)
    assert resumed.exit_code == 0, resumed.output
    assert _tables(batch) == _tables(made["good"])
    plotted = runner.invoke(app, ["plot", str(batch)])
    assert plotted.exit_code == 0, plotted.output


def test_a_format_1_folder_is_refused_in_one_line(batch: Path) -> None:
    manifest = json.loads((batch / "manifest.json").read_text())
    manifest["format"] = "crisis-sim-batch/1"
    (batch / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BatchError, match="records no chunk hashes"):
        load_batch(batch)


def _records(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def _with_record(made, folder: Path, source: Path, from_key: str, to_key: str) -> None:
    """Copy chunk ``from_key`` of ``source`` into ``folder`` as chunk ``to_key``, its record too."""
    for sub in ("runs", "trajectories"):
        shutil.copy(source / sub / f"part-{from_key}.parquet", folder / sub / f"part-{to_key}.parquet")
    manifest = _records(folder)
    manifest["chunks"][to_key] = _records(source)["chunks"][from_key]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))


@pytest.mark.parametrize(
    ("source", "from_key", "expected"),
    [
        ("other", "00001", "seeds other than the plan's"),  # same runs, another batch's seeds
        ("other", "00002", "holds run ids 8..11, the plan gives it 4..7"),  # another chunk
        ("good", "00000", "holds run ids 0..3, the plan gives it 4..7"),  # a record duplicated
    ],
)
def test_a_chunk_copied_in_with_its_record_is_not_trusted(
    made, batch: Path, source: str, from_key: str, expected: str
) -> None:
    """The bytes match the (copied) record; the run ids or seeds do not match the plan."""
    _with_record(made, batch, made[source], from_key, "00001")
    with pytest.raises(BatchIntegrityError) as caught:
        load_batch(batch)
    line, other = caught.value.problems
    assert line.startswith(f"{batch / 'runs' / 'part-00001.parquet'}: chunk 1 of {batch}")
    assert expected in line
    assert other.startswith(f"{batch / 'trajectories' / 'part-00001.parquet'}: its chunk's other file")
    for command in (["plot", str(batch)], ["export", str(batch), "--out", str(batch.parent / "x")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and result.stderr.strip().splitlines() == caught.value.problems
    resumed = _resume(made, batch)
    assert resumed.exit_code == 0, resumed.output
    assert _tables(batch) == _tables(made["good"])


def test_a_chunk_recorded_twice_is_an_error_naming_the_folder_and_chunk(made, batch: Path) -> None:
    text = (batch / "manifest.json").read_text()
    record = json.dumps(_records(batch)["chunks"]["00000"])
    (batch / "manifest.json").write_text(text.replace('"chunks": {', f'"chunks": {{"00001": {record}, ', 1))
    with pytest.raises(BatchError, match=r"manifest.json: chunk 00001 is recorded twice") as caught:
        load_batch(batch)
    assert str(batch) in str(caught.value)
    for command in (["plot", str(batch)], ["export", str(batch), "--out", str(batch.parent / "x")]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2 and "recorded twice" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    resumed = _resume(made, batch)
    assert resumed.exit_code == 2 and "recorded twice" in resumed.stderr


def test_a_record_under_a_key_that_is_not_a_chunks_is_not_counted(made, batch: Path) -> None:
    manifest = _records(batch)
    manifest["chunks"]["1"] = manifest["chunks"]["00001"]
    (batch / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    with pytest.raises(BatchIntegrityError, match="record '1' is not a chunk's key"):
        load_batch(batch)
