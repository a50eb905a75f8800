"""The basemap choice (``--tiles``): parsed and checked once, before any work.

``none`` (the default) draws no basemap and makes no network request; ``osm`` is
OpenStreetMap's standard tiles with the attribution its licence requires; anything else must
be an ``http(s)`` URL template with ``{z}``, ``{x}`` and ``{y}`` and no other braces than
Leaflet's own placeholders (``{s}``, ``{r}``).

Why other braces are refused: folium (through branca) compiles each element's rendered
script as a new Jinja template, so a URL holding ``{{ 7*7 }}`` would be *evaluated* while the
page is built (``…?k=49``), with full Python access. Refusing such a value when the
parameters are created keeps every renderer safe and fails before any data is read.

This module imports nothing heavy: `hotspots.params` validates with it on creation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from hotspots.errors import ConfigError

#: OpenStreetMap's standard tile server and the attribution its tile usage policy requires.
OSM_URL: Final = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION: Final = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
OSM_MAX_ZOOM: Final = 19

#: The placeholders Leaflet fills in a tile URL; no other brace may appear.
TILE_PLACEHOLDERS: Final = frozenset({"{s}", "{z}", "{x}", "{y}", "{r}"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True)
class Basemap:
    """A tile layer to draw under a map.

    ``attribution_html`` is set (trusted HTML, a link to the licence) for ``osm`` only; for
    other servers renderers write ``Map tiles: <host>``, escaping ``host`` (it comes from
    the user) as they escape every value.
    """

    url: str
    host: str  # the tile server's host name, without a leading "{s}."
    attribution_html: str | None = None
    max_zoom: int | None = None  # None: the renderer's default


def basemap_from_tiles(tiles: str) -> Basemap | None:
    """The basemap a ``tiles`` value asks for; None for ``"none"``.

    Raises
    ------
    ConfigError
        ``tiles`` is not ``none``, ``osm`` or a well-formed http(s) tile URL template.
    """
    if not isinstance(tiles, str):
        raise ConfigError(f"tiles: expected 'none', 'osm' or a tile URL template, got {tiles!r}")
    choice = tiles.strip()
    if choice.lower() == "none":
        return None
    if choice.lower() == "osm":
        return Basemap(OSM_URL, "tile.openstreetmap.org", OSM_ATTRIBUTION, OSM_MAX_ZOOM)
    parts = urlsplit(choice)
    placeholders = set(_PLACEHOLDER.findall(choice))
    well_formed = (
        {"{z}", "{x}", "{y}"} <= placeholders <= TILE_PLACEHOLDERS
        and choice.count("{") == choice.count("}") == len(_PLACEHOLDER.findall(choice))
        and not re.search(r"[\s\"'<>\\`]", choice)
    )
    if parts.scheme not in ("https", "http") or not parts.hostname or not well_formed:
        raise ConfigError(
            f"tiles: expected 'none', 'osm' or a tile URL template such as "
            f"https://tile.example.org/{{z}}/{{x}}/{{y}}.png (http or https, with {{z}}, {{x}} "
            f"and {{y}}; no placeholders but {{s}} {{z}} {{x}} {{y}} {{r}}, no spaces or quotes), "
            f"got {tiles!r}"
        )
    host = re.sub(r"^\{s\}\.", "", parts.hostname)
    return Basemap(choice, host)
