"""Tests for hotspots.brief: briefing content, audiences, escaping, determinism and the audit log.

The planted data set is six hotspots in two districts near Norwich and Great Yarmouth, built by
hand so every number in the briefing can be checked by eye:

====  ========  ===============  ====  ===========  =========  ====  =======
rank  id        district         harm  enforcement  harm gap   days  status
====  ========  ===============  ====  ===========  =========  ====  =======
1     H004      Great Yarmouth   11    0            11         —     thin
2     H002      Great Yarmouth   9     2            5          40    thin
3     H005      Great Yarmouth   4     0            4          —     thin
4     H001      Norwich          5     1            3          12    thin
5     H003      Norwich          6     4            -2         3     covered
6     H006      Norwich          3     3            -3         20    covered
====  ========  ===============  ====  ===========  =========  ====  =======
"""

from __future__ import annotations

import json
import math
import re
import struct
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from hotspots import schema
from hotspots.brief import (
    AUDIT_FILE,
    SUPPRESS_BELOW,
    WIDE_GRID_M,
    append_audit,
    audit_record,
    briefing_html,
    briefing_markdown,
    briefing_pdf,
    build_briefing,
    escape_markdown,
)
from hotspots.brief.rules import Style
from hotspots.errors import ConfigError
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis, Quality
from hotspots.params import AnalysisParams, EventTypes, PresentationParams
from hotspots.period import parse_period
from hotspots.where import add_place_columns

PRODUCED = date(2024, 10, 7)
VERSION = "9.9.9-test"
NORWICH = ("E07000148", "Norwich", (618_000, 304_000, 628_000, 314_000))
YARMOUTH = ("E07000145", "Great Yarmouth", (645_000, 296_000, 656_000, 316_000))

#: (hotspot_id, district, harm, enforcement, days since enforcement, centroid x, centroid y)
PLANTED = [
    ("H004", YARMOUTH, 11, 0, None, 652_340.0, 307_860.0),
    ("H002", YARMOUTH, 9, 2, 40, 651_210.0, 305_480.0),
    ("H005", YARMOUTH, 4, 0, None, 649_870.0, 303_020.0),
    ("H001", NORWICH, 5, 1, 12, 623_150.0, 308_720.0),
    ("H003", NORWICH, 6, 4, 3, 622_480.0, 309_910.0),
    ("H006", NORWICH, 3, 3, 20, 624_900.0, 307_300.0),
]
SIX_FIGURE = re.compile(r"\b[A-HJ-Z]{2} \d{3} \d{3}\b")
FOUR_FIGURE = re.compile(r"\b[A-HJ-Z]{2} \d{2} \d{2}\b")
HOSTILE = '<img src=x onerror="window.__pwned=1"> | *bold* [link](http://evil.example)'


def hotspot_table(planted: list[tuple], thin_ratio: float = 0.5) -> gpd.GeoDataFrame:
    """Hotspot rows in the model's columns, ranked by harm gap as the scoring step does."""
    rows = []
    for hotspot_id, (code, name, _box), harm, enforcement, days, x, y in planted:
        coverage = enforcement / harm
        rows.append(
            {
                "hotspot_id": hotspot_id,
                "status": schema.STATUS_THIN if coverage < thin_ratio else schema.STATUS_COVERED,
                "harm": harm,
                "locations": harm,
                "few_locations": False,
                "enforcement": enforcement,
                "coverage": coverage,
                "harm_gap": harm - enforcement / thin_ratio,
                "days_since_enforcement": math.nan if days is None else float(days),
                "area_code": code,
                "area_name": name,
                "centroid_x": x,
                "centroid_y": y,
                "footprint_m2": math.pi * 300**2,
                "geometry": shapely.Point(x, y).buffer(300, quad_segs=4),
            }
        )
    rows.sort(key=lambda r: (-r["harm_gap"], r["hotspot_id"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    if not rows:
        empty = {column: [] for column in HOTSPOT_COLUMNS}
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=schema.CRS_METRIC))
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS_METRIC)
    # near, postcode_sector, postcode from the bundled data, as the analysis adds them
    return add_place_columns(frame)[[*HOTSPOT_COLUMNS, "geometry"]]


