"""Fixtures that open generated HTML in headless system Chromium with the network cut off.

Pages must work offline, so every request that is not ``file:`` or ``data:`` is aborted and
recorded, and Chromium's own resolver is pointed at nothing as a second guard. Playwright drives
Debian's Chromium (``/usr/bin/chromium``, or ``$HOTSPOTS_CHROMIUM``) because ``playwright install``
cannot download browsers here. Without it the tests skip, unless ``HOTSPOTS_REQUIRE_BROWSER=1``
(set by CI), where a missing browser must not pass as a green run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Request, Route

CHROMIUM = Path(os.environ.get("HOTSPOTS_CHROMIUM", "/usr/bin/chromium"))
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 800}

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Passed as one argv item, so no shell quotes around the rule. The loopback address is
    # excluded so the service's tests can reach their own server on 127.0.0.1; every page's
    # requests other than file:/data: (or, for the service, its own origin) are still aborted.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]

_LOCAL_SCHEMES = ("file:", "data:")


def _unavailable(reason: str) -> NoReturn:
    """Skip, or fail when the environment promises a browser (CI)."""
    if os.environ.get("HOTSPOTS_REQUIRE_BROWSER") == "1":
        pytest.fail(
            f"HOTSPOTS_REQUIRE_BROWSER=1 but the browser tests cannot run: {reason}",
            pytrace=False,
        )
    pytest.skip(reason)


@dataclass
class OpenedPage:
    """A page opened by `open_page`, with everything that went wrong while it loaded.

    Attributes
    ----------
    page
        The Playwright page.
    console_errors
        Console messages of type ``error`` and uncaught page errors (including CSP refusals).
    failed_requests
        ``"url (reason)"`` of requests that failed for reasons other than the offline block,
        e.g. a missing local file.
    blocked_requests
        URLs the offline block aborted: anything not ``file:`` or ``data:``.
    """

    page: Page
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    blocked_requests: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        """Save a PNG of the viewport to ``test-artifacts/screenshots/<name>.png``.

        Parameters
        ----------
        name
            File stem; characters other than letters, digits, ``.``, ``_`` and ``-`` become
            ``_``.

        Returns
        -------
        Path
            Where the PNG was written.
        """
        stem = re.sub(r"[^\w.-]", "_", name.removesuffix(".png"))
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{stem}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch headless system Chromium once per test session."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        _unavailable(f"playwright is not installed ({exc}); pip install 'hotspots[test]'")
    if not CHROMIUM.is_file():
        _unavailable(f"no Chromium at {CHROMIUM}; apt-get install chromium")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
            )
        except PlaywrightError as exc:
            # The binary is there but does not start: a broken setup, never a reason to skip.
            pytest.fail(f"Chromium at {CHROMIUM} did not start: {exc}", pytrace=False)
        yield launched
        launched.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[Path], OpenedPage]]:
    """Open local HTML files offline; each call gets a fresh context, closed after the test.

    Call it with a path: ``view = open_page(tmp_path / "map.html")``. It returns once the
    ``load`` event has fired, with an `OpenedPage` that keeps collecting errors and requests.
    """
    contexts: list[Any] = []

    def open_(path: Path) -> OpenedPage:
        context = browser.new_context(viewport=VIEWPORT, service_workers="block")
        contexts.append(context)
        page = context.new_page()
        opened = OpenedPage(page=page)

        def block_network(route: Route) -> None:
            url = route.request.url
            if url.startswith(_LOCAL_SCHEMES):
                route.continue_()
            else:
                opened.blocked_requests.append(url)
                route.abort("blockedbyclient")

        def record_failure(request: Request) -> None:
            if request.url not in opened.blocked_requests:
                opened.failed_requests.append(f"{request.url} ({request.failure})")

        page.route("**/*", block_network)
        page.on("requestfailed", record_failure)
        page.on(
            "console",
            lambda message: (
                opened.console_errors.append(f"{message.text} @ {message.location}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: opened.console_errors.append(f"pageerror: {error}"))
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        return opened

    yield open_
    for context in contexts:
        context.close()
