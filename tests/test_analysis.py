"""The analysis end to end on small planted cases that can be checked by eye."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

from hotspots import schema
from hotspots.params import Config, build_params
from hotspots.period import parse_period
from hotspots.pipeline import analyse_period, load

# Centres in British National Grid metres.
NORWICH = (623_200.0, 308_500.0)
YARMOUTH = (652_300.0, 307_700.0)
LYNN = (561_900.0, 320_100.0)


def ring(centre: tuple[float, float], n: int, radius: float = 60.0, phase: float = 0.0) -> list[tuple[float, float]]:
    """``n`` points on a small circle: one DBSCAN cluster at eps 400 m."""
    angles = phase + 2 * np.pi * np.arange(n) / n
    return [(centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a)) for a in angles]


def planted() -> pd.DataFrame:
    """Three hotspots: Yarmouth thin (10 harm, 1 raid), Lynn thin (6 harm, 0), Norwich covered (8 harm, 6)."""
    rows = []

    def add(points, kind, date="2024-08-01"):
        for x, y in points:
            rows.append({"id": f"E{len(rows) + 1:04d}", "type": kind, "date": date, "easting": x, "northing": y})

    add(ring(YARMOUTH, 10), "cuckooing")
    add(ring(YARMOUTH, 1, radius=10), "raid")
    add(ring(LYNN, 6), "cuckooing")
    add(ring(NORWICH, 8), "cuckooing")
    add(ring(NORWICH, 4, radius=30), "raid")
    add(ring(NORWICH, 2, radius=20), "seizure")
    add(ring(NORWICH, 2, radius=20), "raid", date="2024-05-01")  # before the period
    return pd.DataFrame(rows)


def as_wgs84(frame: pd.DataFrame) -> pd.DataFrame:
    to_wgs = Transformer.from_crs(schema.CRS_METRIC, schema.CRS_WEB, always_xy=True)
    lon, lat = to_wgs.transform(frame["easting"].to_numpy(), frame["northing"].to_numpy())
    return frame.drop(columns=["easting", "northing"]).assign(lat=np.round(lat, 7), lon=np.round(lon, 7))


def analyse_frame(tmp_path: Path, frame: pd.DataFrame, period: str | None = "2024Q3", name: str = "e.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    config = Config()
    params = build_params(config, period=parse_period(period) if period else None)
    loaded = load([path], config, params)
    return analyse_period(loaded, params, config, params.period)


def test_planted_hotspots_get_right_status_and_order(tmp_path):
    result = analyse_frame(tmp_path, planted())
    spots = result.hotspots.set_index("rank")
    assert list(spots["area_name"]) == ["Great Yarmouth", "King's Lynn and West Norfolk", "Norwich"]
    assert list(spots["status"]) == ["thin", "thin", "covered"]
    assert list(spots["harm"]) == [10, 6, 8]
    assert list(spots["enforcement"]) == [1, 0, 6]
    assert list(spots["n_raid"]) == [1, 0, 4]
    assert list(spots["n_seizure"]) == [0, 0, 2]
    assert spots.loc[1, "coverage"] == pytest.approx(0.1)
    assert spots.loc[1, "harm_gap"] == pytest.approx(8.0)
    # Days from 30 September to the latest enforcement (1 August); none at Lynn.
    assert spots.loc[1, "days_since_enforcement"] == 60
    assert np.isnan(spots.loc[2, "days_since_enforcement"])
    assert spots.loc[3, "days_since_enforcement"] == 60


def test_rows_add_up(tmp_path):
    frame = planted().astype({"easting": object, "northing": object})
    frame.loc[len(frame)] = {"id": "X1", "type": "raid", "date": "2024-08-01", "easting": "", "northing": ""}
    result = analyse_frame(tmp_path, frame)
    q = result.quality
    assert q.rows_read == len(frame)
    assert q.rows_analysed + q.rows_outside_period + q.rows_rejected == q.rows_read
    assert q.rows_outside_period == 2
    assert q.rejected_by_reason[schema.REASON_MISSING_COORDS] == 1


def test_bng_and_wgs84_inputs_give_the_same_hotspots(tmp_path):
    bng = analyse_frame(tmp_path, planted(), name="bng.csv").hotspots
    wgs = analyse_frame(tmp_path, as_wgs84(planted()), name="wgs.csv").hotspots
    columns = ["hotspot_id", "rank", "status", "harm", "enforcement", "area_code"]
    pd.testing.assert_frame_equal(pd.DataFrame(bng[columns]), pd.DataFrame(wgs[columns]))
    assert np.allclose(bng["centroid_x"], wgs["centroid_x"], atol=0.5)
    assert np.allclose(bng["centroid_y"], wgs["centroid_y"], atol=0.5)


def test_ids_are_stable_under_shuffled_rows(tmp_path):
    frame = planted()
    first = analyse_frame(tmp_path, frame, name="a.csv").hotspots
    shuffled = frame.sample(frac=1.0, random_state=7).reset_index(drop=True)
    second = analyse_frame(tmp_path, shuffled, name="b.csv").hotspots
    assert list(first["hotspot_id"]) == list(second["hotspot_id"])
    assert first.geometry.geom_equals_exact(second.geometry, tolerance=1e-6).all()


def test_every_study_district_gets_an_area_row(tmp_path):
    result = analyse_frame(tmp_path, planted())
    areas = result.areas.set_index("area_code")
    assert set(areas.index) == {"E07000145", "E07000146", "E07000148"}
    assert areas.loc["E07000145", "thin_hotspots"] == 1
    assert areas.loc["E07000145", "harm_in_thin_hotspots"] == 10
    assert areas.loc["E07000148", "hotspots"] == 1
    assert areas.loc["E07000148", "enforcement"] == 6


def test_district_without_events_in_period_still_has_a_row(tmp_path):
    frame = planted()
    frame.loc[len(frame)] = {"id": "B1", "type": "raid", "date": "2024-01-10", "easting": 615_000, "northing": 295_000}
    path = tmp_path / "e.csv"
    frame.to_csv(path, index=False)  # B1 is in South Norfolk, outside 2024Q3
    # A row outside the period never adds its district (tests/test_study_area.py): name it.
    config = Config(analysis={"study_area": ("Norwich", "Great Yarmouth", "King's Lynn and West Norfolk", "South Norfolk")})
    params = build_params(config, period=parse_period("2024Q3"))
    result = analyse_period(load([path], config, params), params, config, params.period)
    row = result.areas.set_index("area_name").loc["South Norfolk"]
    assert (row["harm"], row["enforcement"], row["hotspots"]) == (0, 0, 0)
    assert np.isnan(row["coverage"])


def test_stacked_points_are_reported_by_grid_reference(tmp_path):
    frame = planted()
    for i in range(6):
        frame.loc[len(frame)] = {"id": f"S{i}", "type": "seizure", "date": "2024-08-02", "easting": 622_950, "northing": 308_250}
    stacks = analyse_frame(tmp_path, frame).quality.stacked_points
    assert stacks[0]["grid_ref"] == "TG 229 082"
    assert stacks[0]["events"] == 6


def test_without_a_period_every_dated_row_is_analysed(tmp_path):
    result = analyse_frame(tmp_path, planted(), period=None)
    assert result.quality.rows_outside_period == 0
    assert result.hotspots.set_index("area_name").loc["Norwich", "enforcement"] == 8


# --- the vectorised internals against the plain constructions they replace ---------------------


def test_footprints_equal_the_hulls_of_multipoints():
    """Hulls from linestrings match shapely's multipoint hulls byte for byte, odd clusters too."""
    import shapely

    from hotspots.cluster import footprints

    x = np.array([0.0, 10.0, 0.0, 500.0, 500.0, 500.0, 900.0, 910.0, 920.0, 2000.0, 3000.0, 7.0])
    y = np.array([0.0, 0.0, 10.0, 500.0, 500.0, 500.0, 900.0, 910.0, 920.0, 2000.0, 3000.0, 3.0])
    # Clusters: a triangle with an inside point, three identical points, three collinear
    # points, a single point; one noise point.
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, -1, 0])
    for margin_m in (0.0, 100.0):
        member = labels >= 0
        order = np.argsort(labels[member], kind="stable")
        points = shapely.multipoints(np.column_stack([x, y])[member][order], indices=labels[member][order])
        expected = shapely.buffer(shapely.convex_hull(points), margin_m, quad_segs=8)
        assert list(shapely.to_wkb(footprints(x, y, labels, margin_m))) == list(shapely.to_wkb(expected))


