"""Hotspot symbols that never hide one another, and the ranked list that zooms to each hotspot.

At county zoom a 400 m footprint is a few pixels wide: what shows where the hotspots are is a
symbol, a circle sized by harm (area proportional to harm events, between :data:`MIN_RADIUS_PX`
and :data:`MAX_RADIUS_PX`) and coloured by status, carrying the rank. Symbols are placed in
rank order each time the zoom changes; a symbol that would overlap one already placed joins it
as a group ("4 +1": rank 4 and one more), drawn with the group's highest-ranked status, whose
click zooms in until the members separate. Rank 1 is therefore never hidden. From
:data:`FOOTPRINT_ZOOM` (town scale) the footprints themselves are readable, and the symbols
shrink to small rank badges placed just above each footprint, leaving it in view.

The ranked side panel lists every hotspot (rank, place, district, harm, enforcement, coverage,
status); each row is a button, so Tab reaches it and Enter or Space zooms the map to that
hotspot. The rows are built in the browser from the same data as the symbols (one copy in the
page), with ``textContent``, never ``innerHTML``.

When the monthly series exist (:mod:`hotspots.timeline`), each panel row and each symbol's
tooltip carry a small chart of the hotspot's harm per month, drawn in the browser from the
numbers (the page carries each series once); the chart's ``aria-label`` and ``<title>`` say
the series in words, and the row's own label repeats it, since a button's content is not read
out on its own.

The data travels as one JSON array of arrays (no objects), so the only braces in it are inside
strings, where they are written ``\\u007b``/``\\u007d``: branca re-reads rendered scripts as
Jinja templates, and a ``{{`` from the data must never reach it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from folium.template import Template

from hotspots import schema
from hotspots.gridref import grid_reference
from hotspots.render import palette
from hotspots.render.features import lonlat
from hotspots.render.offline import escape_text
from hotspots.render.sparkline import HISTORY_COLOUR, PERIOD_COLOUR, trend_phrase
from hotspots.sentences import counted
from hotspots.timeline import Timeline

__all__ = [
    "FOOTPRINT_ZOOM",
    "MAX_RADIUS_PX",
    "MIN_RADIUS_PX",
    "PANEL_COLUMNS",
    "STATUS_CLASSES",
    "HotspotSymbols",
    "RankedPanel",
    "SymbolClass",
    "add_ranked_symbols",
    "monthly_cells",
    "panel_html",
    "symbol_rows",
]

#: From this zoom (about 1:70,000, a town on the screen) footprints are drawn large enough to
#: read and the symbols become small rank badges.
FOOTPRINT_ZOOM: Final = 12
#: Symbol radius range in screen pixels (area proportional to harm between them).
MIN_RADIUS_PX: Final = 9
MAX_RADIUS_PX: Final = 20
#: The ranked panel lists this many rows at first, and this many more per "Show the next".
PANEL_PAGE_ROWS: Final = 200
#: The ranked panel's columns, in order ("Months" only when the monthly series exist; the
#: last column is the symbol's class: status on the map, change on the comparison).
PANEL_COLUMNS: Final = (
    ("Rank", "Rank (1 = act first)"),
    ("Place", "Nearest place, or the OS grid reference"),
    ("District", "District holding most of the hotspot's harm"),
    ("Harm", "Harm events in the hotspot"),
    ("Months", "Harm per month: grey before the period, orange in it (hover for the numbers)"),
    ("Enf.", "Enforcement events in the footprint"),
    ("Cov.", "Coverage: enforcement per harm event"),
    ("Status", "Thin or covered"),
)


@dataclass(frozen=True)
class SymbolClass:
    """What a symbol's colour means: a status (map) or a change class (comparison).

    Attributes
    ----------
    name
        The class in words ("thin", "intensified").
    fill, line
        Symbol fill and footprint outline (from :mod:`hotspots.render.palette`).
    """

    name: str
    fill: str
    line: str

    @property
    def ink(self) -> str:
        """Text colour on the fill: dark on a light fill (new is yellow), else white."""
        red, green, blue = (int(self.fill.lstrip("#")[k : k + 2], 16) / 255 for k in (0, 2, 4))
        luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
        return "#1a1a1a" if luminance > 0.5 else "#ffffff"


#: The map's classes, by the rows' class index: 0 covered, 1 thin.
STATUS_CLASSES: Final = (
    SymbolClass(
        schema.STATUS_COVERED,
        palette.STATUS_COLOURS[schema.STATUS_COVERED],
        palette.STATUS_LINES[schema.STATUS_COVERED],
    ),
    SymbolClass(
        schema.STATUS_THIN,
        palette.STATUS_COLOURS[schema.STATUS_THIN],
        palette.STATUS_LINES[schema.STATUS_THIN],
    ),
)

_CSS: Final = """
.hs-sym { display: flex; align-items: center; justify-content: center; box-sizing: border-box;
  border-radius: 50%%; border: 2px solid #fff; box-shadow: 0 0 0 1px #1a1a1a;
  color: #fff; font: 700 11px/1 system-ui, Arial, sans-serif; cursor: pointer; }
%(classes)s
.hs-sym.hs-group { border-style: double; border-width: 4px; border-radius: 999px;
  width: auto !important; padding: 0 4px; white-space: nowrap; }
.hs-sym-icon:focus-visible .hs-sym, .hs-sym-icon:focus .hs-sym { outline: 3px solid #FFBF47;
  outline-offset: 1px; }
#hs-rank-table { border-collapse: collapse; width: 100%%; font-size: 11.5px; }
#hs-rank-table th { position: sticky; top: 0; background: #eee; text-align: left;
  padding: 3px 3px; font-weight: 600; }
