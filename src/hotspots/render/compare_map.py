"""The comparison map (``compare.html``): how hotspots and area coverage changed between periods.

One self-contained offline page built with folium and :func:`~hotspots.render.offline.offline_html`:

* the default view, "Change since previous period", shows the current period's hotspots filled
  by change class and the resolved hotspots of the previous period as dashed outlines;
* two further views, "Previous period hotspots" and "Current period hotspots", show each
  period's own hotspots coloured by status on one shared scale; the three views are radio
  buttons in the layer control, so one click flips between the periods;
* an overlay shades each district by the change in harm inside thin hotspots, marking only the
  changes that the count-aware test of :func:`hotspots.compare.compare_counts` finds
  significant (rose / fell); the rest are "no significant change", and districts with no thin
  hotspot in either period are neutral. Coverage before and after stays in the tooltip and
  ``area_changes.csv``;
* the shared frame (:mod:`hotspots.render.page`): marking, title block, legend, basemap rule,
  print and phone layouts; colours from :mod:`hotspots.render.palette`, the same as the map's.

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

from hotspots import schema
from hotspots.compare import (
    CHANGE_CLASSES,
    CHANGE_RESOLVED,
    COVERAGE_CHANGES,
    PERIOD_CURRENT,
    PERIOD_PREVIOUS,
    TREND_DOWN,
    TREND_UP,
    Comparison,
    compare_counts,
    web_frame,
)
from hotspots.errors import InputError
from hotspots.labels import Labels
from hotspots.model import Analysis
from hotspots.notices import no_harm_of
from hotspots.period import Period
from hotspots.render import page, palette
from hotspots.render.definition_text import definitions_html
from hotspots.render.features import ENGLAND_WALES_BOUNDS
from hotspots.render.hotspot_symbols import (
    RankedPanel,
    SymbolClass,
    add_ranked_symbols,
    symbol_rows,
)
from hotspots.render.map import area_text
from hotspots.render.offline import escape_text
from hotspots.render.page import LegendEntry, LegendSection
from hotspots.render.place_labels import PLACE_CSS, add_map_labels
from hotspots.render.surface_layer import ImageOverlay, add_overlays, overlay_legend

__all__ = [
    "AREA_CLASSES",
    "AREA_CLASS_LABELS",
    "AREA_LAYER_NAME",
    "CHANGE_COLOURS",
    "CHANGE_VIEW_NAME",
    "CURRENT_VIEW_NAME",
    "PREVIOUS_VIEW_NAME",
    "STATUS_COLOURS",
    "compare_map_html",
]

#: Fill colours of the change classes (resolved hotspots are drawn as dashed outlines).
CHANGE_COLOURS: Final[Mapping[str, str]] = palette.CHANGE_COLOURS
#: One status scale shared by both period views and the coverage map.
STATUS_COLOURS: Final[Mapping[str, str]] = palette.STATUS_COLOURS
#: Words of the district classes, in legend order, and their colours.
AREA_CLASSES: Final = (
    palette.AREA_CHANGE_ROSE,
    palette.AREA_CHANGE_FELL,
    palette.AREA_CHANGE_NONE,
    palette.AREA_CHANGE_NO_THIN,
)
AREA_CLASS_LABELS: Final[Mapping[str, str]] = {
    palette.AREA_CHANGE_ROSE: "rose (significant)",
    palette.AREA_CHANGE_FELL: "fell (significant)",
    palette.AREA_CHANGE_NONE: "changed, but not significantly",
    palette.AREA_CHANGE_NO_THIN: "no thin hotspot in either period",
}

CHANGE_VIEW_NAME: Final = "Change since previous period"
PREVIOUS_VIEW_NAME: Final = "Previous period hotspots"
CURRENT_VIEW_NAME: Final = "Current period hotspots"
AREA_LAYER_NAME: Final = "Districts: change in harm in thin hotspots"

_AREA_PANE = "areas"  # below Leaflet's overlay pane (400), so hotspots stay on top and hoverable
_AREA_PANE_Z = 350
_MISSING = "n/a"
_TOOLTIP_CSS = "font: 12px/1.3 sans-serif; max-width: 420px; white-space: normal;"
_UK_CENTRE = (54.0, -2.5)

#: The definitions the comparison page prints (hotspots.definitions), after its own.
COMPARE_TERMS: Final = ("harm", "enforcement", "coverage", "thin")

_PAGE_CSS: Final = ".foliumtooltip th { white-space: nowrap; }"


def compare_map_html(
    comparison: Comparison,
    previous: Analysis,
    current: Analysis,
    *,
    marking: str,
    title: str,
    tiles: str = "none",
    run_date: str | None = None,
    overlays: Sequence[ImageOverlay] = (),
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
        ``"none"`` (default: the page makes no network request), ``"osm"``, or a tile URL
        template such as ``https://tiles.example/{z}/{x}/{y}.png`` (see `page.check_tiles`).
    run_date
        The produced date printed in the title block, when given.
    overlays
        Rasters drawn as layers that start switched off (both periods' coverage-gap surfaces
        on one colour scale, and their difference).

    Returns
    -------
    str
        The HTML document; byte-identical for equal inputs.

    Raises
    ------
    InputError
        If `previous`/`current` are not the analyses the comparison was made from, or the
        marking is empty.
    ConfigError
        If `tiles` is not a valid choice.
    """
    _check_inputs(comparison, previous, current, marking)
    hotspots = web_frame(comparison.hotspots)
    areas = web_frame(_area_polygons(comparison, previous, current))
    own_previous = web_frame(_own_hotspots(previous.hotspots))
    own_current = web_frame(_own_hotspots(current.hotspots))

    bounds = _bounds([areas, hotspots]) or [list(c) for c in ENGLAND_WALES_BOUNDS]
    m = page.new_map(bounds, tiles)
    folium.map.CustomPane(_AREA_PANE, z_index=_AREA_PANE_Z, pointer_events=True).add_to(m)

    labels = current.types.labels
    _area_layer(areas, page.boundary_attribution(current.boundary_source), labels).add_to(m)
    add_map_labels(m, current.areas)
    change_view = folium.FeatureGroup(name=escape_text(CHANGE_VIEW_NAME), overlay=False)
    current_rows = hotspots[hotspots["period"] == PERIOD_CURRENT]
    resolved_rows = hotspots[hotspots["change"] == CHANGE_RESOLVED]
    _change_layer(current_rows, "Current hotspots by change", "c", labels).add_to(change_view)
    _resolved_layer(resolved_rows, labels).add_to(change_view)
    change_view.add_to(m)
    ranked = _ranked_symbols(change_view, comparison, current)
    for name, frame, period, key in (
        (PREVIOUS_VIEW_NAME, own_previous, comparison.previous_period.label, "p"),
        (CURRENT_VIEW_NAME, own_current, comparison.current_period.label, "q"),
    ):
        view = folium.FeatureGroup(name=escape_text(name), overlay=False, show=False)
        _status_layer(frame, period, key, labels).add_to(view)
        view.add_to(m)
    add_overlays(m, overlays)
    folium.LayerControl(collapsed=False, position="topright").add_to(m)

    frame = page.PageFrame(
        title=title,
        marking=marking,
        period=(  # the current period first, as in the title ("2024Q4 against 2024Q3")
            f"{_period_text(comparison.current_period, comparison.days_current)} against "
            f"{_period_text(comparison.previous_period, comparison.days_previous)}"
        ),
        area=area_text(areas["area_name"].astype(str).tolist()),
        produced=run_date,
        summary_html=_summary_html(comparison, labels),
        notice=" ".join(s for s in (no_harm_of(previous), no_harm_of(current)) if s),
        details_html=_details_html(comparison) + definitions_html(current, COMPARE_TERMS),
        legend=[*_legend(comparison, areas, labels), *overlay_legend(overlays)],
        study_bounds=bounds,
        panel_html=ranked.html,
        panel_label=ranked.label,
        extra_css=_PAGE_CSS + PLACE_CSS + ranked.css,
    )
    return page.frame_page(m, frame)


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
    """Area polygons (current analysis first, previous for areas only it has) with the changes.

    Adds ``thin_harm_previous``/``thin_harm_current`` (harm events inside thin hotspots), the
    count test's ``thin_harm_p`` and the district class ``thin_harm_class``.
    """
    shapes = pd.concat(
        [
            pd.DataFrame({"area_code": t["area_code"].astype(str), "geometry": t.geometry.values})
            for t in (current.areas, previous.areas)
        ],
        ignore_index=True,
    ).drop_duplicates("area_code", keep="first")
    table = comparison.areas.merge(shapes, on="area_code", how="inner", sort=False)
    for name, analysis in (("previous", previous), ("current", current)):
        figures = pd.Series(
            pd.to_numeric(analysis.areas["harm_in_thin_hotspots"]).fillna(0).to_numpy(),
            index=analysis.areas["area_code"].astype(str).to_numpy(),
        )
        figures = figures[~figures.index.duplicated()]
        table[f"thin_harm_{name}"] = (
            table["area_code"].map(figures).fillna(0).round().astype("int64")
        )
    p_values, trends = compare_counts(
        table["thin_harm_previous"].to_numpy(),
        table["thin_harm_current"].to_numpy(),
        days_previous=comparison.days_previous,
        days_current=comparison.days_current,
        alpha=comparison.alpha,
    )
    none = (table["thin_harm_previous"] == 0) & (table["thin_harm_current"] == 0)
    table["thin_harm_p"] = np.where(none, np.nan, p_values)
    table["thin_harm_class"] = np.select(
        [none, trends == TREND_UP, trends == TREND_DOWN],
        [palette.AREA_CHANGE_NO_THIN, palette.AREA_CHANGE_ROSE, palette.AREA_CHANGE_FELL],
        palette.AREA_CHANGE_NONE,
    )
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


