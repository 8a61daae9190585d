"""One run of a scenario and its folder.

:func:`run_scenario` runs a scenario under a seed and returns a
:class:`RunResult` (no I/O); :func:`write_run` writes it as a run folder;
:func:`read_run` reads one back.

The names are loaded on first use (PEP 562), so that a command that only needs a submodule
(``runs.safe_folders``: ``crisis-sim export``, ``plot``) does not import the model and Mesa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crisis_sim.runs.run_folder import read_run, write_run
    from crisis_sim.runs.single_run import RunResult, run_model, run_scenario

__all__ = ["RunResult", "read_run", "run_model", "run_scenario", "write_run"]

_HOMES = {"read_run": "run_folder", "write_run": "run_folder", "RunResult": "single_run",
          "run_model": "single_run", "run_scenario": "single_run"}
"""The submodule that defines each name of :data:`__all__`."""


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
