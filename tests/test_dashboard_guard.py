"""The classroom server is safe to share: choices come from the list the page offered, and a
server reachable from the network serves only requests that carry its token.

A forged selection goes through the class SolaraViz rebuilds the model with
on Reset (``type(model)(**controls)``), and through the classroom page as
solara renders it, the forged value arriving as a widget state update, as a
websocket message would bring it; the token is checked on a real server
started in a subprocess (``crisis-sim dashboard --host 0.0.0.0``).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from crisis_sim.teach.dashboard.guard import COOKIE, ChoiceError, TokenGuard, is_loopback


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4") and not is_loopback("example.org")


def test_a_forged_scenario_path_is_refused_and_never_read(tmp_path: Path, monkeypatch) -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard import app as page

    elsewhere = tmp_path / "secret.yaml"
    elsewhere.write_text(yaml.safe_dump({"name": "secret", "password": "hunter2"}))
    read: list[str] = []
    original = page.DashboardModel.__init__

    def spy(self, scenario_name="us_colombia_2025", **kwargs):
        read.append(scenario_name)
        original(self, scenario_name, **kwargs)

    monkeypatch.setattr(page.DashboardModel, "__init__", spy)
    model_class = page.classroom_model("us_colombia_2025")
    for forged in (str(elsewhere), "/dev/zero", "../scenarios/us_colombia_2025.yaml", ["us_colombia_2025"]):
        with pytest.raises(ChoiceError, match=r"scenario_name: .* is not one of the choices offered"):
            model_class(scenario_name=forged)
    with pytest.raises(ChoiceError, match=r"exposure: 1000000\.0 is outside 0\.1 to 2\.0"):
        model_class(exposure=1e6)
    with pytest.raises(ChoiceError, match="target_policy: 'no_such' is not one of the choices offered"):
        model_class(target_policy="no_such")
    assert read == []  # nothing was loaded for any forged value
    model = model_class(scenario_name="turn_the_screw_ultimatum", seed=2)  # an offered choice works
    assert model.scenario_spec.name and read == ["turn_the_screw_ultimatum"]


def test_a_forged_selection_sent_to_the_rendered_page_is_refused(tmp_path: Path, monkeypatch) -> None:
    """The page as solara renders it (solara.render, Solara's harness for testing without a browser).

    A browser's change reaches a widget as a comm "update" message, which
    ipywidgets applies with ``set_state``: here a forged one puts a path in
    the scenario selector and a value far outside the exposure slider, then
    Reset is clicked. The page shows one line, keeps its model, and reads
    nothing.
    """
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    import ipyvuetify as v
    import solara

    from crisis_sim.teach.dashboard import app as page

    elsewhere = tmp_path / "secret.yaml"
    elsewhere.write_text(yaml.safe_dump({"name": "secret", "password": "hunter2"}))
    built: list[str] = []
    original = page.DashboardModel.__init__

    def spy(self, scenario_name="us_colombia_2025", **kwargs):
        built.append(scenario_name)
        original(self, scenario_name, **kwargs)

    monkeypatch.setattr(page.DashboardModel, "__init__", spy)
    monkeypatch.delenv("CRISIS_SIM_DASHBOARD_MODE", raising=False)
    monkeypatch.delenv("CRISIS_SIM_DASHBOARD_SCENARIO", raising=False)
    _, rc = solara.render(page.Page(), handle_error=False)
    assert built == ["us_colombia_2025"]

    def scenario_selector():
        return rc.find(v.Select, class_="crisis-select-scenario_name").widget

    def exposure_slider():
        return rc.find(v.Slider, min=0.1, max=2.0).widget

    def forged(control, value) -> list[str]:
        control().set_state({"v_model": value})  # what a websocket "update" message does
        rc.find(v.Btn, children=["Reset"]).widget.click()
        return [str(alert.children[0]) for alert in rc.find(v.Alert).widgets]

    assert forged(scenario_selector, str(elsewhere)) == [  # a forged value is echoed to 80 characters
        f"scenario_name: {str(elsewhere)[:80]!r} is not one of the choices offered"
    ]
    assert forged(scenario_selector, "/dev/zero") == [
        "scenario_name: '/dev/zero' is not one of the choices offered"
    ]
    scenario_selector().set_state({"v_model": "us_colombia_2025"})
    assert forged(exposure_slider, 1e6) == ["exposure: 1000000.0 is outside 0.1 to 2.0"]
    assert built == ["us_colombia_2025"]  # nothing else was built, so nothing was read
    assert "US–Colombia" in rc.find(attributes={"class": "crisis-status"}).widget.unsafe_innerHTML

    exposure_slider().set_state({"v_model": 1.5})  # an offered value is applied
    rc.find(v.Btn, children=["Reset"]).widget.click()
    assert rc.find(v.Alert).widgets == [] and built == ["us_colombia_2025", "us_colombia_2025"]


def test_the_teachers_own_file_stays_a_choice(small_file: Path) -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.app import classroom_model

    model = classroom_model(str(small_file))(scenario_name=str(small_file))
    assert model.scenario_name == str(small_file)


def _call(guard: TokenGuard, scope: dict) -> list[dict]:
    sent: list[dict] = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})

    async def send(message):
        sent.append(message)

    guard.app = app
    asyncio.run(guard(scope, None, send))
    return sent


def test_the_guard_wants_the_token_in_the_query_or_its_cookie() -> None:
    guard = TokenGuard(None, token="s3cret")
    base = {"type": "http", "headers": [], "query_string": b""}
    assert _call(guard, base)[0]["status"] == 403
    assert _call(guard, base | {"query_string": b"token=wrong"})[0]["status"] == 403
    ok = _call(guard, base | {"query_string": b"token=s3cret"})[0]
    assert ok["status"] == 200
    assert (b"set-cookie", f"{COOKIE}=s3cret; Path=/; HttpOnly; SameSite=Strict".encode()) in ok["headers"]
    cookie = [(b"cookie", f"other=1; {COOKIE}=s3cret".encode())]
    assert _call(guard, base | {"headers": cookie})[0]["status"] == 200
    socket_scope = {"type": "websocket", "headers": [], "query_string": b""}
    assert _call(guard, socket_scope) == [{"type": "websocket.close", "code": 1008}]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _status(url: str, headers: dict[str, str] | None = None) -> tuple[int, list[str]]:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as r:
                return r.status, r.headers.get_all("set-cookie") or []
        except urllib.error.HTTPError as exc:
            return exc.code, []
        except (ConnectionError, urllib.error.URLError):
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.1)


def test_a_server_bound_beyond_loopback_warns_and_refuses_requests_without_its_token() -> None:
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "crisis_sim",
            "dashboard",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--no-open",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    try:
        line = server.stdout.readline()
        token = re.search(r"\?token=([\w-]+)", line)
        assert token, line
        base = f"http://127.0.0.1:{port}/"
        assert _status(base)[0] == 403
        assert _status(base + "?token=" + token.group(1)[:-1])[0] == 403
        status, cookies = _status(base + "?token=" + token.group(1))
        assert status == 200
        mine = next(c.split(";")[0] for c in cookies if c.startswith(COOKIE))
        assert _status(base, {"Cookie": mine})[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert "warning: --host 0.0.0.0 lets other machines connect" in server.stderr.read()


def test_a_loopback_server_answers_only_its_own_names_and_serves_only_installed_assets() -> None:
    """DNS rebinding: a page whose name resolves to 127.0.0.1 sends its own name as Host and gets
    421. The CDN path serves the installed solara-assets files and nothing else: a package that is
    not installed is 404, never fetched from the internet, and nothing is written."""
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    import solara.server.settings as solara_settings

    cdn = solara_settings.assets.proxy_cache_dir
    before = sorted(str(p) for p in cdn.rglob("*"))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "crisis_sim", "dashboard", "--port", str(port), "--no-open"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert _status(base + "/")[0] == 200
        assert _status(base + "/", {"Host": f"localhost:{port}"})[0] == 200
        assert _status(base + "/", {"Host": f"attacker.example:{port}"})[0] == 421
        assert _status(base + "/", {"Host": "127.0.0.1:1"})[0] == 421
        installed = next(p for p in cdn.rglob("*.js") if p.is_file()).relative_to(cdn)
        assert _status(f"{base}/_solara/cdn/{installed.as_posix()}")[0] == 200
        for missing in ("left-pad@1.3.0/index.js", "vega@5.21.0/build/not-there.js", "evil@9.9.9"):
            assert _status(f"{base}/_solara/cdn/{missing}")[0] == 404, missing
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert sorted(str(p) for p in cdn.rglob("*")) == before


def test_the_cdn_lookup_is_the_installed_files_only(tmp_path: Path) -> None:
    """Offline, solara's own lookup also answers 404 (its fetch fails), so the swap itself is
    checked: after the doors are put up, the route's lookup is ``installed_file``, which never
    leaves the folder and never fetches."""
    pytest.importorskip("solara", reason="the viz extra is not installed (pip install -e '.[viz]')")
    from crisis_sim.teach.dashboard.guard import installed_file

    (tmp_path / "cdn" / "pkg@1.0").mkdir(parents=True)
    (tmp_path / "cdn" / "pkg@1.0" / "a.js").write_text("ok")
    (tmp_path / "secret.txt").write_text("no")
    assert installed_file(tmp_path / "cdn", "pkg@1.0/a.js").read_text() == "ok"
    for path in ("pkg@1.0/b.js", "other@2.0/a.js", "pkg@1.0/../../secret.txt", "pkg@1.0"):
        with pytest.raises(FileNotFoundError):
            installed_file(tmp_path / "cdn", path)
    code = (
        "from crisis_sim.cli.dashboard import _guard\n"
        "_guard(None, '127.0.0.1', 8765)\n"
        "import solara.server.starlette as s\n"
        "from crisis_sim.teach.dashboard.guard import installed_file\n"
        "print(s.get_path is installed_file, [m.cls.__name__ for m in s.app.user_middleware])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split(" ", 1)[0] == "True" and "HostGuard" in done.stdout, done.stdout
