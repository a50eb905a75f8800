"""GeoJSON geometries for many shapely geometries at once: WGS84 copies, and their text.

:func:`web_geometries` projects to WGS84 (as RFC 7946 GeoJSON and web maps want) and rounds,
in one pass over the coordinates, projecting in blocks on every core.

Writing ``json.dumps(mapping(g))`` geometry by geometry walks every vertex in Python and
formats every float on its own: at a million events (tens of thousands of footprints,
a million vertices) that is seconds. :func:`geometry_json` lets GEOS write all polygons as
WKT in one call, with the coordinates' own number of decimals, and rewrites the WKT
punctuation into GeoJSON with a few whole-text replacements. The result is byte for byte
what ``json.dumps(mapping(g), separators=(",", ":"))`` writes -- each float in its shortest
form, which ``shapely.to_geojson`` does not do (it writes ``1.6737899999999999``).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping

from hotspots import parallel, schema

_POLYGON = int(shapely.GeometryType.POLYGON)
_MULTIPOLYGON = int(shapely.GeometryType.MULTIPOLYGON)

#: Separator between geometries in the joined WKT text; never in WKT or in the output.
_NEXT = "\n"

# WKT -> GeoJSON coordinates. Separators between rings or polygons, "), (", are parked as "|"
# so that the ", " left are those between positions; " " is then the one inside a position.
# A run of k "(" opens k levels in WKT and k + 1 in GeoJSON (positions are arrays too), and
# runs are at most 3 long (multipolygon), so fixed replacements, longest first, suffice.
_WKT_TO_GEOJSON = (
    ("), (", ")|("),
    (", ", "],["),
    (" ", ","),
    ("(((", "[[[["),
    ("((", "[[["),
    ("(", "[["),
    (")))", "]]]]"),
    ("))", "]]]"),
    (")", "]]"),
    ("|", ","),
)


def web_geometries(geometries: Any, crs: Any, decimals: int) -> np.ndarray:
    """2-D WGS84 copies of ``geometries`` (in ``crs``), coordinates rounded to ``decimals``.

    The same coordinates as ``GeoSeries.to_crs("EPSG:4326")`` followed by rounding;
    missing geometries stay missing.
    """
    transformer = _to_web(crs)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = parallel.transform(transformer, xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), decimals)

    return shapely.transform(np.asarray(geometries, dtype=object), project)


@cache
def _to_web(crs: Any) -> Any:
    from pyproj import CRS, Transformer

    return Transformer.from_crs(CRS.from_user_input(crs), schema.CRS_WEB, always_xy=True)


def geometry_json(geometries: Any, decimals: int) -> list[str]:
    """``json.dumps(mapping(g), separators=(",", ":"))`` for each geometry, fast.

    Parameters
    ----------
    geometries
        Shapely geometries (or None, written ``null``) whose coordinates are already
        rounded to ``decimals`` places.
    decimals
        Decimal places of the coordinates.

    Returns
    -------
    list of str
        One JSON text per geometry, in order.

    Notes
    -----
    Non-empty 2-D polygons and multipolygons whose coordinates are all rounded to
    ``decimals`` take the WKT path. Everything else, and any polygon with a coordinate that
    Python would print differently from fixed notation (a whole number such as ``53.0``, or
    one under 1e-4 such as ``5e-05``), is written by ``json.dumps`` itself.
    """
    geoms = np.asarray(geometries, dtype=object).ravel()
    kind = shapely.get_type_id(geoms)
    fast = ((kind == _POLYGON) | (kind == _MULTIPOLYGON)) & ~shapely.is_empty(geoms) & ~shapely.has_z(geoms)
    fast[fast] = _plain_fixed_coordinates(geoms[fast], decimals)
    out = [
        "null" if g is None else "" if quick else json.dumps(mapping(g), separators=(",", ":"))
        for g, quick in zip(geoms.tolist(), fast.tolist(), strict=True)
    ]
    rows = np.flatnonzero(fast)
    if len(rows) == 0:
        return out
    wkt = shapely.to_wkt(geoms[rows], rounding_precision=decimals, trim=True)
    # "POLYGON ((...))" and "MULTIPOLYGON (((...)))": the coordinates start at the first "(".
    text = _NEXT.join(w[w.index("(") :] for w in wkt.tolist())
    for old, new in _WKT_TO_GEOJSON:
        text = text.replace(old, new)
    names = np.where(kind[rows] == _POLYGON, '{"type":"Polygon","coordinates":', '{"type":"MultiPolygon","coordinates":')
    for row, name, coordinates in zip(rows.tolist(), names.tolist(), text.split(_NEXT), strict=True):
        out[row] = name + coordinates + "}"
    return out


def _plain_fixed_coordinates(geoms: np.ndarray, decimals: int) -> np.ndarray:
    """Per geometry: every coordinate has ``decimals`` places and prints in fixed notation."""
    if len(geoms) == 0:
        return np.zeros(0, dtype=bool)
    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    size = np.abs(coords)
    awkward = (np.round(coords, decimals) != coords) | (coords == np.floor(coords)) | (size < 1e-4) | (size >= 1e15)
    bad = np.zeros(len(geoms), dtype=bool)
    bad[owner[awkward.any(axis=1)]] = True
    return ~bad
