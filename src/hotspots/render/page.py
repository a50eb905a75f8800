"""The shared page frame of every map page: marking, title block, legend, basemap, print, phone.

Every HTML page (coverage map, comparison map; the tune and evaluation pages through
:func:`document_page`, which puts a document where the map would be) is drawn inside this one
frame, so each rule below exists once:

* **Protective marking** in capitals in a bar at the top and at the bottom of the screen and of
  the printed sheet.
* **Title block**: title, period, study area and produced date on one or two lines; the method,
  data-quality and definition lines fold away under "About this map" (open on a wide screen,
  closed on a phone). Warnings always show.
* **Basemap**: :func:`tile_layer` is the one rule for ``tiles`` (``none``, ``osm`` or an
  ``http(s)`` template with ``{z}``, ``{x}``, ``{y}``); anything else is a `ConfigError`. When a
  tile fails to load (no network, a blocked host) a visible notice says so, instead of leaving a
  blank map that looks like "nothing here".
* **Attribution** of the boundaries (ONS/OS wording for the bundled districts) and of the tiles
  in Leaflet's attribution control.
* **Legend** in words, in a panel that collapses (a button) and is open by default on a wide
  screen, closed on a phone, always open in print.
* **Side panel** (optional, e.g. the ranked hotspot list): left of the map on a wide screen, a
  sheet over the lower map on a phone, hidden in print.
* **Print**: one A4 landscape sheet. Zoom, layer and panel controls are hidden; the title
  block, marking bars, legend, scale bar and a north arrow stay; the map refits to the whole
  study area at the sheet's size before printing.
* **Phone** (narrow screens): nothing is wider than the screen; the title block shrinks to the
  title and one line; the map keeps most of the height.
* **Escaping**: every value passed in is text and goes through `html_text` (HTML escaping
  plus braces as character references, so Jinja never sees ``{{``); the Content-Security-Policy
  comes from :func:`~hotspots.render.offline.offline_html`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast

import folium
from branca.element import Element, Figure, MacroElement
from folium.template import Template

from hotspots.boundaries import bundled_attribution
from hotspots.errors import ConfigError
from hotspots.render import palette
from hotspots.render.offline import escape_text, offline_html
from hotspots.tiles import basemap_from_tiles

__all__ = [
    "DEFAULT_BOUNDARY_ATTRIBUTION",
    "DOCUMENT_CSP",
    "LegendEntry",
    "LegendSection",
    "PageFrame",
    "RawHtml",
    "boundary_attribution",
    "check_tiles",
    "document_page",
    "facts_html",
    "frame_page",
    "html_text",
    "new_map",
    "table_html",
    "tile_layer",
]

#: The attribution the bundled ONS boundaries require (Open Government Licence v3.0).
DEFAULT_BOUNDARY_ATTRIBUTION: Final = (
    "Boundaries: Source: Office for National Statistics licensed under the Open Government "
    "Licence v.3.0; Contains OS data © Crown copyright and database right"
)
#: Width below which the page takes its phone layout (CSS pixels).
PHONE_MAX_PX: Final = 700

# Braces as character references: they render as "{" and "}" in HTML text, attributes and
# innerHTML, but can never form the Jinja syntax ({{, {%, {#) that branca would evaluate.
_BRACES: Final = str.maketrans({"{": "&#123;", "}": "&#125;"})


def html_text(value: object) -> str:
    """Escape a value for the page: `escape_text`, and braces so Jinja never sees a tag.

    Parameters
    ----------
    value
        Any value; ``str(value)`` is escaped.

    Returns
    -------
    str
        Text safe in HTML text, attributes, ``innerHTML`` and folium's templates.
    """
    return escape_text(value).translate(_BRACES)


class RawHtml(Element):
    """An element that renders a fixed string; never parsed as a Jinja template.

    folium's ``Element(html)`` would run the text through Jinja, so a value such as
    ``{{ 7 * 7 }}`` in a period label or marking would be evaluated, not shown.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__()
        self._name = name
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """Return the fixed text."""
        return self._text


