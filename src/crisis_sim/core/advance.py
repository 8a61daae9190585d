"""Quiet blocks: turns in which nothing can happen but a government's own decision to move,
played from one reading of the governments' choices.

A crisis of months is mostly quiet: nobody moves, nothing is scheduled, no measure changes
its rate, and every government weighs the same options turn after turn. Each turn's chance
of a move is the logit rule read per hour (:func:`~crisis_sim.core.dynamics.round_probabilities`),
so while the options stand still the hazard of each move is constant and the turns are
exchangeable: the next move can be drawn from one reading of the options, as a
discrete-event simulator draws the time of its next event (Gillespie 1977, the direct method;
Gibson & Bruck 2000, the next-reaction method, read per turn). Here the options are read
once, at the *epoch* (a quiet turn played in full), and the turns after it reuse them:

* each government still draws its choice every turn from its own stream, with the epoch's
  probabilities, so a run draws the same numbers in the same order as turn by turn, and a
  block whose options would not have changed plays exactly as the turns it replaces;
* the observers read "it did not give way" every turn with the epoch's likelihood of
  waiting (Bayes' rule, as :func:`~crisis_sim.core.inference.learn_from_moves`);
* flights, costs, approval, events, deadlines and the round's record run turn by turn as
  ever, at their exact hours.

A block ends (the next turn is read afresh) at the first turn that opens on a change the
policies could see at once: an event or a new issue, a measure whose state, step, rate or
bite changed, an issue's status, deadline or flights, a proposal made or lapsed, a back
channel, a commitment, a government's moves, or the end of the rally (:func:`discrete_state`).
A move drawn in a block is made at its turn, from the options read afresh for it.

What drifts between such changes (approval under the measures' pain, the beliefs of the
observers reading the wait, the age of a commitment, of the dispute and of a deadline, and
the rate a schedule reaches) is bounded by a tolerance: a block is as long as the options
read at its last turn (the epoch's view carried forward by the block's hours, with the
approval and beliefs it would then have: :meth:`QuietBlocks.probe`) tell the same story
as the epoch's within ``tolerance``, measured as the chance the block would be played
differently (:func:`block_error`). A tolerance of 0 reads every turn afresh, which is the
turn-by-turn play itself; the bound shrinks with it (docs/model.md §3, "Quiet blocks").
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import clip01, draw_choice, log_stay_per_hour, move_time, round_probabilities
from crisis_sim.core.government import is_stay
from crisis_sim.core.rules import costs_and_approval, expire_proposals, strain_building, turn_charges
from crisis_sim.core.types import Action, ActionType, Decision, MeasureState, Option
from crisis_sim.core.view_building import public_now, view_of

if TYPE_CHECKING:
    from crisis_sim.core.government import Government
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.core.view import WorldView

QUIET_TOLERANCE = 0.01
"""Default tolerance of a quiet block: the largest chance (summed over every government's
choices) that the block's turns would have been played differently had each been read
afresh (:func:`block_error`). ASSUMPTION: one in a hundred per block, small against the
sampling error of an ensemble of a few hundred runs (benchmarks/bench_time_advance.py
shows the shares within it); 0 plays every turn in full."""

MAX_BLOCK_TURNS = 256
"""The longest block tried, in turns (32 days of 3 h turns). ASSUMPTION: long enough that
the reading at the epoch is a small share of a quiet month, short enough that the
search for a block's length (halving from twice the last one) stays short."""


CHECK_STEADY = False
"""Read the stepped state at every turn of a block even where :func:`steady_until` says the clock
cannot have stepped it, and fail if it did (set by the tests that check the horizon)."""

MIN_BLOCK_TURNS = 2
"""The shortest block opened: reading the options at a block's end costs about what reusing
one turn saves. After a search that finds no block, the next quiet turns played in full do
not search again, 1, 3, 7, ... of them (doubling, up to :data:`MAX_BLOCK_TURNS`): a stretch
whose options drift fast is read turn by turn without paying for the search each turn."""


