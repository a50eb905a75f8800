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
    assert page.locator(".hotspots-rank.leaflet-marker-icon").all_inner_texts() == ["2", "1"]
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == [
        "Districts: coverage",
        "Enforcement clusters",
        "Hotspots",
    ]
    assert page.locator("#hotspots-legend .hotspots-legend-entry").count() == 10
    assert page.locator(".leaflet-tile").count() == 0
    assert (
        "Office for National Statistics"
        in page.locator(".leaflet-control-attribution").inner_text()
    )
    # The header sits above the map, not over it.
    header = page.locator("#hotspots-header").bounding_box()
    footer = page.locator("#hotspots-footer").bounding_box()
    map_box = page.locator(".folium-map").bounding_box()
    assert header["y"] == 0 and map_box["y"] >= header["height"] - 1
    assert map_box["height"] > 400
    assert footer["y"] >= map_box["y"] + map_box["height"] - 1
    assert page.locator(".hotspots-marking").all_inner_texts() == ["OFFICIAL-SENSITIVE"] * 2

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

    assert page.locator("#hotspots-header h1").inner_text() == HOSTILE
    assert HOSTILE_SCRIPT in page.locator("#hotspots-header").inner_text()
    assert page.locator(".hotspots-marking").first.inner_text() == HOSTILE.upper()
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
    assert page.locator("#hotspots-legend .hotspots-legend-entry").count() == 12
    assert "H002" in hover_tooltip(page, f'{HOTSPOT_PATHS}[fill="#0072B2"]')
    view.screenshot("map_points")
    assert_clean(view)


def test_aggregated_grid_is_announced(open_page, tmp_path):
    page_html = map_html(make_analysis(extra_events=30), POINTS, point_limit=20)
    view = open_page(write(page_html, tmp_path))
    page = view.page

    assert "Event points aggregated" in page.locator("#hotspots-header").inner_text()
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
