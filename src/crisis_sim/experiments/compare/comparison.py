"""Statistics across batches: outcome shares, differences with their uncertainty, fan charts.

No I/O: everything here takes batches already read (by ``load_batch``) or
:class:`Group` objects built by hand, and returns DataFrames. The command
``crisis-sim compare`` and the plots are thin layers over :func:`compare`.

A **group** is a set of runs compared as one: a whole batch folder
(``compare(a, b)``), or the runs of one batch sharing a value of one sweep
path, pooled over every other sweep (``compare(batch, by="actors.colombia.resolve.mean")``).
The first group is the reference: every other group's difference is taken
from it.

What is computed, per group:

* **Outcome shares** with 95% Wilson intervals (SciPy's, through
  :func:`crisis_sim.analysis.stats.wilson_interval`).
* **Differences from the first group** in each outcome share and in the key
  figures (median ``decided_at_hours`` among decided runs, mean and median
  cost and approval of each actor), each with a percentile bootstrap 95%
  interval (``scipy.stats.bootstrap``, through
  :func:`crisis_sim.analysis.stats.bootstrap_difference`): the runs of the
  group and of the reference are resampled with replacement ``n_boot``
  times, the difference recomputed, and the 2.5th and 97.5th percentiles of
  the ``n_boot`` differences taken (Efron & Tibshirani 1993, ch. 13).
* **Fan charts**: per round, the 10th, 50th and 90th percentile over runs of
  escalation (a rung of the ladder, see :data:`LADDER_VARIABLES`), cost per
  actor and approval per actor. A run that stopped early
  (the crisis settled) keeps its last state for the remaining rounds, so the
  band at round ``r`` always describes every run of the group.

Reproducibility: the bootstrap draws come from
``numpy.random.SeedSequence(seed).spawn(len(groups) - 1)``, one child
generator per group after the first, in order, so the same groups and
``seed`` give the same intervals, and one group's interval does not depend on
the other groups. SciPy draws the reference's resample indices, then the
group's, from ``default_rng(child)`` (``integers(0, n, size=(rows, n))``),
``rows`` being ``n_boot`` or, for very large groups, batches of about
``CHUNK_ELEMENTS`` values drawn one after the other, so that memory stays
bounded.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from crisis_sim.analysis.stats import bootstrap_difference, reduce_runs, wilson_interval
from crisis_sim.analysis.summary import OUTCOMES, actor_names
from crisis_sim.core.columns import Family, approval_column, cost_column
from crisis_sim.core.plain_data import json_ready
from crisis_sim.scenario.sweeps import value_text

N_BOOT = 2000
"""Bootstrap resamples per group."""
MAX_BOOT = 100_000
"""Most bootstrap resamples per group (``--resamples``): each is every statistic recomputed once."""

CHUNK_ELEMENTS = 1 << 22
"""Largest resampled array drawn at once (statistics × resamples × runs), about 32 MB of float64."""

FAN_QUANTILES = (0.1, 0.5, 0.9)
"""The fan: the 10–90% band around the median."""

LADDER_VARIABLES = frozenset({"escalation"})
"""Fan variables on an integer ladder: their quantiles are rungs some run was on.