@dataclass
class Reading:
    """One choice of a government at the epoch: the view, the options it weighed, their
    probabilities per turn and its hourly chance of staying (None for an issue it was
    implementing: ``option`` is then what it does, every turn)."""

    view: WorldView
    options: list[Option] | None
    probabilities: list[float] | None
    stay: int | None
    log_stay: float
    option: Option | None = None


def stepped_state(model: CrisisModel) -> tuple[Any, ...]:
    """What changes by steps, not by drift, as it stands at a turn's opening, besides the
    governments' last moves: the world a decision is made in (:func:`decision_key`)."""
    hours, dyn = model.hours, model.dyn
    return (
        len(model.pending_events),
        tuple((m.state, m.forced_steps, m.rate_now(hours), m.in_force(hours), m.lift_began_at is not None,
               m.flow_usd_bn) for m in model.measures.values()),
        tuple((i.opened, i.status, i.decided, i.deadline_at, i.deadlines_missed, i.first_flight_due,
               i.first_flight_at is not None, i.pending, i.review_due, i.review_due_by(hours),
               i.offered_at is not None, i.counter_demanded_at is not None, i.counter_met_at is not None,
               hours + model.turn_hours - i.spec.opens_at_hours <= dyn.rally_days * 24)
              for i in model.issues),
        tuple(sorted((k, p.terms, p.made_at, p.accepted_by, p.partial) for k, p in model.proposals.items())),
        frozenset(model.back_channels),
        tuple(sorted((tuple(sorted(pair)), at) for pair, at in model.talks_opening.items())),
        tuple((k, g.committed, g.committed_at, g.offered_to_receive, id(g.spec), g.temperature,
               g.terms_in_office, model.settlement_key(k))
              for k, g in model.governments.items()),
        id(model.resolve_means),
    )


def steady_until(model: CrisisModel) -> float:
    """The first hour, from now (a turn's opening), at which the clock alone could step the
    stepped state (:func:`stepped_state`) with no government moving: the next scheduled event,
    issue opening, talks opening, lapse of a proposal, deadline, review, first flight, end of a
    rally, or a measure coming into force or reaching the next step of its schedule (a one-off
    act bites then). While flights land one after another, or a measure is lifted in stages, the
    state steps every few turns; a deadline or first flight already due, or a one-off act in force,
    steps it at this turn: then now. A government's fall, which no clock foretells, is checked
    apart (:meth:`QuietBlocks.steady`). Until that hour a quiet block's turns open on the state
    this turn opened on and need not read it again: the next-event time advance of a
    discrete-event simulator, for the steps only. A threshold at this very hour counts (the end
    of the rally is read a turn ahead), which errs early, never late."""
    dyn, since = model.dyn, model.hours
    times = [e.at_hours for e in model.pending_events[:1]]
    times += model.talks_opening.values()
    times += [p.made_at + dyn.proposal_hours for p in model.proposals.values()]
    rally_hours = dyn.rally_days * 24.0
    for i in model.issues:
        opens = i.spec.opens_at_hours
        times += [opens, opens + rally_hours - model.turn_hours]
        if i.review_due is not None:
            times.append(i.review_due)
        # what the turns' closes and the deadline's passing do, they do from the hour it is due
        due = [t for t in (i.deadline_at, i.first_flight_due if i.first_flight_at is None else None)
               if t is not None]
        if any(t <= since for t in due) or (i.first_flight_at is not None and i.pending > 0):
            return since
        times += due
    for m in model.measures.values():
        if m.lift_began_at is not None:
            return since
        if m.state is MeasureState.IMPOSED and m.imposed_at is not None:
            start = m.imposed_at + m.spec.lag_hours
            if m.one_off and start <= since:
                return since  # in force and not yet bitten: it bites at this turn's close, and is done
            times.append(start)
            times += [start + 24.0 * after for after, _ in m.steps]
    return min((t for t in times if t >= since), default=math.inf)


