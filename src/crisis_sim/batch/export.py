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


def export_csv(batch: BatchResult, out: str | Path, long: bool = False) -> list[Path]:
    """Write the batch's runs and trajectories as CSV files in ``out``; the paths written."""
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    runs = batch.runs
    path = folder / "runs.csv"
    runs.to_csv(path, index=False)
    written.append(path)
    if long:
        table, name = long_trajectories(batch), "trajectories_long.csv"
    else:
        table, name = _with_points(batch, batch.trajectories), "trajectories.csv"
    path = folder / name
    table.to_csv(path, index=False)
    written.append(path)
    return written
