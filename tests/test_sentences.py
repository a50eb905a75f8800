"""English that agrees with its numbers (issue 17: "1 are in Norwich")."""

from __future__ import annotations

import pytest

from hotspots import sentences


@pytest.mark.parametrize(
    ("n", "word", "expected"),
    [
        (0, "hotspot", "0 hotspots"),
        (1, "hotspot", "1 hotspot"),
        (2, "harm event", "2 harm events"),
        (1, "harm event", "1 harm event"),
        (3, "district", "3 districts"),
        (2, "category", "2 categories"),
        (1_204, "row", "1,204 rows"),
        (2, "match", "2 matches"),
    ],
    ids=["zero", "one", "two-words", "one-two-words", "regular", "y-to-ies", "thousands", "es"],
)
def test_counted_agrees_with_its_number(n, word, expected):
    assert sentences.counted(n, word) == expected


@pytest.mark.parametrize(("n", "expected"), [(1, "1 is in Norwich"), (3, "3 are in Norwich")], ids=["1", "3"])
def test_verb_agrees(n, expected):
    assert f"{n} {sentences.verb(n, 'is')} in Norwich" == expected


@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
    ids=["none", "one", "two", "three"],
)
def test_joined(items, expected):
    assert sentences.joined(items) == expected


@pytest.mark.parametrize(
    ("events", "locations", "expected"),
    [
        (3, 1, "all 3 events at one location"),
        (2, 1, "both events at one location"),
        (1, 1, "1 event at one location"),
        (5, 2, "5 events at 2 locations"),
    ],
    ids=["all-3", "both", "single", "several"],
)
def test_at_locations(events, locations, expected):
    assert sentences.at_locations(events, locations) == expected


def test_briefing_says_1_is_in_a_district():
    # Two thin hotspots, one in each district: the finding said "1 are in Great Yarmouth".
    from test_brief import PLANTED, make_analysis

    from hotspots.brief import build_briefing

    one_each = [PLANTED[0], PLANTED[3]]  # H004 Great Yarmouth 11/0, H001 Norwich 5/1: both thin
    briefing = build_briefing(make_analysis(one_each))
    finding = next(f for f in briefing.key_findings if "had thin enforcement coverage" in f)
    # A tie names both districts (issue 17 review), never one of them.
    assert "; 1 is in each of Great Yarmouth and Norwich." in finding
