"""The table of every parameter of the model, from the code itself (docs/model.md, "Parameters").

Three kinds of number decide what the model does besides the scenario's own
facts (governments, trade, measures, issues, events: exogenous inputs, field by
field in docs/scenarios.md):

* the ``dynamics`` of a scenario (``crisis_sim.core.schema.Dynamics``): weights a
  scenario may set, with their defaults;
* the parameters of each policy family (``params`` of an actor's policy);
* the module constants of the rules and the policies (UPPER_CASE numbers in
  ``crisis_sim/core`` and ``crisis_sim/policies``).

Each row gives the name, the value, what it does (the first sentence of its
docstring or description) and where it comes from: the source keys of
docs/sources.md its text cites, ``fitted`` for a number fitted to the back-test (a default
of :data:`crisis_sim.core.calibrated.VALUES`, or a text that says so),
else ``ASSUMPTION``. ``tests/test_model_doc.py`` checks that the page's block is
what this script writes now::

    .venv/bin/python scripts/write_parameter_table.py          # rewrite the block
    .venv/bin/python scripts/write_parameter_table.py --check  # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

from crisis_sim.analysis.markdown import markdown_table, marked_block, with_marked_block

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "crisis_sim"
PAGE = ROOT / "docs" / "model.md"
SOURCES = ROOT / "docs" / "sources.md"
START, END = "<!-- parameters -->", "<!-- /parameters -->"
UNITS = {"HOURS_PER_YEAR", "POLITICS_STREAM", "POSTERIOR_STREAM"}
"""Module constants that are units or labels, not behaviour."""


def source_keys() -> list[str]:
    return re.findall(r'<a id="([a-z][a-z0-9-]*\d{4}[a-z]?)"></a>', SOURCES.read_text(encoding="utf-8"))


def first_sentence(text: str) -> str:
    """The first sentence of a docstring, as plain Markdown (Sphinx roles and double back-quotes
    made single; the table escapes its bars)."""
    text = " ".join(text.split())
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", text).replace("``", "`")
    text = re.sub(r"`crisis_sim\.(?:core|policies)\.", "`", text)
    for literal in ("null", "false", "true"):  # YAML values, not names
        text = text.replace(f"`{literal}`", literal)
    protected = text.replace("e.g.", "e\0g\0").replace("i.e.", "i\0e\0")
    match = re.match(r"(.+?\.)(\s|$)", protected)
    sentence = (match.group(1) if match else protected).replace("\0", ".")
    depth = sentence.count("(") - sentence.count(")")
    return sentence + ")" * max(0, depth)


def where_from(text: str, keys: list[str]) -> str:
    cited = [k for k in keys if re.search(rf"(?<![\w-]){re.escape(k)}(?![\w-])", text)]
    tags = []
    if "Calibrated" in text or "fitted" in text.lower():
        tags.append("fitted")
    tags += cited
    if "ASSUMPTION" in text or not tags:
        tags.append("ASSUMPTION")
    return ", ".join(dict.fromkeys(tags))


def attribute_docstrings(tree: ast.AST, class_name: str | None = None) -> dict[str, str]:
    """Names assigned in a module (or a class of it) with the string that follows each."""
    body = tree.body
    if class_name is not None:
        body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name).body
    out = {}
    for i, node in enumerate(body):
        target = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            target = node.target.id
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            target = node.targets[0].id
        if target is None:
            continue
        nxt = body[i + 1] if i + 1 < len(body) else None
        doc = nxt.value.value if (isinstance(nxt, ast.Expr) and isinstance(nxt.value, ast.Constant)
                                  and isinstance(nxt.value.value, str)) else ""
        out[target] = doc
    return out


def dynamics_rows(keys: list[str]) -> list[list[str]]:
    from crisis_sim.core.schema import Dynamics

    docs = attribute_docstrings(ast.parse((PACKAGE / "core" / "schema.py").read_text()), "Dynamics")
    rows = []
    from crisis_sim.core.calibrated import VALUES

    for name, field in Dynamics.model_fields.items():
        doc = docs.get(name, "")
        source = ("fitted (docs/calibration.md)" if f"dynamics.{name}" in VALUES
                  else where_from(doc, keys))
        rows.append([f"`{name}`", _value(field.default), first_sentence(doc), source])
    return rows


def policy_rows(keys: list[str]) -> list[list[str]]:
    from crisis_sim.core.policy import REGISTRY

    rows = []
    for name, policy in sorted(REGISTRY.items()):
        if not policy.__module__.startswith("crisis_sim."):
            continue  # a plug-in's parameters are its own
        params = getattr(policy, "Params", None)
        if params is None:
            continue
        for field_name, field in params.model_fields.items():
            doc = field.description or ""
            rows.append([f"`{name}`", f"`{field_name}`", _value(field.default), first_sentence(doc),
                         where_from(doc, keys)])
    return rows


def constant_rows(keys: list[str]) -> list[list[str]]:
    rows = []
    for folder in ("core", "policies"):
        for path in sorted((PACKAGE / folder).glob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            docs = attribute_docstrings(tree)
            for node in tree.body:
                if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                    continue
                target = node.targets[0]
                if not isinstance(target, ast.Name) or not target.id.isupper() or target.id in UNITS:
                    continue
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                if not _numeric(value):
                    continue
                doc = docs.get(target.id, "")
                rows.append([f"`{path.stem}`", f"`{target.id}`", _value(value), first_sentence(doc),
                             where_from(doc, keys)])
    return rows


def _numeric(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, tuple) and value != () and all(_numeric(v) for v in value)


def _value(value) -> str:
    if isinstance(value, tuple):
        return "(" + ", ".join(_value(v) for v in value) + ")"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)


def table() -> str:
    keys = source_keys()
    head = ["parameter", "default", "what it does", "source"]
    owned = ["of", "parameter", "default", "what it does", "source"]
    parts = [
        "**Scenario `dynamics`** (a scenario may set each; the defaults below):", "",
        *markdown_table(head, dynamics_rows(keys), right={1}), "",
        "**Policy parameters** (an actor's policy `params`, by policy family):", "",
        *markdown_table(owned, policy_rows(keys), right={2}), "",
        "**Module constants** of the rules and policies (by module):", "",
        *markdown_table(owned, constant_rows(keys), right={2}),
    ]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page's block is stale")
    args = parser.parse_args(argv)
    text, new = PAGE.read_text(encoding="utf-8"), table()
    if args.check:
        if marked_block(text, START, END) != new.strip():
            print(f"{PAGE.relative_to(ROOT)}: the parameter table is stale; run {Path(__file__).name}")
            return 1
        return 0
    PAGE.write_text(with_marked_block(text, START, END, new), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
