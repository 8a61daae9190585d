"""What each government sees: the read-only views it decides from, built from the state of a run.

A government decides from a :class:`~crisis_sim.core.view.WorldView`: plain frozen data with
read-only mappings, nothing in it leading back to the model or to another government's private
resolve (``tests/test_view_closed.py``). The parts every government sees alike (the measures,
the issues, the public beliefs and every government's public standing: :class:`PublicState`)
are built once a turn and shared; a measure's view is rebuilt only when its state, step or
rate moved (its cache is shared by every run of the scenario).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from crisis_sim.core import beliefs
from crisis_sim.core.dynamics import annual_cost_share, attention
from crisis_sim.core.rules import open_proposals, strains
from crisis_sim.core.state import IssueRun, MeasureRun
from crisis_sim.core.types import MeasureState
from crisis_sim.core.view import IssueView, MeasureView, Profile, WorldView

if TYPE_CHECKING:
    from crisis_sim.core.government import Government
    from crisis_sim.core.model import CrisisModel


class PublicState(NamedTuple):
    """The parts of a view that are the same for every government: public facts and standing."""

    measures: tuple[MeasureView, ...]
    issues: tuple[IssueView, ...]
    resolve_beliefs: Mapping[str, beliefs.Belief]
    profiles: Mapping[str, Profile]


def public_now(model: CrisisModel) -> PublicState:
    """What every view shows alike, as it stands now."""
    return PublicState(
        measures=tuple(measure_view(model, m) for m in model.measures.values()),
        issues=tuple(issue_view(model, i) for i in model.issues if i.opened),
        resolve_beliefs=MappingProxyType(dict(model.public_beliefs)),
        profiles=MappingProxyType({k: profile_of(model, g) for k, g in model.governments.items()}),
    )

def view_of(model: CrisisModel, gov: Government, issue: IssueView | None, public: PublicState) -> WorldView:
    """What ``gov`` sees, about ``issue`` (None: the world at large), with the ``public`` parts
    every government sees alike."""
    return WorldView(
        me=gov.key,
        role=gov.role,
        round=model.round,
        hours=model.hours,
        round_hours=model.turn_hours,
        resolve=gov.resolve,
        approval=gov.approval,
        approval_start=model.approval_start[gov.key],
        cost_usd_bn=gov.cost_usd_bn,
        gdp_usd_bn=gov.spec.gdp_usd_bn,
        committed=gov.committed,
        hours_committed=gov.hours_committed(),
        audience_cost=gov.spec.audience_cost,
        dignity=gov.spec.dignity,
        risk_tolerance=gov.spec.risk_tolerance,
        beliefs=MappingProxyType(model.beliefs_of(gov.key)),
        resolve_beliefs=public.resolve_beliefs,
        profiles=public.profiles,
        resolve_means=model.resolve_means,
        issue=issue,
        issues=public.issues,
        measures=public.measures,
        last_moves=MappingProxyType({k: v for k, v in model.last_moves.items() if k != gov.key}),
        proposals=MappingProxyType({k: p.terms for k, p in open_proposals(model, gov.key).items()}),
        proposed_to=frozenset(_counterpart(model.issues[p.issue], gov.key)
                              for (who, _), p in model.proposals.items() if who == gov.key),
        back_channels=frozenset(
            other for pair in model.back_channels if gov.key in pair for other in pair
            if other != gov.key
        ),
        offered_to_receive=gov.offered_to_receive,
        dynamics=model.dyn,
        unseen_hours=model.unseen_hours.get(gov.key, 0.0),
        talks_opening=frozenset(other for pair in model.talks_opening if gov.key in pair
                                for other in pair if other != gov.key),
        reconsidering=model.reconsidering,
    )

def measure_view(model: CrisisModel, m: MeasureRun) -> MeasureView:
    """The public view of a measure; rebuilt only when its state, step or rate moved."""
    rate = m.rate_now(model.hours)
    in_force = m.in_force(model.hours)
    target_gdp = model.governments[m.spec.target].spec.gdp_usd_bn
    imposer_gdp = model.governments[m.spec.imposer].spec.gdp_usd_bn
    lifting = m.lift_began_at is not None
    key = (m.state, m.forced_steps, rate, in_force, m.flow_usd_bn, target_gdp, imposer_gdp, lifting)
    cached = m.view_cache.get(key)
    if cached is not None:
        return cached
    expected = m.expected_rate(model.dyn.one_off_days if m.one_off else model.dyn.concern_days)
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
        can_escalate=m.state is MeasureState.IMPOSED and not m.one_off
        and m.forced_steps < len(m.spec.schedule) - 1,
        in_force=in_force,
        lifting=lifting,
        continuing=not m.one_off,
    )
    m.view_cache[key] = view
    return view

def issue_view(model: CrisisModel, i: IssueRun) -> IssueView:
    """The public view of an issue, as it stands now."""
    return IssueView(
        index=i.index,
        sender=i.spec.sender,
        receiver=i.spec.receiver,
        status=i.status,
        decided=i.decided,
        face_saving=i.spec.face_saving,
        face_saving_share=i.spec.face_saving_share,
        first_flight_landed=i.first_flight_at is not None,
        hours_contested=0.0 if i.refused_at is None else model.hours - i.refused_at,
        aircraft=i.spec.aircraft,
        restraints=i.spec.restraints,
        deadline_in=None if i.deadline_at is None else i.deadline_at - model.hours,
        deadlines_missed=i.deadlines_missed,
        partial=tuple(i.spec.demand.partial) if i.spec.demand is not None else (),
        demand=i.spec.demand_words,
        sender_attention=attention(model.hours - i.renewed_at, model.dyn.attention_half_life_days),
        review_in=None if i.review_due is None else i.review_due - model.hours,
        terms=i.terms,
        delivered=i.delivered,
        strain_per_day=strains(model, i, ahead=True),
        inducement=None if i.spec.inducement is None else i.spec.inducement.label,
        inducement_worth=0.0 if i.spec.inducement is None else i.spec.inducement.worth,
        inducement_cost=0.0 if i.spec.inducement is None else i.spec.inducement.cost,
        inducement_offered=i.offered_at is not None,
        counter_demand=None if i.spec.counter_demand is None else i.spec.counter_demand.label,
        counter_worth=0.0 if i.spec.counter_demand is None else i.spec.counter_demand.worth,
        counter_cost=0.0 if i.spec.counter_demand is None else i.spec.counter_demand.cost,
        counter_demanded=i.counter_demanded_at is not None,
        counter_met=i.counter_met_at is not None,
    )

def _counterpart(issue: IssueRun, me: str) -> str:
    return issue.spec.sender if issue.spec.receiver == me else issue.spec.receiver

def profile_of(model: CrisisModel, gov: Government) -> Profile:
    """What everyone knows of a government: its public attributes and standing."""
    return Profile(
        dignity=gov.spec.dignity,
        audience_cost=gov.spec.audience_cost,
        risk_tolerance=gov.spec.risk_tolerance,
        gdp_usd_bn=gov.spec.gdp_usd_bn,
        committed=gov.committed,
        hours_committed=gov.hours_committed(),
        approval=gov.approval,
        approval_start=model.approval_start[gov.key],
        temperature=gov.temperature,
        deliberation_hours=gov.spec.deliberation_hours,
    )

# ------------------------------------------------------------- beliefs
