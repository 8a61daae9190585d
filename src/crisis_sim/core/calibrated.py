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
    "dynamics.pain_weight": 12.45,
    "dynamics.audience_cost_scale": 0.2475,
    "dynamics.stake_scale": 0.3506,
    "dynamics.concern_days": 118.6,
    "decision_noise": 0.01937,
    "dynamics.relationship_value": 0.4123,
}
"""The default of each fitted scenario path (as ``--set`` and ``calibrate --param`` spell it)."""

ADOPTED_FROM: str | None = "full"
"""The study whose posterior medians :data:`VALUES` are (a name in docs/calibration.md), or
``None`` for values set by assumption."""

STUDY_FINGERPRINT: str | None = "9821efcbda56d1ea"
"""The fingerprint of the model that ran that study."""

REPLACED: dict[str, float] | None = {
    "dynamics.pain_weight": 17.26,
    "dynamics.audience_cost_scale": 0.2265,
    "dynamics.stake_scale": 0.3229,
    "dynamics.concern_days": 96.58,
    "decision_noise": 0.01937,
    "dynamics.relationship_value": 0.3908,
}
"""The values the adoption replaced: with them the model is the one the study ran."""

POSTERIOR: list[dict[str, float]] = [
    {
        "dynamics.pain_weight": 12.8,
        "dynamics.audience_cost_scale": 0.1604,
        "dynamics.stake_scale": 0.3657,
        "dynamics.concern_days": 115.7,
        "decision_noise": 0.01979,
        "dynamics.relationship_value": 0.4097,
    },
    {
        "dynamics.pain_weight": 21.14,
        "dynamics.audience_cost_scale": 0.276,
        "dynamics.stake_scale": 0.3355,
        "dynamics.concern_days": 94.02,
        "decision_noise": 0.01404,
        "dynamics.relationship_value": 0.1723,
    },
    {
        "dynamics.pain_weight": 13.38,
        "dynamics.audience_cost_scale": 0.3588,
        "dynamics.stake_scale": 0.3829,
        "dynamics.concern_days": 99.14,
        "decision_noise": 0.03488,
        "dynamics.relationship_value": 0.3719,
    },
    {
        "dynamics.pain_weight": 3.155,
        "dynamics.audience_cost_scale": 0.3304,
        "dynamics.stake_scale": 0.332,
        "dynamics.concern_days": 121.5,
        "decision_noise": 0.05569,
        "dynamics.relationship_value": 0.964,
    },
    {
        "dynamics.pain_weight": 8.915,
        "dynamics.audience_cost_scale": 0.2189,
        "dynamics.stake_scale": 0.1812,
        "dynamics.concern_days": 127.6,
        "decision_noise": 0.01059,
        "dynamics.relationship_value": 0.4516,
    },
    {
        "dynamics.pain_weight": 10.54,
        "dynamics.audience_cost_scale": 0.1268,
        "dynamics.stake_scale": 0.4669,
        "dynamics.concern_days": 148.2,
        "decision_noise": 0.01519,
        "dynamics.relationship_value": 0.5403,
    },
    {
        "dynamics.pain_weight": 22.7,
        "dynamics.audience_cost_scale": 0.1769,
        "dynamics.stake_scale": 0.3103,
        "dynamics.concern_days": 110.1,
        "decision_noise": 0.01896,
        "dynamics.relationship_value": 0.2828,
    },
    {
        "dynamics.pain_weight": 12.11,
        "dynamics.audience_cost_scale": 0.3882,
        "dynamics.stake_scale": 0.4387,
        "dynamics.concern_days": 190.8,
        "decision_noise": 0.04394,
        "dynamics.relationship_value": 0.4149,
    },
]
"""The adopted study's kept draws, closest first, each a value for every path of :data:`VALUES`
(to four significant digits). A run of a scenario that leaves fitted paths unstated draws one of
them, each as likely (:mod:`crisis_sim.core.posterior`): the model carries what the record
leaves uncertain about its shared parameters into every forecast, as the study scored it (its
posterior predictive; docs/calibration.md). Empty: every run takes :data:`VALUES`."""

REPLACED_POSTERIOR: list[dict[str, float]] | None = [
    {
        "dynamics.pain_weight": 12.8,
        "dynamics.audience_cost_scale": 0.1604,
        "dynamics.stake_scale": 0.3657,
        "dynamics.concern_days": 115.7,
        "decision_noise": 0.01979,
        "dynamics.relationship_value": 0.4097,
    },
    {
        "dynamics.pain_weight": 22.7,
        "dynamics.audience_cost_scale": 0.1769,
        "dynamics.stake_scale": 0.3103,
        "dynamics.concern_days": 110.1,
        "decision_noise": 0.01896,
        "dynamics.relationship_value": 0.2828,
    },
    {
        "dynamics.pain_weight": 10.75,
        "dynamics.audience_cost_scale": 0.3429,
        "dynamics.stake_scale": 0.2179,
        "dynamics.concern_days": 59.83,
        "decision_noise": 0.03954,
        "dynamics.relationship_value": 0.7674,
    },
    {
        "dynamics.pain_weight": 21.14,
        "dynamics.audience_cost_scale": 0.276,
        "dynamics.stake_scale": 0.3355,
        "dynamics.concern_days": 94.02,
        "decision_noise": 0.01404,
        "dynamics.relationship_value": 0.1723,
    },
    {
        "dynamics.pain_weight": 10.54,
        "dynamics.audience_cost_scale": 0.1268,
        "dynamics.stake_scale": 0.4669,
        "dynamics.concern_days": 148.2,
        "decision_noise": 0.01519,
        "dynamics.relationship_value": 0.5403,
    },
    {
        "dynamics.pain_weight": 13.38,
        "dynamics.audience_cost_scale": 0.3588,
        "dynamics.stake_scale": 0.3829,
        "dynamics.concern_days": 99.14,
        "decision_noise": 0.03488,
        "dynamics.relationship_value": 0.3719,
    },
    {
        "dynamics.pain_weight": 23.55,
        "dynamics.audience_cost_scale": 0.02192,
        "dynamics.stake_scale": 0.2828,
        "dynamics.concern_days": 88.06,
        "decision_noise": 0.01236,
        "dynamics.relationship_value": 0.2893,
    },
    {
        "dynamics.pain_weight": 27.44,
        "dynamics.audience_cost_scale": 0.3742,
        "dynamics.stake_scale": 0.1537,
        "dynamics.concern_days": 29.59,
        "decision_noise": 0.03216,
        "dynamics.relationship_value": 0.991,
    },
]
"""The kept draws the adoption replaced (with :data:`REPLACED`, the model the study ran)."""