# --- basemap -------------------------------------------------------------------------------


def check_tiles(tiles: str) -> str:
    """Return the tile choice, stripped, or raise `ConfigError` naming what is allowed.

    The rule itself lives in :func:`hotspots.tiles.basemap_from_tiles` (checked when the
    presentation parameters are created); renderers call it again so a page can never be
    drawn from an unchecked value.
    """
    basemap_from_tiles(tiles)
    return str(tiles).strip()


def tile_layer(tiles: str) -> folium.TileLayer | None:
    """The basemap for a tile choice (see `check_tiles`); None draws on a plain background."""
    basemap = basemap_from_tiles(tiles)
    if basemap is None:
        return None
    if basemap.attribution_html is not None:  # osm: trusted HTML with the licence link
        return folium.TileLayer(
            basemap.url,
            attr=basemap.attribution_html,
            name="OpenStreetMap",
            max_zoom=basemap.max_zoom,
            control=False,
        )
    host = html_text(basemap.host)
    return folium.TileLayer(
        basemap.url, attr=f"Map tiles: {host}", name=f"Tiles: {host}", control=False
    )


def boundary_attribution(source: str) -> str:
    """The boundary attribution (escaped): vintage and ONS wording for the bundled areas."""
    text = (source or "").strip()
    if not text:
        return html_text(DEFAULT_BOUNDARY_ATTRIBUTION)
    bundled = bundled_attribution(text)
    if bundled is not None:
        return html_text(bundled)
    if "boundaries" in text.lower():  # e.g. "User boundaries: force_areas.gpkg"
        return html_text(text)
    return html_text(f"Boundaries: {text}")


def new_map(bounds: Sequence[Sequence[float]], tiles: str) -> folium.Map:
    """A Leaflet map fitted to ``[[south, west], [north, east]]``, with the chosen basemap.

    Parameters
    ----------
    bounds
        The study area in WGS84 degrees; the map opens (and prints) showing all of it.
    tiles
        The basemap choice (see `check_tiles`).

    Returns
    -------
    folium.Map
        With a metric and imperial scale bar; no layers yet.
    """
    layer = tile_layer(tiles)
    (south, west), (north, east) = bounds
    m = folium.Map(
        location=[round((south + north) / 2, 5), round((west + east) / 2, 5)],
        zoom_start=9,
        tiles=None,
        control_scale=True,
        zoom_snap=0.25,  # fit the study area snugly, on screen and on the printed sheet
    )
    if layer is not None:
        layer.add_to(m)
    fit = folium.FitBounds([list(bounds[0]), list(bounds[1])], padding=(12, 12))
    # Jump, don't glide: an animated zoom is still running when the page reports "load".
    fit.options["animate"] = False
    fit.add_to(m)
    return m


# --- frame ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LegendEntry:
    """One legend line: a swatch and what it means, in words.

    Attributes
    ----------
    label
        The meaning, as plain text (escaped when drawn).
    fill
        Fill colour (``#RRGGBB``, a constant of :mod:`hotspots.render.palette`), or "".
    line
        Outline colour, or "".
    shape
        ``"box"`` (area), ``"circle"`` (hotspot symbol), ``"dashed"`` (outline only) or
        ``"dot"`` (event point).
    """

    label: str
    fill: str = ""
    line: str = ""
    shape: str = "box"


@dataclass(frozen=True)
class LegendSection:
    """A heading, its entries and an optional note (plain text)."""

    heading: str
    entries: Sequence[LegendEntry]
    note: str = ""