@pytest.mark.parametrize("blocks", [1, 3], ids=["one-block", "shapes-in-threads"])
def test_points_in_matches_a_tree_query_of_points_edges_included(monkeypatch, blocks):
    import shapely

    from hotspots import analysis, parallel
    from hotspots.analysis import _points_in

    monkeypatch.setattr(parallel, "cores", lambda: blocks)
    monkeypatch.setattr(analysis, "_SHAPES_PER_BLOCK", 1)

    shapes = np.array([shapely.box(0, 0, 10, 10), shapely.box(5, 5, 30, 30), shapely.Point(100, 100).buffer(5)])
    x = np.array([1.0, 10.0, 7.0, 29.0, 50.0, 100.0, 105.0, 106.0, -1.0])
    y = np.array([1.0, 5.0, 7.0, 29.0, 50.0, 100.0, 100.0, 100.0, 0.0])
    events = pd.DataFrame({schema.COL_X: x, schema.COL_Y: y})
    shape_idx, event_idx = _points_in(shapes, events)
    expected_event, expected_shape = shapely.STRtree(shapes).query(shapely.points(x, y), predicate="intersects")
    assert sorted(zip(shape_idx.tolist(), event_idx.tolist(), strict=True)) == sorted(
        zip(expected_shape.tolist(), expected_event.tolist(), strict=True)
    )
    # (10, 5) lies on the edges of both boxes and (105, 100) is a vertex of the circle.
    pairs = set(zip(shape_idx.tolist(), event_idx.tolist(), strict=True))
    assert {(0, 1), (1, 1), (2, 6)} <= pairs


@pytest.mark.parametrize("offset_m", [0.0, -5_000_000.0], ids=["grid-metres", "outside-int-packing"])
def test_stacked_rows_finds_every_coordinate_used_often_enough(offset_m):
    from hotspots.analysis import _stacked_rows

    x = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 2.0]) + offset_m
    y = np.array([5.0, 5.0, 5.0, 5.0, 5.0, 5.0])
    rows = _stacked_rows(x, y, stack_min=3)
    if offset_m == 0.0:
        assert rows.tolist() == [0, 2, 4]
    else:  # the fallback keeps every row for the caller's grouping
        assert rows.tolist() == [0, 1, 2, 3, 4, 5]
