"""A comparison as files: a Markdown report beside its tables and figures.

:func:`write_comparison` writes a compare folder atomically (built under a
hidden temporary sibling, renamed into place when complete), the same way
run folders are written::

    report.md            groups, outcome shares with intervals, differences
                         with bootstrap intervals, links to the figures
    comparison.json      the statistics (what ``crisis-sim compare --json`` prints)
    outcome_shares.csv   one row per group and outcome
    differences.csv      one row per non-reference group and statistic
    fan_charts.csv       one row per group, variable and round
    outcome_shares.png   bars with interval error bars
    fan_escalation.png, fan_cost.png, fan_approval.png
                         median and 10–90% band per round, groups overlaid

    .crisis-sim          the marker of a folder this program made: {"kind": "comparison", "version": 1}

An existing folder is replaced only with ``force=True`` and only when it is
empty or a comparison folder (it carries the comparison marker; see
:mod:`crisis_sim.runs.safe_folders`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from crisis_sim.analysis.markdown import markdown_table
from crisis_sim.core.columns import Family
from crisis_sim.core.types import outcome_label
from crisis_sim.experiments.compare.comparison import Comparison
from crisis_sim.present.plots import (
    FAN_APPROVAL_PNG,
    FAN_COST_PNG,
    FAN_ESCALATION_PNG,
    OUTCOME_SHARES_PNG,
    save_group_plots,
)
from crisis_sim.runs.run_folder import dumps, write_frame
from crisis_sim.runs.safe_folders import check_replaceable, move_into_place, staging_folder, write_marker

REPORT = "report.md"
COMPARISON = "comparison.json"
SHARES_CSV = "outcome_shares.csv"
DIFFERENCES_CSV = "differences.csv"
FANS_CSV = "fan_charts.csv"


class CompareFolderError(Exception):
    """A compare folder cannot be written (it exists, or cannot be replaced safely)."""


# --------------------------------------------------------------------------
# Numbers in words
# --------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def share_text(share: Any, lo: Any, hi: Any) -> str:
    """``62.0% [52.2, 70.9]``: a share and its interval, in percent."""
    if _missing(share):
        return "–"
    return f"{float(share) * 100:.1f}% [{float(lo) * 100:.1f}, {float(hi) * 100:.1f}]"


def statistic_label(statistic: str, names: Mapping[str, str] | None = None) -> str:
    """``cost_colombia_mean`` → ``Colombia: cost, mean (USD bn)``, and so on."""
    names = names or {}
    if Family.SHARE.owns(statistic):
        return f"share {statistic.removeprefix('share_').replace('_', ' ')}"
    if statistic == "decided_at_hours_median":
        return "decided at, median (hours)"
    for family, unit in ((Family.COST, "USD bn"), (Family.APPROVAL, "%")):
        for reducer in ("mean", "median"):
            actor = family.key_of(statistic, suffix=reducer)
            if actor is not None:
                return f"{names.get(actor, actor)}: {family}, {reducer} ({unit})"
    return statistic


def value_text(statistic: str, value: Any, *, difference: bool = False) -> str:
    """A statistic's value in its unit: shares and approval in percent (points for differences)."""
    if _missing(value):
        return "–"
    number = float(value)
    sign = "+" if difference else ""
    if Family.SHARE.owns(statistic) or Family.APPROVAL.owns(statistic):
        return f"{number * 100:{sign}.1f}" + (" pts" if difference else "%")
    if statistic.startswith("decided_at_hours"):
        return f"{number:{sign}.1f}"
    return f"{number:{sign}.3f}"


def interval_text(statistic: str, lo: Any, hi: Any) -> str:
    if _missing(lo) or _missing(hi):
        return "–"
    scale = 100.0 if statistic.startswith((Family.SHARE.prefix, Family.APPROVAL.prefix)) else 1.0
    if statistic.startswith((Family.SHARE.prefix, Family.APPROVAL.prefix, "decided_at_hours")):
        return f"[{float(lo) * scale:+.1f}, {float(hi) * scale:+.1f}]"
    return f"[{float(lo):+.3f}, {float(hi):+.3f}]"


# --------------------------------------------------------------------------
# Text: the report and the terminal summary
# --------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return markdown_table(header, rows)


