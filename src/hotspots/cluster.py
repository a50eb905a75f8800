"""Turn events into clusters with ids and footprint polygons (DBSCAN in metres)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots import parallel, schema
from hotspots.dbscan import run_dbscan

#: Footprints per thread below which building them in threads does not pay.
_FOOTPRINTS_PER_BLOCK = 1_000


def cluster_ids(labels: np.ndarray, prefix: str) -> np.ndarray:
    """Cluster labels as ids (``prefix`` then ``001``…, e.g. ``2024Q4-H001``); ``""`` for noise.

    The DBSCAN engine numbers clusters by their smallest (x, y) core point, so ids do
    not depend on row order.
    """
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    width = max(3, len(str(n_clusters)))
    names = np.array([f"{prefix}{i + 1:0{width}d}" for i in range(n_clusters)] + [""], dtype=object)
    return names[np.where(labels >= 0, labels, n_clusters)]


def footprints(x_m: np.ndarray, y_m: np.ndarray, labels: np.ndarray, margin_m: float) -> np.ndarray:
    """One footprint polygon per cluster: the convex hull of its members buffered by ``margin_m``.

    The margin makes a footprint of two or three close points an area rather than a
    line or a dot, and reaches the enforcement carried out at the edge of a cluster.
    """
    import shapely

    member = labels >= 0
    if not member.any():
        return np.array([], dtype=object)
    label = labels[member]
    order = np.argsort(label, kind="stable")  # shapely wants members grouped by label
    label = label[order]
    rows = np.flatnonzero(member)[order]
    coords = np.column_stack([x_m[rows], y_m[rows]])
    # GEOS builds a hull from the set of an input's coordinates, whatever its type, so one
    # linestring per cluster gives the multipoint's hull exactly while skipping the creation
    # of a Point object per member (5x faster at 1M events). A linestring needs two
    # coordinates: a cluster of one (possible when its core's neighbours joined nearer
    # clusters) repeats its point, which leaves the set unchanged.
    single = np.bincount(label)[label] == 1
    if single.any():
        repeat = np.where(single, 2, 1)
        coords = np.repeat(coords, repeat, axis=0)
        label = np.repeat(label, repeat)
    lines = shapely.linestrings(coords, indices=label)
    # GEOS works without the GIL: thousands of hulls and buffers are built on every core.
    return parallel.elementwise(
        lambda part: shapely.buffer(shapely.convex_hull(part), margin_m, quad_segs=8), lines, _FOOTPRINTS_PER_BLOCK
    )


def cluster_events(
    events: pd.DataFrame, eps_m: float, min_samples: int, engine: str
) -> np.ndarray:
    """DBSCAN labels (-1 noise) of ``events`` by their metric coordinates."""
    xy = np.column_stack([events[schema.COL_X].to_numpy(float), events[schema.COL_Y].to_numpy(float)])
    if len(xy) == 0:
        return np.array([], dtype=np.int64)
    return run_dbscan(xy, eps_m=eps_m, min_samples=min_samples, engine=engine).labels
