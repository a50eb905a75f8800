"""Offline maps in a real browser: they draw, make no request, and show hostile text as text."""

from __future__ import annotations

from pathlib import Path

import folium
import pytest

from hotspots.render.offline import escape_text, offline_html

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def _square(lon: float, lat: float, size: float = 0.1) -> list[list[list[float]]]:
    return [
        [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    ]


def _collection(names: list[str], origin: tuple[float, float]) -> dict:
    lon, lat = origin
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": name, "events": 10 * (i + 1)},
                "geometry": {"type": "Polygon", "coordinates": _square(lon + 0.15 * i, lat)},
            }
            for i, name in enumerate(names)
        ],
    }


def build_map(hostile_name: str) -> folium.Map:
    """Two GeoJson layers (3 + 1 polygons) with tooltips, a layer control and a legend."""
    m = folium.Map(location=[53.25, -4.2], zoom_start=10, tiles=None)
    folium.GeoJson(
        _collection([hostile_name, "Ynys Môn", "Gwynedd"], (-4.45, 53.2)),
        name=escape_text("Hotspots <2024>"),
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "events"], aliases=[escape_text("Area <name>"), "Events"]
        ),
    ).add_to(m)
    folium.GeoJson(
        _collection(["Conwy"], (-3.95, 53.3)),
        name="Thin coverage",
        style_function=lambda feature: {"color": "#b30000"},
    ).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    legend = (
        '<div id="legend" style="position: fixed; bottom: 10px; left: 10px; z-index: 1000; '
        f'background: white; padding: 4px;">Legend: {escape_text(HOSTILE)}</div>'
    )
    m.get_root().html.add_child(folium.Element(legend))
    return m


def write_map(m: folium.Map, tmp_path: Path, name: str = "map.html") -> Path:
    path = tmp_path / name
    path.write_text(offline_html(m), encoding="utf-8")
    return path


def hover_first_polygon(page) -> str:
    page.locator(".leaflet-overlay-pane path").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    return tooltip.inner_text()


def test_map_draws_offline_with_no_requests(open_page, tmp_path):
    view = open_page(write_map(build_map(escape_text(HOSTILE)), tmp_path))
    page = view.page

    assert page.locator(".leaflet-overlay-pane path").count() == 4
    assert page.locator(".leaflet-control-layers").count() == 1
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [label.strip() for label in labels] == ["Hotspots <2024>", "Thin coverage"]
    assert page.locator(".leaflet-tile").count() == 0
    view.screenshot("offline_map")
    assert view.console_errors == []
    assert view.failed_requests == []
    assert view.blocked_requests == []


def test_escaped_hostile_values_show_as_text(open_page, tmp_path):
    view = open_page(write_map(build_map(escape_text(HOSTILE)), tmp_path))
    page = view.page

    assert page.locator("#legend").inner_text() == f"Legend: {HOSTILE}"
    text = hover_first_polygon(page)
    assert HOSTILE in text
    assert "Area <name>" in text
    assert page.locator(".leaflet-tooltip img, #legend img").count() == 0
    view.screenshot("offline_map_hostile_tooltip")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert view.console_errors == []
    assert view.failed_requests == []
    assert view.blocked_requests == []


def test_unescaped_tooltip_value_is_stopped_by_content_security_policy(open_page, tmp_path):
    # Documents the module docstring: folium inserts tooltip values as HTML, so the <img> is
    # really created; only the page's script-hash policy keeps its onerror handler from running.
    view = open_page(write_map(build_map(HOSTILE), tmp_path))
    page = view.page

    hover_first_polygon(page)
    assert page.locator(".leaflet-tooltip img").count() == 1
    page.wait_for_timeout(200)  # let the image fail and its handler be refused
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert any("Content Security Policy" in message for message in view.console_errors)


def test_default_marker_icon_is_inlined(open_page, tmp_path):
    m = folium.Map(location=[53.25, -4.2], zoom_start=10, tiles=None)
    folium.Marker([53.25, -4.2], tooltip=escape_text("Custody suite")).add_to(m)
    view = open_page(write_map(m, tmp_path))

    icon = view.page.locator(".leaflet-marker-icon")
    assert icon.count() == 1
    assert icon.get_attribute("src").startswith("data:image/png;base64,")
    assert view.console_errors == []
    assert view.failed_requests == []
    assert view.blocked_requests == []


def test_tile_layer_added_by_caller_is_kept(open_page, tmp_path):
    tiles = folium.TileLayer("https://tiles.invalid/{z}/{x}/{y}.png", attr="Test tiles")
    m = folium.Map(location=[53.25, -4.2], zoom_start=10, tiles=tiles)
    view = open_page(write_map(m, tmp_path))
    view.page.wait_for_timeout(200)

    assert view.page.locator(".leaflet-tile").count() > 0
    assert view.blocked_requests
    assert all(url.startswith("https://tiles.invalid/") for url in view.blocked_requests)