They use the inverse of the empirical distribution function (``numpy``'s
``inverted_cdf``, Hyndman & Fan 1996 definition 1), so a fan never shows
rung 1.5; every other variable interpolates linearly between runs."""


class CompareError(ValueError):
    """The groups asked for cannot be compared (no such sweep path, fewer than two groups, ...)."""


@dataclass(frozen=True)
class Group:
    """Runs compared as one group.

    ``runs`` has one row per run with the columns of a batch's runs table
    (``outcome``, ``decided_at_hours``, ``cost_<actor>``, ``approval_<actor>``,
    ``run_id``, ...); ``trajectories`` one row per run and round (``run_id``,
    ``round``, ``hours``, ``escalation``, ``cost_<actor>``, ``approval_<actor>``),
    or ``None`` when there are none (no fan charts then).
    """

    label: str
    runs: pd.DataFrame
    trajectories: pd.DataFrame | None = None
    scenario_name: str | None = None
    scenario_hash: str | None = None
    source: str | None = None
    names: Mapping[str, str] = field(default_factory=dict)
    """Display names of the actors (``{"colombia": "Colombia"}``), for plots and reports."""

    @property
    def n(self) -> int:
        return len(self.runs)


@dataclass(frozen=True)
class Comparison:
    """The statistics of a comparison, as DataFrames (tidy: one row per observation).

    Attributes:
        groups: one row per group: ``group`` (label), ``source``, ``scenario_name``,
            ``scenario_hash``, ``n`` (runs).
        shares: one row per group and outcome: ``group``, ``outcome``, ``count``,
            ``n``, ``share``, ``lo``, ``hi`` (Wilson interval).
        differences: one row per non-reference group and statistic: ``group``,
            ``reference``, ``statistic`` (``share_<outcome>``,
            ``decided_at_hours_median``, ``cost_<actor>_mean``, ...),
            ``reference_value``, ``value``, ``difference`` (value − reference
            value), ``lo``, ``hi`` (percentile bootstrap interval).
        fans: one row per group, variable and round: ``group``, ``variable``
            (``escalation``, ``cost_<actor>``, ``approval_<actor>``), ``round``,
            ``hours``, ``n``, ``p10``, ``median``, ``p90``.
        modes: the same per group and outcome class of its runs (``outcome``, ``share``
            after ``group``), from which the fan charts draw a group whose runs end in
            different ways one band per way (:func:`fan_charts` with ``by_outcome``).
        warnings: things a reader must know (different scenario versions,
            incomplete batches, actors not in every group).
        settings: how the figures were computed (``n_boot``, ``seed``,
            ``level``, ``fan_quantiles``, ``by``).
        actor_names: display names of the actors, from the groups' scenarios.
    """

    groups: pd.DataFrame
    shares: pd.DataFrame
    differences: pd.DataFrame
    fans: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    actor_names: dict[str, str] = field(default_factory=dict)
    modes: pd.DataFrame | None = None

    @property
    def labels(self) -> list[str]:
        return [str(label) for label in self.groups["group"]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready statistics (fans left out: they are long; see :attr:`fans`).

        Missing values (NaN) become ``None``.
        """
        return {
            "settings": json_ready(self.settings),
            "warnings": list(self.warnings),
            "groups": records(self.groups),
            "shares": records(self.shares),
            "differences": records(self.differences),
        }


# --------------------------------------------------------------------------
# Groups from batches
# --------------------------------------------------------------------------


def _get(batch: Any, key: str, default: Any = None) -> Any:
    if isinstance(batch, Mapping):
        return batch.get(key, default)
    return getattr(batch, key, default)


def _manifest(batch: Any) -> dict[str, Any]:
    return dict(_get(batch, "manifest") or {})


def _source(batch: Any) -> str | None:
    path = _get(batch, "path")
    return str(path) if path is not None else None




def campaign_crises(batch: Any) -> list[dict[str, Any]]:
    """The crises of a campaign's batch, from its manifest (none for a scenario's batch)."""
    if isinstance(batch, Group):
        return []
    return list((_manifest(batch).get("campaign") or {}).get("crises") or [])


def at_crisis(batch: Any, crisis: int) -> dict[str, Any]:
    """A campaign's batch cut down to one crisis (its ``crisis`` number, from 1): the runs and
    trajectories of that crisis, with the batch's manifest and path. A crisis run in one model
    with others (``run_with`` in the manifest) has that model's trajectory, stored under the
    first of them."""
    crises = campaign_crises(batch)
    numbers = [int(c["crisis"]) for c in crises]
    if crisis not in numbers:
        where = _source(batch) or "batch"
        raise CompareError(f"{where}: --crisis {crisis}: the campaign's crises are 1 to {len(numbers)}")
    runs: pd.DataFrame = _get(batch, "runs")
    trajectories: pd.DataFrame | None = _get(batch, "trajectories")
    # crises run in one model share its trajectory, stored under the first of them
    run_with = crises[numbers.index(crisis)].get("run_with") or [crisis]
    return {
        "manifest": _manifest(batch),
        "path": _get(batch, "path"),
        "runs": runs[runs["crisis"] == crisis].reset_index(drop=True),
        "trajectories": None if trajectories is None
        else trajectories[trajectories["crisis"] == min(run_with)].reset_index(drop=True),
    }


