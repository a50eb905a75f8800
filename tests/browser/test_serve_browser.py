"""The service's index and a real map product in headless Chromium, served over loopback.

Every request not to the test server's own origin is aborted and recorded, and Chromium's
resolver maps every host to nothing (see conftest), so the pages must work with the network
blocked. The identity header is what the reverse proxy would add.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servehelp import ACCESS_TOML, NORWICH, running_server, standard_runs, write_bundle
from test_map_render import make_analysis

from browser.conftest import SCREENSHOT_DIR
from hotspots.params import PresentationParams
from hotspots.render.map import map_html

pytestmark = pytest.mark.browser
pytest.importorskip("uvicorn", reason="the service needs uvicorn (pip install 'hotspots[serve]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("serve-browser")
    runs = standard_runs(root / "runs")
    page = map_html(make_analysis(), PresentationParams(run_date="2025-10-02")).encode("utf-8")
    write_bundle(
        runs,
        "r-real",
        areas=[NORWICH],
        created="2025-12-01T06:00:00Z",
        period="2025Q4",
        products={"map": ("map", "internal", {"map.html": page})},
    )
    access = root / "ACCESS.toml"
    access.write_text(ACCESS_TOML, encoding="utf-8")
    with running_server(runs, access) as base:
        yield base


def open_served(browser, base: str, path: str, user: str = "alice"):
    context = browser.new_context(
        extra_http_headers={"X-Remote-User": user}, service_workers="block"
    )
    page = context.new_page()
    errors: list[str] = []
    blocked: list[str] = []

    def route(route) -> None:
        if route.request.url.startswith(base + "/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("blockedbyclient")

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    response = page.goto(base + path, wait_until="load")
    return context, page, response, errors, blocked


def test_index_renders_lists_and_searches_offline(browser, site):
    context, page, response, errors, blocked = open_served(browser, site, "/")
    try:
        assert response.status == 200
        rows = page.locator("tbody tr")
        assert rows.count() == 4  # r-real, r-force, r-norwich, r-yarmouth
        assert rows.first.inner_text().startswith("Norwich")  # r-real, the newest
        # The inline style applies, so the service CSP's style hash is right.
        header_bg = page.evaluate(
            "getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        assert header_bg == "rgb(29, 53, 87)"
        page.fill("#q", "great yarmouth")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        assert "q=great+yarmouth" in page.url
        assert page.locator("tbody tr").count() == 2  # r-force, r-yarmouth
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "serve-index.png"))
        assert errors == [] and blocked == []
    finally:
        context.close()


def test_map_product_draws_under_the_header_csp_offline(browser, site):
    context, page, response, errors, blocked = open_served(
        browser, site, "/b/r-real/map/map.html"
    )
    try:
        assert response.status == 200
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        # The map's scripts run under both the meta and the header policy: layers are drawn.
        page.locator(".leaflet-overlay-pane path.hotspots-footprint").first.wait_for(timeout=10000)
        assert page.locator(".leaflet-overlay-pane path.hotspots-footprint").count() == 2
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "serve-map.png"))
        assert errors == [] and blocked == []
    finally:
        context.close()


def test_partner_index_in_the_browser_shows_only_the_wide_briefing(browser, site):
    context, page, _, errors, _ = open_served(browser, site, "/", user="pat")
    try:
        assert page.locator("tbody tr").count() == 1
        assert page.locator("tbody a", has_text="Briefing (wide audience)").count() == 1
        assert page.locator("tbody a", has_text="Map").count() == 0
        assert errors == []
    finally:
        context.close()
