"""Tests for hotspots.tune: k-distances, the Kneedle knee, the suggestion and its outputs.

Hand-made point sets are squares and lines with integer coordinates, so every distance and
every expected value can be checked by eye.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspots.dbscan import run_dbscan
from hotspots.errors import ConfigError, NoDataError
from hotspots.render.tune_page import tune_html, tune_png
from hotspots.schema import DEFAULT_MARKING
from hotspots.tune import (
    EPS_ROUND_M,
    METHOD_TEXT,
    find_knee,
    k_distances,
    suggest,
)
from hotspots.verdicts import LARGE_EPS_M

BNG_OFFSET = np.array([600_000.0, 300_000.0])

#: Two 100 m squares 5 km apart, and three lone events far away.
#: min_samples 3: every square corner has its 2nd nearest other corner at 100 m.
#: min_samples 4: the 3rd nearest other corner is the diagonal, 141.42 m.
SQUARES = np.array(
    [
        [0, 0],
        [100, 0],
        [0, 100],
        [100, 100],
        [5000, 0],
        [5100, 0],
        [5000, 100],
        [5100, 100],
        [20000, 20000],
        [-20000, 20000],
        [20000, -20000],
    ],
    dtype=float,
)


def brute_k_distances(xy: np.ndarray, k: int) -> np.ndarray:
    """k-th smallest distance of each point to all points (itself included, at 0), sorted."""
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2))
    return np.sort(np.sort(d, axis=1)[:, k - 1])


# --- k_distances -----------------------------------------------------------------------------


def test_k_distances_of_a_3_4_5_triangle() -> None:
    xy = [[0, 0], [3, 0], [3, 4]]
    np.testing.assert_array_equal(k_distances(xy, 1), [0, 0, 0])
    # k = 2: nearest other point; k = 3: second nearest other point.
    np.testing.assert_array_equal(k_distances(xy, 2), [3, 3, 4])
    np.testing.assert_array_equal(k_distances(xy, 3), [4, 5, 5])


@pytest.mark.parametrize("k", [1, 2, 3, 4, 6], ids=["k1", "k2", "k3", "k4", "k6"])
def test_k_distances_match_brute_force(k: int) -> None:
    xy = np.array(
        [[0, 0], [0, 0], [7, 1], [2, 9], [5, 5], [5, 5], [5, 5], [-3, 4], [10, -2], [1, 1]],
        dtype=float,
    )
    np.testing.assert_allclose(k_distances(xy, k), brute_k_distances(xy, k), rtol=0, atol=1e-12)


def test_k_distances_count_duplicates_as_neighbours() -> None:
    # Three events on one snapped point: each has two others at distance 0.
    xy = [[10, 10], [10, 10], [10, 10], [40, 50]]
    np.testing.assert_array_equal(k_distances(xy, 3), [0, 0, 0, 50])


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-30, 30), st.integers(-30, 30)), min_size=4, max_size=12),
    st.integers(1, 4),
)
def test_a_point_is_core_exactly_when_eps_reaches_its_k_distance(
    coords: list[tuple[int, int]], k: int
) -> None:
    """Between consecutive k-distances, DBSCAN's core count equals the k-distances below eps."""
    xy = np.array(coords, dtype=float) + BNG_OFFSET
    curve = k_distances(xy, k)
    levels = np.unique(curve)
    for eps in (levels[:-1] + levels[1:]) / 2:
        if eps <= 0:
            continue
        n_core = int(run_dbscan(xy, float(eps), k).core.sum())
        assert n_core == int((curve <= eps).sum())


def test_k_distances_need_k_points() -> None:
    with pytest.raises(NoDataError, match="at least k = 4 points"):
        k_distances([[0, 0], [1, 1], [2, 2]], 4)


