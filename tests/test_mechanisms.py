"""Each mechanism moves outcomes in the direction theory says (switched off, swept, or moved).

Figures over a few dozen seeds each, on the bundled scenarios with ``--set``
style overrides; the thresholds leave room for sampling error.
"""

from __future__ import annotations

import statistics

import pytest

from conftest import each_finished_model, finished_models
from crisis_sim.core.log import LogKind
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.types import ActionType, MeasureState, Outcome, Variant
from crisis_sim.scenario import load_scenario

RUNS = 40


def runs(name: str, *overrides: str, n: int = RUNS) -> list[CrisisModel]:
    return finished_models(name, list(overrides), range(n))


def share(models, outcome: Outcome) -> float:
    return sum(m.issues[0].decided is outcome for m in models) / len(models)


def first_threat_to_deal(m: CrisisModel) -> float | None:
    """Hours from the sender's first threat to the decision (None if undecided)."""
    issue = m.issues[0]
    for e in m.log:
        if e.kind is LogKind.DECISION and e.actor == issue.spec.sender and any(
                a.kind is ActionType.THREATEN for a in e.actions):
            return None if issue.decided_hours is None else issue.decided_hours - e.hours
    return None


def median_threat_to_deal(models) -> float:
    return statistics.median(t for m in models if (t := first_threat_to_deal(m)) is not None)


def imposed(models, measure: str) -> float:
    return sum(m.measures[measure].furthest is MeasureState.IMPOSED for m in models) / len(models)


@pytest.mark.xfail(strict=True, reason=(
    "measured miss after talks, the unmet-demand loss and decision points: median threat-to-deal "
    "9.0 h at Colombia's resolve 0.1 and 12.0 h at 0.9 (ordered, but 1.3x, not the 2x asked): a "
    "target gives way by opening talks within hours whatever its resolve"))
def test_a_resolute_target_holds_out_longer():
    """fearon1995: the more a government values the stake, the later it gives way.
    Power: with 40 runs an arm, the assertion holds with probability ≤ 0.003 if the true median
    threat-to-deal times are 9.0 h and 12.0 h at resolve 0.1 and 0.9 (the medians measured on 2026-12-06,
    standard errors 0.8 h and 1.5 h; normal approximation), so it fails as marked."""
    times = [median_threat_to_deal(runs("us_colombia_2025", f"actors.colombia.resolve.mean={r}"))
             for r in (0.1, 0.5, 0.9)]
    assert times == sorted(times)
    assert times[-1] >= 2 * times[0]


@pytest.mark.xfail(strict=True, reason=(
    'measured miss: a resolute (0.9) sender imposes its tariff in 0% of runs (asked > 80%): against '
    'a hardliner whose counter-tariff shows it will not yield, holding and imposing both leave the '
    'demand unmet (now a loss whatever it does), so the sender withdraws at about -11.7 points '
    'within a day; resolve scales the stake, not the willingness to bear pain'))
def test_bluffs_are_called_a_low_resolve_sender_backs_down_a_resolute_one_imposes():
    """A sender whose threat costs it dearly (an exporters' lobby hit by the counter-tariff)
    carries it out only if resolute (fearon1995 on bluffing; schelling1966).
    Power: with 40 runs an arm, the assertion holds with probability 0 if the true shares are those
    measured on 2026-12-06 (the low-resolve sender backs down in 100 % of runs; the resolute one imposes
    in 0 %, against more than 80 % asked), so it fails as marked."""
    hard = ["actors.eastmark.policy.name=hardliner", "actors.eastmark.policy.params={}",
            "measures.east_counter_tariff.political_pressure=0.0012", "actors.westmark.resolve.sd=0.05"]
    low = runs("turn_the_screw_ultimatum", *hard, "actors.westmark.resolve.mean=0.1")
    high = runs("turn_the_screw_ultimatum", *hard, "actors.westmark.resolve.mean=0.9")
    assert share(low, Outcome.INITIATOR_BACKS_DOWN) > 0.8
    assert imposed(low, "west_tariff") < 0.2
    assert imposed(high, "west_tariff") > 0.8
    assert share(high, Outcome.INITIATOR_BACKS_DOWN) < 0.2


@pytest.mark.xfail(strict=True, reason=(
    'measured miss: a resolute (0.9) sender carries out its threat in 5% of runs (asked > 80%), for '
    'the reason of the test above'))