def area_table(districts: list[tuple], hotspots: gpd.GeoDataFrame, harm: dict, enforcement: dict):
    rows = []
    for code, name, box in districts:
        mine = hotspots[hotspots["area_code"] == code]
        thin = mine[mine["status"] == schema.STATUS_THIN]
        rows.append(
            {
                "area_code": code,
                "area_name": name,
                "harm": harm[code],
                "enforcement": enforcement[code],
                "coverage": enforcement[code] / harm[code] if harm[code] else math.nan,
                "hotspots": len(mine),
                "thin_hotspots": len(thin),
                "harm_in_thin_hotspots": int(thin["harm"].sum()),
                "geometry": shapely.box(*box),
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS_METRIC)
    return frame.sort_values("area_code").reset_index(drop=True)[[*AREA_COLUMNS, "geometry"]]


def make_analysis(
    planted: list[tuple] | None = None,
    *,
    period: str = "2024Q3",
    districts: list[tuple] | None = None,
    harm: dict | None = None,
    enforcement: dict | None = None,
    inputs: dict[str, str] | None = None,
    boundary_source: str = "ONS Local Authority Districts (December 2011), generalised",
    types: EventTypes | None = None,
    warnings: list[str] | None = None,
) -> Analysis:
    """A hand-built Analysis; defaults give the planted data set of the module docstring."""
    planted = PLANTED if planted is None else planted
    districts = districts or [YARMOUTH, NORWICH]
    harm = harm or {NORWICH[0]: 20, YARMOUTH[0]: 30}
    enforcement = enforcement or {NORWICH[0]: 12, YARMOUTH[0]: 5}
    params = AnalysisParams(
        period=parse_period(period), study_area=tuple(d[1] for d in districts)
    )
    hotspots = hotspot_table(planted, params.thin_ratio)
    quality = Quality(
        rows_read=120,
        rows_analysed=80,
        rows_outside_period=25,
        rows_rejected=15,
        rejected_by_reason={
            schema.REASON_DUPLICATE_ID: 3,
            schema.REASON_MISSING_COORDS: 11,
            schema.REASON_BAD_DATE: 1,
        },
        geocoding_rate=0.9,
        stacked_points=[
            {
                "grid_ref": "TG 523 078",
                "x_m": 652_301.0,
                "y_m": 307_812.0,
                "events": 7,
                "area_name": "Great Yarmouth",
            }
        ],
        warnings=list(warnings or []),
    )
    return Analysis(
        params=params,
        types=types or EventTypes(),
        period=params.period,
        events=pd.DataFrame(columns=["source_file", "source_row", "id", "type", "x_m", "y_m"]),
        hotspots=hotspots,
        enforcement_clusters=gpd.GeoDataFrame(
            {"cluster_id": []}, geometry=gpd.GeoSeries([], crs=schema.CRS_METRIC)
        ),
        areas=area_table(districts, hotspots, harm, enforcement),
        quality=quality,
        inputs=inputs
        if inputs is not None
        else {"cuckooing_2024q3.csv": "ab" * 32, "enforcement_2024q3.csv": "cd" * 32},
        boundary_source=boundary_source,
    )


def make_comparison() -> SimpleNamespace:
    """A stand-in for hotspots.compare.Comparison against 2024Q2 (duck-typed)."""
    nan = math.nan
    current = {h[0]: h for h in PLANTED}

    def row(period, hotspot_id, change, matched, harm, enf, status, cov, p, geometry=None):
        district = current[hotspot_id][1] if period == "current" else NORWICH
        if geometry is None:
            x, y = current[hotspot_id][5], current[hotspot_id][6]
            geometry = shapely.Point(x, y).buffer(300, quad_segs=4)
        return {
            "period": period,
            "hotspot_id": hotspot_id,
            "change": change,
            "matched_ids": matched,
            "harm_previous": harm[0],
            "harm_current": harm[1],
            "enforcement_previous": enf[0],
            "enforcement_current": enf[1],
            "status_previous": status[0],
            "status_current": status[1],
            "coverage_change": cov,
            "p_value": p,
            "area_code": district[0],
            "area_name": district[1],
            "geometry": geometry,
        }

    rows = [
        row(
            "current",
            "H004",
            "intensified",
            ["H002"],
            (5, 11),
            (1, 0),
            ("thin", "thin"),
            "still_thin",
            0.03,
        ),
        row("current", "H002", "new", [], (nan, 9), (nan, 2), ("", "thin"), "", nan),
        row(
            "current",
            "H005",
            "persistent",
            ["H001"],
            (4, 4),
            (3, 0),
            ("covered", "thin"),
            "gap_opened",
            1.0,
        ),
        row(
            "current",
            "H001",
            "merged",
            ["H003", "H004"],
            (12, 5),
            (2, 1),
            ("thin", "thin"),
            "still_thin",
            0.08,
        ),
        row(
            "current",
            "H003",
            "persistent",
            ["H006"],
            (6, 6),
            (4, 4),
            ("covered", "covered"),
            "still_covered",
            1.0,
        ),
        row("current", "H006", "new", [], (nan, 3), (nan, 3), ("", "covered"), "", nan),
        row(
            "previous",
            "H002",
            "intensified",
            ["H004"],
            (5, 11),
            (1, 0),
            ("thin", "thin"),
            "still_thin",
            0.03,
            shapely.Point(652_000, 307_500).buffer(300),
        ),
        row(
            "previous",
            "H005",
            "resolved",
            [],
            (7, 0),
            (2, 0),
            ("covered", ""),
            "",
            nan,
            shapely.Point(626_050, 311_020).buffer(300, quad_segs=4),
        ),
    ]
    hotspots = gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS_METRIC)
    areas = pd.DataFrame(
        [
            {
                "area_code": YARMOUTH[0],
                "area_name": YARMOUTH[1],
                "harm_previous": 18,
                "harm_current": 30,
                "enforcement_previous": 6,
                "enforcement_current": 5,
                "coverage_previous": 1 / 3,
                "coverage_current": 1 / 6,
                "hotspots_previous": 2,
                "hotspots_current": 3,
                "thin_hotspots_previous": 1,
                "thin_hotspots_current": 3,
                "harm_change": 12,
                "harm_change_p": 0.04,
                "harm_trend": "up",
                "gaps_opened": 1,
                "gaps_closed": 0,
            },
            {
                "area_code": NORWICH[0],
                "area_name": NORWICH[1],
                "harm_previous": 22,
                "harm_current": 20,
                "enforcement_previous": 9,
                "enforcement_current": 12,
                "coverage_previous": 9 / 22,
                "coverage_current": 0.6,
                "hotspots_previous": 4,
                "hotspots_current": 3,
                "thin_hotspots_previous": 1,
                "thin_hotspots_current": 1,
                "harm_change": -2,
                "harm_change_p": 0.76,
                "harm_trend": "no significant change",
                "gaps_opened": 0,
                "gaps_closed": 0,
            },
        ]
    )
    class_counts = {"new": 2, "intensified": 1, "persistent": 2, "merged": 1, "resolved": 1}
    return SimpleNamespace(hotspots=hotspots, areas=areas, class_counts=class_counts)


