"""Event layers of the coverage map: points, or counts per grid cell above a limit.

Drawn only when ``show_points`` is on (the points are victims' addresses). Points are one
MultiPoint per role (about 21 bytes an event) and cells one MultiPolygon per count class, drawn
on one canvas in a pane above the polygons, not as an SVG element each.
"""

from __future__ import annotations

from typing import Any, Final, cast

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template
from folium.utilities import JsCode

from hotspots import schema
from hotspots.render import palette
from hotspots.render.features import compact_json, lonlat, style_by
from hotspots.render.offline import PreparedGeoJson
from hotspots.render.page import html_text as _text

__all__ = [
    "EVENT_LAYERS",
    "GRID_CELL_M",
    "GRID_CLASSES",
    "EventCanvas",
    "add_grid_layers",
    "add_point_layers",
]

#: Side of the aggregation cells in metres (British National Grid squares).
GRID_CELL_M: Final = 500
#: Grid cells: count classes (lower bounds) and the fill opacity of each.
GRID_CLASSES: Final = ((1, 0.25), (5, 0.45), (20, 0.65), (100, 0.85))

_CANVAS_RENDERER: Final = "hotspots_canvas_renderer"
_EVENTS_PANE: Final = "hotspotsEvents"


class EventCanvas(MacroElement):
    """A pane above the polygons holding one shared canvas for every event point or cell.

    Leaflet puts all canvases below all SVG (``.leaflet-map-pane canvas {z-index: 100}``), so
    points drawn on the overlay pane would sit under the hotspot fills. The pane ignores the
    mouse, so tooltips of the footprints underneath keep working. Add it to the map before
    the layers that use it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this._parent.get_name() }}.createPane({{ this.pane|tojson }});
            var {{ this.renderer }} = L.canvas({
                padding: 0.5, pane: {{ this.pane|tojson }}
            });
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "EventCanvas"
        self.pane = _EVENTS_PANE
        self.renderer = _CANVAS_RENDERER


def _canvas_marker(colour: str, radius: float) -> folium.CircleMarker:
    marker = folium.CircleMarker(
        radius=radius, color="#ffffff", weight=1, fill_color=colour, fill_opacity=1.0
    )
    # One shared canvas for every point: thousands of SVG circles would make panning crawl.
    options = cast(dict[str, Any], marker.options)
    options["renderer"] = JsCode(_CANVAS_RENDERER)
    options["interactive"] = False
    return marker


EVENT_LAYERS: Final = (
    (schema.ROLE_HARM, "Harm events", palette.HARM_POINT),
    (schema.ROLE_ENFORCEMENT, "Enforcement events", palette.ENFORCEMENT_POINT),
)


def add_point_layers(m: folium.Map, events: pd.DataFrame) -> None:
    """One MultiPoint per role: ~20 bytes an event instead of ~90 for a Feature each."""
    for role, name, colour in EVENT_LAYERS:
        subset = events[events[schema.COL_ROLE] == role]
        group = folium.FeatureGroup(name=_text(name), show=True).add_to(m)
        if len(subset) == 0:
            continue
        lon, lat = lonlat(subset[schema.COL_X].to_numpy(), subset[schema.COL_Y].to_numpy())
        data = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {},
                    "geometry": {
                        "type": "MultiPoint",
                        "coordinates": np.column_stack([lon, lat]).tolist(),
                    },
                }
            ],
        }
        PreparedGeoJson(
            compact_json(data),
            [],
            name=_text(name),
            control=False,
            marker=_canvas_marker(colour, 4),
        ).add_to(group)


def add_grid_layers(m: folium.Map, events: pd.DataFrame) -> None:
    """Counts of events per GRID_CELL_M square of the British National Grid, one layer per role."""
    for role, name, colour in EVENT_LAYERS:
        subset = events[events[schema.COL_ROLE] == role]
        label = f"{name} per {GRID_CELL_M} m cell"
        group = folium.FeatureGroup(name=_text(label), show=True).add_to(m)
        if len(subset) == 0:
            continue
        cells = np.floor(
            np.column_stack(
                [subset[schema.COL_X].to_numpy(float), subset[schema.COL_Y].to_numpy(float)]
            )
            / GRID_CELL_M
        ).astype(np.int64)
        # One int64 per cell, column-major, so the unique cells come out in (column, row)
        # order; np.unique(axis=0) would sort the pairs ten times slower.
        low = cells.min(axis=0)
        rows = int(cells[:, 1].max() - low[1]) + 1
        packed, counts = np.unique(
            (cells[:, 0] - low[0]) * rows + (cells[:, 1] - low[1]), return_counts=True
        )
        x0 = (packed // rows + low[0]).astype(float) * GRID_CELL_M
        y0 = (packed % rows + low[1]).astype(float) * GRID_CELL_M
        corners = [
            (x0, y0),
            (x0 + GRID_CELL_M, y0),
            (x0 + GRID_CELL_M, y0 + GRID_CELL_M),
            (x0, y0 + GRID_CELL_M),
            (x0, y0),
        ]
        # (cell, corner, lon/lat): each cell's closed ring, as nested lists in one step.
        rings = np.stack([np.column_stack(lonlat(cx, cy)) for cx, cy in corners], axis=1)
        squares = rings[:, np.newaxis].tolist()  # a polygon is a list of rings
        # One MultiPolygon per count class: no per-cell feature, id or style entry, so a
        # county of cells costs about 110 bytes a cell.
        lower = np.array([bound for bound, _opacity in GRID_CLASSES])
        classes = np.searchsorted(lower, counts, side="right") - 1
        features = [
            {
                "type": "Feature",
                "id": int(cls),
                "properties": {"cls": int(cls), "cells": int((classes == cls).sum())},
                "geometry": {
                    "type": "MultiPolygon",
                    "coordinates": [squares[i] for i in np.flatnonzero(classes == cls)],
                },
            }
            for cls in np.unique(classes)
        ]
        styles = {
            cls: {
                "fillColor": colour,
                "fillOpacity": opacity,
                "color": colour,
                "weight": 0.5,
                "opacity": 0.8,
            }
            for cls, (_lower, opacity) in enumerate(GRID_CLASSES)
        }
        PreparedGeoJson(
            compact_json({"type": "FeatureCollection", "features": features}),
            ["cls", "cells"],
            name=_text(label),
            control=False,
            style=style_by("cls", styles),
            renderer=JsCode(_CANVAS_RENDERER),
            interactive=False,
        ).add_to(group)
