"""The ``crisis-sim`` command line: thin typer commands over the library.

Each command is a wrapper over a library function that returns data; exit
codes are set here and only here (see :mod:`crisis_sim.cli.app`). Importing
this package registers every command on :data:`~crisis_sim.cli.app.app`.
"""

# The order of these imports is the order of the commands in `crisis-sim --help`.
from crisis_sim.cli import run  # noqa: I001  (run, validate, schema, list)
from crisis_sim.cli import compare  # compare, plot
from crisis_sim.cli import batch
from crisis_sim.cli import backtest
from crisis_sim.cli import sensitivity  # after batch: a batch with a sampled design
from crisis_sim.cli import calibrate  # after backtest and sensitivity: both at once
from crisis_sim.cli import teach  # play
from crisis_sim.cli import dashboard
from crisis_sim.cli.app import PROG, app

__all__ = [
    "app", "backtest", "batch", "calibrate", "compare", "dashboard", "main", "run", "sensitivity", "teach",
]


def main() -> None:
    """Entry point of the ``crisis-sim`` console script and ``python -m crisis_sim``."""
    app(prog_name=PROG)
