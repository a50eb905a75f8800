"""Tests for hotspots.evaluate: hit rate, PAI, RRI, the equal-area baseline and the reports.

Every case is a 1 km x 1 km study area (or a strip of one) with boxes for hotspots and a
handful of points, so each expected value is a fraction you can work out by hand. The
baseline's 250 m cells are numbered (ix, iy) = (floor(x / 250), floor(y / 250)).
"""

from __future__ import annotations

import json
import math
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from hotspots.errors import ConfigError
from hotspots.evaluate import (
    DEFAULT_CELL_M,
    FORMULAS_TEXT,
    baseline_cells,
    evaluate,
    hit_rate,
    pai,
    recapture_rate_index,
)
from hotspots.render.evaluation_page import evaluation_html, evaluation_markdown
from hotspots.schema import CRS_METRIC, DEFAULT_MARKING

STUDY = shapely.box(0, 0, 1000, 1000)  # A = 1,000,000 m2: 16 cells of 250 m
CELL_AREA = DEFAULT_CELL_M**2  # 62,500 m2


def pts(*coords: tuple[float, float]) -> np.ndarray:
    return np.array(coords, dtype=float).reshape(-1, 2)


# --- hit rate --------------------------------------------------------------------------------


def test_hit_rate_counts_points_inside_any_hotspot() -> None:
    hot = [shapely.box(0, 0, 100, 100), shapely.box(500, 500, 600, 600)]
    points = pts((50, 50), (550, 550), (300, 300), (900, 900))
    assert hit_rate(hot, points) == 0.5


def test_hit_rate_counts_a_point_in_overlapping_hotspots_once() -> None:
    hot = [shapely.box(0, 0, 100, 100), shapely.box(50, 50, 150, 150)]
    assert hit_rate(hot, pts((75, 75), (500, 500))) == 0.5


def test_hit_rate_counts_a_point_on_the_boundary_as_inside() -> None:
    # A footprint's hull runs through its outermost events: they must count.
    assert hit_rate([shapely.box(0, 0, 100, 100)], pts((100, 50), (0, 0))) == 1.0


@pytest.mark.parametrize(
    "empty",
    [[], None, np.array([], dtype=object), [None], [shapely.Polygon()]],
    ids=["list", "none", "array", "missing", "empty-polygon"],
)
def test_hit_rate_of_no_hotspots_is_zero(empty: object) -> None:
    assert hit_rate(empty, pts((1, 1), (2, 2))) == 0.0


def test_hit_rate_of_no_points_is_nan() -> None:
    assert math.isnan(hit_rate([shapely.box(0, 0, 1, 1)], np.empty((0, 2))))


def test_hit_rate_accepts_a_geoseries_and_a_single_polygon() -> None:
    series = gpd.GeoSeries([shapely.box(0, 0, 100, 100)], crs=CRS_METRIC)
    points = pts((50, 50), (500, 500))
    assert hit_rate(series, points) == 0.5
    assert hit_rate(shapely.box(0, 0, 100, 100), points) == 0.5


# --- PAI and RRI -----------------------------------------------------------------------------


def test_pai_is_hit_rate_over_area_share() -> None:
    assert pai(0.5, 10.0, 100.0) == 5.0
    assert pai(1.0, 1.0, 1.0) == 1.0


