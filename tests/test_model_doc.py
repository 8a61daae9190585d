"""docs/model.md (the ODD description) names only what exists.

Every name in backticks is checked: a dotted name (``dynamics.annual_cost_share``,
``model.CrisisModel.step``) must import and resolve attribute by attribute; a
bare name must be a function, class or constant of ``crisis_sim.core`` or
``crisis_sim.policies``, a field of the scenario schema, a registered policy or
one of its parameters, a bundled scenario, a value of an enumeration of ``core.types``, or
a top-level name of a ``scripts/*.py`` the page names by path; a path
(``tests/...``, ``policies/*.py``) must match a file of the project. Every
anchor of docs/sources.md it links to must exist, and every reference key it
cites must be one of sources.md §3. So the page cannot silently rot when the
code or the sources change.
"""

from __future__ import annotations

import ast
import functools
import importlib
import pkgutil
import re
from enum import Enum
from pathlib import Path

import pytest
from pydantic import BaseModel

import crisis_sim.core
import crisis_sim.policies
from crisis_sim.core import types
from crisis_sim.core.policy import REGISTRY
from crisis_sim.core.schema import Scenario
from crisis_sim.scenario import bundled_scenarios

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
SOURCES = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")

CODE = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
BARE = re.compile(r"^[A-Za-z_]\w*$")
FILE_NAME = re.compile(r"^[\w-]+\.(csv|json|jsonl|png|yaml|md|parquet)$")
"""A run folder's file (``outcome.json``): named, not a file of the project."""
SCRIPT_PATH = re.compile(r"`(scripts/[\w/-]+\.py)`")
LINKED_ANCHOR = re.compile(r"\(sources\.md#([\w-]+)\)")
ANCHOR = re.compile(r'<a id="([\w-]+)"></a>')
REFERENCE_KEY = re.compile(r"^[a-z][a-z-]*\d{4}$")
"""An author–year key of sources.md §3 (``fearon1994``, ``george-simons1994``)."""


@functools.cache
def modules() -> dict[str, object]:
    """The modules of ``core`` and ``policies`` by their short name (``dynamics``)."""
    found = {}
    for package in (crisis_sim.core, crisis_sim.policies):
        for info in pkgutil.iter_modules(package.__path__):
            found.setdefault(info.name, importlib.import_module(f"{package.__name__}.{info.name}"))
    return found


def schema_fields() -> set[str]:
    """Every field name of every model reachable from :class:`Scenario`."""
    names, todo, seen = set(), [Scenario], set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            names.add(name)
            todo += [t for t in _classes(field.annotation) if issubclass(t, BaseModel)]
    return names


def _classes(annotation):
    if isinstance(annotation, type):
        yield annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        yield from _classes(arg)


def script_names() -> set[str]:
    """The top-level names (constants, functions) of every ``scripts/*.py`` the page
    names by path, read with :mod:`ast` so no script runs: the page may cite a
    script's ``BEHAVIOUR`` beside the script itself."""
    names = set()
    for path in sorted(set(SCRIPT_PATH.findall(DOC))):
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            targets = node.targets if isinstance(node, ast.Assign) else (
                [node.target] if isinstance(node, ast.AnnAssign) else [])
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def known_bare_names() -> set[str]:
    names = set(schema_fields()) | set(bundled_scenarios()) | script_names()
    for short, module in modules().items():
        names.add(short)
        names.update(n for n in vars(module) if not n.startswith("__"))
    for name, cls in REGISTRY.items():
        names.add(name)
        names.update(cls.Params.model_fields)
    for value in vars(types).values():
        if isinstance(value, type) and issubclass(value, Enum):
            names.update(str(member.value) for member in value)
    return names


def resolve(dotted: str) -> object:
    """The object a dotted name stands for, through a module of ``core`` or ``policies``
    (``dynamics.rate_at``) or a name defined in one (``CrisisModel.step``)."""
    head, *rest = dotted.split(".")
    found = modules()
    if head in found:
        obj = found[head]
    else:
        owners = [m for m in found.values() if hasattr(m, head)]
        if not owners:
            raise AttributeError(f"no module or name {head!r} in crisis_sim.core or crisis_sim.policies")
        obj = getattr(owners[0], head)
    for part in rest:
        obj = getattr(obj, part)
    return obj


def names_in_backticks() -> list[str]:
    return sorted(set(CODE.findall(DOC)))


