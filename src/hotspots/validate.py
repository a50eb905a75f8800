"""Validate raw rows: parse types, dates and coordinates; reject what cannot be used.

Each row gets the first reason in :data:`hotspots.schema.REASONS` that applies, or
none. Rows without a reason are projected to British National Grid and placed in a
district. Every step is vectorised: the same code serves ten rows and a million.

Date rules
----------
* ISO 8601 first (``2024-07-25``, ``2024-07-25T14:30``, ``2024-07-25 14:30:00+01:00``;
  ``2024/07/25`` too): the calendar date as written is used; a time or offset does not
  move it. Anything else after the date (``2024-07-25 approx``) makes it unparseable.
* Month only (``2024-07``, as police.uk publishes): the event may fall on any day of
  that month, so ``date_start`` is the first and ``date_end`` the last day; a period
  keeps such a row only if it holds the whole month (a 2024-07 row is inside 2024Q3 but
  outside 2024-07-15..2024-09-30, where it is counted as outside the period).
* Day and month with a four-digit year separated by ``/``, ``.`` or ``-``
  (``25/07/2024``, optionally followed by a time such as ``14:30``): with
  ``date_order="auto"`` each file is read day-first (UK) if any of its dates can only be
  day-first (``25/07/2024``), month-first if any can only be month-first
  (``07/25/2024``). A file with neither, where some date reads differently each way
  (``03/07/2024``), is refused with a message asking for ``--date-order dmy`` or
  ``mdy``; a file with both is refused as mixed. Dates such as ``05/05/2024`` read the
  same either way and never need the option.
* Two-digit years, month names and other forms are rejected as ``unparseable_date``.

Times and windows (``docs/time.md``)
------------------------------------
* A time in ``date`` (``2024-07-25T23:30``, ``25/07/2024 23:30``) or in a ``time`` column
  (``23:30``, ``2330``, ``23:30:00``; it wins over a time in ``date``) gives the event's
  minute of the day. Hours beyond 23, minutes or seconds beyond 59, or a ``time`` value in
  any other form, reject the row as ``unparseable_time``. Month-only dates take no time.
* ``date_from``/``date_to`` columns give a window (Ratcliffe's aoristic events): a row
  with either filled is a window and both must be (``incomplete_window``); each end is a
  date under the rules above (optionally with a time; a month-only ``date_to`` means the
  month's last day); the row's ``date`` is then not used. A window ending before it starts
  is ``window_end_before_start``; one that ends before every other row's date starts, or
  starts after every other row's date ends, is ``window_outside_input_span`` (usually a
  mistyped year). ``date_start``/``date_end`` are the window's first and last day, so
  a period keeps a windowed row only if it holds the whole window, as for month-only
  dates.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hotspots import parallel, schema
from hotspots.errors import InputError
from hotspots.hints import coordinate_hints
from hotspots.params import AnalysisParams, EventTypes
from hotspots.period import Period
from hotspots.sentences import counted, verb

#: A district holding less than this share of the analysed period's events is not added to
#: the default study area: one stray row must not move the study area (issue 17: one 2023
#: raid in Cornwall raised evaluate's PAI by 46 %). Such districts are listed, with the fix.
STUDY_MIN_SHARE = 0.01

if TYPE_CHECKING:
    import geopandas as gpd

# RE2 syntax (pyarrow): \d is ASCII 0-9 only, so "٢٠٢٤" is not a year.
_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z| ?[+-]\d{2}(?::?\d{2})?)?)?"
_ISO = r"^(?P<y>\d{4})(?:-(?P<m>\d{2})-(?P<d>\d{2})|/(?P<m2>\d{1,2})/(?P<d2>\d{1,2}))" + _TIME + "$"
_ISO_DASHED = r"^\d{4}-\d{2}-\d{2}" + _TIME + "$"  # the first form of _ISO, without groups
_MONTH = r"^(?P<y>\d{4})-(?P<m>\d{2})$"
_SLASHED = r"^(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-](?P<y>\d{4})(?:(?:[T ]|, ?)\d{1,2}:\d{2}(?::\d{2})?)?$"
_NUMBER = r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$"
_DECIMAL_COMMA = r"^[-+]?\d+,\d+$"

#: Great Britain and its waters in WGS84 and British National Grid: points outside these
#: boxes whose swapped coordinates fall inside were written in the wrong order.
GB_LAT = (49.0, 61.5)
GB_LON = (-9.0, 2.5)
BNG_EASTING = (0.0, 700_000.0)
BNG_NORTHING = (0.0, 1_300_000.0)


#: Reasons as small integers: 0 for none, else 1 + the reason's index in schema.REASONS, so a
#: row's reason is found by int8 comparisons and the text is made for rejected rows only.
_REASON_CODE = {reason: np.int8(k + 1) for k, reason in enumerate(schema.REASONS)}
_REASON_TEXT = np.array(["", *schema.REASONS], dtype=object)


@dataclass(frozen=True)
class Validated:
    """The outcome of validation."""

    valid: pd.DataFrame  # usable rows: raw columns + role, date_start, date_end, x_m, y_m, area
    rejected: pd.DataFrame  # raw columns + reason
    rows_with_coordinates: int  # rows whose coordinates were usable (for the geocoding rate)
    study_codes: tuple[str, ...]  # area codes of the study area, sorted
    study_choice: dict[str, Any] = dataclass_field(default_factory=dict)  # how it was chosen (summary.json)
    notes: tuple[str, ...] = ()  # things worth a look that are not errors (implausible years)


def validate(
    raw: pd.DataFrame,
    types: EventTypes,
    params: AnalysisParams,
    areas: gpd.GeoDataFrame,
    periods: tuple[Period, ...] = (),
    *,
    coordinate_headers: Mapping[str, tuple[str, str]] | None = None,
) -> Validated:
    """Check every raw row and place usable ones in a district of ``areas``.

    Parameters
    ----------
    raw
        Rows from :func:`hotspots.io.read_events`, concatenated in input order.
    types
        The event vocabulary.
    params
        Uses ``date_order``, ``coast_tolerance_m`` and ``study_area``.
    areas
        District polygons (GeoDataFrame in EPSG:27700 with ``area_code``, ``area_name``).
    periods
        The periods the command analyses (default: ``params.period``, else every date). Only
        events dated inside them choose the default study area.
    coordinate_headers
        Each source file's x and y headers, named in hints about a whole-file fault.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    reason = np.zeros(len(raw), dtype=np.int8)  # codes of _REASON_CODE

    def reject(mask: np.ndarray, why: str) -> None:
        assert mask.dtype == bool  # an integer array here would index rows, not select them
        reason[(reason == 0) & mask] = _REASON_CODE[why]

    def reject_each(codes: np.ndarray) -> None:
        """Give rows without a reason the one ``codes`` holds (0: none)."""
        np.copyto(reason, codes, where=reason == 0)

    ids = _arrow_text(raw[schema.COL_ID])
    # A file holds a handful of distinct labels: each is casefolded and looked up once.
    labels = pc.dictionary_encode(_arrow_text(raw[schema.COL_TYPE]))
    label = labels.indices.to_numpy(zero_copy_only=False)
    texts = labels.dictionary.to_pylist()
    lookup = types.lookup()
    canonical = [lookup.get(text.casefold()) for text in texts]
    blank_type = np.array([text == "" for text in texts], dtype=bool)
    ignored_type = np.array([text.casefold() in types.ignored for text in texts], dtype=bool)
    unknown_type = np.array([c is None for c in canonical], dtype=bool) & ~ignored_type & ~blank_type
    ignored, unknown = ignored_type[label], unknown_type[label]
    # A label the config says not to analyse is just that, whatever else is wrong with the row
    # (police.uk anti-social behaviour rows have no Crime ID, for example).
    reject(ignored | (unknown & types.ignore_others), schema.REASON_TYPE_NOT_ANALYSED)
    reject(pc.equal(ids, "").to_numpy(zero_copy_only=False), schema.REASON_MISSING_ID)
    reject(_repeated(ids, reason == 0), schema.REASON_DUPLICATE_ID)
    reject(blank_type[label], schema.REASON_MISSING_TYPE)
    reject(unknown, schema.REASON_UNKNOWN_TYPE)

    start, end, minute_start, minute_end, date_reason = _parse_when(raw, params.date_order)
    reject_each(date_reason)

    x_m, y_m, coord_reason = _project(raw)
    has_coords = coord_reason == 0
    reject_each(coord_reason)

    # Only rows still without a reason are placed: a district decides nothing for the others.
    area = _place(x_m, y_m, has_coords & (reason == 0), areas, params)
    # Per district, with one more entry for "none" (index -1): rows look up by district index.
    codes = np.append(areas[schema.COL_AREA_CODE].to_numpy(), "")
    names = np.append(areas[schema.COL_AREA_NAME].to_numpy(), "")
    reject(has_coords & (codes == "")[area], schema.REASON_OUTSIDE_AREA)
    ok = reason == 0
    periods = periods or ((params.period,) if params.period else ())
    dated_in = ok & _inside_periods(start, end, periods)
    study, study_choice = _study_area(areas, params, codes, names, area, ok, dated_in, periods)
    in_study = np.array([code in study for code in codes.tolist()], dtype=bool)
    reject(ok & ~in_study[area], schema.REASON_OUTSIDE_AREA)
    ok = reason == 0

    valid = raw.loc[ok, [schema.COL_SOURCE, schema.COL_ROW]].reset_index(drop=True)
    kept = pa.array(ok)
    label, area = label[ok], area[ok]
    valid[schema.COL_ID] = _text_column(ids.filter(kept))
    valid[schema.COL_TYPE] = _text_column(pa.array(canonical, pa.large_string()).take(label))
    valid[schema.COL_ROLE] = _text_column(
        pa.array([None if c is None else types.roles.get(c) for c in canonical], pa.large_string()).take(label)
    )
    valid[schema.COL_DATE_START] = start[ok]
    valid[schema.COL_DATE_END] = end[ok]
    valid[schema.COL_MINUTE_START] = minute_start[ok]
    valid[schema.COL_MINUTE_END] = minute_end[ok]
    valid[schema.COL_X] = x_m[ok]
    valid[schema.COL_Y] = y_m[ok]
    valid[schema.COL_AREA_CODE] = _text_column(pa.array(codes.tolist(), pa.large_string()).take(area))
    valid[schema.COL_AREA_NAME] = _text_column(pa.array(names.tolist(), pa.large_string()).take(area))

    bad = np.flatnonzero(~ok)  # usually few: taken by position, not by a mask over every row
    rejected = raw.iloc[bad]
    out = rejected[[schema.COL_SOURCE, schema.COL_ROW]].reset_index(drop=True)
    out[schema.COL_REASON] = _REASON_TEXT[reason[bad]]
    for column in schema.RAW_COLUMNS:
        out[column] = rejected[column].to_numpy()
    for column in schema.OPTIONAL_RAW_COLUMNS:
        if column in raw:  # the time columns some inputs have: shown as written
            out[column] = rejected[column].fillna("").to_numpy()
    reasons = _REASON_TEXT[reason]
    hints = coordinate_hints(
        raw, reasons, x_m, y_m, _fits_swapped(raw, reasons, areas, params), coordinate_headers or {}
    )
    return Validated(
        valid, out, int(has_coords.sum()), tuple(sorted(study)), study_choice,
        notes=(*_year_notes(raw, start), *hints),
    )


