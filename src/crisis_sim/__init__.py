"""crisis_sim: an agent-based simulation of diplomatic crises, built on Mesa.

The founding case is the US–Colombia deportation-flight crisis of 26 January
2025. Data flows one way: scenario file → validated :class:`Scenario` →
:class:`CrisisModel` rounds → trajectories and outcome → run files and plots.

Heavy modules (mesa, pandas, matplotlib) are imported lazily so that the
command line answers quickly.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
