"""Turn events into clusters with ids and footprint polygons (DBSCAN in metres)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.dbscan import run_dbscan


def cluster_ids(labels: np.ndarray, prefix: str) -> np.ndarray:
    """Cluster labels as ids (``H001``…); ``""`` for noise.

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
    order = np.argsort(labels[member], kind="stable")  # shapely wants members grouped by label
    coords = np.column_stack([x_m[member], y_m[member]])[order]
    points = shapely.multipoints(coords, indices=labels[member][order])
    return shapely.buffer(shapely.convex_hull(points), margin_m, quad_segs=8)


def cluster_events(
    events: pd.DataFrame, eps_m: float, min_samples: int, engine: str
) -> np.ndarray:
    """DBSCAN labels (-1 noise) of ``events`` by their metric coordinates."""
    xy = np.column_stack([events[schema.COL_X].to_numpy(float), events[schema.COL_Y].to_numpy(float)])
    if len(xy) == 0:
        return np.array([], dtype=np.int64)
    return run_dbscan(xy, eps_m=eps_m, min_samples=min_samples, engine=engine).labels
