"""The calibrated posterior in every run: each run draws the shared parameters it leaves unstated.

A calibration by rejection ABC (docs/calibration.md) ends with a set of kept draws, a sample of
what the historical record leaves possible for the shared parameters. Scored out of sample, the
kept draws pooled (the *posterior predictive*) and a single point of them (their medians) are
different models, and the record may favour the first: a mixture hedges where no one value does
(gelman2013, ch. 1, on the posterior predictive distribution; beaumont2002). So
the model adopts the kept draws themselves (:data:`crisis_sim.core.calibrated.POSTERIOR`), and
each run of a scenario draws one of them, each as likely, for the fitted paths the scenario
leaves to the posterior (:attr:`crisis_sim.core.schema.Scenario.posterior`;
:func:`crisis_sim.core.model.posterior_drawn`): a batch of a case is
its posterior predictive, and its spread of outcomes includes what the record does not pin down.

The draw comes from a stream of its own, derived from the run's seed (so one seed still fixes a
run, and no other stream moves), and a scenario that states its values (every bundled lesson)
draws nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario

POSTERIOR_STREAM = 0x706F7374
"""Mixed into the run's seed for the posterior draw's own stream (b"post" as a number)."""


def draws_from_posterior(scenario: Scenario) -> bool:
    """Whether a run of ``scenario`` draws its fitted values from the calibrated posterior: it
    leaves some to it (``scenario.posterior``) and a posterior is adopted. Only then does its
    record say which kept draw it took (and a batch's runs table have ``posterior_draw``)."""
    from crisis_sim.core import calibrated

    return bool(scenario.posterior) and bool(calibrated.POSTERIOR)


def draw_index(seed: int, rows: int) -> int:
    """Which of ``rows`` kept draws the run seeded ``seed`` takes: uniform, from its own stream."""
    return int(np.random.default_rng(np.random.SeedSequence([seed, POSTERIOR_STREAM])).integers(rows))


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """``scenario`` with each fitted path of ``values`` set (no validation: the values are a
    kept draw of the prior ranges, which the study validated)."""
    dynamics: dict[str, Any] = {}
    top: dict[str, Any] = {}
    for path, value in values.items():
        section, _, field = path.rpartition(".")
        (dynamics if section == "dynamics" else top)[field] = value
    if dynamics:
        top["dynamics"] = scenario.dynamics.model_copy(update=dynamics)
    return scenario.model_copy(update=top)
