"""Names of the per-actor and per-measure trajectory columns, built and parsed in one place.

A run's model frame has ``cost_<actor>``, ``approval_<actor>``,
``rate_<measure>`` and ``state_<measure>`` columns; its actor frame
``belief_<other>``; a batch's runs table ``cost_<actor>``,
``approval_<actor>``, ``resolve_<actor>`` and ``furthest_<measure>``; batch statistics add a
suffix (``cost_<actor>_median``). Every module that names such a column, or
reads the actor or measure back out of one, goes through :class:`Family`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Family(StrEnum):
    """A family of columns: one column per actor (or measure), named ``<family>_<key>``."""

    COST = "cost"
    """Cumulative cost to an actor, USD bn."""
    APPROVAL = "approval"
    """An actor's approval at home, 0-1."""
    RATE = "rate"
    """A measure's rate in force."""
    STATE = "state"
    """A measure's state label."""
    FURTHEST = "furthest"
    """The furthest state a measure reached (batch runs table)."""
    BELIEF = "belief"
    """P(the other government is resolute), in the actor frame."""
    RESOLVE = "resolve"
    """The private resolve a government drew when the run began (batch runs table)."""
    SHARE = "share"
    """The share of runs ending in an outcome class (batch summary: ``share_<class>``, with
    ``_lo`` and ``_hi`` for its 95% interval)."""

    @property
    def prefix(self) -> str:
        return f"{self.value}_"

    def column(self, key: str, suffix: str = "") -> str:
        """``cost_colombia``; with ``suffix="median"``: ``cost_colombia_median``."""
        return f"{self.value}_{key}_{suffix}" if suffix else f"{self.value}_{key}"

    def key_of(self, column: str, suffix: str = "") -> str | None:
        """The actor or measure a column of this family names, or None if it is not one."""
        column = str(column)
        end = f"_{suffix}" if suffix else ""
        if not column.startswith(self.prefix) or not column.endswith(end):
            return None
        key = column[len(self.prefix): len(column) - len(end)]
        return key or None

    def owns(self, column: str) -> bool:
        """Whether ``column`` belongs to this family (its name starts ``<family>_``)."""
        return str(column).startswith(self.prefix)

    def keys_in(self, columns: Iterable[str], suffix: str = "") -> list[str]:
        """The keys of every column of this family in ``columns``, in their order."""
        return [k for c in columns if (k := self.key_of(c, suffix)) is not None]


def cost_column(actor: str) -> str:
    return Family.COST.column(actor)


def approval_column(actor: str) -> str:
    return Family.APPROVAL.column(actor)


def rate_column(measure: str) -> str:
    return Family.RATE.column(measure)


def state_column(measure: str) -> str:
    return Family.STATE.column(measure)


def furthest_column(measure: str) -> str:
    return Family.FURTHEST.column(measure)


def belief_column(other: str) -> str:
    return Family.BELIEF.column(other)


def resolve_column(actor: str) -> str:
    return Family.RESOLVE.column(actor)


ISSUE_FIELDS = (("outcome", "string"), ("variant", "string"), ("decided_at_hours", "float64"))
"""What a batch row says of each issue after the first (the first's are ``outcome``,
``variant`` and ``decided_at_hours``): docs/batch-format.md."""


FRACTION_MET = "fraction_met"
"""A batch row's column (and the run record's key) for the fraction of the demand the receiver
met when the first issue was settled on its meeting the demand in part; present only where the
demand may be met in part (``demand.partial``): docs/batch-format.md."""


ISSUE_PREFIX = "issue_"
"""Prefix of a batch row's columns about issues after the first."""


def issue_column(number: int, field: str) -> str:
    """``issue_2_outcome``: a field of the ``number``-th issue (counted from 1) in a batch row."""
    return f"{ISSUE_PREFIX}{number}_{field}"
