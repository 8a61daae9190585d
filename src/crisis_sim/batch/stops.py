"""Ctrl-C recorded from the moment the command line starts, so that a batch never misses it.

Python runs a signal handler between two bytecodes of the main thread; when
that moment falls inside a finaliser or a weak-reference callback (imports
and the process pool's start-up run many), the ``KeyboardInterrupt`` the
handler raises is printed as "Exception ignored" and dropped, and the
command carries on. :func:`install` (called by ``crisis_sim.cli.main``)
replaces Python's handler with one that also records the signal;
:func:`crisis_sim.batch.api.run_batch` checks the record at its safe
points, so a Ctrl-C pressed while the command was still importing stops
the batch before its first chunk.

SIGTERM and SIGHUP, whose default action ends the process at once (with no
``finally`` run, so a folder being built under a hidden name stays behind),
are taken over the same way: the first raises :class:`Stopped`, which
unwinds any command as Ctrl-C does (hidden folders removed, locks
released); :func:`crisis_sim.cli.main` then says so in one line and exits
with 128 + the signal. A signal that lands while a compiled module
initialises surfaces as that module's ImportError raised from the stop:
:func:`caused_by_stop` tells it apart. Standard library only: imported
before anything heavy.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from typing import Any, NoReturn

requested: list[int] = []
"""The signals received so far (the first one is what counts)."""
seen: list[int] = []
"""Every stop signal any handler of this program took, a batch's own included: what the command
line reports when the command then fails (:func:`stopped_by`)."""
reported: list[bool] = []
"""Set once a command has said how it stopped (its own line), so that it is not said twice."""
STOP_SIGNALS = ("SIGTERM", "SIGHUP")
"""Signals that stop a command as cleanly as Ctrl-C (where the platform has them)."""
GRACE_SECONDS = 2.0
"""After the first SIGTERM or SIGHUP, how long later ones are ignored, so that the clean-up it set
off is not cut short; one after that raises again (the first may have been dropped)."""
_raised_at: list[float] = []


class Stopped(KeyboardInterrupt):
    """A command stopped by SIGTERM or SIGHUP. A subclass of :class:`KeyboardInterrupt`, so that
    whatever cleans up after Ctrl-C cleans up after these too. ``signum``: the signal's number."""

    def __init__(self, signum: int):
        self.signum = signum
        self.name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.name}")


def interrupt(signum: int, frame: Any) -> None:
    requested.append(signum)
    seen.append(signum)
    raise KeyboardInterrupt


def terminate(signum: int, frame: Any) -> None:
    """SIGTERM or SIGHUP: recorded, and raised as :class:`Stopped` (but within
    :data:`GRACE_SECONDS` of the last one raised)."""
    requested.append(signum)
    seen.append(signum)
    now = time.monotonic()
    if _raised_at and now - _raised_at[-1] < GRACE_SECONDS:
        return
    _raised_at.append(now)
    raise Stopped(signum)


def first_stop() -> int | None:
    """The first signal received, or None."""
    return requested[0] if requested else seen[0] if seen else None


def stopped_by(exc: BaseException) -> bool:
    """Whether ``exc``, reaching the command line, is what a stop became: raised from it, or any
    error once a stop signal came. A stop landing while a compiled module initialises can surface
    as that module's ImportError, or as a SystemError with the stop lost on the way (pandas'
    Cython modules): the command was being stopped, and that is what it reports."""
    return stop_cause(exc) is not None or bool(seen)


def exit_stopped(stop: BaseException | None = None) -> NoReturn:
    """Say how the command stopped, in one line on stderr, and exit with 128 + the signal (130 for
    Ctrl-C, or when no signal was recorded). ``stop``: the exception it raised, if known."""
    cause = stop if isinstance(stop, KeyboardInterrupt) else stop_cause(stop) if stop is not None else None
    first = cause.signum if isinstance(cause, Stopped) else first_stop()
    if first is None or first == signal.SIGINT:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    print(f"stopped by {signal.Signals(first).name}", file=sys.stderr)
    sys.exit(128 + first)


def stop_cause(exc: BaseException) -> KeyboardInterrupt | None:
    """The stop (Ctrl-C, SIGTERM, SIGHUP) ``exc`` was raised from, or None: a compiled module's
    ImportError is raised from the stop that landed while the module initialised."""
    seen: set[int] = set()
    cause = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


def caused_by_stop(exc: BaseException) -> bool:
    """Whether ``exc`` was raised from a stop (:func:`stop_cause`)."""
    return stop_cause(exc) is not None


REDELIVER_SECONDS = 0.2
"""How long after a stop was dropped it is raised again in the main thread."""

_redelivered: list[int] = []


def _unraisable(hook: Any) -> Any:
    def quiet(report: Any) -> None:
        if isinstance(report.exc_value, KeyboardInterrupt):
            _redeliver(report.exc_value)  # recorded in ``requested``; raised again, where it can unwind
            return
        hook(report)

    quiet.redelivers = True  # type: ignore[attr-defined]
    return quiet


def _redeliver(stop: KeyboardInterrupt) -> None:
    """Raise a dropped stop again in the main thread, once, a moment later (after the grace period
    of a SIGTERM or SIGHUP): a command with no check of its own between here and a long write (an
    export writing a large table) would otherwise carry on to its end."""
    if _redelivered:
        return
    signum = stop.signum if isinstance(stop, Stopped) else int(signal.SIGINT)
    _redelivered.append(signum)
    delay = REDELIVER_SECONDS + (GRACE_SECONDS if isinstance(stop, Stopped) else 0.0)
    # a real signal to the main thread: it also wakes a blocking call, as the first one did
    timer = threading.Timer(delay, signal.pthread_kill, args=(threading.main_thread().ident, signum))
    timer.daemon = True
    timer.start()


def install() -> None:
    """Record SIGINT (and raise KeyboardInterrupt as Python does), if Python's own handler is in
    place and this is the main thread; a stop dropped where Python cannot raise it (a finaliser, a
    weak-reference callback) is not reported as an error but raised again a moment later
    (:func:`_redeliver`).
    SIGTERM and SIGHUP, where their action is the default (``nohup`` ignores SIGHUP: left so),
    raise :class:`Stopped` (:func:`terminate`)."""
    if threading.current_thread() is not threading.main_thread():
        return
    took = False
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, interrupt)
        took = True
    for name in STOP_SIGNALS:
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, terminate)
            took = True
    if took and not getattr(sys.unraisablehook, "redelivers", False):
        sys.unraisablehook = _unraisable(sys.unraisablehook)