def test_pai_of_no_hotspots_is_zero_and_of_no_events_nan() -> None:
    assert pai(0.0, 0.0, 100.0) == 0.0
    assert math.isnan(pai(math.nan, 10.0, 100.0))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((0.5, -1.0, 100.0), "hotspot_area_m2"),
        ((0.5, 1.0, 0.0), "study_area_m2"),
        ((0.5, math.inf, 100.0), "hotspot_area_m2"),
    ],
    ids=["negative-area", "zero-study-area", "infinite-area"],
)
def test_pai_rejects_bad_areas(args: tuple[float, float, float], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        pai(*args)


def test_rri_is_the_ratio_of_hit_rates() -> None:
    # 10 of 100 inside before, 6 of 50 now: 0.12 / 0.10.
    assert recapture_rate_index(10, 100, 6, 50) == pytest.approx(1.2)


@pytest.mark.parametrize(
    "args",
    [(0, 100, 6, 50), (10, 0, 6, 50), (10, 100, 0, 0)],
    ids=["none-inside-before", "no-events-before", "no-events-now"],
)
def test_rri_is_nan_when_undefined(args: tuple[int, int, int, int]) -> None:
    assert math.isnan(recapture_rate_index(*args))


# --- evaluate --------------------------------------------------------------------------------


def test_perfect_predictor_scores_hit_rate_one_and_pai_one_over_area_share() -> None:
    hotspot = shapely.box(100, 100, 200, 200)  # 10,000 m2: 1 % of the study area
    prev = pts((150, 150), (120, 180), (700, 700))
    cur = pts((110, 110), (150, 150), (190, 120), (200, 200))
    result = evaluate([hotspot], prev, cur, STUDY)
    scores = result.hotspots
    assert scores.area_share == pytest.approx(0.01)
    assert scores.hit_rate == 1.0
    assert scores.pai == pytest.approx(1 / 0.01)
    # RRI: 4/4 now against 2/3 before.
    assert scores.rri == pytest.approx(1.5)
    assert (scores.prev_inside, scores.cur_inside) == (2, 4)


def test_the_whole_study_area_as_a_hotspot_scores_pai_one() -> None:
    cur = pts((1, 1), (999, 999), (500, 20))
    assert evaluate([STUDY], cur, cur, STUDY).hotspots.pai == pytest.approx(1.0)


def test_empty_hotspot_set_scores_zero() -> None:
    result = evaluate([], pts((10, 10)), pts((10, 10), (20, 20)), STUDY)
    for scores in (result.hotspots, result.baseline):
        assert (scores.n_areas, scores.area_m2, scores.cur_inside) == (0, 0.0, 0)
        assert scores.hit_rate == 0.0
        assert scores.pai == 0.0
        assert math.isnan(scores.rri)
    data = json.loads(json.dumps(result.as_dict(), allow_nan=False))
    assert data["hotspots"]["rri"] is None and data["hotspots"]["pai"] == 0.0


def test_hotspot_area_is_measured_inside_the_study_area_only() -> None:
    # Half of this hotspot lies outside (over the sea): a = 5,000 m2, but the event beyond
    # the coastline still counts as captured.
    hotspot = shapely.box(-50, 0, 50, 100)
    result = evaluate([hotspot], pts((-10, 50)), pts((-10, 50), (10, 50)), STUDY)
    assert result.hotspots.area_m2 == pytest.approx(5_000)
    assert result.hotspots.hit_rate == 1.0


def test_study_area_polygons_are_unioned() -> None:
    halves = [shapely.box(0, 0, 500, 1000), shapely.box(500, 0, 1000, 1000)]
    result = evaluate([shapely.box(0, 0, 100, 100)], pts((5, 5)), pts((5, 5)), halves)
    assert result.study_area_m2 == pytest.approx(1_000_000)


def test_baseline_scores_like_hotspots_that_are_the_busiest_cells() -> None:
    # Hotspots are exactly cells (1, 1) and (3, 2); those are also the two busiest cells.
    hot = [shapely.box(250, 250, 500, 500), shapely.box(750, 500, 1000, 750)]
    prev = pts((300, 300), (310, 310), (320, 320), (800, 600), (810, 610), (10, 10))
    cur = pts((400, 400), (900, 700), (10, 10), (600, 100))
    result = evaluate(hot, prev, cur, STUDY)
    np.testing.assert_array_equal(result.baseline_cells, [[1, 1], [3, 2]])
    assert result.baseline.area_m2 == result.hotspots.area_m2 == 2 * CELL_AREA
    for scores in (result.hotspots, result.baseline):
        assert (scores.prev_inside, scores.cur_inside) == (5, 2)
        assert scores.hit_rate == 0.5
        assert scores.pai == pytest.approx(0.5 / 0.125)
        assert scores.rri == pytest.approx((2 / 5) / (4 / 6))


# --- the baseline's cells --------------------------------------------------------------------


def test_baseline_takes_the_highest_count_cells_first() -> None:
    prev = pts(
        *[(300, 300)] * 3,  # cell (1, 1): 3
        *[(800, 600)] * 2,  # cell (3, 2): 2
        (10, 10),  # cell (0, 0): 1
    )
    cells, area = baseline_cells(prev, 2 * CELL_AREA, STUDY)
    np.testing.assert_array_equal(cells, [[1, 1], [3, 2]])
    assert area == 2 * CELL_AREA


def test_baseline_takes_the_smallest_run_of_cells_reaching_the_area() -> None:
    prev = pts((300, 300), (300, 300), (10, 10))
    cells, area = baseline_cells(prev, CELL_AREA + 1, STUDY)  # just over one cell: two
    np.testing.assert_array_equal(cells, [[1, 1], [0, 0]])
    assert area == 2 * CELL_AREA
    cells, _ = baseline_cells(prev, CELL_AREA, STUDY)  # exactly one cell: one
    np.testing.assert_array_equal(cells, [[1, 1]])


def test_baseline_breaks_ties_by_cell_position() -> None:
    # Cells (0, 3) and (3, 0) hold 2 each, with nothing around either: (0, 3) has smaller ix.
    prev = pts((10, 760), (20, 770), (760, 10), (770, 20))
    cells, _ = baseline_cells(prev, CELL_AREA, STUDY)
    np.testing.assert_array_equal(cells, [[0, 3]])


def test_baseline_ranks_every_cell_by_count_then_block_then_position() -> None:
    prev = pts(
        (800, 300),
        (810, 310),  # cell (3, 1): 2
        (800, 100),  # cell (3, 0): 1, next to the 2
        (100, 800),  # cell (0, 3): 1, alone
    )
    cells, area = baseline_cells(prev, 1_000_000, STUDY)
    expected = [
        (3, 1),  # count 2
        (3, 0),  # count 1, block 3
        (0, 3),  # count 1, block 1
        (2, 0),  # count 0, block 3
        (2, 1),  # count 0, block 3
        (2, 2),  # count 0, block 2
        (3, 2),  # count 0, block 2
        (0, 2),  # count 0, block 1
        (1, 2),
        (1, 3),
        (0, 0),  # count 0, nothing near: by ix, then iy
        (0, 1),
        (1, 0),
        (1, 1),
        (2, 3),
        (3, 3),
    ]
    np.testing.assert_array_equal(cells, expected)
    assert area == pytest.approx(1_000_000)


def test_baseline_measures_cells_inside_the_study_area() -> None:
    # A 900 m wide study area: the cells of the last column (ix = 3) are 150 m wide.
    study = shapely.box(0, 0, 900, 1000)
    prev = pts((800, 100), (800, 100), (100, 100))
    cells, area = baseline_cells(prev, 150 * 250, study)
    np.testing.assert_array_equal(cells, [[3, 0]])
    assert area == pytest.approx(150 * 250)


def test_baseline_skips_cells_outside_the_study_area() -> None:
    # Three events beyond the study area's edge, in a cell with no area inside it.
    prev = pts((1100, 100), (1100, 100), (1100, 100), (100, 100))
    cells, _ = baseline_cells(prev, CELL_AREA, STUDY)
    np.testing.assert_array_equal(cells, [[0, 0]])


# --- argument checks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prev_hotspot_polys": [shapely.LineString([(0, 0), (1, 1)])]}, "LineString"),
        ({"prev_hotspot_polys": [shapely.Point(0, 0)]}, "buffer points"),
        ({"prev_hotspot_polys": ["POLYGON"]}, "shapely geometries"),
        ({"cur_harm_xy": np.zeros((2, 3))}, "cur_harm_xy must be an array of shape"),
        ({"prev_harm_xy": pts((np.nan, 0))}, "prev_harm_xy must hold finite"),
        ({"study_area_polygon": []}, "study_area_polygon has no area"),
        ({"cell_m": 0}, "cell_m must be"),
        ({"cell_m": "250"}, "cell_m must be"),
    ],
    ids=["line", "point", "not-geometry", "bad-shape", "nan", "no-study-area", "zero-cell", "str"],
)
def test_evaluate_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {
        "prev_hotspot_polys": [shapely.box(0, 0, 10, 10)],
        "prev_harm_xy": pts((1, 1)),
        "cur_harm_xy": pts((1, 1)),
        "study_area_polygon": STUDY,
    }
    with pytest.raises(ConfigError, match=message):
        evaluate(**(args | kwargs))  # type: ignore[arg-type]


