"""Fuzzing the scenario reader and a run.

A valid scenario (the small one of the test suite: the bundled ones take
longer to parse) is mutated 300 ways (``FUZZ_CASES`` in the environment
asks for more or fewer), seeded so that a failure is
reproducible: values of the wrong type, out of range, deleted, unicode and
control characters, huge and subnormal numbers, NaN and infinities, deep
nesting. Each mutant goes through ``crisis-sim validate``
and ``crisis-sim run --no-plots`` in this process (typer's runner: a
subprocess each would take minutes; the command tree is built once, which
halves a case's time). Every one must end with exit 0 or 2 and
no traceback, leave nothing half-written beside its output folder, and
``validate`` and ``run`` must agree on whether it is good.
"""

from __future__ import annotations

import copy
import os
import random
from pathlib import Path
from typing import Any

import pytest
import typer.main
import typer.testing
import yaml
from typer.testing import CliRunner

from conftest import minimal_scenario_data
from crisis_sim.cli import app

SEED = 14
CASES = int(os.environ.get("FUZZ_CASES", 300))

runner = CliRunner()

TEXTS = ["", " ", "x" * 300, "ünïcödé ☃ 🚀", "مرحبا\u202eevil", "\x1b[31mred\x07", "a: b", "[unclosed",
         "$\\notacommand{x}$", "\x00nul", "../../etc/passwd", "None", "true", "1e999"]
NUMBERS = [0, -1, 1, 0.5, 1.5, -0.0, 5e-324, -5e-324, 1e-300, 1e308, -1e308, 10**30, -(10**30),
           float("nan"), float("inf"), float("-inf"), 2**63, 7]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a nested mapping/list (the root excluded)."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, child in items:
        found.append((*prefix, key))
        found += _paths(child, (*prefix, key))
    return found


def _nest(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def _new_value(rng: random.Random, old: Any) -> Any:
    kind = rng.randrange(9)
    if kind == 0:
        return rng.choice(TEXTS)
    if kind in (1, 2):
        return rng.choice(NUMBERS)
    if kind == 3:
        return rng.choice([True, False, None])
    if kind == 4:
        return [old, rng.choice(NUMBERS)]
    if kind == 5:
        return {"nested": old}
    if kind == 6:
        return _nest(rng.choice([3, 60, 70, 200]))
    if kind == 7 and isinstance(old, int | float) and not isinstance(old, bool):
        return old * rng.choice([-1, 10, 1000, 1e6, 1e-6])
    return rng.choice(TEXTS + NUMBERS)


def mutate(data: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """One to three mutations of ``data``: replace, delete, or add a value."""
    data = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_paths(data))
        *parents, last = path
        node = data
        for key in parents:
            node = node[key]
        action = rng.randrange(6)
        if action == 0 and isinstance(node, dict):
            del node[last]
        elif action == 1 and isinstance(node, dict):
            node[rng.choice(["extra", "ünknown", last + "_x" if isinstance(last, str) else "k"])] = 1
        elif action == 2 and isinstance(node, list):
            node.append(copy.deepcopy(node[last]))
        else:
            node[last] = _new_value(rng, node[last])
    return data


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir())


def test_mutated_scenarios_exit_0_or_2_and_validate_agrees_with_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # typer's runner builds the whole command tree from the app's signatures at
    # every invoke: about half of a case's time. The tree is the same each time,
    # so it is built once and every case invokes the same commands.
    command = typer.main.get_command(app)
    monkeypatch.setattr(typer.testing, "_get_command", lambda _: command)
    valid = minimal_scenario_data()
    rng = random.Random(SEED)
    outcomes = {0: 0, 2: 0}
    for case in range(CASES):
        data = mutate(valid, rng)
        folder = tmp_path / f"case{case:03d}"
        folder.mkdir()
        file = folder / "scenario.yaml"
        file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        out_parent = folder / "out"
        out_parent.mkdir()
        checked = runner.invoke(app, ["validate", str(file)])
        ran = runner.invoke(app, ["run", str(file), "--no-plots", "--out", str(out_parent / "run")])
        where = f"case {case} (seed {SEED}): {data!r:.300}"
        for result in (checked, ran):
            assert result.exit_code in (0, 2), f"{where}\n{result.output}"
            assert result.exception is None or isinstance(result.exception, SystemExit), where
            assert "Traceback" not in result.output, where
        assert checked.exit_code == ran.exit_code, f"{where}\nvalidate: {checked.output}\nrun: {ran.output}"
        if ran.exit_code == 0:
            assert _leftovers(out_parent) == ["run"], where
            outcome = (out_parent / "run" / "outcome.json").read_text(encoding="utf-8")
            assert "NaN" not in outcome and "Infinity" not in outcome, where
        else:
            assert _leftovers(out_parent) == [], where
            assert ran.stderr.strip() and ran.stdout == "", where
        outcomes[ran.exit_code] += 1
    # The mutations reach both sides: some mutants are still good scenarios, most are not.
    assert outcomes[0] >= 5 and outcomes[2] >= CASES // 2, outcomes
