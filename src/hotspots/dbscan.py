"""Exact DBSCAN of 2-D points in metres on a grid of cells, and the scikit-learn reference.

The grid engine follows Gunawan (2013) and Gan & Tao (2015): points are binned into square
cells of side ``eps_m / sqrt(2)``, so any two points in one cell are within ``eps_m`` of each
other and a point's neighbours lie in the 5 x 5 block of cells around its own. A cell holding
at least ``min_samples`` points is therefore all core; other points count neighbours only in
that block. Core cells are joined (union-find) when some pair of their core points is within
``eps_m``. Memory is linear in the number of points, unlike ``sklearn.cluster.DBSCAN``, which
materialises every neighbourhood.

Exactness
---------
Two points are neighbours when ``dx * dx + dy * dy <= eps_m * eps_m`` in float64 on the raw
coordinates, the test scikit-learn's kd-tree applies at its leaves; a point counts itself
towards ``min_samples``. Every shortcut (a whole cell core, a whole cell in or out of reach)
is taken only when a cell's bounding box proves it with the same float arithmetic, so the
core points and the partition of core points equal scikit-learn's. The one place the two can
differ is a pair within a rounding unit of ``eps_m``, where scikit-learn's tree compares
unsquared distances for whole nodes.

Labelling rule
--------------
Labels depend on the set of points, never on row order:

* clusters are numbered 0, 1, ... in ascending lexicographic order of the smallest ``(x, y)``
  core point each contains;
* a border point (not core, within ``eps_m`` of a core point) takes the cluster of its nearest
  core point within ``eps_m``; equally near core points of different clusters resolve to the
  smaller label;
* every other point is noise, labelled -1.

Shuffling rows therefore permutes labels with them, and translating every point by whole
metres leaves labels unchanged.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from hotspots import schema
from hotspots.errors import ConfigError

__all__ = ["ENGINES", "DbscanResult", "dbscan_grid", "dbscan_sklearn", "preload_kernels", "run_dbscan"]

#: Cells per axis never exceed this, so cell keys fit in int64 and floor() of a cell
#: coordinate stays exact; for a tiny eps over a wide extent cells grow past eps / sqrt(2),
#: which costs speed on dense cells but never correctness.
_MAX_CELLS_PER_AXIS = 2**30


@dataclass(frozen=True)
class DbscanResult:
    """Cluster labels and core flags of one DBSCAN run, in input row order.

    Attributes
    ----------
    labels
        int64 cluster label per point: -1 for noise, otherwise 0 .. k-1 numbered as the
        module docstring describes.
    core
        bool, True where a point has at least ``min_samples`` neighbours (itself included).
    """

    labels: np.ndarray
    core: np.ndarray

    @property
    def n_clusters(self) -> int:
        """Number of clusters (labels 0 .. n_clusters - 1)."""
        return int(self.labels.max()) + 1 if self.labels.size else 0


# --- validation ------------------------------------------------------------------------------


def _validate_arguments(xy: Any, eps_m: Any, min_samples: Any) -> tuple[np.ndarray, float, int]:
    """Check every argument, report all problems at once, return (points, eps, min_samples)."""
    problems: list[str] = []

    eps = math.nan
    if isinstance(eps_m, bool) or not isinstance(eps_m, numbers.Real):
        problems.append(
            f"eps_m must be a finite number of metres > 0; got {eps_m!r} ({type(eps_m).__name__})"
        )
    else:
        eps = float(eps_m)
        if not (math.isfinite(eps) and eps > 0):
            problems.append(f"eps_m must be a finite number of metres > 0; got {eps_m!r}")

    n_min = 0
    if isinstance(min_samples, bool) or not isinstance(min_samples, numbers.Integral):
        problems.append(
            f"min_samples must be an integer >= 1; got {min_samples!r} "
            f"({type(min_samples).__name__})"
        )
    else:
        n_min = int(min_samples)
        if n_min < 1:
            problems.append(f"min_samples must be an integer >= 1; got {n_min}")

    points = np.empty((0, 2), dtype=np.float64)
    try:
        arr = np.asarray(xy, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        problems.append(
            f"xy must be an array of shape (n, 2) holding x, y in metres; "
            f"got {type(xy).__name__} that is not numeric ({exc})"
        )
    else:
        if arr.ndim == 1 and arr.size == 0:
            arr = arr.reshape(0, 2)
        if arr.ndim != 2 or arr.shape[1] != 2:
            problems.append(
                f"xy must be an array of shape (n, 2) holding x, y in metres; got shape {arr.shape}"
            )
        else:
            finite = np.isfinite(arr)
            if not finite.all():
                bad = ~finite.all(axis=1)
                rows = np.flatnonzero(bad)
                problems.append(
                    f"xy must hold finite coordinates; found {rows.size} row(s) with NaN or "
                    f"infinity (first at row {rows[0]}); drop or repair them before clustering"
                )
            else:
                points = np.ascontiguousarray(arr)

    if problems:
        raise ConfigError("; ".join(problems))
    return points, eps, n_min


def _empty_result() -> DbscanResult:
    return DbscanResult(labels=np.empty(0, dtype=np.int64), core=np.empty(0, dtype=bool))


# --- numba kernels -----------------------------------------------------------------------------
#
# Written as plain functions and compiled on first use by _kernels(), so importing this module
# (and the CLI's --help) does not pay for importing numba. Kernels do not call one another:
# numba resolves callees from module globals, which hold these uncompiled originals.
#
# Layout shared by the kernels: points are sorted by cell; cell c owns sorted positions
# start[c] .. start[c + 1]; cells are sorted by (column, row), so the cells of one column that
# lie within two rows of cell c form one contiguous range lo[k, c] .. hi[k, c] for column
# offset k - 2. After _partition_core, the core points of cell c come first in its range:
# start[c] .. start[c] + ncore[c].


def _cell_keys_py(
    points: np.ndarray, x_min: float, y_min: float, side: float, n_rows: int
) -> np.ndarray:
    """Cell key (column * n_rows + row) of every point, without full-size temporaries."""
    n = points.shape[0]
    key = np.empty(n, dtype=np.int64)
    for i in range(n):
        # The +2 keeps column and row indices two clear of zero, so the 5 x 5 window never
        # wraps into the previous column's keys.
        col = np.int64(np.floor((points[i, 0] - x_min) / side)) + 2
        row = np.int64(np.floor((points[i, 1] - y_min) / side)) + 2
        key[i] = col * n_rows + row
    return key


def _cell_boxes_py(xs: np.ndarray, ys: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Bounding box (xmin, xmax, ymin, ymax) of the points of every cell."""
    ncell = start.size - 1
    box = np.empty((ncell, 4), dtype=np.float64)
    for c in range(ncell):
        s = start[c]
        x0 = xs[s]
        x1 = x0
        y0 = ys[s]
        y1 = y0
        for i in range(s + 1, start[c + 1]):
            x = xs[i]
            y = ys[i]
            if x < x0:
                x0 = x
            elif x > x1:
                x1 = x
            if y < y0:
                y0 = y
            elif y > y1:
                y1 = y
        box[c, 0] = x0
        box[c, 1] = x1
        box[c, 2] = y0
        box[c, 3] = y1
    return box


