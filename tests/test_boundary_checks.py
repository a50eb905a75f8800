"""Tests for hotspots.boundary_checks: boundary files as GIS exports really are."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.boundaries import load_boundaries
from hotspots.cli import main
from hotspots.errors import InputError

# Two squares near Norwich in WGS84 (lon, lat), and a point and a line.
WEST = [[[1.20, 52.60], [1.25, 52.60], [1.25, 52.65], [1.20, 52.65], [1.20, 52.60]]]
EAST = [[[1.25, 52.60], [1.30, 52.60], [1.30, 52.65], [1.25, 52.65], [1.25, 52.60]]]
FAR = [[[1.40, 52.60], [1.45, 52.60], [1.45, 52.65], [1.40, 52.65], [1.40, 52.60]]]


def polygon(rings):
    return {"type": "Polygon", "coordinates": rings}


def write(tmp_path: Path, features: list[tuple[dict, dict]], name: str = "districts.geojson") -> Path:
    path = tmp_path / name
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "properties": props, "geometry": geom}
                    for props, geom in features
                ],
            }
        ),
        encoding="utf-8",
    )
    return path


def district(code, name):
    return {"area_code": code, "area_name": name}


def test_parts_of_one_district_are_merged_with_a_note(tmp_path):
    path = write(
        tmp_path,
        [
            (district("E1", "Westby"), polygon(WEST)),
            (district("E2", "Farby"), polygon(FAR)),
            (district("E1", "Westby"), polygon(EAST)),  # a second part of E1
        ],
    )
    loaded = load_boundaries(path)
    assert list(loaded.areas["area_code"]) == ["E1", "E2"]
    assert loaded.areas.geometry.iloc[0].area == pytest.approx(
        2 * loaded.areas.geometry.iloc[1].area, rel=0.01
    )
    assert len(loaded.notes) == 1 and "E1" in loaded.notes[0] and "merged" in loaded.notes[0]


def test_one_code_with_two_names_is_refused(tmp_path):
    path = write(
        tmp_path,
        [(district("E1", "Westby"), polygon(WEST)), (district("E1", "Eastby"), polygon(EAST))],
    )
    with pytest.raises(InputError, match=r"'E1' is named 'Eastby' and 'Westby'"):
        load_boundaries(path)


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (district("", "Eastby"), r"feature 2 has no district code \(field 'area_code' empty\)"),
        (district(None, "Eastby"), r"feature 2 has no district code"),
        (district("E2", None), r"feature 2 has no district name"),
        (district("E2", "  "), r"feature 2 has no district name"),
    ],
    ids=["empty-code", "null-code", "null-name", "blank-name"],
)
def test_empty_or_missing_codes_and_names_are_refused_with_feature_numbers(tmp_path, props, message):
    path = write(tmp_path, [(district("E1", "Westby"), polygon(WEST)), (props, polygon(EAST))])
    with pytest.raises(InputError, match=message):
        load_boundaries(path)


@pytest.mark.parametrize(
    ("geometry", "kind"),
    [
        ({"type": "Point", "coordinates": [1.2, 52.6]}, "Point"),
        ({"type": "LineString", "coordinates": [[1.2, 52.6], [1.3, 52.7]]}, "LineString"),
        (
            {"type": "GeometryCollection", "geometries": [polygon(EAST)]},
            "GeometryCollection",
        ),
    ],
    ids=["point", "line", "collection"],
)
def test_features_that_are_not_polygons_are_refused(tmp_path, geometry, kind):
    path = write(tmp_path, [(district("E1", "Westby"), polygon(WEST)), (district("E2", "B"), geometry)])
    with pytest.raises(InputError, match=rf"feature 2 is {kind}, not polygons"):
        load_boundaries(path)


def test_a_csv_is_not_a_boundaries_file(tmp_path):
    path = tmp_path / "districts.csv"
    path.write_text("area_code,area_name\nE1,Westby\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a spatial file"):
        load_boundaries(path)


def test_the_same_field_for_code_and_name_is_refused(tmp_path):
    path = write(tmp_path, [(district("E1", "Westby"), polygon(WEST))])
    with pytest.raises(InputError, match="same field 'area_code' is given for the district code"):
        load_boundaries(path, code_field="area_code", name_field="area_code")


@pytest.mark.parametrize(
    ("features", "extra", "message"),
    [
        ([(district("E1", "W"), {"type": "Point", "coordinates": [1.2, 52.6]})], [], "not polygons"),
        ([(district("", "W"), polygon(WEST))], [], "no district code"),
        ([(district("E1", "W"), polygon(WEST))], ["--boundary-name-field", "area_code"], "same field"),
    ],
    ids=["points", "empty-code", "same-field"],
)
def test_cli_exits_2_with_the_message(tmp_path, features, extra, message):
    path = write(tmp_path, features)
    events = tmp_path / "events.csv"
    events.write_text("id,type,date,lat,lon\n1,raid,2024-07-01,52.62,1.22\n", encoding="utf-8")
    run = CliRunner().invoke(
        main, ["validate", str(events), "--boundaries", str(path), *extra]
    )
    assert run.exit_code == 2, run.output
    assert message in run.output and "Internal error" not in run.output
