"""Where the package's data folders are: the bundled scenarios and the back-test's cases.

Neither lives in ``src/``: ``pyproject.toml`` maps the project's top-level
``scenarios/`` and ``cases/`` folders into the package as ``crisis_sim.bundled``
and ``crisis_sim.cases``. Installed (from a wheel, or editable from a clone),
they are found with :mod:`importlib.resources`; an editable install finds them
in the clone's own folders, so a clone and a wheel read the same files.

Code run from a source tree that is not the installed one (``PYTHONPATH=src``
in a second checkout while another is installed editable) would otherwise get
the *installed* checkout's scenarios and cases, beside its own code. So when
this module sits in ``<root>/src/crisis_sim`` with ``<root>/pyproject.toml``
beside it, the folder is the tree's own, as the mapping names it: the very
folder an editable install of that tree gives.

Imports nothing of crisis_sim, so that shell completion (which lists the
bundled names) stays quick.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PROJECT_FOLDERS = {"crisis_sim.bundled": "scenarios", "crisis_sim.cases": "cases"}
"""Each data package and the project folder ``pyproject.toml`` maps into it (``package-dir``)."""


def source_root() -> Path | None:
    """The project folder when run from its source tree (``<root>/src/crisis_sim``), else None."""
    code = Path(__file__).absolute().parent
    root = code.parent.parent
    if code.parent.name != "src" or not (root / "pyproject.toml").is_file():
        return None
    try:
        ours = 'name = "crisis-sim"' in (root / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return root if ours else None


def data_folder(package: str) -> Path | None:
    """The folder of data package ``package`` (a key of :data:`PROJECT_FOLDERS`), or None if it is missing."""
    root = source_root()
    if root is not None and (root / PROJECT_FOLDERS[package]).is_dir():
        return root / PROJECT_FOLDERS[package]
    try:
        return Path(str(resources.files(package)))
    except ModuleNotFoundError:
        return None