#: Dates before this year are flagged: police records of county lines do not go back further.
FIRST_PLAUSIBLE_YEAR = 1990


def _year_notes(raw: pd.DataFrame, start: np.ndarray) -> tuple[str, ...]:
    """A note for dates whose year is implausible (0001, or after next year): typing slips."""
    import datetime

    known = ~np.isnat(start)
    years = start.astype("datetime64[Y]").astype(np.int64) + 1970
    last = datetime.date.today().year + 1
    odd = known & ((years < FIRST_PLAUSIBLE_YEAR) | (years > last))
    if not odd.any():
        return ()
    first = int(np.flatnonzero(odd)[0])
    example = (
        f"{raw[schema.COL_SOURCE].iloc[first]} row {raw[schema.COL_ROW].iloc[first]}: "
        f"{raw[schema.COL_DATE].iloc[first]!r}"
    )
    note = (
        f"{counted(int(odd.sum()), 'row')} {verb(int(odd.sum()), 'has')} a date before "
        f"{FIRST_PLAUSIBLE_YEAR} or after {last} "
        f"(first: {example}); check them for typing slips -- they fall outside recent periods"
    )
    return (note,)


#: Zero-width characters (RE2): spaces, joiners, the word joiner and the byte-order mark.
_ZERO_WIDTH = "[\\x{200B}\\x{200C}\\x{200D}\\x{2060}\\x{FEFF}]"


