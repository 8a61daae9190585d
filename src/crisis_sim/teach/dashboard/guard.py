"""A shared dashboard's door: a token for every page load and websocket, and the choices it offered.

``crisis-sim dashboard --host`` with an address other than loopback lets any
machine of the network in. The server then asks for a token, as Jupyter
does: the URL it prints carries ``?token=...``; a request with the right
token gets a cookie (``HttpOnly``, ``SameSite=Strict``) that lets the page's
later requests and its websocket in, and anything else is refused with 403.
:class:`TokenGuard` is a plain ASGI middleware, added to solara's Starlette
app before the server starts.

The model a browser asks for is built only from choices the page offered
(:func:`check_controls`): a scenario name sent by a forged client is never
read as a path.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, Mapping, Sequence
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

COOKIE = "crisis_sim_dashboard_token"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class TokenGuard:
    """ASGI middleware: let in requests carrying ``token`` (query ``?token=`` or cookie), 403 the rest."""

    def __init__(self, app: Callable[..., Awaitable[None]], token: str):
        self.app = app
        self.token = token

    def _presented(self, scope: Scope) -> tuple[bool, bool]:
        """(allowed, from the query string)."""
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        for value in query.get("token", []):
            if hmac.compare_digest(value.encode(), self.token.encode()):
                return True, True
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header: treated as none
                    continue
                morsel = cookie.get(COOKIE)
                if morsel is not None and hmac.compare_digest(morsel.value.encode(), self.token.encode()):
                    return True, False
        return False, False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        allowed, from_query = self._presented(scope)
        if not allowed:
            body = b"403 Forbidden: open the URL with ?token=... that crisis-sim dashboard printed\n"
            await _refuse(scope, send, 403, body)
            return
        if not from_query or scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = f"{COOKIE}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode()

        async def send_with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = dict(message, headers=[*message.get("headers", []), (b"set-cookie", cookie)])
            await send(message)

        await self.app(scope, receive, send_with_cookie)


WILDCARDS = ("0.0.0.0", "::", "")
"""Addresses that listen on every interface: the names a browser may use for them are not known."""


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` header values a server listening on ``host``:``port`` answers (lower case), or
    None for a wildcard address (any name; the token guards it).

    A loopback server answers only to the loopback names (``localhost``,
    ``127.0.0.1``, ``[::1]``) on its port; a server on one address only to that
    address. A page on another site whose name an attacker points at
    127.0.0.1 (DNS rebinding) sends its own name as ``Host`` and is refused.
    """
    if host in WILDCARDS:
        return None
    names = {host.lower()}
    if is_loopback(host):
        names |= {"localhost", "127.0.0.1", "::1"}
    allowed = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        allowed.add(f"{shown}:{port}")
        if port == 80:
            allowed.add(shown)
    return frozenset(allowed)


async def _refuse(scope: Scope, send: Send, status: int, body: bytes) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    """ASGI middleware: serve only requests whose ``Host`` header names the served address
    (:func:`allowed_hosts`); 421 Misdirected Request for the rest."""

    def __init__(self, app: Callable[..., Awaitable[None]], allowed: frozenset[str]):
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            headers = scope.get("headers", [])
            host = next((v.decode("latin-1").lower() for k, v in headers if k == b"host"), "")
            if host not in self.allowed:
                await _refuse(scope, send, 421, b"421 Misdirected Request: not this server's address\n")
                return
        await self.app(scope, receive, send)


def installed_file(base_cache_dir: Path, path: str) -> Path:
    """The file ``path`` of the installed front-end assets under ``base_cache_dir``; FileNotFoundError
    if it is not there. Stands in for solara's ``cdn_helper.get_path`` (hence its parameters' names),
    which fetches any missing ``<pkg>@<ver>/<file>`` from a public CDN and stores it under
    ``base_cache_dir``: the dashboard serves what is installed (the ``solara-assets`` package) and
    nothing else, and writes nothing."""
    root = Path(base_cache_dir).resolve()
    parts = path.replace("\\", "/").split("/")
    stored = path if len(parts) != 1 else f"{path}/__main.js"
    candidate = (root / stored).resolve()
    if root not in candidate.parents or not candidate.is_file():
        raise FileNotFoundError(path)
    return candidate


class ChoiceError(ValueError):
    """A control value the dashboard did not offer."""


def check_controls(offered: Mapping[str, Mapping[str, Any]], values: Mapping[str, Any]) -> None:
    """Raise :class:`ChoiceError` unless every value is one the page offered.

    ``offered`` maps a control to ``{"values": [...]}`` (a selector) or
    ``{"min": lo, "max": hi}`` (a slider). A value of a control that is not
    offered, a selector value not in its list (a path sent in place of a
    bundled scenario's name), or a number outside its slider is refused.
    """
    for name, value in values.items():
        spec = offered.get(name)
        if spec is None:
            raise ChoiceError(f"{name}: not a control of this dashboard")
        choices: Sequence[Any] | None = spec.get("values")
        if choices is not None:
            if not isinstance(value, str) or value not in choices:
                raise ChoiceError(f"{name}: {str(value)[:80]!r} is not one of the choices offered")
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ChoiceError(f"{name}: must be a number, got {str(value)[:80]!r}")
        if not spec["min"] <= value <= spec["max"]:
            raise ChoiceError(f"{name}: {value} is outside {spec['min']} to {spec['max']}")