def falls(model: CrisisModel) -> int:
    """Governments that have fallen so far in the run (:mod:`crisis_sim.core.politics`)."""
    return sum(g.terms_in_office for g in model.governments.values())


def discrete_state(model: CrisisModel) -> tuple[Any, ...]:
    """Everything a policy sees that changes by steps, not by drift, as it stands at a turn's
    opening: two turns with equal keys differ only in the clock, approval and beliefs. The
    stepped state is the one read for this turn's decision key, when it was read at this hour."""
    key = model.decision_key  # read at this hour: set with decision_key_at
    stepped = key[0] if key is not None and model.decision_key_at == model.hours else stepped_state(model)
    return (stepped, tuple(sorted(model.last_moves.items())), tuple(sorted(model.unseen_hours.items())))


def decision_key(model: CrisisModel) -> tuple[Any, ...]:
    """What makes a turn a decision point when it differs from the last turn's
    (:attr:`~crisis_sim.core.view.WorldView.reconsidering`): the stepped state and the number
    of turns in which someone moved (a move is news once, in the turn after it)."""
    return stepped_state(model), model.moves_made


def block_error(before: Reading, after: list[Option], hours: float, turn_hours: float,
                temperature: float, deliberation_hours: float) -> float:
    """The chance that ``hours`` of turns played with ``before``'s probabilities would be played
    differently from turns played with those of the options ``after`` (the same choice read
    at the block's end), at most 1; 1 when the options are not the same moves.

    With a constant hourly hazard λ of moving, the number of moves in the block is Poisson;
    a change of hazard Δλ changes that count with chance at most |Δλ|·hours, and a change in
    which move is made (the moves' logit shares, total variation δ) changes a move with
    chance at most λ·hours·δ. Without a waiting option every turn draws a move: the turns'
    probabilities differ in total variation by δ each.
    """
    if before.options is None:
        return 0.0
    assert before.probabilities is not None  # weighed options come with their probabilities
    if tuple(o.actions for o in before.options) != tuple(o.actions for o in after):
        return 1.0
    turns = hours / turn_hours
    utilities = [o.utility for o in after]
    stay = before.stay
    p = round_probabilities(utilities, temperature, turn_hours, stay, deliberation_hours, False)
    if stay is None:
        return min(1.0, turns * 0.5 * sum(abs(a - b) for a, b in zip(before.probabilities, p, strict=True)))
    log_stay = log_stay_per_hour(utilities, temperature, stay, deliberation_hours, False)
    rate, rate0 = -log_stay, -before.log_stay
    if math.isinf(rate) or math.isinf(rate0):
        return 0.0 if rate == rate0 else 1.0
    shares = _move_shares(p, stay)
    shares0 = _move_shares(before.probabilities, stay)
    spread = 0.5 * sum(abs(a - b) for a, b in zip(shares, shares0, strict=True))
    return min(1.0, abs(rate - rate0) * hours + max(rate, rate0) * hours * spread)


def _move_shares(p: list[float], stay: int) -> list[float]:
    moving = 1.0 - p[stay]
    return [0.0 if i == stay or moving <= 0 else q / moving for i, q in enumerate(p)]


