"""Checks on the bundled 2011 local-authority district boundaries (England and Wales).

These test the committed file only, not the packages that built it (users won't have them);
``scripts/build_boundaries.py`` rebuilds it and ``src/hotspots/data/boundaries/README.md`` documents it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

BOUNDARIES = Path(__file__).parents[1] / "src" / "hotspots" / "data" / "boundaries" / "lad_2011_ew.geojson"

#: 326 English districts (201 E07, 56 E06, 36 E08, 33 E09) and 22 Welsh (W06), Dec 2011.
EXPECTED_FEATURES = 348
CODE_RE = re.compile(r"^[EW]0[6-9]\d{6}$")


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    """The committed boundaries, read once per module."""
    return gpd.read_file(BOUNDARIES)


def district_at(districts: gpd.GeoDataFrame, lat: float, lon: float) -> list[tuple[str, str]]:
    """Return ``(area_code, area_name)`` of every district containing the point."""
    point = shapely.Point(lon, lat)  # shapely and GeoJSON are x=longitude, y=latitude
    hits = districts[districts.contains(point)]
    return list(zip(hits["area_code"], hits["area_name"], strict=True))


def test_feature_count(districts: gpd.GeoDataFrame) -> None:
    assert len(districts) == EXPECTED_FEATURES


def test_counts_by_code_type(districts: gpd.GeoDataFrame) -> None:
    counts = districts["area_code"].str[:3].value_counts().to_dict()
    assert counts == {"E06": 56, "E07": 201, "E08": 36, "E09": 33, "W06": 22}


def test_properties_are_exactly_code_and_name() -> None:
    collection = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    keys = {tuple(sorted(f["properties"])) for f in collection["features"]}
    assert keys == {("area_code", "area_name")}


def test_codes_unique_and_well_formed(districts: gpd.GeoDataFrame) -> None:
    codes = districts["area_code"]
    assert codes.is_unique
    bad = [c for c in codes if not isinstance(c, str) or not CODE_RE.match(c)]
    assert bad == []


def test_names_unique_and_non_empty(districts: gpd.GeoDataFrame) -> None:
    names = districts["area_name"]
    assert names.is_unique
    assert all(isinstance(n, str) and n.strip() for n in names)


def test_sorted_by_code(districts: gpd.GeoDataFrame) -> None:
    assert list(districts["area_code"]) == sorted(districts["area_code"])


def test_geometries_valid_and_polygonal(districts: gpd.GeoDataFrame) -> None:
    assert not districts.geometry.is_empty.any()
    invalid = districts.loc[~districts.geometry.is_valid, "area_name"].tolist()
    assert invalid == []
    assert set(districts.geom_type) <= {"Polygon", "MultiPolygon"}


def test_crs_is_wgs84(districts: gpd.GeoDataFrame) -> None:
    assert districts.crs is not None
    assert districts.crs.to_epsg() == 4326


def test_coordinates_in_england_and_wales_lon_lat(districts: gpd.GeoDataFrame) -> None:
    # Longitude first: England and Wales span about -6.5..1.8 E and 49.8..55.9 N.
    minx, miny, maxx, maxy = districts.total_bounds
    assert -7.0 < minx < maxx < 2.0
    assert 49.5 < miny < maxy < 56.0


@pytest.mark.parametrize(
    ("lat", "lon", "code", "name"),
    [
        (52.6285, 1.2923, "E07000148", "Norwich"),
        (52.6069, 1.7300, "E07000145", "Great Yarmouth"),
        (52.7543, 0.3976, "E07000146", "King's Lynn and West Norfolk"),
        (51.4816, -3.1791, "W06000015", "Cardiff"),
        (51.4995, -0.1248, "E09000033", "Westminster"),
    ],
    ids=["norwich-city-hall", "great-yarmouth-town-hall", "kings-lynn", "cardiff", "westminster"],
)
def test_known_points_land_in_their_district(
    districts: gpd.GeoDataFrame, lat: float, lon: float, code: str, name: str
) -> None:
    assert district_at(districts, lat, lon) == [(code, name)]


def test_axis_order_is_lon_lat(districts: gpd.GeoDataFrame) -> None:
    # Norwich City Hall as (lon, lat) is in Norwich; swapped to (lat, lon) it is in the sea
    # off Somalia, so it must land nowhere.
    norwich = districts.loc[districts["area_name"] == "Norwich"].geometry.iloc[0]
    assert norwich.contains(shapely.Point(1.2923, 52.6285))
    assert not norwich.contains(shapely.Point(52.6285, 1.2923))
    assert district_at(districts, lat=1.2923, lon=52.6285) == []


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("E07000206", "Waveney"),
        ("E07000205", "Suffolk Coastal"),
        ("E07000201", "Forest Heath"),
        ("E07000204", "St Edmundsbury"),
        ("E08000020", "Gateshead"),
        ("E06000048", "Northumberland"),
        ("E07000112", "Shepway"),
        ("W06000014", "The Vale of Glamorgan"),
    ],
    ids=[
        "waveney",
        "suffolk-coastal",
        "forest-heath",
        "st-edmundsbury",
        "gateshead",
        "northumberland",
        "shepway",
        "vale-of-glamorgan",
    ],
)
def test_2011_vintage_codes(districts: gpd.GeoDataFrame, code: str, name: str) -> None:
    # Districts abolished, re-coded or renamed after 2011 keep their December 2011 code.
    assert districts.loc[districts["area_code"] == code, "area_name"].tolist() == [name]


def test_no_post_2011_codes(districts: gpd.GeoDataFrame) -> None:
    # Codes created later (E06000057+, E07000240+, E08000037) would mean a mixed vintage.
    later = {
        "E06000057",
        "E06000058",
        "E06000059",
        "E06000060",
        "E06000061",
        "E06000062",
        "E07000240",
        "E07000241",
        "E07000242",
        "E07000243",
        "E07000244",
        "E07000245",
        "E07000246",
        "E08000037",
    }
    assert later.isdisjoint(districts["area_code"])


def test_districts_do_not_overlap(districts: gpd.GeoDataFrame) -> None:
    metric = districts.to_crs("EPSG:27700")
    left, right = metric.sindex.query(metric.geometry, predicate="overlaps")
    pairs = [(i, j) for i, j in zip(left, right, strict=True) if i < j]
    overlap_m2 = sum(
        metric.geometry.iloc[i].intersection(metric.geometry.iloc[j]).area for i, j in pairs
    )
    assert overlap_m2 < 1.0
