"""The Dask engine: chunks of a batch computed on a Dask distributed cluster.

With a scheduler address (``tcp://host:8786``) it joins an existing cluster;
without one it starts a :class:`distributed.LocalCluster` of worker
processes on this machine. Either way it does what every engine does
(:mod:`crisis_sim.batch.engines.local`): compute ``fn(chunk)`` for each chunk and yield the
results as they complete. Seeds and chunk boundaries are fixed before the
chunks reach it, so the tables equal those of the local engine.

Only a bounded window of chunks is in flight at a time, and each result is
released by the client as soon as the batch layer has written it to disk:
results stream through the client and are never gathered in its memory. A
chunk whose worker dies is recomputed elsewhere (``retries``); a chunk is
deterministic, so recomputing it gives the same rows.

Requires the ``distributed`` extra: ``pip install -e '.[distributed]'``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Self, TypeVar

from crisis_sim.batch.engines.base import EngineError

T = TypeVar("T")
R = TypeVar("R")

IN_FLIGHT_PER_WORKER = 3
"""Tasks queued ahead per worker thread: keeps workers busy, bounds client memory."""

RUNS_PER_TASK = 200
"""Consecutive chunks are sent together until a task holds about this many runs,
so that Dask's per-task cost (scheduling, a round trip) stays small beside the work.
Chunks stay the unit of results and of files: the tables do not change."""

RETRIES = 3
"""Times a chunk is retried when its worker is lost (killed, out of memory)."""

CONNECT_TIMEOUT = "3s"

LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
}
"""A LocalCluster started here leaves out Dask's sampling profiler and checks its
event loops (default: every 20 ms) and its processes' load (every 0.5 s)
less often: on a machine whose every core runs a worker, each of those wakes
a thread that takes the CPU, and the interpreter lock, from the model."""


class DaskEngine:
    """Run chunks on a Dask cluster (an existing one, or a LocalCluster started here)."""

    name = "dask"

    @property
    def shares_files(self) -> bool:
        """A LocalCluster started here sees the batch folder, so its workers write their
        own chunks; workers of a remote cluster send the tables back to the client."""
        return self.scheduler is None

    def __init__(self, workers: int | None = None, *, scheduler: str | None = None):
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise EngineError(
                "the dask engine needs the distributed extra: pip install -e '.[distributed]'"
            ) from None
        if workers is not None and workers < 1:
            raise EngineError(f"workers must be at least 1, got {workers}")
        self.requested_workers = workers
        self.scheduler = scheduler
        self.workers = workers or 0
        self._cluster: Any = None
        self._client: Any = None

    def __enter__(self) -> Self:
        import dask
        from distributed import Client

        from crisis_sim.batch.engines.base import default_workers

        if self.scheduler:
            try:
                self._client = Client(self.scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
            except (OSError, TimeoutError, ValueError) as exc:
                raise EngineError(
                    f"cannot reach the Dask scheduler at {self.scheduler}: {_first_line(exc)}"
                ) from None
        else:
            n = self.requested_workers or default_workers()
            try:
                with dask.config.set(LOCAL_CLUSTER_CONFIG):
                    self._cluster = self._start_local_cluster(n)
            except (OSError, RuntimeError) as exc:
                raise EngineError(f"cannot start a local Dask cluster: {_first_line(exc)}") from None
            self._client = Client(self._cluster, set_as_default=False)
        self._client.run(_warm_up)
        threads = sum(self._client.nthreads().values())
        self.workers = threads or self.requested_workers or 1
        return self

    @staticmethod
    def _start_local_cluster(n: int) -> Any:
        from distributed import LocalCluster

        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # any free port: never clash with a running cluster
            silence_logs=logging.ERROR,
        )

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(chunk)`` as chunks complete; a bounded window in flight."""
        from distributed import as_completed

        if self._client is None:
            raise RuntimeError("use the engine as a context manager")
        client = self._client
        limit = max(1, self.workers * IN_FLIGHT_PER_WORKER)
        todo = _grouped(iter(chunks))

        def submit(group: list[T]):
            return client.submit(_run_group, fn, group, pure=False, retries=RETRIES)

        first = [submit(group) for group in islice(todo, limit)]
        if not first:
            return
        window = as_completed(first, loop=client.loop)
        try:
            for future in window:
                results = future.result()
                future.release()
                nxt = next(todo, None)
                if nxt is not None:
                    window.add(submit(nxt))
                yield from results
        finally:
            window.clear()


def _warm_up() -> None:
    """Import the model in each worker once, before any chunk arrives.

    Then leave everything imported so far (the model, Dask, pandas: a few
    hundred thousand objects that live as long as the worker) out of the
    garbage collector's full passes, which would otherwise walk all of them
    again and again while the runs create and drop their objects.
    """
    import gc
    import importlib

    from crisis_sim.batch.engines.base import PRELOAD

    for module in PRELOAD:
        importlib.import_module(module)
    gc.freeze()


def _run_group[T, R](fn: Callable[[T], R], group: list[T]) -> list[R]:
    """Compute a group of chunks on a worker (module level, so Dask can ship it)."""
    return [fn(chunk) for chunk in group]


def _grouped[T](chunks: Iterator[T]) -> Iterator[list[T]]:
    """Consecutive chunks in groups of about :data:`RUNS_PER_TASK` runs."""
    first = next(chunks, None)
    if first is None:
        return
    runs = getattr(first, "stop", 1) - getattr(first, "start", 0)
    size = max(1, RUNS_PER_TASK // max(1, runs))
    yield [first, *islice(chunks, size - 1)]
    while group := list(islice(chunks, size)):
        yield group


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
