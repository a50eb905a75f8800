"""When in the week harm happens: day-of-week x hour-of-day tables with aoristic weights.

Definitions (also in ``docs/time.md`` and in every output, see :data:`WEEK_DEFINITIONS`):

* Only events with a **time** take part: a datetime in ``date`` (``2024-07-25T23:30``), a
  ``time`` column, or a ``date_from``/``date_to`` window with a time at both ends. Date-only
  and month-only events (police.uk) have none: they are left out and counted.
* An event with one time counts 1 in its hour of its day of the week.
* A window ``date_from 2024-07-26T18:00`` .. ``date_to 2024-07-29T08:00`` spreads its weight
  of 1 evenly over its minutes (Ratcliffe's aoristic method): here 62 hours, so each hour
  of it gets 1/62. A window longer than :data:`MAX_WINDOW_HOURS` hours (7 days) says
  nothing about the time of week: it is left out and counted.
* Days run Monday to Sunday; hours 00 (00:00-00:59) to 23; times are the clock time as
  written (an offset such as ``+01:00`` is not applied).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from hotspots import schema

#: Longest aoristic window (hours) spread over the week; longer ones are left out.
MAX_WINDOW_HOURS: Final = 7 * 24
WEEK_MINUTES: Final = 7 * 24 * 60
#: Key of the study area's table (hotspot tables are keyed by hotspot id).
STUDY_AREA: Final = "study_area"
DAYS: Final = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
#: ``time_of_week.csv`` columns, in order.
WEEK_COLUMNS: Final = ("level", "id", "day", "hour", "harm")

WEEK_DEFINITIONS: Final = {
    "time_of_week": "harm events of the period by day of week (Monday first) and hour of day (clock time as "
    "written); only events with a time take part (a datetime in date, a time column, or a date_from/date_to "
    "window with times at both ends); date-only and month-only events are left out and counted",
    "time_of_week_window": "a window spreads its weight of 1 evenly over its minutes (Ratcliffe's aoristic "
    f"method); windows longer than {MAX_WINDOW_HOURS} hours are left out of time-of-week tables and counted",
}


@dataclass(frozen=True)
class WeekTable:
    """One table: harm weight per day (rows, Monday first) and hour (columns)."""

    weights: np.ndarray  # shape (7, 24)
    with_time: int  # events whose weight is in the table
    no_time: int  # events left out: no time recorded
    too_long: int  # events left out: window over MAX_WINDOW_HOURS

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready counts and the table (rounded)."""
        return {
            "events_in_table": self.with_time,
            "left_out_no_time": self.no_time,
            "left_out_window_too_long": self.too_long,
            "weights": [[round(float(v), 3) for v in row] for row in self.weights],
        }


@dataclass(frozen=True)
class TimeOfWeek:
    """Tables for the study area and each priority hotspot (rank order)."""

    tables: dict[str, WeekTable]

    @property
    def has_times(self) -> bool:
        """Any harm event of the period had a usable time."""
        study = self.tables.get(STUDY_AREA)
        return study is not None and study.with_time > 0

    def frame(self) -> pd.DataFrame:
        """``time_of_week.csv``: one row per table, day and hour (long format)."""
        parts = []
        for key, table in self.tables.items():
            level = "area" if key == STUDY_AREA else "hotspot"
            parts.append(
                pd.DataFrame(
                    {
                        "level": level,
                        "id": key,
                        "day": np.repeat(DAYS, 24),
                        "hour": np.tile(np.arange(24), 7),
                        "harm": table.weights.reshape(-1).round(3),
                    }
                )
            )
        if not parts:
            return pd.DataFrame({c: [] for c in WEEK_COLUMNS})
        return pd.concat(parts, ignore_index=True)[list(WEEK_COLUMNS)]

    def as_summary(self) -> dict[str, Any]:
        """The ``time_of_week`` part of ``summary.json``."""
        return {
            "max_window_hours": MAX_WINDOW_HOURS,
            "tables": {key: table.as_dict() for key, table in self.tables.items()},
        }


