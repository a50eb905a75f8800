"""The shared page frame in Chromium: print to one A4 landscape sheet, phone layout, keyboard.

Every map page is drawn in one frame (hotspots.render.page), so each check runs on the coverage
map and on the comparison map.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_compare import hostile_pair, render
from test_map_render import make_analysis

from hotspots.params import PresentationParams
from hotspots.render.map import map_html

pytestmark = pytest.mark.browser

A4_LANDSCAPE_PT = (841.89, 595.28)
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
MARKING = "OFFICIAL-SENSITIVE"


def map_page() -> str:
    return map_html(make_analysis(), PresentationParams(run_date="2024-10-02"), title="Norfolk Q3")


def compare_page() -> str:
    return render(*hostile_pair(), run_date="2025-07-01")


PAGES = {"map": map_page, "compare": compare_page}


@pytest.fixture
def open_at(browser, tmp_path) -> Iterator[Callable[[str, dict], object]]:
    """Open a page (by name) offline at a viewport; yields the Playwright page."""
    contexts = []

    def open_(name: str, viewport: dict):
        path = tmp_path / f"{name}.html"
        path.write_text(EVERY_PAGE[name](), encoding="utf-8")
        context = browser.new_context(viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:"))
                else route.abort("blockedbyclient")
            ),
        )
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        page.errors = errors
        return page

    yield open_
    for context in contexts:
        context.close()


def _map_id(page) -> str:
    return page.evaluate("document.querySelector('.folium-map').id")


def printed_sheet_text(page, path: Path) -> str:
    """Print to PDF (kept at ``path``), check it is one A4 landscape sheet, return its text."""
    pypdf = pytest.importorskip("pypdf")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    path.write_bytes(pdf)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE_PT, abs=1)
    text = " ".join(reader.pages[0].extract_text().split())
    assert text.count(MARKING) == 2  # top and bottom
    for words in ("Period:", "Area:", "Produced:", page.locator("#hs-header h1").inner_text()):
        assert words in text  # the title block
    return text


@pytest.mark.parametrize("name", list(PAGES), ids=list(PAGES))
def test_prints_to_one_a4_landscape_sheet_with_marking_and_no_controls(open_at, name, tmp_path):
    page = open_at(name, DESKTOP)
    text = printed_sheet_text(page, tmp_path / f"{name}.pdf")
    assert page.locator("#hs-legend h2").first.inner_text() in text  # and the legend

    page.emulate_media(media="print")
    for control in (".leaflet-control-zoom", ".leaflet-control-layers", "#hs-panel", ".hs-toggle"):
        assert all(not el.is_visible() for el in page.locator(control).all()), control
    for kept in (".hs-north", ".leaflet-control-scale", "#hs-legend .hs-body", "#hs-header h1"):
        assert page.locator(kept).first.is_visible(), kept
    # The whole study area is on the sheet.
    map_id = _map_id(page)
    page.wait_for_function(
        f"{map_id}.getBounds().contains(L.latLngBounds({map_id}._hsStudy))", timeout=5000
    )
    assert page.errors == []


@pytest.mark.parametrize("name", list(PAGES), ids=list(PAGES))
def test_phone_layout_keeps_the_map_and_never_scrolls_sideways(open_at, name):
    page = open_at(name, PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("document.body.scrollWidth <= window.innerWidth")
    box = page.locator(".folium-map").bounding_box()
    assert box["height"] >= 0.6 * PHONE["height"]
    assert box["width"] <= PHONE["width"]
    # Legend (and panel, where there is one) start collapsed, behind a button.
    assert not page.locator("#hs-legend .hs-body").is_visible()
    legend_button = page.locator("#hs-legend .hs-toggle")
    assert legend_button.get_attribute("aria-expanded") == "false"
    legend_button.click()
    assert page.locator("#hs-legend .hs-body").is_visible()
    if page.locator("#hs-panel").count():
        assert not page.locator("#hs-panel .hs-body").is_visible()
    assert not page.locator(".leaflet-control-layers-list").is_visible()
    assert page.errors == []


def test_ranked_panel_is_keyboard_usable(open_at):
    page = open_at("map", DESKTOP)
    map_id = _map_id(page)
    before = page.evaluate(f"{map_id}.getZoom()")
    rows = page.locator("#hs-rank-table tbody tr")
    rows.first.focus()
    page.keyboard.press("Tab")  # to rank 2
    assert page.evaluate("document.activeElement.cells[0].textContent") == "2"
    page.keyboard.press("Enter")
    assert page.evaluate(f"{map_id}.getZoom()") > before
    centre = page.evaluate(f"[{map_id}.getCenter().lat, {map_id}.getCenter().lng]")
    assert centre[1] > 1.4  # H002, 9 km east of Norwich


def test_a_failing_tile_layer_shows_a_notice(browser, tmp_path):
    path = tmp_path / "tiles.html"
    path.write_text(map_html(make_analysis(), PresentationParams(tiles="osm")), encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file:", "data:"))
            else route.abort("internetdisconnected")
        ),
    )
    page.goto(path.resolve().as_uri(), wait_until="load")
    notice = page.locator("#hs-notice")
    notice.wait_for(state="visible", timeout=5000)
    assert "did not load" in notice.inner_text()
    context.close()


def test_no_notice_without_tiles(open_at):
    page = open_at("map", DESKTOP)
    page.wait_for_timeout(200)
    assert not page.locator("#hs-notice").is_visible()


def _briefing_page() -> str:
    from test_brief import brief

    from hotspots.brief import briefing_html

    return briefing_html(brief())


def _tune_page() -> str:
    from test_tune import SQUARES

    from hotspots.render.tune_page import tune_html
    from hotspots.tune import suggest

    return tune_html(
        suggest(SQUARES * 25, (3, 4)),  # 2.5 km squares: a town-sized suggestion, warned
        period_label="2024Q3 " + "x" * 120,
        area="7 districts: Breckland, Broadland, Great Yarmouth, King's Lynn and West Norfolk, "
        "North Norfolk, Norwich, South Norfolk",
        produced="2024-10-02",
        params_text="eps 400 m (given), min samples 3, footprint margin 200 m, thin ratio 0.5",
    )


def _evaluation_page() -> str:
    import shapely
    from test_evaluate import STUDY, pts

    from hotspots.evaluate import evaluate
    from hotspots.render.evaluation_page import evaluation_html

    result = evaluate(
        [shapely.box(100, 100, 200, 200)],
        pts((150, 150), (120, 180), (700, 700)),
        pts((110, 110), (150, 150), (190, 120), (200, 200)),
        STUDY,
    )
    return evaluation_html(
        result, period_label="2024Q4", against_label="2024Q3", area="1 district: Norwich",
        produced="2025-01-02",
    )


EVERY_PAGE = {
    **PAGES,
    "briefing": _briefing_page,
    "tune": _tune_page,
    "evaluation": _evaluation_page,
}


DOCUMENTS = ["tune", "evaluation"]


@pytest.mark.parametrize("name", DOCUMENTS, ids=DOCUMENTS)
def test_documents_print_to_one_a4_landscape_sheet_in_the_frame(open_at, name, tmp_path):
    page = open_at(name, DESKTOP)
    text = printed_sheet_text(page, tmp_path / f"{name}.pdf")
    assert page.locator("#hs-verdict").inner_text()[:40] in text
    page.emulate_media(media="print")
    # Everything is on the sheet: the document is not cut off at the bottom or the side.
    sizes = page.evaluate(
        "(() => { const d = document.getElementById('hs-document');"
        " return [d.scrollHeight, d.clientHeight, d.scrollWidth, d.clientWidth]; })()"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    assert page.locator("#hs-verdict").is_visible()
    top = page.locator("#hs-marking-top").bounding_box()
    bottom = page.locator("#hs-marking-bottom").bounding_box()
    assert top["y"] <= 1 and bottom["y"] > page.locator("#hs-document").bounding_box()["y"]
    # No controls: the document pages have none to hide (no button, input or script).
    assert page.locator("button, input, select, script").count() == 0
    assert page.errors == []


@pytest.mark.parametrize("name", DOCUMENTS, ids=DOCUMENTS)
def test_documents_keep_the_frame_on_a_phone(open_at, name):
    page = open_at(name, PHONE)
    widths = page.evaluate(
        "(() => { const d = document.getElementById('hs-document');"
        " return [document.documentElement.scrollWidth, d.scrollWidth, d.clientWidth,"
        " window.innerWidth]; })()"
    )
    assert widths[0] <= widths[3] and widths[1] <= widths[2], widths
    # The marking stays on screen, top and bottom, while the document scrolls between them.
    assert page.locator("#hs-marking-top").bounding_box()["y"] == 0
    bottom = page.locator("#hs-marking-bottom").bounding_box()
    assert bottom["y"] + bottom["height"] == pytest.approx(PHONE["height"], abs=1)
    verdict = page.locator("#hs-verdict").bounding_box()
    assert verdict["y"] < PHONE["height"] / 2  # the verdict is the first thing read
    assert page.errors == []


@pytest.mark.parametrize("name", list(EVERY_PAGE), ids=list(EVERY_PAGE))
def test_no_page_scrolls_sideways_on_a_phone(browser, tmp_path, name):
    path = tmp_path / f"{name}.html"
    path.write_text(EVERY_PAGE[name](), encoding="utf-8")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(("file:", "data:"))
            else route.abort("blockedbyclient")
        ),
    )
    page.goto(path.resolve().as_uri(), wait_until="load")
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"
    )
    context.close()
    assert widths[0] <= widths[2] and widths[1] <= widths[2], widths


def _boxes_overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_large_map_draws_outlines_from_town_zoom_and_symbols_never_overlap(browser, tmp_path):
    path = tmp_path / "large.html"
    path.write_text(map_html(make_analysis(), compact_above=1), encoding="utf-8")
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(path.resolve().as_uri(), wait_until="load")
    map_id = _map_id(page)
    for zoom in (7, 9, 11):  # county to town: symbols may group but never cover each other
        page.evaluate(f"{map_id}.setZoom({zoom}, {{animate: false}})")
        boxes = [s.bounding_box() for s in page.locator(".hs-sym").all()]
        assert boxes, zoom
        assert not any(
            _boxes_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]
        ), zoom
        texts = page.locator(".hs-sym").all_inner_texts()
        assert texts[0].split(" ")[0] == "1"  # rank 1 always shows
    assert page.locator("path.hotspots-footprint").count() == 0  # not below town zoom
    page.locator("#hs-rank-table tbody tr").first.click()
    assert page.locator("path.hotspots-footprint").count() >= 1
    page.locator("#hs-rank-table tbody tr").nth(1).click()  # H002, inside the cluster
    assert page.locator("path.hotspots-cluster").count() == 1
    context.close()
