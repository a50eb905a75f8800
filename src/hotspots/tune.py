"""Suggest a DBSCAN radius from the k-distance curve of the harm events, and report it.

The k-distance curve (Ester et al. 1996, section 4.2) sorts every event's distance to its k-th
nearest event, counting the event itself as the first, so that with ``k = min_samples`` an event
is a DBSCAN core point exactly when ``eps_m`` is at least its k-distance. The curve of clustered
points rises slowly and then turns sharply upward where isolated points begin; the radius at the
turn is a natural ``eps_m``.

Method (the text a report can quote is :data:`METHOD_TEXT`):

1. k-distances: for every harm event, the distance in metres to its k-th nearest harm event with
   the event itself counted as the first (so the (k-1)-th *other* event), k = min_samples. This
   is the convention of scikit-learn's and this package's DBSCAN, whose ``min_samples`` also
   counts the point itself. Sorted ascending.
2. Knee: the Kneedle rule of Satopää, Albrecht, Irwin & Raghavan (2011) in its offline form,
   without smoothing: rank ``i`` and distance ``d_i`` are scaled to [0, 1],
   ``x_i = i / (n - 1)`` and ``y_i = (d_i - d_min) / (d_max - d_min)``; for an increasing convex
   curve the knee is the first index of the largest ``x_i - y_i``, the point farthest below the
   straight line from the curve's first to its last point. (Kneedle's paper states the rule
   for concave curves as ``y - x``; flipping a convex curve onto a concave one gives
   ``x - y``.) When no point lies below that line (fewer than 3 points, all distances equal, a
   straight or concave curve) there is no knee and the last index is returned.
3. Suggested radius: the knee distance rounded *up* to a multiple of 10 m (at least 10 m), so
   every event at or left of the knee is a core point at the suggested radius; rounding to the
   nearest could drop below the knee and leave those events short of ``min_samples``. The
   number of hotspots and the share of harm events that are cluster members are those of
   DBSCAN run at that rounded radius.
4. The suggestion is the row for the analysis' ``min_samples`` (by default
   :data:`hotspots.params.DEFAULT_MIN_SAMPLES`); the other rows show how the answer moves.
"""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.spatial import cKDTree

from hotspots.dbscan import run_dbscan
from hotspots.errors import ConfigError, NoDataError
from hotspots.params import DEFAULT_MIN_SAMPLES
from hotspots.points import as_points

__all__ = [
    "DEFAULT_MIN_SAMPLES_VALUES",
    "EPS_ROUND_M",
    "METHOD_TEXT",
    "TuneResult",
    "TuneRow",
    "find_knee",
    "k_distances",
    "suggest",
]

logger = logging.getLogger(__name__)

#: min_samples values `suggest` tries unless told otherwise.
DEFAULT_MIN_SAMPLES_VALUES: tuple[int, ...] = (3, 4, 5, 6)
#: Suggested radii are rounded up to a multiple of this many metres: finer would claim precision
#: the curve lacks.
EPS_ROUND_M = 10.0

#: One paragraph describing the method, for reports and the README.
METHOD_TEXT = (
    "For each harm event, the distance to its k-th nearest harm event is measured, counting the "
    "event itself as the first (k = min-samples, as DBSCAN counts the point itself), and the "
    "distances are sorted. The knee of this k-distance curve is found by the Kneedle rule "
    "(Satopää et al. 2011): with rank and distance each scaled to 0-1, the knee is the point "
    "farthest below the straight line from the first to the last point of the curve. The "
    "suggested eps is the knee distance rounded up to a multiple of 10 m, so every event left of "
    "the knee is a core point; the hotspots and the share of harm events captured are those "
    "DBSCAN finds at that eps. If the curve has no point below that line, there is no knee and "
    "its largest distance is used instead."
)

# Differences this close to zero are float noise from scaling a straight line, not a knee.
_KNEE_TOLERANCE = 1e-12


# --- validation ------------------------------------------------------------------------------


