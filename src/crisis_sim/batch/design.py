"""A sampled design as a batch's points: ``--param`` and ``--assumptions`` to scenarios.

A sensitivity study is a batch whose points come from a sampled design
(:class:`Design`, sampled by SALib: :func:`sample`) instead of a sweep grid:
row ``i`` of the sample matrix is point ``i``, its values are the sampled
values (one runs-table column per parameter, ``dummy`` included, so that the
runs table alone holds the whole matrix), and its scenario is the base
scenario with each parameter set to its sampled value, an integer field to
the nearest whole number. Everything else (seeds, chunks, streaming,
resume, engines) is the batch's own (:mod:`crisis_sim.batch.api`).

Parameters are given as ``PATH=LO:HI`` (uniform on the range; PATH as for
``--set``) or taken from the scenario file: every number on a line marked
``# ASSUMPTION`` (:mod:`crisis_sim.scenario.assumptions`), varied by ``±rel``
of its value within what the schema accepts. Every point's scenario is
validated before anything runs (one line per problem).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from crisis_sim.core.schema import Scenario
    from crisis_sim.scenario.sweeps import Point

METHODS = ("morris", "sobol", "lhs")
DUMMY = "dummy"
"""The name of the parameter no model reads: its index is the noise floor."""


class DesignError(ValueError):
    """A design that cannot be sampled: one line saying which flag and why."""


@dataclass(frozen=True)
class Parameter:
    """A scenario value varied uniformly over ``[lo, hi]`` (``integer``: set to the nearest whole number)."""

    path: str
    lo: float
    hi: float
    integer: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "lo": self.lo, "hi": self.hi, "integer": self.integer}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Parameter:
        return cls(str(data["path"]), float(data["lo"]), float(data["hi"]), bool(data.get("integer")))

    def scenario_value(self, x: float) -> float | int:
        """The value the scenario gets for sampled ``x``."""
        return round(x) if self.integer else float(x)


@dataclass(frozen=True)
class Design:
    """A sampled design: method, parameters and their ranges, sample size, seed.

    ``samples`` is the number of Morris trajectories, Sobol's base sample
    ``N`` (a power of two) or the number of Latin hypercube points.
    """

    method: str
    parameters: tuple[Parameter, ...]
    samples: int
    seed: int = 0
    levels: int = 4
    dummy: bool = True

    def __post_init__(self) -> None:
        check_design(self)

    @property
    def names(self) -> list[str]:
        """The columns of the sample matrix: each parameter's path, then ``dummy``."""
        return [p.path for p in self.parameters] + ([DUMMY] if self.dummy else [])

    @property
    def bounds(self) -> list[list[float]]:
        return [[p.lo, p.hi] for p in self.parameters] + ([[0.0, 1.0]] if self.dummy else [])

    def problem(self) -> dict[str, Any]:
        """The SALib problem."""
        return {"num_vars": len(self.names), "names": self.names, "bounds": self.bounds}

    @property
    def n_points(self) -> int:
        """Rows of the sample matrix, known before sampling."""
        k = len(self.names)
        return {"morris": self.samples * (k + 1), "sobol": self.samples * (k + 2)}.get(
            self.method, self.samples
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "parameters": [p.to_json() for p in self.parameters],
            "samples": self.samples,
            "seed": self.seed,
            "levels": self.levels,
            "dummy": self.dummy,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Design:
        return cls(
            method=str(data["method"]),
            parameters=tuple(Parameter.from_json(p) for p in data["parameters"]),
            samples=int(data["samples"]),
            seed=int(data.get("seed", 0)),
            levels=int(data.get("levels", 4)),
            dummy=bool(data.get("dummy", True)),
        )


def check_design(design: Design) -> None:
    """Raise :class:`DesignError` (one line) for a design SALib cannot sample or analyse."""
    if design.method not in METHODS:
        raise DesignError(f"--method: unknown method '{design.method}'; one of {', '.join(METHODS)}")
    if not design.parameters:
        raise DesignError("no parameters: give --param PATH=LO:HI or --assumptions")
    paths = [p.path for p in design.parameters]
    for path in paths:
        if paths.count(path) > 1:
            raise DesignError(f"--param {path}: given twice")
        if path == DUMMY:
            raise DesignError(f"--param {DUMMY}: the name of the noise-floor parameter; not a scenario path")
    for p in design.parameters:
        if not (math.isfinite(p.lo) and math.isfinite(p.hi)) or not p.lo < p.hi:
            raise DesignError(f"--param {p.path}={p.lo:g}:{p.hi:g}: needs finite LO < HI")
    if isinstance(design.samples, bool) or design.samples < 2:  # a spread needs two of anything
        raise DesignError(f"--samples: at least 2, got {design.samples}")
    if design.method == "sobol" and design.samples & (design.samples - 1):
        raise DesignError(
            f"--samples {design.samples}: Sobol' sampling needs a power of two (e.g. "
            f"{2 ** math.ceil(math.log2(design.samples))})"
        )
    if design.method == "morris" and (design.levels < 2 or design.levels % 2):
        raise DesignError(f"--levels: an even number >= 2 for morris, got {design.levels}")
    if design.method == "morris" and design.levels > MAX_LEVELS:
        raise DesignError(f"--levels: at most {MAX_LEVELS:,}, got {design.levels:,}")
    if design.seed < 0:
        raise DesignError(f"--seed: must be >= 0, got {design.seed}")


def sample(design: Design) -> np.ndarray:
    """The design's sample matrix, one row per point, one column per name (seeded: the same every time)."""
    from SALib.sample import latin, morris, sobol

    problem = design.problem()
    if design.method == "morris":
        matrix = morris.sample(problem, design.samples, num_levels=design.levels, seed=design.seed)
    elif design.method == "sobol":
        matrix = sobol.sample(problem, design.samples, calc_second_order=False, seed=design.seed)
    else:
        matrix = latin.sample(problem, design.samples, seed=design.seed)
    assert matrix.shape == (design.n_points, len(design.names))
    return matrix


MAX_DESIGN_POINTS = 20_000
"""Most points a sampled design may have (the manifest lists them all)."""
MAX_LEVELS = 1_000
"""Most grid levels of a Morris design (``--levels``; the sampler's work grows with them)."""
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^\s*({_NUMBER})\s*:\s*({_NUMBER})\s*$")


def _error(problems: list[str]) -> Exception:
    from crisis_sim.scenario import ScenarioError

    return ScenarioError(problems)


def _value_at(data: Any, path: str) -> Any:
    """The value at ``path`` of a dumped scenario; None for a policy parameter left at its default."""
    node = data
    for part in path.split("."):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError):
            return None
    return node


