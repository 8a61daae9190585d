"""The summary of a batch: outcome shares and key figures per sweep point.

:func:`summarize` turns the runs table into one row per sweep point:
``point_id``, the sweep values, ``label``, ``n``; for each outcome class
``share_<outcome>`` with its 95% Wilson interval (``_lo``, ``_hi``); and the
median and quartiles (``_median``, ``_q25``, ``_q75``) of
``decided_at_hours`` (over the runs that were decided), ``cost_<actor>`` and
``approval_<actor>``. The rest formats it: CSV, a Markdown table, a terminal
table, JSON records. :func:`breakdown` adds, for ``crisis-sim batch --show``, the share
of runs decided in each variant and of runs in which each measure was imposed (terminal and
JSON only: the files are the same with or without it). No file I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from crisis_sim.analysis.markdown import markdown_table
from crisis_sim.analysis.stats import wilson_interval
from crisis_sim.core.columns import Family, approval_column, cost_column
from crisis_sim.core.plain_data import json_ready
from crisis_sim.core.types import Outcome, Variant, outcome_label

if TYPE_CHECKING:
    import pandas as pd

OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)
"""The outcome classes, in their canonical order (:class:`~crisis_sim.core.types.Outcome`)."""

VARIANTS: tuple[str, ...] = tuple(variant.value for variant in Variant)
"""How an issue can be decided beyond its outcome class (:class:`~crisis_sim.core.types.Variant`)."""

SHOWN: tuple[str, ...] = ("variants", "measures")
"""What ``crisis-sim batch --show`` can add to the terminal summary."""

IMPOSED = "imposed"
"""The ``furthest_<measure>`` value of a run in which the measure was put into force."""

QUANTILES = (("median", 0.5), ("q25", 0.25), ("q75", 0.75))
FLOAT_FORMAT = "%.6g"


def figures(columns: Sequence[str]) -> list[str]:
    """The runs columns summarised by median and quartiles, in the runs table's order."""
    return [
        *(c for c in columns if c == "decided_at_hours"),
        *(c for c in columns if Family.COST.owns(c)),
        *(c for c in columns if Family.APPROVAL.owns(c)),
    ]


def _quartiles(values: Any) -> dict[str, float]:
    import numpy as np

    data = np.asarray(values, dtype=float)
    data = data[~np.isnan(data)]
    if data.size == 0:
        return {name: math.nan for name, _ in QUANTILES}
    found = np.quantile(data, [q for _, q in QUANTILES])
    return {name: float(v) for (name, _), v in zip(QUANTILES, found, strict=True)}


def design_names(manifest: Mapping[str, Any]) -> list[str]:
    """The sampled design's columns of a sensitivity study's batch (each parameter's path, then
    ``dummy`` when the design has one); none for a sweep grid."""
    design = manifest.get("design") or {}
    names = [str(p["path"]) for p in design.get("parameters") or []]
    return [*names, "dummy"] if names and design.get("dummy", True) else names


def actor_names(manifest: Mapping[str, Any]) -> dict[str, str]:
    """``{actor id: name}`` from the resolved scenario a batch manifest keeps (a campaign's: every
    crisis's)."""
    names: dict[str, str] = {}
    for crisis in (manifest.get("campaign") or {}).get("crises") or []:
        names.update({str(k): str(v) for k, v in (crisis.get("actors") or {}).items()})
    actors = (manifest.get("scenario") or {}).get("actors") or {}
    names.update({str(key): str(actor.get("name") or key) for key, actor in actors.items()})
    return names


