"""The commands end to end on the bundled synthetic sample (planted structure in data/sample/README.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = [str(ROOT / "data/sample/events.csv"), "--config", str(ROOT / "data/sample/norfolk.toml"), "--quiet"]


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("map")
    run("map", *SAMPLE, "--period", "2024Q3", "--out", str(out))
    return out


def test_map_writes_every_output_with_required_fields(mapped):
    names = {p.name for p in mapped.iterdir()}
    assert {"map.html", "hotspots.geojson", "areas.csv", "rejected.csv", "summary.json"} <= names
    features = json.loads((mapped / "hotspots.geojson").read_text())["features"]
    required = {"hotspot_id", "rank", "status", "harm", "enforcement", "coverage", "area_code", "area_name",
                "days_since_enforcement", "n_cuckooing", "n_raid", "n_seizure"}
    assert all(required <= set(f["properties"]) for f in features)
    lon, lat = features[0]["geometry"]["coordinates"][0][0]
    assert 0 < lon < 2 and 52 < lat < 53.1  # WGS84, longitude first
    areas = pd.read_csv(mapped / "areas.csv")
    assert list(areas.columns) == ["area_code", "area_name", "harm", "enforcement", "coverage", "hotspots",
                                   "thin_hotspots", "harm_in_thin_hotspots"]
    assert len(areas) == 7  # every Norfolk district, with or without hotspots


def test_map_finds_the_planted_hotspots_in_order(mapped):
    features = json.loads((mapped / "hotspots.geojson").read_text())["features"]
    table = pd.DataFrame([f["properties"] for f in features]).set_index("rank")
    # 2024Q3 plant: Thetford 18/0, Norwich 20/2, Lynn 16/1, Yarmouth N 10/1, Cromer 8/0 thin; Gorleston 14/16 covered.
    assert list(table["harm"]) == [18, 20, 16, 10, 8, 14]
    assert list(table["enforcement"]) == [0, 2, 1, 1, 0, 16]
    assert list(table["status"]) == ["thin"] * 5 + ["covered"]
    assert list(table["area_name"]) == ["Breckland", "Norwich", "King's Lynn and West Norfolk", "Great Yarmouth",
                                        "North Norfolk", "Great Yarmouth"]


def test_map_rows_add_up_and_mess_is_reported(mapped):
    summary = json.loads((mapped / "summary.json").read_text())
    assert summary["rows_read"] == summary["rows_analysed"] + summary["rows_outside_period"] + summary["rows_rejected"]
    rejected = pd.read_csv(mapped / "rejected.csv")
    assert len(rejected) == summary["rows_rejected"]
    assert {"coordinates_swapped", "coordinates_at_zero", "missing_coordinates", "duplicate_id", "unknown_type",
            "unparseable_date", "outside_study_area"} <= set(rejected["reason"])
    assert summary["stacked_points"][0]["events"] == 6


def test_two_runs_give_byte_identical_outputs(mapped, tmp_path):
    run("map", *SAMPLE, "--period", "2024Q3", "--out", str(tmp_path))
    for path in sorted(mapped.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_compare_classifies_the_planted_changes(tmp_path):
    output = run("compare", *SAMPLE, "--period", "2024Q4", "--against", "2024Q3", "--out", str(tmp_path))
    assert "new 1, intensified 1, persistent 3, diminished 0, merged 0, split 2, resolved 1" in output
    features = json.loads((tmp_path / "changes.geojson").read_text())["features"]
    current = {f["properties"]["area_name"] + ":" + f["properties"]["change"] for f in features
               if f["properties"]["period"] == "current"}
    assert "South Norfolk:new" in current  # Wymondham
    assert "Great Yarmouth:intensified" in current  # 10 -> 30
    resolved = [f["properties"] for f in features if f["properties"]["change"] == "resolved"]
    assert [r["area_name"] for r in resolved] == ["North Norfolk"]  # Cromer
    lynn = [f["properties"] for f in features
            if f["properties"]["period"] == "current" and f["properties"]["area_name"].startswith("King")]
    assert lynn[0]["coverage_change"] == "gap_closed"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["evaluation"]["hotspots"]["hit_rate"] > summary["evaluation"]["baseline"]["hit_rate"] * 0.5
    areas = pd.read_csv(tmp_path / "area_changes.csv")
    assert len(areas) == 7


def test_tune_and_evaluate_write_their_outputs(tmp_path):
    from hotspots.verdicts import LARGE_EPS_M

    said = run("tune", *SAMPLE, "--period", "2024Q3", "--out", str(tmp_path / "tune"))
    tuned = json.loads((tmp_path / "tune" / "tune.json").read_text())
    eps = tuned["suggestion"]["eps_m"]
    assert eps > 0 and tuned["suggestion"]["min_samples"] == 3
    # Never looks applied: the summary, tune.json and the page say so and name the option.
    option = f"--eps {eps:.0f}"
    assert f"a suggestion, not applied; to apply it, run map, compare or brief with {option}" in said
    assert (tuned["applied"], tuned["apply_with"]) == (False, option)
    page = (tmp_path / "tune" / "tune.html").read_text()
    assert "Suggestion, not applied" in page and f"<code>{option}</code>" in page
    assert "eps 400 m (given)" in page and "(auto" not in page  # the run's own settings
    assert ("town-sized" in said) is (eps >= LARGE_EPS_M)
    said = run("evaluate", *SAMPLE, "--period", "2024Q4", "--against", "2024Q3", "--out", str(tmp_path / "eval"))
    scores = json.loads((tmp_path / "eval" / "evaluate.json").read_text())
    assert 0 < scores["hotspots"]["hit_rate"] <= 1
    hit = 100 * scores["hotspots"]["hit_rate"]
    assert said.startswith(f"Hotspots drawn on 2024Q3 caught {hit:.1f}% of 2024Q4's harm")


def test_eps_auto_is_stated_in_the_summary(tmp_path):
    run("map", *SAMPLE, "--period", "2024Q3", "--eps", "auto", "--out", str(tmp_path))
    params = json.loads((tmp_path / "summary.json").read_text())["parameters"]
    assert params["eps_source"].startswith("auto")
    assert "k-distance curve" in (tmp_path / "map.html").read_text()


def test_user_boundaries_with_their_own_field_names(tmp_path):
    from hotspots.boundaries import load_boundaries

    districts = load_boundaries().areas
    norfolk = districts[districts["area_code"].str.startswith("E0700014")]
    own = norfolk.rename(columns={"area_code": "LAD_CD", "area_name": "LAD_NM"}).to_crs("EPSG:4326")
    own.to_file(tmp_path / "lads.gpkg", driver="GPKG")
    out = tmp_path / "out"
    run("map", *SAMPLE, "--period", "2024Q3", "--boundaries", str(tmp_path / "lads.gpkg"),
        "--boundary-code-field", "LAD_CD", "--boundary-name-field", "LAD_NM", "--out", str(out))
    summary = json.loads((out / "summary.json").read_text())
    assert summary["boundary_source"] == "User boundaries: lads.gpkg"
    assert summary["hotspots"] == 6
    result = CliRunner().invoke(main, ["validate", *SAMPLE, "--boundaries", str(tmp_path / "lads.gpkg")])
    assert result.exit_code == 2
    assert "LAD_CD" in result.output and "--boundary-code-field" in result.output
