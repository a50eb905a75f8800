"""Tables to drawable features: display-scale geometry, compact GeoJSON layers, cell text.

Shared by every map page (coverage map, comparison map): the rules for how a district or a
footprint is simplified, projected, rounded and written into the page, and how a count or a
ratio reads in a tooltip, exist once.

* **Display-scale geometry.** Boundaries are simplified in EPSG:27700 before projecting to
  WGS84: as a coverage (``shapely.coverage_simplify``) when the districts form one, so
  neighbours keep identical shared edges, else polygon by polygon. Footprints, convex, are
  simplified by plain Douglas-Peucker. Every coordinate is rounded to :data:`COORD_DECIMALS`
  (5) decimal degrees, about 1 m at UK latitudes.
* **Compact layers.** A layer's FeatureCollection is written as JSON text here: at a million
  events the map holds thousands of footprints, too many to hand folium as Python objects.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from folium.utilities import JsCode
from pyproj import Transformer

from hotspots import parallel, schema
from hotspots.geojson import geometry_json, web_geometries
from hotspots.render.offline import PreparedGeoJson
from hotspots.render.page import html_text as _text

__all__ = [
    "COORD_DECIMALS",
    "ENGLAND_WALES_BOUNDS",
    "Feature",
    "area_label",
    "bounds_of",
    "compact_json",
    "count_text",
    "encode_polyline",
    "encoded_outlines",
    "label_point",
    "layer",
    "lonlat",
    "number_text",
    "ratio_text",
    "records",
    "style_by",
    "tooltip",
    "web_features",
]

#: Decimal places of every longitude/latitude in the page: 1e-5 degrees is about 1.1 m of
#: latitude and 0.7 m of longitude in England and Wales, well below what the map can show.
COORD_DECIMALS: Final = 5

# (south, west), (north, east) of England and Wales: the view when there is nothing to fit.
ENGLAND_WALES_BOUNDS: Final = ((49.9, -6.4), (55.8, 1.8))


@dataclass(frozen=True)
class Feature:
    """One table row ready to draw: its row position and its WGS84 GeoJSON geometry (JSON)."""

    row: int
    geometry: str
    bounds: tuple[float, float, float, float]  # west, south, east, north



def _present(table: Any) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the rows with a geometry that is neither missing nor empty, and those geometries."""
    geoms = np.asarray(table.geometry.values, dtype=object)
    rows = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    return rows, geoms[rows]

def web_features(
    table: gpd.GeoDataFrame, simplify_m: float, *, coverage: bool = False, convex: bool = False
) -> list[Feature]:
    """Simplify in metres, project to WGS84 and round; skip empty or missing geometries.

    ``coverage``: the polygons tile the study area (districts); ``convex``: each one is
    convex (footprints), so plain Douglas-Peucker keeps it simple and valid -- several times
    faster than the topology-preserving variant, which matters at thousands of footprints.
    """
    if len(table) == 0:
        return []
    rows, geoms = _present(table)
    if len(geoms) == 0:
        return []
    metric = table.crs is not None and table.crs.is_projected
    if metric and simplify_m > 0:
        # Simplifying the districts as one coverage keeps shared edges shared, so neighbours
        # neither overlap nor leave slivers; other polygons are simplified one by one.
        if coverage and len(geoms) > 1 and bool(shapely.coverage_is_valid(geoms)):
            geoms = np.asarray(shapely.coverage_simplify(geoms, simplify_m), dtype=object)
        else:
            geoms = shapely.simplify(geoms, simplify_m, preserve_topology=not convex)
    web = web_geometries(geoms, table.crs, COORD_DECIMALS)
    keep = ~(shapely.is_missing(web) | shapely.is_empty(web))
    bounds = shapely.bounds(web[keep]).tolist()
    geometries = geometry_json(web[keep], COORD_DECIMALS)
    return [
        Feature(row, geometry, tuple(box))
        for row, geometry, box in zip(rows[keep].tolist(), geometries, bounds, strict=True)
    ]


def encode_polyline(coords: np.ndarray) -> str:
    """Google's encoded polyline of ``(lon, lat)`` pairs at 1e-5 degrees (lat first).

    About 4-6 characters a vertex instead of about 20 in GeoJSON text: what lets a page hold
    thousands of footprints. Characters are ASCII 63-126, so never a space or a quote.
    """
    values = np.round(np.asarray(coords, dtype=float)[:, ::-1] * 1e5).astype(np.int64)
    deltas = np.diff(values, axis=0, prepend=np.zeros((1, 2), dtype=np.int64)).ravel()
    out = []
    for value in deltas.tolist():
        value = ~(value << 1) if value < 0 else value << 1
        while value >= 0x20:
            out.append(chr((0x20 | (value & 0x1F)) + 63))
            value >>= 5
        out.append(chr(value + 63))
    return "".join(out)


