"""Input formats people actually send: encodings, delimiters, quoting, empty and ragged files,
spatial formats, and the documented date rules, each through the reader and the command line."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspots import io as hio
from hotspots import schema
from hotspots.boundaries import load_boundaries
from hotspots.cli import main
from hotspots.errors import InputError, NoDataError
from hotspots.io import read_events
from hotspots.params import AnalysisParams, ColumnNames, EventTypes
from hotspots.validate import validate

NORWICH = (52.6284, 1.2963)  # lat, lon
LYNN = (52.7517, 0.3955)
CAFE = "Kings Lynn – café"  # an en dash and an e-acute: both in cp1252, the dash not in latin-1
HEADER = ["id", "type", "date", "lat", "lon", "notes"]
ROWS = [
    ["A1", "raid", "2024-07-01", "52.6284", "1.2963", CAFE],
    ["A2", "cuckooing", "2024-07-02", "52.7517", "0.3955", "flat 2"],
    ["A3", "seizure", "2024-08-15", "", "", "no location"],  # rejected: missing_coordinates
]


def csv_bytes(rows=ROWS, header=HEADER, *, sep=",", encoding="utf-8", newline="\n") -> bytes:
    lines = [sep.join(header)] + [sep.join(row) for row in rows]
    return (newline.join(lines) + newline).encode(encoding)


def write(tmp_path: Path, data: bytes | str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def validate_out(tmp_path: Path, path: Path, *options: object) -> tuple[dict, pd.DataFrame]:
    """Run ``hotspots validate --out`` (exit 0 expected): summary and rejected rows."""
    out = tmp_path / "out"
    result = invoke("validate", path, "--out", out, "--quiet", *options)
    assert result.exit_code == 0, result.output
    summary = json.loads((out / schema.OUT_SUMMARY).read_text(encoding="utf-8"))
    rejected = pd.read_csv(out / schema.OUT_REJECTED, dtype=str, keep_default_na=False)
    assert summary["rows_read"] == (
        summary["rows_valid_in_period"] + summary["rows_outside_period"] + summary["rows_rejected"]
    )
    return summary, rejected


@pytest.fixture(scope="module")
def areas():
    return load_boundaries().areas


def checked(path: Path, areas, **params):
    result = read_events(path, ColumnNames())
    return result, validate(result.raw, EventTypes(), AnalysisParams(**params), areas)


# --- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "detected", "note"),
    [
        ("utf-8", "utf-8-sig", False),
        ("utf-8-sig", "utf-8-sig", False),  # Excel's "CSV UTF-8" starts with a byte-order mark
        ("cp1252", "cp1252", True),  # Excel's plain "CSV" on Windows
        ("utf-16", "utf-16", False),  # Excel's "Unicode text": UTF-16 with a BOM
    ],
    ids=["utf8", "utf8-bom", "cp1252", "utf16-bom"],
)
def test_encoding_is_detected_and_text_decoded(tmp_path, encoding, detected, note):
    rows = [[CAFE if i == 0 else v for i, v in enumerate(row)] for row in ROWS]
    path = write(tmp_path, csv_bytes(rows, encoding=encoding))
    result = read_events(path, ColumnNames())
    assert result.encoding == detected
    assert result.raw[schema.COL_ID].iloc[0] == CAFE
    assert list(result.raw[schema.COL_ROW]) == [1, 2, 3]
    assert any("read as cp1252" in n for n in result.notes) == note


def test_cp1252_file_through_the_cli_keeps_the_text(tmp_path):
    rows = [["café-3" if i == 0 else v for i, v in enumerate(ROWS[2])]]
    path = write(tmp_path, csv_bytes(ROWS[:2] + rows, encoding="cp1252"))
    summary, rejected = validate_out(tmp_path, path)
    assert summary["rows_read"] == 3 and summary["rows_rejected"] == 1
    assert list(rejected[schema.COL_ID]) == ["café-3"]
    assert any("read as cp1252" in n for n in summary["notes"])


def test_encoding_given_with_option(tmp_path):
    rows = [["café-3" if i == 0 else v for i, v in enumerate(ROWS[2])]]
    path = write(tmp_path, csv_bytes(ROWS[1:2] + rows, encoding="latin-1"))
    summary, rejected = validate_out(tmp_path, path, "--encoding", "latin-1")
    assert summary["rows_read"] == 2
    assert list(rejected[schema.COL_ID]) == ["café-3"]
    assert summary["notes"] == []  # nothing guessed


def test_utf8_given_for_a_file_with_a_bom_drops_the_mark(tmp_path):
    path = write(tmp_path, csv_bytes(encoding="utf-8-sig"))
    summary, _ = validate_out(tmp_path, path, "--encoding", "utf-8")
    assert summary["rows_read"] == 3


@pytest.mark.parametrize(
    ("option", "data", "expected"),
    [
        ("klingon", csv_bytes(), "unknown encoding 'klingon'"),
        ("base64", csv_bytes(), "unknown encoding 'base64'"),  # a codec, not a text encoding
        ("utf-8", csv_bytes(encoding="cp1252"), "--encoding"),
    ],
    ids=["unknown-name", "not-text", "wrong-for-file"],
)
def test_bad_encoding_option_is_exit_2(tmp_path, option, data, expected):
    result = invoke("validate", write(tmp_path, data), "--encoding", option, "--quiet")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and expected in result.output


def test_csv_is_hashed_while_it_is_parsed_not_in_a_second_pass(tmp_path, monkeypatch):
    data = csv_bytes(encoding="cp1252")  # also after the encoding fallback re-read
    path = write(tmp_path, data)

    def second_pass(_path):
        raise AssertionError("the CSV was read a second time to hash it")

    monkeypatch.setattr(hio, "file_sha256", second_pass)
    assert read_events(path, ColumnNames()).sha256 == hashlib.sha256(data).hexdigest()


# --- delimiters -------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_delimiter_is_sniffed(tmp_path, sep):
    result = read_events(write(tmp_path, csv_bytes(sep=sep)), ColumnNames())
    assert result.delimiter == sep
    assert list(result.raw[schema.COL_ID]) == ["A1", "A2", "A3"]
    assert result.raw[schema.COL_X_RAW].iloc[0] == "1.2963"


@pytest.mark.parametrize(
    ("option", "sep"), [(";", ";"), ("tab", "\t"), (",", ",")], ids=["semicolon", "tab", "comma"]
)
def test_delimiter_given_with_option(tmp_path, option, sep):
    # A header that sniffs wrongly: more commas than real delimiters.
    header = ["id", "type", "date", "lat", "lon", "notes, free text, with commas"]
    path = write(tmp_path, csv_bytes(header=header, sep=sep))
    summary, _ = validate_out(tmp_path, path, "--delimiter", option)
    assert summary["rows_read"] == 3 and summary["rows_valid_in_period"] == 2


def test_semicolon_file_with_decimal_commas(tmp_path):
    rows = [["A1", "raid", "2024-07-01", "52,6284", "1,2963"], ["A2", "raid", "2024-07-01", "52, 7517", "0,3955"]]
    summary, _ = validate_out(tmp_path, write(tmp_path, csv_bytes(rows, HEADER[:5], sep=";")))
    assert summary["rows_valid_in_period"] == 2


def test_wrong_delimiter_names_the_option(tmp_path):
    result = invoke("validate", write(tmp_path, csv_bytes(sep=";")), "--delimiter", ",", "--quiet")
    assert result.exit_code == 2
    assert "read as one column" in result.output and "--delimiter" in result.output


# --- quoting, blank lines, row numbers ----------------------------------------------------------


def test_quoted_newlines_and_quotes_keep_row_numbers(tmp_path):
    text = (
        "id,type,date,lat,lon,notes\r\n"
        'A1,raid,2024-07-01,52.6284,1.2963,"line one\r\nline two, with ""quotes"""\r\n'
        '"A2",cuckooing,2024-07-02,52.7517,0.3955,"three\nphysical\nlines"\r\n'
        "A3,seizure,2024-07-03,north,1.2963,\r\n"
    )
    result = read_events(write(tmp_path, text), ColumnNames())
    assert list(result.raw[schema.COL_ID]) == ["A1", "A2", "A3"]
    summary, rejected = validate_out(tmp_path, tmp_path / "events.csv")
    assert summary["rows_read"] == 3
    # source_row counts data rows (header excluded), not physical lines.
    assert rejected[[schema.COL_ROW, schema.COL_REASON]].values.tolist() == [["3", "non_numeric_coordinates"]]


