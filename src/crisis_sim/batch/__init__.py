"""Batches: many seeded runs over a sweep grid, written as Parquet chunk by chunk.

* :mod:`.api` — :func:`run_batch`, and the names the rest of the program uses;
* :mod:`.plan` — the plan of points, seeds and chunks, fixed before any work;
* :mod:`.result` — :func:`load_batch`: a folder read back, its chunks checked;
* :mod:`.command` — the command line a batch records;
* :mod:`.chunks` — one chunk in a worker: run its models, build its two tables;
* :mod:`.folder` — batch folders: atomic writes, the manifest, resume checks;
* :mod:`.engines` — where chunks run (a local pool, a Dask cluster), behind one interface;
* :mod:`.progress` — the progress bar.

The names below are imported when first used (PEP 562), so that a command
that only asks :mod:`.lock` whether a folder is busy (``crisis-sim run``
does) does not load the batch machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crisis_sim.batch.api import run_batch
    from crisis_sim.batch.folder import BatchError
    from crisis_sim.batch.result import BatchResult, load_batch

__all__ = ["BatchError", "BatchResult", "load_batch", "run_batch"]

_HOMES = {"BatchResult": "result", "load_batch": "result", "run_batch": "api", "BatchError": "folder"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value
    return value