def _numeric(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Skipped:
    """An assumption left out of the design, and why."""

    path: str
    reason: str


def parse_parameters(base: Scenario, texts: Sequence[str]) -> list[Parameter]:
    """``--param PATH=LO:HI`` flags as parameters; every problem at once (ScenarioError).

    The path must name a numeric field of the scenario; an integer field
    (``rounds``) is set to the nearest whole number of each sampled value.
    """
    from crisis_sim.scenario.sweeps import missing_field

    data = base.model_dump(mode="json")
    problems, parameters = [], []
    for text in texts:
        path, sep, raw = text.partition("=")
        path = path.strip()
        match = _RANGE.match(raw) if sep else None
        if not path or match is None:
            problems.append(f"--param {text}: expected PATH=LO:HI, e.g. actors.colombia.resolve.mean=0.3:0.7")
            continue
        missing = missing_field(data, path)
        if missing:
            problems.append(f"--param {path}: {missing}")
            continue
        current = _value_at(data, path)
        if current is not None and not _numeric(current):
            problems.append(f"--param {path}: not a number in the scenario (it is {current!r})")
            continue
        lo, hi = float(match.group(1)), float(match.group(2))
        if not lo < hi:
            problems.append(f"--param {text}: needs LO < HI")
            continue
        parameters.append(Parameter(path, lo, hi, integer=isinstance(current, int)))
    if problems:
        raise _error(problems)
    return parameters


def assumption_parameters(
    base: Scenario, file: Path, rel: float, given: Sequence[str] = ()
) -> tuple[list[Parameter], list[Skipped]]:
    """Every number ``file`` marks ``# ASSUMPTION``, varied by ``±rel`` of its value.

    ``given``: paths already given by ``--param`` (their ranges win). Returns
    the parameters and the assumptions left out: a value of zero (nothing to
    scale), one the loaded scenario does not hold at that path (``--set``
    replaced it), or one already at both of its limits.
    """
    from crisis_sim.scenario.assumptions import marked_assumptions, relative_range
    from crisis_sim.scenario.sweeps import missing_field

    if not 0 < rel < 10:
        raise _error([f"--range {rel}: a relative range above 0, such as 0.3 for ±30%"])
    data = base.model_dump(mode="json")
    parameters, skipped = [], []
    for found in marked_assumptions(file):
        if found.path in given:
            continue
        if missing_field(data, found.path):
            skipped.append(Skipped(found.path, "not in the loaded scenario"))
            continue
        value = _value_at(data, found.path)
        if not _numeric(value):
            skipped.append(Skipped(found.path, "not a number in the loaded scenario"))
            continue
        integer = isinstance(value, int)
        span = relative_range(data, found.path, value, rel, integer)
        if span is None:
            skipped.append(Skipped(found.path, f"{value:g}: nothing to vary by a relative range"))
            continue
        parameters.append(Parameter(found.path, span[0], span[1], integer=integer))
    return parameters, skipped


def design_points(
    base: Scenario, design: Design, matrix: np.ndarray, source: str
) -> tuple[list[Point], list[Scenario]]:
    """Point ``i`` of the batch for row ``i`` of ``matrix``, and its scenario, every one validated.

    Raises ScenarioError with one line per distinct problem (at most 20,
    then a count) and BatchError for a design larger than
    :data:`MAX_DESIGN_POINTS`.
    """
    from crisis_sim.batch.folder import BatchError
    from crisis_sim.scenario import ScenarioError, validate_data
    from crisis_sim.scenario.sweeps import Point, _cap, point_data

    if len(matrix) > MAX_DESIGN_POINTS:
        raise BatchError(
            f"--samples {design.samples}: {len(matrix)} design points, more than {MAX_DESIGN_POINTS}; "
            "fewer samples or parameters"
        )
    base_data = base.model_dump(mode="json")
    problems = []
    for p in design.parameters:  # each end of each range alone first: one line per bad end
        for end in (p.lo, p.hi):
            value = p.scenario_value(end)
            try:
                validate_data(point_data(base_data, {p.path: value}), f"{source} with {p.path}={value}")
            except ScenarioError as exc:
                problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    names = design.names
    points, scenarios = [], []
    for i, row in enumerate(matrix):
        values = {name: float(x) for name, x in zip(names, row, strict=True)}
        label = f"sample {i}"
        points.append(Point(point_id=i, values=values, label=label))
        settings = {p.path: p.scenario_value(values[p.path]) for p in design.parameters}
        try:
            scenarios.append(validate_data(point_data(base_data, settings), f"{source} with {label}"))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(_cap(list(dict.fromkeys(problems))))
    return points, scenarios


def design_columns(design: Design) -> list[tuple[str, str]]:
    """The runs-table columns of a design: one float64 column per parameter, then ``dummy``."""
    return [(name, "float64") for name in design.names]


__all__ = [
    "DUMMY",
    "MAX_DESIGN_POINTS",
    "Skipped",
    "assumption_parameters",
    "design_columns",
    "design_points",
    "parse_parameters",
]
