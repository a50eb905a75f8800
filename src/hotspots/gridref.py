"""Ordnance Survey National Grid references from British National Grid metres.

Officers read locations as grid references (``TG 230 085``), not as raw eastings and
northings, so briefings and data-quality lists print them this way.
"""

from __future__ import annotations

import math

# The 500 km squares (first letter) and 100 km squares (second letter) skip "I".
_LETTERS = "ABCDEFGHJKLMNOPQRSTUVWXYZ"


def grid_reference(x_m: float, y_m: float, digits: int = 6) -> str:
    """The OS grid reference of a point, e.g. ``"TG 230 085"``.

    Parameters
    ----------
    x_m, y_m
        Easting and northing in metres (EPSG:27700).
    digits
        Total digits of the numeric part: 6 gives 100 m precision, 8 gives 10 m,
        10 gives 1 m.

    Returns
    -------
    str
        Two letters and the easting and northing digits separated by spaces, or
        ``""`` when the point lies outside the grid (0-700 km east, 0-1300 km north)
        or is not finite.
    """
    if digits not in (2, 4, 6, 8, 10):
        raise ValueError(f"digits must be 2, 4, 6, 8 or 10, got {digits}")
    if not (math.isfinite(x_m) and math.isfinite(y_m)):
        return ""
    if not (0 <= x_m < 700_000 and 0 <= y_m < 1_300_000):
        return ""
    e100k, n100k = int(x_m // 100_000), int(y_m // 100_000)
    # The false origin of the grid is square SV; letters count from square VV (west, south).
    first = (19 - n100k) - (19 - n100k) % 5 + (e100k + 10) // 5
    second = ((19 - n100k) * 5) % 25 + e100k % 5
    half = digits // 2
    scale = 10 ** (5 - half)
    east = int(x_m % 100_000) // scale
    north = int(y_m % 100_000) // scale
    return f"{_LETTERS[first]}{_LETTERS[second]} {east:0{half}d} {north:0{half}d}"
