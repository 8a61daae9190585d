"""Scenario files: safe YAML loading, bundled scenarios, and every error at once.

A file is read safely (size and node limits, no duplicate keys), checked
against the schema of :mod:`crisis_sim.core.schema`, then checked again for
cross-references (:mod:`crisis_sim.scenario.references`).

Problems are collected, never raised one by one: :func:`load_scenario` raises
:class:`ScenarioError` holding one line per problem, each naming the file and
the field path, e.g.::

    scenarios/x.yaml: actors.colombia.resolve.mean: must be between 0 and 1, got 1.4
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crisis_sim.core.schema import Scenario
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.overrides import apply_overrides
from crisis_sim.scenario.references import reference_problems

MAX_FILE_BYTES = 2_000_000
MAX_NODES = 200_000
"""Expanded size cap, so that a YAML alias bomb is refused, not expanded."""


class _NoDuplicatesLoader(yaml.SafeLoader):
    """Safe loader that also refuses duplicate mapping keys."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_NoDuplicatesLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def _count_nodes(data: Any, limit: int) -> int:
    """Count nodes as seen after alias expansion, stopping past ``limit``."""
    count = 0
    stack = [data]
    while stack:
        item = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(item.keys())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely; raise ScenarioError with one line on failure."""
    label = str(path)
    if not path.exists():
        raise ScenarioError([f"{label}: no such file"])
    if path.is_dir():
        raise ScenarioError([f"{label}: is a directory, not a scenario file"])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError([f"{label}: file is larger than {MAX_FILE_BYTES} bytes"])
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{label}: cannot read file: {exc}"]) from None
    if not text.strip():
        raise ScenarioError([f"{label}: file is empty"])
    try:
        data = yaml.load(text, Loader=_NoDuplicatesLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError([f"{label}: not valid YAML{where}: {problem}"]) from None
    if _count_nodes(data, MAX_NODES) > MAX_NODES:
        raise ScenarioError(
            [f"{label}: document expands to more than {MAX_NODES} nodes (a YAML alias bomb?)"]
        )
    if not isinstance(data, dict):
        raise ScenarioError([f"{label}: top level must be a mapping of fields, got {_kind(data)}"])
    return data


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _dotted(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _describe(error: dict) -> str:
    """Turn one pydantic error into 'path: message, got value'."""
    kind, msg = error["type"], error["msg"]
    ctx = error.get("ctx") or {}
    messages = {
        "missing": "required field is missing",
        "extra_forbidden": "unknown field",
        "greater_than_equal": f"must be >= {ctx.get('ge')}",
        "greater_than": f"must be > {ctx.get('gt')}",
        "less_than_equal": f"must be <= {ctx.get('le')}",
        "less_than": f"must be < {ctx.get('lt')}",
        "string_pattern_mismatch": "must be lower_snake_case (a-z, 0-9, _), starting with a letter",
    }
    text = messages.get(kind, msg.removeprefix("Value error, "))
    loc = error["loc"]
    if kind == "extra_forbidden":
        text = f"unknown field '{loc[-1]}'"
    if kind not in ("missing", "extra_forbidden") and "input" in error:
        shown = error["input"]
        if not isinstance(shown, dict | list) and shown is not None:
            text += f", got {shown!r}" if isinstance(shown, str) else f", got {shown}"
    return f"{_dotted(loc)}: {text}"


def validate_data(data: dict[str, Any], label: str) -> Scenario:
    """Validate a raw mapping; raise ScenarioError with every problem at once."""
    problems: list[str] = []
    scenario = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(_describe(e) for e in exc.errors())
    for line in reference_problems(data):
        if line not in problems:
            problems.append(line)
    if problems:
        raise ScenarioError([f"{label}: {line}" for line in problems])
    assert scenario is not None
    return scenario


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Load, apply ``--set path=value`` overrides, and validate a scenario file.

    ``path`` may also be the name of a bundled scenario (``us_colombia_2025``).
    """
    file = resolve_scenario_path(path)
    data = read_yaml(file)
    if overrides:
        data = apply_overrides(data, overrides, str(file))
    return validate_data(data, str(file))


# --------------------------------------------------------------------------
# Bundled scenarios and --set overrides
# --------------------------------------------------------------------------

DEFAULT_SCENARIO = "us_colombia_2025"


BUNDLED_PACKAGE = "crisis_sim.bundled"
"""The data package that holds the bundled scenarios: the project's ``scenarios/``
folder, mapped into the package when it is built or installed (``pyproject.toml``)."""


def bundled_scenarios() -> dict[str, Path]:
    """Bundled scenario names mapped to their files, sorted by name."""
    try:
        folder = resources.files(BUNDLED_PACKAGE)
    except ModuleNotFoundError:
        return {}
    files = [Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".yaml")]
    return {p.stem: p for p in sorted(files, key=lambda p: p.name)}


def resolve_scenario_path(path: str | Path) -> Path:
    """A file path as given, or a bundled scenario's file when given its bare name."""
    candidate = Path(path)
    if candidate.exists() or candidate.suffix in (".yaml", ".yml") or "/" in str(path):
        return candidate
    bundled = bundled_scenarios()
    if str(path) in bundled:
        return bundled[str(path)]
    names = ", ".join(bundled) or "none"
    raise ScenarioError([f"{path}: no such file or bundled scenario (bundled: {names})"])
