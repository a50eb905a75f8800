"""Turn a folium map into one self-contained, deterministic, offline HTML page.

Police networks block CDNs and tile servers, and audits and golden tests need the same input to
give the same bytes. A stock folium page fails both: it pulls Leaflet, jQuery, Bootstrap,
awesome-markers and font-awesome from CDNs, and every element carries a random id. `offline_html`
renders a private deep copy of the map and

* inlines Leaflet 1.9.4 (JS and CSS) from the ``django-js-lib-leaflet`` package, with the CSS
  images and the default marker icons as base64 data URIs, and drops folium's other default
  assets (jQuery, Bootstrap, glyphicons, font-awesome, awesome-markers). GeoJson layers,
  GeoJsonTooltip/GeoJsonPopup, Tooltip, LayerControl, vector layers and plain HTML elements need
  only Leaflet. The few folium features that need jQuery or awesome-markers -- ``folium.Popup``,
  ``Map.keep_in_front``, ``GeoJson(embed=False)``, ``folium.Icon`` -- are rejected with a
  `HotspotsError` naming the replacement;
* gives every element a deterministic id (``map_1``, ``geo_json_2``, ...; numbered per element
  type, depth-first in child order) and sorts set-valued attributes, so the output is
  byte-identical across calls and processes;
* refuses any other external script or stylesheet (a plugin's ``default_js``/``default_css``),
  unless the caller supplies a local copy through ``local_assets``;
* scans the result for ``src=``/``href=``/``url(`` references to other hosts and for
  ``@import``, and adds a Content-Security-Policy that blocks every network fetch except the
  tile hosts of TileLayers the caller added (a map made with ``tiles=None`` makes no request)
  and lets only the page's own ``<script>`` blocks run (by hash): inline event handlers
  (``onclick=``) and ``javascript:`` URLs are refused, so attach handlers from a script.

The caller's map is never modified. Output is byte-identical for equal maps as long as folium,
branca and django-js-lib-leaflet stay at the same versions.

What callers must escape
------------------------
folium does not escape text that ends up as HTML in the browser. Pass each of these through
`escape_text` first (numbers may stay numbers):

* GeoJSON property values shown by ``GeoJsonTooltip``/``GeoJsonPopup`` (their ``fields``) and
  their ``aliases``. folium embeds the data safely as JSON (its ``tojson`` escapes ``<``, ``>``,
  ``&`` and ``'``, so a value cannot close the ``<script>``), but the tooltip code then builds
  ``<td>${value}</td>`` strings and assigns them with ``div.innerHTML``: an unescaped value such as
  ``<img src=x onerror=...>`` runs script when the tooltip opens. Nested objects are shown with
  ``JSON.stringify``, also unescaped -- flatten them to escaped strings.
* Layer names (``name=`` of GeoJson, FeatureGroup, TileLayer): Leaflet's layer control inserts
  them with ``innerHTML``. The same holds for a TileLayer's ``attr``.
* ``folium.Tooltip`` text: folium pastes it raw into a JavaScript template literal, so a
  backtick, ``${`` or backslash would also break out into script; `escape_text` encodes those.
* Any value interpolated into a custom legend, header or ``DivIcon`` HTML.

Never build ``style=``/``class_name=`` arguments from data: folium writes them raw into CSS.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import html
import logging
import os
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import folium
from branca.element import CssLink, Element, Figure, JavascriptLink
from folium.elements import ElementAddToElement
from folium.features import GeoJson
from folium.map import Icon, Marker, Popup
from folium.raster_layers import ImageOverlay, TileLayer, VideoOverlay, WmsTileLayer

from hotspots.errors import HotspotsError

__all__ = ["PreparedGeoJson", "escape_text", "offline_html"]

logger = logging.getLogger(__name__)

_LEAFLET_PACKAGE = "js_lib_leaflet"
_LEAFLET_DIR = ("static", "js_lib_leaflet")

# Names under which folium.Map.default_js/default_css request Leaflet itself.
_LEAFLET_JS_NAME = "leaflet"
_LEAFLET_CSS_NAME = "leaflet_css"

# folium.Map's other default assets. Only folium.Popup, Map.keep_in_front and
# GeoJson(embed=False) call jQuery, and only folium.Icon uses Bootstrap/glyphicons/font-awesome/
# awesome-markers; all four are rejected in _unsupported_features, so dropping these is safe.
_DROPPED_FOLIUM_ASSETS = frozenset(
    {
        "jquery",
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

# branca draws ids from urandom(16).hex() and folium.utilities.deep_copy from uuid4().hex: both
# are 32 lowercase hex digits, which is how random ids are told from ids a caller chose.
_RANDOM_ID = re.compile(r"[0-9a-f]{32}")
_HEX_RUN = re.compile(r"[0-9a-f]{32,}")

# Attributes that are tree structure, compiled templates or prepared data, never data to
# rewrite or walk.
_STRUCTURAL_ATTRS = frozenset({"_parent", "_children", "_template", "_id", "data_text"})

# Deep enough for LayerControl/GroupedLayerControl name tables (depth 1-2); shallow enough not
# to walk every coordinate of an embedded GeoJSON (depth 4+). Strings deeper down are still
# fixed by the text pass over the rendered HTML.
_ATTR_REWRITE_DEPTH = 3

# References that make a browser load something from another host. Tile URL templates live in
# JavaScript strings (L.tileLayer("https://...")), which these patterns deliberately do not match;
# JSON-escaped HTML (href=\"https://...\") in tile attributions does not match either.
_EXTERNAL_REFERENCE = re.compile(
    r"""\b(?:src|href|srcset|poster)\s*=\s*["']?\s*(?:https?:|ftp:)?//[^\s"'<>]*"""
    r"""|url\(\s*["']?\s*(?:https?:|ftp:)?//[^\s"')]*"""
    r"""|@import\b""",
    re.IGNORECASE,
)

