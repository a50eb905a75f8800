"""Monthly series per hotspot and district: month weights, the series' range, planted trends."""

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
from hotspots.timeline import (
    LEVEL_AREA,
    LEVEL_HOTSPOT,
    MAX_MONTHS_BEFORE,
    MAX_WINDOW_DAYS,
    TIMELINE_COLUMNS,
    build_timeline,
    month_weights,
)
from hotspots.trend import TREND_NONE, TREND_RISING

NORWICH = (623_200.0, 308_500.0)
YARMOUTH = (652_300.0, 307_700.0)
NORWICH_CODE = "E07000148"


def day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


def weights_by_month(start: str, end: str) -> dict[str, float]:
    w = month_weights(np.array([day(start)]), np.array([day(end)]))
    out = {str(np.datetime64(int(w.month[0]), "M")): float(w.weight[0])}
    for m, x in zip(w.extra_month, w.extra_weight, strict=True):
        out[str(np.datetime64(int(m), "M"))] = float(x)
    return {k: v for k, v in out.items() if v > 0}


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2024-07-25", "2024-07-25", {"2024-07": 1.0}),
        ("2024-07-01", "2024-07-31", {"2024-07": 1.0}),  # a month-only date
        ("2024-06-27", "2024-07-06", {"2024-06": 0.4, "2024-07": 0.6}),  # a 10-day window
        ("2024-01-31", "2024-03-01", {"2024-01": 1 / 31, "2024-02": 29 / 31, "2024-03": 1 / 31}),  # leap year
    ],
    ids=["day", "month-only", "window-two-months", "window-three-months"],
)
def test_weights_spread_evenly_over_the_days(start, end, expected):
    assert weights_by_month(start, end) == pytest.approx(expected)


def test_windows_over_the_limit_are_left_out():
    w = month_weights(np.array([day("2024-01-01"), day("2024-01-01")]),
                      np.array([day("2024-01-01") + np.timedelta64(MAX_WINDOW_DAYS - 1, "D"),
                                day("2024-01-01") + np.timedelta64(MAX_WINDOW_DAYS, "D")]))
    assert w.too_long.tolist() == [False, True]
    assert w.weight[1] == 0 and not (w.extra_row == 1).any()


@settings(max_examples=200, deadline=None)
@given(
    starts=st.lists(st.integers(0, 3000), min_size=1, max_size=30),
    lengths=st.lists(st.integers(0, MAX_WINDOW_DAYS - 1), min_size=30, max_size=30),
)
def test_each_events_weights_sum_to_one(starts, lengths):
    start = np.datetime64("2020-01-01", "D") + np.array(starts, dtype="timedelta64[D]")
    end = start + np.array(lengths[: len(starts)], dtype="timedelta64[D]")
    w = month_weights(start, end)
    total = w.weight.copy()
    np.add.at(total, w.extra_row, w.extra_weight)
    assert total == pytest.approx(np.ones(len(starts)))
    assert (w.extra_weight > 0).all() and (w.weight > 0).all()


# --- end to end ----------------------------------------------------------------------------------


def ring(centre, n, radius=60.0):
    angles = 2 * np.pi * np.arange(n) / max(n, 1)
    return [(centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a)) for a in angles]


def planted_months(first: str = "2024-01", months: int = 12) -> pd.DataFrame:
    """Norwich: k + 1 harm events in month k (rising); Yarmouth: 5 a month (flat); one raid a month in Norwich."""
    rows = []
    axis = np.arange(np.datetime64(first, "M"), np.datetime64(first, "M") + months)
    for k, month in enumerate(axis):
        date = f"{month}-10"
        for x, y in ring(NORWICH, k + 1, radius=40 + 3 * k):
            rows.append({"type": "cuckooing", "date": date, "easting": x, "northing": y})
        for x, y in ring(YARMOUTH, 5):
            rows.append({"type": "cuckooing", "date": date, "easting": x, "northing": y})
        rows.append({"type": "raid", "date": date, "easting": NORWICH[0], "northing": NORWICH[1]})
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"E{k:05d}" for k in range(len(frame))])
    return frame


