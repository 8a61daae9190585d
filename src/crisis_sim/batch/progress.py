"""A progress bar for long batches: runs done, rate, time left, on stderr.

Shown only when stderr is a terminal (the caller checks); piped output stays
quiet. Uses rich, which typer brings along.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class RunsBar:
    """``with RunsBar() as update: update(done, total)`` draws and refreshes the bar."""

    def __init__(self, description: str = "runs") -> None:
        self.description = description
        self._progress: Any = None
        self._task: Any = None
        self._start: int | None = None

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
        if self._task is None:
            # Runs already done (a resumed batch) count toward the bar, not the rate.
            self._start = done
            self._task = self._progress.add_task(self.description, total=total, completed=done, rate="")
            return
        task = self._progress.tasks[0]
        elapsed = task.elapsed or 0.0
        rate = (done - (self._start or 0)) / elapsed if elapsed > 0 else 0.0
        self._progress.update(self._task, completed=done, rate=f"{rate:,.0f} runs/s")

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)
