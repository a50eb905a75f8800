"""The comparison map (``compare.html``): how hotspots and area coverage changed between periods.

One self-contained offline page built with folium and :func:`~hotspots.render.offline.offline_html`:

* the default view, "Change since previous period", shows the current period's hotspots filled
  by change class and the resolved hotspots of the previous period as dashed outlines;
* two further views, "Previous period hotspots" and "Current period hotspots", show each
  period's own hotspots coloured by status on one shared scale; the three views are radio
  buttons in the layer control, so one click flips between the periods;
* an overlay shades each area by its change in coverage (enforcement per harm event) on a
  fixed, symmetric diverging scale, so maps of different runs read the same way;
* a header with the title, both periods and the parameters, a legend, and the protective
  marking in capitals at the top and bottom.

Every value from data is escaped before it reaches folium (see the offline module's contract).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, Figure

from hotspots import schema
from hotspots.compare import (
    CHANGE_CLASSES,
    CHANGE_RESOLVED,
    COVERAGE_CHANGES,
    PERIOD_CURRENT,
    PERIOD_PREVIOUS,
    Comparison,
    web_frame,
)
from hotspots.errors import InputError
from hotspots.model import Analysis
from hotspots.render.offline import escape_text, offline_html
from hotspots.tiles import basemap_from_tiles

__all__ = [
    "AREA_LAYER_NAME",
    "CHANGE_COLOURS",
    "CHANGE_VIEW_NAME",
    "COVERAGE_BINS",
    "CURRENT_VIEW_NAME",
    "PREVIOUS_VIEW_NAME",
    "STATUS_COLOURS",
    "compare_map_html",
]

#: Fill colours of the change classes (resolved hotspots are drawn as dashed outlines).
CHANGE_COLOURS: Final[Mapping[str, str]] = {
    "new": "#d7191c",
    "intensified": "#f46d43",
    "persistent": "#fdd835",
    "diminished": "#74add1",
    "merged": "#7b3294",
    "split": "#e7298a",
    "resolved": "#404040",
}
#: One status scale shared by both period views, so the two periods compare by eye.
STATUS_COLOURS: Final[Mapping[str, str]] = {
    schema.STATUS_THIN: "#b2182b",
    schema.STATUS_COVERED: "#2166ac",
}
#: Fixed, symmetric bins of the change in area coverage (enforcement per harm event):
#: (lower bound inclusive, upper bound exclusive, label, colour). Fixed so that every map of
#: every run uses the same colours for the same change.
COVERAGE_BINS: Final[tuple[tuple[float, float, str, str], ...]] = (
    (-math.inf, -0.5, "fell by 0.5 or more", "#a6611a"),
    (-0.5, -0.1, "fell by 0.1 to 0.5", "#dfc27d"),
    (-0.1, 0.1, "changed by less than 0.1", "#f5f5f5"),
    (0.1, 0.5, "rose by 0.1 to 0.5", "#80cdc1"),
    (0.5, math.inf, "rose by 0.5 or more", "#018571"),
)
NO_COMPARISON_COLOUR: Final = "#bdbdbd"  # no harm in one period: coverage undefined
NO_COMPARISON_LABEL: Final = "no harm in one period (no comparison)"

CHANGE_VIEW_NAME: Final = "Change since previous period"
PREVIOUS_VIEW_NAME: Final = "Previous period hotspots"
CURRENT_VIEW_NAME: Final = "Current period hotspots"
AREA_LAYER_NAME: Final = "Change in area coverage"

_AREA_PANE = "areas"  # below Leaflet's overlay pane (400), so hotspots stay on top and hoverable
_AREA_PANE_Z = 350
_MISSING = "n/a"
_TOOLTIP_CSS = "font: 12px/1.3 sans-serif; max-width: 420px; white-space: normal;"
_UK_CENTRE = (54.0, -2.5)

_PAGE_CSS = """
<style>
  .leaflet-control-container .leaflet-top { top: 24px; }
  .leaflet-control-container .leaflet-bottom { bottom: 24px; }
  .hs-marking { position: fixed; left: 0; right: 0; z-index: 1001; height: 22px;
    line-height: 22px; text-align: center; font: bold 13px sans-serif; letter-spacing: 0.08em;
    color: #fff; background: #1a1a1a; }
  .hs-marking-top { top: 0; }
  .hs-marking-bottom { bottom: 0; }
  .hs-header { position: fixed; top: 30px; left: 50%; transform: translateX(-50%);
    z-index: 1000; max-width: 60%; padding: 6px 10px; background: rgba(255, 255, 255, 0.92);
    border: 1px solid #999; border-radius: 4px; font: 12px sans-serif; text-align: center; }
  .hs-header h1 { margin: 0 0 2px; font-size: 15px; }
  .hs-header p { margin: 0; }
  .foliumtooltip th { white-space: nowrap; }
  .hs-legend { position: fixed; bottom: 46px; right: 10px; z-index: 1000; max-width: 250px;
    padding: 4px 8px; background: rgba(255, 255, 255, 0.92); border: 1px solid #999;
    border-radius: 4px; font: 11px sans-serif; }
  .hs-legend p { margin: 2px 0; }
  .hs-legend h2 { margin: 4px 0 2px; font-size: 12px; }
  .hs-legend ul { margin: 0; padding: 0; list-style: none; }
  .hs-legend li { margin: 1px 0; }
  .hs-swatch { display: inline-block; width: 14px; height: 10px; margin-right: 5px;
    vertical-align: middle; border: 1px solid #333; }
</style>
"""


def compare_map_html(
    comparison: Comparison,
    previous: Analysis,
    current: Analysis,
    *,
    marking: str,
    title: str,
    tiles: str = "none",
) -> str:
    """Render the comparison map as one self-contained, deterministic, offline HTML page.

    Parameters
    ----------
    comparison
        The result of :func:`hotspots.compare.compare` over `previous` and `current`.
    previous, current
        The two analyses; they supply the area polygons and each period's own hotspot figures.
    marking
        Protective marking, printed in capitals at the top and bottom of the page.
    title
        Page and header title.
    tiles
        ``"none"`` (default: the page makes no network request), ``"osm"``, or an http(s) tile
        URL template such as ``https://tiles.example/{z}/{x}/{y}.png``
        (see :func:`hotspots.tiles.basemap_from_tiles`).

    Returns
    -------
    str
        The HTML document; byte-identical for equal inputs.

    Raises
    ------
    InputError
        If `previous`/`current` are not the analyses the comparison was made from, or the
        marking is empty.
    """
    _check_inputs(comparison, previous, current, marking)
    hotspots = web_frame(comparison.hotspots)
    areas = web_frame(_area_polygons(comparison, previous, current))
    own_previous = web_frame(_own_hotspots(previous.hotspots))
    own_current = web_frame(_own_hotspots(current.hotspots))

    m = folium.Map(location=list(_UK_CENTRE), zoom_start=9, tiles=None, control_scale=True)
    tile_layer = _tile_layer(tiles)
    if tile_layer is not None:
        tile_layer.add_to(m)
    folium.map.CustomPane(_AREA_PANE, z_index=_AREA_PANE_Z, pointer_events=True).add_to(m)

    _area_layer(areas).add_to(m)
    change_view = folium.FeatureGroup(name=escape_text(CHANGE_VIEW_NAME), overlay=False)
    current_rows = hotspots[hotspots["period"] == PERIOD_CURRENT]
    resolved_rows = hotspots[hotspots["change"] == CHANGE_RESOLVED]
    _change_layer(current_rows, "Current hotspots by change", "c").add_to(change_view)
    _resolved_layer(resolved_rows).add_to(change_view)
    change_view.add_to(m)
    for name, frame, period, key in (
        (PREVIOUS_VIEW_NAME, own_previous, comparison.previous_period.label, "p"),
        (CURRENT_VIEW_NAME, own_current, comparison.current_period.label, "q"),
    ):
        view = folium.FeatureGroup(name=escape_text(name), overlay=False, show=False)
        _status_layer(frame, period, key).add_to(view)
        view.add_to(m)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)

    bounds = _bounds([hotspots, areas])
    if bounds is not None:
        m.fit_bounds(bounds)

    root = m.get_root()
    assert isinstance(root, Figure)  # folium.Map always has a Figure root
    root.title = escape_text(title)
    root.header.add_child(Element(_PAGE_CSS), name="hotspots_compare_css")
    root.html.add_child(Element(_marking_html(marking, "top")), name="hotspots_marking_top")
    root.html.add_child(Element(_header_html(comparison, title)), name="hotspots_header")
    root.html.add_child(Element(_legend_html(comparison)), name="hotspots_legend")
    root.html.add_child(Element(_marking_html(marking, "bottom")), name="hotspots_marking_bottom")
    return offline_html(m)


# --- inputs ----------------------------------------------------------------------------------


def _check_inputs(
    comparison: Comparison, previous: Analysis, current: Analysis, marking: str
) -> None:
    problems = []
    if previous.period != comparison.previous_period:
        problems.append(
            f"previous analysis is for {previous.period}, the comparison's previous period is "
            f"{comparison.previous_period}"
        )
    if current.period != comparison.current_period:
        problems.append(
            f"current analysis is for {current.period}, the comparison's current period is "
            f"{comparison.current_period}"
        )
    if not marking.strip():
        problems.append("marking: the protective marking must not be empty")
    if problems:
        raise InputError(
            "compare_map_html: " + "; ".join(problems) + "; pass the analyses given to compare()"
        )


def _area_polygons(
    comparison: Comparison, previous: Analysis, current: Analysis
) -> gpd.GeoDataFrame:
    """Area polygons (current analysis first, previous for areas only it has) with the changes."""
    shapes = pd.concat(
        [
            pd.DataFrame({"area_code": t["area_code"].astype(str), "geometry": t.geometry.values})
            for t in (current.areas, previous.areas)
        ],
        ignore_index=True,
    ).drop_duplicates("area_code", keep="first")
    table = comparison.areas.merge(shapes, on="area_code", how="inner", sort=False)
    crs = current.areas.crs if current.areas.crs is not None else schema.CRS_METRIC
    return gpd.GeoDataFrame(table, geometry="geometry", crs=crs)


def _own_hotspots(table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One period's hotspots with their own figures, sorted by hotspot_id."""
    columns = ["hotspot_id", "status", "harm", "enforcement", "coverage", "area_code", "area_name"]
    own = gpd.GeoDataFrame(
        pd.DataFrame(table[columns]), geometry=table.geometry.values, crs=table.crs
    )
    own["hotspot_id"] = own["hotspot_id"].astype(str)
    return own.sort_values("hotspot_id", kind="stable").reset_index(drop=True)


def _tile_layer(tiles: str) -> folium.TileLayer | None:
    basemap = basemap_from_tiles(tiles)  # ConfigError for anything but none, osm, a URL template
    if basemap is None:
        return None
    if basemap.attribution_html is not None:
        return folium.TileLayer(
            basemap.url, attr=basemap.attribution_html, max_zoom=basemap.max_zoom, control=False
        )
    host = escape_text(basemap.host)
    return folium.TileLayer(basemap.url, attr=f"Map tiles: {host}", control=False)


# --- layers ----------------------------------------------------------------------------------


def _collection(
    frame: gpd.GeoDataFrame, key: str, properties: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """A GeoJSON FeatureCollection with ids ``<key><row>`` (folium styles features by id)."""
    geometries = frame.geometry.to_numpy()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f"{key}{index}",
                "properties": props,
                "geometry": shapely.geometry.mapping(geometry),
            }
            for index, (geometry, props) in enumerate(zip(geometries, properties, strict=True))
        ],
    }


def _tooltip(labelled: Sequence[tuple[str, str]]) -> folium.GeoJsonTooltip:
    return folium.GeoJsonTooltip(
        fields=[field for field, _ in labelled],
        aliases=[escape_text(alias) for _, alias in labelled],
        sticky=True,
        style=_TOOLTIP_CSS,
    )


def _geojson(
    data: dict[str, Any],
    *,
    name: str,
    style: Callable[[dict[str, Any]], dict[str, Any]],
    labelled: Sequence[tuple[str, str]],
    **options: Any,
) -> folium.GeoJson:
    if not data["features"]:  # folium cannot style an empty collection (no feature ids)
        return folium.GeoJson(data, name=escape_text(name), **options)
    return folium.GeoJson(
        data,
        name=escape_text(name),
        style_function=style,
        highlight_function=lambda _feature: {"weight": 3},
        tooltip=_tooltip(labelled),
        **options,
    )


def _change_layer(rows: gpd.GeoDataFrame, name: str, key: str) -> folium.GeoJson:
    properties = [_change_properties(row) for row in rows.to_dict("records")]
    fills = [CHANGE_COLOURS.get(str(change), "#000000") for change in rows["change"]]
    for props, fill in zip(properties, fills, strict=True):
        props["_fill"] = fill
    return _geojson(
        _collection(rows, key, properties),
        name=name,
        style=lambda feature: {
            "color": "#333333",
            "weight": 1,
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": 0.75,
        },
        labelled=_CHANGE_FIELDS,
    )


def _resolved_layer(rows: gpd.GeoDataFrame) -> folium.GeoJson:
    properties = [_change_properties(row) for row in rows.to_dict("records")]
    return _geojson(
        _collection(rows, "r", properties),
        name="Resolved hotspots (previous period)",
        style=lambda _feature: {
            "color": CHANGE_COLOURS[CHANGE_RESOLVED],
            "weight": 2,
            "dashArray": "6 4",
            "fillColor": CHANGE_COLOURS[CHANGE_RESOLVED],
            "fillOpacity": 0.05,  # nearly clear, but the inside still shows the tooltip
        },
        labelled=_CHANGE_FIELDS,
    )


def _status_layer(frame: gpd.GeoDataFrame, period_label: str, key: str) -> folium.GeoJson:
    properties = []
    for row in frame.to_dict("records"):
        status = str(row["status"])
        properties.append(
            {
                "hotspot": escape_text(row["hotspot_id"]),
                "period": escape_text(period_label),
                "status": escape_text(status),
                "harm": _count(row["harm"]),
                "enforcement": _count(row["enforcement"]),
                "coverage": _number(row["coverage"]),
                "area": _area_label(row["area_name"], row["area_code"]),
                "_fill": STATUS_COLOURS.get(status, "#000000"),
            }
        )
    return _geojson(
        _collection(frame, key, properties),
        name=f"Hotspots of {period_label} by status",
        style=lambda feature: {
            "color": "#333333",
            "weight": 1,
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": 0.75,
        },
        labelled=(
            ("hotspot", "Hotspot"),
            ("period", "Period"),
            ("status", "Status"),
            ("harm", "Harm events"),
            ("enforcement", "Enforcement events"),
            ("coverage", "Coverage (enforcement/harm)"),
            ("area", "Area"),
        ),
    )


def _area_layer(areas: gpd.GeoDataFrame) -> folium.GeoJson:
    properties = []
    for row in areas.to_dict("records"):
        properties.append(
            {
                "area": _area_label(row["area_name"], row["area_code"]),
                "coverage": f"{_number(row['coverage_previous'])} -> "
                f"{_number(row['coverage_current'])}",
                "coverage_change": _signed(row["coverage_change"]),
                "harm": f"{_count(row['harm_previous'])} -> {_count(row['harm_current'])}",
                "harm_trend": escape_text(
                    f"{row['harm_trend']} (p = {_p_value(row['harm_change_p'])})"
                ),
                "enforcement": f"{_count(row['enforcement_previous'])} -> "
                f"{_count(row['enforcement_current'])}",
                "thin": f"{_count(row['thin_hotspots_previous'])} -> "
                f"{_count(row['thin_hotspots_current'])}",
                "gaps": f"{_count(row['gaps_opened'])} opened, {_count(row['gaps_closed'])} closed",
                "_fill": _coverage_colour(row["coverage_change"]),
            }
        )
    return _geojson(
        _collection(areas, "a", properties),
        name=AREA_LAYER_NAME,
        style=lambda feature: {
            "color": "#555555",
            "weight": 1,
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": 0.45,
        },
        labelled=(
            ("area", "Area"),
            ("coverage", "Coverage, before -> now"),
            ("coverage_change", "Coverage change"),
            ("harm", "Harm, before -> now"),
            ("harm_trend", "Harm trend"),
            ("enforcement", "Enforcement, before -> now"),
            ("thin", "Thin hotspots, before -> now"),
            ("gaps", "Coverage gaps"),
        ),
        pane=_AREA_PANE,
    )


_CHANGE_FIELDS: Final = (
    ("hotspot", "Hotspot"),
    ("change", "Change"),
    ("matched", "Matched (other period)"),
    ("harm", "Harm, before -> now (group)"),
    ("enforcement", "Enforcement, before -> now (group)"),
    ("status", "Status, before -> now"),
    ("coverage_change", "Coverage change"),
    ("p_value", "Harm test p"),
    ("area", "Area"),
)


def _change_properties(row: Mapping[str, Any]) -> dict[str, Any]:
    period = "previous period" if row["period"] == PERIOD_PREVIOUS else "current period"
    return {
        "hotspot": escape_text(f"{row['hotspot_id']} ({period})"),
        "change": escape_text(row["change"]),
        "matched": escape_text(row["matched_ids"] or "none"),
        "harm": f"{_count(row['harm_previous'])} -> {_count(row['harm_current'])}",
        "enforcement": f"{_count(row['enforcement_previous'])} -> "
        f"{_count(row['enforcement_current'])}",
        "status": escape_text(
            f"{row['status_previous'] or 'none'} -> {row['status_current'] or 'none'}"
        ),
        "coverage_change": escape_text(str(row["coverage_change"]).replace("_", " ") or _MISSING),
        "p_value": _p_value(row["p_value"]),
        "area": _area_label(row["area_name"], row["area_code"]),
    }


# --- formatting ------------------------------------------------------------------------------


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _count(value: object) -> str:
    return _MISSING if _is_missing(value) else str(int(value))  # type: ignore[call-overload]


def _number(value: object) -> str:
    return _MISSING if _is_missing(value) else f"{float(value):.2f}"  # type: ignore[arg-type]


def _signed(value: object) -> str:
    return _MISSING if _is_missing(value) else f"{float(value):+.2f}"  # type: ignore[arg-type]


def _p_value(value: object) -> str:
    if _is_missing(value):
        return _MISSING
    p = float(value)  # type: ignore[arg-type]
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def _area_label(name: object, code: object) -> str:
    return escape_text(f"{name} ({code})")


def _coverage_colour(change: object) -> str:
    if _is_missing(change):
        return NO_COMPARISON_COLOUR
    value = float(change)  # type: ignore[arg-type]
    for lower, upper, _label, colour in COVERAGE_BINS:
        if lower <= value < upper:
            return colour
    return COVERAGE_BINS[-1][3]


def _bounds(frames: Sequence[gpd.GeoDataFrame]) -> list[list[float]] | None:
    boxes = [f.total_bounds for f in frames if len(f) and not f.geometry.is_empty.all()]
    if not boxes:
        return None
    stacked = np.vstack(boxes)
    west, south = np.nanmin(stacked[:, 0]), np.nanmin(stacked[:, 1])
    east, north = np.nanmax(stacked[:, 2]), np.nanmax(stacked[:, 3])
    return [
        [round(float(south), 6), round(float(west), 6)],
        [round(float(north), 6), round(float(east), 6)],
    ]


# --- header, legend, marking -----------------------------------------------------------------


def _marking_html(marking: str, where: str) -> str:
    return (
        f'<div class="hs-marking hs-marking-{where}" role="note">'
        f"{escape_text(marking.strip().upper())}</div>"
    )


def _period_text(label: str, start: object, end: object, days: int) -> str:
    return escape_text(f"{label} ({start} to {end}, {days} days)")


def _header_html(comparison: Comparison, title: str) -> str:
    p = comparison.params
    previous, current = comparison.previous_period, comparison.current_period
    parameters = (
        f"DBSCAN eps {p['eps_m']:g} m, min samples {p['min_samples']}, "
        f"footprint margin {p['footprint_margin_m']:g} m; thin below "
        f"{p['thin_ratio']:g} enforcement per harm event; hotspots matched within "
        f"{comparison.match_distance_m:g} m; harm-count test at alpha {comparison.alpha:g}"
    )
    return (
        '<div class="hs-header" id="compare-header">'
        f"<h1>{escape_text(title)}</h1>"
        f"<p>Previous: {_period_text(previous.label, previous.start, previous.end, comparison.days_previous)}"
        f" &middot; Current: {_period_text(current.label, current.start, current.end, comparison.days_current)}</p>"
        f"<p>{escape_text(parameters)}</p>"
        "</div>"
    )


def _legend_item(swatch_style: str, label: str) -> str:
    # swatch_style is built from the colour constants above, never from data.
    return (
        f'<li class="hs-legend-entry"><span class="hs-swatch" style="{swatch_style}"></span>'
        f"{escape_text(label)}</li>"
    )


def _legend_html(comparison: Comparison) -> str:
    counts = comparison.class_counts
    classes = []
    for change in CHANGE_CLASSES:
        label = f"{change} ({counts.get(change, 0)})"
        if change == CHANGE_RESOLVED:
            outline = f"background: transparent; border: 2px dashed {CHANGE_COLOURS[change]}"
            classes.append(_legend_item(outline, label))
        else:
            classes.append(_legend_item(f"background: {CHANGE_COLOURS[change]}", label))
    statuses = [
        _legend_item(f"background: {colour}", status) for status, colour in STATUS_COLOURS.items()
    ]
    bins = [
        _legend_item(f"background: {colour}", label) for _lo, _hi, label, colour in COVERAGE_BINS
    ]
    bins.append(_legend_item(f"background: {NO_COMPARISON_COLOUR}", NO_COMPARISON_LABEL))
    coverage = comparison.coverage_counts
    gaps = ", ".join(
        f"{name.replace('_', ' ')} {coverage.get(name, 0)}" for name in COVERAGE_CHANGES
    )
    return (
        '<div class="hs-legend" id="compare-legend">'
        "<h2>Change since previous period (current hotspots)</h2>"
        f'<ul id="legend-classes">{"".join(classes)}</ul>'
        f"<p>Coverage of matched hotspots: {escape_text(gaps)}</p>"
        "<h2>Status (period views, same scale)</h2>"
        f'<ul id="legend-status">{"".join(statuses)}</ul>'
        "<h2>Change in area coverage (enforcement per harm event)</h2>"
        f'<ul id="legend-coverage">{"".join(bins)}</ul>'
        "</div>"
    )