@pytest.mark.parametrize(
    ("xy", "k", "message"),
    [
        ([[0, 0, 0]], 1, "shape"),
        ([[0, np.nan]], 1, "finite"),
        ([[0, 0]], 0, "k must be an integer >= 1"),
        ([[0, 0]], 1.5, "k must be an integer >= 1"),
        ([[0, 0]], True, "k must be an integer >= 1"),
    ],
    ids=["three-columns", "nan", "k-zero", "k-float", "k-bool"],
)
def test_k_distances_reject_bad_arguments(xy: object, k: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        k_distances(xy, k)  # type: ignore[arg-type]


# --- find_knee -------------------------------------------------------------------------------


def test_knee_of_flat_then_steep_curve_is_the_last_flat_point() -> None:
    # 20 points rising gently 0..1, then a jump of 10 per point: knee at index 19.
    values = np.concatenate([np.linspace(0, 1, 20), 1 + 10 * np.arange(1, 6)])
    assert find_knee(values) == 19


def test_knee_of_a_parabola_is_its_midpoint() -> None:
    # y = x^2 on [0, 1]: x - x^2 is largest at x = 1/2, index 50 of 101.
    x = np.linspace(0, 1, 101)
    assert find_knee(x**2) == 50


def test_knee_of_the_docstring_example() -> None:
    # x - y = [0, .17, .33, .5, .57, .33, 0]: largest at index 4.
    assert find_knee([0, 0, 0, 0, 1, 5, 10]) == 4


def test_knee_takes_the_first_of_equal_maxima() -> None:
    # Flat at 0 then one jump: x - y rises to the last 0, index 3.
    assert find_knee([0, 0, 0, 0, 9]) == 3


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5.0], 0),
        ([1.0, 2.0], 1),
        ([3.0, 3.0, 3.0, 3.0], 3),
        (np.linspace(0, 10, 11), 10),
        (np.sqrt(np.linspace(0, 1, 11)), 10),
    ],
    ids=["one-value", "two-values", "all-equal", "straight-line", "concave"],
)
def test_knee_falls_back_to_the_last_index(values: object, expected: int) -> None:
    assert find_knee(values) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "non-empty"),
        ([[1, 2], [3, 4]], "1-D"),
        ([0, 1, np.inf], "finite"),
        ([0, 2, 1], "non-decreasing"),
    ],
    ids=["empty", "2-D", "infinite", "decreasing"],
)
def test_knee_rejects_bad_values(values: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        find_knee(values)  # type: ignore[arg-type]


# --- suggest ---------------------------------------------------------------------------------


def test_suggest_on_two_squares() -> None:
    result = suggest(SQUARES + BNG_OFFSET, (3, 4))
    three, four = result.rows
    # min_samples 3: eight corners at 100 m, knee at the last of them; eps exactly 100 m.
    assert (three.min_samples, three.knee_index, three.knee_found) == (3, 7, True)
    assert three.knee_distance_m == pytest.approx(100.0)
    assert three.eps_m == 100.0
    assert (three.n_hotspots, three.harm_captured) == (2, 8)
    assert three.harm_share == pytest.approx(8 / 11)
    # min_samples 4: knee at the diagonal, 141.4 m, rounded *up* to 150 m so the corners
    # stay core (rounding to the nearest, 140 m, would leave no core point at all).
    assert (four.knee_index, four.eps_m) == (7, 150.0)
    assert (four.n_hotspots, four.harm_captured) == (2, 8)
    # The suggestion is the default min_samples' row.
    assert result.min_samples == 3
    assert result.suggestion is three
    assert result.eps_m == 100.0
    assert result.n_harm == 11


def test_suggest_adds_the_chosen_min_samples_and_sorts_rows() -> None:
    result = suggest(SQUARES, (5, 3, 3), min_samples=4)
    assert [row.min_samples for row in result.rows] == [3, 4, 5]
    assert result.suggestion.min_samples == 4


def test_suggest_eps_is_at_least_the_rounding_step() -> None:
    # Stacked points: the whole curve is 0 but one value; eps must still be a usable radius.
    xy = [[0, 0]] * 6 + [[1000, 0]]
    result = suggest(xy, (3,))
    assert result.eps_m == EPS_ROUND_M


def test_suggest_needs_as_many_events_as_the_largest_min_samples() -> None:
    with pytest.raises(NoDataError, match="at least 6 harm events; got 5"):
        suggest(SQUARES[:5], (3, 6))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_samples_values": (3, 0)}, "min_samples_values"),
        ({"min_samples_values": 3}, "sequence of integers"),
        ({"min_samples": 2.5}, "min_samples must be"),
        ({"engine": "nope"}, "engine must be one of"),
    ],
    ids=["zero", "not-a-sequence", "float-min-samples", "unknown-engine"],
)
def test_suggest_rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        suggest(SQUARES, **kwargs)  # type: ignore[arg-type]


def test_as_dict_is_json_ready_and_rounded() -> None:
    result = suggest(SQUARES, (3, 4))
    data = json.loads(json.dumps(result.as_dict(), allow_nan=False))
    assert data["suggestion"] == {"min_samples": 3, "eps_m": 100.0}
    assert data["method_text"] == METHOD_TEXT
    four = data["rows"][1]
    assert four["knee_distance_m"] == 141.4
    assert four["harm_share"] == 0.7273
    assert len(four["k_distances_m"]) == 11
    assert "k_distances_m" not in result.as_dict(include_curves=False)["rows"][0]


# --- outputs ---------------------------------------------------------------------------------


