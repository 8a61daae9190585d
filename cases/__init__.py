"""The back-test's real cases: installed as the data package ``crisis_sim.cases``
(see ``pyproject.toml``) and read with ``importlib.resources``, so that
``crisis-sim backtest`` with no folder works from a wheel."""