@dataclass(frozen=True)
class PageFrame:
    """What the frame prints around a map: every field is plain text unless named ``*_html``.

    Attributes
    ----------
    title
        Page title and heading.
    marking
        Protective marking; printed in capitals at the top and bottom.
    period
        The period(s) shown, e.g. ``"2024Q4 (2024-10-01 – 2024-12-31)"``.
    area
        The study area, e.g. ``"7 districts: Breckland, …"``.
    produced
        The date the page was produced (the caller's; the page reads no clock), or None.
    summary_html
        One line of key figures under the title (escaped HTML built by the caller).
    details_html
        Paragraphs folded under "About this map" (escaped HTML built by the caller).
    warnings
        Lines always shown, highlighted.
    notice
        A plain sentence always shown under the title, on phones too (e.g. "The period
        2025Q3 holds no harm events (robbery): no hotspots can be found.").
    legend
        The legend's sections (a map's; a document page has none).
    study_bounds
        ``[[south, west], [north, east]]``: the view printed and restored by "whole area"
        (a map's; a document page has none).
    panel_html
        Optional side panel (escaped HTML built by the caller), with its button label.
    panel_label
        Text of the button that opens and closes the panel.
    extra_css
        The page's own CSS (constants only, never data).
    """

    title: str
    marking: str
    period: str
    area: str
    produced: str | None
    legend: Sequence[LegendSection] = ()
    study_bounds: Sequence[Sequence[float]] = ()
    summary_html: str = ""
    details_html: str = ""
    warnings: Sequence[str] = field(default_factory=tuple)
    notice: str = ""
    panel_html: str = ""
    panel_label: str = ""
    extra_css: str = ""