def _core_points_py(
    xs: np.ndarray,
    ys: np.ndarray,
    start: np.ndarray,
    box: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    eps2: float,
    min_samples: int,
) -> np.ndarray:
    """Flag every point with at least ``min_samples`` neighbours within eps (itself included).

    Box tests are exact stand-ins for per-pair tests: rounding is monotonic, so if the box's
    farthest (nearest) corner passes (fails) the float test, every point in it does too.
    """
    ncell = start.size - 1
    core = np.zeros(xs.size, dtype=np.bool_)
    for c in range(ncell):
        s = start[c]
        e = start[c + 1]
        w = box[c, 1] - box[c, 0]
        h = box[c, 3] - box[c, 2]
        if e - s >= min_samples and w * w + h * h <= eps2:
            for i in range(s, e):
                core[i] = True
            continue
        for i in range(s, e):
            x = xs[i]
            y = ys[i]
            count = 0
            for k in range(5):
                for d in range(lo[k, c], hi[k, c]):
                    gx = max(box[d, 0] - x, x - box[d, 1], 0.0)
                    gy = max(box[d, 2] - y, y - box[d, 3], 0.0)
                    if gx * gx + gy * gy > eps2:
                        continue
                    fx = max(x - box[d, 0], box[d, 1] - x)
                    fy = max(y - box[d, 2], box[d, 3] - y)
                    if fx * fx + fy * fy <= eps2:
                        count += start[d + 1] - start[d]
                    else:
                        for j in range(start[d], start[d + 1]):
                            dx = x - xs[j]
                            dy = y - ys[j]
                            if dx * dx + dy * dy <= eps2:
                                count += 1
                                if count >= min_samples:
                                    break
                    if count >= min_samples:
                        break
                if count >= min_samples:
                    break
            core[i] = count >= min_samples
    return core


