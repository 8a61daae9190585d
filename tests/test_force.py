"""``--force`` replaces only what this program made, of the same kind (issue 14, item 2).

Run, batch and comparison folders carry the marker ``.crisis-sim`` naming
their kind (``crisis_sim.runs.safe_folders``). ``--force`` refuses, with exit 2,
one line and nothing touched: a folder without the marker (even one with a
``manifest.json`` or ``comparison.json``), a folder of another kind, and the
current folder or one above it. An empty folder stays replaceable.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import run_script
from crisis_sim.cli import app
from crisis_sim.runs.safe_folders import MARKER

runner = CliRunner()


def invoke(*args: str | Path):
    return runner.invoke(app, [str(a) for a in args])


def refused(result, *needles: str) -> str:
    """Exit 2, one line on stderr holding every needle, no traceback; the line."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def unrelated(folder: Path, manifest: str = "manifest.json") -> Path:
    """The issue's trap: someone's folder that happens to hold a ``manifest.json``."""
    folder.mkdir()
    (folder / "precious.txt").write_text("keep\n")
    (folder / manifest).write_text("{}\n")
    return folder


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory, small_file: Path) -> dict[str, Path]:
    """One run folder and one batch folder written by the command line."""
    root = tmp_path_factory.mktemp("made")
    run = invoke("run", small_file, "--no-plots", "--out", root / "run")
    assert run.exit_code == 0, run.output
    batch = invoke("batch", small_file, "--runs", "2", "--workers", "1", "--out", root / "batch")
    assert batch.exit_code == 0, batch.output
    return {"run": root / "run", "batch": root / "batch", "scenario": small_file}


def test_each_folder_carries_its_kind(made: dict[str, Path]) -> None:
    assert json.loads((made["run"] / MARKER).read_text()) == {"kind": "run", "version": 1}
    assert json.loads((made["batch"] / MARKER).read_text()) == {"kind": "batch", "version": 1}


@pytest.mark.parametrize("command", ["run", "batch"])
def test_force_keeps_a_folder_without_the_marker(command: str, made, tmp_path: Path) -> None:
    folder = unrelated(tmp_path / "d")
    before = snapshot(folder)
    extra = ["--runs", "2", "--workers", "1"] if command == "batch" else ["--no-plots"]
    result = invoke(command, made["scenario"], *extra, "--out", folder, "--force")
    refused(result, str(folder), f"not a {command} folder", MARKER, "not replacing it")
    assert snapshot(folder) == before


def test_compare_force_keeps_a_folder_without_the_marker(made, tmp_path: Path) -> None:
    folder = unrelated(tmp_path / "c", manifest="comparison.json")
    before = snapshot(folder)
    result = invoke("compare", made["batch"], made["batch"], "--out", folder, "--force", "--no-plots")
    refused(result, str(folder), "not a comparison folder", MARKER)
    assert snapshot(folder) == before


def test_force_refuses_a_folder_of_another_kind(made) -> None:
    run_before, batch_before = snapshot(made["run"]), snapshot(made["batch"])
    refused(invoke("run", made["scenario"], "--no-plots", "--out", made["batch"], "--force"),
            "is a batch folder, not a run folder")
    refused(invoke("batch", made["scenario"], "-n", "2", "-w", "1", "--out", made["run"], "--force"),
            "is a run folder, not a batch folder")
    refused(invoke("compare", made["batch"], made["batch"], "--out", made["run"], "--force"),
            "is a run folder, not a comparison folder")
    assert snapshot(made["run"]) == run_before
    assert snapshot(made["batch"]) == batch_before


def test_a_marker_naming_another_kind_or_nothing_is_refused(made, tmp_path: Path) -> None:
    folder = tmp_path / "forged"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep\n")
    (folder / MARKER).write_text('{"kind": "anything"}')
    refused(invoke("run", made["scenario"], "--no-plots", "--out", folder, "--force"), "not a run folder")
    assert (folder / "precious.txt").read_text() == "keep\n"


