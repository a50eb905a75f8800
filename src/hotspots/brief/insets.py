"""Street-scale inset maps of the top priorities: where exactly to send a patrol.

The county figure shows where the priorities are; at that scale a 400 m footprint is a dot. This
figure gives each of the first :data:`INSETS` priorities its own panel at street scale (about
:data:`EXTENT_M` across): the footprint (internal audience) or only its 1 km National Grid square
(wide audience: no footprint, no centre point), the 1 km grid lines with their numbers, district
boundaries, other hotspots in view and, when the geography module's place list is available,
the names of nearby places. Each panel is titled with the rank and the OS grid reference and has
its own scale bar; north is up. Deterministic PNG bytes, like the county figure.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

import matplotlib.patheffects as path_effects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from hotspots import schema
from hotspots.brief.figure import (
    BOUNDARY_COLOUR,
    FIGURE_DPI,
    STATUS_COLOURS,
    fill_polygons,
    marking_bands,
)
from hotspots.gridref import grid_reference
from hotspots.render import palette
from hotspots.render.png import png_bytes, private_figure

if TYPE_CHECKING:
    from hotspots.brief.content import MapFeature

__all__ = ["EXTENT_M", "INSETS", "INSET_SIZE_IN", "render_insets"]

#: How many priorities get a panel.
INSETS: Final = 5
#: Smallest side of a panel's view, metres: a few streets around a 400 m footprint.
EXTENT_M: Final = 1600.0
#: Figure size (3 x 2 panels; the sixth cell holds the key).
INSET_SIZE_IN: Final = (7.0, 5.2)
_BAND = 0.035
_GRID_COLOUR: Final = "#b8b8b8"  # the 1 km National Grid lines


def _places() -> Any | None:
    """The geography module's place table, or None until that module exists."""
    try:
        module = importlib.import_module("hotspots.places")
        return module.load_places()
    except (ImportError, AttributeError):
        return None


def _view(feature: MapFeature, wide: bool) -> tuple[float, float, float, float]:
    """A square view centred on the hotspot, at least EXTENT_M, holding the whole shape."""
    geometry = feature.geometry
    if geometry is not None and not geometry.is_empty:
        minx, miny, maxx, maxy = geometry.bounds
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half = max(EXTENT_M / 2, (maxx - minx) / 2 + 250, (maxy - miny) / 2 + 250)
    else:
        cx, cy, half = feature.x_m, feature.y_m, EXTENT_M / 2
    if wide:
        half = max(half, 1000.0)
    return cx - half, cy - half, cx + half, cy + half


def _grid_lines(axes: Any, view: tuple[float, float, float, float]) -> None:
    """The 1 km lines in view, each numbered (km within its 100 km square) along the top or left."""
    minx, miny, maxx, maxy = view
    for x in range(math.ceil(minx / 1000) * 1000, int(maxx) + 1, 1000):
        axes.axvline(x, color=_GRID_COLOUR, linewidth=0.5, zorder=0)
        _grid_number(axes, x, (x, maxy), below=True)
    for y in range(math.ceil(miny / 1000) * 1000, int(maxy) + 1, 1000):
        axes.axhline(y, color=_GRID_COLOUR, linewidth=0.5, zorder=0)
        _grid_number(axes, y, (minx, y), below=False)


def _grid_number(axes: Any, metres: int, at: tuple[float, float], *, below: bool) -> None:
    """Write a grid line's two-digit km number at ``at``, just below it or just above it."""
    axes.annotate(
        f"{(metres % 100_000) // 1000:02d}",
        at,
        xytext=(2, -2 if below else 2),
        textcoords="offset points",
        ha="left",
        va="top" if below else "bottom",
        fontsize=5.5,
        color="#777777",
        annotation_clip=False,
    )


def _draw_shape(axes: Any, feature: MapFeature, emphasis: bool) -> None:
    colour = STATUS_COLOURS.get(feature.status, palette.OTHER)
    fill_polygons(
        axes,
        feature.geometry,
        colour,
        alpha=0.5 if emphasis else 0.25,
        linewidth=1.6 if emphasis else 0.7,
        zorder=3 if emphasis else 2,
    )


