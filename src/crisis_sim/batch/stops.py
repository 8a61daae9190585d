"""Ctrl-C recorded from the moment the command line starts, so that a batch never misses it.

Python runs a signal handler between two bytecodes of the main thread; when
that moment falls inside a finaliser or a weak-reference callback (imports
and the process pool's start-up run many), the ``KeyboardInterrupt`` the
handler raises is printed as "Exception ignored" and dropped, and the
command carries on. :func:`install` (called by ``crisis_sim.cli.main``)
replaces Python's handler with one that also records the signal;
:func:`crisis_sim.batch.api.run_batch` checks the record at its safe
points, so a Ctrl-C pressed while the command was still importing stops
the batch before its first chunk. Standard library only: imported before
anything heavy.
"""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

requested: list[int] = []
"""The signals received so far (the first one is what counts)."""


def interrupt(signum: int, frame: Any) -> None:
    requested.append(signum)
    raise KeyboardInterrupt


def _unraisable(hook: Any) -> Any:
    def quiet(report: Any) -> None:
        if isinstance(report.exc_value, KeyboardInterrupt):
            return  # recorded in ``requested``; the command stops at its next check
        hook(report)

    return quiet


def install() -> None:
    """Record SIGINT (and raise KeyboardInterrupt as Python does), if Python's own handler is in
    place and this is the main thread; a dropped KeyboardInterrupt is not reported as an error."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt)
        sys.unraisablehook = _unraisable(sys.unraisablehook)
