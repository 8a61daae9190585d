"""The bundled scenario files: installed as the data package ``crisis_sim.bundled``
(see ``pyproject.toml``) and read with ``importlib.resources``."""
