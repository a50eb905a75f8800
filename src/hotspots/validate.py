"""Validate raw rows: parse types, dates and coordinates; reject what cannot be used.

Each row gets the first reason in :data:`hotspots.schema.REASONS` that applies, or
none. Rows without a reason are projected to British National Grid and placed in a
district. Every step is vectorised: the same code serves ten rows and a million.

Date rules
----------
* ISO 8601 (``2024-07-25``, ``2024-07-25T14:30:00+01:00``): the calendar date as
  written is used; a time or offset does not move it.
* Month only (``2024-07``, as police.uk publishes): the event may fall on any day of
  that month, so ``date_start`` is the first and ``date_end`` the last day.
* Day and month with a four-digit year separated by ``/``, ``.`` or ``-``
  (``25/07/2024``, optionally followed by a time): with ``date_order="auto"`` each file
  is read day-first if any of its dates has a first field above 12, month-first if any
  has a second field above 12; a file with neither (every such date could be read both
  ways) is refused with a message asking for ``--date-order dmy`` or ``mdy``, and a
  file with both is refused as mixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import InputError
from hotspots.params import AnalysisParams, EventTypes

_ISO = r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]\S*)?$"
_MONTH = r"^(\d{4})-(\d{2})$"
_SLASHED = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ,]+\d{1,2}:\d{2}(?::\d{2})?)?$"

#: Great Britain and its waters in WGS84 and British National Grid: points outside these
#: boxes whose swapped coordinates fall inside were written in the wrong order.
GB_LAT = (49.0, 61.5)
GB_LON = (-9.0, 2.5)
BNG_EASTING = (0.0, 700_000.0)
BNG_NORTHING = (0.0, 1_300_000.0)


@dataclass(frozen=True)
class Validated:
    """The outcome of validation."""

    valid: pd.DataFrame  # usable rows: raw columns + role, date_start, date_end, x_m, y_m, area
    rejected: pd.DataFrame  # raw columns + reason
    rows_with_coordinates: int  # rows whose coordinates were usable (for the geocoding rate)
    study_codes: tuple[str, ...]  # area codes of the study area, sorted


def validate(
    raw: pd.DataFrame,
    types: EventTypes,
    params: AnalysisParams,
    areas: object,
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
    """
    n = len(raw)
    reason = np.full(n, "", dtype=object)

    def reject(mask: np.ndarray, why: str) -> None:
        assert mask.dtype == bool  # an integer array here would index rows, not select them
        reason[(reason == "") & mask] = why

    ids = raw[schema.COL_ID].astype(str).str.strip()
    reject((ids == "").to_numpy(), schema.REASON_MISSING_ID)
    reject((ids.duplicated(keep="first") & (ids != "")).to_numpy(), schema.REASON_DUPLICATE_ID)

    type_text = raw[schema.COL_TYPE].astype(str).str.strip()
    folded = type_text.str.casefold()
    canonical = folded.map(types.lookup())
    ignored = folded.isin(types.ignored).to_numpy()
    reject((type_text == "").to_numpy(), schema.REASON_MISSING_TYPE)
    unknown = canonical.isna().to_numpy() & ~ignored
    if types.ignore_others:
        reject(ignored | unknown, schema.REASON_TYPE_NOT_ANALYSED)
    else:
        reject(unknown, schema.REASON_UNKNOWN_TYPE)
        reject(ignored, schema.REASON_TYPE_NOT_ANALYSED)

    start, end, date_reason = parse_dates(raw, params.date_order)
    reject(date_reason == schema.REASON_MISSING_DATE, schema.REASON_MISSING_DATE)
    reject(date_reason == schema.REASON_BAD_DATE, schema.REASON_BAD_DATE)

    x_m, y_m, coord_reason = project_coordinates(raw)
    has_coords = coord_reason == ""
    for why in (
        schema.REASON_MISSING_COORDS,
        schema.REASON_NON_NUMERIC_COORDS,
        schema.REASON_NOT_POINT,
        schema.REASON_ZERO_COORDS,
        schema.REASON_SWAPPED_COORDS,
        schema.REASON_INVALID_COORDS,
    ):
        reject(coord_reason == why, why)

    code, name = _place(x_m, y_m, has_coords, areas, params)
    reject(has_coords & (code == ""), schema.REASON_OUTSIDE_AREA)
    ok = reason == ""
    study = _study_codes(areas, params, code[ok])
    reject(ok & ~np.isin(code, list(study)), schema.REASON_OUTSIDE_AREA)
    ok = reason == ""

    valid = raw.loc[ok, [schema.COL_SOURCE, schema.COL_ROW]].copy()
    valid[schema.COL_ID] = ids[ok].to_numpy()
    valid[schema.COL_TYPE] = canonical[ok].to_numpy()
    valid[schema.COL_ROLE] = canonical[ok].map(types.roles).to_numpy()
    valid[schema.COL_DATE_START] = start[ok]
    valid[schema.COL_DATE_END] = end[ok]
    valid[schema.COL_X] = x_m[ok]
    valid[schema.COL_Y] = y_m[ok]
    valid[schema.COL_AREA_CODE] = code[ok]
    valid[schema.COL_AREA_NAME] = name[ok]
    valid = valid.reset_index(drop=True)

    rejected = raw.loc[~ok, [schema.COL_SOURCE, schema.COL_ROW]].copy()
    rejected[schema.COL_REASON] = reason[~ok]
    for column in schema.RAW_COLUMNS:
        rejected[column] = raw.loc[~ok, column].to_numpy()
    rejected = rejected.reset_index(drop=True)
    return Validated(valid, rejected, int(has_coords.sum()), tuple(sorted(study)))


