"""The README's picture of the classroom dashboard, taken from the page a browser shows.

Starts ``crisis-sim dashboard`` on a free loopback port, opens it in headless
Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) at a
projector's 1280×720, waits until the page has drawn its first chart (a plain
screenshot of a solara page too early shows only "Loading app"), plays the
bundled scenario to the end with the page's own "To the end" button, and saves
the screenshot::

    .venv/bin/python scripts/write_dashboard_screenshot.py                 # docs/img/dashboard.png
    .venv/bin/python scripts/write_dashboard_screenshot.py --size 1920x1080 --out /tmp/big.png
    .venv/bin/python scripts/write_dashboard_screenshot.py --steps 4 --out /tmp/round4.png

It needs the ``viz`` and ``test`` extras (solara, Playwright) and Chromium
(``apt-get install chromium``); without them it says which is missing and exits 2.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS_IMAGE = ROOT / "docs" / "img" / "dashboard.png"
CHROMIUM = Path("/usr/bin/chromium")
START_TIMEOUT_S = 60
UI_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class DashboardNotServingError(RuntimeError):
    """The dashboard exited, or did not answer in time."""


def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise DashboardNotServingError(f"the dashboard exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise DashboardNotServingError(f"the dashboard did not answer at {url} within {START_TIMEOUT_S} s")


@contextmanager
def serving(*args: str, cwd: Path | None = None, log: Path | None = None,
            source: Path = ROOT / "src") -> Iterator[str]:
    """``crisis-sim dashboard ARGS`` of the package in ``source`` on a free loopback port, its output
    in ``log`` (else dropped); yields its URL once a page loads (DashboardNotServingError if never)."""
    port = _free_port()
    path = os.pathsep.join(p for p in (str(source), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}
    command = [sys.executable, "-m", "crisis_sim", "dashboard", *args, "--port", str(port), "--no-open"]
    with (log if log is not None else Path(os.devnull)).open("w") as out:
        server = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_serving(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_for_chart(page, before: str | None = None) -> None:
    """Wait until the escalation chart's image is drawn (and, given ``before``, is a new one)."""
    page.wait_for_function(
        "([old]) => { const i = document.querySelector('.crisis-escalation img'); "
        "return i && i.complete && i.naturalWidth > 0 && i.src !== old; }",
        arg=[before],
    )


def take(url: str, out: Path, width: int, height: int, steps: int | None) -> None:
    """Open the page at ``width``×``height``, play (``steps`` rounds, or to the end) and save it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.goto(url)
            page.get_by_text("Round 0 of").wait_for()
            wait_for_chart(page)
            before = page.locator(".crisis-escalation img").get_attribute("src")
            if steps is None:
                page.get_by_role("button", name="To the end").click()
                page.get_by_role("button", name="To the end").and_(page.locator("[disabled]")).wait_for()
            else:
                for round_ in range(1, steps + 1):
                    page.get_by_role("button", name="Step").click()
                    page.get_by_text(f"Round {round_} of").wait_for()
            wait_for_chart(page, before)
            page.mouse.move(0, height - 1)  # no hover highlight on a button
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out))
        finally:
            browser.close()


def missing() -> str | None:
    """What this script needs and does not find, in words; None when it has everything."""
    try:
        import playwright.sync_api  # noqa: F401
        import solara  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed: pip install -e '.[viz,test]'"
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM}: apt-get install chromium"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario", default="us_colombia_2025", help="a bundled scenario (default: %(default)s)"
    )
    parser.add_argument(
        "--size", default="1280x720", help="the browser window, WIDTHxHEIGHT (default: %(default)s)"
    )
    parser.add_argument("--steps", type=int, default=None, help="play this many rounds (default: to the end)")
    parser.add_argument(
        "--out", type=Path, default=DOCS_IMAGE, help="where to write (default: docs/img/dashboard.png)"
    )
    args = parser.parse_args(argv)
    problem = missing()
    if problem:
        print(f"write_dashboard_screenshot.py: {problem}", file=sys.stderr)
        return 2
    width, _, height = args.size.partition("x")
    try:
        with serving(args.scenario) as url:
            take(url, args.out, int(width), int(height), args.steps)
    except DashboardNotServingError as exc:
        print(f"write_dashboard_screenshot.py: {exc}", file=sys.stderr)
        return 1
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
