"""The Monte Carlo scan test: planted hotspots stand out, uniform background does not."""

from __future__ import annotations

import numpy as np
import pytest

from hotspots.dbscan import run_dbscan
from hotspots.errors import ConfigError
from hotspots.significance import WORD_COULD_BE, WORD_UNLIKELY, _llr, chance_test

EPS_M = 200.0
MIN_SAMPLES = 3


def _test(x, y, is_harm, replicates=99, seed=7):
    """Cluster the harm events as the analysis does, then test the clusters."""
    owner = np.full(len(x), -1)
    harm_rows = np.flatnonzero(is_harm)
    owner[harm_rows] = run_dbscan(np.column_stack([x[harm_rows], y[harm_rows]]), EPS_M, MIN_SAMPLES).labels
    n = int(owner.max()) + 1
    return chance_test(x, y, is_harm, owner, n, eps_m=EPS_M, min_samples=MIN_SAMPLES,
                       replicates=replicates, seed=seed), owner


def _background(rng, n, side=10_000.0):
    return rng.uniform(600_000, 600_000 + side, n), rng.uniform(300_000, 300_000 + side, n)


def test_a_planted_thin_hotspot_is_unlikely_by_chance():
    rng = np.random.default_rng(1)
    bx, by = _background(rng, 600)
    px, py = rng.normal(605_000, 60, 15), rng.normal(305_000, 60, 15)  # 15 harm reports in ~120 m
    x, y = np.concatenate([bx, px]), np.concatenate([by, py])
    is_harm = np.concatenate([rng.random(600) < 0.3, np.ones(15, bool)])
    result, owner = _test(x, y, is_harm)
    planted = np.bincount(owner[-15:][owner[-15:] >= 0]).argmax()
    assert result.p_values[planted] == pytest.approx(0.01)  # beaten by no relabelling
    assert result.words()[planted] == WORD_UNLIKELY


def test_uniform_background_gives_false_positives_at_the_stated_level():
    # Harm is a random draw of uniform events: the null is true, so a run with any
    # "unlikely by chance" hotspot is a false positive; the family-wise rate is held at 0.05.
    runs = 40
    false_positive_runs = 0
    for seed in range(runs):
        rng = np.random.default_rng(100 + seed)
        x, y = _background(rng, 400, side=4_000.0)
        is_harm = rng.random(400) < 0.4
        result, _ = _test(x, y, is_harm, replicates=39, seed=seed)
        false_positive_runs += bool((result.p_values <= 0.05).any())
    # Binomial(40, 0.05): P(more than 5) < 0.02; the seeds are fixed, so this cannot flicker.
    assert false_positive_runs <= 5


def test_same_seed_same_p_values_and_row_order_does_not_matter():
    rng = np.random.default_rng(3)
    x, y = _background(rng, 300, side=3_000.0)
    is_harm = rng.random(300) < 0.5
    first, owner = _test(x, y, is_harm, replicates=19, seed=5)
    again, _ = _test(x, y, is_harm, replicates=19, seed=5)
    assert np.array_equal(first.p_values, again.p_values)
    perm = rng.permutation(300)
    shuffled, owner2 = _test(x[perm], y[perm], is_harm[perm], replicates=19, seed=5)
    # Cluster numbering follows coordinates, not rows, so hotspot k is the same place.
    assert np.array_equal(owner[perm], owner2)
    assert np.array_equal(first.p_values, shuffled.p_values)


def test_no_hotspots_no_p_values():
    x = np.array([0.0, 5000.0]) + 600_000
    y = np.array([0.0, 5000.0]) + 300_000
    result = chance_test(x, y, np.array([True, False]), np.array([-1, -1]), 0, eps_m=EPS_M,
                         min_samples=MIN_SAMPLES, replicates=9)
    assert len(result.p_values) == 0


@pytest.mark.parametrize(
    ("cases_in", "total_in", "expected"),
    [(5, 5, 6.73), (1, 10, 0.0), (0, 0, 0.0)],
    ids=["all-harm-window", "harm-under-represented", "empty-window"],
)
def test_bernoulli_llr_by_hand(cases_in, total_in, expected):
    # 10 harm among 100 events. A window of 5, all harm: 0 + 5 ln(95/95)... computed below.
    got = float(_llr(np.array([cases_in]), np.array([total_in]), 10, 100)[0])
    if expected:
        c, n, C, N = cases_in, total_in, 10, 100
        inside = c * np.log(c / n)
        out = (C - c) * np.log((C - c) / (N - n)) + (N - n - C + c) * np.log(1 - (C - c) / (N - n))
        null = C * np.log(C / N) + (N - C) * np.log(1 - C / N)
        expected = inside + out - null
    assert got == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("replicates", [0, 10_000, 2.5, True], ids=["zero", "too-many", "fraction", "bool"])
def test_replicates_out_of_range_are_refused(replicates):
    with pytest.raises(ConfigError, match="replicates"):
        chance_test(np.zeros(1), np.zeros(1), np.ones(1, bool), np.zeros(1, int), 1, eps_m=100,
                    min_samples=1, replicates=replicates)


def test_words_follow_alpha():
    rng = np.random.default_rng(1)
    x, y = rng.normal(600_000, 50, 30), rng.normal(300_000, 50, 30)
    x = np.concatenate([x, *_background(rng, 300)[:1]])
    y = np.concatenate([y, rng.uniform(300_000, 310_000, 300)])
    is_harm = np.concatenate([np.ones(30, bool), np.zeros(300, bool)])
    result, _ = _test(x, y, is_harm, replicates=19)
    assert set(result.words()) <= {WORD_UNLIKELY, WORD_COULD_BE}
    assert result.words()[0] == WORD_UNLIKELY
