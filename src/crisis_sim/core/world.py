"""What the rules of a round read and change: the state of a running crisis, as a Protocol.

:class:`~crisis_sim.core.model.CrisisModel` is the one implementation. The
rule modules (:mod:`~crisis_sim.core.moves`, :mod:`~crisis_sim.core.rules`,
:mod:`~crisis_sim.core.events`) and :mod:`~crisis_sim.core.outcomes` are typed
against this Protocol instead of the model, so none of them imports
:mod:`~crisis_sim.core.model` (no import cycle in ``core``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from crisis_sim.core.beliefs import Belief
from crisis_sim.core.government import Government
from crisis_sim.core.log import LogEntry
from crisis_sim.core.schema import Dynamics, Event, Scenario
from crisis_sim.core.state import IssueRun, MeasureRun, Proposal


class World(Protocol):
    """The state of one run between and during rounds."""

    scenario_spec: Scenario
    dyn: Dynamics
    seed: int
    posterior_draw: int | None
    """Which kept draw of the calibrated posterior the run plays (None: it draws none)."""
    round: int
    hours: float
    turn_hours: float
    """Hours of the turn being played: the round itself, or one of the equal turns of at most
    three hours a longer round is played in (flights and costs are counted per turn)."""
    clock_text: str
    """The clock of this round, ISO 8601 (what the log records)."""
    governments: dict[str, Government]
    """By key, in key order."""
    measures: dict[str, MeasureRun]
    issues: list[IssueRun]
    back_channels: set[frozenset[str]]
    """Pairs of governments that can propose and accept terms."""
    talks_opening: dict[frozenset[str], float]
    talks_opener: dict[frozenset[str], set[str]]
    """Pairs whose talks one of them has moved to open, with the hour the talks will be open."""
    proposals: dict[tuple[str, int], Proposal]
    """Open terms by (proposer, index of the issue they settle)."""
    pending_events: list[Event]
    """Scheduled events still to come, in time order."""
    trade: dict[tuple[str, str], float]
    """Yearly exports by (exporter, importer), USD bn (market shocks move them)."""
    public_beliefs: dict[str, Belief]
    """What everyone believes about each government's resolve."""
    descriptions: Mapping[str, str]
    """Each government's whole description without its name, in canonical form
    (:func:`~crisis_sim.core.government.full_description`): what orders governments where
    names must not."""
    resolve_means: Mapping[str, float]
    """Publicly known mean resolve of each government."""
    approval_start: dict[str, float]
    """Approval from which each government counts what it has lost."""
    log: list[LogEntry]
    turning_points: list[dict[str, Any]]
    settled: bool