def test_the_page_names_code_at_all():
    """The checks below are not vacuous: the page does name functions and constants."""
    dotted = [n for n in names_in_backticks() if DOTTED.match(n)]
    assert len(dotted) >= 60
    assert "dynamics.annual_cost_share" in dotted and "model.CrisisModel.step" in dotted


@pytest.mark.parametrize("name", [n for n in names_in_backticks() if DOTTED.match(n)
                                  and not FILE_NAME.match(n)])
def test_every_dotted_name_exists(name):
    resolve(name)


def test_every_bare_name_exists():
    known = known_bare_names()
    unknown = [n for n in names_in_backticks() if BARE.match(n) and n not in known]
    assert unknown == []


def test_every_path_exists():
    missing = [n for n in names_in_backticks()
               if "/" in n and " " not in n and not any(ROOT.glob(n.rstrip("/")))]
    assert missing == []


def test_every_linked_source_exists_and_every_key_is_in_section_3():
    anchors = set(ANCHOR.findall(SOURCES))
    linked = set(LINKED_ANCHOR.findall(DOC))
    assert linked - anchors == set()
    section_3 = SOURCES[SOURCES.index('<a id="s3"></a>'):SOURCES.index('<a id="s4"></a>')]
    keys = {k for k in linked if REFERENCE_KEY.match(k)}
    assert keys, "the page should cite the theory it rests on"
    assert {k for k in keys if f'<a id="{k}"></a>**{k}**' not in section_3} == set()


OTHER_PAGE_ANCHOR = re.compile(r"\]\(([\w-]+\.md)#([\w.-]+)\)")
"""A link to a place in another page of docs/ (``[backtest.md](backtest.md#mechanisms)``)."""


def anchors_of(page: str) -> set[str]:
    """The places a link can name in a page of docs/: its ``<a id>`` anchors and the ids a
    Markdown renderer gives its headings (lower case, punctuation dropped, spaces as hyphens)."""
    text = (ROOT / "docs" / page).read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", text, re.MULTILINE)
    slugs = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}
    return set(ANCHOR.findall(text)) | slugs


def test_every_link_into_another_page_finds_its_place():
    """The page links to the evidence it moved out (backtest.md, teaching.md) by anchor; each
    anchor must exist there."""
    links = OTHER_PAGE_ANCHOR.findall(DOC)
    assert ("backtest.md", "mechanisms") in links
    missing = [f"{page}#{anchor}" for page, anchor in sorted(set(links))
               if page != "sources.md" and anchor not in anchors_of(page)]
    assert missing == []


def test_the_page_describes_the_model_and_holds_no_generated_results():
    """Measured results live in backtest.md and teaching.md; the only generated block here is
    the parameter table (scripts/write_parameter_table.py)."""
    blocks = set(re.findall(r"<!-- ([\w:-]+) -->", DOC))
    assert blocks == {"parameters"}


def test_the_resolver_rejects_what_does_not_exist():
    with pytest.raises(AttributeError):
        resolve("dynamics.no_such_function")
    with pytest.raises(AttributeError):
        resolve("NoSuchThing.step")
    assert "no_such_field" not in known_bare_names()


def test_the_parameter_table_is_what_the_code_says_now():
    """docs/model.md, "Parameters": every dynamics field, policy parameter and module constant
    of the rules and policies, with its default and source, as scripts/write_parameter_table.py
    writes it from the code (a new constant or a changed default makes it stale)."""
    from conftest import load_script

    script = load_script("write_parameter_table")
    assert script.main(["--check"]) == 0
    text = script.table()
    for row in ("| `government_change_per_year` | 0.2 |", "| `attention_half_life_days` | 365 |",
                "| `turn_the_screw` | `deadline_hours` | 24 |", "| `reasoning` | `GIVE_WAY_RATE` | 0.9 |"):
        assert row in text
    assert all(row.rstrip().endswith("|") and row.count(" | ") >= 3
               for row in text.splitlines() if row.startswith("| `"))


def test_no_page_carries_a_control_character():
    """A formula written into a page from a Python string without a raw prefix loses its
    backslashes to escapes (``\\frac`` becomes a form feed and ``rac``, ``\\text`` a tab and
    ``ext``): every page of docs/ and the README is plain text, tabs and newlines apart."""
    pages = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    assert len(pages) > 10
    spoilt = [f"{page.name}:{n}" for page in pages
              for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"[\x00-\x08\x0b-\x1f\x7f]", line)]
    assert spoilt == []
