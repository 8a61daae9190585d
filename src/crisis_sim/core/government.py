"""The government agent: its state, and how it turns its policy's options into a decision."""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

import mesa
import numpy as np

from crisis_sim.core.canonical import canonical_json
from crisis_sim.core.dynamics import (
    draw_choice,
    draw_resolve,
    log_stay_per_hour,
    move_time,
    round_probabilities,
)
from crisis_sim.core.policy import make_policy
from crisis_sim.core.schema import Actor, Scenario
from crisis_sim.core.settlement import implement_settlement
from crisis_sim.core.types import ActionType, Decision, Option
from crisis_sim.core.view import WorldView


class Host(Protocol):
    """What a government needs of the model it lives in (:class:`~crisis_sim.core.model.CrisisModel`)."""

    rng: np.random.Generator
    hours: float
    scenario_spec: Scenario

    def settlement_key(self, me: str) -> tuple[Any, ...] | None: ...

    def beliefs_of(self, me: str) -> dict[str, float]: ...

    def views_for(self, gov: Government) -> list[WorldView]: ...


class Government(mesa.Agent):
    """A government in the crisis: a Mesa agent with public attributes, a private resolve,
    and the state it carries from round to round.

    Public attributes come from the scenario; ``resolve`` is private, drawn
    once per run from the scenario's distribution with the government's own
    random stream ``stream`` (see :func:`actor_stream`), which also draws its
    noisy choices: a government's draws do not depend on the others' names,
    their number or their order. State carried between rounds: approval,
    cumulative cost, the public commitment and its age. Beliefs about resolve
    are public and kept by the model (:mod:`crisis_sim.core.beliefs`).
    """

    model: Host

    def __init__(self, model: Host, key: str, spec: Actor, rng: np.random.Generator,
                 politics: np.random.Generator):
        super().__init__(model)
        self.key = key
        self.spec = spec
        self.role = spec.role
        self.stream = rng
        self.politics = politics
        """The government's political stream: when it falls, and its successors' resolve
        (:mod:`crisis_sim.core.politics`), apart from ``stream`` so that its choices are drawn
        the same whether or not governments may fall."""
        self.hazard_threshold = float(self.politics.exponential())
        """The integrated hazard at which this government falls (Exp(1), drawn once)."""
        self.hazard_integrated = 0.0
        """The hazard of falling integrated since it took office."""
        self.terms_in_office = 0
        """Governments that have fallen in this seat during the run."""
        self.resolve = draw_resolve(rng, spec.resolve.mean, spec.resolve.sd)
        self.approval = spec.approval
        self.cost_usd_bn = 0.0
        self.rally_gained = 0.0
        """Approval gained so far by standing firm while the rally lasted (before clipping to [0, 1])."""
        self.pain_lost = 0.0
        """Approval lost so far to economic pain."""
        self.pressure_lost = 0.0
        """Approval lost so far to the political pressure of measures in force against it."""
        self.talks_lost = 0.0
        """Approval paid so far for reaching out to open talks (``dynamics.talks_cost``)."""
        self.strain_lost = 0.0
        """Approval lost so far to the strained relationship of an open dispute
        (``dynamics.relationship_value``)."""
        self.deal_gained = 0.0
        """Approval gained (a receiver given an inducement or its counter-demand) or paid (its sender;
        a receiver that dropped its counter-demand) so far."""
        self.committed = spec.public_commitment
        self.committed_at = 0.0 if spec.public_commitment else None
        self.policy = make_policy(spec.policy.name, spec.policy.params)
        self.reading_policy = self.policy
        """The policy the others read this government's moves by: the one the scenario names
        (public). A person playing the seat replaces ``policy`` and keeps this one."""
        self.temperature = (
            spec.decision_noise if spec.decision_noise is not None else model.scenario_spec.decision_noise
        )
        self.last_choices: list[tuple[WorldView, list[Option], Option]] = []
        """This round's contested choices (the view, the options weighed at the true resolve and
        the one chosen), which the others learn from."""
        self.last_weighed: list[tuple[WorldView, list[Option] | Option | None]] = []
        """This round's choices as weighed: each view with the options weighed at the true resolve
        (or, for an issue being implemented, what is done): what a quiet block replays
        (:mod:`crisis_sim.core.advance`)."""
        self.offered_to_receive = False
        self._moved_after: float | None = None
        self.moved_at: float | None = None
        """When within the round this government chose to move (None if it waited, or only
        implemented a settlement): negative when it moved in the hours since the last change
        (:attr:`~crisis_sim.core.view.WorldView.unseen_hours`)."""
        self._settlement_memo: dict[tuple[Any, ...], Decision] = {}

    @property
    def beliefs(self) -> dict[str, float]:
        """P(resolve > 0.5) of every other government, as everyone believes it (public)."""
        return self.model.beliefs_of(self.key)

    def forget_settlement(self) -> None:
        """Drop the remembered ways of implementing a settlement (a new government decides afresh)."""
        self._settlement_memo.clear()

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
        self.last_choices = []
        if decision is None:
            self._moved_after = None
            self.last_weighed = []
            chosen = [option for view in self.model.views_for(self) if (option := self._choose(view))]
            actions = tuple(a for option in chosen for a in option.actions)
            reason = "; ".join(o.reason for o in chosen if o.reason) or "nothing to do"
            decision = Decision(self.key, actions, reason, self._moved_after or 0.0)
            if memo_key is not None:
                self._settlement_memo[memo_key] = decision
        self.moved_at = self._moved_after if memo_key is None else None
        return decision

    def _choose(self, view: WorldView) -> Option | None:
        if view.issue is not None and not view.issue.contested:
            if view.issue.review_due and view.me == view.issue.sender:
                return self._review(view)
            option = implement_settlement(view)
            self.last_weighed.append((view, option))
            return option
        options = self.policy.options(view)
        self.last_weighed.append((view, options))
        probabilities = self.choice_probabilities(view, options)
        index, position = draw_choice(probabilities, self.stream)
        stay = next((i for i, o in enumerate(options) if is_stay(o)), None)
        if stay is not None and index != stay:
            log_stay = log_stay_per_hour([o.utility for o in options], self.temperature, stay,
                                         self.spec.deliberation_hours, view.reconsidering)
            # the chance to move counts from the change the government has not yet acted on
            at = move_time(position, log_stay, view.hours_to_move) - view.unseen_hours
            self._moved_after = at if self._moved_after is None else min(self._moved_after, at)
        if view.issue is not None:
            self.last_choices.append((view, options, options[index]))
        return options[index]

    def _review(self, view: WorldView) -> Option:
        """The sender reviews a settlement: its policy weighs keeping the deal against reopening
        the crisis (:meth:`~crisis_sim.core.policy.Policy.review`), and it chooses by the logit
        rule, once, at the review date. Onlookers do not read the choice as a sign of resolve
        (docs/model.md §7.11)."""
        options = self.policy.review(view)
        index, _ = draw_choice(self.choice_probabilities(view, options), self.stream)
        return options[index]

    def choice_probabilities(self, view: WorldView, options: list[Option]) -> list[float]:
        """P(each option) this turn (:func:`round_probabilities`): a preferred move within the
        hour it is ready, a preferred wait held unless the view is a decision point
        (``view.reconsidering``); waiting is the option that changes nothing."""
        stay = next((i for i, o in enumerate(options) if is_stay(o)), None)
        return round_probabilities([o.utility for o in options], self.temperature, view.hours_to_move,
                                   stay, self.spec.deliberation_hours, view.reconsidering)


