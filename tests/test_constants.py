"""Every behavioural constant of the rules and policies is named and sourced.

A number that changes what a government does or what a move achieves must be a
field of the scenario's ``dynamics``, a policy parameter, or a module-level
constant whose comment cites docs/sources.md or says ASSUMPTION. This test
fails on a bare number inside a function of those modules; units of time and
of display (hours a day, days a year, per cent) and 0 and 1 are not behaviour.
"""

from __future__ import annotations

import ast
from pathlib import Path

import crisis_sim

PACKAGE = Path(crisis_sim.__file__).parent
MODULES = [PACKAGE / "core" / name for name in ("rules.py", "moves.py", "dynamics.py", "settlement.py")]
MODULES += sorted((PACKAGE / "policies").glob("*.py"))

UNITS = {0, 1, 24, 365, 100}
"""Not behaviour: zero and one, hours in a day, days in a year, per cent."""
UNIT_NAMES = {"HOURS_PER_YEAR"}
"""Named units (hours in an average year): not behaviour, so cited by no source."""
KNOWN = {("dynamics.py", 5): "the top rung of the escalation ladder (a default argument)",
         ("dynamics.py", 0.5): "the half of a half-life"}


def bare_numbers(path: Path) -> list[tuple[int, float]]:
    """Numbers written inside the functions of ``path`` (outside f-string formats)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Constant) and type(node.value) in (int, float):
                found.append((node.lineno, node.value))
    return found


def test_no_bare_behavioural_numbers_in_the_rules_and_policies():
    bare = [f"{path.name}:{line}: {value}" for path in MODULES for line, value in bare_numbers(path)
            if value not in UNITS and (path.name, value) not in KNOWN]
    assert bare == []


def test_named_constants_say_where_they_come_from():
    """Each module-level UPPER_CASE number (or pair) of these modules is documented with a
    source from docs/sources.md or the word ASSUMPTION."""
    sources = (Path(__file__).parents[1] / "docs" / "sources.md").read_text(encoding="utf-8")
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        body = tree.body
        for i, node in enumerate(body):
            if not isinstance(node, ast.Assign) or not all(
                    isinstance(n, ast.Constant) and type(n.value) in (int, float)
                    for n in ast.walk(node.value) if isinstance(n, ast.Constant)):
                continue
            names = [n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)]
            if not all(n.isupper() for n in names) or set(names) <= UNIT_NAMES or not any(
                    isinstance(n, ast.Constant) for n in ast.walk(node.value)):
                continue
            doc = body[i + 1] if i + 1 < len(body) else None
            documented = isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)
            text = doc.value.value if documented else ""
            cited = "ASSUMPTION" in text or any(
                f'id="{word.strip("(),.;:")}"' in sources for word in text.split())
            assert cited, f"{path.name}: {', '.join(names)} has no source or ASSUMPTION"


def test_the_scan_sees_a_bare_number(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(x):\n    return x * 0.6 + 24 * 1.0\n", encoding="utf-8")
    assert bare_numbers(sample) == [(2, 0.6), (2, 24), (2, 1.0)]