def brief(analysis: Analysis | None = None, **kwargs: Any):
    kwargs.setdefault("produced", PRODUCED)
    kwargs.setdefault("version", VERSION)
    return build_briefing(analysis or make_analysis(), **kwargs)


@pytest.fixture(scope="module")
def internal():
    return brief()


@pytest.fixture(scope="module")
def wide():
    return brief(audience="wide", reason="Op Alpha tasking")


@pytest.fixture(scope="module")
def compared():
    previous = make_analysis(period="2024Q2")
    return brief(comparison=make_comparison(), previous=previous)


class _Tags(HTMLParser):
    """Collect start tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def visible_text(html: str) -> str:
    """The HTML with the embedded figure's base64 removed (it can contain any letters)."""
    return re.sub(r'src="data:image/png;base64,[^"]*"', 'src="data:"', html)


# --- content: priority hotspots --------------------------------------------------------------------


def test_priority_lists_planted_thin_hotspots_in_rank_order(internal):
    assert internal.priority.records() == [
        {
            "Rank": "1",
            "Hotspot": "H004",
            "Area": "Great Yarmouth",
            "Location (OS grid ref)": "TG 523 078",
            "Near": "Great Yarmouth, NR30 1NA",
            "Harm": "11",
            "Enforcement": "0",
            "Coverage": "0.00",
            "Days since enforcement": "none recorded",
        },
        {
            "Rank": "2",
            "Hotspot": "H002",
            "Area": "Great Yarmouth",
            "Location (OS grid ref)": "TG 512 054",
            "Near": "Bradwell, NR31 0NG",
            "Harm": "9",
            "Enforcement": "2",
            "Coverage": "0.22",
            "Days since enforcement": "40",
        },
        {
            "Rank": "3",
            "Hotspot": "H005",
            "Area": "Great Yarmouth",
            "Location (OS grid ref)": "TG 498 030",
            "Near": "Bradwell, NR31 9FR",
            "Harm": "4",
            "Enforcement": "0",
            "Coverage": "0.00",
            "Days since enforcement": "none recorded",
        },
        {
            "Rank": "4",
            "Hotspot": "H001",
            "Area": "Norwich",
            "Location (OS grid ref)": "TG 231 087",
            "Near": "Norwich, NR2 4AD",
            "Harm": "5",
            "Enforcement": "1",
            "Coverage": "0.20",
            "Days since enforcement": "12",
        },
    ]
    assert internal.priority_note == (
        "Thin-coverage hotspots by harm gap, largest first: 4 of 4 thin (6 hotspots in all)."
    )


def test_top_n_keeps_the_highest_ranks():
    b = brief(top_n=2)
    assert [r["Hotspot"] for r in b.priority.records()] == ["H004", "H002"]
    assert b.priority_note.endswith("Only the first 2 are listed.")
    assert [f.label for f in b.map_features] == ["1", "2", "", "", "", ""]


def test_key_findings_give_the_numbers(internal):
    assert internal.key_findings == (
        (
            "4 of 6 harm hotspots (cuckooing reports) in 2024Q3 had thin enforcement coverage "
            "(fewer than 0.5 raids and seizures per harm event); 2 had no recorded enforcement at "
            "all; 3 are in Great Yarmouth."
        ),
        "Thin hotspots held 58% of the harm events recorded in the study area (29 of 50).",
        (
            "Great Yarmouth had the most harm in thin hotspots (24 harm events in 3 thin hotspots); "
            "across the district 5 enforcement events were recorded against 30 harm events "
            "(coverage 0.17)."
        ),
        (
            "Priority 1 is hotspot H004 in Great Yarmouth (TG 523 078): 11 harm events and "
            "0 enforcement events, with no enforcement recorded in its footprint."
        ),
    )