def test_blank_lines_are_not_rows(tmp_path):
    text = "\n\nid,type,date,lat,lon\n\nA1,raid,2024-07-01,52.6284,1.2963\n   \nA2,raid,2024-07-01,,\n\n"
    result = read_events(write(tmp_path, text), ColumnNames())
    assert list(result.raw[schema.COL_ID]) == ["A1", "A2"]
    assert list(result.raw[schema.COL_ROW]) == [1, 2]


def test_unclosed_quote_is_exit_2_naming_the_row(tmp_path):
    text = 'id,type,date,lat,lon\nA1,raid,2024-07-01,52.6,1.29\nA2,"raid,2024-07-01,52.6,1.29\n'
    result = invoke("validate", write(tmp_path, text), "--quiet")
    assert result.exit_code == 2
    assert "never closed" in result.output and "data row 2" in result.output


def _both_readers(path: Path, sep: str = ","):
    """The body as pyarrow's reader gives it (None: declined) and as pandas' reader does."""
    header = hio._header_fields(path, "utf-8-sig", sep)
    wanted = list(range(len(header)))
    return (
        hio._read_table_arrow(path, "utf-8-sig", sep, header, wanted),
        hio._read_table_pandas(path, "utf-8-sig", sep, len(header), wanted),
    )


@pytest.mark.parametrize(
    "data",
    [
        b"id,type,date\nA1,raid,2024-07-01\nA2,seizure,2024-07-02\n",
        b"\xef\xbb\xbf\n\nid,type,date\r\n\r\nA1,raid,2024-07-01\r\n\nA2,,\r\n",
        b'id,type,date\nA1,"raid, ""big""","2024\r\n07"\n"A2",x"y,"z"w\n,,\n',
        b"id,type,date\rA1,raid,2024-07-01\rA2,seizure,2024-07-02",
        b"id,type,date\n\x00,\xe2\x80\xa8,\xef\xbb\xbfx\n",
    ],
    ids=["plain", "bom-crlf-blank-lines", "quotes-and-line-breaks", "cr-only", "control-and-unicode"],
)
def test_pyarrow_reader_gives_what_pandas_gives(tmp_path, data):
    fast, reference = _both_readers(write(tmp_path, data))
    assert fast is not None, "pyarrow declined a regular UTF-8 file"
    pd.testing.assert_frame_equal(fast[0], reference[0], check_exact=True)
    assert fast[1] == reference[1] == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    "data",
    [
        b'id,type,date\nA1,raid,"2024-07-01\n',  # pyarrow would end the open quote at the end
        b'id,type,date\nA1,raid,"""\n',
        b"id,type,date\r\r,raid,2024-07-01\r",  # pandas drops the delimiter after a blank \r line
        b"id,type,date\nA1,raid\nA2,raid,2024-07-01,\n",  # short and long rows
        b"id,type,date\n  \nA1,raid,2024-07-01\n",  # a line of spaces is blank to pandas
        b"id,type,date\nA1,caf\xe9,2024-07-01\n",  # not UTF-8
    ],
    ids=["unclosed-quote", "unclosed-after-doubled-quote", "blank-cr-line-then-delimiter", "ragged",
         "spaces-line", "not-utf8"],
)
def test_pyarrow_reader_declines_where_pandas_differs(tmp_path, data):
    assert hio._read_table_arrow(write(tmp_path, data), "utf-8-sig", ",", ["id", "type", "date"], [0, 1, 2]) is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=st.lists(
        st.lists(st.text(alphabet="ab1 ", max_size=3), min_size=3, max_size=3).map(",".join),
        max_size=12,
    ),
    breaks=st.lists(st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"]), min_size=13, max_size=13),
    block=st.integers(min_value=1, max_value=40),
)
def test_pyarrow_reader_in_small_blocks_gives_what_pandas_gives(tmp_path, monkeypatch, body, breaks, block):
    # A file without quotes is parsed in blocks; rows and line breaks of every kind fall
    # across block edges here (a block holds a few bytes, not a megabyte).
    monkeypatch.setattr(hio, "_BLOCK_BYTES", block)
    lines = ["id,type,date", *body]
    data = "".join(line + end for line, end in zip(lines, breaks, strict=False)).encode()
    fast, reference = _both_readers(write(tmp_path, data))
    if fast is not None:  # declining is always allowed: pandas then reads the file
        pd.testing.assert_frame_equal(fast[0], reference[0], check_exact=True)
        assert fast[1] == reference[1]


