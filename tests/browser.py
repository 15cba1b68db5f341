"""Headless Chromium for tests that look at the pages the way a visitor does.

Registered from ``tests/conftest.py`` with ``pytest_plugins = ["browser"]`` (pytest puts
``tests/`` on ``sys.path`` because it has no ``__init__.py``); test modules import the
helpers with ``from browser import shot``.

The browser is Debian's ``/usr/bin/chromium``: Playwright never downloads one. Without it the
browser tests are skipped, except with ``REQUIRE_SERVICES=1`` (CI), where they fail.

Every page the ``browser_page`` fixture hands out is watched: a JavaScript error, a console
message of type "error", or a request to any host other than this machine fails the test.
The hall runs on a closed network, so a page that reaches for a CDN or a remote font is a
bug, not a detail.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    # The network is closed: without these Chromium keeps trying to reach Google's services.
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LANDSCAPE = {"width": 1920, "height": 1080}   # the kiosk's touch screen, lying
PORTRAIT = {"width": 1080, "height": 1920}    # and standing
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# Any network address but this machine's. A pattern, not a Python function, so that Playwright's
# driver matches it by itself: with a function every request of the page would wait for the
# test's thread, and a test that sleeps would stop the page's traffic.
OFF_MACHINE = re.compile(r"^(?!(https?|wss?)://(127\.0\.0\.1|localhost|\[::1\])[:/])(https?|wss?)://")
# Not requests to anywhere: the page's own inline data, blobs and the like.
_NOT_NETWORK = ("data:", "blob:", "about:", "chrome:", "chrome-extension:", "devtools:")


def leaves_machine(url: str) -> bool:
    """A request over the network to another host (not the page's inline data, nor the
    browser's own resources such as its PDF viewer)."""
    return not url.startswith(_NOT_NETWORK) and urlsplit(url).hostname not in LOCAL_HOSTS


@dataclass
class PageLog:
    """What a page did besides drawing itself: errors and every request it sent."""

    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def external(self) -> list[str]:
        return [url for url in self.requests if leaves_machine(url)]

    def problems(self) -> list[str]:
        return ([f"browser error: {e}" for e in self.errors]
                + [f"request off this machine: {u}" for u in self.external()])

    def assert_clean(self) -> None:
        """Fail now (rather than at teardown) if anything went wrong so far."""
        found = self.problems()
        assert not found, "\n".join(found)


def watch(page, log: PageLog) -> None:
    """Record a page's JavaScript errors, console errors and requests into ``log``."""
    page.on("pageerror", lambda error: log.errors.append(f"{error.name}: {error.message}"))
    page.on("console", lambda message: message.type == "error" and log.errors.append(
        f"console: {message.text} ({message.location.get('url', '')})"))
    page.on("request", lambda request: log.requests.append(request.url))


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Save a PNG of ``page`` as ``test-artifacts/screenshots/<name>.png``; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# The errors by which the Playwright driver (a Node process between pytest and Chromium) says
# it died. It did once in CI, mid-test, and every browser test after it errored; a dead driver
# is not a finding about the product, so the browser is started again and the test run once
# more (tests/conftest.py marks browser tests ``flaky`` for these errors only).
DRIVER_DIED = ("Playwright connection closed", "Browser has been closed",
               "Target page, context or browser has been closed", "Connection closed")


class Chromium:
    """The shared Chromium, started again (with a new driver) when the last one died.

    Tests use it as a ``playwright`` ``Browser``: every attribute is the live browser's."""

    def __init__(self) -> None:
        self._playwright = None
        self._browser = None

    def _live(self):
        if self._browser is None or not self._browser.is_connected():
            self.restart()
        return self._browser

    def restart(self) -> None:
        from playwright.sync_api import sync_playwright

        self.close()
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(executable_path=CHROMIUM,
                                                         args=CHROMIUM_ARGS)

    def new_context(self, **options):
        try:
            return self._live().new_context(**options)
        except Exception as error:  # playwright's Error, or the driver's EOF
            if not any(words in str(error) for words in DRIVER_DIED):
                raise
            self.restart()
            return self._browser.new_context(**options)

    def __getattr__(self, name: str):
        return getattr(self._live(), name)

    def close(self) -> None:
        # Each step may fail when the driver is already gone; neither failure matters then.
        for stop in (getattr(self._browser, "close", None),
                     getattr(self._playwright, "stop", None)):
            if stop is not None:
                try:
                    stop()
                except Exception:
                    pass
        self._browser = self._playwright = None


@pytest.fixture(scope="session")
def chromium():
    """One Chromium for the whole run (starting it costs about a second)."""
    if not os.access(CHROMIUM, os.X_OK):
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message + " (REQUIRE_SERVICES=1)")
        pytest.skip(message)
    browser = Chromium()
    browser.restart()
    yield browser
    browser.close()


@pytest.fixture
def page_log() -> PageLog:
    """The record of the ``browser_page`` fixture's page, for tests that look at it."""
    return PageLog()


@pytest.fixture
def browser_page(chromium, page_log):
    """A fresh page (own cookies, 1920×1080 touch screen, Chinese) in the shared Chromium.

    Requests to other hosts are recorded and aborted (never left to time out); at the end of
    the test any JavaScript error, console error or such request fails it."""
    context = chromium.new_context(viewport=LANDSCAPE, has_touch=True, locale="zh-CN",
                                   timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    context.route(OFF_MACHINE, lambda route: route.abort("blockedbyclient"))
    watched: list = []

    def watch_once(page) -> None:
        if not any(page is seen for seen in watched):
            watched.append(page)
            watch(page, page_log)

    # Pages opened from this one (a link with a target, window.open) are watched as well.
    context.on("page", watch_once)
    page = context.new_page()
    watch_once(page)
    yield page
    context.close()
    found = page_log.problems()
    if found:
        pytest.fail("the page was not clean:\n" + "\n".join(found), pytrace=False)
