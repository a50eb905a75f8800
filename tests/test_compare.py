"""Unit tests for hotspots.compare and hotspots.render.compare_map, on hand-made hotspots.

Each case builds two small `Analysis` objects by hand (`make_analysis`): round footprints of
250 m radius placed on a metre grid inside three square districts, so every link, class and
count can be checked by eye.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

from hotspots import schema
from hotspots.compare import (
    AREA_CHANGE_COLUMNS,
    CHANGE_CLASSES,
    COMPARISON_COLUMNS,
    COVERAGE_CHANGES,
    GEOJSON_COLUMNS,
    Comparison,
    changes_geojson_frame,
    compare,
    compare_counts,
)
from hotspots.errors import ConfigError, InputError
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis, Quality
from hotspots.params import AnalysisParams, EventTypes
from hotspots.period import parse_period
from hotspots.render import palette
from hotspots.render.compare_map import (
    CHANGE_VIEW_NAME,
    CURRENT_VIEW_NAME,
    PREVIOUS_VIEW_NAME,
    compare_map_html,
)
from hotspots.where import PLACE_COLUMNS

# --- factory -------------------------------------------------------------------------------

NORWICH, YARMOUTH, BRECKLAND = "E07000148", "E07000145", "E07000143"
#: code -> (name, district polygon in EPSG:27700). Breckland never holds an event.
DISTRICTS = {
    NORWICH: ("Norwich", box(620_000, 300_000, 630_000, 310_000)),
    YARMOUTH: ("Great Yarmouth", box(630_000, 300_000, 640_000, 310_000)),
    BRECKLAND: ("Breckland", box(600_000, 300_000, 620_000, 310_000)),
}
X0, Y0 = 625_000.0, 305_000.0  # centre of Norwich
RADIUS_M = 250.0
MATCH_M = 400.0


def spot(
    hotspot_id: str,
    dx: float = 0.0,
    dy: float = 0.0,
    *,
    harm: int = 6,
    enforcement: int = 6,
    area: str = NORWICH,
    radius: float = RADIUS_M,
) -> dict[str, Any]:
    """A hotspot: a round footprint centred (dx, dy) metres from the centre of Norwich."""
    return {
        "hotspot_id": hotspot_id,
        "x": X0 + dx,
        "y": Y0 + dy,
        "harm": harm,
        "enforcement": enforcement,
        "area": area,
        "radius": radius,
    }


def make_analysis(
    spots: list[dict[str, Any]],
    *,
    period: str = "2025Q1",
    districts: tuple[str, ...] = (NORWICH, YARMOUTH, BRECKLAND),
    extra: dict[str, tuple[int, int]] | None = None,
    thin_ratio: float = 0.5,
    eps_m: float = 400.0,
    min_samples: int = 3,
    boundary_source: str = "test districts",
) -> Analysis:
    """An Analysis as the pipeline would hand it over, from hotspots given by `spot`.

    Area figures are the sums of their hotspots plus `extra` {area_code: (harm, enforcement)}
    of events outside any hotspot.
    """
    parsed = parse_period(period)
    params = AnalysisParams(
        eps_m=eps_m, min_samples=min_samples, thin_ratio=thin_ratio, period=parsed
    )
    rows = []
    for s in spots:
        harm, enforcement = s["harm"], s["enforcement"]
        coverage = enforcement / harm
        rows.append(
            {
                # Ids name their period, as the analysis names them: H001 -> 2025Q1-H001.
                "hotspot_id": f"{parsed.label}-{s['hotspot_id']}",
                "rank": 0,
                "status": schema.STATUS_THIN if coverage < thin_ratio else schema.STATUS_COVERED,
                "harm": harm,
                "enforcement": enforcement,
                "coverage": coverage,
                "harm_gap": harm - enforcement / thin_ratio,
                "days_since_enforcement": math.nan,
                "area_code": s["area"],
                "area_name": DISTRICTS[s["area"]][0] if s["area"] in DISTRICTS else s["area"],
                **dict.fromkeys(PLACE_COLUMNS, ""),
                "centroid_x": s["x"],
                "centroid_y": s["y"],
                "footprint_m2": math.pi * s["radius"] ** 2,
                "n_cuckooing": harm,
                "n_raid": enforcement,
                "n_seizure": 0,
                "geometry": Point(s["x"], s["y"]).buffer(s["radius"]),
            }
        )
    columns = [*HOTSPOT_COLUMNS, "n_cuckooing", "n_raid", "n_seizure", "geometry"]
    hotspots = gpd.GeoDataFrame(
        pd.DataFrame(rows, columns=columns), geometry="geometry", crs=schema.CRS_METRIC
    )
    hotspots = hotspots.sort_values("harm_gap", ascending=False, kind="stable")
    hotspots["rank"] = np.arange(1, len(hotspots) + 1)
    hotspots = hotspots.reset_index(drop=True)

    extra = extra or {}
    area_rows = []
    for code in sorted(districts):
        name, polygon = DISTRICTS[code]
        mine = hotspots[hotspots["area_code"] == code]
        thin = mine[mine["status"] == schema.STATUS_THIN]
        harm = int(mine["harm"].sum()) + extra.get(code, (0, 0))[0]
        enforcement = int(mine["enforcement"].sum()) + extra.get(code, (0, 0))[1]
        area_rows.append(
            {
                "area_code": code,
                "area_name": name,
                "harm": harm,
                "enforcement": enforcement,
                "coverage": enforcement / harm if harm else math.nan,
                "hotspots": len(mine),
                "thin_hotspots": len(thin),
                "harm_in_thin_hotspots": int(thin["harm"].sum()),
                "geometry": polygon,
            }
        )
    areas = gpd.GeoDataFrame(
        pd.DataFrame(area_rows, columns=[*AREA_COLUMNS, "geometry"]),
        geometry="geometry",
        crs=schema.CRS_METRIC,
    )
    events = pd.DataFrame(
        columns=[
            "source_file", "source_row", "id", "type", "role", "date_start", "date_end",
            "x_m", "y_m", "area_code", "area_name", "hotspot_id",
        ]
    )  # fmt: skip
    clusters = gpd.GeoDataFrame(
        {"cluster_id": [], "events": []}, geometry=gpd.GeoSeries([]), crs=schema.CRS_METRIC
    )
    n_events = int(areas["harm"].sum() + areas["enforcement"].sum())
    quality = Quality(
        rows_read=n_events,
        rows_analysed=n_events,
        rows_outside_period=0,
        rows_rejected=0,
        rejected_by_reason={},
        geocoding_rate=1.0,
        stacked_points=[],
    )
    return Analysis(
        params=params,
        types=EventTypes(),
        period=parsed,
        events=events,
        hotspots=hotspots,
        enforcement_clusters=clusters,
        areas=areas,
        quality=quality,
        inputs={f"events_{period}.csv": "0" * 64},
        boundary_source=boundary_source,
    )


def run(
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    previous_period: str = "2025Q1",
    current_period: str = "2025Q2",
    **kwargs: Any,
) -> Comparison:
    return compare(
        make_analysis(before, period=previous_period),
        make_analysis(after, period=current_period),
        match_distance_m=kwargs.pop("match_distance_m", MATCH_M),
        **kwargs,
    )


def changes(result: Comparison) -> dict[tuple[str, str], str]:
    """(period, hotspot_id) -> change class."""
    frame = result.hotspots
    return dict(zip(zip(frame["period"], frame["hotspot_id"]), frame["change"]))


def row(result: Comparison, period: str, hotspot_id: str) -> dict[str, Any]:
    frame = result.hotspots
    match = frame[(frame["period"] == period) & (frame["hotspot_id"] == hotspot_id)]
    assert len(match) == 1
    return match.iloc[0].to_dict()


# --- matching and classes ------------------------------------------------------------------


def test_identical_periods_are_all_persistent_with_no_change():
    spots = [
        spot("H001", harm=10, enforcement=2),
        spot("H002", 3000, harm=20, enforcement=15),
        spot("H003", 7000, harm=4, enforcement=3, area=YARMOUTH),
    ]
    # Two periods of equal length (91 days), so equal counts are equal rates.
    result = run(spots, spots, previous_period="2024Q2", current_period="2025Q2")

    assert set(result.hotspots["change"]) == {"persistent"}
    assert (result.hotspots["harm_previous"] == result.hotspots["harm_current"]).all()
    assert (result.hotspots["p_value"] == 1.0).all()
    assert result.class_counts == {
        name: (3 if name == "persistent" else 0) for name in CHANGE_CLASSES
    }
    assert result.coverage_counts == {
        "gap_opened": 0, "still_thin": 1, "gap_closed": 0, "still_covered": 2,
    }  # fmt: skip
    assert (result.areas["harm_change"] == 0).all()
    assert (result.areas["enforcement_change"] == 0).all()
    assert set(result.areas["harm_trend"]) == {"no significant change"}
    assert (result.areas[["gaps_opened", "gaps_closed", "thin_hotspots_change"]] == 0).all().all()


def test_hotspot_moved_2_km_is_resolved_and_new_not_persistent():
    result = run([spot("H001")], [spot("H001", 2000)])

    assert changes(result) == {("current", "2025Q2-H001"): "new", ("previous", "2025Q1-H001"): "resolved"}
    new, resolved = row(result, "current", "2025Q2-H001"), row(result, "previous", "2025Q1-H001")
    assert new["matched_ids"] == resolved["matched_ids"] == ""
    assert new["coverage_change"] == resolved["coverage_change"] == ""
    assert math.isnan(new["p_value"]) and math.isnan(resolved["p_value"])
    assert (new["harm_previous"], new["harm_current"]) == (0, 6)
    assert (resolved["harm_previous"], resolved["harm_current"]) == (6, 0)
    assert (new["status_previous"], new["status_current"]) == ("", "covered")
    assert result.class_counts["new"] == result.class_counts["resolved"] == 1


@pytest.mark.parametrize(
    ("shift_m", "linked"),
    [(400, True), (800, True), (900, True), (901, False), (1500, False)],
    ids=["overlapping", "gap-300m", "gap-equals-match-distance", "gap-1m-over", "far"],
)
def test_link_is_overlap_or_footprints_within_match_distance(shift_m, linked):
    # Two 250 m circles whose centres are shift_m apart leave a gap of shift_m - 500 m.
    result = run([spot("H001")], [spot("H001", shift_m)])

    expected = {"persistent"} if linked else {"new", "resolved"}
    assert set(result.hotspots["change"]) == expected


def test_split_one_previous_into_two_current():
    before = [spot("H001", radius=800, harm=20, enforcement=4)]
    after = [
        spot("H001", -500, harm=8, enforcement=6),
        spot("H002", 500, harm=9, enforcement=1),
    ]
    result = run(before, after)

    assert set(result.hotspots["change"]) == {"split"}
    assert row(result, "previous", "2025Q1-H001")["matched_ids"] == "2025Q2-H001;2025Q2-H002"
    piece = row(result, "current", "2025Q2-H002")
    assert piece["matched_ids"] == "2025Q1-H001"
    # Group totals on each side, the same on every row of the group.
    assert (piece["harm_previous"], piece["harm_current"]) == (20, 17)
    assert (piece["enforcement_previous"], piece["enforcement_current"]) == (4, 7)
    assert (piece["status_previous"], piece["status_current"]) == ("thin", "thin")  # 7 < 8.5
    assert piece["coverage_change"] == "still_thin"
    assert result.class_counts["split"] == 2


def test_merge_two_previous_into_one_current():
    before = [spot("H001", -500, harm=3, enforcement=0), spot("H002", 500, harm=3, enforcement=0)]
    after = [spot("H007", radius=800, harm=6, enforcement=5)]
    result = run(before, after)

    assert changes(result) == {
        ("current", "2025Q2-H007"): "merged",
        ("previous", "2025Q1-H001"): "merged",
        ("previous", "2025Q1-H002"): "merged",
    }
    merged = row(result, "current", "2025Q2-H007")
    assert merged["matched_ids"] == "2025Q1-H001;2025Q1-H002"
    assert (merged["harm_previous"], merged["harm_current"]) == (6, 6)
    assert merged["coverage_change"] == "gap_closed"
    assert result.class_counts["merged"] == 1
    assert result.coverage_counts["gap_closed"] == 1


@pytest.mark.parametrize(
    ("n_before", "n_after", "expected"),
    [(2, 3, "split"), (3, 2, "merged"), (2, 2, "merged")],
    ids=["2-to-3-split", "3-to-2-merged", "2-to-2-merged"],
)
def test_many_to_many_groups_by_count_of_pieces(n_before, n_after, expected):
    # Previous and current circles alternate along a line, 400 m apart, each overlapping the
    # next: one chain, so one group.
    before = [spot(f"H{i + 1:03d}", 800 * i) for i in range(n_before)]
    start = -400 if n_after > n_before else 400
    after = [spot(f"H{i + 1:03d}", start + 800 * i) for i in range(n_after)]
    result = run(before, after)

    assert set(result.hotspots["change"]) == {expected}
    assert row(result, "previous", "2025Q1-H001")["matched_ids"] == ";".join(
        f"2025Q2-{h['hotspot_id']}" for h in after
    )


@pytest.mark.parametrize(
    ("harm_before", "harm_after", "expected"),
    [(2, 4, "persistent"), (20, 45, "intensified"), (45, 20, "diminished"), (9, 9, "persistent")],
    ids=["2-to-4-is-noise", "20-to-45-intensified", "45-to-20-diminished", "unchanged"],
)
def test_intensity_needs_a_significant_change_in_rate(harm_before, harm_after, expected):
    result = run(
        [spot("H001", harm=harm_before, enforcement=1)],
        [spot("H001", harm=harm_after, enforcement=1)],
        previous_period="2025-01-01..2025-03-31",
        current_period="2025-04-01..2025-06-29",  # 90 days each
    )

    assert set(result.hotspots["change"]) == {expected}


def test_periods_of_different_length_compare_daily_rates():
    # 10 events in January (31 days) against 30 in Q2 (91 days): the same rate.
    same_rate = run([spot("H001", harm=10)], [spot("H001", harm=30)],
                    previous_period="2025-01", current_period="2025Q2")  # fmt: skip
    # The same counts over two equal quarters: a significant rise.
    rise = run([spot("H001", harm=10)], [spot("H001", harm=30)])

    assert set(same_rate.hotspots["change"]) == {"persistent"}
    assert (same_rate.days_previous, same_rate.days_current) == (31, 91)
    assert set(rise.hotspots["change"]) == {"intensified"}


def test_compare_counts_p_values_and_trends():
    p, trend = compare_counts(
        [2, 20, 45, 0, 7], [4, 45, 20, 0, 7], days_previous=90, days_current=90, alpha=0.05
    )

    np.testing.assert_allclose(p, [0.6875, 0.0026264, 0.0026264, 1.0, 1.0], rtol=1e-4)
    assert list(trend) == ["no significant change", "up", "down", "no significant change",
                           "no significant change"]  # fmt: skip


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ((10, 2), (10, 8), "gap_closed"),
        ((10, 8), (10, 2), "gap_opened"),
        ((10, 2), (10, 3), "still_thin"),
        ((10, 5), (10, 9), "still_covered"),
    ],
    ids=["thin-to-covered", "covered-to-thin", "thin-to-thin", "covered-to-covered"],
)
def test_coverage_change_of_matched_hotspots(before, after, expected):
    result = run(
        [spot("H001", harm=before[0], enforcement=before[1])],
        [spot("H001", harm=after[0], enforcement=after[1])],
    )

    assert set(result.hotspots["coverage_change"]) == {expected}
    assert result.coverage_counts[expected] == 1
    assert sum(result.coverage_counts.values()) == 1


# --- the hotspot table -----------------------------------------------------------------------


def test_hotspot_table_columns_order_and_crs():
    result = run(
        [spot("H002", 3000), spot("H001")],
        [spot("H003", -3000), spot("H001"), spot("H002", 3000)],
    )
    frame = result.hotspots

    assert list(frame.columns) == [*COMPARISON_COLUMNS, "geometry"]
    assert frame.crs.equals(schema.CRS_METRIC)
    assert list(zip(frame["period"], frame["hotspot_id"])) == [
        ("current", "2025Q2-H001"), ("current", "2025Q2-H002"), ("current", "2025Q2-H003"),
        ("previous", "2025Q1-H001"), ("previous", "2025Q1-H002"),
    ]  # fmt: skip
    assert frame["harm_previous"].dtype == np.int64


def test_row_order_of_inputs_does_not_matter():
    before = [spot("H001"), spot("H002", 600, harm=20), spot("H003", 5000, harm=2)]
    after = [spot("H001", 100, harm=40), spot("H002", 5200), spot("H003", -4000)]
    forward = run(before, after)
    backward = run(before[::-1], after[::-1])

    pd.testing.assert_frame_equal(
        pd.DataFrame(forward.hotspots.drop(columns="geometry")),
        pd.DataFrame(backward.hotspots.drop(columns="geometry")),
    )


TRANSLATED_BEFORE = [spot("H001"), spot("H002", 2000, harm=20), spot("H003", 4000)]
TRANSLATED_AFTER = [spot("H001", 300), spot("H002", 2100, harm=45), spot("H004", 6000)]


@functools.cache
def untranslated_changes() -> dict[tuple[str, str], str]:
    return changes(run(TRANSLATED_BEFORE, TRANSLATED_AFTER))


@settings(max_examples=10, deadline=None)
@given(
    dx=st.floats(-50_000, 50_000, allow_nan=False),
    dy=st.floats(-50_000, 50_000, allow_nan=False),
)
def test_translating_both_periods_keeps_the_classes(dx, dy):
    moved_before = [{**s, "x": s["x"] + dx, "y": s["y"] + dy} for s in TRANSLATED_BEFORE]
    moved_after = [{**s, "x": s["x"] + dx, "y": s["y"] + dy} for s in TRANSLATED_AFTER]

    assert changes(run(moved_before, moved_after)) == untranslated_changes()


def test_no_hotspots_in_either_period():
    result = run([], [])

    assert len(result.hotspots) == 0
    assert list(result.hotspots.columns) == [*COMPARISON_COLUMNS, "geometry"]
    assert set(result.class_counts.values()) == {0}
    assert len(result.areas) == 3


# --- areas ---------------------------------------------------------------------------------


def test_every_area_of_either_period_gets_a_row():
    previous = make_analysis([spot("H001", harm=4)], districts=(NORWICH, BRECKLAND))
    current = make_analysis(
        [spot("H001", harm=30, enforcement=4), spot("H002", 8000, harm=5, area=YARMOUTH)],
        period="2025Q2",
        districts=(NORWICH, YARMOUTH),
        extra={NORWICH: (10, 0)},
    )
    areas = compare(previous, current, match_distance_m=MATCH_M).areas.set_index("area_code")

    assert list(areas.columns) == list(AREA_CHANGE_COLUMNS)[1:]
    assert list(areas.index) == sorted([NORWICH, YARMOUTH, BRECKLAND])
    breckland = areas.loc[BRECKLAND]  # no events in either period, only in the previous table
    assert (breckland["harm_previous"], breckland["harm_current"], breckland["harm_change"]) == (
        0,
        0,
        0,
    )
    assert math.isnan(breckland["coverage_current"])
    assert breckland["harm_trend"] == "no significant change"
    yarmouth = areas.loc[YARMOUTH]  # only in the current table
    assert yarmouth["area_name"] == "Great Yarmouth"
    assert (yarmouth["hotspots_previous"], yarmouth["hotspots_current"]) == (0, 1)
    norwich = areas.loc[NORWICH]
    assert (norwich["harm_previous"], norwich["harm_current"], norwich["harm_change"]) == (
        4,
        40,
        36,
    )
    assert norwich["harm_trend"] == "up"
    assert norwich["harm_change_p"] < 0.001
    assert (norwich["thin_hotspots_previous"], norwich["thin_hotspots_current"]) == (0, 1)
    assert norwich["gaps_opened"] == 1 and norwich["gaps_closed"] == 0
    assert norwich["coverage_change"] == pytest.approx(4 / 40 - 6 / 4)


# --- guards --------------------------------------------------------------------------------


def test_analyses_with_different_parameters_are_refused_listing_every_difference():
    previous = make_analysis([spot("H001")])
    current = make_analysis([spot("H001")], period="2025Q2", eps_m=300.0, thin_ratio=1.0)

    with pytest.raises(ConfigError) as caught:
        compare(previous, current, match_distance_m=MATCH_M)
    message = str(caught.value)
    assert "eps_m is 400.0 for the previous period and 300.0 for the current" in message
    assert "thin_ratio" in message and "footprint_margin_m" in message
    assert "min_samples" not in message


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        ({"match_distance_m": -1.0}, "match_distance_m"),
        ({"match_distance_m": math.nan}, "match_distance_m"),
        ({"match_distance_m": 400.0, "alpha": 0.0}, "alpha"),
        ({"match_distance_m": 400.0, "alpha": 1.5}, "alpha"),
    ],
    ids=["negative-distance", "nan-distance", "alpha-zero", "alpha-above-one"],
)
def test_bad_options_are_refused(options, fragment):
    analysis = make_analysis([spot("H001")])
    with pytest.raises(ConfigError, match=fragment):
        compare(analysis, analysis, **options)


def test_analysis_without_period_is_refused():
    analysis = make_analysis([spot("H001")])
    undated = Analysis(**{**analysis.__dict__, "period": None})
    with pytest.raises(ConfigError, match="no period"):
        compare(undated, analysis, match_distance_m=MATCH_M)


def test_hotspots_not_in_british_national_grid_are_refused():
    analysis = make_analysis([spot("H001")])
    wgs84 = Analysis(**{**analysis.__dict__, "hotspots": analysis.hotspots.to_crs(schema.CRS_WEB)})
    with pytest.raises(InputError, match="to_crs"):
        compare(analysis, wgs84, match_distance_m=MATCH_M)


@pytest.mark.parametrize(
    ("previous_period", "current_period", "expected"),
    [
        ("2025Q2", "2025Q1", ["the current period 2025Q1 ends before the previous period 2025Q2 starts"]),
        ("2025", "2025Q1", ["the periods 2025 and 2025Q1 overlap, so events in both are counted twice"]),
        ("2025Q1", "2025Q2", []),
    ],
    ids=["swapped", "overlapping", "in-order"],
)
def test_period_warnings_travel_on_the_comparison(previous_period, current_period, expected):
    # One warning channel: on the result (and into summary.json), never through logging.
    result = run([spot("H001")], [spot("H001")], previous_period=previous_period,
                 current_period=current_period)
    assert [w.split(";")[0] for w in result.warnings] == expected
    assert result.as_summary()["warnings"] == list(result.warnings)


# --- summary and GeoJSON -------------------------------------------------------------------


def test_summary_is_json_ready_and_states_the_rules():
    result = run([spot("H001"), spot("H002", 3000)], [spot("H001", harm=40)])
    summary = json.loads(json.dumps(result.as_summary(), allow_nan=False))

    assert summary["class_counts"] == {**dict.fromkeys(CHANGE_CLASSES, 0), "intensified": 1,
                                       "resolved": 1}  # fmt: skip
    assert set(summary["coverage_counts"]) == set(COVERAGE_CHANGES)
    assert summary["parameters"]["match_distance_m"] == MATCH_M
    assert summary["parameters"]["alpha"] == 0.05
    assert summary["periods"]["previous"]["days"] == 90
    assert summary["hotspots"] == {"current": 1, "previous": 2}
    assert "footprints overlap" in summary["matching_rule"]
    assert "binomtest" in summary["test"]
    assert set(summary["classes"]) == set(CHANGE_CLASSES)
    assert summary["rows"]["previous"]["rows_read"] == 24  # 12 harm + 12 enforcement


def test_changes_geojson_frame_is_wgs84_with_issue_properties():
    result = run([spot("H001")], [spot("H001", harm=40)])
    frame = changes_geojson_frame(result)

    assert frame.crs.equals(schema.CRS_WEB)
    assert list(frame.columns) == [*GEOJSON_COLUMNS, "geometry"]
    lon, lat = frame.geometry.iloc[0].exterior.coords[0]
    assert 1.0 < lon < 1.5 and 52.4 < lat < 52.8  # Norwich
    assert round(lon, 6) == lon and round(lat, 6) == lat
    assert result.hotspots.crs.equals(schema.CRS_METRIC)  # the comparison is left alone


# --- the comparison map --------------------------------------------------------------------

HOSTILE = '<img src=x onerror="window.__pwned=1">'


def hostile_pair() -> tuple[Analysis, Analysis]:
    """Two periods whose area name and hotspot id are hostile HTML."""
    previous = make_analysis([spot("H001"), spot("H002", 3000)])
    current = make_analysis([spot("H001", harm=40), spot(HOSTILE, -3000)], period="2025Q2")
    for analysis in (previous, current):
        analysis.areas.loc[analysis.areas["area_code"] == NORWICH, "area_name"] = HOSTILE
        analysis.hotspots["area_name"] = HOSTILE
    return previous, current


def render(previous: Analysis, current: Analysis, **kwargs: Any) -> str:
    result = compare(previous, current, match_distance_m=MATCH_M)
    options = {"marking": "official-sensitive", "title": "Norfolk: Q1 against Q2", **kwargs}
    return compare_map_html(result, previous, current, **options)


def test_compare_html_escapes_hostile_names_ids_and_title():
    page = render(*hostile_pair(), title=f"Q2 {HOSTILE}", marking=f"secret {HOSTILE}")

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;" in page  # title, marking
    # Tooltip values travel as JSON that folium escapes again: '&' of '&lt;' becomes \u0026.
    assert "\\u0026lt;img src=x" in page
    assert "SECRET &lt;IMG SRC=X" in page


def test_compare_html_is_deterministic():
    previous, current = hostile_pair()

    assert render(previous, current) == render(previous, current)


def test_compare_html_structure():
    page = render(*hostile_pair())

    assert page.count("OFFICIAL-SENSITIVE") == 2  # top and bottom
    for name in (CHANGE_VIEW_NAME, PREVIOUS_VIEW_NAME, CURRENT_VIEW_NAME):
        assert json.dumps(name) in page
    legend = re.search(r'<div id="hs-legend".*?</div></div>', page, re.DOTALL)
    assert legend is not None
    for change in CHANGE_CLASSES:
        assert f"{change} (" in legend.group(0)
    assert "2025Q1 (2025-01-01 – 2025-03-31, 90 days)" in page
    assert "hotspots matched within 400 m" in page
    assert "L.tileLayer(" not in page  # tiles="none": no tile layer, no request


def test_compare_html_refuses_analyses_of_other_periods():
    previous, current = hostile_pair()
    result = compare(previous, current, match_distance_m=MATCH_M)
    with pytest.raises(InputError, match="pass the analyses given to compare"):
        compare_map_html(result, current, previous, marking="OFFICIAL", title="t")


def test_compare_html_with_tiles_adds_an_always_on_tile_layer():
    page = render(*hostile_pair(), tiles="https://tiles.invalid/{z}/{x}/{y}.png")

    assert page.count("L.tileLayer(") == 1
    assert "https://tiles.invalid" in page.split("Content-Security-Policy")[1].split(">")[0]


def _area_features(page: str) -> list[dict[str, Any]]:
    for body in re.findall(r"_add\((\{.*?\})\);\n", page):
        features = json.loads(body)["features"]
        if features and "thin_change" in features[0]["properties"]:
            return [f["properties"] for f in features]
    raise AssertionError("no district layer")


def test_compare_districts_mark_only_significant_changes_in_thin_harm():
    """Norwich's thin harm 4 -> 40 is significant; a district with none stays neutral."""
    previous = make_analysis([spot("H001")])
    current = make_analysis([spot("H001", harm=40)], period="2025Q2")
    for analysis, harm in ((previous, 4), (current, 40)):
        analysis.areas["harm_in_thin_hotspots"] = np.where(
            analysis.areas["area_code"] == NORWICH, harm, 0
        )
    props = _area_features(render(previous, current))
    by_name = {p["thin_harm"]: p for p in props}
    rose = by_name["4 -> 40"]
    assert rose["thin_change"].startswith("rose (significant) (p = ")
    assert rose["_fill"] == palette.AREA_CHANGE_COLOURS[palette.AREA_CHANGE_ROSE]
    neutral = by_name["0 -> 0"]
    assert neutral["thin_change"] == "no thin hotspot in either period"
    assert neutral["_fill"] == palette.AREA_NO_THIN


