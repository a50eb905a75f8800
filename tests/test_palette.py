"""The colour language: every legend set stays apart under simulated colour-vision deficiencies."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

from hotspots import schema
from hotspots.compare import CHANGE_CLASSES
from hotspots.render import palette

colorspacious = pytest.importorskip("colorspacious", reason="pip install 'hotspots[test]'")

VISIONS = (None, "deuteranomaly", "protanomaly", "tritanomaly")
VISION_IDS = ["normal", "deuteranopia", "protanopia", "tritanopia"]


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005), kL = kC = kH = 1."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dhp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lbp, cbp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hbp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hbp = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hbp = (h1p + h2p + 360) / 2
    else:
        hbp = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * np.cos(np.radians(hbp - 30))
        + 0.24 * np.cos(np.radians(2 * hbp))
        + 0.32 * np.cos(np.radians(3 * hbp + 6))
        - 0.20 * np.cos(np.radians(4 * hbp - 63))
    )
    dtheta = 30 * np.exp(-(((hbp - 275) / 25) ** 2))
    rc = 2 * np.sqrt(cbp**7 / (cbp**7 + 25**7))
    sl = 1 + 0.015 * (lbp - 50) ** 2 / np.sqrt(20 + (lbp - 50) ** 2)
    sc, sh = 1 + 0.045 * cbp, 1 + 0.015 * cbp * t
    rt = -np.sin(np.radians(2 * dtheta)) * rc
    return float(
        np.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2 + rt * (dcp / sc) * (dhp / sh))
    )


def seen(colour: str, vision: str | None) -> np.ndarray:
    """CIELab of an sRGB colour as seen with the given deficiency (full severity)."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    if vision is not None:
        cvd = {"name": "sRGB1+CVD", "cvd_type": vision, "severity": 100}
        rgb = np.clip(colorspacious.cspace_convert(rgb, cvd, "sRGB1"), 0, 1)
    return colorspacious.cspace_convert(rgb, "sRGB1", "CIELab")


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((50, 2.5, 0), (50, 0, -2.5), 4.3065),
    ],
    ids=["sharma-1", "sharma-17", "sharma-10"],
)
def test_ciede2000_matches_published_pairs(lab1, lab2, expected):
    assert ciede2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("vision", VISIONS, ids=VISION_IDS)
@pytest.mark.parametrize("legend", list(palette.LEGEND_SETS), ids=list(palette.LEGEND_SETS))
def test_legend_classes_stay_apart(legend, vision):
    colours = palette.LEGEND_SETS[legend]
    labs = {name: seen(colour, vision) for name, colour in colours.items()}
    distances = {(a, b): ciede2000(labs[a], labs[b]) for a, b in itertools.combinations(labs, 2)}
    closest = min(distances, key=distances.get)
    assert distances[closest] >= palette.MIN_DELTA_E00, (
        f"{legend}: {closest[0]} and {closest[1]} are {distances[closest]:.1f} apart "
        f"(CIEDE2000, {vision or 'normal vision'}); need {palette.MIN_DELTA_E00}"
    )


def test_the_check_can_fail():
    """The old map's thin and the old comparison's "new" fail the same check (6.7 apart)."""
    near = [seen(c, "deuteranomaly") for c in ("#D55E00", "#d7191c")]
    assert ciede2000(*near) < palette.MIN_DELTA_E00


def test_every_class_has_one_colour():
    assert set(palette.CHANGE_COLOURS) == set(CHANGE_CLASSES)
    assert set(palette.STATUS_COLOURS) == {schema.STATUS_THIN, schema.STATUS_COVERED}
    every = [c for legend in palette.LEGEND_SETS.values() for c in legend.values()]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in every)
    hotspot_colours = list(palette.LEGEND_SETS["hotspots"].values())
    assert len(set(hotspot_colours)) == len(hotspot_colours)
