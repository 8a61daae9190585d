"""Safe YAML, under limits: the loader shared by scenario files, ``--set`` and ``--sweep``.

Safe tags only, no duplicate mapping keys, at most :data:`MAX_DEPTH` levels of
nesting (checked while composing, so ``a: [[[[...`` never reaches Python's
recursion limit) and :data:`MAX_NODES` nodes after aliases are expanded (so an
alias bomb is refused, not expanded). A value given on the command line is
held to the same limits as a file.
"""

from __future__ import annotations

from typing import Any

import yaml

from crisis_sim.scenario.errors import ScenarioError

MAX_NODES = 200_000
"""Expanded size cap, so that a YAML alias bomb is refused, not expanded."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted (a scenario needs 5), so that
``a: [[[[...`` is refused in one line instead of exhausting the stack."""


class TooDeepError(yaml.YAMLError):
    """A document nested deeper than :data:`MAX_DEPTH`."""

    def __init__(self, mark: Any):
        super().__init__(f"nested deeper than {MAX_DEPTH} levels")
        self.problem = f"nested deeper than {MAX_DEPTH} levels"
        self.problem_mark = mark


class SafeLoader(yaml.SafeLoader):
    """Safe loader that also refuses duplicate mapping keys and nesting beyond :data:`MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise TooDeepError(self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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


SafeLoader.add_constructor(
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


def yaml_problem(exc: yaml.YAMLError) -> str:
    """One line for a YAML error: where, and what."""
    mark = getattr(exc, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"not valid YAML{where}: {problem}"


def too_many_nodes(data: Any) -> bool:
    return _count_nodes(data, MAX_NODES) > MAX_NODES


def parse_value(raw: str, what: str) -> Any:
    """A ``--set`` or ``--sweep`` value parsed as YAML, under the limits of files.

    Text that is not YAML is kept as text (``--set title=a: b``); a value
    nested deeper than :data:`MAX_DEPTH` or expanding to more than
    :data:`MAX_NODES` nodes is ScenarioError (one line naming ``what``).
    """
    if not raw.strip():
        return ""
    try:
        value = yaml.load(raw, Loader=SafeLoader)
    except TooDeepError:
        raise ScenarioError([f"{what}: value nested deeper than {MAX_DEPTH} levels"]) from None
    except yaml.YAMLError:
        return raw
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise ScenarioError([f"{what}: value nested too deep"]) from None
    if too_many_nodes(value):
        raise ScenarioError([f"{what}: value expands to more than {MAX_NODES} nodes (a YAML alias bomb?)"])
    return value


