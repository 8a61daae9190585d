"""The local engine: a pool of worker processes on this machine.

See :mod:`crisis_sim.batch.engines.base` for what an engine does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Self

from crisis_sim.batch.engines.base import PRELOAD, EngineError, R, T, default_workers

IN_FLIGHT_PER_WORKER = 2
"""Chunks submitted ahead per worker: enough to keep workers busy, few enough
that finished results never pile up in memory."""


def default_start_method() -> str:
    """How a local pool starts its workers: ``fork`` where that is safe, else ``spawn``.

    A forked worker starts in milliseconds with everything this process has
    imported, and shares its memory pages until one of them writes to a page;
    a spawned worker is a fresh interpreter that pays about a second of
    imports and holds its own copy of every library. Fork is used on Linux
    only, and only while this process runs a single Python thread: a thread
    that holds a lock at the moment of the fork (a notebook kernel's, a
    progress display's) leaves it locked forever in the child, and macOS's
    system libraries are not fork-safe. Python 3.14 stops defaulting to
    fork for those reasons; this check keeps its speed where they do not apply.
    (Threads that native libraries start at import, such as numpy's BLAS
    pool, do not count: those libraries re-initialise themselves in a fork.)
    """
    import sys
    import threading

    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return "fork"
    return "spawn"


_END: Any = object()
"""Marks the end of the chunks: compared by identity, never run (typed to stand for any chunk)."""


PR_SET_PDEATHSIG = 1
"""``prctl`` option (``<linux/prctl.h>``): the signal a process gets when its parent dies."""


def die_with_parent(parent: int) -> None:
    """Have the kernel SIGKILL this process when ``parent`` dies (Linux); exit now if it has.

    Without this, workers of a killed batch (SIGKILL, or SIGTERM/SIGHUP with
    their default action) live on and keep writing chunks. The kernel sends
    the signal when the *thread* that forked this process ends; the pool
    forks its workers from the batch's main thread, which ends only with the
    process. The parent may have died before the call took effect, hence the
    check of ``getppid`` after it. Elsewhere only that check is made (and
    :func:`crisis_sim.batch.chunks.run_and_write_chunk` checks again before
    writing).
    """
    import os
    import signal
    import sys

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
            pass
    if os.getppid() != parent:
        os._exit(1)


def _start_worker(preload: tuple[str, ...], parent: int | None = None, runs: Any = None) -> None:
    """In a pool worker, as it starts: die with the parent; leave Ctrl-C to it; import what chunks need;
    count the runs it finishes in ``runs`` (:attr:`LocalEngine.runs_finished`).

    A forked worker inherits the batch process's handlers, among them the
    SIGTERM and SIGHUP handlers ``run_batch`` installs to stop cleanly
    (:func:`crisis_sim.batch.api._stop_on_signals`); in a worker those
    signals get their default action back, so that the pool's ``terminate``
    (a SIGTERM) ends the worker rather than raising inside its chunk.
    """
    import signal

    if parent is not None:
        die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):  # blocked by the parent around the fork (LocalEngine.__enter__)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _stop_signals())
    _import_all(preload)
    if runs is not None:
        from crisis_sim.batch.chunks import count_runs_in

        count_runs_in(runs)


def _stop_signals() -> set[int]:
    """SIGINT, SIGTERM and SIGHUP (those of them this platform has)."""
    import signal

    return {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}


TEARDOWN_SECONDS = 5.0
"""How long stopping the pool waits for a terminated worker before killing it."""


def _import_all(modules: tuple[str, ...]) -> None:
    import importlib

    for module in modules:
        importlib.import_module(module)


def _ready() -> None:
    """A task that does nothing: submitting it makes the pool start a worker now."""


class LocalEngine:
    """This machine: ``workers`` processes compute the chunks.

    With one worker every chunk is computed in this process. With ``W > 1``
    the engine starts a pool of ``W`` processes; this one hands out chunks, a
    few ahead per worker, and sleeps until results come back. (Computing
    chunks here as well would leave a worker waiting for new chunks while this
    process finishes one, and leave this process idle at the end while the
    workers empty their queues.)

    Workers are forked from this process where that is safe (see
    :func:`default_start_method`): this process imports ``preload`` once,
    and the workers start in milliseconds with it imported and share this
    process's memory until either writes to it. Elsewhere each worker is a
    fresh interpreter (``spawn``) that imports ``preload`` as it starts,
    overlapping whatever the caller does before its first chunk. The start
    method is given to the pool only; the process-wide default is never
    changed. Scripts that use more than one worker need the usual
    ``if __name__ == "__main__":`` guard.
    """

    name = "local"
    shares_files = True
    """Workers run on this machine and see the batch folder: they write their own chunks."""

    def __init__(
        self,
        workers: int | None = None,
        *,
        start_method: str | None = None,
        preload: tuple[str, ...] = PRELOAD,
    ):
        self.workers = default_workers() if workers is None else int(workers)
        if self.workers < 1:
            raise EngineError(f"workers must be at least 1, got {self.workers}")
        self.start_method = start_method
        self.preload = tuple(preload)
        self._pool: ProcessPoolExecutor | None = None
        self._runs: Any = None

    @property
    def runs_finished(self) -> int:
        """Runs finished since the engine started, those of chunks not yet returned included: a
        progress bar moves with them within a chunk (the workers count them as they go)."""
        return 0 if self._runs is None else int(self._runs.value)

    def __enter__(self) -> Self:
        import multiprocessing

        if self.workers == 1 and self._runs is None:
            from crisis_sim.batch.chunks import count_runs_in

            self._runs = multiprocessing.Value("q", 0)
            count_runs_in(self._runs)  # chunks run in this process
        if self.workers > 1 and self._pool is None:
            import gc
            import os
            import signal
            import warnings

            method = self.start_method or default_start_method()
            self._runs = multiprocessing.get_context(method).Value("q", 0)
            if method == "fork":  # import once here; the workers share the pages
                _import_all(self.preload)
            # SIGINT, SIGTERM and SIGHUP are held back while the workers start:
            # a forked worker inherits this process's handlers until its
            # initializer runs, and a signal arriving in the middle of the
            # pool's start-up could be lost in it. Held, a signal arrives at the
            # unblock below, where this process's handler raises (and the pool
            # is stopped, below); a worker, which inherits the mask, unblocks
            # once its own handlers are set.
            mask = hasattr(signal, "pthread_sigmask")
            if mask:
                signal.pthread_sigmask(signal.SIG_BLOCK, _stop_signals())
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context(method),
                    initializer=_start_worker,
                    initargs=(self.preload, os.getpid(), self._runs),
                )
                # Objects that exist now are left out of the workers' garbage
                # collections, so those do not write to (and copy) the pages they
                # share with this process. A fork pool forks every worker at the
                # first submit; this process collects them again right after.
                gc.freeze()
                try:
                    with warnings.catch_warnings():
                        # Python warns about any other thread at a fork, native ones
                        # included: numpy's OpenBLAS and Arrow's allocator start some
                        # at import. Both register fork handlers; Python threads,
                        # which might hold a lock, were ruled out above.
                        warnings.filterwarnings("ignore", "This process .* is multi-threaded",
                                                DeprecationWarning)
                        for _ in range(self.workers):
                            self._pool.submit(_ready)
                finally:
                    gc.unfreeze()
                    if mask:
                        signal.pthread_sigmask(signal.SIG_UNBLOCK, _stop_signals())
            except BaseException:
                self._stop_pool(terminate=True)
                raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        # An error or a stop: end the workers now rather than wait for their
        # chunks (finished chunks are kept; resume computes the rest).
        if self.workers == 1:
            from crisis_sim.batch.chunks import count_runs_in

            count_runs_in(None)
        self._stop_pool(terminate=exc_type is not None)

    def _stop_pool(self, *, terminate: bool) -> None:
        """Shut the pool down; with ``terminate``, SIGTERM its workers first. Either way each worker
        is joined for at most :data:`TEARDOWN_SECONDS`, then killed, so that stopping never
        hangs (``multiprocessing``'s own exit handler once did, waiting on a half-started pool)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        if terminate:
            for process in processes:
                if process.is_alive():
                    process.terminate()
        pool.shutdown(wait=not terminate, cancel_futures=True)
        for process in processes:
            process.join(TEARDOWN_SECONDS)
            if process.is_alive():
                process.kill()
                process.join(TEARDOWN_SECONDS)
        manager = getattr(pool, "_executor_manager_thread", None)
        if manager is not None:
            manager.join(TEARDOWN_SECONDS)

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(chunk)`` as chunks complete; a few chunks in flight per pool worker."""
        todo = iter(chunks)
        if self._pool is None:
            for chunk in todo:
                yield fn(chunk)
            return
        pending: set[Future[Any]] = set()
        limit = self.workers * IN_FLIGHT_PER_WORKER
        try:
            while True:
                while len(pending) < limit:
                    chunk = next(todo, _END)
                    if chunk is _END:
                        break
                    pending.add(self._pool.submit(fn, chunk))
                if not pending:
                    return
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                pending -= finished
                for future in finished:
                    yield future.result()
                del finished
        finally:
            for future in pending:
                future.cancel()