def test_a_bluff_is_called_at_the_deadline_a_resolute_sender_carries_out_its_threat():
    """A resolute target that answers the ultimatum with a counter-threat its sender's exporters
    would feel (political pressure; the target does not give way before the deadline): at the
    deadline a low-resolve sender weighs carrying out its threat, and the answer it would bring,
    against withdrawing, and withdraws — the bluff is called after the deadline, not before it
    (it bore nothing while the threats stood); a resolute sender imposes (fearon1995 on bluffing,
    schelling1966 on deadlines and counter-threats). Seeds 0-39, sender's resolve 0.1 / 0.3 /
    0.5 / 0.7 / 0.9: it backs down in 40 / 40 / 40 / 20 / 1 runs, never before the deadline
    (median 48 / 48 / 54 / 63 / 75 h), and imposes its tariff in 2 / 6 / 32 / 38 / 40.
    Power: with 40 runs an arm, the assertion holds with probability < 0.001 if the true shares are those
    measured on 2026-12-06 (the low-resolve sender backs down in 40 of 40, never before hour 48; the
    resolute one imposes in 5 % and backs down in 100 %), so it fails as marked."""
    holds = ["measures.east_counter_tariff.political_pressure=0.002", "actors.westmark.resolve.sd=0.05",
             "actors.eastmark.resolve.mean=0.9", "actors.eastmark.resolve.sd=0.05"]
    low = runs("turn_the_screw_ultimatum", *holds, "actors.westmark.resolve.mean=0.1")
    high = runs("turn_the_screw_ultimatum", *holds, "actors.westmark.resolve.mean=0.9")
    backed = [m for m in low if m.issues[0].decided is Outcome.INITIATOR_BACKS_DOWN]
    assert len(backed) > 0.8 * len(low)
    assert all(m.issues[0].decided_hours >= 48 for m in backed)
    assert imposed(low, "west_tariff") < 0.2
    assert imposed(high, "west_tariff") > 0.8
    assert share(high, Outcome.INITIATOR_BACKS_DOWN) < 0.2


def test_a_nearer_deadline_brings_the_concession_sooner():
    """schelling1966: compellence needs a deadline; the target sees it and it presses.
    Power: with 40 runs an arm, the ordering holds with probability ≥ 0.81 if the true median
    threat-to-deal times are 9.0 h, 10.5 h and 82.5 h at deadlines of 6, 24 and 96 h (the medians
    measured on 2026-12-06, standard errors 1.5 h, 0.8 h and 3.8 h; normal approximation: 0.81 for the
    first step, 1.0 for the second), and holds with probability ≤ 1/6 when there is no effect (three
    medians of one continuous distribution fall in a given order one time in six)."""
    times = [median_threat_to_deal(runs("us_colombia_2025",
                                        f"actors.united_states.policy.params.deadline_hours={h}"))
             for h in (6, 24, 96)]
    assert times[0] < times[1] < times[2]


def test_talks_carry_the_face_saving_formula():
    """The face-saving formula needs talks, which the governments open themselves (no scripted
    channel in the bundled scenario): with talks that can never open within the three days,
    no run ends on Colombia's own aircraft and the tariff goes in (40 runs each).
    Power: with 40 runs an arm, the assertion holds with probability 1.0 if the true shares are those
    measured on 2026-12-06 (face-saving endings 100 % with talks and 0 % without; the tariff imposed in 0
    % and 100 %), and the comparison of the imposed shares holds with probability ≤ 0.003 when there is
    no effect."""
    talks = runs("us_colombia_2025", "rounds=24")  # three days tell it
    without = runs("us_colombia_2025", "dynamics.talks_lead_hours=1000", "rounds=24")
    face = [sum(m.issues[0].variant is Variant.FACE_SAVING for m in ms) / len(ms)
            for ms in (talks, without)]
    assert face[0] > 0.8 and face[1] == 0.0
    assert imposed(without, "us_tariff") > imposed(talks, "us_tariff") + 0.3


def test_a_mediator_can_settle_a_crisis_both_parties_accept_its_terms():
    """Split-the-difference terms put to both parties settle it once both accept (fearon1995:
    a bargain both prefer to fighting exists): runs settle at exactly the mediator's 0.5, which
    the parties' own proposals (0.4 and 0.7 in chicken) never give.
    Power: with 40 runs an arm, the assertion holds with probability ≥ 0.96 if the true shares of
    settlements at exactly 0.5 are 0.225 with the mediator and 0 without (9 of 40 and 0 of 40, measured
    on 2026-12-06), and holds with probability ≤ 0.008 when there is no effect."""
    mediated = runs("chicken_audience_costs",
                    "events=[{at_hours: 12, kind: mediation, actors: [northland, southland]}]")
    alone = runs("chicken_audience_costs", "events=[]")
    at_half = [m for m in mediated if m.issues[0].decided is Outcome.NEGOTIATED_SETTLEMENT
               and m.issues[0].terms == 0.5]
    assert len(at_half) >= 5
    assert not any(m.issues[0].decided is Outcome.NEGOTIATED_SETTLEMENT and m.issues[0].terms == 0.5
                   for m in alone)


