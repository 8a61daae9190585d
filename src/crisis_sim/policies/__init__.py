"""Decision policies, registered by name (see :mod:`crisis_sim.policies.base`).

Importing this package registers every family:

* :mod:`.coercion` — ``hardliner``, ``turn_the_screw``
* :mod:`.conciliation` — ``appeaser``, ``face_saver``
* :mod:`.reciprocity` — ``tit_for_tat``
* :mod:`.dignity` — ``dignity_first``
* :mod:`.rational` — ``expected_utility``
* :mod:`.bystanders` — ``bandwagoner``, ``solidarity``, ``mediator``
"""

from crisis_sim.policies import bystanders, coercion, conciliation, dignity, rational, reciprocity
from crisis_sim.policies.base import (
    REGISTRY,
    Policy,
    PolicyParams,
    make_policy,
    policy_names,
    policy_problems,
    register,
)
from crisis_sim.policies.settlement import implement_settlement

__all__ = [
    "REGISTRY",
    "Policy",
    "PolicyParams",
    "bystanders",
    "coercion",
    "conciliation",
    "dignity",
    "implement_settlement",
    "make_policy",
    "policy_names",
    "policy_problems",
    "rational",
    "reciprocity",
    "register",
]