def test_header(internal):
    assert internal.title.startswith("Tasking briefing")
    assert internal.area == "Great Yarmouth and Norwich"
    assert internal.period == "2024Q3 (1 July 2024 to 30 September 2024)"
    assert internal.comparison_period is None
    assert internal.marking == "OFFICIAL-SENSITIVE"
    assert internal.produced_text == "7 October 2024"
    assert internal.version == VERSION


def test_marking_is_printed_in_capitals():
    assert brief(presentation=PresentationParams(marking="official")).marking == "OFFICIAL"


def test_areas_table_puts_most_harm_in_thin_hotspots_first(internal):
    assert internal.areas.records() == [
        {
            "Area": "Great Yarmouth",
            "Code": "E07000145",
            "Harm": "30",
            "Enforcement": "5",
            "Coverage": "0.17",
            "Hotspots": "3",
            "Thin hotspots": "3",
            "Harm in thin hotspots": "24",
        },
        {
            "Area": "Norwich",
            "Code": "E07000148",
            "Harm": "20",
            "Enforcement": "12",
            "Coverage": "0.60",
            "Hotspots": "3",
            "Thin hotspots": "1",
            "Harm in thin hotspots": "5",
        },
    ]


def test_data_quality_section(internal):
    assert dict(internal.quality.rows)["Geocoding rate (rows with usable coordinates)"] == "90.0%"
    assert internal.rejected.rows == (
        ("missing coordinates", "11"),
        ("duplicate id", "3"),
        ("unparseable date", "1"),
    )
    assert internal.stacked.records() == [
        {"Location (OS grid ref)": "TG 523 078", "Area": "Great Yarmouth", "Events": "7"}
    ]
    caveats = " ".join(internal.caveats)
    assert "Recorded enforcement is effort, not outcome" in caveats
    assert "Recorded harm depends on reporting" in caveats
    assert "police.uk" not in caveats


def test_police_uk_inputs_add_the_snapping_caveat_and_attribution():
    b = brief(make_analysis(inputs={"2025-01-norfolk-street.csv": "ef" * 32}))
    assert any("snap point" in c for c in b.caveats)
    assert any("police.uk" in a for a in b.attributions)


def test_method_section(internal):
    params = dict(internal.parameters.rows)  # in words, not config keys (issue 17)
    assert params["Neighbourhood radius (eps)"] == "400 m"
    assert params["Period"] == "2024Q3 (2024-07-01 to 2024-09-30)"
    assert params["Study area"] == "Great Yarmouth, Norwich"
    assert internal.boundary_source.startswith("ONS")
    assert internal.attributions[:2] == (
        "Source: Office for National Statistics licensed under the Open Government Licence v.3.0",
        "Contains OS data © Crown copyright and database right",
    )
    terms = [term for term, _ in internal.definitions]
    assert {"Hotspot", "Coverage", "Thin", "Harm gap and rank"} <= set(terms)
    assert "Change classes" not in terms


@pytest.mark.parametrize(
    ("planted", "compare"),
    [(PLANTED, False), (PLANTED, True), ([], False), (PLANTED[4:], False)],
    ids=["planted", "compared", "no-hotspots", "all-covered"],
)
def test_three_to_five_key_findings(planted, compare):
    b = brief(make_analysis(planted), comparison=make_comparison() if compare else None)
    assert 3 <= len(b.key_findings) <= 5
    assert all(s.endswith(".") for s in b.key_findings)


def _png_rows(png: bytes):
    import io

    from matplotlib.image import imread

    return imread(io.BytesIO(png), format="png")


