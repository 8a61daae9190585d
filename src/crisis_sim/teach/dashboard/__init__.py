"""The classroom dashboard: a Mesa SolaraViz app over :class:`~crisis_sim.core.model.CrisisModel`.

* :mod:`.model` — :class:`DashboardModel`, the crisis model built from a bundled
  scenario and a few slider values (needs only the core dependencies);
* :mod:`.components` — the charts, the event log and the status card (solara);
* :mod:`.classroom` — the classroom page, the default;
* :mod:`.app` — the page that ``crisis-sim dashboard`` serves (classroom or developer).

The dashboard's own dependencies sit behind the ``viz`` extra
(``pip install -e '.[viz]'``). They are pinned to releases that serve every
front-end file from the Python packages themselves, so that the page works in a
classroom with no internet; charts use Mesa's matplotlib backend, not altair,
whose charts load vega from a CDN.
"""

SCENARIO_ENV = "CRISIS_SIM_DASHBOARD_SCENARIO"
"""Environment variable naming the scenario the dashboard opens with (a bundled name or a path)."""
MODE_ENV = "CRISIS_SIM_DASHBOARD_MODE"
"""Environment variable choosing the page: ``developer`` for Mesa's SolaraViz, else the classroom page."""
DEVELOPER = "developer"
