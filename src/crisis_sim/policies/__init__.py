"""The built-in decision policies, one family a file, each class citing its sources.

They are offered through the ``crisis_sim.policies`` entry-point group (see
``pyproject.toml``), as a policy of another package would be, and looked up
by name in :data:`crisis_sim.core.policy.REGISTRY`:

* :mod:`.coercion` — ``hardliner``, ``turn_the_screw``
* :mod:`.conciliation` — ``appeaser``, ``face_saver``
* :mod:`.reciprocity` — ``tit_for_tat``
* :mod:`.dignity` — ``dignity_first``
* :mod:`.rational` — ``expected_utility``
* :mod:`.bystanders` — ``bandwagoner``, ``solidarity``, ``mediator``

:mod:`.human` seats a player (``crisis-sim play``) and is not registered.
Policies import only :mod:`crisis_sim.core`.
"""
