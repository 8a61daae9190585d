"""Batches: many seeded runs over a sweep grid, written as Parquet chunk by chunk.

* :mod:`.api` — :func:`run_batch` and :func:`load_batch`, the plan of points, seeds and chunks;
* :mod:`.chunks` — one chunk in a worker: run its models, build its two tables;
* :mod:`.folder` — batch folders: atomic writes, the manifest, resume checks;
* :mod:`.engines` — where chunks run (a local pool, a Dask cluster), behind one interface;
* :mod:`.progress` — the progress bar.
"""

from crisis_sim.batch.api import BatchResult, load_batch, run_batch
from crisis_sim.batch.folder import BatchError

__all__ = ["BatchError", "BatchResult", "load_batch", "run_batch"]
