"""The monthly trend test: planted trends found, flat series left alone, the fit checked independently."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

from hotspots.trend import (
    MIN_EVENTS,
    MIN_MONTHS,
    TREND_FALLING,
    TREND_NONE,
    TREND_RISING,
    chi2_1_sf,
    f1_sf,
    falling_run,
    rising_run,
    trend_of,
    trends_of,
)


@pytest.mark.parametrize(
    ("counts", "label"),
    [
        ([1, 2, 2, 3, 4, 5, 6, 8, 9, 11, 12, 14], TREND_RISING),
        ([14, 12, 11, 9, 8, 6, 5, 4, 3, 2, 2, 1], TREND_FALLING),
        ([5, 6, 4, 5, 5, 6, 4, 5, 6, 5, 4, 5], TREND_NONE),
        ([2, 3, 2, 4, 3, 3], TREND_NONE),  # small counts going up a little: not evidence
    ],
    ids=["rising", "falling", "flat", "small-wobble"],
)
def test_planted_series_get_their_label(counts, label):
    assert trend_of(counts).label == label


@pytest.mark.parametrize(
    "counts",
    [[0, 0, 10, 0, 0], [1] * 5 + [4], [0] * 12],
    ids=["too-few-months", "too-few-events", "all-zero"],
)
def test_short_or_sparse_series_are_not_tested(counts):
    trend = trend_of(counts)
    assert (trend.label, trend.p_value) == (TREND_NONE, None)
    assert len(counts) < MIN_MONTHS or sum(counts) < MIN_EVENTS


def test_slope_matches_a_direct_maximisation_of_the_likelihood():
    rng = np.random.default_rng(7)
    days = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=float)
    for _ in range(20):
        y = rng.poisson(rng.uniform(0.5, 6), 12).astype(float)
        if y.sum() < MIN_EVENTS:
            continue
        t = np.arange(12) - 5.5

        def negative_loglik(params, y=y, t=t):
            a, b = params
            mu = days * np.exp(a + b * t)
            return float(np.sum(mu - y * np.log(mu)))

        fitted = optimize.minimize(negative_loglik, x0=[np.log(y.mean() / 30), 0.0], method="Nelder-Mead",
                                   options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 5000})
        assert np.log(trend_of(y, days).monthly_ratio) == pytest.approx(fitted.x[1], abs=1e-5)


def test_all_events_in_the_last_month_give_a_finite_rising_fit():
    trend = trend_of([0, 0, 0, 0, 0, 12])
    assert trend.label == TREND_RISING and np.isfinite(trend.monthly_ratio)


def test_false_alarms_stay_near_the_stated_level():
    # 2,000 stable series (Poisson, 2 a month, 12 months): about 5 % or fewer may be labelled.
    rng = np.random.default_rng(11)
    trends = trends_of(rng.poisson(2.0, (2000, 12)))
    labelled = sum(t.label != TREND_NONE for t in trends if t.tested) / sum(t.tested for t in trends)
    assert labelled < 0.06


def test_overdispersed_series_need_stronger_evidence():
    # The same slope; the second series swings around it far more than Poisson counts would.
    steady = [4, 5, 5, 6, 6, 7, 7, 8, 8, 9]
    swinging = [1, 9, 2, 10, 2, 12, 3, 13, 3, 14]
    assert trend_of(steady).p_value < trend_of(swinging).p_value
    assert trend_of(swinging).dispersion > 1


def test_vectorised_and_single_series_agree():
    table = np.array([[1, 2, 2, 3, 4, 5, 6, 8], [3, 3, 3, 3, 3, 3, 3, 3], [9, 7, 6, 5, 3, 3, 2, 1]])
    assert [t.p_value for t in trends_of(table)] == pytest.approx([trend_of(r).p_value for r in table])


@pytest.mark.parametrize(
    ("counts", "rising", "falling"),
    [([1, 4, 2, 3, 5], 2, 0), ([5, 4, 3], 0, 2), ([2, 2, 2], 0, 0), ([7], 0, 0)],
    ids=["rise-2", "fall-2", "flat", "one-month"],
)
def test_runs_count_consecutive_changes_at_the_end(counts, rising, falling):
    assert (rising_run(counts), falling_run(counts)) == (rising, falling)


@pytest.mark.parametrize(
    ("counts", "days", "alpha"),
    [([1, -1, 2, 3, 4, 5], None, 0.05), ([1, 2, 3, 4, 5, 6], [30] * 5, 0.05), ([1, 2, 3, 4, 5, 6], None, 1.5)],
    ids=["negative-count", "days-length", "alpha"],
)
def test_bad_arguments_are_refused(counts, days, alpha):
    with pytest.raises(ValueError):
        trend_of(counts, days, alpha)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 9, 10, 25, 118], ids=lambda d: f"df{d}")
def test_closed_form_p_values_match_scipy(df):
    x = np.array([0.0, 0.01, 0.5, 1.0, 2.5, 3.84, 7.0, 20.0, 50.0])
    assert f1_sf(x, df) == pytest.approx(stats.f.sf(x, 1, df), abs=1e-12)
    assert chi2_1_sf(x) == pytest.approx(stats.chi2.sf(x, 1), abs=1e-12)
