"""Unit tests for hotspots.render.offline: self-contained, deterministic, escaped HTML."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import folium
import pytest
from branca.element import MacroElement
from folium.plugins import Fullscreen, GroupedLayerControl
from folium.template import Template
from folium.utilities import JsCode

from hotspots.errors import HotspotsError
from hotspots.render.offline import PreparedGeoJson, escape_text, offline_html

TESTS_DIR = Path(__file__).resolve().parent
SRC_DIR = TESTS_DIR.parent / "src"


def _square(lon: float, lat: float) -> list[list[list[float]]]:
    return [[[lon, lat], [lon + 0.1, lat], [lon + 0.1, lat + 0.1], [lon, lat + 0.1], [lon, lat]]]


def _collection(names: list[str]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": escape_text(name), "events": 3 * (i + 1)},
                "geometry": {"type": "Polygon", "coordinates": _square(-4.4 + 0.2 * i, 53.2)},
            }
            for i, name in enumerate(names)
        ],
    }


def _legend(text: str) -> MacroElement:
    # The usual folium legend recipe: a MacroElement whose template is set on the instance.
    legend = MacroElement()
    legend._template = Template(
        "{% macro html(this, kwargs) %}"
        f'<div class="hotspots-legend">{escape_text(text)}</div>'
        "{% endmacro %}"
    )
    return legend


def build_map() -> folium.Map:
    """A small map: no tiles, one GeoJson layer with a tooltip, a layer control, a legend."""
    m = folium.Map(location=[53.25, -4.2], zoom_start=9, tiles=None)
    folium.GeoJson(
        _collection(["Ynys Môn", "Gwynedd"]),
        name="Hotspots",
        tooltip=folium.GeoJsonTooltip(fields=["name", "events"], aliases=["Area", "Events"]),
    ).add_to(m)
    folium.LayerControl().add_to(m)
    m.get_root().add_child(_legend("Thin coverage <50%"))
    return m


def build_grouped_map(asset_dir: Path) -> tuple[folium.Map, dict[str, Path]]:
    """A map whose plugin keeps layer names in a set (hash-ordered) and needs local assets."""
    m = folium.Map(location=[53.25, -4.2], zoom_start=9, tiles=None)
    groups = [folium.FeatureGroup(name=f"Period {i}").add_to(m) for i in range(1, 5)]
    GroupedLayerControl({"Periods": groups}, exclusive_groups=True).add_to(m)
    js = asset_dir / "grouped.js"
    css = asset_dir / "grouped.css"
    js.write_text("/* grouped layer control stub */ L.control.groupedLayers = function () {};\n")
    css.write_text(".leaflet-control-layers-group-name { font-weight: bold; }\n")
    assets = {
        "leaflet.groupedlayercontrol.min.js": js,
        "leaflet.groupedlayercontrol.min.css": css,
    }
    return m, assets


# --- self-contained ------------------------------------------------------------------------------


def test_no_external_references():
    page = offline_html(build_map())

    assert not re.search(r"<script[^>]*\bsrc=", page, re.IGNORECASE)
    assert not re.search(r"<link\b", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*['\"]?https?:", page, re.IGNORECASE)
    assert "@import" not in page
    # The only absolute URL in an attribute is Leaflet's own attribution link (a JS string).
    assert set(re.findall(r'(?:src|href)="https?://[^"]*"', page)) == {
        'href="https://leafletjs.com"'
    }
    for cdn in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "bootstrapcdn"):
        assert cdn not in page


def test_leaflet_inlined_with_data_uri_images():
    page = offline_html(build_map())

    assert "Leaflet 1.9.4, a JS library for interactive maps" in page
    assert ".leaflet-control-layers-toggle" in page
    assert "url(images/" not in page
    assert 'url("data:image/png;base64,' in page
    assert "sourceMappingURL" not in page
    assert "L.tileLayer" not in page  # tiles=None stays tile-free


def test_map_content_and_legend_rendered():
    page = offline_html(build_map())

    assert 'var map_1 = L.map(\n                "map_1"' in page
    assert "geo_json_1.bindTooltip(" in page
    assert '"Hotspots" : geo_json_1' in page
    assert '<div class="hotspots-legend">Thin coverage &lt;50%</div>' in page
    assert '"Ynys M\\u00f4n"' in page  # folium's JSON is ASCII; the browser decodes it


def test_content_security_policy_allows_exactly_the_page_scripts():
    page = offline_html(build_map())

    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script", page, re.DOTALL | re.IGNORECASE)
    expected = {
        "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'"
        for b in bodies
    }
    script_src = re.search(r"script-src ([^;]*)", policy).group(1).split()
    assert set(script_src) == expected
    assert "connect-src 'none'" in policy
    assert "img-src data: blob:;" in policy
    assert page.index("Content-Security-Policy") < page.index("<script")


def test_tile_layer_added_by_caller_is_kept_and_allowed():
    m = folium.Map(
        location=[53.25, -4.2], tiles="https://{s}.tiles.example/{z}/{x}/{y}.png", attr="Example"
    )
    page = offline_html(m)

    assert 'L.tileLayer(\n                "https://{s}.tiles.example/{z}/{x}/{y}.png"' in page
    assert "img-src data: blob: https://*.tiles.example;" in page


# --- deterministic -------------------------------------------------------------------------------


def test_two_calls_are_byte_identical():
    m = build_map()
    assert offline_html(m) == offline_html(m)
    assert offline_html(build_map()) == offline_html(build_map())


def test_ids_are_deterministic_names():
    page = offline_html(build_map())

    assert not re.search(r"_[0-9a-f]{32}", page)
    for name in ("map_1", "geo_json_1", "layer_control_1"):
        assert name in page


def test_caller_map_is_left_untouched_and_prior_render_does_not_matter():
    m = build_map()
    figure = m.get_root()
    stock = figure.render()  # folium's own rendering adds its output to the tree

    def snapshot() -> list:
        sections = (figure, figure.header, figure.html, figure.script, m)
        return [m._id, figure._id, *(list(section._children) for section in sections)]

    before = snapshot()
    page = offline_html(m)

    assert snapshot() == before
    assert page == offline_html(build_map())
    assert "cdn.jsdelivr.net" in stock


_SUBPROCESS_SCRIPT = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import test_offline
from hotspots.render.offline import offline_html
if sys.argv[2] == "minimal":
    page = offline_html(test_offline.build_map())
else:
    m, assets = test_offline.build_grouped_map(Path(sys.argv[3]))
    page = offline_html(m, local_assets=assets)
sys.stdout.buffer.write(page.encode("utf-8"))
"""


