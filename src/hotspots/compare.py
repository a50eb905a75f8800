"""Period against period: match the hotspots of two analyses and classify how each changed.

Two :class:`~hotspots.model.Analysis` results of the same parameters (one per period) go in; a
:class:`Comparison` comes out, with every hotspot of both periods labelled by change class and
coverage change, and one row per local authority with both periods' figures and the changes.

The rules, as printed in the README and the outputs, are the text constants
:data:`MATCHING_RULE`, :data:`TEST_DESCRIPTION`, :data:`CLASS_DESCRIPTIONS`,
:data:`COVERAGE_CHANGE_DESCRIPTIONS` and :data:`COUNTS_NOTE`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from scipy.stats import binomtest

from hotspots import schema
from hotspots.errors import ConfigError, InputError
from hotspots.model import AREA_COLUMNS, Analysis
from hotspots.outputs import web_frame
from hotspots.period import Period

__all__ = [
    "AREA_CHANGE_COLUMNS",
    "CHANGE_CLASSES",
    "CLASS_DESCRIPTIONS",
    "COMPARISON_COLUMNS",
    "COUNTS_NOTE",
    "COVERAGE_CHANGES",
    "COVERAGE_CHANGE_DESCRIPTIONS",
    "GEOJSON_COLUMNS",
    "MATCHING_RULE",
    "TEST_DESCRIPTION",
    "TRENDS",
    "Comparison",
    "changes_geojson_frame",
    "compare",
    "compare_counts",
    "web_frame",
]


# --- periods -------------------------------------------------------------------------------
PERIOD_PREVIOUS: Final = "previous"
PERIOD_CURRENT: Final = "current"
PERIODS: Final = (PERIOD_CURRENT, PERIOD_PREVIOUS)  # output order

# --- change classes ------------------------------------------------------------------------
CHANGE_NEW: Final = "new"
CHANGE_PERSISTENT: Final = "persistent"
CHANGE_INTENSIFIED: Final = "intensified"
CHANGE_DIMINISHED: Final = "diminished"
CHANGE_MERGED: Final = "merged"
CHANGE_SPLIT: Final = "split"
CHANGE_RESOLVED: Final = "resolved"
CHANGE_CLASSES: Final = (
    CHANGE_NEW,
    CHANGE_INTENSIFIED,
    CHANGE_PERSISTENT,
    CHANGE_DIMINISHED,
    CHANGE_MERGED,
    CHANGE_SPLIT,
    CHANGE_RESOLVED,
)

# --- coverage change of matched hotspots ---------------------------------------------------
COVERAGE_GAP_OPENED: Final = "gap_opened"
COVERAGE_GAP_CLOSED: Final = "gap_closed"
COVERAGE_STILL_THIN: Final = "still_thin"
COVERAGE_STILL_COVERED: Final = "still_covered"
COVERAGE_CHANGES: Final = (
    COVERAGE_GAP_OPENED,
    COVERAGE_STILL_THIN,
    COVERAGE_GAP_CLOSED,
    COVERAGE_STILL_COVERED,
)

# --- trend of a count ----------------------------------------------------------------------
TREND_UP: Final = "up"
TREND_DOWN: Final = "down"
TREND_NONE: Final = "no significant change"
TRENDS: Final = (TREND_UP, TREND_DOWN, TREND_NONE)

#: Columns of :attr:`Comparison.hotspots` in order (then ``geometry``).
COMPARISON_COLUMNS: Final = (
    "period",  # "current" or "previous"
    "hotspot_id",  # the id within its own period's analysis
    "change",  # one of CHANGE_CLASSES
    "matched_ids",  # ";"-joined sorted ids of the other period's hotspots in the same group
    "harm_previous",  # group totals on each side; 0 on a side with no hotspot
    "harm_current",
    "enforcement_previous",
    "enforcement_current",
    "status_previous",  # "thin"/"covered" of the group's side; "" when that side is empty
    "status_current",
    "coverage_change",  # one of COVERAGE_CHANGES; "" for new and resolved hotspots
    "harm_trend",  # one of TRENDS for matched hotspots; "" for new and resolved
    "p_value",  # of the harm-count test; NaN for new and resolved
    "area_code",  # of the hotspot in its own period
    "area_name",
)

#: Properties of ``changes.geojson`` in order (then ``geometry``, WGS84).
GEOJSON_COLUMNS: Final = (
    "period",
    "hotspot_id",
    "change",
    "matched_ids",
    "harm_previous",
    "harm_current",
    "enforcement_previous",
    "enforcement_current",
    "status_previous",
    "status_current",
    "coverage_change",
    "harm_trend",
    "p_value",
    "area_name",
    "area_code",
)

_AREA_FIGURES = ("harm", "enforcement", "coverage", "hotspots", "thin_hotspots")

#: Columns of :attr:`Comparison.areas` (``area_changes.csv``) in order.
AREA_CHANGE_COLUMNS: Final = (
    "area_code",
    "area_name",
    *(f"{figure}_{period}" for figure in _AREA_FIGURES for period in ("previous", "current")),
    "harm_change",  # current - previous
    "harm_change_p",  # p-value of the harm-count test
    "harm_trend",  # one of TRENDS
    "enforcement_change",
    "coverage_change",  # current - previous coverage; NaN when either is NaN (no harm)
    "thin_hotspots_change",
    "gaps_opened",  # current hotspots of the area whose group went covered -> thin
    "gaps_closed",  # ... thin -> covered
)

# --- rules as text (README and outputs) ----------------------------------------------------
MATCHING_RULE: Final = (
    "A hotspot of the previous period and a hotspot of the current period are linked when "
    "their footprints overlap or come within the match distance (match_distance_m, stated "
    "with the parameters) of each other. Linked hotspots form groups: hotspots joined by a "
    "chain of links are one group. A group of one previous and one current hotspot is "
    "persistent, intensified or diminished, by the harm-count test. One previous hotspot "
    "linked to several current ones is split; several previous hotspots linked to one "
    "current one are merged; where several hotspots of each period are linked, the group is "
    "split if it has more hotspots now than before, otherwise merged. A previous hotspot with "
    "no link is resolved; a current hotspot with no link is new."
)

TEST_DESCRIPTION: Final = (
    "Harm counts are compared with an exact conditional test of two Poisson counts that "
    "allows for periods of different length. With a harm events over d_prev days before and "
    "b over d_cur days now, if the daily rate has not changed then b given a + b follows "
    "Binomial(a + b, d_cur / (d_prev + d_cur)); the two-sided p-value is that of "
    "scipy.stats.binomtest. A change is called (intensified or diminished for a hotspot group, "
    "up or down for an area) only when p < alpha, in the direction of the daily rate. Small "
    "counts rarely qualify: over two equal periods 2 -> 4 events gives p = 0.69 (no change), "
    "20 -> 45 gives p = 0.003 (intensified at alpha = 0.05)."
)

COUNTS_NOTE: Final = (
    "For a matched hotspot, the previous and current harm and enforcement counts are the "
    "totals of its whole group in each period (so every hotspot of a merged or split group "
    "shows the same figures), and matched_ids lists the other period's hotspots of the group. "
    "The counts on a side with no hotspot (the previous side of a new hotspot, the current "
    "side of a resolved one) are 0. Class counts count current-period hotspots, and "
    "previous-period hotspots for resolved."
)

CLASS_DESCRIPTIONS: Final[Mapping[str, str]] = {
    CHANGE_NEW: "a current hotspot linked to no hotspot of the previous period",
    CHANGE_INTENSIFIED: "one previous hotspot linked to one current hotspot, and the daily "
    "harm rate rose significantly (harm-count test)",
    CHANGE_PERSISTENT: "one previous hotspot linked to one current hotspot, and the daily "
    "harm rate did not change significantly",
    CHANGE_DIMINISHED: "one previous hotspot linked to one current hotspot, and the daily "
    "harm rate fell significantly",
    CHANGE_MERGED: "several previous hotspots linked to one current hotspot (also a group with "
    "several hotspots in both periods and no more now than before)",
    CHANGE_SPLIT: "one previous hotspot linked to several current hotspots (also a group with "
    "several hotspots in both periods and more now than before)",
    CHANGE_RESOLVED: "a previous hotspot linked to no hotspot of the current period",
}

COVERAGE_CHANGE_DESCRIPTIONS: Final[Mapping[str, str]] = {
    COVERAGE_GAP_OPENED: "the group was covered before and is thin now",
    COVERAGE_STILL_THIN: "the group was thin before and is thin now",
    COVERAGE_GAP_CLOSED: "the group was thin before and is covered now",
    COVERAGE_STILL_COVERED: "the group was covered before and is covered now",
}

# Parameters that must be equal for a fair comparison.
_PINNED_PARAMS = ("eps_m", "min_samples", "thin_ratio", "footprint_margin_m")



@dataclass(frozen=True, eq=False)
class Comparison:
    """Everything a comparison of two periods produced.

    Attributes
    ----------
    hotspots
        Every hotspot of both periods (EPSG:27700), :data:`COMPARISON_COLUMNS` and the footprint
        as ``geometry``; current-period rows first, each period sorted by ``hotspot_id``.
    areas
        One row per area of either analysis, :data:`AREA_CHANGE_COLUMNS`, sorted by
        ``area_code``.
    class_counts
        Current-period hotspots per change class (previous-period hotspots for ``resolved``);
        every class present.
    coverage_counts
        Current-period hotspots per coverage change; every coverage change present.
    previous_period, current_period
        The two periods.
    days_previous, days_current
        Their lengths in days: the exposures of the harm-count test.
    params
        The parameters both analyses share (eps_m, min_samples, thin_ratio,
        footprint_margin_m, boundary_source).
    match_distance_m, alpha
        The matching distance and the significance level used.
    accounting
        Each period's row accounting (``Quality.as_dict()``), keyed by period.
    inputs
        Each period's input files and their sha256, keyed by period.
    warnings
        What a reader must know about the two periods (swapped, overlapping).
    """

    hotspots: gpd.GeoDataFrame = field(repr=False)
    areas: pd.DataFrame = field(repr=False)
    class_counts: dict[str, int]
    coverage_counts: dict[str, int]
    previous_period: Period
    current_period: Period
    days_previous: int
    days_current: int
    params: dict[str, Any]
    match_distance_m: float
    alpha: float
    accounting: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)
    inputs: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    warnings: tuple[str, ...] = ()

    def as_summary(self) -> dict[str, Any]:
        """Return the comparison's figures and rules as JSON-ready values.

        Returns
        -------
        dict
            ``periods``, ``parameters``, ``matching_rule``, ``test``, ``counts_note``,
            ``classes``, ``coverage_changes``, ``hotspots`` (per period), ``class_counts``,
            ``coverage_counts``, ``areas`` (counts of areas by harm trend and gaps),
            ``rows`` (row accounting per period), ``inputs`` (hashes per period) and
            ``warnings``.
        """
        periods = self.hotspots["period"].value_counts()
        trends = self.areas["harm_trend"].value_counts()
        return {
            "periods": {
                PERIOD_PREVIOUS: {**self.previous_period.as_dict(), "days": self.days_previous},
                PERIOD_CURRENT: {**self.current_period.as_dict(), "days": self.days_current},
            },
            "parameters": {
                **self.params,
                "match_distance_m": self.match_distance_m,
                "alpha": self.alpha,
            },
            "matching_rule": MATCHING_RULE,
            "test": TEST_DESCRIPTION,
            "counts_note": COUNTS_NOTE,
            "classes": dict(CLASS_DESCRIPTIONS),
            "coverage_changes": dict(COVERAGE_CHANGE_DESCRIPTIONS),
            "hotspots": {period: int(periods.get(period, 0)) for period in PERIODS},
            "class_counts": dict(self.class_counts),
            "coverage_counts": dict(self.coverage_counts),
            "areas": {
                "areas": len(self.areas),
                "harm_up": int(trends.get(TREND_UP, 0)),
                "harm_down": int(trends.get(TREND_DOWN, 0)),
                "gaps_opened": int(self.areas["gaps_opened"].sum()),
                "gaps_closed": int(self.areas["gaps_closed"].sum()),
            },
            "rows": {period: dict(self.accounting.get(period, {})) for period in PERIODS},
            "inputs": {period: dict(self.inputs.get(period, {})) for period in PERIODS},
            "warnings": list(self.warnings),
        }


def compare(
    previous: Analysis,
    current: Analysis,
    *,
    match_distance_m: float,
    alpha: float = 0.05,
) -> Comparison:
    """Match the hotspots of two periods and classify how each hotspot and area changed.

    Parameters
    ----------
    previous, current
        The analyses of the earlier and the later period, run with the same parameters.
    match_distance_m
        Footprints this close (or overlapping) link two hotspots; 0 links only footprints that
        touch or overlap. The DBSCAN radius ``eps_m`` is a natural choice.
    alpha
        Significance level of the harm-count test, strictly between 0 and 1.

    Returns
    -------
    Comparison
        See :class:`Comparison`; the rules are :data:`MATCHING_RULE`,
        :data:`TEST_DESCRIPTION` and :data:`COUNTS_NOTE`.

    Raises
    ------
    ConfigError
        If `match_distance_m` or `alpha` is out of range, the analyses differ in a pinned
        parameter (every difference is listed), or either analysis has no period.
    InputError
        If a hotspot or area table lacks a contract column or is not in EPSG:27700, or one
        hotspot id is used in both periods.
    """
    _check_options(match_distance_m, alpha)
    params = _shared_params(previous, current)
    previous_period, current_period = _periods(previous, current)
    warnings = period_warnings(previous_period, current_period)
    days = (previous_period.days, current_period.days)
    thin_ratio = float(params["thin_ratio"])

    before = _hotspot_table(previous.hotspots, PERIOD_PREVIOUS)
    after = _hotspot_table(current.hotspots, PERIOD_CURRENT)
    _one_id_one_hotspot(before, after)
    _area_table(previous.areas, PERIOD_PREVIOUS)
    _area_table(current.areas, PERIOD_CURRENT)

    labels_before, labels_after = _link_groups(
        before.geometry.to_numpy(), after.geometry.to_numpy(), match_distance_m
    )
    groups = _classify_groups(
        before, after, labels_before, labels_after, thin_ratio=thin_ratio, days=days, alpha=alpha
    )
    hotspots = _hotspot_rows(before, after, labels_before, labels_after, groups)
    areas = _area_changes(previous.areas, current.areas, hotspots, days=days, alpha=alpha)

    current_rows = hotspots[hotspots["period"] == PERIOD_CURRENT]
    change_counts = current_rows["change"].value_counts()
    resolved = int((hotspots["change"] == CHANGE_RESOLVED).sum())
    class_counts = {name: int(change_counts.get(name, 0)) for name in CHANGE_CLASSES}
    class_counts[CHANGE_RESOLVED] = resolved
    coverage = current_rows["coverage_change"].value_counts()
    coverage_counts = {name: int(coverage.get(name, 0)) for name in COVERAGE_CHANGES}

    return Comparison(
        hotspots=hotspots,
        areas=areas,
        class_counts=class_counts,
        coverage_counts=coverage_counts,
        previous_period=previous_period,
        current_period=current_period,
        days_previous=days[0],
        days_current=days[1],
        params=params,
        match_distance_m=float(match_distance_m),
        alpha=float(alpha),
        accounting={
            PERIOD_PREVIOUS: previous.quality.as_dict(),
            PERIOD_CURRENT: current.quality.as_dict(),
        },
        inputs={PERIOD_PREVIOUS: dict(previous.inputs), PERIOD_CURRENT: dict(current.inputs)},
        warnings=tuple(warnings),
    )


def compare_counts(
    previous: npt.ArrayLike,
    current: npt.ArrayLike,
    *,
    days_previous: int,
    days_current: int,
    alpha: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.object_]]:
    """Test whether event counts changed between two periods (see :data:`TEST_DESCRIPTION`).

    Parameters
    ----------
    previous, current
        Whole event counts, elementwise pairs (a, b).
    days_previous, days_current
        The periods' lengths: the exposures under which the counts were observed.
    alpha
        Significance level.

    Returns
    -------
    p_values
        Two-sided p-values of ``b | a + b ~ Binomial(a + b, d_cur / (d_prev + d_cur))``; 1 where
        a + b = 0.
    trends
        ``"up"``/``"down"`` where p < alpha (by the daily rates), else
        ``"no significant change"``.

    Raises
    ------
    InputError
        If a count is negative or fractional, the shapes differ, or a period is under 1 day.

    Examples
    --------
    >>> p, trend = compare_counts([2, 20], [4, 45], days_previous=91, days_current=91, alpha=0.05)
    >>> p.round(4).tolist(), list(trend)
    ([0.6875, 0.0026], ['no significant change', 'up'])
    """
    a = _whole_counts(previous, "previous")
    b = _whole_counts(current, "current")
    if a.shape != b.shape:
        raise InputError(f"compare_counts: previous has shape {a.shape}, current {b.shape}")
    if min(days_previous, days_current) < 1:
        raise InputError(
            f"compare_counts: period lengths must be at least 1 day, got "
            f"days_previous={days_previous!r}, days_current={days_current!r}"
        )
    share = days_current / (days_previous + days_current)
    p_values = np.ones(a.shape, dtype=float)
    # One exact test per distinct (a, b): groups and areas number in the hundreds at most.
    pairs = np.unique(np.stack([a.ravel(), b.ravel()], axis=1), axis=0)
    for before, after in pairs:
        if before + after > 0:
            p = binomtest(int(after), int(before + after), share).pvalue
            p_values[(a == before) & (b == after)] = p
    # Rates compared exactly in integers: b / d_cur > a / d_prev  <=>  b * d_prev > a * d_cur.
    rising = b * days_previous > a * days_current
    falling = b * days_previous < a * days_current
    significant = p_values < alpha
    trends = np.select(
        [significant & rising, significant & falling], [TREND_UP, TREND_DOWN], TREND_NONE
    ).astype(object)
    return p_values, trends


def changes_geojson_frame(comparison: Comparison) -> gpd.GeoDataFrame:
    """Return the features of ``changes.geojson``: every hotspot of both periods, in WGS84.

    Parameters
    ----------
    comparison
        A comparison made by :func:`compare`.

    Returns
    -------
    geopandas.GeoDataFrame
        :data:`GEOJSON_COLUMNS` and ``geometry`` (EPSG:4326, 6 decimals), rows in the order of
        ``comparison.hotspots``. ``p_value`` is NaN (written as null) for new and resolved
        hotspots.
    """
    frame = comparison.hotspots[[*GEOJSON_COLUMNS, "geometry"]]
    return web_frame(gpd.GeoDataFrame(frame, geometry="geometry", crs=comparison.hotspots.crs))


# --- checks --------------------------------------------------------------------------------


def _check_options(match_distance_m: float, alpha: float) -> None:
    problems = []
    if (
        isinstance(match_distance_m, bool)
        or not isinstance(match_distance_m, numbers.Real)
        or not math.isfinite(match_distance_m)
        or match_distance_m < 0
    ):
        problems.append(
            f"match_distance_m: expected a finite number of 0 or more, got {match_distance_m!r}"
        )
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not 0 < alpha < 1:
        problems.append(f"alpha: expected a number between 0 and 1 (e.g. 0.05), got {alpha!r}")
    if problems:
        raise ConfigError("compare: " + "; ".join(problems))


def _shared_params(previous: Analysis, current: Analysis) -> dict[str, Any]:
    """The parameters both analyses must share, or a ConfigError listing every difference."""
    before = {
        "eps_m": previous.params.eps_m,
        "min_samples": previous.params.min_samples,
        "thin_ratio": previous.params.thin_ratio,
        "footprint_margin_m": previous.params.margin_m,
    }
    after = {
        "eps_m": current.params.eps_m,
        "min_samples": current.params.min_samples,
        "thin_ratio": current.params.thin_ratio,
        "footprint_margin_m": current.params.margin_m,
    }
    problems = [
        f"{name} is {before[name]!r} for the previous period and {after[name]!r} for the current"
        for name in _PINNED_PARAMS
        if before[name] != after[name]
    ]
    if dict(previous.types.roles) != dict(current.types.roles):
        problems.append(
            f"event-type roles differ ({dict(previous.types.roles)} before, "
            f"{dict(current.types.roles)} now)"
        )
    if previous.boundary_source != current.boundary_source:
        problems.append(
            f"boundaries differ ({previous.boundary_source!r} before, "
            f"{current.boundary_source!r} now)"
        )
    if problems:
        raise ConfigError(
            "compare: the two periods must be analysed with the same parameters, config and "
            "boundaries, but " + "; ".join(problems) + "; run both with the same options"
        )
    return {**before, "boundary_source": previous.boundary_source}


def _periods(previous: Analysis, current: Analysis) -> tuple[Period, Period]:
    missing = [
        name
        for name, analysis in ((PERIOD_PREVIOUS, previous), (PERIOD_CURRENT, current))
        if analysis.period is None
    ]
    if missing:
        raise ConfigError(
            f"compare: the {' and '.join(missing)} analysis has no period; the harm-count test "
            "needs each period's length, so analyse each with --period"
        )
    assert previous.period is not None and current.period is not None  # for mypy
    return previous.period, current.period


def period_warnings(before: Period, after: Period) -> list[str]:
    """What a reader must know about the two periods: swapped, or overlapping."""
    if after.end < before.start:
        swapped = (
            f"the current period {after.label} ends before the previous period {before.label} "
            "starts; were the two swapped?"
        )
        return [swapped]
    if before != after and after.start <= before.end:
        overlap = (
            f"the periods {before.label} and {after.label} overlap, so events in both are "
            "counted twice"
        )
        return [overlap]
    return []


_HOTSPOT_NEEDED = ("hotspot_id", "status", "harm", "enforcement", "area_code", "area_name")


def _hotspot_table(table: gpd.GeoDataFrame, period: str) -> gpd.GeoDataFrame:
    """The columns compare needs, checked, sorted by hotspot_id."""
    _check_frame(table, f"{period} hotspots", _HOTSPOT_NEEDED, geometry=True)
    ids = table["hotspot_id"].astype(str)
    if ids.duplicated().any():
        raise InputError(
            f"compare: {period} hotspots: hotspot_id must be unique, found repeated "
            f"{sorted(set(ids[ids.duplicated()]))[:5]}"
        )
    out = gpd.GeoDataFrame(
        {
            "hotspot_id": ids.to_numpy(dtype=object),
            "status": table["status"].astype(str).to_numpy(dtype=object),
            "harm": _whole_counts(table["harm"], f"{period} hotspots harm"),
            "enforcement": _whole_counts(table["enforcement"], f"{period} hotspots enforcement"),
            "area_code": table["area_code"].astype(str).to_numpy(dtype=object),
            "area_name": table["area_name"].astype(str).to_numpy(dtype=object),
        },
        geometry=table.geometry.to_numpy(),
        crs=table.crs,
    )
    return out.sort_values("hotspot_id", kind="stable").reset_index(drop=True)


def _one_id_one_hotspot(before: gpd.GeoDataFrame, after: gpd.GeoDataFrame) -> None:
    """Refuse two tables that use one id for two hotspots.

    Analyses name their period in every id (``2024Q4-H003``), so two periods' ids never
    meet unless both periods carry one label. An id shared by both sides would name two
    places in the changes table, the map and its tooltips ("matched …").
    """
    shared = sorted(set(before["hotspot_id"]) & set(after["hotspot_id"]))
    if shared:
        raise InputError(
            f"compare: hotspot id(s) {', '.join(shared[:5])} name a hotspot in both periods, so one "
            "id would name two places; compare two differently labelled periods (ids start with "
            "the period's label, e.g. 2024Q4-H003)"
        )


def _area_table(table: pd.DataFrame, period: str) -> None:
    _check_frame(table, f"{period} areas", AREA_COLUMNS, geometry=False)


def _check_frame(
    table: pd.DataFrame, what: str, columns: tuple[str, ...], *, geometry: bool
) -> None:
    missing = [name for name in columns if name not in table.columns]
    if missing:
        raise InputError(
            f"compare: {what} table lacks column(s) {', '.join(missing)} "
            f"(found: {', '.join(map(str, table.columns))}); pass an Analysis built by the "
            "pipeline (see hotspots.model)"
        )
    if geometry:
        crs = getattr(table, "crs", None)
        if crs is None or not crs.equals(schema.CRS_METRIC):
            raise InputError(
                f"compare: {what} are in {crs}, expected {schema.CRS_METRIC}; "
                f"reproject with to_crs({schema.CRS_METRIC!r})"
            )


def _whole_counts(values: npt.ArrayLike, what: str) -> npt.NDArray[np.int64]:
    array = np.asarray(values, dtype=float)
    if array.size and (
        not np.isfinite(array).all() or (array < 0).any() or (array != np.round(array)).any()
    ):
        raise InputError(f"compare: {what}: expected whole counts of 0 or more")
    return array.astype(np.int64)


# --- matching and classes ------------------------------------------------------------------


def _link_groups(
    before: npt.NDArray[np.object_], after: npt.NDArray[np.object_], distance_m: float
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Group labels of previous and current footprints: components of the 'within' links."""
    n_before, n_after = len(before), len(after)
    if n_before + n_after == 0:
        empty = np.zeros(0, dtype=np.intp)
        return empty, empty
    # The tree prunes by envelope, so only nearby pairs are measured (no all-pairs loop).
    pairs = (
        shapely.STRtree(after)
        .query(before, predicate="dwithin", distance=distance_m)
        .reshape(2, -1)
    )
    size = n_before + n_after
    graph = coo_array(
        (np.ones(pairs.shape[1]), (pairs[0], pairs[1] + n_before)), shape=(size, size)
    )
    _, labels = connected_components(graph, directed=False)
    # Renumber groups by first appearance (previous rows first) so labels are stable.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    labels = order[labels]
    return labels[:n_before], labels[n_before:]


