"""A batch folder read back: its manifest and tables, after every chunk is checked against its
record (:mod:`crisis_sim.batch.integrity`)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.batch.folder import BatchError, read_manifest
from crisis_sim.batch.tables import RUNS_DIR, TRAJECTORIES_DIR, read_table, runs_columns

if TYPE_CHECKING:
    import pandas as pd



class BatchResult:
    """A batch folder read back: manifest, and its tables as DataFrames (read when first used).

    ``runs``: one row per run; ``trajectories``: one row per run and round;
    ``summary``: one row per sweep point (see ``docs/batch-format.md``). A
    batch that was interrupted reads as far as its finished chunks go
    (``complete`` is false). Only the chunks in ``chunks`` are read: those
    whose files match the manifest's records (:func:`load_batch` checks).
    """

    def __init__(self, path: Path, manifest: dict[str, Any], chunks: list[int] | None = None):
        self.path = Path(path)
        self.manifest = manifest
        self.chunks = sorted(int(k) for k in manifest.get("chunks") or {}) if chunks is None else list(chunks)

    def __repr__(self) -> str:
        return (
            f"BatchResult(path={str(self.path)!r}, scenario={self.manifest.get('scenario_name')!r}, "
            f"n_runs={self.manifest.get('n_runs')}, complete={self.complete})"
        )

    @property
    def complete(self) -> bool:
        return self.manifest.get("finished_at") is not None

    @property
    def is_campaign(self) -> bool:
        """Whether each run made the crises of a campaign (one row per run and crisis)."""
        return bool(self.manifest.get("campaign"))

    @cached_property
    def runs(self) -> pd.DataFrame:
        order = ["run_id", "crisis"] if self.is_campaign else ["run_id"]
        return read_table(self.path / RUNS_DIR, order, chunks=self.chunks)

    @cached_property
    def trajectories(self) -> pd.DataFrame:
        order = ["run_id", "crisis", "round"] if self.is_campaign else ["run_id", "round"]
        return read_table(self.path / TRAJECTORIES_DIR, order, chunks=self.chunks)

    @cached_property
    def summary(self) -> pd.DataFrame:
        from crisis_sim.analysis.summary import figures, summarize

        names = runs_columns(self.path, self.chunks)
        wanted = ["run_id", "point_id", "crisis", "outcome", *figures(names)]
        order = ["run_id", "crisis"] if self.is_campaign else ["run_id"]
        runs = read_table(
            self.path / RUNS_DIR, order, columns=[c for c in names if c in wanted], chunks=self.chunks
        )
        return summarize(runs, self.manifest)


class BatchIntegrityError(BatchError):
    """A batch folder whose files do not match its manifest: one line per file in ``problems``."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def load_batch(path: str | Path) -> BatchResult:
    """Read a batch folder written by :func:`run_batch` (complete or not), verified.

    Raises :class:`BatchError` when ``path`` is not a batch folder, and
    :class:`BatchIntegrityError` (one line per file) when its plan was edited
    or a chunk file is missing, truncated, foreign, duplicated or unexpected
    (:func:`crisis_sim.batch.integrity.verify`): nothing is counted then.
    """
    from crisis_sim.batch.integrity import plan_problem, verify

    folder = Path(path)
    manifest = read_manifest(folder)
    edited = plan_problem(folder, manifest)
    if edited:
        raise BatchIntegrityError([edited])
    good, problems = verify(folder, manifest)
    if problems:
        raise BatchIntegrityError([f"{p}; `--resume` recomputes it" if p.own else str(p) for p in problems])
    return BatchResult(folder, manifest, good)
