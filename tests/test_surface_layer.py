"""The gap surface as a web image: placed by latitude/longitude, coloured by one stated scale."""

from __future__ import annotations

import base64
import io

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from PIL import Image
from shapely.geometry import box

from hotspots import schema
from hotspots.render.surface_layer import ALPHA, THIN_COLOURS, colour_scale, rgba, web_image
from hotspots.surface import coverage_gap_surfaces

NORWICH = (623_000.0, 308_500.0)  # BNG metres of Norwich city centre: 52.63 N, 1.30 E


def _surface():
    x, y = NORWICH
    areas = gpd.GeoDataFrame({schema.COL_AREA_CODE: ["E07000148"], schema.COL_AREA_NAME: ["Norwich"]},
                             geometry=[box(x - 3000, y - 3000, x + 3000, y + 3000)], crs=schema.CRS_METRIC)
    events = pd.DataFrame({schema.COL_X: [x] * 5, schema.COL_Y: [y] * 5, schema.COL_ROLE: ["harm"] * 5})
    return coverage_gap_surfaces(events, areas, eps_m=400, thin_ratio=0.5)


def test_image_bounds_are_latitude_then_longitude_around_norwich():
    s = _surface()
    uri, bounds = web_image(s, s.gap, colour_scale(s.gap))
    (south, west), (north, east) = bounds
    assert 52.57 < south < 52.63 < north < 52.69  # latitude first
    assert 1.2 < west < 1.30 < east < 1.4
    image = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert image.mode == "RGBA"
    thin_rgb = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in THIN_COLOURS]
    centre = image.getpixel((image.width // 2, image.height // 2))
    assert centre[:3] in thin_rgb[2:] and centre[3] == ALPHA  # harm, no enforcement: dark orange
    assert (*thin_rgb[-1], ALPHA) in set(image.getdata())  # the peak takes the darkest class
    assert image.getpixel((0, 0))[3] == 0  # no harm in reach: transparent


def test_the_same_surface_gives_the_same_bytes():
    s = _surface()
    assert web_image(s, s.gap, colour_scale(s.gap)) == web_image(s, s.gap, colour_scale(s.gap))


def test_one_scale_serves_two_periods():
    small, large = np.array([[0.0, 1.0, 2.0]]), np.array([[0.0, 10.0, 20.0]])
    scale = colour_scale(small, large)
    assert scale.scale >= 19.6  # the pooled 98th percentile, rounded up
    assert scale.breaks[-1] == scale.scale
    # The small period's values fall in the low classes of the shared scale.
    assert rgba(small, scale)[0, 1, 3] == 0  # 1 < 10% of the scale: transparent


@pytest.mark.parametrize(("value", "visible"), [(np.nan, False), (0.0, False), (5.0, True), (-5.0, True)],
                         ids=["outside", "zero", "thin", "covered"])
def test_pixels_outside_or_at_zero_are_transparent(value, visible):
    image = rgba(np.array([[value]]), colour_scale(np.array([[10.0]])))
    assert (image[0, 0, 3] > 0) == visible


def test_legend_states_every_break_in_words():
    rows = colour_scale(np.array([[10.0]])).legend()
    assert len(rows) == 8
    assert all("per km²" in words for _, words in rows)