def _side_status(
    table: gpd.GeoDataFrame,
    labels: npt.NDArray[np.intp],
    harm: npt.NDArray[np.float64],
    enforcement: npt.NDArray[np.float64],
    count: npt.NDArray[np.int64],
    thin_ratio: float,
) -> npt.NDArray[np.object_]:
    """Status of each group's side: the hotspot's own when alone, else the thin rule on totals."""
    status = np.where(
        enforcement < thin_ratio * harm, schema.STATUS_THIN, schema.STATUS_COVERED
    ).astype(object)
    alone = count[labels] == 1
    status[labels[alone]] = table["status"].to_numpy()[alone]
    status[count == 0] = ""
    return status


def _classify_groups(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    labels_before: npt.NDArray[np.intp],
    labels_after: npt.NDArray[np.intp],
    *,
    thin_ratio: float,
    days: tuple[int, int],
    alpha: float,
) -> pd.DataFrame:
    """One row per group: sizes, totals, side statuses, change, coverage change, test."""
    n_groups = int(max(labels_before.max(initial=-1), labels_after.max(initial=-1)) + 1)

    def totals(labels: npt.NDArray[np.intp], values: pd.Series) -> npt.NDArray[np.float64]:
        counts = np.bincount(labels, weights=values.to_numpy(dtype=float), minlength=n_groups)
        return counts.astype(np.float64)

    n_before = np.bincount(labels_before, minlength=n_groups)
    n_after = np.bincount(labels_after, minlength=n_groups)
    harm_before, harm_after = (
        totals(labels_before, before["harm"]),
        totals(labels_after, after["harm"]),
    )
    enf_before = totals(labels_before, before["enforcement"])
    enf_after = totals(labels_after, after["enforcement"])
    status_before = _side_status(
        before, labels_before, harm_before, enf_before, n_before, thin_ratio
    )
    status_after = _side_status(after, labels_after, harm_after, enf_after, n_after, thin_ratio)

    matched = (n_before > 0) & (n_after > 0)
    p_values, trends = compare_counts(
        harm_before, harm_after, days_previous=days[0], days_current=days[1], alpha=alpha
    )
    p_values = np.where(matched, p_values, np.nan)
    trends = np.where(matched, trends, "").astype(object)

    one_to_one = (n_before == 1) & (n_after == 1)
    change = np.select(
        [
            n_before == 0,
            n_after == 0,
            one_to_one & (trends == TREND_UP),
            one_to_one & (trends == TREND_DOWN),
            one_to_one,
            n_after > n_before,  # 1 -> many, or more pieces now than before
        ],
        [
            CHANGE_NEW,
            CHANGE_RESOLVED,
            CHANGE_INTENSIFIED,
            CHANGE_DIMINISHED,
            CHANGE_PERSISTENT,
            CHANGE_SPLIT,
        ],
        CHANGE_MERGED,  # many -> 1, or no more pieces now than before
    ).astype(object)

    was_thin = status_before == schema.STATUS_THIN
    is_thin = status_after == schema.STATUS_THIN
    coverage_change = np.select(
        [~matched, was_thin & is_thin, was_thin, is_thin],
        ["", COVERAGE_STILL_THIN, COVERAGE_GAP_CLOSED, COVERAGE_GAP_OPENED],
        COVERAGE_STILL_COVERED,
    ).astype(object)

    return pd.DataFrame(
        {
            "change": change,
            "previous_ids": _ids_by_group(before["hotspot_id"], labels_before, n_groups),
            "current_ids": _ids_by_group(after["hotspot_id"], labels_after, n_groups),
            "harm_previous": harm_before.astype(np.int64),
            "harm_current": harm_after.astype(np.int64),
            "enforcement_previous": enf_before.astype(np.int64),
            "enforcement_current": enf_after.astype(np.int64),
            "status_previous": status_before,
            "status_current": status_after,
            "coverage_change": coverage_change,
            "harm_trend": trends,
            "p_value": p_values,
        }
    )