def _partition_core_py(core: np.ndarray, start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Permutation putting each cell's core points first (stable), and core counts per cell."""
    ncell = start.size - 1
    perm = np.empty(core.size, dtype=np.int64)
    ncore = np.zeros(ncell, dtype=np.int64)
    for c in range(ncell):
        k = start[c]
        for i in range(start[c], start[c + 1]):
            if core[i]:
                perm[k] = i
                k += 1
        ncore[c] = k - start[c]
        for i in range(start[c], start[c + 1]):
            if not core[i]:
                perm[k] = i
                k += 1
    return perm, ncore


def _link_cores_py(
    xs: np.ndarray,
    ys: np.ndarray,
    start: np.ndarray,
    ncore: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    eps2: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Union-find over core points: parent array and the core bounding box of every cell.

    A cell whose core box has diagonal <= eps ("compact", nearly always) is one component
    from the start, so a pair of compact cells needs a single witness pair; cells that are
    not compact (float hairlines, or cells enlarged by _MAX_CELLS_PER_AXIS) link point by point.
    """
    ncell = start.size - 1
    parent = np.arange(xs.size, dtype=np.int64)
    cbox = np.empty((ncell, 4), dtype=np.float64)
    compact = np.zeros(ncell, dtype=np.bool_)
    for c in range(ncell):
        s = start[c]
        m = ncore[c]
        if m == 0:
            continue
        x0 = xs[s]
        x1 = x0
        y0 = ys[s]
        y1 = y0
        for i in range(s + 1, s + m):
            x0 = min(x0, xs[i])
            x1 = max(x1, xs[i])
            y0 = min(y0, ys[i])
            y1 = max(y1, ys[i])
        cbox[c, 0] = x0
        cbox[c, 1] = x1
        cbox[c, 2] = y0
        cbox[c, 3] = y1
        if (x1 - x0) * (x1 - x0) + (y1 - y0) * (y1 - y0) <= eps2:
            compact[c] = True
            for i in range(s + 1, s + m):
                parent[i] = s
        else:
            for p in range(s, s + m):
                for q in range(p + 1, s + m):
                    dx = xs[p] - xs[q]
                    dy = ys[p] - ys[q]
                    if dx * dx + dy * dy <= eps2:
                        a = p
                        while parent[a] != a:
                            parent[a] = parent[parent[a]]
                            a = parent[a]
                        b = q
                        while parent[b] != b:
                            parent[b] = parent[parent[b]]
                            b = parent[b]
                        if a != b:
                            parent[max(a, b)] = min(a, b)

    for c in range(ncell):
        if ncore[c] == 0:
            continue
        sc = start[c]
        # Cells in columns to the left sort before c; visiting only d > c covers each pair once.
        for k in range(2, 5):
            first = c + 1 if k == 2 else lo[k, c]
            for d in range(first, hi[k, c]):
                if ncore[d] == 0:
                    continue
                sd = start[d]
                gx = max(cbox[d, 0] - cbox[c, 1], cbox[c, 0] - cbox[d, 1], 0.0)
                gy = max(cbox[d, 2] - cbox[c, 3], cbox[c, 2] - cbox[d, 3], 0.0)
                if gx * gx + gy * gy > eps2:
                    continue
                if compact[c] and compact[d]:
                    a = sc
                    while parent[a] != a:
                        parent[a] = parent[parent[a]]
                        a = parent[a]
                    b = sd
                    while parent[b] != b:
                        parent[b] = parent[parent[b]]
                        b = parent[b]
                    if a == b:
                        continue
                    fx = max(cbox[d, 1] - cbox[c, 0], cbox[c, 1] - cbox[d, 0])
                    fy = max(cbox[d, 3] - cbox[c, 2], cbox[c, 3] - cbox[d, 2])
                    linked = fx * fx + fy * fy <= eps2
                    p = sc
                    while not linked and p < sc + ncore[c]:
                        x = xs[p]
                        y = ys[p]
                        px = max(cbox[d, 0] - x, x - cbox[d, 1], 0.0)
                        py = max(cbox[d, 2] - y, y - cbox[d, 3], 0.0)
                        if px * px + py * py <= eps2:
                            for q in range(sd, sd + ncore[d]):
                                dx = x - xs[q]
                                dy = y - ys[q]
                                if dx * dx + dy * dy <= eps2:
                                    linked = True
                                    break
                        p += 1
                    if linked:
                        parent[max(a, b)] = min(a, b)
                else:
                    for p in range(sc, sc + ncore[c]):
                        for q in range(sd, sd + ncore[d]):
                            dx = xs[p] - xs[q]
                            dy = ys[p] - ys[q]
                            if dx * dx + dy * dy <= eps2:
                                a = p
                                while parent[a] != a:
                                    parent[a] = parent[parent[a]]
                                    a = parent[a]
                                b = q
                                while parent[b] != b:
                                    parent[b] = parent[parent[b]]
                                    b = parent[b]
                                if a != b:
                                    parent[max(a, b)] = min(a, b)
    return parent, cbox


def _label_cores_py(
    xs: np.ndarray, ys: np.ndarray, parent: np.ndarray, start: np.ndarray, ncore: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Root of every core point and, per root, its lexicographically smallest (x, y) point.

    Returns (root per sorted position, -1 for non-core; roots; min x per root; min y per root).
    """
    n = xs.size
    root = np.full(n, -1, dtype=np.int64)
    best = np.full(n, -1, dtype=np.int64)
    n_roots = 0
    for c in range(start.size - 1):
        for i in range(start[c], start[c] + ncore[c]):
            a = i
            while parent[a] != a:
                parent[a] = parent[parent[a]]
                a = parent[a]
            root[i] = a
            b = best[a]
            if b < 0:
                n_roots += 1
                best[a] = i
            elif xs[i] < xs[b] or (xs[i] == xs[b] and ys[i] < ys[b]):
                best[a] = i
    roots = np.empty(n_roots, dtype=np.int64)
    min_x = np.empty(n_roots, dtype=np.float64)
    min_y = np.empty(n_roots, dtype=np.float64)
    k = 0
    for a in range(n):
        if best[a] >= 0:
            roots[k] = a
            min_x[k] = xs[best[a]]
            min_y[k] = ys[best[a]]
            k += 1
    return root, roots, min_x, min_y


def _assign_labels_py(
    xs: np.ndarray,
    ys: np.ndarray,
    start: np.ndarray,
    ncore: np.ndarray,
    cbox: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    root: np.ndarray,
    label_of_root: np.ndarray,
    eps2: float,
) -> np.ndarray:
    """Final label per sorted position: core by component, border by nearest core, else -1."""
    ncell = start.size - 1
    labels = np.full(xs.size, -1, dtype=np.int64)
    for c in range(ncell):
        for i in range(start[c], start[c] + ncore[c]):
            labels[i] = label_of_root[root[i]]
    for c in range(ncell):
        for i in range(start[c] + ncore[c], start[c + 1]):
            x = xs[i]
            y = ys[i]
            best_d2 = np.inf
            best_label = -1
            for k in range(5):
                for d in range(lo[k, c], hi[k, c]):
                    if ncore[d] == 0:
                        continue
                    gx = max(cbox[d, 0] - x, x - cbox[d, 1], 0.0)
                    gy = max(cbox[d, 2] - y, y - cbox[d, 3], 0.0)
                    if gx * gx + gy * gy > eps2:
                        continue
                    for j in range(start[d], start[d] + ncore[d]):
                        dx = x - xs[j]
                        dy = y - ys[j]
                        d2 = dx * dx + dy * dy
                        if d2 <= eps2:
                            lab = labels[j]
                            if (
                                best_label < 0
                                or d2 < best_d2
                                or (d2 == best_d2 and lab < best_label)
                            ):
                                best_d2 = d2
                                best_label = lab
            labels[i] = best_label
    return labels


_KERNELS_LOCK = threading.Lock()


def _kernels() -> dict[str, Callable[..., Any]]:
    """The grid kernels, compiled (or loaded from numba's on-disk cache) on first use.

    Thread-safe: a caller arriving while :func:`preload_kernels` is loading them waits for
    that load instead of starting a second one.
    """
    with _KERNELS_LOCK:
        return _loaded_kernels()


@cache
def _loaded_kernels() -> dict[str, Callable[..., Any]]:
    from numba import njit

    originals: dict[str, Callable[..., Any]] = {
        "cell_keys": _cell_keys_py,
        "cell_boxes": _cell_boxes_py,
        "core_points": _core_points_py,
        "partition_core": _partition_core_py,
        "link_cores": _link_cores_py,
        "label_cores": _label_cores_py,
        "assign_labels": _assign_labels_py,
    }
    # fastmath stays off: fused or reassociated arithmetic would break agreement with the
    # reference's distance test at the boundary.
    kernels: dict[str, Callable[..., Any]] = {
        name: njit(cache=True, nogil=True)(func) for name, func in originals.items()
    }
    # numba compiles or loads each kernel on its first call: a tiny run makes those calls here,
    # with the argument types of every real run, so the kernels are ready when returned.
    _grid_labels(np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]]), 2.0, 2, kernels)
    return kernels


