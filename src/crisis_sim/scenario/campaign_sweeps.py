"""Sweeps over a campaign: the campaign of every point of a ``--sweep`` grid, each checked.

A campaign is swept by the paths of ``--set`` on a campaign
(:mod:`crisis_sim.scenario.campaign_paths`): ``belief_decay=0,0.5,1`` or
``crises.1.actors.southland.resolve.mean=0.3:0.6:4``. Each point's campaign is
the campaign file loaded again with the ``--set`` changes it was loaded with,
then the point's values, so a point differs from the base campaign in its
swept values only. As for a scenario's sweep
(:func:`crisis_sim.scenario.sweeps.point_scenarios`), each swept value is
first checked on its own, so that a bad value gives one line however large
the grid; a bad path gives one line naming the file. No I/O beyond reading
the campaign's files again.
"""

from __future__ import annotations

from collections.abc import Sequence

from crisis_sim.scenario.campaign import Campaign, load_campaign
from crisis_sim.scenario.campaign_paths import swept_changes
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.sweeps import MAX_PROBLEM_LINES, Point, Sweep, grid


def point_campaigns(base: Campaign, sweeps: Sequence[Sweep], points: Sequence[Point]) -> list[Campaign]:
    """The campaign of every point, in point order (``base`` itself where nothing is swept).

    Raises :class:`~crisis_sim.scenario.errors.ScenarioError` with one line per distinct problem.
    """
    problems: list[str] = []
    for sweep in sweeps:
        try:
            _campaigns(base, grid([sweep]))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    try:
        return _campaigns(base, points)
    except ScenarioError as exc:
        raise ScenarioError(_cap(list(dict.fromkeys(exc.problems)))) from None


def _campaigns(base: Campaign, points: Sequence[Point]) -> list[Campaign]:
    problems: list[str] = []
    campaigns: list[Campaign] = []
    for point in points:
        if not point.values:
            campaigns.append(base)
            continue
        try:
            campaigns.append(load_campaign(base.source, [*base.changes, *swept_changes(point.values)],
                                           where=f"{base.source} with {point.label}"))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return campaigns


def _cap(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEM_LINES:
        return problems
    rest = len(problems) - MAX_PROBLEM_LINES
    return [*problems[:MAX_PROBLEM_LINES], f"... and {rest} more problems"]
