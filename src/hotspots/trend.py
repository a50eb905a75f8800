"""Is a monthly count series rising, falling, or showing no clear trend?

The test
--------
A log-linear Poisson regression of the monthly counts on the month number, with the
days in each month as exposure::

    E[y_t] = days_t * exp(a + b * t)

The slope ``b`` is tested against ``b = 0`` (a constant daily rate) by the likelihood
ratio. Crime counts usually vary more than a Poisson model allows (overdispersion), which
would make the test call trends too often, so the Pearson dispersion
``phi = sum((y - mu)^2 / mu) / (n - 2)`` of the fitted trend is estimated and, when it
exceeds 1, the likelihood ratio is divided by it and referred to an F(1, n - 2)
distribution (quasi-Poisson); when it does not, the ratio is referred to chi-square(1).
A series is labelled **rising** or **falling** only when the p-value is below
:data:`TREND_ALPHA`, in the direction of ``b``; otherwise, and for series too short or
too sparse to test (fewer than :data:`MIN_MONTHS` months or :data:`MIN_EVENTS` events),
**no clear trend**.

Why not Mann-Kendall: it compares only the signs of pairs of months, so with small
monthly counts most pairs tie (0 against 0, 1 against 1), its tie-corrected normal
approximation is poor for the 6-27 months a series holds, and it ignores how large
a change is. The Poisson model is the natural model of counts, uses every event, copes
with zeros, takes month length into account, and accepts the fractional counts that
aoristic weights give. Its false-alarm rate was checked by simulation (see
``tests/test_trend.py`` and ``docs/time.md``).

Many hotspots are tested at once: at a 5 % level about one stable hotspot in twenty is
labelled rising or falling by chance. Read the label with the counts beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np

#: Significance level of the trend test.
TREND_ALPHA: Final = 0.05
#: Shortest series (months) that is tested.
MIN_MONTHS: Final = 6
#: Fewest events (sum of the series) that are tested.
MIN_EVENTS: Final = 10.0
#: Largest slope considered, per month, in log units (a rate multiplied by e^3 = 20 each
#: month): keeps the fit finite when all events fall in the last month.
_MAX_SLOPE: Final = 3.0

TREND_RISING: Final = "rising"
TREND_FALLING: Final = "falling"
TREND_NONE: Final = "no clear trend"
TREND_LABELS: Final = (TREND_RISING, TREND_FALLING, TREND_NONE)

#: One-sentence statement of the test, for summary files and pages.
TREND_DEFINITION: Final = (
    "log-linear Poisson regression of monthly harm on month number (days in the month as exposure); "
    "the slope is tested by likelihood ratio, divided by the Pearson dispersion and referred to "
    f"F(1, n-2) when that exceeds 1 (quasi-Poisson), else to chi-square(1); 'rising' or 'falling' only "
    f"when p < {TREND_ALPHA}, else 'no clear trend'; series of fewer than {MIN_MONTHS} months or "
    f"{MIN_EVENTS:g} events are not tested"
)


@dataclass(frozen=True)
class Trend:
    """The outcome of :func:`trend_of` on one series."""

    label: str  # one of TREND_LABELS
    p_value: float | None  # None when the series was not tested
    monthly_ratio: float | None  # fitted rate this month / rate the month before (exp(b))
    months: int
    events: float
    dispersion: float | None  # Pearson dispersion of the fitted trend (>= 0)

    @property
    def tested(self) -> bool:
        """The series was long and full enough to test."""
        return self.p_value is not None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready values (rounded)."""
        return {
            "trend": self.label,
            "p_value": None if self.p_value is None else float(f"{self.p_value:.4g}"),
            "monthly_ratio": None if self.monthly_ratio is None else round(self.monthly_ratio, 4),
            "months": self.months,
            "events": round(self.events, 3),
        }


def trend_of(
    counts: np.ndarray | list[float],
    days: np.ndarray | list[int] | None = None,
    alpha: float = TREND_ALPHA,
) -> Trend:
    """Test one monthly series for a trend (the test is in the module docstring).

    Parameters
    ----------
    counts
        Events per month, oldest first (may be fractional: aoristic weights).
    days
        Days in each month (the exposure); all equal when omitted.
    alpha
        Significance level.
    """
    y = np.asarray(counts, dtype=float)
    return trends_of(y[None, :], days, alpha)[0]


