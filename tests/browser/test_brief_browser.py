"""Briefings in a real browser: printed to PDF, the marking is on every page; hostile text is text.

Printing uses headless system Chromium (the ``open_page`` fixture) and the PDFs are read with
pypdf, which places each piece of text on its page, so "the marking is at the top and the bottom
of every page" is checked from where Chromium actually put it.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest

# tests/ is on sys.path for this package's modules (pytest's rootdir-based import mode).
from test_brief import (
    HOSTILE,
    HOSTILE_MARKING,
    NORWICH,
    PRODUCED,
    YARMOUTH,
    hostile_analysis,
    make_analysis,
)

from hotspots.brief import (
    briefing_html,
    briefing_pdf,
    build_briefing,
    pdf_unavailable_reason,
)

from .conftest import SCREENSHOT_DIR

pytestmark = pytest.mark.browser

A4_VIEWPORT = {"width": 794, "height": 1123}  # A4 at 96 px per inch
MARKING = "OFFICIAL-SENSITIVE"
_BLANK_PNG_BYTES = 20_000  # an empty A4-sized viewer frame is ~5 kB; a drawn page is >100 kB


def _pypdf():
    try:
        import pypdf
    except ImportError as exc:
        if os.environ.get("HOTSPOTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"pypdf is needed to read printed pages: {exc}", pytrace=False)
        pytest.skip(f"pypdf is not installed ({exc}); pip install 'hotspots[test]'")
    return pypdf


def page_texts(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Each page's text pieces with their height on the page (0 = bottom, 1 = top)."""
    pypdf = _pypdf()
    pages = []
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        height = float(page.mediabox.height)
        pieces: list[tuple[float, str]] = []

        def visit(text, cm, tm, _font, _size, pieces=pieces, height=height):
            if text.strip():
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # text origin in page space
                pieces.append((y / height, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(pieces)
    return pages


def long_analysis():
    """Forty thin hotspots: the priority table alone runs over a page."""
    planted = []
    for i in range(40):
        district = YARMOUTH if i % 2 else NORWICH
        x0, y0 = (646_000, 297_000) if district is YARMOUTH else (619_000, 305_000)
        planted.append(
            (
                f"P{i:03d}",
                district,
                40 - i // 2,
                i % 3,
                None if i % 3 == 0 else 10 + i,
                x0 + 220.0 * i,
                y0 + 170.0 * i,
            )
        )
    harm = sum(p[2] for p in planted)
    return make_analysis(
        planted,
        harm={NORWICH[0]: harm // 2 + 5, YARMOUTH[0]: harm - harm // 2 + 5},
        enforcement={NORWICH[0]: 30, YARMOUTH[0]: 31},
    )


def write(tmp_path: Path, html: str, name: str = "briefing.html") -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def screenshot_first_page(browser, pdf: bytes, tmp_path: Path, name: str) -> Path:
    """Save Chromium's own rendering of the PDF's page 1 (its PDF viewer, toolbar hidden).

    A picture of the printed page, not of the screen layout, for the README and for review.
    """
    pdf_path = tmp_path / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    context = browser.new_context(viewport=A4_VIEWPORT)
    try:
        page = context.new_page()
        page.goto(pdf_path.as_uri() + "#toolbar=0&navpanes=0&view=Fit", wait_until="load")
        # The viewer draws some time after "load" and exposes nothing to wait on: poll until the
        # picture is more than the blank frame (a few kB of PNG).
        picture = page.screenshot()
        for _ in range(40):
            if len(picture) > _BLANK_PNG_BYTES:
                break
            page.wait_for_timeout(250)
            picture = page.screenshot()
    finally:
        context.close()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOT_DIR / f"{name}.png"
    target.write_bytes(picture)
    return target


def test_marking_on_every_printed_page(open_page, browser, tmp_path):
    b = build_briefing(long_analysis(), top_n=40, produced=PRODUCED, version="test")
    view = open_page(write(tmp_path, briefing_html(b)))
    page = view.page

    assert page.evaluate("document.querySelector('figure img').naturalWidth") == 1050
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for number, pieces in enumerate(pages, start=1):
        marks = [y for y, text in pieces if text == MARKING]
        assert any(y > 0.9 for y in marks), f"page {number}: no marking at the top"
        assert any(y < 0.1 for y in marks), f"page {number}: no marking at the bottom"
        body = [y for y, text in pieces if text != MARKING]
        # Content stays clear of the marking bands (the frame table reserves their space).
        assert all(0.06 < y < 0.94 for y in body), f"page {number}: content under the marking"

    # The priority table runs over pages and repeats its heading on each.
    with_rows = [p for p in pages if any(text.startswith("P0") for _, text in p)]
    assert len(with_rows) >= 2
    for pieces in with_rows:
        assert any("Days since" in text for _, text in pieces)

    screenshot_first_page(browser, pdf, tmp_path, "briefing_long_page1")
    assert view.console_errors == []
    assert view.failed_requests == []
    assert view.blocked_requests == []


@pytest.mark.parametrize("audience", ["internal", "wide"])
def test_planted_briefing_page_one(open_page, browser, tmp_path, audience):
    b = build_briefing(make_analysis(), audience=audience, produced=PRODUCED, version="test")
    view = open_page(write(tmp_path, briefing_html(b)))
    pdf = view.page.pdf(prefer_css_page_size=True, print_background=True)
    first = " ".join(text for _, text in page_texts(pdf)[0])
    if audience == "wide":
        assert "TG 52 07" in first and "<5" in first and "TG 523 078" not in first
    else:
        assert "TG 523 078" in first
    screenshot_first_page(browser, pdf, tmp_path, f"briefing_{audience}_page1")
    assert view.console_errors == []
    assert view.blocked_requests == []


def test_hostile_values_show_as_text(open_page, tmp_path):
    b = build_briefing(
        hostile_analysis(), produced=PRODUCED, version="test", reason=HOSTILE,
        presentation=HOSTILE_MARKING,
    )
    view = open_page(write(tmp_path, briefing_html(b)))
    page = view.page

    assert HOSTILE in page.inner_text("#priority-hotspots")
    assert page.locator("img").count() == 2  # figure and insets, nothing injected
    assert page.locator("a, script, iframe").count() == 0
    page.wait_for_timeout(100)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert view.blocked_requests == []


def require_pdf_engine() -> None:
    """Skip without a PDF engine, or fail when CI requires the browser (HOTSPOTS_REQUIRE_BROWSER)."""
    reason = pdf_unavailable_reason()
    if reason is not None:
        if os.environ.get("HOTSPOTS_REQUIRE_BROWSER") == "1":
            pytest.fail(f"no PDF engine: {reason}", pytrace=False)
        pytest.skip(reason)


def test_briefing_pdf_prints_with_system_chromium(tmp_path):
    require_pdf_engine()
    b = build_briefing(make_analysis(), produced=PRODUCED, version="test")
    target = tmp_path / "out" / "briefing.pdf"
    # The session's Playwright (open_page) may be running in this thread: briefing_pdf must
    # still work, as it would from Jupyter or any caller with an event loop.
    assert briefing_pdf(briefing_html(b), target) is True
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF-")
    pages = page_texts(pdf)
    assert pages and all(sum(text == MARKING for _, text in p) >= 2 for p in pages)
    first_page = " ".join(text for _, text in pages[0])
    assert "Tasking briefing" in first_page
    for number, pieces in enumerate(pages, start=1):  # Chromium's footer: "Page x of y"
        assert f"Page {number} of {len(pages)}" in " ".join(text for _, text in pieces)
    assert "TG 523 078" in first_page


def test_briefing_pdf_is_byte_identical_across_runs(tmp_path):
    """Chromium stamps the clock into the PDF; the briefing's produced date replaces it."""
    require_pdf_engine()
    html = briefing_html(build_briefing(make_analysis(), produced=PRODUCED, version="test"))
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    assert briefing_pdf(html, first, produced=PRODUCED) is True
    time.sleep(1.1)  # a second later, Chromium's own stamp would differ
    assert briefing_pdf(html, second, produced=PRODUCED) is True
    assert first.read_bytes() == second.read_bytes()
    stamp = f"/CreationDate (D:{PRODUCED:%Y%m%d}000000+00'00')".encode()
    assert stamp in first.read_bytes()