def summarize(runs: pd.DataFrame, manifest: Mapping[str, Any]) -> pd.DataFrame:
    """One row per sweep point of the manifest (points without runs yet have ``n = 0``); for a
    campaign's batch, one row per crisis (with a ``crisis`` column), or, swept, per point and crisis."""
    import pandas as pd

    from crisis_sim.scenario.sweeps import column_type, column_value

    sweeps = manifest.get("sweep") or []
    kinds = {s["path"]: column_type(s["values"]) for s in sweeps}
    kinds.update(dict.fromkeys(design_names(manifest), "float64"))
    crises = (manifest.get("campaign") or {}).get("crises") or []
    groups: dict[Any, pd.DataFrame]  # by the cells' keys: a point, a crisis, or both
    cells: list[tuple[Any, dict[str, Any]]]
    if crises and not sweeps:  # a campaign: one row per crisis (its runs are the campaign's one point)
        groups = dict(tuple(runs.groupby("crisis", sort=True))) if len(runs) else {}
        cells = [
            (int(c["crisis"]), {"point_id": 0, "crisis": int(c["crisis"]), "label": str(c.get("label", ""))})
            for c in crises
        ]
    elif crises:  # a swept campaign: one row per sweep point and crisis
        groups = dict(tuple(runs.groupby(["point_id", "crisis"], sort=True))) if len(runs) else {}
        cells = []
        for point in manifest.get("points") or []:
            for c in crises:
                cell: dict[str, Any] = {"point_id": int(point["point_id"]), "crisis": int(c["crisis"])}
                for path, kind in kinds.items():
                    cell[path] = column_value(point["values"].get(path), kind)
                cell["label"] = f"{point.get('label') or ''}: {c.get('label', '')}"
                cells.append(((cell["point_id"], cell["crisis"]), cell))
    else:
        groups = dict(tuple(runs.groupby("point_id", sort=True))) if len(runs) else {}
        cells = []
        for point in manifest.get("points") or []:
            point_id = int(point["point_id"])
            cell = {"point_id": point_id}
            for path, kind in kinds.items():
                cell[path] = column_value(point["values"].get(path), kind)
            cell["label"] = point.get("label") or ""
            cells.append((point_id, cell))
    rows = []
    for key, cell in cells:
        group = groups.get(key)
        n = 0 if group is None else len(group)
        row: dict[str, Any] = {**cell, "n": n}
        counts: pd.Series | dict[str, int] = (group["outcome"].value_counts()
                                              if group is not None and n else {})
        for outcome in OUTCOMES:
            k = int(counts.get(outcome, 0)) if n else 0
            lo, hi = wilson_interval(k, n)
            row[Family.SHARE.column(outcome)] = k / n if n else math.nan
            row[Family.SHARE.column(outcome, "lo")] = lo if n else math.nan
            row[Family.SHARE.column(outcome, "hi")] = hi if n else math.nan
        for figure in figures(list(runs.columns)):
            values: pd.Series | list[float] = group[figure] if group is not None else []
            for name, value in _quartiles(values).items():
                row[f"{figure}_{name}"] = value
        rows.append(row)
    return pd.DataFrame(rows)


