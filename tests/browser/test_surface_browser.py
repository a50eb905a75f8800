"""The coverage-gap surface layer in headless Chromium, offline: it draws over the map, legend in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.cli import main

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = [str(ROOT / "data/sample/events.csv"), "--config", str(ROOT / "data/sample/norfolk.toml"), "--quiet"]


@pytest.fixture(scope="module")
def surface_map(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("surface-browser")
    result = CliRunner().invoke(main, ["map", *SAMPLE, "--period", "2024Q4", "--surface", "--chance-test",
                                       "--replicates", "19", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "map.html"


def test_the_surface_layer_switches_on_over_the_map_offline(open_page, surface_map):
    view = open_page(surface_map)
    page = view.page
    assert view.console_errors == [] and view.blocked_requests == [] and view.failed_requests == []
    # A tall legend must not squeeze the map: the map keeps most of the window.
    assert page.evaluate("document.querySelector('.folium-map').getBoundingClientRect().height") > 400
    assert page.locator(".leaflet-image-layer").count() == 0  # off until switched on
    page.locator(".leaflet-control-layers label", has_text="Coverage-gap surface").locator("input").check()
    image = page.locator(".leaflet-image-layer")
    image.wait_for(state="attached", timeout=5000)
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    box = image.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    legend = page.locator("#hs-legend").inner_text()
    assert "unmatched harm per km²" in legend and "bandwidth 400 m" in legend
    view.screenshot("surface-on")
