"""Nearest postcode and postcode sector to points in British National Grid metres, offline.

The bundled file (``data/postcodes/postcodes_gb.npz``, built by ``scripts/build_postcodes.py``
from the ONS postcode directory of November 2025) holds about 1.75 million live postcodes in
Great Britain, sorted by 1 km grid cell. It is read on first use only, never at import, so
commands that need no postcode pay nothing (``benchmarks/bench_postcodes.py`` prints the
cost).

A postcode's *sector* is its outward code, a space and the first character of its inward
code: ``NR30 2PJ`` is in sector ``NR30 2`` (a few thousand addresses; fit for a wide
audience where a full postcode, a street or two, is not).
"""

from __future__ import annotations

import functools
import importlib.resources
import threading
from dataclasses import dataclass
from typing import Final

import numpy as np

from hotspots.errors import InputError

#: Attribution for any output that shows a postcode or sector from this file.
SOURCE: Final = (
    "Postcodes: ONS Postcode Directory (November 2025) and OS Code-Point Open (April 2025). "
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0; "
    "Contains OS data © Crown copyright and database right 2025; Contains Royal Mail data © "
    "Royal Mail copyright and database right 2025"
)
CELL_M: Final = 1000
CELLS_PER_ROW: Final = 1000
#: Farther than this from every postcode (out at sea, or outside Great Britain): no answer.
MAX_DISTANCE_M: Final = 20_000
_RESOURCE: Final = ("data", "postcodes", "postcodes_gb.npz")
_LOCK = threading.Lock()