def test_reading_with_pyarrow_or_pandas_gives_the_same_result(tmp_path, monkeypatch):
    data = csv_bytes(newline="\r\n")
    fast = read_events(write(tmp_path, data), ColumnNames())
    monkeypatch.setattr(hio, "_read_table_arrow", lambda *args: None)
    slow = read_events(tmp_path / "events.csv", ColumnNames())
    pd.testing.assert_frame_equal(fast.raw, slow.raw, check_exact=True)
    assert (fast.sha256, fast.encoding, fast.notes) == (slow.sha256, slow.encoding, slow.notes)


# --- empty, header-only, ragged, extra and duplicated columns -----------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty (0 bytes"),
        (b"id,type,date,lat,lon\n", "no data rows"),
        (b"id,type,date,lat,lon", "no data rows"),
        (b"\xef\xbb\xbfid,type,date,lat,lon\r\n", "no data rows"),
        (b"\n\n  \n", "only blank lines"),
        (b"\xef\xbb\xbf", "only blank lines"),
    ],
    ids=["zero-bytes", "header-only", "header-no-newline", "header-bom-crlf", "blank-lines", "bom-only"],
)
def test_empty_and_header_only_files_are_no_data_exit_3(tmp_path, data, expected):
    result = invoke("validate", write(tmp_path, data), "--quiet")
    assert result.exit_code == 3, result.output
    assert result.output.startswith("Error: ") and expected in result.output


