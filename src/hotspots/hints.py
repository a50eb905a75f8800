"""Say what is probably wrong when most coordinates of a file fail the same way.

A row-by-row reason (``coordinates_swapped``, ``outside_study_area``) is right for a stray
row; when most rows of a file fail alike, the file has one fault with one fix, and the user
should be told that fix: latitude and longitude columns exchanged, easting and northing
columns exchanged, or eastings and northings written in kilometres (``620.123``) or with a
thousands comma (``620,123``, read as a decimal comma). `coordinate_hints` returns those
notes for the summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from hotspots import schema

__all__ = ["coordinate_hints"]

#: Share of a file's rows that must fail alike before the file, not the rows, is blamed.
MOST: Final = 0.5
#: Fewest rows for a hint: one or two odd rows are just odd rows.
FEWEST: Final = 3


def coordinate_hints(
    raw: pd.DataFrame,
    reasons: np.ndarray,
    x_m: np.ndarray,
    y_m: np.ndarray,
    fits_swapped: np.ndarray | None = None,
    headers: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[str, ...]:
    """Notes naming a whole-file coordinate fault and its fix.

    Parameters
    ----------
    raw
        The raw rows (``source_file``, ``crs``, ``x_raw``/``y_raw`` columns).
    reasons
        Each row's rejection reason ("" when kept).
    x_m, y_m
        Each row's coordinates as read (metres in EPSG:27700; NaN where unusable).
    fits_swapped
        Rows rejected for their place whose easting and northing, exchanged, lie inside the
        boundaries (or GB's grid); none when not given.
    headers
        Each source's x and y headers (easting and northing here); "" for a geometry.

    Returns
    -------
    tuple of str
        One note per file and fault.
    """
    notes: list[str] = []
    sources = raw[schema.COL_SOURCE].astype(str).to_numpy()
    crs = raw[schema.COL_CRS].astype(str).to_numpy()
    fits = np.zeros(len(raw), dtype=bool) if fits_swapped is None else fits_swapped
    headers = headers or {}
    for source in dict.fromkeys(sources.tolist()):
        mine = sources == source
        web = mine & (crs == schema.CRS_WEB)
        swapped = web & (reasons == schema.REASON_SWAPPED_COORDS)
        if swapped.sum() >= FEWEST and swapped.sum() >= MOST * web.sum():
            lon, lat = headers.get(source) or ("", "")
            if lon and lat:
                where = f"the {lat!r} column holds longitudes and the {lon!r} column latitudes"
                fix = f'[columns] lat = "{lon}", lon = "{lat}"'
            else:
                where = "the file's latitude column holds longitudes"
                fix = '[columns] lat = "<your longitude header>", lon = "<your latitude header>"'
            notes.append(
                f"{source}: {int(swapped.sum()):,} of {int(web.sum()):,} rows have latitude and "
                f"longitude the wrong way round (coordinates_swapped): {where}. Fix: exchange "
                f"the two column headers, or map them in a config: {fix}"
            )
        metric = mine & (crs == schema.CRS_METRIC)
        turned = metric & fits
        if turned.sum() >= FEWEST and turned.sum() >= MOST * metric.sum():
            notes.append(_swapped_grid_note(raw, source, turned, metric, headers.get(source)))
        grid = metric & np.isfinite(x_m) & np.isfinite(y_m)
        small = grid & (np.abs(x_m) < 1000) & (np.abs(y_m) < 1500) & (reasons != "")
        if small.sum() >= FEWEST and small.sum() >= MOST * grid.sum():
            first = int(np.flatnonzero(small)[0])
            example = f"{raw[schema.COL_X_RAW].iloc[first]}, {raw[schema.COL_Y_RAW].iloc[first]}"
            notes.append(
                f"{source}: {int(small.sum()):,} of {int(grid.sum()):,} rows have easting and "
                f"northing under 1,000 and 1,500 (first: {example}): they look like kilometres, "
                "or like metres written with a thousands comma (620,123 reads as 620.123). Fix: "
                "write eastings and northings in metres without separators (620123, 308720)"
            )
    return tuple(notes)


def _swapped_grid_note(
    raw: pd.DataFrame, source: str, turned: np.ndarray, metric: np.ndarray, names: tuple[str, str] | None
) -> str:
    """The note for a file whose easting and northing columns are exchanged."""
    first = int(np.flatnonzero(turned)[0])
    x_raw, y_raw = raw[schema.COL_X_RAW].iloc[first], raw[schema.COL_Y_RAW].iloc[first]
    east, north = names if names and all(names) else ("", "")
    if east:
        where = f"the {east!r} column holds northings and the {north!r} column eastings"
        # x/y columns with a crs are mapped as x and y; others as easting and northing.
        keys = ("x", "y") if (east.casefold(), north.casefold()) == ("x", "y") else ("easting", "northing")
        fix = (
            f"exchange the two column headers, or map them in a config: [columns] "
            f'{keys[0]} = "{north}", {keys[1]} = "{east}"'
        )
    else:  # points of a spatial file: no header to map
        where = "the points' x holds northings and their y eastings"
        fix = "rebuild the points with x and y exchanged (x = easting, y = northing)"
    return (
        f"{source}: {int(turned.sum()):,} of {int(metric.sum()):,} rows have easting and northing "
        f"the wrong way round: {where} (first: {x_raw}, {y_raw}; read the other way round, "
        f"the rows lie in Great Britain). Fix: {fix}"
    )
