"""The numbers a scenario file marks as assumptions, and how far each may be moved.

Every number in a scenario file is either cited to ``docs/sources.md`` or
marked ``# ASSUMPTION`` in a comment on its line. :func:`marked_assumptions`
finds the numeric values on marked lines (a flow mapping such as
``resolve: {mean: 0.5, sd: 0.15}  # ASSUMPTION`` marks both) and names each by
the dotted path ``--set`` and ``--sweep`` use. :func:`relative_range` turns a
value into ``value × (1 ± r)``, narrowed to what the schema accepts (a
share stays within 0..1), found by validating the scenario with the value
moved. The file is read with the same safe loader and limits as any scenario.
No I/O beyond reading the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.files import read_limited, validate_data
from crisis_sim.scenario.overrides import set_path
from crisis_sim.scenario.yamlsafe import SafeLoader, yaml_problem

MARK = re.compile(r"(?:^|\s)#.*\bASSUMPTION\b")
"""A comment on the line that says ASSUMPTION."""
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


@dataclass(frozen=True)
class Assumption:
    """A number marked as an assumption: its path, its value in the file, its line (from 1)."""

    path: str
    value: float | int
    line: int


def marked_assumptions(path: Path) -> list[Assumption]:
    """Every number on a line the file marks ``# ASSUMPTION``, in file order."""
    text = read_limited(path).decode("utf-8", errors="replace")
    lines = text.splitlines()
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise ScenarioError([f"{path}: {yaml_problem(exc)}"]) from None
    found: list[Assumption] = []

    def walk(node: Any, parts: list[str]) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, [*parts, str(key.value)])
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, [*parts, str(index)])
        elif isinstance(node, yaml.ScalarNode) and node.tag in (_INT, _FLOAT) and parts:
            line = node.start_mark.line
            if line < len(lines) and MARK.search(lines[line]):
                value = yaml.load(node.value, Loader=SafeLoader)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.append(Assumption(".".join(parts), value, line + 1))

    if root is not None:
        walk(root, [])
    return found


def _valid(data: dict[str, Any], path: str, value: float | int) -> bool:
    trial = _with(data, path, value)
    try:
        validate_data(trial, "range")
    except ScenarioError:
        return False
    return True


def _with(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    import copy

    trial = copy.deepcopy(data)
    set_path(trial, path, value)
    return trial


def _edge(data: dict[str, Any], path: str, inside: float, outside: float, integer: bool) -> float:
    """The furthest valid value from ``inside`` towards ``outside`` (bisection, then a round number)."""

    def ok(x: float) -> bool:
        return _valid(data, path, round(x) if integer else x)

    if ok(outside):
        return outside
    good, bad = inside, outside
    for _ in range(50):
        middle = (good + bad) / 2
        good, bad = (middle, bad) if ok(middle) else (good, middle)
    for digits in range(0, 10):  # a round number as close to the edge: 1.0 rather than 0.9999999
        rounded = round(bad, digits)
        between = min(inside, bad) <= rounded <= max(inside, bad)
        if between and ok(rounded) and abs(rounded - bad) <= abs(good - bad) + 10**-digits:
            return rounded
    return good


def relative_range(
    data: dict[str, Any], path: str, value: float | int, rel: float, integer: bool = False
) -> tuple[float, float] | None:
    """``value × (1 - rel) .. value × (1 + rel)``, narrowed to what the scenario ``data`` accepts.

    None when nothing is left to vary (a value of 0, or a value already at
    both of its limits).
    """
    lo, hi = sorted((value * (1 - rel), value * (1 + rel)))
    if lo == hi:
        return None
    lo = _edge(data, path, value, lo, integer)
    hi = _edge(data, path, value, hi, integer)
    lo, hi = _tidy(lo), _tidy(hi)
    if integer and round(lo) == round(hi):
        return None
    return (lo, hi) if lo < hi else None


def _tidy(value: float) -> float:
    """Without binary noise: 0.35 rather than 0.35000000000000003."""
    return float(f"{value:.12g}")