def preload_kernels() -> None:
    """Start importing numba and loading the grid kernels in a background thread.

    That takes about a second, mostly without the GIL; a command that will cluster starts
    it before reading its input, so the load overlaps reading and validation.
    """
    threading.Thread(target=_preload, name="hotspots-dbscan-preload", daemon=True).start()


def _preload() -> None:
    # A failure here is not reported: the clustering itself loads again and reports it.
    with contextlib.suppress(Exception):
        _kernels()


# --- engines -----------------------------------------------------------------------------------


def _grid_cells(
    points: np.ndarray, eps: float, cell_keys: Callable[..., np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort points into cells: (order, cell starts, column-range lo, column-range hi)."""
    # Column by column: a reduction over axis 0 of an (n, 2) array is ten times slower.
    x_min, y_min = float(points[:, 0].min()), float(points[:, 1].min())
    x_max, y_max = float(points[:, 0].max()), float(points[:, 1].max())
    side = max(eps / math.sqrt(2.0), max(x_max - x_min, y_max - y_min) / _MAX_CELLS_PER_AXIS)
    # Row of the highest point, plus the +2 margin below and 2 spare rows above.
    n_rows = math.floor((y_max - y_min) / side) + 5
    key = cell_keys(points, x_min, y_min, side, n_rows)
    # Order within a cell does not affect the result, so the faster unstable sort will do.
    order = np.argsort(key)
    key = key[order]
    first = np.flatnonzero(key[1:] != key[:-1]) + 1
    start = np.concatenate(([0], first, [key.size])).astype(np.int64)
    cell_key = key[start[:-1]]
    del key, first
    cell_col = cell_key // n_rows
    cell_row = cell_key - cell_col * n_rows
    # Cell indices fit in int32 for any realistic input; halving these arrays matters at 1M.
    index_type = np.int32 if cell_key.size < 2**31 else np.int64
    lo = np.empty((5, cell_key.size), dtype=index_type)
    hi = np.empty((5, cell_key.size), dtype=index_type)
    for k, dcol in enumerate(range(-2, 3)):
        base = (cell_col + dcol) * n_rows + cell_row
        lo[k] = np.searchsorted(cell_key, base - 2, side="left")
        hi[k] = np.searchsorted(cell_key, base + 2, side="right")
    return order, start, lo, hi


def dbscan_grid(xy: np.ndarray, eps_m: float, min_samples: int) -> DbscanResult:
    """Cluster 2-D points in metres with exact grid DBSCAN.

    Parameters
    ----------
    xy
        Shape (n, 2): x and y in metres in a projected CRS (e.g. British National Grid).
    eps_m
        Neighbourhood radius in metres; points exactly ``eps_m`` apart are neighbours.
    min_samples
        Neighbours (the point itself included) a point needs to be core.

    Returns
    -------
    DbscanResult
        Labels and core flags in input row order; the same core points and partition of core
        points as ``sklearn.cluster.DBSCAN(eps_m, min_samples=min_samples)``, labelled by the
        rule in the module docstring.

    Raises
    ------
    ConfigError
        If ``eps_m`` is not a finite number > 0, ``min_samples`` is not an integer >= 1, or
        ``xy`` is not a finite array of shape (n, 2).
    """
    points, eps, n_min = _validate_arguments(xy, eps_m, min_samples)
    if points.shape[0] == 0:
        return _empty_result()
    return _grid_labels(points, eps, n_min, _kernels())


def _grid_labels(points: np.ndarray, eps: float, n_min: int, kern: Mapping[str, Callable[..., Any]]) -> DbscanResult:
    """:func:`dbscan_grid` of validated, non-empty points with the given kernels."""
    n = points.shape[0]
    eps2 = eps * eps

    order, start, lo, hi = _grid_cells(points, eps, kern["cell_keys"])
    xs = np.ascontiguousarray(points[order, 0])
    ys = np.ascontiguousarray(points[order, 1])
    box = kern["cell_boxes"](xs, ys, start)
    core = kern["core_points"](xs, ys, start, box, lo, hi, eps2, n_min)
    del box
    perm, ncore = kern["partition_core"](core, start)
    xs = xs[perm]
    ys = ys[perm]
    order = order[perm]
    core = core[perm]
    del perm

    parent, cbox = kern["link_cores"](xs, ys, start, ncore, lo, hi, eps2)
    root, roots, min_x, min_y = kern["label_cores"](xs, ys, parent, start, ncore)
    del parent
    # Clusters are numbered by their smallest (x, y) core point; points are distinct across
    # clusters (duplicates are neighbours, so share one), hence the ranking has no ties.
    rank = np.empty(roots.size, dtype=np.int64)
    rank[np.lexsort((min_y, min_x))] = np.arange(roots.size, dtype=np.int64)
    label_of_root = np.full(n, -1, dtype=np.int64)
    label_of_root[roots] = rank
    labels_sorted = kern["assign_labels"](
        xs, ys, start, ncore, cbox, lo, hi, root, label_of_root, eps2
    )

    labels = np.empty(n, dtype=np.int64)
    labels[order] = labels_sorted
    core_out = np.empty(n, dtype=bool)
    core_out[order] = core
    return DbscanResult(labels=labels, core=core_out)


def _relabel_reference(
    points: np.ndarray, eps: float, raw_labels: np.ndarray, core: np.ndarray
) -> DbscanResult:
    """Renumber scikit-learn's clusters and re-assign its border points by the module's rule.

    Which points are border and which are noise stays scikit-learn's decision; only the
    choice among clusters a border point could join is made here, with vectorised numpy so
    the reference shares no code with the grid engine.
    """
    from sklearn.neighbors import KDTree

    n = points.shape[0]
    labels = np.full(n, -1, dtype=np.int64)
    core_idx = np.flatnonzero(core)
    if core_idx.size == 0:
        return DbscanResult(labels=labels, core=core.copy())

    core_xy = points[core_idx]
    core_raw = raw_labels[core_idx]
    lex = np.lexsort((core_xy[:, 1], core_xy[:, 0]))
    # In lexicographic order, each cluster first appears at its smallest point, so the order
    # of first appearances is the numbering.
    _, first_pos = np.unique(core_raw[lex], return_index=True)
    raw_in_order = core_raw[lex][np.sort(first_pos)]
    new_of_raw = np.full(int(raw_labels.max()) + 1, -1, dtype=np.int64)
    new_of_raw[raw_in_order] = np.arange(raw_in_order.size, dtype=np.int64)
    core_new = new_of_raw[core_raw]
    labels[core_idx] = core_new

    border_idx = np.flatnonzero(~core & (raw_labels >= 0))
    if border_idx.size:
        tree = KDTree(core_xy)
        hits = tree.query_radius(points[border_idx], r=eps)
        counts = np.array([h.size for h in hits], dtype=np.int64)
        owner = np.repeat(np.arange(border_idx.size), counts)
        cand = np.concatenate(hits).astype(np.int64)
        diff = points[border_idx][owner] - core_xy[cand]
        d2 = diff[:, 0] * diff[:, 0] + diff[:, 1] * diff[:, 1]
        cand_label = core_new[cand]
        pick = np.lexsort((cand_label, d2, owner))
        # The first candidate per border point in (owner, d2, label) order is the nearest
        # core point, ties to the smaller label.
        firsts = pick[np.r_[True, owner[pick][1:] != owner[pick][:-1]]]
        labels[border_idx[owner[firsts]]] = cand_label[firsts]
    return DbscanResult(labels=labels, core=core.copy())


def dbscan_sklearn(xy: np.ndarray, eps_m: float, min_samples: int) -> DbscanResult:
    """Cluster with ``sklearn.cluster.DBSCAN`` (kd-tree), labelled by this module's rule.

    The reference the grid engine is tested against. Its memory grows with the total size of
    all neighbourhoods, so keep it to small inputs or modest ``eps_m``.

    Parameters
    ----------
    xy
        Shape (n, 2): x and y in metres.
    eps_m
        Neighbourhood radius in metres.
    min_samples
        Neighbours (the point itself included) a point needs to be core.

    Returns
    -------
    DbscanResult
        scikit-learn's core points, clusters and border/noise split, with clusters renumbered
        and border points re-assigned as the module docstring describes.

    Raises
    ------
    ConfigError
        On invalid arguments, as :func:`dbscan_grid`.
    """
    points, eps, n_min = _validate_arguments(xy, eps_m, min_samples)
    if points.shape[0] == 0:
        return _empty_result()
    from sklearn.cluster import DBSCAN

    fitted = DBSCAN(eps=eps, min_samples=n_min, algorithm="kd_tree").fit(points)
    core = np.zeros(points.shape[0], dtype=bool)
    core[fitted.core_sample_indices_] = True
    return _relabel_reference(points, eps, np.asarray(fitted.labels_, dtype=np.int64), core)


#: Engines by name, as the CLI and params accept them.
ENGINES: dict[str, Callable[[np.ndarray, float, int], DbscanResult]] = {
    schema.ENGINE_GRID: dbscan_grid,
    schema.ENGINE_SKLEARN: dbscan_sklearn,
}


def run_dbscan(
    xy: np.ndarray, eps_m: float, min_samples: int, engine: str = "grid"
) -> DbscanResult:
    """Cluster with the named engine.

    Parameters
    ----------
    xy
        Shape (n, 2): x and y in metres.
    eps_m
        Neighbourhood radius in metres.
    min_samples
        Neighbours (the point itself included) a point needs to be core.
    engine
        A key of :data:`ENGINES`: ``"grid"`` (default, fast, linear memory) or ``"sklearn"``.

    Returns
    -------
    DbscanResult
        Labels and core flags in input row order.

    Raises
    ------
    ConfigError
        If ``engine`` is unknown or another argument is invalid.
    """
    func = ENGINES.get(engine) if isinstance(engine, str) else None
    if func is None:
        valid = ", ".join(repr(name) for name in ENGINES)
        raise ConfigError(f"engine must be one of {valid}; got {engine!r}")
    return func(xy, eps_m, min_samples)
