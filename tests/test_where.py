"""The place columns of the hotspot table (``hotspots.where``) and the commands' options for them."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.local_areas import LOCAL_AREA_COLUMNS
from hotspots.model import HOTSPOT_COLUMNS
from hotspots.where import PLACE_COLUMNS, add_place_columns

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "events.csv"
CONFIG = ROOT / "data" / "sample" / "norfolk.toml"
LOCAL = ROOT / "data" / "sample" / "local_areas.geojson"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def spots(points: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    table = {c: [""] * len(points) for c in HOTSPOT_COLUMNS if c not in PLACE_COLUMNS}
    table["centroid_x"] = [p[0] for p in points]
    table["centroid_y"] = [p[1] for p in points]
    return gpd.GeoDataFrame(table, geometry=[shapely.Point(p).buffer(100) for p in points], crs="EPSG:27700")


def test_columns_in_output_order_and_filled():
    out = add_place_columns(spots([(652259, 307834), (622903, 308561)]))
    assert list(out.columns[: len(HOTSPOT_COLUMNS)]) == list(HOTSPOT_COLUMNS)
    assert out["near"].tolist() == ["Great Yarmouth", "Norwich"]
    assert out["postcode_sector"].tolist() == ["NR30 1", "NR2 1"]
    assert all(p.startswith(s) for p, s in zip(out["postcode"], out["postcode_sector"], strict=True))
    assert out["local_area_code"].tolist() == ["", ""]


def test_no_hotspots_keeps_the_columns():
    out = add_place_columns(spots([]))
    assert set(PLACE_COLUMNS) <= set(out.columns) and len(out) == 0


@pytest.fixture(scope="module")
def norfolk_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("norfolk")
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--force", "Norfolk",
                    "--local-areas", LOCAL, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    return out


def test_force_sets_the_study_area_to_its_districts(norfolk_run):
    summary = json.loads((norfolk_run / "summary.json").read_text(encoding="utf-8"))
    assert [a["area_name"] for a in summary["study_area"]] == [
        "Breckland", "Broadland", "Great Yarmouth", "King's Lynn and West Norfolk",
        "North Norfolk", "Norwich", "South Norfolk",
    ]  # by code, E07000143 to E07000149
    assert summary["areas"]["key"] == "lad2025" and "April 2025" in summary["areas"]["vintage"]
    assert "GeoNames" in summary["place_sources"]["near"]
    assert summary["local_areas_source"].startswith("Local areas: local_areas.geojson")


def test_local_areas_named_in_hotspots_and_table(norfolk_run):
    features = json.loads((norfolk_run / "hotspots.geojson").read_text(encoding="utf-8"))["features"]
    props = [f["properties"] for f in features]
    assert props and all(p["local_area_code"].startswith("E02") for p in props)
    assert all(p["local_area_name"] for p in props)
    table = (norfolk_run / "local_areas.csv").read_text(encoding="utf-8").splitlines()
    assert table[0] == ",".join(LOCAL_AREA_COLUMNS)
    assert len(table) == 111
    assert sum(int(line.split(",")[-5]) for line in table[1:] if '"' not in line) <= len(props)


def test_areas_pfa2025_maps_by_force(tmp_path):
    # the sample config's study area names districts, so the force replaces it
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--areas", "pfa2025",
                    "--force", "norfolk", "--out", tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "areas.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[:2] for line in lines[1:]] == [["E23000024", "Norfolk"]]


def test_areas_lad2011_and_file(tmp_path):
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--areas", "lad2011",
                    "--out", tmp_path / "a", "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "a" / "summary.json").read_text(encoding="utf-8"))
    assert summary["areas"]["key"] == "lad2011" and "December 2011" in summary["boundary_source"]
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--areas", LOCAL,
                    "--boundary-code-field", "code", "--boundary-name-field", "name",
                    "--study-area", "Norwich 002,Great Yarmouth 005", "--out", tmp_path / "b", "--quiet")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "b" / "summary.json").read_text(encoding="utf-8"))
    assert summary["areas"]["key"] == "file"
    assert summary["boundary_source"] == "User boundaries: local_areas.geojson"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--force", "Atlantis"], "no such police force"),
        (["--force", "Norfolk", "--study-area", "Norwich"], "give one of them"),
        (["--force", "Norfolk", "--areas", "lad2011"], "needs --areas lad2025 or pfa2025"),
        (["--areas", "lad1999"], "neither bundled areas"),
        (["--areas", "lad2011", "--boundaries", "x.geojson"], "give one of them"),
        (["--local-areas", "nope.geojson"], "local areas file not found"),
    ],
    ids=["unknown-force", "force-and-study-area", "force-on-2011", "unknown-areas",
         "areas-and-boundaries", "missing-local-areas"],
)
def test_bad_geography_options_are_exit_2(tmp_path, args, message):
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", *args,
                    "--out", tmp_path / "o", "--quiet")
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_map_tooltip_names_place_sector_and_local_area(norfolk_run):
    page = (norfolk_run / "map.html").read_text(encoding="utf-8")
    assert '"Near"' in page and '"Local area"' in page
    assert "Thetford (IP24 1)" in page
    assert "Breckland 015 (E02005517)" in page
    assert "IP24 1DL" not in page  # the full postcode stays out of the map


def test_map_without_local_areas_has_no_local_area_field(tmp_path):
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--out", tmp_path, "--quiet")
    assert result.exit_code == 0, result.output
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert '"Near"' in page and '"Local area"' not in page
    assert "Breckland · " not in page  # the panel's district cell is the district alone


def test_side_panel_district_cell_adds_the_local_area(norfolk_run):
    page = (norfolk_run / "map.html").read_text(encoding="utf-8")
    assert "Breckland · Breckland 015" in page


def test_summary_defines_the_place_columns(norfolk_run):
    summary = json.loads((norfolk_run / "summary.json").read_text(encoding="utf-8"))
    assert {"local_area", "near", "postcode"} <= set(summary["definitions"])
    assert "internal audience only" in summary["definitions"]["postcode"]