def test_the_audience_cost_of_a_compromise_is_shared_by_how_far_each_side_moved():
    """fearon1994: backing part of the way from a public stand costs part of the audience cost."""
    committed = ["actors.northland.public_commitment=true", "actors.southland.public_commitment=true",
                 "events=[{at_hours: 12, kind: mediation, actors: [northland, southland]}]"]
    for m in each_finished_model("chicken_audience_costs", committed, range(RUNS)):
        issue = m.issues[0]
        if issue.decided is not Outcome.NEGOTIATED_SETTLEMENT or issue.terms != 0.5:
            continue  # the mediator's halfway terms (the parties may also settle on their own)
        lost = {k: m.approval_start[k] - g.approval - g.pain_lost - g.pressure_lost - g.talks_lost
                + g.rally_gained for k, g in m.governments.items()}
        assert lost["northland"] > 0 and lost["southland"] > 0
        assert lost["northland"] == pytest.approx(lost["southland"], rel=0.3)  # terms 0.5: halfway each
        return
    pytest.fail("no negotiated settlement to look at")


def decided_hours(m: CrisisModel) -> float | None:
    """When the first issue was decided (a mutual escalation: when the later side imposed)."""
    return m.final_outcomes()[0]["decided_at_hours"]


def outcome_of(m: CrisisModel) -> Outcome:
    return Outcome(m.final_outcomes()[0]["outcome"])


@pytest.mark.parametrize("name", ["us_colombia_2025", "us_colombia_2025_firm", "chicken_audience_costs",
                                  "turn_the_screw_ultimatum", "deportations_2025_region"])
def test_the_round_length_is_a_resolution(name):
    """Noise, deliberation and every rate are per hour, and moves that conflict within a round
    are ordered by when they were made: halving or doubling the round moves the median decision
    by at most one (longer) round, and each outcome share by less than twice the standard error
    of the difference between two shares of this many runs.
    Power: with 100 runs an arm, the share checks hold with probability ≥ 0.65 (chicken_audience_costs),
    0.94 (us_colombia_2025_firm) and 1.0 (the other three, where every run ends one way) if the true
    shares are those measured on 2026-12-06 (chicken 18 / 53 / 12 / 17 % concede / settle / defused /
    back down at every round length; the firm what-if 99 to 100 % back down), and fail with probability ≤
    0.35, 0.03 and 0 when there is no effect; these figures take the arms as independent, whereas they
    share their seeds and gave identical counts, so they bound how often the check fails from above."""
    base = load_scenario(name)
    span = min(base.rounds * base.round_hours, 240.0)  # ten days: every scenario has decided by then
    n = 100
    plays = {h: runs(name, f"round_hours={h}", f"rounds={round(span / h)}", n=n)
             for h in (base.round_hours / 2, base.round_hours, base.round_hours * 2)}
    reference = plays[base.round_hours]
    for hours, models in plays.items():
        times = [[t for m in ms if (t := decided_hours(m)) is not None] for ms in (reference, models)]
        if times[0] and times[1]:
            medians = [statistics.median(t) for t in times]
            assert abs(medians[1] - medians[0]) <= max(hours, base.round_hours), (hours, medians)
        for outcome in Outcome:
            a = sum(outcome_of(m) is outcome for m in reference) / n
            b = sum(outcome_of(m) is outcome for m in models) / n
            pooled = (a + b) / 2
            assert abs(a - b) <= 2 * (2 * pooled * (1 - pooled) / n) ** 0.5 + 1e-9, (hours, outcome, a, b)


def test_beliefs_are_calibrated():
    """fearon1995: beliefs are Bayesian, read with the policies' own choice probabilities, so over
    2,000 runs of the chicken lesson's whole 30-day horizon (both sides' resolve uncertain, every
    statement of every round while the crisis is undecided) the share of statements 'the other
    is resolute' that came true matches what was stated, bin by bin, within 0.1 in every bin of
    100 or more statements (scripts/belief_reliability.py prints the table). Power: a bin's gap
    is a mean over the runs that fill it (20 to 2,000 of them); with the between-run spread seen
    here, a true gap of 0.1 lies outside the bootstrap interval of the smallest judged bins about
    half the time, of the large ones nearly always."""
    from crisis_sim.experiments import reliability

    table = reliability.reliability(reliability.statements("chicken_audience_costs", 2000, workers=2))
    judged = [b for b in table if b.count >= reliability.MIN_COUNT]
    assert len(judged) >= 3
    assert all(b.gap <= 0.1 for b in judged), table


def test_a_face_saving_receiver_settles():
    """It gives way on its own aircraft once the back channel allows the formula (it used to check
    the wrong proposals and stand off for 30 days), and two face savers meet on terms.
    Power: with 20 runs an arm, the assertion holds with probability ≥ 0.997 if the true shares are 1.0
    (Colombia gives way) and 0.95 (the two face savers settle), the shares measured on 2026-12-06; each
    is a bound on one arm, so there is no arm without the effect to compare it with."""
    colombia = runs("us_colombia_2025", "actors.colombia.policy.name=face_saver",
                    "actors.colombia.policy.params={}", n=20)
    assert share(colombia, Outcome.TARGET_CONCEDES) >= 0.9
    both = runs("chicken_audience_costs", *(f"actors.{a}.policy.{k}" for a in ("northland", "southland")
                                           for k in ("name=face_saver", "params={}")), n=20)
    assert share(both, Outcome.NEGOTIATED_SETTLEMENT) >= 0.8
