"""Times and aoristic windows in the input: parsing, bad-input reasons, columns and configs."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots import schema
from hotspots.boundaries import load_boundaries
from hotspots.cli import main
from hotspots.errors import InputError
from hotspots.io import read_events
from hotspots.params import AnalysisParams, ColumnNames, EventTypes, load_config
from hotspots.validate import validate

NORWICH = "52.6284,1.2963"


@pytest.fixture(scope="module")
def areas():
    return load_boundaries().areas


def run(tmp_path: Path, areas, text: str, columns: ColumnNames | None = None):
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    raw = read_events(path, columns or ColumnNames()).raw
    return validate(raw, EventTypes(), AnalysisParams(), areas)


def by_id(result) -> dict[str, tuple[str, str, int, int]]:
    v = result.valid
    return {
        i: (str(s)[:10], str(e)[:10], int(m0), int(m1))
        for i, s, e, m0, m1 in zip(v[schema.COL_ID], v[schema.COL_DATE_START], v[schema.COL_DATE_END],
                                   v[schema.COL_MINUTE_START], v[schema.COL_MINUTE_END], strict=True)
    }


def reasons(result) -> dict[str, str]:
    return dict(zip(result.rejected[schema.COL_ID], result.rejected[schema.COL_REASON], strict=True))


@pytest.mark.parametrize(
    ("date", "minute"),
    [
        ("2024-07-25", -1),
        ("2024-07-25T23:30", 23 * 60 + 30),
        ("2024-07-25 08:05:59+01:00", 8 * 60 + 5),  # clock time as written: the offset is not applied
        ("25/07/2024 14:05", 14 * 60 + 5),
        ('"25/07/2024, 00:00"', 0),
        ("2024-07", -1),  # month only: no time
    ],
    ids=["date-only", "iso-time", "iso-offset", "slashed-time", "midnight", "month-only"],
)
def test_a_time_in_the_date_gives_the_minute_of_the_day(tmp_path, areas, date, minute):
    result = run(tmp_path, areas, f"id,type,date,lat,lon\nA1,raid,{date},{NORWICH}\n")
    assert by_id(result)["A1"][2:] == (minute, minute)


@pytest.mark.parametrize(
    ("date", "time", "expected"),
    [
        ("2024-07-25", "14:30", 870),
        ("2024-07-25", "1430", 870),
        ("2024-07-25", "9:05", 545),
        ("2024-07-25", "14:30:10", 870),
        ("2024-07-25T08:00", "14:30", 870),  # the time column wins
        ("2024-07-25", "", -1),
        ("2024-07", "14:30", -1),  # a month-only date has no day for the time
    ],
    ids=["colon", "hhmm", "one-digit-hour", "seconds", "column-wins", "blank", "month-only"],
)
def test_a_time_column_gives_the_minute(tmp_path, areas, date, time, expected):
    result = run(tmp_path, areas, f"id,type,date,time,lat,lon\nA1,raid,{date},{time},{NORWICH}\n")
    assert by_id(result)["A1"][2] == expected


@pytest.mark.parametrize(
    ("columns", "values"),
    [
        ("date", "2024-07-25T25:00"),
        ("date", "2024-07-25T12:60"),
        ("date", "25/07/2024 24:10"),
        ("date,time", "2024-07-25,noon"),
        ("date,time", "2024-07-25,14.30h"),
        ("date,time", "2024-07-25,23:59:61"),
        ("date_from,date_to", "2024-07-25T10:00,2024-07-26T31:00"),
    ],
    ids=["hour-25", "minute-60", "slashed-24", "word", "other-form", "second-61", "window-end"],
)
def test_a_time_that_is_not_a_time_is_rejected(tmp_path, areas, columns, values):
    good = {"date": "2024-07-25", "date,time": "2024-07-25,10:00", "date_from,date_to": "2024-07-25,2024-07-26"}
    text = f"id,type,{columns},lat,lon\nA0,raid,{good[columns]},{NORWICH}\n"
    text += f"A1,raid,{values},{NORWICH}\n"
    result = run(tmp_path, areas, text)
    assert reasons(result) == {"A1": schema.REASON_BAD_TIME}


def window_file(rows: list[str]) -> str:
    lines = ["id,type,date,date_from,date_to,lat,lon", f"P1,raid,2024-07-10,,,{NORWICH}", f"P2,raid,2024-09-20,,,{NORWICH}"]
    return "\n".join(lines + [f"{r},{NORWICH}" for r in rows]) + "\n"


def test_windows_give_their_days_and_times(tmp_path, areas):
    result = run(tmp_path, areas, window_file([
        "W1,raid,,2024-07-26T18:00,2024-07-29T08:00",
        "W2,raid,,2024-07-26,2024-07-28",  # days without times: no time-of-week
        "W3,raid,2024-01-01,2024-08,2024-08",  # month-only ends span the month; date is not used
        "W4,raid,,2024-07-26T18:00,2024-07-28",  # a time at one end only: no time
    ]))
    rows = by_id(result)
    assert rows["W1"] == ("2024-07-26", "2024-07-29", 1080, 480)
    assert rows["W2"] == ("2024-07-26", "2024-07-28", -1, -1)
    assert rows["W3"] == ("2024-08-01", "2024-08-31", -1, -1)
    assert rows["W4"][2:] == (-1, -1)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("W1,raid,,2024-07-26,", schema.REASON_INCOMPLETE_WINDOW),
        ("W1,raid,2024-07-26,,2024-07-27", schema.REASON_INCOMPLETE_WINDOW),
        ("W1,raid,,2024-07-26,2024-07-25", schema.REASON_WINDOW_REVERSED),
        ("W1,raid,,2024-07-26T18:00,2024-07-26T17:59", schema.REASON_WINDOW_REVERSED),
        ("W1,raid,,2042-07-26,2042-07-27", schema.REASON_WINDOW_OUTSIDE),  # a mistyped year
        ("W1,raid,,2024-05-01,2024-07-09", schema.REASON_WINDOW_OUTSIDE),  # ends before every other row
        ("W1,raid,,2024-31-01,2024-07-27", schema.REASON_BAD_DATE),
    ],
    ids=["no-end", "no-start", "reversed-days", "reversed-minutes", "future-year", "before-all", "bad-date"],
)
def test_bad_windows_are_rejected_with_their_reason(tmp_path, areas, row, reason):
    result = run(tmp_path, areas, window_file([row]))
    assert reasons(result) == {"W1": reason}
    assert len(result.valid) + len(result.rejected) == 3


def test_a_window_touching_the_inputs_span_is_kept(tmp_path, areas):
    result = run(tmp_path, areas, window_file(["W1,raid,,2024-06-01,2024-07-10", "W2,raid,,2024-09-20T23:00,2024-10-20"]))
    assert reasons(result) == {}


def test_rejected_rows_show_the_time_columns_as_written(tmp_path, areas):
    result = run(tmp_path, areas, window_file(["W1,raid,,2024-07-26,2024-07-25"]))
    row = result.rejected.iloc[0]
    assert (row[schema.COL_DATE_FROM], row[schema.COL_DATE_TO]) == ("2024-07-26", "2024-07-25")


def test_a_file_of_windows_needs_no_date_column(tmp_path, areas):
    text = f"id,type,date_from,date_to,lat,lon\nW1,raid,2024-07-01,2024-07-02,{NORWICH}\n"
    assert by_id(run(tmp_path, areas, text))["W1"][:2] == ("2024-07-01", "2024-07-02")


def test_a_window_needs_both_columns(tmp_path, areas):
    with pytest.raises(InputError, match="'date_to' column"):
        run(tmp_path, areas, f"id,type,date,date_from,lat,lon\nW1,raid,2024-07-01,2024-07-01,{NORWICH}\n")


def test_config_names_the_time_column_and_a_missing_one_is_refused(tmp_path, areas):
    config = tmp_path / "c.toml"
    config.write_text('[columns]\ntime = "Time Committed"\n')
    columns = load_config(config).columns
    result = run(tmp_path, areas, f"id,type,date,Time Committed,lat,lon\nA1,raid,2024-07-25,21:15,{NORWICH}\n", columns)
    assert by_id(result)["A1"][2] == 21 * 60 + 15
    with pytest.raises(InputError, match="Time Committed"):
        run(tmp_path, areas, f"id,type,date,lat,lon\nA1,raid,2024-07-25,{NORWICH}\n", columns)


def test_bad_times_are_counted_in_the_summary_and_rows_add_up(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text(f"id,type,date,time,lat,lon\nA1,raid,2024-07-25,25:00,{NORWICH}\nA2,raid,2024-07-25,10:00,{NORWICH}\n")
    result = CliRunner().invoke(main, ["validate", str(path), "--out", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 0, result.output
    import json

    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["rejected_by_reason"][schema.REASON_BAD_TIME] == 1
    assert summary["rows_read"] == 2 and summary["rows_rejected"] == 1
    assert "25:00" in (tmp_path / "out" / "rejected.csv").read_text()
