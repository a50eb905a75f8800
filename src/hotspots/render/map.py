"""Draw one analysis as a self-contained HTML coverage map (folium, offline, deterministic).

`map_html` turns an :class:`~hotspots.model.Analysis` into the text of ``map.html``: the study
areas shaded by enforcement coverage, the harm hotspots coloured by status, the enforcement
clusters as outlines and, only when ``presentation.show_points`` is set, the individual events (they
are victims' addresses). A header states the period, the parameters, the data quality, the
definitions and the protective marking; a legend explains every colour.

What the page contains, and why
-------------------------------
* **No network** unless a tile layer is chosen (``presentation.tiles``): ``"none"`` (default) draws
  the boundaries on a plain background; ``"osm"`` adds OpenStreetMap tiles; an
  ``https://…/{z}/{x}/{y}.png`` template adds those tiles. `offline_html` inlines Leaflet and
  writes a Content-Security-Policy that allows only the tile host.
* **Display-scale geometry.** Boundaries are simplified in EPSG:27700 before projecting to
  WGS84: as a coverage (``shapely.coverage_simplify``, Visvalingam-Whyatt, tolerance
  :data:`AREA_SIMPLIFY_M` = 50 m) when the districts form one, so neighbours keep identical
  shared edges, else polygon by polygon (Douglas-Peucker, topology preserved). 50 m is below
  the 200 m generalisation of the bundled ONS boundaries. Footprints, convex, are simplified
  by :data:`FOOTPRINT_SIMPLIFY_M` (5 m; plain Douglas-Peucker). Every coordinate is rounded to
  :data:`COORD_DECIMALS` (5) decimal degrees, about 1 m at UK latitudes: finer than anything
  the map can show and coarser than the 15+ digits a float would print.
* **Bounded size.** Above :data:`POINT_LIMIT` events (20,000) the event layers become counts
  per :data:`GRID_CELL_M` (500 m) British National Grid cell, and the header says so. Points
  are one MultiPoint per role (about 21 bytes an event) and cells one MultiPolygon per count
  class, drawn on one canvas in a pane above the polygons, not as an SVG element each.
* **Escaped values.** Every value from the input or the config that reaches the page (area
  names and codes, ids, type names, marking, title, period label, run date, boundary source,
  tile host) goes through `_text`: `escape_text` plus braces as character references. The
  braces matter: branca compiles each element's *rendered* script as a new Jinja template
  (``Element(script(...))``), so a value such as ``{{ 7 * 7 }}`` in a tooltip would be
  evaluated while the page is built -- with full Python access, e.g.
  ``{{ cycler.__init__.__globals__.os.getpid() }}`` -- and ``{% raw %}`` would crash it.
  `Analysis` holds no free-text fields; keep it that way.
* **Deterministic.** The same analysis gives the same bytes: no clock (the run date is the
  caller's), fixed number formatting, features in table order.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, cast

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from folium.utilities import JsCode
from pyproj import Transformer

from hotspots import parallel, schema
from hotspots.boundaries import DEFAULT_SOURCE
from hotspots.errors import ConfigError, InputError
from hotspots.geojson import geometry_json, web_geometries
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis
from hotspots.params import AnalysisParams, PresentationParams
from hotspots.render.offline import PreparedGeoJson, escape_text, offline_html
from hotspots.tiles import basemap_from_tiles

__all__ = [
    "AREA_SIMPLIFY_M",
    "COORD_DECIMALS",
    "DEFAULT_BOUNDARY_ATTRIBUTION",
    "DEFAULT_TITLE",
    "FOOTPRINT_SIMPLIFY_M",
    "GEOCODING_WARN_RATE",
    "GRID_CELL_M",
    "POINT_LIMIT",
    "RANK_LABELS",
    "map_html",
]

logger = logging.getLogger(__name__)

DEFAULT_TITLE: Final = "hotspots — harm and enforcement coverage"

#: Decimal places of every longitude/latitude in the page: 1e-5 degrees is about 1.1 m of
#: latitude and 0.7 m of longitude in England and Wales, well below what the map can show.
COORD_DECIMALS: Final = 5
#: Simplification of district boundaries (metres, EPSG:27700) before drawing: below the 200 m
#: generalisation of the bundled ONS boundaries, invisible at county zoom.
AREA_SIMPLIFY_M: Final = 50.0
#: Simplification of hotspot and enforcement-cluster footprints (metres): street scale.
FOOTPRINT_SIMPLIFY_M: Final = 5.0
#: Above this many events the event layers show counts per grid cell instead of points: beyond
#: it the page grows past a few megabytes and pans slowly on an ordinary laptop.
POINT_LIMIT: Final = 20_000
#: Side of the aggregation cells in metres (British National Grid squares).
GRID_CELL_M: Final = 500
#: Hotspots ranked 1..RANK_LABELS carry their rank as a label; the rest only in their tooltip.
RANK_LABELS: Final = 10
#: Geocoding rates below this are flagged: the usual minimum for reliable hotspot analysis.
GEOCODING_WARN_RATE: Final = 0.85

#: The attribution the bundled ONS boundaries require (Open Government Licence v3.0).
DEFAULT_BOUNDARY_ATTRIBUTION: Final = (
    "Boundaries: Source: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0; Contains OS data © Crown copyright and database right"
)


# --- colours -------------------------------------------------------------------------------
# Areas: ColorBrewer BrBG (4 classes), colour-blind safe; brown = low coverage.
_AREA_NO_HARM: Final = "#e8e8e8"
_AREA_COLOURS: Final = ("#a6611a", "#dfc27d", "#80cdc1", "#018571")
# Hotspots: Okabe-Ito, distinguishable with every common colour-vision deficiency.
_THIN_FILL, _THIN_LINE = "#D55E00", "#7a2e00"
_COVERED_FILL, _COVERED_LINE = "#0072B2", "#003a5c"
_CLUSTER_LINE: Final = "#222222"
# Event points: Paul Tol's "bright" purple and green, also safe, and distinct from the above.
_HARM_POINT: Final = "#AA3377"
_ENFORCEMENT_POINT: Final = "#228833"
# Grid cells: count classes (lower bounds) and the fill opacity of each.
_GRID_CLASSES: Final = ((1, 0.25), (5, 0.45), (20, 0.65), (100, 0.85))

_CANVAS_RENDERER: Final = "hotspots_canvas_renderer"
_EVENTS_PANE: Final = "hotspotsEvents"

_CSS_TEMPLATE: Final = """
html, body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; }
body { display: flex; flex-direction: column; }
.folium-map { order: 1; flex: 1 1 0; min-height: 0; }
.folium-map.leaflet-container { background: #f4f4f0; }
.leaflet-tooltip.foliumtooltip { font-size: 12px; }
.leaflet-control-layers { font-size: 13px; }
.leaflet-control-attribution, .leaflet-control-scale-line { font-size: 11px; }
.leaflet-pane.leaflet-hotspotsEvents-pane { z-index: 450; pointer-events: none; }
#hotspots-header { order: 0; flex: 0 0 auto; background: #fff; color: #1a1a1a;
  border-bottom: 1px solid #bbb; font-size: 13px; line-height: 1.35; }
#hotspots-header .hotspots-lines { padding: 4px 10px 6px; }
#hotspots-header h1 { font-size: 17px; margin: 2px 0 3px; }
#hotspots-header p { margin: 1px 0; }
#hotspots-header .hotspots-warning { color: #8a1c00; font-weight: 600; }
#hotspots-footer { order: 2; flex: 0 0 auto; }
.hotspots-marking { background: #1a1a1a; color: #fff; font-weight: 700; text-align: center;
  letter-spacing: 0.08em; font-size: 13px; height: 22px; line-height: 22px; overflow: hidden;
  white-space: nowrap; }
#hotspots-legend { position: fixed; right: 10px; bottom: 46px; z-index: 1000; max-width: 290px;
  max-height: 55vh; overflow: auto; background: rgba(255, 255, 255, 0.94); color: #1a1a1a;
  border: 1px solid #999; border-radius: 4px; padding: 4px 8px 6px; font-size: 12px;
  line-height: 1.3; }
