"""The package's layers hold (docs/architecture.md).

Three checks that do not lean on one another:

* the import-linter contracts in pyproject.toml (``lint-imports``), when
  import-linter is installed (the ``test`` extra);
* a module import graph built here with :mod:`ast`, imports inside functions
  included and ``if TYPE_CHECKING:`` blocks left out: it has no cycle, and no
  module of ``core`` imports anything of crisis_sim outside ``core``;
* every module imported first, on its own, in a fresh subprocess: none fails
  because of the order its imports happen to run in.

And the map of the package, docs/architecture.md, names every module.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = SRC / "crisis_sim"

# Modules that need an optional extra; they may be missing what the extra installs.
NEEDS_EXTRA = {"crisis_sim.batch.engines.dask": "distributed", "crisis_sim.teach.dashboard": "viz"}


def _module_files() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = _module_files()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(nodes):
    """Import statements in ``nodes`` and inside them (functions too), not under ``if TYPE_CHECKING:``."""
    for node in nodes:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(node.orelse)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        else:
            yield from _imports(ast.iter_child_nodes(node))


def _targets(module: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The crisis_sim modules an import statement names (the most specific module for each name)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join([*base, *([node.module] if node.module else [])])
        else:
            origin = node.module or ""
        names = [f"{origin}.{alias.name}" if f"{origin}.{alias.name}" in MODULES else origin
                 for alias in node.names]
    found = set()
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("crisis_sim") and name != module:
            found.add(name)
    return found


@functools.cache
def _parsed_graph() -> dict[str, frozenset[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        graph[module] = frozenset().union(*(_targets(module, is_package, n) for n in _imports(tree.body)))
    return graph


def import_graph() -> dict[str, set[str]]:
    """module -> the crisis_sim modules it imports at run time (the sources are parsed once per
    test process: the tests below read the same graph)."""
    return {module: set(targets) for module, targets in _parsed_graph().items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected part of the graph with more than one module."""
    index, low, stack, on_stack, parts = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            part = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                part.append(top)
                if top == node:
                    break
            if len(part) > 1:
                parts.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return parts


def test_the_graph_sees_imports_inside_functions_and_skips_type_checking_blocks() -> None:
    graph = import_graph()
    # `run_batch` imports its chunk runner inside the function.
    assert "crisis_sim.batch.chunks" in graph["crisis_sim.batch.api"]
    # The CLI imports the library inside its commands only.
    assert "crisis_sim.batch" in graph["crisis_sim.cli.batch"]
    assert set(graph) == set(MODULES) and len(graph) > 40
    snippet = ast.parse(textwrap.dedent(
        """
        import typing
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from crisis_sim.core.model import CrisisModel
        if typing.TYPE_CHECKING:
            import crisis_sim.runs
        else:
            import crisis_sim.present
        def f():
            from crisis_sim.core import dynamics
        """
    ))
    found = set().union(*(_targets("crisis_sim.x", False, n) for n in _imports(snippet.body)))
    assert found == {"crisis_sim.present", "crisis_sim.core.dynamics"}


def test_the_import_graph_has_no_cycle() -> None:
    assert _cycles(import_graph()) == []


def test_core_imports_nothing_outside_core() -> None:
    outside = {
        (module, target)
        for module, targets in import_graph().items()
        if module.startswith("crisis_sim.core")
        for target in targets
        if not target.startswith("crisis_sim.core")
    }
    assert outside == set()


def test_policies_import_only_core() -> None:
    outside = {
        (module, target)
        for module, targets in import_graph().items()
        if module.startswith("crisis_sim.policies")
        for target in targets
        if not target.startswith(("crisis_sim.core", "crisis_sim.policies"))
    }
    assert outside == set()


def _importers_of(prefixes: tuple[str, ...], sources: str) -> set[tuple[str, str]]:
    return {
        (module, target)
        for module, targets in import_graph().items()
        if module == sources or module.startswith(f"{sources}.")
        for target in targets
        if target.startswith(prefixes)
    }


def test_teach_imports_neither_batch_nor_analysis() -> None:
    assert _importers_of(("crisis_sim.batch", "crisis_sim.analysis"), "crisis_sim.teach") == set()