_CSS: Final = """
html, body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: %(text)s; }
body { display: grid; grid-template-columns: auto minmax(0, 1fr);
  grid-template-rows: auto auto minmax(0, 1fr) auto; height: 100vh; height: 100dvh;
  overflow: hidden; }
#hs-marking-top { grid-row: 1; grid-column: 1 / 3; }
#hs-header { grid-row: 2; grid-column: 1 / 3; }
#hs-panel { grid-row: 3; grid-column: 1; }
.folium-map { grid-row: 3; grid-column: 2; position: relative !important; width: auto !important;
  height: auto !important; min-height: 0; min-width: 0; }
#hs-marking-bottom { grid-row: 4; grid-column: 1 / 3; }
.folium-map.leaflet-container { background: #F4F4F0; }
.hs-marking { background: #1a1a1a; color: #fff; font-weight: 700; text-align: center;
  letter-spacing: 0.08em; font-size: 13px; height: 20px; line-height: 20px; overflow: hidden;
  white-space: nowrap; text-overflow: ellipsis; padding: 0 6px; }
#hs-header { background: #fff; border-bottom: 1px solid #bbb; font-size: 13px;
  line-height: 1.35; padding: 3px 10px 4px; min-width: 0; overflow-wrap: anywhere; }
#hs-header h1 { font-size: 17px; margin: 1px 0 2px; }
#hs-header p { margin: 1px 0; }
#hs-header .hs-titleblock span + span::before { content: " · "; }
#hs-header details > summary { cursor: pointer; color: #333; font-size: 12px; }
#hs-header details[open] { max-height: 30vh; overflow: auto; }
.hs-warning { color: #8a1c00; font-weight: 600; }
.hs-box { background: #fff; color: %(text)s; border: 1px solid #888; border-radius: 4px;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25); font-size: 12px; line-height: 1.3; }
.hs-toggle { font: 700 12px system-ui, Arial, sans-serif; background: #fff; color: %(text)s;
  border: 0; padding: 4px 8px; cursor: pointer; width: 100%%; text-align: left; }
.hs-toggle::after { content: " ▾"; }
.hs-collapsed > .hs-toggle::after { content: " ▸"; }
.hs-collapsed > .hs-body { display: none; }
#hs-legend { max-width: 290px; overflow: auto; clear: both; }
/* Until the frame's script moves the legend into the map's corner it must take no grid row:
   a tall legend would squeeze the map's row to nothing before Leaflet measures it. */
body > #hs-legend { position: absolute; visibility: hidden; }
#hs-legend .hs-body { padding: 0 8px 6px; }
#hs-legend h2 { font-size: 12px; margin: 6px 0 2px; }
#hs-legend p { margin: 2px 0; color: #333; }
#hs-legend ul { list-style: none; margin: 0; padding: 0; }
.hs-entry { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
.hs-swatch { flex: 0 0 auto; display: inline-block; width: 18px; height: 12px;
  box-sizing: border-box; border: 1px solid #555; }
.hs-swatch.hs-circle { width: 14px; height: 14px; border-radius: 50%%; border: 2px solid #fff;
  box-shadow: 0 0 0 1px #1a1a1a; margin: 0 2px; }
.hs-swatch.hs-dot { width: 8px; height: 8px; border-radius: 50%%; border: 0; margin: 0 5px; }
.hs-swatch.hs-dashed { border: 2px dashed #222; background: transparent; }
#hs-panel { width: 400px; max-width: 40vw; min-height: 0; display: flex; flex-direction: column;
  border-right: 1px solid #bbb; background: #fff; border-radius: 0; box-shadow: none; }
#hs-panel > .hs-body { overflow: auto; min-height: 0; flex: 1 1 auto; }
#hs-panel.hs-collapsed { width: auto; }
#hs-notice { position: absolute; left: 50%%; top: 10px; transform: translateX(-50%%);
  z-index: 1001; max-width: 80%%; padding: 6px 10px; background: #FFF4CE;
  border: 1px solid #8a6d00; border-radius: 4px; font-size: 13px; }
#hs-notice[hidden] { display: none; }
.hs-area-label { pointer-events: none; }
.hs-area-label span { display: block; text-align: center; font: 600 12px/1.1 system-ui, Arial,
  sans-serif; color: #333; white-space: nowrap; text-shadow: 0 0 2px #fff, 0 0 2px #fff,
  0 0 3px #fff, 0 0 4px #fff; }
.hs-north { background: #fff; border: 1px solid #888; border-radius: 4px; width: 30px;
  text-align: center; font: 700 12px/1 system-ui, Arial, sans-serif; padding: 3px 0 2px; }
.hs-north svg { display: block; margin: 0 auto; }
.leaflet-tooltip { opacity: 1 !important; background: #fff; color: %(text)s;
  border: 1px solid #555; box-shadow: 0 2px 6px rgba(0, 0, 0, 0.35); font-size: 12px; }
.leaflet-tooltip table th { text-align: left; padding-right: 8px; font-weight: 600; }
.leaflet-control-layers { font-size: 13px; }
.leaflet-control-attribution, .leaflet-control-scale-line { font-size: 11px; }
.leaflet-control-attribution { max-width: 60vw; white-space: normal; }
@media (max-width: %(phone)dpx) {
  body { grid-template-columns: minmax(0, 1fr); }
  #hs-header, #hs-marking-top, #hs-marking-bottom, .folium-map { grid-column: 1; }
  #hs-header { font-size: 12px; padding: 2px 8px; }
  #hs-header h1 { font-size: 14px; white-space: nowrap; overflow: hidden;
    text-overflow: ellipsis; }
  #hs-header .hs-summary, #hs-header .hs-area { display: none; }
  .hs-marking { font-size: 11px; height: 16px; line-height: 16px; }
  #hs-panel { position: fixed; left: 6px; right: auto; bottom: 24px; z-index: 1002;
    width: auto; max-width: calc(100vw - 12px); max-height: 55vh; border: 1px solid #888;
    border-radius: 4px; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.25); }
  #hs-panel:not(.hs-open) > .hs-body { display: none; }
  #hs-legend { max-width: calc(100vw - 70px); }
  #hs-legend:not(.hs-open) > .hs-body { display: none; }
  #hs-legend:not(.hs-open) > .hs-toggle::after, #hs-panel:not(.hs-open) > .hs-toggle::after {
    content: " ▸"; }
  .leaflet-control-layers-expanded { max-width: 60vw; }
  .leaflet-control-attribution { max-width: 100vw; font-size: 9px; }
}
@page { size: A4 landscape; margin: 5mm; }
@media print {
  html, body { width: 287mm; height: 200mm; overflow: hidden; }
  body { grid-template-columns: minmax(0, 1fr); grid-template-rows: auto auto minmax(0, 1fr) auto; }
  #hs-header, #hs-marking-top, #hs-marking-bottom, .folium-map { grid-column: 1; }
  #hs-panel, .leaflet-control-zoom, .leaflet-control-layers, .hs-toggle, #hs-header details,
  #hs-notice { display: none !important; }
  #hs-legend > .hs-body { display: block !important; padding-top: 4px; }
  #hs-legend { max-height: none !important; overflow: visible; box-shadow: none; }
  .hs-marking, .hs-swatch, .leaflet-container { -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
"""


