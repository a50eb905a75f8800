"""Tests for hotspots.dbscan: hand-made cases, argument checks, and property tests.

The property tests use two oracles: scikit-learn's DBSCAN (through ``dbscan_sklearn``) and a
brute-force definition of DBSCAN over the full distance matrix written here. Coordinates are
integers (or exact binary fractions) and eps an integer (or a power of two), so distances
exactly equal to eps occur without float fuzz.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from hotspots.dbscan import (
    ENGINES,
    DbscanResult,
    dbscan_grid,
    dbscan_sklearn,
    run_dbscan,
)
from hotspots.errors import ConfigError, HotspotsError

BNG_OFFSET = np.array([500_000.0, 300_000.0])
PROPERTY_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def core_partition(result: DbscanResult) -> set[frozenset[int]]:
    """Clusters of core points as a set of sets of row indices."""
    idx = np.flatnonzero(result.core)
    groups: dict[int, set[int]] = {}
    for i in idx:
        groups.setdefault(int(result.labels[i]), set()).add(int(i))
    return {frozenset(g) for g in groups.values()}


def brute_force_check(xy: np.ndarray, eps: float, min_samples: int, result: DbscanResult) -> None:
    """Assert that ``result`` is DBSCAN of ``xy`` with the module's labelling rule."""
    n = xy.shape[0]
    assert result.labels.shape == (n,) and result.labels.dtype == np.int64
    assert result.core.shape == (n,) and result.core.dtype == bool
    if n == 0:
        return
    dx = xy[:, None, 0] - xy[None, :, 0]
    dy = xy[:, None, 1] - xy[None, :, 1]
    d2 = dx * dx + dy * dy
    near = d2 <= eps * eps
    core = near.sum(axis=1) >= min_samples
    np.testing.assert_array_equal(result.core, core)

    core_idx = np.flatnonzero(core)
    _, comp = connected_components(csr_matrix(near[np.ix_(core_idx, core_idx)]), directed=False)
    expected = {frozenset(core_idx[comp == k].tolist()) for k in np.unique(comp)}
    assert core_partition(result) == expected

    # Numbering: ascending by each cluster's lexicographically smallest core point.
    k = result.n_clusters
    assert set(result.labels[core].tolist()) == set(range(k))
    smallest = [min(map(tuple, xy[core & (result.labels == c)])) for c in range(k)]
    assert smallest == sorted(smallest)

    for i in np.flatnonzero(~core):
        reach = np.flatnonzero(near[i] & core)
        if reach.size == 0:
            assert result.labels[i] == -1, f"row {i} is within eps of no core point"
            continue
        best = min((d2[i, j], result.labels[j]) for j in reach)
        assert result.labels[i] == best[1], f"border row {i} not with its nearest core"


# --- hand-made cases ----------------------------------------------------------------------------


def test_two_clusters_and_noise() -> None:
    xy = [(0, 0), (1, 0), (0, 1), (10, 10), (11, 10), (10, 11), (50, 50)]
    result = dbscan_grid(np.array(xy, float), 1.5, 3)
    assert result.labels.tolist() == [0, 0, 0, 1, 1, 1, -1]
    assert result.core.tolist() == [True] * 6 + [False]
    assert result.n_clusters == 2


def test_border_points_at_exactly_eps() -> None:
    # Neighbours exactly 1 apart: the ends reach only one other point, the middle two.
    result = dbscan_grid(np.array([(0, 0), (1, 0), (2, 0), (3, 0)], float), 1.0, 3)
    assert result.core.tolist() == [False, True, True, False]
    assert result.labels.tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("eps", "expected"), [(5.0, [0, 0]), (4.999, [-1, -1])], ids=["at-eps", "just-under"]
)
def test_distance_equal_to_eps_is_a_neighbour(eps: float, expected: list[int]) -> None:
    result = dbscan_grid(np.array([(0.0, 0.0), (3.0, 4.0)]), eps, 2)
    assert result.labels.tolist() == expected


def test_duplicates_reach_min_samples_alone() -> None:
    xy = np.array([(7, 7), (100, 100), (7, 7), (7, 7)], float)
    result = dbscan_grid(xy, 0.5, 3)
    assert result.labels.tolist() == [0, -1, 0, 0]
    assert result.core.tolist() == [True, False, True, True]


