"""Draw one analysis as a self-contained HTML coverage map (folium, offline, deterministic).

`map_html` turns an :class:`~hotspots.model.Analysis` into the text of ``map.html``: the study
districts shaded by harm in thin hotspots, the harm hotspots coloured by status, the enforcement
clusters as outlines and, only when ``presentation.show_points`` is set, the individual events (they
are victims' addresses). The shared frame (:mod:`hotspots.render.page`) adds the marking, the
title block, the legend, the basemap rule and the print and phone layouts; colours come from
:mod:`hotspots.render.palette`.

What the page contains, and why
-------------------------------
* **Districts shaded by what the mission asks**: harm events inside thin hotspots, in three
  classes (thirds of the largest district's figure, rounded to a 1-2-5 step) plus a neutral
  "no thin hotspot" class. The coverage ratio stays in the tooltip and ``areas.csv``: a
  district's ratio can be high while it holds a thin hotspot, so it must not drive the shade.
* **No network** unless a tile layer is chosen (``presentation.tiles``; see `page.tile_layer`).
* **Display-scale geometry** and compact layers: see :mod:`hotspots.render.features`.
* **Bounded size.** Above :data:`POINT_LIMIT` events (20,000) the event layers become counts
  per 500 m British National Grid cell, and the header says so (:mod:`.map_events`).
* **Escaped values.** Every value from the input or the config that reaches the page goes
  through `page.html_text`: `escape_text` plus braces as character references, because branca
  compiles each element's *rendered* script as a new Jinja template, so ``{{ 7 * 7 }}`` in a
  tooltip would otherwise be evaluated while the page is built. `Analysis` holds no free-text
  fields; keep it that way.
* **Deterministic.** The same analysis gives the same bytes: no clock (the run date is the
  caller's), fixed number formatting, features in table order.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Final

import folium
import geopandas as gpd
import pandas as pd
from folium.utilities import JsCode

from hotspots import schema, sentences
from hotspots.definitions import CHANCE_TEST, analysed_types
from hotspots.errors import ConfigError, InputError
from hotspots.gridref import grid_reference
from hotspots.labels import Labels
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis
from hotspots.notices import no_harm_of, rejected_text
from hotspots.params import AnalysisParams, PresentationParams
from hotspots.period import ALL_DATES
from hotspots.render import palette
from hotspots.render.definition_text import definitions_html
from hotspots.render.features import (
    COORD_DECIMALS,
    ENGLAND_WALES_BOUNDS,
    Feature,
    area_label,
    bounds_of,
    count_text,
    encoded_outlines,
    layer,
    number_text,
    ratio_text,
    records,
    style_by,
    tooltip,
    web_features,
)
from hotspots.render.hotspot_symbols import (
    RankedPanel,
    add_ranked_symbols,
    monthly_cells,
    symbol_rows,
)
from hotspots.render.map_events import (
    GRID_CELL_M,
    GRID_CLASSES,
    EventCanvas,
    add_grid_layers,
    add_point_layers,
)
from hotspots.render.page import (
    DEFAULT_BOUNDARY_ATTRIBUTION,
    LegendEntry,
    LegendSection,
    PageFrame,
    boundary_attribution,
    frame_page,
    new_map,
)
from hotspots.render.page import html_text as _text
from hotspots.render.place_labels import PLACE_CSS, add_map_labels
from hotspots.render.surface_layer import ImageOverlay, add_overlays, overlay_legend
from hotspots.timeline import Timeline

__all__ = [
    "AREA_LAYER_NAME",
    "AREA_SIMPLIFY_M",
    "COMPACT_ABOVE",
    "COORD_DECIMALS",
    "DEFAULT_BOUNDARY_ATTRIBUTION",
    "FOOTPRINT_SIMPLIFY_M",
    "GRID_CELL_M",
    "POINT_LIMIT",
    "area_text",
    "harm_breaks",
    "map_html",
    "map_title",
]

logger = logging.getLogger(__name__)

AREA_LAYER_NAME: Final = "Districts: harm in thin hotspots"

#: Simplification of district boundaries (metres, EPSG:27700) before drawing: below the 200 m
#: generalisation of the bundled ONS boundaries, invisible at county zoom.
AREA_SIMPLIFY_M: Final = 50.0
#: Simplification of hotspot and enforcement-cluster footprints (metres): street scale.
FOOTPRINT_SIMPLIFY_M: Final = 5.0
#: Above this many events the event layers show counts per grid cell instead of points: beyond
#: it the page grows past a few megabytes and pans slowly on an ordinary laptop.
POINT_LIMIT: Final = 20_000
#: Above this many hotspots the page aggregates: symbols at every zoom, footprints and
#: enforcement clusters as encoded outlines drawn from town zoom for the view only,
#: simplified to FOOTPRINT_SIMPLIFY_LARGE_M. The page says so.
COMPACT_ABOVE: Final = 2000
FOOTPRINT_SIMPLIFY_LARGE_M: Final = 20.0
#: District fill opacity: opaque on the plain background, see-through over map tiles.
_AREA_OPACITY: Final = 1.0
_AREA_OPACITY_TILES: Final = 0.5
# The event pane ignores the mouse, so the tooltips of the footprints underneath keep working.
_CSS: Final = ".leaflet-pane.leaflet-hotspotsEvents-pane { z-index: 450; pointer-events: none; }"


def map_html(
    analysis: Analysis,
    presentation: PresentationParams | None = None,
    *,
    title: str | None = None,
    point_limit: int = POINT_LIMIT,
    overlays: Sequence[ImageOverlay] = (),
    hotspot_rows: Sequence[tuple[str, Mapping[str, str]]] = (),
    compact_above: int = COMPACT_ABOVE,
    timeline: Timeline | None = None,
) -> str:
    """Render an analysis as a self-contained HTML map.

    Parameters
    ----------
    analysis
        The analysis of one period. Its tables must be in a projected CRS with a known EPSG
        code (EPSG:27700 from the pipeline); see :mod:`hotspots.model` for the columns.
    presentation
        Marking, basemap, whether to draw events, run date (default: `PresentationParams()`).
        The run date is printed in the title block as the produced date when given (e.g.
        ``"2024-10-02"``); the map holds no clock reading of its own, so the same analysis
        gives the same bytes.
    title
        Page title and heading (default: :func:`map_title`, naming harm and enforcement by the
        config's ``[labels]``).
    point_limit
        With ``presentation.show_points``, more analysed events than this are drawn as counts per
        500 m grid cell instead of individual points.
    hotspot_rows
        Extra tooltip rows: (label, hotspot id -> cell). Cells are HTML built by
        :mod:`hotspots.render.sparkline` (which escapes every value), e.g. the monthly sparkline.
    overlays
        Rasters drawn as layers that start switched off (the coverage-gap surface).
    timeline
        The monthly series (:func:`hotspots.timeline.build_timeline`): each ranked-panel row
        and each symbol's tooltip then carries the hotspot's harm per month as a small chart.

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
    title = map_title(analysis.types.labels) if title is None else title

    areas = web_features(analysis.areas, AREA_SIMPLIFY_M, coverage=True)
    compact = len(analysis.hotspots) > compact_above
    if compact:
        # Thousands of hotspots: footprints and clusters travel as encoded outlines and are
        # drawn from town zoom for the view only; the page stays small and opens fast.
        outlines = encoded_outlines(analysis.hotspots, FOOTPRINT_SIMPLIFY_LARGE_M)
        cluster_outlines = encoded_outlines(
            analysis.enforcement_clusters, FOOTPRINT_SIMPLIFY_LARGE_M
        )
        hotspots: list[Feature] = []
        clusters: list[Feature] = []
        boxes = [Feature(-1, "", box) for _row, _text_, box in outlines + cluster_outlines]
        bounds = bounds_of(areas) or bounds_of(boxes)
    else:
        hotspots = web_features(analysis.hotspots, FOOTPRINT_SIMPLIFY_M, convex=True)
        clusters = web_features(analysis.enforcement_clusters, FOOTPRINT_SIMPLIFY_M, convex=True)
        bounds = bounds_of(areas) or bounds_of(hotspots) or bounds_of(clusters)
    study = bounds or [list(corner) for corner in ENGLAND_WALES_BOUNDS]
    m = new_map(study, presentation.tiles)

    breaks = harm_breaks(analysis.areas["harm_in_thin_hotspots"].tolist())
    enforcement_types = _types_with_role(analysis, schema.ROLE_ENFORCEMENT)
    harm_types = _types_with_role(analysis, schema.ROLE_HARM)
    no_tiles = presentation.tiles.strip().lower() == "none"
    opacity = _AREA_OPACITY if no_tiles else _AREA_OPACITY_TILES

    _add_areas(m, analysis, areas, breaks, boundary_attribution(analysis.boundary_source), opacity)
    add_map_labels(m, analysis.areas)
    monthly, months = monthly_cells(timeline)
    if compact:
        group = folium.FeatureGroup(name=_text("Hotspots"), show=True).add_to(m)
        ranked = add_ranked_symbols(
            group,
            symbol_rows(analysis.hotspots, {row: text for row, text, _box in outlines}, monthly),
            clusters=[[s, w, n, e, text] for _row, text, (w, s, e, n) in cluster_outlines],
            months=months,
            nouns=_nouns(analysis),
        )
    else:
        _add_clusters(m, analysis, clusters, enforcement_types)
        group = _add_hotspots(
            m, analysis, hotspots, enforcement_types, harm_types, hotspot_rows
        )
        ranked = add_ranked_symbols(
            group, symbol_rows(analysis.hotspots, monthly=monthly) if hotspots else [],
            months=months,
            nouns=_nouns(analysis),
        )

    events = analysis.events
    show_points = presentation.show_points and len(events) > 0
    aggregated = show_points and len(events) > point_limit
    if show_points:
        EventCanvas().add_to(m)
        if aggregated:
            add_grid_layers(m, events)
        else:
            add_point_layers(m, events)

    add_overlays(m, overlays)
    folium.LayerControl(collapsed=False).add_to(m)
    frame = _frame(
        analysis, presentation, title, study, breaks, show_points, aggregated, point_limit,
        [label for label, _ in hotspot_rows],
        compact,
        ranked,
    )
    if overlays:
        frame = replace(frame, legend=[*frame.legend, *overlay_legend(overlays)])
    page = frame_page(m, frame)
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


def map_title(labels: Labels) -> str:
    """``"hotspots — harm (robbery) and enforcement (drugs and weapons offences) coverage"``."""
    return f"hotspots — harm ({labels.harm}) and enforcement ({labels.enforcement}) coverage"


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


def _types_with_role(analysis: Analysis, role: str) -> list[tuple[str, str]]:
    """``(type, escaped user label)`` of the types with ``role`` analysed in this period.

    Types the config knows but the period holds no event of are left out: a police.uk
    tooltip reads "Drugs 4, Possession of weapons 1", never "cuckooing 0, raid 0".
    """
    return [(t, _text(analysis.types.label_of(t))) for t in analysed_types(analysis, role)]


def _nouns(analysis: Analysis) -> tuple[str, str]:
    """The short nouns of harm and enforcement ([labels]), for symbol tooltips (as text)."""
    labels = analysis.types.labels
    return labels.harm, labels.enforcement


def _by_type(row: Mapping[str, Any], types: Sequence[tuple[str, str]]) -> str:
    """``"raid 2, seizure 1"`` from the ``n_<type>`` columns of a row (escaped labels)."""
    parts = [f"{label} {count_text(row.get(f'n_{t}', 0))}" for t, label in types]
    return ", ".join(parts)


def _round_down_125(value: float) -> int:
    """The largest of 1, 2, 5, 10, 20, 50, ... not above `value` (at least 1)."""
    if value < 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return int(max(m * magnitude for m in (1, 2, 5) if m * magnitude <= value))


def harm_breaks(values: Sequence[float]) -> tuple[int, int]:
    """Upper bounds of the two lower classes of harm in thin hotspots.

    A third and two thirds of the largest district's figure, rounded down to a 1-2-5 step, so
    the legend reads ``1–10``, ``11–20``, ``more than 20`` and the largest district always falls
    in the top class (from a largest figure of 3). Classes depend on the data (a county's
    largest is tens, a force's hundreds); the legend states them.
    """
    top = max((float(v) for v in values if v and not pd.isna(v)), default=0.0)
    low = _round_down_125(top / 3)
    return low, max(low + 1, _round_down_125(2 * top / 3))


def _harm_class(harm_thin: Any, breaks: tuple[int, int]) -> int:
    """-1 for no harm in thin hotspots, else 0..2 by the breaks."""
    if harm_thin is None or pd.isna(harm_thin) or harm_thin <= 0:
        return -1
    return int(harm_thin > breaks[0]) + int(harm_thin > breaks[1])


def _share(part: Any, whole: Any) -> str:
    if not whole or pd.isna(whole) or whole <= 0:
        return "no harm in the district"
    return f"{100 * float(part or 0) / float(whole):.0f}% of all harm in the district"


def _add_areas(
    m: folium.Map,
    analysis: Analysis,
    features: Sequence[Feature],
    breaks: tuple[int, int],
    attribution: str,
    fill_opacity: float,
) -> None:
    group = folium.FeatureGroup(name=_text(AREA_LAYER_NAME), show=True).add_to(m)
    if not features:
        return
    rows = records(analysis.areas, features)
    properties = [
        {
            "area": area_label(row["area_name"], row["area_code"]),
            "harm_thin": (
                f"{count_text(row['harm_in_thin_hotspots'])} "
                f"({_share(row['harm_in_thin_hotspots'], row['harm'])})"
            ),
            "hotspots": f"{count_text(row['hotspots'])} ({count_text(row['thin_hotspots'])} thin)",
            "harm": count_text(row["harm"]),
            "enforcement": count_text(row["enforcement"]),
            "coverage": (
                ratio_text(row["coverage"]) if row["harm"] and row["harm"] > 0 else "no harm"
            ),
            "cls": _harm_class(row["harm_in_thin_hotspots"], breaks),
        }
        for row in rows
    ]
    fills = {-1: palette.AREA_NO_THIN, **dict(enumerate(palette.AREA_HARM_COLOURS))}
    styles = {
        cls: {"fillColor": fill, "fillOpacity": fill_opacity, "color": "#555555", "weight": 1}
        for cls, fill in fills.items()
    }
    layer(
        features,
        properties,
        name=_text(AREA_LAYER_NAME),
        control=False,
        class_name="hotspots-area",  # Leaflet puts it on every path: tests count them
        style=style_by("cls", styles),
        tooltip=tooltip(
            [
                ("area", "District"),
                ("harm_thin", "Harm in thin hotspots"),
                ("hotspots", "Hotspots"),
                ("harm", "Harm events"),
                ("enforcement", "Enforcement events"),
                ("coverage", "Coverage (enforcement ÷ harm)"),
            ]
        ),
        attribution=attribution,
    ).add_to(group)


def _add_clusters(
    m: folium.Map,
    analysis: Analysis,
    features: Sequence[Feature],
    enforcement_types: Sequence[tuple[str, str]],
) -> None:
    group = folium.FeatureGroup(name=_text("Enforcement clusters"), show=True).add_to(m)
    if not features:
        return
    properties = []
    for row in records(analysis.enforcement_clusters, features):
        events = count_text(row["events"])
        by_type = _by_type(row, enforcement_types)
        properties.append(
            {
                "cluster": _text(row["cluster_id"]),
                "events": f"{events} ({by_type})" if by_type else events,
            }
        )
    style = {
        "color": palette.CLUSTER_LINE,
        "weight": 2,
        "dashArray": "6 4",
        "fillColor": palette.CLUSTER_LINE,
        "fillOpacity": 0.04,
    }
    layer(
        features,
        properties,
        name=_text("Enforcement clusters"),
        control=False,
        class_name="hotspots-cluster",  # Leaflet puts it on every path: tests count them
        style=JsCode(f"function(feature) {{ return {json.dumps(style, sort_keys=True)}; }}"),
        tooltip=tooltip(
            [
                ("cluster", "Enforcement cluster"),
                ("events", f"Enforcement events ({analysis.types.labels.enforcement})"),
            ]
        ),
    ).add_to(group)


def locations_text(row: Mapping[str, Any], params: Any) -> str:
    """Where a hotspot's harm events sit: ``"all 3 events at one location — check the geocoding"``."""
    harm, locations = row.get("harm"), row.get("locations")
    if harm is None or locations is None or pd.isna(harm) or pd.isna(locations):
        return "–"
    text = sentences.at_locations(int(harm), int(locations))
    if bool(row.get("few_locations")):
        demoted = getattr(params, "few_locations", "flag") == "demote"
        text += " — check the geocoding" + ("; not ranked among priorities" if demoted else "")
    return text


def _add_hotspots(
    m: folium.Map,
    analysis: Analysis,
    features: Sequence[Feature],
    enforcement_types: Sequence[tuple[str, str]],
    harm_types: Sequence[tuple[str, str]],
    extra_rows: Sequence[tuple[str, Mapping[str, str]]] = (),
) -> folium.FeatureGroup:
    """The hotspot footprints' layer; the caller adds the symbols to the group it returns."""
    group = folium.FeatureGroup(name=_text("Hotspots"), show=True)
    group.add_to(m)
    if not features:
        return group
    table = analysis.hotspots.reset_index(drop=True)
    labels = analysis.types.labels  # plain text: tooltip() escapes its labels
    tested = "p_value" in table.columns  # the chance test ran (--chance-test)
    properties = []
    for feature, row in zip(features, records(table, features), strict=True):
        thin = row["status"] == schema.STATUS_THIN
        harm = count_text(row["harm"])
        harm_by_type = _by_type(row, harm_types) if len(harm_types) > 1 else ""
        enforcement = count_text(row["enforcement"])
        enforcement_by_type = _by_type(row, enforcement_types)
        days = row["days_since_enforcement"]
        footprint_km2 = row["footprint_m2"] / 1e6 if not pd.isna(row["footprint_m2"]) else math.nan
        properties.append(
            {
                "hotspot": _text(row["hotspot_id"]),
                "rank": count_text(row["rank"]),
                "status": _text(row["status"]),
                "area": area_label(row["area_name"], row["area_code"]),
                "near": _near_text(row),
                "local": (
                    area_label(row.get("local_area_name"), row.get("local_area_code"))
                    if row.get("local_area_code")
                    else "–"
                ),
                "harm": f"{harm} ({harm_by_type})" if harm_by_type else harm,
                "enforcement": (
                    f"{enforcement} ({enforcement_by_type})" if enforcement_by_type else enforcement
                ),
                "coverage": ratio_text(row["coverage"]),
                "days": "none in record" if pd.isna(days) else f"{int(days):,}",
                "footprint": "–" if math.isnan(footprint_km2) else f"{footprint_km2:.2f} km²",
                "locations": _text(locations_text(row, analysis.params)),
                "where": _where(row),
                "thin": 1 if thin else 0,
                **({"chance": _text(f"{row['chance']} (p = {row['p_value']:.2f})")} if tested else {}),
                # Trusted HTML from render.sparkline; braces escaped as for every other value.
                **{f"extra{k}": cells.get(str(row["hotspot_id"]), "").translate(_BRACE_REFS)
                   for k, (_, cells) in enumerate(extra_rows)},
            }
        )

    styles = {
        thin: {
            "fillColor": palette.STATUS_COLOURS[status],
            "color": palette.STATUS_LINES[status],
            "fillOpacity": 0.55,
            "weight": 2,
        }
        for thin, status in ((1, schema.STATUS_THIN), (0, schema.STATUS_COVERED))
    }
    layer(
        features,
        properties,
        name=_text("Hotspots"),
        control=False,
        class_name="hotspots-footprint",  # Leaflet puts it on every path: tests count them
        style=style_by("thin", styles),
        on_each_feature=JsCode(_HIGHLIGHT_ON_HOVER),
        tooltip=tooltip(
            [
                ("hotspot", "Hotspot"),
                ("rank", "Rank"),
                ("where", "OS grid reference"),
                ("status", "Status"),
                ("area", "District"),
                ("near", "Near"),
                *([("local", "Local area")] if analysis.local_areas is not None else []),
                ("harm", f"Harm events ({labels.harm})"),
                ("enforcement", f"Enforcement in footprint ({labels.enforcement})"),
                ("coverage", "Coverage"),
                ("days", "Days since enforcement"),
                ("footprint", "Footprint"),
                ("locations", "Where the harm is"),
                *([("chance", "Against chance")] if tested else []),
                *((f"extra{k}", label) for k, (label, _) in enumerate(extra_rows)),
            ]
        ),
    ).add_to(group)
    return group


# Braces in trusted tooltip HTML as character references, as page.html_text does for text.
_BRACE_REFS: Final = str.maketrans({"{": "&#123;", "}": "&#125;"})
def _where(row: Mapping[str, Any]) -> str:
    """The OS grid reference (8 figures, 10 m) of a hotspot's centre, or "–" off the grid.

    With the nearest place and postcode sector ("Near"), it lets a reader find the hotspot on
    any paper or digital map, without a network.
    """
    x, y = row.get("centroid_x"), row.get("centroid_y")
    if x is None or y is None or pd.isna(x) or pd.isna(y):
        return "–"
    return _text(grid_reference(float(x), float(y), 8) or "–")



def _near_text(row: dict[str, Any]) -> str:
    """``"Great Yarmouth (NR30 4)"``: nearest place and postcode sector (never the postcode)."""
    near = "" if pd.isna(row.get("near")) else str(row.get("near") or "")
    sector = "" if pd.isna(row.get("postcode_sector")) else str(row.get("postcode_sector") or "")
    text = f"{near} ({sector})" if near and sector else near or sector
    return _text(text) if text else "–"


# A hovered footprint's outline thickens (weight 2 -> 4) and returns when the mouse leaves.
_HIGHLIGHT_ON_HOVER: Final = (
    "function(feature, layer) { layer.on({"
    "mouseover: function(e) { e.target.setStyle({weight: 4}); }, "
    "mouseout: function(e) { e.target.setStyle({weight: 2}); } }); }"
)


# --- title block and legend -------------------------------------------------------------------


def _period_text(analysis: Analysis) -> str:
    """The period as plain text (the frame escapes it)."""
    period = analysis.period or analysis.params.period
    if period is not None:
        span = f"{period.start.isoformat()} – {period.end.isoformat()}"
        # An explicit range ("2024-07-01..2024-09-30") says nothing the span does not.
        if period.label.strip() and ".." not in period.label:
            return f"{period.label} ({span})"
        return span
    events = analysis.events
    if len(events) and schema.COL_DATE_START in events and schema.COL_DATE_END in events:
        first, last = events[schema.COL_DATE_START].min(), events[schema.COL_DATE_END].max()
        if not pd.isna(first) and not pd.isna(last):
            return f"{ALL_DATES} (events {first:%Y-%m-%d} – {last:%Y-%m-%d})"
    return ALL_DATES


def area_text(names: Sequence[str]) -> str:
    """The study area in words: ``"7 districts: Breckland, Broadland, …"`` (plain text)."""
    names = [str(n) for n in names if str(n).strip()]
    if not names:
        return "no district"
    noun = "district" if len(names) == 1 else "districts"
    if len(names) <= 8:
        return f"{len(names)} {noun}: {', '.join(names)}"
    return f"{len(names)} {noun}: {', '.join(names[:3])} and {len(names) - 3} more"


def _eps_source(params: AnalysisParams) -> str:
    """How eps was chosen, in brackets, when it was not simply given."""
    source = params.eps_source.strip()
    if not source or source == "given":
        return ""
    if source.startswith("auto"):
        return f" (chosen from the harm events' k-distance curve; {_text(source)})"
    return f" ({_text(source)})"


def _frame(
    analysis: Analysis,
    presentation: PresentationParams,
    title: str,
    study: Sequence[Sequence[float]],
    breaks: tuple[int, int],
    show_points: bool,
    aggregated: bool,
    point_limit: int,
    row_labels: Sequence[str] = (),
    compact: bool = False,
    ranked: RankedPanel | None = None,
) -> PageFrame:
    params, quality = analysis.params, analysis.quality
    hotspots = analysis.hotspots
    n_thin = int((hotspots["status"] == schema.STATUS_THIN).sum())
    events = analysis.events
    roles = events[schema.COL_ROLE] if schema.COL_ROLE in events else pd.Series([], dtype=object)
    n_harm = int((roles == schema.ROLE_HARM).sum())
    n_enforcement = int((roles == schema.ROLE_ENFORCEMENT).sum())
    thin = number_text(params.thin_ratio)
    harm_thin = int(pd.to_numeric(analysis.areas["harm_in_thin_hotspots"]).fillna(0).sum())

    warnings = list(quality.warnings)  # the analysis' (a low geocoding rate among them)
    if aggregated:
        warnings.append(
            f"event points aggregated: {len(events):,} events is above the limit of "
            f"{point_limit:,}, so events are shown as counts per {GRID_CELL_M} m grid cell"
        )
    if not show_points:
        points_line = "Event points: not shown (off by default: they are victims' locations)."
    elif aggregated:
        points_line = f"Event points: counts per {GRID_CELL_M} m grid cell."
    else:
        points_line = f"Event points: shown ({n_harm:,} harm, {n_enforcement:,} enforcement)."
    labels = analysis.types.labels
    summary = (
        f"<b>Hotspots:</b> {len(hotspots):,} ({n_thin:,} thin, holding "
        f"{sentences.counted(harm_thin, 'harm event')}) · <b>Events analysed:</b> {n_harm:,} "
        f"{_text(labels.named(schema.ROLE_HARM))}, "
        f"{n_enforcement:,} {_text(labels.named(schema.ROLE_ENFORCEMENT))}"
    )

    if compact:
        summary += (
            " · <b>Large map:</b> hotspots are grouped symbols at every zoom; footprints and "
            f"enforcement clusters show from town zoom, simplified to "
            f"{FOOTPRINT_SIMPLIFY_LARGE_M:g} m (full shapes in hotspots.geojson and "
            "enforcement_clusters.geojson). Every hotspot is in the ranked list."
        )
    details = [
        (
            f"<p><b>Parameters:</b> DBSCAN eps {number_text(params.eps_m)} m"
            f"{_eps_source(params)}, min samples {params.min_samples:,}; footprint margin "
            f"{number_text(params.margin_m)} m; thin ratio {thin}.</p>"
        ),
        (
            f"<p><b>Data:</b> {sentences.counted(quality.rows_read, 'row')} read, {quality.rows_analysed:,} "
            f"analysed, {quality.rows_outside_period:,} outside the period, "
            f"{rejected_text(quality.rows_rejected, quality.rows_not_analysed)}; "
            f"geocoding rate {quality.geocoding_rate * 100:.1f}%.</p>"
        ),
        definitions_html(analysis),
        *(
            [f"<p><b>Against chance:</b> {_text(CHANCE_TEST)}</p>"]
            if "p_value" in hotspots.columns
            else []
        ),
        f"<p>{points_line}</p>",
    ]
    if row_labels:  # the extra tooltip rows (render.sparkline): their definitions, docs/time.md
        from hotspots.render.sparkline import TOOLTIP_DEFINITIONS

        details.append(
            "<p><b>Time:</b> " + " ".join(_text(TOOLTIP_DEFINITIONS[k]) for k in row_labels if k in TOOLTIP_DEFINITIONS)
            + "</p>"
        )
    return PageFrame(
        title=title,
        marking=presentation.marking,
        period=_period_text(analysis),
        area=area_text(analysis.areas["area_name"].astype(str).tolist()),
        produced=presentation.run_date,
        summary_html=summary,
        details_html="".join(details),
        warnings=tuple(warnings),
        notice=no_harm_of(analysis) or "",  # "Hotspots: 0" alone reads as a fault
        legend=_legend(analysis, breaks, show_points, aggregated),
        study_bounds=study,
        panel_html=ranked.html if ranked else "",
        panel_label=ranked.label if ranked else "",
        extra_css=(ranked.css if ranked else "") + PLACE_CSS + _CSS,
    )


def _legend(
    analysis: Analysis, breaks: tuple[int, int], show_points: bool, aggregated: bool
) -> list[LegendSection]:
    thin = number_text(analysis.params.thin_ratio)
    labels = analysis.types.labels
    low, high = breaks
    # Plain text: the frame escapes it.
    first = "1 harm event" if low == 1 else f"1–{low:,} harm events"
    second = f"{high:,} harm events" if high == low + 1 else f"{low + 1:,}–{high:,} harm events"
    status = palette.STATUS_COLOURS
    lines = palette.STATUS_LINES
    sections = [
        LegendSection(
            f"Hotspots (clusters of harm: {labels.harm})",
            [
                LegendEntry(
                    f"thin: under {thin} enforcement per harm event",
                    status[schema.STATUS_THIN],
                    lines[schema.STATUS_THIN],
                ),
                LegendEntry(
                    f"covered: {thin} or more enforcement per harm event",
                    status[schema.STATUS_COVERED],
                    lines[schema.STATUS_COVERED],
                ),
            ],
            note=(
                "Circle area grows with harm events; the number is the rank (1 = act first). "
                "A double ring groups hotspots too close to draw apart at this zoom: select it "
                "to zoom in. Footprints show from town zoom."
            ),
        ),
        LegendSection(
            "Enforcement clusters",
            [LegendEntry(f"cluster of {labels.enforcement}", "", palette.CLUSTER_LINE, "dashed")],
        ),
        LegendSection(
            "Districts: harm events inside thin hotspots",
            [
                LegendEntry(first, palette.AREA_HARM_COLOURS[0]),
                LegendEntry(second, palette.AREA_HARM_COLOURS[1]),
                LegendEntry(f"more than {high:,} harm events", palette.AREA_HARM_COLOURS[2]),
                LegendEntry("no thin hotspot", palette.AREA_NO_THIN),
            ],
            note="Coverage of each district is in its tooltip and areas.csv.",
        ),
    ]
    if show_points and not aggregated:
        sections.append(
            LegendSection(
                "Events",
                [
                    LegendEntry(
                        f"harm event ({labels.harm})", palette.HARM_POINT, shape="dot"
                    ),
                    LegendEntry(
                        f"enforcement event ({labels.enforcement})",
                        palette.ENFORCEMENT_POINT,
                        shape="dot",
                    ),
                ],
            )
        )
    elif aggregated:
        bounds = [lower for lower, _ in GRID_CLASSES]
        ranges = [
            f"{lower:,}–{upper - 1:,}" if upper - 1 > lower else f"{lower:,}"
            for lower, upper in itertools.pairwise(bounds)
        ] + [f"{bounds[-1]:,} or more"]
        entries = [
            LegendEntry(
                f"{role} events ({labels.noun(role)}) per {GRID_CELL_M} m cell, darker = more "
                f"({', '.join(ranges)})",
                colour,
            )
            for role, colour in (
                ("harm", palette.HARM_POINT),
                ("enforcement", palette.ENFORCEMENT_POINT),
            )
        ]
        sections.append(LegendSection("Events (aggregated)", entries))
    return sections
