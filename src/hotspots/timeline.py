"""Monthly series of harm and enforcement for each hotspot and district, with their trends.

Definitions (also in ``docs/time.md`` and in every output, see :data:`TIMELINE_DEFINITIONS`):

* **months of the series** — the calendar months of the analysed period (all months of
  the data when no period is given) and up to :data:`MAX_MONTHS_BEFORE` months before it,
  as far back as the input holds (its earliest date).
* **month of an event** — an event's recorded dates (a day, a month-only date, or an
  aoristic window ``date_from``..``date_to``) spread its weight of 1 evenly over the
  days they cover (Ratcliffe's aoristic method): a dated event counts 1 in its month, a
  month-only date 1 in its month, a 10-day window from 27 June 0.4 in June and 0.6 in
  July. A window longer than :data:`MAX_WINDOW_DAYS` days is left out of the series and
  counted (``windows_too_long``).
* **hotspot series** — harm and enforcement events inside the hotspot's footprint, in
  every month of the series (the footprint is the analysed period's). The analysed
  months can hold slightly more harm than the hotspot's harm count, which counts DBSCAN
  members only; harm inside the footprint is used throughout so that every month is
  counted the same way.
* **district series** — harm and enforcement events placed in the district.
* **trend** — :mod:`hotspots.trend` on the harm series.

Which period an event belongs to is decided elsewhere (:func:`hotspots.analysis.in_period`:
its whole recorded date range, window included, must lie inside the period); the series
only spreads each event over calendar months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.trend import TREND_DEFINITION, Trend, trends_of

if TYPE_CHECKING:
    from hotspots.model import Analysis

#: Months of history before the analysed period that a series reaches back (at most).
MAX_MONTHS_BEFORE: Final = 24
#: Longest aoristic window (days) spread over months; longer ones are left out of the series.
#: 92 days is the longest three calendar months (July-September, October-December).
MAX_WINDOW_DAYS: Final = 92

LEVEL_HOTSPOT: Final = "hotspot"
LEVEL_AREA: Final = "area"
#: ``timeline.csv`` columns, in order.
TIMELINE_COLUMNS: Final = ("level", "id", "month", "harm", "enforcement", "in_period")

TIMELINE_DEFINITIONS: Final = {
    "timeline_months": "calendar months of the analysed period (all months of the data without a period) "
    f"and up to {MAX_MONTHS_BEFORE} months before it that the input holds",
    "timeline_month_of_event": "each event's weight of 1 is spread evenly over the days its recorded date "
    "covers (a day: 1 in its month; a month-only date: 1 in that month; a date_from..date_to window: "
    f"shared by days, Ratcliffe's aoristic method); windows longer than {MAX_WINDOW_DAYS} days are left "
    "out of the monthly series and counted",
    "timeline_hotspot_series": "harm and enforcement events inside the hotspot's footprint (of the analysed "
    "period) in each month; the analysed months may hold a little more harm than the hotspot's harm "
    "count, which counts DBSCAN members only",
    "timeline_area_series": "harm and enforcement events placed in the district, per month",
    "trend": TREND_DEFINITION,
}


@dataclass(frozen=True)
class Series:
    """One hotspot's or district's monthly counts (aligned with :attr:`Timeline.months`)."""

    harm: np.ndarray
    enforcement: np.ndarray
    trend: Trend


@dataclass(frozen=True)
class Timeline:
    """Monthly series of every hotspot (rank order) and study district (code order)."""

    months: tuple[str, ...]  # "YYYY-MM", oldest first
    days: tuple[int, ...]  # days in each month
    period_first: int  # index in months of the analysed period's first month
    hotspots: dict[str, Series]
    areas: dict[str, Series]
    area_names: dict[str, str]
    windows_too_long: int  # events in the series' months left out: window over MAX_WINDOW_DAYS

    def frame(self) -> pd.DataFrame:
        """``timeline.csv``: one row per hotspot or district and month (long format)."""
        n = len(self.months)
        levels = [LEVEL_HOTSPOT] * len(self.hotspots) + [LEVEL_AREA] * len(self.areas)
        keys = [*self.hotspots, *self.areas]
        series = [*self.hotspots.values(), *self.areas.values()]
        if not series or n == 0:
            return pd.DataFrame({c: [] for c in TIMELINE_COLUMNS})
        # One table built at once: a frame per series and a concat took a second at 300 hotspots.
        out = pd.DataFrame(
            {
                "level": np.repeat(levels, n),
                "id": np.repeat(keys, n),
                "month": np.tile(np.array(self.months), len(series)),
                "harm": np.concatenate([s.harm for s in series]),
                "enforcement": np.concatenate([s.enforcement for s in series]),
                "in_period": np.tile(np.arange(n) >= self.period_first, len(series)),
            }
        )
        for column in ("harm", "enforcement"):
            values = out[column].to_numpy(float).round(3)
            # Whole counts (no aoristic windows) are written as integers.
            out[column] = values.astype(np.int64) if np.all(values == np.round(values)) else values
        return out[list(TIMELINE_COLUMNS)]

    def sparklines(self) -> dict[str, list[float]]:
        """Hotspot id -> monthly harm (rounded to 3 decimals), for tooltips and side panels."""
        return {key: [round(float(v), 3) for v in s.harm] for key, s in self.hotspots.items()}

    def trends(self) -> dict[str, Trend]:
        """Hotspot id -> the trend of its harm series."""
        return {key: s.trend for key, s in self.hotspots.items()}

    def as_summary(self) -> dict[str, Any]:
        """The ``timeline`` part of ``summary.json``: months, trends and what was left out."""
        return {
            "months": list(self.months),
            "period_first_month": self.months[self.period_first] if self.months else None,
            "windows_too_long_for_monthly": self.windows_too_long,
            "max_window_days_monthly": MAX_WINDOW_DAYS,
            "hotspot_trends": {k: s.trend.as_dict() for k, s in self.hotspots.items()},
            "area_trends": {k: s.trend.as_dict() for k, s in self.areas.items()},
        }


# --- weights -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthWeights:
    """Each event's weight per calendar month (months as integers: months since 1970-01).

    ``month`` and ``weight`` give every event's first month; events whose dates cover
    several months also have ``extra_row``/``extra_month``/``extra_weight`` entries
    (sorted by row). An event's weights sum to 1, or to 0 when ``too_long``.
    """

    month: np.ndarray  # int64 per event
    weight: np.ndarray  # float per event: its share in ``month``
    extra_row: np.ndarray
    extra_month: np.ndarray
    extra_weight: np.ndarray
    too_long: np.ndarray  # bool per event: window over the limit, weight 0 everywhere


def month_weights(start: np.ndarray, end: np.ndarray, max_days: int = MAX_WINDOW_DAYS) -> MonthWeights:
    """Spread each event's weight of 1 evenly over the days ``start``..``end`` (inclusive).

    Parameters
    ----------
    start, end
        First and last day each event's recorded date can mean (``datetime64``).
    max_days
        Windows longer than this are left out (weight 0, ``too_long``).
    """
    s = np.asarray(start).astype("datetime64[D]", copy=False)  # no copy of a million days
    e = np.asarray(end).astype("datetime64[D]", copy=False)
    n_days = (e - s).astype(np.int64) + 1
    if np.any(n_days < 1):
        raise ValueError("end: every window must end on or after its start")
    m0 = s.astype("datetime64[M]")
    m1 = e.astype("datetime64[M]")
    too_long = n_days > max_days
    month = m0.astype(np.int64)
    weight = np.where(too_long, 0.0, 1.0)
    multi = np.flatnonzero((m1 > m0) & ~too_long)
    empty_i, empty_f = np.array([], dtype=np.int64), np.array([], dtype=float)
    if len(multi) == 0:
        return MonthWeights(month, weight, empty_i, empty_i, empty_f, too_long)
    ms, me, md, first = s[multi], e[multi], n_days[multi], m0[multi]
    span = (m1[multi] - first).astype(np.int64)
    weight[multi] = _overlap_days(ms, me, first) / md
    rows, months, weights = [], [], []
    for j in range(1, int(span.max()) + 1):
        has = np.flatnonzero(span >= j)
        m = first[has] + np.timedelta64(j, "M")
        rows.append(multi[has])
        months.append(m.astype(np.int64))
        weights.append(_overlap_days(ms[has], me[has], m) / md[has])
    row = np.concatenate(rows)
    order = np.argsort(row, kind="stable")
    return MonthWeights(
        month, weight, row[order], np.concatenate(months)[order], np.concatenate(weights)[order], too_long
    )


def _overlap_days(start: np.ndarray, end: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days of ``start``..``end`` inside calendar ``month`` (``datetime64[M]``)."""
    first = month.astype("datetime64[D]")
    last = (month + np.timedelta64(1, "M")).astype("datetime64[D]") - np.timedelta64(1, "D")
    days = (np.minimum(end, last) - np.maximum(start, first)).astype(np.int64) + 1
    return np.maximum(days, 0).astype(float)


