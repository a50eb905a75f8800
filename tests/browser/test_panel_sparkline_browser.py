"""Monthly charts in the ranked panel's rows and in the symbols' tooltips (issue 22, item 1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_map_render import HOSTILE_SCRIPT, make_analysis

from hotspots.params import PresentationParams
from hotspots.render.map import map_html
from hotspots.timeline import Series, Timeline
from hotspots.trend import Trend

pytestmark = pytest.mark.browser

MONTHS = ("2024-04", "2024-05", "2024-06", "2024-07", "2024-08", "2024-09")
SERIES = {"H001": [0, 1, 0, 1, 2, 1], "H002": [2, 0, 1, 1, 0, 2]}


def timeline(ids=("H001", "H002")) -> Timeline:
    trend = Trend("no clear trend", None, None, 6, 4.0, None)
    return Timeline(
        months=MONTHS,
        days=(30, 31, 30, 31, 31, 30),
        period_first=3,
        hotspots={
            key: Series(np.array(values, float), np.zeros(6), trend)
            for key, values in zip(ids, SERIES.values(), strict=True)
        },
        areas={},
        area_names={},
        windows_too_long=0,
    )


def open_map(open_page, tmp_path: Path, **kwargs):
    analysis = kwargs.pop("analysis", None) or make_analysis()
    html = map_html(analysis, PresentationParams(run_date="2024-10-02"), **kwargs)
    path = tmp_path / "map.html"
    path.write_text(html, encoding="utf-8")
    return open_page(path)


@pytest.mark.parametrize("compact_above", [2000, 1], ids=["footprints", "compact"])
def test_each_panel_row_has_a_chart_that_says_its_series(open_page, tmp_path, compact_above):
    view = open_map(open_page, tmp_path, timeline=timeline(), compact_above=compact_above)
    page = view.page
    rows = page.locator("#hs-rank-table tbody tr")
    assert rows.count() == 2
    assert page.locator("#hs-rank-table th").nth(4).inner_text() == "Months"
    chart = rows.first.locator("svg.sparkline")
    expected = "Harm per month 2024-04 to 2024-09: 0, 1, 0, 1, 2, 1; trend no clear trend"
    assert chart.get_attribute("role") == "img"
    assert chart.get_attribute("aria-label").startswith(expected)
    assert chart.locator("title").text_content() == chart.get_attribute("aria-label")
    # Grey before the period (4 months: index 0..3), orange in it (3..5).
    lines = chart.locator("polyline")
    assert lines.count() == 2
    assert [len(lines.nth(k).get_attribute("points").split()) for k in (0, 1)] == [4, 3]
    # The row is a button: its own label carries the series, since its content is not read.
    assert "harm per month 2024-04 to 2024-09: 0, 1, 0, 1, 2, 1" in rows.first.get_attribute(
        "aria-label"
    )
    # The symbol's tooltip carries the chart too.
    page.locator(".hs-sym").first.hover(force=True)
    tooltip = page.locator(".leaflet-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert tooltip.locator("svg.sparkline").count() >= 1
    assert view.console_errors == [] and view.blocked_requests == []


def test_without_a_timeline_the_column_stays_empty(open_page, tmp_path):
    view = open_map(open_page, tmp_path)
    assert view.page.locator("#hs-rank-table tbody tr").count() == 2
    assert view.page.locator("#hs-rank-table svg.sparkline").count() == 0
    assert view.console_errors == []


def test_hostile_trend_text_stays_text(open_page, tmp_path):
    analysis = make_analysis(hotspot_ids=(HOSTILE_SCRIPT, "H002"))
    view = open_map(
        open_page, tmp_path, analysis=analysis, timeline=timeline((HOSTILE_SCRIPT, "H002"))
    )
    page = view.page
    assert page.locator("#hs-rank-table svg.sparkline").count() == 2
    labels = [page.locator("#hs-rank-table tbody tr").nth(k).get_attribute("aria-label")
              for k in (0, 1)]
    assert any(HOSTILE_SCRIPT in label for label in labels)  # the id, as text
    assert page.locator("script").count() == page.content().count("<script>")
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert view.console_errors == []


def test_phone_panel_with_charts_does_not_scroll_sideways(open_page, tmp_path):
    view = open_map(open_page, tmp_path, timeline=timeline())
    page = view.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload(wait_until="load")  # the panel starts closed on a phone
    assert not page.locator("#hs-rank-table").is_visible()
    page.locator("#hs-panel .hs-toggle").click()
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.locator("#hs-rank-table svg.sparkline").first.is_visible()
    view.screenshot("map_panel_sparkline_phone")
