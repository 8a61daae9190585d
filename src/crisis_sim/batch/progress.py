"""A progress bar for long batches: runs done, rate, time left, on stderr.

Shown only when stderr is a terminal (the caller checks); piped output stays
quiet. Uses rich, which typer brings along.

Chunks hold a hundred runs or more, so a bar that moved only when a chunk
came back would sit at ``0/200 -:--:-- left`` for the whole of a small batch.
Given ``live`` (the runs the workers have finished, chunk or no chunk:
:attr:`crisis_sim.batch.engines.local.LocalEngine.runs_finished`), the bar
reads it every :data:`POLL_SECONDS` from a thread of its own, so the count,
the rate and the time left move from the first seconds on.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

POLL_SECONDS = 0.5
"""How often the bar reads the live count of finished runs."""


def rate_text(rate: float) -> str:
    """``1,234 runs/s``; below 10 a run a second with a decimal (``0.4 runs/s``), not rounded to 0."""
    return f"{rate:,.0f} runs/s" if rate >= 10 else f"{rate:.1f} runs/s"


class RunsBar:
    """``with RunsBar() as update: update(done, total)`` draws and refreshes the bar."""

    def __init__(self, description: str = "runs", *, live: Callable[[], int] | None = None) -> None:
        self.description = description
        self.live = live
        self._progress: Any = None
        self._task: Any = None
        self._start: int | None = None
        self._total = 0
        self._shown = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None

    def __enter__(self) -> Callable[[int, int], None]:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("elapsed,"),
            TimeRemainingColumn(),
            TextColumn("left"),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.__enter__()
        return self.update

    def update(self, done: int, total: int) -> None:
        with self._lock:
            if self._task is None:
                # Runs already done (a resumed batch) count toward the bar, not the rate.
                self._start = self._shown = done
                self._total = total
                self._task = self._progress.add_task(self.description, total=total, completed=done, rate="")
                if self.live is not None:
                    self._poller = threading.Thread(target=self._poll, name="runs-bar", daemon=True)
                    self._poller.start()
                return
            done = min(max(done, self._shown), total)  # the live count may have run ahead of the chunks
            self._shown, self._total = done, total
            task = self._progress.tasks[0]
            elapsed = task.elapsed or 0.0
            rate = (done - (self._start or 0)) / elapsed if elapsed > 0 else 0.0
            self._progress.update(self._task, completed=done, rate=rate_text(rate))

    def _poll(self) -> None:
        assert self.live is not None
        while not self._stop.wait(POLL_SECONDS):
            self.update(self.live(), self._total)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join()
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


@contextlib.contextmanager
def terminal_bar(show: bool, description: str = "runs") -> Iterator[Callable[[int, int], None]]:
    """``update(done, total)`` of a :class:`RunsBar` when ``show`` and stderr is a terminal; else an
    update that does nothing (piped output stays quiet)."""
    if show and sys.stderr.isatty():
        with RunsBar(description) as update:
            yield update
    else:
        yield lambda done, total: None
