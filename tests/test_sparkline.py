"""Inline SVG sparklines and heat tables: structure, escaping, stable bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from hotspots.render.sparkline import (
    HEAT_RAMP,
    HISTORY_COLOUR,
    PERIOD_COLOUR,
    heat_table_html,
    sparkline_svg,
)


def points(svg: str, colour: str) -> list[tuple[float, float]]:
    found = re.search(rf'<polyline points="([^"]*)" fill="none" stroke="{colour}"', svg)
    return [tuple(map(float, p.split(","))) for p in found.group(1).split()] if found else []


def test_sparkline_is_well_formed_svg_with_a_title_of_the_values():
    svg = sparkline_svg([1, 2, 3], months=["2024-10", "2024-11", "2024-12"])
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Harm per month 2024-10 to 2024-12: 1, 2, 3" in svg


def test_history_months_are_grey_and_period_months_coloured():
    svg = sparkline_svg([4, 0, 2, 8], period_first=2, width=62, height=12)
    history, period = points(svg, HISTORY_COLOUR), points(svg, PERIOD_COLOUR)
    assert [x for x, _ in history] == [2, 21.3, 40.7] and [x for x, _ in period] == [40.7, 60]
    assert history[1][1] == 10 and period[1][1] == 2  # zero at the bottom, the maximum at the top


@pytest.mark.parametrize("values", [[], [3], [0, 0, 0]], ids=["empty", "one", "zeros"])
def test_degenerate_series_still_give_valid_svg(values):
    ET.fromstring(sparkline_svg(values))


def test_labels_are_escaped():
    svg = sparkline_svg([1, 2], label='<script>alert("x")</script>')
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    ET.fromstring(svg)


def test_same_values_give_the_same_bytes():
    assert sparkline_svg([1.5, 2, 0.25]) == sparkline_svg([1.5, 2.0, 0.25])


def test_heat_table_shades_the_largest_cell_darkest_and_merges_hours():
    table = [[0.0] * 24 for _ in range(7)]
    table[4][22] = 3.0  # Friday 22:00
    table[4][23] = 1.0
    table[0][9] = 0.5
    html = heat_table_html(table, caption="Harm <by> hour", hours_per_cell=2)
    root = ET.fromstring(html)
    friday = next(r for r in root.iter("tr") if r[0].text == "Fri")
    assert len(friday) == 1 + 12
    assert friday[-1].text == "4" and HEAT_RAMP[4] in friday[-1].get("style")
    assert "&lt;by&gt;" in html


def test_heat_table_refuses_a_table_of_the_wrong_shape():
    with pytest.raises(ValueError):
        heat_table_html([[0] * 24] * 6, caption="x")