_SOURCE_MAP_COMMENT = re.compile(r"^[ \t]*(?://|/\*)[#@] sourceMappingURL=.*$", re.MULTILINE)
_CLOSING_TAG = re.compile(r"</(script|style)", re.IGNORECASE)
_SCRIPT_OPEN = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script", re.IGNORECASE)

# Beyond html.escape: a backtick, "${" or a backslash inside folium.Tooltip's JavaScript
# template literal would end the literal, interpolate code or forge characters such as "<".
# As character references they render identically in HTML text and attributes.
# Braces too: branca re-renders each element's finished script as a Jinja template, so a
# "{{ ... }}" in a value would be evaluated (with Python access) while the page is built.
_TEMPLATE_LITERAL_ESCAPES = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)


def escape_text(value: object) -> str:
    """Escape a value for HTML text or a quoted HTML attribute.

    Use it on every value that comes from data (names, labels, property values) before it goes
    into a tooltip, popup, layer name, legend or header; see the module docstring for where
    folium does not escape.

    Parameters
    ----------
    value
        Any value; it is converted with ``str()`` first (so ``None`` becomes ``"None"`` -- map
        missing values to a label before calling).

    Returns
    -------
    str
        The text with ``& < > " '`` escaped as by ``html.escape(..., quote=True)``, and with
        backtick, ``$``, backslash and braces as character references, so the result is also
        inert inside a JavaScript template literal that is later assigned to ``innerHTML`` and
        inside the Jinja template branca makes of each element's script.
        Non-ASCII text (``"Ynys Môn"``) is left as it is.

    Examples
    --------
    >>> escape_text('"><img src=x onerror=alert(1)>')
    '&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'
    >>> escape_text("Ynys Môn")
    'Ynys Môn'
    """
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL_ESCAPES)


