"""Parameter sweeps: parse ``--sweep`` flags, build the grid, check every point.

A sweep sets one scenario field (a dotted path, as with ``--set``) to each of
several values::

    actors.colombia.resolve.mean=0.3,0.5,0.7      a list (values parsed as YAML)
    actors.colombia.resolve.mean=0.2:0.8:4        lo:hi:n, n evenly spaced values
    actors.colombia.policy=appeaser,tit_for_tat   a policy by name (its default params)

The grid is the Cartesian product of the sweeps in the order given, the first
varying slowest; each grid point gets a ``point_id`` from 0 and a label such
as ``actors.colombia.resolve.mean=0.5, actors.colombia.policy=appeaser``.

Sweeping a policy by name (``<actor>.policy=NAME`` or ``<actor>.policy.name=NAME``)
replaces the whole policy with ``{name: NAME, params: {}}``: parameters belong
to one policy, so they are reset to that policy's defaults. Sweep
``<actor>.policy.params.<p>`` as well to vary one.

Every point's scenario is validated before anything runs, so a bad path or
value is reported (one line per problem, as :class:`ScenarioError`) before a
file is written. No I/O here.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crisis_sim.core.schema import Scenario

MAX_PROBLEM_LINES = 20
"""At most this many problem lines are reported for a bad sweep (then a count)."""
MAX_SWEEP_VALUES = 1_000
"""Most values one ``--sweep`` may give (``lo:hi:n`` is refused above it before any value is made)."""
MAX_POINTS = 1_000
"""Most points a sweep grid may have (the product of the sweeps' sizes, checked before the grid is built)."""

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_LINSPACE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*:\s*(\d+)\s*$")


@dataclass(frozen=True)
class Sweep:
    """One swept path and its values (JSON-ready: numbers, strings, booleans, null, ...)."""

    path: str
    values: tuple[Any, ...]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "values": list(self.values)}


@dataclass(frozen=True)
class Point:
    """One point of the sweep grid: the value of each swept path."""

    point_id: int
    values: dict[str, Any]
    label: str

    def to_json(self) -> dict[str, Any]:
        return {"point_id": self.point_id, "values": dict(self.values), "label": self.label}


def _error(problems: list[str]) -> Exception:
    from crisis_sim.scenario import ScenarioError

    return ScenarioError(problems)


def _yaml_value(raw: str, path: str) -> Any:
    """One listed value, parsed as YAML under the limits of scenario files."""
    from crisis_sim.scenario.yamlsafe import parse_value

    value = parse_value(raw, f"--sweep {path}")
    return raw.strip() if value is raw else value


def _tidy(value: float) -> float | int:
    """Round away binary noise (0.30000000000000004 -> 0.3)."""
    return float(f"{value:.12g}")


def _linspace(lo_text: str, hi_text: str, n: int) -> list[Any]:
    lo, hi = float(lo_text), float(hi_text)
    values = [lo] if n == 1 else [_tidy(lo + (hi - lo) * i / (n - 1)) for i in range(n)]
    integral = all(re.fullmatch(r"[-+]?\d+", t) for t in (lo_text, hi_text))
    if integral and all(float(v).is_integer() for v in values):
        return [int(v) for v in values]
    return values