def trends_of(
    counts: np.ndarray,
    days: np.ndarray | list[int] | None = None,
    alpha: float = TREND_ALPHA,
) -> list[Trend]:
    """Test every row of ``counts`` (series x months) for a trend, all at once.

    The slope is fitted by Newton's method on the profile log-likelihood (concave in the
    slope), vectorised over the series: thousands of hotspots take milliseconds.
    """
    y = np.asarray(counts, dtype=float)
    if y.ndim != 2:
        raise ValueError(f"counts: expected a table of series x months, got {y.ndim} dimension(s)")
    if not (0 < alpha < 1):
        raise ValueError(f"alpha: expected a level between 0 and 1, got {alpha!r}")
    if np.any(~np.isfinite(y)) or np.any(y < 0):
        raise ValueError("counts: expected finite counts of 0 or more")
    n_series, n = y.shape
    exposure = np.ones(n) if days is None else np.asarray(days, dtype=float)
    if exposure.shape != (n,) or np.any(exposure <= 0):
        raise ValueError("days: expected one positive number of days per month")
    total = y.sum(axis=1)
    tested = (total >= MIN_EVENTS) & (n >= MIN_MONTHS)
    out = [Trend(TREND_NONE, None, None, n, float(total[k]), None) for k in range(n_series)]
    if not tested.any():
        return out

    rows = np.flatnonzero(tested)
    ys, totals = y[rows], total[rows]
    t = np.arange(n, dtype=float) - (n - 1) / 2  # centred: intercept and slope separate
    log_e = np.log(exposure)
    yt = ys @ t
    b = _fit_slopes(yt, totals, t, log_e)
    lr = np.maximum(0.0, 2 * (_profile(b, yt, totals, t, log_e) - _profile(np.zeros_like(b), yt, totals, t, log_e)))
    log_mu = log_e[None, :] + b[:, None] * t[None, :]
    log_mu -= _logsumexp_rows(log_mu)[:, None]
    mu = totals[:, None] * np.exp(log_mu)
    with np.errstate(divide="ignore", invalid="ignore"):
        dispersion = np.nansum(np.where(mu > 0, (ys - mu) ** 2 / mu, 0.0), axis=1) / (n - 2)
    over = dispersion > 1
    p = np.where(over, f1_sf(lr / np.where(over, dispersion, 1.0), n - 2), chi2_1_sf(lr))
    for k, row in enumerate(rows):
        label = TREND_NONE
        if p[k] < alpha:
            label = TREND_RISING if b[k] > 0 else TREND_FALLING
        out[row] = Trend(label, float(p[k]), math.exp(float(b[k])), n, float(totals[k]), float(dispersion[k]))
    return out


def _profile(b: np.ndarray, yt: np.ndarray, totals: np.ndarray, t: np.ndarray, log_e: np.ndarray) -> np.ndarray:
    """Log-likelihood of each slope with the intercept at its best value (up to a constant)."""
    return b * yt - totals * _logsumexp_rows(log_e[None, :] + b[:, None] * t[None, :])


def _fit_slopes(yt: np.ndarray, totals: np.ndarray, t: np.ndarray, log_e: np.ndarray) -> np.ndarray:
    """Maximum-likelihood slopes, clipped to +-_MAX_SLOPE (all events in one end month)."""
    b = np.zeros(len(yt))
    for _ in range(100):
        z = log_e[None, :] + b[:, None] * t[None, :]
        w = np.exp(z - _logsumexp_rows(z)[:, None])  # the months' shares of the fitted events
        mean_t = w @ t
        var_t = np.maximum((w * (t[None, :] - mean_t[:, None]) ** 2).sum(axis=1), 1e-300)
        gradient = yt - totals * mean_t
        new = np.clip(b + gradient / (totals * var_t), -_MAX_SLOPE, _MAX_SLOPE)
        # A Newton step on a concave function can overshoot: never accept a worse slope.
        worse = _profile(new, yt, totals, t, log_e) < _profile(b, yt, totals, t, log_e)
        new = np.where(worse, (b + new) / 2, new)
        done = np.max(np.abs(new - b)) < 1e-12
        b = new
        if done:
            break
    return b


def chi2_1_sf(x: np.ndarray) -> np.ndarray:
    """P(X > x) for X ~ chi-square with 1 degree of freedom: erfc(sqrt(x / 2))."""
    z = np.sqrt(np.maximum(np.asarray(x, dtype=float), 0.0) / 2)
    return np.array([math.erfc(v) for v in z.ravel()]).reshape(z.shape)


def f1_sf(x: np.ndarray, df: int) -> np.ndarray:
    """P(X > x) for X ~ F(1, df), df a whole number >= 1.

    F(1, df) is the square of Student's t with df degrees of freedom, so this is
    P(|T| > sqrt(x)), from the finite series for whole df (Abramowitz and Stegun 26.7.3-4):
    with theta = atan(t / sqrt(df)), P(|T| <= t) is
    (2/pi)(theta + sin(theta) sum_k c_k cos^(2k-1)(theta)) for odd df and
    sin(theta) sum_k d_k cos^(2k)(theta) for even df. No scipy import (which takes seconds).
    """
    if df < 1:
        raise ValueError(f"df: expected a whole number of at least 1, got {df!r}")
    t = np.sqrt(np.maximum(np.asarray(x, dtype=float), 0.0))
    theta = np.arctan(t / math.sqrt(df))
    sin, cos = np.sin(theta), np.cos(theta)
    if df % 2 == 1:
        total = np.zeros_like(theta)
        term = cos.copy()  # k = 1: cos(theta), coefficient 1
        for k in range(1, (df - 1) // 2 + 1):
            total += term
            term = term * cos * cos * (2 * k) / (2 * k + 1)
        inside = (2 / math.pi) * (theta + sin * total)
    else:
        total = np.zeros_like(theta)
        term = np.ones_like(theta)
        for k in range(df // 2):
            total += term
            term = term * cos * cos * (2 * k + 1) / (2 * k + 2)
        inside = sin * total
    return np.clip(1.0 - inside, 0.0, 1.0)


def _logsumexp_rows(values: np.ndarray) -> np.ndarray:
    top = values.max(axis=1)
    return top + np.log(np.exp(values - top[:, None]).sum(axis=1))


def rising_run(counts: np.ndarray | list[float]) -> int:
    """Months at the end of the series in which the count rose on the month before.

    ``[1, 4, 2, 3, 5]`` gives 2 (2 -> 3 -> 5). Used only to say "has risen each month
    since ..." when it is literally true.
    """
    y = np.asarray(counts, dtype=float)
    run = 0
    for k in range(len(y) - 1, 0, -1):
        if y[k] > y[k - 1]:
            run += 1
        else:
            break
    return run


def falling_run(counts: np.ndarray | list[float]) -> int:
    """Months at the end of the series in which the count fell on the month before."""
    return rising_run(-np.asarray(counts, dtype=float))
