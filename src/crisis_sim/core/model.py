"""`CrisisModel`: the rounds of a crisis, phase by phase, on Mesa.

One round lasts ``scenario.round_hours`` of simulated time. Its phases, in the
order :meth:`CrisisModel.step` runs them:

1. the clock advances; scheduled events due by now happen;
2. every government decides at once, seeing the world as it stood at the
   start of the round (simultaneous moves: no one gains from acting first);
3. the decisions take effect, and issues decided by them are classified;
4. flights land for receivers that accepted;
5. measures in force cost both sides; approval moves;
6. every government updates its beliefs from what the others did;
7. trajectories are recorded, and the run stops if the crisis is settled.

All randomness comes from the model's one seeded generator, ``self.rng``.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import timedelta
from functools import partial
from types import MappingProxyType

import mesa

from crisis_sim.core.columns import belief_column
from crisis_sim.core.dynamics import (
    annual_cost_share,
    audience_cost,
    bayes_update,
    clip01,
    cost_this_round,
    likelihoods,
    precedent_on_belief,
    precedent_on_resolve,
    relations_next,
)
from crisis_sim.core.government import Government
from crisis_sim.core.outcomes import (
    RoundCollector,
    classify_unsettled,
    escalation_level,
    model_reporters,
)
from crisis_sim.core.schema import Scenario
from crisis_sim.core.state import MEASURE_MOVES, IssueRun, MeasureRun
from crisis_sim.core.types import (
    Action,
    ActionType,
    Decision,
    EventKind,
    FlightStatus,
    LiftCondition,
    MeasureState,
    Outcome,
    Role,
)
from crisis_sim.core.view import IssueView, MeasureView, WorldView

_SCENARIO_CACHES: OrderedDict[int, tuple[Scenario, dict]] = OrderedDict()


def scenario_cache(scenario: Scenario, keep: int = 16) -> dict:
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


class CrisisModel(mesa.Model):
    """A diplomatic crisis over deportation flights.

    Args:
        scenario: a validated :class:`~crisis_sim.scenario.Scenario`.
        seed: fixes every random draw of the run (resolve types, noisy choices).
        agent_records: also collect one record per government and round
            (approval, cost, resolve, commitment, beliefs): the actor frame of
            a run. Batches, which keep only the model-level trajectories (where
            each government's cost and approval are columns too), leave it off.
    """

    def __init__(self, scenario: Scenario, seed: int = 0, *, agent_records: bool = True):
        super().__init__(rng=seed)
        self.scenario_spec = scenario
        self.seed = seed
        self.dyn = scenario.dynamics
        self.hours = 0.0
        self.round = 0
        self.governments: dict[str, Government] = {}
        for key in sorted(scenario.actors):
            self.governments[key] = Government(self, key, scenario.actors[key])
        for gov in self.governments.values():
            gov.init_beliefs(scenario.actors)
        self.trade = {(t.exporter, t.importer): t.usd_bn for t in scenario.trade}
        shared = scenario_cache(scenario)
        self._clock_texts: dict[int, str] = shared.setdefault("clock_texts", {})
        self.measures = {
            key: MeasureRun(key, m, self.trade.get((m.target, m.imposer), 0.0),
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
        self.proposals: dict[tuple[str, str], float] = {}
        self.last_moves: dict[str, tuple[Action, ...]] = {}
        self.pending_events = sorted(scenario.events, key=lambda e: e.at_hours)
        self.log: list[dict] = []
        self.turning_points: list[dict] = []
        self.settled = False
        self.relations = 1.0
        self._public_round = -1
        self._public: tuple = ((), ())
        self.resolve_means = MappingProxyType({k: a.resolve.mean for k, a in scenario.actors.items()})
        self.approval_start = {k: g.approval for k, g in self.governments.items()}
        self.clock_text = self._clock_text()
        self._fire_events()
        self.escalation = escalation_level(self)
        agent_reporters = {
            "actor": "key",
            "approval": "approval",
            "cost_usd_bn": "cost_usd_bn",
            "resolve": "resolve",
            "committed": "committed",
            **{belief_column(k): _belief_of(k) for k in self.governments},
        }
        self.datacollector = RoundCollector(
            model_reporters=model_reporters(self),
            agent_reporters=agent_reporters if agent_records else None,
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ clock

    @property
    def clock(self):
        """Simulated wall-clock time now."""
        return self.scenario_spec.start + timedelta(hours=self.hours)

    def _clock_text(self) -> str:
        """The clock in ISO 8601, as each round records it; the same for every run of a scenario."""
        text = self._clock_texts.get(self.round)
        if text is None:
            text = self._clock_texts[self.round] = self.clock.isoformat()
        return text

    # ------------------------------------------------------------------ round

    def step(self) -> None:
        """One round, phase by phase (see the module docstring)."""
        self.round += 1
        self.hours = self.round * self.scenario_spec.round_hours
        self.clock_text = self._clock_text()
        self._fire_events()
        decisions = [gov.decide() for gov in self.governments.values()]
        self._public_round = -1  # the shared views are stale once decisions apply
        for decision in decisions:
            self._apply(decision)
        self._land_flights()
        self._costs_and_approval()
        self._update_beliefs(decisions)
        self.escalation = escalation_level(self)
        self.relations = relations_next(self.relations, self.escalation, self.scenario_spec.round_hours)
        self.last_moves = {d.actor: d.actions for d in decisions}
        self.settled = self._is_settled()
        self.datacollector.collect(self)
        if self.settled and self.scenario_spec.stop_when_settled:
            self.running = False

    # ------------------------------------------------------------ the views

    def views_for(self, gov: Government) -> list[WorldView]:
        """One view per issue the government is party to, or one for a bystander."""
        mine = [i for i in self.issues if gov.key in (i.spec.sender, i.spec.receiver)]
        measures, issues = self._public_state()
        focal = [issues[i.index] for i in mine] or [None]
        return [self._view(gov, issue, issues, measures) for issue in focal]

    def settlement_key(self, me: str) -> tuple | None:
        """What implementing the decided issues depends on, or None while any is contested.

        None too for a government with no issue of its own (its policy decides).
        """
        key = []
        for issue in self.issues:
            if me not in (issue.spec.sender, issue.spec.receiver):
                continue
            if issue.decided is None:
                return None
            key.append((issue.index, issue.status, issue.first_flight_at is not None))
        if not key:
            return None
        key.extend((m.id, m.state) for m in self.measures.values() if m.spec.imposer == me)
        return tuple(key)

    def _public_state(self) -> tuple[tuple[MeasureView, ...], tuple[IssueView, ...]]:
        """Views of the measures and issues as they stand at the start of this round.

        Built once a round and shared by every government (all decide at once).
        """
        if self._public_round != self.round:
            self._public = (
                tuple(self._measure_view(m) for m in self.measures.values()),
                tuple(self._issue_view(i) for i in self.issues),
            )
            self._public_round = self.round
        return self._public

    def _view(self, gov: Government, issue: IssueView | None, issues, measures) -> WorldView:
        return WorldView(
            me=gov.key,
            role=gov.role,
            round=self.round,
            hours=self.hours,
            round_hours=self.scenario_spec.round_hours,
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
            beliefs=dict(gov.beliefs),
            resolve_means=self.resolve_means,
            issue=issue,
            issues=issues,
            measures=measures,
            last_moves={k: v for k, v in self.last_moves.items() if k != gov.key},
            proposals={p: t for (p, to), t in self.proposals.items() if to == gov.key},
            proposed_to=frozenset(to for (p, to) in self.proposals if p == gov.key),
            back_channels=frozenset(
                other for pair in self.back_channels if gov.key in pair for other in pair
                if other != gov.key
            ),
            legal_moves=partial(self.legal_actions, gov.key, issue),
            dynamics=self.dyn,
        )

    def _measure_view(self, m: MeasureRun) -> MeasureView:
        """The public view of a measure; rebuilt only when its state, step or rate moved."""
        rate = m.rate_now(self.hours)
        key = (m.state, m.forced_steps, rate)
        cached = m.view_cache.get(key)
        if cached is not None:
            return cached
        expected = m.expected_rate(self.dyn.concern_days)
        target_gdp = self.scenario_spec.actors[m.spec.target].gdp_usd_bn
        imposer_gdp = self.scenario_spec.actors[m.spec.imposer].gdp_usd_bn
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
                share, 1.0, expected, m.spec.imposer_elasticity, imposer_gdp
            ),
            political_pressure=m.spec.political_pressure,
            lift_after=m.spec.lift_after,
            can_escalate=m.state is MeasureState.IMPOSED
            and m.forced_steps < len(m.spec.schedule) - 1,
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
        )

    # ------------------------------------------------------- legal actions

    def legal_actions(self, me: str, issue: IssueView | None) -> list[Action]:
        """Every move ``me`` may make now about ``issue`` (or as a bystander)."""
        legal = [Action(ActionType.WAIT, me)]
        if issue is None:
            return legal + self._bystander_actions(me)
        other = issue.counterpart(me)
        if not issue.contested:
            legal += self._measure_actions(me, other)
            return legal
        if me == issue.receiver:
            if issue.status is FlightStatus.PENDING:
                legal.append(Action(ActionType.REFUSE_FLIGHTS, me, other))
            legal.append(Action(ActionType.ACCEPT_FLIGHTS, me, other))
            if issue.face_saving:
                legal.append(Action(ActionType.ACCEPT_WITH_CONDITIONS, me, other))
        else:
            legal.append(Action(ActionType.WITHDRAW_DEMAND, me, other))
        legal += self._measure_actions(me, other)
        gov = self.governments[me]
        if not gov.committed:
            legal.append(Action(ActionType.PUBLIC_STATEMENT, me, other))
        if frozenset((me, other)) in self.back_channels and (me, other) not in self.proposals:
            legal.append(Action(ActionType.PROPOSE_TERMS, me, other))
        if (other, me) in self.proposals:
            legal.append(Action(ActionType.ACCEPT_TERMS, me, other, terms=self.proposals[(other, me)]))
        return legal

    def _measure_actions(self, me: str, other: str) -> list[Action]:
        legal = []
        for m in self.measures.values():
            if m.spec.imposer != me or m.spec.target != other:
                continue
            for kind in MEASURE_MOVES[m.state]:
                if kind is ActionType.ESCALATE and m.forced_steps >= len(m.spec.schedule) - 1:
                    continue
                legal.append(Action(kind, me, other, m.id))
        return legal

    def _bystander_actions(self, me: str) -> list[Action]:
        legal = []
        gov = self.governments[me]
        for issue in self.issues:
            if issue.decided is None:
                legal.append(Action(ActionType.CONDEMN, me, issue.spec.sender))
                legal.append(Action(ActionType.MEDIATE, me, issue.spec.receiver))
        if not gov.offered_to_receive:
            senders = sorted({i.spec.sender for i in self.issues})
            legal += [Action(ActionType.OFFER_TO_RECEIVE, me, s) for s in senders if s != me]
        return sorted(set(legal), key=lambda a: (a.kind.value, a.counterpart or ""))

    # ------------------------------------------------------- applying moves

    def _apply(self, decision: Decision) -> None:
        gov = self.governments[decision.actor]
        issues = [i for i in self.issues if gov.key in (i.spec.sender, i.spec.receiver)]
        applied = []
        for action in decision.actions:
            if action.kind is ActionType.WAIT:
                continue
            issue = self._issue_between(action.actor, action.counterpart) if action.counterpart else None
            if self._apply_one(gov, action, issue or (issues[0] if issues else None)):
                applied.append(action)
        self._record(
            decision.actor,
            "decision",
            [a.describe() for a in applied] or ["wait"],
            decision.reason,
        )

    def _issue_between(self, a: str, b: str | None) -> IssueRun | None:
        for issue in self.issues:
            if {issue.spec.sender, issue.spec.receiver} == {a, b}:
                return issue
        return None

    def _apply_one(self, gov: Government, action: Action, issue: IssueRun | None) -> bool:
        """Carry out one action; False if events overtook it (e.g. the issue was just decided)."""
        kind = action.kind
        if kind in (ActionType.THREATEN, ActionType.IMPOSE, ActionType.ESCALATE,
                    ActionType.SUSPEND, ActionType.LIFT):
            return self._apply_measure(action)
        if kind is ActionType.PUBLIC_STATEMENT:
            if not gov.committed:
                gov.committed, gov.committed_at = True, self.hours
            return True
        if kind is ActionType.CONDEMN:
            self._condemn(gov, action.counterpart)
            return True
        if kind is ActionType.OFFER_TO_RECEIVE:
            gov.offered_to_receive = True
            self._offer_to_receive(gov, action.counterpart)
            return True
        if kind is ActionType.MEDIATE:
            target = next((i for i in self.issues
                           if i.spec.receiver == action.counterpart and i.decided is None), None)
            if target:
                self._propose(gov.key, target, 0.5)
            return True
        if issue is None or issue.decided is not None:
            return False
        if kind is ActionType.REFUSE_FLIGHTS:
            issue.status, issue.refused_at = FlightStatus.REFUSED, self.hours
            return True
        if kind is ActionType.ACCEPT_FLIGHTS:
            self._decide(issue, Outcome.TARGET_CONCEDES, None, FlightStatus.ACCEPTED, backer=gov)
            return True
        if kind is ActionType.ACCEPT_WITH_CONDITIONS:
            self._decide(issue, Outcome.TARGET_CONCEDES, "face_saving",
                         FlightStatus.ACCEPTED_WITH_CONDITIONS, backer=gov,
                         share=issue.spec.face_saving_share)
            return True
        if kind is ActionType.WITHDRAW_DEMAND:
            self._decide(issue, Outcome.INITIATOR_BACKS_DOWN, None, FlightStatus.WITHDRAWN, backer=gov)
            for m in self.measures.values():
                if m.spec.imposer == gov.key and m.spec.target == issue.spec.receiver and \
                        m.state in (MeasureState.THREATENED, MeasureState.IMPOSED):
                    m.set_state(MeasureState.LIFTED)
            return True
        if kind is ActionType.PROPOSE_TERMS:
            self._propose(gov.key, issue, action.terms if action.terms is not None else 0.5)
            return True
        if kind is ActionType.ACCEPT_TERMS:
            return self._accept_terms(gov, issue, action.counterpart)
        return False

    def _apply_measure(self, action: Action) -> bool:
        m = self.measures[action.measure]
        kind = action.kind
        if kind is ActionType.THREATEN:
            m.set_state(MeasureState.THREATENED)
            m.threatened_at = self.hours
        elif kind is ActionType.IMPOSE:
            m.set_state(MeasureState.IMPOSED)
            m.imposed_at = self.hours
            self._turning_point(f"{self._name(m.spec.imposer)} imposes {m.spec.label}")
        elif kind is ActionType.ESCALATE:
            m.forced_steps += 1
        elif kind is ActionType.SUSPEND:
            m.set_state(MeasureState.SUSPENDED)
        elif kind is ActionType.LIFT:
            m.set_state(MeasureState.LIFTED)
        return True

    def _propose(self, proposer: str, issue: IssueRun, terms: float) -> None:
        for party in (issue.spec.sender, issue.spec.receiver):
            if party != proposer:
                self.proposals[(proposer, party)] = terms

    def _accept_terms(self, gov: Government, issue: IssueRun, proposer: str | None) -> bool:
        terms = self.proposals.get((proposer, gov.key))
        if terms is None:
            return False
        if terms >= 0.75:
            outcome, status = Outcome.TARGET_CONCEDES, FlightStatus.ACCEPTED
        elif terms <= 0.25:
            outcome, status = Outcome.INITIATOR_BACKS_DOWN, FlightStatus.WITHDRAWN
        else:
            outcome, status = Outcome.NEGOTIATED_SETTLEMENT, FlightStatus.ACCEPTED_WITH_CONDITIONS
        issue.terms = terms
        loser = issue.spec.receiver if outcome is Outcome.TARGET_CONCEDES else issue.spec.sender
        self._decide(issue, outcome, "terms", status, backer=self.governments[loser],
                     share=1.0 - terms if loser == issue.spec.receiver else terms)
        self.proposals = {k: v for k, v in self.proposals.items()
                          if {k[0], k[1]} & {issue.spec.sender, issue.spec.receiver} == set()}
        return True

    def _decide(self, issue: IssueRun, outcome: Outcome, variant: str | None, status: FlightStatus,
                backer: Government, share: float = 0.0) -> None:
        """Classify an issue as decided now; the side that gave way pays its audience cost.

        ``share`` is how much face the giving-way side keeps (a face-saving
        variant or favourable terms), which scales its audience cost down.
        """
        issue.decided, issue.variant, issue.status = outcome, variant, status
        issue.decided_round, issue.decided_hours = self.round, self.hours
        if status in (FlightStatus.ACCEPTED, FlightStatus.ACCEPTED_WITH_CONDITIONS):
            lead = issue.spec.flight_lead_hours
            own = status is FlightStatus.ACCEPTED_WITH_CONDITIONS
            issue.first_flight_due = self.hours + (lead.own_aircraft if own else lead.sender_aircraft)
        cost = audience_cost(backer.spec.audience_cost, self.dyn.audience_cost_scale,
                             backer.committed, backer.hours_committed(), self.dyn.commitment_days)
        backer.approval = clip01(backer.approval - cost * (1.0 - share))
        self._turning_point(self._outcome_text(issue))
        self._precedent(issue)

    def _outcome_text(self, issue: IssueRun) -> str:
        s, r = self._name(issue.spec.sender), self._name(issue.spec.receiver)
        return {
            Outcome.TARGET_CONCEDES: f"{r} accepts the flights"
            + (" on its own aircraft (face-saving)" if issue.variant == "face_saving" else ""),
            Outcome.INITIATOR_BACKS_DOWN: f"{s} backs down",
            Outcome.NEGOTIATED_SETTLEMENT: f"{s} and {r} settle on terms {issue.terms:.2f}"
            if issue.terms is not None else f"{s} and {r} settle",
        }.get(issue.decided, str(issue.decided))

    def _precedent(self, issue: IssueRun) -> None:
        """Onlookers learn from how this crisis ended (Peterson 2013)."""
        w = self.dyn.precedent_weight
        target_won = issue.decided is Outcome.INITIATOR_BACKS_DOWN
        sender = issue.spec.sender
        for key, gov in self.governments.items():
            if key in (sender, issue.spec.receiver):
                continue
            if gov.role is not Role.INITIATOR:
                gov.resolve = precedent_on_resolve(gov.resolve, w, target_won)
            if sender in gov.beliefs and issue.decided is not Outcome.NEGOTIATED_SETTLEMENT:
                gov.beliefs[sender] = precedent_on_belief(gov.beliefs[sender], w, target_won)

    def _condemn(self, gov: Government, sender: str | None) -> None:
        """Condemnation stiffens the sender's targets and sours relations with the sender."""
        w = self.dyn.precedent_weight / 2
        for issue in self.issues:
            if issue.spec.sender == sender and issue.decided is None:
                receiver = self.governments[issue.spec.receiver]
                receiver.resolve = precedent_on_resolve(receiver.resolve, w, True)

    def _offer_to_receive(self, gov: Government, sender: str | None) -> None:
        """A third country takes others' deportees: the sender's hand strengthens."""
        w = self.dyn.precedent_weight / 2
        for issue in self.issues:
            if issue.spec.sender == sender and issue.decided is None:
                receiver = self.governments[issue.spec.receiver]
                receiver.resolve = precedent_on_resolve(receiver.resolve, w, False)
                receiver.beliefs[sender] = precedent_on_belief(receiver.beliefs[sender], w, False)

    # -------------------------------------------------------- flights, costs

    def _land_flights(self) -> None:
        for issue in self.issues:
            if issue.first_flight_due is None or self.hours < issue.first_flight_due:
                continue
            if issue.first_flight_at is None:
                issue.first_flight_at = self.hours
                issue.flight_credit = 1.0
                self._turning_point(f"first flight lands in {self._name(issue.spec.receiver)}")
            else:
                issue.flight_credit += issue.spec.flights_per_day * self.scenario_spec.round_hours / 24
            while issue.flight_credit >= 1.0 and issue.pending > 0:
                issue.flight_credit -= 1.0
                landed = min(issue.spec.deportees_per_flight, issue.pending)
                issue.pending -= landed
                issue.returned += landed
                issue.flights_landed += 1

    def _costs_and_approval(self) -> None:
        """Economic pain of measures in force, then approval (rally, pain, elite pressure)."""
        round_hours = self.scenario_spec.round_hours
        governments = self.governments
        lost = dict.fromkeys(governments, 0.0)
        """Approval each government loses this round."""
        for m in self.measures.values():
            m.rate = rate = m.rate_now(self.hours)
            if rate <= 0:
                continue
            m.hours_in_force += round_hours
            spec = m.spec
            exposed = m.flow_usd_bn * spec.coverage
            for key, elasticity in ((spec.target, spec.target_elasticity),
                                    (spec.imposer, spec.imposer_elasticity)):
                gov = governments[key]
                gdp = gov.spec.gdp_usd_bn
                share = annual_cost_share(exposed, 1.0, rate, elasticity, gdp)
                cost = cost_this_round(share, gdp, round_hours)
                gov.cost_usd_bn += cost
                lost[key] += self.dyn.pain_weight * cost / gdp
            lost[spec.target] += spec.political_pressure * round_hours / 24
        if self.hours <= self.dyn.rally_days * 24:
            rally = self.dyn.rally * round_hours / 24
            standing_firm = {
                party for i in self.issues if i.decided is None for party in (i.spec.sender, i.spec.receiver)
            }
            for key in standing_firm:
                lost[key] -= rally
        for key, gov in governments.items():
            gov.approval = clip01(gov.approval - lost[key])

    def _update_beliefs(self, decisions: list[Decision]) -> None:
        """Each government updates P(resolute) of each mover from its observed moves (Bayes)."""
        tc, bc = self.dyn.threat_credibility, self.dyn.bluff_credibility
        for decision in decisions:
            if decision.is_wait:
                continue  # waiting says nothing about resolve
            kinds = {a.kind for a in decision.actions}
            for kind in sorted(kinds, key=lambda k: k.value):
                like = likelihoods(kind, tc, bc)
                if like is None:
                    continue
                for gov in self.governments.values():
                    if gov.key != decision.actor:
                        gov.beliefs[decision.actor] = bayes_update(gov.beliefs[decision.actor], *like)

    # ---------------------------------------------------------- events

    def _fire_events(self) -> None:
        while self.pending_events and self.pending_events[0].at_hours <= self.hours:
            event = self.pending_events.pop(0)
            actors = [a for a in event.actors if a in self.governments]
            if event.kind is EventKind.BACK_CHANNEL:
                for a in actors:
                    for b in actors:
                        if a < b:
                            self.back_channels.add(frozenset((a, b)))
            elif event.kind is EventKind.MEDIATION:
                for issue in self.issues:
                    if issue.decided is None and {issue.spec.sender, issue.spec.receiver} <= set(actors):
                        self._propose("mediator", issue, 0.5)
            elif event.kind is EventKind.PUBLIC_COMMITMENT:
                for a in actors:
                    gov = self.governments[a]
                    if not gov.committed:
                        gov.committed, gov.committed_at = True, self.hours
            elif event.kind is EventKind.APPROVAL_SHOCK or event.kind is EventKind.VISIT:
                for a in actors:
                    gov = self.governments[a]
                    gov.approval = clip01(gov.approval + event.approval_change)
            note = event.note or event.kind.value.replace("_", " ")
            self._record(None, "event", [event.kind.value], note)
            if event.kind in (EventKind.BACK_CHANNEL, EventKind.MEDIATION):
                self._turning_point(note)

    # ---------------------------------------------------------- settlement

    def _is_settled(self) -> bool:
        """Every issue decided, its measures resolved, and accepted flights under way."""
        for issue in self.issues:
            if issue.decided is None:
                return False
            if issue.status in (FlightStatus.ACCEPTED, FlightStatus.ACCEPTED_WITH_CONDITIONS) and \
                    issue.first_flight_at is None:
                return False
            parties = {issue.spec.sender, issue.spec.receiver}
            for m in self.measures.values():
                if {m.spec.imposer, m.spec.target} == parties \
                        and m.spec.lift_after is not LiftCondition.NEVER \
                        and m.state in (MeasureState.THREATENED, MeasureState.IMPOSED):
                    return False
        return True

    def final_outcomes(self) -> list[dict]:
        """Per issue: outcome, variant, and when it was decided (classifying undecided ones now)."""
        out = []
        for issue in self.issues:
            if issue.decided is not None:
                out.append({"outcome": issue.decided, "variant": issue.variant,
                            "decided_round": issue.decided_round,
                            "decided_at_hours": issue.decided_hours})
            else:
                outcome, since = classify_unsettled(self, issue)
                out.append({"outcome": outcome, "variant": None,
                            "decided_round": since,
                            "decided_at_hours": None if since is None
                            else since * self.scenario_spec.round_hours})
        return out

    # ---------------------------------------------------------- helpers

    def _name(self, key: str) -> str:
        return self.scenario_spec.actors[key].name

    def _record(self, actor: str | None, kind: str, actions: list[str], reason: str) -> None:
        self.log.append({
            "round": self.round,
            "hours": self.hours,
            "clock": self.clock_text,
            "actor": actor,
            "kind": kind,
            "actions": actions,
            "reason": reason,
        })

    def _turning_point(self, text: str) -> None:
        self.turning_points.append({"round": self.round, "hours": self.hours, "text": text})



def _belief_of(other: str):
    def report(gov: Government) -> float | None:
        return gov.beliefs.get(other)

    return report