def encoded_outlines(
    table: gpd.GeoDataFrame, simplify_m: float
) -> list[tuple[int, str, tuple[float, float, float, float]]]:
    """``(row, outline, (west, south, east, north))`` per non-empty footprint, encoded.

    Each polygon's exterior ring is one encoded polyline; the parts of a multipolygon are
    joined by a space. Holes are left out: footprints and clusters have none worth drawing.
    """
    if len(table) == 0:
        return []
    rows, geoms = _present(table)
    if len(geoms) == 0:
        return []
    if table.crs is not None and table.crs.is_projected and simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=False)
    web = web_geometries(geoms, table.crs, COORD_DECIMALS)
    result = []
    for row, geometry in zip(rows.tolist(), web, strict=True):
        if geometry is None or geometry.is_empty:
            continue
        parts = [
            encode_polyline(np.asarray(part.exterior.coords))
            for part in getattr(geometry, "geoms", [geometry])
            if part.geom_type == "Polygon" and not part.is_empty
        ]
        if parts:
            result.append((row, " ".join(parts), tuple(geometry.bounds)))
    return result


def bounds_of(features: Sequence[Feature]) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` of the features, or None when there are none."""
    if not features:
        return None
    west = min(f.bounds[0] for f in features)
    south = min(f.bounds[1] for f in features)
    east = max(f.bounds[2] for f in features)
    north = max(f.bounds[3] for f in features)
    return [[south, west], [north, east]]


@cache
def _to_web() -> Transformer:
    return Transformer.from_crs(schema.CRS_METRIC, schema.CRS_WEB, always_xy=True)


def lonlat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = parallel.transform(
        _to_web(), np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float)
    )
    return np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)


# --- formatting -------------------------------------------------------------------------------


def count_text(value: Any) -> str:
    """A count with thousands separators; "–" when missing."""
    if type(value) is int:  # the common case, tens of thousands of times on a large map
        return f"{value:,}"
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    return f"{int(value):,}"


def ratio_text(value: Any) -> str:
    """A coverage ratio to two decimals; "–" when undefined (no harm)."""
    if value is None or pd.isna(value) or not math.isfinite(float(value)):
        return "–"
    return f"{float(value):.2f}"


def number_text(value: float) -> str:
    """A parameter as written by a person: 400, 0.5, 12.5."""
    return f"{float(value):g}"


def area_label(name: Any, code: Any) -> str:
    name_text = "" if name is None or pd.isna(name) else str(name)
    code_text = "" if code is None or pd.isna(code) else str(code)
    if name_text and code_text:
        return _text(f"{name_text} ({code_text})")
    return _text(name_text or code_text or "no district")


def layer(
    features: Sequence[Feature], properties: Sequence[dict[str, Any]], **kwargs: Any
) -> PreparedGeoJson:
    """A GeoJSON layer of the features, feature ``id`` 0, 1, ... in order.

    The collection is written as JSON text here: at a million events the map holds tens of
    thousands of footprints, too many to hand folium as Python objects.
    """
    features_text = ",".join(
        f'{{"type":"Feature","id":{i},"properties":{compact_json(props)},'
        f'"geometry":{feature.geometry}}}'
        for i, (feature, props) in enumerate(zip(features, properties, strict=True))
    )
    text = '{"type":"FeatureCollection","features":[' + features_text + "]}"
    return PreparedGeoJson(text, list(properties[0]), **kwargs)


def compact_json(value: Any) -> str:
    """JSON without spaces (the page's data layers are megabytes at national scale)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def style_by(prop: str, styles: Mapping[int, Mapping[str, Any]]) -> JsCode:
    """A Leaflet style function: the style of the class in the feature's property ``prop``.

    The styles are a table in the page, so a footprint's colour is data in the JavaScript,
    not a ``case`` per feature as folium's ``style_function`` writes.
    """
    table = json.dumps({str(key): dict(style) for key, style in styles.items()}, sort_keys=True)
    return JsCode(f"function(feature) {{ return {table}[String(feature.properties.{prop})]; }}")


def tooltip(fields: Sequence[tuple[str, str]]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(
        fields=[key for key, _ in fields],
        aliases=[_text(alias) for _, alias in fields],
        sticky=True,
    )


def records(table: pd.DataFrame, features: Sequence[Feature]) -> list[dict[str, Any]]:
    """The table rows of the features, as dicts (one conversion, not a lookup per row)."""
    rows = table.iloc[[feature.row for feature in features]]
    return rows.drop(columns=rows.geometry.name).to_dict(orient="records")


def label_point(geometry: Any, crs: Any) -> list[float]:
    """Where a rank label goes: the footprint's centroid, or a point inside it if concave."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    web = gpd.GeoSeries([point], crs=crs).to_crs(schema.CRS_WEB).iloc[0]
    return [round(web.y, COORD_DECIMALS), round(web.x, COORD_DECIMALS)]