def _css() -> str:
    return _CSS % {"text": palette.TEXT, "phone": PHONE_MAX_PX}


def _legend_entry(entry: LegendEntry) -> str:
    # fill/line are palette constants (checked to be #RRGGBB), never data.
    for colour in (entry.fill, entry.line):
        if colour and not re.fullmatch(r"#[0-9A-Fa-f]{6}", colour):
            raise ValueError(f"legend colour must be #RRGGBB, got {colour!r}")
    style = []
    if entry.fill:
        style.append(f"background:{entry.fill}")
    if entry.line:
        style.append(f"border-color:{entry.line}")
    shape = {"circle": " hs-circle", "dot": " hs-dot", "dashed": " hs-dashed"}.get(entry.shape, "")
    return (
        f'<li class="hs-entry"><span class="hs-swatch{shape}" style="{";".join(style)}">'
        f"</span><span>{html_text(entry.label)}</span></li>"
    )


def legend_html(sections: Sequence[LegendSection]) -> str:
    """The legend panel: a toggle button and one heading, list and note per section."""
    body = "".join(
        f"<h2>{html_text(s.heading)}</h2><ul>{''.join(_legend_entry(e) for e in s.entries)}</ul>"
        + (f"<p>{html_text(s.note)}</p>" if s.note else "")
        for s in sections
    )
    return (
        '<div id="hs-legend" class="hs-box hs-collapsible hs-open" role="region" '
        'aria-label="Legend"><button type="button" class="hs-toggle" aria-expanded="true" '
        f'aria-controls="hs-legend-body">Legend</button><div class="hs-body" id="hs-legend-body">'
        f"{body}</div></div>"
    )


def _header_html(frame: PageFrame) -> str:
    parts = [f"<span><b>Period:</b> {html_text(frame.period)}</span>"]
    if frame.area:
        parts.append(f'<span class="hs-area"><b>Area:</b> {html_text(frame.area)}</span>')
    if frame.produced:
        parts.append(f"<span><b>Produced:</b> {html_text(frame.produced)}</span>")
    lines = [
        f"<h1>{html_text(frame.title)}</h1>",
        f'<p class="hs-titleblock">{"".join(parts)}</p>',
    ]
    if frame.notice:  # before the summary, which phones hide
        lines.append(f'<p class="hs-notice"><b>{html_text(frame.notice)}</b></p>')
    if frame.summary_html:
        lines.append(f'<p class="hs-summary">{frame.summary_html}</p>')
    if frame.warnings:
        shown = [html_text(w) for w in frame.warnings]
        if len(shown) > 3:
            shown = [*shown[:3], f"and {len(shown) - 3} more (see summary.json)"]
        lines.append(f'<p class="hs-warning">Warnings: {"; ".join(shown)}</p>')
    if frame.details_html:
        lines.append(
            f'<details id="hs-details"><summary>About this map: method, data and definitions'
            f"</summary>{frame.details_html}</details>"
        )
    return f'<header id="hs-header">{"".join(lines)}</header>'


def _panel_html(frame: PageFrame) -> str:
    if not frame.panel_html:
        return ""
    return (
        '<aside id="hs-panel" class="hs-box hs-collapsible hs-open" aria-label="'
        f'{html_text(frame.panel_label)}"><button type="button" class="hs-toggle" '
        f'aria-expanded="true" aria-controls="hs-panel-body">{html_text(frame.panel_label)}'
        f'</button><div class="hs-body" id="hs-panel-body">{frame.panel_html}</div></aside>'
    )


