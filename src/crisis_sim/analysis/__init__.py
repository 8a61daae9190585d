"""Statistics over tables: Wilson intervals and the bootstrap (:mod:`.stats`), outcome shares
and summaries per sweep point (:mod:`.summary`). Pure functions: never runs a model or an
engine, never writes a folder; the experiments built on them are :mod:`crisis_sim.experiments`."""
