"""docs/scenarios.md and the scenario schema stay in step.

Every pydantic model reachable from :class:`Scenario` has a section headed
by its class name; the section's table lists exactly the model's fields,
with ``required`` exactly for required fields and the model's default for
scalar defaults. Every enumeration used has a section listing exactly its
values. The YAML example in the page is a valid scenario.
"""

from __future__ import annotations

import re
import typing
from enum import Enum
from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from crisis_sim.core.schema import Scenario
from crisis_sim.scenario import validate_data

DOC = Path(__file__).resolve().parents[1] / "docs" / "scenarios.md"

HEADING = re.compile(r"^#{2,3} +(\w+)", re.MULTILINE)
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)$", re.MULTILINE)


def _types_in(annotation: object) -> typing.Iterator[type]:
    """Every class named in an annotation (through Annotated, unions, lists, dicts)."""
    if isinstance(annotation, type):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _types_in(arg)


def schema_parts() -> tuple[list[type[BaseModel]], list[type[Enum]]]:
    """The models and enumerations reachable from Scenario, in discovery order."""
    models: list[type[BaseModel]] = []
    enums: list[type[Enum]] = []
    todo: list[type[BaseModel]] = [Scenario]
    while todo:
        model = todo.pop(0)
        if model in models:
            continue
        models.append(model)
        for field in model.model_fields.values():
            for cls in _types_in(field.annotation):
                if issubclass(cls, BaseModel) and cls not in models:
                    todo.append(cls)
                elif issubclass(cls, Enum) and cls not in enums:
                    enums.append(cls)
    return models, enums


def sections(text: str) -> dict[str, str]:
    """Section bodies keyed by the first word of their heading (## or ###)."""
    marks = list(HEADING.finditer(text))
    out: dict[str, str] = {}
    for mark, nxt in zip(marks, [*marks[1:], None], strict=True):
        out[mark.group(1)] = text[mark.end() : nxt.start() if nxt else len(text)]
    return out


def rows(body: str) -> dict[str, list[str]]:
    """Table rows whose first cell is a backticked name, mapped to their other cells."""
    return {
        m.group(1): [cell.strip() for cell in m.group(2).split("|")] for m in ROW.finditer(body)
    }


def _scalar_default(field) -> tuple[bool, object]:
    default = field.default
    if default is PydanticUndefined:
        return False, None
    if isinstance(default, Enum):
        return True, default.value
    if default is None or isinstance(default, bool | int | float | str):
        return True, default
    return False, None


def doc_problems(text: str) -> list[str]:
    """Mismatches between a scenario-format page and the schema (empty when in step)."""
    problems: list[str] = []
    found = sections(text)
    models, enums = schema_parts()
    for model in models:
        name = model.__name__
        if name not in found:
            problems.append(f"no section '## {name}'")
            continue
        table = rows(found[name])
        fields = model.model_fields
        problems += [f"{name}.{f}: not documented" for f in fields if f not in table]
        problems += [
            f"{name}.{f}: documented but not in the schema" for f in table if f not in fields
        ]
        for field_name, field in fields.items():
            cells = table.get(field_name)
            if cells is None or len(cells) < 3:
                continue
            default_cell = cells[1]
            if field.is_required() != (default_cell == "required"):
                problems.append(
                    f"{name}.{field_name}: required is {field.is_required()} "
                    f"but the default column says {default_cell!r}"
                )
                continue
            scalar, value = _scalar_default(field)
            if scalar:
                shown = re.fullmatch(r"`(.*)`", default_cell)
                if not shown or yaml.safe_load(shown.group(1) or "''") != value:
                    problems.append(
                        f"{name}.{field_name}: default is {value!r} "
                        f"but the default column says {default_cell!r}"
                    )
    for enum in enums:
        name = enum.__name__
        if name not in found:
            problems.append(f"no section '### {name}'")
            continue
        table = rows(found[name])
        values = [member.value for member in enum]
        problems += [f"{name}: value '{v}' not documented" for v in values if v not in table]
        problems += [f"{name}: '{v}' documented but not a value" for v in table if v not in values]
    return problems


def test_every_field_and_value_is_documented_in_its_section() -> None:
    assert doc_problems(DOC.read_text(encoding="utf-8")) == []


def test_the_schema_walk_reaches_every_model() -> None:
    models, enums = schema_parts()
    names = {m.__name__ for m in models}
    assert {
        "Scenario",
        "Actor",
        "ResolveDistribution",
        "PolicySpec",
        "TradeFlow",
        "Measure",
        "ScheduleStep",
        "Issue",
        "FlightLead",
        "Event",
        "Dynamics",
    } <= names
    assert {"Role", "MeasureKind", "LiftCondition", "EventKind"} <= {e.__name__ for e in enums}


def _new_problems(changed_text: str) -> list[str]:
    """Problems in a changed copy of the page that the page itself does not have."""
    baseline = set(doc_problems(DOC.read_text(encoding="utf-8")))
    return [p for p in doc_problems(changed_text) if p not in baseline]


def test_a_missing_field_is_caught() -> None:
    text = DOC.read_text(encoding="utf-8")
    row = re.search(r"^\| `mean` \|.*\n", text, re.MULTILINE)
    assert row is not None
    assert _new_problems(text.replace(row.group(0), "")) == [
        "ResolveDistribution.mean: not documented"
    ]


def test_a_field_documented_in_the_wrong_section_is_caught() -> None:
    text = DOC.read_text(encoding="utf-8")
    row = re.search(r"^\| `lag_hours` \|.*\n", text, re.MULTILINE)
    assert row is not None
    moved = text.replace(row.group(0), "").replace("| `usd_bn` |", row.group(0) + "| `usd_bn` |", 1)
    problems = _new_problems(moved)
    assert "Measure.lag_hours: not documented" in problems
    assert "TradeFlow.lag_hours: documented but not in the schema" in problems


def test_a_wrong_default_is_caught() -> None:
    text = DOC.read_text(encoding="utf-8").replace(
        "| `sd` | number, 0 to 0.5 | `0.1` |", "| `sd` | number, 0 to 0.5 | `0.2` |"
    )
    assert [p for p in _new_problems(text) if p.startswith("ResolveDistribution.sd")] == [
        "ResolveDistribution.sd: default is 0.1 but the default column says '`0.2`'"
    ]


def test_a_missing_enum_value_is_caught() -> None:
    text = DOC.read_text(encoding="utf-8")
    row = re.search(r"^\| `aid_cut` \|.*\n", text, re.MULTILINE)
    assert row is not None
    assert _new_problems(text.replace(row.group(0), "")) == [
        "MeasureKind: value 'aid_cut' not documented"
    ]


def test_the_example_is_a_valid_scenario() -> None:
    pytest.importorskip("crisis_sim.policies")
    text = DOC.read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.DOTALL)
    assert example is not None
    scenario = validate_data(yaml.safe_load(example.group(1)), "docs/scenarios.md example")
    assert scenario.name == "small_crisis"
