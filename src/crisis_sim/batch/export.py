"""A batch's tables as CSV, for spreadsheets, R and BehaviorSpace users (``crisis-sim export``).

The batch folder keeps Parquet (typed, compressed, one file per chunk); these
files are a flat copy of the same numbers, read back from the folder:

* ``runs.csv`` — the runs table, one row per run (wide: a column per actor and
  measure), as docs/batch-format.md describes it;
* ``trajectories.csv`` — one row per run and round, wide (a column per
  quantity and actor or measure), with ``point_id`` and the sweep values
  joined in so that a spreadsheet can filter by them;
* with ``long=True``, ``trajectories_long.csv`` instead: the tidy form, one
  row per run, round and quantity (``quantity``, ``subject``, ``value``), as
  R's ggplot and BehaviorSpace's "table" output expect.

Numbers are written at full precision (``repr`` of each float), so a CSV
reads back to the same values; a missing value is an empty field.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crisis_sim.core.columns import Family

if TYPE_CHECKING:
    import pandas as pd

    from crisis_sim.batch.api import BatchResult

ID_COLUMNS = ("run_id", "point_id", "replicate", "seed")
"""The identifying columns of a run, first in every exported table."""


def sweep_columns(batch: BatchResult) -> list[str]:
    """The sweep paths of the batch, in the order given (or its sampled design's): one column each."""
    from crisis_sim.analysis.summary import design_names

    return [str(item["path"]) for item in batch.manifest.get("sweep") or []] + design_names(batch.manifest)


def _with_points(batch: BatchResult, table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (keyed by ``run_id``) with the run's ids and sweep values in front."""
    on = ["run_id", "crisis"] if "crisis" in table.columns else ["run_id"]  # a campaign's: per crisis
    keys = [c for c in (*ID_COLUMNS[:3], *on[1:], *ID_COLUMNS[3:], *sweep_columns(batch))
            if c in batch.runs.columns]
    joined = batch.runs[keys].merge(table, on=on, how="right", validate="one_to_many")
    return joined[[*keys, *[c for c in table.columns if c not in keys]]]


def long_trajectories(batch: BatchResult) -> pd.DataFrame:
    """One row per run, round and quantity: ``quantity`` (approval, cost, rate, ...), ``subject``, ``value``.

    ``subject`` is the actor or measure a column is about (``approval_colombia``
    is quantity ``approval``, subject ``colombia``), empty for a quantity of the
    whole crisis (``escalation``, ``relations``).
    """
    frame = batch.trajectories
    index = [c for c in ("run_id", "crisis", "round", "hours") if c in frame.columns]
    tidy = frame.melt(id_vars=index, var_name="column", value_name="value")
    split = tidy["column"].map(_split_column)
    tidy["quantity"] = [q for q, _ in split]
    tidy["subject"] = [s for _, s in split]
    tidy = tidy.drop(columns="column")[[*index, "quantity", "subject", "value"]]
    tidy = tidy.sort_values(index[:-1], kind="stable").reset_index(drop=True)
    return _with_points(batch, tidy)


def _split_column(column: str) -> tuple[str, str]:
    """``approval_colombia`` -> (``approval``, ``colombia``); ``relations`` -> (``relations``, "")."""
    for family in Family:
        key = family.key_of(column)
        if key is not None:
            return family.value, key
    return column, ""


KIND = "export"
"""The marker kind of an export folder: ``--force`` replaces only one of these (or an empty folder)."""


def export_csv(batch: BatchResult, out: str | Path, long: bool = False, *, force: bool = False) -> list[Path]:
    """Write the batch's runs and trajectories as CSV files in the folder ``out``; the paths written.

    The folder is built under a hidden name beside ``out`` and renamed into
    place when both files are complete, so nothing half-written is left. An
    existing ``out`` is replaced only with ``force``, and only when it is empty
    or an export folder (``runs.folders.check_replaceable``); ``out`` may not
    lie inside a folder this program made. A batch with no finished chunk has
    nothing to export. Every refusal is BatchError, in one line.
    """
    from crisis_sim.batch.folder import BatchError, BatchFolderExistsError
    from crisis_sim.runs.safe_folders import (
        check_not_inside,
        check_replaceable,
        move_into_place,
        staging_folder,
        write_marker,
    )

    folder = Path(out)
    if not batch.chunks:
        raise BatchError(f"{batch.path}: no finished chunk to export yet (finish it with --resume)")

    def check(path: Path) -> None:
        check_replaceable(path, force=force, kind=KIND, error=BatchError, exists_error=BatchFolderExistsError)

    check(folder)
    check_not_inside(folder, error=BatchError)
    names = ["runs.csv", "trajectories_long.csv" if long else "trajectories.csv"]
    with staging_folder(folder, error=BatchError) as tmp:
        try:
            batch.runs.to_csv(tmp / names[0], index=False)
            table = long_trajectories(batch) if long else _with_points(batch, batch.trajectories)
            table.to_csv(tmp / names[1], index=False)
        except OSError as exc:
            raise BatchError(f"{folder}: cannot write: {exc.strerror}") from None
        write_marker(tmp, KIND)
        move_into_place(tmp, folder, check=check, error=BatchError, exists_error=BatchFolderExistsError)
    return [folder / name for name in names]