def test_png_is_deterministic_and_carries_no_software_tag() -> None:
    result = suggest(SQUARES, (3, 4))
    first, second = tune_png(result), tune_png(result)
    assert first.startswith(b"\x89PNG\r\n\x1a\n")
    assert first == second
    assert b"matplotlib" not in first.lower()


@pytest.fixture
def fake_png(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """Stand in for the (slow, separately tested) figure in tests of the page around it."""
    png = b"\x89PNG\r\n\x1a\nnot really"
    monkeypatch.setattr("hotspots.render.tune_page.tune_png", lambda result: png)
    return png


def test_html_embeds_the_png_as_a_data_uri(fake_png: bytes) -> None:
    page = tune_html(suggest(SQUARES, (3,)))
    uri = re.search(r'<img alt="[^"]+" src="data:image/png;base64,([A-Za-z0-9+/=]+)">', page)
    assert uri is not None and base64.b64decode(uri.group(1)) == fake_png


def test_html_is_self_contained_escaped_and_deterministic(fake_png: bytes) -> None:
    result = suggest(SQUARES, (3, 4))
    kwargs = {
        "title": "Tune <b>me</b>",
        "marking": "OFFICIAL <script>alert(1)</script>",
        "period_label": "2025Q2 & <i>more</i>",
        "params_text": '"harm" = robbery',
    }
    page = tune_html(result, **kwargs)
    assert page == tune_html(result, **kwargs)
    # The marking bars of the shared frame open and close the body, escaped, in capitals.
    marking = "OFFICIAL &lt;SCRIPT&gt;ALERT(1)&lt;/SCRIPT&gt;"
    body = page.split("<body>", 1)[1].strip()
    assert body.startswith(f'<div id="hs-marking-top" class="hs-marking" role="note">{marking}')
    assert body.removesuffix("</html>").strip().removesuffix("</body>").strip().endswith(
        f'<div id="hs-marking-bottom" class="hs-marking" role="note">{marking}</div>'
    )
    assert "<script" not in page
    assert "<b>me</b>" not in page and "Tune &lt;b&gt;me&lt;/b&gt;" in page
    assert "2025Q2 &amp; &lt;i&gt;more&lt;/i&gt;" in page
    assert "&quot;harm&quot; = robbery" in page
    # Nothing is fetched: the only src is the embedded image, and the CSP forbids the rest.
    assert re.findall(r'src="([a-z]+):', page) == ["data"]
    assert "http://" not in page and "https://" not in page
    assert "default-src 'none'" in page and "script-src 'none'" in page
    # The chosen row is marked and the table holds every row.
    assert page.count('<tr class="hs-chosen">') == 1
    assert '<td class="hs-num">150</td>' in page


def test_html_defaults_use_the_default_marking(fake_png: bytes) -> None:
    page = tune_html(suggest(SQUARES, (3,)))
    assert page.count(f'role="note">{DEFAULT_MARKING.upper()}</div>') == 2


def _verdict(page: str) -> str:
    match = re.search(r'<p class="hs-verdict" id="hs-verdict">(.*?)</p>', page)
    assert match is not None
    return re.sub(r"<[^>]+>", "", match.group(1))


@pytest.mark.parametrize("scale", [1, 25], ids=["100m-squares", "2500m-squares"])
def test_html_says_the_suggestion_is_not_applied_and_how_to_apply_it(
    fake_png: bytes, scale: int
) -> None:
    result = suggest(SQUARES * scale, (3, 4))
    page = tune_html(result, current_eps_m=400.0)
    verdict = _verdict(page)
    assert verdict.startswith("Suggestion, not applied:")
    assert f"--eps {result.eps_m:.0f}" in verdict  # the exact option, e.g. --eps 100
    assert "keep using eps 400 m" in verdict
    assert f"<code>--eps {result.eps_m:.0f}</code>" in page
    assert "not applied" in page.split("<main", 1)[0]  # in the title block too


@pytest.mark.parametrize(
    ("scale", "warned"),
    [(1, False), (9, False), (10, True), (25, True)],
    ids=["100m", "900m", "1000m", "2500m"],
)
def test_html_repeats_the_town_sized_eps_warning_only_when_eps_is_large(
    fake_png: bytes, scale: int, warned: bool
) -> None:
    result = suggest(SQUARES * scale, (3,))
    assert result.eps_m == pytest.approx(100.0 * scale)  # the squares' side
    page = tune_html(result)
    assert ('id="hs-large-eps"' in page) is warned
    assert ("town-sized" in page) is warned
    if warned:
        assert f"eps {result.eps_m:,.0f} m is town-sized" in page
        assert f"the warning starts at {LARGE_EPS_M:,.0f} m" in page
