"""``crisis-sim dashboard``: serve the classroom dashboard on this machine.

The dashboard (:mod:`crisis_sim.teach.dashboard`) needs the ``viz`` extra; without it the
command says how to install it and exits 2. With it, the command checks the
scenario (bad input exits 2, one line per problem, as every command does),
then runs solara's server in this process until Ctrl-C. The server fetches
nothing from the internet: no telemetry, no version check, and every file the
page needs comes from the installed packages.

On loopback (the default, 127.0.0.1) only this machine can connect. Any other
``--host`` lets the network in: the command prints a warning, makes a random
token and serves only requests that carry it (the printed URL has
``?token=...``; the browser then keeps it in a cookie), as Jupyter does:
:class:`crisis_sim.teach.dashboard.guard.TokenGuard`. Either way the server
answers only requests whose ``Host`` header names its address (unless it
listens on every address), and its CDN path serves only the installed
front-end files (docs/dashboard.md, "What the network can reach").
"""

from __future__ import annotations

import os
import secrets
import socket
import sys
import warnings
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Annotated

import typer

from crisis_sim.cli.app import _fail, app, say
from crisis_sim.cli.completion import complete_scenario

VIZ_MODULES = ("solara", "solara_assets", "ipyvuetify", "altair")
"""Importable modules the dashboard needs beyond the core dependencies."""
TESTED_SOLARA = "1.58.2"
"""The solara release whose front end is served offline by solara-assets of the same version."""
INSTALL_HINT = (
    "crisis-sim dashboard needs the optional viz extra: pip install -e '.[viz]' (or: make dashboard)"
)


def missing_viz_modules() -> list[str]:
    """The dashboard's modules that cannot be imported here (empty when the extra is installed)."""
    return [name for name in VIZ_MODULES if find_spec(name) is None]


def _free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _guard(token: str | None, host: str, port: int) -> None:
    """Put the doors in front of solara's Starlette app, before its server starts: the token check
    (``token``, beyond loopback), the ``Host`` check, and a CDN path that serves only the
    installed front-end files.

    The app is built when ``solara.server.starlette`` is imported, from the
    environment that solara's ``run`` sets (the same values are set here
    first); uvicorn then imports the same module object in this process.
    Solara's ``/_solara/cdn/<pkg>@<ver>/<file>`` route looks each file up with
    ``cdn_helper.get_path``, imported into ``solara.server.starlette``, which
    fetches a missing file from a public CDN and stores it: that name is
    pointed at :func:`~crisis_sim.teach.dashboard.guard.installed_file`.
    """
    os.environ["SOLARA_APP"] = "crisis_sim.teach.dashboard.app"
    os.environ["SERVER_NAME"] = host
    os.environ["SERVER_PORT"] = str(port)
    import solara.server.starlette as server

    from crisis_sim.teach.dashboard.guard import HostGuard, TokenGuard, allowed_hosts, installed_file

    server.get_path = installed_file
    if token is not None:
        server.app.add_middleware(TokenGuard, token=token)
    hosts = allowed_hosts(host, port)
    if hosts is not None:  # added last, so checked first
        server.app.add_middleware(HostGuard, allowed=hosts)


SAMESITE_WARNING = r"Cookies with samesite=none require https"
"""The start of the warning solara 1.58 prints on every page load over plain http from a host
other than ``localhost`` (``solara/server/starlette.py``, ``root``)."""


def _quiet_solara() -> None:
    """Settings and one warning filter so that the teacher's terminal shows only what concerns them.

    * no usage telemetry (the server must not reach the internet), and no
      "This website runs on Solara" banner, which solara pins over the bottom
      right corner of the page, on top of a chart;
    * solara's session cookie: solara asks for ``SameSite=None`` (so that a page
      embedded in another site's iframe keeps its session), which browsers
      accept only with ``Secure`` over https; over plain http it falls back to
      ``SameSite=Lax`` and warns, in twelve lines, on every first page load.
      The dashboard is opened directly, never embedded, so ``Lax`` is the
      right cookie and the fallback the wanted behaviour: that one warning
      is filtered, by its text and module, and nothing else.
    """
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ["SOLARA_THEME_SHOW_BANNER"] = "False"
    os.environ["SOLARA_THEME_TITLE"] = "crisis-sim dashboard"
    warnings.filterwarnings(
        "ignore", message=SAMESITE_WARNING, category=UserWarning, module=r"solara\.server\.starlette"
    )


