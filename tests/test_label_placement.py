"""Label placement: a label that would overlap one placed before it is hidden at that zoom."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspots.render.label_placement import (
    EM_PER_CHAR,
    MARGIN_PX,
    LabelBox,
    hidden_zooms,
    pixel_xy,
    text_box,
)

NORWICH = (52.6309, 1.2974)


def box_at(lat, lon, width=60.0, height=13.0, min_zoom=0):
    return LabelBox(lat, lon, width, height, min_zoom)


def test_pixel_xy_matches_leaflet_at_known_points():
    # Web Mercator at zoom 0 is one 256 px tile: (0, 0) in the middle, x grows east, y south.
    assert pixel_xy(0.0, 0.0, 0) == pytest.approx((128.0, 128.0))
    assert pixel_xy(0.0, 180.0, 0)[0] == pytest.approx(256.0)
    x1, y1 = pixel_xy(*NORWICH, 10)
    x2, y2 = pixel_xy(NORWICH[0] + 0.1, NORWICH[1] + 0.1, 10)
    assert x2 > x1 and y2 < y1  # north-east is right and up
    # Each zoom doubles distances.
    assert pixel_xy(*NORWICH, 11)[0] == pytest.approx(2 * x1)


def test_text_box_grows_with_text_and_weight():
    assert text_box("Norwich", 12) == pytest.approx((7 * 12 * EM_PER_CHAR[False], 13.2))
    assert text_box("Norwich", 12, bold=True)[0] > text_box("Norwich", 12)[0]


@pytest.mark.parametrize(
    ("offset_deg", "hidden_at_9"),
    [(0.0, True), (0.01, True), (0.2, False)],
    ids=["same-point", "1km-apart", "14km-apart"],
)
def test_second_label_hides_only_when_the_boxes_meet(offset_deg, hidden_at_9):
    first = box_at(*NORWICH)
    second = box_at(NORWICH[0], NORWICH[1] + offset_deg)
    first_hidden, second_hidden = hidden_zooms([first, second], zooms=[9])
    assert first_hidden == ()  # the first never yields
    assert (9 in second_hidden) is hidden_at_9


def test_zooming_in_separates_labels():
    # 2 km apart east-west: 60 px labels meet at county zoom and part at street zoom.
    labels = [box_at(*NORWICH), box_at(NORWICH[0], NORWICH[1] + 0.03)]
    hidden = hidden_zooms(labels, zooms=range(5, 17))[1]
    assert hidden == tuple(range(5, hidden[-1] + 1))  # hidden from the widest view up to a zoom
    assert 5 in hidden and 16 not in hidden
    # At the first zoom it shows, the boxes (with margins) are apart.
    z = hidden[-1] + 1
    gap = pixel_xy(NORWICH[0], NORWICH[1] + 0.03, z)[0] - pixel_xy(*NORWICH, z)[0]
    assert gap >= 60 + 2 * MARGIN_PX


def test_a_label_below_its_zoom_takes_no_room():
    village = box_at(*NORWICH, min_zoom=12)
    district = box_at(*NORWICH)
    hidden_village, hidden_district = hidden_zooms([village, district], zooms=[9, 12])
    assert hidden_district == (12,)  # the village (first) is shown from 12 and wins there
    assert hidden_village == ()  # not listed below 12: the page hides it anyway


def test_missing_coordinates_are_skipped():
    assert hidden_zooms([box_at(math.nan, 1.0), box_at(*NORWICH)], zooms=[9]) == [(), ()]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(52.0, 53.0), st.floats(0.0, 2.0), st.integers(3, 30), st.integers(0, 12)
        ),
        min_size=1,
        max_size=25,
    ),
    st.integers(6, 14),
)
def test_shown_labels_never_overlap_and_order_is_kept(specs, zoom):
    labels = [box_at(lat, lon, width=7.0 * n, min_zoom=mz) for lat, lon, n, mz in specs]
    hidden = hidden_zooms(labels, zooms=[zoom])
    assert hidden == hidden_zooms(labels, zooms=[zoom])  # deterministic
    shown = [b for b, h in zip(labels, hidden, strict=True) if zoom not in h and zoom >= b.min_zoom]
    assert shown or all(zoom < b.min_zoom for b in labels)
    if any(zoom >= b.min_zoom for b in labels):
        first = next(b for b in labels if zoom >= b.min_zoom)
        assert first in shown  # the highest-priority label is never hidden

    def rect(b):
        x, y = pixel_xy(b.lat, b.lon, zoom)
        return (x - b.width_px / 2, y - b.height_px / 2, x + b.width_px / 2, y + b.height_px / 2)

    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            ra, rb = rect(a), rect(b)
            assert not (ra[0] < rb[2] and rb[0] < ra[2] and ra[1] < rb[3] and rb[1] < ra[3])
