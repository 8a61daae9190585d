"""The government agent: its state, and how it turns its policy's options into a decision."""

from __future__ import annotations

from typing import Protocol

import mesa
import numpy as np

from crisis_sim.core.dynamics import draw_resolve, logit_choice
from crisis_sim.core.policy import make_policy
from crisis_sim.core.schema import Actor, Scenario
from crisis_sim.core.settlement import implement_settlement
from crisis_sim.core.types import Decision, Option
from crisis_sim.core.view import WorldView


class Host(Protocol):
    """What a government needs of the model it lives in (:class:`~crisis_sim.core.model.CrisisModel`)."""

    rng: np.random.Generator
    hours: float
    scenario_spec: Scenario

    def settlement_key(self, me: str) -> tuple | None: ...

    def views_for(self, gov: Government) -> list[WorldView]: ...


class Government(mesa.Agent):
    """A government in the crisis: a Mesa agent with public attributes, a private resolve,
    and the state it carries from round to round.

    Public attributes come from the scenario; ``resolve`` is private, drawn
    once per run from the scenario's distribution with the model's generator.
    State carried between rounds: approval, cumulative cost, the public
    commitment and its age, and beliefs about each counterpart's resolve
    (P(resolute), starting from the counterpart's publicly known mean).
    """

    model: Host

    def __init__(self, model: Host, key: str, spec: Actor):
        super().__init__(model)
        self.key = key
        self.spec = spec
        self.role = spec.role
        self.resolve = draw_resolve(model.rng, spec.resolve.mean, spec.resolve.sd)
        self.approval = spec.approval
        self.cost_usd_bn = 0.0
        self.rally_gained = 0.0
        """Approval gained so far by standing firm while the rally lasted (before clipping to [0, 1])."""
        self.pain_lost = 0.0
        """Approval lost so far to economic pain."""
        self.pressure_lost = 0.0
        """Approval lost so far to the political pressure of measures in force against it."""
        self.committed = spec.public_commitment
        self.committed_at = 0.0 if spec.public_commitment else None
        self.beliefs: dict[str, float] = {}
        self.policy = make_policy(spec.policy.name, spec.policy.params)
        self.temperature = (
            spec.decision_noise if spec.decision_noise is not None else model.scenario_spec.decision_noise
        )
        self.last_decision: Decision | None = None
        self.offered_to_receive = False
        self._settlement_memo: dict[tuple, Decision] = {}

    def init_beliefs(self, others: dict[str, Actor]) -> None:
        """Common prior: each counterpart's resolve mean is public knowledge."""
        self.beliefs = {k: a.resolve.mean for k, a in others.items() if k != self.key}

    def hours_committed(self) -> float:
        return 0.0 if self.committed_at is None else self.model.hours - self.committed_at

    def decide(self) -> Decision:
        """Ask the policy about each issue (or the world, for a bystander) and choose.

        Once an issue is decided, its parties implement what was agreed
        (:func:`implement_settlement`) instead of playing on. Implementing is a
        pure function of the issue and the government's measures, so while those
        stand still the last answer is reused without building a view.
        """
        memo_key = self.model.settlement_key(self.key)
        decision = self._settlement_memo.get(memo_key) if memo_key is not None else None
        if decision is None:
            chosen = [option for view in self.model.views_for(self) if (option := self._choose(view))]
            actions = tuple(a for option in chosen for a in option.actions)
            reason = "; ".join(o.reason for o in chosen if o.reason) or "nothing to do"
            decision = Decision(self.key, actions, reason)
            if memo_key is not None:
                self._settlement_memo[memo_key] = decision
        self.last_decision = decision
        return decision

    def _choose(self, view: WorldView) -> Option | None:
        if view.issue is not None and not view.issue.contested:
            return implement_settlement(view)
        options = self.policy.options(view)
        index = logit_choice([o.utility for o in options], self.temperature, self.model.rng)
        return options[index]
