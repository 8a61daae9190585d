"""``make shell``: a shell in which ``crisis-sim`` is the project's, without typing .venv/bin/."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import PROJECT


def test_make_shell_puts_crisis_sim_on_path() -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    env = {**os.environ, "SHELL": "/bin/sh", "PATH": "/usr/bin:/bin"}
    env.pop("VIRTUAL_ENV", None)
    planned = subprocess.run(["make", "-n", "--no-print-directory", "shell"], cwd=PROJECT, env=env,
                             capture_output=True, text=True, timeout=60, check=False).stdout
    if "pip" in planned:  # the test installs nothing: that is make run's work
        pytest.skip("the .venv is missing or out of date here (make run builds it)")
    done = subprocess.run(["make", "--no-print-directory", "shell"], cwd=PROJECT, env=env,
                          input='command -v crisis-sim\necho "$VIRTUAL_ENV"\n', capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    found, venv = done.stdout.split()
    assert Path(found) == PROJECT / ".venv" / "bin" / "crisis-sim"
    assert Path(venv) == PROJECT / ".venv"
    assert "crisis-sim is on PATH in this shell" in done.stderr
