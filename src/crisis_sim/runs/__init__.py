"""One run of a scenario and its folder.

:func:`run_scenario` runs a scenario under a seed and returns a
:class:`RunResult` (no I/O); :func:`write_run` writes it as a run folder;
:func:`read_run` reads one back.
"""

from crisis_sim.runs.run_folder import read_run, write_run
from crisis_sim.runs.single_run import RunResult, run_model, run_scenario

__all__ = ["RunResult", "read_run", "run_model", "run_scenario", "write_run"]