def week_weights(
    day_start: np.ndarray,
    minute_start: np.ndarray,
    day_end: np.ndarray,
    minute_end: np.ndarray,
    group: np.ndarray,
    n_groups: int,
    max_hours: int = MAX_WINDOW_HOURS,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum each group's events over the 168 hours of the week.

    Parameters
    ----------
    day_start, day_end
        First and last day of each event (``datetime64``).
    minute_start, minute_end
        Minute of the day (0-1439) at which each event can first and last have happened;
        negative where no time is known.
    group
        Each event's group (0 .. ``n_groups - 1``).
    max_hours
        Longer windows are left out.

    Returns
    -------
    tables
        Shape (``n_groups``, 7, 24): summed weights, Monday first, hour 0 first.
    no_time, too_long
        Per event: left out for lack of a time, or for a window over ``max_hours``.
    """
    d0 = np.asarray(day_start).astype("datetime64[D]").astype(np.int64)
    d1 = np.asarray(day_end).astype("datetime64[D]").astype(np.int64)
    m0 = np.asarray(minute_start, dtype=np.int64)
    m1 = np.asarray(minute_end, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    no_time = (m0 < 0) | (m1 < 0)
    # Minutes since Monday 1969-12-29 00:00 (1970-01-01 was a Thursday).
    t0 = (d0 + 3) * 1440 + m0
    length = (d1 - d0) * 1440 + m1 - m0
    if np.any(length[~no_time] < 0):
        raise ValueError("minute_end: every window must end at or after its start")
    too_long = ~no_time & (length > max_hours * 60)
    out = np.zeros((n_groups, 7 * 24))

    instant = np.flatnonzero(~no_time & (length == 0))
    slot = (t0[instant] % WEEK_MINUTES) // 60
    out += np.bincount(group[instant] * 168 + slot, minlength=n_groups * 168).reshape(n_groups, 168)

    window = np.flatnonzero(~no_time & ~too_long & (length > 0))
    if len(window):
        # Each window adds 1/length per minute over [start, end): a difference array over the
        # week's minutes (a window may wrap past Sunday midnight once), summed into hours.
        width = WEEK_MINUTES + 1
        g, p0, n = group[window], t0[window] % WEEK_MINUTES, length[window]
        density = 1.0 / n
        p1 = p0 + n
        wraps = p1 > WEEK_MINUTES
        index = np.concatenate([
            g * width + p0,
            g * width + np.where(wraps, WEEK_MINUTES, p1),
            (g * width)[wraps],
            (g * width + p1 - WEEK_MINUTES)[wraps],
        ])
        values = np.concatenate([density, -density, density[wraps], -density[wraps]])
        diff = np.bincount(index, weights=values, minlength=n_groups * width).reshape(n_groups, width)
        per_minute = np.cumsum(diff[:, :WEEK_MINUTES], axis=1)
        out += per_minute.reshape(n_groups, 168, 60).sum(axis=2)
    return out.reshape(n_groups, 7, 24), no_time, too_long


def build_time_of_week(events: pd.DataFrame, hotspot_ids: list[str]) -> TimeOfWeek:
    """Tables of the period's harm events: the study area, then each of ``hotspot_ids``.

    Parameters
    ----------
    events
        The analysed events of the period (:attr:`hotspots.model.Analysis.events`), with
        ``start_minute``/``end_minute`` (absent: no event has a time).
    hotspot_ids
        The priority hotspots, in the order their tables should appear.
    """
    from hotspots.timeline import position_in

    rows = np.flatnonzero((events[schema.COL_ROLE] == schema.ROLE_HARM).to_numpy(dtype=bool, na_value=False))
    n = len(rows)
    if schema.COL_MINUTE_START in events:
        m0 = events[schema.COL_MINUTE_START].to_numpy(np.int64)[rows]
        m1 = events[schema.COL_MINUTE_END].to_numpy(np.int64)[rows]
    else:
        m0 = m1 = np.full(n, -1, dtype=np.int64)
    d0 = events[schema.COL_DATE_START].to_numpy("datetime64[D]")[rows]
    d1 = events[schema.COL_DATE_END].to_numpy("datetime64[D]")[rows]
    which = position_in(events[schema.COL_HOTSPOT], list(hotspot_ids), rows)
    # Pairs (table, event): every harm event is in the study area's table (0); a priority
    # hotspot's members are also in its own table (1 + its position).
    member = np.flatnonzero(which >= 0)
    event = np.concatenate([np.arange(n), member])
    group = np.concatenate([np.zeros(n, dtype=np.int64), 1 + which[member]])
    tables, no_time, too_long = week_weights(d0[event], m0[event], d1[event], m1[event], group, 1 + len(hotspot_ids))
    keys = [STUDY_AREA, *hotspot_ids]
    out = {}
    for k, key in enumerate(keys):
        mine = group == k
        left_no, left_long = int(no_time[mine].sum()), int(too_long[mine].sum())
        out[key] = WeekTable(tables[k], int(mine.sum()) - left_no - left_long, left_no, left_long)
    return TimeOfWeek(out)