def test_empty_file_raises_no_data_error(tmp_path):
    with pytest.raises(NoDataError, match="0 bytes"):
        read_events(write(tmp_path, b""), ColumnNames())


def test_extra_columns_are_ignored_and_never_copied(tmp_path):
    header = ["Notes", *HEADER[:5], "Officer", "lat_old"]
    rows = [["secret", *row[:5], "PC 123", "0"] for row in ROWS]
    summary, rejected = validate_out(tmp_path, write(tmp_path, csv_bytes(rows, header)))
    assert summary["rows_valid_in_period"] == 2 and summary["rows_rejected"] == 1
    assert "secret" not in rejected.to_csv() and "PC 123" not in rejected.to_csv()


@pytest.mark.parametrize(
    ("header", "missing", "fix"),
    [
        ("ref,type,date,lat,lon", "no 'id' column", '[columns] id = "Your header"'),
        ("id,category,date,lat,lon", "no 'type' column", '[columns] type = "Your header"'),
        ("id,type,when,lat,lon", "no 'date' column", '[columns] date = "Your header"'),
        ("id,type,date,north,east", "no coordinate column", '[columns] lat = "Your header"'),
    ],
    ids=["id", "type", "date", "coordinates"],
)
def test_missing_required_column_lists_columns_and_config_key(tmp_path, header, missing, fix):
    path = write(tmp_path, header + "\nA1,raid,2024-07-01,52.6,1.29\n")
    result = invoke("validate", path, "--quiet")
    assert result.exit_code == 2
    assert missing in result.output and fix in result.output and "--config" in result.output
    for name in header.split(","):
        assert repr(name) in result.output  # every column found is listed


def test_police_uk_file_without_config_points_to_the_bundled_config(tmp_path):
    header = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type"
    result = invoke("validate", write(tmp_path, header + "\nabc,2024-07,,,1.29,52.6,,,,Drugs\n"), "--quiet")
    assert result.exit_code == 2
    assert "policeuk-street.toml" in result.output


def test_duplicated_header_uses_the_first_and_says_so(tmp_path):
    header = ["id", "type", "date", "lat", "lon", "lat", "date"]
    rows = [["A1", "raid", "2024-07-01", "52.6284", "1.2963", "99", "garbage"]]
    summary, _ = validate_out(tmp_path, write(tmp_path, csv_bytes(rows, header)))
    assert summary["rows_valid_in_period"] == 1
    notes = " ".join(summary["notes"])
    assert "'lat' appears 2 times; the first is used" in notes
    assert "'date' appears 2 times" in notes