def summary_csv(summary: pd.DataFrame) -> str:
    return summary.to_csv(index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


def records(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows (NaN becomes None)."""
    out = []
    for row in _rows(summary):
        out.append({k: json_ready(v) for k, v in row.items()})
    return out


def _rows(summary: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows as mappings by column (every column of a summary is named by a string)."""
    return cast("list[dict[str, Any]]", summary.to_dict(orient="records"))




def _pct(value: float) -> str:
    return "-" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def _share_text(row: Mapping[str, Any], column: str) -> str:
    """A share with its Wilson interval, in percent: ``column`` is an outcome class (its
    ``share_<outcome>`` columns) or a column of its own with ``_lo`` and ``_hi``."""
    name = column if f"{column}_lo" in row else Family.SHARE.column(column)
    share = row[name]
    if share is None or math.isnan(share):
        return "-"
    lo, hi = row[f"{name}_lo"], row[f"{name}_hi"]
    return f"{100 * share:.1f}% ({100 * lo:.1f}–{100 * hi:.1f})"


def _number(value: float, digits: int = 3) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.{digits}g}"


def _figure_text(row: Mapping[str, Any], figure: str) -> str:
    median = row[f"{figure}_median"]
    if median is None or math.isnan(median):
        return "-"
    return f"{_number(median)} ({_number(row[f'{figure}_q25'])}–{_number(row[f'{figure}_q75'])})"


def _percent_text(row: Mapping[str, Any], figure: str) -> str:
    """A fraction's median (IQR) in percent, one decimal: approval as every figure shows it."""
    median = row[f"{figure}_median"]
    if median is None or math.isnan(median):
        return "-"
    return f"{100 * median:.1f} ({100 * row[f'{figure}_q25']:.1f}–{100 * row[f'{figure}_q75']:.1f})"


def shown_outcomes(summary: pd.DataFrame) -> list[str]:
    """Outcome classes that occur at some point (all five if none has runs yet)."""
    seen = [o for o in OUTCOMES if (summary[Family.SHARE.column(o)].fillna(0) > 0).any()]
    return seen or list(OUTCOMES)


def _table_rows(
    summary: pd.DataFrame, manifest: Mapping[str, Any], *, costs: bool = True
) -> tuple[list[str], list[list[str]]]:
    outcomes = shown_outcomes(summary)
    known = actor_names(manifest)
    keys = Family.COST.keys_in(summary.columns, suffix="median")
    names = {k: known.get(k, k) for k in keys} if costs else {}
    header = ["point", "n", *(outcome_label(o) for o in outcomes), "decided at (h)"]
    header += [f"cost {names[a]} (USD bn)" for a in names] + [f"approval {names[a]} (%)" for a in names]
    rows = []
    for row in _rows(summary):
        cells = [row["label"] or "all runs", str(row["n"])]
        cells += [_share_text(row, o) for o in outcomes]
        cells.append(_figure_text(row, "decided_at_hours"))
        cells += [_figure_text(row, cost_column(a)) for a in names]
        cells += [_percent_text(row, approval_column(a)) for a in names]
        rows.append(cells)
    return header, rows


def summary_markdown(summary: pd.DataFrame, manifest: Mapping[str, Any]) -> str:
    """A Markdown page: what the batch is, then one table row per sweep point."""
    header, rows = _table_rows(summary, manifest)
    what = f"{manifest.get('runs')} runs at each of {len(rows)} sweep point(s)"
    if manifest.get("campaign"):
        what = f"{manifest.get('runs')} runs of a campaign of {len(rows)} crises (a row per crisis)"
        if manifest.get("sweep"):
            n_points = len(manifest.get("points") or [])
            what = (f"{manifest.get('runs')} runs of a campaign at each of {n_points} "
                    "sweep points (a row per point and crisis)")
    lines = [
        f"# Batch summary: {manifest.get('scenario_name')}",
        "",
        f"{what}, root seed {manifest.get('seed')}, "
        f"scenario sha256 `{str(manifest.get('scenario_hash'))[:12]}`.",
        "Outcome shares in percent with 95% Wilson intervals; figures as median (interquartile range),",
        "approval in percent;",
        "decided at: simulated hours, over the runs that were decided.",
        "",
        *markdown_table(header, rows, left=1),
    ]
    return "\n".join(lines) + "\n"


def summary_text(
    summary: pd.DataFrame, manifest: Mapping[str, Any], folder: Any = None, extra: pd.DataFrame | None = None
) -> str:
    """The terminal summary: outcome shares and decision times per point (costs: see summary.md);
    with ``extra`` (:func:`breakdown`), its tables after them."""
    header, rows = _table_rows(summary, manifest, costs=False)
    n_runs = int(summary["n"].sum()) if len(summary) else 0
    spread = f", {manifest.get('runs')} at each of {len(rows)} sweep points" if len(rows) > 1 else ""
    if manifest.get("campaign"):
        n_runs = int(summary["n"].max()) if len(summary) else 0
        spread = f" of a campaign of {len(rows)} crises, one row per crisis"
        if manifest.get("sweep"):
            n_points = len(manifest.get("points") or [])
            n_runs = int(summary.groupby("point_id")["n"].max().sum()) if len(summary) else 0
            spread = f" of a campaign, {manifest.get('runs')} at each of {n_points} sweep points, " \
                     "one row per point and crisis"
    lines = [
        f"{manifest.get('scenario_name')}: {n_runs} runs{spread}, root seed {manifest.get('seed')}",
        "Outcome shares with 95% Wilson intervals; figures: median (IQR).",
        "",
    ]
    lines += _aligned([header[1:], *(row[1:] for row in rows)], [row[0] for row in rows])
    if extra is not None:
        lines += breakdown_text(extra, manifest).splitlines()
    if folder is not None:
        lines += ["", f"Batch folder: {folder} (costs and approval in summary.md)"]
    return "\n".join(lines)


def _aligned(table: Sequence[Sequence[str]], labels: Sequence[str]) -> list[str]:
    """Columns padded to their widest cell; each point's label on its own line above its row."""
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    out = ["  ".join(cell.rjust(w) for cell, w in zip(table[0], widths, strict=True))]
    for label, row in zip(labels, table[1:], strict=True):
        if len(labels) > 1 or label != "all runs":
            out.append(label)
        out.append("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    return out


def breakdown(runs: pd.DataFrame, summary: pd.DataFrame, show: Sequence[str]) -> pd.DataFrame:
    """For each row of ``summary`` (a sweep point, or a campaign's crisis): with ``"variants"``,
    ``variant_<variant>`` the share of its runs whose first issue was decided in that variant;
    with ``"measures"``, ``imposed_<measure>`` the share of its runs in which the measure was put
    into force at some point (its ``furthest_<measure>`` is ``imposed``, even if lifted later).
    Each share has its 95% Wilson interval (``_lo``, ``_hi``), as the outcome shares do."""
    import pandas as pd

    crises = "crisis" in summary.columns and "crisis" in runs.columns
    keys = ["point_id", "crisis"] if crises else ["point_id"]
    groups = dict(tuple(runs.groupby(keys, sort=True))) if len(runs) else {}
    counted: list[tuple[str, str, Any]] = []  # (column, what is counted, how a run qualifies)
    if "variants" in show:
        counted += [(f"variant_{v}", "variant", v) for v in VARIANTS]
    if "measures" in show:
        counted += [(f"imposed_{m}", Family.FURTHEST.column(m), IMPOSED)
                    for m in Family.FURTHEST.keys_in(runs.columns)]
    rows = []
    for row in _rows(summary):
        key = tuple(int(row[k]) for k in keys)
        group = groups.get(key)
        n = 0 if group is None else len(group)
        out: dict[str, Any] = {k: row[k] for k in (*keys, "label", "n")}
        for column, source, value in counted:
            counts = group is not None and source in group
            k = int((group[source] == value).fillna(False).sum()) if group is not None and counts else 0
            lo, hi = wilson_interval(k, n)
            out[column] = k / n if n else math.nan
            out[f"{column}_lo"] = lo if n else math.nan
            out[f"{column}_hi"] = hi if n else math.nan
        rows.append(out)
    return pd.DataFrame(rows)


def measure_labels(manifest: Mapping[str, Any]) -> dict[str, str]:
    """``{measure id: label}`` from the resolved scenario a batch manifest keeps (a campaign's:
    every crisis's)."""
    labels: dict[str, str] = {}
    scenarios = [c.get("scenario") or {} for c in (manifest.get("campaign") or {}).get("crises") or []]
    for scenario in [*scenarios, manifest.get("scenario") or {}]:
        for key, measure in (scenario.get("measures") or {}).items():
            labels[str(key)] = str((measure or {}).get("label") or key)
    return labels


def breakdown_text(extra: pd.DataFrame, manifest: Mapping[str, Any]) -> str:
    """The terminal lines of :func:`breakdown`: a table per kind asked for, one row per point."""
    lines: list[str] = []
    labels = [row["label"] or "all runs" for row in _rows(extra)]
    variants = [c for c in extra.columns if c.startswith("variant_") and not c.endswith(("_lo", "_hi"))]
    if variants:
        header = ["n", *(c.removeprefix("variant_").replace("_", " ") for c in variants)]
        table = [header, *([str(row["n"]), *(_share_text(row, c) for c in variants)] for row in _rows(extra))]
        lines += ["", "How the first issue was decided (variant), share of all runs:",
                  *_aligned(table, labels)]
    names = measure_labels(manifest)
    measures = [c for c in extra.columns if c.startswith("imposed_") and not c.endswith(("_lo", "_hi"))]
    if measures:
        header = ["n", *(names.get(m := c.removeprefix("imposed_"), m) for c in measures)]
        table = [header, *([str(row["n"]), *(_share_text(row, c) for c in measures)] for row in _rows(extra))]
        lines += ["", "Measures imposed at some point, share of runs:", *_aligned(table, labels)]
    return "\n".join(lines)