#hs-rank-table td { padding: 3px 3px; border-top: 1px solid #ddd; vertical-align: top; }
#hs-rank-table td.hs-num { text-align: right; font-variant-numeric: tabular-nums; }
#hs-rank-table tr.hs-row { cursor: pointer; }
#hs-rank-table tr.hs-row:hover, #hs-rank-table tr.hs-row:focus { background: #FFF4CE;
  outline: 2px solid #1a1a1a; outline-offset: -2px; }
.hs-status-dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%%;
  margin-right: 4px; vertical-align: -1px; }
.hs-more { margin: 6px; font: 12px system-ui, Arial, sans-serif; cursor: pointer; }
#hs-rank-table td.hs-spark { padding: 2px 2px 0; }
#hs-rank-table svg.sparkline, .leaflet-tooltip svg.sparkline { display: block; }
#hs-panel .hs-panel-note { margin: 4px 6px; color: #333; font-size: 12px; }
@media print { .hs-sym { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .leaflet-tooltip { display: none; } }
"""


def symbols_css(classes: Sequence[SymbolClass] = STATUS_CLASSES) -> str:
    """The CSS of the symbols and the ranked panel (colours from the palette)."""
    rules = "\n".join(
        f".hs-sym.hs-c{k} {{ background: {c.fill}; color: {c.ink}; }}"
        for k, c in enumerate(classes)
    )
    return _CSS % {"classes": rules}


def _text(value: Any, missing: str = "–") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return missing
    text = str(value).strip()
    return text or missing


def _count(value: float) -> str:
    """A monthly figure: whole numbers plain, aoristic fractions to 1 decimal (stable bytes)."""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def monthly_cells(timeline: Timeline | None) -> tuple[dict[str, tuple[str, int]], list[Any]]:
    """Each hotspot's monthly harm as text, and what the months are, for the charts.

    Returns
    -------
    cells
        Hotspot id -> (``"3,0,1.5"`` harm per month oldest first, index of its trend phrase
        in ``months[3]``).
    months
        ``[first month, last month, index of the period's first month, trend phrases]``
        ("YYYY-MM"; each distinct phrase such as ``"rising (p = 0.003)"`` once, sorted, since
        thousands of hotspots share a few), or ``[]`` without a timeline.
    """
    if timeline is None or not timeline.months:
        return {}, []
    phrases = {str(key): trend_phrase(series.trend) for key, series in timeline.hotspots.items()}
    table = sorted(set(phrases.values()))
    index = {phrase: k for k, phrase in enumerate(table)}
    cells = {
        str(key): (",".join(_count(float(v)) for v in series.harm), index[phrases[str(key)]])
        for key, series in timeline.hotspots.items()
    }
    return cells, [timeline.months[0], timeline.months[-1], int(timeline.period_first), table]


def symbol_rows(
    table: gpd.GeoDataFrame,
    outlines: dict[int, str] | None = None,
    monthly: Mapping[str, tuple[str, int]] | None = None,
    classes: Sequence[tuple[int, str]] | None = None,
) -> list[list[Any]]:
    """One row per hotspot, in rank order: what the symbols and the panel show.

    Parameters
    ----------
    table
        ``analysis.hotspots`` (EPSG:27700), with ``near`` and ``postcode_sector`` when the
        geography module added them.
    outlines
        Table row -> encoded footprint (compact pages).
    monthly
        Hotspot id -> (harm per month as text, trend phrase index), from `monthly_cells`.
    classes
        Per table row (table order): (class index, class in words), e.g. the change class on
        the comparison; default: the status (1 thin, 0 covered, as in `STATUS_CLASSES`).

    Returns
    -------
    list of list
        ``[rank, lat, lon, harm, class index (1 thin, 0 covered), hotspot_id, place, district, enforcement,
        coverage, status, south, west, north, east, grid_ref, postcode_sector, outline,
        months, trend]``; plain text, escaped in the browser by ``textContent``. ``outline``
        is the encoded footprint (compact pages) or ""; ``months`` the harm per month
        (``"3,0,1"``) or "", ``trend`` the index of its trend phrase or -1.
    """
    if len(table) == 0:
        return []
    outlines = outlines or {}
    monthly = monthly or {}
    order = np.argsort(table["rank"].to_numpy(), kind="stable")
    table = table.iloc[order].reset_index(drop=True)
    source_rows = order.tolist()
    geoms = np.asarray(table.geometry.values, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    # Anchor: the members' mean (centroid_x/y) when it lies inside the footprint, else a point
    # on the footprint's surface (a crescent's mean can fall outside it).
    x = table["centroid_x"].to_numpy(float).copy()
    y = table["centroid_y"].to_numpy(float).copy()
    if ok.any():
        inside = np.zeros(len(table), dtype=bool)
        inside[ok] = shapely.contains_xy(geoms[ok], x[ok], y[ok])
        fix = ok & ~inside
        if fix.any():
            surface = shapely.point_on_surface(geoms[fix])
            x[fix], y[fix] = shapely.get_x(surface), shapely.get_y(surface)
    lon, lat = lonlat(x, y)
    boxes = np.full((len(table), 4), np.nan)
    if ok.any():
        boxes[ok] = shapely.bounds(geoms[ok])
    west, south = lonlat(boxes[:, 0], boxes[:, 1])
    east, north = lonlat(boxes[:, 2], boxes[:, 3])
    near = table["near"] if "near" in table else pd.Series([None] * len(table))
    sector = table.get("postcode_sector")
    rows: list[list[Any]] = []
    for i, row in enumerate(table.to_dict(orient="records")):
        grid = grid_reference(float(x[i]), float(y[i]), 8) if np.isfinite(x[i]) else ""
        box = [south[i], west[i], north[i], east[i]]
        if not all(np.isfinite(box)):
            box = [lat[i], lon[i], lat[i], lon[i]]
        coverage = row["coverage"]
        if classes is None:
            kind = (1 if row["status"] == schema.STATUS_THIN else 0, _text(row["status"]))
        else:
            kind = (int(classes[source_rows[i]][0]), _text(classes[source_rows[i]][1]))
        rows.append(
            [
                int(row["rank"]),
                float(lat[i]),
                float(lon[i]),
                int(row["harm"]),
                kind[0],
                _text(row["hotspot_id"]),
                _text(near.iloc[i], grid or "–"),
                _district_text(row),
                int(row["enforcement"]),
                "–" if pd.isna(coverage) else f"{float(coverage):.2f}",
                kind[1],
                *(float(v) for v in box),
                grid,
                "" if sector is None else _text(sector.iloc[i], ""),
                outlines.get(source_rows[i], ""),
                *monthly.get(str(row["hotspot_id"]), ("", -1)),
            ]
        )
    return rows


def _district_text(row: dict[str, Any]) -> str:
    """The panel's district cell: the district, then the local area with ``--local-areas``."""
    local = row.get("local_area_name")
    local = "" if local is None or pd.isna(local) else str(local)
    return _text(f"{row['area_name']} · {local}" if local else row["area_name"])


def data_json(rows: Sequence[Sequence[Any]]) -> str:
    """The rows as JSON safe inside a ``<script>`` and from branca's second Jinja pass."""
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # Arrays only: every brace is inside a string, where a \\u escape reads the same in JS.
    for char, escaped in (
        ("{", "\\u007b"),
        ("}", "\\u007d"),
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def panel_html(
    n_hotspots: int,
    aggregated_note: str = "",
    *,
    months: bool = False,
    last_column: tuple[str, str] = PANEL_COLUMNS[-1],
) -> str:
    """The panel's static part: a note and an empty table the script fills in rank order.

    Parameters
    ----------
    n_hotspots
        Rows in the list.
    aggregated_note
        Trusted HTML appended to the note.
    months
        Include the "Months" column (the monthly series exist).
    last_column
        (heading, what it means) of the class column: "Status" on the map.
    """
    columns = [*PANEL_COLUMNS[:-1], last_column]
    if not months:
        columns.remove(PANEL_COLUMNS[4])
    head = "".join(
        f'<th scope="col" title="{escape_text(title)}">{escape_text(name)}</th>'
        for name, title in columns
    )
    note = (
        f"{counted(n_hotspots, 'hotspot')}, 1 = act first. Select a row (or Tab to it and press Enter) "
        "to zoom to the hotspot."
    )
    if aggregated_note:
        note += f" {aggregated_note}"
    return (
        f'<p class="hs-panel-note">{note}</p>'
        f'<table id="hs-rank-table"><thead><tr>{head}</tr></thead><tbody></tbody></table>'
    )


class HotspotSymbols(MacroElement):
    """Collision-aware hotspot symbols and the ranked panel's rows (see the module docstring)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var group = {{ this._parent.get_name() }};
          var map = {{ this._parent._parent.get_name() }};
          var rows = {{ this.data_json }};
          var FOOT = {{ this.footprint_zoom }}, RMIN = {{ this.rmin }}, RMAX = {{ this.rmax }};
          var top = 1;
          rows.forEach(function (r) { if (r[3] > top) { top = r[3]; } });
          var layer = L.layerGroup().addTo(group);
          var words = {{ this.words_json }};
          var label = function (r) {
            return "Rank " + r[0] + ": " + r[5] + ", " + r[6] + " (" + r[7] + "), " + r[3]
              + words[0] + r[8] + words[1] + ", coverage " + r[9] + ", " + r[10];
          };
          // Harm per month (render.sparkline's chart, drawn here from the numbers).
          var MONTHS = {{ this.months_json }}, SVGNS = "http://www.w3.org/2000/svg";
          var CLASSES = {{ this.classes_json }};  // [fill, line] by r[4]
          var trendOf = function (r) { return r[19] >= 0 ? MONTHS[3][r[19]] : ""; };
          var sparkText = function (r) {
            if (!r[18]) { return ""; }
            return "harm per month" + (MONTHS.length ? " " + MONTHS[0] + " to " + MONTHS[1] : "")
              + ": " + r[18].split(",").join(", ") + (trendOf(r) ? "; trend " + trendOf(r) : "");
          };
          var spark = function (r, w, h) {
            if (!r[18]) { return null; }
            var v = r[18].split(",").map(Number), n = v.length, pad = 2;
            var text = sparkText(r);
            var svg = document.createElementNS(SVGNS, "svg");
            var set = function (el, attrs) {
              Object.keys(attrs).forEach(function (k) { el.setAttribute(k, attrs[k]); });
              return el;
            };
            set(svg, {"class": "sparkline", width: w, height: h, viewBox: "0 0 " + w + " " + h,
                      role: "img", "aria-label": text.charAt(0).toUpperCase() + text.slice(1)});
            var title = document.createElementNS(SVGNS, "title");
            title.textContent = text.charAt(0).toUpperCase() + text.slice(1);
            svg.appendChild(title);
            var most = Math.max.apply(null, v) || 1;
            var step = n > 1 ? (w - 2 * pad) / (n - 1) : 0;
            var pt = function (k) {
              var x = n > 1 ? pad + k * step : w / 2;
              return [x.toFixed(1), (h - pad - (h - 2 * pad) * v[k] / most).toFixed(1)];
            };
            var line = function (a, b, colour, width) {
              var pts = [];
              for (var k = a; k <= b; k++) { pts.push(pt(k).join(",")); }
              svg.appendChild(set(document.createElementNS(SVGNS, "polyline"), {
                points: pts.join(" "), fill: "none", stroke: colour, "stroke-width": width}));
            };
            var first = Math.min(Math.max(MONTHS.length ? MONTHS[2] : 0, 0), n - 1);
            if (first > 0) { line(0, first, {{ this.history_colour|tojson }}, 1); }
            if (n - first > 1) { line(first, n - 1, {{ this.period_colour|tojson }}, 1.5); }
            var end = pt(n - 1);
            svg.appendChild(set(document.createElementNS(SVGNS, "circle"), {
              cx: end[0], cy: end[1], r: 1.8, fill: {{ this.period_colour|tojson }}}));
            return svg;
          };
          var zoomTo = function (r) {
            map.fitBounds([[r[11], r[12]], [r[13], r[14]]],
                          {maxZoom: 15, padding: [80, 80], animate: false});
          };
          var tip = function (members) {
            var box = document.createElement("div");
            members.slice(0, 8).forEach(function (r) {
              var line = document.createElement("div");
              line.textContent = label(r);
              box.appendChild(line);
              var chart = spark(r, members.length > 1 ? 60 : 120, members.length > 1 ? 14 : 28);
              if (chart) {
                box.appendChild(chart);
                if (members.length === 1 && trendOf(r)) {
                  var trend = document.createElement("div");
                  trend.textContent = "Trend: " + trendOf(r);
                  box.appendChild(trend);
                }
              }
            });
            if (members.length > 8) {
              var more = document.createElement("div");
              more.textContent = "and " + (members.length - 8) + " more: click to zoom in";
              box.appendChild(more);
            } else if (members.length > 1) {
              var hint = document.createElement("div");
              hint.textContent = "Click to zoom in and separate them.";
              box.appendChild(hint);
            }
            return box;
          };
          // Compact pages (thousands of hotspots) carry footprints and enforcement clusters
          // as encoded polylines, drawn from town zoom for what is in view only.
          var decode = function (text) {
            return text.split(" ").map(function (part) {
              var points = [], index = 0, lat = 0, lng = 0;
              while (index < part.length) {
                var values = [0, 0];
                for (var k = 0; k < 2; k++) {
                  var shift = 0, result = 0, b;
                  do {
                    b = part.charCodeAt(index++) - 63;
                    result |= (b & 0x1f) << shift;
                    shift += 5;
                  } while (b >= 0x20);
                  values[k] = (result & 1) ? ~(result >> 1) : (result >> 1);
                }
                lat += values[0];
                lng += values[1];
                points.push([lat / 1e5, lng / 1e5]);
              }
              return points;
            });
          };
          var outlines = L.layerGroup().addTo(group);
          var clusters = {{ this.clusters_json }};
          var CELL = 2 * RMAX + 20;
          var draw = function () {
            layer.clearLayers();
            outlines.clearLayers();
            var small = map.getZoom() >= FOOT;
            var view = map.getBounds().pad(0.25);
            var placed = [], grid = {};
            rows.forEach(function (r) {
              if (!view.contains([r[1], r[2]])) { return; }
              var rad = small ? RMIN : RMIN + (RMAX - RMIN) * Math.sqrt(r[3] / top);
              // From town zoom the badge sits just above the footprint, leaving it in view.
              var at = small ? [r[13], r[2]] : [r[1], r[2]];
              var p = map.latLngToLayerPoint(at).subtract([0, small ? rad + 2 : 0]);
              var cx = Math.floor(p.x / CELL), cy = Math.floor(p.y / CELL);
              // Symbols are placed in rank order: one that would overlap a placed symbol
              // joins it. Only the neighbouring grid cells can hold such a symbol.
              for (var dx = -1; dx <= 1; dx++) {
                for (var dy = -1; dy <= 1; dy++) {
                  var near = grid[(cx + dx) + ":" + (cy + dy)] || [];
                  for (var i = 0; i < near.length; i++) {
                    var g = near[i];
                    var gw = g.members.length > 1 ? g.r + 16 : g.r;
                    if (Math.abs(p.x - g.p.x) < rad + gw + 1
                        && Math.abs(p.y - g.p.y) < rad + g.r + 1) {
                      g.members.push(r);
                      return;
                    }
                  }
                }
              }
              var placedGroup = {p: p, r: rad, at: at, members: [r]};
              placed.push(placedGroup);
              var key = cx + ":" + cy;
              (grid[key] = grid[key] || []).push(placedGroup);
              if (small && r[17]) {
                var outline = L.polygon(decode(r[17]), {
                  color: CLASSES[r[4]][1], fillColor: CLASSES[r[4]][0],
                  fillOpacity: 0.55, weight: 2, className: "hotspots-footprint"
                });
                outline.bindTooltip(function () { return tip([r]); }, {sticky: true});
                outlines.addLayer(outline);
              }
            });
            if (small) {
              clusters.forEach(function (c) {
                if (view.intersects([[c[0], c[1]], [c[2], c[3]]])) {
                  outlines.addLayer(L.polygon(decode(c[4]), {
                    color: {{ this.cluster_line|tojson }}, weight: 2, dashArray: "6 4",
                    fill: false, interactive: false, className: "hotspots-cluster"
                  }));
                }
              });
            }
            placed.forEach(function (g) {
              var r = g.members[0], n = g.members.length, d = Math.round(2 * g.r);
              var span = document.createElement("span");
              span.className = "hs-sym hs-c" + r[4]
                + (n > 1 ? " hs-group" : "");
              span.style.width = d + "px";
              span.style.height = d + "px";
              span.textContent = n > 1 ? r[0] + " +" + (n - 1) : String(r[0]);
              var w = n > 1 ? Math.max(d, 8 * span.textContent.length + 10) : d;
              span.style.minWidth = w + "px";
              var icon = L.divIcon({html: span, className: "hs-sym-icon", iconSize: [w, d],
                                    iconAnchor: [w / 2, small ? d + 2 : d / 2]});
              var marker = L.marker(g.at, {
                icon: icon, keyboard: true, riseOnHover: true,
                title: n > 1 ? n + " hotspots, top rank " + r[0] : label(r),
                alt: n > 1 ? n + " hotspots" : "Hotspot rank " + r[0],
                zIndexOffset: 10000 - Math.min(r[0], 9999)
              });
              // Built when it opens: a page draws hundreds of symbols per zoom.
              marker.bindTooltip(function () { return tip(g.members); },
                                 {direction: "top", offset: [0, -g.r]});
              marker.on("click", function () {
                if (n === 1) { zoomTo(r); return; }
                var b = L.latLngBounds(g.members.map(function (m) { return [m[1], m[2]]; }));
                if (map.getZoom() >= map.getMaxZoom() || b.getNorthEast().equals(b.getSouthWest())) {
                  zoomTo(r);
                } else {
                  map.fitBounds(b, {padding: [60, 60], animate: false});
                }
              });
              layer.addLayer(marker);
            });
          };
          map.on(rows.length > 300 || clusters.length ? "zoomend viewreset moveend" : "zoomend viewreset", draw);
          draw();
          var body = document.querySelector("#hs-rank-table tbody");
          var addRow = function (r) {
              var tr = document.createElement("tr");
              tr.className = "hs-row";
              tr.tabIndex = 0;
              tr.setAttribute("role", "button");
              tr.setAttribute("aria-label", "Zoom to " + label(r)
                + (r[18] ? "; " + sparkText(r) : ""));
              var cells = [String(r[0]), r[6], r[7], String(r[3]), null, String(r[8]), r[9], r[10]];
              cells.forEach(function (value, k) {
                var td = document.createElement("td");
                if (value === null) {
                  if (!MONTHS.length) { return; }
                  td.className = "hs-spark";
                  var chart = spark(r, 48, 16);
                  if (chart) { td.appendChild(chart); }
                  tr.appendChild(td);
                  return;
                }
                if (k === 7) {
                  var dot = document.createElement("span");
                  dot.className = "hs-status-dot";
                  dot.style.background = CLASSES[r[4]][0];
                  td.appendChild(dot);
                }
                td.appendChild(document.createTextNode(value));
                if (k === 0 || k === 3 || k === 5 || k === 6) { td.className = "hs-num"; }
                tr.appendChild(td);
              });
              if (r[15]) { tr.title = "Grid ref " + r[15] + (r[16] ? ", " + r[16] : ""); }
              // The row keeps the focus, so the keyboard can go on down the list.
              var go = function () { zoomTo(r); };
              tr.addEventListener("click", go);
              tr.addEventListener("keydown", function (e) {
                if (e.key === "Enter" || e.key === " ") { e.preventDefault(); go(); }
              });
              body.appendChild(tr);
          };
          if (body) {
            // Rows are added a page at a time: a national list has thousands.
            var shown = 0, PAGE = {{ this.page_rows }};
            var more = document.createElement("button");
            more.type = "button";
            more.className = "hs-more";
            var showMore = function () {
              rows.slice(shown, shown + PAGE).forEach(addRow);
              shown = Math.min(rows.length, shown + PAGE);
              var left = rows.length - shown;
              more.textContent = "Show the next " + Math.min(PAGE, left) + " of " + left
                + " more hotspots";
              more.hidden = left <= 0;
            };
            more.addEventListener("click", showMore);
            body.closest("table").after(more);
            showMore();
          }
        })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        rows: Sequence[Sequence[Any]],
        clusters: Sequence[Sequence[Any]] = (),
        months: Sequence[Any] = (),
        classes: Sequence[SymbolClass] = STATUS_CLASSES,
        nouns: tuple[str, str] = ("", ""),
    ) -> None:
        super().__init__()
        self._name = "HotspotSymbols"
        self.data_json = data_json(rows)
        # What harm and enforcement stand for ([labels]): "3 harm (robbery), 5 enforcement (…)".
        harm, enforcement = (f" ({noun})" if noun else "" for noun in nouns)
        self.words_json = data_json([f" harm{harm}, ", f" enforcement{enforcement}"])
        self.months_json = data_json([list(months)])[1:-1] if months else "[]"
        self.history_colour = HISTORY_COLOUR
        self.period_colour = PERIOD_COLOUR
        self.page_rows = PANEL_PAGE_ROWS
        self.clusters_json = data_json(clusters)
        self.classes_json = data_json([[c.fill, c.line] for c in classes])
        self.cluster_line = palette.CLUSTER_LINE
        self.footprint_zoom = FOOTPRINT_ZOOM
        self.rmin = MIN_RADIUS_PX
        self.rmax = MAX_RADIUS_PX


@dataclass(frozen=True)
class RankedPanel:
    """What the page frame needs for the ranked list: its HTML, button label and CSS."""

    html: str
    label: str
    css: str


def add_ranked_symbols(
    group: Any,
    rows: Sequence[Sequence[Any]],
    *,
    clusters: Sequence[Sequence[Any]] = (),
    months: Sequence[Any] = (),
    classes: Sequence[SymbolClass] = STATUS_CLASSES,
    last_column: tuple[str, str] = PANEL_COLUMNS[-1],
    note: str = "",
    nouns: tuple[str, str] = ("", ""),
) -> RankedPanel:
    """Add the symbols to a layer group and return the ranked panel that goes with them.

    One call serves the map and the comparison, so both pages draw and list hotspots the
    same way (see the module docstring).

    Parameters
    ----------
    group
        The folium layer group the symbols belong to (switching it off hides them).
    rows
        From `symbol_rows`.
    clusters
        Encoded enforcement-cluster outlines (compact pages).
    months
        From `monthly_cells`: the panel then has a "Months" column.
    classes
        What the rows' class index means (colours and words).
    last_column
        The panel's class column (heading, meaning).
    note
        Trusted HTML appended to the panel's note.
    nouns
        What harm and enforcement stand for ([labels]), for the symbols' tooltips.
    """
    HotspotSymbols(rows, clusters, months, classes, nouns).add_to(group)
    return RankedPanel(
        html=panel_html(len(rows), note, months=bool(months), last_column=last_column)
        if rows
        else "",
        label=f"Hotspots by rank ({len(rows):,})",
        css=symbols_css(classes),
    )