def test_min_samples_one_makes_every_point_core() -> None:
    xy = np.array([(20, 0), (0, 0), (10, 0)], float)
    result = dbscan_grid(xy, 1.0, 1)
    assert result.core.all()
    assert result.labels.tolist() == [2, 0, 1]


def test_min_samples_above_n_gives_all_noise() -> None:
    result = dbscan_grid(np.zeros((4, 2)), 1.0, 5)
    assert result.labels.tolist() == [-1] * 4
    assert not result.core.any()


@pytest.mark.parametrize("xy", [np.empty((0, 2)), [], np.empty(0)], ids=["0x2", "list", "0"])
def test_no_points(xy: np.ndarray) -> None:
    result = dbscan_grid(xy, 100.0, 5)
    assert result.labels.shape == (0,) and result.labels.dtype == np.int64
    assert result.core.shape == (0,) and result.core.dtype == bool
    assert result.n_clusters == 0


def test_border_tie_goes_to_smaller_label() -> None:
    # (0, 0) is 2 m from a core point of each cluster and core itself in neither.
    xy = np.array([(0, 0), (2, 0), (3, 0), (4, 0), (-2, 0), (-3, 0), (-4, 0)], float)
    result = dbscan_grid(xy, 2.0, 4)
    assert result.core.tolist() == [False, True, False, False, True, False, False]
    assert result.labels.tolist() == [0, 1, 1, 1, 0, 0, 0]


def test_border_joins_nearest_core() -> None:
    # (0, 0) reaches core (-2, 0) of cluster 0 at 2 m and core (1, 0) of cluster 1 at 1 m.
    xy = np.array([(0, 0), (-2, 0), (-4, 0), (-3, 1), (1, 0), (3, 0), (2, 1)], float)
    result = dbscan_grid(xy, 2.0, 4)
    assert result.core.tolist() == [False, True, False, False, True, False, False]
    assert result.labels.tolist() == [1, 0, 0, 0, 1, 1, 1]


def test_huge_eps_puts_everything_in_one_cluster() -> None:
    xy = np.array([(0, 0), (1e5, 0), (0, 1e5), (3e4, 7e4)])
    result = dbscan_grid(xy, 1e9, 4)
    assert result.labels.tolist() == [0, 0, 0, 0]


def test_stacked_duplicates_match_sklearn() -> None:
    xy = np.vstack([np.full((500, 2), 3.0), [(4, 3), (6, 3), (30, 30)]]) + BNG_OFFSET
    grid = dbscan_grid(xy, 1.0, 5)
    assert grid.labels[:501].tolist() == [0] * 501
    assert grid.labels[501:].tolist() == [-1, -1]
    np.testing.assert_array_equal(grid.labels, dbscan_sklearn(xy, 1.0, 5).labels)


def test_run_dbscan_dispatches_to_engines() -> None:
    xy = np.array([(0, 0), (1, 0), (0, 1), (9, 9)], float)
    assert set(ENGINES) == {"grid", "sklearn"}
    for engine in ENGINES:
        assert run_dbscan(xy, 1.5, 3, engine=engine).labels.tolist() == [0, 0, 0, -1]


# --- argument validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("xy", "eps", "min_samples", "fragment"),
    [
        (np.zeros((3, 2)), 0.0, 5, "eps_m must be a finite number of metres > 0; got 0.0"),
        (np.zeros((3, 2)), -1, 5, "eps_m must be a finite number of metres > 0; got -1"),
        (np.zeros((3, 2)), float("nan"), 5, "eps_m must be"),
        (np.zeros((3, 2)), float("inf"), 5, "eps_m must be"),
        (np.zeros((3, 2)), "200", 5, "got '200' (str)"),
        (np.zeros((3, 2)), True, 5, "eps_m must be"),
        (np.zeros((3, 2)), 1.0, 0, "min_samples must be an integer >= 1; got 0"),
        (np.zeros((3, 2)), 1.0, 2.5, "min_samples must be an integer >= 1; got 2.5 (float)"),
        (np.zeros((3, 2)), 1.0, True, "min_samples must be"),
        (np.zeros((3, 3)), 1.0, 5, "xy must be an array of shape (n, 2)"),
        (np.zeros(4), 1.0, 5, "got shape (4,)"),
        (np.array([(0, 0), (np.nan, 1), (2, np.inf)]), 1.0, 5, "2 row(s) with NaN or infinity"),
        ([("a", "b")], 1.0, 5, "not numeric"),
    ],
    ids=[
        "eps-zero",
        "eps-negative",
        "eps-nan",
        "eps-inf",
        "eps-str",
        "eps-bool",
        "min-zero",
        "min-float",
        "min-bool",
        "xy-3-cols",
        "xy-1d",
        "xy-nonfinite",
        "xy-text",
    ],
)
@pytest.mark.parametrize("engine", ["grid", "sklearn"])
def test_invalid_arguments_raise_config_error(
    xy: object, eps: object, min_samples: object, fragment: str, engine: str
) -> None:
    with pytest.raises(ConfigError) as info:
        ENGINES[engine](xy, eps, min_samples)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, HotspotsError)


