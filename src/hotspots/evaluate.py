"""Score hotspots drawn on one period against the next period's harm events.

Scores (the text a report can quote is :data:`FORMULAS_TEXT`):

* **Hit rate** ``n / N``: the share of the period's ``N`` harm events that fall inside the
  union of the hotspot polygons (a point on a boundary is inside; overlapping hotspots count
  an event once).
* **Predictive Accuracy Index** (Chainey, Tompson & Uhlig 2008)
  ``PAI = (n / N) / (a / A)``: hit rate divided by the share of the study area the hotspots
  cover. ``a`` is the area of the union of the hotspots inside the study area, ``A`` the study
  area's area. PAI is 0 when there are no hotspots (``a = 0``), and undefined (NaN) when
  ``N = 0``. PAI 1 is what hotspots placed at random would score on average.
* **Recapture Rate Index** in Levine's (2008) form
  ``RRI = (n2 / n1) / (N2 / N1)``: events inside the hotspots in the scored period (``n2``)
  over those inside in the period the hotspots were drawn on (``n1``), divided by the same
  ratio for all events; equivalently hit rate now / hit rate then. RRI is undefined (NaN, JSON
  ``null``) when ``n1``, ``N1`` or ``N2`` is 0. Above 1: the hotspots hold more of the harm
  than before, relative to the overall change.
* **Baseline**: a naive predictor of equal area. The study area's bounding box is cut into
  square cells of ``cell_m`` metres (default 250 m) aligned to the British National Grid's
  origin; cell ``(ix, iy)`` holds points with ``ix = floor(x / cell_m)``,
  ``iy = floor(y / cell_m)``. Only cells overlapping the study area with positive area take
  part. Cells are ranked by the previous period's harm count, high first; ties go to the cell
  with more harm in the 3 x 3 block of cells around it, then to the smaller ``ix``, then the
  smaller ``iy``. The smallest run of top cells whose area inside the study area reaches the
  hotspots' area ``a`` is taken, so it exceeds ``a`` by less than one cell. (The block count
  matters when the hotspots cover more ground than the cells with harm: cells next to harm
  then come before empty cells far from any.) The baseline is scored by the same formulas,
  with its own area.

Areas are measured inside the study area, while events are counted over the whole of each
hotspot or cell: a hotspot reaching past a generalised coastline still holds the seafront
events it was drawn around. Pass every harm event of each period (those the analysis kept).
"""

from __future__ import annotations

import logging
import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike
from shapely.geometry.base import BaseGeometry

from hotspots.errors import ConfigError
from hotspots.points import as_points

__all__ = [
    "DEFAULT_CELL_M",
    "FORMULAS_TEXT",
    "EvaluationResult",
    "Scores",
    "baseline_cells",
    "evaluate",
    "hit_rate",
    "pai",
    "recapture_rate_index",
]

logger = logging.getLogger(__name__)

#: Side of the baseline's grid cells: about a block of streets, comparable to a small hotspot.
DEFAULT_CELL_M = 250.0

#: The formulas in words, for reports and the README.
FORMULAS_TEXT = (
    "Hit rate = n / N, the share of the period's harm events inside the hotspots. "
    "PAI (Predictive Accuracy Index, Chainey, Tompson & Uhlig 2008) = (n / N) / (a / A), where "
    "a is the hotspots' area inside the study area and A the study area; 1 is what randomly "
    "placed areas score on average, and it is 0 when there are no hotspots. "
    "RRI (Recapture Rate Index, Levine 2008) = (n2 / n1) / (N2 / N1): harm events inside the "
    "hotspots in the scored period over those inside in the period the hotspots were drawn "
    "from, divided by the same ratio for all harm events; it is undefined when n1 is 0. "
    "Baseline: square grid cells (250 m unless set otherwise) ranked by the earlier period's "
    "harm count (ties to the cell with more harm in the 3 x 3 cells around it, then by "
    "position), taken from the top until their area reaches the hotspots' area, and scored "
    "the same way."
)

