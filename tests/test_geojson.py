"""hotspots.geojson: fast GeoJSON geometry text equals json.dumps(mapping(g)) byte for byte."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely
from shapely.geometry import mapping

from hotspots.geojson import geometry_json


def _rounded(geoms: list, decimals: int) -> np.ndarray:
    array = np.asarray(geoms, dtype=object)
    present = np.array([g is not None for g in geoms])
    array[present] = shapely.transform(array[present], lambda xy: np.round(xy, decimals))
    return array


def _reference(geoms: np.ndarray) -> list[str]:
    return ["null" if g is None else json.dumps(mapping(g), separators=(",", ":")) for g in geoms]


WITH_HOLES = shapely.box(0.5, 50, 1.5, 51).difference(shapely.box(0.7, 50.2, 0.9, 50.4)).difference(
    shapely.box(1.1, 50.5, 1.2, 50.6)
)


@pytest.mark.parametrize("decimals", [5, 6])
def test_polygons_multipolygons_and_holes_match_json_dumps(decimals):
    rng = np.random.default_rng(7)
    circles = [shapely.Point(rng.uniform(-2, 2), rng.uniform(50, 56)).buffer(rng.uniform(0.001, 0.05)) for _ in range(200)]
    geoms = _rounded(
        [
            *circles,
            WITH_HOLES,
            shapely.MultiPolygon([WITH_HOLES, shapely.box(2.00001, 52, 3.123456, 53.5)]),
            shapely.MultiPolygon([shapely.box(0.1, 51.1, 0.2, 51.2), shapely.box(0.3, 51.3, 0.4, 51.4)]),
        ],
        decimals,
    )
    assert geometry_json(geoms, decimals) == _reference(geoms)


def test_values_python_prints_differently_take_the_slow_path():
    # Whole numbers print as "53.0" and values under 1e-4 as "5e-05" in Python, not as GEOS writes them.
    geoms = _rounded(
        [
            shapely.box(1.0, 53.0, 1.5, 53.5),
            shapely.box(0.00005, 51.1, 0.2, 51.3),
            shapely.box(-0.00002, 51.1, 0.2, 51.3),
            shapely.box(0.1234567, 51.1, 0.2, 51.3),  # more decimals than declared
        ],
        7,
    )
    out = geometry_json(geoms, 5)
    assert out == _reference(geoms)
    assert "53.0" in out[0] and "5e-05" in out[1] and "-2e-05" in out[2]


def test_other_geometries_none_empty_and_3d():
    geoms = np.array(
        [
            None,
            shapely.Point(1.5, 52.25),
            shapely.LineString([(0.1, 0.2), (1.5, 2.5)]),
            shapely.Polygon(),
            shapely.Polygon([(0, 0, 1), (1, 0, 1), (1, 1, 1)]),
            shapely.MultiPoint([(1.5, 52.5), (1.25, 52.75)]),
        ],
        dtype=object,
    )
    out = geometry_json(geoms, 5)
    assert out == _reference(geoms)
    assert out[0] == "null"
    assert json.loads(out[4])["coordinates"][0][0] == [0.0, 0.0, 1.0]


def test_output_is_valid_geojson_in_lon_lat_order():
    geom = _rounded([shapely.box(1.29, 52.62, 1.30, 52.63)], 5)
    parsed = json.loads(geometry_json(geom, 5)[0])
    assert parsed["type"] == "Polygon"
    lons = [lon for lon, _lat in parsed["coordinates"][0]]
    assert min(lons) == 1.29 and max(lons) == 1.30


def test_empty_input():
    assert geometry_json(np.array([], dtype=object), 5) == []