def test_all_problems_reported_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        dbscan_grid(np.zeros((2, 3)), -5.0, 0)
    message = str(info.value)
    assert "eps_m" in message and "min_samples" in message and "xy" in message


def test_unknown_engine_lists_valid_ones() -> None:
    with pytest.raises(ConfigError, match=r"engine must be one of 'grid', 'sklearn'; got 'hdb'"):
        run_dbscan(np.zeros((2, 2)), 1.0, 2, engine="hdb")


# --- property tests ------------------------------------------------------------------------------


@st.composite
def point_sets(draw: st.DrawFn) -> tuple[np.ndarray, float, int]:
    """Integer-valued point sets with duplicates, lines and lattices; eps and min_samples."""
    n = draw(st.integers(0, 60))
    kind = draw(st.sampled_from(["scatter", "stacked", "collinear", "lattice", "diagonal"]))
    if kind == "scatter":
        side = draw(st.sampled_from([5, 20, 100, 10_000]))
        xy = draw(
            st.lists(st.tuples(st.integers(0, side), st.integers(0, side)), min_size=n, max_size=n)
        )
    elif kind == "stacked":
        # A few sites, many events on each: the commonest shape of police data.
        sites = draw(
            st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=5)
        )
        xy = [sites[draw(st.integers(0, len(sites) - 1))] for _ in range(n)]
    elif kind == "collinear":
        y = draw(st.integers(-5, 5))
        xy = [(draw(st.integers(0, 30)), y) for _ in range(n)]
    elif kind == "diagonal":
        xy = [(t, t) for t in draw(st.lists(st.integers(0, 25), min_size=n, max_size=n))]
    else:
        step = draw(st.integers(1, 4))
        xy = [(step * draw(st.integers(0, 6)), step * draw(st.integers(0, 6))) for _ in range(n)]
    eps = draw(st.one_of(st.integers(1, 6).map(float), st.sampled_from([1e-3, 0.5, 1e6])))
    min_samples = draw(st.one_of(st.integers(1, 8), st.just(n + 1)))
    return np.array(xy, dtype=np.float64).reshape(-1, 2), eps, min_samples


@PROPERTY_SETTINGS
@given(point_sets())
def test_grid_matches_sklearn_and_definition(case: tuple[np.ndarray, float, int]) -> None:
    xy, eps, min_samples = case
    grid = dbscan_grid(xy, eps, min_samples)
    ref = dbscan_sklearn(xy, eps, min_samples)
    np.testing.assert_array_equal(grid.core, ref.core)
    assert core_partition(grid) == core_partition(ref)
    # Same numbering and border rule on both sides, so labels agree everywhere.
    np.testing.assert_array_equal(grid.labels, ref.labels)
    brute_force_check(xy, eps, min_samples, grid)


@PROPERTY_SETTINGS
@given(point_sets(), st.randoms(use_true_random=False))
def test_translation_and_shuffling_do_not_change_clusters(
    case: tuple[np.ndarray, float, int], rnd: object
) -> None:
    xy, eps, min_samples = case
    base = dbscan_grid(xy, eps, min_samples)
    moved = dbscan_grid(xy + BNG_OFFSET, eps, min_samples)
    np.testing.assert_array_equal(moved.labels, base.labels)
    np.testing.assert_array_equal(moved.core, base.core)

    perm = np.random.default_rng(rnd.getrandbits(32)).permutation(xy.shape[0])  # type: ignore[attr-defined]
    shuffled = dbscan_grid(xy[perm], eps, min_samples)
    np.testing.assert_array_equal(shuffled.labels, base.labels[perm])
    np.testing.assert_array_equal(shuffled.core, base.core[perm])