class _FrameScript(MacroElement):
    """North arrow, tile-failure notice, collapsible panels and the fit before printing."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var study = {{ this.bounds|tojson }};
          map._hsStudy = study;
          var phone = window.matchMedia("(max-width: {{ this.phone }}px)");
          var North = L.Control.extend({
            options: {position: "bottomleft"},
            onAdd: function () {
              var div = L.DomUtil.create("div", "hs-north");
              div.setAttribute("role", "img");
              div.setAttribute("aria-label", "North arrow: north is up");
              div.innerHTML = '<svg width="14" height="18" viewBox="0 0 14 18" aria-hidden="true">'
                + '<path d="M7 0 L14 18 L7 13 L0 18 Z" fill="#1a1a1a"/></svg>N';
              return div;
            }
          });
          new North().addTo(map);
          var legend = document.getElementById("hs-legend");
          var notice = document.getElementById("hs-notice");
          var container = map.getContainer();
          if (legend) {
            legend.classList.add("leaflet-control");
            map._controlCorners.topright.appendChild(legend);
            L.DomEvent.disableClickPropagation(legend);
            L.DomEvent.disableScrollPropagation(legend);
          }
          if (notice) {
            container.appendChild(notice);
          }
          var sizeLegend = function () {
            if (legend) {
              legend.style.maxHeight = Math.max(120, container.clientHeight - legend.offsetTop - 40) + "px";
            }
          };
          map.eachLayer(function (layer) {
            if (layer instanceof L.TileLayer) {
              layer.on("tileerror", function () {
                if (notice && notice.hidden) {
                  notice.hidden = false;
                }
              });
            }
          });
          document.querySelectorAll(".hs-collapsible").forEach(function (box) {
            var button = box.querySelector(".hs-toggle");
            if (phone.matches) {
              box.classList.remove("hs-open");
              button.setAttribute("aria-expanded", "false");
            }
            button.addEventListener("click", function () {
              var open = !box.classList.contains("hs-open");
              box.classList.toggle("hs-open", open);
              box.classList.toggle("hs-collapsed", !open && !phone.matches);
              button.setAttribute("aria-expanded", open ? "true" : "false");
              map.invalidateSize({animate: false});
              sizeLegend();
            });
          });
          // On a phone the layer list folds behind Leaflet's layers button; a tap on the map
          // folds it again.
          var layers = container.querySelector(".leaflet-control-layers");
          if (layers && phone.matches) {
            layers.classList.remove("leaflet-control-layers-expanded");
            map.on("click", function () {
              layers.classList.remove("leaflet-control-layers-expanded");
            });
          }
          var details = document.getElementById("hs-details");
          if (details && !phone.matches) {
            details.open = false;
          }
          var fitStudy = function () {
            map.invalidateSize({animate: false});
            sizeLegend();
            var right = 12;
            if (legend && legend.classList.contains("hs-open") && !phone.matches) {
              right += legend.offsetWidth;
            }
            map.fitBounds(study, {animate: false, paddingTopLeft: [12, 12],
                                  paddingBottomRight: [right, 12]});
          };
          fitStudy();
          window.hotspotsFitStudy = fitStudy;
          window.addEventListener("beforeprint", fitStudy);
          window.addEventListener("afterprint", fitStudy);
          window.matchMedia("print").addEventListener("change", fitStudy);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "HotspotsFrame"
        self.bounds = [list(map(float, corner)) for corner in bounds]
        self.phone = PHONE_MAX_PX


def _marking_bars(marking: str) -> tuple[str, str]:
    """The marking bars, top and bottom, in capitals; an empty marking is a `ConfigError`."""
    if not marking.strip():
        raise ConfigError("marking: the protective marking must not be empty")
    text = html_text(marking.strip().upper())
    return (
        f'<div id="hs-marking-top" class="hs-marking" role="note">{text}</div>',
        f'<div id="hs-marking-bottom" class="hs-marking" role="note">{text}</div>',
    )


def frame_page(m: folium.Map, frame: PageFrame, *, notice: str = "") -> str:
    """Draw the frame around a map and return the self-contained, offline HTML page.

    Parameters
    ----------
    m
        The map with its layers (made by `new_map`); not modified.
    frame
        What to print around it.
    notice
        Text of the notice shown when a tile fails to load; a default names the failure.

    Returns
    -------
    str
        The complete HTML document, byte-identical for equal inputs.
    """
    top, bottom = _marking_bars(frame.marking)
    root = cast(Figure, m.get_root())
    root.title = html_text(frame.title)
    root.header.add_child(
        RawHtml(f"<style>{_css()}{frame.extra_css}</style>", "HotspotsFrameStyle"), name="hs_css"
    )
    _FrameScript(frame.study_bounds).add_to(m)
    notice_text = notice or (
        "Map tiles did not load (no network, or the tile server is blocked): the map shows "
        "the boundaries and hotspots without a street map."
    )
    parts = [
        ("hs_marking_top", top),
        ("hs_header", _header_html(frame)),
        ("hs_panel", _panel_html(frame)),
        ("hs_legend", legend_html(frame.legend)),
        (
            "hs_notice",
            f'<div id="hs-notice" role="alert" hidden>{html_text(notice_text)}</div>',
        ),
        ("hs_marking_bottom", bottom),
    ]
    for name, text in parts:
        if text:
            root.html.add_child(RawHtml(text, name), name=name)
    return offline_html(m)


# --- documents: pages without a map (tune, evaluate) ------------------------------------------

#: Content-Security-Policy of a document page: no script at all, no network; images only from
#: ``data:`` URIs (the figures are embedded).
DOCUMENT_CSP: Final = (
    "default-src 'none'; script-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'"
)

# The frame's CSS serves documents too (marking bars, title block, print sheet, phone); these
# rules only place the document where the map would be and style its tables. On screen the
# document scrolls between the marking bars; in print it flows into two columns so a figure,
# its table and the method fit one A4 landscape sheet.
_DOCUMENT_CSS: Final = """
html, body { margin: 0; padding: 0; }
#hs-document { grid-row: 3; grid-column: 1 / -1; min-height: 0; min-width: 0; overflow: auto;
  padding: 6px 16px 10px; font-size: 14px; line-height: 1.4; overflow-wrap: anywhere; }
