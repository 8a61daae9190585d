"""The model itself: types, the scenario schema, state, views, dynamics, the
rules of a round, outcomes, the collector and :class:`CrisisModel`.

Nothing here imports from outside ``core``: policies, files, batches,
analysis and the command line all sit on top of it.
"""
