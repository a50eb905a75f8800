"""Place names on the map: drawn from the geography module's list when it exists, else none."""

from __future__ import annotations

import sys
import types

import pandas as pd
import pytest
from test_map_render import make_analysis

from hotspots.render.map import map_html
from hotspots.render.place_labels import MAX_PLACES, add_place_labels, load_place_table

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


def test_places_inside_the_study_area_are_named_by_size(fake_places):
    page = map_html(make_analysis())
    for name, size in (("Norwich", 1), ("Thorpe St Andrew", 2), ("Rackheath", 3)):
        assert f'"hs-place hs-place-{size}"' in page
        assert f'"html": "\\u003cspan\\u003e{name}\\u003c/span\\u003e"' in page
    assert "Cambridge" not in page  # outside the study area
    assert '"Place names"' in page


def test_hostile_place_names_are_escaped(monkeypatch):
    module = types.ModuleType("hotspots.places")
    hostile = PLACES.assign(name=["<b>x</b>", "{{ 7*7 }}", "a", "b"])
    module.load_places = lambda: hostile
    monkeypatch.setitem(sys.modules, "hotspots.places", module)
    page = map_html(make_analysis())
    assert "<b>x</b>" not in page and "\\u0026lt;b\\u0026gt;x" in page
    assert "{{ 7*7 }}" not in page and "\\u0026#123;\\u0026#123; 7*7" in page


def test_without_the_geography_module_there_are_no_place_names(monkeypatch):
    monkeypatch.setitem(sys.modules, "hotspots.places", None)  # import fails
    assert load_place_table() is None
    assert '"className": "hs-place' not in map_html(make_analysis())


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