# Cells whose area is computed at a time while filling the baseline.
_CHUNK = 4096
# An area within this relative distance of the target reaches it: float sums of cell areas and
# polygon areas differ in the last bits.
_AREA_RTOL = 1e-9


# --- validation ------------------------------------------------------------------------------


def _as_polygons(polys: Any, name: str) -> np.ndarray:
    """Return polygonal geometries as a 1-D object array; missing and empty ones are dropped.

    Accepts one geometry, a sequence or array of them, or a GeoSeries (its coordinates must
    already be in metres; the CRS is not checked here).
    """
    if polys is None:
        return np.empty(0, dtype=object)
    if isinstance(polys, BaseGeometry):
        arr = np.array([polys], dtype=object)
    else:
        try:
            arr = np.asarray(list(polys), dtype=object).reshape(-1)
        except TypeError as exc:
            raise ConfigError(
                f"{name} must be shapely polygons (a geometry, list, array or GeoSeries); "
                f"got {type(polys).__name__}"
            ) from exc
    if arr.size == 0:
        return arr
    missing = np.array([g is None for g in arr], dtype=bool)
    not_geom = [type(g).__name__ for g in arr[~missing] if not isinstance(g, BaseGeometry)]
    if not_geom:
        raise ConfigError(
            f"{name} must hold shapely geometries; found {len(not_geom)} that are not "
            f"(first: {not_geom[0]})"
        )
    arr = arr[~missing]
    arr = arr[~shapely.is_empty(arr)]
    kinds = shapely.get_type_id(arr)
    bad = ~np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    if bad.any():
        found = sorted({g.geom_type for g in arr[bad]})
        raise ConfigError(
            f"{name} must be Polygon or MultiPolygon geometries; found {int(bad.sum())} of "
            f"type {', '.join(found)}; buffer points and lines into polygons first"
        )
    return arr


def _union(polys: np.ndarray) -> BaseGeometry:
    union = shapely.union_all(polys) if polys.size else shapely.Polygon()
    shapely.prepare(union)
    return union