# --- dates ------------------------------------------------------------------------------------


def parse_dates(raw: pd.DataFrame, date_order: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last day each row's date can mean, and a reason for rows without one.

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
    text = raw[schema.COL_DATE].astype(str).str.strip()
    n = len(text)
    year = np.zeros(n, dtype=np.int64)
    month = np.zeros(n, dtype=np.int64)
    day = np.zeros(n, dtype=np.int64)
    month_only = np.zeros(n, dtype=bool)

    iso = text.str.extract(_ISO)
    found = iso[0].notna().to_numpy()
    year[found], month[found], day[found] = (iso.loc[found, i].astype(np.int64) for i in range(3))

    monthly = text.str.extract(_MONTH)
    is_month = monthly[0].notna().to_numpy()
    year[is_month] = monthly.loc[is_month, 0].astype(np.int64)
    month[is_month] = monthly.loc[is_month, 1].astype(np.int64)
    day[is_month] = 1
    month_only[is_month] = True

    slashed = text.str.extract(_SLASHED)
    is_slashed = slashed[0].notna().to_numpy()
    if is_slashed.any():
        first = slashed[0].fillna("0").astype(np.int64).to_numpy()
        second = slashed[1].fillna("0").astype(np.int64).to_numpy()
        day_first = _day_first(raw[schema.COL_SOURCE].to_numpy(), first, second, is_slashed, text, date_order)
        year[is_slashed] = slashed.loc[is_slashed, 2].astype(np.int64)
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
    reason = np.where(text.to_numpy() == "", schema.REASON_MISSING_DATE, np.where(valid, "", schema.REASON_BAD_DATE))
    return start, end, reason.astype(object)


def _to_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray, parsed: np.ndarray) -> np.ndarray:
    """Calendar dates; NaT for impossible ones (month 13, 30 February, year 0)."""
    out = np.full(len(year), np.datetime64("NaT"), dtype="datetime64[D]")
    ok = parsed & (year >= 1) & (year <= 9999) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    first = (year[ok] - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month[ok] - 1)
    candidate = first.astype("datetime64[D]") + (day[ok] - 1)
    same_month = candidate.astype("datetime64[M]") == first
    out_ok = np.flatnonzero(ok)
    out[out_ok[same_month]] = candidate[same_month]
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
    for source in pd.unique(sources[is_slashed]):
        rows = is_slashed & (sources == source)
        proves_dmy = rows & (first > 12) & (second <= 12)
        proves_mdy = rows & (second > 12) & (first <= 12)
        if proves_dmy.any() and proves_mdy.any():
            a, b = text[proves_dmy].iloc[0], text[proves_mdy].iloc[0]
            raise InputError(
                f"{source}: dates mix day-first ({a!r}) and month-first ({b!r}) order; "
                "correct the file, or choose one reading with --date-order dmy or --date-order mdy "
                "(rows that do not fit it are rejected as unparseable_date)"
            )
        if proves_mdy.any():
            result[rows] = False
        elif not proves_dmy.any():
            ambiguous = rows & (first != second)
            if ambiguous.any():
                example = text[ambiguous].iloc[0]
                raise InputError(
                    f"{source}: dates such as {example!r} could be day-first or month-first and no date "
                    "in the file settles it; say which with --date-order dmy (UK, 25/07/2024) "
                    "or --date-order mdy (US, 07/25/2024)"
                )
    return result


# --- coordinates --------------------------------------------------------------------------------


