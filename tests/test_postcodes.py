"""Nearest postcode and sector (``hotspots.postcodes``) against brute force on the bundled file."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from hotspots import postcodes
from hotspots.postcodes import MAX_DISTANCE_M, load_postcodes, nearest_postcodes, nearest_rows

POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$")
SECTOR_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9]$")


def brute_force_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Nearest row by scanning every postcode; ties to the lowest row, like the module."""
    index = load_postcodes()
    px, py = index.x_m.astype(float), index.y_m.astype(float)
    out = []
    for xi, yi in zip(x, y, strict=True):
        d2 = (px - xi) ** 2 + (py - yi) ** 2
        k = int(np.argmin(d2))
        out.append(k if d2[k] <= MAX_DISTANCE_M**2 else -1)
    return np.array(out)


def test_file_holds_great_britain_postcodes():
    index = load_postcodes()
    assert 1_600_000 < len(index) < 1_900_000
    assert index.x_m.min() >= 0 and index.x_m.max() < 700_000
    assert index.y_m.min() >= 0 and index.y_m.max() < 1_300_000
    sample = index.postcode(np.arange(0, len(index), 9973))
    assert all(POSTCODE_RE.match(p) for p in sample)


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed1", "seed2", "seed3"])
def test_nearest_equals_brute_force_on_random_points(seed):
    rng = np.random.default_rng(seed)
    # England and Wales's box, so some points fall in the sea (and may find nothing)
    x = rng.uniform(130_000, 660_000, 25)
    y = rng.uniform(10_000, 660_000, 25)
    np.testing.assert_array_equal(nearest_rows(x, y), brute_force_rows(x, y))


def test_nearest_equals_brute_force_near_postcodes():
    index = load_postcodes()
    rng = np.random.default_rng(7)
    rows = rng.choice(len(index), 40, replace=False)
    # a few metres off real postcodes, where neighbours are close and cell edges matter
    x = index.x_m[rows] + rng.uniform(-600, 600, rows.size)
    y = index.y_m[rows] + rng.uniform(-600, 600, rows.size)
    np.testing.assert_array_equal(nearest_rows(x, y), brute_force_rows(x, y))


def test_a_postcode_point_finds_a_postcode_at_zero_distance():
    index = load_postcodes()
    rows = np.arange(5, len(index), 150_001)
    found = nearest_rows(index.x_m[rows], index.y_m[rows])
    assert (index.x_m[found] == index.x_m[rows]).all()
    assert (index.y_m[found] == index.y_m[rows]).all()
    assert (found <= rows).all()  # ties go to the lower row


@pytest.mark.parametrize(
    ("x", "y", "sector"),
    [
        (622903, 308561, "NR2 1"),  # Norwich, NR2 1NF
        (652259, 307834, "NR30 1"),  # Great Yarmouth, NR30 1PJ
        (616217, 244614, "IP1 1"),  # Ipswich, IP1 1DH
        (564540, 263492, "CB8 8"),  # Newmarket, CB8 8LX
    ],
    ids=["norwich", "great-yarmouth", "ipswich", "newmarket"],
)
def test_known_postcode_points_give_their_sector(x, y, sector):
    codes, sectors = nearest_postcodes(np.array([x]), np.array([y]))
    assert sectors[0] == sector
    assert codes[0].startswith(sector) and POSTCODE_RE.match(codes[0])


def test_far_or_missing_points_give_none():
    codes, sectors = nearest_postcodes(np.array([0.0, np.nan, 622903.0]), np.array([0.0, 1.0, 308561.0]))
    assert list(codes[:2]) == [None, None] and list(sectors[:2]) == [None, None]
    assert codes[2] is not None and SECTOR_RE.match(sectors[2])


def test_lengths_must_match():
    with pytest.raises(ValueError, match="differ in length"):
        nearest_postcodes(np.array([1.0, 2.0]), np.array([1.0]))


def test_empty_input():
    codes, sectors = nearest_postcodes(np.array([]), np.array([]))
    assert codes.size == 0 and sectors.size == 0


def test_import_does_not_read_the_file():
    code = (
        "import hotspots.postcodes as p, hotspots.places as q;"
        "print(p._load_cached.cache_info().currsize, q._load_cached.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0"]


def test_source_names_ons_and_os():
    assert "Office for National Statistics" in postcodes.SOURCE
    assert "OS data" in postcodes.SOURCE
