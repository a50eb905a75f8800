"""Town and village names on the map, offline, from the bundled place list.

With the default ``tiles = "none"`` the page has no street map, so a reader needs place names to
know where a hotspot is. The geography module (:mod:`hotspots.places`, issue 19) bundles places
with a size class (1 city, 2 town, 3 village); this module draws those inside the study area:
cities always, towns from :data:`TOWN_ZOOM`, villages from :data:`VILLAGE_ZOOM`, so the county
view is not buried in names. Without the geography module the map simply has no place names.

District names are drawn here too (:func:`add_map_labels`), because the two kinds collide: at
each zoom :func:`hotspots.render.label_placement.hidden_zooms` places district names first
(largest district first), then cities, towns and villages (as in the place list's order), and
a name that would overlap one already placed is hidden at that zoom.

The names travel as one JSON array (name, position, kind, width, a bit mask of the zooms at
which the name is hidden), and the page creates a marker only for the names shown at the
current zoom and near the view, after each zoom or pan: a county page holds hundreds of village
names that would otherwise each be a marker in the page's code and in the document, slowing
the page's opening (about 460 bytes of script per name).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any, Final

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from hotspots.render.features import lonlat
from hotspots.render.hotspot_symbols import data_json
from hotspots.render.label_placement import ZOOM_STEP, LabelBox, hidden_zooms, text_box
from hotspots.render.page import html_text

__all__ = [
    "MAX_PLACES",
    "TOWN_ZOOM",
    "VILLAGE_ZOOM",
    "add_map_labels",
    "add_place_labels",
    "label_rows",
    "load_place_table",
]

logger = logging.getLogger(__name__)

#: Zoom from which town (size class 2) and village (3) names show.
TOWN_ZOOM: Final = 10
VILLAGE_ZOOM: Final = 12
#: At most this many names go into one page (largest first): a national page stays small.
MAX_PLACES: Final = 3000

PLACE_CSS: Final = """
.hs-place { pointer-events: none; }
.hs-place span { display: block; text-align: center; white-space: nowrap; color: #222;
  font: 11px/1.1 system-ui, Arial, sans-serif; text-shadow: 0 0 2px #fff, 0 0 2px #fff,
  0 0 3px #fff; }
.hs-place-1 span { font-weight: 700; font-size: 13px; }
.hs-place-2 span { font-weight: 600; }
.hs-place-3 span { font-style: italic; color: #444; }
"""

#: Type sizes (px, bold) of the labels, as in PLACE_CSS and page.py's ``.hs-area-label``.
_DISTRICT_TYPE: Final = (12.0, True)
_PLACE_TYPE: Final = {1: (13.0, True), 2: (11.0, True), 3: (11.0, False)}


def load_place_table() -> pd.DataFrame | None:
    """The bundled places (name, x_m, y_m, size_class), or None before the module exists."""
    try:
        places = importlib.import_module("hotspots.places")
    except ImportError:
        return None
    loader = getattr(places, "load_places", None)
    if loader is None:
        return None
    table = loader()
    needed = {"name", "x_m", "y_m", "size_class"}
    if not needed <= set(table.columns):
        logger.warning("places: expected columns %s, found %s", sorted(needed), list(table))
        return None
    return table


class _LabelLayer(MacroElement):
    """District and place names, created only when shown (see the module docstring)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var groups = [{{ this.districts }}, {{ this.places }}];
          // [name, lat, lon, kind (0 district, 1 city, 2 town, 3 village), icon width,
          //  quarter-zoom steps where "hidden, it would overlap another name" starts/stops]
          var names = {{ this.data_json }};
          var MIN_ZOOM = [0, 0, {{ this.town }}, {{ this.village }}];
          var made = {};
          var show = function () {
            // The quarter zoom below: names only move apart as the map zooms in.
            var z = map.getZoom(), step = Math.floor(z / {{ this.step }} + 1e-9);
            var view = map.getBounds().pad(0.5);
            var hidden = function (t) {
              var n = 0;
              while (n < t.length && t[n] <= step) { n++; }
              return n % 2 === 1;
            };
            names.forEach(function (r, k) {
              var wanted = z >= MIN_ZOOM[r[3]] && !hidden(r[5]) && view.contains([r[1], r[2]]);
              var group = groups[r[3] ? 1 : 0];
              if (wanted && !made[k]) {
                var span = document.createElement("span");
                span.textContent = r[0];
                made[k] = L.marker([r[1], r[2]], {
                  icon: L.divIcon({html: span, iconSize: [r[4], r[3] ? 14 : 16],
                                   iconAnchor: [r[4] / 2, r[3] ? 7 : 8],
                                   className: r[3] ? "hs-place hs-place-" + r[3]
                                                   : "hs-area-label"}),
                  interactive: false, keyboard: false
                });
                group.addLayer(made[k]);
              } else if (!wanted && made[k]) {
                group.removeLayer(made[k]);
                delete made[k];
              }
            });
          };
          map.on("zoomend moveend", show);
          show();
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: Sequence[Sequence[Any]],
        districts: folium.FeatureGroup | None,
        places: folium.FeatureGroup | None,
    ) -> None:
        super().__init__()
        self._name = "MapLabels"
        self.data_json = data_json(rows)
        # A kind of name the page does not have has no group (and no row uses it).
        self.districts = districts.get_name() if districts is not None else "null"
        self.places = places.get_name() if places is not None else "null"
        self.town = TOWN_ZOOM
        self.village = VILLAGE_ZOOM
        self.step = ZOOM_STEP


def _icon_width(estimate_px: float) -> int:
    """An even whole number of pixels at least the estimated text width."""
    return 2 * (int(estimate_px + 0.999) // 2 + 1)


def _toggles(zooms: Sequence[float]) -> list[int]:
    """Hidden zooms as the quarter-zoom steps where hiding starts and stops: ``[0, 36]`` is
    hidden from zoom 0 up to (not at) zoom 9."""
    steps = sorted({round(z / ZOOM_STEP) for z in zooms})
    out: list[int] = []
    for step in steps:
        if out and out[-1] == step:
            out[-1] = step + 1  # the run goes on
        else:
            out += [step, step + 1]
    return out


def add_map_labels(
    m: folium.Map,
    areas: gpd.GeoDataFrame | None,
    places: pd.DataFrame | None = None,
) -> int:
    """Add district names and the names of places inside the districts' bounds, never overlapping.

    Parameters
    ----------
    m
        The map.
    areas
        The study districts (EPSG:27700, ``area_name``); None or empty for place names only
        (then nothing is drawn: the bounds come from the districts).
    places
        The place table; `load_place_table()` when None.

    Returns
    -------
    int
        How many place names were drawn (0 when no place list is available).
    """
    if areas is None or len(areas) == 0:
        return 0
    return _add_labels(m, areas, areas.total_bounds.tolist(), places)


def add_place_labels(
    m: folium.Map, bounds_m: Sequence[float], places: pd.DataFrame | None = None
) -> int:
    """Add the names of places inside ``(xmin, ymin, xmax, ymax)`` (metres) as one layer.

    Parameters
    ----------
    m
        The map.
    bounds_m
        The study area's bounds in EPSG:27700.
    places
        The place table; `load_place_table()` when None.

    Returns
    -------
    int
        How many names were drawn (0 when no place list is available).
    """
    return _add_labels(m, None, bounds_m, places)


def _district_labels(areas: gpd.GeoDataFrame) -> list[tuple[str, float, float]]:
    """(name, lat, lon) of each district, largest district first (ties by name)."""
    geoms = areas.geometry.to_numpy()
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    points = shapely.point_on_surface(geoms[keep])
    lon, lat = lonlat(shapely.get_x(points), shapely.get_y(points))
    names = areas.loc[keep, "area_name"].astype(str).tolist()
    sizes = shapely.area(geoms[keep]).tolist()
    rows = list(zip(names, lat.tolist(), lon.tolist(), sizes, strict=True))
    # Placed and drawn largest first.
    order = sorted(range(len(rows)), key=lambda k: (-rows[k][3], rows[k][0]))
    return [rows[k][:3] for k in order]


def label_rows(
    areas: gpd.GeoDataFrame | None,
    bounds_m: Sequence[float],
    places: pd.DataFrame | None,
) -> list[list[Any]]:
    """The names the page carries, placed: what :class:`_LabelLayer` draws.

    Returns
    -------
    list of list
        ``[name, lat, lon, kind, icon width px, toggles]`` in placement order (districts,
        largest first, kind 0; then places by size class 1-3 and name); ``toggles`` are the
        quarter-zoom steps at which "hidden because it would overlap another name" starts
        and stops (`_toggles`).
    """
    districts = _district_labels(areas) if areas is not None and len(areas) else []
    table = load_place_table() if places is None else places
    rows: list[Any] = []
    if table is not None and len(table):
        xmin, ymin, xmax, ymax = bounds_m
        x = table["x_m"].to_numpy(float)
        y = table["y_m"].to_numpy(float)
        inside = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
        chosen = table[inside].copy()
        chosen["size_class"] = pd.to_numeric(chosen["size_class"], errors="coerce").fillna(3)
        chosen = chosen.sort_values(["size_class", "name"], kind="stable").head(MAX_PLACES)
        lon, lat = lonlat(chosen["x_m"].to_numpy(float), chosen["y_m"].to_numpy(float))
        rows = [
            (name, min(max(int(size), 1), 3), float(y_deg), float(x_deg))
            for name, size, y_deg, x_deg in zip(
                chosen["name"].astype(str), chosen["size_class"].astype(int), lat, lon, strict=True
            )
            if np.isfinite(y_deg) and np.isfinite(x_deg)
        ]
    if not districts and not rows:
        return []
    size_px, bold = _DISTRICT_TYPE
    boxes = [LabelBox(lat, lon, *text_box(name, size_px, bold=bold)) for name, lat, lon in districts]
    for name, size, lat, lon in rows:
        size_px, bold = _PLACE_TYPE[size]
        min_zoom = {1: 0, 2: TOWN_ZOOM, 3: VILLAGE_ZOOM}[size]
        boxes.append(LabelBox(lat, lon, *text_box(name, size_px, bold=bold), min_zoom=min_zoom))
    hidden = hidden_zooms(boxes)
    data = [
        [name, round(lat, 6), round(lon, 6), 0, _icon_width(box.width_px), _toggles(zooms)]
        for (name, lat, lon), box, zooms in zip(districts, boxes, hidden, strict=False)
    ]
    n = len(districts)
    data += [
        [name, round(lat, 6), round(lon, 6), size, _icon_width(box.width_px), _toggles(zooms)]
        for (name, size, lat, lon), box, zooms in zip(rows, boxes[n:], hidden[n:], strict=True)
    ]
    return data


def _add_labels(
    m: folium.Map,
    areas: gpd.GeoDataFrame | None,
    bounds_m: Sequence[float],
    places: pd.DataFrame | None,
) -> int:
    data = label_rows(areas, bounds_m, places)
    if not data:
        return 0
    districts = [r for r in data if r[3] == 0]
    rows = [r for r in data if r[3] != 0]
    # A layer (and an entry in the layer list) only for a kind of name the page has.
    district_group = place_group = None
    if districts:
        district_group = folium.FeatureGroup(name=html_text("District names"), show=True)
        district_group.add_to(m)
    if rows:
        place_group = folium.FeatureGroup(name=html_text("Place names"), show=True)
        place_group.add_to(m)
    _LabelLayer(data, district_group, place_group).add_to(m)
    return len(rows)