#hotspots-legend summary { font-weight: 700; cursor: pointer; }
#hotspots-legend h2 { font-size: 12px; margin: 6px 0 2px; }
#hotspots-legend ul { list-style: none; margin: 0; padding: 0; }
.hotspots-legend-entry { display: flex; align-items: center; gap: 6px; margin: 1px 0; }
.hotspots-swatch { flex: 0 0 auto; display: inline-block; width: 16px; height: 12px;
  box-sizing: border-box; }
.hotspots-dot { width: 8px; height: 8px; border-radius: 50%; margin: 0 4px; }
.hotspots-rank { border: 2px solid #fff; border-radius: 50%; box-sizing: border-box;
  font: 700 11px/16px system-ui, Arial, sans-serif; text-align: center; color: #fff;
  box-shadow: 0 0 0 1px #1a1a1a; }
.hotspots-rank-thin { background: %(thin)s; }
.hotspots-rank-covered { background: %(covered)s; }
.leaflet-tooltip table th { text-align: left; padding-right: 8px; font-weight: 600; }
"""
_CSS: Final = _CSS_TEMPLATE.replace("%(thin)s", _THIN_FILL).replace("%(covered)s", _COVERED_FILL)


@dataclass(frozen=True)
class _Swatch:
    """One legend entry: a label and the CSS of its swatch (built from constants only)."""

    label: str  # already escaped
    css: str  # inline CSS of the swatch; for kind "rank", the badge's status class
    kind: str = "swatch"  # "swatch", "dot" or "rank"


# Braces as character references: they render as "{" and "}" in HTML text, attributes and
# innerHTML, but can never form the Jinja syntax ({{, {%, {#) that branca would evaluate.
_BRACES: Final = str.maketrans({"{": "&#123;", "}": "&#125;"})


def _text(value: object) -> str:
    """Escape a value for the page: `escape_text`, and braces so Jinja never sees a tag."""
    return escape_text(value).translate(_BRACES)


class _RawHtml(Element):
    """An element that renders a fixed string; never parsed as a Jinja template.

    folium's ``Element(html)`` would run the text through Jinja, so a value such as
    ``{{ 7 * 7 }}`` in a period label or marking would be evaluated, not shown.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__()
        self._name = name
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """Return the fixed text."""
        return self._text


class _EventCanvas(MacroElement):
    """A pane above the polygons holding one shared canvas for every event point or cell.

    Leaflet puts all canvases below all SVG (``.leaflet-map-pane canvas {z-index: 100}``), so
    points drawn on the overlay pane would sit under the hotspot fills. The pane ignores the
    mouse, so tooltips of the footprints underneath keep working. Add it to the map before
    the layers that use it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.createPane({{ this.pane|tojson }});
            var {{ this.renderer }} = L.canvas({
                padding: 0.5, pane: {{ this.pane|tojson }}
            });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "EventCanvas"
        self.pane = _EVENTS_PANE
        self.renderer = _CANVAS_RENDERER


def map_html(
    analysis: Analysis,
    presentation: PresentationParams | None = None,
    *,
    title: str = DEFAULT_TITLE,
    point_limit: int = POINT_LIMIT,
) -> str:
    """Render an analysis as a self-contained HTML map.

    Parameters
    ----------
    analysis
        The analysis of one period. Its tables must be in a projected CRS with a known EPSG
        code (EPSG:27700 from the pipeline); see :mod:`hotspots.model` for the columns.
    presentation
        Marking, basemap, whether to draw events, run date (default: `PresentationParams()`).
        The run date is printed in the header when given (e.g. ``"2024-10-02"``); the map
        holds no clock reading of its own, so the same analysis gives the same bytes.
    title
        Page title and heading.
    point_limit
        With ``presentation.show_points``, more analysed events than this are drawn as counts per
        500 m grid cell instead of individual points.

    Returns
    -------
    str
        The complete HTML document, byte-identical for equal inputs.

    Raises
    ------
    TypeError
        If `analysis` is not an `Analysis`.
    InputError
        If a table lacks the columns of the data contract or has no CRS.
    ConfigError
        If ``presentation.tiles`` is not ``"none"``, ``"osm"`` or an http(s) URL template with
        ``{z}``, ``{x}`` and ``{y}``.
    """
    if not isinstance(analysis, Analysis):
        raise TypeError(f"map_html: analysis must be an Analysis, got {type(analysis).__name__}")
    if isinstance(point_limit, bool) or not isinstance(point_limit, int) or point_limit < 0:
        raise ConfigError(f"map_html: point_limit must be a whole number >= 0, got {point_limit!r}")
    presentation = PresentationParams() if presentation is None else presentation
    _check_tables(analysis, presentation.show_points)
    params = analysis.params
    tile_layer = _tile_layer(presentation.tiles)

    areas = _web_features(analysis.areas, AREA_SIMPLIFY_M, coverage=True)
    hotspots = _web_features(analysis.hotspots, FOOTPRINT_SIMPLIFY_M, convex=True)
    clusters = _web_features(analysis.enforcement_clusters, FOOTPRINT_SIMPLIFY_M, convex=True)
    bounds = _bounds(areas) or _bounds(hotspots) or _bounds(clusters) or _ENGLAND_WALES_BOUNDS

    (south, west), (north, east) = bounds
    m = folium.Map(
        location=[
            round((south + north) / 2, COORD_DECIMALS),
            round((west + east) / 2, COORD_DECIMALS),
        ],
        zoom_start=9,
        tiles=tile_layer,
        control_scale=True,
    )
    root = cast(Figure, m.get_root())
    root.title = _text(title)
    root.header.add_child(_RawHtml(f"<style>{_CSS}</style>", "HotspotsStyle"), name="hotspots_css")
    # Keep the data clear of the legend (bottom right) and the layer control (top right).
    fit = folium.FitBounds(bounds, padding_top_left=(10, 10), padding_bottom_right=(300, 10))
    # Jump, don't glide: an animated zoom is still running when the page reports "load".
    fit.options["animate"] = False
    fit.add_to(m)

    edges = _coverage_edges(params.thin_ratio)
    enforcement_types = _types_with_role(analysis, schema.ROLE_ENFORCEMENT)
    harm_types = _types_with_role(analysis, schema.ROLE_HARM)

    _add_areas(m, analysis, areas, edges, _boundary_attribution(analysis.boundary_source))
    _add_clusters(m, analysis, clusters, enforcement_types)
    _add_hotspots(m, analysis, hotspots, enforcement_types, harm_types)

    events = analysis.events
    show_points = presentation.show_points and len(events) > 0
    aggregated = show_points and len(events) > point_limit
    if show_points:
        _EventCanvas().add_to(m)
        if aggregated:
            _add_grid_layers(m, events)
        else:
            _add_point_layers(m, events)

    folium.LayerControl(collapsed=False).add_to(m)

    root_html = root.html
    root_html.add_child(
        _RawHtml(
            _header_html(analysis, presentation, title, show_points, aggregated, point_limit),
            "HotspotsHeader",
        ),
        name="hotspots_header",
    )
    root_html.add_child(
        _RawHtml(_legend_html(analysis, edges, show_points, aggregated), "HotspotsLegend"),
        name="hotspots_legend",
    )
    root_html.add_child(
        _RawHtml(
            f'<div id="hotspots-footer" class="hotspots-marking">{_marking(presentation)}</div>',
            "HotspotsFooter",
        ),
        name="hotspots_footer",
    )

    page = offline_html(m)
    thin = int((analysis.hotspots["status"] == schema.STATUS_THIN).sum()) if len(hotspots) else 0
    logger.info(
        "map: %d areas, %d hotspots (%d thin), %d enforcement clusters, events %s; %d characters",
        len(areas),
        len(hotspots),
        thin,
        len(clusters),
        ("in 500 m cells" if aggregated else "as points") if show_points else "not shown",
        len(page),
    )
    return page


# --- checks ----------------------------------------------------------------------------------


def _check_tables(analysis: Analysis, show_points: bool) -> None:
    """Raise one InputError listing every missing column or CRS in the analysis tables."""
    problems: list[str] = []
    required: dict[str, Sequence[str]] = {
        "hotspots": HOTSPOT_COLUMNS,
        "areas": AREA_COLUMNS,
        "enforcement_clusters": ("cluster_id", "events"),
    }
    for name, columns in required.items():
        table = getattr(analysis, name)
        if not isinstance(table, gpd.GeoDataFrame):
            problems.append(f"analysis.{name} is a {type(table).__name__}, not a GeoDataFrame")
            continue
        missing = [column for column in columns if column not in table.columns]
        if missing:
            problems.append(f"analysis.{name} lacks column(s) {', '.join(missing)}")
        if table.crs is None:
            problems.append(
                f"analysis.{name} has no CRS; set it with set_crs('{schema.CRS_METRIC}')"
            )
    if show_points:
        missing = [
            c
            for c in (schema.COL_X, schema.COL_Y, schema.COL_ROLE)
            if c not in analysis.events.columns
        ]
        if missing:
            problems.append(
                f"analysis.events lacks column(s) {', '.join(missing)} (show_points is on)"
            )
    if problems:
        raise InputError(
            "map_html: the analysis does not follow hotspots.model:\n  - " + "\n  - ".join(problems)
        )


def _tile_layer(tiles: str) -> folium.TileLayer | None:
    """The basemap for ``tiles``; None draws boundaries on a plain background."""
    basemap = basemap_from_tiles(tiles)
    if basemap is None:
        return None
    if basemap.attribution_html is not None:
        return folium.TileLayer(
            basemap.url, attr=basemap.attribution_html, name="OpenStreetMap", max_zoom=basemap.max_zoom
        )
    host = _text(basemap.host)
    return folium.TileLayer(basemap.url, attr=f"Map tiles: {host}", name=f"Tiles: {host}")


# --- geometry ---------------------------------------------------------------------------------

# (south, west), (north, east) of England and Wales: the view when there is nothing to fit.
_ENGLAND_WALES_BOUNDS: Final = ((49.9, -6.4), (55.8, 1.8))


@dataclass(frozen=True)
class _Feature:
    """One table row ready to draw: its row position and its WGS84 GeoJSON geometry (JSON)."""

    row: int
    geometry: str
    bounds: tuple[float, float, float, float]  # west, south, east, north


def _web_features(
    table: gpd.GeoDataFrame, simplify_m: float, *, coverage: bool = False, convex: bool = False
) -> list[_Feature]:
    """Simplify in metres, project to WGS84 and round; skip empty or missing geometries.

    ``coverage``: the polygons tile the study area (districts); ``convex``: each one is
    convex (footprints), so plain Douglas-Peucker keeps it simple and valid -- several times
    faster than the topology-preserving variant, which matters at thousands of footprints.
    """
    if len(table) == 0:
        return []
    geoms = np.asarray(table.geometry.values, dtype=object)
    rows = np.flatnonzero(~(shapely.is_missing(geoms) | shapely.is_empty(geoms)))
    geoms = geoms[rows]
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
        _Feature(row, geometry, tuple(box))
        for row, geometry, box in zip(rows[keep].tolist(), geometries, bounds, strict=True)
    ]


def _bounds(features: Sequence[_Feature]) -> list[list[float]] | None:
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


def _lonlat(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = parallel.transform(_to_web(), np.asarray(x_m, dtype=float), np.asarray(y_m, dtype=float))
    return np.round(lon, COORD_DECIMALS), np.round(lat, COORD_DECIMALS)


# --- formatting -------------------------------------------------------------------------------


def _count(value: Any) -> str:
    """A count with thousands separators; "–" when missing."""
    if type(value) is int:  # the common case, tens of thousands of times on a large map
        return f"{value:,}"
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    return f"{int(value):,}"


def _ratio(value: Any) -> str:
    """A coverage ratio to two decimals; "–" when undefined (no harm)."""
    if value is None or pd.isna(value) or not math.isfinite(float(value)):
        return "–"
    return f"{float(value):.2f}"


def _number(value: float) -> str:
    """A parameter as written by a person: 400, 0.5, 12.5."""
    return f"{float(value):g}"


def _types_with_role(analysis: Analysis, role: str) -> list[str]:
    return [name for name, r in analysis.types.roles.items() if r == role]


def _by_type(row: Mapping[str, Any], types: Sequence[str]) -> str:
    """``"raid 2, seizure 1"`` from the ``n_<type>`` columns of a row (escaped names)."""
    parts = [f"{_type_label(t)} {_count(row.get(f'n_{t}', 0))}" for t in types]
    return ", ".join(parts)


@cache
def _type_label(name: str) -> str:
    """An event type's name, escaped once (a map shows it in every footprint's tooltip)."""
    return _text(name)


def _area_label(name: Any, code: Any) -> str:
    name_text = "" if name is None or pd.isna(name) else str(name)
    code_text = "" if code is None or pd.isna(code) else str(code)
    if name_text and code_text:
        return _text(f"{name_text} ({code_text})")
    return _text(name_text or code_text or "no district")


def _marking(presentation: PresentationParams) -> str:
    return _text(presentation.marking.strip().upper())


def _boundary_attribution(source: str) -> str:
    """The boundary attribution: the ONS wording for the bundled districts, else the source."""
    text = (source or "").strip()
    if not text or text == DEFAULT_SOURCE.strip():
        return _text(DEFAULT_BOUNDARY_ATTRIBUTION)
    if "boundaries" in text.lower():  # e.g. "User boundaries: force_areas.gpkg"
        return _text(text)
    return _text(f"Boundaries: {text}")


# --- layers -----------------------------------------------------------------------------------


def _coverage_edges(thin_ratio: float) -> tuple[float, float, float]:
    """Class edges of the area choropleth: half, one and two times the thin ratio.

    With the default 0.5 these are 0.25, 0.5 and 1, and the thin threshold is always an edge.
    A thin ratio of 0 (nothing is thin) falls back to the default's edges.
    """
    ratio = thin_ratio if thin_ratio > 0 else 0.5
    return (ratio / 2, ratio, ratio * 2)


def _coverage_class(coverage: Any, harm: Any, edges: Sequence[float]) -> int:
    """-1 for no harm, else 0..3 by the edges."""
    if harm is None or pd.isna(harm) or harm <= 0 or coverage is None or pd.isna(coverage):
        return -1
    return int(sum(float(coverage) >= edge for edge in edges))


def _layer(
    features: Sequence[_Feature], properties: Sequence[dict[str, Any]], **kwargs: Any
) -> PreparedGeoJson:
    """A GeoJSON layer of the features, feature ``id`` 0, 1, ... in order.

    The collection is written as JSON text here: at a million events the map holds tens of
    thousands of footprints, too many to hand folium as Python objects.
    """
    features_text = ",".join(
        f'{{"type":"Feature","id":{i},"properties":{_compact_json(props)},'
        f'"geometry":{feature.geometry}}}'
        for i, (feature, props) in enumerate(zip(features, properties, strict=True))
    )
    text = '{"type":"FeatureCollection","features":[' + features_text + "]}"
    return PreparedGeoJson(text, list(properties[0]), **kwargs)


def _compact_json(value: Any) -> str:
    """JSON without spaces (the page's data layers are megabytes at national scale)."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)


def _style_by(prop: str, styles: Mapping[int, Mapping[str, Any]]) -> JsCode:
    """A Leaflet style function: the style of the class in the feature's property ``prop``.

    The styles are a table in the page, so a footprint's colour is data in the JavaScript,
    not a ``case`` per feature as folium's ``style_function`` writes.
    """
    table = json.dumps({str(key): dict(style) for key, style in styles.items()}, sort_keys=True)
    return JsCode(f"function(feature) {{ return {table}[String(feature.properties.{prop})]; }}")


def _tooltip(fields: Sequence[tuple[str, str]]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(
        fields=[key for key, _ in fields],
        aliases=[_text(alias) for _, alias in fields],
        sticky=True,
    )


def _add_areas(
    m: folium.Map,
    analysis: Analysis,
    features: Sequence[_Feature],
    edges: Sequence[float],
    attribution: str,
) -> None:
    group = folium.FeatureGroup(name=_text("Districts: coverage"), show=True).add_to(m)
    if not features:
        return
    rows = _records(analysis.areas, features)
    properties = [
        {
            "area": _area_label(row["area_name"], row["area_code"]),
            "harm": _count(row["harm"]),
            "enforcement": _count(row["enforcement"]),
            "coverage": _ratio(row["coverage"]) if row["harm"] and row["harm"] > 0 else "no harm",
            "hotspots": f"{_count(row['hotspots'])} ({_count(row['thin_hotspots'])} thin)",
            "harm_thin": _count(row["harm_in_thin_hotspots"]),
            "cls": _coverage_class(row["coverage"], row["harm"], edges),
        }
        for row in rows
    ]
    fills = {-1: _AREA_NO_HARM, **dict(enumerate(_AREA_COLOURS))}
    styles = {
        cls: {"fillColor": fill, "fillOpacity": 0.5, "color": "#555555", "weight": 1}
        for cls, fill in fills.items()
    }
    _layer(
        features,
        properties,
        name=_text("Districts: coverage"),
        control=False,
        class_name="hotspots-area",  # Leaflet puts it on every path: tests count them
        style=_style_by("cls", styles),
        tooltip=_tooltip(
            [
                ("area", "District"),
                ("harm", "Harm events"),
                ("enforcement", "Enforcement events"),
                ("coverage", "Coverage"),
                ("hotspots", "Hotspots"),
                ("harm_thin", "Harm in thin hotspots"),
            ]
        ),
        attribution=attribution,
    ).add_to(group)


def _add_clusters(
    m: folium.Map,
    analysis: Analysis,
    features: Sequence[_Feature],
    enforcement_types: Sequence[str],
) -> None:
    group = folium.FeatureGroup(name=_text("Enforcement clusters"), show=True).add_to(m)
    if not features:
        return
    properties = []
    for row in _records(analysis.enforcement_clusters, features):
        events = _count(row["events"])
        by_type = _by_type(row, enforcement_types)
        properties.append(
            {
                "cluster": _text(row["cluster_id"]),
                "events": f"{events} ({by_type})" if by_type else events,
            }
        )
    style = {
        "color": _CLUSTER_LINE,
        "weight": 2,
        "dashArray": "6 4",
        "fillColor": _CLUSTER_LINE,
        "fillOpacity": 0.04,
    }
    _layer(
        features,
        properties,
        name=_text("Enforcement clusters"),
        control=False,
        class_name="hotspots-cluster",  # Leaflet puts it on every path: tests count them
        style=JsCode(f"function(feature) {{ return {json.dumps(style, sort_keys=True)}; }}"),
        tooltip=_tooltip([("cluster", "Enforcement cluster"), ("events", "Enforcement events")]),
    ).add_to(group)


def _add_hotspots(
    m: folium.Map,
    analysis: Analysis,
    features: Sequence[_Feature],
    enforcement_types: Sequence[str],
    harm_types: Sequence[str],
) -> None:
    group = folium.FeatureGroup(name=_text("Hotspots"), show=True).add_to(m)
    if not features:
        return
    table = analysis.hotspots.reset_index(drop=True)
    properties = []
    labels: list[tuple[int, bool, list[float]]] = []
    for feature, row in zip(features, _records(table, features), strict=True):
        thin = row["status"] == schema.STATUS_THIN
        harm = _count(row["harm"])
        harm_by_type = _by_type(row, harm_types) if len(harm_types) > 1 else ""
        enforcement = _count(row["enforcement"])
        enforcement_by_type = _by_type(row, enforcement_types)
        days = row["days_since_enforcement"]
        footprint_km2 = row["footprint_m2"] / 1e6 if not pd.isna(row["footprint_m2"]) else math.nan
        properties.append(
            {
                "hotspot": _text(row["hotspot_id"]),
                "rank": _count(row["rank"]),
                "status": _text(row["status"]),
                "area": _area_label(row["area_name"], row["area_code"]),
                "harm": f"{harm} ({harm_by_type})" if harm_by_type else harm,
                "enforcement": (
                    f"{enforcement} ({enforcement_by_type})" if enforcement_by_type else enforcement
                ),
                "coverage": _ratio(row["coverage"]),
                "days": "none in record" if pd.isna(days) else f"{int(days):,}",
                "footprint": "–" if math.isnan(footprint_km2) else f"{footprint_km2:.2f} km²",
                "thin": 1 if thin else 0,
            }
        )
        rank = row["rank"]
        if not pd.isna(rank) and 1 <= int(rank) <= RANK_LABELS:
            point = _label_point(table.geometry.iloc[feature.row], table.crs)
            labels.append((int(rank), thin, point))

    styles = {
        thin: {
            "fillColor": _THIN_FILL if thin else _COVERED_FILL,
            "color": _THIN_LINE if thin else _COVERED_LINE,
            "fillOpacity": 0.55,
            "weight": 2,
        }
        for thin in (1, 0)
    }
    _layer(
        features,
        properties,
        name=_text("Hotspots"),
        control=False,
        class_name="hotspots-footprint",  # Leaflet puts it on every path: tests count them
        style=_style_by("thin", styles),
        on_each_feature=JsCode(_HIGHLIGHT_ON_HOVER),
        tooltip=_tooltip(
            [
                ("hotspot", "Hotspot"),
                ("rank", "Rank"),
                ("status", "Status"),
                ("area", "District"),
                ("harm", "Harm events"),
                ("enforcement", "Enforcement in footprint"),
                ("coverage", "Coverage"),
                ("days", "Days since enforcement"),
                ("footprint", "Footprint"),
            ]
        ),
    ).add_to(group)
    # Rank 1 drawn last, so it sits on top where labels crowd. At county zoom a footprint is a
    # few pixels wide: the label, coloured by status, is what shows where the hotspots are.
    for rank, thin, (lat, lon) in sorted(labels, key=lambda label: label[0], reverse=True):
        status_class = "hotspots-rank-thin" if thin else "hotspots-rank-covered"
        folium.Marker(
            [lat, lon],
            icon=folium.DivIcon(
                html=_text(rank),
                icon_size=(20, 20),
                icon_anchor=(10, 10),
                class_name=f"hotspots-rank {status_class}",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)


# A hovered footprint's outline thickens (weight 2 -> 4) and returns when the mouse leaves.
_HIGHLIGHT_ON_HOVER: Final = (
    "function(feature, layer) { layer.on({"
    "mouseover: function(e) { e.target.setStyle({weight: 4}); }, "
    "mouseout: function(e) { e.target.setStyle({weight: 2}); } }); }"
)


def _records(table: pd.DataFrame, features: Sequence[_Feature]) -> list[dict[str, Any]]:
    """The table rows of the features, as dicts (one conversion, not a lookup per row)."""
    rows = table.iloc[[feature.row for feature in features]]
    return rows.drop(columns=rows.geometry.name).to_dict(orient="records")


def _label_point(geometry: Any, crs: Any) -> list[float]:
    """Where a rank label goes: the footprint's centroid, or a point inside it if concave."""
    point = geometry.centroid
    if not geometry.contains(point):
        point = geometry.representative_point()
    web = gpd.GeoSeries([point], crs=crs).to_crs(schema.CRS_WEB).iloc[0]
    return [round(web.y, COORD_DECIMALS), round(web.x, COORD_DECIMALS)]


def _canvas_marker(colour: str, radius: float) -> folium.CircleMarker:
    marker = folium.CircleMarker(
        radius=radius, color="#ffffff", weight=1, fill_color=colour, fill_opacity=1.0
    )
    # One shared canvas for every point: thousands of SVG circles would make panning crawl.
    options = cast(dict[str, Any], marker.options)
    options["renderer"] = JsCode(_CANVAS_RENDERER)
    options["interactive"] = False
    return marker


_EVENT_LAYERS: Final = (
    (schema.ROLE_HARM, "Harm events", _HARM_POINT),
    (schema.ROLE_ENFORCEMENT, "Enforcement events", _ENFORCEMENT_POINT),
)


def _add_point_layers(m: folium.Map, events: pd.DataFrame) -> None:
    """One MultiPoint per role: ~20 bytes an event instead of ~90 for a Feature each."""
    for role, name, colour in _EVENT_LAYERS:
        subset = events[events[schema.COL_ROLE] == role]
        group = folium.FeatureGroup(name=_text(name), show=True).add_to(m)
        if len(subset) == 0:
            continue
        lon, lat = _lonlat(subset[schema.COL_X].to_numpy(), subset[schema.COL_Y].to_numpy())
        data = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {"type": "MultiPoint", "coordinates": np.column_stack([lon, lat]).tolist()},
                }
            ],
        }
        PreparedGeoJson(
            _compact_json(data),
            [],
            name=_text(name),
            control=False,
            marker=_canvas_marker(colour, 4),
        ).add_to(group)


