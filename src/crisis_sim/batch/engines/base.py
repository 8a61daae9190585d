"""Engines: where the chunks of a batch are computed.

An engine has one job: given a function and an iterable of chunks, compute
``fn(chunk)`` for each and yield the results as they complete, in any order.
Seeds and chunk boundaries are fixed before anything reaches an engine
(:func:`crisis_sim.batch.plan.plan_batch`), so the tables never depend on which engine ran them, how many
workers it had, or in which order chunks finished.

Engines are context managers (start workers on entry, stop them on exit) and
are made by name with :func:`make_engine`; :func:`register_engine` adds one
(a cluster engine, say) without touching this module's callers::

    with make_engine("local", workers=4) as engine:
        for result in engine.map_chunks(run_chunk, tasks):
            ...

``fn`` and the chunks must be picklable (``fn`` a module-level function), so
that every engine can ship them to another process or machine.
"""

from __future__ import annotations

import importlib
import inspect
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")

class EngineError(Exception):
    """An engine cannot start: an unknown name, a missing extra, an unreachable scheduler.

    Raise it from the factory or from ``__enter__``; ``run_batch`` reports it
    as bad input (one line, exit 2) before the batch folder is touched.
    """


class Engine(Protocol):
    """What the batch layer needs from an engine."""

    name: str
    workers: int

    def map_chunks(self, fn: Callable[[T], R], chunks: Iterable[T]) -> Iterator[R]:
        """Yield ``fn(chunk)`` for every chunk, as each completes (any order)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


def default_workers() -> int:
    """The number of CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


PRELOAD = ("crisis_sim.batch.chunks", "crisis_sim.runs.single_run", "crisis_sim.batch.folder",
           "pyarrow.parquet")
"""Modules a worker imports as it starts: what computing a chunk needs."""


EngineFactory = Callable[..., Engine]

_ENGINES: dict[str, EngineFactory | str] = {
    "local": "crisis_sim.batch.engines.local:LocalEngine",
    "dask": "crisis_sim.batch.engines.dask:DaskEngine",
}
"""Engines by name: a factory, or ``"module:attribute"`` imported only when the
engine is asked for (the Dask engine's extra is optional)."""


def register_engine(name: str, factory: EngineFactory) -> None:
    """Make an engine available by name (``factory(workers=...)`` must return an :class:`Engine`)."""
    _ENGINES[name] = factory


def engine_names() -> list[str]:
    return sorted(_ENGINES)


def _factory(name: str) -> EngineFactory:
    factory = _ENGINES[name]
    if isinstance(factory, str):
        module, _, attribute = factory.partition(":")
        factory = _ENGINES[name] = getattr(importlib.import_module(module), attribute)
    return factory


def make_engine(name: str, workers: int | None = None, **options: Any) -> Engine:
    """The engine called ``name`` with ``workers`` workers (None: one per CPU).

    ``options`` go to the engine's factory (the Dask engine takes ``scheduler``).
    Raises :class:`EngineError` for an unknown name, a bad worker count or an
    option the engine does not take.
    """
    if name not in _ENGINES:
        raise EngineError(f"unknown engine '{name}'; engines: {', '.join(engine_names())}")
    factory = _factory(name)
    try:
        inspect.signature(factory).bind(workers=workers, **options)
    except TypeError:
        raise EngineError(f"engine '{name}' does not take {', '.join(options)}") from None
    return factory(workers=workers, **options)