def timeline_of(tmp_path: Path, frame: pd.DataFrame, period: str | None):
    path = tmp_path / "e.csv"
    frame.to_csv(path, index=False)
    config = Config()
    params = build_params(config, period=parse_period(period) if period else None)
    loaded = load([path], config, params)
    analysis = analyse_period(loaded, params, config, params.period)
    return analysis, build_timeline(loaded.valid, analysis)


def hotspot_near(analysis, centre) -> str:
    spots = analysis.hotspots
    distance = np.hypot(spots["centroid_x"] - centre[0], spots["centroid_y"] - centre[1])
    return str(spots["hotspot_id"].iloc[int(np.argmin(distance))])


def test_a_planted_rising_hotspot_is_found_rising_and_a_flat_one_not(tmp_path):
    analysis, timeline = timeline_of(tmp_path, planted_months(), "2024Q4")
    assert timeline.months == tuple(f"2024-{m:02d}" for m in range(1, 13))
    assert timeline.period_first == 9
    rising = timeline.hotspots[hotspot_near(analysis, NORWICH)]
    flat = timeline.hotspots[hotspot_near(analysis, YARMOUTH)]
    assert rising.harm.tolist() == list(range(1, 13))
    assert rising.enforcement.tolist() == [1] * 12
    assert flat.harm.tolist() == [5] * 12
    assert (rising.trend.label, flat.trend.label) == (TREND_RISING, TREND_NONE)
    assert timeline.areas[NORWICH_CODE].harm.tolist() == list(range(1, 13))


def test_in_period_months_of_a_district_match_the_analysis(tmp_path):
    analysis, timeline = timeline_of(tmp_path, planted_months(), "2024Q3")
    for code, harm, enforcement in zip(analysis.areas["area_code"], analysis.areas["harm"],
                                       analysis.areas["enforcement"], strict=True):
        series = timeline.areas[code]
        assert series.harm[timeline.period_first:].sum() == harm
        assert series.enforcement[timeline.period_first:].sum() == enforcement
    assert timeline.months[-1] == "2024-09"  # months after the period are not in the series


def test_history_reaches_back_at_most_24_months(tmp_path):
    _analysis, timeline = timeline_of(tmp_path, planted_months("2021-01", 48), "2024Q4")
    assert len(timeline.months) == MAX_MONTHS_BEFORE + 3
    assert timeline.months[0] == "2022-10" and timeline.months[timeline.period_first] == "2024-10"


def test_without_a_period_the_series_covers_the_data(tmp_path):
    _, timeline = timeline_of(tmp_path, planted_months("2024-03", 5), None)
    assert timeline.months == ("2024-03", "2024-04", "2024-05", "2024-06", "2024-07")
    assert timeline.period_first == 0


def test_month_only_dates_give_monthly_series(tmp_path):
    frame = planted_months()
    frame["date"] = frame["date"].str[:7]  # police.uk style: 2024-07
    analysis, timeline = timeline_of(tmp_path, frame, "2024Q4")
    assert timeline.hotspots[hotspot_near(analysis, NORWICH)].harm.tolist() == list(range(1, 13))


def test_csv_frame_is_long_format_with_every_month_of_every_series(tmp_path):
    analysis, timeline = timeline_of(tmp_path, planted_months(), "2024Q4")
    frame = timeline.frame()
    assert tuple(frame.columns) == TIMELINE_COLUMNS
    assert set(frame["level"]) == {LEVEL_HOTSPOT, LEVEL_AREA}
    assert len(frame) == 12 * (len(analysis.hotspots) + len(analysis.areas))
    assert frame["harm"].dtype == np.int64  # whole counts are written as integers
    assert frame.loc[frame["in_period"], "month"].unique().tolist() == ["2024-10", "2024-11", "2024-12"]
    assert timeline.sparklines()[hotspot_near(analysis, NORWICH)] == [float(k) for k in range(1, 13)]
