"""Settlement names (``hotspots.places``): the bundled table and the nearest-place lookup."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots import places
from hotspots.places import load_places, nearest_place


def test_columns_and_types():
    frame = load_places()
    assert list(frame.columns[:4]) == ["name", "x_m", "y_m", "size_class"]
    assert set(frame["size_class"]) == {1, 2, 3}
    assert frame["name"].str.strip().ne("").all()
    assert frame["x_m"].between(0, 700_000).all() and frame["y_m"].between(0, 1_300_000).all()
    assert len(frame) > 5_000


def test_size_class_follows_population():
    frame = load_places()
    assert (frame.loc[frame["size_class"] == 1, "population"] >= 100_000).all()
    town = frame.loc[frame["size_class"] == 2, "population"]
    assert town.between(10_000, 99_999).all()
    assert (frame.loc[frame["size_class"] == 3, "population"] < 10_000).all()


@pytest.mark.parametrize(
    ("name", "size_class"),
    [("Norwich", 1), ("Ipswich", 1), ("Great Yarmouth", 2), ("Thetford", 2)],
    ids=["norwich", "ipswich", "great-yarmouth", "thetford"],
)
def test_known_size_classes(name, size_class):
    frame = load_places()
    assert frame.loc[frame["name"] == name, "size_class"].tolist() == [size_class]


def test_load_places_returns_a_copy():
    frame = load_places()
    frame.loc[:, "name"] = "changed"
    assert load_places()["name"].iloc[0] != "changed"


@pytest.mark.parametrize(
    ("x", "y", "name"),
    [
        (622903, 308561, "Norwich"),  # NR2 1NF, by City Hall
        (652259, 307834, "Great Yarmouth"),  # NR30 1PJ, Market Place
        (586895, 283184, "Thetford"),  # IP24 1AB, town centre
        (616217, 244614, "Ipswich"),  # IP1 1DH, town centre
        (654843, 293487, "Lowestoft"),  # NR32 1SB
        (564540, 263492, "Newmarket"),  # CB8 8LX
    ],
    ids=["norwich", "great-yarmouth", "thetford", "ipswich", "lowestoft", "newmarket"],
)
def test_town_centres_get_their_own_name(x, y, name):
    assert nearest_place(np.array([x]), np.array([y])).tolist() == [name]


def test_nearest_equals_brute_force():
    frame = load_places()
    rng = np.random.default_rng(3)
    x, y = rng.uniform(150_000, 650_000, 60), rng.uniform(20_000, 650_000, 60)
    d2 = (frame["x_m"].to_numpy()[None, :] - x[:, None]) ** 2 + (
        frame["y_m"].to_numpy()[None, :] - y[:, None]
    ) ** 2
    expected = frame["name"].to_numpy()[np.argmin(d2, axis=1)]
    assert nearest_place(x, y).tolist() == expected.tolist()


def test_missing_coordinates_give_none():
    assert nearest_place(np.array([np.nan, 622903.0]), np.array([1.0, 308561.0])).tolist() == [
        None,
        "Norwich",
    ]


def test_lengths_must_match():
    with pytest.raises(ValueError, match="differ in length"):
        nearest_place(np.array([1.0]), np.array([1.0, 2.0]))


def test_source_names_the_licence():
    assert "GeoNames" in places.SOURCE and "Creative Commons Attribution 4.0" in places.SOURCE
