"""Where the chunks of a batch run: one interface (:mod:`.base`), a local pool
(:mod:`.local`) and a Dask cluster (:mod:`.dask`, optional extra ``distributed``)."""

from crisis_sim.batch.engines.base import (
    Engine,
    EngineError,
    default_workers,
    engine_names,
    make_engine,
    register_engine,
)

__all__ = ["Engine", "EngineError", "default_workers", "engine_names", "make_engine", "register_engine"]
