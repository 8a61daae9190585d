"""The shared parameters the back-test's calibration fits, and where their values come from.

Written by ``scripts/write_calibration_doc.py`` (``--run`` or ``--adopt``), not by hand: it
replaces :data:`VALUES` with a study's posterior medians when, and only when, that study's
verdict adopts them (docs/calibration.md, "The verdict: the rule of adoption"), and records
what they replaced. :class:`crisis_sim.core.schema.Dynamics` and
:class:`crisis_sim.core.schema.Scenario` take their defaults for these paths from here, so a
case that does not state them (every case of ``cases/``, by the shared rule of
docs/backtest.md) runs on the adopted values, while a scenario that states its own keeps them.

The model's fingerprint (:mod:`crisis_sim.core.fingerprint`) hashes :data:`VALUES`, not the
record of where they came from: right after an adoption, the model the study ran is
``model_fingerprint(values=REPLACED)``, and ``tests/data/figures.json`` records the adopted
model as the one the study describes (adopting its posterior is its own consequence).
"""

from __future__ import annotations

VALUES: dict[str, float] = {
    "dynamics.pain_weight": 17.18,
    "dynamics.audience_cost_scale": 0.163,
    "dynamics.stake_scale": 0.4072,
    "dynamics.concern_days": 138.3,
    "decision_noise": 0.01975,
    "dynamics.relationship_value": 0.0,
}
"""The default of each fitted scenario path (as ``--set`` and ``calibrate --param`` spell it)."""

ADOPTED_FROM: str | None = "full"
"""The study whose posterior medians :data:`VALUES` are (a name in docs/calibration.md), or
``None`` for values set by assumption."""

STUDY_FINGERPRINT: str | None = "ead2b2f1061da77d"
"""The fingerprint of the model that ran that study."""

REPLACED: dict[str, float] | None = {
    "dynamics.pain_weight": 10.0,
    "dynamics.audience_cost_scale": 0.15,
    "dynamics.stake_scale": 0.1,
    "dynamics.concern_days": 108.0,
    "decision_noise": 0.005,
}
"""The values the adoption replaced: with them the model is the one the study ran."""

POSTERIOR: list[dict[str, float]] = []
"""The adopted study's kept draws, closest first, each a value for every path of :data:`VALUES`
(to four significant digits). A run of a scenario that leaves fitted paths unstated draws one of
them, each as likely (:mod:`crisis_sim.core.posterior`): the model carries what the record
leaves uncertain about its shared parameters into every forecast, as the study scored it (its
posterior predictive; docs/calibration.md). Empty: every run takes :data:`VALUES`."""

REPLACED_POSTERIOR: list[dict[str, float]] | None = None
"""The kept draws the adoption replaced (with :data:`REPLACED`, the model the study ran)."""
