"""What a batch keeps of one run: the fields of its row, declared once.

Each field says its column (or, for a family, one column per actor or measure: ``cost_<actor>``),
its type, whether it may be null, and what it means. The batch's runs table takes its columns
(:func:`run_columns`) and each row (:func:`run_row`) from here, and docs/batch-format.md's table
of those columns is these fields in words (:func:`doc_rows`; ``tests/test_results.py`` checks the
page). The values come from the run's outcome record
(:func:`~crisis_sim.core.outcomes.outcome_record`, ``lean=True``), under the name each field
gives as its ``source``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crisis_sim.core.columns import FRACTION_MET, Family
from crisis_sim.core.schema import Issue


@dataclass(frozen=True, slots=True)
class RecordField:
    """One field of a run's row."""

    name: str
    """The column's name (for a family: the record's key whose mapping holds the values)."""
    dtype: str
    """Its Arrow type: ``int64``, ``float64``, ``bool`` or ``string``."""
    meaning: str
    """What it holds, in words (docs/batch-format.md)."""
    family: Family | None = None
    """One column per actor (or measure), named by the family (``cost_<actor>``)."""
    per_measure: bool = False
    """A family's keys are the measures (else the actors)."""
    nullable: bool = False

    @property
    def label(self) -> str:
        """``cost_<actor>``, ``outcome``: the column as docs/batch-format.md names it."""
        if self.family is None:
            return self.name
        return self.family.column("<measure>" if self.per_measure else "<actor>")

    def columns(self, actors: Sequence[str], measures: Sequence[str]) -> list[str]:
        if self.family is None:
            return [self.name]
        return [self.family.column(k) for k in (measures if self.per_measure else actors)]


RUN_FIELDS: tuple[RecordField, ...] = (
    RecordField("outcome", "string", "one of the seven outcome classes (docs/model.md §7.13), of the "
                "scenario's first issue"),
    RecordField("variant", "string", "e.g. `face_saving` (first issue)", nullable=True),
    RecordField("decided_round", "int64", "the round in which the first issue was decided", nullable=True),
    RecordField("decided_at_hours", "float64", "the hour it was decided: the opening of that round, "
                "`(decided_round − 1) × round_hours`, or a later turn within it in a round longer than "
                "three hours (\"Rounds and hours\", below)", nullable=True),
    RecordField("rounds_run", "int64", "the rounds played: the scenario's `rounds`, or fewer when the run "
                "stopped once settled"),
    RecordField("stopped_early", "bool", "whether the run stopped before its horizon, once settled"),
    RecordField("costs_usd_bn", "float64", "cumulative cost, USD bn (one column per actor, in key order)",
                family=Family.COST),
    RecordField("approval", "float64", "final approval (one column per actor, in key order)",
                family=Family.APPROVAL),
    RecordField("drawn_resolve", "float64", "the private resolve the government drew when the run began, "
                "before precedent moved it (one column per actor, in key order)", family=Family.RESOLVE),
    RecordField("furthest", "string", "`available`, `threatened`, `imposed` (in key order)",
                family=Family.FURTHEST, per_measure=True),
    RecordField("deportees_returned", "int64", "deportees returned over the run, on every issue of the run"),
    RecordField("first_flight_hours", "float64", "the hour the first deportation flight of the first "
                "issue landed", nullable=True),
    RecordField(FRACTION_MET, "float64", "only when the first issue's demand may be met in part (the "
                "demand's `partial`, at any sweep point): the fraction the receiver met when the issue "
                "was settled on it (variant `partial`), else null", nullable=True),
    RecordField("posterior_draw", "int64", "only when the scenario leaves fitted values to the calibrated "
                "posterior (its `posterior`, at any sweep point): which kept draw the run took, counted "
                "from 0 in `core/calibrated.py`'s `POSTERIOR` (docs/calibration.md), else null",
                nullable=True),
)
"""The fields of a run's row, in the order of the runs table's columns."""


POSTERIOR_DRAW = "posterior_draw"
"""The record's key, and the runs table's column, of the kept draw a run took."""


def may_be_met_in_part(issue: Issue) -> bool:
    """Whether an issue's demand may be met in part (``demand.partial``): only then does a run's
    record say what fraction was met (and a batch's runs table have ``fraction_met``)."""
    return issue.demand is not None and bool(issue.demand.partial)


def run_columns(actors: Sequence[str], measures: Sequence[str], partial: bool,
                drawn: bool = False) -> list[tuple[str, str]]:
    """The runs table's columns of the record, with their types: ``partial``, whether the first
    issue may be met in part at some point of the batch (:func:`may_be_met_in_part`); ``drawn``,
    whether a run of some point draws from the calibrated posterior
    (:func:`crisis_sim.core.posterior.draws_from_posterior`)."""
    left_out = {FRACTION_MET} if not partial else set()
    left_out |= {POSTERIOR_DRAW} if not drawn else set()
    return [(column, f.dtype) for f in RUN_FIELDS if f.name not in left_out
            for column in f.columns(actors, measures)]


def run_row(record: Mapping[str, Any], actors: Sequence[str], measures: Sequence[str]) -> dict[str, Any]:
    """A lean outcome record as the row's columns (a family's key missing from the record: null;
    ``fraction_met`` and ``posterior_draw`` only if the record has them)."""
    row: dict[str, Any] = {}
    for f in RUN_FIELDS:
        if f.family is None:
            if f.name in record:
                row[f.name] = record[f.name]
            continue
        values, keys = record[f.name], measures if f.per_measure else actors
        for key, column in zip(keys, f.columns(actors, measures), strict=True):
            row[column] = values.get(key)
    return row


def doc_rows() -> list[str]:
    """The rows of docs/batch-format.md's runs table that these fields make, in their order."""
    return [f"| `{f.label}` | {f.dtype}{', null' if f.nullable else ''} | {f.meaning} |" for f in RUN_FIELDS]