def _share(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator > 0 else math.nan


# --- the indices -----------------------------------------------------------------------------


def _count_inside(union: BaseGeometry, points: np.ndarray) -> int:
    if union.is_empty or points.shape[0] == 0:
        return 0
    return int(np.count_nonzero(shapely.intersects_xy(union, points[:, 0], points[:, 1])))


def hit_rate(hotspot_polys: Any, points_xy: ArrayLike) -> float:
    """Return the share of points inside any hotspot.

    Parameters
    ----------
    hotspot_polys
        Hotspot footprints in metres: a shapely Polygon or MultiPolygon, a sequence or array of
        them, or a GeoSeries. Missing and empty geometries are ignored; overlaps count once (the
        polygons are unioned). A point on a boundary is inside.
    points_xy
        Shape (n, 2): event x and y in metres, in the same CRS as the polygons.

    Returns
    -------
    float
        In [0, 1]; 0 when there are no hotspots; NaN when there are no points.

    Raises
    ------
    ConfigError
        If the polygons are not polygonal or the points not a finite (n, 2) array.
    """
    polys = _as_polygons(hotspot_polys, "hotspot_polys")
    points = as_points(points_xy, "points_xy")
    if points.shape[0] == 0:
        return math.nan
    return _count_inside(_union(polys), points) / points.shape[0]


def pai(hit_rate: float, hotspot_area_m2: float, study_area_m2: float) -> float:
    """Return the Predictive Accuracy Index: hit rate / (hotspot area / study area).

    Chainey, Tompson & Uhlig (2008). ``hotspot_area_m2`` should be the area of the union of the
    hotspots inside the study area.

    Parameters
    ----------
    hit_rate
        Share of events inside the hotspots, from :func:`hit_rate`.
    hotspot_area_m2
        Hotspots' area in square metres, >= 0.
    study_area_m2
        Study area in square metres, > 0.

    Returns
    -------
    float
        The index; NaN when ``hit_rate`` is NaN (no events to score), otherwise 0.0 when
        ``hotspot_area_m2`` is 0 (no hotspots).

    Raises
    ------
    ConfigError
        If an area is negative or not finite, or the study area is 0.

    Examples
    --------
    >>> pai(0.5, 10.0, 100.0)
    5.0
    """
    a = float(hotspot_area_m2)
    big_a = float(study_area_m2)
    if not (math.isfinite(a) and a >= 0):
        raise ConfigError(f"hotspot_area_m2 must be a finite area >= 0; got {hotspot_area_m2!r}")
    if not (math.isfinite(big_a) and big_a > 0):
        raise ConfigError(f"study_area_m2 must be a finite area > 0; got {study_area_m2!r}")
    if math.isnan(hit_rate):
        return math.nan
    if a == 0:
        return 0.0
    return float(hit_rate) / (a / big_a)


def recapture_rate_index(n1_inside: int, n1_total: int, n2_inside: int, n2_total: int) -> float:
    """Return Levine's (2008) Recapture Rate Index, ``(n2 / n1) / (N2 / N1)``.

    Parameters
    ----------
    n1_inside, n1_total
        Events inside the hotspots, and all events, in the period the hotspots were drawn on.
    n2_inside, n2_total
        The same for the period being scored.

    Returns
    -------
    float
        The index; NaN when ``n1_inside``, ``n1_total`` or ``n2_total`` is 0.

    Examples
    --------
    >>> recapture_rate_index(10, 100, 6, 50)
    1.2
    """
    if n1_inside <= 0 or n1_total <= 0 or n2_total <= 0:
        return math.nan
    return (n2_inside / n1_inside) / (n2_total / n1_total)


# --- the baseline ----------------------------------------------------------------------------


def _cell_ids(points: np.ndarray, cell_m: float) -> np.ndarray:
    """(ix, iy) of the cell of every point, int64 (n, 2)."""
    return np.floor(points / cell_m).astype(np.int64)


def _cell_boxes(ids: np.ndarray, cell_m: float) -> np.ndarray:
    x0 = ids[:, 0] * cell_m
    y0 = ids[:, 1] * cell_m
    return shapely.box(x0, y0, x0 + cell_m, y0 + cell_m)


def _clipped_areas(ids: np.ndarray, cell_m: float, study: BaseGeometry) -> np.ndarray:
    """Area of every cell inside the (prepared) study area.

    Cells wholly inside or wholly outside are settled by predicates; only cells on the boundary
    pay for an intersection with the study polygon.
    """
    boxes = _cell_boxes(ids, cell_m)
    areas = np.zeros(ids.shape[0])
    touching = shapely.intersects(study, boxes)
    inside = touching & shapely.contains_properly(study, boxes)
    areas[inside] = cell_m * cell_m
    edge = touching & ~inside
    if edge.any():
        areas[edge] = shapely.area(shapely.intersection(boxes[edge], study))
    return areas


def _ranked_harm_cells(points: np.ndarray, cell_m: float) -> np.ndarray:
    """Cells holding harm and their neighbours, in baseline rank order, int64 (k, 2).

    Rank: own count high first, then the count of the 3 x 3 block around the cell high first,
    then ``ix``, then ``iy``. The block count only breaks ties: among cells of equal count it
    prefers those next to more harm, so cells without harm next to harm come before the rest.
    """
    if points.shape[0] == 0:
        return np.empty((0, 2), dtype=np.int64)
    ids, counts = np.unique(_cell_ids(points, cell_m), axis=0, return_counts=True)
    offsets = np.array([(dx, dy) for dx in (-1, 0, 1) for dy in (-1, 0, 1)], dtype=np.int64)
    shifted = (ids[None, :, :] + offsets[:, None, :]).reshape(-1, 2)
    cells, where = np.unique(shifted, axis=0, return_inverse=True)
    where = where.reshape(-1)
    block = np.bincount(where, weights=np.tile(counts, offsets.shape[0]), minlength=len(cells))
    own = np.zeros(cells.shape[0])
    centre = 4  # offsets[4] == (0, 0)
    own[where[centre * ids.shape[0] : (centre + 1) * ids.shape[0]]] = counts
    order = np.lexsort((cells[:, 1], cells[:, 0], -block, -own))
    return cells[order]


def _other_cells(study: BaseGeometry, cell_m: float, exclude: np.ndarray) -> np.ndarray:
    """Every cell of the study area's bounding box not in ``exclude``, by ``ix`` then ``iy``."""
    xmin, ymin, xmax, ymax = study.bounds
    ix = np.arange(math.floor(xmin / cell_m), math.floor(xmax / cell_m) + 1, dtype=np.int64)
    iy = np.arange(math.floor(ymin / cell_m), math.floor(ymax / cell_m) + 1, dtype=np.int64)
    grid = np.column_stack([np.repeat(ix, iy.size), np.tile(iy, ix.size)])
    return grid[~_rows_in(grid, exclude)]


def baseline_cells(
    prev_harm_xy: ArrayLike,
    target_area_m2: float,
    study_area_polygon: Any,
    cell_m: float = DEFAULT_CELL_M,
) -> tuple[np.ndarray, float]:
    """Pick the equal-area baseline's cells: top cells by previous-period harm count.

    See the module docstring for the rule.

    Parameters
    ----------
    prev_harm_xy
        Shape (n, 2): the previous period's harm events in metres.
    target_area_m2
        The area to reach: the hotspots' area inside the study area.
    study_area_polygon
        The study area: a polygon, or polygons (e.g. district boundaries) that are unioned.
    cell_m
        Cell side in metres.

    Returns
    -------
    tuple of numpy.ndarray and float
        The chosen cells' ``(ix, iy)`` as int64 (k, 2), in rank order, and their total area
        inside the study area. Cell ``(ix, iy)`` spans ``[ix * cell_m, (ix + 1) * cell_m)`` in
        x and likewise in y.

    Raises
    ------
    ConfigError
        If an argument is invalid.
    """
    points = as_points(prev_harm_xy, "prev_harm_xy")
    cell = _as_cell_m(cell_m)
    study = _union(_as_polygons(study_area_polygon, "study_area_polygon"))
    target = float(target_area_m2)
    if not (math.isfinite(target) and target >= 0):
        raise ConfigError(f"target_area_m2 must be a finite area >= 0; got {target_area_m2!r}")
    return _baseline_cells(points, target, study, cell)


def _as_cell_m(cell_m: Any) -> float:
    if isinstance(cell_m, bool) or not isinstance(cell_m, numbers.Real):
        raise ConfigError(f"cell_m must be a number of metres > 0; got {cell_m!r}")
    value = float(cell_m)
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"cell_m must be a finite number of metres > 0; got {cell_m!r}")
    return value


