"""The comparison map in a real browser: it draws every hotspot, flips periods, makes no request."""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/ is on sys.path (rootdir-relative import of the non-package test modules), so the
# hand-made Analysis factory is shared rather than copied.
from test_compare import MATCH_M, YARMOUTH, make_analysis, spot

from hotspots.compare import CHANGE_CLASSES, compare
from hotspots.render.compare_map import (
    CHANGE_VIEW_NAME,
    CURRENT_VIEW_NAME,
    PREVIOUS_VIEW_NAME,
    compare_map_html,
)

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__pwned=1">'
AREAS = 3


def every_class():
    """Previous: 7 hotspots; current: 7; one of each change class, one hostile id."""
    previous = make_analysis(
        [
            spot("H001", harm=20, enforcement=2),  # -> intensified (H001)
            spot("H002", 4000, harm=30, enforcement=20),  # -> resolved
            spot("H003", -2500, harm=12, enforcement=1, radius=800),  # -> split (H003, H004)
            spot("H005", 0, 2500, harm=4, enforcement=4),  # \ -> merged (H006)
            spot("H006", 800, 2500, harm=4, enforcement=4),  # /
            spot("H007", 8000, harm=40, enforcement=30, area=YARMOUTH),  # -> diminished
            spot("H008", 4000, 3000, harm=6, enforcement=1),  # -> persistent
        ],
        period="2025Q1",
    )
    current = make_analysis(
        [
            spot("H001", harm=45, enforcement=30),
            spot("H003", -3000, harm=5, enforcement=4),
            spot("H004", -2000, harm=6, enforcement=0),
            spot("H006", 400, 2500, harm=9, enforcement=1, radius=600),
            spot("H007", 8000, harm=12, enforcement=12, area=YARMOUTH),
            spot("H008", 4000, 3000, harm=7, enforcement=5),
            spot(HOSTILE, 0, -3000, harm=5, enforcement=0),  # -> new
        ],
        period="2025Q2",
    )
    return previous, current


def write_page(tmp_path: Path) -> tuple[Path, object]:
    previous, current = every_class()
    result = compare(previous, current, match_distance_m=MATCH_M)
    page = compare_map_html(
        result, previous, current, marking="official-sensitive", title="Norfolk: Q2 against Q1"
    )
    path = tmp_path / "compare.html"
    path.write_text(page, encoding="utf-8")
    return path, result


def test_compare_map_draws_offline_and_flips_periods(open_page, tmp_path):
    path, result = write_page(tmp_path)
    assert {k for k, v in result.class_counts.items() if v} == set(CHANGE_CLASSES)
    view = open_page(path)
    page = view.page
    hotspots = page.locator(".leaflet-overlay-pane path")

    assert page.locator(".leaflet-areas-pane path").count() == AREAS
    assert hotspots.count() == 7 + 1  # current hotspots by change + one resolved outline
    labels = [
        t.strip() for t in page.locator(".leaflet-control-layers-base label").all_inner_texts()
    ]
    assert labels == [CHANGE_VIEW_NAME, PREVIOUS_VIEW_NAME, CURRENT_VIEW_NAME]
    entries = page.locator("#hs-legend ul").first.locator("li").all_inner_texts()
    assert [e.strip() for e in entries] == [
        f"{c} ({result.class_counts[c]})" + (", previous period's outline" if c == "resolved" else "")
        for c in CHANGE_CLASSES
    ]
    assert page.locator(".hs-marking").all_inner_texts() == ["OFFICIAL-SENSITIVE"] * 2
    view.screenshot("compare_map_change_view")

    page.get_by_label(PREVIOUS_VIEW_NAME).check()
    assert hotspots.count() == 7
    view.screenshot("compare_map_previous_period")
    page.get_by_label(CURRENT_VIEW_NAME).check()
    assert hotspots.count() == 7
    assert page.locator(".leaflet-areas-pane path").count() == AREAS

    assert view.console_errors == []
    assert view.failed_requests == []
    assert view.blocked_requests == []


def test_compare_map_tooltip_shows_hostile_id_as_text(open_page, tmp_path):
    path, _result = write_page(tmp_path)
    view = open_page(path)
    page = view.page

    # Current hotspots are drawn in hotspot_id order, and "<" sorts before "H". Zoom to it
    # from the ranked list first: at county zoom its symbol covers the footprint.
    rows = page.locator("#hs-rank-table tbody tr")
    for k in range(rows.count()):
        if HOSTILE in rows.nth(k).get_attribute("aria-label"):
            rows.nth(k).click()
    page.locator(".leaflet-overlay-pane path").first.hover()
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    text = tooltip.inner_text()

    assert HOSTILE in text
    assert "new" in text
    assert page.locator(".leaflet-tooltip img").count() == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    view.screenshot("compare_map_hostile_tooltip")
    assert view.console_errors == []
