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
from crisis_sim.cli.app import PROG, app, printable_warnings

__all__ = [
    "app", "backtest", "batch", "calibrate", "compare", "dashboard", "main", "run", "sensitivity", "teach",
]


def main() -> None:
    """Entry point of the ``crisis-sim`` console script and ``python -m crisis_sim``.

    A Ctrl-C that no command turned into its own message (one landing before
    a command starts its work) is one line and exit code 130, never a traceback.
    """
    from crisis_sim.batch import stops

    stops.install()  # Ctrl-C from now on is recorded, even where Python would drop it
    printable_warnings()
    try:
        app(prog_name=PROG)
    except KeyboardInterrupt:
        import sys

        print("interrupted", file=sys.stderr)
        sys.exit(130)