class PreparedGeoJson(GeoJson):
    """A GeoJson layer whose data arrives as finished JSON text.

    folium keeps a layer's data as Python objects, so `offline_html` would deep-copy them,
    Jinja's ``tojson`` serialise them with sorted keys, branca parse the result again as a
    template and the page checks scan it: at tens of thousands of features that is most of a
    run. This layer carries a one-feature stand-in with the real property names (a
    ``GeoJsonTooltip`` checks its fields against the first feature) and the text, which
    `offline_html` puts in place of the stand-in once the page is rendered and checked. The
    text skips the external-reference scan: it is data, not markup -- escape every property
    value shown as HTML with `escape_text`, as for any GeoJson layer.

    Style the layer with a JavaScript ``style`` option (a ``folium.utilities.JsCode``
    function of the feature): folium's ``style_function`` needs every feature in Python.

    Parameters
    ----------
    data_text
        A GeoJSON FeatureCollection as JSON text. ``<``, ``>``, ``&`` and ``'`` are escaped
        here, as Jinja's ``tojson`` does, so no value can close the ``<script>``.
    properties
        The property names of the features (those a tooltip may show).
    **kwargs
        As for `folium.GeoJson`, without ``style_function``, ``highlight_function`` or
        ``embed``.
    """

    def __init__(self, data_text: str, properties: Sequence[str], **kwargs: Any) -> None:
        unsupported = {"style_function", "highlight_function", "embed"} & set(kwargs)
        if unsupported:
            raise TypeError(f"PreparedGeoJson does not take {', '.join(sorted(unsupported))}")
        if not data_text.lstrip().startswith("{"):
            raise ValueError("PreparedGeoJson: data_text must be a GeoJSON object as JSON text")
        stand_in = {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": dict.fromkeys(properties, ""), "geometry": None}],
        }
        super().__init__(stand_in, **kwargs)
        self._name = "GeoJson"  # same JavaScript names (geo_json_N) as folium's layer
        # What Jinja's tojson escapes in JSON that goes into a <script> block.
        for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
            data_text = data_text.replace(char, escaped)
        self.data_text = data_text


def offline_html(
    m: folium.Map,
    *,
    local_assets: Mapping[str, str | os.PathLike[str]] | None = None,
) -> str:
    """Render a folium map as a self-contained, deterministic, offline HTML page.

    Parameters
    ----------
    m
        The map. It is deep-copied before rendering, so it is left untouched and may be
        rendered again.
    local_assets
        Local copies of assets that plugins request from CDNs, as ``{asset name: file path}``;
        the asset name is the first item of the plugin's ``default_js``/``default_css`` pair
        (the error for a missing asset names it). Each file is inlined as UTF-8 text.

    Returns
    -------
    str
        The complete HTML document. It loads no external script, stylesheet, font or image
        (tiles excepted when the caller added a TileLayer), and is byte-identical for equal maps,
        across calls and processes.

    Raises
    ------
    TypeError
        If `m` is not a folium Map.
    HotspotsError
        If the map uses a folium feature that needs jQuery or awesome-markers, requests an
        external asset with no local copy, or still references another host after rendering.
    """
    if not isinstance(m, folium.Map):
        raise TypeError(f"offline_html: m must be a folium.Map, got {type(m).__name__}")
    original_root = m.get_root()
    if not isinstance(original_root, Figure):
        raise HotspotsError(
            f"offline_html: the map's root element is a {type(original_root).__name__}, not a "
            "branca Figure; build the map with folium.Map(...) and do not detach it"
        )
    local_assets = dict(local_assets or {})

    figure = _private_copy(original_root)
    _forget_previous_render(figure)
    elements = _walk(figure)

    problems = _unsupported_features(elements)
    if problems:
        raise HotspotsError(
            "offline_html: this map cannot work offline:\n  - " + "\n  - ".join(problems)
        )

    counters: dict[str, int] = {}
    id_map = _assign_deterministic_ids(elements, counters)
    asset_owners = _asset_owners(elements)
    tile_layers = [el for el in elements if isinstance(el, (TileLayer, WmsTileLayer))]

    # Figure.render() is "render every child, then the page template"; we do the two halves
    # ourselves so the asset links the children register can be swapped for inline copies in
    # between. Rendering the private copy means no folium class or the caller's map is patched.
    for child in figure._children.values():
        child.render()
    inline_blocks = _inline_header_assets(figure, local_assets, asset_owners)
    page = figure._template.render(this=figure, kwargs={})

    # Elements created during rendering (wrappers, ElementAddToElement, ...) got random ids too.
    id_map.update(_assign_deterministic_ids(_walk(figure), counters))
    page = _replace_ids(page, id_map)

    _reject_external_references(page, "the rendered map")
    page = _insert_prepared_data(page, _walk(figure))
    for name, block in inline_blocks.items():
        if name in local_assets:  # Leaflet's own source is known clean (and links leafletjs.com)
            _reject_external_references(block, f"local asset {name!r}")

    for name, block in inline_blocks.items():
        token = _placeholder(name)
        if page.count(token) != 1:
            raise HotspotsError(
                f"offline_html: expected one slot for asset {name!r} in the page, found "
                f"{page.count(token)}; does the map's HTML contain the text {token!r}?"
            )
        page = page.replace(token, block)

    # The HTML parser turns CR LF into LF before a script's hash is checked, so do it first.
    page = page.replace("\r\n", "\n").replace("\r", "\n")
    page = page.replace(_CSP_TOKEN, _csp_meta(tile_layers, _script_hashes(page)))

    logger.debug(
        "offline_html: %d elements, %d inlined assets, %d characters",
        len(elements),
        len(inline_blocks),
        len(page),
    )
    return page