def short_labels(comparison: Comparison) -> list[str]:
    """Group labels for text: with ``--by PATH``, the values alone (the path is said once)."""
    by = comparison.settings.get("by")
    prefix = f"{by}=" if by else None
    labels = comparison.labels
    if prefix and all(label.startswith(prefix) for label in labels):
        return [label.removeprefix(prefix) for label in labels]
    return labels


def _shares_rows(comparison: Comparison) -> list[list[str]]:
    shares = comparison.shares
    rows = []
    for outcome in dict.fromkeys(shares["outcome"]):
        part = shares[shares["outcome"] == outcome].set_index("group")
        cells = [outcome_label(outcome)]
        for label in comparison.labels:
            row = part.loc[label]
            cells.append(share_text(row["share"], row["lo"], row["hi"]))
        rows.append(cells)
    return rows


def _difference_rows(comparison: Comparison, label: str) -> list[list[str]]:
    part = comparison.differences[comparison.differences["group"] == label]
    rows: Iterable[Any] = part.itertuples(index=False)  # each field holds its column's value
    return [
        [
            statistic_label(row.statistic, comparison.actor_names),
            value_text(row.statistic, row.reference_value),
            value_text(row.statistic, row.value),
            value_text(row.statistic, row.difference, difference=True),
            interval_text(row.statistic, row.lo, row.hi),
        ]
        for row in rows
    ]


def describe_groups(comparison: Comparison) -> str:
    by = comparison.settings.get("by")
    sources = list(dict.fromkeys(str(s) for s in comparison.groups["source"]))
    if by:
        return (
            f"Groups are the values of the sweep path `{by}` in the batch `{sources[0]}`, "
            "pooled over its other sweeps."
        )
    return "Groups are batch folders, each pooled over its sweep points."


def _method(comparison: Comparison) -> str:
    settings = comparison.settings
    level = float(settings.get("level", 0.95))
    return (
        f"Differences are group minus reference, with {level:.0%} percentile bootstrap intervals "
        f"({settings.get('n_boot')} resamples of each group's runs, seed {settings.get('seed')}); "
        "an interval that excludes 0 marks a difference that chance alone rarely gives. "
        "Approval and shares are in percentage points, costs in USD bn, times in simulated hours; "
        "the median decision time is over decided runs only."
    )


def render_report(comparison: Comparison, figures: Sequence[str] = ()) -> str:
    """The Markdown report of a comparison; ``figures`` are PNG file names beside it."""
    labels = short_labels(comparison)
    reference = labels[0]
    by = comparison.settings.get("by")
    lines = [f"# Comparison: {' vs '.join(labels)}" + (f" ({by})" if by else ""), ""]
    lines += [describe_groups(comparison) + f" The first group, **{reference}**, is the reference.", ""]
    for warning in comparison.warnings:
        lines += [f"> **Warning:** {warning}", ""]

    lines += ["## Groups", ""]
    groups: Iterable[Any] = comparison.groups.itertuples(index=False)  # fields hold the columns' values
    group_rows = [
        [
            str(row.group),
            str(row.n),
            str(row.scenario_name or "–"),
            f"`{str(row.scenario_hash)[:12]}`" if row.scenario_hash else "–",
            f"`{row.source}`" if row.source else "–",
        ]
        for row in groups
    ]
    lines += _table(["group", "runs", "scenario", "scenario hash", "source"], group_rows)

    level = float(comparison.settings.get("level", 0.95))
    lines += ["", "## Outcome shares", ""]
    lines += ["Share of runs ending in each outcome class, with 95% Wilson intervals.", ""]
    lines += _table(["outcome", *labels], _shares_rows(comparison))
    if OUTCOME_SHARES_PNG in figures:
        lines += ["", f"![Outcome shares]({OUTCOME_SHARES_PNG})"]

    lines += ["", f"## Differences from {reference}", "", _method(comparison)]
    for label, full in zip(labels[1:], comparison.labels[1:], strict=True):
        lines += ["", f"### {label} − {reference}", ""]
        header = ["statistic", reference, label, "difference", f"{level:.0%} interval"]
        lines += _table(header, _difference_rows(comparison, full))

    fan_figures = [
        (FAN_ESCALATION_PNG, "Escalation level"),
        (FAN_COST_PNG, "Cumulative economic cost"),
        (FAN_APPROVAL_PNG, "Domestic approval"),
    ]
    shown = [(name, title) for name, title in fan_figures if name in figures]
    if shown:
        lines += ["", "## Trajectories", ""]
        lines += [
            "Per round, the median (line) and the 10–90% band over the runs of each group; "
            "a run that settled early keeps its last state.",
        ]
        for name, title in shown:
            lines += ["", f"![{title}]({name})"]

    lines += ["", "## Files", ""]
    lines += [
        f"- `{COMPARISON}`: these statistics as JSON",
        f"- `{SHARES_CSV}`, `{DIFFERENCES_CSV}`, `{FANS_CSV}`: the tables",
    ]
    return "\n".join(lines) + "\n"


