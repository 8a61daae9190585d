"""The wheel works on its own: built from the project, installed where the source tree is out of sight.

How, and why this is honest:

1. The files a wheel is built from (``pyproject.toml``, ``README.md``,
   ``src/``, ``scenarios/``, ``cases/``) are copied (a link would be copied as
   the file it points to: a wheel holds no links) to a temporary folder and built there
   with ``pip wheel --no-deps`` (with build isolation: setuptools and wheel
   come from the package index pip is configured with), so the build leaves
   nothing in the project.
2. A fresh virtual environment (``python -m venv --without-pip``, no system
   site-packages) gets the wheel with ``pip --python VENV install --no-deps
   --no-index``: the package, its metadata and entry points (the built-in
   policies) and the ``crisis-sim`` console script all come from the wheel.
3. The dependencies (mesa, pandas, ...) are not installed again, which would
   need the network and minutes: a ``.pth`` file in the fresh environment
   puts the test environment's site-packages folder on ``sys.path``, after
   the fresh one. A path named in a ``.pth`` file is not itself a site
   folder, so *its* ``.pth`` files are not read — in particular not the one
   that installs the editable finder pointing at this source tree. Its stale
   ``crisis_sim-*.dist-info`` stays visible, but comes after the wheel's on
   ``sys.path``, so :mod:`importlib.metadata` (which keeps the first
   distribution of a name) reads the wheel's.
4. Every command runs from a temporary working folder with ``PYTHONPATH``
   removed, and the test checks that ``crisis_sim.__file__`` and the
   ``crisis-sim`` distribution are the fresh environment's.

Slow (about half a minute): deselect with ``-m "not slow"``; ``make test`` runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import PROJECT

pytestmark = pytest.mark.slow

BUILD_INPUTS = ("pyproject.toml", "README.md", "src", "scenarios", "cases")


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtual environment with the crisis-sim wheel installed (its path)."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    for name in BUILD_INPUTS:
        item = PROJECT / name
        if item.is_dir():
            shutil.copytree(item, source / name, ignore=ignore)
        else:
            shutil.copy2(item, source / name)
    dist = tmp / "dist"
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)],
             cwd=tmp))
    (wheel,) = dist.glob("crisis_sim-*.whl")

    venv = tmp / "venv"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp))
    python = venv / "bin" / "python"
    _ok(_run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
              "--no-index", str(wheel)], cwd=tmp))
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    fresh_site = Path(_ok(_run([str(python), "-c", where], cwd=tmp)).strip())
    deps = dict.fromkeys([*site.getsitepackages(), sysconfig.get_paths()["purelib"]])
    (fresh_site / "_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in deps if Path(path).is_dir()), encoding="utf-8"
    )
    return venv


def test_the_wheel_carries_the_bundled_scenarios_and_the_policies(installed, tmp_path) -> None:
    code = (
        "import json, sys, importlib.metadata as md, crisis_sim\n"
        "from crisis_sim.core.policy import policy_names\n"
        "dist = md.distribution('crisis-sim')\n"
        "print(json.dumps({'file': crisis_sim.__file__,"
        " 'dist': str(dist.locate_file('')),"
        " 'policies': policy_names(),"
        " 'finders': [type(f).__module__ for f in sys.meta_path]}))\n"
    )
    seen = json.loads(_ok(_run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path)))
    print("crisis_sim imported from", seen["file"])
    assert Path(seen["file"]).resolve().is_relative_to(installed.resolve())
    assert Path(seen["dist"]).resolve().is_relative_to(installed.resolve())
    assert not any("editable" in module for module in seen["finders"])
    assert len(seen["policies"]) == 10

    listing = _ok(_run([str(installed / "bin" / "crisis-sim"), "list"], cwd=tmp_path))
    expected = sorted(path.stem for path in (PROJECT / "scenarios").glob("*.yaml"))
    assert len(expected) == 5
    lines = listing.splitlines()
    end = lines.index("")
    assert sorted(line.split()[0] for line in lines[1:end]) == expected


def test_the_installed_command_runs_and_batches(installed, tmp_path) -> None:
    command = str(installed / "bin" / "crisis-sim")
    run_dir, batch_dir = tmp_path / "run", tmp_path / "batch"
    _ok(_run([command, "run", "us_colombia_2025", "--no-plots", "--out", str(run_dir)], cwd=tmp_path))
    assert (run_dir / "outcome.json").is_file()
    _ok(_run([command, "batch", "--runs", "20", "--workers", "1", "--out", str(batch_dir)], cwd=tmp_path))
    assert (batch_dir / "manifest.json").is_file()
    assert not (tmp_path / "runs").exists()


def test_the_wheel_carries_the_cases_for_the_backtest(installed, tmp_path) -> None:
    """``crisis-sim backtest`` with no folder reads the installed cases: every one loads, history and all.

    Running the back-test itself (17 batches) is left to ``make test``'s other tests; here the
    default folder is read as the command reads it, from a folder with no cases/ in sight.
    """
    code = (
        "import json\n"
        "from crisis_sim.experiments.backtest.run import cases_folder, load_cases\n"
        "folder = cases_folder(None)\n"
        "cases = load_cases(folder)\n"
        "print(json.dumps({'folder': str(folder), 'cases': [s.name for _, s in cases],"
        " 'history': [s.history is not None for _, s in cases],"
        " 'links': [p.is_symlink() for p, _ in cases]}))\n"
    )
    seen = json.loads(_ok(_run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path)))
    assert Path(seen["folder"]).resolve().is_relative_to(installed.resolve())
    expected = sorted(path.stem for path in (PROJECT / "cases").glob("*.yaml"))
    assert len(expected) >= 11
    assert seen["cases"] == expected
    assert all(seen["history"]) and not any(seen["links"])
    assert "us_colombia_2025" in seen["cases"]  # the founding case
    helped = _ok(_run([str(installed / "bin" / "crisis-sim"), "backtest", "--help"], cwd=tmp_path))
    assert "installed cases" in helped


def test_the_wheel_holds_each_case_file_as_it_is(installed) -> None:
    """The wheel's crisis_sim/cases/ holds every case file of cases/, byte for byte, and nothing else."""
    (wheel,) = (installed.parent / "dist").glob("crisis_sim-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        held = {name.removeprefix("crisis_sim/cases/"): archive.read(name) for name in archive.namelist()
                if name.startswith("crisis_sim/cases/")}
    expected = {path.name: path.read_bytes() for path in (PROJECT / "cases").iterdir()
                if path.suffix in (".yaml", ".py")}
    assert sorted(held) == sorted(expected)
    assert held == expected


def test_the_installed_backtest_finds_its_cases_with_no_folder(installed, tmp_path) -> None:
    """``crisis-sim backtest --estimate`` (a pilot of one run a case), from a folder with no cases/ in it."""
    done = _run([str(installed / "bin" / "crisis-sim"), "backtest", "--estimate", "--runs", "10",
                 "--workers", "1"], cwd=tmp_path)
    _ok(done)
    count = len(list((PROJECT / "cases").glob("*.yaml")))
    said = done.stderr.splitlines()  # the estimate is said on stderr, like every progress line
    assert said[0] == f"back-test: {count} cases x 10 runs = {count * 10} runs", done.stderr
    assert said[1].startswith("pilot: one run of each case; runs like the pilot's -> about"), done.stderr
    assert list(tmp_path.iterdir()) == []  # an estimate writes nothing