def _numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse coordinate text; returns (value, is_blank, is_bad)."""
    text = values.astype(str).str.strip().str.replace(r"\s+", "", regex=True)
    # A decimal comma ("52,6284") is how many European locales write numbers.
    decimal_comma = text.str.fullmatch(r"[-+]?\d+,\d+")
    text = text.where(~decimal_comma, text.str.replace(",", ".", regex=False))
    blank = (text == "").to_numpy()
    number = pd.to_numeric(text.where(text.str.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"), None), errors="coerce")
    value = number.to_numpy(dtype=float)
    bad = ~blank & ~np.isfinite(value)
    return value, blank, bad


def project_coordinates(raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Easting and northing in EPSG:27700 for each row, and a reason where impossible."""
    from pyproj import Transformer

    n = len(raw)
    reason = np.full(n, "", dtype=object)
    x, x_blank, x_bad = _numbers(raw[schema.COL_X_RAW])
    y, y_blank, y_bad = _numbers(raw[schema.COL_Y_RAW])
    kind = raw[schema.COL_GEOM_KIND].astype(str).to_numpy() if schema.COL_GEOM_KIND in raw else np.full(n, "")
    not_point = (kind != "") & (kind != "point") & (kind != "empty")

    def mark(mask: np.ndarray, why: str) -> None:
        reason[(reason == "") & mask] = why

    mark(not_point, schema.REASON_NOT_POINT)
    mark(x_blank | y_blank, schema.REASON_MISSING_COORDS)
    mark(x_bad | y_bad, schema.REASON_NON_NUMERIC_COORDS)
    mark((x == 0) & (y == 0), schema.REASON_ZERO_COORDS)

    crs = raw[schema.COL_CRS].astype(str).to_numpy()
    x_m = np.full(n, np.nan)
    y_m = np.full(n, np.nan)
    for code in pd.unique(crs):
        rows = (crs == code) & (reason == "")
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
        sub = reason[rows]
        sub[(sub == "") & swapped] = schema.REASON_SWAPPED_COORDS
        sub[(sub == "") & out_of_range] = schema.REASON_INVALID_COORDS
        reason[rows] = sub
        rows = (crs == code) & (reason == "")
        if code == schema.CRS_METRIC:
            x_m[rows], y_m[rows] = x[rows], y[rows]
            continue
        try:
            transformer = Transformer.from_crs(code, schema.CRS_METRIC, always_xy=True)
        except Exception:
            raise InputError(f"unknown coordinate reference system {code!r}; give an EPSG code such as EPSG:27700") from None
        px, py = transformer.transform(x[rows], y[rows], errcheck=False)
        x_m[rows], y_m[rows] = px, py
    unprojectable = (reason == "") & ~(np.isfinite(x_m) & np.isfinite(y_m))
    reason[unprojectable] = schema.REASON_INVALID_COORDS
    return x_m, y_m, reason


def _inside(values: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    return (values >= bounds[0]) & (values <= bounds[1])


# --- districts ----------------------------------------------------------------------------------


def _place(
    x_m: np.ndarray, y_m: np.ndarray, usable: np.ndarray, areas: object, params: AnalysisParams
) -> tuple[np.ndarray, np.ndarray]:
    """District code and name holding each usable point ('' where none)."""
    import shapely

    n = len(x_m)
    code = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    rows = np.flatnonzero(usable)
    if len(rows) == 0:
        return code, name
    polygons = np.asarray(areas.geometry.values)  # type: ignore[attr-defined]
    codes = areas[schema.COL_AREA_CODE].to_numpy()  # type: ignore[index]
    names = areas[schema.COL_AREA_NAME].to_numpy()  # type: ignore[index]
    tree = shapely.STRtree(polygons)
    points = shapely.points(x_m[rows], y_m[rows])
    point_idx, area_idx = tree.query(points, predicate="intersects")
    # A point on a shared border intersects two districts: keep the first by area order.
    order = np.lexsort((area_idx, point_idx))
    point_idx, area_idx = point_idx[order], area_idx[order]
    first = np.unique(point_idx, return_index=True)[1]
    point_idx, area_idx = point_idx[first], area_idx[first]
    code[rows[point_idx]] = codes[area_idx]
    name[rows[point_idx]] = names[area_idx]
    # Generalised coastlines leave real seafront points just outside every polygon.
    missing = np.setdiff1d(np.arange(len(rows)), point_idx)
    if len(missing) and params.coast_tolerance_m > 0:
        near_point, near_area = tree.query_nearest(
            points[missing], max_distance=params.coast_tolerance_m, all_matches=False
        )
        code[rows[missing[near_point]]] = codes[near_area]
        name[rows[missing[near_point]]] = names[near_area]
    return code, name


def _study_codes(areas: object, params: AnalysisParams, event_codes: np.ndarray) -> set[str]:
    """The area codes of the study area: as configured, else every district with events."""
    if not params.study_area:
        return set(event_codes.tolist())
    return resolve_study_area(areas, params.study_area)


def resolve_study_area(areas: object, wanted: tuple[str, ...]) -> set[str]:
    """Area codes for study-area entries given as codes or names (case-insensitive)."""
    codes = areas[schema.COL_AREA_CODE].astype(str)  # type: ignore[index]
    names = areas[schema.COL_AREA_NAME].astype(str)  # type: ignore[index]
    by_key = {c.casefold(): c for c in codes}
    by_key.update({nm.casefold(): c for nm, c in zip(names, codes, strict=True)})
    unknown = [w for w in wanted if w.strip().casefold() not in by_key]
    if unknown:
        raise InputError(
            f"study area: no district named or coded {', '.join(repr(u) for u in unknown)} "
            "in the boundaries; use names or codes from areas.csv (e.g. 'Norwich' or 'E07000148')"
        )
    return {by_key[w.strip().casefold()] for w in wanted}
