"""Time-of-week tables: instants, aoristic windows, what is left out, planted patterns recovered."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspots.params import Config, build_params
from hotspots.period import parse_period
from hotspots.pipeline import analyse_period, load
from hotspots.timeofweek import (
    MAX_WINDOW_HOURS,
    STUDY_AREA,
    WEEK_COLUMNS,
    build_time_of_week,
    week_weights,
)

NORWICH = (623_200.0, 308_500.0)
YARMOUTH = (652_300.0, 307_700.0)


def one(day_start, minute_start, day_end=None, minute_end=None, max_hours=MAX_WINDOW_HOURS):
    d0 = np.array([np.datetime64(day_start, "D")])
    d1 = np.array([np.datetime64(day_end or day_start, "D")])
    m1 = minute_start if minute_end is None else minute_end
    tables, no_time, too_long = week_weights(d0, np.array([minute_start]), d1, np.array([m1]), np.zeros(1, int), 1,
                                             max_hours=max_hours)
    return tables[0], bool(no_time[0]), bool(too_long[0])


def test_an_instant_counts_one_in_its_day_and_hour():
    table, _, _ = one("2024-07-26", 23 * 60 + 30)  # a Friday
    assert table[4, 23] == 1 and table.sum() == 1


def test_a_window_spreads_evenly_over_its_hours():
    # Friday 18:00 to Monday 08:00: 62 hours, 1/62 each.
    table, _, _ = one("2024-07-26", 18 * 60, "2024-07-29", 8 * 60)
    assert table[4, 18] == pytest.approx(1 / 62) and table[5, 3] == pytest.approx(1 / 62)
    assert table[0, 7] == pytest.approx(1 / 62) and table[0, 8] == 0 and table[4, 17] == 0
    assert table.sum() == pytest.approx(1)


def test_a_window_wraps_past_sunday_midnight():
    table, _, _ = one("2024-07-28", 23 * 60 + 30, "2024-07-29", 30)  # Sunday 23:30 - Monday 00:30
    assert table[6, 23] == pytest.approx(0.5) and table[0, 0] == pytest.approx(0.5)


def test_a_window_of_exactly_a_week_is_flat():
    table, _, too_long = one("2024-07-01", 0, "2024-07-08", 0)
    assert not too_long and np.allclose(table, 1 / 168)


@pytest.mark.parametrize(
    ("args", "no_time", "too_long"),
    [(("2024-07-01", -1), True, False), (("2024-07-01", 0, "2024-07-08", 1), False, True)],
    ids=["no-time", "over-a-week"],
)
def test_events_left_out_are_flagged_and_weigh_nothing(args, no_time, too_long):
    table, flagged_no_time, flagged_long = one(*args)
    assert (flagged_no_time, flagged_long) == (no_time, too_long) and table.sum() == 0


@settings(max_examples=200, deadline=None)
@given(
    day=st.integers(0, 3000),
    minute=st.integers(0, 1439),
    length=st.integers(0, MAX_WINDOW_HOURS * 60),
)
def test_each_events_weights_sum_to_one(day, minute, length):
    start = np.datetime64("2020-01-01", "D") + day
    end_minutes = minute + length
    table, _, _ = one(str(start), minute, str(start + end_minutes // 1440), end_minutes % 1440)
    assert table.sum() == pytest.approx(1.0) and (table >= -1e-12).all()


# --- planted patterns, end to end -----------------------------------------------------------------


def planted() -> pd.DataFrame:
    """Norwich harm on Friday and Saturday nights (22:00-01:59); Yarmouth on weekday mornings; month-only extras."""
    rng = np.random.default_rng(5)
    rows = []
    fridays = np.arange(np.datetime64("2024-07-05"), np.datetime64("2024-09-28"), 7)
    for friday in fridays:
        for night in (friday, friday + 1):
            for _ in range(3):
                hour = int(rng.choice([22, 23, 0, 1]))
                day = night + (1 if hour < 2 else 0)
                x, y = NORWICH[0] + rng.normal(0, 40), NORWICH[1] + rng.normal(0, 40)
                rows.append(("cuckooing", f"{day}T{hour:02d}:{int(rng.integers(60)):02d}", x, y))
        for weekday in range(5):
            day = friday + 3 + weekday  # the next Monday to Friday
            if day > np.datetime64("2024-09-30"):
                continue
            x, y = YARMOUTH[0] + rng.normal(0, 40), YARMOUTH[1] + rng.normal(0, 40)
            rows.append(("cuckooing", f"{day}T{int(rng.integers(8, 11)):02d}:15", x, y))
    for k in range(7):  # no time: left out of the tables, kept in the counts of left-out events
        rows.append(("cuckooing", "2024-08", NORWICH[0] + 10 * k, NORWICH[1]))
        rows.append(("cuckooing", "2024-08-14", YARMOUTH[0] + 10 * k, YARMOUTH[1]))
    frame = pd.DataFrame(rows, columns=["type", "date", "easting", "northing"])
    frame.insert(0, "id", [f"E{k:04d}" for k in range(len(frame))])
    return frame


def analysed(tmp_path: Path, frame: pd.DataFrame):
    path = tmp_path / "e.csv"
    frame.to_csv(path, index=False)
    config = Config()
    params = build_params(config, period=parse_period("2024Q3"))
    loaded = load([path], config, params)
    return analyse_period(loaded, params, config, params.period)


def near(analysis, centre) -> str:
    spots = analysis.hotspots
    return str(spots["hotspot_id"].iloc[int(np.argmin(np.hypot(spots["centroid_x"] - centre[0], spots["centroid_y"] - centre[1])))])


def test_planted_weekend_nights_and_weekday_mornings_are_recovered(tmp_path):
    analysis = analysed(tmp_path, planted())
    ids = list(analysis.hotspots["hotspot_id"])
    week = build_time_of_week(analysis.events, ids)
    night = week.tables[near(analysis, NORWICH)]
    morning = week.tables[near(analysis, YARMOUTH)]
    # Friday/Saturday 22-23 and Saturday/Sunday 00-01 hold all the night hotspot's timed harm.
    night_cells = night.weights[4, 22:].sum() + night.weights[5, 22:].sum() + night.weights[5, :2].sum() \
        + night.weights[6, :2].sum()
    assert night_cells == night.weights.sum() == night.with_time == 13 * 2 * 3  # 13 Fridays in 2024Q3
    assert morning.weights[:5, 8:11].sum() == morning.weights.sum() == morning.with_time
    assert morning.weights[5:].sum() == 0
    assert (night.no_time, morning.no_time) == (7, 7)
    study = week.tables[STUDY_AREA]
    assert study.with_time == night.with_time + morning.with_time and study.no_time == 14


def test_month_only_data_gives_no_time_of_week(tmp_path):
    frame = planted()
    frame["date"] = frame["date"].str[:7]
    analysis = analysed(tmp_path, frame)
    week = build_time_of_week(analysis.events, list(analysis.hotspots["hotspot_id"]))
    assert not week.has_times
    assert week.tables[STUDY_AREA].no_time == len(frame)


def test_csv_frame_is_long_format(tmp_path):
    analysis = analysed(tmp_path, planted())
    week = build_time_of_week(analysis.events, list(analysis.hotspots["hotspot_id"])[:1])
    frame = week.frame()
    assert tuple(frame.columns) == WEEK_COLUMNS and len(frame) == 2 * 168
    assert frame.loc[frame["id"] == STUDY_AREA, "harm"].sum() == pytest.approx(week.tables[STUDY_AREA].with_time)