def _render_in_subprocess(kind: str, asset_dir: Path, hash_seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC_DIR), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-c", _SUBPROCESS_SCRIPT, str(TESTS_DIR), kind, str(asset_dir)],
        capture_output=True,
        env=env,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.mark.parametrize("kind", ["minimal", "grouped"], ids=["minimal-map", "set-valued-plugin"])
def test_separate_processes_are_byte_identical(kind, tmp_path):
    # Different hash seeds change the iteration order of sets of strings between processes.
    outputs = {seed: _render_in_subprocess(kind, tmp_path, seed) for seed in ("1", "2", "3")}

    assert len(set(outputs.values())) == 1
    if kind == "minimal":
        assert outputs["1"] == offline_html(build_map()).encode("utf-8")


def test_local_assets_are_inlined(tmp_path):
    m, assets = build_grouped_map(tmp_path)
    page = offline_html(m, local_assets=assets)

    assert "/* grouped layer control stub */" in page
    assert ".leaflet-control-layers-group-name { font-weight: bold; }" in page
    assert "cdnjs.cloudflare.com" not in page
    untoggled = re.findall(r"(feature_group_\d+)\.remove\(\);", page)
    assert untoggled == ["feature_group_2", "feature_group_3", "feature_group_4"]  # sorted


# --- fails loudly --------------------------------------------------------------------------------


def _with_plugin(m: folium.Map) -> None:
    Fullscreen().add_to(m)


def _with_remote_image(m: folium.Map) -> None:
    m.get_root().html.add_child(folium.Element('<img src="https://example.org/crest.png">'))


def _with_remote_stylesheet(m: folium.Map) -> None:
    m.get_root().header.add_child(
        folium.Element("<style>@import 'https://fonts.example/x.css';</style>")
    )


def _with_css_url(m: folium.Map) -> None:
    m.get_root().header.add_child(
        folium.Element("<style>body { background: url(//example.org/bg.png); }</style>")
    )


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (_with_plugin, "'Control.Fullscreen.js' (https://cdn.jsdelivr.net/"),
        (_with_remote_image, 'src="https://example.org/crest.png'),
        (_with_remote_stylesheet, "@import"),
        (_with_css_url, "url(//example.org/bg.png"),
    ],
    ids=["plugin-cdn-asset", "remote-img", "css-import", "css-url"],
)
def test_leftover_external_asset_raises(add, message):
    m = build_map()
    add(m)
    with pytest.raises(HotspotsError) as caught:
        offline_html(m)
    assert message in str(caught.value)


def test_plugin_error_names_owner_and_fix():
    m = build_map()
    Fullscreen().add_to(m)
    with pytest.raises(HotspotsError, match=r"requested by Fullscreen; pass a local copy"):
        offline_html(m)


def _popup(m: folium.Map, tmp_path: Path) -> None:
    folium.Marker([53.2, -4.2], popup="Custody suite").add_to(m)


def _awesome_icon(m: folium.Map, tmp_path: Path) -> None:
    folium.Marker([53.2, -4.2], icon=folium.Icon(color="red")).add_to(m)


def _keep_in_front(m: folium.Map, tmp_path: Path) -> None:
    layer = folium.FeatureGroup(name="Front").add_to(m)
    m.keep_in_front(layer)