def _one_crisis(batches: Sequence[Any], crisis: int | None) -> tuple[list[Any], list[str]]:
    """Campaign batches cut down to one crisis (default: the last of the first campaign); the
    note saying which. Scenario batches are left as they are."""
    campaigns = [b for b in batches if campaign_crises(b)]
    if not campaigns:
        if crisis is not None:
            raise CompareError("--crisis: only for the batches of a campaign")
        return list(batches), []
    chosen = crisis if crisis is not None else int(campaign_crises(campaigns[0])[-1]["crisis"])
    label = next((str(c.get("label")) for c in campaign_crises(campaigns[0])
                  if int(c["crisis"]) == chosen), f"crisis {chosen}")
    views = [at_crisis(b, chosen) if campaign_crises(b) else b for b in batches]
    note = f"campaign batches: crisis {chosen} ({label}) compared; another with --crisis N"
    return views, [note]


def _batch_label(batch: Any, index: int) -> str:
    source = _source(batch)
    if source:
        return Path(source).name or source
    return str(_manifest(batch).get("scenario_name") or f"batch {index + 1}")


def batch_groups(batches: Sequence[Any], labels: Sequence[str] | None = None) -> list[Group]:
    """One group per batch, pooling all of its sweep points.

    A batch is anything with ``manifest`` (dict), ``runs`` and ``trajectories``
    (DataFrames) and optionally ``path``, as attributes or keys: what
    ``load_batch`` returns. Labels default to the folder names (made unique
    by the full path when two folders share a name).
    """
    if labels is not None and len(labels) != len(batches):
        raise CompareError(f"got {len(labels)} labels for {len(batches)} batches")
    names = list(labels) if labels is not None else [_batch_label(b, i) for i, b in enumerate(batches)]
    if labels is None and len(set(names)) < len(names):
        names = [_source(b) or f"batch {i + 1}" for i, b in enumerate(batches)]
    if len(set(names)) < len(names):
        names = [f"{name} ({i + 1})" for i, name in enumerate(names)]
    groups = []
    for name, batch in zip(names, batches, strict=True):
        manifest = _manifest(batch)
        groups.append(
            Group(
                label=str(name),
                runs=_get(batch, "runs"),
                trajectories=_get(batch, "trajectories"),
                scenario_name=manifest.get("scenario_name"),
                scenario_hash=manifest.get("scenario_hash"),
                source=_source(batch),
                names=actor_names(manifest),
            )
        )
    return groups


def sweep_groups(batch: Any, path: str) -> list[Group]:
    """One group per value of the sweep ``path``, pooled over the other sweeps.

    Groups come in the order of the values in the sweep; labels read
    ``path=value``. Raises :class:`CompareError` when ``path`` is not swept.
    """
    manifest = _manifest(batch)
    where = _source(batch) or "batch"
    sweeps = {str(s["path"]): list(s["values"]) for s in manifest.get("sweep") or []}
    if path not in sweeps:
        known = ", ".join(sweeps) if sweeps else "none: the batch has no sweep"
        raise CompareError(f"{where}: {path!r} is not a sweep path of this batch (sweep paths: {known})")
    runs: pd.DataFrame = _get(batch, "runs")
    trajectories: pd.DataFrame | None = _get(batch, "trajectories")
    points = manifest.get("points") or []
    groups = []
    for value in sweeps[path]:
        if points:
            ids = [p["point_id"] for p in points if p["values"].get(path) == value]
            selected = runs[runs["point_id"].isin(ids)]
        else:
            selected = runs[runs[path] == value]
        groups.append(_subgroup(f"{path}={value_text(value)}", selected, trajectories, manifest, where))
    return groups


