"""The event log of a run: what each government did each round and why, and the scheduled events.

:attr:`CrisisModel.log <crisis_sim.core.model.CrisisModel.log>` holds typed
:class:`LogEntry` records. They become JSON only at the file boundary
(``events.jsonl``, written and read back by :mod:`crisis_sim.runs.run_folder`),
where :meth:`LogEntry.labels` gives the ``actions`` strings.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from crisis_sim.core.types import Action, ActionType, EventKind


class LogKind(StrEnum):
    """What a log entry records."""

    DECISION = "decision"
    """A government's move this round (its actions that took effect, or a wait) and its reason."""
    EVENT = "event"
    """A scheduled event of the scenario (:class:`~crisis_sim.core.types.EventKind`) and its note."""


class LogEntry(NamedTuple):
    """One line of the log (an immutable record: a named tuple, cheap to make every round).

    A decision has ``actor`` and ``actions``, the actions that took effect
    (none when it waited, or when events overtook what it chose); an event
    has no actor, its ``event`` kind, and the event's note as ``reason``.
    """

    round: int
    hours: float
    clock: str
    """The simulated clock, ISO 8601."""
    actor: str | None
    kind: LogKind
    actions: tuple[Action, ...] = ()
    event: EventKind | None = None
    reason: str = ""

    @property
    def is_wait(self) -> bool:
        """A decision that only waited."""
        return self.kind is LogKind.DECISION and all(a.kind is ActionType.WAIT for a in self.actions)

    def labels(self) -> list[str]:
        """The actions as short labels (:meth:`Action.describe`), or an event's kind: as files hold them."""
        if self.kind is LogKind.EVENT:
            return [self.event.value] if self.event is not None else []
        return [a.describe() for a in self.actions] or [ActionType.WAIT.value]