#hs-document > * { max-width: 64rem; }
#hs-document h2 { font-size: 15px; margin: 12px 0 4px; }
#hs-document p { margin: 6px 0; }
.hs-verdict { font-size: 16px; padding: 8px 12px; background: #EEF3F8;
  border-left: 4px solid #1d3557; }
.hs-caution { padding: 6px 12px; background: #FFF4CE; border-left: 4px solid #8a6d00; }
.hs-table-wrap { max-width: 100%%; overflow-x: auto; margin: 6px 0; }
#hs-document table { border-collapse: collapse; font-size: 13px; overflow-wrap: normal; }
#hs-document th, #hs-document td { border: 1px solid #bbb; padding: 3px 8px; text-align: left;
  vertical-align: top; }
#hs-document thead th { background: #EEF1F6; }
#hs-document td.hs-num { text-align: right; font-variant-numeric: tabular-nums;
  white-space: nowrap; }
#hs-document tr.hs-chosen td { background: #FFF3C4; font-weight: 700; }
#hs-document img { display: block; max-width: 100%%; height: auto; border: 1px solid #ddd;
  box-sizing: border-box; }
#hs-document code { white-space: nowrap; }
.hs-note { font-size: 12px; color: #333; }
.hs-attribution { font-size: 11px; color: #555; }
@media (max-width: %(phone)dpx) {
  #hs-document { padding: 4px 8px 8px; font-size: 13px; }
  .hs-verdict { font-size: 14px; }
}
@media print {
  #hs-document { overflow: hidden; padding: 2mm 0 0; font-size: 9pt; line-height: 1.3; }
  #hs-document.hs-print-columns { font-size: 8pt; column-count: 2; column-gap: 6mm;
    column-fill: auto; }
  #hs-document > * { max-width: none; }
  #hs-document h2 { font-size: 9pt; margin: 4px 0 2px; }
  #hs-document p { margin: 3px 0; }
  .hs-verdict { font-size: 10pt; padding: 4px 8px; }
  .hs-caution { padding: 3px 8px; }
  .hs-table-wrap { overflow: visible; break-inside: avoid; }
  #hs-document table { font-size: 8pt; }
  .hs-print-columns table { font-size: 7.5pt; }
  #hs-document th, #hs-document td { padding: 1px 4px; }
  #hs-document img { break-inside: avoid; }
  .hs-note { font-size: 7pt; }
  .hs-attribution { font-size: 6.5pt; }
  .hs-verdict, .hs-caution, #hs-document thead th, #hs-document tr.hs-chosen td {
    -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def facts_html(facts: Sequence[tuple[str, str]]) -> str:
    """A two-column table of labelled facts (plain text, escaped here)."""
    rows = "".join(
        f'<tr><th scope="row">{html_text(label)}</th><td>{html_text(value)}</td></tr>'
        for label, value in facts
    )
    return f'<div class="hs-table-wrap"><table class="hs-facts">{rows}</table></div>'


def table_html(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    chosen: Sequence[bool] = (),
    numeric_from: int = 1,
    label: str = "",
) -> str:
    """A table of plain-text cells (escaped here), in a wrapper that scrolls on a phone.

    Parameters
    ----------
    header
        Column headings.
    rows
        Cells, one sequence per row.
    chosen
        True for a row to highlight (e.g. the suggestion); shorter than ``rows`` is fine.
    numeric_from
        Columns from this index on are figures: right-aligned, tabular digits.
    label
        Accessible name of the table.
    """
    head = "".join(f'<th scope="col">{html_text(h)}</th>' for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = ' class="hs-chosen"' if i < len(chosen) and chosen[i] else ""
        cells = "".join(
            f'<td class="hs-num">{html_text(c)}</td>' if j >= numeric_from
            else f"<td>{html_text(c)}</td>"
            for j, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    aria = f' aria-label="{html_text(label)}"' if label else ""
    return (
        f'<div class="hs-table-wrap"><table{aria}><thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(body)}</tbody></table></div>'
    )


def document_page(
    frame: PageFrame, body_html: str, *, attribution_html: str = "", print_columns: bool = False
) -> str:
    """Draw the frame around a document (no map) and return the self-contained HTML page.

    The same marking bars, title block, CSS, print sheet and phone layout as `frame_page`;
    the page runs no script and fetches nothing (:data:`DOCUMENT_CSP`).

    Parameters
    ----------
    frame
        Title, marking, period, area, produced date, summary and warnings; ``legend``,
        ``study_bounds`` and the panel are a map's and are not drawn.
    body_html
        The document (escaped HTML built by the caller, e.g. with `facts_html`, `table_html`).
    attribution_html
        Escaped HTML printed at the end of the document, e.g. `boundary_attribution`'s.
    print_columns
        Print in two columns (for a document with a figure, so that it fits one sheet).

    Returns
    -------
    str
        The complete HTML document, byte-identical for equal inputs.
    """
    top, bottom = _marking_bars(frame.marking)
    css = _css() + _DOCUMENT_CSS % {"phone": PHONE_MAX_PX} + frame.extra_css
    end = f'<p class="hs-attribution">{attribution_html}</p>' if attribution_html else ""
    cls = ' class="hs-print-columns"' if print_columns else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{DOCUMENT_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{html_text(frame.title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"{top}\n{_header_html(frame)}\n"
        f'<main id="hs-document"{cls}>\n{body_html}\n{end}\n</main>\n{bottom}\n</body>\n</html>\n'
    )