@pytest.mark.parametrize("out", [".", "sub/..", "sub/../.."])
def test_force_never_replaces_the_current_folder_or_a_parent(out: str, made, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    (here / "sub").mkdir(parents=True)
    (here / "keep.txt").write_text("keep\n")
    monkeypatch.chdir(here)
    for command, extra in (("run", ["--no-plots"]), ("batch", ["-n", "2", "-w", "1"])):
        result = invoke(command, made["scenario"], *extra, "--out", out, "--force")
        refused(result, "is the current folder or one above it")
    assert (here / "keep.txt").read_text() == "keep\n"
    assert sorted(p.name for p in here.iterdir()) == ["keep.txt", "sub"]


def test_force_replaces_its_own_kind_and_an_empty_folder(made, tmp_path: Path) -> None:
    again = invoke("run", made["scenario"], "--no-plots", "--seed", "3", "--out", made["run"], "--force")
    assert again.exit_code == 0, again.output
    assert json.loads((made["run"] / "manifest.json").read_text())["seed"] == 3
    empty = tmp_path / "empty"
    empty.mkdir()
    filled = invoke("batch", made["scenario"], "-n", "2", "-w", "1", "--out", empty, "--force")
    assert filled.exit_code == 0, filled.output
    assert json.loads((empty / MARKER).read_text())["kind"] == "batch"
    replaced = invoke("batch", made["scenario"], "-n", "2", "-w", "1", "--seed", "4",
                      "--out", empty, "--force")
    assert replaced.exit_code == 0, replaced.output
    assert json.loads((empty / "manifest.json").read_text())["seed"] == 4


def test_export_refuses_what_exists_unless_forced_and_replaces_only_an_export(
    made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "csv"
    first = invoke("export", made["batch"], "--out", out)
    assert first.exit_code == 0, first.output
    assert json.loads((out / MARKER).read_text())["kind"] == "export"
    before = snapshot(out)
    refused(invoke("export", made["batch"], "--out", out), "already exists; use --force")
    again = invoke("export", made["batch"], "--out", out, "--force", "--long")
    assert again.exit_code == 0, again.output
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "runs.csv", "trajectories_long.csv"]
    assert snapshot(out)["runs.csv"] == before["runs.csv"]

    a_file = tmp_path / "table.csv"
    a_file.write_text("keep\n")
    refused(invoke("export", made["batch"], "--out", a_file), "already exists")
    refused(invoke("export", made["batch"], "--out", a_file, "--force"), "not a folder")
    assert a_file.read_text() == "keep\n"
    theirs = unrelated(tmp_path / "theirs")
    refused(invoke("export", made["batch"], "--out", theirs, "--force"), "not an export folder")
    refused(invoke("export", made["batch"], "--out", made["run"], "--force"), "is a run folder")
    assert (theirs / "precious.txt").read_text() == "keep\n"

    here = tmp_path / "here"
    here.mkdir()
    (here / "keep.txt").write_text("keep\n")
    monkeypatch.chdir(here)
    refused(invoke("export", made["batch"], "--out", "."), "already exists")
    refused(invoke("export", made["batch"], "--out", ".", "--force"), "current folder")
    assert sorted(p.name for p in here.iterdir()) == ["keep.txt"]


@pytest.mark.parametrize("command", ["run", "batch", "export", "compare", "new"])
def test_no_output_inside_another_folder_of_this_program(command: str, made, tmp_path: Path) -> None:
    """An --out inside a batch folder's tree (or a run's) is refused, with or without --force."""
    args = {
        "run": ["run", made["scenario"], "--no-plots"],
        "batch": ["batch", made["scenario"], "-n", "2", "-w", "1"],
        "export": ["export", made["batch"]],
        "compare": ["compare", made["batch"], made["batch"], "--no-plots"],
        "new": ["new", "copy", "--from", made["scenario"]],
    }[command]
    before = {name: snapshot(made[name]) for name in ("batch", "run")}
    for inside in (made["batch"] / "runs" / "mine", made["run"] / "deep" / "er", made["batch"] / "new"):
        for force in ([], ["--force"]) if command != "new" else ([],):
            line = refused(invoke(*args, "--out", inside, *force), "choose a folder outside it")
            assert "batch folder" in line or "run folder" in line or "inside the batch folder" in line
    assert before == {name: snapshot(made[name]) for name in ("batch", "run")}


def test_a_research_script_refuses_an_existing_out_without_force(made, tmp_path: Path, monkeypatch,
                                                                capfd) -> None:
    """The first refusal in a process of its own, the other two in this one (conftest.run_script)."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "scripts" / "perturb_assumptions.py"
    theirs = unrelated(tmp_path / "theirs")
    for k, (out, extra, needle) in enumerate([(made["batch"], [], "--resume to finish it or --force"),
                                              (theirs, ["--force"], "not a batch folder"),
                                              (made["batch"] / "inner", [], "inside the batch folder")]):
        code, _, stderr = run_script(script, ["--samples", "2", "--out", str(out), *extra], tmp_path,
                                     k == 0, monkeypatch, capfd, timeout=300)
        assert code == 2, stderr
        assert len(stderr.splitlines()) == 1 and needle in stderr, stderr
    assert (theirs / "precious.txt").read_text() == "keep\n"
    fingerprint = Path(__file__).resolve().parents[1] / "scripts" / "output_fingerprint.py"
    saved = tmp_path / "saved.json"
    saved.write_text("{}\n")
    result = subprocess.run([sys.executable, str(fingerprint), "--write", str(saved)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "use --force" in result.stderr and saved.read_text() == "{}\n"