def _add_grid_layers(m: folium.Map, events: pd.DataFrame) -> None:
    """Counts of events per GRID_CELL_M square of the British National Grid, one layer per role."""
    for role, name, colour in _EVENT_LAYERS:
        subset = events[events[schema.COL_ROLE] == role]
        label = f"{name} per {GRID_CELL_M} m cell"
        group = folium.FeatureGroup(name=_text(label), show=True).add_to(m)
        if len(subset) == 0:
            continue
        cells = np.floor(
            np.column_stack(
                [subset[schema.COL_X].to_numpy(float), subset[schema.COL_Y].to_numpy(float)]
            )
            / GRID_CELL_M
        ).astype(np.int64)
        # One int64 per cell, column-major, so the unique cells come out in (column, row)
        # order; np.unique(axis=0) would sort the pairs ten times slower.
        low = cells.min(axis=0)
        rows = int(cells[:, 1].max() - low[1]) + 1
        packed, counts = np.unique((cells[:, 0] - low[0]) * rows + (cells[:, 1] - low[1]), return_counts=True)
        x0 = (packed // rows + low[0]).astype(float) * GRID_CELL_M
        y0 = (packed % rows + low[1]).astype(float) * GRID_CELL_M
        corners = [
            (x0, y0),
            (x0 + GRID_CELL_M, y0),
            (x0 + GRID_CELL_M, y0 + GRID_CELL_M),
            (x0, y0 + GRID_CELL_M),
            (x0, y0),
        ]
        # (cell, corner, lon/lat): each cell's closed ring, as nested lists in one step.
        rings = np.stack([np.column_stack(_lonlat(cx, cy)) for cx, cy in corners], axis=1)
        squares = rings[:, np.newaxis].tolist()  # a polygon is a list of rings
        # One MultiPolygon per count class: no per-cell feature, id or style entry, so a
        # county of cells costs about 110 bytes a cell.
        lower = np.array([bound for bound, _opacity in _GRID_CLASSES])
        classes = np.searchsorted(lower, counts, side="right") - 1
        features = [
            {
                "type": "Feature",
                "id": int(cls),
                "properties": {"cls": int(cls), "cells": int((classes == cls).sum())},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [squares[i] for i in np.flatnonzero(classes == cls)],
                },
            }
            for cls in np.unique(classes)
        ]
        styles = {
            cls: {"fillColor": colour, "fillOpacity": opacity, "color": colour, "weight": 0.5, "opacity": 0.8}
            for cls, (_lower, opacity) in enumerate(_GRID_CLASSES)
        }
        PreparedGeoJson(
            _compact_json({"type": "FeatureCollection", "features": features}),
            ["cls", "cells"],
            name=_text(label),
            control=False,
            style=_style_by("cls", styles),
            renderer=JsCode(_CANVAS_RENDERER),
            interactive=False,
        ).add_to(group)