def _ids_by_group(
    ids: pd.Series, labels: npt.NDArray[np.intp], n_groups: int
) -> npt.NDArray[np.object_]:
    joined = np.full(n_groups, "", dtype=object)
    if len(ids):
        by_group = pd.Series(ids.to_numpy()).groupby(labels).agg(lambda s: ";".join(sorted(s)))
        joined[by_group.index.to_numpy()] = by_group.to_numpy()
    return joined


def _hotspot_rows(
    before: gpd.GeoDataFrame,
    after: gpd.GeoDataFrame,
    labels_before: npt.NDArray[np.intp],
    labels_after: npt.NDArray[np.intp],
    groups: pd.DataFrame,
) -> gpd.GeoDataFrame:
    """Every hotspot of both periods with its group's figures: current first, then previous."""
    frames = []
    for period, table, labels, other in (
        (PERIOD_CURRENT, after, labels_after, "previous_ids"),
        (PERIOD_PREVIOUS, before, labels_before, "current_ids"),
    ):
        group = groups.iloc[labels].reset_index(drop=True)
        frames.append(
            pd.DataFrame(
                {
                    "period": period,
                    "hotspot_id": table["hotspot_id"].to_numpy(),
                    "change": group["change"].to_numpy(),
                    "matched_ids": group[other].to_numpy(),
                    **{
                        name: group[name].to_numpy()
                        for name in COMPARISON_COLUMNS[4:13]  # harm_previous ... p_value
                    },
                    "area_code": table["area_code"].to_numpy(),
                    "area_name": table["area_name"].to_numpy(),
                    "geometry": table.geometry.to_numpy(),
                },
                columns=[*COMPARISON_COLUMNS, "geometry"],
            )
        )
    rows = pd.concat(frames, ignore_index=True)
    for name in ("harm_previous", "harm_current", "enforcement_previous", "enforcement_current"):
        rows[name] = rows[name].astype(np.int64)
    rows["p_value"] = rows["p_value"].astype(float)
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=schema.CRS_METRIC)