def _solara_version_warning() -> str | None:
    try:
        found = version("solara")
    except PackageNotFoundError:
        return None
    if found == TESTED_SOLARA:
        return None
    return (
        f"warning: solara {found} is installed, not {TESTED_SOLARA}: "
        "the page may need internet access to load"
    )


@app.command(short_help="Serve the classroom dashboard: sliders, charts, event log.")
def dashboard(
    scenario: Annotated[
        str | None,
        typer.Argument(
            help="Scenario file, or the name of a bundled scenario, to open with. "
            "Default: the bundled us_colombia_2025.",
            show_default=False,
            metavar="SCENARIO",
            autocompletion=complete_scenario,
        ),
    ] = None,
    port: Annotated[
        int,
        typer.Option("--port", min=0, max=65535, metavar="N", help="Port to listen on; 0 picks a free one."),
    ] = 8765,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="ADDRESS",
            help="Address to listen on; 0.0.0.0 lets other machines in the classroom connect.",
        ),
    ] = "127.0.0.1",
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the page in a web browser.")
    ] = True,
    developer: Annotated[
        bool,
        typer.Option(
            "--developer",
            help="Mesa's page with its developer controls (play and render intervals, threads) "
            "instead of the classroom page.",
        ),
    ] = False,
) -> None:
    """Serve the dashboard: a Mesa SolaraViz page to step through a crisis and change its world.

    Pick a bundled scenario, move the sliders (the target's trade exposure,
    audience costs, the target's resolve, decision noise), choose each side's
    policy, then Reset, Step or play, and watch the escalation, costs,
    approval and the event log. Works with no internet. Stop with Ctrl-C.
    The page is laid out for a projector (1280×720 and up); --developer
    serves Mesa's page with its own controls instead.
    """
    if missing_viz_modules():
        _fail(INSTALL_HINT)
    from crisis_sim.scenario import DEFAULT_SCENARIO, ScenarioError
    from crisis_sim.teach.dashboard import DEVELOPER, MODE_ENV, SCENARIO_ENV
    from crisis_sim.teach.dashboard.model import DashboardModel

    name = scenario or DEFAULT_SCENARIO
    try:
        DashboardModel(scenario_name=name)  # every problem now, before the server starts
    except ScenarioError as exc:
        _fail(exc.problems)
    # set before solara is imported: it reads its settings from the environment then
    os.environ[SCENARIO_ENV] = str(Path(name).resolve()) if Path(name).exists() else name
    os.environ[MODE_ENV] = DEVELOPER if developer else "classroom"
    _quiet_solara()
    warning = _solara_version_warning()
    if warning:
        typer.echo(warning, err=True)
    try:  # an address this machine cannot listen on is bad input, said before the server starts
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        _fail(f"--host {host}: not an address to listen on ({getattr(exc, 'strerror', None) or exc})")
    if port == 0:
        port = _free_port(host)
    from crisis_sim.teach.dashboard.guard import is_loopback

    token = None if is_loopback(host) else secrets.token_urlsafe(24)
    if token is not None:
        say(
            f"warning: --host {host} lets other machines connect; only requests with the token "
            "in the URL below are served",
            err=True,
        )
    query = f"?token={token}" if token else ""
    say(f"Dashboard: http://{host}:{port}/{query}  (Ctrl-C to stop)")
    sys.stdout.flush()

    from solara.__main__ import run as solara_run

    _guard(token, host, port)

    args = [
        "crisis_sim.teach.dashboard.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--open" if open_browser else "--no-open",
    ]
    solara_run.main(args=args, prog_name="crisis-sim dashboard", standalone_mode=True)
