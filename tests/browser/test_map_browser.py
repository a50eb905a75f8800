"""The coverage map in headless Chromium, offline: it draws, explains itself and runs no injection."""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/ is on sys.path (pytest puts the rootdir of the `browser` package there), so the unit
# tests' hand-made analysis is shared rather than copied.
from test_map_render import HOSTILE_ATTR, HOSTILE_SCRIPT, POINTS, make_analysis

from hotspots.params import PresentationParams
from hotspots.render.map import map_html

pytestmark = pytest.mark.browser

HOSTILE = HOSTILE_ATTR  # '"><img src=x onerror="window.__pwned=1">'
HOTSPOT_PATHS = ".leaflet-overlay-pane path.hotspots-footprint"


def write(page: str, tmp_path: Path, name: str = "map.html") -> Path:
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    return path


def assert_clean(view) -> None:
    assert view.console_errors == []
    assert view.failed_requests == []
    assert view.blocked_requests == []


def hover_tooltip(page, selector: str) -> str:
    page.locator(selector).first.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    return tooltip.inner_text()


def test_map_draws_every_layer_offline(open_page, tmp_path):
    analysis = make_analysis()
    view = open_page(write(map_html(analysis, PresentationParams(run_date="2024-10-02")), tmp_path))
    page = view.page

    assert page.locator(HOTSPOT_PATHS).count() == len(analysis.hotspots) == 2
    assert page.locator(f'{HOTSPOT_PATHS}[fill="#D55E00"]').count() == 1  # the thin one
    assert page.locator(".leaflet-overlay-pane path.hotspots-area").count() == 2
    assert page.locator(".leaflet-overlay-pane path.hotspots-cluster").count() == 1
    assert page.locator(".hs-sym").all_inner_texts() == ["1", "2"]
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        "Districts: harm in thin hotspots",
        "District names",
        "Place names",  # the bundled places near Norwich (hotspots.places)
        "Enforcement clusters",
        "Hotspots",
    ]
    assert page.locator("#hs-legend .hs-entry").count() == 7
    assert page.locator(".hs-area-label").all_inner_texts() == ["Norwich", "Broadland"]
    assert page.locator(".leaflet-tile").count() == 0
    assert (
        "Office for National Statistics"
        in page.locator(".leaflet-control-attribution").inner_text()
    )
    # The header sits above the map, not over it.
    top = page.locator("#hs-marking-top").bounding_box()
    header = page.locator("#hs-header").bounding_box()
    footer = page.locator("#hs-marking-bottom").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert top["y"] == 0 and header["y"] >= top["height"] - 1
    assert map_box["y"] >= header["y"] + header["height"] - 1
    assert map_box["height"] > 400
    assert footer["y"] >= map_box["y"] + map_box["height"] - 1
    assert footer["y"] + footer["height"] <= 800
    assert page.locator(".hs-marking").all_inner_texts() == ["OFFICIAL-SENSITIVE"] * 2
    assert "Produced: 2024-10-02" in page.locator("#hs-header").inner_text()

    # The ranked panel: rank 1 first; its row zooms the map to the footprint.
    rows = page.locator("#hs-rank-table tbody tr")
    assert rows.count() == 2
    assert rows.first.inner_text().split("\t")[:3] == ["1", "TG 2300 0850", "Norwich"]
    zoom = page.evaluate("document.querySelector('.folium-map').id")
    before = page.evaluate(f"{zoom}.getZoom()")
    rows.first.click()
    assert page.evaluate(f"{zoom}.getZoom()") >= max(before + 2, 12)
    thin = page.locator(f'{HOTSPOT_PATHS}[fill="#D55E00"]')
    assert thin.get_attribute("stroke-width") == "2"
    text = hover_tooltip(page, f'{HOTSPOT_PATHS}[fill="#D55E00"]')
    for expected in ("H001", "thin", "Norwich (E07000148)", "raid 1", "0.25", "37"):
        assert expected in text
    assert thin.get_attribute("stroke-width") == "4"  # the hovered footprint stands out
    page.mouse.move(1, 1)
    page.wait_for_function(
        "document.querySelector('path.hotspots-footprint[fill=\"#D55E00\"]').getAttribute('stroke-width') === '2'"
    )
    # Tooltips are opaque: nothing underneath shows through.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.leaflet-tooltip')).opacity"
    ) == "1"
    view.screenshot("map_sample")
    assert_clean(view)


def test_hostile_values_show_as_text_and_run_nothing(open_page, tmp_path):
    analysis = make_analysis(
        area_names=(HOSTILE, HOSTILE_SCRIPT),
        hotspot_ids=(HOSTILE, "H002"),
        extra_type=HOSTILE_SCRIPT,
        period_label=HOSTILE_SCRIPT,
    )
    page_html = map_html(analysis, PresentationParams(marking=HOSTILE), title=HOSTILE)
    view = open_page(write(page_html, tmp_path))
    page = view.page

    assert page.locator("#hs-header h1").inner_text() == HOSTILE
    assert HOSTILE_SCRIPT in page.locator("#hs-header").inner_text()
    assert page.locator(".hs-marking").first.inner_text() == HOSTILE.upper()
    assert HOSTILE in page.locator("#hs-rank-table").inner_text()  # the id, as text
    page.locator("#hs-rank-table tbody tr").first.click()  # town zoom: footprints in view
    text = hover_tooltip(page, f'{HOTSPOT_PATHS}[fill="#D55E00"]')
    assert HOSTILE in text
    assert f"{HOSTILE_SCRIPT} 0" in text  # the configured type's count
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == page_html.count("<script>")  # none injected
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    view.screenshot("map_hostile_tooltip")
    assert_clean(view)


def test_points_on_canvas_keep_hotspot_tooltips_working(open_page, tmp_path):
    view = open_page(write(map_html(make_analysis(), POINTS), tmp_path))
    page = view.page

    assert page.locator(".leaflet-hotspotsEvents-pane canvas").count() == 1
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels][-2:] == ["Harm events", "Enforcement events"]
    assert page.locator("#hs-legend .hs-entry").count() == 9
    page.locator("#hs-rank-table tbody tr").nth(1).click()
    assert "H002" in hover_tooltip(page, f'{HOTSPOT_PATHS}[fill="#0072B2"]')
    view.screenshot("map_points")
    assert_clean(view)


def test_aggregated_grid_is_announced(open_page, tmp_path):
    page_html = map_html(make_analysis(extra_events=30), POINTS, point_limit=20)
    view = open_page(write(page_html, tmp_path))
    page = view.page

    assert "event points aggregated" in page.locator("#hs-header").inner_text()
    assert page.locator(".leaflet-hotspotsEvents-pane canvas").count() == 1
    assert page.locator(HOTSPOT_PATHS).count() == 2
    assert_clean(view)


def test_osm_tiles_are_the_only_request(open_page, tmp_path):
    view = open_page(write(map_html(make_analysis(), PresentationParams(tiles="osm")), tmp_path))
    view.page.wait_for_timeout(200)

    assert view.page.locator(".leaflet-tile").count() > 0
    assert view.blocked_requests
    assert all(url.startswith("https://tile.openstreetmap.org/") for url in view.blocked_requests)
    assert "OpenStreetMap" in view.page.locator(".leaflet-control-attribution").inner_text()
    assert view.failed_requests == []
