"""outputs.gpkg: layers, fields, CRS, QGIS styles, determinism; read by pyogrio, ogrinfo and QGIS."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
import subprocess
import textwrap
import time
from pathlib import Path

import pyogrio
import pytest
import shapely
from _exports_sample import sample

from hotspots.compare import GEOJSON_COLUMNS
from hotspots.export import gpkg
from hotspots.model import AREA_COLUMNS

MAP_LAYERS = ["hotspots", "enforcement_clusters", "districts"]
COMPARE_LAYERS = [*MAP_LAYERS, "changes"]


@pytest.fixture(scope="module")
def map_gpkg(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gpkg") / "map.gpkg"
    gpkg.write_gpkg(path, gpkg.map_layers(sample().current))
    return path


@pytest.fixture(scope="module")
def compare_gpkg(tmp_path_factory) -> Path:
    s = sample()
    path = tmp_path_factory.mktemp("gpkg") / "compare.gpkg"
    gpkg.write_gpkg(path, gpkg.compare_layers(s.comparison, s.previous, s.current))
    return path


@pytest.mark.parametrize(
    ("which", "layers"), [("map", MAP_LAYERS), ("compare", COMPARE_LAYERS)], ids=["map", "compare"]
)
def test_layers_and_styles_table(which, layers, map_gpkg, compare_gpkg):
    path = map_gpkg if which == "map" else compare_gpkg
    assert gpkg.layer_names(path) == [*layers, "layer_styles"]
    for name in layers:
        info = pyogrio.read_info(path, layer=name)
        assert info["crs"] == "EPSG:27700"
        assert info["geometry_type"] == "MultiPolygon"
        assert info["geometry_name"] == gpkg.GEOMETRY_COLUMN


def test_fields_and_values_are_those_of_the_geojson(map_gpkg):
    analysis = sample().current
    for name, table in [
        ("hotspots", analysis.hotspots),
        ("enforcement_clusters", analysis.enforcement_clusters),
    ]:
        read = pyogrio.read_dataframe(map_gpkg, layer=name)
        properties = [c for c in table.columns if c != "geometry"]  # as write_map_outputs
        assert list(read.columns) == [*properties, "geometry"]
        assert len(read) == len(table) > 0
        for column in properties:
            if table[column].dtype.kind == "f":
                assert read[column].tolist() == pytest.approx(table[column].tolist(), nan_ok=True)
            else:
                assert read[column].tolist() == table[column].tolist(), column
        # Same footprints in metres (multi-part only in type).
        for got, expected in zip(read.geometry, table.geometry, strict=True):
            assert shapely.equals_exact(
                shapely.normalize(shapely.get_geometry(got, 0)), shapely.normalize(expected), 1e-6
            )


def test_districts_carry_their_figures(map_gpkg, compare_gpkg):
    s = sample()
    read = pyogrio.read_dataframe(map_gpkg, layer="districts")
    assert list(read.columns) == [*AREA_COLUMNS, "geometry"]
    assert read["area_code"].tolist() == s.current.areas["area_code"].tolist()
    assert read["harm"].tolist() == s.current.areas["harm"].tolist()
    changes = pyogrio.read_dataframe(compare_gpkg, layer="districts")
    thin_harm = ["thin_harm_previous", "thin_harm_current", "thin_harm_p", "thin_harm_class"]
    assert list(changes.columns) == [*s.comparison.areas.columns, *thin_harm, "geometry"]
    assert changes["harm_change"].tolist() == s.comparison.areas["harm_change"].tolist()


def test_changes_layer_has_the_changes_geojson_fields(compare_gpkg):
    s = sample()
    read = pyogrio.read_dataframe(compare_gpkg, layer="changes")
    assert list(read.columns) == [*GEOJSON_COLUMNS, "geometry"]
    assert read["change"].tolist() == s.comparison.hotspots["change"].tolist()
    assert read["period"].tolist() == s.comparison.hotspots["period"].tolist()


def test_coordinates_are_british_national_grid_eastings_then_northings(map_gpkg):
    """Norfolk lies at eastings 540-660 km, northings 270-350 km: x is the easting."""
    read = pyogrio.read_dataframe(map_gpkg, layer="hotspots")
    minx, miny, maxx, maxy = read.total_bounds
    assert 540_000 < minx < maxx < 660_000
    assert 270_000 < miny < maxy < 350_000
    # Each footprint holds its hotspot's centroid (the mean of its members).
    for geometry, x, y in zip(read.geometry, read["centroid_x"], read["centroid_y"], strict=True):
        assert geometry.contains(shapely.Point(x, y))


def test_styles_table_is_what_qgis_reads(compare_gpkg):
    with sqlite3.connect(compare_gpkg) as db:
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, useAsDefault,"
            " update_time, styleQML FROM layer_styles ORDER BY id"
        ).fetchall()
        kind = db.execute(
            "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
        ).fetchone()
        stamps = {r[0] for r in db.execute("SELECT last_change FROM gpkg_contents")}
    assert kind == ("attributes",)
    assert [r[2] for r in rows] == COMPARE_LAYERS
    for catalog, schema_name, _table, geometry, default, updated, qml in rows:
        assert (catalog, schema_name, geometry, default) == ("", "", "geom", 1)
        assert updated == gpkg.FIXED_TIMESTAMP
        assert qml.startswith("<!DOCTYPE qgis")
    assert stamps == {gpkg.FIXED_TIMESTAMP}


@pytest.mark.parametrize("which", ["map", "compare"])
def test_writing_twice_gives_the_same_bytes(which):
    s = sample()

    def layers():
        if which == "map":
            return gpkg.map_layers(s.current)
        return gpkg.compare_layers(s.comparison, s.previous, s.current)

    first = gpkg.gpkg_bytes(layers())
    time.sleep(1.1)  # GDAL's timestamps have one-second resolution: a clock leak would show
    assert gpkg.gpkg_bytes(layers()) == first


def test_no_hotspots_still_gives_every_layer(tmp_path):
    analysis = sample().current
    empty = dataclasses.replace(
        analysis,
        hotspots=analysis.hotspots.iloc[0:0],
        enforcement_clusters=analysis.enforcement_clusters.iloc[0:0],
    )
    path = tmp_path / "empty.gpkg"
    gpkg.write_gpkg(path, gpkg.map_layers(empty))
    assert gpkg.layer_names(path) == [*MAP_LAYERS, "layer_styles"]
    assert pyogrio.read_info(path, layer="hotspots")["features"] == 0
    assert pyogrio.read_info(path, layer="districts")["features"] == len(analysis.areas)


def test_layer_names_must_be_distinct(tmp_path):
    layers = gpkg.map_layers(sample().current)
    with pytest.raises(ValueError, match="distinct"):
        gpkg.write_gpkg(tmp_path / "x.gpkg", [layers[0], layers[0]])


@pytest.mark.skipif(
    shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo is not installed (Debian: gdal-bin)"
)
def test_ogrinfo_reads_it_without_warnings(compare_gpkg):
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", str(compare_gpkg)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    for name in [*COMPARE_LAYERS, "layer_styles"]:
        assert f"Layer name: {name}" in result.stdout
    assert 'ID["EPSG",27700]' in result.stdout


def _qgis_python() -> str | None:
    python = shutil.which("python3", path="/usr/bin")
    if python is None:
        return None
    probe = subprocess.run([python, "-c", "import qgis.core"], capture_output=True, check=False)
    return python if probe.returncode == 0 else None


QGIS_CHECK = textwrap.dedent(
    """
    import json, os, sys
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication, QgsExpression, QgsExpressionContext, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    out = {}
    for name in sys.argv[2:]:
        layer = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
        renderer = layer.renderer()
        rules = renderer.rootRule().children() if renderer.type() == "RuleRenderer" else []
        matches = []
        for feature in layer.getFeatures():
            context = QgsExpressionContext()
            context.setFeature(feature)
            hit = [r.label() for r in rules if r.active() and QgsExpression(r.filterExpression()).evaluate(context)]
            matches.append(hit)
        out[name] = {
            "valid": layer.isValid(),
            "crs": layer.crs().authid(),
            "renderer": renderer.type(),
            "colours": [r.symbol().color().name() for r in rules],
            "labels": layer.labelsEnabled(),
            "matches": matches,
        }
    print(json.dumps(out), flush=True)
    os._exit(0)  # QGIS 3.22 crashes tearing down layers still alive at exit; the answer is out
    """
)


@pytest.mark.skipif(
    _qgis_python() is None, reason="QGIS's Python bindings are not installed (Debian: python3-qgis)"
)
def test_qgis_opens_each_layer_with_the_map_colours(compare_gpkg):
    """QGIS itself applies the stored style on open, and every feature falls in one drawn class."""
    from hotspots.export.styles import map_colours

    result = subprocess.run(
        [_qgis_python(), "-c", QGIS_CHECK, str(compare_gpkg), *COMPARE_LAYERS],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={
            "QT_QPA_PLATFORM": "offscreen",
            "HOME": str(compare_gpkg.parent),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    colours = map_colours()
    for name in COMPARE_LAYERS:
        assert found[name]["valid"] and found[name]["crs"] == "EPSG:27700"
        assert found[name]["renderer"] == "RuleRenderer"
    assert found["hotspots"]["colours"] == [
        colours["thin"][0].lower(),
        colours["covered"][0].lower(),
    ]
    assert found["hotspots"]["labels"] is True
    # Every hotspot and district is drawn by exactly one rule; changes: current and resolved
    # hotspots by one, matched previous ones by none (their rule is unticked).
    for name in ("hotspots", "districts", "enforcement_clusters"):
        assert all(len(hit) == 1 for hit in found[name]["matches"]), found[name]["matches"]
    periods = pyogrio.read_dataframe(compare_gpkg, layer="changes", read_geometry=False)
    for hit, period, change in zip(
        found["changes"]["matches"], periods["period"], periods["change"], strict=True
    ):
        assert len(hit) == (1 if period == "current" or change == "resolved" else 0)
