"""The historical pattern of 26 January 2025, read off a batch's tables.

docs/sources.md §1.2 (P1–P6) and the timeline §1: Colombia refused, the US
announced a package (tariffs threatened, visa sanctions and inspections imposed
at once), Colombia counter-threatened, and within about twelve hours of the
announcement Colombia accepted on its own aircraft; the tariffs were never
imposed and the visa sanctions and inspections stayed until the first flight
landed. Each criterion is a column, so a report can say which ones fail.
"""

from __future__ import annotations

import pandas as pd

ANNOUNCED_WITH = "us_visa_sanctions"
"""The measure imposed with the announcement: its first hour in force dates it."""
KEPT_UNTIL_FIRST_FLIGHT = ("us_visa_sanctions", "us_inspections")


def colombia_2025_pattern(runs: pd.DataFrame, trajectories: pd.DataFrame) -> pd.DataFrame:
    """One row per run: each criterion of the pattern, ``pattern`` (P4–P6 all hold), the counter-threat
    and the hours from the announcement to the deal."""
    out = pd.DataFrame({"run_id": runs["run_id"]}).set_index("run_id")
    r = runs.set_index("run_id")
    out["face_saving_concession"] = (r["outcome"] == "target_concedes") & (r["variant"] == "face_saving")
    out["within_24h"] = r["decided_at_hours"].le(24)
    out["tariffs_never_imposed"] = r["furthest_us_tariff"] != "imposed"
    step = trajectories["hours"].diff()
    round_hours = float(step[step > 0].min()) if (step > 0).any() else 0.0
    kept = r["first_flight_hours"].notna()
    for measure in KEPT_UNTIL_FIRST_FLIGHT:
        last = trajectories[trajectories[f"rate_{measure}"] > 0].groupby("run_id")["hours"].max()
        kept &= (r[f"furthest_{measure}"] == "imposed") \
            & last.reindex(r.index).ge(r["first_flight_hours"] - round_hours)
    out["kept_until_first_flight"] = kept
    out["pattern"] = out[["face_saving_concession", "within_24h", "tariffs_never_imposed",
                          "kept_until_first_flight"]].all(axis=1)
    out["counter_threat"] = r["furthest_co_counter_tariff"].isin(["threatened", "imposed", "suspended"])
    # the measure bites from the round it is imposed in: the first round recorded with it in force
    # (recorded at the round's close) opened with the announcement (decisions are dated at the opening)
    announced = trajectories[trajectories[f"rate_{ANNOUNCED_WITH}"] > 0].groupby("run_id")["hours"].min() \
        - round_hours
    out["announcement_to_deal_hours"] = r["decided_at_hours"] - announced.reindex(r.index)
    return out.reset_index()
