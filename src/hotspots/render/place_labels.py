"""Town and village names on the map, offline, from the bundled place list.

With the default ``tiles = "none"`` the page has no street map, so a reader needs place names to
know where a hotspot is. The geography module (:mod:`hotspots.places`, issue 19) bundles places
with a size class (1 city, 2 town, 3 village); this module draws those inside the study area:
cities always, towns from :data:`TOWN_ZOOM`, villages from :data:`VILLAGE_ZOOM`, so the county
view is not buried in names. Without the geography module the map simply has no place names.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import Any, Final

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from hotspots.render.features import lonlat
from hotspots.render.page import html_text

__all__ = ["MAX_PLACES", "TOWN_ZOOM", "VILLAGE_ZOOM", "add_place_labels", "load_place_table"]

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
.hs-zoom-county .hs-place-2, .hs-zoom-county .hs-place-3, .hs-zoom-town .hs-place-3 {
  display: none; }
"""


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


class _ZoomClasses(MacroElement):
    """Puts ``hs-zoom-county``/``-town``/``-street`` on the map so CSS can thin the names."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var box = map.getContainer();
          var mark = function () {
            var z = map.getZoom();
            box.classList.toggle("hs-zoom-county", z < {{ this.town }});
            box.classList.toggle("hs-zoom-town", z >= {{ this.town }} && z < {{ this.village }});
          };
          map.on("zoomend", mark);
          mark();
        })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "PlaceZoomClasses"
        self.town = TOWN_ZOOM
        self.village = VILLAGE_ZOOM


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
    table = load_place_table() if places is None else places
    if table is None or len(table) == 0:
        return 0
    xmin, ymin, xmax, ymax = bounds_m
    x = table["x_m"].to_numpy(float)
    y = table["y_m"].to_numpy(float)
    inside = (x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax)
    chosen = table[inside].copy()
    chosen["size_class"] = pd.to_numeric(chosen["size_class"], errors="coerce").fillna(3)
    chosen = chosen.sort_values(["size_class", "name"], kind="stable").head(MAX_PLACES)
    if len(chosen) == 0:
        return 0
    group = folium.FeatureGroup(name=html_text("Place names"), show=True).add_to(m)
    lon, lat = lonlat(chosen["x_m"].to_numpy(float), chosen["y_m"].to_numpy(float))
    rows: list[Any] = list(
        zip(chosen["name"].astype(str), chosen["size_class"].astype(int), lat, lon, strict=True)
    )
    for name, size, y_deg, x_deg in rows:
        if not (np.isfinite(y_deg) and np.isfinite(x_deg)):
            continue
        folium.Marker(
            [float(y_deg), float(x_deg)],
            icon=folium.DivIcon(
                html=f"<span>{html_text(name)}</span>",
                icon_size=(140, 14),
                icon_anchor=(70, 7),
                class_name=f"hs-place hs-place-{min(max(size, 1), 3)}",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(group)
    _ZoomClasses().add_to(m)
    return len(rows)