# --- outputs ---------------------------------------------------------------------------------


@pytest.fixture
def perfect() -> object:
    hotspot = shapely.box(100, 100, 200, 200)
    prev = pts((150, 150), (120, 180), (700, 700))
    cur = pts((110, 110), (150, 150), (190, 120), (200, 200))
    return evaluate([hotspot], prev, cur, STUDY)


def test_as_dict_is_json_ready(perfect: object) -> None:
    data = json.loads(json.dumps(perfect.as_dict(), allow_nan=False))  # type: ignore[attr-defined]
    assert data["formulas"] == FORMULAS_TEXT
    assert data["study_area_km2"] == 1.0
    assert (data["n_prev"], data["n_cur"], data["cell_m"]) == (3, 4, 250.0)
    assert data["hotspots"] == {
        "name": "hotspots",
        "n_areas": 1,
        "area_m2": 10000.0,
        "area_km2": 0.01,
        "area_share": 0.01,
        "prev_inside": 2,
        "cur_inside": 4,
        "hit_rate_prev": 0.6667,
        "hit_rate": 1.0,
        "pai": 100.0,
        "rri": 1.5,
    }
    # One cell, (0, 0), holds both earlier events in the hotspot and all four now.
    assert data["baseline"]["n_areas"] == 1
    assert data["baseline"]["pai"] == 16.0