# --- copying -------------------------------------------------------------------------------------


def _private_copy(root: Figure) -> Figure:
    """Deep-copy the element tree, keeping templates that pickling support would drop."""
    memo: dict[int, Any] = {}
    try:
        twin = copy.deepcopy(root, memo)
    except Exception as exc:
        raise HotspotsError(
            f"offline_html: could not copy the map before rendering ({type(exc).__name__}: "
            f"{exc}); an element holds an object that cannot be deep-copied"
        ) from exc
    # branca's __getstate__ drops instance templates and __setstate__ rebuilds only those made
    # from a template string, so the common legend recipe (macro._template = Template(...))
    # would render as nothing. Templates are immutable once compiled: sharing them is safe.
    for element in _walk(root):
        if "_template" in vars(element) and id(element) in memo:
            memo[id(element)]._template = element._template
    return twin


def _forget_previous_render(figure: Figure) -> None:
    """Remove what an earlier ``render()``/``save()`` of the caller's map left in the tree.

    folium renders by adding to the tree: each element's output goes into the figure's
    header/html/script under a key made from the element's name, its asset links under their
    asset names, and layers and markers gain ``ElementAddToElement``/``SetIcon`` children. A
    second render re-adds all of it, but new entries land after the stale ones or beside them
    under other names, so without this a map saved once before would render differently (and
    add layers twice).
    """
    elements = _walk(figure)
    asset_names = {name for element in elements for name, _url in _asset_links(element)}
    for section in (figure.header, figure.html, figure.script):
        for key, child in list(section._children.items()):
            # Rendered output is keyed by *another* element's name; an element the caller added
            # is keyed by its own name or by a name the caller chose.
            foreign_id = any(run != child._id for run in _RANDOM_ID.findall(key))
            asset_link = isinstance(child, (JavascriptLink, CssLink)) and key in asset_names
            include = key.endswith("_includes")  # folium.map.Class include statements
            if foreign_id or asset_link or include:
                del section._children[key]
    for element in elements:
        for key, child in list(element._children.items()):
            if isinstance(child, Marker.SetIcon) or (
                isinstance(child, ElementAddToElement) and key.endswith("_add")
            ):
                del element._children[key]


# --- deterministic ids ---------------------------------------------------------------------------


def _walk(root: Element) -> list[Element]:
    """List every element reachable from `root`, depth-first, children in insertion order.

    Besides ``_children``, elements held in attributes (a Figure's header/html/script, a
    Popup's html, a GeoJson's marker, ...) are visited after the children, in attribute order.
    """
    seen: set[int] = set()
    order: list[Element] = []
    stack: list[Element] = [root]
    while stack:
        element = stack.pop()
        if id(element) in seen:
            continue
        seen.add(id(element))
        order.append(element)
        found = list(element._children.values())
        for name, value in vars(element).items():
            if name not in _STRUCTURAL_ATTRS:
                found.extend(_elements_in(value))
        stack.extend(reversed(found))
    return order


def _elements_in(value: object) -> Iterator[Element]:
    """Yield the elements held directly in an attribute value (not inside sets: no order)."""
    if isinstance(value, Element):
        yield value
    elif isinstance(value, (list, tuple)):
        yield from (item for item in value if isinstance(item, Element))
    elif isinstance(value, dict):
        yield from (item for item in value.values() if isinstance(item, Element))