@dataclass(frozen=True)
class PostcodeIndex:
    """The bundled postcodes, sorted by 1 km grid cell then postcode (see the build script)."""

    cells: np.ndarray  # int64, the occupied cells, sorted
    starts: np.ndarray  # int64, first row of each cell; len(cells) + 1
    x_m: np.ndarray  # int32 per postcode
    y_m: np.ndarray  # int32 per postcode
    unit: np.ndarray  # int32 per postcode, (a - 'A') * 26 + (b - 'A')
    sector: np.ndarray  # uint16 per postcode, index into sectors
    sectors: np.ndarray  # str, e.g. "NR30 2"

    def __len__(self) -> int:
        return int(self.x_m.size)

    def rows_in(self, first_cell: int, last_cell: int) -> tuple[int, int]:
        """Row range ``[lo, hi)`` of the postcodes in cells ``first_cell..last_cell``."""
        i0 = int(np.searchsorted(self.cells, first_cell, side="left"))
        i1 = int(np.searchsorted(self.cells, last_cell, side="right"))
        return int(self.starts[i0]), int(self.starts[i1])

    def postcode(self, i: np.ndarray) -> np.ndarray:
        """Formatted postcodes (``"NR30 2PJ"``) of rows ``i``."""
        a = (self.unit[i] // 26 + ord("A")).astype(np.uint32).view("U1")
        b = (self.unit[i] % 26 + ord("A")).astype(np.uint32).view("U1")
        return np.char.add(np.char.add(self.sectors[self.sector[i]].astype(str), a), b).astype(
            object
        )

    def sector_of(self, i: np.ndarray) -> np.ndarray:
        """Sectors (``"NR30 2"``) of rows ``i``."""
        return self.sectors[self.sector[i]].astype(object)


@functools.cache
def _load_cached() -> PostcodeIndex:
    resource = importlib.resources.files("hotspots").joinpath(*_RESOURCE)
    try:
        with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
            cells = npz["cells"].astype(np.int64)
            starts = npz["starts"].astype(np.int64)
            packed = npz["packed"]
            sector = npz["sector"]
            sectors = npz["sectors"]
    except FileNotFoundError:
        raise InputError(
            f"the bundled postcode file {'/'.join(_RESOURCE)} is missing from the installed "
            "package; reinstall hotspots"
        ) from None
    cell = np.repeat(cells, np.diff(starts))
    x = (cell % CELLS_PER_ROW * CELL_M + (packed & 0x3FF)).astype(np.int32)
    y = (cell // CELLS_PER_ROW * CELL_M + ((packed >> 10) & 0x3FF)).astype(np.int32)
    unit = (packed >> 20).astype(np.int32)
    return PostcodeIndex(cells, starts, x, y, unit, sector, sectors)


def load_postcodes() -> PostcodeIndex:
    """Read the bundled postcodes once per process (thread-safe)."""
    with _LOCK:
        return _load_cached()


def _nearest_one(index: PostcodeIndex, x: float, y: float) -> int:
    """Row of the postcode nearest (x, y); ties go to the lower row (lower postcode in a cell).

    Searches square rings of 1 km cells outwards and stops once no unsearched cell can hold
    anything nearer than the best found (every point of ring ``r + 1`` lies at least
    ``r * CELL_M`` metres away).
    """
    cx, cy = int(x // CELL_M), int(y // CELL_M)
    best_i, best_d2 = -1, np.inf
    max_ring = MAX_DISTANCE_M // CELL_M + 1
    for r in range(max_ring + 1):
        # Rings 0..r-1 are done; any point of ring r or beyond is >= (r - 1) km away. Strict
        # '<' so that an equally near postcode further out still gets its tie-break.
        if best_i >= 0 and best_d2 < ((r - 1) * CELL_M) ** 2:
            break
        rows = [cy] if r == 0 else range(cy - r, cy + r + 1)
        for row in rows:
            if row < 0:
                continue
            if r == 0 or row in (cy - r, cy + r):
                spans = [(cx - r, cx + r)]
            else:
                spans = [(cx - r, cx - r), (cx + r, cx + r)]
            for lo_x, hi_x in spans:
                lo_x = max(lo_x, 0)
                if hi_x < lo_x:
                    continue
                lo, hi = index.rows_in(row * CELLS_PER_ROW + lo_x, row * CELLS_PER_ROW + hi_x)
                if hi <= lo:
                    continue
                dx = index.x_m[lo:hi] - x
                dy = index.y_m[lo:hi] - y
                d2 = dx * dx + dy * dy
                k = int(np.argmin(d2))
                if d2[k] < best_d2 or (d2[k] == best_d2 and lo + k < best_i):
                    best_i, best_d2 = lo + k, float(d2[k])
    if best_i < 0 or best_d2 > MAX_DISTANCE_M**2:
        return -1
    return best_i


def nearest_rows(x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """Row in :func:`load_postcodes` of the nearest postcode to each point, -1 if none.

    Parameters
    ----------
    x_m, y_m
        Eastings and northings in metres (EPSG:27700), same length.
    """
    x = np.asarray(x_m, dtype=float).ravel()
    y = np.asarray(y_m, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x_m and y_m differ in length: {x.size} and {y.size}")
    index = load_postcodes()
    out = np.full(x.size, -1, dtype=np.int64)
    for k, (xi, yi) in enumerate(zip(x, y, strict=True)):
        if np.isfinite(xi) and np.isfinite(yi):
            out[k] = _nearest_one(index, float(xi), float(yi))
    return out


def nearest_postcodes(x_m: np.ndarray, y_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The nearest postcode and its sector for each point.

    Parameters
    ----------
    x_m, y_m
        Eastings and northings in metres (EPSG:27700).

    Returns
    -------
    tuple of numpy.ndarray
        ``(postcodes, sectors)``, object arrays of strings such as ``"NR30 2PJ"`` and
        ``"NR30 2"``; ``None`` where no postcode lies within ``MAX_DISTANCE_M`` (or the
        point is not finite). Equal distances go to the postcode first in grid-cell order.
    """
    rows = nearest_rows(x_m, y_m)
    postcodes = np.full(rows.size, None, dtype=object)
    sectors = np.full(rows.size, None, dtype=object)
    found = rows >= 0
    if found.any():
        index = load_postcodes()
        postcodes[found] = index.postcode(rows[found])
        sectors[found] = index.sector_of(rows[found])
    return postcodes, sectors
