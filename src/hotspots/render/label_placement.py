"""Which map labels to hide at which zoom so that no two labels overlap (deterministic).

District names and town names are drawn at fixed points; at county zoom "Norwich" the district
and "Norwich" the city, or "Broadland" and "Norwich", land on top of one another. Leaflet does
not place labels, so the page decides here, once, in Python: for each zoom level the
labels are projected to Web Mercator pixels (Leaflet's default CRS, 256 px tiles) and placed in
priority order; a label whose box (estimated from its text and type size, plus a margin)
overlaps one already placed is hidden at that zoom. Zooms go in quarters, the page's zoom
step; at a zoom in between, the page applies the quarter below (labels only move apart as one
zooms in). The browser does no placement of its own, and the same input gives the same bytes.

Text width is estimated, not measured: :data:`EM_PER_CHAR` of the font size per character,
set for DejaVu Sans (the widest common sans-serif; a narrower font only leaves more room).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "EM_PER_CHAR",
    "MARGIN_PX",
    "ZOOMS",
    "ZOOM_STEP",
    "LabelBox",
    "hidden_zooms",
    "pixel_xy",
    "text_box",
]

#: Average advance of a character, in ems, by font weight (regular, bold): DejaVu Sans.
EM_PER_CHAR: Final = {False: 0.62, True: 0.70}
#: Space kept clear around every label (pixels, each side).
MARGIN_PX: Final = 2.0
#: The zoom levels placed: the world (0) to street scale (18) in quarters, the page's zoom
#: step (``zoomSnap``: a page opens fitted to its study area at a quarter zoom).
ZOOM_STEP: Final = 0.25
ZOOMS: Final = tuple(k * ZOOM_STEP for k in range(int(18 / ZOOM_STEP) + 1))
#: From this zoom every label shows (villages from 12), so once a level has no collision,
#: no higher level has one: boxes only move apart. Placement stops there.
_ALL_SHOWN_ZOOM: Final = 12.0
_TILE_PX: Final = 256.0


@dataclass(frozen=True)
class LabelBox:
    """One label: where, how big on the screen, and from which zoom it shows at all.

    Attributes
    ----------
    lat, lon
        The label's anchor (WGS84); the box is centred on it.
    width_px, height_px
        The text's box on the screen.
    min_zoom
        Zoom from which the page shows the label (towns from 10, villages from 12); below it
        the label takes no room.
    """

    lat: float
    lon: float
    width_px: float
    height_px: float
    min_zoom: int = 0


def text_box(text: str, size_px: float, *, bold: bool = False, line: float = 1.1) -> tuple[float, float]:
    """Estimated (width, height) in pixels of one line of `text` at `size_px`."""
    return len(text) * size_px * EM_PER_CHAR[bold], size_px * line


def pixel_xy(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at `zoom` (Leaflet's EPSG:3857, y down)."""
    scale = _TILE_PX * 2.0**zoom
    lat = max(min(lat, 85.05112878), -85.05112878)
    sin = math.sin(math.radians(lat))
    x = (lon + 180.0) / 360.0 * scale
    y = (0.5 - math.log((1 + sin) / (1 - sin)) / (4 * math.pi)) * scale
    return x, y


def hidden_zooms(
    labels: Sequence[LabelBox], zooms: Sequence[float] = ZOOMS
) -> list[tuple[float, ...]]:
    """For each label, the zooms at which it is hidden because it would overlap another.

    Parameters
    ----------
    labels
        In priority order: an earlier label is never hidden by a later one.
    zooms
        Zoom levels to place, ascending.

    Returns
    -------
    list of tuple of float
        Aligned with `labels`: the zooms (ascending) at which the label is hidden. A label
        below its `min_zoom` is not listed there (the page hides it anyway).
    """
    hidden: list[list[float]] = [[] for _ in labels]
    for zoom in zooms:
        clashes = 0
        # Boxes placed so far, indexed by the grid cells (of the largest label's size) they touch.
        cell = max((max(b.width_px, b.height_px) for b in labels), default=1.0) + 2 * MARGIN_PX
        grid: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
        for k, label in enumerate(labels):
            if zoom < label.min_zoom or not (math.isfinite(label.lat) and math.isfinite(label.lon)):
                continue
            x, y = pixel_xy(label.lat, label.lon, zoom)
            half_w = label.width_px / 2 + MARGIN_PX
            half_h = label.height_px / 2 + MARGIN_PX
            box = (x - half_w, y - half_h, x + half_w, y + half_h)
            cx, cy = int(x // cell), int(y // cell)
            clash = any(
                box[0] < other[2] and other[0] < box[2] and box[1] < other[3] and other[1] < box[3]
                for dx in (-1, 0, 1)
                for dy in (-1, 0, 1)
                for other in grid.get((cx + dx, cy + dy), ())
            )
            if clash:
                hidden[k].append(zoom)
                clashes += 1
            else:
                grid.setdefault((cx, cy), []).append(box)
        if clashes == 0 and zoom >= _ALL_SHOWN_ZOOM:
            break
    return [tuple(z) for z in hidden]