def render_summary(comparison: Comparison) -> str:
    """A plain-text summary for the terminal: shares and differences, one line each."""
    labels = short_labels(comparison)
    rows = _shares_rows(comparison)
    width = max(len(label) for label in labels)
    column = max(width, max(len(cell) for row in rows for cell in row[1:])) + 2
    by = comparison.settings.get("by")
    sizes = [int(n) for n in comparison.groups["n"]]
    lines = [
        "Groups"
        + (f" by {by}" if by else "")
        + " (first = reference): "
        + ", ".join(f"{label} (n={n})" for label, n in zip(labels, sizes, strict=True)),
        "",
        "Outcome shares, 95% Wilson intervals:",
        "  " + f"{'outcome':<24}" + "".join(f"{label:>{column}}" for label in labels),
    ]
    lines += ["  " + f"{row[0]:<24}" + "".join(f"{cell:>{column}}" for cell in row[1:]) for row in rows]
    settings = comparison.settings
    lines += [
        "",
        f"Differences from {labels[0]}, {float(settings.get('level', 0.95)):.0%} bootstrap intervals "
        f"({settings.get('n_boot')} resamples, seed {settings.get('seed')}):",
    ]
    for label, full in zip(labels[1:], comparison.labels[1:], strict=True):
        lines.append(f"  {label}")
        for statistic, _, _, diff, interval in _difference_rows(comparison, full):
            lines.append(f"    {statistic:<40}{diff:>12}  {interval}")
    return "\n".join(lines)


# --------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------


def check_compare_dir(out_dir: Path, *, force: bool) -> None:
    """Raise :class:`CompareFolderError` unless ``out_dir`` may be written (see module docstring)."""
    check_replaceable(out_dir, force=force, kind="comparison",
                      error=CompareFolderError, exists_error=CompareFolderError)


def comparison_document(comparison: Comparison, command: Sequence[str] | None = None) -> dict[str, Any]:
    """What ``comparison.json`` holds: the statistics, and the command when given."""
    document = comparison.to_dict()
    if command is not None:
        document["command"] = list(command)
    return document


def write_comparison(
    comparison: Comparison,
    out_dir: str | Path,
    *,
    force: bool = False,
    plots: bool = True,
    command: Sequence[str] | None = None,
) -> Path:
    """Write the compare folder at ``out_dir`` atomically; return it.

    Raises :class:`CompareFolderError` when ``out_dir`` exists and ``force``
    is false, or when it cannot be replaced safely.
    """
    out_dir = Path(out_dir)
    check_compare_dir(out_dir, force=force)
    with staging_folder(out_dir, error=CompareFolderError) as tmp:
        _write_contents(comparison, tmp, plots=plots, command=command)
        _move_into_place(tmp, out_dir, force=force)
    return out_dir


def _write_contents(
    comparison: Comparison, folder: Path, *, plots: bool, command: Sequence[str] | None
) -> None:
    write_marker(folder, "comparison")
    figures: list[str] = []
    if plots:
        written = save_group_plots(
            comparison.shares,
            comparison.fans,
            folder,
            names=comparison.actor_names,
            groups=comparison.labels,
            modes=comparison.modes,
        )
        figures = [path.name for path in written]
    write_frame(comparison.shares, folder / SHARES_CSV)
    write_frame(comparison.differences, folder / DIFFERENCES_CSV)
    write_frame(comparison.fans, folder / FANS_CSV)
    (folder / COMPARISON).write_text(dumps(comparison_document(comparison, command)), encoding="utf-8")
    (folder / REPORT).write_text(render_report(comparison, figures), encoding="utf-8")


def _move_into_place(tmp: Path, out_dir: Path, *, force: bool) -> None:
    """Rename ``tmp`` to ``out_dir``; with ``force`` swap an old compare folder out first."""
    move_into_place(tmp, out_dir, check=lambda d: check_compare_dir(d, force=force),
                    error=CompareFolderError, exists_error=CompareFolderError)
