"""`CrisisModel`: the rounds of a crisis, phase by phase, on Mesa.

One round lasts ``scenario.round_hours`` of simulated time: round ``r``
opens at hour ``(r - 1) * round_hours`` and closes at ``r * round_hours``. Its
phases, in the order :meth:`CrisisModel.step` runs them:

1. the round opens; scheduled events due by now happen
   (:func:`~crisis_sim.core.events.fire_events`);
2. every government decides at once, seeing the world as it stands at the
   opening of the round (simultaneous moves: no one gains from acting first);
3. the decisions take effect, and issues decided by them are classified
   (:func:`~crisis_sim.core.moves.apply_round`, :func:`~crisis_sim.core.rules.decide`);
   moves and decisions are dated at the opening of the round, and moves that
   conflict are ordered by when within the round each was made;
   then the round runs its course, and what follows is counted at its close:
4. flights land for receivers that accepted (:func:`~crisis_sim.core.rules.land_flights`);
5. measures in force cost both sides; approval moves
   (:func:`~crisis_sim.core.rules.costs_and_approval`);
6. every government updates its beliefs from what the others did
   (:func:`~crisis_sim.core.rules.update_beliefs`);
7. trajectories are recorded, and the run stops if the crisis is settled
   (:func:`~crisis_sim.core.rules.is_settled`).

The model holds the state of the run (see :class:`~crisis_sim.core.world.World`),
builds the views governments decide from, and runs the phases in order; the
rules themselves live in :mod:`~crisis_sim.core.moves`, :mod:`~crisis_sim.core.rules`
and :mod:`~crisis_sim.core.events`.

A round longer than :data:`TURN_HOURS` plays phases 1-3 and the learning of phase 6 once
per turn (the fewest equal turns of at most that many hours), and phases 4, 5 and 7 once, at
its close: the round length is a resolution of the record, and a reaction to a move is not
held back a whole long round (docs/model.md §2-3).

All randomness comes from the run's seed: each government draws its resolve
and its noisy choices from a stream of its own derived from the seed and its
description (:func:`~crisis_sim.core.government.actor_stream`), so no draw
depends on the governments' names or order.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from operator import attrgetter
from types import MappingProxyType
from typing import Any, NamedTuple

import mesa
import numpy as np

from crisis_sim.core import beliefs
from crisis_sim.core.advance import QUIET_TOLERANCE, QuietBlocks, decision_key
from crisis_sim.core.columns import belief_column
from crisis_sim.core.dynamics import annual_cost_share, attention, relations_next, round_probabilities_grid
from crisis_sim.core.events import fire_events
from crisis_sim.core.government import (
    Government,
    actor_description,
    actor_digest,
    actor_stream,
    full_description,
    is_stay,
    politics_stream,
)
from crisis_sim.core.legal import legal_moves
from crisis_sim.core.log import LogEntry
from crisis_sim.core.moves import apply_round
from crisis_sim.core.outcomes import (
    RoundCollector,
    escalation_level,
    final_outcomes,
    model_reporters,
)
from crisis_sim.core.politics import governments_fall
from crisis_sim.core.reputation import checked_belief
from crisis_sim.core.rules import (
    costs_and_approval,
    expire_proposals,
    is_settled,
    land_flights,
    open_proposals,
)
from crisis_sim.core.schema import Scenario
from crisis_sim.core.state import IssueRun, MeasureRun, Proposal, measure_flows
from crisis_sim.core.types import Action, ActionType, FlightStatus, MeasureState, Option
from crisis_sim.core.view import IssueView, MeasureView, Profile, WorldView


class PublicState(NamedTuple):
    """The parts of a view that are the same for every government: public facts and standing."""

    measures: tuple[MeasureView, ...]
    issues: tuple[IssueView, ...]
    resolve_beliefs: Mapping[str, beliefs.Belief]
    profiles: Mapping[str, Profile]


TURN_HOURS = 3.0
"""The longest turn: a round longer than this is played as several turns of at most this many
hours, each with its own decisions (:meth:`CrisisModel.step`). ASSUMPTION: the shortest round of
the bundled scenarios (the US–Colombia ones), shorter than any government's deliberation, so a
reaction is not held back longer than deliberation implies."""


def turns_in(round_hours: float) -> int:
    """How many turns a round of ``round_hours`` is played in: the fewest of at most
    :data:`TURN_HOURS` each."""
    return max(1, math.ceil(round_hours / TURN_HOURS - 1e-9))


_SCENARIO_CACHES: OrderedDict[int, tuple[Scenario, dict[Any, Any]]] = OrderedDict()


def scenario_cache(scenario: Scenario, keep: int = 16) -> dict[Any, Any]:
    """A cache shared by every run of one (immutable) scenario, for values that
    depend on the scenario alone: measure views by state, expected rates.

    Runs of a batch build the same views again and again; this builds each once
    per process. The last ``keep`` scenarios are kept (held, so ids stay unique).
    """
    key = id(scenario)
    if key in _SCENARIO_CACHES and _SCENARIO_CACHES[key][0] is scenario:
        _SCENARIO_CACHES.move_to_end(key)
        return _SCENARIO_CACHES[key][1]
    _SCENARIO_CACHES[key] = (scenario, {})
    while len(_SCENARIO_CACHES) > keep:
        _SCENARIO_CACHES.popitem(last=False)
    return _SCENARIO_CACHES[key][1]


def actor_streams(scenario: Scenario) -> list[tuple[str, int, int]]:
    """Each government's key with what its random stream derives from (the digest of its
    description and its number among identical ones: :func:`~crisis_sim.core.government.actor_stream`),
    in the order of the descriptions, which is the order the governments are made in.

    The same for every run of a scenario, so worked out once (:func:`scenario_cache`).
    """
    described = {k: (actor_description(a), full_description(a)) for k, a in scenario.actors.items()}
    seen: dict[str, int] = {}
    out = []
    for key in sorted(described, key=described.__getitem__):
        text = described[key][0]
        seen[text] = seen.get(text, -1) + 1
        out.append((key, actor_digest(scenario.actors[key]), seen[text]))
    return out


class CrisisModel(mesa.Model):
    """A diplomatic crisis over deportation flights.

    Args:
        scenario: a validated :class:`~crisis_sim.core.schema.Scenario`.
        seed: fixes every random draw of the run (resolve types, noisy choices).
        agent_records: also collect one record per government and round
            (approval, cost, resolve, commitment, beliefs): the actor frame of
            a run. Batches, which keep only the model-level trajectories (where
            each government's cost and approval are columns too), leave it off.
        initial_beliefs: public beliefs to start from instead of the priors, by
            government (a campaign carries them from one crisis to the next:
            ``crisis_sim.runs.campaign``); governments not named, or not in
            this scenario, start from their prior. None: every prior.
        quiet_tolerance: how far the turns of a quiet block may stray from being read one by
            one (:mod:`crisis_sim.core.advance`); 0 reads every turn afresh.
        initial_resolves: private resolves to start from instead of the draws, by government (a
            campaign carries each government's type from one crisis to the next); each
            government still draws from its stream, so the draws after it are unchanged.
    """

    def __init__(self, scenario: Scenario, seed: int = 0, *, agent_records: bool = True,
                 initial_beliefs: Mapping[str, beliefs.Belief] | None = None,
                 quiet_tolerance: float = QUIET_TOLERANCE,
                 initial_resolves: Mapping[str, float] | None = None):
        super().__init__(rng=seed)
        self.scenario_spec = scenario
        self.seed = seed
        self.dyn = scenario.dynamics
        self.hours = 0.0
        self.round = 0
        self.turn_hours = scenario.round_hours
        self.governments: dict[str, Government] = {}
        shared = scenario_cache(scenario)
        if "actors" not in shared:
            shared["actors"] = actor_streams(scenario)
            shared["descriptions"] = MappingProxyType(
                {k: full_description(a) for k, a in scenario.actors.items()})
        self.descriptions: Mapping[str, str] = shared["descriptions"]
        for key, digest, duplicate in shared["actors"]:
            self.governments[key] = Government(self, key, scenario.actors[key],
                                               actor_stream(seed, digest, duplicate),
                                               politics_stream(seed, digest, duplicate))
        self.governments = dict(sorted(self.governments.items()))
        for k, resolve in (initial_resolves or {}).items():
            if k in self.governments:
                self.governments[k].resolve = float(resolve)
        self._resolute_shares: dict[str, tuple[beliefs.Belief, float]] = {}
        self.public_beliefs: dict[str, beliefs.Belief] = {
            k: beliefs.prior(a.resolve.mean, a.resolve.sd) for k, a in sorted(scenario.actors.items())
        }
        """What everyone believes about each government's resolve (public: :mod:`crisis_sim.core.beliefs`)."""
        for k, carried in (initial_beliefs or {}).items():
            if k in self.public_beliefs:
                self.public_beliefs[k] = checked_belief(carried)
        self.trade = {(t.exporter, t.importer): t.usd_bn for t in scenario.trade}
        self._clock_texts: dict[float, str] = shared.setdefault("clock_texts", {})
        self.measures = {
            key: MeasureRun(key, m, sum(measure_flows(self.trade, m).values()),
                            view_cache=shared.setdefault(("views", key), {}),
                            expected_cache=shared.setdefault(("expected", key), {}))
            for key, m in sorted(scenario.measures.items())
        }
        self.issues = [
            IssueRun(
                i,
                spec,
                FlightStatus.REFUSED if spec.refused_at_start else FlightStatus.PENDING,
                spec.deportees_pending,
                refused_at=0.0 if spec.refused_at_start else None,
            )
            for i, spec in enumerate(scenario.issues)
        ]
        self.back_channels: set[frozenset[str]] = set()
        self.talks_opening: dict[frozenset[str], float] = {}
        self.talks_opener: dict[frozenset[str], set[str]] = {}
        self.proposals: dict[tuple[str, int], Proposal] = {}
        self.last_moves: dict[str, tuple[Action, ...]] = {}
        self.pending_events = sorted(scenario.events, key=lambda e: e.at_hours)
        self.log: list[LogEntry] = []
        self.turning_points: list[dict[str, Any]] = []
        self.settled = False
        self.relations = 1.0
        self.likelihoods: dict[str, list[float]] = {}
        """By government read in the last turn's learning: the likelihood of its choices on the belief
        grid (what a quiet block reads each wait with: :mod:`crisis_sim.core.advance`)."""
        self.unseen_hours: dict[str, float] = {}
        """By government that moved last round: the hours of that round after its move, which count
        towards its chance to move this round (:attr:`~crisis_sim.core.view.WorldView.unseen_hours`)."""
        self._public_round = -1
        self._public: PublicState | None = None
        self.moves_made = 0
        """Turns in which some government moved: a step of the world the others see."""
        self.reconsidering = True
        """Whether this turn is a decision point (:attr:`~crisis_sim.core.view.WorldView.reconsidering`)."""
        self.decision_key: tuple[Any, ...] | None = None
        """This turn's :func:`~crisis_sim.core.advance.decision_key` (its stepped state is reused
        by the quiet blocks' key at the same opening)."""
        self.decision_key_at: float | None = None
        """The hour it was read at."""
        self.quiet = QuietBlocks(self, quiet_tolerance, choice_likelihood)
        """The quiet blocks of the run: turns that reuse one reading of the choices
        (:mod:`crisis_sim.core.advance`)."""
        self.resolve_means = MappingProxyType({k: a.resolve.mean for k, a in scenario.actors.items()})
        self.approval_start = {k: g.approval for k, g in self.governments.items()}
        self.clock_text = self._clock_text()
        fire_events(self)
        self.escalation = escalation_level(self)
        agent_reporters = {  # attrgetter: what Mesa makes of an attribute name, read in C
            "actor": attrgetter("key"),
            "approval": attrgetter("approval"),
            "cost_usd_bn": attrgetter("cost_usd_bn"),
            "resolve": attrgetter("resolve"),
            "committed": attrgetter("committed"),
            **{belief_column(k): _belief_of(self, k) for k in self.governments},
        }
        self.datacollector = RoundCollector(
            model_reporters=model_reporters(self),
            agent_reporters=agent_reporters if agent_records else None,
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ clock

    @property
    def clock(self) -> datetime:
        """Simulated wall-clock time now."""
        return self.scenario_spec.start + timedelta(hours=self.hours)

    def _clock_text(self) -> str:
        """The clock in ISO 8601, as each round records it; the same for every run of a scenario."""
        text = self._clock_texts.get(self.hours)
        if text is None:
            text = self._clock_texts[self.hours] = self.clock.isoformat()
        return text

    # ------------------------------------------------------------------ round

    def step(self) -> None:
        """One round, phase by phase (see the module docstring).

        Phases 1-3 and the learning of phase 6 run once per *turn*: a round longer than
        :data:`TURN_HOURS` is played as the fewest equal turns no longer than that, so that a
        reaction to a move can come a turn after it, not a (long) round after it, and a long
        round stays a coarse view of the same crisis (docs/model.md §3). Flights, costs and
        approval are counted per turn; escalation, relations and the records once, at the
        round's close.
        """
        round_hours = self.scenario_spec.round_hours
        turns = turns_in(round_hours)
        self.turn_hours = round_hours / turns
        self.round += 1
        opening = (self.round - 1) * round_hours
        for turn in range(turns):
            # 1. the turn opens; scheduled events due by now happen
            self.hours = opening + turn * self.turn_hours
            self.clock_text = self._clock_text()
            fire_events(self)
            expire_proposals(self)
            # a decision point when the world changed by a step since the last turn opened (§7.7)
            key = decision_key(self)
            self.reconsidering = key != self.decision_key
            self.decision_key, self.decision_key_at = key, self.hours
            # 2. every government decides at once, from the start-of-turn views (or, in a quiet
            # block, from the options read at its epoch: core.advance)
            decisions = self.quiet.decisions()
            if decisions is None:
                decisions = [gov.decide() for gov in self.governments.values()]
            self._public_round = -1  # the shared views are stale once decisions apply
            # 3. the decisions take effect, together
            applied = apply_round(self, decisions)
            # a government that moved within the turn could not move again before it closed:
            # the rest of the turn is time it has not yet had to make its next move, so its
            # next chance to move counts from its move, not from the next opening (§3, 7.7)
            self.unseen_hours = {
                key: self.turn_hours - max(0.0, gov.moved_at)
                for key, gov in self.governments.items() if gov.moved_at is not None and applied.get(key)}
            # 6. beliefs update from the choices of this turn
            if self.quiet.reused:
                self.quiet.learn()
            else:
                self.learn_from_moves()
            self.last_moves = {d.actor: d.actions for d in decisions}
            if any(a.kind is not ActionType.WAIT for d in decisions for a in d.actions):
                self.moves_made += 1
            # the turn runs its course: 4. flights land; 5. measures cost, approval moves, for
            # the hours of the turn, counted at its close (a measure lifted in the round's second
            # turn still cost what it did in the first)
            last = turn == turns - 1
            self.hours = self.round * round_hours if last else opening + (turn + 1) * self.turn_hours
            self.clock_text = self._clock_text()
            land_flights(self)
            costs_and_approval(self)
            governments_fall(self)
            self.quiet.turn_played(decisions)
        # 7. trajectories are recorded; the run stops once settled (if asked)
        self.escalation = escalation_level(self)
        self.relations = relations_next(self.relations, self.escalation, round_hours)
        self.settled = is_settled(self)
        self.datacollector.collect(self)
        if self.settled and self.scenario_spec.stop_when_settled:
            self.running = False

    # ------------------------------------------------------------ the views

    def views_for(self, gov: Government) -> list[WorldView]:
        """One view per issue the government is party to, or one for a bystander."""
        mine = [i for i in self.issues if i.opened and gov.key in (i.spec.sender, i.spec.receiver)]
        public = self._public_state()
        by_index = {v.index: v for v in public.issues}
        focal: list[IssueView | None] = [by_index[i.index] for i in mine] or [None]
        return [self._view(gov, issue, public) for issue in focal]

    def settlement_key(self, me: str) -> tuple[Any, ...] | None:
        """What implementing the decided issues depends on, or None while any is contested.

        None too for a government with no issue of its own (its policy decides).
        """
        key: list[tuple[int | str, FlightStatus | MeasureState, bool]] = []
        for issue in self.issues:
            if me not in (issue.spec.sender, issue.spec.receiver) or not issue.opened:
                continue
            if issue.decided is None:
                return None
            key.append((issue.index, issue.status, issue.first_flight_at is not None))
        if not key:
            return None
        key.extend((m.id, m.state, m.lift_began_at is not None)
                   for m in self.measures.values() if m.spec.imposer == me)
        return tuple(key)

    def _public_state(self) -> PublicState:
        """What every view shows alike, as it stands at the start of this round.

        Built once a round and shared by every government (all decide at once).
        """
        if self._public_round != self.round:
            self._public = self._public_now()
            self._public_round = self.round
        assert self._public is not None  # built for this round
        return self._public

    def _public_now(self) -> PublicState:
        """What every view shows alike, as it stands now."""
        return PublicState(
            measures=tuple(self._measure_view(m) for m in self.measures.values()),
            issues=tuple(self._issue_view(i) for i in self.issues if i.opened),
            resolve_beliefs=MappingProxyType(dict(self.public_beliefs)),
            profiles=MappingProxyType({k: self._profile(g) for k, g in self.governments.items()}),
        )

    def _view(self, gov: Government, issue: IssueView | None, public: PublicState) -> WorldView:
        return WorldView(
            me=gov.key,
            role=gov.role,
            round=self.round,
            hours=self.hours,
            round_hours=self.turn_hours,
            resolve=gov.resolve,
            approval=gov.approval,
            approval_start=self.approval_start[gov.key],
            cost_usd_bn=gov.cost_usd_bn,
            gdp_usd_bn=gov.spec.gdp_usd_bn,
            committed=gov.committed,
            hours_committed=gov.hours_committed(),
            audience_cost=gov.spec.audience_cost,
            dignity=gov.spec.dignity,
            risk_tolerance=gov.spec.risk_tolerance,
            beliefs=MappingProxyType(self.beliefs_of(gov.key)),
            resolve_beliefs=public.resolve_beliefs,
            profiles=public.profiles,
            resolve_means=self.resolve_means,
            issue=issue,
            issues=public.issues,
            measures=public.measures,
            last_moves=MappingProxyType({k: v for k, v in self.last_moves.items() if k != gov.key}),
            proposals=MappingProxyType({k: p.terms for k, p in open_proposals(self, gov.key).items()}),
            proposed_to=frozenset(self._counterpart(self.issues[p.issue], gov.key)
                                  for (who, _), p in self.proposals.items() if who == gov.key),
            back_channels=frozenset(
                other for pair in self.back_channels if gov.key in pair for other in pair
                if other != gov.key
            ),
            offered_to_receive=gov.offered_to_receive,
            dynamics=self.dyn,
            unseen_hours=self.unseen_hours.get(gov.key, 0.0),
            talks_opening=frozenset(other for pair in self.talks_opening if gov.key in pair
                                    for other in pair if other != gov.key),
            reconsidering=self.reconsidering,
        )

    def _measure_view(self, m: MeasureRun) -> MeasureView:
        """The public view of a measure; rebuilt only when its state, step or rate moved."""
        rate = m.rate_now(self.hours)
        in_force = m.in_force(self.hours)
        target_gdp = self.governments[m.spec.target].spec.gdp_usd_bn
        imposer_gdp = self.governments[m.spec.imposer].spec.gdp_usd_bn
        lifting = m.lift_began_at is not None
        key = (m.state, m.forced_steps, rate, in_force, m.flow_usd_bn, target_gdp, imposer_gdp, lifting)
        cached = m.view_cache.get(key)
        if cached is not None:
            return cached
        expected = m.expected_rate(self.dyn.concern_days)
        share = m.spec.coverage * m.flow_usd_bn
        view = MeasureView(
            id=m.id,
            label=m.spec.label,
            kind=m.spec.kind,
            imposer=m.spec.imposer,
            target=m.spec.target,
            state=m.state,
            rate=rate,
            target_annual_share=annual_cost_share(share, 1.0, expected, m.spec.target_elasticity, target_gdp),
            imposer_annual_share=annual_cost_share(
                m.spec.coverage * m.imposer_flow_usd_bn, 1.0, expected, m.spec.imposer_elasticity, imposer_gdp
            ),
            political_pressure=m.spec.political_pressure,
            answered_in_kind=m.spec.answered_with_imposition,
            lift_after=m.spec.lift_after,
            can_escalate=m.state is MeasureState.IMPOSED
            and m.forced_steps < len(m.spec.schedule) - 1,
            in_force=in_force,
            lifting=lifting,
        )
        m.view_cache[key] = view
        return view

    def _issue_view(self, i: IssueRun) -> IssueView:
        return IssueView(
            index=i.index,
            sender=i.spec.sender,
            receiver=i.spec.receiver,
            status=i.status,
            decided=i.decided,
            face_saving=i.spec.face_saving,
            face_saving_share=i.spec.face_saving_share,
            first_flight_landed=i.first_flight_at is not None,
            hours_contested=0.0 if i.refused_at is None else self.hours - i.refused_at,
            aircraft=i.spec.aircraft,
            restraints=i.spec.restraints,
            deadline_in=None if i.deadline_at is None else i.deadline_at - self.hours,
            deadlines_missed=i.deadlines_missed,
            partial=tuple(i.spec.demand.partial) if i.spec.demand is not None else (),
            sender_attention=attention(self.hours - i.renewed_at, self.dyn.attention_half_life_days),
        )

    @staticmethod
    def _counterpart(issue: IssueRun, me: str) -> str:
        return issue.spec.sender if issue.spec.receiver == me else issue.spec.receiver

    def _profile(self, gov: Government) -> Profile:
        """What everyone knows of a government: its public attributes and standing."""
        return Profile(
            dignity=gov.spec.dignity,
            audience_cost=gov.spec.audience_cost,
            risk_tolerance=gov.spec.risk_tolerance,
            gdp_usd_bn=gov.spec.gdp_usd_bn,
            committed=gov.committed,
            hours_committed=gov.hours_committed(),
            approval=gov.approval,
            approval_start=self.approval_start[gov.key],
            temperature=gov.temperature,
            deliberation_hours=gov.spec.deliberation_hours,
        )

    # ------------------------------------------------------------- beliefs

    def beliefs_of(self, me: str) -> dict[str, float]:
        """P(resolve > 0.5) of every government but ``me``, as the public belief has it."""
        return {k: self.resolute_share(k) for k in self.public_beliefs if k != me}

    def resolute_share(self, key: str) -> float:
        """P(``key``'s resolve > 0.5) under the public belief about it.

        Worked out once per belief: a belief changes only when a round's moves are read, but
        every view and every record of a round asks for it. A belief is an immutable tuple,
        so the same object means the same share.
        """
        belief = self.public_beliefs[key]
        known = self._resolute_shares.get(key)
        if known is None or known[0] is not belief:
            known = self._resolute_shares[key] = (belief, beliefs.p_resolute(belief))
        return known[1]

    def learn_from_moves(self) -> None:
        """Phase 6: everyone updates the public belief about each party that chose this round.

        The likelihood of the option a government chose, at each resolve of
        the grid, is the probability its (publicly known) policy gives that
        option from the same view with that resolve
        (:meth:`~crisis_sim.core.government.Government.choice_probabilities`):
        the observers read the choice with the model that made it. Waiting is
        evidence too (holding out under pressure is likelier for the
        resolute); implementing a settlement is not, nor are bystanders' moves
        (they are not about their own resolve).
        """
        if not self.dyn.learning:  # beliefs frozen at the prior: nothing to read
            return
        updates = {}
        self.likelihoods = {}
        for gov in self.governments.values():
            if not gov.last_choices:
                continue
            likelihood = [1.0] * len(beliefs.GRID)
            for view, options, chosen in gov.last_choices:
                for k, p in enumerate(choice_likelihood(gov, view, chosen, options)):
                    likelihood[k] *= p
            self.likelihoods[gov.key] = likelihood
            updates[gov.key] = beliefs.update(self.public_beliefs[gov.key], likelihood)
        self.public_beliefs.update(updates)


    # ------------------------------------------------------- legal moves, outcomes

    def legal_actions(self, me: str, issue: IssueView | None) -> list[Action]:
        """Every move ``me`` may make now about ``issue`` (:func:`crisis_sim.core.legal.legal_moves`),
        from a view of the state as it stands now (not the start-of-round views)."""
        return legal_moves(self._view(self.governments[me], issue, self._public_now()))

    def final_outcomes(self) -> list[dict[str, Any]]:
        """Per issue: outcome, variant, and when it was decided (classifying undecided ones now)."""
        return final_outcomes(self)


def _belief_of(model: CrisisModel, other: str) -> Callable[[Government], float | None]:
    def report(gov: Government) -> float | None:  # gov.beliefs.get(other), without the others
        if other == gov.key or other not in model.public_beliefs:
            return None
        return model.resolute_share(other)

    return report


_GRID_OFFSETS = np.asarray(beliefs.GRID) - beliefs.GRID[0]
"""Each resolve of the belief grid less the lowest: where :func:`choice_likelihood` reads a line."""


def choice_likelihood(gov: Government, view: WorldView, chosen: Option,
                      weighed: list[Option] | None = None) -> list[float]:
    """P(``gov`` chooses ``chosen`` from ``view``) at each resolve of the belief grid.

    The policy is asked at the lowest and highest resolve of the grid; with
    the options it weighed at its true resolve (``weighed``; asked at the
    middle of the grid when not given) that makes three points. When it
    offers the same moves at all three and every utility at the third lies on
    the line through the ends (utilities affine in resolve, as the stake is),
    the utilities at the other grid points are read off that line; otherwise
    (a threshold of a rule, a kink) the policy is asked at every grid point.
    Either way the choice probabilities come from the same rule that made the
    choice (:func:`~crisis_sim.core.dynamics.round_probabilities`).
    """
    grid = beliefs.GRID
    lo, hi = 0, len(grid) - 1
    asked = {k: gov.reading_policy.options(view.with_resolve(grid[k])) for k in (lo, hi)}
    if weighed is None:
        third_resolve = grid[len(grid) // 2]
        third = gov.reading_policy.options(view.with_resolve(third_resolve))
    else:
        third_resolve, third = view.resolve, weighed
    stay_chosen = is_stay(chosen)
    moves = tuple(o.actions for o in asked[lo])
    if moves == tuple(o.actions for o in asked[hi]) == tuple(o.actions for o in third):
        low, high, middle = ([o.utility for o in x] for x in (asked[lo], asked[hi], third))
        span = grid[hi] - grid[lo]
        slopes = [(b - a) / span for a, b in zip(low, high, strict=True)]
        on_line = all(abs(a + s * (third_resolve - grid[lo]) - m) <= 1e-12
                      for a, s, m in zip(low, slopes, middle, strict=True))
        if on_line:
            options = asked[lo]
            stay = next((i for i, o in enumerate(options) if is_stay(o)), None)
            match = [i for i, o in enumerate(options)
                     if ((i == stay) if stay_chosen else o.actions == chosen.actions)]
            utilities = np.multiply.outer(_GRID_OFFSETS, slopes)  # each row: low + offset · slope
            utilities += low
            p = round_probabilities_grid(utilities, gov.temperature, view.hours_to_move, stay,
                                         gov.spec.deliberation_hours, view.reconsidering)
            if len(match) == 1:  # the usual case: one option is the move (a sum of one is itself)
                line: list[float] = p[:, match[0]].tolist()
                return line
            summed: list[float] = p[:, match].sum(axis=1).tolist()
            return summed
    out = []
    for k, r in enumerate(grid):
        options = asked[k] if k in asked else gov.reading_policy.options(view.with_resolve(r))
        probabilities = gov.choice_probabilities(view, options)
        out.append(sum(q for o, q in zip(options, probabilities, strict=True)
                       if (is_stay(o) if stay_chosen else o.actions == chosen.actions)))
    return out