@pytest.mark.parametrize(
    "units", [[(0, 0), (15, 0), (17, 0)], [(15, 0), (0, 0), (17, 0)]], ids=["p-first", "q-first"]
)
def test_cell_holding_two_components_links_the_right_one(units: list[tuple[int, int]]) -> None:
    # Cells are 16 units wide here (see below): (0, 0) and (15, 0) share a cell yet are far
    # apart, and only (15, 0) reaches (17, 0) in the next cell.
    unit = 2.0**-11
    xy = np.vstack([np.array(units, float) * unit, [(2.0**23, 2.0**23)]])
    result = dbscan_grid(xy, 2 * unit, 1)
    lone, linked = units.index((0, 0)), units.index((15, 0))
    assert core_partition(result) == {frozenset({lone}), frozenset({linked, 2}), frozenset({3})}


@settings(max_examples=150, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 80),
    # Thin strips as well as squares: chains crossing cell edges, several per cell.
    st.tuples(st.integers(8, 300), st.sampled_from([0, 3, 300])),
    st.integers(1, 3),
    st.integers(1, 5),
)
def test_cells_enlarged_for_tiny_eps_stay_exact(
    seed: int, n: int, size: tuple[int, int], eps_units: int, min_samples: int
) -> None:
    # A far anchor forces cells much wider than eps / sqrt(2), so cells are not all within eps
    # of themselves. Coordinates are multiples of 2**-11 and eps of 2**-10: every distance is
    # exact in float64.
    unit = 2.0**-11
    lattice = np.random.default_rng(seed).integers(0, np.array(size) + 1, size=(n, 2))
    xy = np.vstack([lattice * unit, [(2.0**23, 2.0**23)]])
    eps = eps_units * 2 * unit
    grid = dbscan_grid(xy, eps, min_samples)
    np.testing.assert_array_equal(grid.labels, dbscan_sklearn(xy, eps, min_samples).labels)
    brute_force_check(xy, eps, min_samples, grid)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(50, 400), st.floats(20.0, 400.0), st.integers(2, 8))
def test_float_coordinates_match_sklearn(seed: int, n: int, eps: float, min_samples: int) -> None:
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 3000, size=(4, 2))
    xy = (
        np.vstack(
            [
                centres[rng.integers(0, 4, n // 2)] + rng.normal(scale=80.0, size=(n // 2, 2)),
                rng.uniform(0, 3000, size=(n - n // 2, 2)),
            ]
        )
        + BNG_OFFSET
    )
    grid = dbscan_grid(xy, eps, min_samples)
    ref = dbscan_sklearn(xy, eps, min_samples)
    np.testing.assert_array_equal(grid.core, ref.core)
    np.testing.assert_array_equal(grid.labels, ref.labels)


def test_kernels_preloaded_in_the_background_are_loaded_once_and_agree():
    from hotspots import dbscan

    rng = np.random.default_rng(11)
    xy = np.concatenate([rng.normal(0, 30, (300, 2)), rng.uniform(-500, 500, (200, 2))])

    def join_preloads() -> None:
        for thread in threading.enumerate():
            if thread.name == "hotspots-dbscan-preload":
                thread.join(timeout=120)

    join_preloads()  # a command run by an earlier test may have left one running
    with dbscan._KERNELS_LOCK:
        dbscan._loaded_kernels.cache_clear()
    dbscan.preload_kernels()
    result = dbscan.run_dbscan(xy, 40.0, 4)  # arrives while the preload is loading: waits for it
    join_preloads()
    # One load between the two callers, and both asked for it: a preload that did nothing
    # would leave a single miss and no hit.
    loads = dbscan._loaded_kernels.cache_info()
    assert (loads.misses, loads.hits) == (1, 1)
    reference = dbscan_sklearn(xy, 40.0, 4)
    assert np.array_equal(result.core, reference.core)
    assert core_partition(result) == core_partition(reference)
