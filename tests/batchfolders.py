"""Batch folders built by hand in the documented format (docs/batch-format.md).

Tests of ``compare`` and ``plot`` need batches whose outcome counts and
figures are known exactly, so these are written directly from the format,
not produced by running the model.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from crisis_sim.batch.seeds import run_seeds

ACTORS = ("sender", "receiver")
NAMES = {"sender": "Sender", "receiver": "Receiver"}
ROUND_HOURS = 6.0


def scenario_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def run_rows(
    outcomes: Sequence[str],
    *,
    start_id: int = 0,
    point_id: int = 0,
    values: dict[str, Any] | None = None,
    cost_base: float = 1.0,
    hours_base: float = 10.0,
) -> pd.DataFrame:
    """One runs-table row per outcome, with figures that follow the run's position.

    Run ``i`` (counting from 0 in this list): decided at ``hours_base + i``
    hours unless its outcome is ``standoff`` (undecided); costs
    ``cost_base * (i + 1)`` (sender) and half that (receiver); approval
    ``0.5 - 0.001 * i`` (sender) and ``0.4 + 0.002 * i`` (receiver).
    """
    n = len(outcomes)
    index = np.arange(n)
    decided = np.array([o != "standoff" for o in outcomes])
    frame = pd.DataFrame(
        {
            "run_id": np.arange(start_id, start_id + n, dtype=np.int64),
            "point_id": np.full(n, point_id, dtype=np.int64),
            "replicate": index.astype(np.int64),
        }
    )
    for path, value in (values or {}).items():
        frame[path] = [value] * n
    frame["seed"] = run_seeds(0, start_id + n, start_id).astype(np.int64)  # the manifest's seed is 0
    frame["outcome"] = pd.Series(list(outcomes), dtype="string")
    frame["variant"] = pd.Series([None] * n, dtype="string")
    frame["decided_round"] = pd.array(
        [int((hours_base + i) // ROUND_HOURS) if d else None for i, d in enumerate(decided)],
        dtype="Int64",
    )
    frame["decided_at_hours"] = np.where(decided, hours_base + index, np.nan)
    frame["rounds_run"] = np.full(n, 8, dtype=np.int64)
    frame["stopped_early"] = np.ones(n, dtype=bool)
    frame["cost_sender"] = cost_base * (index + 1.0)
    frame["cost_receiver"] = cost_base * (index + 1.0) / 2.0
    frame["approval_sender"] = 0.5 - 0.001 * index
    frame["approval_receiver"] = 0.4 + 0.002 * index
    frame["furthest_tariff"] = pd.Series(["threatened"] * n, dtype="string")
    frame["deportees_returned"] = np.full(n, 100, dtype=np.int64)
    frame["first_flight_hours"] = np.where(decided, hours_base + index + 12.0, np.nan)
    return frame


def trajectory_rows(runs: pd.DataFrame, *, last_round: int = 8, escalation_step: float = 1.0) -> pd.DataFrame:
    """Per run and round: run ``k`` (its position) stops after round ``2 + k % (last_round - 1)``.

    Escalation climbs by ``escalation_step`` a round up to 4; costs grow by
    the run's final cost / ``last_round`` a round; approval stays at its final value.
    """
    rows = []
    for k, run in enumerate(runs.itertuples(index=False)):
        stop = 2 + k % (last_round - 1)
        for r in range(stop + 1):
            rows.append(
                {
                    "run_id": run.run_id,
                    "round": r,
                    "hours": r * ROUND_HOURS,
                    "escalation": min(4.0, r * escalation_step),
                    "measures_in_force": 0,
                    "rate_tariff": 0.0,
                    "cost_sender": run.cost_sender * r / last_round,
                    "cost_receiver": run.cost_receiver * r / last_round,
                    "approval_sender": run.approval_sender,
                    "approval_receiver": run.approval_receiver,
                    "deportees_returned": 0,
                    "deportees_pending": 100,
                    "relations": 1.0,
                }
            )
    frame = pd.DataFrame(rows)
    frame["run_id"] = frame["run_id"].astype(np.int64)
    frame["round"] = frame["round"].astype(np.int64)
    return frame


def write_batch(
    folder: Path,
    points: Sequence[Sequence[str]],
    *,
    sweep: Sequence[dict[str, Any]] = (),
    scenario: str = "small_crisis v1",
    name: str = "small_crisis",
    cost_base: float = 1.0,
    escalation_step: float = 1.0,
    chunk_size: int = 16,
) -> Path:
    """A complete batch folder: one list of outcomes per sweep point (grid order).

    ``sweep`` is the manifest's list of ``{"path", "values"}``; the number of
    points must equal the product of the value counts (1 with no sweep).
    Every point must have the same number of runs.
    """
    grid = list(itertools.product(*(s["values"] for s in sweep)))
    assert len(grid) == len(points), "one outcome list per sweep point"
    runs_per_point = len(points[0])
    assert all(len(p) == runs_per_point for p in points)
    manifest_points, frames = [], []
    for point_id, (combo, outcomes) in enumerate(zip(grid, points, strict=True)):
        values = {s["path"]: v for s, v in zip(sweep, combo, strict=True)}
        label = ", ".join(f"{k}={v}" for k, v in values.items())
        manifest_points.append({"point_id": point_id, "values": values, "label": label})
        frames.append(
            run_rows(
                outcomes,
                start_id=point_id * runs_per_point,
                point_id=point_id,
                values=values,
                cost_base=cost_base,
            )
        )
    runs = pd.concat(frames, ignore_index=True)
    trajectories = trajectory_rows(runs, escalation_step=escalation_step)
    n_runs = len(runs)
    n_chunks = -(-n_runs // chunk_size)
    manifest = {
        "format": "crisis-sim-batch/2",
        "scenario_name": name,
        "scenario_hash": scenario_hash(scenario),
        "scenario": {"name": name, "actors": {a: {"name": NAMES[a]} for a in ACTORS}},
        "seed": 0,
        "runs": runs_per_point,
        "sweep": [dict(s) for s in sweep],
        "points": manifest_points,
        "n_runs": n_runs,
        "chunk_size": chunk_size,
        "n_chunks": n_chunks,
        "versions": {},
        "command": ["crisis-sim", "batch"],
        "engine": "test",
        "workers": 1,
        "created_at": "2025-01-01T00:00:00Z",
        "finished_at": "2025-01-01T00:00:01Z",
    }
    (folder / "runs").mkdir(parents=True)
    (folder / "trajectories").mkdir()
    chunks: dict[str, dict[str, Any]] = {}
    for k in range(n_chunks):
        ids = range(k * chunk_size, (k + 1) * chunk_size)
        for table, frame in (("runs", runs), ("trajectories", trajectories)):
            path = folder / table / f"part-{k:05d}.parquet"
            frame[frame["run_id"].isin(ids)].to_parquet(path, index=False)
            data = path.read_bytes()
            chunks.setdefault(f"{k:05d}", {})[table] = {
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
    manifest["columns"] = {
        "runs": [[c, str(t)] for c, t in runs.dtypes.items()],
        "trajectories": [[c, str(t)] for c, t in trajectories.dtypes.items()],
    }
    manifest["chunks"] = chunks
    manifest["plan_hash"] = plan_hash(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


PLAN_KEYS = (
    "format", "scenario_hash", "scenario", "runs", "seed", "sweep", "points",
    "n_points", "n_runs", "chunk_size", "n_chunks", "columns",
)


def plan_hash(manifest: dict[str, Any]) -> str:
    """``plan_hash`` as docs/batch-format.md defines it: SHA-256 of the plan keys' canonical JSON."""
    plan = {key: manifest.get(key) for key in PLAN_KEYS}
    text = json.dumps(plan, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
