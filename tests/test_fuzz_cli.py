"""Property-based fuzzing of the whole command line on generated, hostile CSV files.

Every generated file is run through ``hotspots validate --out`` (and a share of them through
``hotspots map``) in-process. Whatever the file holds, the tool must:

* exit with a documented code: 0 (done), 2 (bad input or option) or 3 (no data rows);
* never print a traceback or an "Internal error";
* account for every row when it succeeds: rows_read = analysed (or valid in period) + outside the
  period + rejected, rows_read equals the rows written to the file, and rejected.csv holds one
  line per rejected row, with the id the file holds at that row (so no column was shifted).

The number of cases is ``HOTSPOTS_FUZZ_EXAMPLES`` (or ``pytest --fuzz-examples N``), 150 by default
(split between the two commands); runs are derandomised so CI sees the same cases every time.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from hotspots import boundaries, pipeline, schema
from hotspots.cli import main
from hotspots.outputs import neutralise_formula

TOTAL_EXAMPLES = int(os.environ.get("HOTSPOTS_FUZZ_EXAMPLES", "150"))
MAP_EXAMPLES = max(1, TOTAL_EXAMPLES // 5)  # map is slower (clustering and rendering)
VALIDATE_EXAMPLES = max(1, TOTAL_EXAMPLES - MAP_EXAMPLES)
DOCUMENTED_EXIT_CODES = {0, 2, 3}

FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

# --- generated values ------------------------------------------------------------------------

#: Places in Norfolk and Suffolk (lat, lon) so that some generated rows are valid and analysed.
TOWNS = [(52.6284, 1.2963), (52.7517, 0.3955), (52.6083, 1.7305), (52.4539, 1.5640), (52.2430, 0.7130)]

CONTROL = "".join(chr(c) for c in range(32)) + "\x7f\x85\u2028\u2029\ufeff"
junk_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list(CONTROL) + list(",;\t|\"'\n\r") + ["é", "–", "€", "ß", "😀", "\u200b"]),
    ),
    max_size=12,
)
weird_numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400", "9" * 400, "0x1F",
                     "1_000", "52.6.1", "+52.6", "-", ".", "52,6284", " 52.6284 ", "52 .6", "٥٢.٦", "１.５"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


@st.composite
def latlon(draw):
    lat, lon = draw(st.sampled_from(TOWNS))
    d_lat, d_lon = draw(st.floats(-0.003, 0.003)), draw(st.floats(-0.003, 0.003))
    return f"{lat + d_lat:.6f}", f"{lon + d_lon:.6f}"


@st.composite
def a_date(draw):
    year = draw(st.sampled_from([2023, 2024, 2025]))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    form = draw(st.sampled_from(["iso", "isotime", "month", "dmy", "mdy", "dmytime", "junk", "impossible"]))
    return {
        "iso": f"{year}-{month:02d}-{day:02d}",
        "isotime": f"{year}-{month:02d}-{day:02d}T{day % 24:02d}:30:00+01:00",
        "month": f"{year}-{month:02d}",
        "dmy": f"{day:02d}/{month:02d}/{year}",
        "mdy": f"{month:02d}/{day:02d}/{year}",
        "dmytime": f"{day}.{month}.{year} 14:30",
        "junk": draw(junk_text),
        "impossible": f"{year}-{month + 12:02d}-{day + 30:02d}",
    }[form]


def cell(column: str):
    """Values for one column: mostly plausible, sometimes hostile."""
    role = schema.COLUMN_SYNONYMS.get(column.strip().casefold(), column.strip().casefold())
    plausible = {
        "id": st.integers(0, 40).map(lambda i: f"E{i}"),
        "type": st.sampled_from(["raid", "seizure", "cuckooing", "Cuckooing ", "RAID", "burglary", ""]),
        "date": a_date(),
        "lat": latlon().map(lambda p: p[0]),
        "lon": latlon().map(lambda p: p[1]),
        "easting": st.integers(560000, 660000).map(str),
        "northing": st.integers(250000, 340000).map(str),
    }.get(role, junk_text)
    return st.one_of(plausible, plausible, plausible, junk_text, weird_numbers, st.just(""))


HEADER_SETS = [
    ["id", "type", "date", "lat", "lon"],
    ["id", "type", "date", "lat", "lon"],
    ["id", "type", "date", "easting", "northing"],
    ["ID", "Type", "Date", "Latitude", "Longitude", "Notes"],
    ["Crime ID", "Crime type", "Month", "Latitude", "Longitude"],  # Month needs a config: exit 2
]


def id_column(header: list[str]) -> int | None:
    """The column the tool reads ids from: exact name, else any case, else a synonym."""
    tests = [
        lambda h: h == schema.COL_ID,
        lambda h: h.strip().casefold() == schema.COL_ID,
        lambda h: schema.COLUMN_SYNONYMS.get(h.strip().casefold()) == schema.COL_ID,
    ]
    for test in tests:
        for index, name in enumerate(header):
            if test(name):
                return index
    return None


@st.composite
def event_file(draw):
    """A CSV file as (bytes, rows written, CLI options)."""
    header = list(draw(st.sampled_from(HEADER_SETS)))
    if draw(st.integers(0, 5)) == 5:
        for name in draw(st.sets(st.sampled_from(header), min_size=1, max_size=2)):  # missing columns
            header.remove(name)
    header += draw(st.lists(st.one_of(st.sampled_from(["notes", "lat", "id", "date", "Type"]), junk_text), max_size=3))
    header = draw(st.permutations(header))
    n_rows = draw(st.integers(0, 10))
    all_junk = draw(st.integers(0, 5)) == 5  # every field junk: all rows bad
    rows = []
    for _ in range(n_rows):
        row = [draw(junk_text if all_junk else cell(name)) for name in header]
        if draw(st.integers(0, 9)) == 9:  # ragged: a short row (csv writes a lone empty field as "")
            row = row[: draw(st.integers(1, max(1, len(row))))]
        rows.append(row)
    if rows and draw(st.integers(0, 7)) == 7:  # a delimiter after the last value of every row
        rows = [row + [""] if len(row) == len(header) else row for row in rows]
    delimiter = draw(st.sampled_from([",", ",", ";", "\t", "|"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]))
    buffer = io.StringIO()
    # csv quotes a field holding a line break only if the break is in its lineterminator: a bare
    # "\r" under "\n" endings would split the row, in our file and in every reader's view.
    if draw(st.booleans()):
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    else:
        terminator = draw(st.sampled_from(["\n", "\r\n"]))
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=terminator, quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding, errors="replace")
    # Where the file is unambiguous, the id each data row must keep (in rejected.csv).
    expected = None
    id_at = id_column(header)
    if encoding.startswith("utf") and id_at is not None:
        expected = {i: (row[id_at] if id_at < len(row) else "") for i, row in enumerate(rows, start=1)}
    if draw(st.integers(0, 30)) == 30:
        data, expected = draw(st.binary(max_size=200)), None  # not text at all
    options: list[str] = []
    if draw(st.booleans()):
        options += ["--delimiter", {"\t": "tab"}.get(delimiter, delimiter)] if delimiter != "|" else []  # not a choice
    if draw(st.integers(0, 5)) == 5:
        given_encoding = draw(st.sampled_from([encoding, encoding, "utf-8", "latin-1", "utf-16", "klingon"]))
        options += ["--encoding", given_encoding]
        expected = expected if given_encoding == encoding else None
    date_order = draw(st.sampled_from([None, None, "auto", "dmy", "mdy"]))
    if date_order:
        options += ["--date-order", date_order]
    period = draw(st.sampled_from([None, None, "2024Q3", "2024-07-15..2024-09-30", "2024", "FY2024-25Q1"]))
    if period:
        options += ["--period", period]
    return data, len(rows), options, expected


# --- running the CLI ----------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def cached_boundaries():
    """Read the bundled districts once for the module: every case would otherwise reread them."""
    cached = functools.lru_cache(maxsize=4)(boundaries.load_boundaries)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pipeline, "load_boundaries", cached)
        yield


BINARY_OUTPUTS = {".gpkg", ".xlsx", ".docx", ".png", ".pdf", ".tif"}


def run(command: str, data: bytes, options: list[str]):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        path.write_bytes(data)
        out = Path(tmp) / "out"
        result = CliRunner().invoke(main, [command, str(path), "--out", str(out), "--quiet", *options])
        # Text outputs as text; binary ones (outputs.gpkg, tables.xlsx, ...) as bytes.
        files = (
            {p.name: p.read_bytes() if p.suffix in BINARY_OUTPUTS else p.read_text(encoding="utf-8") for p in out.iterdir()}
            if out.exists()
            else {}
        )
        leftovers = [p.name for p in Path(tmp).iterdir() if p.name not in {"events.csv", "out"}]
    return result, files, leftovers


def check_common(result, files, leftovers, data, options) -> None:
    context = f"options={options!r} data={data[:300]!r}"
    # Shown by --hypothesis-show-statistics: how the cases split between outcomes.
    message = " ".join(result.output.split(": ", 2)[-1].split()[:3]) if result.exit_code == 2 else ""
    event(f"exit {result.exit_code} {message}".strip())
    assert result.exit_code in DOCUMENTED_EXIT_CODES, f"exit {result.exit_code}: {result.output}\n{context}"
    assert "Traceback" not in result.output, context
    assert "Internal error" not in result.output, f"{result.output}\n{context}"
    assert result.exception is None or isinstance(result.exception, SystemExit), context
    assert not leftovers, f"temporary files left beside --out: {leftovers}"
    if result.exit_code != 0:
        assert result.output.startswith("Error: ") or "Usage:" in result.output, result.output
        assert not files, "a failed run must not write outputs"


def check_rejected(files, summary, expected) -> None:
    """rejected.csv has one line per rejected row, each with the id the file holds at that row.

    Rows not analysed (categories the config leaves out) are listed too, with their reason,
    but counted apart from the rejected rows.
    """
    rejected = pd.read_csv(io.StringIO(files[schema.OUT_REJECTED]), dtype=str, keep_default_na=False)
    assert len(rejected) == summary["rows_rejected"] + summary["rows_not_analysed"]
    not_analysed = rejected[schema.COL_REASON] == schema.REASON_TYPE_NOT_ANALYSED
    assert int(not_analysed.sum()) == summary["rows_not_analysed"]
    if expected is not None:
        for row, got in zip(rejected[schema.COL_ROW].astype(int), rejected[schema.COL_ID], strict=True):
            # Outputs neutralise text a spreadsheet would run as a formula ("-" is written "'-"),
            # then write a carriage return inside a value as "\n" (see outputs.csv_text).
            want = str(neutralise_formula(expected[row])).replace("\r\n", "\n").replace("\r", "\n")
            assert got == want, f"row {row}: id {got!r} in rejected.csv, {want!r} in the file"


@settings(FUZZ_SETTINGS, max_examples=VALIDATE_EXAMPLES)
@given(event_file())
# Found by a 2,000-case run: an id "-" is written "'-" (formula neutralising), which the check of
# rejected.csv took for a changed id.
@example((b'id,type,date,lat,lon\n-,raid,,52.62,1.29\n=1+2,raid,,52.62,1.29\n', 2, [],
          {1: "-", 2: "=1+2"}))
def test_validate_never_crashes_and_accounts_for_every_row(case):
    data, rows_written, options, expected = case
    result, files, leftovers = run("validate", data, options)
    check_common(result, files, leftovers, data, options)
    if result.exit_code == 0:
        summary = json.loads(files[schema.OUT_SUMMARY])
        assert summary["rows_read"] == (
            summary["rows_valid_in_period"] + summary["rows_outside_period"]
            + summary["rows_not_analysed"] + summary["rows_rejected"]
        )
        assert summary["rows_read"] == rows_written, f"rows lost or invented: {data!r} {options!r}"
        assert sum(summary["rejected_by_reason"].values()) == summary["rows_rejected"]
        check_rejected(files, summary, expected)


@settings(FUZZ_SETTINGS, max_examples=MAP_EXAMPLES)
@given(event_file())
def test_map_never_crashes_and_accounts_for_every_row(case):
    data, rows_written, options, expected = case
    result, files, leftovers = run("map", data, options)
    check_common(result, files, leftovers, data, options)
    if result.exit_code == 0:
        summary = json.loads(files[schema.OUT_SUMMARY])
        assert summary["rows_read"] == (
            summary["rows_analysed"] + summary["rows_outside_period"]
            + summary["rows_not_analysed"] + summary["rows_rejected"]
        )
        assert summary["rows_read"] == rows_written, f"rows lost or invented: {data!r} {options!r}"
        check_rejected(files, summary, expected)
        assert schema.OUT_MAP in files


# --- configs, boundary files and option values (issue 18) ------------------------------------
#
# The same invariants (documented exit code, no traceback or "Internal error", no outputs and no
# temporary files after a failure) for the other things people pass: config files, boundary
# files and option values. Each target gets HOTSPOTS_FUZZ_EXAMPLES // 5 cases (at least 1).

EXTRA_EXAMPLES = max(1, TOTAL_EXAMPLES // 5)
#: A small valid file: two clusters of harm near Norwich and a raid, all in 2024Q3.
GOOD_EVENTS = (
    "id,type,date,lat,lon\n"
    + "".join(f"h{i},cuckooing,2024-07-{i + 1:02d},52.62{i % 4},1.29{i % 3}\n" for i in range(9))
    + "r1,raid,2024-08-01,52.621,1.291\n"
).encode()

toml_key = st.one_of(
    st.sampled_from(["id", "type", "date", "lat", "lon", "easting", "northing", "x", "y", "crs",
                     "eps_m", "min_samples", "study_area", "thin_ratio", "footprint_margin_m",
                     "marking", "tiles", "types", "other_types", "show_points", "engine"]),
    junk_text,
)
toml_value = st.one_of(
    st.sampled_from(['"id"', '"type"', '"date"', '"lat"', '"lon"', '"Norwich"', '"harm"', '"raid"',
                     "1e308", "-1", "0", "3", "9223372036854775808", "true", "[]", '["Norwich"]',
                     "nan", "inf", '""', "{}", '"EPSG:27700"', '"EPSG:99999"', "[1, 2]"]),
    junk_text.map(lambda t: json.dumps(t)),
    weird_numbers,
)


@st.composite
def config_file(draw) -> bytes:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        table = draw(st.sampled_from(["columns", "types", "roles", "ignore", "analysis", "bogus"]))
        lines.append(f"[{table}]")
        for _ in range(draw(st.integers(0, 4))):
            key = draw(toml_key)
            quoted = json.dumps(key) if draw(st.booleans()) else key
            lines.append(f"{quoted} = {draw(toml_value)}")
    text = "\n".join(lines) + "\n"
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "raw"]))
    if encoding == "raw":
        return draw(st.binary(max_size=200))
    return text.encode(encoding, errors="replace")


geometry = st.one_of(
    st.none(),
    st.sampled_from([
        {"type": "Point", "coordinates": [1.29, 52.62]},
        {"type": "LineString", "coordinates": [[1.2, 52.6], [1.3, 52.7]]},
        {"type": "Polygon", "coordinates": [[[1.2, 52.6], [1.4, 52.6], [1.4, 52.7], [1.2, 52.7], [1.2, 52.6]]]},
        {"type": "Polygon", "coordinates": [[[1.2, 52.6], [1.4, 52.7], [1.4, 52.6], [1.2, 52.7], [1.2, 52.6]]]},
        {"type": "MultiPolygon", "coordinates": [[[[1.0, 52.5], [1.2, 52.5], [1.2, 52.6], [1.0, 52.6], [1.0, 52.5]]]]},
        {"type": "GeometryCollection", "geometries": []},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[1e308, 52.6], [1.4, 1e308], [1.2, 52.6]]]},
    ]),
)
property_value = st.one_of(st.none(), st.sampled_from(["", "E1", "E2", "Norwich", "Norwich, City of"]),
                           junk_text, st.integers(-5, 5))


@st.composite
def boundary_file(draw) -> tuple[str, bytes, list[str]]:
    kind = draw(st.sampled_from(["geojson", "geojson", "geojson", "csv", "junk"]))
    options = []
    if draw(st.integers(0, 9)) == 0:
        options += ["--boundary-name-field", draw(st.sampled_from(["area_code", "nope", ""]))]
    if kind == "junk":
        return "districts.geojson", draw(st.binary(max_size=300)), options
    if kind == "csv":
        return "districts.csv", b"area_code,area_name\nE1,Norwich\n", options
    features = [
        {
            "type": "Feature",
            "properties": {
                k: draw(property_value)
                for k in draw(st.sets(st.sampled_from(["area_code", "area_name", "other"]), max_size=3))
            },
            "geometry": draw(geometry),
        }
        for _ in range(draw(st.integers(0, 5)))
    ]
    return "districts.geojson", json.dumps({"type": "FeatureCollection", "features": features}).encode(), options


option_value = st.one_of(
    weird_numbers, junk_text, st.sampled_from(["", "0", "-1", "1e308", "auto", "2024Q3", "2024-13", "FY2024-25Q5",
                                               "9223372036854775808", "nan", "Norwich, City of", "EPSG:27700",
                                               "EPSG:0", "cp1252", "utf-16", "klingon"]),
)
OPTIONS = ["--eps", "--min-samples", "--margin", "--thin-ratio", "--period", "--study-area", "--crs",
           "--encoding", "--marking", "--tiles", "--date-order", "--delimiter", "--engine"]


def run_with(command: str, files: dict[str, bytes], options: list[str]):
    """Run `command` on events.csv plus `files` (named in `options` as {name}); like `run`."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "events.csv").write_bytes(GOOD_EVENTS)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        args = [a.replace("{tmp}", tmp) for a in options]  # option values may hold braces
        out = folder / "out"
        result = CliRunner().invoke(main, [command, str(folder / "events.csv"), "--out", str(out), "--quiet", *args])
        outputs = (  # text outputs as text, binary ones (outputs.gpkg, tables.xlsx...) as bytes
            {p.name: p.read_bytes() if p.suffix in BINARY_OUTPUTS else p.read_text(encoding="utf-8")
             for p in out.iterdir()}
            if out.exists()
            else {}
        )
        leftovers = [p.name for p in folder.iterdir() if p.name not in {"events.csv", "out", *files}]
    return result, outputs, leftovers


