"""Splitting array calls into blocks run in threads changes no value."""

import numpy as np
import pytest
import shapely

from hotspots import parallel, schema


@pytest.fixture
def four_cores(monkeypatch):
    """Pretend to have four cores, so even small inputs are split into several blocks."""
    monkeypatch.setattr(parallel, "cores", lambda: 4)


def test_blocks_cover_every_item_once_in_order(four_cores):
    spans = parallel.in_blocks(lambda a, b: (a, b), 10, min_block=2)
    assert len(spans) == 4
    assert [i for a, b in spans for i in range(a, b)] == list(range(10))


def test_small_inputs_run_in_one_call(four_cores):
    assert parallel.in_blocks(lambda a, b: (a, b), 7, min_block=4) == [(0, 7)]
    assert parallel.in_blocks(lambda a, b: (a, b), 0, min_block=4) == [(0, 0)]


def test_projecting_in_blocks_gives_the_same_points(four_cores):
    from pyproj import Transformer

    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(-6, 2, 10_000), rng.uniform(50, 58, 10_000)
    transformer = Transformer.from_crs(schema.CRS_WEB, schema.CRS_METRIC, always_xy=True)
    alone = transformer.transform(lon, lat, errcheck=False)
    blocks = parallel.transform(transformer, lon, lat, min_block=1_000)
    assert np.array_equal(alone[0], blocks[0]) and np.array_equal(alone[1], blocks[1])


def test_geometry_function_in_blocks_gives_the_same_geometries(four_cores):
    rng = np.random.default_rng(6)
    points = shapely.points(rng.uniform(0, 1000, (500, 2)))
    hulls = shapely.convex_hull(shapely.multipoints(points.reshape(100, 5)))
    alone = shapely.buffer(hulls, 25.0, quad_segs=8)
    blocks = parallel.elementwise(lambda g: shapely.buffer(g, 25.0, quad_segs=8), hulls, min_block=10)
    assert len(blocks) == 100
    assert shapely.to_wkb(blocks).tolist() == shapely.to_wkb(alone).tolist()
