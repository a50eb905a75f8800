"""Say what is probably wrong when most coordinates of a file fail the same way.

A row-by-row reason (``coordinates_swapped``, ``outside_study_area``) is right for a stray
row; when most rows of a file fail alike, the file has one fault with one fix, and the user
should be told that fix: latitude and longitude columns exchanged, or eastings and northings
written in kilometres (``620.123``) or with a thousands comma (``620,123``, read as a decimal
comma). `coordinate_hints` returns those notes for the summary.
"""

from __future__ import annotations

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
    raw: pd.DataFrame, reasons: np.ndarray, x_m: np.ndarray, y_m: np.ndarray
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

    Returns
    -------
    tuple of str
        One note per file and fault.
    """
    notes: list[str] = []
    sources = raw[schema.COL_SOURCE].astype(str).to_numpy()
    crs = raw[schema.COL_CRS].astype(str).to_numpy()
    for source in dict.fromkeys(sources.tolist()):
        mine = sources == source
        web = mine & (crs == schema.CRS_WEB)
        swapped = web & (reasons == schema.REASON_SWAPPED_COORDS)
        if swapped.sum() >= FEWEST and swapped.sum() >= MOST * web.sum():
            notes.append(
                f"{source}: {int(swapped.sum()):,} of {int(web.sum()):,} rows have latitude and "
                "longitude the wrong way round (coordinates_swapped): the file's latitude column "
                "holds longitudes. Fix: exchange the two column headers, or map them in a config: "
                '[columns] lat = "<your longitude header>", lon = "<your latitude header>"'
            )
        grid = mine & (crs == schema.CRS_METRIC) & np.isfinite(x_m) & np.isfinite(y_m)
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
