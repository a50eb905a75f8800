"""The coverage-gap surface as a transparent PNG over a web map, with its colour scale.

Leaflet places an image by two latitude/longitude corners and stretches it in Web Mercator,
so the British National Grid raster is first resampled onto a Web Mercator grid (nearest
cell: every pixel shows one surface cell's value, unblended).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hotspots import schema
from hotspots.render.page import LegendEntry, LegendSection
from hotspots.surface import Surfaces

if TYPE_CHECKING:
    import folium

#: ColorBrewer PuOr, a diverging scheme legible under the common colour-vision deficiencies:
#: oranges where harm outruns enforcement (thin), purples where enforcement outruns harm.
THIN_COLOURS = ("#fee0b6", "#fdb863", "#e08214", "#b35806")
COVERED_COLOURS = ("#d8daeb", "#b2abd2", "#8073ac", "#542788")
#: Class breaks as fractions of the scale; |gap| under the first is drawn transparent.
BREAK_FRACTIONS = (0.1, 0.25, 0.5, 1.0)
#: Opacity of a coloured pixel (0-255): the districts and hotspots stay visible beneath.
ALPHA = 160
#: The Leaflet pane the surfaces are drawn in.
SURFACE_PANE = "hotspots-surface"


@dataclass(frozen=True)
class ColourScale:
    """Breaks of the gap surface's colour classes, in harm events per km²."""

    scale: float  # the top break: |gap| at or above it takes the darkest class

    @property
    def breaks(self) -> tuple[float, ...]:
        """Upper bounds of each class on either side of zero."""
        return tuple(round(self.scale * f, 3) for f in BREAK_FRACTIONS)

    def legend(self, change: bool = False) -> list[tuple[str, str]]:
        """(colour, words) rows, the orange (thin, or gap grown) side first."""
        b = self.breaks
        up, down = ("gap grew by", "gap shrank by") if change else ("thin:", "covered:")
        units = ("harm per km²",) * 2 if change else ("unmatched harm per km²", "per km² beyond the thin ratio")

        def words(side: str, unit: str, i: int) -> str:
            if i < len(b) - 1:
                return f"{side} {b[i]:g}-{b[i + 1]:g} {unit}"
            return f"{side} {b[i]:g} or more {unit}"

        rows = [(c, words(up, units[0], i)) for i, c in reversed(list(enumerate(THIN_COLOURS)))]
        rows += [(c, words(down, units[1], i)) for i, c in enumerate(COVERED_COLOURS)]
        return rows


def colour_scale(*gaps: np.ndarray) -> ColourScale:
    """One scale for every surface given (both periods of a comparison share it).

    The top break is the 98th percentile of |gap| over the cells of all surfaces where it is
    not zero, so one extreme cell does not wash every other out; rounded up to 2 significant
    figures so the legend reads cleanly.
    """
    values = np.concatenate([np.abs(g[np.isfinite(g)]).ravel() for g in gaps]) if gaps else np.array([])
    values = values[values > 0]
    top = float(np.percentile(values, 98)) if len(values) else 1.0
    digits = -int(np.floor(np.log10(top))) + 1 if top > 0 else 0
    return ColourScale(scale=float(np.ceil(top * 10**digits) / 10**digits) if top > 0 else 1.0)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def rgba(gap: np.ndarray, scale: ColourScale) -> np.ndarray:
    """(ny, nx, 4) uint8 image of a gap band: classed colours, transparent near zero and outside."""
    out = np.zeros((*gap.shape, 4), dtype=np.uint8)
    finite = np.isfinite(gap)
    magnitude = np.where(finite, np.abs(gap), 0.0)
    # Class k holds breaks[k] <= |gap| < breaks[k + 1]; the last class is open above.
    cls = np.searchsorted(np.array(scale.breaks[1:]), magnitude, side="right")
    visible = finite & (magnitude >= scale.breaks[0])
    for side, colours in ((gap > 0, THIN_COLOURS), (gap < 0, COVERED_COLOURS)):
        for k, colour in enumerate(colours):
            pick = visible & side & (cls == k)
            out[pick, :3] = _hex(colour)
            out[pick, 3] = ALPHA
    return out


