"""The two outcome classes beyond Bueno de Mesquita & Lalman's endings (docs/model.md §7.13).

``claimed_by_both``: the demand met on terms that leave the target a share
(0.75 <= terms < 1). ``defused``: decided before either party threatened or
imposed a measure on the other. Each is shown happening in a bundled
scenario with ``--set`` style overrides, and not happening where it should not.
"""

from __future__ import annotations

from collections import Counter

import pytest

from crisis_sim.core.model import CrisisModel
from crisis_sim.core.rules import classify_terms
from crisis_sim.core.schema import History
from crisis_sim.core.types import Action, ActionType, Decision, Outcome, Variant
from crisis_sim.experiments.backtest.scoring import Observed, brier_score, outcome_shares
from crisis_sim.present.narrate import OUTCOME_WORDS, Teller
from crisis_sim.scenario import load_scenario

RUNS = 12


def endings(name: str, *overrides: str, n: int = RUNS) -> Counter:
    scenario = load_scenario(name, list(overrides))
    out = Counter()
    for seed in range(n):
        m = CrisisModel(scenario, seed, agent_records=False)
        while m.running and m.round < scenario.rounds:
            m.step()
        issue = m.issues[0]
        out[(issue.decided, issue.variant)] += 1
    return out


# ------------------------------------------------------------------ claimed by both

COLOMBIA_ON_TERMS = ("actors.colombia.policy.name=face_saver", "issues.0.face_saving=false")
"""Colombia proposes terms over the back channel instead of accepting on its own aircraft;
the United States (turn_the_screw) accepts terms of 0.75 or more."""


def test_terms_are_classified_at_the_quarters_and_at_one():
    assert classify_terms(1.0)[0] is Outcome.TARGET_CONCEDES
    assert classify_terms(0.99)[0] is Outcome.CLAIMED_BY_BOTH
    assert classify_terms(0.75)[0] is Outcome.CLAIMED_BY_BOTH
    assert classify_terms(0.74)[0] is Outcome.NEGOTIATED_SETTLEMENT
    assert classify_terms(0.25)[0] is Outcome.INITIATOR_BACKS_DOWN


def test_the_demand_met_on_terms_that_leave_the_target_a_share_is_claimed_by_both():
    """Every run settled on Colombia's terms of 0.8 is claimed by both. Talks are a move that takes
    6 h to open, so in seeds 0 and 7, whose Colombia drew the lowest resolve of the twelve (0.28,
    0.21), holding out comes to cost more than giving way before the United States has taken the
    terms: face_saver's breaking point, a plain acceptance."""
    got = endings("us_colombia_2025", *COLOMBIA_ON_TERMS, "actors.colombia.policy.params={offer_terms: 0.8}")
    assert got == {(Outcome.CLAIMED_BY_BOTH, Variant.TERMS): RUNS - 2, (Outcome.TARGET_CONCEDES, None): 2}


def test_the_sender_s_full_terms_are_the_target_conceding():
    got = endings("us_colombia_2025", *COLOMBIA_ON_TERMS, "actors.colombia.policy.params={offer_terms: 1.0}")
    assert got[(Outcome.CLAIMED_BY_BOTH, Variant.TERMS)] == 0
    assert sum(v for (o, _), v in got.items() if o is Outcome.TARGET_CONCEDES) == RUNS


def test_colombia_2025_stays_a_face_saving_concession():
    """The United States gave nothing in return: it kept visa sanctions and inspections until the
    first flight landed and held its tariffs in reserve. Colombia's own aircraft are its own way
    of giving way, not a concession by the sender.
    Power: with 20 runs, the assertion holds with probability 1.0 if the true share of face-saving
    concessions is 1.0 (20 of 20, measured on 2026-12-06); it is a bound on one arm, so there is no arm
    without the effect to compare it with."""
    got = endings("us_colombia_2025", n=20)
    assert got[(Outcome.TARGET_CONCEDES, Variant.FACE_SAVING)] >= 18
    assert not {o for o, _ in got} - {Outcome.TARGET_CONCEDES}


# ------------------------------------------------------------------ defused

NO_COERCION = "actors.northland.policy.params={coerce: false}"
"""Northland (expected_utility) keeps up its demand and bargains but never threatens."""


def test_a_refusal_settled_before_any_threat_is_defused():
    """Power: with 12 runs, the floor on decided runs holds with probability ≥ 0.999 if the true share is
    11/12 (measured on 2026-12-06); it is a bound on one arm, so there is no arm without the effect to
    compare it with."""
    accepted = endings("chicken_audience_costs", NO_COERCION, "actors.southland.policy.name=appeaser",
                       "actors.southland.policy.params={}")
    assert {o for o, _ in accepted} == {Outcome.DEFUSED} and sum(accepted.values()) == RUNS, accepted
    bargained = endings("chicken_audience_costs", NO_COERCION)
    settled = {o for o, _ in bargained if o is not None}  # with no pain, some stand off to the end
    assert settled == {Outcome.DEFUSED}, bargained
    assert sum(v for (o, _), v in bargained.items() if o) >= RUNS // 2, bargained


