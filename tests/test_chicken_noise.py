"""The chicken lesson (docs/teaching.md) is not an artefact of the decision noise: what public
commitment does holds from a tenth of an approval point of noise to four times the default.

The lesson's two conclusions, at ``decision_noise`` 0.001, the scenario's 0.005 and 0.02:
a side committed in public swerves less often (Southland, the target, gives way less when it
has committed), and commitment makes the other side swerve more (Southland gives way more
when Northland has committed; Northland drops its demand more often when Southland has). The
last does not hold at 0.001 since others read a sender by its own rule (docs/model.md §7.22):
a Northland facing a committed Southland then mostly waits, neither pressing nor dropping its
demand (a standoff), and that comparison is an expected failure there.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from crisis_sim.runs import run_scenario
from crisis_sim.scenario import load_scenario
from crisis_sim.scenario.files import validate_data

SEEDS = range(60)
SWERVES = {"northland": ("initiator_backs_down", "defused"), "southland": ("target_concedes",)}
"""What counts as each side swerving: Northland drops its demand (before any threat: defused, or
after: backs down); Southland gives way."""


@cache  # both tests read the arms nobody / Southland committed at each noise: run once a worker
def _swerve_shares(noise: float, committed: str | None) -> dict[str, float]:
    data = load_scenario("chicken_audience_costs").model_dump(mode="json")
    data["decision_noise"] = noise
    if committed is not None:
        data["actors"][committed]["public_commitment"] = True
    scenario = validate_data(data, "chicken")
    outcomes = Counter(run_scenario(scenario, seed).outcome["outcome"] for seed in SEEDS)
    return {side: sum(outcomes[o] for o in kinds) / len(SEEDS) for side, kinds in SWERVES.items()}


def _shares(noise: float, committed: str | None) -> dict[str, float]:
    """:func:`_swerve_shares`, a copy of its own for the caller."""
    return dict(_swerve_shares(noise, committed))


MEASURED = ("Measured on 2026-12-07 over 200 seeds (nobody committed / Southland committed / Northland "
            "committed): Southland gives way in 9 / 0 / 63.5% at noise 0.001, 9.5 / 0 / 71.5% at 0.005 "
            "and 8 / 1 / 53% at 0.02; Northland drops its demand (backs down, or before any threat) in "
            "39 / 30.5% (nobody / Southland committed) at 0.001, 52.5 / 68.5% at 0.005, 69 / 80.5% at "
            "0.02; with Southland committed 60% of the runs end in a standoff at 0.001.")


@pytest.mark.parametrize("noise", [0.001, 0.005, 0.02])
def test_the_committed_side_holds_and_the_other_side_swerves_at_any_noise(noise):
    """Southland gives way less when it has committed and far more when Northland has, at every
    noise level. Power: with 60 seeds, were the true shares those measured (``MEASURED``), the two
    comparisons hold together with probability 0.997 at 0.001, 0.997 at 0.005 and 0.96 at 0.02
    (binomial simulation, 100,000 draws)."""
    nobody, south, north = (_shares(noise, c) for c in (None, "southland", "northland"))
    assert south["southland"] < nobody["southland"]  # the committed side holds
    assert north["southland"] > nobody["southland"] + 0.2  # the other side swerves


@pytest.mark.parametrize("noise", [
    pytest.param(0.001, marks=pytest.mark.xfail(strict=True, reason=(
        "at noise 0.001 a Northland facing a committed Southland mostly waits (standoff 60%): "
        "it drops its demand in 30.5% of 200 runs against 39% with nobody committed"))),
    0.005, 0.02])
def test_the_side_facing_a_commitment_drops_its_demand_more_often(noise):
    """Northland drops its demand more often when Southland has committed in public. Power: with
    60 seeds, were the true shares those measured (``MEASURED``), the comparison holds with
    probability 0.96 at 0.005 and 0.91 at 0.02; at 0.001, where it fails, it would hold by chance
    with probability 0.14 (these 60 seeds: 28% against 42%)."""
    nobody, south = (_shares(noise, c) for c in (None, "southland"))
    assert south["northland"] > nobody["northland"]
