"""The plain-English verdicts of tune and evaluate (issue 17: "tune never looks applied";
"the evaluation page opens with a plain verdict").

The evaluation's figures come from small generated inputs and are read back out of the
rendered page, so the sentence can only pass by quoting the evaluation's own numbers.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import shapely

from hotspots.evaluate import evaluate
from hotspots.render.evaluation_page import evaluation_html, evaluation_markdown
from hotspots.verdicts import (
    LARGE_EPS_M,
    apply_option,
    evaluation_verdict,
    grid_ratio,
    large_eps_warning,
    pai_explanation,
    percent_text,
    times_text,
)

STUDY = shapely.box(0, 0, 10_000, 10_000)  # 100 km2
VERDICT = re.compile(
    r"Hotspots drawn on (?P<against>\S+) caught (?P<hit>[\d.]+)% of (?P<period>\S+)'s harm "
    r"\((?P<inside>[\d,]+) of (?P<total>[\d,]+) harm events?\) in (?P<area>[\d.]+)% of the "
    r"study area: (?P<pai>[\d.,]+) times better than chance, and (?P<grid>[\d.,]+) times the "
    r"best equal-area grid\."
)


def pts(*coords: tuple[float, float]) -> np.ndarray:
    return np.array(coords, dtype=float).reshape(-1, 2)


def generated(seed: int):
    """Three hotspots of 200 m, most harm near them in both periods, the rest scattered."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(1_000, 9_000, size=(3, 2))
    hot = [shapely.box(x - 100, y - 100, x + 100, y + 100) for x, y in centres]

    def period(n_near: int, n_far: int) -> np.ndarray:
        near = centres[rng.integers(0, 3, n_near)] + rng.normal(0, 80, (n_near, 2))
        far = rng.uniform(0, 10_000, (n_far, 2))
        return np.clip(np.vstack([near, far]), 0, 10_000)

    return evaluate(hot, period(40, 30), period(int(rng.integers(20, 60)), 25), STUDY)


def _verdict_of(page: str) -> str:
    match = re.search(r'<p class="hs-verdict" id="hs-verdict">(.*?)</p>', page)
    assert match is not None
    return match.group(1).replace("&#x27;", "'").replace("&#39;", "'")


@pytest.mark.parametrize("seed", [1, 2, 3], ids=["seed1", "seed2", "seed3"])
def test_the_page_opens_with_the_evaluations_own_figures(seed: int) -> None:
    result = generated(seed)
    page = evaluation_html(result, period_label="2025Q3", against_label="2025Q2")
    body = page.split('<main id="hs-document">', 1)[1]
    assert body.lstrip().startswith('<p class="hs-verdict"')  # the first thing read
    found = VERDICT.fullmatch(_verdict_of(page))
    assert found is not None, _verdict_of(page)
    hot = result.hotspots
    assert (found["against"], found["period"]) == ("2025Q2", "2025Q3")
    assert int(found["inside"].replace(",", "")) == hot.cur_inside
    assert int(found["total"].replace(",", "")) == result.n_cur
    assert float(found["hit"]) == pytest.approx(100 * hot.hit_rate, abs=0.0501)
    assert float(found["area"]) == pytest.approx(100 * hot.area_share, rel=0.05)
    assert float(found["pai"].replace(",", "")) == pytest.approx(hot.pai, abs=0.5)
    ratio = hot.pai / result.baseline.pai
    assert float(found["grid"].replace(",", "")) == pytest.approx(ratio, abs=0.0501)  # one decimal


def test_pai_is_explained_with_the_evaluations_figures() -> None:
    result = generated(1)
    text = pai_explanation(result)
    assert "PAI = hit rate ÷ area share" in text
    hot = result.hotspots
    worked = f"{percent_text(hot.hit_rate)} ÷ {percent_text(hot.area_share)} = {times_text(hot.pai)}"
    assert worked in text
    assert "same study area" in text
    assert text in evaluation_html(result).replace("&#x27;", "'")
    assert text in evaluation_markdown(result)


