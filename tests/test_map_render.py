"""Unit tests for hotspots.render.map: what the coverage map shows, escapes, hides and costs.

Analyses are built by hand (`make_analysis`): two 10 km districts side by side in central
Norfolk, a thin hotspot at Norwich city centre (BNG 623000, 308500) and a covered one 9 km east,
small enough to check by eye. The browser tests import the same factory.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from shapely.geometry import MultiPoint, box

from hotspots import schema
from hotspots.analysis import geocoding_warning
from hotspots.boundaries import AREA_SETS, DEFAULT_SOURCE
from hotspots.errors import ConfigError, InputError
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis, Quality
from hotspots.params import AnalysisParams, EventTypes, PresentationParams
from hotspots.period import Period
from hotspots.render import palette
from hotspots.render.map import (
    COORD_DECIMALS,
    GRID_CELL_M,
    harm_breaks,
    map_html,
)
from hotspots.render.offline import escape_text
from hotspots.where import PLACE_COLUMNS

TESTS_DIR = Path(__file__).resolve().parent
SRC_DIR = TESTS_DIR.parent / "src"

HOSTILE_SCRIPT = "<script>window.__pwned=1</script>"
HOSTILE_ATTR = '"><img src=x onerror="window.__pwned=1">'
HOSTILE_TEMPLATE = "{{ 7 * 7 }}{% raw %}{# `${alert(1)}`\\"
# folium re-parses rendered scripts as Jinja templates: this would run Python while rendering.
HOSTILE_JINJA = "{{ cycler.__init__.__globals__.os.getcwd() }}"
UNICODE = "Ynys Môn ☂ 東京 “quoted” 'single'"

NORWICH_CENTRE = (623000.0, 308500.0)  # ≈ lat 52.628, lon 1.296
# Events of the covered hotspot, 9 km east of Norwich.
EAST = (632000.0, 310000.0)


def _offsets(
    origin: tuple[float, float], steps: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    return [(origin[0] + dx, origin[1] + dy) for dx, dy in steps]


#: Individual events drawn on the map (they are victims' locations: off by default).
POINTS = PresentationParams(show_points=True)


def make_analysis(
    *,
    area_names: tuple[str, str] = ("Norwich", "Broadland"),
    area_codes: tuple[str, str] = ("E07000148", "E07000144"),
    hotspot_ids: tuple[str, str] = ("H001", "H002"),
    cluster_id: str = "E001",
    extra_type: str = "warrant",
    period_label: str | None = "2024Q3",
    boundary_source: str = DEFAULT_SOURCE,
    geocoding_rate: float = 0.96,
    extra_events: int = 0,
    warnings: tuple[str, ...] = (),
    no_hotspots: bool = False,
) -> Analysis:
    """A hand-made analysis: hotspot 1 thin (4 harm, 1 raid), hotspot 2 covered (3 harm, 3 enf.).

    ``extra_type`` is a configured enforcement type (a config file could name it anything);
    ``extra_events`` adds harm events spread over a grid in the west district, outside both
    hotspots, to push the event count past a point limit.
    """
    roles = {**schema.DEFAULT_TYPE_ROLES, extra_type: schema.ROLE_ENFORCEMENT}
    types = EventTypes(roles=roles)
    period = (
        Period(date(2024, 7, 1), date(2024, 9, 30), period_label)
        if period_label is not None
        else None
    )
    params = AnalysisParams(period=period)

    thin_harm = _offsets(NORWICH_CENTRE, [(12, -21), (-47, 63), (81, 29), (-9, -57)])
    thin_enf = _offsets(NORWICH_CENTRE, [(33, 14)])
    covered_harm = _offsets(EAST, [(17, 11), (-36, 48), (52, -27)])
    covered_enf = _offsets(EAST, [(3, -41), (-22, 26), (44, 37)])
    rows: list[dict[str, Any]] = []

    def add(points, event_type, role, hotspot, area):
        for x, y in points:
            rows.append(
                {
                    "source_file": "events.csv",
                    "source_row": len(rows) + 1,
                    "id": f"ev{len(rows) + 1}",
                    "type": event_type,
                    "role": role,
                    "date_start": pd.Timestamp("2024-08-01") + pd.Timedelta(days=len(rows)),
                    "date_end": pd.Timestamp("2024-08-01") + pd.Timedelta(days=len(rows)),
                    "x_m": x,
                    "y_m": y,
                    "area_code": area_codes[area],
                    "area_name": area_names[area],
                    "hotspot_id": hotspot,
                }
            )

    add(thin_harm, "cuckooing", "harm", hotspot_ids[0], 0)
    add(thin_enf, "raid", "enforcement", "", 0)
    add(covered_harm, "cuckooing", "harm", hotspot_ids[1], 1)
    add(covered_enf[:1], "raid", "enforcement", "", 1)
    add(covered_enf[1:2], "seizure", "enforcement", "", 1)
    add(covered_enf[2:], extra_type, "enforcement", "", 1)
    side = int(np.ceil(np.sqrt(extra_events))) if extra_events else 0
    spread = [
        (615_537 + 130.0 * (i % side), 303_561 + 170.0 * (i // side)) for i in range(extra_events)
    ]
    add(spread, "cuckooing", "harm", "", 0)
    events = pd.DataFrame(rows)

    margin = params.margin_m
    footprints = [
        MultiPoint(thin_harm).convex_hull.buffer(margin),
        MultiPoint(covered_harm).convex_hull.buffer(margin),
    ]
    type_counts = {
        "n_raid": [1, 1],
        "n_seizure": [0, 1],
        "n_cuckooing": [4, 3],
        f"n_{extra_type}": [0, 1],
    }
    hotspots = gpd.GeoDataFrame(
        {
            "hotspot_id": list(hotspot_ids),
            "rank": [1, 2],
            "status": [schema.STATUS_THIN, schema.STATUS_COVERED],
            "harm": [4, 3],
            "locations": [4, 3],
            "few_locations": [False, False],
            "enforcement": [1, 3],
            "coverage": [0.25, 1.0],
            "harm_gap": [2.0, -3.0],
            "days_since_enforcement": [37.0, np.nan],
            "area_code": list(area_codes),
            "area_name": list(area_names),
            # where.add_place_columns fills these in a real run; blank here (the panel then
            # shows the grid reference)
            **{c: ["", ""] for c in PLACE_COLUMNS},
            "centroid_x": [
                np.mean([p[0] for p in thin_harm]),
                np.mean([p[0] for p in covered_harm]),
            ],
            "centroid_y": [
                np.mean([p[1] for p in thin_harm]),
                np.mean([p[1] for p in covered_harm]),
            ],
            "footprint_m2": [f.area for f in footprints],
            **type_counts,
        },
        geometry=footprints,
        crs=schema.CRS_METRIC,
    )
    if no_hotspots:
        hotspots = hotspots.iloc[0:0]
    clusters = gpd.GeoDataFrame(
        {
            "cluster_id": [cluster_id],
            "events": [3],
            "n_raid": [1],
            "n_seizure": [1],
            f"n_{extra_type}": [1],
            "centroid_x": [np.mean([p[0] for p in covered_enf])],
            "centroid_y": [np.mean([p[1] for p in covered_enf])],
        },
        geometry=[MultiPoint(covered_enf).convex_hull.buffer(margin)],
        crs=schema.CRS_METRIC,
    )
    n_harm_west = 4 + extra_events
    areas = gpd.GeoDataFrame(
        {
            "area_code": list(area_codes),
            "area_name": list(area_names),
            "harm": [n_harm_west, 3],
            "enforcement": [1, 3],
            "coverage": [1 / n_harm_west, 1.0],
            "hotspots": [1, 1],
            "thin_hotspots": [1, 0],
            "harm_in_thin_hotspots": [4, 0],
        },
        geometry=[box(613000, 300000, 628000, 315000), box(628000, 300000, 640000, 315000)],
        crs=schema.CRS_METRIC,
    )
    n = len(events)
    quality = Quality(
        rows_read=n + 7,
        rows_analysed=n,
        rows_outside_period=4,
        rows_rejected=3,
        rejected_by_reason={schema.REASON_MISSING_COORDS: 3},
        geocoding_rate=geocoding_rate,
        stacked_points=[],
        warnings=list(warnings),
    )
    return Analysis(
        params=params,
        types=types,
        period=period,
        events=events,
        hotspots=hotspots,
        enforcement_clusters=clusters,
        areas=areas,
        quality=quality,
        inputs={"events.csv": "0" * 64},
        boundary_source=boundary_source,
    )


def html_text(value: object) -> str:
    """The escaped form the page must hold: HTML-escaped, with braces as character references."""
    return escape_text(value).replace("{", "&#123;").replace("}", "&#125;")


def geojson_layers(page: str) -> list[dict]:
    """Every GeoJSON object embedded in the page (folium writes ``geo_json_N_add({...});``)."""
    return [json.loads(body) for body in re.findall(r"_add\((\{.*?\})\);\n", page)]


def layer_with(page: str, prop: str) -> dict:
    """The embedded FeatureCollection whose features have property `prop`."""
    for layer in geojson_layers(page):
        if layer["features"] and prop in layer["features"][0]["properties"]:
            return layer
    raise AssertionError(f"no GeoJSON layer with property {prop!r}")


@cache
def _bng_to_wgs84() -> Transformer:
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def lonlat_text(x_m: float, y_m: float) -> str:
    """How an event at BNG (x, y) would be written in the page (compact JSON, lon first)."""
    lon, lat = _bng_to_wgs84().transform(x_m, y_m)
    return f"[{round(lon, COORD_DECIMALS)!r},{round(lat, COORD_DECIMALS)!r}]"


@pytest.fixture(scope="module")
def default_page() -> str:
    return map_html(make_analysis())


# --- content ------------------------------------------------------------------------------


def test_header_states_period_parameters_quality_and_definitions(default_page):
    header = re.search(r'<header id="hs-header">.*?</header>', default_page, re.DOTALL).group(0)
    assert "2024Q3 (2024-07-01 – 2024-09-30)" in header
    assert "<b>Area:</b> 2 districts: Norwich, Broadland" in header
    assert "DBSCAN eps 400 m, min samples 3; footprint margin 200 m; thin ratio 0.5" in header
    assert (
        "18 rows read, 11 analysed, 4 outside the period, 3 rejected; geocoding rate 96.0%"
        in header
    )
    assert (
        "<b>Coverage:</b> Enforcement events of the period inside the footprint per harm event "
        "in the hotspot." in header
    )
    assert "<b>Thin:</b> A hotspot whose coverage is below 0.5; otherwise covered." in header
    assert "<b>Hotspots:</b> 2 (1 thin, holding 4 harm events)" in header
    assert "Event points: not shown" in header
    assert "hs-warning" not in header
    assert "Produced" not in header


def test_automatic_eps_is_explained():
    analysis = make_analysis()
    source = "auto: knee of the 3-distance curve of 7 harm events (kneedle), rounded up to 10 m"
    params = _replace(analysis.params, eps_m=410.0, eps_source=source)
    page = map_html(_replace(analysis, params=params))
    assert (
        "DBSCAN eps 410 m (chosen from the harm events' k-distance curve; auto: knee of the "
        "3-distance curve of 7 harm events (kneedle), rounded up to 10 m), min samples 3"
    ) in page


def test_marking_in_capitals_at_top_and_bottom():
    page = map_html(make_analysis(), PresentationParams(marking="official-sensitive"))
    assert page.count('class="hs-marking" role="note">OFFICIAL-SENSITIVE</div>') == 2
    assert page.index('id="hs-marking-top"') < page.index('id="hs-header"')
    assert page.index('id="hs-header"') < page.index('id="hs-marking-bottom"')


def test_run_date_and_title_when_given():
    page = map_html(make_analysis(), PresentationParams(run_date="2024-10-02"), title="Norfolk Q3")
    assert "<title>Norfolk Q3</title>" in page
    assert "<h1>Norfolk Q3</h1>" in page
    assert "<b>Produced:</b> 2024-10-02" in page


def test_all_dates_without_a_period():
    page = map_html(make_analysis(period_label=None))
    assert "<b>Period:</b> all dates (events 2024-08-01 – 2024-08-11)" in page


def test_low_geocoding_rate_is_flagged_once():
    # The analysis words the warning (one threshold, one sentence); the map shows it, once.
    warning = geocoding_warning(18, 0.8)
    page = map_html(make_analysis(geocoding_rate=0.8, warnings=(warning,)))
    assert re.search(r'class="hs-warning">Warnings: geocoding rate 80\.0% is below 85%', page)
    assert page.count("is below 85%") == 1


def test_hotspot_tooltips_hold_counts_ratio_days_and_area(default_page):
    features = layer_with(default_page, "hotspot")["features"]
    thin, covered = (f["properties"] for f in features)
    assert thin == {
        "hotspot": "H001",
        "rank": "1",
        "status": "thin",
        "area": "Norwich (E07000148)",
        "near": "–",  # the fixture's place columns are blank (tests/test_where.py fills them)
        "local": "–",
        "harm": "4",
        "enforcement": "1 (raid 1, seizure 0, warrant 0)",
        "coverage": "0.25",
        "days": "37",
        "footprint": thin["footprint"],
        "locations": "4 events at 4 locations",
        "where": "TG 2300 0850",
        "thin": 1,
    }
    assert re.fullmatch(r"0\.\d\d km²", thin["footprint"])
    assert covered["enforcement"] == "3 (raid 1, seizure 1, warrant 1)"
    assert covered["days"] == "none in record"
    assert covered["thin"] == 0


def feature_styles(page: str, prop: str) -> dict[int, dict]:
    """Feature id -> Leaflet style of the layer with property `prop`, from its style table."""
    for number, body in re.findall(r"geo_json_(\d+)_add\((\{.*?\})\);\n", page):
        features = json.loads(body)["features"]
        if features and prop in features[0]["properties"]:
            break
    else:
        raise AssertionError(f"no GeoJSON layer with property {prop!r}")
    layer = re.search(rf"var geo_json_{number} = L\.geoJson\(null, \{{(.*?)\n        \}}\);", page, re.DOTALL)
    table, key = re.search(
        r'"style": function\(feature\) \{ return (\{.*\})\[String\(feature\.properties\.(\w+)\)\]; \}',
        layer.group(1),
    ).groups()
    styles = json.loads(table)
    return {f["id"]: styles[str(f["properties"][key])] for f in features}


def test_hotspot_colours_follow_status(default_page):
    styles = feature_styles(default_page, "hotspot")
    assert styles[0]["fillColor"] == "#D55E00"  # H001, thin
    assert styles[1]["fillColor"] == "#0072B2"  # H002, covered


def test_districts_are_shaded_by_harm_in_thin_hotspots(default_page):
    features = layer_with(default_page, "harm_thin")["features"]
    west, east = (f["properties"] for f in features)
    assert west["area"] == "Norwich (E07000148)"
    assert west["harm_thin"] == "4 (100% of all harm in the district)"
    assert west["cls"] == 2  # the largest figure (4) is in the top class, above 2
    assert west["coverage"] == "0.25"  # coverage stays in the tooltip
    assert east["harm_thin"].startswith("0 (") and east["cls"] == -1  # no thin hotspot
    assert west["hotspots"] == "1 (1 thin)"
    styles = feature_styles(default_page, "harm_thin")
    assert [styles[i]["fillColor"] for i in (0, 1)] == [
        palette.AREA_HARM_COLOURS[2],
        palette.AREA_NO_THIN,
    ]
    legend = re.search(r'<div id="hs-legend".*?</div></div>', default_page, re.DOTALL).group(0)
    for words in ("1 harm event<", "2 harm events<", "more than 2 harm events", "no thin hotspot"):
        assert words in legend


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], (1, 2)), ([0, 3], (1, 2)), ([4], (1, 2)), ([30, 12], (10, 20)), ([160], (50, 100))],
    ids=["empty", "three", "four", "thirty", "hundreds"],
)
def test_harm_breaks_are_thirds_of_the_largest_on_a_1_2_5_step(values, expected):
    assert harm_breaks(values) == expected


def test_area_with_no_harm_is_its_own_class():
    analysis = make_analysis()
    areas = analysis.areas.copy()
    areas.loc[1, ["harm", "coverage"]] = [0, np.nan]
    page = map_html(_replace(analysis, areas=areas))
    east = layer_with(page, "harm_thin")["features"][1]["properties"]
    assert east["cls"] == -1
    assert east["coverage"] == "no harm"
    assert east["harm_thin"] == "0 (no harm in the district)"


def test_thin_ratio_is_stated_in_legend_and_definitions():
    analysis = make_analysis()
    params = _replace(analysis.params, thin_ratio=0.3)
    page = map_html(_replace(analysis, params=params))
    legend = re.search(r'<div id="hs-legend".*?</div></div>', page, re.DOTALL).group(0)
    assert "thin: under 0.3 enforcement per harm event" in legend
    assert "<b>Thin:</b> A hotspot whose coverage is below 0.3; otherwise covered." in page


def test_enforcement_clusters_are_drawn_with_type_counts(default_page):
    (cluster,) = layer_with(default_page, "cluster")["features"]
    assert cluster["properties"] == {
        "cluster": "E001",
        "events": "3 (raid 1, seizure 1, warrant 1)",
    }


def test_layers_legend_and_hotspot_symbols(default_page):
    for name in ("Districts: harm in thin hotspots", "Enforcement clusters", "Hotspots"):
        assert f'"{name}" :' in default_page or f'"{name}":' in default_page
    assert default_page.count('class="hs-entry"') == 7
    rows = json.loads(re.search(r"var rows = (\[.*?\]);\n", default_page).group(1))
    assert [(r[0], r[4], r[5]) for r in rows] == [(1, 1, "H001"), (2, 0, "H002")]
    assert '<table id="hs-rank-table">' in default_page


def attributions(page: str) -> list[str]:
    """Attribution texts of the page's layers (shown by Leaflet's attribution control)."""
    return [json.loads(text) for text in re.findall(r'"attribution": ("(?:[^"\\]|\\.)*")', page)]


def test_boundary_attribution_default_and_custom(default_page):
    assert attributions(default_page) == [
        (
            "Boundaries: Local authority districts, April 2025 (318, England and Wales). Source: "
            "Office for National Statistics licensed under the Open Government Licence v.3.0; "
            "Contains OS data © Crown copyright and database right"
        )
    ]
    page = map_html(make_analysis(boundary_source=AREA_SETS["lad2011"].source))
    assert attributions(page) == [AREA_SETS["lad2011"].attribution]
    assert "December 2011" in attributions(page)[0]
    page = map_html(make_analysis(boundary_source="User boundaries: force_areas.gpkg"))
    assert attributions(page) == ["User boundaries: force_areas.gpkg"]
    page = map_html(make_analysis(boundary_source="Police force areas"))
    assert attributions(page) == ["Boundaries: Police force areas"]
    assert "Office for National Statistics" not in page


def test_empty_analysis_still_renders():
    page = map_html(make_analysis(no_hotspots=True))
    assert "<b>Hotspots:</b> 0 (0 thin," in page
    with pytest.raises(AssertionError):
        layer_with(page, "hotspot")


# --- geometry -----------------------------------------------------------------------------


def test_hotspot_at_norwich_centre_is_lon_lat(default_page):
    ring = layer_with(default_page, "hotspot")["features"][0]["geometry"]["coordinates"][0]
    lons = [lon for lon, _lat in ring]
    lats = [lat for _lon, lat in ring]
    assert 1.285 < min(lons) and max(lons) < 1.307
    assert 52.621 < min(lats) and max(lats) < 52.636
    assert abs(np.mean(lons) - 1.296) < 0.003 and abs(np.mean(lats) - 52.628) < 0.002


def test_coordinates_are_rounded(default_page):
    layer = layer_with(default_page, "harm_thin")
    values = [
        v
        for f in layer["features"]
        for ring in f["geometry"]["coordinates"]
        for p in ring
        for v in p
    ]
    assert values and all(round(v, COORD_DECIMALS) == v for v in values)
    assert not re.search(r"\d\.\d{7,}", default_page.split("<script>")[-1])


def test_shared_district_edge_stays_shared():
    # Coverage simplification: both districts keep the same vertices along their border.
    wiggly_west = box(613000, 300000, 628000, 315000)
    analysis = make_analysis()
    areas = analysis.areas.copy()
    areas.geometry = [wiggly_west, areas.geometry.iloc[1]]
    page = map_html(_replace(analysis, areas=areas))
    west, east = (
        f["geometry"]["coordinates"][0] for f in layer_with(page, "harm_thin")["features"]
    )
    shared = {tuple(p) for p in west} & {tuple(p) for p in east}
    assert len(shared) >= 2


# --- privacy: event points ------------------------------------------------------------------


def _point_geometries(page: str) -> list[dict]:
    return [
        feature["geometry"]
        for layer in geojson_layers(page)
        for feature in layer["features"]
        if feature["geometry"]["type"] in ("Point", "MultiPoint")
    ]


def _event_coordinates(analysis: Analysis) -> list[str]:
    return [
        lonlat_text(x, y)
        for x, y in zip(analysis.events["x_m"], analysis.events["y_m"], strict=True)
    ]


def test_event_points_are_off_by_default(default_page):
    analysis = make_analysis()
    for text in _event_coordinates(analysis):
        assert text not in default_page
    assert _point_geometries(default_page) == []
    assert "hotspots_canvas_renderer" not in default_page
    assert '"Harm events" :' not in default_page  # no layer of that name


def test_show_points_puts_events_on_the_map():
    analysis = make_analysis()
    page = map_html(analysis, POINTS)
    for text in _event_coordinates(analysis):
        assert text in page
    assert [len(g["coordinates"]) for g in _point_geometries(page)] == [7, 4]  # harm, enforcement
    assert "Event points: shown (7 harm, 4 enforcement)" in page
    assert "hotspots_canvas_renderer" in page


def test_points_cost_few_bytes_each():
    few = map_html(make_analysis(), POINTS)
    many = map_html(make_analysis(extra_events=2000), POINTS)
    per_event = (len(many) - len(few)) / 2000
    assert per_event < 25, per_event  # "[1.23456,52.12345]," in one MultiPoint


def test_many_events_become_grid_counts():
    analysis = make_analysis(extra_events=30)
    page = map_html(analysis, POINTS, point_limit=40)
    for text in _event_coordinates(analysis):
        assert text not in page
    assert _point_geometries(page) == []
    assert "event points aggregated: 41 events is above the limit of 40" in page
    cells = [
        layer
        for layer in geojson_layers(page)
        if set(layer["features"][0]["properties"]) == {"cls", "cells"}
    ]
    harm_cells, enforcement_cells = cells
    events = analysis.events
    for role, layer in (("harm", harm_cells), ("enforcement", enforcement_cells)):
        subset = events[events["role"] == role]
        cell = list(zip(subset["x_m"] // GRID_CELL_M, subset["y_m"] // GRID_CELL_M, strict=True))
        counts = pd.Series(cell).value_counts()
        classes = np.select([counts >= 100, counts >= 20, counts >= 5], [3, 2, 1], 0)
        expected = {int(c): int((classes == c).sum()) for c in np.unique(classes)}
        drawn = {f["properties"]["cls"]: f["properties"]["cells"] for f in layer["features"]}
        assert drawn == expected, role
        squares = [sq for f in layer["features"] for sq in f["geometry"]["coordinates"]]
        assert len(squares) == len(counts)
        assert all(len(sq[0]) == 5 and sq[0][0] == sq[0][-1] for sq in squares)
    assert "per 500 m cell" in page


# --- escaping ------------------------------------------------------------------------------

HOSTILE_VALUES = [HOSTILE_SCRIPT, HOSTILE_ATTR, HOSTILE_TEMPLATE, HOSTILE_JINJA, UNICODE]


@pytest.mark.parametrize(
    "hostile", HOSTILE_VALUES, ids=["script", "attribute", "template", "jinja", "unicode"]
)
def test_hostile_values_never_reach_the_page_unescaped(hostile):
    analysis = make_analysis(
        area_names=(hostile, f"East {hostile}"),
        area_codes=(f"E0{hostile}", "E07000144"),
        hotspot_ids=(hostile, f"H{hostile}"),
        cluster_id=f"E{hostile}",
        extra_type=f"t{hostile}",
        period_label=hostile,
        boundary_source=f"own {hostile}",
        warnings=(f"warning {hostile}",),
    )
    page = map_html(analysis, PresentationParams(marking=hostile, run_date=hostile), title=hostile)
    escaped = html_text(hostile)
    if escaped != hostile:
        assert hostile not in page
        assert hostile.upper() not in page
    assert html_text(hostile.upper()) in page  # the marking
    assert f"<h1>{escaped}</h1>" in page
    assert f"<title>{escaped}</title>" in page
    assert f"<b>Period:</b> {escaped} (2024-07-01 – 2024-09-30)" in page
    assert f"<b>Produced:</b> {escaped}</span>" in page
    assert attributions(page) == [f"Boundaries: own {escaped}"]
    for jinja_tag in ("{{", "{%", "{#"):
        assert jinja_tag not in page
    assert os.getcwd() not in page
    # Tooltip values and layer names are inserted with innerHTML: each must be escaped text.
    for layer in geojson_layers(page):
        for feature in layer["features"]:
            for value in feature["properties"].values():
                if isinstance(value, str):
                    assert not set(value) & set("<>\"'`{}\\"), value
    hotspot = layer_with(page, "hotspot")["features"][0]["properties"]
    assert hotspot["hotspot"] == escaped
    assert hotspot["area"] == html_text(f"{hostile} (E0{hostile})")
    assert html_text(f"t{hostile}") + " 0" in hotspot["enforcement"]
    assert layer_with(page, "cluster")["features"][0]["properties"]["cluster"] == html_text(
        f"E{hostile}"
    )
    assert layer_with(page, "harm_thin")["features"][1]["properties"]["area"] == html_text(
        f"East {hostile} (E07000144)"
    )


@pytest.mark.parametrize(
    "tiles",
    [
        "javascript:alert(1)//{z}/{x}/{y}",
        "https://tiles.example.org/tile.png",
        "https://tiles.example.org/{{z}}/{x}/{y}.png",
        "https://tiles.example.org/{z}/{x}/{y}.png?k={% raw %}",
        'https://tiles.example.org/{z}/{x}/{y}.png"><script>',
        "file:///srv/tiles/{z}/{x}/{y}.png",
    ],
    ids=["javascript", "no-placeholders", "jinja-expression", "jinja-tag", "markup", "file"],
)
def test_invalid_tiles_are_refused(tiles):
    with pytest.raises(ConfigError, match=r"tiles: expected 'none', 'osm' or a tile URL template"):
        map_html(make_analysis(), PresentationParams(tiles=tiles))


# --- tiles ---------------------------------------------------------------------------------


def test_no_tiles_by_default(default_page):
    assert "L.tileLayer" not in default_page
    assert "img-src data: blob:;" in default_page


def test_osm_tiles_with_attribution():
    page = map_html(make_analysis(), PresentationParams(tiles="osm"))
    assert '"https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in page
    assert "OpenStreetMap" in page and "contributors" in page
    assert "img-src data: blob: https://tile.openstreetmap.org;" in page


def test_custom_tile_template_names_its_host():
    page = map_html(make_analysis(), PresentationParams(tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"))
    assert "Map tiles: tiles.example.org" in attributions(page)
    assert "https://*.tiles.example.org" in page


# --- contract, determinism, size -------------------------------------------------------------


def test_missing_columns_are_listed():
    analysis = make_analysis()
    broken = _replace(
        analysis,
        hotspots=analysis.hotspots.drop(columns=["coverage", "rank"]),
        areas=analysis.areas.drop(columns=["harm"]),
    )
    with pytest.raises(
        InputError,
        match=r"hotspots lacks column\(s\) rank, coverage[\s\S]*areas lacks column\(s\) harm",
    ):
        map_html(broken)
    with pytest.raises(TypeError, match="must be an Analysis"):
        map_html("map.html")  # type: ignore[arg-type]


def test_contract_columns_are_those_of_the_model():
    analysis = make_analysis()
    assert set(HOTSPOT_COLUMNS) <= set(analysis.hotspots.columns)
    assert set(AREA_COLUMNS) <= set(analysis.areas.columns)


def test_same_analysis_gives_same_bytes(default_page):
    assert map_html(make_analysis()) == default_page


def test_same_bytes_in_another_process(default_page):
    code = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]);"
        "from test_map_render import make_analysis; from hotspots.render.map import map_html;"
        "print(hashlib.sha256(map_html(make_analysis()).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(SRC_DIR)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(TESTS_DIR)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.strip() == hashlib.sha256(default_page.encode()).hexdigest()


def test_small_analysis_stays_small(default_page):
    # Leaflet's JS and CSS are about 165 kB; everything else for this analysis is a few kB.
    size = len(default_page.encode())
    assert size < 230_000, size
    data = sum(len(json.dumps(layer)) for layer in geojson_layers(default_page))
    assert data < 12_000, data


def _replace(analysis: Analysis, **changes: Any) -> Analysis:
    from dataclasses import replace

    return replace(analysis, **changes)


def test_hotspot_tooltip_and_panel_name_the_place_when_the_geography_is_known():
    analysis = make_analysis()
    hotspots = analysis.hotspots.copy()
    hotspots["near"] = ["Norwich", "Thorpe St Andrew"]
    hotspots["postcode_sector"] = ["NR2 1", "NR7 0"]
    page = map_html(_replace(analysis, hotspots=hotspots))
    props = [f["properties"] for f in layer_with(page, "hotspot")["features"]]
    assert [p["where"] for p in props] == ["TG 2300 0850", "TG 3201 1001"]
    assert [p["near"] for p in props] == ["Norwich (NR2 1)", "Thorpe St Andrew (NR7 0)"]
    rows = json.loads(re.search(r"var rows = (\[.*?\]);\n", page).group(1))
    assert [(r[6], r[16]) for r in rows] == [("Norwich", "NR2 1"), ("Thorpe St Andrew", "NR7 0")]


def _decode_polyline(text: str) -> list[tuple[float, float]]:
    """Reference decoder of Google's polyline format: (lat, lon) pairs."""
    points, index, lat, lon = [], 0, 0, 0
    while index < len(text):
        values = []
        for _ in range(2):
            shift = result = 0
            while True:
                b = ord(text[index]) - 63
                index += 1
                result |= (b & 0x1F) << shift
                shift += 5
                if b < 0x20:
                    break
            values.append(~(result >> 1) if result & 1 else result >> 1)
        lat += values[0]
        lon += values[1]
        points.append((lat / 1e5, lon / 1e5))
    return points


def test_large_maps_aggregate_and_carry_footprints_as_encoded_outlines():
    analysis = make_analysis()
    page = map_html(analysis, compact_above=1)
    with pytest.raises(AssertionError):
        layer_with(page, "hotspot")  # no per-footprint GeoJSON layer
    assert "<b>Large map:</b>" in page
    rows = json.loads(re.search(r"var rows = (\[.*?\]);\n", page).group(1))
    assert [r[5] for r in rows] == ["H001", "H002"]
    ring = _decode_polyline(rows[0][17])
    footprint = analysis.hotspots.to_crs("EPSG:4326").geometry.iloc[0]
    lats = [p[0] for p in ring]
    lons = [p[1] for p in ring]
    assert abs(min(lons) - footprint.bounds[0]) < 0.0005 and abs(max(lats) - footprint.bounds[3]) < 0.0005
    clusters = json.loads(re.search(r"var clusters = (\[.*?\]);\n", page).group(1))
    assert len(clusters) == 1 and len(_decode_polyline(clusters[0][4])) >= 4
    assert map_html(analysis, compact_above=1) == page  # deterministic
