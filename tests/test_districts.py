"""District figures count each hotspot's events in the district where the events are (issue 17)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspots import schema
from hotspots.analysis import analyse
from hotspots.params import AnalysisParams, Config, EventTypes, build_params
from hotspots.pipeline import analyse_period, load

#: A point on the Norwich / Broadland boundary (bundled ONS 2011 districts): Norwich lies
#: to the south-west of it, Broadland to the north-east.
EDGE = (624_290.0, 310_900.0)


def test_a_hotspot_across_two_districts_is_counted_where_its_events_are(tmp_path: Path) -> None:
    # 14 harm events packed 30-60 m inside Norwich, 7 spread over 240 m of Broadland: one
    # hotspot at eps 100 m whose footprint lies mostly in Broadland. Issue 17 found
    # Broadland given harm_in_thin_hotspots 21 against its own harm 7.
    x0, y0 = EDGE
    norwich = [(x0 - 30 - 2 * i, y0 - 30 - 2 * i) for i in range(14)]
    broadland = [(x0 + 30 + 40 * i, y0 + 30 + 20 * (i % 2)) for i in range(7)]
    rows = [
        {"id": f"N{i}", "type": "cuckooing", "date": "2024-08-01", "easting": x, "northing": y}
        for i, (x, y) in enumerate(norwich)
    ] + [
        {"id": f"B{i}", "type": "cuckooing", "date": "2024-08-01", "easting": x, "northing": y}
        for i, (x, y) in enumerate(broadland)
    ]
    path = tmp_path / "e.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    config = Config()
    from hotspots.period import parse_period

    params = build_params(config, period=parse_period("2024Q3"), eps_m=100.0, min_samples=2)
    result = analyse_period(load([path], config, params), params, config, params.period)

    events = result.events.set_index("id")
    assert (events.loc[[f"N{i}" for i in range(14)], "area_name"] == "Norwich").all()
    assert (events.loc[[f"B{i}" for i in range(7)], "area_name"] == "Broadland").all()
    assert len(result.hotspots) == 1
    spot = result.hotspots.iloc[0]
    assert spot["harm"] == 21 and spot["status"] == "thin"
    assert spot["area_name"] == "Norwich"  # 14 of its 21 events

    areas = result.areas.set_index("area_name")
    assert (areas.loc["Norwich", "harm"], areas.loc["Norwich", "harm_in_thin_hotspots"]) == (14, 14)
    assert (areas.loc["Broadland", "harm"], areas.loc["Broadland", "harm_in_thin_hotspots"]) == (7, 7)
    assert (areas.loc["Norwich", "hotspots"], areas.loc["Broadland", "hotspots"]) == (1, 0)


# --- invariants on three square districts side by side ----------------------------------------

SIDE_M = 1_000.0
CODES = ("A01", "A02", "A03")


def _squares() -> object:
    import geopandas as gpd

    boxes = [shapely.box(i * SIDE_M, 0.0, (i + 1) * SIDE_M, SIDE_M) for i in range(len(CODES))]
    return gpd.GeoDataFrame(
        {schema.COL_AREA_CODE: list(CODES), schema.COL_AREA_NAME: [f"District {c}" for c in CODES]},
        geometry=boxes,
        crs=schema.CRS_METRIC,
    )


def _valid(points: list[tuple[float, float, bool]]) -> pd.DataFrame:
    x = np.array([p[0] for p in points], dtype=float)
    y = np.array([p[1] for p in points], dtype=float)
    which = np.minimum((x // SIDE_M).astype(int), len(CODES) - 1)
    day = pd.Timestamp("2024-08-01")
    return pd.DataFrame(
        {
            schema.COL_SOURCE: "e.csv",
            schema.COL_ROW: np.arange(1, len(points) + 1),
            schema.COL_ID: [f"E{i}" for i in range(len(points))],
            schema.COL_TYPE: ["cuckooing" if p[2] else "raid" for p in points],
            schema.COL_ROLE: [schema.ROLE_HARM if p[2] else schema.ROLE_ENFORCEMENT for p in points],
            schema.COL_DATE_START: [day] * len(points),
            schema.COL_DATE_END: [day] * len(points),
            schema.COL_X: x,
            schema.COL_Y: y,
            schema.COL_AREA_CODE: [CODES[i] for i in which],
            schema.COL_AREA_NAME: [f"District {CODES[i]}" for i in which],
        }
    )


# Points clumped near the two inner boundaries (x = 1000 and x = 2000), so hotspots straddle them.
_point = st.tuples(
    st.sampled_from([1_000.0, 2_000.0]).flatmap(lambda edge: st.floats(edge - 150, edge + 150)),
    st.floats(400.0, 600.0),
    st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(points=st.lists(_point, min_size=1, max_size=60), eps_m=st.sampled_from([30.0, 80.0, 200.0]))
def test_district_figures_add_up_to_the_study_area(points: list[tuple[float, float, bool]], eps_m: float) -> None:
    valid = _valid(points)
    params = AnalysisParams(eps_m=eps_m, min_samples=2)
    result = analyse(
        valid,
        rows_read=len(valid),
        rejected_by_reason={},
        rows_with_coordinates=len(valid),
        params=params,
        types=EventTypes(),
        areas=_squares(),
        inputs={},
        boundary_source="",
    )
    areas, spots = result.areas, result.hotspots
    assert (areas["harm_in_thin_hotspots"] <= areas["harm"]).all()
    assert (areas["thin_hotspots"] <= areas["hotspots"]).all()
    thin = spots[spots["status"] == schema.STATUS_THIN]
    assert areas["harm"].sum() == int((valid[schema.COL_ROLE] == schema.ROLE_HARM).sum())
    assert areas["enforcement"].sum() == int((valid[schema.COL_ROLE] == schema.ROLE_ENFORCEMENT).sum())
    assert areas["hotspots"].sum() == len(spots)
    assert areas["thin_hotspots"].sum() == len(thin)
    assert areas["harm_in_thin_hotspots"].sum() == int(thin["harm"].sum())
    # A hotspot's district holds at least as many of its events as any other district.
    events = result.events
    for spot in spots.itertuples():
        members = events.loc[events[schema.COL_HOTSPOT] == spot.hotspot_id, schema.COL_AREA_CODE]
        assert members.value_counts().max() == (members == spot.area_code).sum()


@pytest.mark.parametrize(
    ("offsets", "expected"), [((-10, -15, 5, 25), "A02"), ((10, 15, -5, -25), "A01")], ids=["A02-wider", "A01-wider"]
)
def test_district_of_a_tie_goes_to_the_larger_share_of_the_footprint(offsets: tuple[int, ...], expected: str) -> None:
    # Two harm events each side of x = 1000; the pair spread wider holds more of the
    # footprint, so its district takes the tie.
    points = [(1_000.0 + dx, 500.0, True) for dx in offsets]
    result = analyse(
        _valid(points),
        rows_read=4,
        rejected_by_reason={},
        rows_with_coordinates=4,
        params=AnalysisParams(eps_m=30.0, min_samples=2, footprint_margin_m=1.0),
        types=EventTypes(),
        areas=_squares(),
        inputs={},
        boundary_source="",
    )
    assert list(result.hotspots["area_code"]) == [expected]