def test_a_crisis_with_threats_is_never_defused():
    """Every chicken run in which a threat came before the decision is classed otherwise than
    defused (a side may still give way in the first hours, before any threat: that is defused).
    Seeds are run until 15 runs with a threat are found (a sample to check, not a claim)."""
    scenario = load_scenario("chicken_audience_costs")
    threatened = []
    for seed in range(60):
        if len(threatened) >= 15:
            break
        m = CrisisModel(scenario, seed, agent_records=False)
        while m.running and m.round < scenario.rounds:
            m.step()
        outcome = m.final_outcomes()[0]
        decided_at = outcome["decided_at_hours"]
        if any(a.kind is ActionType.THREATEN for e in m.log for a in e.actions
               if decided_at is None or e.hours < decided_at):
            threatened.append(outcome["outcome"])
    assert len(threatened) >= 15 and Outcome.DEFUSED not in threatened, threatened


def _first_round(threat_after: float, accept_after: float) -> CrisisModel:
    """Round 1 of the chicken scenario with a Northland threat and Southland's acceptance at the
    given hours into the round."""
    m = CrisisModel(load_scenario("chicken_audience_costs"), 0, agent_records=False)
    from crisis_sim.core.moves import apply_round

    m.round, m.hours = 1, 0.0
    apply_round(m, [
        Decision("northland", (Action(ActionType.THREATEN, "northland", "southland", "north_tariff"),),
                 "threat", moved_after=threat_after),
        Decision("southland", (Action(ActionType.ACCEPT_FLIGHTS, "southland", "northland"),),
                 "accept", moved_after=accept_after),
    ])
    return m


def test_a_threat_earlier_in_the_round_counts_and_a_later_one_lapses():
    threatened_first = _first_round(threat_after=0.5, accept_after=2.0)
    assert threatened_first.issues[0].decided is Outcome.TARGET_CONCEDES
    accepted_first = _first_round(threat_after=2.0, accept_after=0.5)
    assert accepted_first.issues[0].decided is Outcome.DEFUSED
    assert accepted_first.measures["north_tariff"].threatened_at is None


def test_onlookers_learn_nothing_from_a_defused_dispute():
    from crisis_sim.core.rules import NO_PRECEDENT

    assert {Outcome.DEFUSED, Outcome.CLAIMED_BY_BOTH, Outcome.NEGOTIATED_SETTLEMENT} <= NO_PRECEDENT
    assert Outcome.TARGET_CONCEDES not in NO_PRECEDENT and Outcome.INITIATOR_BACKS_DOWN not in NO_PRECEDENT
    m = _first_round(threat_after=2.0, accept_after=0.5)
    assert m.public_beliefs["northland"] == CrisisModel(
        load_scenario("chicken_audience_costs"), 0, agent_records=False).public_beliefs["northland"]


# ------------------------------------------------------------------ words and scores


def test_every_class_has_words_and_a_verdict():
    assert set(OUTCOME_WORDS) == {o.value for o in Outcome}
    teller = Teller(load_scenario("chicken_audience_costs"))
    issue = {"sender": "northland", "receiver": "southland"}
    claimed = teller.verdict({**issue, "outcome": "claimed_by_both", "variant": "terms"})
    assert claimed.startswith("Southland met Northland's demand on terms") and "its own win" in claimed
    dropped = teller.verdict({**issue, "outcome": "defused", "status": "withdrawn"})
    assert dropped.startswith("Northland dropped its demand before either side threatened")
    accepted = teller.verdict({**issue, "outcome": "defused", "status": "accepted"})
    assert accepted.startswith("Southland accepted the flights before") and "defused" in accepted


@pytest.mark.parametrize("outcome", ["claimed_by_both", "defused"])
def test_a_case_record_may_name_the_new_classes_and_is_scored_on_them(outcome):
    history = History(outcome=outcome, source="docs/sources.md §5 C1.4")
    assert Observed.from_history(history).outcome == outcome
    shares = outcome_shares([outcome] * 3 + ["target_concedes"])
    assert shares[outcome] == 0.75
    assert brier_score(shares, outcome) == pytest.approx(0.25**2 * 2)


def test_one_entry_for_each_outcome_class_read_everywhere():
    """Every class has one entry (words, precedent, horizon, colour), and the narration, the
    precedent rule and the run summary read theirs from it."""
    from crisis_sim.core.rules import NO_PRECEDENT
    from crisis_sim.core.types import OUTCOME_CLASSES, Outcome, outcome_label
    from crisis_sim.present.decided import AT_THE_HORIZON
    from crisis_sim.present.narrate import OUTCOME_WORDS

    assert list(OUTCOME_CLASSES) == list(Outcome)
    assert len({c.label for c in OUTCOME_CLASSES.values()}) == len(Outcome)
    assert len({c.colour for c in OUTCOME_CLASSES.values()}) == len(Outcome)
    assert {o for o, c in OUTCOME_CLASSES.items() if not c.sets_precedent} == NO_PRECEDENT
    assert {Outcome.NEGOTIATED_SETTLEMENT, Outcome.CLAIMED_BY_BOTH, Outcome.DEFUSED} <= NO_PRECEDENT
    assert Outcome.TARGET_CONCEDES not in NO_PRECEDENT and Outcome.INITIATOR_BACKS_DOWN not in NO_PRECEDENT
    assert {Outcome.STANDOFF, Outcome.MUTUAL_ESCALATION} == AT_THE_HORIZON
    assert {o.value: c.words for o, c in OUTCOME_CLASSES.items()} == OUTCOME_WORDS
    assert outcome_label("target_concedes") == "target concedes"
    assert outcome_label("something_else") == "something else"