class QuietBlocks:
    """The quiet blocks of one run: when one may open, how long it may last, and its turns.

    The model asks :meth:`decisions` at every turn's opening (None: read this turn afresh) and
    tells :meth:`turn_played` at its close.
    """

    def __init__(self, model: CrisisModel, tolerance: float = QUIET_TOLERANCE,
                 likelihood: Callable[..., list[float]] | None = None):
        if not tolerance >= 0:
            raise ValueError(f"quiet tolerance must be >= 0, got {tolerance}")
        self.model = model
        self.likelihood = likelihood
        """How the observers read a choice: :func:`crisis_sim.core.inference.choice_likelihood`."""
        self.tolerance = tolerance
        self.readings: dict[str, list[Reading]] | None = None
        """By government playing its issues: the epoch's choices (None: no block open)."""
        self.waiting_likelihood: dict[str, list[float]] = {}
        """By government: the observers' per-turn likelihood of its waiting, on the belief grid."""
        self.key: tuple[Any, ...] | None = None
        self.turns_left = 0
        self.last_length = 1
        self.reused = False
        """Whether the turn now being played reuses the epoch's reading."""
        self.turns_reused = 0
        self.blocks = 0
        self._opening_key: tuple[Any, ...] | None = None
        self._opening_moves: dict[str, tuple[Action, ...]] = {}
        self._failures = 0
        self._pause = 0
        self._candidate = False
        self._opening_approval: dict[str, float] = {}
        self._approval_step: dict[str, float] = {}
        self.steady_before: float | None = None
        """The open block's turns opening before this hour open on the stepped state of its first
        turn, read and found to be its epoch's (:func:`steady_until`), unless a government falls
        (:meth:`steady`); None until that first turn."""
        self._falls_then = 0
        self._steady_now = False
        self._held: set[str] = set()
        """The governments whose every choice in the open block is a certain wait (a preferred wait
        held between decision points): :func:`~crisis_sim.core.dynamics.draw_choice` draws no number
        for it, so each of their turns is the decision of the last (:meth:`_replay`)."""
        self._stays: dict[str, tuple[tuple[Action, ...], str, list[Any]]] = {}
        """By government: its decision (actions, reason, choices read) when it waits on every issue
        in the open block: the same every time (:meth:`_replay`)."""
        self._charges: Any = None
        """The charges of the steady stretch's first turn steady through its close (:meth:`charge_costs`)."""
        self.turns_steady = 0
        """Turns that opened on their block's state without reading it (:meth:`steady`)."""
        self._settled: dict[str, tuple[list[float], beliefs.Belief]] = {}
        """By government: a reading of its waiting and the public belief about it that this reading
        leaves as it is (a fixed point of Bayes' rule: the reading tells nothing new, or nothing
        left to tell), so that a reused turn need not work it out again (:meth:`learn`)."""

    def charge_costs(self, decisions: list[Decision]) -> None:
        """Phase 6's costs and approval at a turn's close (:func:`~crisis_sim.core.rules.costs_and_approval`).
        A turn steady through its close in which nobody moved makes again the charges of the
        stretch's first such turn (:func:`~crisis_sim.core.rules.turn_charges`): nothing they
        depend on can have changed (the rates, what is in force, the rally, the specs). Not while
        a strained relationship builds up (:func:`~crisis_sim.core.rules.strain_building`): its
        charge grows with the dispute's age, so each turn works its charges out afresh."""
        model = self.model
        steady = (self._steady_now and self.steady_before is not None
                  and model.hours < self.steady_before  # at its close: nothing due
                  and all(a.kind is ActionType.WAIT for d in decisions for a in d.actions)
                  and not strain_building(model))
        if not steady:
            self._charges = None
            costs_and_approval(model)
            return
        if CHECK_STEADY and self._charges is not None:  # worked out afresh, they are the same
            increments, lost = turn_charges(model)
            kept, kept_lost = self._charges
            assert [(id(h), a, x) for h, a, x in increments] == [(id(h), a, x) for h, a, x in kept]
            assert lost == kept_lost, f"the charges changed at hour {model.hours}"
        self._charges = costs_and_approval(model, self._charges)

    def steady(self) -> bool:
        """Whether this turn, opening now, is one of the open block's and opens on its epoch's
        stepped state for certain: before :attr:`steady_before`, with no government fallen since
        the epoch. Asked by the model at a turn's opening, which then need not read the state."""
        model = self.model
        until = self.steady_before
        self._steady_now = (self.readings is not None and self.turns_left > 0 and until is not None
                            and model.hours < until and falls(model) == self._falls_then)
        self.turns_steady += self._steady_now
        if self._steady_now and CHECK_STEADY:  # what the turn's opening would have done changes nothing
            assert self.key is not None  # a block is open
            from crisis_sim.core.events import fire_events

            fire_events(model)
            expire_proposals(model)
            fresh = (stepped_state(model), tuple(sorted(model.last_moves.items())),
                     tuple(sorted(model.unseen_hours.items())))
            assert fresh == self.key, f"the state stepped at hour {model.hours}, before {self.steady_before}"
        return self._steady_now

    # ----------------------------------------------------------------- a turn

    def decisions(self) -> list[Decision] | None:
        """This turn's decisions from the open block, or None if the turn is to be read afresh
        (no block open, its turns used up, or the world changed by a step since the epoch)."""
        model = self.model
        self.reused = False
        self._candidate = False
        if self.tolerance <= 0:
            return None
        key = None
        if self.readings is not None:
            key = self.key if self.turns_left > 0 and self._steady_now else discrete_state(model)
            if self.turns_left > 0 and key == self.key:
                if self.steady_before is None:  # its first turn, its state read: when may the clock step it
                    self.steady_before, self._falls_then = steady_until(model), falls(model)
                    self._charges = None
                self.turns_left -= 1
                self.reused = True
                self.turns_reused += 1
                return [self._replay(gov) for gov in model.governments.values()]
            self.readings = None
        # read afresh; a block may open after it only if the next turn can open on the same world
        waited = all(a.kind is ActionType.WAIT for acts in model.last_moves.values() for a in acts)
        self._candidate = self._pause == 0 and not model.unseen_hours and waited and not model.reconsidering
        if self._candidate:
            self._opening_key = key if key is not None else discrete_state(model)
            self._opening_moves = dict(model.last_moves)
            self._opening_approval = {k: g.approval for k, g in model.governments.items()}
        return None

    def _replay(self, gov: Government) -> Decision:
        """One government's choice this turn, drawn as :meth:`Government.decide` draws it, from
        the epoch's options; a move is made from the options read afresh."""
        assert self.readings is not None  # replayed only while a block is open (decisions)
        readings = self.readings.get(gov.key)
        if readings is None:  # implementing what was agreed: cheap, and memoised
            return gov.decide()
        if gov.key in self._held:  # every choice a certain wait: no number drawn, the same decision
            stays = self._stays.get(gov.key)
            if stays is not None:
                gov.last_choices, gov.moved_at = stays[2], None
                return Decision(gov.key, stays[0], stays[1], 0.0)
        draws = [None if r.probabilities is None else draw_choice(r.probabilities, gov.stream)
                 for r in readings]  # in the order decide() draws them (a move's fresh reading draws none)
        waits = all(d is None or d[0] == r.stay for d, r in zip(draws, readings, strict=True))
        if waits:
            stays = self._stays.get(gov.key)
            if stays is not None:  # waited again, as it did in this block before: the same decision
                gov.last_choices, gov.moved_at = stays[2], None
                return Decision(gov.key, stays[0], stays[1], 0.0)
        gov.last_choices = []
        moved_after = None
        chosen = []
        fresh_views = None
        for n, r in enumerate(readings):
            if r.options is None:
                if r.option is not None:
                    chosen.append(r.option)
                continue
            drawn = draws[n]
            assert drawn is not None  # weighed options come with their probabilities
            index, position = drawn
            view, options = r.view, r.options
            if r.stay is not None and index != r.stay:
                if fresh_views is None:
                    fresh_views = self.model.views_for(gov)
                fresh = gov.policy.options(fresh_views[n])
                if _same_moves(fresh, r.options):  # the same move, with today's view and reason
                    view, options = fresh_views[n], fresh
                at = move_time(position, r.log_stay, view.hours_to_move) - view.unseen_hours
                moved_after = at if moved_after is None else min(moved_after, at)
            if view.issue is not None:
                gov.last_choices.append((view, options, options[index]))
            chosen.append(options[index])
        actions = tuple(a for option in chosen for a in option.actions)
        reason = "; ".join(o.reason for o in chosen if o.reason) or "nothing to do"
        decision = Decision(gov.key, actions, reason, moved_after or 0.0)
        gov.moved_at = moved_after
        if waits:
            self._stays[gov.key] = (actions, reason, gov.last_choices)
        return decision

    def learn(self) -> None:
        """Phase 6 in a reused turn: a government that waited is read with the epoch's
        likelihood of waiting; one that moved, as ever
        (:func:`~crisis_sim.core.inference.learn_from_moves`)."""
        model, choice_likelihood = self.model, self.likelihood
        if not model.dyn.learning:
            return
        updates = {}
        for gov in model.governments.values():
            if not gov.last_choices:
                continue
            belief = model.public_beliefs[gov.key]
            if gov.moved_at is None and gov.key in self.waiting_likelihood:
                likelihood = self.waiting_likelihood[gov.key]
                settled = self._settled.get(gov.key)
                if settled is not None and settled[0] is likelihood and settled[1] is belief:
                    continue  # a fixed point of this reading: Bayes' rule leaves it as it is
                posterior = beliefs.update(belief, likelihood)
                if posterior == belief:
                    self._settled[gov.key] = (likelihood, posterior)
            else:
                assert choice_likelihood is not None  # the model gives it (CrisisModel)
                likelihood = [1.0] * len(beliefs.GRID)
                for view, options, chosen in gov.last_choices:
                    for k, p in enumerate(choice_likelihood(gov, view, chosen, options)):
                        likelihood[k] *= p
                posterior = beliefs.update(belief, likelihood)
            updates[gov.key] = posterior
        model.public_beliefs.update(updates)

    def turn_played(self, decisions: list[Decision]) -> None:
        """At a turn's close: after a quiet turn read afresh, open a block if the next turn opens
        on the same world (by steps) and the options hold long enough."""
        model = self.model
        if self.tolerance <= 0:
            return
        quiet = all(a.kind is ActionType.WAIT for d in decisions for a in d.actions)
        if not quiet:
            self.readings = None
            return
        if self.reused:
            return
        if self._pause > 0:  # the last tries found no block: try again later
            self._pause -= 1
            return
        if not self._candidate or self._opening_moves != model.last_moves:
            return  # the next turn opens on other last moves: it is read afresh
        if any(g.policy.name == "human" or type(g.policy) is not type(g.reading_policy)
               for g in model.governments.values()):
            return  # a person plays a seat: asked every turn
        readings = {}
        for gov in model.governments.values():
            if model.settlement_key(gov.key) is not None:
                continue
            readings[gov.key] = [self._reading(gov, view, options) for view, options in gov.last_weighed]
        self.readings = readings
        self._stays = {}
        self._held = {key for key, choices in readings.items() if all(map(_held_wait, choices))}
        self.key = self._opening_key
        self.steady_before = None
        self._approval_step = {k: g.approval - self._opening_approval[k]
                               for k, g in model.governments.items()}
        self.waiting_likelihood = self._waiting_likelihoods() if model.dyn.learning else {}
        self.turns_left = self._length()
        if self.turns_left < MIN_BLOCK_TURNS:
            self.readings = None
            self._failures += 1
            self._pause = min(2 ** self._failures, MAX_BLOCK_TURNS) - 1
        else:
            self.blocks += 1
            self.last_length = self.turns_left
            self._failures = 0

    def _reading(self, gov: Government, view: WorldView, options: list[Option] | Option | None) -> Reading:
        if options is None or isinstance(options, Option):  # an issue being implemented
            return Reading(view, None, None, None, 0.0, option=options)
        stay = next((i for i, o in enumerate(options) if is_stay(o)), None)
        probabilities = gov.choice_probabilities(view, options)
        log_stay = 0.0 if stay is None else log_stay_per_hour(
            [o.utility for o in options], gov.temperature, stay, gov.spec.deliberation_hours,
            view.reconsidering)
        return Reading(view, options, probabilities, stay, log_stay)

    def _waiting_likelihoods(self) -> dict[str, list[float]]:
        """The likelihood of each government's waiting, as the epoch's learning read it (the epoch
        was quiet: every choice it read was a wait)."""
        assert self.readings is not None  # read as a block opens (turn_played)
        return {k: like for k, like in self.model.likelihoods.items() if k in self.readings}

    # ------------------------------------------------------ a block's length

    def _length(self) -> int:
        """The most turns (from twice the last block's, halving) whose options, read at the last
        of them, stay within the tolerance of the epoch's."""
        turns = min(MAX_BLOCK_TURNS, 2 * self.last_length)
        while turns >= MIN_BLOCK_TURNS:
            if self.probe(turns) <= self.tolerance:
                return turns
            turns //= 2
        return 0

    def probe(self, turns: int) -> float:
        """The summed :func:`block_error` of every choice of the epoch against the same choice
        read ``turns`` turns later, in the world the block would then have reached: the clock
        moved on (ages of commitments, of the dispute and of deadlines; the rates schedules
        reach), approval moved by the epoch turn's change each turn, beliefs read the waiting
        each turn, and the turn's hours spanning the block (a policy that acts once per so
        many hours sees the whole block)."""
        model = self.model
        hours = turns * model.turn_hours
        saved = (model.hours, model.turn_hours, dict(model.public_beliefs),
                 {k: g.approval for k, g in model.governments.items()})
        try:
            model.hours = saved[0] + hours - model.turn_hours  # the last turn's opening
            model.turn_hours = hours
            for k, g in model.governments.items():
                g.approval = clip01(g.approval + (turns - 1) * self._approval_step.get(k, 0.0))
            for k, like in self.waiting_likelihood.items():
                belief = model.public_beliefs[k]
                for _ in range(turns - 1):
                    updated = beliefs.update(belief, like)
                    if updated == belief:  # a fixed point: every later turn leaves it as it is
                        break
                    belief = updated
                model.public_beliefs[k] = belief
            public = public_now(model)
            by_index = {v.index: v for v in public.issues}
            errors = []
            assert self.readings is not None  # probed as a block opens (turn_played)
            for key, readings in self.readings.items():
                gov = model.governments[key]
                policy = copy.deepcopy(gov.policy)  # a policy that remembers its moves does not
                for r in readings:                  # remember one it only considered here
                    if r.options is None:
                        continue
                    issue = None if r.view.issue is None else by_index.get(r.view.issue.index)
                    view = view_of(model, gov, issue, public)
                    errors.append(block_error(r, policy.options(view), hours, saved[1],
                                              gov.temperature, gov.spec.deliberation_hours))
                    if sum(errors) > 2 * self.tolerance:  # too far whatever the rest
                        return sum(errors)
            return math.fsum(sorted(errors))  # summed in an order that does not depend on names
        finally:
            model.hours, model.turn_hours = saved[0], saved[1]
            model.public_beliefs.clear()
            model.public_beliefs.update(saved[2])
            for k, g in model.governments.items():
                g.approval = saved[3][k]


def _held_wait(reading: Reading) -> bool:
    """Whether a choice of the epoch is a wait drawn for certain: no choice (an issue being
    implemented), or waiting the first option of probability 1 (the one
    :func:`~crisis_sim.core.dynamics.draw_choice` takes without a random number)."""
    if reading.probabilities is None:
        return True
    certain = next((i for i, p in enumerate(reading.probabilities) if p >= 1.0), None)
    return certain is not None and certain == reading.stay


def _same_moves(fresh: list[Option], weighed: list[Option]) -> bool:
    """Whether the options read afresh are the same moves as those weighed at the epoch (so the
    index drawn names the same move)."""
    return tuple(o.actions for o in fresh) == tuple(o.actions for o in weighed)
