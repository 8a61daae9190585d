"""The dashboard in a real browser with no internet, on a 1280×720 projector.

``crisis-sim dashboard`` is started as a subprocess on a free loopback port,
and headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright's
Python package) opens it with a fresh profile at 1280×720, a classroom
projector's resolution. Every request to a host other than the loopback server
is logged and refused, so the test proves the page needs nothing from the
internet; a failed local request (an asset solara would have to fetch from its
CDN) fails the test too.

The classroom page is checked as a class sees it: no Mesa developer control,
every panel inside the window and none overlapping another (bounding boxes
from the page), the charts drawn at about the size they are shown (so their
text is as large as intended), every control's name at least 16 px, the slider
values written on the page without any focus, plain words in the status, the
story showing at least four whole entries, newest first, at 1280×720 and at
1920×1080, the status dating a decision as the story does, ▶ (not ❚❚) once
playing reaches the end, "To the end" and the play speed, and no warning in
the server's output. ``--developer`` still serves Mesa's page.

Waits are for conditions (a text, a new chart image, an enabled button), never
for a fixed time, so that the test holds on a loaded machine.

Skipped, with the reason, only when Chromium or the ``viz`` extra (with
Playwright) is not installed; ``.ci/run`` installs Chromium and ``make test``
the extras. Screenshots are saved in the test's ``tmp_path``; the README's
picture, ``docs/img/dashboard.png``, is taken by ``scripts/write_dashboard_screenshot.py``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

import crisis_sim
from conftest import load_script
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
VIEWPORT = {"width": 1280, "height": 720}
LARGE_VIEWPORT = {"width": 1920, "height": 1080}
MIN_STORY_ENTRIES = 4
"""The story panel shows at least this many whole entries (when there are as many)."""
MIN_LABEL_PX = 16
"""No control's name is written smaller than this (CSS pixels), so that it reads from the back."""
MIN_CHART_SCALE = 0.8
"""A chart may be shrunk to fit its panel by at most this much, or its text gets too small to read."""
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


SERVER = load_script("write_dashboard_screenshot")
"""Starts the dashboard as the README's screenshot is taken (:func:`serving`)."""


@contextmanager
def _serving(folder: Path, *extra: str):
    """``crisis-sim dashboard`` of the crisis_sim this test imported (whatever the working directory),
    on a free loopback port: yields (url, server log)."""
    log = folder / "server.log"
    source = Path(crisis_sim.__file__).resolve().parents[1]
    try:
        # the readiness probe loads the page once, as a browser would
        with SERVER.serving("--host", "127.0.0.1", *extra, cwd=folder, log=log, source=source) as url:
            yield url, log
    except SERVER.DashboardNotServingError as exc:
        pytest.fail(f"{exc}:\n{log.read_text()}")


@contextmanager
def _browser(tmp_path: Path):
    """A page of headless Chromium at 1280×720; yields (page, external requests, failed requests)."""
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
            viewport=VIEWPORT,
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(UI_TIMEOUT_MS)
            page.route("**/*", only_loopback)
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.on("requestfailed", lambda r: failed.append(f"failed {r.url}"))
            yield page, external, failed
        finally:
            browser.close()


PANELS = {
    "controls": ".crisis-controls",
    "status": ".crisis-status",
    "events": ".crisis-events",
    "escalation chart": ".crisis-escalation",
    "costs chart": ".crisis-costs",
}


def _boxes(page) -> dict[str, dict]:
    return {name: page.locator(selector).bounding_box() for name, selector in PANELS.items()}


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] - 0.5
        and b["x"] < a["x"] + a["width"] - 0.5
        and a["y"] < b["y"] + b["height"] - 0.5
        and b["y"] < a["y"] + a["height"] - 0.5
    )