def _baseline_cells(
    points: np.ndarray, target: float, study: BaseGeometry, cell_m: float
) -> tuple[np.ndarray, float]:
    chosen: list[np.ndarray] = []
    total = 0.0
    if target <= 0 or study.is_empty:
        return np.empty((0, 2), dtype=np.int64), total
    ranked = _ranked_harm_cells(points, cell_m)
    # Areas are computed a chunk at a time, only as far down the ranking as the target needs:
    # the full grid of a county at 250 m is ~10^5 cells.
    sources = (lambda: ranked, lambda: _other_cells(study, cell_m, ranked))
    for cells_in_rank_order in sources:
        ids = cells_in_rank_order()
        for start in range(0, ids.shape[0], _CHUNK):
            chunk = ids[start : start + _CHUNK]
            areas = _clipped_areas(chunk, cell_m, study)
            keep = areas > 0
            chunk, areas = chunk[keep], areas[keep]
            cumulative = total + np.cumsum(areas)
            # Smallest run of cells whose area reaches the target.
            n_take = int(np.searchsorted(cumulative, target * (1 - _AREA_RTOL), side="left")) + 1
            if n_take <= chunk.shape[0]:
                chosen.append(chunk[:n_take])
                return np.vstack(chosen), float(cumulative[n_take - 1])
            chosen.append(chunk)
            total = float(cumulative[-1]) if cumulative.size else total
    # Every cell of the study area is taken and still falls short (only if a > A).
    return np.vstack(chosen) if chosen else np.empty((0, 2), dtype=np.int64), total