# --- areas ---------------------------------------------------------------------------------


def _area_changes(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    hotspots: gpd.GeoDataFrame,
    *,
    days: tuple[int, int],
    alpha: float,
) -> pd.DataFrame:
    """One row per area of either analysis with both periods' figures and the changes."""
    columns = ["area_code", "area_name", *_AREA_FIGURES]
    before = pd.DataFrame(previous[columns]).astype({"area_code": str})
    after = pd.DataFrame(current[columns]).astype({"area_code": str})
    table = after.merge(
        before, on="area_code", how="outer", suffixes=("_current", "_previous"), sort=True
    )
    table["area_name"] = table["area_name_current"].fillna(table["area_name_previous"])
    counts = [
        f"{figure}_{period}"
        for figure in _AREA_FIGURES
        if figure != "coverage"
        for period in ("previous", "current")
    ]
    table[counts] = table[counts].fillna(0)
    for name in counts:
        table[name] = _whole_counts(table[name], f"areas {name}")
    for period in ("previous", "current"):
        table[f"coverage_{period}"] = table[f"coverage_{period}"].astype(float)

    p_values, trends = compare_counts(
        table["harm_previous"],
        table["harm_current"],
        days_previous=days[0],
        days_current=days[1],
        alpha=alpha,
    )
    table["harm_change"] = table["harm_current"] - table["harm_previous"]
    table["harm_change_p"] = p_values
    table["harm_trend"] = trends
    table["enforcement_change"] = table["enforcement_current"] - table["enforcement_previous"]
    table["coverage_change"] = table["coverage_current"] - table["coverage_previous"]
    table["thin_hotspots_change"] = table["thin_hotspots_current"] - table["thin_hotspots_previous"]

    now = hotspots[hotspots["period"] == PERIOD_CURRENT]
    for column, kind in (
        ("gaps_opened", COVERAGE_GAP_OPENED),
        ("gaps_closed", COVERAGE_GAP_CLOSED),
    ):
        per_area = now.loc[now["coverage_change"] == kind, "area_code"].value_counts()
        table[column] = table["area_code"].map(per_area).fillna(0).astype(np.int64)

    return table[list(AREA_CHANGE_COLUMNS)].reset_index(drop=True)