def test_short_rows_are_kept_and_rejected_with_a_reason(tmp_path):
    text = "id,type,date,lat,lon\nA1,raid,2024-07-01,52.6284,1.2963\nA2,raid,2024-07-01\nA3\n"
    summary, rejected = validate_out(tmp_path, write(tmp_path, text))
    assert summary["rows_read"] == 3
    assert rejected[[schema.COL_ROW, schema.COL_REASON]].values.tolist() == [
        ["2", "missing_coordinates"],
        ["3", "missing_type"],
    ]


def test_long_row_is_exit_2_naming_the_row_and_the_fix(tmp_path):
    text = "id,type,date,lat,lon\nA1,raid,2024-07-01,52.6284,1.2963\nA2,raid,2024-07-01,52.6,1.2,Norwich, NR1\n"
    result = invoke("validate", write(tmp_path, text), "--quiet")
    assert result.exit_code == 2
    assert "data row 2 has 7 fields but the header has 5" in result.output
    assert "double quotes" in result.output


def test_trailing_delimiter_on_every_row_does_not_shift_columns(tmp_path):
    # pandas would take the first column as an index here and shift every value one left.
    text = "id,type,date,lat,lon\nA1,raid,2024-07-01,52.6284,1.2963,\nA2,raid,2024-07-02,52.7517,0.3955,\n"
    result = read_events(write(tmp_path, text), ColumnNames())
    assert list(result.raw[schema.COL_ID]) == ["A1", "A2"]
    assert list(result.raw[schema.COL_TYPE]) == ["raid", "raid"]


def test_one_extra_value_in_one_row_is_refused_not_dropped(tmp_path):
    text = "id,type,date,lat,lon\nA1,raid,2024-07-01,52.6284,1.2963,Norwich\nA2,raid,2024-07-02,52.7517,0.3955\n"
    with pytest.raises(InputError, match="data row 1 has more fields than the header"):
        read_events(write(tmp_path, text), ColumnNames())


# --- spatial formats ------------------------------------------------------------------------------


def _points_frame(crs: str):
    import geopandas as gpd
    from shapely.geometry import Point

    frame = pd.DataFrame([row[:3] for row in ROWS[:2]], columns=["id", "type", "date"])
    points = [Point(float(r[4]), float(r[3])) for r in ROWS[:2]]
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326").to_crs(crs)


def _save(frame, path: Path) -> Path:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        frame.to_file(path, driver={".geojson": "GeoJSON", ".gpkg": "GPKG"}[path.suffix])
    return path


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".parquet"], ids=["geojson", "gpkg", "geoparquet"])
@pytest.mark.parametrize("crs", ["EPSG:27700", "EPSG:4326"], ids=["bng", "wgs84"])
def test_spatial_files_give_the_same_valid_rows_as_csv(tmp_path, areas, suffix, crs):
    _, from_csv = checked(write(tmp_path, csv_bytes(ROWS[:2])), areas)
    result, from_file = checked(_save(_points_frame(crs), tmp_path / f"events{suffix}"), areas)
    assert result.raw[schema.COL_CRS].iloc[0] == crs
    columns = [schema.COL_ROW, schema.COL_ID, schema.COL_TYPE, schema.COL_DATE_START, schema.COL_AREA_CODE]
    pd.testing.assert_frame_equal(from_file.valid[columns], from_csv.valid[columns])
    assert (from_file.valid[schema.COL_X] - from_csv.valid[schema.COL_X]).abs().max() < 0.01  # metres
    assert (from_file.valid[schema.COL_Y] - from_csv.valid[schema.COL_Y]).abs().max() < 0.01