def _accumulate(
    group: np.ndarray, event: np.ndarray, weights: MonthWeights, first_month: int, n_groups: int, n_months: int
) -> np.ndarray:
    """Sum of weights per (group, month) over (group, event) pairs; months outside are dropped."""
    out = np.zeros(n_groups * n_months)

    def add(g: np.ndarray, m: np.ndarray, w: np.ndarray) -> None:
        m = m - first_month
        keep = (m >= 0) & (m < n_months) & (w > 0)
        out[:] += np.bincount(g[keep] * n_months + m[keep], weights=w[keep], minlength=n_groups * n_months)

    add(group, weights.month[event], weights.weight[event])
    if len(weights.extra_row):
        # Pairs whose event covers several months (few): each extra month of that event.
        spans = np.zeros(len(weights.month), dtype=bool)
        spans[weights.extra_row] = True
        has = np.flatnonzero(spans[event])
        lo = np.searchsorted(weights.extra_row, event[has], side="left")
        counts = np.searchsorted(weights.extra_row, event[has], side="right") - lo
        owner = np.repeat(has, counts)
        ends = np.cumsum(counts)
        pieces = np.repeat(lo - (ends - counts), counts) + np.arange(int(counts.sum()))
        add(group[owner], weights.extra_month[pieces], weights.extra_weight[pieces])
    return out.reshape(n_groups, n_months)