def _assign_deterministic_ids(elements: list[Element], counters: dict[str, int]) -> dict[str, str]:
    """Replace random ids with per-type counters; return ``{old id: new id}``.

    Names become ``map_1``, ``geo_json_1``, ``geo_json_2``...: numbering per type means adding a
    layer renumbers only the layers of that type after it, which keeps golden diffs small.
    Children dicts are re-keyed (folium uses some keys as JavaScript variable names) and strings
    and sets in attributes are rewritten, because folium copies names into them at construction
    (``Layer.layer_name``, ``MethodCall.target``, ``GroupedLayerControl.layers_untoggle``).
    """
    id_map: dict[str, str] = {}
    for element in elements:
        old = element._id
        if not _RANDOM_ID.fullmatch(old):
            continue
        prefix = element.get_name()[: -len(old)]
        counters[prefix] = counters.get(prefix, 0) + 1
        new = str(counters[prefix])
        element._id = new
        id_map[old] = new
    if not id_map:
        return id_map
    for element in elements:
        keys = list(element._children)
        new_keys = [_replace_ids(key, id_map) for key in keys]
        if new_keys != keys:
            children = element._children
            rekeyed = copy.copy(children)
            rekeyed.clear()
            for key, child in zip(new_keys, children.values(), strict=True):
                rekeyed[key] = child
            element._children = rekeyed
        for name, value in list(vars(element).items()):
            if name in _STRUCTURAL_ATTRS:
                continue
            rewritten = _rewrite_strings(value, id_map, _ATTR_REWRITE_DEPTH)
            if rewritten is not value:
                setattr(element, name, rewritten)
    return id_map


