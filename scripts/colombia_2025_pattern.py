"""The historical pattern of 26 January 2025, read off a batch's tables.

docs/sources.md §1.2 (P1–P6) and the timeline §1: Colombia refused, the US
announced a package (tariffs threatened, visa sanctions and inspections imposed
at once), Colombia counter-threatened, and that evening Colombia accepted on
its own aircraft; the tariffs were never imposed and the visa sanctions and
inspections stayed until the first flight landed.

The pattern is read in two parts, and only the first is counted:

* **behaviour** (:data:`BEHAVIOUR`), what the governments chose: Colombia gives
  way (P4), before the US deadline, in the face-saving form (its own aircraft;
  P4), within 24 hours of its refusal (P4, T3–T9: refusal at 03:41, acceptance
  late that evening). Every timing criterion is stated in hours of simulated
  time from the refusal (the scenario's ``start``), never in rounds, so that it
  means the same whatever ``round_hours`` is (``scripts/pattern_round_length.py``
  checks the share at several round lengths);
* **inputs and implementation rules** (:data:`INPUTS_AND_RULES`), what follows
  from the scenario file or from the code once Colombia has given way, and so
  proves nothing about behaviour: the tariffs are never imposed (a sender that
  wins holds its unfired threats in reserve, and a concession before the
  deadline leaves nothing to impose: P5), and the visa sanctions and
  inspections are kept until the first flight lands (their ``lift_after:
  first_flight_landed`` in the file: P6). They are reported, as a check of the
  implementation, and not counted.

Each criterion is a column, so a report can say which ones fail.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

ANNOUNCED_WITH = "us_visa_sanctions"
"""The measure imposed with the announcement: its first hour in force dates it."""
KEPT_UNTIL_FIRST_FLIGHT = ("us_visa_sanctions", "us_inspections")
DEADLINE_HOURS = 24.0
"""The US deadline, in hours from the announcement (the scenario's ``deadline_hours``)."""
DEADLINE_PATH = "actors.united_states.policy.params.deadline_hours"
"""A batch that varies the deadline has it in a runs column of this name: each run's own is used."""
WITHIN_HOURS_OF_REFUSAL = 24.0
"""P4: Colombia gave way the same day, about 18 hours after its refusal (T3, T9)."""

BEHAVIOUR: tuple[str, ...] = ("gives_way", "before_deadline", "face_saving", "within_24h_of_refusal")
"""The criteria of the behavioural pattern, all of which must hold (the ``pattern`` column)."""
INPUTS_AND_RULES: tuple[str, ...] = ("tariffs_never_imposed", "kept_until_first_flight")
"""Criteria that follow from the file or the settlement rules: reported, not counted."""


def colombia_2025_pattern(runs: pd.DataFrame, trajectories: pd.DataFrame,
                          deadline_hours: float = DEADLINE_HOURS) -> pd.DataFrame:
    """One row per run: each criterion of :data:`BEHAVIOUR` and of :data:`INPUTS_AND_RULES`,
    ``pattern`` (every behavioural criterion holds), ``inputs_and_rules`` (every other one
    holds), the counter-threat, the hours of the deal and of the announcement (from the refusal)
    and the hours from the one to the other.

    ``decided_at_hours`` counts from the refusal; the announcement is dated at the opening of
    the round in which the US acted, and the deadline ``deadline_hours`` after it.
    """
    out = pd.DataFrame({"run_id": runs["run_id"]}).set_index("run_id")
    r = runs.set_index("run_id")
    step = trajectories["hours"].diff()
    round_hours = float(step[step > 0].min()) if (step > 0).any() else 0.0
    # the measure bites from the round it is imposed in: the first round recorded with it in force
    # (recorded at the round's close) opened with the announcement (decisions are dated at the opening)
    announced = (trajectories[trajectories[f"rate_{ANNOUNCED_WITH}"] > 0].groupby("run_id")["hours"].min()
                 - round_hours).reindex(r.index)
    deadline = r[DEADLINE_PATH] if DEADLINE_PATH in r.columns else deadline_hours
    decided = r["decided_at_hours"]

    out["gives_way"] = r["outcome"] == "target_concedes"
    out["before_deadline"] = decided.notna() & (announced.isna() | decided.lt(announced + deadline))
    out["face_saving"] = r["variant"] == "face_saving"
    out["within_24h_of_refusal"] = decided.le(WITHIN_HOURS_OF_REFUSAL)

    out["tariffs_never_imposed"] = r["furthest_us_tariff"] != "imposed"
    kept = r["first_flight_hours"].notna()
    for measure in KEPT_UNTIL_FIRST_FLIGHT:
        last = trajectories[trajectories[f"rate_{measure}"] > 0].groupby("run_id")["hours"].max()
        kept &= (r[f"furthest_{measure}"] == "imposed") \
            & last.reindex(r.index).ge(r["first_flight_hours"] - round_hours)
    out["kept_until_first_flight"] = kept

    out["pattern"] = out[list(BEHAVIOUR)].all(axis=1)
    out["inputs_and_rules"] = out[list(INPUTS_AND_RULES)].all(axis=1)
    out["counter_threat"] = r["furthest_co_counter_tariff"].isin(["threatened", "imposed", "suspended"])
    out["decided_at_hours"] = decided
    out["announced_at_hours"] = announced
    out["announcement_to_deal_hours"] = decided - announced
    return out.reset_index()


def pattern_lines(table: pd.DataFrame, columns: Sequence[str] = ("pattern", *BEHAVIOUR)) -> list[str]:
    """One line per criterion: runs that meet it, of all, the share and its 95% Wilson interval."""
    from crisis_sim.analysis.stats import wilson_interval

    n = len(table)
    lines = []
    for column in columns:
        k = int(table[column].sum())
        lo, hi = wilson_interval(k, n)
        lines.append(f"  {column:<24} {k:5d}/{n}  {k / n:6.1%}  (95% {lo:.1%}–{hi:.1%})")
    return lines