# --- layers ----------------------------------------------------------------------------------

#: The symbols' classes on the comparison: the change classes of current hotspots, in order.
SYMBOL_CLASSES: Final = tuple(
    SymbolClass(change, CHANGE_COLOURS[change], "#333333")
    for change in CHANGE_CLASSES
    if change != CHANGE_RESOLVED
)


def _ranked_symbols(group: folium.FeatureGroup, comparison: Comparison, current: Analysis) -> RankedPanel:
    """The current hotspots as the map's symbols, coloured by change class, and their list.

    Sized by the current period's harm and ordered by its rank, exactly as on the map
    (:mod:`hotspots.render.hotspot_symbols`); resolved hotspots have no current rank and stay
    dashed outlines.
    """
    table = current.hotspots
    changes = comparison.hotspots[comparison.hotspots["period"] == PERIOD_CURRENT]
    change_of = dict(zip(changes["hotspot_id"].astype(str), changes["change"].astype(str), strict=True))
    index = {c.name: k for k, c in enumerate(SYMBOL_CLASSES)}
    classes = []
    for hotspot_id, status in zip(table["hotspot_id"].astype(str), table["status"].astype(str), strict=True):
        change = change_of.get(hotspot_id, "")
        classes.append((index.get(change, 0), f"{change} ({status})" if change else status))
    return add_ranked_symbols(
        group,
        symbol_rows(table, classes=classes),
        classes=SYMBOL_CLASSES,
        last_column=("Change", "Change since the previous period (status now in brackets)"),
        note="Colour: change since the previous period; size: harm now.",
        nouns=(current.types.labels.harm, current.types.labels.enforcement),
    )


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