@settings(FUZZ_SETTINGS, max_examples=EXTRA_EXAMPLES)
@given(config_file())
def test_validate_never_crashes_on_a_config_file(config):
    options = ["--config", "{tmp}/config.toml"]
    result, files, leftovers = run_with("validate", {"config.toml": config}, options)
    check_common(result, files, leftovers, config, options)


@settings(FUZZ_SETTINGS, max_examples=EXTRA_EXAMPLES)
@given(boundary_file())
def test_validate_never_crashes_on_a_boundary_file(case):
    name, data, extra = case
    options = ["--boundaries", "{tmp}/" + name, *extra]
    result, files, leftovers = run_with("validate", {name: data}, options)
    check_common(result, files, leftovers, data, options)


@settings(FUZZ_SETTINGS, max_examples=EXTRA_EXAMPLES)
@given(st.lists(st.tuples(st.sampled_from(OPTIONS), option_value), max_size=3))
@example([("--eps", "{"), ("--marking", "{tmp}}")])  # braces once broke the harness, not the CLI
@example([("--encoding", "\x00")])  # once "Internal error: embedded null character"
def test_map_never_crashes_on_option_values(pairs):
    options = [part for pair in pairs for part in pair]
    if "--period" not in options:
        options += ["--period", "2024Q3"]
    result, files, leftovers = run_with("map", {}, options)
    check_common(result, files, leftovers, b"", options)
