"""One run of a campaign: its crises in order, each starting from the beliefs the last one left.

:func:`campaign_runs` steps the crises of a
:class:`~crisis_sim.scenario.campaign.Campaign` under one seed: each crisis
gets a seed of its own, spawned from the run's seed
(``SeedSequence(seed).spawn(n)``: :func:`crisis_seeds`), so one seed fixes
the whole campaign. A government's private resolve is drawn in the first
crisis it takes part in and kept from crisis to crisis (its type persists,
so what the others learn of it is about something real), as it stood when
the last crisis ended: moved by precedent, or redrawn by a government that
fell (docs/model.md §7.20, §7.23). The public beliefs about each
government's resolve are carried from one crisis to the next, faded toward
the new crisis's prior (:func:`crisis_sim.core.reputation.carry`); a
government absent from a crisis keeps what was believed of it, its evidence
fading with each hand-over it misses. Governments are matched across crises
by their key in the scenario files.

Crises that overlap (``starts_after_days``) are run as one model, merged by
:mod:`crisis_sim.scenario.overlap`: the public beliefs are then shared live,
as between the issues of one scenario (docs/model.md §7.20). Each is still
yielded as a :class:`CrisisRun` of its own, whose ``issues`` are its share of
the model's.

:func:`run_campaign` is what ``crisis-sim run CAMPAIGN`` calls (one
:class:`~crisis_sim.runs.single_run.RunResult` per crisis); :func:`write_campaign`
writes a campaign folder: a run folder per crisis and ``campaign.json``.
No I/O elsewhere in this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crisis_sim.core import beliefs
from crisis_sim.core.model import CrisisModel
from crisis_sim.core.outcomes import private_draws
from crisis_sim.core.reputation import carry, retained_weight
from crisis_sim.runs.single_run import RunResult, gather, run_to_end
from crisis_sim.scenario.campaign import Campaign, Crisis

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.overlap import Group

CAMPAIGN_JSON = "campaign.json"
CAMPAIGN_KIND = "campaign"


def crisis_seeds(seed: int, n: int) -> list[int]:
    """The model seed of each crisis: child ``k`` of ``SeedSequence(seed)``, one 32-bit word."""
    import numpy as np

    return [int(np.random.SeedSequence(seed, spawn_key=(k,)).generate_state(1, dtype=np.uint32)[0])
            for k in range(n)]


@dataclass
class CrisisRun:
    """One crisis of a campaign run: the model (finished), its seed, and the beliefs it opened with."""

    crisis: Crisis
    seed: int
    model: CrisisModel
    opening: dict[str, beliefs.Belief]
    """The public belief about each government's resolve as the crisis opened (after carrying)."""
    draws: dict[str, float]
    """Each government's private resolve, drawn when the crisis's model was built."""
    group: Group | None = None
    """The crises run together with this one in ``model`` (None: it was run alone)."""

    @property
    def issues(self) -> range | None:
        """This crisis's issues among the model's (None: all of them, it was run alone)."""
        return None if self.group is None else self.group.issues[self.group.crises.index(self.crisis.index)]

    @property
    def shares_model(self) -> bool:
        """Whether an earlier crisis of the run was run in the same model (its trajectory is that one's)."""
        return self.group is not None and self.group.first != self.crisis.index


@dataclass
class _Carried:
    """What is believed of one government between crises, and how much of its evidence remains."""

    belief: beliefs.Belief
    weight: float = 1.0


def opening_beliefs(
    crisis: Crisis, campaign: Campaign, carried: dict[str, _Carried], scenario: Scenario | None = None
) -> dict[str, beliefs.Belief]:
    """The beliefs a crisis starts from for the governments seen in earlier crises (``scenario``:
    the one it is run in, when that is not its own: crises run together)."""
    w = retained_weight(campaign.belief_decay, crisis.gap_days, campaign.half_life_days)
    out = {}
    for key, actor in (scenario or crisis.scenario).actors.items():
        if key in carried:
            prior = beliefs.prior(actor.resolve.mean, actor.resolve.sd)
            out[key] = carry(carried[key].belief, prior, carried[key].weight * w)
    return out