def test_non_point_and_null_geometries_are_rejected_with_reasons(tmp_path, areas):
    import geopandas as gpd
    from shapely.geometry import LineString, MultiPoint, Point, Polygon

    lon, lat = NORWICH[1], NORWICH[0]
    geometries = [
        Point(lon, lat),
        LineString([(lon, lat), (lon + 0.01, lat)]),
        Polygon([(lon, lat), (lon + 0.01, lat), (lon, lat + 0.01)]),
        MultiPoint([(lon, lat), (lon + 0.01, lat)]),  # a one-part MultiPoint is a point (issue 18)
        None,
        Point(),
    ]
    frame = gpd.GeoDataFrame(
        {"id": [f"G{i}" for i in range(6)], "type": "raid", "date": "2024-07-01"},
        geometry=geometries,
        crs="EPSG:4326",
    )
    _, checked_rows = checked(_save(frame, tmp_path / "events.gpkg"), areas)
    reasons = dict(zip(checked_rows.rejected[schema.COL_ID], checked_rows.rejected[schema.COL_REASON], strict=True))
    assert reasons == {
        "G1": schema.REASON_NOT_POINT,
        "G2": schema.REASON_NOT_POINT,
        "G3": schema.REASON_NOT_POINT,
        "G4": schema.REASON_MISSING_COORDS,
        "G5": schema.REASON_MISSING_COORDS,
    }
    assert list(checked_rows.valid[schema.COL_ID]) == ["G0"]


def test_geojson_through_the_cli(tmp_path):
    path = _save(_points_frame("EPSG:27700"), tmp_path / "events.geojson")
    summary, _ = validate_out(tmp_path, path)
    assert summary["rows_read"] == 2 and summary["rows_valid_in_period"] == 2


def test_spatial_dates_written_as_datetimes_are_read(tmp_path, areas):
    frame = _points_frame("EPSG:4326")
    frame["date"] = pd.to_datetime(frame["date"])
    _, result = checked(_save(frame, tmp_path / "events.parquet"), areas)
    assert [str(d)[:10] for d in result.valid[schema.COL_DATE_START]] == ["2024-07-01", "2024-07-02"]


def test_spatial_attributes_as_text(tmp_path):
    frame = _points_frame("EPSG:4326")
    frame["id"] = [12345.0, float("nan")]  # an integer id with a gap: pandas holds it as float
    frame["type"] = [float("inf"), 1.5]
    frame["Date"] = frame.pop("date")
    frame["date"] = ["x", "y"]  # the exact name wins over a case variant
    raw = read_events(_save(frame, tmp_path / "events.parquet"), ColumnNames()).raw
    assert list(raw[schema.COL_ID]) == ["12345", ""]
    assert list(raw[schema.COL_TYPE]) == ["inf", "1.5"]
    assert list(raw[schema.COL_DATE]) == ["x", "y"]


def test_plain_parquet_table_with_lat_lon(tmp_path, areas):
    table = pd.DataFrame(ROWS[:2], columns=HEADER)
    table.to_parquet(tmp_path / "events.parquet")
    _, result = checked(tmp_path / "events.parquet", areas)
    assert len(result.valid) == 2


# --- dates ------------------------------------------------------------------------------------------


def dates_file(tmp_path: Path, *dates: str) -> Path:
    rows = [[f"D{i}", "raid", d, *map(str, NORWICH)] for i, d in enumerate(dates)]
    return write(tmp_path, csv_bytes(rows, HEADER[:5]))


def starts(tmp_path, areas, *dates: str, **params) -> list[str]:
    _, result = checked(dates_file(tmp_path, *dates), areas, **params)
    got = dict(zip(result.valid[schema.COL_ID], result.valid[schema.COL_DATE_START], strict=True))
    return [str(got[f"D{i}"])[:10] if f"D{i}" in got else "" for i in range(len(dates))]


def test_one_unambiguous_date_proves_day_first_for_the_file(tmp_path, areas):
    assert starts(tmp_path, areas, "25/07/2024", "03/07/2024", "1.8.2024 14:30") == [
        "2024-07-25",
        "2024-07-03",
        "2024-08-01",
    ]


def test_one_unambiguous_date_proves_month_first_for_the_file(tmp_path, areas):
    assert starts(tmp_path, areas, "07/25/2024", "03/07/2024") == ["2024-07-25", "2024-03-07"]


@pytest.mark.parametrize(
    "dates",
    [("03/07/2024",), ("03/07/2024", "13/14/2024"), ("03/07/2024", "45/07/2024")],
    ids=["alone", "with-impossible", "with-day-45"],
)
def test_ambiguous_dates_are_refused_naming_the_option(tmp_path, dates):
    result = invoke("validate", dates_file(tmp_path, *dates), "--quiet")
    assert result.exit_code == 2
    assert "'03/07/2024' could be day-first or month-first" in result.output
    assert "--date-order dmy" in result.output and "--date-order mdy" in result.output