def _rewrite_strings(value: Any, id_map: Mapping[str, str], depth: int) -> Any:
    """Return `value` with old ids replaced in its strings; sets of strings become sorted lists.

    A set of strings iterates in hash order, which changes from process to process
    (PYTHONHASHSEED), so it is turned into a sorted list. Returns `value` itself when nothing
    changed, so callers can skip the assignment.
    """
    if isinstance(value, str):
        return _replace_ids(value, id_map)
    if depth <= 0 or isinstance(value, Element):
        return value
    if isinstance(value, (set, frozenset)):
        if all(isinstance(item, str) for item in value):
            return sorted(_replace_ids(item, id_map) for item in value)
        return value
    if isinstance(value, (list, tuple)):
        items = [_rewrite_strings(item, id_map, depth - 1) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        return type(value)(items) if isinstance(value, list) else tuple(items)
    if isinstance(value, dict):
        pairs = [
            (_rewrite_strings(k, id_map, depth - 1), _rewrite_strings(v, id_map, depth - 1))
            for k, v in value.items()
        ]
        if all(nk is k and nv is v for (nk, nv), (k, v) in zip(pairs, value.items(), strict=True)):
            return value
        rewritten = copy.copy(value)  # keeps OrderedDict/defaultdict type and default factory
        rewritten.clear()
        rewritten.update(pairs)
        return rewritten
    return value


def _replace_ids(text: str, id_map: Mapping[str, str]) -> str:
    """Replace every old element id in `text` with its new id."""

    def swap(match: re.Match[str]) -> str:
        run = match.group(0)
        if len(run) == 32:
            return id_map.get(run, run)
        # An id glued to other hex digits (rare): look for ids at every offset.
        out: list[str] = []
        i = 0
        while i < len(run):
            candidate = run[i : i + 32]
            if candidate in id_map:
                out.append(id_map[candidate])
                i += 32
            else:
                out.append(run[i])
                i += 1
        return "".join(out)

    return _HEX_RUN.sub(swap, text)


# --- what cannot work offline --------------------------------------------------------------------


def _unsupported_features(elements: list[Element]) -> list[str]:
    """Describe every element that needs an asset offline maps do not ship."""
    problems: list[str] = []
    for element in elements:
        if isinstance(element, Popup):
            problems.append(
                "folium.Popup builds its content with jQuery, which offline maps do not ship; "
                "use folium.GeoJsonPopup (or a Tooltip) with escaped values"
            )
        elif isinstance(element, Icon):
            problems.append(
                "folium.Icon needs Leaflet.awesome-markers, Bootstrap and font-awesome from CDNs; "
                "use a CircleMarker, a plain Marker or a DivIcon"
            )
        elif isinstance(element, folium.Map) and element.objects_to_stay_in_front:
            problems.append(
                "Map.keep_in_front() calls jQuery's $(document).ready; add layers in drawing "
                "order instead"
            )
        elif isinstance(element, GeoJson) and not element.embed:
            problems.append(
                f"GeoJson {element.layer_name!r} has embed=False: it would fetch "
                f"{element.embed_link!r} with jQuery at view time; pass the data with embed=True"
            )
        elif isinstance(element, ImageOverlay) and _is_remote(element.url):
            problems.append(
                f"ImageOverlay {element.layer_name!r} loads {element.url!r}; pass the image as an "
                "array or a local file so it is embedded as a data URI"
            )
        elif isinstance(element, VideoOverlay) and _is_remote(element.video_url):
            problems.append(
                f"VideoOverlay {element.layer_name!r} loads {element.video_url!r}; pass the video "
                "as a data URI"
            )
    return list(dict.fromkeys(problems))


def _is_remote(url: object) -> bool:
    return (
        isinstance(url, str)
        and re.match(r"\s*(?:[a-z][a-z0-9+.-]*:)?//", url, re.IGNORECASE) is not None
    )


def _asset_owners(elements: list[Element]) -> dict[str, str]:
    """Map each requested asset name to the class that requests it, for error messages."""
    owners: dict[str, str] = {}
    for element in elements:
        for name, _url in _asset_links(element):
            owners.setdefault(name, type(element).__name__)
    return owners


def _asset_links(element: Element) -> list[tuple[str, str]]:
    """The ``(name, url)`` pairs an element (folium's JSCSSMixin) asks the page to load."""
    return [*getattr(element, "default_js", []), *getattr(element, "default_css", [])]


# --- assets --------------------------------------------------------------------------------------


class _RawHtml(Element):
    """An element that renders a fixed string, never parsed as a Jinja template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self._text = text

    def render(self, **kwargs: Any) -> str:
        """Return the fixed text."""
        return self._text


def _placeholder(name: str) -> str:
    return f"<!--hotspots-offline-asset:{name}-->"


_CSP_TOKEN = _placeholder("content-security-policy")


def _inline_header_assets(
    figure: Figure,
    local_assets: Mapping[str, str | os.PathLike[str]],
    owners: Mapping[str, str],
) -> dict[str, str]:
    """Swap the header's asset links for placeholders; return ``{name: inline block}``.

    Placeholders keep the big inline code out of the external-reference scan and out of the id
    rewrite: Leaflet's own source contains ``href="https://leafletjs.com"`` (the attribution
    link) and must not be flagged.
    """
    blocks: dict[str, str] = {}
    problems: list[str] = []
    header: OrderedDict[str, Element] = OrderedDict()

    def put(name: str, block: str) -> None:
        blocks[name] = block
        header[f"hotspots_offline_{name}"] = _RawHtml(_placeholder(name))

    for key, child in figure.header._children.items():
        if not isinstance(child, (JavascriptLink, CssLink)):
            header[key] = child
            if key == "meta_http":
                # The policy must precede every script and style it governs.
                header["hotspots_offline_csp"] = _RawHtml(_CSP_TOKEN)
            continue
        is_js = isinstance(child, JavascriptLink)
        if key in local_assets:
            text = _read_local_asset(key, local_assets[key])
            put(key, _script_block(text) if is_js else _style_block(text))
        elif is_js and key == _LEAFLET_JS_NAME:
            put("leaflet", _script_block(_leaflet_js()))
            put("leaflet_icon_defaults", _script_block(_leaflet_icon_defaults_js()))
        elif not is_js and key == _LEAFLET_CSS_NAME:
            put("leaflet_css", _style_block(_leaflet_css()))
        elif key in _DROPPED_FOLIUM_ASSETS:
            continue
        else:
            kind = "script" if is_js else "stylesheet"
            owner = owners.get(key, "an element")
            problems.append(
                f"{kind} {key!r} ({child.url}) requested by {owner}; pass a local copy with "
                f"offline_html(m, local_assets={{{key!r}: 'path/to/file'}}) or remove the element"
            )
    if "hotspots_offline_csp" not in header:
        header["hotspots_offline_csp"] = _RawHtml(_CSP_TOKEN)
        header.move_to_end("hotspots_offline_csp", last=False)
    if problems:
        raise HotspotsError(
            "offline_html: external assets with no local copy:\n  - " + "\n  - ".join(problems)
        )
    if "leaflet" not in blocks or "leaflet_css" not in blocks:
        raise HotspotsError(
            "offline_html: the map did not request Leaflet under the names "
            f"{_LEAFLET_JS_NAME!r}/{_LEAFLET_CSS_NAME!r}; has folium.Map.default_js changed?"
        )
    figure.header._children = header
    return blocks


def _read_local_asset(name: str, path: str | os.PathLike[str]) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise HotspotsError(
            f"offline_html: local asset {name!r} could not be read from {os.fspath(path)!r}: {exc}"
        ) from exc


def _script_block(code: str) -> str:
    return "<script>\n" + _inline_safe(code) + "\n</script>"


def _style_block(css: str) -> str:
    return "<style>\n" + _inline_safe(css) + "\n</style>"


def _inline_safe(text: str) -> str:
    """Drop source-map comments (devtools would fetch them) and defuse closing tags.

    ``<\\/script`` means the same as ``</script`` in JavaScript strings and regexes and in CSS
    strings, but does not end the surrounding element.
    """
    text = _SOURCE_MAP_COMMENT.sub("", text).strip()
    return _CLOSING_TAG.sub(r"<\\/\1", text)


@cache
def _leaflet_file(*parts: str) -> bytes:
    resource = resources.files(_LEAFLET_PACKAGE).joinpath(*_LEAFLET_DIR, *parts)
    try:
        return resource.read_bytes()
    except OSError as exc:
        raise HotspotsError(
            f"offline_html: {'/'.join(parts)} is missing from the {_LEAFLET_PACKAGE} package "
            f"({exc}); reinstall django-js-lib-leaflet>=1.9.4"
        ) from exc


def _png_data_uri(name: str) -> str:
    return "data:image/png;base64," + base64.b64encode(_leaflet_file("images", name)).decode()


@cache
def _leaflet_js() -> str:
    return _leaflet_file("leaflet.js").decode("utf-8")


@cache
def _leaflet_css() -> str:
    css = _leaflet_file("leaflet.css").decode("utf-8")
    css = re.sub(
        r"""url\((['"]?)images/([\w.-]+\.png)\1\)""",
        lambda match: f'url("{_png_data_uri(match.group(2))}")',
        css,
    )
    if "url(images/" in css or re.search(r"url\(\s*['\"]?images/", css):
        raise HotspotsError(
            "offline_html: leaflet.css references an image this module does not inline; "
            "update _leaflet_css for the installed django-js-lib-leaflet"
        )
    return css


@cache
def _leaflet_icon_defaults_js() -> str:
    # Leaflet finds marker icons by reading the path of a CSS background image and appending
    # "marker-icon.png"; with a data URI that yields a relative file URL that does not exist.
    # Setting imagePath to "" and the URLs themselves gives plain Markers working icons.
    return (
        'L.Icon.Default.imagePath = "";\n'
        "L.Icon.Default.mergeOptions({\n"
        f'  iconUrl: "{_png_data_uri("marker-icon.png")}",\n'
        f'  iconRetinaUrl: "{_png_data_uri("marker-icon-2x.png")}",\n'
        f'  shadowUrl: "{_png_data_uri("marker-shadow.png")}"\n'
        "});"
    )


# --- network policy ------------------------------------------------------------------------------


def _csp_meta(tile_layers: Sequence[Element], script_hashes: list[str]) -> str:
    """Build the page's Content-Security-Policy ``<meta>``.

    A second line of defence behind the escaping contract and the reference scan:

    * scripts run only if their exact text is in the page as rendered (sha256 hashes), so an
      event handler smuggled in through an unescaped value (``<img onerror=...>`` in a tooltip)
      or a ``javascript:`` URL is refused by the browser;
    * nothing is fetched (``connect-src 'none'``), and images load only from data URIs and the
      tile hosts of TileLayers the caller added.

    Inline ``style=`` attributes stay allowed: folium's templates write them.
    """
    image_sources = ["data:", "blob:"]
    for layer in tile_layers:
        template = getattr(layer, "tiles", None) or getattr(layer, "url", None)
        if isinstance(template, str):
            image_sources.extend(_tile_sources(template))
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src " + (" ".join(script_hashes) or "'none'"),
            "style-src 'unsafe-inline'",
            "img-src " + " ".join(dict.fromkeys(image_sources)),
            "font-src data:",
            "media-src data: blob:",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    # Single quotes stay literal so the policy reads as written; only '"' could end the value.
    content = html.escape(policy, quote=False).replace('"', "&quot;")
    return f'<meta http-equiv="Content-Security-Policy" content="{content}" />'


def _insert_prepared_data(page: str, elements: list[Element]) -> str:
    """Put each `PreparedGeoJson`'s text in place of its stand-in in the rendered page.

    folium's template adds the data with one call, ``geo_json_N_add(<data>);``, and the
    stand-in's JSON holds no ``);``.
    """
    for element in elements:
        if not isinstance(element, PreparedGeoJson):
            continue
        call = f"{element.get_name()}_add("
        start = page.find(call)
        end = page.find(");", start)
        if start < 0 or end < 0 or page.find(call, start + 1) >= 0:
            raise HotspotsError(
                f"offline_html: expected one call {call}...) in the page for a PreparedGeoJson "
                "layer; has folium's GeoJson template changed?"
            )
        page = page[: start + len(call)] + element.data_text + page[end:]
    return page


def _script_hashes(page: str) -> list[str]:
    """Return CSP sources (``'sha256-...'``) for every inline script block of `page`, in order.

    Like the HTML parser, a block runs from ``<script ...>`` to the first ``</script``; inlined
    assets have theirs defused, and folium's JSON escapes ``<``. Opening and closing tags are
    searched for separately: one lazy ``(.*?)`` pattern crawls through megabytes of data.
    """
    hashes = []
    opening = _SCRIPT_OPEN.search(page)
    while opening is not None:
        closing = _SCRIPT_CLOSE.search(page, opening.end())
        if closing is None:
            break
        digest = hashlib.sha256(page[opening.end() : closing.start()].encode("utf-8")).digest()
        hashes.append("'sha256-" + base64.b64encode(digest).decode() + "'")
        opening = _SCRIPT_OPEN.search(page, closing.end())
    return list(dict.fromkeys(hashes))


def _tile_sources(template: str) -> list[str]:
    """CSP sources for a Leaflet tile URL template such as ``https://{s}.tile.example/{z}/...``."""
    match = re.match(r"\s*(?:([a-z][a-z0-9+.-]*):)?//([^/?#]*)", template, re.IGNORECASE)
    if match is None:
        return ["'self'", "file:"]  # a relative template: tiles next to the HTML file
    scheme = (match.group(1) or "https").lower()
    host = match.group(2)
    host = re.sub(r"^\{[a-z]+\}\.", "*.", host)  # {s}.tile.x -> *.tile.x (leftmost label only)
    if "{" in host or not host:
        return [f"{scheme}:"]
    return [f"{scheme}://{host}"]


def _reject_external_references(text: str, where: str) -> None:
    """Raise if `text` makes a browser load anything from another host."""
    found = list(dict.fromkeys(match.group(0) for match in _EXTERNAL_REFERENCE.finditer(text)))
    if found:
        shown = ", ".join(repr(item) for item in found[:5])
        more = f" and {len(found) - 5} more" if len(found) > 5 else ""
        raise HotspotsError(
            f"offline_html: {where} still references external resources: {shown}{more}; "
            "offline pages may not load anything from the network -- inline the resource as a "
            "data URI or remove it"
        )
