"""Local areas (``--local-areas``): reading polygon files and naming hotspots by them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.errors import InputError
from hotspots.local_areas import (
    LOCAL_AREA_COLUMNS,
    load_local_areas,
    local_area_table,
    majority_local_area,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "local_areas.geojson"


def squares(tmp_path: Path, fields: dict[str, list[str]], name: str = "beats.geojson") -> Path:
    """Two 1 km squares side by side in BNG: west (600000-601000) and east (601000-602000)."""
    frame = gpd.GeoDataFrame(
        fields,
        geometry=[shapely.box(600_000, 300_000, 601_000, 301_000), shapely.box(601_000, 300_000, 602_000, 301_000)],
        crs="EPSG:27700",
    )
    path = tmp_path / name
    frame.to_file(path)
    return path


def test_reads_code_and_name_fields(tmp_path):
    local = load_local_areas(squares(tmp_path, {"code": ["B2", "B1"], "name": ["East", "West"]}))
    assert list(local.areas.columns) == ["local_area_code", "local_area_name", "geometry"]
    assert local.areas["local_area_code"].tolist() == ["B1", "B2"]  # sorted by code
    assert local.areas.crs.to_epsg() == 27700
    assert "beats.geojson" in local.source


def test_ons_style_fields_are_found(tmp_path):
    local = load_local_areas(squares(tmp_path, {"WD24CD": ["E05000001", "E05000002"], "WD24NM": ["A", "B"]}))
    assert local.areas["local_area_name"].tolist() == ["A", "B"]
    assert "WD24CD" in local.source


def test_named_fields(tmp_path):
    path = squares(tmp_path, {"beat": ["1", "2"], "label": ["One", "Two"]})
    local = load_local_areas(path, code_field="beat", name_field="label")
    assert local.areas["local_area_name"].tolist() == ["One", "Two"]


@pytest.mark.parametrize(
    ("fields", "kwargs", "expected"),
    [
        ({"beat": ["1", "2"], "label": ["a", "b"]}, {}, "no a code field and no a name field"),
        ({"code": ["1", "2"], "name": ["a", "b"]}, {"name_field": "label"}, "no name field 'label'"),
    ],
    ids=["nothing-recognised", "named-field-missing"],
)
def test_missing_fields_name_the_fix(tmp_path, fields, kwargs, expected):
    with pytest.raises(InputError) as err:
        load_local_areas(squares(tmp_path, fields), **kwargs)
    assert expected in str(err.value)
    assert "--local-area-code-field" in str(err.value) and "Fields found" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="local areas file not found"):
        load_local_areas(tmp_path / "nope.geojson")


def test_one_code_two_names_is_refused(tmp_path):
    with pytest.raises(InputError, match="more than one name"):
        load_local_areas(squares(tmp_path, {"code": ["B1", "B1"], "name": ["East", "West"]}))


def test_one_code_split_over_polygons_is_one_area(tmp_path):
    local = load_local_areas(squares(tmp_path, {"code": ["B1", "B1"], "name": ["Both", "Both"]}))
    assert len(local.areas) == 1
    assert local.areas.geometry.iloc[0].area == pytest.approx(2_000_000)


def test_points_are_refused(tmp_path):
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"code": ["1"], "name": ["a"]}, geometry=[shapely.Point(600_000, 300_000)],
                     crs="EPSG:27700").to_file(path)
    with pytest.raises(InputError, match="no polygons"):
        load_local_areas(path)


@pytest.mark.parametrize(
    ("box", "expected"),
    [
        ((600_100, 300_100, 600_900, 300_900), "West"),  # wholly in the west square
        ((600_800, 300_100, 601_600, 300_900), "East"),  # 200 m west, 600 m east
        ((600_600, 300_100, 601_400, 300_900), "West"),  # 400 m each: equal, smaller code B1 wins
        ((700_000, 300_000, 700_100, 300_100), ""),  # outside both
    ],
    ids=["inside", "mostly-east", "tie-to-smaller-code", "outside"],
)
def test_majority_local_area(tmp_path, box, expected):
    local = load_local_areas(squares(tmp_path, {"code": ["B1", "B2"], "name": ["West", "East"]}))
    _, names = majority_local_area(np.array([shapely.box(*box)]), local)
    assert names.tolist() == [expected]


def test_local_area_table_counts_hotspots(tmp_path):
    local = load_local_areas(squares(tmp_path, {"code": ["B1", "B2"], "name": ["West", "East"]}))
    spots = gpd.GeoDataFrame(
        {
            "local_area_code": ["B1", "B1", ""],
            "status": ["thin", "covered", "thin"],
            "harm": [5, 7, 3],
            "enforcement": [1, 6, 0],
        },
        geometry=[shapely.Point(0, 0)] * 3,
    )
    table = local_area_table(spots, local)
    assert list(table.columns) == list(LOCAL_AREA_COLUMNS)
    rows = {r.local_area_code: r for r in table.itertuples()}
    assert (rows["B1"].hotspots, rows["B1"].thin_hotspots, rows["B1"].harm_in_hotspots) == (2, 1, 12)
    assert (rows["B1"].harm_in_thin_hotspots, rows["B1"].enforcement_in_hotspots) == (5, 7)
    assert (rows["B2"].hotspots, rows["B2"].harm_in_hotspots) == (0, 0)


def test_example_file_reads():
    local = load_local_areas(EXAMPLE)
    assert len(local.areas) == 110
    assert local.areas["local_area_code"].is_unique
    names = json.loads(EXAMPLE.read_text(encoding="utf-8"))["features"][0]["properties"]
    assert set(names) == {"code", "name"}