EXPECTED_MARKDOWN = (
    """\
## Do the hotspots predict?

Hotspots drawn on 2025Q2, scored on the harm events of 2025Q3 \\| next.

**Hotspots drawn on 2025Q2 caught 100.0% of 2025Q3 \\| next's harm (4 of 4 harm events) in 1.0% of the study area: 100 times better than chance, and 6.2 times the best equal-area grid.**

| Predictor | Areas | Area (km²) | Share of study area | Harm events inside | Hit rate | PAI | RRI |
|---|---:|---:|---:|---:|---:|---:|---:|
| DBSCAN hotspots | 1 | 0.010 | 1% | 4 / 4 | 100.0% | 100.00 | 1.50 |
| Baseline: top 250 m cells | 1 | 0.062 | 6.25% | 4 / 4 | 100.0% | 16.00 | 1.50 |

Study area 1.0 km²; 3 harm events in the earlier period, 4 in the scored period.

Why PAI runs into the hundreds: PAI = hit rate ÷ area share (the share of the study area the \
hotspots cover). Harm concentrates in a few streets of a large area, so the area share is small \
and PAI is large. Here 100.0% ÷ 1.0% = 100. 1 is what areas placed at random score. Compare PAI \
only between methods scored on the same study area and period, as here with the equal-area \
grid; never between areas, forces or periods.

"""
    + FORMULAS_TEXT
    + "\n"
)


def test_markdown_is_the_expected_table(perfect: object) -> None:
    text = evaluation_markdown(
        perfect,  # type: ignore[arg-type]
        period_label="2025Q3 | next",
        against_label="2025Q2",
    )
    assert text == EXPECTED_MARKDOWN


def test_markdown_shows_undefined_scores_as_not_available() -> None:
    result = evaluate([], pts((1, 1)), np.empty((0, 2)), STUDY)
    assert "| DBSCAN hotspots | 0 | 0.000 | 0% | 0 / 0 | n/a | n/a | n/a |" in (
        evaluation_markdown(result)
    )


def test_html_is_self_contained_escaped_and_deterministic(perfect: object) -> None:
    kwargs = {
        "marking": "OFFICIAL <img src=x onerror=alert(1)>",
        "period_label": "2025Q3 <b>",
        "against_label": "2025Q2 & before",
        "params_text": "eps 400 m",
    }
    page = evaluation_html(perfect, **kwargs)  # type: ignore[arg-type]
    assert page == evaluation_html(perfect, **kwargs)  # type: ignore[arg-type]
    marking = 'class="hs-marking" role="note">OFFICIAL &lt;IMG SRC=X ONERROR=ALERT(1)&gt;</div>'
    assert page.count(marking) == 2  # the shared frame's bars, top and bottom
    assert page.index(marking) < page.index("<h1>") < page.rindex(marking)
    assert "<img" not in page and "2025Q3 <b>" not in page and "<script" not in page
    assert "2025Q3 &lt;b&gt;" in page and "2025Q2 &amp; before" in page
    assert "default-src 'none'" in page and "script-src 'none'" in page
    assert not re.search(r"(src|href)=\"?https?:", page)
    assert '<td class="hs-num">100.00</td>' in page and '<td class="hs-num">16.00</td>' in page


def test_html_defaults_use_the_default_marking(perfect: object) -> None:
    page = evaluation_html(perfect)  # type: ignore[arg-type]
    assert page.count(f'role="note">{DEFAULT_MARKING.upper()}</div>') == 2
