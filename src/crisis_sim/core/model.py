"""`CrisisModel`: the rounds of a crisis, phase by phase, on Mesa.

One round lasts ``scenario.round_hours`` of simulated time: round ``r``
opens at hour ``(r - 1) * round_hours`` and closes at ``r * round_hours``. A round longer
than :data:`TURN_HOURS` is played as the fewest equal turns of at most that many hours.
:meth:`CrisisModel.step` plays each turn's phases, a method each, in this order:

1. :meth:`~CrisisModel.open_turn`: the turn opens; scheduled events due by now happen
   (:func:`~crisis_sim.core.events.fire_events`), lapsed proposals go;
2. :meth:`~CrisisModel.decide_together`: every government decides at once, seeing the
   world as it stands at the turn's opening (simultaneous moves: no one gains from acting
   first; the views: :mod:`~crisis_sim.core.view_building`);
3. :meth:`~CrisisModel.take_effect`: the decisions take effect, and issues decided by them
   are classified (:func:`~crisis_sim.core.moves.apply_round`,
   :func:`~crisis_sim.core.rules.decide`); moves that conflict are ordered by when within
   the turn each was made;
4. :meth:`~CrisisModel.learn`: everyone updates the public beliefs from what the others
   chose (:func:`~crisis_sim.core.inference.learn_from_moves`);
5. and 6. :meth:`~CrisisModel.run_course`: the turn runs its course and what follows is
   counted at its close: flights land for receivers that accepted
   (:func:`~crisis_sim.core.rules.land_flights`); measures in force cost both sides,
   approval moves (:func:`~crisis_sim.core.rules.costs_and_approval`) and governments may
   fall (:func:`~crisis_sim.core.politics.governments_fall`);

and once a round, at its close:

7. :meth:`~CrisisModel.close_round`: the trajectories are recorded, and the run stops if
   the crisis is settled (:func:`~crisis_sim.core.rules.is_settled`).

The model holds the state of the run (see :class:`~crisis_sim.core.world.World`) and runs
the phases in order; the rules themselves live in :mod:`~crisis_sim.core.moves`,
:mod:`~crisis_sim.core.rules` and :mod:`~crisis_sim.core.events`, the views governments
decide from are built by :mod:`~crisis_sim.core.view_building`, and what observers learn
from a move is worked out by :mod:`~crisis_sim.core.inference`.

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
from typing import Any

import mesa

from crisis_sim.core import beliefs, calibrated, posterior
from crisis_sim.core.advance import QUIET_TOLERANCE, QuietBlocks, decision_key
from crisis_sim.core.columns import belief_column
from crisis_sim.core.dynamics import relations_next
from crisis_sim.core.events import fire_events
from crisis_sim.core.government import (
    Government,
    actor_description,
    actor_digest,
    actor_stream,
    full_description,
    politics_stream,
)
from crisis_sim.core.inference import choice_likelihood, learn_from_moves
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
    expire_proposals,
    is_settled,
    land_flights,
)
from crisis_sim.core.schema import Scenario
from crisis_sim.core.state import IssueRun, MeasureRun, Proposal, measure_flows
from crisis_sim.core.types import Action, ActionType, Decision, FlightStatus
from crisis_sim.core.view import IssueView, WorldView
from crisis_sim.core.view_building import PublicState, public_now, view_of

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


def posterior_drawn(scenario: Scenario, seed: int) -> tuple[Scenario, int | None]:
    """The scenario a run seeded ``seed`` plays, and which kept draw of the calibrated posterior it
    took (None: it leaves no path to the posterior, or none is adopted): the paths of
    ``scenario.posterior`` take one kept draw's values (:mod:`crisis_sim.core.posterior`). Each
    draw's scenario is made once per scenario (:func:`scenario_cache`), so that the runs that
    take it share its caches too."""
    if not posterior.draws_from_posterior(scenario):
        return scenario, None
    k = posterior.draw_index(seed, len(calibrated.POSTERIOR))
    shared = scenario_cache(scenario)
    key = ("posterior", k)
    if key not in shared:
        draw = calibrated.POSTERIOR[k]
        shared[key] = posterior.with_values(scenario, {p: draw[p] for p in scenario.posterior})
    return shared[key], k


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
        posterior_seed: the seed that picks the kept draw of the calibrated posterior (None:
            ``seed``); a campaign gives every crisis its own seed, so that its shared parameters
            are one draw for the whole campaign, as the world it plays in is one.
    """

    def __init__(self, scenario: Scenario, seed: int = 0, *, agent_records: bool = True,
                 initial_beliefs: Mapping[str, beliefs.Belief] | None = None,
                 quiet_tolerance: float = QUIET_TOLERANCE,
                 initial_resolves: Mapping[str, float] | None = None,
                 posterior_seed: int | None = None):
        super().__init__(rng=seed)
        # the calibrated posterior's draw in place (crisis_sim.core.posterior); which one, or None
        picks = seed if posterior_seed is None else posterior_seed
        scenario, self.posterior_draw = posterior_drawn(scenario, picks)
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
        agent_reporters: dict[str, Callable[..., object]] = {  # attrgetter: read in C
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
        """One round: its turns, each played phase by phase, then the round's record.

        A round longer than :data:`TURN_HOURS` is played as the fewest equal turns no longer
        than that, so that a reaction to a move can come a turn after it, not a (long) round
        after it, and a long round stays a coarse view of the same crisis (docs/model.md §3).
        Phases 1-6 run once per turn (flights, costs and approval are counted per turn);
        phase 7 once, at the round's close.
        """
        round_hours = self.scenario_spec.round_hours
        turns = turns_in(round_hours)
        self.turn_hours = round_hours / turns
        self.round += 1
        opening = (self.round - 1) * round_hours
        for turn in range(turns):
            last = turn == turns - 1
            self.open_turn(opening + turn * self.turn_hours)
            decisions = self.decide_together()
            self.take_effect(decisions)
            self.learn(decisions)
            self.run_course(self.round * round_hours if last else opening + (turn + 1) * self.turn_hours,
                            decisions)
        self.close_round()

    def open_turn(self, hours: float) -> None:
        """Phase 1: the turn opens at ``hours``; scheduled events due by now happen, lapsed
        proposals go; the turn is a decision point when the world changed by a step since the
        last turn opened (docs/model.md §7.7). In a quiet block before the next hour at which
        anything falls due (:meth:`~crisis_sim.core.advance.QuietBlocks.steady`) nothing is due and
        nothing has changed by a step: the turn opens as the last did."""
        self.hours = hours
        self.clock_text = self._clock_text()
        if self.quiet.steady():  # a quiet block's turn before anything falls due: the key stands
            self.reconsidering = False
            self.decision_key_at = hours
            return
        fire_events(self)
        expire_proposals(self)
        key = decision_key(self)
        self.reconsidering = key != self.decision_key
        self.decision_key, self.decision_key_at = key, self.hours

    def decide_together(self) -> list[Decision]:
        """Phase 2: every government decides at once, from the views as they stand at the
        turn's opening (or, in a quiet block, from the options read at its epoch:
        :mod:`crisis_sim.core.advance`)."""
        decisions = self.quiet.decisions()
        if decisions is None:
            decisions = [gov.decide() for gov in self.governments.values()]
        self._public_round = -1  # the shared views are stale once decisions apply
        return decisions

    def take_effect(self, decisions: list[Decision]) -> None:
        """Phase 3: the decisions take effect, together (:func:`~crisis_sim.core.moves.apply_round`).

        A government that moved within the turn could not move again before it closed: the
        rest of the turn is time it has not yet had to make its next move, so its next chance
        to move counts from its move, not from the next opening (docs/model.md §3, 7.7).
        """
        applied = apply_round(self, decisions)
        self.unseen_hours = {
            key: self.turn_hours - max(0.0, gov.moved_at)
            for key, gov in self.governments.items() if gov.moved_at is not None and applied.get(key)}

    def learn(self, decisions: list[Decision]) -> None:
        """Phase 4: the public beliefs update from the choices of this turn
        (:func:`~crisis_sim.core.inference.learn_from_moves`; in a quiet block, from the
        epoch's reading of a wait); the moves become what the others saw last."""
        if self.quiet.reused:
            self.quiet.learn()
        else:
            learn_from_moves(self)
        self.last_moves = {d.actor: d.actions for d in decisions}
        if any(a.kind is not ActionType.WAIT for d in decisions for a in d.actions):
            self.moves_made += 1

    def run_course(self, closing: float, decisions: list[Decision]) -> None:
        """Phases 5 and 6: the turn runs its course to ``closing``: flights land, then measures
        cost both sides, approval moves and governments may fall, for the hours of the turn,
        counted at its close (a measure lifted in a round's second turn still cost what it did
        in the first)."""
        self.hours = closing
        self.clock_text = self._clock_text()
        land_flights(self)
        self.quiet.charge_costs(decisions)
        governments_fall(self)
        self.quiet.turn_played(decisions)

    def close_round(self) -> None:
        """Phase 7: the round's record: escalation, relations, whether settled, the trajectory
        row; the run stops once settled (if asked)."""
        round_hours = self.scenario_spec.round_hours
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
        return [view_of(self, gov, issue, public) for issue in focal]

    def settlement_key(self, me: str) -> tuple[Any, ...] | None:
        """What implementing the decided issues depends on, or None while any is contested.

        None too for a government with no issue of its own, and for a sender whose settlement is
        due for review (its policy decides).
        """
        key: list[tuple[Any, ...]] = []
        for issue in self.issues:
            if me not in (issue.spec.sender, issue.spec.receiver) or not issue.opened:
                continue
            if issue.decided is None or (me == issue.spec.sender and issue.review_due_by(self.hours)):
                return None  # contested, or a settlement the sender reviews now: its policy decides
            key.append((issue.index, issue.status, issue.first_flight_at is not None, issue.review_due))
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
            self._public = public_now(self)
            self._public_round = self.round
        assert self._public is not None  # built for this round
        return self._public


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

    # ------------------------------------------------------- legal moves, outcomes

    def legal_actions(self, me: str, issue: IssueView | None) -> list[Action]:
        """Every move ``me`` may make now about ``issue`` (:func:`crisis_sim.core.legal.legal_moves`),
        from a view of the state as it stands now (not the start-of-round views)."""
        return legal_moves(view_of(self, self.governments[me], issue, public_now(self)))

    def final_outcomes(self) -> list[dict[str, Any]]:
        """Per issue: outcome, variant, and when it was decided (classifying undecided ones now)."""
        return final_outcomes(self)


def _belief_of(model: CrisisModel, other: str) -> Callable[[Government], float | None]:
    def report(gov: Government) -> float | None:  # gov.beliefs.get(other), without the others
        if other == gov.key or other not in model.public_beliefs:
            return None
        return model.resolute_share(other)

    return report