def test_figure_png_carries_the_marking_top_and_bottom(internal):
    """briefing.png travels on its own: the marking is drawn into it, on black bands."""
    pixels = _png_rows(internal.figure_png)
    height = pixels.shape[0]
    for band in (pixels[2 : height // 40], pixels[-height // 40 : -2]):
        assert band[..., :3].mean() < 0.3  # mostly black
        assert band[..., :3].max() > 0.9  # with white letters


def test_insets_show_the_top_priorities_at_street_scale(internal, wide):
    from hotspots.brief.insets import INSET_SIZE_IN

    for b in (internal, wide):
        assert b.insets_png is not None and b.insets_png.startswith(b"\x89PNG")
        pixels = _png_rows(b.insets_png)
        assert pixels.shape[1] == round(INSET_SIZE_IN[0] * 150)
        assert pixels[2 : pixels.shape[0] // 40, :, :3].mean() < 0.3  # the marking band
    assert internal.insets_png != wide.insets_png  # footprints vs 1 km squares
    assert 'id="insets"' in briefing_html(internal)
    assert "no footprint is shown to this audience" in briefing_html(wide)


def test_no_hotspots_says_so():
    b = brief(make_analysis([]))
    assert b.insets_png is None
    assert b.key_findings[0].startswith("No harm hotspots were found in 2024Q3")
    assert b.priority.rows == ()
    assert b.priority_note == "No harm hotspots were found, so none is listed."


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"audience": "public"}, "audience"), ({"top_n": 0}, "top_n"), ({"top_n": True}, "top_n")],
    ids=["audience", "top-n-zero", "top-n-bool"],
)
def test_invalid_options_raise_config_error(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        brief(**kwargs)


# --- content: comparison ---------------------------------------------------------------------------


def test_comparison_adds_change_column_section_and_finding(compared):
    assert compared.comparison_period == "2024Q2 (1 April 2024 to 30 June 2024)"
    changes = [r["Change since comparison"] for r in compared.priority.records()]
    assert changes == [
        "intensified: harm 5 → 11",
        "new",
        "persistent: harm 4 → 4; gap opened",
        "merged: harm 12 → 5",
    ]
    assert compared.key_findings[-1] == (
        "Compared with 2024Q2, hotspots were: 2 new, 1 intensified, 2 persistent, 1 merged and "
        "1 resolved; coverage gaps opened at 1 hotspot and closed at 0."
    )
    assert (
        compared.changes.summary[1]
        == "Harm went up in Great Yarmouth: 18 → 30 harm events (p = 0.040)."
    )
    rows = compared.changes.hotspots.records()
    assert [(r["Hotspot"], r["Period"], r["Change"]) for r in rows] == [
        ("H004", "current", "intensified"),
        ("H002", "current", "new"),
        ("H005", "current", "persistent"),
        ("H001", "current", "merged"),
        ("H003", "current", "persistent"),
        ("H006", "current", "new"),
        ("H005", "comparison", "resolved"),
    ]
    assert rows[3]["Matched"] == "H003, H004"
    assert rows[0]["Location (OS grid ref)"] == "TG 523 078"
    assert rows[-1]["Location (OS grid ref)"] == "TG 498 030"  # from the previous analysis
    assert rows[2]["Coverage change"] == "gap opened"
    trends = [r["Harm change"] for r in compared.areas.records()]
    assert trends == ["up: 18 → 30 (p = 0.040)", "no significant change: 22 → 20"]
    assert "Change classes" in [term for term, _ in compared.definitions]


def test_comparison_without_previous_analysis_is_named_generically():
    b = brief(comparison=make_comparison())
    assert b.comparison_period == "the comparison period"
    assert b.key_findings[-1].startswith("Compared with the comparison period, hotspots were:")
    resolved = b.changes.hotspots.records()[-1]
    assert resolved["Change"] == "resolved"
    assert resolved["Location (OS grid ref)"] == "TG 260 110"  # the footprint's centre


def test_real_comparison_object_is_read():
    from hotspots.compare import compare

    resolved = ("H009", NORWICH, 6, 0, None, 626_050.0, 311_020.0)
    # The previous period's ids name it, as the analysis names them (one id, one hotspot).
    previous = make_analysis(
        [(f"2024Q2-{spot[0]}", *spot[1:]) for spot in [*PLANTED[:3], resolved]], period="2024Q2"
    )
    current = make_analysis()
    b = brief(current, comparison=compare(previous, current, match_distance_m=400))
    assert b.comparison_period == "2024Q2 (1 April 2024 to 30 June 2024)"  # from the comparison
    assert [r["Change since comparison"] for r in b.priority.records()] == [
        "persistent: harm 11 → 11",
        "persistent: harm 9 → 9",
        "persistent: harm 4 → 4",
        "new",
    ]
    assert b.key_findings[-1] == (
        "Compared with 2024Q2, hotspots were: 3 new, 3 persistent and 1 resolved; coverage gaps "
        "opened at 0 hotspots and closed at 0."
    )
    last = b.changes.hotspots.records()[-1]
    assert (last["Hotspot"], last["Change"], last["Location (OS grid ref)"]) == (
        "2024Q2-H009",
        "resolved",
        "TG 260 110",
    )


# --- wide audience ---------------------------------------------------------------------------------


def test_wide_suppresses_small_counts_and_rounds_the_rest(wide):
    # Planted (module docstring): H004 11/0, H002 9/2, H001 5/1, H005 4/0 (thin at ratio 0.5).
    # Wide ranks follow the published figures: harm 10, 10, 5, <5, then enforcement 0 before <5.
    # H005: harm <5 and thin at ratio 0.5 leaves enforcement 0 or 1 only, so "<5" would pin it
    # to 1 -- enforcement is withheld for every thin hotspot with harm <5, 0 included.
    assert SUPPRESS_BELOW == 5
    assert wide.priority.records() == [
        {
            "Rank": "1",
            "Hotspot": "H004",
            "Area": "Great Yarmouth",
            "Location (OS grid ref)": "TG 52 07",
            "Postcode sector": "NR30 1",
            "Harm": "10",
            "Enforcement": "0",
            "Coverage": "0.00",
            "Days since enforcement": "none recorded",
        },
        {
            "Rank": "2",
            "Hotspot": "H002",
            "Area": "Great Yarmouth",
            "Location (OS grid ref)": "TG 51 05",
            "Postcode sector": "NR31 0",
            "Harm": "10",
            "Enforcement": "<5",
            "Coverage": "suppressed",
            "Days since enforcement": "30 to 89",
        },
        {
            "Rank": "3",
            "Hotspot": "H001",
            "Area": "Norwich",
            "Location (OS grid ref)": "TG 23 08",
            "Postcode sector": "NR2 4",
            "Harm": "5",
            "Enforcement": "<5",
            "Coverage": "suppressed",
            "Days since enforcement": "under 30",
        },
        {
            "Rank": "4",
            "Hotspot": "H005",
            "Area": "Great Yarmouth",
            "Location (OS grid ref)": "TG 49 03",
            "Postcode sector": "NR31 9",
            "Harm": "<5",
            "Enforcement": "withheld",
            "Coverage": "suppressed",
            "Days since enforcement": "withheld",  # a date in the period would say "at least 1"
        },
    ]
    assert wide.rejected.rows == (
        ("missing coordinates", "10"),
        ("duplicate id", "<5"),
        ("unparseable date", "<5"),
    )
    # Totals are added up from the published figures: 10 + two "<5" is 12 to 18.
    quality = dict(wide.quality.rows)
    assert quality["Rows rejected"] == "12 to 18"
    assert quality["Rows analysed"] == "65"  # 30 + 5 + 20 + 10 from the areas table
    assert quality["Rows read"] == "102 to 108"  # 65 + 25 + (12 to 18)
    assert "internal version" in quality["Geocoding rate (rows with usable coordinates)"]


def test_wide_totals_come_from_the_published_figures(wide):
    # Great Yarmouth's harm in thin hotspots: 10 + 10 + <5 (a hotspot holds at least min_samples
    # = 3) as published, so 23 to 24, never the exact 24 that, less the listed 11 and 9, would
    # give H005's "<5" away.
    assert [(r["Area"], r["Harm in thin hotspots"]) for r in wide.areas.records()] == [
        ("Great Yarmouth", "23 to 24"),
        ("Norwich", "5"),
    ]
    findings = " ".join(wide.key_findings)
    assert "Thin hotspots held 28 to 29 of the 50 harm events" in findings
    assert "Great Yarmouth had the most thin hotspots (23 to 24 harm events in 3 thin" in findings
    assert "1 is shown with no recorded enforcement" in findings


def test_wide_thin_hotspot_list_is_not_shortened_by_exact_counts():
    # Top 1 of the wide order is picked from published figures: H004 and H002 both show harm 10,
    # and H004's published enforcement 0 sorts before H002's <5.
    b = brief(audience="wide", top_n=1)
    assert [r["Hotspot"] for r in b.priority.records()] == ["H004"]


def test_wide_never_shows_a_suppressed_count_as_singular():
    b = brief(
        make_analysis(
            [("H001", NORWICH, 4, 1, 5, 623_150.0, 308_720.0)],
            harm={NORWICH[0]: 4, YARMOUTH[0]: 0},
            enforcement={NORWICH[0]: 1, YARMOUTH[0]: 0},
        ),
        audience="wide",
    )
    text = " ".join(b.key_findings)
    assert "<5 enforcement events" in text
    assert "<5 enforcement event " not in text and "1 enforcement" not in text
    assert "0.25" not in text  # the coverage would give the suppressed counts away


def test_wide_has_no_location_finer_than_one_km(wide):
    html = visible_text(briefing_html(wide))
    markdown = briefing_markdown(wide)
    for text in (html, markdown):
        assert not SIX_FIGURE.search(text)
        assert FOUR_FIGURE.search(text)
        for _id, _d, _h, _e, _days, x, y in PLANTED:
            assert str(int(x)) not in text and str(int(y)) not in text
    assert wide.stacked is None
    assert "Their locations are not listed" in wide.stacked_note
    # The figure gets grid squares, never footprints.
    for feature in wide.map_features:
        minx, miny, maxx, maxy = feature.geometry.bounds
        assert (maxx - minx, maxy - miny) == (WIDE_GRID_M, WIDE_GRID_M)
        assert minx % WIDE_GRID_M == 0 and miny % WIDE_GRID_M == 0
        assert feature.geometry.equals(shapely.box(minx, miny, maxx, maxy))


def test_wide_comparison_has_no_location_finer_than_one_km():
    b = brief(audience="wide", comparison=make_comparison())
    for text in (visible_text(briefing_html(b)), briefing_markdown(b)):
        assert not SIX_FIGURE.search(text)
    assert b.changes.hotspots.records()[-1]["Location (OS grid ref)"] == "TG 26 11"
    records = {r["Hotspot"] + r["Period"]: r for r in b.changes.hotspots.records()}
    assert records["H005current"]["Harm"] == "<5 → <5"
    # One-to-one classes come from a test of exact counts (a p-value pins the counts it was
    # computed from): the wide version reads "matched" and prints no p-value.
    assert records["H005current"]["Change"] == "matched"
    assert records["H004current"]["Change"] == "matched"
    assert all(r["p-value"] == "" for r in records.values())
    assert [r["Harm change"] for r in b.areas.records()] == ["20 → 30", "20 → 20"]


def test_wide_leaves_out_reason_file_names_and_warnings():
    b = brief(
        make_analysis(warnings=["2 rows had month-only dates"]), audience="wide", reason="Op Alpha"
    )
    html = briefing_html(b)
    assert b.reason is None and "Op Alpha" not in html
    assert b.inputs is None and "cuckooing_2024q3.csv" not in html
    assert b.warnings == () and "month-only" not in html


def test_internal_shows_six_figure_references_reason_and_inputs():
    b = brief(reason="Op Alpha")
    html = briefing_html(b)
    assert "TG 523 078" in html
    assert "Op Alpha" in html
    assert "cuckooing_2024q3.csv" in html


def test_wide_figure_differs_from_internal(internal, wide):
    assert internal.figure_png != wide.figure_png


# --- HTML and Markdown ------------------------------------------------------------------------------


def test_html_is_self_contained_and_print_ready(internal):
    html = briefing_html(internal)
    found = tags(html)
    for tag, attrs in found:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("data:"), (tag, name, value)
    images = [attrs for tag, attrs in found if tag == "img"]
    assert len(images) == 2  # the county figure and the street-scale insets
    assert all(image["src"].startswith("data:image/png;base64,iVBOR") for image in images)
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert "@page { size: A4;" in html
    assert "break-inside: avoid" in html and "display: table-header-group" in html
    assert "position: fixed; top: 0" in html and "position: fixed; bottom: 0" in html
    markings = [attrs["class"] for tag, attrs in found if "marking" in (attrs.get("class") or "")]
    assert markings == ["marking marking-top", "marking marking-bottom"]
    headings = re.findall(r"<h2>(.*?)</h2>", html)
    assert headings == [
        "1. Key findings",
        "2. Priority hotspots",
        "3. Map",
        "4. Areas",
        "5. Data quality and caveats",
        "6. Method",
    ]


def test_html_sections_with_comparison(compared):
    headings = re.findall(r"<h2>(.*?)</h2>", briefing_html(compared))
    assert headings[4:] == [
        "5. Changes since 2024Q2 (1 April 2024 to 30 June 2024)",
        "6. Data quality and caveats",
        "7. Method",
    ]


def test_markdown_has_marking_first_and_last_and_tables(internal):
    markdown = briefing_markdown(internal)
    lines = markdown.splitlines()
    assert lines[0] == lines[-1] == "**OFFICIAL-SENSITIVE**"
    assert (
        "| 1 | H004 | Great Yarmouth | TG 523 078 | Great Yarmouth, NR30 1NA | 11 | 0 | 0.00 | "
        "none recorded |"
    ) in lines
    assert "Figure 1 (in the HTML briefing)." in markdown
    assert "![Figure 1." in briefing_markdown(internal, figure_path="briefing.png")


HOSTILE_MARKING = PresentationParams(marking=HOSTILE)


def hostile_analysis() -> Analysis:
    hostile_district = ("E07000145", HOSTILE, YARMOUTH[2])
    planted = [(HOSTILE, hostile_district, 11, 0, None, 652_340.0, 307_860.0)]
    return make_analysis(
        planted,
        districts=[hostile_district, NORWICH],
        inputs={HOSTILE: "00" * 32},
        boundary_source=HOSTILE,
        types=EventTypes(roles={HOSTILE: "harm", "raid": "enforcement"}),
        warnings=[HOSTILE],
    )


def test_hostile_values_are_escaped_in_html():
    b = brief(hostile_analysis(), reason=HOSTILE, presentation=HOSTILE_MARKING)
    html = briefing_html(b)
    assert "<img src=x" not in html.replace(HOSTILE.upper(), "")  # the marking is upper-cased
    assert "<IMG" not in html
    assert "&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;" in html
    assert [tag for tag, _ in tags(html)].count("img") == 2  # figure and insets, nothing more
    assert not any(tag in ("script", "a", "iframe") for tag, _ in tags(html))
    assert all(not name.startswith("on") for _, attrs in tags(html) for name in attrs)


def test_hostile_values_are_escaped_in_markdown():
    b = brief(hostile_analysis(), reason=HOSTILE, presentation=HOSTILE_MARKING)
    markdown = briefing_markdown(b)
    assert not re.search(r"(?<!\\)[<>]", markdown)  # every angle bracket escaped
    assert not re.search(r"(?<!\\)\]\(", markdown.replace("](<briefing.png>)", ""))
    assert "\\| \\*bold\\* \\[link\\](http://evil.example)" in markdown
    # Every table keeps its column count: unescaped pipes only separate cells.
    tables: list[list[int]] = []
    previous_was_table = False
    for line in markdown.splitlines():
        is_table = line.startswith("|")
        if is_table:
            count = len(re.findall(r"(?<!\\)\|", line))
            if previous_was_table:
                tables[-1].append(count)
            else:
                tables.append([count])
        previous_was_table = is_table
    assert tables and all(len(set(t)) == 1 for t in tables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", "a \\| b"),
        ("*x* _y_ `z`", "\\*x\\* \\_y\\_ \\`z\\`"),
        ("[a](b) ![c](d)", "\\[a\\](b) !\\[c\\](d)"),
        ("<b>&amp;", "\\<b\\>\\&amp;"),
        ("line\nbreak", "line break"),
        ("back\\slash", "back\\\\slash"),
        ("Ynys Môn 0.25", "Ynys Môn 0.25"),
    ],
    ids=["pipe", "emphasis-code", "links", "html-entity", "newline", "backslash", "plain"],
)
def test_escape_markdown(text, expected):
    assert escape_markdown(text) == expected


