"""Place names on the map: drawn from the geography module's list when it exists, else none."""

from __future__ import annotations

import json
import re
import sys
import types

import pandas as pd
import pytest
from test_map_render import make_analysis

from hotspots.render.map import map_html
from hotspots.render.place_labels import (
    MAX_PLACES,
    _toggles,
    add_place_labels,
    label_rows,
    load_place_table,
)

PLACES = pd.DataFrame(
    {
        "name": ["Norwich", "Thorpe St Andrew", "Rackheath", "Cambridge"],
        "x_m": [623000.0, 626500.0, 628000.0, 545000.0],
        "y_m": [308500.0, 309500.0, 313000.0, 258000.0],
        "size_class": [1, 2, 3, 1],
    }
)


@pytest.fixture
def fake_places(monkeypatch):
    module = types.ModuleType("hotspots.places")
    module.load_places = lambda: PLACES.copy()
    monkeypatch.setitem(sys.modules, "hotspots.places", module)


def page_names(page: str) -> list[list]:
    """The label layer's data, read back from the page."""
    found = re.search(r"var names = (\[.*?\]);\n", page)
    assert found is not None
    return json.loads(found.group(1))


def test_places_inside_the_study_area_are_named_by_size(fake_places):
    names = page_names(map_html(make_analysis()))
    # The districts first (kind 0), then the places by size class (1 city, 2 town, 3 village).
    assert [(r[0], r[3]) for r in names if r[3] == 0] == [("Norwich", 0), ("Broadland", 0)]
    assert [(r[0], r[3]) for r in names if r[3]] == [
        ("Norwich", 1), ("Thorpe St Andrew", 2), ("Rackheath", 3)
    ]
    assert "Cambridge" not in {r[0] for r in names}  # outside the study area


def test_hostile_place_names_are_escaped(monkeypatch):
    module = types.ModuleType("hotspots.places")
    hostile = PLACES.assign(name=["<b>x</b>", "{{ 7*7 }}", "a", "b"])
    module.load_places = lambda: hostile
    monkeypatch.setitem(sys.modules, "hotspots.places", module)
    page = map_html(make_analysis())
    # Data, not markup: the browser sets it as text (textContent); nothing in the page's
    # source can close the script or open a Jinja tag.
    assert "<b>x</b>" not in page and "\\u003cb\\u003ex" in page
    assert "{{ 7*7 }}" not in page and "\\u007b\\u007b 7*7" in page
    assert {"<b>x</b>", "{{ 7*7 }}"} <= {r[0] for r in page_names(page)}


def test_without_the_geography_module_there_are_no_place_names(monkeypatch):
    monkeypatch.setitem(sys.modules, "hotspots.places", None)  # import fails
    assert load_place_table() is None
    assert [r[3] for r in page_names(map_html(make_analysis()))] == [0, 0]  # districts only


def test_a_page_holds_at_most_max_places():
    import folium

    many = pd.DataFrame(
        {
            "name": [f"p{i}" for i in range(MAX_PLACES + 10)],
            "x_m": 600000.0,
            "y_m": 300000.0,
            "size_class": 3,
        }
    )
    drawn = add_place_labels(folium.Map(tiles=None), (0, 0, 700000, 700000), many)
    assert drawn == MAX_PLACES


def test_a_city_under_a_district_name_is_hidden_where_they_would_overlap(fake_places):
    """The district "Norwich" (placed first) and the city "Norwich" meet at county zoom."""
    page = map_html(make_analysis())
    names = page_names(page)
    city = next(r for r in names if r[0] == "Norwich" and r[3] == 1)
    start, stop = city[5]  # hidden from quarter-zoom step `start` up to `stop`
    assert start == 0 and 9 * 4 < stop < 18 * 4  # hidden at county zoom, shown in the street
    districts = [r for r in names if r[3] == 0]
    assert [r[0] for r in districts] == ["Norwich", "Broadland"]  # largest first
    assert all(r[5] == [] or r[5][-1] <= 9 * 4 for r in districts)  # both shown from zoom 9
    assert page == map_html(make_analysis())  # deterministic


def test_district_names_alone_are_placed_without_a_place_list(monkeypatch):
    monkeypatch.setitem(sys.modules, "hotspots.places", None)
    areas = make_analysis().areas
    rows = label_rows(areas, areas.total_bounds.tolist(), None)
    assert [(r[0], r[3]) for r in rows] == [("Norwich", 0), ("Broadland", 0)]
    assert all(r[4] >= 8 * len(r[0]) for r in rows)  # icon at least as wide as the text


@pytest.mark.parametrize(
    ("zooms", "expected"),
    [((), []), ((0.0, 0.25, 0.5), [0, 3]), ((1.0, 2.0, 2.25), [4, 5, 8, 10])],
    ids=["never", "one-run", "two-runs"],
)
def test_hidden_zooms_become_start_stop_steps(zooms, expected):
    assert _toggles(zooms) == expected