# --- header and legend ------------------------------------------------------------------------


def _period_text(analysis: Analysis) -> str:
    period = analysis.period or analysis.params.period
    if period is not None:
        label = _text(period.label)
        span = f"{period.start.isoformat()} – {period.end.isoformat()}"
        # An explicit range ("2024-07-01..2024-09-30") says nothing the span does not.
        return f"{label} ({span})" if period.label.strip() and ".." not in period.label else span
    events = analysis.events
    if len(events) and schema.COL_DATE_START in events and schema.COL_DATE_END in events:
        first, last = events[schema.COL_DATE_START].min(), events[schema.COL_DATE_END].max()
        if not pd.isna(first) and not pd.isna(last):
            return f"all dates (events {first:%Y-%m-%d} – {last:%Y-%m-%d})"
    return "all dates"


def _eps_source(params: AnalysisParams) -> str:
    """How eps was chosen, in brackets, when it was not simply given."""
    source = params.eps_source.strip()
    if not source or source == "given":
        return ""
    if source.startswith("auto"):
        return f" (chosen from the harm events' k-distance curve; {_text(source)})"
    return f" ({_text(source)})"


def _header_html(
    analysis: Analysis,
    presentation: PresentationParams,
    title: str,
    show_points: bool,
    aggregated: bool,
    point_limit: int,
) -> str:
    params, quality = analysis.params, analysis.quality
    run_date = presentation.run_date
    hotspots = analysis.hotspots
    n_thin = int((hotspots["status"] == schema.STATUS_THIN).sum())
    events = analysis.events
    roles = events[schema.COL_ROLE] if schema.COL_ROLE in events else pd.Series([], dtype=object)
    n_harm = int((roles == schema.ROLE_HARM).sum())
    n_enforcement = int((roles == schema.ROLE_ENFORCEMENT).sum())
    thin = _number(params.thin_ratio)

    rate = quality.geocoding_rate
    rate_text = f"geocoding rate {rate * 100:.1f}%"
    if quality.rows_read and rate < GEOCODING_WARN_RATE:
        rate_text = (
            f'<span class="hotspots-warning">{rate_text} — below '
            f"{GEOCODING_WARN_RATE * 100:.0f}%, hotspots may be incomplete</span>"
        )
    quality_line = (
        f"Data: {quality.rows_read:,} rows read, {quality.rows_analysed:,} analysed, "
        f"{quality.rows_outside_period:,} outside the period, {quality.rows_rejected:,} rejected; "
        f"{rate_text}."
    )
    warnings = [_text(w) for w in quality.warnings]
    if len(warnings) > 3:
        warnings = [*warnings[:3], f"and {len(warnings) - 3} more (see summary.json)"]

    if not show_points:
        points_line = "Event points: not shown (off by default: they are victims' locations)."
    elif aggregated:
        points_line = (
            f'<span class="hotspots-warning">Event points aggregated: {len(events):,} events '
            f"is above the limit of {point_limit:,}, so events are shown as counts per "
            f"{GRID_CELL_M} m grid cell.</span>"
        )
    else:
        points_line = f"Event points: shown ({n_harm:,} harm, {n_enforcement:,} enforcement)."

    lines = [
        f"<h1>{_text(title)}</h1>",
        (
            f"<p><b>Period:</b> {_period_text(analysis)} · <b>Hotspots:</b> {len(hotspots):,} "
            f"({n_thin:,} thin) · <b>Events analysed:</b> {n_harm:,} harm, "
            f"{n_enforcement:,} enforcement</p>"
        ),
        (
            f"<p><b>Parameters:</b> DBSCAN eps {_number(params.eps_m)} m{_eps_source(params)}, "
            "min samples "
            f"{params.min_samples:,}; footprint margin {_number(params.margin_m)} m; "
            f"thin ratio {thin}.</p>"
        ),
        f"<p>{quality_line}</p>",
    ]
    if warnings:
        lines.append(f'<p class="hotspots-warning">Warnings: {"; ".join(warnings)}</p>')
    lines.append(
        f"<p><b>Definitions:</b> coverage = enforcement events in footprint ÷ harm events; "
        f"thin = coverage &lt; {thin}; days since enforcement = from the period end to the "
        f"latest enforcement in the footprint. {points_line}</p>"
    )
    if run_date is not None:
        lines.append(f"<p><b>Run date:</b> {_text(run_date)}</p>")
    return (
        '<div id="hotspots-header">'
        f'<div class="hotspots-marking">{_marking(presentation)}</div>'
        f'<div class="hotspots-lines">{"".join(lines)}</div>'
        "</div>"
    )


