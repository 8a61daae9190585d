"""Shell completion of scenario arguments: bundled scenario names, then scenario files and folders.

Typer calls :func:`complete_scenario` while the shell completes a word
(``crisis-sim run us_<TAB>``) once ``crisis-sim --install-completion`` has
been run. It reads the names from the data package ``crisis_sim.bundled``
(:mod:`crisis_sim.datafiles`) directly, without importing the model, so that
completion stays quick.
"""

from __future__ import annotations

from pathlib import Path

from crisis_sim.datafiles import data_folder

SCENARIO_SUFFIXES = (".yaml", ".yml")


def bundled_names() -> list[str]:
    """The bundled scenarios' names, sorted (none if the data package is missing)."""
    folder = data_folder("crisis_sim.bundled")
    if folder is None:
        return []
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir()
                  if entry.name.endswith(".yaml"))


def complete_scenario(incomplete: str) -> list[str]:
    """Bundled scenario names starting with ``incomplete``, then matching scenario files and folders."""
    names = [name for name in bundled_names() if name.startswith(incomplete)]
    stem = "" if incomplete.endswith("/") else Path(incomplete).name
    prefix = incomplete[: len(incomplete) - len(stem)]
    try:
        entries = sorted(Path(prefix or ".").iterdir())
    except OSError:
        entries = []
    files = [prefix + entry.name + ("/" if entry.is_dir() else "") for entry in entries
             if entry.name.startswith(stem) and (entry.is_dir() or entry.suffix in SCENARIO_SUFFIXES)]
    return names + files
