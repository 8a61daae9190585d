"""Run folders: complete, atomic, byte-stable, never clobbered without force."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import fake_result
from crisis_sim.runs.run_folder import DATA_FILES, RunFolderError, RunFolderExistsError, read_run, write_run
from crisis_sim.runs.safe_folders import MARKER

COMMAND = ["crisis-sim", "run", "small_crisis", "--seed", "3"]


def _write(out: Path, *, seed: int = 3, plots: bool = False, force: bool = False) -> Path:
    return write_run(fake_result(seed), out, command=COMMAND, plots=plots, force=force)


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith((".tmp-", ".old-")))


def test_writes_every_file_and_a_manifest(tmp_path: Path) -> None:
    out = _write(tmp_path / "run", plots=True)
    names = {p.name for p in out.iterdir()}
    assert set(DATA_FILES) | {"escalation.png", "costs_approval.png", MARKER} == names
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"] == "small_crisis"
    assert len(manifest["scenario_sha256"]) == 64
    assert manifest["seed"] == 3
    assert manifest["command"] == COMMAND
    assert manifest["rounds_run"] == 8 and manifest["stopped_early"] is True
    assert set(manifest["versions"]) == {
        "crisis-sim",
        "mesa",
        "numpy",
        "pandas",
        "matplotlib",
        "pydantic",
        "python",
    }
    assert manifest["started_utc"].endswith("Z") and manifest["finished_utc"].endswith("Z")
    assert manifest["wall_seconds"] >= 0
    assert (out / "escalation.png").read_bytes().startswith(b"\x89PNG")
    assert _leftovers(tmp_path) == []


def test_events_are_one_json_object_per_line(tmp_path: Path) -> None:
    out = _write(tmp_path / "run")
    lines = (out / "events.jsonl").read_text().splitlines()
    assert len(lines) == 3
    assert [json.loads(line)["round"] for line in lines] == [1, 2, 5]


def test_same_result_gives_byte_identical_data_files(tmp_path: Path) -> None:
    a, b = _write(tmp_path / "a"), _write(tmp_path / "b")
    for name in ("scenario.yaml", "trajectory.csv", "actors.csv", "events.jsonl", "outcome.json"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    c = _write(tmp_path / "c", seed=4)
    assert (a / "trajectory.csv").read_bytes() != (c / "trajectory.csv").read_bytes()


def test_read_run_gives_back_the_pieces(tmp_path: Path) -> None:
    result = fake_result(3)
    out = write_run(result, tmp_path / "run", command=COMMAND, plots=False, force=False)
    run = read_run(out)
    assert run.outcome == json.loads(json.dumps(result.outcome))
    assert run.events == result.events
    assert run.scenario == result.scenario
    assert run.seed == 3 and run.rounds_run == 8 and run.stopped_early
    assert list(run.model_frame.columns) == list(result.model_frame.columns)
    assert len(run.actor_frame) == len(result.actor_frame)


def test_read_run_names_what_is_missing(tmp_path: Path) -> None:
    out = _write(tmp_path / "run")
    (out / "events.jsonl").unlink()
    with pytest.raises(RunFolderError, match=r"missing or not a regular file: events\.jsonl"):
        read_run(out)
    with pytest.raises(RunFolderError, match="no such run folder"):
        read_run(tmp_path / "nothing")


def test_existing_folder_is_refused_without_force(tmp_path: Path) -> None:
    out = _write(tmp_path / "run", seed=3)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RunFolderExistsError, match="already exists; use --force"):
        _write(out, seed=4)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert _leftovers(tmp_path) == []


def test_force_replaces_a_run_folder(tmp_path: Path) -> None:
    out = _write(tmp_path / "run", seed=3)
    (out / "stale.txt").write_text("from an older run")
    _write(out, seed=4, force=True)
    assert json.loads((out / "manifest.json").read_text())["seed"] == 4
    assert not (out / "stale.txt").exists()
    assert _leftovers(tmp_path) == []


def test_force_fills_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "run").mkdir()
    _write(tmp_path / "run", force=True)
    assert (tmp_path / "run" / "outcome.json").is_file()


def test_force_never_deletes_an_unrelated_folder_or_file(tmp_path: Path) -> None:
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("...")
    with pytest.raises(RunFolderError, match="not a run folder"):
        _write(precious, force=True)
    assert (precious / "chapter1.tex").read_text() == "..."
    a_file = tmp_path / "notes.txt"
    a_file.write_text("keep")
    with pytest.raises(RunFolderError, match="not a folder"):
        _write(a_file, force=True)
    assert a_file.read_text() == "keep"


def test_parent_folders_are_created(tmp_path: Path) -> None:
    out = _write(tmp_path / "deep" / "er" / "run")
    assert (out / "manifest.json").is_file()


def test_a_failure_while_writing_leaves_nothing(tmp_path: Path) -> None:
    result = fake_result(3)
    result.events.append(result.events[0]._replace(reason=object()))  # not JSON-serializable
    with pytest.raises(TypeError):
        write_run(result, tmp_path / "run", command=COMMAND, plots=False, force=False)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_with_force_keeps_the_old_run(tmp_path: Path) -> None:
    out = _write(tmp_path / "run", seed=3)
    result = fake_result(4)
    result.events.append(result.events[0]._replace(reason=object()))
    with pytest.raises(TypeError):
        write_run(result, out, command=COMMAND, plots=False, force=True)
    assert json.loads((out / "manifest.json").read_text())["seed"] == 3
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("name", ["us_colombia_2025", "chicken_audience_costs"])
def test_one_round_convention_joins_events_trajectory_and_actors(tmp_path: Path, name: str) -> None:
    """docs/batch-format.md, "Rounds and hours": round k opens at (k - 1) x round_hours and its
    moves are made within it (at its opening, or at a later turn of a round longer than three
    hours: events, the narration's hours, decided_at_hours), and its trajectory and actors rows
    are the state at its close, k x round_hours. Joined by round, an event's hour lies within its
    row's round; the narration tells the opening move at the event's hour."""
    import pandas as pd

    from crisis_sim.present.narrate import narrate
    from crisis_sim.runs import run_scenario
    from crisis_sim.scenario import load_scenario

    scenario = load_scenario(name)
    result = run_scenario(scenario, 3)
    folder = write_run(result, tmp_path / "run", command=["crisis-sim", "run", name], plots=False)
    events = pd.read_json(folder / "events.jsonl", lines=True)
    trajectory = pd.read_csv(folder / "trajectory.csv")
    actors = pd.read_csv(folder / "actors.csv")
    joined = events.merge(trajectory[["round", "hours"]], on="round", suffixes=("_event", "_row"),
                          validate="many_to_one")
    assert len(joined) == len(events) > 0
    assert (joined["hours_event"] >= joined["hours_row"] - scenario.round_hours).all()
    assert (joined["hours_event"] < joined["hours_row"]).all()
    assert set(actors["round"]) == set(trajectory["round"])
    assert (actors.merge(trajectory[["round", "hours"]], on="round")
            .pipe(lambda f: (f["hours_x"] == f["hours_y"]).all()))
    decided = result.outcome["decided_round"]
    if decided is not None:
        assert (decided - 1) * scenario.round_hours <= result.outcome["decided_at_hours"] < (
            decided * scenario.round_hours)
    story = narrate(result, color=False)
    moves = events[(events["kind"] == "decision") & (events["actions"].map(lambda a: a != ["wait"]))]
    first = pd.Timestamp(moves["clock"].iloc[0])  # the narration tells the opening move at its hour
    assert first.strftime("%H:%M") in story, first


def test_the_runs_table_and_its_page_come_from_one_declared_record():
    """docs/batch-format.md lists the record's columns as core.run_record declares them, in order;
    a batch row has exactly the declared columns; the lean outcome record holds every field."""
    from crisis_sim.core.outcomes import outcome_record
    from crisis_sim.core.run_record import RUN_FIELDS, doc_rows, run_columns, run_row
    from crisis_sim.runs.single_run import run_model
    from crisis_sim.scenario import load_scenario

    path = Path(__file__).resolve().parents[1] / "docs" / "batch-format.md"
    page = path.read_text(encoding="utf-8").splitlines()
    rows = doc_rows()
    start = page.index(rows[0])
    assert page[start:start + len(rows)] == rows
    model = run_model(load_scenario("deportations_2025_region"), 3)  # a lesson: it draws nothing
    record = outcome_record(model, lean=True, draws={"colombia": 0.5})
    assert set(record) == {f.name for f in RUN_FIELDS} - {"posterior_draw"} | {"later_issues"}
    actors, measures = sorted(model.governments), sorted(model.measures)
    row = run_row(record, actors, measures)
    assert list(row) == [name for name, _ in run_columns(actors, measures, partial=True)]
    case = run_model(load_scenario(path.parents[1] / "cases" / "us_mexico_migration_2019.yaml"), 3)
    drawn = outcome_record(case, lean=True)
    assert drawn["posterior_draw"] == case.posterior_draw is not None
    assert row["resolve_colombia"] == 0.5 and row["resolve_venezuela"] is None