def test_compare_districts_small_changes_are_not_marked():
    previous = make_analysis([spot("H001")])
    current = make_analysis([spot("H001", harm=40)], period="2025Q2")
    for analysis, harm in ((previous, 4), (current, 6)):
        analysis.areas["harm_in_thin_hotspots"] = np.where(
            analysis.areas["area_code"] == NORWICH, harm, 0
        )
    props = {p["thin_harm"]: p for p in _area_features(render(previous, current))}
    assert props["4 -> 6"]["thin_change"].startswith("changed, but not significantly")
    assert props["4 -> 6"]["_fill"] == palette.AREA_CHANGE_COLOURS[palette.AREA_CHANGE_NONE]


@pytest.mark.parametrize(
    ("tiles", "host"),
    [("osm", "tile.openstreetmap.org"), ("https://t.example.org/{z}/{x}/{y}.png", "t.example.org")],
    ids=["osm", "template"],
)
def test_compare_html_accepts_the_same_tiles_as_the_map(tiles, host):
    """Regression (issue 16): 'osm' ended in 'Custom tiles must have an attribution'."""
    page = render(*hostile_pair(), tiles=tiles)
    assert page.count("L.tileLayer(") == 1
    assert host in page.split("Content-Security-Policy")[1].split(">")[0]


def test_compare_html_refuses_a_template_in_tiles():
    """Regression (issue 16): '{{7*7}}' in the tile URL ran as a template and printed 49."""
    with pytest.raises(ConfigError, match="tiles: expected 'none', 'osm'"):
        render(*hostile_pair(), tiles="https://t.example.org/{z}/{x}/{y}.png?k={{7*7}}")
