"""The research scripts follow the commands' rule for what they write: an existing target is
refused without ``--force``, and ``--force`` replaces only what the script itself writes."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import load_script


def test_calibration_doc_into_refuses_a_folder_it_did_not_write_even_with_force(tmp_path: Path,
                                                                                   capsys) -> None:
    script = load_script("write_calibration_doc")
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "calibration.md").write_text("my own notes\n")
    (mine / "todo.txt").write_text("keep\n")
    for force in ([], ["--force"]):
        assert script.main(["--from", str(tmp_path / "none"), "--into", str(mine), *force]) == 2
        assert "holds files this script did not write" in capsys.readouterr().err
    assert (mine / "calibration.md").read_text() == "my own notes\n"
    assert sorted(p.name for p in mine.iterdir()) == ["calibration.md", "todo.txt"]


def test_calibration_doc_into_updates_its_own_folder_only_with_force(tmp_path: Path, capsys) -> None:
    script = load_script("write_calibration_doc")
    into = tmp_path / "check"
    into.mkdir()
    (into / script.DOC.name).write_text("a page written before\n")
    assert script.main(["--from", str(tmp_path / "none"), "--into", str(into)]) == 2
    assert "already exists; use --force to update it" in capsys.readouterr().err
    assert (into / script.DOC.name).read_text() == "a page written before\n"
    assert script.into_problem(into, force=True) is None
    assert script.into_problem(tmp_path / "new", force=False) is None
    (tmp_path / "file").write_text("x")
    assert "not a folder" in script.into_problem(tmp_path / "file", force=True)


def test_output_fingerprint_force_replaces_a_fingerprint_only(tmp_path: Path, capsys) -> None:
    script = load_script("output_fingerprint")
    other = tmp_path / "notes.json"
    other.write_text(json.dumps({"mine": 1}))
    assert script.main(["--write", str(other), "--force"]) == 2
    assert "not a saved fingerprint; not replacing it" in capsys.readouterr().err
    assert json.loads(other.read_text()) == {"mine": 1}
    assert script.main(["--check", "/dev/zero"]) == 2  # a device is refused, never read
    assert "not a saved fingerprint" in capsys.readouterr().err
    saved = Path(__file__).parent / "data" / "output_fingerprint.json"
    assert script._saved(saved)  # what --write makes is what --force may replace


def test_mechanism_effects_json_refuses_a_dangling_link(tmp_path: Path) -> None:
    import pytest

    from crisis_sim.batch.folder import BatchError

    script = load_script("mechanism_effects")
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(BatchError, match="already exists"):
        script.main(["--json", str(link), "--points", "2", "--runs", "2"])
    assert not (tmp_path / "elsewhere.json").exists()
