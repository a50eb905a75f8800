"""The project's DBSCAN against PostGIS's ST_ClusterDBSCAN on the same points (a real server).

DBSCAN fixes the core points, the noise and the partition of core points; a border point may
join any cluster it touches, so border labels are not compared. Coordinates are whole metres and
eps ends in .5, so no pair of points is at exactly eps (where the two libraries' float tests
could round differently).
"""

from __future__ import annotations

import numpy as np
import pytest
from _exports_sample import sample
from _postgis import postgis_server  # noqa: F401 - fixture
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspots.dbscan import run_dbscan


def postgis_dbscan(server, xy: np.ndarray, eps_m: float, min_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """ST_ClusterDBSCAN labels (-1 for noise) and core flags (at least min_samples within eps)."""
    with server.connect() as db, db.transaction():
        db.execute("CREATE TEMP TABLE pts (i int, geom geometry(Point, 27700)) ON COMMIT DROP")
        with db.cursor().copy("COPY pts (i, geom) FROM STDIN") as copy:
            for i, (x, y) in enumerate(xy.tolist()):
                copy.write_row([i, f"SRID=27700;POINT({x!r} {y!r})"])
        labels = db.execute(
            "SELECT i, ST_ClusterDBSCAN(geom, eps => %s, minpoints => %s) OVER () FROM pts ORDER BY i",
            [eps_m, min_samples],
        ).fetchall()
        core = db.execute(
            "SELECT a.i, count(*) >= %s FROM pts a JOIN pts b ON ST_DWithin(a.geom, b.geom, %s) GROUP BY a.i ORDER BY a.i",
            [min_samples, eps_m],
        ).fetchall()
    return (
        np.array([-1 if label is None else label for _i, label in labels], dtype=np.int64),
        np.array([flag for _i, flag in core], dtype=bool),
    )


def assert_agree(ours, theirs_labels: np.ndarray, theirs_core: np.ndarray) -> None:
    np.testing.assert_array_equal(ours.core, theirs_core, err_msg="core points differ")
    np.testing.assert_array_equal(ours.labels == -1, theirs_labels == -1, err_msg="noise differs")
    core = ours.core
    pairs = set(zip(ours.labels[core].tolist(), theirs_labels[core].tolist(), strict=True))
    # A partition of the core points: each of our clusters is exactly one of theirs.
    assert len({a for a, _ in pairs}) == len(pairs) == len({b for _, b in pairs}), pairs


def test_sample_harm_events_cluster_the_same(postgis_server):  # noqa: F811
    s = sample()
    events = s.current.events
    harm = events[events["role"] == "harm"]
    xy = np.column_stack([harm["x_m"].round(), harm["y_m"].round()]).astype(float)
    eps, min_samples = 400.5, 3
    ours = run_dbscan(xy, eps, min_samples)
    labels, core = postgis_dbscan(postgis_server, xy, eps, min_samples)
    assert ours.n_clusters >= 5 and (labels == -1).sum() > 0  # a real test: clusters and noise
    assert_agree(ours, labels, core)


@pytest.mark.parametrize("engine", ["grid", "sklearn"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    points=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=60),
    eps=st.sampled_from([2.5, 5.5, 10.5]),
    min_samples=st.integers(1, 5),
)
def test_random_points_cluster_the_same(postgis_server, engine, points, eps, min_samples):  # noqa: F811
    xy = np.array(points, dtype=float)
    ours = run_dbscan(xy, eps, min_samples, engine=engine)
    labels, core = postgis_dbscan(postgis_server, xy, eps, min_samples)
    assert_agree(ours, labels, core)
