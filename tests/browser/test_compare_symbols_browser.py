"""The comparison page's hotspot symbols and ranked list (issue 20, item 2), in Chromium offline."""

from __future__ import annotations

import itertools

import pytest

from browser.test_compare_browser import HOSTILE, write_page
from hotspots.compare import PERIOD_CURRENT
from hotspots.render.compare_map import PREVIOUS_VIEW_NAME, SYMBOL_CLASSES

pytestmark = pytest.mark.browser


def boxes(page) -> list[dict[str, float]]:
    return [page.locator(".hs-sym").nth(k).bounding_box() for k in range(page.locator(".hs-sym").count())]


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
    )


def map_name(page) -> str:
    return page.evaluate("document.querySelector('.folium-map').id")


def test_symbols_show_every_current_hotspot_and_never_overlap(open_page, tmp_path):
    path, result = write_page(tmp_path)
    view = open_page(path)
    page = view.page
    current = result.hotspots[result.hotspots["period"] == PERIOD_CURRENT]
    name = map_name(page)
    for zoom in (9, 11, 13):  # county, district, town
        page.evaluate(f"{name}.setZoom({zoom}, {{animate: false}})")
        page.wait_for_timeout(150)
        placed = boxes(page)
        assert placed, f"no symbol at zoom {zoom}"
        for a, b in itertools.combinations(placed, 2):
            assert not overlap(a, b), f"symbols overlap at zoom {zoom}: {a} {b}"
    # At county zoom every current hotspot is a symbol or inside a group's count.
    page.evaluate(f"{name}.fitBounds({name}.getBounds(), {{animate: false}})")
    page.evaluate(f"{name}.setZoom(9, {{animate: false}})")
    page.wait_for_timeout(150)
    texts = page.locator(".hs-sym").all_inner_texts()
    shown = sum(1 + int(t.split("+")[1]) if "+" in t else 1 for t in texts)
    assert shown == len(current) == 7
    # Coloured by change class, from the palette: the "new" (hostile id) hotspot's colour.
    new = next(k for k, c in enumerate(SYMBOL_CLASSES) if c.name == "new")
    assert page.locator(f".hs-sym.hs-c{new}").count() >= 1 or "+" in "".join(texts)
    view.screenshot("compare_symbols_county")
    assert view.console_errors == [] and view.blocked_requests == []


def test_panel_rows_zoom_to_the_hotspot_from_the_keyboard(open_page, tmp_path):
    path, _result = write_page(tmp_path)
    view = open_page(path)
    page = view.page
    name = map_name(page)
    rows = page.locator("#hs-rank-table tbody tr")
    assert rows.count() == 7
    heads = page.locator("#hs-rank-table th").all_inner_texts()
    assert heads[-1] == "Change" and "Months" not in heads
    assert [rows.nth(k).inner_text().split("\t")[0] for k in range(7)] == [
        str(k) for k in range(1, 8)
    ]
    assert "new" in " ".join(rows.all_inner_texts())
    before = page.evaluate(f"{name}.getZoom()")
    rows.first.focus()
    page.keyboard.press("Enter")
    first = page.evaluate(f"{name}.getCenter()")
    assert page.evaluate(f"{name}.getZoom()") > before
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "hs-row"
    page.keyboard.press(" ")
    assert page.evaluate(f"{name}.getCenter()") != first
    # Every row's label names the hotspot; the hostile id stays text.
    labels = [rows.nth(k).get_attribute("aria-label") for k in range(7)]
    assert any(HOSTILE in label for label in labels)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # The symbols belong to the change view: the period views hide them, the list stays.
    page.get_by_label(PREVIOUS_VIEW_NAME).check()
    assert page.locator(".hs-sym").count() == 0
    assert rows.count() == 7
    view.screenshot("compare_panel_keyboard")
    assert view.console_errors == []


def test_compare_phone_does_not_scroll_sideways(open_page, tmp_path):
    path, _result = write_page(tmp_path)
    view = open_page(path)
    page = view.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload(wait_until="load")
    page.locator("#hs-panel .hs-toggle").click()
    page.wait_for_timeout(100)
    assert page.locator("#hs-rank-table").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    view.screenshot("compare_phone_panel")