def point_groups(batch: Any) -> list[Group]:
    """One group per sweep point of a batch (a single group when nothing was swept; one per crisis
    for a campaign's batch)."""
    manifest = _manifest(batch)
    where = _source(batch) or "batch"
    runs: pd.DataFrame = _get(batch, "runs")
    trajectories: pd.DataFrame | None = _get(batch, "trajectories")
    points = manifest.get("points") or []
    crises = campaign_crises(batch)
    if crises:  # a campaign's batch: one group per crisis
        return [_subgroup(str(c.get("label") or f"crisis {c['crisis']}"), view["runs"], view["trajectories"],
                          manifest, where)
                for c in crises for view in [at_crisis(batch, int(c["crisis"]))]]
    if len(points) <= 1:
        label = (points[0].get("label") if points else None) or _batch_label(batch, 0)
        return [_subgroup(label, runs, trajectories, manifest, where)]
    return [
        _subgroup(
            str(p.get("label") or f"point {p['point_id']}"),
            runs[runs["point_id"] == p["point_id"]],
            trajectories,
            manifest,
            where,
        )
        for p in points
    ]


def _subgroup(
    label: str,
    runs: pd.DataFrame,
    trajectories: pd.DataFrame | None,
    manifest: Mapping[str, Any],
    source: str,
) -> Group:
    runs = runs.reset_index(drop=True)
    if trajectories is not None:
        trajectories = trajectories[trajectories["run_id"].isin(runs["run_id"])]
    return Group(
        label=label,
        runs=runs,
        trajectories=trajectories,
        scenario_name=manifest.get("scenario_name"),
        scenario_hash=manifest.get("scenario_hash"),
        source=source,
        names=actor_names(manifest),
    )


# --------------------------------------------------------------------------
# Outcome shares
# --------------------------------------------------------------------------


def outcome_classes(groups: Sequence[Group]) -> list[str]:
    """The five outcome classes, then any other value found in the runs (none, normally)."""
    extra: set[str] = set()
    for group in groups:
        extra |= {str(o) for o in group.runs["outcome"].dropna().unique()} - set(OUTCOMES)
    return [*OUTCOMES, *sorted(extra)]


def outcome_shares(groups: Sequence[Group], level: float = 0.95) -> pd.DataFrame:
    """Share of each outcome class per group, with Wilson intervals (see :class:`Comparison`)."""
    rows = []
    classes = outcome_classes(groups)
    for group in groups:
        counts = group.runs["outcome"].astype("string").value_counts()
        n = group.n
        for outcome in classes:
            count = int(counts.get(outcome, 0))
            lo, hi = wilson_interval(count, n, level)
            share = count / n if n else math.nan
            rows.append((group.label, outcome, count, n, share, lo, hi))
    return pd.DataFrame(rows, columns=["group", "outcome", "count", "n", "share", "lo", "hi"])


# --------------------------------------------------------------------------
# Differences with bootstrap intervals
# --------------------------------------------------------------------------


def _actors(frames: Iterable[pd.DataFrame | None]) -> tuple[list[str], list[str]]:
    """Actors with both ``cost_`` and ``approval_`` columns in every frame (first frame's order).

    Returns (common actors, actors missing somewhere).
    """
    found: list[list[str]] = []
    for frame in frames:
        if frame is None:
            continue
        columns = set(frame.columns)
        found.append(
            [
                actor
                for actor in Family.COST.keys_in(frame.columns)
                if approval_column(actor) in columns
            ]
        )
    if not found:
        return [], []
    every = set.intersection(*(set(f) for f in found))
    union: list[str] = []
    for actors in found:
        union += [a for a in actors if a not in union]
    return [a for a in found[0] if a in every], [a for a in union if a not in every]