def _rows_in(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each (ix, iy) row of ``a``, whether it is a row of ``b``."""
    if a.shape[0] == 0 or b.shape[0] == 0:
        return np.zeros(a.shape[0], dtype=bool)
    # One structured value per row, so np.isin matches whole (ix, iy) pairs.
    pair = np.dtype([("ix", np.int64), ("iy", np.int64)])
    a_rows = np.ascontiguousarray(a, dtype=np.int64).view(pair).ravel()
    b_rows = np.ascontiguousarray(b, dtype=np.int64).view(pair).ravel()
    return np.isin(a_rows, b_rows)


def _count_in_cells(points: np.ndarray, cells: np.ndarray, cell_m: float) -> int:
    if points.shape[0] == 0 or cells.shape[0] == 0:
        return 0
    return int(np.count_nonzero(_rows_in(_cell_ids(points, cell_m), cells)))


# --- the evaluation --------------------------------------------------------------------------


@dataclass(frozen=True)
class Scores:
    """Hit rate, PAI and RRI of one set of predicted areas.

    Attributes
    ----------
    name
        ``"hotspots"`` or ``"baseline"``.
    n_areas
        Hotspot polygons, or baseline cells.
    area_m2
        Area of their union inside the study area (``a``).
    area_share
        ``area_m2`` / study area (``a / A``).
    prev_inside
        Previous-period harm events inside (``n1``).
    cur_inside
        Scored-period harm events inside (``n2``, or ``n`` of the hit rate).
    hit_rate_prev
        ``prev_inside / N1``: how much of the harm the areas were drawn on they hold.
    hit_rate
        ``cur_inside / N2``.
    pai
        Predictive Accuracy Index on the scored period.
    rri
        Recapture Rate Index (Levine 2008); NaN when undefined.
    """

    name: str
    n_areas: int
    area_m2: float
    area_share: float
    prev_inside: int
    cur_inside: int
    hit_rate_prev: float
    hit_rate: float
    pai: float
    rri: float

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict: NaN becomes None, floats rounded."""
        return {
            "name": self.name,
            "n_areas": self.n_areas,
            "area_m2": _round(self.area_m2, 0),
            "area_km2": _round(self.area_m2 / 1e6, 4),
            "area_share": _round(self.area_share, 6),
            "prev_inside": self.prev_inside,
            "cur_inside": self.cur_inside,
            "hit_rate_prev": _round(self.hit_rate_prev, 4),
            "hit_rate": _round(self.hit_rate, 4),
            "pai": _round(self.pai, 3),
            "rri": _round(self.rri, 3),
        }


@dataclass(frozen=True)
class EvaluationResult:
    """Scores of hotspots from one period on the next, and of the equal-area baseline.

    Attributes
    ----------
    study_area_m2
        ``A``.
    n_prev
        Harm events of the period the hotspots were drawn on (``N1``).
    n_cur
        Harm events of the scored period (``N2``).
    cell_m
        Baseline cell side in metres.
    hotspots
        Scores of the DBSCAN hotspots.
    baseline
        Scores of the baseline cells.
    baseline_cells
        The baseline's ``(ix, iy)`` cells, int64 (k, 2), in rank order (see
        :func:`baseline_cells`).
    """

    study_area_m2: float
    n_prev: int
    n_cur: int
    cell_m: float
    hotspots: Scores
    baseline: Scores
    baseline_cells: np.ndarray

    def as_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict (``json.dumps`` works on it unchanged)."""
        return {
            "formulas": FORMULAS_TEXT,
            "study_area_m2": _round(self.study_area_m2, 0),
            "study_area_km2": _round(self.study_area_m2 / 1e6, 3),
            "n_prev": self.n_prev,
            "n_cur": self.n_cur,
            "cell_m": _round(self.cell_m, 3),
            "hotspots": self.hotspots.as_dict(),
            "baseline": self.baseline.as_dict(),
        }


def _round(value: float, digits: int) -> float | None:
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def _scores(
    name: str,
    n_areas: int,
    area_m2: float,
    study_area_m2: float,
    prev_inside: int,
    n_prev: int,
    cur_inside: int,
    n_cur: int,
) -> Scores:
    rate = _share(cur_inside, n_cur)
    return Scores(
        name=name,
        n_areas=n_areas,
        area_m2=area_m2,
        area_share=area_m2 / study_area_m2,
        prev_inside=prev_inside,
        cur_inside=cur_inside,
        hit_rate_prev=_share(prev_inside, n_prev),
        hit_rate=rate,
        pai=pai(rate, area_m2, study_area_m2),
        rri=recapture_rate_index(prev_inside, n_prev, cur_inside, n_cur),
    )


def evaluate(
    prev_hotspot_polys: Any,
    prev_harm_xy: ArrayLike,
    cur_harm_xy: ArrayLike,
    study_area_polygon: Any,
    cell_m: float = DEFAULT_CELL_M,
) -> EvaluationResult:
    """Score hotspots drawn on the previous period against the current period's harm events.

    Parameters
    ----------
    prev_hotspot_polys
        Footprints of the hotspots drawn on the previous period, in metres
        (:data:`hotspots.schema.CRS_METRIC`): polygons as for :func:`hit_rate`.
    prev_harm_xy
        Shape (n1, 2): the previous period's harm events, x and y in metres.
    cur_harm_xy
        Shape (n2, 2): the current (scored) period's harm events.
    study_area_polygon
        The study area, in metres: a polygon or polygons that are unioned.
    cell_m
        Baseline cell side in metres.

    Returns
    -------
    EvaluationResult
        Hit rate, PAI and RRI of the hotspots and of the equal-area baseline.

    Raises
    ------
    ConfigError
        If an argument is invalid or the study area has no area.
    """
    polys = _as_polygons(prev_hotspot_polys, "prev_hotspot_polys")
    prev = as_points(prev_harm_xy, "prev_harm_xy")
    cur = as_points(cur_harm_xy, "cur_harm_xy")
    study = _union(_as_polygons(study_area_polygon, "study_area_polygon"))
    cell = _as_cell_m(cell_m)
    big_a = float(study.area)
    if not big_a > 0:
        raise ConfigError("study_area_polygon has no area; pass the study area's polygons")

    hot = _union(polys)
    hot_area = float(shapely.intersection(hot, study).area) if polys.size else 0.0
    n1, n2 = prev.shape[0], cur.shape[0]
    hotspot_scores = _scores(
        "hotspots",
        int(polys.size),
        hot_area,
        big_a,
        _count_inside(hot, prev),
        n1,
        _count_inside(hot, cur),
        n2,
    )

    cells, cells_area = _baseline_cells(prev, hot_area, study, cell)
    baseline_scores = _scores(
        "baseline",
        int(cells.shape[0]),
        cells_area,
        big_a,
        _count_in_cells(prev, cells, cell),
        n1,
        _count_in_cells(cur, cells, cell),
        n2,
    )
    result = EvaluationResult(
        study_area_m2=big_a,
        n_prev=n1,
        n_cur=n2,
        cell_m=cell,
        hotspots=hotspot_scores,
        baseline=baseline_scores,
        baseline_cells=cells,
    )
    logger.info(
        "evaluate: %d hotspots (%.2f km2) hold %d of %d harm events (PAI %.2f); "
        "baseline %d cells hold %d (PAI %.2f)",
        hotspot_scores.n_areas,
        hot_area / 1e6,
        hotspot_scores.cur_inside,
        n2,
        hotspot_scores.pai,
        baseline_scores.n_areas,
        baseline_scores.cur_inside,
        baseline_scores.pai,
    )
    return result
