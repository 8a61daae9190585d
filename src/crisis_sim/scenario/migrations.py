"""Old scenario files: which version of the format a file seems to be, and what replaced an old field.

The format has changed once in a way that breaks old files. Format 1 is
what files were written in before the model was refitted on 29 November 2026
(simultaneous moves, beliefs read from behaviour, public deadlines); format 2
is the current one. Format 2 dropped four fields and moved one; a file that
still has them fails validation with "unknown field" or "unknown parameter",
and :func:`with_hint` adds to that line what took the field's place, so
that an old file can be brought up to date from the messages alone.

The table :data:`RETIRED` is the whole of it: a field added later (a
``history`` block, ``lift_stages``, ``demand.partial``) is optional, so a
file without it is still a valid format 2 file.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

CURRENT_FORMAT = 2

FORMATS = {
    1: "of files written before 29 November 2026",
    2: "the current one",
}
"""Each version of the scenario format, in words."""


@dataclass(frozen=True)
class Retired:
    """A field of an older format: where it was, the last format that had it, and what replaced it."""

    path: str
    """Its dotted path, ``*`` for any actor's id (``actors.*.policy.params.max_approval_loss``)."""
    last_format: int
    replaced_by: str


RETIRED = (
    Retired("actors.*.policy.params.announce_after_hours", 1,
            "moved to actors.<id>.deliberation_hours (the hours a government takes to decide, "
            "for every policy)"),
    Retired("actors.*.policy.params.max_approval_loss", 1,
            "removed: turn_the_screw no longer gives up at a fixed loss of approval; at the deadline "
            "it weighs imposing, extending and withdrawing from its resolve, stake and audience cost "
            "(set actors.<id>.resolve, or the parameter reputation_weight)"),
    Retired("dynamics.threat_credibility", 1,
            "removed: how far a threat is believed now follows the public belief about the "
            "threatener's resolve (set actors.<id>.resolve; dynamics.learning)"),
    Retired("dynamics.bluff_credibility", 1,
            "removed: how far a threat is believed now follows the public belief about the "
            "threatener's resolve (set actors.<id>.resolve; dynamics.learning)"),
)
"""Every field a format change removed or moved, with what replaced it."""


def retired_field(path: str) -> Retired | None:
    """The retired field at dotted ``path`` (also inside a campaign's ``crises.<n>.``), or None."""
    for field in RETIRED:
        if fnmatchcase(path, field.path) or fnmatchcase(path, f"crises.*.{field.path}"):
            return field
    return None


def with_hint(problem: str) -> str:
    """A validation line ``path: unknown ...`` with what replaced the field, if it is a retired one."""
    path, _, message = problem.partition(": ")
    field = retired_field(path)
    if field is None or not message.startswith("unknown"):
        return problem
    return f"{problem}; a format {field.last_format} field, {field.replaced_by}"


def _paths(data: Any, prefix: str = "") -> list[str]:
    """Every dotted path of a mapping's keys, list items by index (``trade.0.usd_bn``)."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    out = []
    for key, value in items:
        path = f"{prefix}{key}"
        out += [path, *_paths(value, path + ".")]
    return out


def format_version(data: dict[str, Any]) -> int:
    """The version of the format a scenario mapping seems to be: the oldest its retired fields point to."""
    versions = [f.last_format for f in map(retired_field, _paths(data)) if f is not None]
    return min(versions, default=CURRENT_FORMAT)


def describe_format(version: int) -> str:
    """``scenario format 1, of files written before 29 November 2026``."""
    return f"scenario format {version}, {FORMATS[version]}"
