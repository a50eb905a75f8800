"""District and place names never overlap on the page, at any zoom (issue 20, item 3)."""

from __future__ import annotations

import itertools

import pytest
from test_map_render import make_analysis

from hotspots.params import PresentationParams
from hotspots.render.map import map_html

pytestmark = pytest.mark.browser

# The drawn text's box (a Range around the text, not the wider icon) of every visible name.
VISIBLE_TEXT = """
() => [...document.querySelectorAll('.hs-area-label span, .hs-place span')]
  .filter(s => s.offsetParent !== null && getComputedStyle(s).display !== 'none')
  .map(s => { const r = document.createRange(); r.selectNodeContents(s);
              const b = r.getBoundingClientRect();
              return {text: s.textContent, x0: b.left, y0: b.top, x1: b.right, y1: b.bottom}; })
"""


def test_visible_names_never_overlap(open_page, tmp_path):
    path = tmp_path / "map.html"
    path.write_text(map_html(make_analysis(), PresentationParams()), encoding="utf-8")
    view = open_page(path)
    page = view.page
    name = page.evaluate("document.querySelector('.folium-map').id")
    seen = set()
    for zoom in (8, 9, 9.5, 10, 10.75, 11, 12, 12.25, 13, 13.5, 14, 15):  # fits by 1/4
        page.evaluate(f"{name}.setZoom({zoom}, {{animate: false}})")
        page.wait_for_timeout(100)
        assert page.evaluate(f"{name}.getZoom()") == zoom
        boxes = page.evaluate(VISIBLE_TEXT)
        seen.update(b["text"] for b in boxes)
        for a, b in itertools.combinations(boxes, 2):
            apart = a["x1"] <= b["x0"] + 0.5 or b["x1"] <= a["x0"] + 0.5 or (
                a["y1"] <= b["y0"] + 0.5 or b["y1"] <= a["y0"] + 0.5
            )
            assert apart, f"zoom {zoom}: {a['text']!r} overlaps {b['text']!r}"
    # Both district names show at some zoom, and places do too (the bundled list).
    assert {"Norwich", "Broadland"} <= seen
    assert len(seen) > 2
    # Only the names shown are in the document (a county page has hundreds of villages).
    page.evaluate(f"{name}.setZoom(9, {{animate: false}})")
    page.wait_for_timeout(100)
    assert page.locator(".hs-place-3").count() == 0
    view.screenshot("labels_no_overlap")
    assert view.console_errors == []