def test_analysis_runs_no_model_writes_no_folder_draws_nothing() -> None:
    """analysis is functions over tables (the experiments that run batches are crisis_sim.experiments)."""
    forbidden = ("crisis_sim.core.model", "crisis_sim.runs", "crisis_sim.present", "crisis_sim.batch",
                 "crisis_sim.experiments")
    assert _importers_of(forbidden, "crisis_sim.analysis") == set()


def test_batch_imports_no_experiment() -> None:
    above = ("crisis_sim.experiments", "crisis_sim.teach", "crisis_sim.cli")
    assert _importers_of(above, "crisis_sim.batch") == set()


def test_no_module_is_a_sibling_plural_of_another() -> None:
    """A path says what it is: no ``folder.py`` beside ``folders.py``."""
    names = set(MODULES)
    assert sorted(m for m in names if f"{m}s" in names) == []


def _architecture_mentions(text: str, path: Path) -> bool:
    """Whether docs/architecture.md names the module at ``path``: by its path under
    src/crisis_sim/ in backticks (a package's ``__init__.py`` also by its folder, ``core/``)."""
    rel = path.relative_to(PACKAGE).as_posix()
    if f"`{rel}" in text:
        return True
    folder = rel.removesuffix("__init__.py")
    return path.name == "__init__.py" and path.parent != PACKAGE and f"`{folder}`" in text


def test_the_architecture_names_every_module() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [module for module, path in MODULES.items() if not _architecture_mentions(text, path)]
    assert missing == [], f"docs/architecture.md does not name: {', '.join(missing)}"
    # the check can fail: a module the page does not name is caught
    assert not _architecture_mentions(text, PACKAGE / "core" / "no_such_module.py")


def test_the_wheel_lists_every_package() -> None:
    """pyproject.toml lists the packages by hand (a wheel without one would fail only when it is imported)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"]) - {"crisis_sim.bundled", "crisis_sim.cases"}
    folders = {".".join(p.parent.relative_to(SRC).parts) for p in PACKAGE.rglob("__init__.py")}
    assert listed == folders


def test_the_data_packages_are_the_folders_pyproject_maps() -> None:
    """crisis_sim.datafiles names the folders package-dir maps, and in this tree finds this tree's own."""
    import tomllib

    from crisis_sim.datafiles import PROJECT_FOLDERS, data_folder

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapped = {package: folder for package, folder in config["tool"]["setuptools"]["package-dir"].items()
              if package}
    assert mapped == PROJECT_FOLDERS
    for package, folder in PROJECT_FOLDERS.items():
        found = data_folder(package)
        assert found is not None and found.resolve() == (ROOT / folder).resolve(), (package, found)


def test_import_contracts() -> None:
    cli = pytest.importorskip("importlinter.cli", reason="import-linter is in the test extra")
    code = cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True)
    assert code == 0, "lint-imports: a contract in pyproject.toml is broken (see the output above)"


# One interpreter imports each module first in turn: before each, every
# crisis_sim module is dropped from sys.modules, so the module under test runs
# its imports in its own order, while numpy, pandas and mesa stay loaded.
_IMPORT_EACH = textwrap.dedent(
    """
    import importlib, json, sys, traceback
    results = {}
    for name in json.loads(sys.argv[1]):
        for loaded in [m for m in sys.modules if m == "crisis_sim" or m.startswith("crisis_sim.")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
            results[name] = "ok"
        except ModuleNotFoundError as exc:
            if exc.name and not exc.name.startswith("crisis_sim"):
                results[name] = "missing " + exc.name
            else:
                results[name] = traceback.format_exc()
        except Exception:
            results[name] = traceback.format_exc()
    print(json.dumps(results))
    """
)


def test_every_module_imports_on_its_own() -> None:
    names = sorted(MODULES)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, json.dumps(names)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(results) == set(names)
    failed = {
        name: outcome
        for name, outcome in results.items()
        if outcome != "ok"
        and not (outcome.startswith("missing ") and any(name.startswith(m) for m in NEEDS_EXTRA))
    }
    assert failed == {}, "\n".join(f"{name}: {outcome}" for name, outcome in failed.items())