def is_stay(option: Option) -> bool:
    """Whether an option changes nothing (every action a wait)."""
    return all(a.kind is ActionType.WAIT for a in option.actions)


def actor_description(spec: Actor) -> str:
    """A government's description without its name or policy, in canonical form (keys sorted at
    every depth, numbers normalised: :mod:`crisis_sim.core.canonical`): what its random stream
    derives from. The order of a file's keys never moves a draw, and a government given another
    policy keeps its stream (its resolve is drawn the same), so comparing policies compares them
    on common random numbers."""
    return canonical_json(spec.model_dump(mode="json", exclude={"name", "policy"}))


def full_description(spec: Actor) -> str:
    """A government's whole description without its name (policy included), in canonical form:
    what orders governments whose :func:`actor_description` is the same."""
    return canonical_json(spec.model_dump(mode="json", exclude={"name"}))


def actor_digest(spec: Actor) -> int:
    """The part of :func:`actor_stream`'s seed that comes from the government's description
    (the same for every run of a scenario, so worked out once: ``model.actor_streams``)."""
    return int.from_bytes(hashlib.sha256(actor_description(spec).encode()).digest()[:8], "little")


POLITICS_STREAM = 1
"""The entry that tells a government's political stream from its choice stream."""


def politics_stream(seed: int, digest: int, duplicate: int = 0) -> np.random.Generator:
    """A government's political stream (:mod:`crisis_sim.core.politics`): derived as
    :func:`actor_stream` is, and independent of it."""
    return np.random.default_rng(np.random.SeedSequence([seed, digest, duplicate, POLITICS_STREAM]))


def actor_stream(seed: int, digest: int, duplicate: int = 0) -> np.random.Generator:
    """The random stream of one government in a run seeded ``seed``.

    Derived from the seed and the digest of the government's own description
    (:func:`actor_digest`; not its key, nor its place in the file), so renaming
    or reordering governments leaves every draw where it was. ``duplicate``
    tells apart governments whose descriptions are identical (exchangeable, so
    any numbering will do).
    """
    return np.random.default_rng(np.random.SeedSequence([seed, digest, duplicate]))
