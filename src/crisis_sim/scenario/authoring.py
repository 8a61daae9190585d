"""Scenario authoring: start a file from a bundled scenario, and see what a what-if changed.

:func:`new_scenario_text` copies a scenario file's text (comments, ``ASSUMPTION``
notes and source citations included: docs/scenarios.md) with its ``name``
changed; :func:`scenario_differences` lists the fields two validated scenarios
disagree on, by dotted path, as ``--set`` and ``--sweep`` name them.
"""

from __future__ import annotations

import re
from typing import Any

from crisis_sim.core.schema import Scenario

_NAME_LINE = re.compile(r"^name:.*$", re.MULTILINE)
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def new_scenario_text(source_text: str, name: str) -> str:
    """``source_text`` (a scenario file) with its top-level ``name:`` set to ``name``."""
    if not _NAME_LINE.search(source_text):
        return f"name: {name}\n{source_text}"
    return _NAME_LINE.sub(f"name: {name}", source_text, count=1)


MAX_NAME = 64
"""The longest scenario name (``core.schema.Identifier``)."""


def bad_name(name: str) -> str | None:
    """Why ``name`` cannot be a scenario name, or None (lower case, digits, underscores, at most
    :data:`MAX_NAME` characters)."""
    if len(name) > MAX_NAME:
        return f"'{name[:20]}...' ({len(name)} characters) is longer than a scenario name may be ({MAX_NAME})"
    if _IDENTIFIER.match(name):
        return None
    return (f"'{name}' is not a scenario name: lower-case letters, digits and underscores, "
            "starting with a letter")


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        for index, item in enumerate(value):
            _flatten(item, f"{path}.{index}" if path else str(index), out)
    else:
        out[path] = value


def flatten(scenario: Scenario) -> dict[str, Any]:
    """Every leaf field of ``scenario`` by dotted path (``actors.colombia.resolve.mean``)."""
    out: dict[str, Any] = {}
    _flatten(scenario.model_dump(mode="json"), "", out)
    return out


MISSING = object()
"""A field one of the two scenarios does not have."""


def scenario_differences(a: Scenario, b: Scenario) -> list[tuple[str, Any, Any]]:
    """(path, value in ``a``, value in ``b``) for each field that differs; :data:`MISSING` if absent."""
    left, right = flatten(a), flatten(b)
    paths = list(left) + [p for p in right if p not in left]
    return [(p, left.get(p, MISSING), right.get(p, MISSING)) for p in paths
            if left.get(p, MISSING) != right.get(p, MISSING)]