def _entry(swatch: _Swatch) -> str:
    css_class = "hotspots-swatch hotspots-dot" if swatch.kind == "dot" else "hotspots-swatch"
    if swatch.kind == "rank":
        return (
            f'<li class="hotspots-legend-entry"><span class="hotspots-rank {swatch.css}" '
            'style="display:inline-block;width:20px;height:20px;">1</span>'
            f"{swatch.label}</li>"
        )
    return (
        f'<li class="hotspots-legend-entry"><span class="{css_class}" style="{swatch.css}">'
        f"</span>{swatch.label}</li>"
    )


def _legend_html(
    analysis: Analysis, edges: Sequence[float], show_points: bool, aggregated: bool
) -> str:
    low, thin, high = (_number(edge) for edge in edges)
    fill = "background:{};opacity:0.85;border:1px solid #555;"
    sections: list[tuple[str, list[_Swatch]]] = [
        (
            "Hotspots (harm clusters)",
            [
                _Swatch(
                    f"thin: coverage &lt; {_number(analysis.params.thin_ratio)}",
                    f"background:{_THIN_FILL};border:2px solid {_THIN_LINE};",
                ),
                _Swatch(
                    f"covered: coverage ≥ {_number(analysis.params.thin_ratio)}",
                    f"background:{_COVERED_FILL};border:2px solid {_COVERED_LINE};",
                ),
                _Swatch(
                    f"rank 1–{RANK_LABELS}, thin (1 = act first)", "hotspots-rank-thin", "rank"
                ),
                _Swatch(f"rank 1–{RANK_LABELS}, covered", "hotspots-rank-covered", "rank"),
            ],
        ),
        (
            "Enforcement clusters",
            [
                _Swatch(
                    "cluster of raids and seizures (outline)", f"border:2px dashed {_CLUSTER_LINE};"
                )
            ],
        ),
        (
            "Districts: coverage",
            [
                _Swatch(f"below {low}", fill.format(_AREA_COLOURS[0])),
                _Swatch(f"{low} – {thin}", fill.format(_AREA_COLOURS[1])),
                _Swatch(f"{thin} – {high}", fill.format(_AREA_COLOURS[2])),
                _Swatch(f"{high} or more", fill.format(_AREA_COLOURS[3])),
                _Swatch("no harm recorded", fill.format(_AREA_NO_HARM)),
            ],
        ),
    ]
    if show_points and not aggregated:
        sections.append(
            (
                "Events",
                [
                    _Swatch("harm event", f"background:{_HARM_POINT};", "dot"),
                    _Swatch("enforcement event", f"background:{_ENFORCEMENT_POINT};", "dot"),
                ],
            )
        )
    elif aggregated:
        bounds = [lower for lower, _ in _GRID_CLASSES]
        ranges = [
            f"{lower:,}–{upper - 1:,}" if upper - 1 > lower else f"{lower:,}"
            for lower, upper in itertools.pairwise(bounds)
        ] + [f"{bounds[-1]:,} or more"]
        swatches = []
        for role_name, colour in (("harm", _HARM_POINT), ("enforcement", _ENFORCEMENT_POINT)):
            for text, (_lower, opacity) in zip(ranges, _GRID_CLASSES, strict=True):
                swatches.append(
                    _Swatch(
                        f"{role_name} events per {GRID_CELL_M} m cell: {text}",
                        f"background:{colour};opacity:{opacity};",
                    )
                )
        sections.append(("Events (aggregated)", swatches))

    body = "".join(
        f"<h2>{heading}</h2><ul>{''.join(_entry(s) for s in swatches)}</ul>"
        for heading, swatches in sections
    )
    return f'<details id="hotspots-legend" open><summary>Legend</summary>{body}</details>'
