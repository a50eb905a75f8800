"""Print briefing HTML to PDF with headless Chromium, offline.

The PDF engine is the system Chromium driven by Playwright (``pip install 'hotspots[test]'`` or
``pip install playwright``; ``apt-get install chromium`` on Debian/Ubuntu). Playwright's own
browser download is not needed: the executable is ``$HOTSPOTS_CHROMIUM`` if set, else
``/usr/bin/chromium``, else the first of ``chromium``, ``chromium-browser``, ``google-chrome`` on
``PATH``. Without one, `briefing_pdf` writes nothing and returns False, and
`pdf_unavailable_reason` says why, so the HTML (which prints the same from any browser) is still
the deliverable.

Chromium stamps the clock into the PDF's ``/CreationDate`` and ``/ModDate``; `briefing_pdf`
rewrites both to the briefing's produced date (midnight UTC), so the same briefing prints to
the same bytes on any run.

While printing, every request other than ``data:`` is aborted and Chromium's resolver maps every
host to nothing, so the page cannot reach the network even if the HTML tried to.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Final

from hotspots.errors import OutputError

__all__ = ["briefing_pdf", "find_chromium", "pdf_unavailable_reason"]

logger = logging.getLogger(__name__)

_CANDIDATES: Final = ("chromium", "chromium-browser", "google-chrome")
_LAUNCH_ARGS: Final = [
    "--headless",
    "--no-sandbox",  # root in containers and CI cannot use Chromium's sandbox
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
_TIMEOUT_MS: Final = 60_000
# Skia's Info dictionary entries, e.g. ``/CreationDate (D:20261206065932+00'00')``.
_PDF_DATE: Final = re.compile(rb"/(CreationDate|ModDate) \(D:\d{14}\+00'00'\)")


#: Chromium's footer on every printed page, in the bottom margin: "Page x of y".
PAGE_FOOTER: Final = (
    '<div style="width:100%;font:8px Arial,sans-serif;color:#333;text-align:right;'
    'padding:0 14mm 1mm 0;">Page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)


def find_chromium() -> str | None:
    """The Chromium executable to print with, or None when there is none."""
    configured = os.environ.get("HOTSPOTS_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    if Path("/usr/bin/chromium").is_file():
        return "/usr/bin/chromium"
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_unavailable_reason() -> str | None:
    """Why a PDF cannot be printed here, or None when the engine is available."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the Python package playwright is not installed (pip install playwright)"
    if find_chromium() is None:
        configured = os.environ.get("HOTSPOTS_CHROMIUM")
        if configured:
            return f"HOTSPOTS_CHROMIUM={configured} is not a file"
        return "no Chromium found (apt-get install chromium, or set HOTSPOTS_CHROMIUM)"
    return None


def briefing_pdf(
    html: str, path: str | os.PathLike[str], produced: date | None = None
) -> bool:
    """Print briefing HTML to an A4 PDF with headless Chromium.

    Parameters
    ----------
    html
        The page from `briefing_html` (self-contained: nothing is fetched).
    path
        Where to write the PDF; written to a temporary file first and moved into place.
    produced
        The briefing's date: the PDF's creation and modification dates are set to it (midnight
        UTC) instead of the clock, so reruns are byte-identical. None keeps Chromium's clock.

    Returns
    -------
    bool
        True when the PDF was written; False when no PDF engine is available or Chromium fails
        to start or print, with the reason logged as a warning (and, for a missing engine,
        available from `pdf_unavailable_reason`).

    Raises
    ------
    TypeError
        If `html` is not a string.
    OutputError
        If the PDF was printed but could not be written to `path`.
    """
    if not isinstance(html, str):
        raise TypeError(f"briefing_pdf: html must be a str, got {type(html).__name__}")
    target = Path(path)
    reason = pdf_unavailable_reason()
    executable = find_chromium()
    if reason is not None or executable is None:
        logger.warning("%s not written: %s", target.name, reason or "no Chromium found")
        return False
    # Playwright's sync API refuses to start inside a running event loop (Jupyter, an async
    # caller) or inside another sync Playwright session; a fresh thread has neither.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="briefing-pdf") as pool:
        pdf, failure = pool.submit(_print_pdf, html, executable).result()
    if pdf is None:
        logger.warning(
            "%s not written: Chromium at %s failed: %s", target.name, executable, failure
        )
        return False

    if produced is not None:
        pdf = pdf_dated(pdf, produced)
    _write_atomically(target, pdf)
    logger.info("briefing PDF: %s (%d bytes)", target, len(pdf))
    return True


def pdf_dated(pdf: bytes, produced: date) -> bytes:
    """`pdf` with its ``/CreationDate`` and ``/ModDate`` set to `produced`, midnight UTC.

    The replacement has the same length as Chromium's stamp, so the cross-reference offsets
    stay right; a PDF whose dates are written another way is returned unchanged.
    """
    stamp = f"D:{produced:%Y%m%d}000000+00'00'".encode("ascii")
    return _PDF_DATE.sub(lambda found: b"/" + found.group(1) + b" (" + stamp + b")", pdf)


def _print_pdf(html: str, executable: str) -> tuple[bytes | None, str]:
    """Print `html` with Chromium at `executable`: the PDF, or None and the first error line."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=_LAUNCH_ARGS
            )
            try:
                context = browser.new_context(service_workers="block", java_script_enabled=False)
                page = context.new_page()
                page.route(
                    "**/*",
                    lambda route: (
                        route.continue_()
                        if route.request.url.startswith("data:")
                        else route.abort("blockedbyclient")
                    ),
                )
                page.set_content(html, wait_until="load", timeout=_TIMEOUT_MS)
                pdf = page.pdf(
                    prefer_css_page_size=True,
                    print_background=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template=PAGE_FOOTER,
                )
                return pdf, ""
            finally:
                browser.close()
    except PlaywrightError as exc:
        message = str(exc).strip()
        return None, message.splitlines()[0] if message else type(exc).__name__


def _write_atomically(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(
            f"{target}: could not write the PDF ({exc}); check the folder is writable"
        ) from exc