def campaign_runs(campaign: Campaign, seed: int, *, agent_records: bool = False,
                  scenarios: tuple | None = None) -> Iterator[CrisisRun]:
    """Run the crises of ``campaign`` under ``seed`` in order, yielding each once it has finished.

    Crises that overlap (:mod:`crisis_sim.scenario.overlap`) are run as one
    model, under the seed of the first of them, and yielded together when it
    has finished, each with the beliefs of the hour it opened.
    ``scenarios``: the scenario of each group (:attr:`Campaign.groups`) to use
    instead of the campaign's (equal copies a worker keeps, to reuse their caches).
    """
    carried: dict[str, _Carried] = {}
    resolves: dict[str, float] = {}
    """Each government's private resolve as the last crisis it was in ended: its type."""
    seeds = crisis_seeds(seed, len(campaign.crises))
    for g, group in enumerate(campaign.groups):
        crisis, crisis_seed = campaign.crises[group.first], seeds[group.first]
        scenario = group.scenario if scenarios is None else scenarios[g]
        w = retained_weight(campaign.belief_decay, crisis.gap_days, campaign.half_life_days)
        initial = opening_beliefs(crisis, campaign, carried, scenario)
        model = CrisisModel(scenario, crisis_seed, agent_records=agent_records, initial_beliefs=initial,
                            initial_resolves=resolves, posterior_seed=seed)
        opening = dict(model.public_beliefs)
        draws = private_draws(model)
        if group.overlapping:
            openings = _run_group(model, group)
        else:
            run_to_end(model)
        for key in carried:
            if key not in scenario.actors:
                carried[key].weight *= w
        for key, belief in model.public_beliefs.items():
            carried[key] = _Carried(tuple(belief))
        resolves.update((key, gov.resolve) for key, gov in model.governments.items())
        if not group.overlapping:
            yield CrisisRun(crisis, crisis_seed, model, opening, draws)
            continue
        for k, opened in zip(group.crises, openings, strict=True):
            yield CrisisRun(campaign.crises[k], crisis_seed, model, opened, draws, group)


def _run_group(model: CrisisModel, group: Group) -> list[dict[str, beliefs.Belief]]:
    """Step the model of crises run together to its end; return the public beliefs as each crisis
    opened (those at the opening of the round its first issue opened in)."""
    firsts = [model.issues[issues.start] for issues in group.issues]
    openings: list[dict[str, beliefs.Belief] | None] = [dict(model.public_beliefs) if i.opened else None
                                                        for i in firsts]
    for _ in range(model.scenario_spec.rounds):
        if not model.running:
            break
        before = dict(model.public_beliefs)
        model.step()
        for k, issue in enumerate(firsts):
            if openings[k] is None and issue.opened:
                openings[k] = before
    return [o if o is not None else dict(model.public_beliefs) for o in openings]


# --------------------------------------------------------------------------
# crisis-sim run CAMPAIGN: results and the campaign folder
# --------------------------------------------------------------------------


@dataclass
class CampaignResult:
    """A campaign run under one seed: a :class:`RunResult` per crisis and what was believed.

    Crises run together share one :class:`RunResult` (the same object), in
    which ``issues`` says which issues are each one's (None: run alone, all of them).
    """

    campaign: Campaign
    seed: int
    crises: list[RunResult]
    seeds: list[int]
    opening: list[dict[str, beliefs.Belief]]
    closing: list[dict[str, beliefs.Belief]]
    summary: dict[str, Any] = field(default_factory=dict)
    issues: list[range | None] = field(default_factory=list)


def run_campaign(campaign: Campaign, seed: int) -> CampaignResult:
    """Run every crisis of ``campaign`` under ``seed``; gather each model as one run."""
    results: list[RunResult]
    results, seeds, opening, closing, issues = [], [], [], [], []
    for run in campaign_runs(campaign, seed, agent_records=True):
        results.append(results[-1] if run.shares_model else gather(run.model))
        issues.append(run.issues)
        seeds.append(run.seed)
        opening.append(run.opening)
        closing.append(dict(run.model.public_beliefs))
    result = CampaignResult(campaign, seed, results, seeds, opening, closing, issues=issues)
    result.summary = campaign_summary(result)
    return result


def _belief_record(belief: beliefs.Belief) -> dict[str, Any]:
    return {"mean": beliefs.mean(belief), "p_resolute": beliefs.p_resolute(belief),
            "grid": [float(p) for p in belief]}


def crisis_folder_name(crisis: Crisis) -> str:
    """``crisis-1-<scenario name>``: the run folder of a crisis inside a campaign folder."""
    return f"crisis-{crisis.index + 1}-{crisis.scenario.name}"


def run_folder_name(campaign: Campaign, crisis: Crisis) -> str:
    """The run folder a crisis's model is in: its own (:func:`crisis_folder_name`), or for crises
    run together ``crises-<first>-<last>-<first scenario's name>``, theirs."""
    group = campaign.group_of(crisis.index)
    if not group.overlapping:
        return crisis_folder_name(crisis)
    return f"crises-{group.first + 1}-{group.crises[-1] + 1}-{group.scenario.name}"


