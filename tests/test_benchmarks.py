"""The benchmark scripts still run against the code as it is (they are not run by the suite
otherwise, and a moved function would break them silently)."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def on_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))


@pytest.mark.parametrize("name", sorted(p.stem for p in BENCHMARKS.glob("*.py")))
def test_every_benchmark_script_imports(name, on_path):
    importlib.import_module(name)


def test_mesa_batch_run_runs_the_model_and_keeps_every_round():
    """bench_batch_vs_mesa's adapter: mesa.batch_run over the model's own collector gives a row
    per round and government for every run."""
    command = [sys.executable, str(BENCHMARKS / "bench_batch_vs_mesa.py"), "--mesa-child", "3", "1"]
    out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=BENCHMARKS)
    report = json.loads(out.stdout)
    assert report["runs"] == 3
    assert report["rows"] >= 3 * 2 * 2  # at least two rounds of two governments a run


def test_work_counts_count_the_work_of_a_run(on_path):
    track = importlib.import_module("track")
    counts = track.work_counts(seeds=range(3))
    assert counts["turns"] >= 2 and counts["decisions"] >= counts["turns"]  # two governments a turn
    assert counts["evaluations"] > 0 and counts["objects"] > counts["decisions"]
