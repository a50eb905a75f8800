"""QGIS layer styles (QML) that colour the GeoPackage layers as the HTML maps colour them.

QGIS reads a layer's default style from the ``layer_styles`` table of its GeoPackage when the
layer is opened (:mod:`hotspots.export.gpkg` writes that table). The styles here are rule-based
renderers (one rule per class: a filter expression, a legend label and a symbol), because a rule
can also catch what a categorised or graduated renderer cannot (a district with no harm has no
coverage at all).

The colours are read from the map renderers (:func:`map_colours`), never copied, so the
GeoPackage keeps matching the maps when the palette changes. Symbols are written in the
``<prop k= v=>`` form that every QGIS 3 release reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final
from xml.sax.saxutils import quoteattr

from hotspots import schema

__all__ = [
    "FillSymbol",
    "Rule",
    "changes_style",
    "compare_districts_style",
    "districts_style",
    "enforcement_clusters_style",
    "hotspots_style",
    "map_colours",
    "rule_based_qml",
]

#: Hotspots ranked 1..this carry their rank as a label, as on the map.
RANK_LABELS: Final = 10


@dataclass(frozen=True)
class FillSymbol:
    """A polygon symbol: fill and outline colours (``#rrggbb``) with their opacities."""

    fill: str
    outline: str
    fill_opacity: float = 1.0
    outline_width_mm: float = 0.26
    outline_style: str = "solid"  # QGIS pen styles: solid, dash, dot, no
    fill_style: str = "solid"  # QGIS brush styles: solid, no


@dataclass(frozen=True)
class Rule:
    """One legend entry: the features its QGIS filter expression selects, drawn with a symbol."""

    label: str
    filter: str
    symbol: FillSymbol
    shown: bool = True  # the legend checkbox


def map_colours() -> dict[str, Any]:
    """The colours the HTML maps use, from :mod:`hotspots.render.palette` (one colour language).

    Returns
    -------
    dict
        ``thin``/``covered`` (fill, line) pairs, ``cluster_line``, ``area_no_thin`` and
        ``area_harm`` (three fills, least to most harm in thin hotspots) of the map;
        ``change_classes`` (class -> fill) and ``area_change`` (class -> fill) of the
        comparison map.
    """
    from hotspots.render import palette

    return {
        "thin": (
            palette.STATUS_COLOURS[schema.STATUS_THIN],
            palette.STATUS_LINES[schema.STATUS_THIN],
        ),
        "covered": (
            palette.STATUS_COLOURS[schema.STATUS_COVERED],
            palette.STATUS_LINES[schema.STATUS_COVERED],
        ),
        "cluster_line": palette.CLUSTER_LINE,
        "area_no_thin": palette.AREA_NO_THIN,
        "area_harm": tuple(palette.AREA_HARM_COLOURS),
        "change_classes": dict(palette.CHANGE_COLOURS),
        "area_change": dict(palette.AREA_CHANGE_COLOURS),
    }


# --- QML -------------------------------------------------------------------------------------


def _rgba(colour: str, opacity: float = 1.0) -> str:
    """``#rrggbb`` and an opacity as QGIS's ``r,g,b,a`` (0-255)."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r}: expected #rrggbb")
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{round(max(0.0, min(1.0, opacity)) * 255)}"


def _symbol_xml(name: str, symbol: FillSymbol) -> str:
    props = {
        "border_width_map_unit_scale": "3x:0,0,0,0,0,0",
        "color": _rgba(symbol.fill, symbol.fill_opacity),
        "joinstyle": "bevel",
        "offset": "0,0",
        "offset_unit": "MM",
        "outline_color": _rgba(symbol.outline),
        "outline_style": symbol.outline_style,
        "outline_width": f"{symbol.outline_width_mm:g}",
        "outline_width_unit": "MM",
        "style": symbol.fill_style,
    }
    lines = [
        f'      <symbol type="fill" name={quoteattr(name)} alpha="1" clip_to_extent="1" force_rhr="0">',
        '        <layer class="SimpleFill" enabled="1" locked="0" pass="0">',
        *(f"          <prop k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in props.items()),
        "        </layer>",
        "      </symbol>",
    ]
    return "\n".join(lines)


def _labeling_xml(expression: str) -> str:
    """Simple labels from an expression: bold, dark, on a white buffer, over the polygon."""
    return "\n".join(
        [
            '  <labeling type="simple">',
            '    <settings calloutType="simple">',
            (
                f'      <text-style fieldName={quoteattr(expression)} isExpression="1" '
                'fontFamily="Arial" namedStyle="Bold" fontWeight="75" fontSize="9" fontSizeUnit="Point" '
                'textColor="26,26,26,255" textOpacity="1" multilineAlign="1">'
            ),
            (
                '        <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" '
                'bufferColor="255,255,255,255" bufferOpacity="1" bufferJoinStyle="128"/>'
            ),
            "      </text-style>",
            (
                '      <placement placement="1" offsetType="0" centroidWhole="0" centroidInside="1" '
                'fitInPolygonOnly="0" priority="5"/>'
            ),
            '      <rendering obstacle="1" displayAll="1" upsidedownLabels="0" limitNumLabels="0"/>',
            "    </settings>",
            "  </labeling>",
        ]
    )


def rule_based_qml(
    rules: Sequence[Rule], *, root_key: str, label_expression: str | None = None
) -> str:
    """A QGIS style document (QML) with a rule-based polygon renderer and optional labels.

    Parameters
    ----------
    rules
        Legend entries in drawing and legend order.
    root_key
        Key of the renderer's root rule (any stable text; QGIS uses it to identify rules).
    label_expression
        A QGIS expression whose value labels each feature (empty or NULL: no label); None for
        no labels.

    Returns
    -------
    str
        The QML text; equal arguments give equal text.
    """
    if not rules:
        raise ValueError("rule_based_qml: expected at least one rule")
    rule_lines = [
        f'      <rule key={quoteattr(f"{root_key}-{i}")} symbol="{i}" label={quoteattr(rule.label)} '
        f"filter={quoteattr(rule.filter)}" + ("" if rule.shown else ' checkstate="0"') + "/>"
        for i, rule in enumerate(rules)
    ]
    symbols = [_symbol_xml(str(i), rule.symbol) for i, rule in enumerate(rules)]
    labels = label_expression is not None
    parts = [
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>",
        f'<qgis version="3.22.0" styleCategories="Symbology|Labeling" labelsEnabled="{int(labels)}">',
        '  <renderer-v2 type="RuleRenderer" symbollevels="0" enableorderby="0" forceraster="0">',
        f"    <rules key={quoteattr(root_key)}>",
        *rule_lines,
        "    </rules>",
        "    <symbols>",
        *symbols,
        "    </symbols>",
        "  </renderer-v2>",
    ]
    if label_expression is not None:
        parts.append(_labeling_xml(label_expression))
    parts += ["  <layerGeometryType>2</layerGeometryType>", "</qgis>", ""]
    return "\n".join(parts)


def _quoted(value: str) -> str:
    """A QGIS expression string literal."""
    return "'" + value.replace("'", "''") + "'"


def _number(value: float) -> str:
    return f"{value:g}"


# --- one style per layer ---------------------------------------------------------------------


def hotspots_style(thin_ratio: float) -> str:
    """Hotspot footprints by status (thin, covered), ranks 1-10 labelled, as on the map."""
    colours = map_colours()
    thin_fill, thin_line = colours["thin"]
    covered_fill, covered_line = colours["covered"]
    ratio = _number(thin_ratio)
    rules = [
        Rule(
            f"thin: under {ratio} enforcement per harm event",
            f'"status" = {_quoted(schema.STATUS_THIN)}',
            FillSymbol(thin_fill, thin_line, 0.55, 0.6),
        ),
        Rule(
            f"covered: {ratio} or more enforcement per harm event",
            f'"status" = {_quoted(schema.STATUS_COVERED)}',
            FillSymbol(covered_fill, covered_line, 0.55, 0.6),
        ),
    ]
    return rule_based_qml(
        rules,
        root_key="hotspots",
        label_expression=f'CASE WHEN "rank" <= {RANK_LABELS} THEN "rank" END',
    )


def enforcement_clusters_style() -> str:
    """Enforcement clusters as dashed outlines over a faint fill, as on the map."""
    line = map_colours()["cluster_line"]
    rules = [
        Rule(
            "cluster of enforcement events (outline)",
            "TRUE",
            FillSymbol(line, line, 0.04, 0.5, "dash"),
        )
    ]
    return rule_based_qml(rules, root_key="enforcement_clusters")


def districts_style(breaks: tuple[int, int]) -> str:
    """Districts shaded by harm events inside thin hotspots, in the map's three classes.

    ``breaks`` are the upper bounds of the two lower classes, as the map computes them from the
    data (:func:`hotspots.render.map.harm_breaks`); grey where no thin hotspot lies.
    """
    colours = map_colours()
    low, high = breaks
    field = '"harm_in_thin_hotspots"'
    first = "1 harm event" if low == 1 else f"1–{low:,} harm events"
    second = f"{high:,} harm events" if high == low + 1 else f"{low + 1:,}–{high:,} harm events"
    bounds = [
        (first, f"{field} > 0 AND {field} <= {low}"),
        (second, f"{field} > {low} AND {field} <= {high}"),
        (f"more than {high:,} harm events", f"{field} > {high}"),
    ]
    rules = [
        Rule(label, expression, FillSymbol(fill, "#555555", 1.0, 0.26))
        for (label, expression), fill in zip(bounds, colours["area_harm"], strict=True)
    ]
    rules.append(
        Rule(
            "no thin hotspot",
            f"{field} IS NULL OR {field} <= 0",
            FillSymbol(colours["area_no_thin"], "#555555", 1.0, 0.26),
        )
    )
    return rule_based_qml(rules, root_key="districts")


def compare_districts_style() -> str:
    """Districts by the significant change in harm inside thin hotspots (the comparison map)."""
    from hotspots.render.compare_map import AREA_CLASS_LABELS, AREA_CLASSES

    fills = map_colours()["area_change"]
    rules = [
        Rule(
            AREA_CLASS_LABELS[cls],
            f'"thin_harm_class" = {_quoted(cls)}',
            FillSymbol(fills[cls], "#555555", 0.9, 0.26),
        )
        for cls in AREA_CLASSES
    ]
    return rule_based_qml(rules, root_key="districts_change")


def changes_style() -> str:
    """Current hotspots by change class; resolved ones as dashed outlines (as the comparison map).

    Previous-period hotspots that were matched are listed in the legend unticked (they lie under
    their current counterparts).
    """
    from hotspots.compare import CHANGE_CLASSES, CHANGE_RESOLVED, PERIOD_CURRENT, PERIOD_PREVIOUS

    fills = map_colours()["change_classes"]
    rules = [
        Rule(
            change,
            f'"period" = {_quoted(PERIOD_CURRENT)} AND "change" = {_quoted(change)}',
            FillSymbol(fills[change], "#333333", 0.75, 0.26),
        )
        for change in CHANGE_CLASSES
        if change != CHANGE_RESOLVED
    ]
    resolved = fills[CHANGE_RESOLVED]
    rules.append(
        Rule(
            "resolved (previous period)",
            f'"period" = {_quoted(PERIOD_PREVIOUS)} AND "change" = {_quoted(CHANGE_RESOLVED)}',
            FillSymbol(resolved, resolved, 0.05, 0.5, "dash"),
        )
    )
    rules.append(
        Rule(
            "previous period, matched (outline)",
            f'"period" = {_quoted(PERIOD_PREVIOUS)} AND "change" <> {_quoted(CHANGE_RESOLVED)}',
            FillSymbol("#333333", "#333333", 0.0, 0.3, "dot", "no"),
            shown=False,
        )
    )
    return rule_based_qml(rules, root_key="changes")