def _repeated(ids: Any, among: np.ndarray) -> np.ndarray:
    """Rows of ``among`` whose id an earlier row of ``among`` holds."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows = np.flatnonzero(among)
    subset = ids if len(rows) == len(ids) else ids.take(pa.array(rows))
    # Zero-width characters (copied from web pages and PDFs) make "A1" and "A\u200b1" look
    # like one id: they do not count towards telling ids apart.
    subset = pc.replace_substring_regex(subset, _ZERO_WIDTH, "")
    # Ids as integer codes (one hash of each string), then duplicates among the codes.
    codes = pc.dictionary_encode(subset).indices.to_numpy(zero_copy_only=False)
    out = np.zeros(len(among), dtype=bool)
    out[rows] = pd.Series(codes).duplicated(keep="first").to_numpy()
    return out


def _text_column(values: Any) -> Any:
    """A pyarrow string array as the column its Python strings would make, without making them.

    pandas turns an array of strings into its ``str`` dtype, but keeps an empty one as object.
    """
    if len(values) == 0:
        return np.array([], dtype=object)
    return values.to_pandas().array


# --- dates ------------------------------------------------------------------------------------


def _arrow_array(values: pd.Series) -> Any:
    """A column as one pyarrow string array, missing values as ``""``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = values if pd.api.types.is_string_dtype(values) and values.dtype != object else values.astype(str)
    array = pa.array(text, type=pa.large_string(), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return pc.fill_null(array, "")


def _arrow_text(values: pd.Series) -> Any:
    """A column as a pyarrow string array with surrounding whitespace removed."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(_arrow_array(values))


def _extract(text: Any, pattern: str, rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Named groups of ``pattern`` as int64 arrays (-1 where the row does not match).

    Only ``rows`` (a boolean mask) are searched when given: each date form is looked for
    among the rows the previous forms left, so a clean file pays for one pass.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    index = np.arange(n) if rows is None else np.flatnonzero(rows)
    subset = text if rows is None else text.take(pa.array(index))
    found = pc.extract_regex(subset, pattern)
    out = {}
    for field in range(found.type.num_fields):
        name = found.type.field(field).name
        group = pc.struct_field(found, [field])
        # A group that did not take part in the match is "": -1 like a row that did not match.
        group = pc.if_else(pc.equal(group, ""), pa.scalar(None, pa.large_string()), group)
        values = np.full(n, -1, dtype=np.int64)
        values[index] = pc.fill_null(pc.cast(group, pa.int64()), -1).to_numpy(zero_copy_only=False)
        out[name] = values
    return out


def parse_dates(raw: pd.DataFrame, date_order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last day each row's date can mean, and a reason for rows without one.

    The rules are in the module docstring.

    Returns
    -------
    start, end
        ``datetime64[D]`` arrays (``NaT`` where the date is missing or unparseable).
    reason
        ``""``, :data:`~hotspots.schema.REASON_MISSING_DATE` or
        :data:`~hotspots.schema.REASON_BAD_DATE` per row.

    Raises
    ------
    InputError
        A file's day/month order is ambiguous or mixed under ``date_order="auto"``.
    """
    start, end, reason = _parse_dates(raw, date_order)
    return start, end, _REASON_TEXT[reason]


def _parse_dates(raw: pd.DataFrame, date_order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`parse_dates` with the reasons as codes of ``_REASON_CODE``."""
    start, end, _, _, reason = _parse_when(raw, date_order)
    return start, end, reason


#: A time after a date of either form: ``2024-07-25T14:30``, ``25/07/2024, 14:30:05``.
_TIME_AFTER_DATE = (
    r"^(?:\d{4}[-/]\d{1,2}[-/]\d{1,2}[T ]|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}(?:[T ]|, ?))"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
)
#: A ``time`` column's value: ``14:30``, ``1430``, ``14:30:05``, ``9:05``.
_TIME_ALONE = r"^(?P<h>\d{1,2}):?(?P<mi>\d{2})(?::?(?P<s>\d{2}))?$"


def _parse_when(
    raw: pd.DataFrame, date_order: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Days, minutes of the day and reasons of each row's date, time or window.

    Returns ``start``, ``end`` (``datetime64[D]``), ``minute_start``, ``minute_end``
    (int16, -1 where no time is known) and reason codes (module docstring).
    """
    import pyarrow.compute as pc

    bad_time = _REASON_CODE[schema.REASON_BAD_TIME]
    start, end, minute, blank, reason = _parse_text(raw, schema.COL_DATE, date_order)
    minute_end = minute.copy()
    if schema.COL_TIME in raw:
        text = _arrow_text(raw[schema.COL_TIME])
        given = ~pc.equal(text, "").to_numpy(zero_copy_only=False) & (reason == 0)
        clock = _extract(text, _TIME_ALONE, given)
        value = _minutes(clock)
        month_only = end > start  # a month-only date has no day to hang a time on
        reason[given & (value < 0)] = bad_time
        use = given & (value >= 0) & ~month_only
        minute[use] = minute_end[use] = value[use]
    if schema.COL_DATE_FROM in raw:
        s0, _, m0, blank0, r0 = _parse_text(raw, schema.COL_DATE_FROM, date_order)
        _, e1, m1, blank1, r1 = _parse_text(raw, schema.COL_DATE_TO, date_order)
        windowed = ~blank0 | ~blank1
        w_reason = np.where(r0 != 0, r0, r1)
        w_reason[blank0 | blank1] = _REASON_CODE[schema.REASON_INCOMPLETE_WINDOW]
        timed = (m0 >= 0) & (m1 >= 0)
        reversed_ = (e1 < s0) | ((e1 == s0) & timed & (m1 < m0))
        w_reason[(w_reason == 0) & reversed_] = _REASON_CODE[schema.REASON_WINDOW_REVERSED]
        w = np.flatnonzero(windowed)
        reason[w] = w_reason[w]
        start[w], end[w] = s0[w], e1[w]
        minute[w] = np.where(timed[w], m0[w], -1)
        minute_end[w] = np.where(timed[w], m1[w], -1)
        blank = blank & ~windowed
        outside = windowed & (reason == 0) & _outside_others(start, end, reason == 0)
        reason[outside] = _REASON_CODE[schema.REASON_WINDOW_OUTSIDE]
    reason[blank] = _REASON_CODE[schema.REASON_MISSING_DATE]
    dated = reason == 0
    start[~dated] = np.datetime64("NaT")
    end[~dated] = np.datetime64("NaT")
    minute[~dated] = minute_end[~dated] = -1
    return start, end, minute.astype(np.int16), minute_end.astype(np.int16), reason


def _minutes(groups: dict[str, np.ndarray]) -> np.ndarray:
    """Minute of the day from extracted h/mi/s groups; -1 where absent, -2 where not a time."""
    h, mi, sec = groups["h"], groups["mi"], groups["s"]
    value = np.where(h >= 0, h * 60 + mi, -1)
    impossible = (h > 23) | (mi > 59) | (sec > 59)
    return np.where(impossible & (h >= 0), -2, value)


def _outside_others(start: np.ndarray, end: np.ndarray, dated: np.ndarray) -> np.ndarray:
    """Rows that end before every other dated row starts, or start after every other one ends."""
    rows = np.flatnonzero(dated)
    out = np.zeros(len(start), dtype=bool)
    if len(rows) < 2:
        return out
    s = start[rows].astype(np.int64)
    e = end[rows].astype(np.int64)
    first, last = np.argmin(s), np.argmax(e)
    # Leave each row out: the smallest start of the others is the second smallest for its owner.
    second_start = np.min(np.delete(s, first))
    second_end = np.max(np.delete(e, last))
    others_start = np.where(np.arange(len(rows)) == first, second_start, s[first])
    others_end = np.where(np.arange(len(rows)) == last, second_end, e[last])
    out[rows] = (e < others_start) | (s > others_end)
    return out


def _parse_text(
    raw: pd.DataFrame, column: str, date_order: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Parse one date column: start and end days, minute of the day, blank rows, reason codes.

    The minute is -1 where the text holds no time (month-only dates never do); a time
    that is not one gives ``unparseable_time``; a blank row gets no reason here.
    """
    import pyarrow.compute as pc

    text = _arrow_text(raw[column])
    blank = pc.equal(text, "").to_numpy(zero_copy_only=False)

    # Most dates are ISO with dashes: a match without groups finds them, and their digits
    # stand at fixed places. The regexes with groups (slower) search the other rows only.
    dashed = pc.match_substring_regex(text, _ISO_DASHED).to_numpy(zero_copy_only=False)
    iso = _extract(text, _ISO, ~dashed & ~blank)
    found = dashed | (iso["y"] >= 0)
    year = iso["y"]
    month = np.where(iso["m"] >= 0, iso["m"], iso["m2"])
    day = np.where(iso["d"] >= 0, iso["d"], iso["d2"])
    year[dashed], month[dashed], day[dashed] = _iso_digits(text, dashed)
    month_only = np.zeros(len(year), dtype=bool)

    monthly = _extract(text, _MONTH, ~found & ~blank)
    is_month = monthly["y"] >= 0
    year[is_month] = monthly["y"][is_month]
    month[is_month] = monthly["m"][is_month]
    day[is_month] = 1
    month_only[is_month] = True

    slashed = _extract(text, _SLASHED, ~found & ~is_month & ~blank)
    is_slashed = slashed["y"] >= 0
    if is_slashed.any():
        first, second = slashed["a"], slashed["b"]
        sources = raw[schema.COL_SOURCE].to_numpy()
        day_first = _day_first(sources, first, second, is_slashed, raw[column], date_order)
        year[is_slashed] = slashed["y"][is_slashed]
        day[is_slashed] = np.where(day_first, first, second)[is_slashed]
        month[is_slashed] = np.where(day_first, second, first)[is_slashed]

    parsed = found | is_month | is_slashed
    start = _to_dates(year, month, day, parsed)
    valid = parsed & ~np.isnat(start)
    start[~valid] = np.datetime64("NaT")
    end = start.copy()
    month_valid = month_only & valid
    end[month_valid] = (
        start[month_valid].astype("datetime64[M]") + np.timedelta64(1, "M")
    ).astype("datetime64[D]") - np.timedelta64(1, "D")
    reason = np.where(valid, 0, _REASON_CODE[schema.REASON_BAD_DATE]).astype(np.int8)
    reason[blank] = 0  # the caller decides what a blank means
    minute = np.full(len(year), -1, dtype=np.int64)
    # Only rows longer than a bare date can hold a time: a clean date-only file pays one length check.
    long_day = valid & ~month_only & (pc.utf8_length(text).to_numpy(zero_copy_only=False) > 10)
    if long_day.any():
        value = _minutes(_extract(text, _TIME_AFTER_DATE, long_day))
        minute[long_day] = value[long_day]
        reason[long_day & (value == -2)] = _REASON_CODE[schema.REASON_BAD_TIME]
        minute[minute < 0] = -1
    return start, end, minute, blank, reason


def _iso_digits(text: Any, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of the ``rows`` (a mask) of ``text`` that start ``YYYY-MM-DD``.

    Read straight from the array's bytes: a regex match has said they are ASCII digits.
    """
    if not rows.any():  # (an array of empty strings may have no data buffer at all)
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset : text.offset + len(text)]
    data = np.frombuffer(text.buffers()[2], dtype=np.uint8)
    first = offsets[rows]

    def number(at: int, width: int) -> np.ndarray:
        value = np.zeros(len(first), dtype=np.int64)
        for k in range(at, at + width):
            value = value * 10 + (data[first + k] - ord("0"))
        return value

    return number(0, 4), number(5, 2), number(8, 2)


#: Days in each month of a common year.
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _to_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray, parsed: np.ndarray) -> np.ndarray:
    """Calendar dates; NaT for impossible ones (month 13, 30 February, year 0).

    Integer arithmetic (the proleptic Gregorian calendar numpy uses): several times faster
    than numpy's conversions between years, months and days.
    """
    out = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = parsed & (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1)
    rows = np.flatnonzero(ok)
    y, m, d = year[rows], month[rows], day[rows]
    # numpy's % is slow on integers and // fast, hence "y // 100 * 100 != y" (all positive).
    leap = ((y & 3) == 0) & ((y // 100 * 100 != y) | (y // 400 * 400 == y))
    real = d <= _MONTH_DAYS[m - 1] + (leap & (m == 2))
    # Days since 1970-01-01 (H. Hinnant's days_from_civil): counted from 1 March, so the
    # leap day ends the year before and months have a fixed pattern of lengths.
    jan_feb = m <= 2
    y = y - jan_feb
    day_of_year = (153 * (m - 3 + 12 * jan_feb) + 2) // 5 + d - 1
    days = 365 * y + y // 4 - y // 100 + y // 400 + day_of_year - 719468
    out[rows[real]] = days[real].astype("datetime64[D]")
    return out


def _day_first(
    sources: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    is_slashed: np.ndarray,
    text: pd.Series,
    date_order: str,
) -> np.ndarray:
    """Per row: read the slashed date day-first? Decided per file under ``auto``."""
    if date_order == "dmy":
        return np.ones(len(first), dtype=bool)
    if date_order == "mdy":
        return np.zeros(len(first), dtype=bool)
    result = np.ones(len(first), dtype=bool)
    is_month = (first >= 1) & (first <= 12), (second >= 1) & (second <= 12)
    is_day_only = (first >= 13) & (first <= 31), (second >= 13) & (second <= 31)
    # Proof of an order: a date that is a real day/month only one way round.
    proves_dmy = is_slashed & is_day_only[0] & is_month[1]
    proves_mdy = is_slashed & is_month[0] & is_day_only[1]
    # Ambiguous: a date that reads as two different real dates.
    ambiguous = is_slashed & is_month[0] & is_month[1] & (first != second)
    for source in pd.unique(sources[is_slashed]):
        rows = sources == source
        dmy, mdy = proves_dmy & rows, proves_mdy & rows
        if dmy.any() and mdy.any():
            a, b = text[dmy].iloc[0], text[mdy].iloc[0]
            raise InputError(
                f"{source}: dates mix day-first ({a!r}) and month-first ({b!r}) order; "
                "correct the file, or choose one reading with --date-order dmy or --date-order mdy "
                "(rows that do not fit it are rejected as unparseable_date)"
            )
        if mdy.any():
            result[rows] = False
        elif not dmy.any() and (ambiguous & rows).any():
            example = text[ambiguous & rows].iloc[0]
            raise InputError(
                f"{source}: dates such as {str(example).strip()!r} could be day-first or month-first and "
                "no date in the file settles it; say which with --date-order dmy (UK, 25/07/2024) "
                "or --date-order mdy (US, 07/25/2024)"
            )
    return result


# --- coordinates --------------------------------------------------------------------------------


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse coordinate text; returns (value, is_blank, is_bad), value NaN where blank or bad.

    Spaces anywhere are ignored ("52. 6284", thousands "530 000"); a decimal comma
    ("52,6284", as many European locales write) is read as a point. Anything else that
    is not a plain decimal number, and any number too large for a float, is bad.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    def parse(text: Any) -> np.ndarray:
        kept = pc.if_else(pc.match_substring_regex(text, _NUMBER), text, pa.scalar(None, text.type))
        return np.array(pc.fill_null(pc.cast(kept, pa.float64()), np.nan))  # a writable copy

    text = _arrow_text(values)
    blank_mask = pc.equal(text, "")
    blank = blank_mask.to_numpy(zero_copy_only=False)
    try:
        # Arrow's parser takes every number the pattern takes and, beyond those, only spellings
        # of NaN and infinity, which are bad either way: a column it parses whole (the usual
        # case) needs no pattern match.
        present = pc.if_else(blank_mask, pa.scalar(None, text.type), text)
        value = np.array(pc.fill_null(pc.cast(present, pa.float64()), np.nan))
    except pa.ArrowInvalid:
        value = parse(text)
    # Only values that are not already plain numbers pay for the clean-up.
    retry = np.flatnonzero(np.isnan(value) & ~blank)
    if len(retry):
        other = pc.replace_substring_regex(text.take(pa.array(retry)), r"[\s\p{Z}]+", "")
        comma = pc.match_substring_regex(other, _DECIMAL_COMMA)
        other = pc.if_else(comma, pc.replace_substring(other, ",", "."), other)
        value[retry] = parse(other)
    bad = ~blank & ~np.isfinite(value)
    value[bad] = np.nan
    return value, blank, bad


def _project(raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Easting and northing in EPSG:27700 for each row, and a reason where impossible.

    Reasons are codes of ``_REASON_CODE`` (0 for none).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyproj import Transformer

    n = len(raw)
    reason = np.zeros(n, dtype=np.int8)
    x, x_blank, x_bad = _numbers(raw[schema.COL_X_RAW])
    y, y_blank, y_bad = _numbers(raw[schema.COL_Y_RAW])
    if schema.COL_GEOM_KIND in raw:
        kind = _arrow_array(raw[schema.COL_GEOM_KIND])
        not_point = ~pc.is_in(kind, pa.array(["", "point", "empty"])).to_numpy(zero_copy_only=False)
    else:
        not_point = np.zeros(n, dtype=bool)

    def mark(mask: np.ndarray, why: str) -> None:
        reason[(reason == 0) & mask] = _REASON_CODE[why]

    mark(not_point, schema.REASON_NOT_POINT)
    mark(x_blank | y_blank, schema.REASON_MISSING_COORDS)
    mark(x_bad | y_bad, schema.REASON_NON_NUMERIC_COORDS)
    mark((x == 0) & (y == 0), schema.REASON_ZERO_COORDS)

    # Each CRS as an integer code (in order of first appearance, as the files name them).
    crs = pc.dictionary_encode(_arrow_array(raw[schema.COL_CRS]))
    crs_of = crs.indices.to_numpy(zero_copy_only=False)
    crs_names = crs.dictionary.to_pylist()
    x_m = np.full(n, np.nan)
    y_m = np.full(n, np.nan)
    for index in pd.unique(crs_of):
        code = crs_names[index]
        rows = (crs_of == index) & (reason == 0)
        if not rows.any():
            continue
        cx, cy = x[rows], y[rows]
        if code == schema.CRS_WEB:
            in_gb = _inside(cy, GB_LAT) & _inside(cx, GB_LON)
            swapped = ~in_gb & _inside(cx, GB_LAT) & _inside(cy, GB_LON)
            out_of_range = (np.abs(cy) > 90) | (np.abs(cx) > 180)
        elif code == schema.CRS_METRIC:
            in_gb = _inside(cx, BNG_EASTING) & _inside(cy, BNG_NORTHING)
            swapped = ~in_gb & _inside(cy, BNG_EASTING) & _inside(cx, BNG_NORTHING)
            out_of_range = ~in_gb & ~swapped
        else:
            swapped = np.zeros(len(cx), dtype=bool)
            out_of_range = np.zeros(len(cx), dtype=bool)
        reason[rows] = np.where(
            swapped,
            _REASON_CODE[schema.REASON_SWAPPED_COORDS],
            np.where(out_of_range, _REASON_CODE[schema.REASON_INVALID_COORDS], 0),
        )
        rows = (crs_of == index) & (reason == 0)
        if code == schema.CRS_METRIC:
            x_m[rows], y_m[rows] = x[rows], y[rows]
            continue
        try:
            transformer = Transformer.from_crs(code, schema.CRS_METRIC, always_xy=True)
        except Exception:  # noqa: BLE001 - pyproj raises several types for a CRS it cannot use
            raise InputError(f"unknown coordinate reference system {code!r}; give an EPSG code such as EPSG:27700") from None
        x_m[rows], y_m[rows] = parallel.transform(transformer, x[rows], y[rows])
    unprojectable = (reason == 0) & ~(np.isfinite(x_m) & np.isfinite(y_m))
    reason[unprojectable] = _REASON_CODE[schema.REASON_INVALID_COORDS]
    return x_m, y_m, reason


#: Reasons a grid reference written northing-first gets: its "easting" is a northing, so the
#: point lands beyond GB's eastings (swapped), off the grid, or in the wrong place.
_SWAP_SUSPECTS = (schema.REASON_SWAPPED_COORDS, schema.REASON_INVALID_COORDS, schema.REASON_OUTSIDE_AREA)


def _fits_swapped(
    raw: pd.DataFrame, reasons: np.ndarray, areas: gpd.GeoDataFrame, params: AnalysisParams
) -> np.ndarray:
    """Rejected easting/northing rows that read right the other way round.

    A row fits when its easting and northing, exchanged, fall inside one of ``areas`` (or,
    for ``coordinates_swapped``, already inside GB's grid). Only rows rejected for their
    place are tried, so the usual file (nothing rejected) costs nothing.
    """
    fits = np.zeros(len(raw), dtype=bool)
    suspect = (raw[schema.COL_CRS].astype(str).to_numpy() == schema.CRS_METRIC) & np.isin(
        reasons, _SWAP_SUSPECTS
    )
    rows = np.flatnonzero(suspect)
    if len(rows) == 0:
        return fits
    x, _, _ = _numbers(raw[schema.COL_X_RAW].iloc[rows])
    y, _, _ = _numbers(raw[schema.COL_Y_RAW].iloc[rows])
    usable = np.isfinite(x) & np.isfinite(y)
    # Exchanged: the file's "northing" is the easting, its "easting" the northing.
    placed = _place(y, x, usable, areas, params) >= 0
    fits[rows] = placed | (reasons[rows] == schema.REASON_SWAPPED_COORDS)
    return fits


def _inside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


# --- districts ----------------------------------------------------------------------------------


def _place(x_m: np.ndarray, y_m: np.ndarray, usable: np.ndarray, areas: gpd.GeoDataFrame, params: AnalysisParams) -> np.ndarray:
    """Index in ``areas`` of the district holding each usable point (-1 where none).

    A point on a shared border belongs to the first district in area order. The points
    are sorted by easting once; each district, prepared, tests only the points inside its
    bounding box: a contiguous run of the sorted points (binary search on x) narrowed by
    northing, so no point geometries are built for the points inside a district. GEOS
    tests points without the GIL, so runs of the sorted points go to every core.
    """
    import shapely

    area = np.full(len(x_m), -1, dtype=np.int64)
    rows = np.flatnonzero(usable)
    if len(rows) == 0:
        return area
    polygons = np.asarray(areas.geometry.values)
    by_x = rows[np.argsort(x_m[rows])]  # ties in any order: each point is tested on its own
    x, y = x_m[by_x], y_m[by_x]  # in easting order: a bounding box's points are one slice
    boxes = shapely.bounds(polygons).tolist()
    polygon_wkb = shapely.to_wkb(polygons)

    def place_run(start: int, stop: int) -> np.ndarray:
        """Districts of the sorted points start..stop-1 (runs are independent: one per core)."""
        # Each run prepares its own copy of the districts: a GEOS prepared geometry builds its
        # index on first use and is not safe to share between threads (libgeos/geos#825).
        own = shapely.from_wkb(polygon_wkb)
        shapely.prepare(own)
        xs, ys = x[start:stop], y[start:stop]
        area_of = np.full(stop - start, -1, dtype=np.int64)
        for k, (x0, y0, x1, y1) in enumerate(boxes):  # one step per district
            lo, hi = np.searchsorted(xs, x0, side="left"), np.searchsorted(xs, x1, side="right")
            if lo == hi:
                continue
            # Slices, not gathers: comparing a contiguous run is several times cheaper.
            in_box = (area_of[lo:hi] < 0) & (ys[lo:hi] >= y0) & (ys[lo:hi] <= y1)
            candidates = lo + np.flatnonzero(in_box)
            if len(candidates):
                inside = shapely.intersects_xy(own[k], xs[candidates], ys[candidates])
                area_of[candidates[inside]] = k
        return area_of

    area_of = np.concatenate(parallel.in_blocks(place_run, len(by_x)))
    # Generalised coastlines leave real seafront points just outside every polygon: give them
    # to the nearest district within the tolerance (the first in area order on a tie).
    missing = np.flatnonzero(area_of < 0)
    if len(missing) and params.coast_tolerance_m > 0:
        points = shapely.points(x[missing], y[missing])
        near_area, near_point = shapely.STRtree(points).query(
            polygons, predicate="dwithin", distance=params.coast_tolerance_m
        )
        if len(near_point):
            distance = shapely.distance(polygons[near_area], points[near_point])
            order = np.lexsort((near_area, distance, near_point))
            near_point, near_area = near_point[order], near_area[order]
            first = np.r_[True, near_point[1:] != near_point[:-1]]
            area_of[missing[near_point[first]]] = near_area[first]
    area[by_x] = area_of
    return area


def _inside_periods(start: np.ndarray, end: np.ndarray, periods: tuple[Period, ...]) -> np.ndarray:
    """Rows whose whole recorded date range lies inside one of ``periods`` (all rows when none)."""
    if not periods:
        return np.ones(len(start), dtype=bool)
    first = np.asarray(start).astype("datetime64[D]")
    last = np.asarray(end).astype("datetime64[D]")
    inside = np.zeros(len(first), dtype=bool)
    for period in periods:
        inside |= (first >= np.datetime64(period.start, "D")) & (last <= np.datetime64(period.end, "D"))
    return inside


def _study_area(
    areas: gpd.GeoDataFrame,
    params: AnalysisParams,
    codes: np.ndarray,
    names: np.ndarray,
    area: np.ndarray,
    ok: np.ndarray,
    dated_in: np.ndarray,
    periods: tuple[Period, ...],
) -> tuple[set[str], dict[str, Any]]:
    """The study area's codes, and how they were chosen (for ``summary.json`` and warnings).

    Given districts are taken as given. Otherwise the study area is every district holding
    at least :data:`STUDY_MIN_SHARE` of the valid events dated inside the analysed periods:
    rows of other dates never move it, and a district below the share is listed (with the
    option that adds it) rather than added silently.
    """
    if params.study_area:
        return resolve_study_area(areas, params.study_area), {
            "rule": "given: the districts named by --study-area or [analysis] study_area",
            "left_out": [],
        }
    when = ", ".join(p.label for p in periods) if periods else "any date"
    counted = dated_in if dated_in.any() else ok
    if not dated_in.any() and periods:
        when = f"any date (no valid event is dated inside {when})"
    counts = np.bincount(area[counted], minlength=len(codes))
    total = int(counts.sum())
    share = counts / total if total else np.zeros(len(codes))
    real = codes != ""
    study = real & (share >= STUDY_MIN_SHARE)
    small = real & (counts > 0) & ~study
    left_out = [
        {
            "area_code": str(codes[k]),
            "area_name": str(names[k]),
            "events": int(counts[k]),
            "share": round(float(share[k]), 4),
        }
        for k in np.flatnonzero(small)
    ]
    choice: dict[str, Any] = {
        "rule": (
            f"every district holding at least {STUDY_MIN_SHARE:.0%} of the {total:,} valid events "
            f"dated in {when}"
        ),
        "left_out": left_out,
    }
    if left_out:
        wanted = sorted(str(names[k]) for k in np.flatnonzero(study | small))
        choice["add_with"] = "--study-area " + shlex.quote(",".join(wanted))
    return set(codes[study].tolist()), choice


def study_area_warning(choice: dict[str, Any]) -> str | None:
    """The sentence listing districts left out of the default study area, with the fix."""
    left_out = choice.get("left_out") or []
    if not left_out:
        return None
    listed = [
        f"{d['area_name']} ({d['area_code']}: {d['events']:,} {'event' if d['events'] == 1 else 'events'}, "
        f"{d['share']:.1%})"
        for d in left_out
    ]
    many = len(left_out) > 1
    return (
        f"study area: {', '.join(listed)} {'hold' if many else 'holds'} under {STUDY_MIN_SHARE:.0%} of "
        f"the period's events, so {'they are' if many else 'it is'} not in the study area and "
        f"{'their' if many else 'its'} events are rejected as outside_study_area; to include "
        f"{'them' if many else 'it'}, pass {choice['add_with']}"
    )


#: The tail of an ONS district name that holds a comma: "Bristol, City of",
#: "Herefordshire, County of", "Kingston upon Hull, City of".
_NAME_TAIL = re.compile(r"(?:City|County) of\b", re.IGNORECASE)


def split_study_area(values: Iterable[str]) -> tuple[str, ...]:
    """Study-area entries from ``--study-area`` values: split at commas, ONS names kept whole.

    Examples
    --------
    >>> split_study_area(["Breckland,Broadland", "Norwich, City of"])
    ('Breckland', 'Broadland', 'Norwich, City of')
    """
    entries: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            if entries and _NAME_TAIL.fullmatch(part):
                entries[-1] = f"{entries[-1]}, {part}"
            else:
                entries.append(part)
    return tuple(entries)


def resolve_study_area(areas: gpd.GeoDataFrame, wanted: tuple[str, ...]) -> set[str]:
    """Area codes for study-area entries given as codes or names (case-insensitive)."""
    codes = areas[schema.COL_AREA_CODE].astype(str)
    names = areas[schema.COL_AREA_NAME].astype(str)
    by_key = {c.casefold(): c for c in codes}
    by_key.update({nm.casefold(): c for nm, c in zip(names, codes, strict=True)})
    unknown = [w for w in wanted if w.strip().casefold() not in by_key]
    if unknown:
        raise InputError(
            f"study area: no area named or coded {', '.join(repr(u) for u in unknown)} "
            f"in the boundaries; use names or codes from areas.csv ({_area_examples(names, codes)})"
        )
    return {by_key[w.strip().casefold()] for w in wanted}


def _area_examples(names: pd.Series, codes: pd.Series) -> str:
    """Examples from the boundaries in use: ``--areas pfa2025`` gives force names, not districts."""
    if not len(names):
        return "the boundaries hold no areas"
    first = int(np.argmin(names.str.casefold().to_numpy()))  # the same example on every run
    return f"e.g. {names.iloc[first]!r} or {codes.iloc[first]!r}"