def web_image(surfaces: Surfaces, band: np.ndarray, scale: ColourScale) -> tuple[str, list[list[float]]]:
    """A ``data:image/png`` URI of ``band`` in Web Mercator and its [[south, west], [north, east]]."""
    from PIL import Image
    from pyproj import Transformer
    from rasterio.crs import CRS
    from rasterio.transform import from_origin
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    g = surfaces.grid
    src_transform = from_origin(g.x0, g.y1, g.cell_m, g.cell_m)
    west, south, east, north = g.bounds
    dst_transform, width, height = calculate_default_transform(
        CRS.from_string(schema.CRS_METRIC), CRS.from_epsg(3857), g.nx, g.ny, west, south, east, north
    )
    target = np.full((height, width), np.nan, dtype="float64")
    reproject(
        source=np.asarray(band, dtype="float64"), destination=target, src_transform=src_transform,
        src_crs=schema.CRS_METRIC, dst_transform=dst_transform, dst_crs="EPSG:3857",
        resampling=Resampling.nearest, src_nodata=np.nan, dst_nodata=np.nan,
    )
    image = Image.fromarray(rgba(target, scale), mode="RGBA")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)  # no text chunks: the same bytes every run
    to_lonlat = Transformer.from_crs("EPSG:3857", schema.CRS_WEB, always_xy=True)
    x0, y1 = dst_transform.c, dst_transform.f
    x1, y0 = x0 + width * dst_transform.a, y1 + height * dst_transform.e
    lon0, lat0 = to_lonlat.transform(x0, y0)
    lon1, lat1 = to_lonlat.transform(x1, y1)
    uri = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return uri, [[round(lat0, 6), round(lon0, 6)], [round(lat1, 6), round(lon1, 6)]]


@dataclass(frozen=True)
class ImageOverlay:
    """A raster drawn over the map: its layer name, image, corners and legend."""

    name: str
    uri: str  # data:image/png;base64,...
    bounds: list[list[float]]  # [[south, west], [north, east]]
    legend_title: str
    legend: list[tuple[str, str]]  # (colour, words)
    note: str  # one sentence: what it is and how it was made


def gap_overlay(surfaces: Surfaces, scale: ColourScale, *, name: str = "Coverage-gap surface",
                band: np.ndarray | None = None) -> ImageOverlay:
    """The coverage-gap band of ``surfaces`` as an overlay; ``band``: a change of the gap instead."""
    change = band is not None
    uri, bounds = web_image(surfaces, band if band is not None else surfaces.gap, scale)
    note = (
        f"Harm density minus enforcement density / thin ratio {surfaces.thin_ratio:g}, per km²: "
        f"quartic kernel, bandwidth {surfaces.bandwidth_m:g} m, {surfaces.grid.cell_m:g} m cells, "
        "edge-corrected at the study-area edge. "
    )
    note += (
        "Current period's gap minus the earlier period's: orange where the gap grew, purple where it shrank."
        if change else "Orange: harm outruns enforcement (thin); purple: covered."
    )
    note += f" Cells under {scale.breaks[0]:g} per km² either way are not drawn."
    if not change:
        note += f" Scale top {scale.scale:g} per km² (98th percentile of |gap|)."
    return ImageOverlay(name=name, uri=uri, bounds=bounds, legend_title=name, legend=scale.legend(change),
                        note=note)


def overlay_legend(overlays: Sequence[ImageOverlay]) -> list[LegendSection]:
    """One legend section per overlay, for the page frame (which escapes the text)."""
    return [
        LegendSection(
            f"{overlay.legend_title} (when switched on)",
            [LegendEntry(words, colour) for colour, words in overlay.legend],
            note=overlay.note,
        )
        for overlay in overlays
    ]


def add_overlays(m: folium.Map, overlays: Sequence[ImageOverlay]) -> None:
    """Add each overlay to a folium map as a layer that starts switched off."""
    from html import escape

    import folium

    if overlays:
        # Above the district and footprint fills (overlay pane, 400), below the rank markers
        # (600) and tooltips; the mouse passes through to the footprints' tooltips beneath.
        folium.map.CustomPane(SURFACE_PANE, z_index=450, pointer_events=False).add_to(m)
    for overlay in overlays:
        folium.raster_layers.ImageOverlay(
            image=overlay.uri, bounds=overlay.bounds, name=escape(overlay.name), show=False,
            interactive=False, pane=SURFACE_PANE,
        ).add_to(m)
