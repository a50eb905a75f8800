"""OS grid references against known Ordnance Survey references.

Sources: the National Grid's false origin is square SV (0, 0); Ben Nevis summit is NN 166 712
(OS Landranger 41), i.e. 216 600 E 771 200 N; HP is the northernmost square (Shetland,
Herma Ness); Trafalgar Square, London is TQ 300 804. References truncate (they name the
square a point lies in), they do not round.
"""

from __future__ import annotations

import math

import pytest

from hotspots.gridref import grid_reference


@pytest.mark.parametrize(
    ("x_m", "y_m", "digits", "expected"),
    [
        (0, 0, 6, "SV 000 000"),
        (216_600, 771_200, 6, "NN 166 712"),
        (462_000, 1_212_000, 6, "HP 620 120"),
        (530_000, 180_400, 6, "TQ 300 804"),
        (623_000, 308_500, 6, "TG 230 085"),
        (216_600, 771_200, 4, "NN 16 71"),
        (216_600, 771_200, 8, "NN 1660 7120"),
        (216_600, 771_200, 10, "NN 16600 71200"),
        (216_699.9, 771_299.9, 6, "NN 166 712"),  # truncated, not rounded
        (216_654.3, 771_287.6, 10, "NN 16654 71287"),
        (699_999, 1_299_999, 6, "JM 999 999"),  # the grid's north-east corner square
        (99_999, 99_999, 2, "SV 9 9"),
    ],
    ids=[
        "SV-origin", "ben-nevis", "HP-shetland", "TQ-london", "TG-norwich", "4-figure", "8-figure",
        "10-figure", "truncates", "10-figure-metres", "north-east-corner", "2-figure",
    ],
)
def test_known_references(x_m, y_m, digits, expected):
    assert grid_reference(x_m, y_m, digits) == expected


@pytest.mark.parametrize(
    ("x_m", "y_m"),
    [(-1, 0), (0, -1), (700_000, 0), (0, 1_300_000), (math.nan, 0), (0, math.inf)],
    ids=["west", "south", "east", "north", "nan", "infinite"],
)
def test_points_off_the_grid_have_no_reference(x_m, y_m):
    assert grid_reference(x_m, y_m) == ""


@pytest.mark.parametrize("digits", [0, 3, 12], ids=["zero", "odd", "too-many"])
def test_other_precisions_are_refused(digits):
    with pytest.raises(ValueError, match="digits must be 2, 4, 6, 8 or 10"):
        grid_reference(216_600, 771_200, digits)