def _crisis_outcome(outcome: dict[str, Any], issues: range | None) -> dict[str, Any]:
    """A crisis's outcome from its run's record: the record's, or its first issue's when it was
    run together with others."""
    if issues is None:
        return outcome
    return outcome["issues"][issues.start]


def campaign_summary(result: CampaignResult) -> dict[str, Any]:
    """``campaign.json``: the campaign, the seed, and per crisis its outcome and the beliefs
    about each government's resolve as it opened and closed."""
    campaign = result.campaign
    crises = []
    issues = result.issues or [None] * len(campaign.crises)
    for crisis, run, seed, opening, closing, own in zip(
        campaign.crises, result.crises, result.seeds, result.opening, result.closing, issues, strict=True
    ):
        outcome = _crisis_outcome(run.outcome, own)
        together = campaign.group_of(crisis.index)
        crises.append({
            "crisis": crisis.index + 1,
            "label": crisis.label,
            "scenario": crisis.scenario.name,
            "folder": run_folder_name(campaign, crisis),
            "seed": seed,
            "gap_days": crisis.gap_days,
            **({} if not together.overlapping else {
                "run_with": [k + 1 for k in together.crises],
                "opens_at_hours": together.opens_at_hours[together.crises.index(crisis.index)],
                "issue_numbers": [i + 1 for i in together.issues[together.crises.index(crisis.index)]],
            }),
            "retained": retained_weight(campaign.belief_decay, crisis.gap_days, campaign.half_life_days)
            if crisis.index and crisis.index == together.first else None,
            "outcome": outcome.get("outcome"),
            "variant": outcome.get("variant"),
            "decided_round": outcome.get("decided_round"),
            "decided_at_hours": outcome.get("decided_at_hours"),
            "issues": [
                {"sender": issue.sender, "receiver": issue.receiver} for issue in crisis.scenario.issues
            ],
            "beliefs_at_start": {k: _belief_record(b) for k, b in sorted(opening.items())},
            "beliefs_at_end": {k: _belief_record(b) for k, b in sorted(closing.items())},
        })
    return {
        "campaign": campaign.name,
        "title": campaign.title,
        "campaign_sha256": campaign.content_hash(),
        "seed": int(result.seed),
        "belief_decay": campaign.belief_decay,
        "half_life_days": campaign.half_life_days,
        "crises": crises,
    }


def check_campaign_dir(out_dir: Path, *, force: bool) -> None:
    """Raise RunFolderError unless ``out_dir`` may be written (free; with ``force``, empty or a
    campaign folder)."""
    from crisis_sim.runs.run_folder import RunFolderError, RunFolderExistsError
    from crisis_sim.runs.safe_folders import check_replaceable

    check_replaceable(out_dir, force=force, kind=CAMPAIGN_KIND,
                      error=RunFolderError, exists_error=RunFolderExistsError)


def write_campaign(
    result: CampaignResult,
    out_dir: Path,
    *,
    command: list[str],
    plots: bool = True,
    force: bool = False,
    started_at: datetime | None = None,
) -> Path:
    """Write a campaign folder at ``out_dir``, atomically: ``campaign.json``, ``campaign.yaml``
    and a run folder per crisis (``crisis-<n>-<scenario>``); return the folder."""
    import yaml

    from crisis_sim.runs.run_folder import RunFolderError, RunFolderExistsError, dumps, write_run
    from crisis_sim.runs.safe_folders import move_into_place, staging_folder, write_marker

    out_dir = Path(out_dir)
    started_at = started_at or datetime.now(UTC)
    check_campaign_dir(out_dir, force=force)
    with staging_folder(out_dir, error=RunFolderError) as tmp:
        write_marker(tmp, CAMPAIGN_KIND)
        written: set[str] = set()
        for crisis, run in zip(result.campaign.crises, result.crises, strict=True):
            folder = run_folder_name(result.campaign, crisis)
            if folder not in written:  # crises run together share one run folder
                written.add(folder)
                write_run(run, tmp / folder, command=command, plots=plots, started_at=started_at)
        (tmp / "campaign.yaml").write_text(
            yaml.safe_dump(result.campaign.to_json(), sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        summary = {**result.summary, "command": list(command)}
        (tmp / CAMPAIGN_JSON).write_text(dumps(summary), encoding="utf-8")
        move_into_place(tmp, out_dir, check=lambda d: check_campaign_dir(d, force=force),
                        error=RunFolderError, exists_error=RunFolderExistsError)
    return out_dir


__all__ = [
    "CampaignResult",
    "CrisisRun",
    "campaign_runs",
    "crisis_seeds",
    "run_campaign",
    "write_campaign",
]