def test_mixed_orders_are_refused(tmp_path):
    result = invoke("validate", dates_file(tmp_path, "25/07/2024", "07/25/2024"), "--quiet")
    assert result.exit_code == 2
    assert "mix day-first ('25/07/2024') and month-first ('07/25/2024')" in result.output


def test_date_order_option_settles_ambiguity(tmp_path, areas):
    assert starts(tmp_path, areas, "03/07/2024", date_order="dmy") == ["2024-07-03"]
    assert starts(tmp_path, areas, "03/07/2024", date_order="mdy") == ["2024-03-07"]
    summary, _ = validate_out(tmp_path, dates_file(tmp_path, "03/07/2024"), "--date-order", "dmy")
    assert summary["rows_valid_in_period"] == 1


def test_same_either_way_and_impossible_dates_need_no_option(tmp_path, areas):
    # 05/05 reads the same both ways; 13/14 is no date either way (unparseable, not ambiguous).
    assert starts(tmp_path, areas, "05/05/2024", "13/14/2024") == ["2024-05-05", ""]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-07-25", "2024-07-25"),
        ("2024-07-25T23:30:00+01:00", "2024-07-25"),  # the date as written; the offset does not move it
        ("2024-07-25 23:30", "2024-07-25"),
        ("2024-07-25T23:30:00.000Z", "2024-07-25"),
        ("2024/07/25", "2024-07-25"),
        (" 2024-07-25 ", "2024-07-25"),
        ("2024-07", "2024-07-01"),
        ("2024-07-25 approx", ""),
        ("2024-02-30", ""),
        ("25/07/24", ""),
        ("July 2024", ""),
        ("٢٠٢٤-07-25", ""),  # Arabic-Indic digits are not read as a year
    ],
)
def test_iso_and_other_forms(tmp_path, areas, text, expected):
    assert starts(tmp_path, areas, text) == [expected]


def test_month_only_counts_as_the_whole_month(tmp_path, areas):
    _, result = checked(dates_file(tmp_path, "2024-09", "2024-02"), areas)
    assert [str(d)[:10] for d in result.valid[schema.COL_DATE_END]] == ["2024-09-30", "2024-02-29"]


@pytest.mark.parametrize(
    ("period", "inside", "outside"),
    [("2024Q3", 3, 1), ("2024-07-15..2024-09-30", 2, 2), ("2024-07", 1, 3)],
    ids=["quarter", "range-cutting-july", "month"],
)
def test_period_keeps_a_month_only_row_only_if_it_holds_the_whole_month(tmp_path, period, inside, outside):
    # 2024-07 and 2024-09 are whole months of Q3; the range starting 15 July holds only part of July.
    path = dates_file(tmp_path, "2024-07", "2024-09", "2024-08-20", "2024-10-01")
    summary, _ = validate_out(tmp_path, path, "--period", period)
    assert (summary["rows_valid_in_period"], summary["rows_outside_period"]) == (inside, outside)
    assert summary["rows_read"] == 4


# --- coordinates as text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "ok"),
    [
        ("52.6284", "1.2963", True),
        (" 52.6284\u00a0", "1.2963", True),  # a no-break space from a spreadsheet
        ("52,6284", "1,2963", True),
        ("+52.6284", "1.2963", True),
        ("٥٢.٦٢٨٤", "1.2963", False),
        ("52.6284", "1.2963e0", True),
        ("1e400", "1.2963", False),
        ("nan", "1.2963", False),
    ],
)
def test_coordinate_text(tmp_path, areas, lat, lon, ok):
    rows = [["C1", "raid", "2024-07-01", lat, lon]]
    _, result = checked(write(tmp_path, csv_bytes(rows, HEADER[:5], sep=";")), areas)
    assert (len(result.valid) == 1) == ok


def test_read_result_exposes_what_was_learned(tmp_path):
    result = read_events(write(tmp_path, csv_bytes(sep=";", encoding="cp1252")), ColumnNames())
    assert (result.encoding, result.delimiter) == ("cp1252", ";")
    assert list(result.raw.columns) == [
        schema.COL_SOURCE, schema.COL_ROW, *schema.RAW_COLUMNS[:3], schema.COL_X_RAW, schema.COL_Y_RAW,
        schema.COL_CRS, schema.COL_GEOM_KIND,
    ]
