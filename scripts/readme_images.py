"""Screenshots for the README, taken in headless Chromium from the demo's outputs.

Run ``python3 run.py demo`` first, then ``.venv/bin/python scripts/readme_images.py``.
Writes ``docs/images/map-sample.png``, ``compare-sample.png``, ``map-phone.png`` (the map
at 390x844, as on a phone), ``briefing-page1.png`` and ``briefing-insets.png`` (the page with
the street-scale insets).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
OUTPUTS = ROOT / "outputs"
IMAGES = ROOT / "docs" / "images"
BLOCK_NETWORK = ["--host-resolver-rules=MAP * ~NOTFOUND", "--disable-background-networking"]


def main() -> int:
    chromium = shutil.which("chromium")
    if chromium is None:
        print("needs Debian's chromium (apt install chromium)", file=sys.stderr)
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=BLOCK_NETWORK)
        for source, target in (
            (OUTPUTS / "sample" / "map.html", "map-sample.png"),
            (OUTPUTS / "sample-compare" / "compare.html", "compare-sample.png"),
        ):
            page = browser.new_page(viewport={"width": 1280, "height": 860})
            page.goto(source.as_uri(), wait_until="load")
            page.wait_for_selector(".leaflet-overlay-pane path")
            page.wait_for_timeout(500)
            page.screenshot(path=str(IMAGES / target))
            page.close()
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        phone.goto((OUTPUTS / "sample" / "map.html").as_uri(), wait_until="load")
        phone.wait_for_selector(".hs-sym")
        phone.wait_for_timeout(500)
        phone.screenshot(path=str(IMAGES / "map-phone.png"))
        phone.close()
        # Page 1 of the printed briefing, as Chromium's PDF viewer draws it.
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.goto((OUTPUTS / "sample-brief" / "briefing.pdf").as_uri() + "#toolbar=0&navpanes=0&view=Fit")
        picture = page.screenshot()
        for _ in range(40):
            if len(picture) > 20_000:
                break
            page.wait_for_timeout(250)
            picture = page.screenshot()
        (IMAGES / "briefing-page1.png").write_bytes(picture)
        # The page holding Figure 2 (the insets), drawn by poppler when it is installed.
        pdftoppm = shutil.which("pdftoppm")
        if pdftoppm is not None:
            import subprocess
            import tempfile

            with tempfile.TemporaryDirectory() as tmp:
                pdf = OUTPUTS / "sample-brief" / "briefing.pdf"
                subprocess.run([pdftoppm, "-png", "-r", "70", str(pdf), f"{tmp}/p"], check=True)
                pages = sorted(Path(tmp).glob("p-*.png"))
                text = subprocess.run(
                    ["pdftotext", "-layout", str(pdf), "-"],
                    check=False,
                    capture_output=True,
                    text=True,
                ).stdout.split("\f")
                chosen = next(
                    (pages[i] for i, t in enumerate(text) if "Figure 2." in t and i < len(pages)),
                    None,
                )
                if chosen is not None:
                    shutil.copyfile(chosen, IMAGES / "briefing-insets.png")
        browser.close()
    print(f"wrote images in {IMAGES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