def _equals(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as a numpy bool array (missing values False), compared by Arrow."""
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(column, type=pa.large_string(), from_pandas=True)
    return pc.fill_null(pc.equal(array, value), False).to_numpy(zero_copy_only=False)


def position_in(column: pd.Series, values: list[str], rows: np.ndarray | None = None) -> np.ndarray:
    """Index in ``values`` of each (selected) row's text; -1 where it is not among them.

    A hash lookup in Arrow: no Python string per row.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    array = pa.array(column, type=pa.large_string(), from_pandas=True)
    if rows is not None:
        array = array.take(pa.array(rows, type=pa.int64()))
    found = pc.index_in(array, value_set=pa.array(values, type=pa.large_string()))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


# --- the timeline ------------------------------------------------------------------------------


def series_months(valid: pd.DataFrame, analysis: Analysis) -> tuple[int, int, int]:
    """(first month, first month of the period, last month) of the series, as months since 1970-01.

    Empty series (no dated rows) give ``first > last``.
    """
    if len(valid) == 0:
        return 0, 0, -1
    data_first = int(valid[schema.COL_DATE_START].to_numpy("datetime64[D]").min().astype("datetime64[M]").astype(np.int64))
    data_last = int(valid[schema.COL_DATE_END].to_numpy("datetime64[D]").max().astype("datetime64[M]").astype(np.int64))
    if analysis.period is not None:
        p0 = int(np.datetime64(analysis.period.start, "M").astype(np.int64))
        p1 = int(np.datetime64(analysis.period.end, "M").astype(np.int64))
    else:
        p0, p1 = data_first, data_last
    first = min(p0, max(data_first, p0 - MAX_MONTHS_BEFORE))
    return first, p0, p1


def build_timeline(valid: pd.DataFrame, analysis: Analysis) -> Timeline:
    """Monthly harm and enforcement of each hotspot and study district, and their trends.

    Parameters
    ----------
    valid
        Validated events of every date (:attr:`hotspots.pipeline.Loaded.valid`).
    analysis
        The period's analysis: its period, hotspot footprints and study districts.
    """
    from hotspots.analysis import _points_in

    first, p0, last = series_months(valid, analysis)
    n_months = max(0, last - first + 1)
    month_axis = np.arange(first, first + n_months).astype("datetime64[M]")
    days = (
        (month_axis + np.timedelta64(1, "M")).astype("datetime64[D]") - month_axis.astype("datetime64[D]")
    ).astype(np.int64)

    # Only rows that can touch the series' months (and have a role) are weighed.
    lo = month_axis[0].astype("datetime64[D]") if n_months else np.datetime64("NaT", "D")
    hi = (month_axis[-1] + np.timedelta64(1, "M")).astype("datetime64[D]") if n_months else lo
    start = valid[schema.COL_DATE_START].to_numpy("datetime64[D]")
    end = valid[schema.COL_DATE_END].to_numpy("datetime64[D]")
    is_harm = _equals(valid[schema.COL_ROLE], schema.ROLE_HARM)
    is_enf = _equals(valid[schema.COL_ROLE], schema.ROLE_ENFORCEMENT)
    touch = (end >= lo) & (start < hi) & (is_harm | is_enf) if n_months else np.zeros(len(valid), dtype=bool)
    rows = np.flatnonzero(touch)
    # Only the coordinates are copied: copying every column of a million rows costs more.
    events = valid[[schema.COL_X, schema.COL_Y]]
    if len(rows) < len(valid):
        events = events.iloc[rows]
    weights = month_weights(start[rows], end[rows])
    harm_e, enf_e = is_harm[rows], is_enf[rows]
    e_index = np.arange(len(rows))

    area_codes = [str(c) for c in analysis.areas[schema.COL_AREA_CODE]]
    area_names = {str(c): str(nm) for c, nm in zip(analysis.areas[schema.COL_AREA_CODE], analysis.areas[schema.COL_AREA_NAME], strict=True)}
    code_of = position_in(valid[schema.COL_AREA_CODE], area_codes, rows)
    placed = code_of >= 0
    n_areas = len(area_codes)
    area_harm = _accumulate(code_of[placed & harm_e], e_index[placed & harm_e], weights, first, n_areas, n_months)
    area_enf = _accumulate(code_of[placed & enf_e], e_index[placed & enf_e], weights, first, n_areas, n_months)

    spots = analysis.hotspots
    ids = [str(h) for h in spots[schema.COL_HOTSPOT]]
    shapes = np.asarray(spots.geometry.values)
    shape_idx, event_idx = _points_in(shapes, events) if len(ids) and len(events) else (
        np.array([], dtype=np.int64),
        np.array([], dtype=np.int64),
    )
    h = harm_e[event_idx]
    spot_harm = _accumulate(shape_idx[h], event_idx[h], weights, first, len(ids), n_months)
    spot_enf = _accumulate(shape_idx[~h & enf_e[event_idx]], event_idx[~h & enf_e[event_idx]], weights, first, len(ids), n_months)

    trends = trends_of(np.vstack([spot_harm, area_harm]), days)
    hotspot_series = {k: Series(spot_harm[i], spot_enf[i], trends[i]) for i, k in enumerate(ids)}
    area_series = {
        k: Series(area_harm[i], area_enf[i], trends[len(ids) + i]) for i, k in enumerate(area_codes)
    }
    return Timeline(
        months=tuple(str(m) for m in month_axis),
        days=tuple(int(d) for d in days),
        period_first=max(0, p0 - first),
        hotspots=hotspot_series,
        areas=area_series,
        area_names=area_names,
        windows_too_long=int(weights.too_long.sum()),
    )