def _change_layer(rows: gpd.GeoDataFrame, name: str, key: str, labels: Labels) -> folium.GeoJson:
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
        labelled=_with_nouns(_CHANGE_FIELDS, labels),
    )


def _resolved_layer(rows: gpd.GeoDataFrame, labels: Labels) -> folium.GeoJson:
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
        labelled=_with_nouns(_CHANGE_FIELDS, labels),
    )


def _status_layer(
    frame: gpd.GeoDataFrame, period_label: str, key: str, labels: Labels
) -> folium.GeoJson:
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
        labelled=_with_nouns(
            (
                ("hotspot", "Hotspot"),
                ("period", "Period"),
                ("status", "Status"),
                ("harm", "Harm events"),
                ("enforcement", "Enforcement events"),
                ("coverage", "Coverage (enforcement/harm)"),
                ("area", "Area"),
            ),
            labels,
        ),
    )


def _area_layer(areas: gpd.GeoDataFrame, attribution: str, labels: Labels) -> folium.GeoJson:
    properties = []
    for row in areas.to_dict("records"):
        cls = str(row["thin_harm_class"])
        change = AREA_CLASS_LABELS[cls]
        if cls != palette.AREA_CHANGE_NO_THIN:
            change += f" (p = {_p_value(row['thin_harm_p'])})"
        properties.append(
            {
                "area": _area_label(row["area_name"], row["area_code"]),
                "thin_harm": f"{_count(row['thin_harm_previous'])} -> "
                f"{_count(row['thin_harm_current'])}",
                "thin_change": escape_text(change),
                "thin": f"{_count(row['thin_hotspots_previous'])} -> "
                f"{_count(row['thin_hotspots_current'])}",
                "harm": f"{_count(row['harm_previous'])} -> {_count(row['harm_current'])}",
                "harm_trend": escape_text(
                    f"{row['harm_trend']} (p = {_p_value(row['harm_change_p'])})"
                ),
                "enforcement": f"{_count(row['enforcement_previous'])} -> "
                f"{_count(row['enforcement_current'])}",
                "coverage": f"{_number(row['coverage_previous'])} -> "
                f"{_number(row['coverage_current'])}",
                "gaps": f"{_count(row['gaps_opened'])} opened, {_count(row['gaps_closed'])} closed",
                "_fill": palette.AREA_CHANGE_COLOURS[cls],
            }
        )
    return _geojson(
        _collection(areas, "a", properties),
        name=AREA_LAYER_NAME,
        style=lambda feature: {
            "color": "#555555",
            "weight": 1,
            "fillColor": feature["properties"]["_fill"],
            "fillOpacity": 0.9,
        },
        labelled=_with_nouns(
            (
                ("area", "District"),
                ("thin_harm", "Harm in thin hotspots, before -> now"),
                ("thin_change", "Change in harm in thin hotspots"),
                ("thin", "Thin hotspots, before -> now"),
                ("harm", "Harm, before -> now"),
                ("harm_trend", "Harm trend"),
                ("enforcement", "Enforcement, before -> now"),
                ("coverage", "Coverage, before -> now"),
                ("gaps", "Coverage gaps"),
            ),
            labels,
        ),
        pane=_AREA_PANE,
        attribution=attribution,
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


def _with_nouns(labelled: Sequence[tuple[str, str]], labels: Labels) -> list[tuple[str, str]]:
    """Tooltip rows with harm and enforcement named by ``[labels]``: "Harm (robbery) events"."""
    nouns = {"harm": labels.harm, "enforcement": labels.enforcement}
    named = []
    for field, alias in labelled:
        if field in nouns:
            first, _, rest = alias.partition(" ")
            first, comma, _ = first.partition(",")
            alias = f"{first} ({nouns[field]}){comma}{' ' if rest else ''}{rest}"
        named.append((field, alias))
    return named


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


# --- title block and legend ------------------------------------------------------------------


def _period_text(period: Period, days: int) -> str:
    """``"2024Q3 (2024-07-01 – 2024-09-30, 92 days)"`` (plain text)."""
    return f"{period.label} ({period.start} – {period.end}, {days} days)"


def _summary_html(comparison: Comparison, labels: Labels) -> str:
    counts = comparison.class_counts
    current = int((comparison.hotspots["period"] == PERIOD_CURRENT).sum())
    words = ", ".join(
        f"{counts.get(change, 0)} {change}" for change in CHANGE_CLASSES if counts.get(change, 0)
    )
    return escape_text(
        f"Current hotspots: {current} ({words or 'none'}) · Harm: {labels.harm} · "
        f"Enforcement: {labels.enforcement}"
    )


def _details_html(comparison: Comparison) -> str:
    p = comparison.params
    parameters = (
        f"DBSCAN eps {p['eps_m']:g} m, min samples {p['min_samples']}, "
        f"footprint margin {p['footprint_margin_m']:g} m; thin below "
        f"{p['thin_ratio']:g} enforcement per harm event; hotspots matched within "
        f"{comparison.match_distance_m:g} m; count test at alpha {comparison.alpha:g}"
    )
    coverage = comparison.coverage_counts
    gaps = ", ".join(
        f"{name.replace('_', ' ')} {coverage.get(name, 0)}" for name in COVERAGE_CHANGES
    )
    return (
        f"<p><b>Parameters:</b> {escape_text(parameters)}.</p>"
        f"<p><b>Coverage of matched hotspots:</b> {escape_text(gaps)}.</p>"
        "<p><b>Definitions:</b> a district's shade compares the harm events inside its thin "
        "hotspots in the two periods with the same exact count test as the hotspots "
        "(binomial, allowing for the periods' lengths); only a change with p below alpha is "
        "marked as rose or fell.</p>"
    )


def _legend(
    comparison: Comparison, areas: gpd.GeoDataFrame, labels: Labels
) -> list[LegendSection]:
    counts = comparison.class_counts
    lines = palette.STATUS_LINES
    changes = []
    for change in CHANGE_CLASSES:
        label = f"{change} ({counts.get(change, 0)})"
        if change == CHANGE_RESOLVED:
            changes.append(
                LegendEntry(
                    label + ", previous period's outline", "", CHANGE_COLOURS[change], "dashed"
                )
            )
        else:
            changes.append(LegendEntry(label, CHANGE_COLOURS[change]))
    statuses = [
        LegendEntry(status, colour, lines.get(status, ""))
        for status, colour in STATUS_COLOURS.items()
    ]
    area_counts = areas["thin_harm_class"].value_counts() if len(areas) else pd.Series(dtype=int)
    districts = [
        LegendEntry(
            f"{AREA_CLASS_LABELS[cls]} ({int(area_counts.get(cls, 0))})",
            palette.AREA_CHANGE_COLOURS[cls],
        )
        for cls in AREA_CLASSES
    ]
    return [
        LegendSection(
            "Change since previous period (current hotspots)",
            changes,
            note=(
                "Circle area grows with harm now; the number is the current rank (1 = act "
                "first). A double ring groups hotspots too close to draw apart at this zoom: "
                "select it to zoom in."
            ),
        ),
        LegendSection("Status (period views, same colours as the map)", statuses),
        LegendSection(
            f"Districts: harm events ({labels.harm}) inside thin hotspots",
            districts,
            note="Rose or fell only where the count test is significant.",
        ),
    ]
