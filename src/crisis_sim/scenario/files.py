"""Scenario files: safe YAML loading, bundled scenarios, and every error at once.

A file is read safely (size and node limits, no duplicate keys), checked
against the schema of :mod:`crisis_sim.core.schema`, then checked again for
cross-references (:mod:`crisis_sim.scenario.references`).

A field an older version of the format had is named with what replaced it
(:mod:`crisis_sim.scenario.migrations`). Problems are collected, never
raised one by one: :func:`load_scenario` raises
:class:`ScenarioError` holding one line per problem, each naming the file and
the field path, e.g.::

    scenarios/x.yaml: actors.colombia.resolve.mean: must be between 0 and 1, got 1.4
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crisis_sim.core.schema import Scenario
from crisis_sim.datafiles import data_folder
from crisis_sim.scenario.errors import ScenarioError
from crisis_sim.scenario.migrations import format_version, with_hint
from crisis_sim.scenario.overrides import apply_overrides
from crisis_sim.scenario.references import reference_problems
from crisis_sim.scenario.yamlsafe import MAX_NODES, SafeLoader, too_many_nodes, yaml_problem

MAX_FILE_BYTES = 2_000_000
MAX_SHOWN = 60
"""A bad value is quoted in a problem line up to this many characters."""


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit`` bytes of a regular file; ScenarioError (one line) otherwise.

    The limit holds while reading (at most ``limit + 1`` bytes are read), not
    from the size the file claims, so a file that grows or lies is cut off.
    Devices (``/dev/zero``), FIFOs and sockets are refused before opening:
    they can stream without end or block forever. The file is opened
    non-blocking, in case it is swapped for a FIFO between the check and the
    opening.
    """
    label = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError([f"{label}: no such file"]) from None
    except OSError as exc:
        raise ScenarioError([f"{label}: cannot read file: {exc.strerror}"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError([f"{label}: is a directory, not a scenario file"])
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError([f"{label}: not a regular file (a device, pipe or socket); not reading it"])
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ScenarioError([f"{label}: not a regular file; not reading it"])
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ScenarioError([f"{label}: cannot read file: {exc.strerror}"]) from None
    if len(data) > limit:
        raise ScenarioError([f"{label}: file is larger than {limit} bytes"])
    return data


def read_yaml(path: Path) -> dict[str, Any]:
    """Read a YAML mapping safely; raise ScenarioError with one line on failure."""
    label = str(path)
    raw = read_limited(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError([f"{label}: cannot read file: {exc}"]) from None
    if not text.strip():
        raise ScenarioError([f"{label}: file is empty"])
    try:
        data = yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise ScenarioError([f"{label}: {yaml_problem(exc)}"]) from None
    except RecursionError:  # pragma: no cover - the depth limit comes first
        raise ScenarioError([f"{label}: not valid YAML: nested too deep"]) from None
    if too_many_nodes(data):
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


def _describe(error: Mapping[str, Any]) -> str:
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
        "string_too_long": f"must be at most {ctx.get('max_length')} characters",
        "finite_number": "must be a finite number",
    }
    text = messages.get(kind, msg.removeprefix("Value error, "))
    loc = error["loc"]
    if kind == "extra_forbidden":
        text = f"unknown field '{loc[-1]}'"
    if kind not in ("missing", "extra_forbidden") and "input" in error:
        shown = error["input"]
        if not isinstance(shown, dict | list) and shown is not None:
            got = repr(shown) if isinstance(shown, str) else str(shown)
            if len(got) > MAX_SHOWN:
                size = len(shown) if isinstance(shown, str) else len(got)
                got = f"{got[:MAX_SHOWN]}... ({size} characters)"
            text += f", got {got}"
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
        raise ScenarioError([f"{label}: {with_hint(line)}" for line in problems])
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
        if too_many_nodes(data):
            raise ScenarioError([f"{file}: with --set, expands to more than {MAX_NODES} nodes"])
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
    folder = data_folder(BUNDLED_PACKAGE)
    if folder is None:
        return {}
    files = [entry for entry in folder.iterdir() if entry.name.endswith(".yaml")]
    return {p.stem: p for p in sorted(files, key=lambda p: p.name)}


CASES_PACKAGE = "crisis_sim.cases"
"""The data package that holds the back-test's cases: the project's ``cases/`` folder,
mapped into the package like the bundled scenarios (``pyproject.toml``)."""


def installed_cases() -> Path:
    """The folder of the installed case files (in a checkout, the project's ``cases/``:
    :func:`crisis_sim.datafiles.data_folder`)."""
    folder = data_folder(CASES_PACKAGE)
    if folder is None:
        raise ScenarioError(["cases: the case files are not installed; name a folder of cases"])
    return folder


def file_format(path: str | Path) -> int | None:
    """The version of the scenario format a file (or bundled name) seems to be, or None when it
    cannot be read (:func:`crisis_sim.scenario.migrations.format_version`)."""
    try:
        return format_version(read_yaml(resolve_scenario_path(path)))
    except ScenarioError:
        return None


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
