"""Command-line options shared by every command that runs batches (batch, backtest,
sensitivity, calibrate): where the chunks run, and on how many processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

Workers = Annotated[
    int | None,
    typer.Option("--workers", "-w", min=1, metavar="W", show_default=False,
                 help="Worker processes. Default: one per CPU."),
]
Engine = Annotated[
    str,
    typer.Option("--engine", metavar="NAME",
                 help="Where chunks run: local (processes here) or dask (a Dask cluster; "
                 "needs the distributed extra)."),
]
CaseChanges = Annotated[
    list[str] | None,
    typer.Option("--set", metavar="PATH=VALUE", show_default=False,
                 help="Change a value in every case (repeatable), as run --set does: a what-if, "
                 "e.g. dynamics.relationship_value=0.3."),
]
"""``--set`` of the commands over a folder of cases (backtest, calibrate): the same change made
to every case before anything runs."""
Scheduler = Annotated[
    str | None,
    typer.Option("--scheduler", metavar="ADDRESS", show_default=False,
                 help="Dask scheduler to use with --engine dask (tcp://HOST:PORT). "
                 "Default: start a local Dask cluster."),
]


def check_run_flags(engine: str, scheduler: str | None, *, resume: bool = False, force: bool = False,
                    out: Path | None = None) -> None:
    """The flags' own contradictions, refused in one line each (exit 2) before anything runs."""
    from crisis_sim.cli.app import _fail

    if resume and out is None:
        _fail("--resume: give the folder to finish with --out DIR")
    if resume and force:
        _fail("--resume and --force: give one or the other")
    if scheduler and engine != "dask":
        _fail("--scheduler: only for --engine dask")


def check_engine(workers: int | None, engine: str) -> None:
    """``--workers`` and ``--engine``, refused in one line (exit 2) before any folder is made."""
    from crisis_sim.batch.api import BatchError, check_engine_flags
    from crisis_sim.cli.app import _fail

    try:
        check_engine_flags(workers, engine)
    except BatchError as exc:
        _fail(str(exc))


@contextmanager
def kept_for_resume(out: Path | None) -> Iterator[None]:
    """Turn a stop (SIGTERM or SIGHUP: workers stopped, lock released; or Ctrl-C) into one line
    saying how to finish the work, whose finished chunks are kept, and its exit code (128 + the
    signal; 130)."""
    import signal

    from crisis_sim.batch import stops
    from crisis_sim.cli.app import _fail

    try:
        try:
            yield
        except Exception as exc:
            # a stop that lands while a compiled module initialises (scipy's, imported late) reaches
            # us as that module's ImportError, raised from the stop, or as an error with the stop
            # lost on the way (stops.stopped_by): the stop is what happened
            cause = stops.stop_cause(exc)
            if cause is not None:
                raise cause from None
            if stops.stopped_by(exc):
                raise KeyboardInterrupt from None
            raise
    except KeyboardInterrupt as exc:  # Ctrl-C; SIGTERM and SIGHUP are stops.Stopped, one too
        signum = exc.signum if isinstance(exc, stops.Stopped) else stops.first_stop()
        stops.reported.append(True)
        if signum is not None and signum != signal.SIGINT:
            _fail(f"stopped by {signal.Signals(signum).name}; finished chunks are kept: finish it with "
                  f"--resume --out {out}", code=128 + signum)
        _fail(f"interrupted; finished chunks are kept: rerun with --resume --out {out}", code=130)