def _check_layout(page) -> None:
    """Every panel inside the 1280×720 window, no two overlapping, the page not scrolling, charts legible."""
    boxes = _boxes(page)
    for name, box in boxes.items():
        assert box is not None, f"{name} is not on the page"
        assert box["x"] >= 0 and box["y"] >= 0, (name, box)
        assert box["x"] + box["width"] <= VIEWPORT["width"] + 0.5, (name, box)
        assert box["y"] + box["height"] <= VIEWPORT["height"] + 0.5, (name, box)
        assert box["width"] > 150 and box["height"] > 90, (name, box)
    names = list(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert not _overlap(boxes[a], boxes[b]), f"{a} {boxes[a]} overlaps {b} {boxes[b]}"
    scroll = page.evaluate(
        "() => [document.scrollingElement.scrollWidth, document.scrollingElement.scrollHeight]"
    )
    assert scroll[0] <= VIEWPORT["width"] and scroll[1] <= VIEWPORT["height"], scroll
    for selector in (".crisis-escalation img", ".crisis-costs img"):
        scale = page.locator(selector).evaluate(
            "img => Math.min(img.clientWidth / img.naturalWidth, img.clientHeight / img.naturalHeight)"
        )
        assert scale >= MIN_CHART_SCALE, f"{selector} is shown at {scale:.2f} of its drawn size"
    assert page.get_by_text("runs on Solara").count() == 0  # solara's banner, pinned over a corner


def _new_chart(page, selector: str, before: str) -> str:
    """Wait until the chart's image is not ``before`` any more (each redraw is a new blob URL)."""
    page.wait_for_function(
        "([sel, old]) => { const i = document.querySelector(sel); "
        "return i && i.complete && i.naturalWidth > 0 && i.src !== old; }",
        arg=[selector, before],
    )
    return page.locator(selector).get_attribute("src")


def _small_control_texts(page) -> list[str]:
    """Every text in the control column drawn under :data:`MIN_LABEL_PX`, with its size.

    Reads each visible element that holds text of its own: its computed font size
    and the height of its box, which a CSS transform (Vuetify shrinks a selector's
    label with one) makes smaller than the font size says.
    """
    return page.evaluate(
        """([minPx]) => {
            const small = [];
            for (const el of document.querySelectorAll('.crisis-controls *')) {
                const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim());
                if (!own.length || el.offsetParent === null) continue;
                const size = parseFloat(getComputedStyle(el).fontSize);
                const range = document.createRange();
                range.selectNodeContents(own[0]);
                const height = range.getBoundingClientRect().height;
                if (size < minPx || (height > 0 && height < minPx)) {
                    small.push(`${own[0].textContent.trim()}: ${size}px, ${height.toFixed(1)}px high`);
                }
            }
            return small;
        }""",
        [MIN_LABEL_PX],
    )


def _story_entries(page) -> dict:
    """The story panel's entries: their texts, and how many lie wholly in its visible part."""
    return page.locator(".crisis-events").evaluate(
        """panel => {
            const box = panel.getBoundingClientRect();
            const top = box.top + panel.clientTop, bottom = top + panel.clientHeight;
            const items = [...panel.querySelectorAll('li')];
            const whole = items.filter(li => {
                const r = li.getBoundingClientRect();
                return r.top >= top - 0.5 && r.bottom <= bottom + 0.5;
            });
            return {texts: items.map(li => li.innerText), whole: whole.length,
                    scrolls: getComputedStyle(panel).overflowY, window: innerHeight};
        }"""
    )


def _check_story(page) -> dict:
    """At least four whole entries in view, newest first, each a full sentence; the panel scrolls."""
    story = _story_entries(page)
    texts = story["texts"]
    assert len(texts) >= MIN_STORY_ENTRIES, texts
    assert story["whole"] >= MIN_STORY_ENTRIES, f"{story['whole']} whole entries at {story['window']} px high"
    assert story["scrolls"] in ("auto", "scroll"), story["scrolls"]
    rounds = [int(re.match(r"round (\d+)", t)[1]) for t in texts]
    assert rounds == sorted(rounds, reverse=True), rounds
    for text in texts:
        assert text.rstrip().endswith((".", ")")), text  # never cut mid-sentence
        assert not re.search(r"\bpts\b|P\(", text), text  # the reasoning in words
    return story


def test_classroom_page_at_1280x720(tmp_path) -> None:
    with (
        _serving(
            tmp_path,
        ) as (url, log),
        _browser(tmp_path) as (page, external, failed),
    ):
        # the page loads, with only the teacher's controls
        page.goto(url)
        page.locator(".crisis-round", has_text="Round 0 of 240").wait_for()
        assert "the crisis opens" in page.locator(".crisis-round").inner_text()
        chart = ".crisis-escalation img"
        page.locator(chart).wait_for()
        page.wait_for_function("s => document.querySelector(s).naturalWidth > 0", arg=chart)
        text = page.locator("body").inner_text()
        for developer_control in ("Play Interval", "Render Interval", "Use Threads", "PAGE 0", "Time:"):
            assert developer_control not in text
        assert "standoff so far" not in text
        for name in ("Scenario", "Target exposure", "Audience costs", "Target resolve", "Decision noise"):
            assert name in text
        assert "Policy of United States" in text and "Policy of Colombia" in text
        assert _small_control_texts(page) == []
        _check_layout(page)
        page.screenshot(path=str(tmp_path / "classroom-1280x720-round0.png"))

        # slider values are written on the page, with no control focused
        assert page.evaluate("() => document.activeElement === document.body")
        values = page.locator(".crisis-value")
        assert values.count() == 6  # five teaching sliders and the play speed
        assert page.locator(".crisis-control-speed .crisis-value").inner_text() == "2.5 rounds/s"
        exposure = page.locator(".crisis-control-exposure .crisis-value")
        assert exposure.is_visible() and exposure.inner_text() == "× 1.00"
        assert page.locator(".crisis-control-seed .crisis-value").inner_text() == "0"

        # a slider moves: Colombia's exports to the US, × 1 → × 0.5; the value stays shown after blur
        slider = page.locator(".crisis-control-exposure").get_by_role("slider")
        slider.focus()
        for _ in range(10):
            page.keyboard.press("ArrowLeft")
        slider.evaluate("element => element.blur()")
        page.locator(".crisis-control-exposure .crisis-value", has_text="× 0.50").wait_for()
        assert page.evaluate("() => document.activeElement === document.body")
        assert exposure.is_visible()
        page.get_by_text("Changed: press Reset to apply").wait_for()
        page.get_by_role("button", name="Reset").click()
        page.locator(".crisis-command", has_text="--set trade.0.usd_bn=7.15").wait_for()
        assert page.get_by_text("Changed: press Reset to apply").count() == 0

        # steps happen and the chart changes; the log speaks plain words
        before = page.locator(chart).get_attribute("src")  # round 0 looks the same at × 0.5
        for round_ in range(1, 5):
            page.get_by_role("button", name="Step").click()
            page.get_by_text(f"Round {round_} of 240").wait_for()
        after = _new_chart(page, chart, before)
        assert after != before
        page.locator(".crisis-events li").first.wait_for()
        log_text = page.locator(".crisis-events").inner_text()
        assert "terms=" not in log_text and "propose_terms" not in log_text
        assert "Colombia" in log_text
        _check_layout(page)
        shot = tmp_path / "classroom-1280x720-round4.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000

        # play runs round after round until paused
        page.get_by_role("button", name="▶").click()
        page.get_by_text("Round 6 of 240").wait_for()
        page.get_by_role("button", name="❚❚").click()
        page.get_by_role("button", name="▶").wait_for()
        assert page.get_by_role("button", name="Step").is_enabled()

        # "To the end" plays every round left; the story then shows four whole entries at least,
        # at 1280×720 and at 1920×1080, and the status dates the decision as the story does
        page.get_by_role("button", name="To the end").click()
        page.get_by_text("settled: the run stops here").wait_for()
        assert page.get_by_role("button", name="▶").is_disabled()
        assert page.get_by_role("button", name="To the end").is_disabled()
        story = _check_story(page)
        status = page.locator(".crisis-status").inner_text()
        decided = re.search(r"decided in round (\d+), ([\d.]+) h, (\w+ \d\d:\d\d)", status)
        assert decided, status
        assert any(
            t.startswith(f"round {decided[1]} · {decided[2]} h · {decided[3]}") for t in story["texts"]
        )
        _check_layout(page)
        page.screenshot(path=str(tmp_path / "classroom-1280x720-end.png"))
        page.set_viewport_size(LARGE_VIEWPORT)
        page.wait_for_function("() => innerHeight === 1080")
        _check_story(page)
        page.screenshot(path=str(tmp_path / "classroom-1920x1080-end.png"))
        page.set_viewport_size(VIEWPORT)
        page.wait_for_function("() => innerHeight === 720")

        # another bundled scenario (one that settles in three rounds), on Reset
        page.locator(".crisis-select-scenario_name").click()
        page.get_by_role("option", name="chicken_audience_costs").click()
        page.get_by_role("button", name="Reset").click()
        page.locator(".crisis-command", has_text="run chicken_audience_costs --seed 0").wait_for()
        page.get_by_text("Round 0 of 120").wait_for()

        # played at the fastest speed to the end, the button shows ▶ (greyed), not ❚❚
        speed = page.locator(".crisis-control-speed").get_by_role("slider")
        speed.focus()
        page.keyboard.press("End")
        speed.evaluate("element => element.blur()")
        page.locator(".crisis-control-speed .crisis-value", has_text="25 rounds/s").wait_for()
        page.get_by_role("button", name="▶").click()
        page.get_by_text("settled: the run stops here").wait_for()
        play = page.get_by_role("button", name="▶")
        play.wait_for()
        assert page.get_by_role("button", name="❚❚").count() == 0
        assert play.is_disabled()
        assert page.get_by_role("button", name="Step").is_disabled()
        _check_layout(page)
        page.screenshot(path=str(tmp_path / "classroom-1280x720-chicken.png"))

        server_output = log.read_text().splitlines()
    assert external == [], f"the page asked for external hosts: {external}"
    assert failed == [], f"requests failed: {failed}"
    # the teacher's terminal: the address, solara's start line, nothing else (no warning)
    assert len(server_output) == 2, server_output
    assert server_output[0].startswith("Dashboard: http://127.0.0.1:")
    assert server_output[1].startswith("Solara server is starting")


def test_developer_page_keeps_mesas_controls(tmp_path) -> None:
    with _serving(tmp_path, "--developer") as (url, _log), _browser(tmp_path) as (page, external, _failed):
        page.goto(url)
        page.get_by_text("Play Interval (ms)").wait_for()
        page.get_by_text("Round 0 of 240").wait_for()
        assert page.get_by_role("button", name="Step").is_enabled()
    assert external == []
