"""``--set path=value`` overrides on a raw scenario mapping."""

from __future__ import annotations

import copy
from types import UnionType
from typing import Any, Union, get_args, get_origin

from crisis_sim.scenario.errors import ScenarioError


def apply_overrides(data: dict[str, Any], overrides: list[str], label: str) -> dict[str, Any]:
    """Apply ``dotted.path=value`` settings (values parsed as YAML scalars/lists).

    Values are held to the limits of scenario files (nesting depth, expanded
    nodes: :func:`crisis_sim.scenario.files.parse_value`).
    """
    data = copy.deepcopy(data)
    problems: list[str] = []
    for item, key, value in parse_overrides(overrides, label):
        try:
            set_path(data, key, value)
        except KeyError as exc:
            problems.append(f"--set {item}: {exc.args[0]}")
    if problems:
        raise ScenarioError([f"{label}: {p}" for p in problems])
    return data


def parse_overrides(overrides: list[str], label: str) -> list[tuple[str, str, Any]]:
    """Each ``--set path=value`` as ``(item, path, value)``, the value parsed as YAML under the
    limits of scenario files; every malformed item at once (ScenarioError, one line each)."""
    from crisis_sim.scenario.yamlsafe import parse_value

    problems: list[str] = []
    parsed: list[tuple[str, str, Any]] = []
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            problems.append(f"--set {item}: expected path=value")
            continue
        try:
            parsed.append((item, key, parse_value(raw, f"--set {key}")))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError([f"{label}: {p}" for p in problems])
    return parsed


def set_path(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set ``value`` at ``dotted`` (``actors.colombia.resolve.mean``; list items by index).

    The parent of the last part must exist, so that a typo is an error rather
    than a silently ignored new field; a block the file leaves out but the
    scenario schema defines (``dynamics``, an issue's ``demand``) counts as
    present and empty, as it would be with every field at its default.
    """
    parts = dotted.split(".")
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, dict) and part not in node and is_schema_block(parts[: depth + 1]):
            node[part] = {}
        node = _child(node, part, ".".join(parts[: depth + 1]))
    last = parts[-1]
    if isinstance(node, list):
        index = _index(node, last, dotted)
        node[index] = value
    elif isinstance(node, dict):
        node[last] = value
    else:
        raise KeyError(f"'{'.'.join(parts[:-1])}' is not a mapping or list")
    drawn = data.get("posterior") if isinstance(data, dict) else None
    if isinstance(drawn, list) and dotted in drawn:  # a value set is stated: no longer drawn per run
        data["posterior"] = [p for p in drawn if p != dotted]


def is_schema_block(parts: list[str]) -> bool:
    """Whether the scenario schema defines ``parts`` (a path) as a named block of fields of its
    own, which a file may leave out (all its fields then take their defaults). A new actor or
    measure is never one: a key that is not in the file is a typo."""
    from pydantic import BaseModel

    from crisis_sim.core.schema import Scenario

    annotation: Any = Scenario
    named = False  # the last part names a field (not an actor's or a measure's key, an index)
    for part in parts:
        annotation = _unwrap(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return False
            annotation, named = field.annotation, True
        elif get_origin(annotation) is dict:
            annotation, named = get_args(annotation)[1], False
        elif get_origin(annotation) in (list, tuple) and part.isdigit():
            annotation, named = get_args(annotation)[0], False
        else:
            return False
    annotation = _unwrap(annotation)
    return named and isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _unwrap(annotation: Any) -> Any:
    """``X`` from ``X | None`` (an optional block is still that block)."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (Union, UnionType) and len(args) == 1:
        return args[0]
    return annotation


def _child(node: Any, part: str, so_far: str) -> Any:
    if isinstance(node, dict):
        if part not in node:
            raise KeyError(f"no field '{so_far}' in the scenario")
        return node[part]
    if isinstance(node, list):
        return node[_index(node, part, so_far)]
    raise KeyError(f"'{so_far}' is not a mapping or list")


def _index(node: list, part: str, so_far: str) -> int:
    if not part.isdigit() or int(part) >= len(node):
        raise KeyError(f"'{so_far}': list index must be 0..{len(node) - 1}")
    return int(part)
