"""A demand met in part (``demand.partial``, docs/model.md §7.11).

The receiver may meet the demand in one of the listed fractions and offer that
as the settlement; a sender that accepts it settles the issue at that
fraction (variant ``partial``), classified as terms are. Shown on the bundled
chicken scenario and on 2025 with ``--set`` style overrides, against the same
scenario without it.
"""

from __future__ import annotations

from collections import Counter

from conftest import finished_models
from crisis_sim.batch import run_batch
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.outcomes import outcome_record
from crisis_sim.core.types import Action, ActionType, Outcome, Variant
from crisis_sim.present.narrate import narrate
from crisis_sim.runs import run_scenario
from crisis_sim.scenario import load_scenario

RUNS = 20
HALF = "issues.0.demand={kind: flights, partial: [0.5]}"
SETTLES_FOR_HALF = "actors.united_states.policy.params.accept_terms_at_least=0.5"


def finished(name: str, *overrides: str, n: int = RUNS) -> list[CrisisModel]:
    return finished_models(name, list(overrides), range(n))


def endings(models) -> Counter:
    return Counter((m.issues[0].decided, m.issues[0].variant) for m in models)


def test_meeting_the_demand_in_part_changes_the_chicken_s_endings():
    """Seeds 0-39, measured on 2026-12-07 (the sender read by its own rule, docs/model.md §7.22).
    Without it: 16 back-downs by Northland, 13 settlements on the back channel's terms, 8 defused
    (3 of them on terms), 3 concessions. With half on offer: 24 settle on half (11 of them before
    any threat: defused), 3 on terms, 6 back-downs, 3 concessions, 4 defused outright. Meeting the
    demand halfway is a second way to settle, taken in place of the back channel's terms, and a
    way out for a side that would otherwise give way in full: a sender about to withdraw, losing
    its whole stake and face, does better to settle for half, and a receiver that reads it so
    offers half (a bargain both prefer to the fight, fearon1995). At 200 seeds: 114 on half
    against 0, terms 89 -> 33, a side gives way outright in 103 -> 45 (back-downs 84 -> 33,
    concessions 19 -> 12).
    Power: with 40 runs an arm, if the true shares are those of the 200 seeds (on half 0 and 0.57;
    on terms 0.45 and 0.17; giving way 0.52 and 0.23), taking the arms as independent, the floor on
    half holds with probability 1.0, the fall in terms 0.99 and the fall in giving way 0.99 (the
    arms share their seeds, which makes the falls likelier still); with no effect, each fall
    would hold with probability below one half."""
    runs = 40
    without = endings(finished("chicken_audience_costs", n=runs))
    with_half = endings(finished("chicken_audience_costs", HALF, n=runs))

    def settled(e: Counter, variant: Variant) -> int:
        return sum(v for (o, var), v in e.items()
                   if var is variant and o in (Outcome.NEGOTIATED_SETTLEMENT, Outcome.DEFUSED))

    assert settled(without, Variant.PARTIAL) == 0
    assert settled(with_half, Variant.PARTIAL) >= 0.15 * runs, with_half
    assert settled(with_half, Variant.TERMS) < settled(without, Variant.TERMS), (without, with_half)
    gave_way = (Outcome.TARGET_CONCEDES, Outcome.INITIATOR_BACKS_DOWN)
    gave = [sum(v for (o, _), v in e.items() if o in gave_way) for e in (without, with_half)]
    assert gave[1] < gave[0], (without, with_half)


