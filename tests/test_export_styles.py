"""QGIS styles of the GeoPackage layers: well-formed QML, the map's colours, hand-checked classes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from hotspots.export import styles


def rules(qml: str) -> list[dict[str, str]]:
    """Each rule's label, filter, legend state and its symbol's fill and outline colours."""
    root = ET.fromstring(qml.split("\n", 1)[1])  # drop the DOCTYPE line ElementTree cannot read
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "RuleRenderer"
    symbols = {
        s.get("name"): {p.get("k"): p.get("v") for p in s.iter("prop")}
        for s in renderer.iter("symbol")
    }
    out = []
    for rule in renderer.iter("rule"):
        props = symbols[rule.get("symbol")]
        out.append(
            {
                "label": rule.get("label"),
                "filter": rule.get("filter"),
                "shown": rule.get("checkstate", "1"),
                "color": props["color"],
                "outline_color": props["outline_color"],
                "outline_style": props["outline_style"],
            }
        )
    return out


def rgb(colour: str) -> str:
    """``#rrggbb`` as QGIS's ``r,g,b``."""
    return ",".join(str(int(colour[i : i + 2], 16)) for i in (1, 3, 5))


@pytest.mark.parametrize(
    ("colour", "opacity", "expected"),
    [
        ("#D55E00", 1.0, "213,94,0,255"),
        ("#0072b2", 0.55, "0,114,178,140"),
        ("#000000", 0.0, "0,0,0,0"),
    ],
    ids=["okabe-orange-opaque", "blue-55-percent", "black-clear"],
)
def test_colours_are_written_as_qgis_rgba(colour, opacity, expected):
    assert styles._rgba(colour, opacity) == expected


def test_hotspots_are_coloured_by_status_as_on_the_map():
    colours = styles.map_colours()
    found = rules(styles.hotspots_style(0.5))
    assert [r["label"] for r in found] == [
        "thin: under 0.5 enforcement per harm event",
        "covered: 0.5 or more enforcement per harm event",
    ]
    assert [r["filter"] for r in found] == ["\"status\" = 'thin'", "\"status\" = 'covered'"]
    thin_fill, thin_line = colours["thin"]
    covered_fill, covered_line = colours["covered"]
    assert found[0]["color"].startswith(rgb(thin_fill) + ",")
    assert found[0]["outline_color"] == rgb(thin_line) + ",255"
    assert found[1]["color"].startswith(rgb(covered_fill) + ",")
    assert found[1]["outline_color"] == rgb(covered_line) + ",255"


def test_the_map_draws_the_colours_the_styles_use():
    """The colours the styles take are the ones map.html actually contains."""
    from _exports_sample import sample

    from hotspots.render.map import map_html

    html = map_html(sample().current).lower()
    colours = styles.map_colours()
    for colour in [*colours["thin"], *colours["covered"], colours["cluster_line"], *colours["area_harm"]]:
        assert colour.lower() in html, colour


def test_hotspot_ranks_one_to_ten_are_labelled():
    root = ET.fromstring(styles.hotspots_style(0.5).split("\n", 1)[1])
    assert root.get("labelsEnabled") == "1"
    text = root.find("labeling/settings/text-style")
    assert text is not None and text.get("isExpression") == "1"
    assert text.get("fieldName") == 'CASE WHEN "rank" <= 10 THEN "rank" END'


@pytest.mark.parametrize(
    ("breaks", "labels", "filters"),
    [
        (
            (10, 20),
            ["1–10 harm events", "11–20 harm events", "more than 20 harm events", "no thin hotspot"],
            ["> 0 AND", "> 10 AND", "> 20", "IS NULL OR"],
        ),
        (
            (1, 2),
            ["1 harm event", "2 harm events", "more than 2 harm events", "no thin hotspot"],
            ["> 0 AND", "> 1 AND", "> 2", "IS NULL OR"],
        ),
    ],
    ids=["wide-classes", "single-values"],
)
def test_district_classes_follow_the_maps_breaks(breaks, labels, filters):
    found = rules(styles.districts_style(breaks))
    assert [r["label"] for r in found] == labels
    assert all(f in r["filter"] for f, r in zip(filters, found, strict=True))
    fills = [r["color"].rsplit(",", 1)[0] for r in found]
    colours = styles.map_colours()
    assert fills == [rgb(c) for c in (*colours["area_harm"], colours["area_no_thin"])]


def test_comparison_districts_by_significant_change():
    found = rules(styles.compare_districts_style())
    fills = styles.map_colours()["area_change"]
    assert [r["filter"] for r in found] == [f"\"thin_harm_class\" = '{cls}'" for cls in fills]
    assert [r["color"].rsplit(",", 1)[0] for r in found] == [rgb(c) for c in fills.values()]


def test_changes_show_current_classes_and_resolved_outlines():
    found = rules(styles.changes_style())
    labels = [r["label"] for r in found]
    assert labels[:6] == ["new", "intensified", "persistent", "diminished", "merged", "split"]
    resolved = found[6]
    assert resolved["label"] == "resolved (previous period)"
    assert resolved["outline_style"] == "dash"
    assert found[7]["shown"] == "0"  # matched previous footprints: listed, not drawn


def test_labels_with_markup_characters_stay_text():
    qml = styles.rule_based_qml(
        [styles.Rule('a < b & "c"', "TRUE", styles.FillSymbol("#000000", "#000000"))], root_key="k"
    )
    assert rules(qml)[0]["label"] == 'a < b & "c"'


def test_a_style_needs_a_rule():
    with pytest.raises(ValueError, match="at least one rule"):
        styles.rule_based_qml([], root_key="k")