def _linked_geojson(m: folium.Map, tmp_path: Path) -> None:
    path = tmp_path / "areas.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    folium.GeoJson(str(path), embed=False).add_to(m)


@pytest.mark.parametrize(
    ("add", "message"),
    [
        (_popup, "folium.Popup builds its content with jQuery"),
        (_awesome_icon, "folium.Icon needs Leaflet.awesome-markers"),
        (_keep_in_front, "Map.keep_in_front()"),
        (_linked_geojson, "embed=False"),
    ],
    ids=["popup", "awesome-icon", "keep-in-front", "geojson-link"],
)
def test_features_needing_jquery_or_cdn_are_rejected(add, message, tmp_path):
    m = build_map()
    add(m, tmp_path)
    with pytest.raises(HotspotsError, match=re.escape(message)):
        offline_html(m)


def test_rejects_non_map():
    with pytest.raises(TypeError, match="must be a folium.Map, got Figure"):
        offline_html(folium.Figure())  # type: ignore[arg-type]


# --- escape_text ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('"><img src=x onerror=alert(1)>', "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"),
        ("""O'Neill said "hi" & left""", "O&#x27;Neill said &quot;hi&quot; &amp; left"),
        ("Ynys Môn", "Ynys Môn"),
        ("Caerdydd – Wrecsam ✓", "Caerdydd – Wrecsam ✓"),
        ("`${alert(1)}` \\x3c", "&#96;&#36;&#123;alert(1)&#125;&#96; &#92;x3c"),
        (42, "42"),
        (None, "None"),
    ],
    ids=[
        "script-tag",
        "attribute-breakout",
        "quotes",
        "welsh",
        "unicode",
        "template-literal",
        "int",
        "none",
    ],
)
def test_escape_text(value, expected):
    assert escape_text(value) == expected


def test_escape_text_neutralises_jinja_syntax_in_values():
    from hotspots.render.offline import escape_text

    hostile = "{{ cycler.__init__.__globals__.os.getpid() }} {% raw %}"
    escaped = escape_text(hostile)
    assert "{" not in escaped and "}" not in escaped
    m = folium.Map(location=[52.63, 1.29], zoom_start=10, tiles=None)
    folium.GeoJson(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": escaped},
         "geometry": {"type": "Point", "coordinates": [1.29, 52.63]}}]},
        tooltip=folium.GeoJsonTooltip(fields=["name"]),
        marker=folium.CircleMarker(radius=3),
    ).add_to(m)
    page = offline_html(m)
    # Shown as text (GeoJSON data writes "&" as \u0026), not evaluated by branca's Jinja pass.
    assert "\\u0026#123;\\u0026#123; cycler.__init__.__globals__.os.getpid()" in page
    assert "{{ cycler" not in page


# --- PreparedGeoJson ------------------------------------------------------------------------------


def _prepared_map(text: str) -> folium.Map:
    m = folium.Map(location=[53.25, -4.3], zoom_start=9, tiles=None)
    PreparedGeoJson(
        text,
        ["name", "events"],
        name="prepared",
        style=JsCode("function(feature) { return {color: '#123456'}; }"),
        tooltip=folium.GeoJsonTooltip(fields=["name", "events"]),
    ).add_to(m)
    return m


def test_prepared_geojson_text_lands_once_in_place_of_the_stand_in():
    text = json.dumps(_collection(["Conwy", "Ynys Môn"]), ensure_ascii=False)
    page = offline_html(_prepared_map(text))

    body = re.search(r"geo_json_1_add\((\{.*?\})\);\n", page).group(1)
    assert json.loads(body) == json.loads(text)
    assert page.count('"Conwy"') == 1
    assert '"geometry": null' not in page and '"geometry":null' not in page  # the stand-in is gone
    # The policy hashes the page as it finally is, data included.
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page).group(1)
    bodies = re.findall(r"<script\b[^>]*>(.*?)</script", page, re.DOTALL | re.IGNORECASE)
    for b in bodies:
        assert "'sha256-" + base64.b64encode(hashlib.sha256(b.encode()).digest()).decode() + "'" in policy
    assert offline_html(_prepared_map(text)) == page


def test_prepared_geojson_text_cannot_close_the_script():
    hostile = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "</script><script>window.__pwned=1</script>", "events": "a'b&c"},
         "geometry": {"type": "Point", "coordinates": [-4.3, 53.25]}}
    ]}
    page = offline_html(_prepared_map(json.dumps(hostile)))
    assert "window.__pwned" in page
    assert "</script><script>window.__pwned" not in page
    body = re.search(r"geo_json_1_add\((\{.*?\})\);\n", page).group(1)
    assert json.loads(body) == hostile  # escaped as \u003c..., the same data


def test_prepared_geojson_refuses_python_styling_and_non_json():
    with pytest.raises(TypeError, match="style_function"):
        PreparedGeoJson("{}", ["a"], style_function=lambda f: {})
    with pytest.raises(ValueError, match="JSON text"):
        PreparedGeoJson("data.geojson", ["a"])