def parse_sweep(text: str) -> Sweep:
    """Parse one ``--sweep`` flag: ``path=v1,v2,...`` or ``path=lo:hi:n``.

    Raises :class:`~crisis_sim.scenario.ScenarioError` (one line) when the flag
    is malformed. Whether the path exists is checked later, on the scenario.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise _error([f"--sweep {text}: expected path=v1,v2,... or path=lo:hi:n"])
    match = _LINSPACE.match(raw)
    if match:
        lo_text, hi_text, n_text = match.groups()
        n = int(n_text)
        if n < 1:
            raise _error([f"--sweep {text}: lo:hi:n needs n >= 1"])
        if n > MAX_SWEEP_VALUES:
            raise _error([f"--sweep {text}: at most {MAX_SWEEP_VALUES} values, got n = {n}"])
        values = _linspace(lo_text, hi_text, n)
    else:
        values = [_yaml_value(part, path) for part in raw.split(",")]
    try:
        json.dumps(values, allow_nan=False)
    except (TypeError, ValueError):
        raise _error([f"--sweep {text}: values must be plain numbers, text or booleans"]) from None
    if len({_key(v) for v in values}) < len(values):
        raise _error([f"--sweep {text}: a value appears twice"])
    return Sweep(path=path, values=tuple(values))


def parse_sweeps(texts: Sequence[str]) -> list[Sweep]:
    """Parse every ``--sweep`` flag, reporting every problem at once (see :func:`check_sweeps`)."""
    problems: list[str] = []
    sweeps: list[Sweep] = []
    for text in texts:
        try:
            sweeps.append(parse_sweep(text))
        except Exception as exc:
            problems.extend(getattr(exc, "problems", [str(exc)]))
    if problems:
        raise _error(problems)
    check_sweeps(sweeps)
    return sweeps


def check_sweeps(sweeps: Sequence[Sweep]) -> None:
    """Refuse a sweep without values and a path swept twice (ScenarioError, one line each)."""
    problems = [f"--sweep {s.path}: no values" for s in sweeps if not s.values]
    seen: set[str] = set()
    for sweep in sweeps:
        if sweep.path in seen:
            problems.append(f"--sweep {sweep.path}: swept twice; give all its values in one --sweep")
        seen.add(sweep.path)
    size = math.prod(len(s.values) for s in sweeps)
    if size > MAX_POINTS:
        problems.append(f"--sweep: the grid has {size} points; at most {MAX_POINTS}")
    if problems:
        raise _error(problems)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def value_text(value: Any) -> str:
    """A value as written in labels: ``0.5``, ``appeaser``, ``true``."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        short = f"{value:g}"
        return short if float(short) == value else repr(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def grid(sweeps: Sequence[Sweep]) -> list[Point]:
    """All points of the grid, the first sweep varying slowest (one point when nothing is swept)."""
    points = []
    for point_id, combo in enumerate(itertools.product(*(s.values for s in sweeps))):
        values = {s.path: v for s, v in zip(sweeps, combo, strict=True)}
        label = ", ".join(f"{path}={value_text(v)}" for path, v in values.items())
        points.append(Point(point_id=point_id, values=values, label=label))
    return points


def _is_policy_name(path: str, value: Any) -> str | None:
    """The policy path (``actors.x.policy``) when ``path=value`` names a policy, else None."""
    if path.endswith(".policy") and isinstance(value, str):
        return path
    if path.endswith(".policy.name"):
        return path[: -len(".name")]
    return None


def point_data(base: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The raw scenario mapping of one point: ``base`` with the swept values set.

    Raises ``KeyError`` (message: the path problem) for a path the scenario lacks.
    """
    from crisis_sim.scenario import set_path

    data = copy.deepcopy(base)
    ordered = sorted(values.items(), key=lambda item: _is_policy_name(*item) is None)
    for path, value in ordered:
        set_path(data, *policy_setting(path, value))
    return data


def policy_setting(path: str, value: Any) -> tuple[str, Any]:
    """What a swept ``path=value`` sets: a policy swept by name is the whole policy with that
    name and its default parameters (``(actors.x.policy, {name, params: {}})``), else itself."""
    policy = _is_policy_name(path, value)
    if policy is not None:
        return policy, {"name": value, "params": {}}
    return path, copy.deepcopy(value)


def point_scenarios(
    base: Scenario, sweeps: Sequence[Sweep], points: Sequence[Point], source: str
) -> list[Scenario]:
    """Validate the scenario of every point (schema and model); return them in point order.

    ``source`` names the scenario in messages (its file). Each swept value is
    first checked on its own, so that a bad value gives one line however
    large the grid, e.g. ``scenarios/x.yaml with actors.colombia.resolve.mean=1.4:
    actors.colombia.resolve.mean: must be between 0 and 1, got 1.4``; then
    every combination. Raises :class:`~crisis_sim.scenario.ScenarioError`
    with one line per distinct problem.
    """
    from crisis_sim.scenario import ScenarioError

    base_data = base.model_dump(mode="json")
    problems: list[str] = []
    for sweep in sweeps:
        missing = missing_field(base_data, sweep.path)
        if missing:
            problems.append(f"--sweep {sweep.path}: {missing}")
            continue
        try:
            _validate_points(base, base_data, grid([sweep]), source)
        except KeyError as exc:
            problems.append(f"--sweep {sweep.path}: {next(iter(exc.args), 'no such field')}")
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    try:
        scenarios = _validate_points(base, base_data, points, source)
    except ScenarioError as exc:
        raise ScenarioError(_cap(list(dict.fromkeys(exc.problems)))) from None
    problems = _model_problems(scenarios, points, source)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    return scenarios


def missing_field(data: dict[str, Any], path: str) -> str | None:
    """Why ``path`` names no field of the scenario ``data`` (None: it does).

    Every field is present in a dumped scenario, defaults included, so a
    missing key is a typo; only a policy's ``params`` take new keys.
    """
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        so_far = ".".join(parts[: depth + 1])
        if isinstance(node, dict):
            if part not in node:
                if depth == len(parts) - 1 and depth > 0 and parts[depth - 1] == "params":
                    return None
                return f"no field '{so_far}' in the scenario"
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                return f"'{so_far}': list index must be 0..{len(node) - 1}"
            node = node[int(part)]
        else:
            return f"'{'.'.join(parts[:depth])}' is not a mapping or list"
    return None


def _validate_points(
    base: Scenario, base_data: dict[str, Any], points: Sequence[Point], source: str
) -> list[Scenario]:
    from crisis_sim.scenario import ScenarioError, validate_data

    problems: list[str] = []
    scenarios: list[Scenario] = []
    for point in points:
        if not point.values:
            scenarios.append(base)
            continue
        try:
            scenarios.append(
                validate_data(point_data(base_data, point.values), f"{source} with {point.label}")
            )
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return scenarios


def _model_problems(scenarios: Sequence[Scenario], points: Sequence[Point], source: str) -> list[str]:
    """Problems only a built model can see (each point's model is built once, not stepped)."""
    from crisis_sim.core.model import CrisisModel
    from crisis_sim.scenario import ScenarioError

    problems: list[str] = []
    for scenario, point in zip(scenarios, points, strict=True):
        try:
            CrisisModel(scenario, 0)
        except ScenarioError as exc:
            where = f"{source} with {point.label}: " if point.values else ""
            problems.extend(f"{where}{line}" for line in exc.problems)
    return problems


def _cap(problems: list[str]) -> list[str]:
    if len(problems) <= MAX_PROBLEM_LINES:
        return problems
    rest = len(problems) - MAX_PROBLEM_LINES
    return [*problems[:MAX_PROBLEM_LINES], f"... and {rest} more problems"]


def column_type(values: Sequence[Any]) -> str:
    """The Arrow type of a sweep column: ``bool``, ``int64``, ``float64`` or ``string``."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int64"
    if present and all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) for v in present
    ):
        return "float64"
    return "string"


def column_value(value: Any, kind: str) -> Any:
    """A sweep value as stored in its column (text columns hold JSON for non-text values)."""
    if value is None:
        return None
    if kind == "float64":
        return float(value)
    if kind == "string" and not isinstance(value, str):
        return value_text(value)
    return value