def _statistic_specs(classes: Sequence[str], actors: Sequence[str]) -> list[tuple[str, str, str]]:
    """(statistic name, source column or ``outcome=<class>``, reducer) in report order."""
    specs = [(Family.SHARE.column(o), f"outcome={o}", "mean") for o in classes]
    specs.append(("decided_at_hours_median", "decided_at_hours", "median"))
    for actor in actors:
        for kind in ("cost", "approval"):
            specs.append((f"{kind}_{actor}_mean", f"{kind}_{actor}", "mean"))
            specs.append((f"{kind}_{actor}_median", f"{kind}_{actor}", "median"))
    return specs


def _column(runs: pd.DataFrame, source: str) -> np.ndarray:
    if source.startswith("outcome="):
        wanted = source.removeprefix("outcome=")
        return (runs["outcome"].astype("string") == wanted).fillna(False).to_numpy(dtype=float)
    return pd.to_numeric(runs[source], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _matrix(group: Group, specs: Sequence[tuple[str, str, str]]) -> np.ndarray:
    """Statistics × runs: row ``j`` is the source column of ``specs[j]``."""
    return np.vstack([_column(group.runs, source) for _, source, _ in specs])


def point_statistics(values: np.ndarray, reducers: Sequence[str]) -> np.ndarray:
    """Each row of ``values`` (statistics × runs) reduced by its reducer."""
    return np.array([reduce_runs(values[j], r) for j, r in enumerate(reducers)], dtype=float)


def bootstrap_differences(
    groups: Sequence[Group], *, n_boot: int = N_BOOT, seed: int = 0, level: float = 0.95
) -> pd.DataFrame:
    """Each group's difference from the first, with percentile bootstrap intervals.

    See :class:`Comparison` for the columns and the module docstring for the
    resampling scheme and seeding.
    """
    if n_boot < 1:
        raise CompareError(f"n_boot must be at least 1, got {n_boot}")
    if n_boot > MAX_BOOT:
        raise CompareError(f"--resamples: at most {MAX_BOOT:,}, got {n_boot:,}")
    classes = outcome_classes(groups)
    actors, _ = _actors(g.runs for g in groups)
    specs = _statistic_specs(classes, actors)
    names = [name for name, _, _ in specs]
    reducers = [reducer for _, _, reducer in specs]
    matrices = [_matrix(group, specs) for group in groups]
    estimates = [point_statistics(values, reducers) for values in matrices]
    children = np.random.SeedSequence(seed).spawn(len(groups) - 1)
    reference = groups[0]
    frames = []
    for group, values, estimate, child in zip(groups[1:], matrices[1:], estimates[1:], children, strict=True):
        lo, hi = bootstrap_difference(
            matrices[0],
            values,
            reducers,
            n_boot=n_boot,
            rng=np.random.default_rng(child),
            level=level,
            max_elements=CHUNK_ELEMENTS,
        )
        frames.append(
            pd.DataFrame(
                {
                    "group": group.label,
                    "reference": reference.label,
                    "statistic": names,
                    "reference_value": estimates[0],
                    "value": estimate,
                    "difference": estimate - estimates[0],
                    "lo": lo,
                    "hi": hi,
                }
            )
        )
    columns = ["group", "reference", "statistic", "reference_value", "value", "difference", "lo", "hi"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# --------------------------------------------------------------------------
# Fan charts
# --------------------------------------------------------------------------


def fan_variables(groups: Sequence[Group]) -> list[str]:
    """``escalation``, then ``cost_<actor>`` and ``approval_<actor>`` for actors in every group."""
    frames = [g.trajectories for g in groups if g.trajectories is not None]
    actors, _ = _actors(frames)
    return ["escalation", *(cost_column(a) for a in actors), *(approval_column(a) for a in actors)]


def carried_forward(trajectories: pd.DataFrame, run_ids: np.ndarray, column: str) -> np.ndarray:
    """Runs × rounds of ``column``; a run that stopped early keeps its last value afterwards.

    Rows follow ``run_ids``; columns are rounds 0 to the last round seen in
    ``trajectories``. Rounds before a run's first row stay NaN.
    """
    rounds = trajectories["round"].to_numpy(dtype=np.int64)
    n_rounds = int(rounds.max()) + 1 if len(rounds) else 0
    row_of = pd.Index(run_ids).get_indexer(trajectories["run_id"])
    keep = row_of >= 0
    dense = np.full((len(run_ids), n_rounds), np.nan)
    values = pd.to_numeric(trajectories[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    dense[row_of[keep], rounds[keep]] = values[keep]
    seen = np.where(np.isnan(dense), 0, np.arange(n_rounds))
    np.maximum.accumulate(seen, axis=1, out=seen)
    return np.take_along_axis(dense, seen, axis=1)


def fan_charts(
    groups: Sequence[Group],
    variables: Sequence[str] | None = None,
    quantiles: Sequence[float] = FAN_QUANTILES,
    *,
    by_outcome: bool = False,
) -> pd.DataFrame:
    """Per group, variable and round: ``n`` and the three ``quantiles`` (p10, median, p90).

    See :class:`Comparison` and the module docstring (runs that stopped early
    keep their last state). With ``by_outcome``, the same per group and outcome class
    of its runs, with ``outcome`` and ``share`` (the class's share of the group's runs)
    after ``group``: the modes of a group whose runs end in different ways.
    """
    if by_outcome:
        variables = list(variables) if variables is not None else fan_variables(groups)
        frames = []
        for group in groups:
            for outcome, runs in group.runs.groupby("outcome", sort=True):
                fans = fan_charts([Group(group.label, runs, group.trajectories)], variables, quantiles)
                fans.insert(1, "outcome", str(outcome))
                fans.insert(2, "share", len(runs) / len(group.runs))
                frames.append(fans)
        columns = ["group", "outcome", "share", "variable", "round", "hours", "n", "p10", "median", "p90"]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    variables = list(variables) if variables is not None else fan_variables(groups)
    columns = ["group", "variable", "round", "hours", "n", "p10", "median", "p90"]
    frames = []
    for group in groups:
        trajectories = group.trajectories
        if trajectories is None or trajectories.empty:
            continue
        run_ids = group.runs["run_id"].to_numpy()
        hours = trajectories.groupby("round", sort=True)["hours"].first()
        for variable in variables:
            if variable not in trajectories.columns:
                continue
            dense = carried_forward(trajectories, run_ids, variable)
            rounds = np.arange(dense.shape[1])
            with _warnings.catch_warnings():
                _warnings.simplefilter("ignore", RuntimeWarning)
                method: Literal["inverted_cdf", "linear"] = (
                    "inverted_cdf" if variable in LADDER_VARIABLES else "linear")
                p10, median, p90 = np.nanquantile(dense, list(quantiles), axis=0, method=method)
            frames.append(
                pd.DataFrame(
                    {
                        "group": group.label,
                        "variable": variable,
                        "round": rounds,
                        "hours": hours.reindex(rounds).to_numpy(dtype=float),
                        "n": (~np.isnan(dense)).sum(axis=0),
                        "p10": p10,
                        "median": median,
                        "p90": p90,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


# --------------------------------------------------------------------------
# Warnings and the whole comparison
# --------------------------------------------------------------------------


def version_warnings(groups: Sequence[Group]) -> list[str]:
    """A warning when groups of the same scenario come from different versions of it.

    Groups of different scenarios (``us_colombia_2025`` against
    ``us_colombia_2025_firm``) differ on purpose and are not warned about;
    two versions of one scenario name (its ``scenario_hash`` differs) are,
    since the differences then mix an edit of the file with chance. A group
    whose name is unknown is compared by hash with every other unnamed group.
    """
    by_name: dict[str | None, list[Group]] = {}
    for g in groups:
        if g.scenario_hash:
            by_name.setdefault(g.scenario_name or None, []).append(g)
    warnings = []
    for name, members in by_name.items():
        if len({g.scenario_hash for g in members}) <= 1:
            continue
        described = "; ".join(f"{g.label}: {str(g.scenario_hash)[:12]}" for g in members)
        warnings.append(
            f"groups come from different scenario versions of {name or 'an unnamed scenario'} "
            f"(scenario_hash differs); differences mix the scenario change with chance: {described}"
        )
    return warnings


def _completeness_warnings(batches: Sequence[Any]) -> list[str]:
    out = []
    for i, batch in enumerate(batches):
        manifest = _manifest(batch)
        expected, runs = manifest.get("n_runs"), _get(batch, "runs")
        if expected is not None and runs is not None and len(runs) < int(expected):
            out.append(
                f"{_source(batch) or _batch_label(batch, i)}: incomplete batch, "
                f"{len(runs)} of {int(expected)} runs"
            )
    return out


def groups_table(groups: Sequence[Group]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "group": [g.label for g in groups],
            "source": [g.source for g in groups],
            "scenario_name": [g.scenario_name for g in groups],
            "scenario_hash": [g.scenario_hash for g in groups],
            "n": [g.n for g in groups],
        }
    )


def compare(
    *batches: Any,
    by: str | None = None,
    labels: Sequence[str] | None = None,
    n_boot: int = N_BOOT,
    seed: int = 0,
    level: float = 0.95,
    crisis: int | None = None,
) -> Comparison:
    """Compare batches, or the sweep points of one batch along one sweep path.

    Args:
        *batches: batches as ``load_batch`` returns them (or mappings with
            ``manifest``, ``runs``, ``trajectories``, ``path``), or
            :class:`Group` objects built by hand.
        by: a sweep path of the one batch given: groups are its values,
            pooled over the other sweeps.
        labels: group labels for batches (default: folder names).
        n_boot: bootstrap resamples per group.
        seed: seed of the bootstrap (same seed, same intervals).
        level: confidence level of the Wilson and bootstrap intervals.
        crisis: for the batches of a campaign, the crisis compared (its
            number, from 1; default the last): the runs of that crisis only.

    Raises:
        CompareError: ``by`` with other than one batch, ``by`` not a sweep
            path, fewer than two groups, a group with no runs.
    """
    cut, crisis_notes = _one_crisis(batches, crisis)  # the one crisis compared of campaign batches
    for i, batch in enumerate(cut):
        runs = batch.runs if isinstance(batch, Group) else _get(batch, "runs")
        if runs is None or len(runs) == 0 or "outcome" not in runs.columns:
            where = batch.label if isinstance(batch, Group) else _source(batch) or _batch_label(batch, i)
            raise CompareError(f"{where}: no finished runs to compare")
    if cut and all(isinstance(b, Group) for b in cut):
        if by is not None:
            raise CompareError("--by needs a batch, not groups")
        groups = list(cut)
    elif by is not None:
        if len(cut) != 1:
            raise CompareError(f"--by compares the sweep points of one batch; got {len(cut)} batches")
        groups = sweep_groups(cut[0], by)
    else:
        groups = batch_groups(cut, labels)
    if len(groups) < 2:
        raise CompareError(f"need at least two groups to compare, got {len(groups)}")
    empty = [g.label for g in groups if g.n == 0]
    if empty:
        raise CompareError(f"no runs in group {', '.join(empty)}")

    notes = crisis_notes + version_warnings(groups)
    notes += _completeness_warnings([b for b in cut if not isinstance(b, Group)])
    _, partial = _actors(g.runs for g in groups)
    if partial:
        notes.append(
            f"not every group has actor(s) {', '.join(partial)}; their costs and approval are left out"
        )
    return Comparison(
        groups=groups_table(groups),
        shares=outcome_shares(groups, level),
        differences=bootstrap_differences(groups, n_boot=n_boot, seed=seed, level=level),
        fans=fan_charts(groups),
        modes=fan_charts(groups, by_outcome=True),
        warnings=notes,
        settings={
            "n_boot": n_boot,
            "seed": seed,
            "level": level,
            "fan_quantiles": list(FAN_QUANTILES),
            "by": by,
            "crisis": crisis,
        },
        actor_names={k: v for g in reversed(groups) for k, v in g.names.items()},
    )


# --------------------------------------------------------------------------
# JSON-ready values
# --------------------------------------------------------------------------


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as a list of JSON-ready row dicts."""
    return [json_ready(row) for row in frame.to_dict(orient="records")]