# --- determinism ------------------------------------------------------------------------------------


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_output_is_deterministic(internal):
    again = brief()
    assert again.figure_png == internal.figure_png
    assert briefing_html(again) == briefing_html(internal)
    assert briefing_markdown(again) == briefing_markdown(internal)
    assert b"Software" not in internal.figure_png
    assert _png_size(internal.figure_png) == (1050, 840)


def test_produced_date_defaults_to_today():
    b = build_briefing(make_analysis([]))
    assert b.produced == date.today()


# --- PDF without a browser -----------------------------------------------------------------------


def test_briefing_pdf_returns_false_without_a_browser(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("HOTSPOTS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    target = tmp_path / "briefing.pdf"
    assert briefing_pdf("<html></html>", target) is False
    assert not target.exists()
    assert "HOTSPOTS_CHROMIUM" in caplog.text and "not a file" in caplog.text


# --- audit log ---------------------------------------------------------------------------------------


def test_append_audit_writes_one_sorted_json_line_per_run(tmp_path):
    analysis = make_analysis()
    record = audit_record(
        command="brief",
        parameters=analysis.params.as_dict(),
        inputs=analysis.inputs,
        outputs=["briefing.html", "briefing.md"],
        reason="Op Alpha tasking",
        when=datetime(2024, 10, 7, 9, 30, tzinfo=UTC),
    )
    path = append_audit(tmp_path / "out", record)
    append_audit(
        tmp_path / "out", {"command": "brief", "reason": None, "outputs": [tmp_path / "x"]}
    )
    assert path == tmp_path / "out" / AUDIT_FILE
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert list(first) == sorted(first)
    assert first["when"] == "2024-10-07T09:30:00Z"
    assert first["command"] == "brief"
    assert first["inputs"] == {
        "cuckooing_2024q3.csv": "ab" * 32,
        "enforcement_2024q3.csv": "cd" * 32,
    }
    assert first["outputs"] == ["briefing.html", "briefing.md"]
    assert first["reason"] == "Op Alpha tasking"
    assert first["parameters"]["eps_m"] == 400.0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", second["when"])
    assert second["outputs"] == [str(tmp_path / "x")]


def test_append_audit_rejects_non_mapping(tmp_path):
    with pytest.raises(TypeError, match="record must be a dict"):
        append_audit(tmp_path, ["not", "a", "dict"])  # type: ignore[arg-type]


POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b")


def test_wide_briefing_shows_sectors_never_postcodes_or_settlements(wide, internal):
    assert POSTCODE.search(visible_text(briefing_html(internal)))  # the internal one has them
    text = visible_text(briefing_html(wide))
    assert POSTCODE.search(text) is None
    assert "NR30 1" in text and "Bradwell" not in text


@pytest.mark.parametrize(
    ("wide_audience", "expected"),
    [(False, "Bradwell, NR31 0NG"), (True, "NR31 0")],
    ids=["internal", "wide"],
)
def test_style_place(wide_audience, expected):
    assert Style(wide=wide_audience).place("Bradwell", "NR31 0", "NR31 0NG") == expected
    assert Style(wide=wide_audience).place("", "", "") == "–"


def test_pdf_dated_sets_both_dates_and_keeps_the_length():
    from hotspots.brief.pdf import pdf_dated

    printed = (
        b"%PDF-1.4\n1 0 obj\n<</Producer (Skia/PDF m156)\n/CreationDate (D:20261206065932+00'00')\n"
        b"/ModDate (D:20261206065933+00'00')>>\nendobj\n"
    )
    dated = pdf_dated(printed, date(2024, 10, 2))
    assert len(dated) == len(printed)  # cross-reference offsets stay valid
    assert b"/CreationDate (D:20241002000000+00'00')" in dated
    assert b"/ModDate (D:20241002000000+00'00')" in dated
    assert b"2026" not in dated
    other = b"/CreationDate (D:20261206065932Z)"
    assert pdf_dated(other, date(2024, 10, 2)) == other  # an unknown form is left alone
