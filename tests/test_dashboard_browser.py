"""The dashboard in a real browser with no internet: it loads, a slider moves, steps change the chart.

``crisis-sim dashboard`` is started as a subprocess on a free loopback port,
and headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright's
Python package) opens it with a fresh profile. Every request to a host other
than the loopback server is logged and refused, so the test proves the page
needs nothing from the internet; a failed local request (an asset solara would
have to fetch from its CDN) fails the test too. The test then plays and
pauses, and switches to another bundled scenario.

Skipped, with the reason, only when Chromium or the ``viz`` extra (with
Playwright) is not installed; ``.ci/run`` installs Chromium and ``make test``
the extras. The screenshot after four rounds is saved in the test's ``tmp_path``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from crisis_sim.cli.dashboard import missing_viz_modules

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
START_TIMEOUT_S = 45
UI_TIMEOUT_MS = 20_000

if missing_viz_modules():
    pytest.skip(
        f"the viz extra is not installed (missing {', '.join(missing_viz_modules())}): "
        "pip install -e '.[viz]'",
        allow_module_level=True,
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'"
)
if not CHROMIUM.exists():
    pytest.skip(
        f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the dashboard exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"the dashboard did not answer at {url} within {START_TIMEOUT_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def dashboard_url(tmp_path_factory):
    """``crisis-sim dashboard`` serving on a free loopback port for this module's tests."""
    folder = tmp_path_factory.mktemp("dashboard")
    port = _free_port()
    log = folder / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "crisis_sim", "dashboard", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-open"]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=folder, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_dashboard_offline_slider_step_and_chart(dashboard_url, tmp_path) -> None:
    external: list[str] = []
    failed: list[str] = []

    def only_loopback(route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            external.append(url)
            route.abort()

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1600, "height": 1100},
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.route("**/*", only_loopback)
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))

            # the page loads
            page.goto(dashboard_url)
            page.get_by_text("Round 0 of 240").wait_for()
            assert page.get_by_text("crisis-sim dashboard").first.is_visible()
            chart = page.locator(".crisis-escalation img")
            chart.wait_for()

            # a slider moves: Colombia's exports to the US, × 1 → × 0.5
            slider = page.locator(".v-input", has_text="Target exposure").get_by_role("slider")
            assert slider.get_attribute("aria-valuenow") == "1"
            slider.focus()
            for _ in range(10):
                page.keyboard.press("ArrowLeft")
            assert slider.get_attribute("aria-valuenow") == "0.5"
            page.get_by_role("button", name="Reset").click()
            page.locator(".crisis-command", has_text="--set trade.0.usd_bn=7.15").wait_for()

            # steps happen and the chart changes
            before = chart.screenshot()
            for round_ in range(1, 5):
                page.get_by_role("button", name="Step").click()
                page.get_by_text(f"Round {round_} of 240").wait_for()
            page.get_by_text("Time: 4.0").wait_for()
            page.locator(".crisis-events li").first.wait_for()
            page.wait_for_timeout(300)  # let the last image arrive
            after = chart.screenshot()
            assert before != after
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot))
            assert shot.stat().st_size > 10_000

            # play runs round after round until paused
            page.get_by_role("button", name="▶").click()
            page.get_by_text("Round 6 of 240").wait_for()
            page.get_by_role("button", name="❚❚").click()
            page.get_by_role("button", name="▶").wait_for()
            assert page.get_by_role("button", name="Step").is_enabled()
            page.wait_for_timeout(1000)  # a step already under way when paused finishes first

            # another bundled scenario, on Reset, keeping the slider's setting
            scenario_label = page.locator("label", has_text=re.compile("^Scenario$"))
            page.locator(".v-input__slot", has=scenario_label).click()
            page.get_by_role("option", name="us_colombia_2025_firm").click()
            page.get_by_role("button", name="Reset").click()
            page.locator(
                ".crisis-command", has_text="run us_colombia_2025_firm --seed 0 --set trade.0"
            ).wait_for()
            page.get_by_text("Round 0 of").wait_for()

        finally:
            browser.close()

    assert external == [], f"the page asked for external hosts: {external}"
    assert failed == [], f"requests failed: {failed}"
