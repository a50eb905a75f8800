"""Validation: every rejection reason, date rules, coordinate handling, districts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hotspots import schema
from hotspots import validate as validate_module
from hotspots.boundaries import load_boundaries
from hotspots.errors import InputError
from hotspots.io import read_events
from hotspots.params import AnalysisParams, ColumnNames, EventTypes
from hotspots.validate import _to_dates, parse_dates, validate

HEADER = "id,type,date,lat,lon\n"
NORWICH = "52.6284,1.2963"  # lat, lon of Norwich city centre


@pytest.fixture(scope="module")
def areas():
    return load_boundaries().areas


def run(tmp_path: Path, areas, body: str, *, types: EventTypes | None = None, **params):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    raw = read_events(path, ColumnNames()).raw
    return validate(raw, types or EventTypes(), AnalysisParams(**params), areas)


def reason_of(result, row: int) -> str:
    rejected = result.rejected.set_index(schema.COL_ROW)
    return rejected.loc[row, schema.COL_REASON] if row in rejected.index else ""


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (f",raid,2024-07-01,{NORWICH}", schema.REASON_MISSING_ID),
        (f"A2,,2024-07-01,{NORWICH}", schema.REASON_MISSING_TYPE),
        (f"A2,burglary,2024-07-01,{NORWICH}", schema.REASON_UNKNOWN_TYPE),
        (f"A2,raid,,{NORWICH}", schema.REASON_MISSING_DATE),
        (f"A2,raid,2024-02-30,{NORWICH}", schema.REASON_BAD_DATE),
        (f"A2,raid,yesterday,{NORWICH}", schema.REASON_BAD_DATE),
        ("A2,raid,2024-07-01,,1.2963", schema.REASON_MISSING_COORDS),
        ("A2,raid,2024-07-01,52.6x,1.2963", schema.REASON_NON_NUMERIC_COORDS),
        ("A2,raid,2024-07-01,inf,1.2963", schema.REASON_NON_NUMERIC_COORDS),
        ("A2,raid,2024-07-01,0,0", schema.REASON_ZERO_COORDS),
        ("A2,raid,2024-07-01,1.2963,52.6284", schema.REASON_SWAPPED_COORDS),
        ("A2,raid,2024-07-01,95,1.2963", schema.REASON_INVALID_COORDS),
        ("A2,raid,2024-07-01,55.9533,-3.1883", schema.REASON_OUTSIDE_AREA),  # Edinburgh
        ("A2,raid,2024-07-01,48.8566,2.3522", schema.REASON_OUTSIDE_AREA),  # Paris
    ],
)
def test_each_rejection_reason(tmp_path, areas, line, reason):
    result = run(tmp_path, areas, f"A1,raid,2024-07-01,{NORWICH}\n{line}\n")
    assert reason_of(result, 2) == reason
    assert reason_of(result, 1) == ""
    assert len(result.valid) + len(result.rejected) == 2


def test_duplicate_id_keeps_the_first(tmp_path, areas):
    result = run(tmp_path, areas, f"A1,raid,2024-07-01,{NORWICH}\nA1,seizure,2024-07-02,{NORWICH}\n")
    assert reason_of(result, 1) == ""
    assert reason_of(result, 2) == schema.REASON_DUPLICATE_ID


def test_first_reason_in_documented_order_wins(tmp_path, areas):
    result = run(tmp_path, areas, "A1,burglary,,,\n")
    assert reason_of(result, 1) == schema.REASON_UNKNOWN_TYPE


def test_ignored_types_are_not_analysed_not_unknown(tmp_path, areas):
    types = EventTypes(ignored=frozenset({"shoplifting"}))
    result = run(tmp_path, areas, f"A1,Shoplifting,2024-07-01,{NORWICH}\nA2,Arson,2024-07-01,{NORWICH}\n", types=types)
    assert reason_of(result, 1) == schema.REASON_TYPE_NOT_ANALYSED
    assert reason_of(result, 2) == schema.REASON_UNKNOWN_TYPE
    everything_else = EventTypes(ignore_others=True)
    result = run(tmp_path, areas, f"A2,Arson,2024-07-01,{NORWICH}\n", types=everything_else)
    assert reason_of(result, 1) == schema.REASON_TYPE_NOT_ANALYSED


def test_type_labels_match_case_insensitively_and_by_alias(tmp_path, areas):
    types = EventTypes(aliases={"warrant executed": "raid"})
    result = run(tmp_path, areas, f"A1,CUCKOOING,2024-07-01,{NORWICH}\nA2,Warrant Executed,2024-07-01,{NORWICH}\n", types=types)
    assert list(result.valid[schema.COL_TYPE]) == ["cuckooing", "raid"]
    assert list(result.valid[schema.COL_ROLE]) == [schema.ROLE_HARM, schema.ROLE_ENFORCEMENT]


def test_known_points_land_in_the_right_district(tmp_path, areas):
    body = (
        f"A1,raid,2024-07-01,{NORWICH}\n"
        "A2,raid,2024-07-01,52.6081,1.7305\n"  # Great Yarmouth town hall
        "A3,raid,2024-07-01,52.7517,0.4016\n"  # King's Lynn
        "A4,raid,2024-07-01,52.0567,1.1482\n"  # Ipswich
    )
    result = run(tmp_path, areas, body)
    assert list(result.valid[schema.COL_AREA_NAME]) == ["Norwich", "Great Yarmouth", "King's Lynn and West Norfolk", "Ipswich"]
    assert list(result.valid[schema.COL_AREA_CODE]) == ["E07000148", "E07000145", "E07000146", "E07000202"]


def test_axis_order_lat_lon_projects_to_known_grid_point(tmp_path, areas):
    # Norwich city centre: OS grid about TG 231 085 (easting 623 181 m, northing 308 506 m).
    result = run(tmp_path, areas, f"A1,raid,2024-07-01,{NORWICH}\n")
    x, y = result.valid.loc[0, [schema.COL_X, schema.COL_Y]]
    assert abs(x - 623_181) < 30 and abs(y - 308_506) < 30


def test_seafront_point_just_outside_generalised_coast_is_kept(tmp_path, areas):
    # Great Yarmouth beach, east of the super-generalised coastline but within 1 km of it.
    result = run(tmp_path, areas, "A1,raid,2024-07-01,52.6040,1.7430\n")
    assert reason_of(result, 1) == ""
    assert result.valid.loc[0, schema.COL_AREA_NAME] == "Great Yarmouth"
    result = run(tmp_path, areas, "A1,raid,2024-07-01,52.6040,1.7430\n", coast_tolerance_m=0.0)
    assert reason_of(result, 1) == schema.REASON_OUTSIDE_AREA


def test_study_area_limits_districts(tmp_path, areas):
    body = f"A1,raid,2024-07-01,{NORWICH}\nA2,raid,2024-07-01,52.6081,1.7305\n"
    result = run(tmp_path, areas, body, study_area=("norwich",))
    assert reason_of(result, 2) == schema.REASON_OUTSIDE_AREA
    assert result.study_codes == ("E07000148",)
    with pytest.raises(InputError, match="Narwich"):
        run(tmp_path, areas, body, study_area=("Narwich",))


def test_decimal_commas_and_spaces_in_coordinates(tmp_path, areas):
    result = run(tmp_path, areas, 'A1,raid,2024-07-01,"52,6284"," 1.2963 "\n')
    assert reason_of(result, 1) == ""


def _dates(values: list[str], order: str = "auto", source: str = "f.csv"):
    raw = pd.DataFrame({schema.COL_DATE: values, schema.COL_SOURCE: source})
    start, end, reason = parse_dates(raw, order)
    return [str(s) for s in start], [str(e) for e in end], list(reason)


def test_iso_dates_and_times_keep_the_calendar_date():
    start, end, reason = _dates(["2024-07-25", "2024-07-25T23:30:00+01:00", "2024-07-25 08:00"])
    assert start == end == ["2024-07-25"] * 3
    assert reason == ["", "", ""]


def test_month_only_dates_span_the_month():
    start, end, _ = _dates(["2024-02", "2025-12"])
    assert start == ["2024-02-01", "2025-12-01"]
    assert end == ["2024-02-29", "2025-12-31"]


def test_day_first_is_proved_by_a_day_above_twelve():
    start, _, _ = _dates(["25/07/2024", "03/07/2024 14:05"])
    assert start == ["2024-07-25", "2024-07-03"]


def test_month_first_is_proved_by_a_second_field_above_twelve():
    start, _, _ = _dates(["07/25/2024", "03/07/2024"])
    assert start == ["2024-07-25", "2024-03-07"]


def test_ambiguous_file_is_refused_with_the_option_that_settles_it():
    with pytest.raises(InputError, match="--date-order dmy"):
        _dates(["03/07/2024", "04/08/2024"])
    start, _, _ = _dates(["03/07/2024"], order="dmy")
    assert start == ["2024-07-03"]
    start, _, _ = _dates(["03/07/2024"], order="mdy")
    assert start == ["2024-03-07"]


def test_mixed_orders_in_one_file_are_refused():
    with pytest.raises(InputError, match="mix"):
        _dates(["25/07/2024", "07/25/2024"])


def test_impossible_slashed_dates_are_unparseable():
    _, _, reason = _dates(["31/02/2024", "15/07/2024"])
    assert reason == [schema.REASON_BAD_DATE, ""]


def test_all_rows_accounted_for(tmp_path, areas):
    rng = np.random.default_rng(3)
    lines = []
    for i in range(200):
        lat = ["52.6284", "", "0", "abc", "1.29"][rng.integers(5)]
        lines.append(f"A{rng.integers(150)},{['raid', 'x', 'cuckooing'][rng.integers(3)]},2024-07-{rng.integers(1, 35):02d},{lat},1.2963")
    result = run(tmp_path, areas, "\n".join(lines) + "\n")
    assert len(result.valid) + len(result.rejected) == 200
    assert set(result.rejected[schema.COL_REASON]) <= set(schema.REASONS)


def test_not_analysed_labels_win_over_other_faults(tmp_path, areas):
    # police.uk anti-social behaviour rows: no Crime ID, and a type the config ignores.
    types = EventTypes(ignored=frozenset({"anti-social behaviour"}))
    result = run(tmp_path, areas, f",Anti-social behaviour,2024-07-01,{NORWICH}\nA1,raid,2024-07-01,{NORWICH}\n", types=types)
    assert reason_of(result, 1) == schema.REASON_TYPE_NOT_ANALYSED
    assert reason_of(result, 2) == ""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", "2024-02-29"),  # leap year
        ("2023-02-29", "NaT"),
        ("1900-02-29", "NaT"),  # a century is not a leap year ...
        ("2000-02-29", "2000-02-29"),  # ... unless it divides by 400
        ("0001-01-01", "0001-01-01"),
        ("0000-01-01", "NaT"),
        ("9999-12-31", "9999-12-31"),
        ("2024-04-31", "NaT"),
        ("2024-12-31T23:59", "2024-12-31"),
        ("2024/2/29", "2024-02-29"),
    ],
)
def test_calendar_dates_are_checked_day_by_day(text, expected):
    start, _, _ = _dates([text])
    assert start == [expected]


def test_dates_agree_with_numpy_calendar():
    # Every year, month 0-13 and day 0-32: the integer arithmetic against numpy's own calendar.
    year, month, day = (a.ravel() for a in np.meshgrid(np.arange(0, 10001), np.arange(0, 14), np.arange(0, 33)))
    ok = (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1)
    first = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + np.where(ok, month - 1, 0)
    candidate = first.astype("datetime64[D]") + (day - 1)
    expected = np.where(ok & (candidate.astype("datetime64[M]") == first), candidate, np.datetime64("NaT"))
    got = _to_dates(year, month, day, np.ones(len(year), dtype=bool))
    assert np.array_equal(got, expected, equal_nan=True)


def test_placing_in_threads_gives_the_same_districts(areas, monkeypatch):
    import shapely

    from hotspots import parallel

    # Random points over the districts' extent, and the vertices two districts share (on a
    # border: the first district in area order wins, in whichever run they fall).
    polygons = np.asarray(areas.geometry.values)
    west, south, east, north = shapely.total_bounds(polygons)
    rng = np.random.default_rng(8)
    bx, by = shapely.get_coordinates(polygons[1]).T
    x = np.concatenate([rng.uniform(west, east, 3_000), bx])
    y = np.concatenate([rng.uniform(south, north, 3_000), by])
    usable = np.ones(len(x), dtype=bool)
    usable[::7] = False
    alone = validate_module._place(x, y, usable, areas, AnalysisParams())
    monkeypatch.setattr(parallel, "cores", lambda: 4)
    monkeypatch.setattr(parallel, "MIN_BLOCK", 100)
    in_runs = validate_module._place(x, y, usable, areas, AnalysisParams())
    assert (alone >= 0).sum() > 1_000 and len(set(alone.tolist())) > 3
    assert np.array_equal(alone, in_runs)


def test_border_point_belongs_to_the_first_district(areas):
    import shapely

    # Vertices of district 1 that district 2 also holds (their shared border): they go to 1.
    polygons = np.asarray(areas.geometry.values)
    x, y = shapely.get_coordinates(polygons[1]).T
    shared = shapely.intersects_xy(polygons[2], x, y)
    assert shared.sum() > 5
    area = validate_module._place(x[shared], y[shared], np.ones(int(shared.sum()), dtype=bool), areas, AnalysisParams())
    assert set(area.tolist()) == {1}


@settings(max_examples=300, deadline=None)
@example(["1", "+.5", "5.", "-0", "1E+5", "nan", "NaN", "inf", "-Infinity", "nan(1)", "1e400", ""])
@example(["52,6284", "530 000", " 1", "1e", "0x10", "١٢"])
@given(st.lists(st.text(alphabet="0123456789.,+-eEinfaINFAy( )\u00a0", max_size=7), min_size=1, max_size=20))
def test_coordinate_text_parses_the_same_whether_or_not_the_column_parses_whole(values):
    # A column Arrow's parser reads whole skips the pattern; one value it cannot read (the
    # appended "x") sends the whole column through the pattern. The answers must agree.
    whole = validate_module._numbers(pd.Series(values, dtype="str"))
    patterned = validate_module._numbers(pd.Series([*values, "x"], dtype="str"))
    for got, expected in zip(whole, patterned, strict=True):
        assert np.array_equal(got, expected[:-1], equal_nan=True)
    assert patterned[2][-1]  # "x" is bad