def _scale_bar(axes: Any, view: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, _maxy = view
    length = 500 if (maxx - minx) >= 1500 else 200
    x0, y0 = minx + (maxx - minx) * 0.05, miny + (maxx - minx) * 0.05
    axes.plot([x0, x0 + length], [y0, y0], color="black", linewidth=2.2, zorder=6)
    axes.annotate(
        f"{length} m",
        (x0 + length / 2, y0),
        xytext=(0, 2),
        textcoords="offset points",
        ha="center",
        va="bottom",
        fontsize=6,
        zorder=6,
        path_effects=[path_effects.withStroke(linewidth=2, foreground="white")],
    )


def _place_names(axes: Any, places: Any, view: tuple[float, float, float, float]) -> None:
    if places is None or len(places) == 0:
        return
    minx, miny, maxx, maxy = view
    inside = places[
        (places["x_m"] >= minx)
        & (places["x_m"] <= maxx)
        & (places["y_m"] >= miny)
        & (places["y_m"] <= maxy)
    ].sort_values(["size_class", "name"], kind="stable")
    for row in inside.head(8).itertuples(index=False):
        axes.annotate(
            str(row.name),
            (float(row.x_m), float(row.y_m)),
            ha="center",
            va="center",
            fontsize=6.5,
            style="italic",
            color="#222222",
            zorder=5,
            path_effects=[path_effects.withStroke(linewidth=2.2, foreground="white")],
        )


def render_insets(
    boundaries: Any | None,
    priority: Sequence[MapFeature],
    others: Sequence[MapFeature],
    *,
    wide: bool,
    marking: str = "",
    places: Any | None = None,
) -> bytes | None:
    """Render the street-scale panels of the first `INSETS` priorities as PNG bytes.

    Parameters
    ----------
    boundaries
        District polygons (GeoSeries, EPSG:27700), or None.
    priority
        The priorities in rank order (footprints, or 1 km squares for the wide audience).
    others
        Every hotspot drawn (faintly) when it falls in a panel's view.
    wide
        Wide audience: the 1 km square only, titled with its 4-figure grid reference.
    marking
        Protective marking, drawn in bands at the top and bottom of the image.
    places
        The place table (name, x_m, y_m, size_class); the geography module's when None.

    Returns
    -------
    bytes or None
        The PNG, or None when there is no priority to show.
    """
    shown = [f for f in priority[:INSETS] if math.isfinite(f.x_m) and math.isfinite(f.y_m)]
    if not shown:
        return None
    places = _places() if places is None else places
    with private_figure(INSET_SIZE_IN, FIGURE_DPI) as figure:
        band = _BAND if marking.strip() else 0.0
        height = 1.0 - 2 * band
        for index in range(6):
            col, row = index % 3, index // 3
            rect = (
                0.01 + col * 0.33,
                band + height * (0.5 - row * 0.5) + 0.01,
                0.31,
                height * 0.5 - 0.06,
            )
            axes = figure.add_axes(rect)
            axes.set_aspect("equal")
            axes.set_xticks([])
            axes.set_yticks([])
            if index >= len(shown):
                axes.set_axis_off()
                if index == 5 or index == len(shown):
                    _key(axes, wide, {f.status for f in shown})
                continue
            feature = shown[index]
            view = _view(feature, wide)
            _grid_lines(axes, view)
            if boundaries is not None and len(boundaries):
                boundaries.boundary.plot(ax=axes, color=BOUNDARY_COLOUR, linewidth=0.8, zorder=1)
            for other in others:
                if other is not feature and other.geometry is not None:
                    _draw_shape(axes, other, emphasis=False)
            _draw_shape(axes, feature, emphasis=True)
            _place_names(axes, places, view)
            axes.set_xlim(view[0], view[2])
            axes.set_ylim(view[1], view[3])
            axes.set_xlabel("")  # geopandas labels the axes "Easting [metre]"
            axes.set_ylabel("")
            _scale_bar(axes, view)
            axes.annotate(
                "N ↑",
                xy=(0.97, 0.97),
                xycoords="axes fraction",
                ha="right",
                va="top",
                fontsize=7,
                fontweight="bold",
                path_effects=[path_effects.withStroke(linewidth=2, foreground="white")],
            )
            reference = grid_reference(feature.x_m, feature.y_m, 4 if wide else 8)
            where = f"{reference} (1 km square)" if wide else reference
            axes.set_title(f"{feature.label or index + 1} · {where}", fontsize=8, pad=2)
        if band:
            marking_bands(figure, marking, band)
        return png_bytes(figure)


def _key(axes: Any, wide: bool, statuses: set[str]) -> None:
    shape = "1 km square holding the hotspot" if wide else "hotspot footprint"
    handles: list[Any] = [
        Patch(
            facecolor=STATUS_COLOURS[status],
            alpha=0.5,
            label=f"{'Thin' if status == schema.STATUS_THIN else 'Covered'}: {shape}",
        )
        for status in (schema.STATUS_THIN, schema.STATUS_COVERED)
        if status in statuses
    ]
    handles += [
        Patch(facecolor="#999999", alpha=0.25, label="Other hotspots in view"),
        Line2D([], [], color=BOUNDARY_COLOUR, linewidth=0.8, label="District boundary"),
        Line2D([], [], color=_GRID_COLOUR, linewidth=0.5, label="1 km National Grid lines"),
    ]
    axes.legend(handles=handles, loc="center", fontsize=6.5, frameon=False)
