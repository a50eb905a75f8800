"""The one colour language of every page, figure and layer style: one class, one colour.

The coverage map, the comparison map, the briefing figure and the GeoPackage layer styles all
take their colours from here, so "thin" is the same vermillion wherever it appears and no colour
means two things. Colours are ``#RRGGBB`` strings (upper case), shown at full strength (district
fills are opaque when no tile layer is drawn).

How the colours were chosen
---------------------------
* **Hotspot classes** (status on the coverage map and in the period views; change class on the
  comparison map) are read on small symbols, so each must be told from every other one at a
  glance, also by readers with a colour-vision deficiency. They come from Okabe & Ito's
  colour-blind-safe set and Paul Tol's "muted" set: thin = vermillion, covered = blue (the
  colours of "act" and "in hand" used by the map since the start), new = yellow, intensified =
  wine, persistent = grey (nothing changed), diminished = sky blue, merged = indigo, split =
  green, resolved = black (drawn as a dashed outline).
* **District shades** are ordered classes and lean on lightness, which survives every
  colour-vision deficiency: harm in thin hotspots runs from a neutral light grey ("no thin
  hotspot") through three browns (ColorBrewer BrBG); the comparison's change in that harm is
  orange (rose significantly), purple (fell significantly), mid grey (no significant change)
  and the same light grey (no thin hotspot in either period).
* :data:`MIN_DELTA_E00` (10): ``tests/test_palette.py`` simulates deuteranopia, protanopia and
  tritanopia at full severity (Machado et al. 2009, through colorspacious) and fails when any
  two classes of one legend set (:data:`LEGEND_SETS`) come closer than this CIEDE2000 distance.
  ΔE00 ≈ 1 is a just-noticeable difference between large patches side by side; a map reader
  matches a 12-pixel symbol to a legend swatch across the screen, where a few units are not
  enough. 10 is the largest round figure that the Okabe-Ito set itself (min 10.9 under the
  three simulations) clears, so it asks as much of our classes as of the reference set for
  colour-blind-safe categories.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from hotspots import schema

__all__ = [
    "AREA_CHANGE_COLOURS",
    "AREA_CHANGE_FELL",
    "AREA_CHANGE_NONE",
    "AREA_CHANGE_NO_THIN",
    "AREA_CHANGE_ROSE",
    "AREA_HARM_COLOURS",
    "AREA_NO_THIN",
    "CHANGE_COLOURS",
    "CLUSTER_LINE",
    "ENFORCEMENT_POINT",
    "HARM_POINT",
    "LEGEND_SETS",
    "MIN_DELTA_E00",
    "OTHER",
    "STATUS_COLOURS",
    "STATUS_LINES",
    "TEXT",
]

#: Smallest CIEDE2000 distance between two classes of one legend set, in normal vision and
#: under simulated deuteranopia, protanopia and tritanopia (see the module docstring).
MIN_DELTA_E00: Final = 10.0

# --- hotspots ------------------------------------------------------------------------------
#: Fill of a hotspot by status.
STATUS_COLOURS: Final[Mapping[str, str]] = MappingProxyType(
    {schema.STATUS_THIN: "#D55E00", schema.STATUS_COVERED: "#0072B2"}
)
#: Outline of a hotspot by status: the fill darkened, so a footprint keeps its edge on any shade.
STATUS_LINES: Final[Mapping[str, str]] = MappingProxyType(
    {schema.STATUS_THIN: "#7A2E00", schema.STATUS_COVERED: "#003A5C"}
)
#: Fill of a hotspot by change class since the previous period (keys: compare.CHANGE_CLASSES).
CHANGE_COLOURS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "new": "#F0E442",
        "intensified": "#882255",
        "persistent": "#BBBBBB",
        "diminished": "#56B4E9",
        "merged": "#332288",
        "split": "#009E73",
        "resolved": "#000000",
    }
)
#: Anything without a class of its own (never expected; drawn rather than dropped).
OTHER: Final = "#7F7F7F"

# --- districts -----------------------------------------------------------------------------
#: District with no harm in thin hotspots: neutral, close to the plain map background.
AREA_NO_THIN: Final = "#F2F2F2"
#: Districts by harm in thin hotspots, fewest to most (three classes above "none").
AREA_HARM_COLOURS: Final[tuple[str, str, str]] = ("#EBD9B0", "#C9A66B", "#8C6D31")
#: Comparison: change in harm in thin hotspots, marked only where the count test is significant.
AREA_CHANGE_ROSE: Final = "rose"
AREA_CHANGE_FELL: Final = "fell"
AREA_CHANGE_NONE: Final = "no significant change"
AREA_CHANGE_NO_THIN: Final = "no thin hotspot in either period"
AREA_CHANGE_COLOURS: Final[Mapping[str, str]] = MappingProxyType(
    {
        AREA_CHANGE_ROSE: "#E08214",
        AREA_CHANGE_FELL: "#8073AC",
        AREA_CHANGE_NONE: "#BDBDBD",
        AREA_CHANGE_NO_THIN: AREA_NO_THIN,
    }
)

# --- other marks ---------------------------------------------------------------------------
#: Enforcement-cluster outline (dashed), district edges and text.
#: Coverage-gap surface ramps (ColorBrewer PuOr, lightest first): oranges where harm outruns
#: enforcement (thin, or the gap grew), purples where enforcement outruns harm (covered, or the
#: gap shrank) - the same sides as the comparison's district classes "rose" and "fell".
SURFACE_THIN: Final[tuple[str, str, str, str]] = ("#FEE0B6", "#FDB863", "#E08214", "#B35806")
SURFACE_COVERED: Final[tuple[str, str, str, str]] = ("#D8DAEB", "#B2ABD2", "#8073AC", "#542788")

CLUSTER_LINE: Final = "#222222"
TEXT: Final = "#1A1A1A"
#: Event points (only when asked for): Tol's purple and green, apart from the hotspot classes.
HARM_POINT: Final = "#AA3377"
ENFORCEMENT_POINT: Final = "#228833"

#: The sets of classes a reader must tell apart from one another, by legend. Hotspot classes
#: form one set across pages (a status and a change class never share a colour); each district
#: scale is its own set (a different mark: a large area under the hotspots).
LEGEND_SETS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "hotspots": MappingProxyType(
            {**{f"status {k}": v for k, v in STATUS_COLOURS.items()}, **CHANGE_COLOURS}
        ),
        "districts: harm in thin hotspots": MappingProxyType(
            {
                "none": AREA_NO_THIN,
                **{f"class {i + 1}": c for i, c in enumerate(AREA_HARM_COLOURS)},
            }
        ),
        "districts: change in harm in thin hotspots": AREA_CHANGE_COLOURS,
    }
)
