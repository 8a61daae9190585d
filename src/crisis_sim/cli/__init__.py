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
from typing import NoReturn

__all__ = [
    "app", "backtest", "batch", "calibrate", "compare", "dashboard", "main", "run", "sensitivity", "teach",
]


def main() -> None:
    """Entry point of the ``crisis-sim`` console script and ``python -m crisis_sim``.

    A stop that no command turned into its own message is one line, never a
    traceback: Ctrl-C "interrupted" and exit code 130; SIGTERM or SIGHUP
    "stopped by SIGTERM" and 128 + the signal (:mod:`crisis_sim.batch.stops`), whatever
    the command was doing, a lazy import included (a stop landing while a
    compiled module initialises surfaces as its ImportError).
    """
    from crisis_sim.batch import stops

    try:
        stops.install()  # Ctrl-C, SIGTERM, SIGHUP from now on are recorded and unwind the command
        printable_warnings()  # inside: a stop may land as soon as the handlers are in place
        app(prog_name=PROG)
    except SystemExit as exc:
        if exc.code == 130 and not stops.reported:  # typer's silent exit for a KeyboardInterrupt
            _stopped(exc.__context__)
        raise
    except KeyboardInterrupt as exc:
        _stopped(exc)
    except Exception as exc:  # an ImportError or SystemError that a stop became (stops.stopped_by)
        if stops.stopped_by(exc):
            _stopped(exc)
        raise


def _stopped(stop: BaseException | None = None) -> NoReturn:
    from crisis_sim.batch import stops

    stops.exit_stopped(stop)