@pytest.mark.parametrize(
    ("prev_hot", "prev", "cur", "expected"),
    [
        ([shapely.box(0, 0, 100, 100)], pts((5, 5)), np.empty((0, 2)), "Not scored: 2025Q3 has no harm events"),
        ([], pts((5, 5), (9, 9)), pts((5, 5)), "Not scored: no hotspots were drawn on 2025Q2 (2 harm events)"),
        ([shapely.box(0, 0, 100, 100)], pts((5, 5)), pts((5_000, 5_000), (6_000, 6_000)),
         "Hotspots drawn on 2025Q2 caught none of 2025Q3's 2 harm events; they cover 0.01%"),
    ],
    ids=["no-events-scored", "no-hotspots", "caught-none"],
)
def test_degenerate_evaluations_keep_a_plain_sentence(prev_hot, prev, cur, expected) -> None:
    result = evaluate(prev_hot, prev, cur, STUDY)
    verdict = evaluation_verdict(result, period_label="2025Q3", against_label="2025Q2")
    assert verdict.startswith(expected)
    page = evaluation_html(result, period_label="2025Q3", against_label="2025Q2")
    assert "nan" not in page.lower() and "nan" not in evaluation_markdown(result).lower()
    assert "inf" not in verdict.lower()


def test_one_event_and_chance_level_read_as_english() -> None:
    # The whole study area as the hotspot: PAI 1, and the grid covers the same area.
    result = evaluate([STUDY], pts((5, 5)), pts((7, 7)), STUDY)
    verdict = evaluation_verdict(result, period_label="2025Q3", against_label="2025Q2")
    assert "(1 of 1 harm event)" in verdict
    assert "no better than chance" in verdict
    assert "level with the best equal-area grid" in verdict
    assert math.isclose(grid_ratio(result), 1.0)


def test_a_grid_that_caught_nothing_is_said_so() -> None:
    hot = shapely.box(0, 0, 250, 250)
    # The grid takes the busiest earlier cell, far from where harm falls now.
    result = evaluate([hot], pts((9_000, 9_000), (9_001, 9_001), (5, 5)), pts((10, 10)), STUDY)
    assert result.baseline.cur_inside == 0
    assert math.isnan(grid_ratio(result))
    assert "the best equal-area grid caught none" in evaluation_verdict(result)


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.0, "0%"), (0.00000001, "under 0.01%"), (0.00047, "0.047%"), (0.0123, "1.2%"), (0.448, "44.8%"), (1.0, "100.0%")],
    ids=["zero", "tiny", "county-share", "one-percent", "hit-rate", "all"],
)
def test_percent_text(share: float, text: str) -> None:
    assert percent_text(share) == text


@pytest.mark.parametrize(
    ("ratio", "text"), [(1.04, "1.0"), (1.26, "1.3"), (9.94, "9.9"), (948.2, "948"), (2094.4, "2,094")],
    ids=["one", "small", "under-ten", "hundreds", "thousands"],
)
def test_times_text(ratio: float, text: str) -> None:
    assert times_text(ratio) == text


@pytest.mark.parametrize(
    ("eps", "warned"), [(400.0, False), (LARGE_EPS_M - 10, False), (LARGE_EPS_M, True), (4_370.0, True)],
    ids=["default", "just-under", "threshold", "sample-knee"],
)
def test_large_eps_warning_starts_at_the_threshold(eps: float, warned: bool) -> None:
    warning = large_eps_warning(eps)
    assert (warning is not None) is warned
    if warning:
        assert warning.startswith(f"eps {eps:,.0f} m is town-sized")
        assert "do not adopt a town-sized eps for tasking without thought" in warning


def test_apply_option_is_the_cli_option() -> None:
    assert apply_option(2900.0) == "--eps 2900"
    assert apply_option(12_340.0) == "--eps 12340"


def test_the_verdict_names_what_harm_stands_for_with_its_counts() -> None:
    result = generated(1)
    hot = result.hotspots
    labelled = evaluation_verdict(
        result, period_label="2025Q3", against_label="2025Q2", harm_label="robbery"
    )
    assert f"harm (robbery: {hot.cur_inside:,} of {result.n_cur:,} events)" in labelled
    page = evaluation_html(
        result, period_label="2025Q3", against_label="2025Q2", harm_label="robbery"
    )
    assert _verdict_of(page) == labelled
    assert "robbery: " in evaluation_markdown(result, harm_label="robbery")
    assert "robbery" not in evaluation_verdict(result)  # no label, no noun