def _as_min_samples(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < 1:
        raise ConfigError(f"{name} must be an integer >= 1; got {value!r}")
    return int(value)


# --- the curve and its knee ------------------------------------------------------------------


def k_distances(xy: ArrayLike, k: int) -> np.ndarray:
    """Return every point's distance to its k-th nearest point, sorted ascending.

    The point itself counts as the first of its k nearest points, so this is the distance to
    the (k-1)-th *other* point -- the convention of DBSCAN's ``min_samples`` in scikit-learn and
    in :func:`hotspots.dbscan.run_dbscan`. With ``k = min_samples``, point ``i`` is a core point
    exactly when ``eps_m`` is at least its k-distance (up to float rounding at that distance).
    ``k = 1`` gives all zeros; duplicate points give zeros too.

    Parameters
    ----------
    xy
        Shape (n, 2): x and y in metres.
    k
        The number of nearest points, the point itself included: DBSCAN's ``min_samples``.

    Returns
    -------
    numpy.ndarray
        float64, shape (n,), ascending, in metres.

    Raises
    ------
    ConfigError
        If ``xy`` is not a finite (n, 2) array or ``k`` is not an integer >= 1.
    NoDataError
        If there are fewer than ``k`` points, so no point has k nearest points.

    Examples
    --------
    >>> k_distances([[0, 0], [3, 0], [3, 4]], 2)
    array([3., 3., 4.])
    """
    points = as_points(xy, "xy")
    k = _as_min_samples(k, "k")
    n = points.shape[0]
    if n < k:
        raise NoDataError(
            f"k-distances need at least k = {k} points (the point itself included); got {n}; "
            "use a smaller min_samples or a longer period"
        )
    if k == 1:
        return np.zeros(n, dtype=np.float64)
    dist, _ = cKDTree(points).query(points, k=k)
    # Column 0 is the point itself (or a duplicate of it, at the same distance 0).
    return np.sort(np.asarray(dist[:, k - 1], dtype=np.float64))


def _knee(values: np.ndarray) -> tuple[int, bool]:
    """Return (knee index, whether a knee was found) for validated non-decreasing values."""
    n = values.size
    if n < 3 or values[-1] == values[0]:
        return n - 1, False
    x = np.arange(n, dtype=np.float64) / (n - 1)
    y = (values - values[0]) / (values[-1] - values[0])
    diff = x - y
    i = int(np.argmax(diff))
    if diff[i] <= _KNEE_TOLERANCE:
        return n - 1, False
    return i, True


def find_knee(values: ArrayLike) -> int:
    """Return the index of the knee of an increasing convex curve by the Kneedle rule.

    Ranks ``i`` and values ``v_i`` are scaled to [0, 1] (``x_i = i / (n - 1)``,
    ``y_i = (v_i - v_0) / (v_{n-1} - v_0)``) and the knee is the first index of the largest
    ``x_i - y_i``: the point farthest below the chord from the first to the last point
    (Satopää et al. 2011, offline, without smoothing; see the module docstring for the sign).

    Parameters
    ----------
    values
        The curve, non-decreasing, e.g. from :func:`k_distances`.

    Returns
    -------
    int
        The knee's index. Fallback when the curve has no knee -- fewer than 3 values, all values
        equal, or no value below the chord (a straight or concave curve) -- is the last index,
        ``len(values) - 1``: the largest value.

    Raises
    ------
    ConfigError
        If ``values`` is empty, not one-dimensional, not finite or not non-decreasing.

    Examples
    --------
    >>> find_knee([0, 0, 0, 0, 1, 5, 10])
    4
    >>> find_knee([2.0, 2.0])
    1
    """
    arr = _as_curve(values)
    return _knee(arr)[0]


def _as_curve(values: Any) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"values must be a 1-D array of numbers; got {values!r:.80}") from exc
    if arr.ndim != 1 or arr.size == 0:
        raise ConfigError(f"values must be a non-empty 1-D array; got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ConfigError("values must be finite; found NaN or infinity")
    drops = np.flatnonzero(np.diff(arr) < 0)
    if drops.size:
        raise ConfigError(
            f"values must be non-decreasing (sort them first); value {drops[0] + 1} "
            f"({arr[drops[0] + 1]!r}) is below the one before it ({arr[drops[0]]!r})"
        )
    return arr


def _round_eps(distance_m: float) -> float:
    """Round up to a multiple of EPS_ROUND_M, never below EPS_ROUND_M.

    The 1e-9 keeps a distance a float hair above a multiple (100.00000000001) on that multiple.
    """
    return max(EPS_ROUND_M, math.ceil(distance_m / EPS_ROUND_M - 1e-9) * EPS_ROUND_M)


# --- the suggestion --------------------------------------------------------------------------


@dataclass(frozen=True)
class TuneRow:
    """The k-distance curve, knee and DBSCAN outcome for one ``min_samples``.

    Attributes
    ----------
    min_samples
        k of the curve, and DBSCAN's ``min_samples`` (the point itself included).
    knee_index
        Index of the knee in ``k_distances_m`` (the last index when ``knee_found`` is False).
    knee_found
        False when the curve has no knee and the fallback was used.
    knee_distance_m
        The k-distance at the knee, unrounded.
    eps_m
        The suggested radius: ``knee_distance_m`` rounded up to a multiple of
        :data:`EPS_ROUND_M`, and at least that.
    n_hotspots
        Clusters DBSCAN finds at ``eps_m``.
    harm_captured
        Harm events that are members (core or border) of those clusters.
    harm_share
        ``harm_captured`` / number of harm events.
    k_distances_m
        The curve: float64, ascending, metres.
    """

    min_samples: int
    knee_index: int
    knee_found: bool
    knee_distance_m: float
    eps_m: float
    n_hotspots: int
    harm_captured: int
    harm_share: float
    k_distances_m: np.ndarray = field(repr=False)

    def as_dict(self, *, include_curve: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict: distances to 0.1 m, shares to 4 decimals."""
        out: dict[str, Any] = {
            "min_samples": self.min_samples,
            "eps_m": _round(self.eps_m, 1),
            "knee_found": self.knee_found,
            "knee_index": self.knee_index,
            "knee_distance_m": _round(self.knee_distance_m, 1),
            "n_hotspots": self.n_hotspots,
            "harm_captured": self.harm_captured,
            "harm_share": _round(self.harm_share, 4),
        }
        if include_curve:
            out["k_distances_m"] = [round(float(v), 1) for v in self.k_distances_m]
        return out


@dataclass(frozen=True)
class TuneResult:
    """Suggested DBSCAN parameters for a set of harm events, and the evidence for them.

    Attributes
    ----------
    n_harm
        Harm events the curves were computed from.
    rows
        One :class:`TuneRow` per ``min_samples``, ascending.
    min_samples
        The ``min_samples`` the suggestion is for; ``suggestion`` is its row.
    engine
        DBSCAN engine used to count hotspots.
    """

    n_harm: int
    rows: tuple[TuneRow, ...]
    min_samples: int
    engine: str

    @property
    def suggestion(self) -> TuneRow:
        """The row of the chosen ``min_samples``."""
        return next(row for row in self.rows if row.min_samples == self.min_samples)

    @property
    def eps_m(self) -> float:
        """The suggested radius in metres."""
        return self.suggestion.eps_m

    def as_dict(self, *, include_curves: bool = True) -> dict[str, Any]:
        """Return a JSON-ready dict (``json.dumps`` works on it unchanged).

        Parameters
        ----------
        include_curves
            Include every row's k-distances (one number per harm event).
        """
        return {
            "method": "kneedle_max_x_minus_y",
            "method_text": METHOD_TEXT,
            "eps_round_m": EPS_ROUND_M,
            "n_harm": self.n_harm,
            "engine": self.engine,
            "suggestion": {"min_samples": self.min_samples, "eps_m": _round(self.eps_m, 1)},
            "rows": [row.as_dict(include_curve=include_curves) for row in self.rows],
        }


def _round(value: float, digits: int) -> float | None:
    """Round for JSON; NaN and infinity become None."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def suggest(
    xy_harm: ArrayLike,
    min_samples_values: Iterable[int] = DEFAULT_MIN_SAMPLES_VALUES,
    *,
    min_samples: int = DEFAULT_MIN_SAMPLES,
    engine: str = "grid",
) -> TuneResult:
    """Suggest ``eps_m`` from the knee of the k-distance curve, for several ``min_samples``.

    Parameters
    ----------
    xy_harm
        Shape (n, 2): harm events' x and y in metres (:data:`hotspots.schema.CRS_METRIC`).
    min_samples_values
        The ``min_samples`` to compute a row for; duplicates are dropped, rows are ascending.
    min_samples
        The ``min_samples`` of the analysis: its row is the suggestion. Added to the rows if
        ``min_samples_values`` does not list it.
    engine
        DBSCAN engine, as for :func:`hotspots.dbscan.run_dbscan`.

    Returns
    -------
    TuneResult
        One row per ``min_samples`` and the suggestion.

    Raises
    ------
    ConfigError
        If an argument is invalid.
    NoDataError
        If there are fewer harm events than the largest ``min_samples``.
    """
    points = as_points(xy_harm, "xy_harm")
    chosen = _as_min_samples(min_samples, "min_samples")
    try:
        listed = list(min_samples_values)
    except TypeError as exc:
        raise ConfigError(
            f"min_samples_values must be a sequence of integers >= 1; got {min_samples_values!r}"
        ) from exc
    values = sorted(
        {_as_min_samples(v, "each min_samples_values entry") for v in listed} | {chosen}
    )
    n = points.shape[0]
    if n < values[-1]:
        raise NoDataError(
            f"tuning min_samples up to {values[-1]} needs at least {values[-1]} harm events; "
            f"got {n}; use a longer period or smaller min_samples values"
        )
    rows = []
    for k in values:
        curve = k_distances(points, k)
        index, found = _knee(curve)
        eps = _round_eps(float(curve[index]))
        labels = run_dbscan(points, eps, k, engine=engine).labels
        captured = int(np.count_nonzero(labels >= 0))
        rows.append(
            TuneRow(
                min_samples=k,
                knee_index=index,
                knee_found=found,
                knee_distance_m=float(curve[index]),
                eps_m=eps,
                n_hotspots=int(labels.max()) + 1 if labels.size else 0,
                harm_captured=captured,
                harm_share=captured / n,
                k_distances_m=curve,
            )
        )
    result = TuneResult(n_harm=n, rows=tuple(rows), min_samples=chosen, engine=engine)
    best = result.suggestion
    logger.info(
        "tune: %d harm events; min_samples %d -> eps %.0f m (%s), %d hotspots, %.0f%% of harm",
        n,
        best.min_samples,
        best.eps_m,
        "knee" if best.knee_found else "no knee, largest distance",
        best.n_hotspots,
        100 * best.harm_share,
    )
    return result


# --- outputs ---------------------------------------------------------------------------------
