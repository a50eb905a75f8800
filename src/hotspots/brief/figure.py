"""Draw the briefing's static map: district boundaries and hotspots, as deterministic PNG bytes.

No tiles and no network: the figure is drawn from the boundaries and hotspot shapes alone, at a
fixed size and resolution, through :mod:`hotspots.render.png` (a private canvas, matplotlib's
default style, no ``Software`` tag): equal content gives equal bytes as long as matplotlib and its
bundled DejaVu fonts stay at the same version.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import matplotlib.patheffects as path_effects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from hotspots import schema
from hotspots.render import palette
from hotspots.render.png import png_bytes, private_figure

if TYPE_CHECKING:
    from hotspots.brief.content import MapFeature

__all__ = [
    "BOUNDARY_COLOUR",
    "FIGURE_DPI",
    "FIGURE_SIZE_IN",
    "STATUS_COLOURS",
    "fill_polygons",
    "marking_bands",
    "render_figure",
]

#: Width and height in inches: fits the A4 text width (about 180 mm) with room for the legend.
FIGURE_SIZE_IN: Final = (7.0, 5.6)
FIGURE_DPI: Final = 150
#: Fill colours by status: the same as every map page (hotspots.render.palette).
STATUS_COLOURS: Final = dict(palette.STATUS_COLOURS)
_OTHER_COLOUR = palette.OTHER
#: District boundary lines, in this figure and the street-scale insets.
BOUNDARY_COLOUR: Final = "#5a5a5a"
_MARKER_HALF_PT = 3.0  # half the marker's size, with its white edge
_MARKING_BAND = 0.04  # height of each marking band, as a fraction of the figure
_SCALE_STEPS_M = (500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


def render_figure(
    boundaries: Any | None,
    area_labels: Sequence[tuple[str, Any]],
    features: Sequence[MapFeature],
    *,
    wide: bool,
    marking: str = "",
) -> bytes:
    """Render the map figure as PNG bytes.

    Parameters
    ----------
    boundaries
        District polygons (a GeoSeries in EPSG:27700), or None for none.
    area_labels
        ``(district name, polygon)`` pairs; each name is written at a point inside its polygon.
    features
        Hotspots to draw: footprints (internal) or grid squares (wide), coloured by status and
        labelled with their ``label`` (rank) when it is not empty.
    wide
        Whether the features are grid squares; changes the legend wording.
    marking
        Protective marking, drawn in a band at the top and bottom of the image itself, so the
        PNG carries it when it travels on its own (``briefing.png``).

    Returns
    -------
    bytes
        A PNG of :data:`FIGURE_SIZE_IN` at :data:`FIGURE_DPI`.
    """
    # A district name with characters the bundled DejaVu font lacks (CJK, emoji) draws them as
    # boxes; matplotlib's "Glyph ... missing" warning would print past --quiet for every label.
    with private_figure(FIGURE_SIZE_IN, FIGURE_DPI) as figure, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from")
        band = _MARKING_BAND if marking.strip() else 0.0
        axes = figure.add_axes((0.01, 0.01 + band, 0.98, 0.98 - 2 * band))
        axes.set_aspect("equal")
        axes.set_axis_off()

        bounds = _extent(boundaries, features)
        if boundaries is not None and len(boundaries):
            boundaries.boundary.plot(ax=axes, color=BOUNDARY_COLOUR, linewidth=0.7, zorder=1)
        for name, polygon in area_labels:
            if name and polygon is not None and not polygon.is_empty:
                point = polygon.representative_point()
                axes.annotate(
                    name,
                    (point.x, point.y),
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#6a6a6a",
                    style="italic",
                    zorder=2,
                    annotation_clip=True,
                )

        for feature in features:
            _draw_feature(axes, feature, wide)
        if bounds is not None:
            _label_features(axes, features, bounds)

        if bounds is None:
            axes.text(0.5, 0.5, "No districts or hotspots to show", ha="center", va="center")
        else:
            minx, miny, maxx, maxy = bounds
            axes.set_xlim(minx, maxx)
            axes.set_ylim(miny, maxy)
            _scale_bar(axes, bounds)
            _north_arrow(axes)
        _legend(axes, wide, {f.status for f in features})
        if band:
            marking_bands(figure, marking, band)
        return png_bytes(figure)


def _extent(boundaries: Any | None, features: Sequence[MapFeature]) -> tuple[float, ...] | None:
    """Map bounds: the districts (or, without them, the hotspots), padded and made 5:4."""
    if boundaries is not None and len(boundaries):
        minx, miny, maxx, maxy = (float(v) for v in boundaries.total_bounds)
    else:
        shapes = [
            f.geometry for f in features if f.geometry is not None and not f.geometry.is_empty
        ]
        if not shapes:
            return None
        xs = [b for s in shapes for b in (s.bounds[0], s.bounds[2])]
        ys = [b for s in shapes for b in (s.bounds[1], s.bounds[3])]
        minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    if not all(math.isfinite(v) for v in (minx, miny, maxx, maxy)):
        return None
    pad = max(maxx - minx, maxy - miny, 2000.0) * 0.04
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    # Widen the short side so the axes fill the figure's aspect ratio and the legend has room.
    aspect = FIGURE_SIZE_IN[0] / FIGURE_SIZE_IN[1]
    width, height = maxx - minx, maxy - miny
    if width / height < aspect:
        extra = (height * aspect - width) / 2
        minx, maxx = minx - extra, maxx + extra
    else:
        extra = (width / aspect - height) / 2
        miny, maxy = miny - extra, maxy + extra
    return minx, miny, maxx, maxy


def fill_polygons(
    axes: Any, geometry: Any | None, colour: str, *, alpha: float, linewidth: float, zorder: int
) -> None:
    """Fill each polygon of a Polygon or MultiPolygon in ``colour``, edged in the same colour.

    Nothing is drawn for a missing or empty geometry, nor for parts that are not polygons.
    """
    if geometry is None or geometry.is_empty:
        return
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon":
            continue
        xs, ys = polygon.exterior.xy
        axes.fill(
            list(xs),
            list(ys),
            facecolor=colour,
            alpha=alpha,
            edgecolor=colour,
            linewidth=linewidth,
            zorder=zorder,
        )


def _draw_feature(axes: Any, feature: MapFeature, wide: bool) -> None:
    colour = STATUS_COLOURS.get(feature.status, _OTHER_COLOUR)
    fill_polygons(axes, feature.geometry, colour, alpha=0.45, linewidth=0.8, zorder=3)
    if math.isfinite(feature.x_m) and math.isfinite(feature.y_m):
        # Footprints are a few hundred metres across on a map tens of kilometres wide: a marker
        # keeps every hotspot visible. In the wide figure it marks the square's centre only.
        axes.plot(
            [feature.x_m],
            [feature.y_m],
            marker="s" if wide else "o",
            markersize=5,
            color=colour,
            markeredgecolor="white",
            markeredgewidth=0.5,
            zorder=4,
        )


def _label_features(axes: Any, features: Sequence[MapFeature], bounds: tuple[float, ...]) -> None:
    """Write each rank beside its hotspot, moving it round the marker to avoid earlier labels.

    Hotspots a few hundred metres apart sit on top of each other at county scale; trying four
    corners in rank order keeps the numbers readable and the result deterministic.
    """
    minx, _miny, maxx, _maxy = bounds
    points_per_m = FIGURE_SIZE_IN[0] * 0.98 * 72 / (maxx - minx)
    located = [f for f in features if math.isfinite(f.x_m) and math.isfinite(f.y_m)]
    marker_boxes = {
        id(f): (
            f.x_m * points_per_m - _MARKER_HALF_PT,
            f.y_m * points_per_m - _MARKER_HALF_PT,
            f.x_m * points_per_m + _MARKER_HALF_PT,
            f.y_m * points_per_m + _MARKER_HALF_PT,
        )
        for f in located
    }
    placed: list[tuple[float, float, float, float]] = []
    for feature in located:
        if not feature.label:
            continue
        # A label may not cover an earlier label or another hotspot's marker.
        obstacles = placed + [box for key, box in marker_boxes.items() if key != id(feature)]
        x_pt, y_pt = feature.x_m * points_per_m, feature.y_m * points_per_m
        width, height = 5.2 * len(feature.label) + 1, 8.0
        candidates = [
            (3.0, 2.0),
            (-3.0 - width, 2.0),
            (3.0, -2.0 - height),
            (-3.0 - width, -2.0 - height),
        ]
        chosen = candidates[0]
        for dx, dy in candidates:
            box = (x_pt + dx, y_pt + dy, x_pt + dx + width, y_pt + dy + height)
            if not any(_overlap(box, other) for other in obstacles):
                chosen = (dx, dy)
                break
        dx, dy = chosen
        placed.append((x_pt + dx, y_pt + dy, x_pt + dx + width, y_pt + dy + height))
        axes.annotate(
            feature.label,
            (feature.x_m, feature.y_m),
            xytext=chosen,
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=8,
            fontweight="bold",
            color="#111111",
            zorder=5,
            path_effects=[path_effects.withStroke(linewidth=2.2, foreground="white")],
        )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _scale_bar(axes: Any, bounds: tuple[float, ...]) -> None:
    minx, miny, maxx, maxy = bounds
    target = (maxx - minx) / 5
    length = max((s for s in _SCALE_STEPS_M if s <= target), default=_SCALE_STEPS_M[0])
    x0 = minx + (maxx - minx) * 0.04
    y0 = miny + (maxy - miny) * 0.04
    axes.plot(
        [x0, x0 + length], [y0, y0], color="black", linewidth=2.5, solid_capstyle="butt", zorder=6
    )
    label = f"{length // 1000} km" if length >= 1000 else f"{length} m"
    axes.annotate(
        label,
        (x0 + length / 2, y0),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=7,
        zorder=6,
    )


def _north_arrow(axes: Any) -> None:
    axes.annotate(
        "N",
        xy=(0.96, 0.97),
        xytext=(0.96, 0.88),
        xycoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "linewidth": 1.2},
        zorder=6,
    )


def marking_bands(figure: Any, marking: str, band: float) -> None:
    """The marking in white capitals on black bands across the top and bottom of the image."""
    text = marking.strip().upper()
    for y in (0.0, 1.0 - band):
        figure.patches.append(
            Rectangle(
                (0, y), 1, band, transform=figure.transFigure, facecolor="#1a1a1a", zorder=10
            )
        )
        figure.text(
            0.5,
            y + band / 2,
            text,
            ha="center",
            va="center",
            color="white",
            fontsize=8,
            fontweight="bold",
            zorder=11,
        )


def _legend(axes: Any, wide: bool, statuses: set[str] | None = None) -> None:
    """Only what the figure shows: a status without a hotspot gets no legend patch."""
    shape = "1 km square" if wide else "hotspot"
    shown = {schema.STATUS_THIN, schema.STATUS_COVERED} if statuses is None else statuses
    handles: list[Any] = [
        Patch(
            facecolor=STATUS_COLOURS[status],
            alpha=0.6,
            label=f"{'Thin coverage' if status == schema.STATUS_THIN else 'Covered'} {shape}",
        )
        for status in (schema.STATUS_THIN, schema.STATUS_COVERED)
        if status in shown
    ]
    handles.append(
        Line2D([], [], color=BOUNDARY_COLOUR, linewidth=0.8, label="District boundary")
    )
    axes.legend(handles=handles, loc="upper left", fontsize=7, frameon=True, framealpha=0.9)