def test_a_sender_settles_for_part_only_if_it_accepts_that_much():
    """2025 with half the flights on offer: the United States (turn_the_screw) accepts terms of 0.75
    or more, so half changes nothing (seeds 0-19: 20 face-saving concessions, as without it);
    willing to settle for 0.5, it takes half in 10 (8 of them before it had threatened anything:
    defused), and Colombia gives way on its own aircraft in the other 10. Willing to settle for 0.5
    with no half on offer, it never settles on part and Colombia gives way in every run, as
    without.
    Power: with 20 runs an arm, the floor on settlements on part holds with probability ≥ 0.97 if the
    true share is 0.5 (10 of 20, measured on 2026-12-06); the other arms are checked run for run."""
    baseline = endings(finished("us_colombia_2025"))
    assert endings(finished("us_colombia_2025", HALF)) == baseline
    settled = endings(finished("us_colombia_2025", HALF, SETTLES_FOR_HALF))
    partial = sum(v for (_, variant), v in settled.items() if variant is Variant.PARTIAL)
    assert partial >= 0.3 * RUNS
    willing_alone = endings(finished("us_colombia_2025", SETTLES_FOR_HALF))
    assert all(variant is not Variant.PARTIAL for (_, variant) in willing_alone)
    assert willing_alone.keys() == baseline.keys()
    assert sum(v for (o, _), v in willing_alone.items() if o is Outcome.TARGET_CONCEDES) == RUNS


def test_the_fraction_is_in_the_record_the_table_and_the_story(tmp_path):
    scenario = load_scenario("chicken_audience_costs", [HALF])
    result = next(r for s in range(RUNS) if (r := run_scenario(scenario, s)).outcome["variant"] == "partial"
                  and r.outcome["outcome"] != "defused")  # a part taken after threats (before any: defused)
    assert result.outcome["fraction_met"] == 0.5
    assert result.outcome["issues"][0]["fraction_met"] == 0.5
    assert result.outcome["outcome"] == "negotiated_settlement"
    story = " ".join(narrate(result).split())
    assert "Southland meets the demand in part (50%) and offers that to Northland as the settlement" in story
    assert "Southland met the demand in part (50%), and Northland accepted that as the settlement" in story
    turns = [p["text"] for p in result.outcome["turning_points"]]
    assert "Southland meets the demand in part (50%)" in turns
    runs = run_batch(scenario, 8, seed=0, workers=1, out=tmp_path / "batch", progress=False).runs
    partial = runs["variant"] == "partial"
    assert partial.any()
    assert (runs.loc[partial, "fraction_met"] == 0.5).all()
    assert runs.loc[~partial, "fraction_met"].isna().all()


def test_without_parts_the_records_are_as_before():
    model = finished("chicken_audience_costs", n=1)[0]
    record = outcome_record(model)
    assert "fraction_met" not in record and "fraction_met" not in record["issues"][0]


def test_only_the_listed_parts_are_legal_and_only_for_the_receiver():
    parts = "issues.0.demand={kind: flights, partial: [0.25, 0.5]}"
    scenario = load_scenario("chicken_audience_costs", [parts])
    model = CrisisModel(scenario, 0, agent_records=False)
    (south,) = model.views_for(model.governments["southland"])
    parts = sorted(a.terms for a in south.legal if a.kind is ActionType.COMPLY_IN_PART)
    assert parts == [0.25, 0.5]
    assert not south.is_legal(Action(ActionType.COMPLY_IN_PART, "southland", "northland", terms=0.3))
    (north,) = model.views_for(model.governments["northland"])
    assert not any(a.kind is ActionType.COMPLY_IN_PART for a in north.legal)


def test_a_player_in_the_receiver_s_seat_may_meet_the_demand_in_part():
    from crisis_sim.present.narrate import Teller
    from crisis_sim.teach.play import menu, parse_choice

    scenario = load_scenario("chicken_audience_costs", [HALF])
    model = CrisisModel(scenario, 0, agent_records=False)
    (view,) = model.views_for(model.governments["southland"])
    items = menu(view, Teller(scenario))
    (part,) = [i for i in items if i.action.kind is ActionType.COMPLY_IN_PART]
    assert part.key == "k50" and "Accept part of the flights (50%)" in part.label
    assert parse_choice("k 50", items) == (part.action,)
