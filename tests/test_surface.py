"""Kernel density, edge correction and the coverage-gap surface on hand-made points."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from hotspots import schema
from hotspots.errors import ConfigError
from hotspots.raster import geotiff_bytes
from hotspots.surface import (
    coarsened,
    counts_on,
    coverage_gap_surfaces,
    difference,
    district_summary,
    grid_over,
    quartic_stencil,
    surface_settings,
)

X0, Y0 = 600_000.0, 300_000.0


def _areas(*boxes):
    return gpd.GeoDataFrame(
        {schema.COL_AREA_CODE: [f"E0{i}" for i in range(len(boxes))],
         schema.COL_AREA_NAME: [f"District {i}" for i in range(len(boxes))]},
        geometry=[box(*b) for b in boxes], crs=schema.CRS_METRIC,
    )


def _events(points):
    """points: list of (x, y, role)."""
    frame = pd.DataFrame(points, columns=[schema.COL_X, schema.COL_Y, schema.COL_ROLE])
    return frame


def test_the_stencil_is_a_quartic_kernel_that_sums_to_one():
    stencil = quartic_stencil(400, 100)
    assert stencil.shape == (9, 9)
    assert stencil.sum() == pytest.approx(1.0)
    assert stencil[4, 4] == stencil.max()
    assert stencil[4, 0] == 0  # exactly one bandwidth away: weight (1 - 1)^2 = 0
    assert stencil[4, 1] == pytest.approx(stencil[4, 4] * (1 - (300 / 400) ** 2) ** 2)  # 300 m off


def test_grid_is_snapped_and_points_land_in_the_right_cell():
    grid = grid_over((X0 + 30, Y0 + 70, X0 + 980, Y0 + 990), cell_m=100, pad_m=0)
    assert (grid.x0, grid.y1, grid.nx, grid.ny) == (X0, Y0 + 1000, 10, 10)
    counts = counts_on(grid, np.array([X0 + 150, X0 + 150, X0 + 950]), np.array([Y0 + 950, Y0 + 950, Y0 + 50]))
    assert counts[0, 1] == 2  # north row first, as in a GeoTIFF
    assert counts[9, 9] == 1
    assert counts.sum() == 3


def test_one_event_integrates_to_one_event():
    areas = _areas((X0 - 5000, Y0 - 5000, X0 + 5000, Y0 + 5000))
    s = coverage_gap_surfaces(_events([(X0 + 50, Y0 + 50, "harm")]), areas, eps_m=400, thin_ratio=0.5)
    cell_km2 = s.grid.cell_m**2 / 1e6
    assert np.nansum(s.harm) * cell_km2 == pytest.approx(1.0)
    assert np.nanmax(s.harm) == pytest.approx(3 / (np.pi * 0.4**2), rel=0.2)  # peak 3/(pi h^2) per km2


def test_edge_correction_restores_density_at_a_straight_coast():
    # Uniform events on land west of a straight coast: without correction the density
    # halves at the shoreline; corrected it stays level.
    rng = np.random.default_rng(0)
    n = 40_000
    land = (X0, Y0, X0 + 4000, Y0 + 4000)
    pts = [(x, y, "harm") for x, y in zip(rng.uniform(land[0], land[2], n), rng.uniform(land[1], land[3], n))]
    s = coverage_gap_surfaces(_events(pts), _areas(land), eps_m=400, thin_ratio=0.5, cell_m=50)
    true_density = n / 16.0  # per km2
    cx, cy = s.grid.centres()
    middle = (np.abs(cy - (Y0 + 2000)) < 1000) & s.inside
    at_coast = middle & (cx > X0 + 4000 - 60)
    interior = middle & (np.abs(cx - (X0 + 2000)) < 500)
    assert np.mean(s.harm[interior]) == pytest.approx(true_density, rel=0.05)
    assert np.mean(s.harm[at_coast]) == pytest.approx(true_density, rel=0.12)
    assert np.all(np.isnan(s.harm[~s.inside]))


def test_gap_peaks_at_the_thin_hotspot_not_the_covered_one():
    thin = [(X0 + 1000 + dx, Y0 + 1000, "harm") for dx in range(0, 100, 10)]
    covered = [(X0 + 4000 + dx, Y0 + 1000, "harm") for dx in range(0, 100, 10)]
    covered += [(X0 + 4000 + dx, Y0 + 1050, "enforcement") for dx in range(0, 100, 10)]  # coverage 1
    areas = _areas((X0, Y0, X0 + 5000, Y0 + 2000))
    s = coverage_gap_surfaces(_events(thin + covered), areas, eps_m=400, thin_ratio=0.5)
    row, col = np.unravel_index(np.nanargmax(s.gap), s.gap.shape)
    cx, cy = s.grid.centres()
    assert abs(cx[row, col] - (X0 + 1050)) <= 200
    near_covered = (np.abs(cx - (X0 + 4050)) < 200) & (np.abs(cy - (Y0 + 1025)) < 200)
    assert np.nanmax(s.gap[near_covered]) < 0  # enforcement at twice what the thin ratio needs


def test_gap_is_zero_not_nan_or_huge_where_there_are_no_events():
    areas = _areas((X0, Y0, X0 + 20_000, Y0 + 20_000))
    pts = [(X0 + 1000, Y0 + 1000, "harm"), (X0 + 1100, Y0 + 1000, "enforcement")]
    s = coverage_gap_surfaces(_events(pts), areas, eps_m=400, thin_ratio=0.5)
    cx, cy = s.grid.centres()
    far = s.inside & (np.hypot(cx - (X0 + 1000), cy - (Y0 + 1000)) > 2000)
    assert far.sum() > 1000
    assert np.all(s.gap[far] == 0)
    assert np.all(np.isfinite(s.gap[s.inside]))


def test_gap_sign_follows_the_thin_ratio():
    areas = _areas((X0, Y0, X0 + 3000, Y0 + 3000))
    pts = [(X0 + 1500, Y0 + 1500, "harm")] * 4 + [(X0 + 1500, Y0 + 1500, "enforcement")] * 2
    # 2 enforcement per 4 harm: coverage 0.5. At thin ratio 0.5 the gap is 0 exactly; at 0.6 thin.
    at = coverage_gap_surfaces(_events(pts), areas, eps_m=400, thin_ratio=0.5)
    above = coverage_gap_surfaces(_events(pts), areas, eps_m=400, thin_ratio=0.6)
    assert np.nanmax(np.abs(at.gap)) == pytest.approx(0, abs=1e-9)
    assert np.nanmin(above.gap) >= 0 and np.nanmax(above.gap) > 0


def test_coarsened_surface_for_the_wide_audience_keeps_densities():
    areas = _areas((X0, Y0, X0 + 4000, Y0 + 4000))
    rng = np.random.default_rng(2)
    pts = [(x, y, "harm") for x, y in zip(rng.uniform(X0, X0 + 4000, 2000), rng.uniform(Y0, Y0 + 4000, 2000))]
    s = coverage_gap_surfaces(_events(pts), areas, eps_m=400, thin_ratio=0.5)
    wide = coarsened(s, 1000)
    assert wide.grid.cell_m == 1000 and wide.grid.x0 % 1000 == 0 and wide.grid.y1 % 1000 == 0
    assert np.nanmean(wide.harm) == pytest.approx(np.nanmean(s.harm), rel=0.1)
    assert "wide audience" in wide.choice


def test_district_summary_counts_unmatched_harm_in_each_district():
    west, east = (X0, Y0, X0 + 3000, Y0 + 3000), (X0 + 3000, Y0, X0 + 6000, Y0 + 3000)
    pts = [(X0 + 1500, Y0 + 1500, "harm")] * 10
    s = coverage_gap_surfaces(_events(pts), _areas(west, east), eps_m=400, thin_ratio=0.5)
    table = district_summary(s, _areas(west, east))
    assert list(table[schema.COL_AREA_CODE]) == ["E00", "E01"]
    assert table.loc[0, "unmatched_harm"] == pytest.approx(10, rel=0.02)  # no enforcement: all unmatched
    assert table.loc[1, "unmatched_harm"] == 0 and np.isnan(table.loc[1, "peak_gap_per_km2"])
    assert abs(table.loc[0, "peak_x"] - (X0 + 1500)) <= s.grid.cell_m


def test_two_periods_on_one_grid_difference_cell_by_cell():
    # Events over a kilometre from the edge: no edge correction, so each adds exactly one event.
    areas = _areas((X0, Y0, X0 + 6000, Y0 + 3000))
    bounds = tuple(areas.total_bounds)
    a = coverage_gap_surfaces(_events([(X0 + 1500, Y0 + 1500, "harm")]), areas, eps_m=400, thin_ratio=0.5,
                              bounds=bounds)
    b = coverage_gap_surfaces(_events([(X0 + 4500, Y0 + 1500, "harm")]), areas, eps_m=400, thin_ratio=0.5,
                              bounds=bounds)
    diff = difference(b, a)
    assert np.nanmax(diff) > 0 and np.nanmin(diff) < 0
    assert np.nansum(diff) == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"bandwidth_m": 50.0, "cell_m": 100.0}, "under two cells"), ({"cell_m": -1.0}, "surface cell"),
     ({"bandwidth_m": float("inf")}, "surface bandwidth")],
    ids=["bandwidth-under-two-cells", "negative-cell", "infinite-bandwidth"],
)
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        surface_settings(400, (0, 0, 1000, 1000), **kwargs)


def test_national_extent_coarsens_the_cell_and_says_so():
    cell, bandwidth, words = surface_settings(400, (100_000, 0, 700_000, 650_000))
    assert cell * cell * 4_000_000 >= 600_000 * 650_000
    assert bandwidth == 4 * cell and "exceed" in words and "four cells" in words


def test_geotiff_is_british_national_grid_and_deterministic(tmp_path):
    import rasterio

    areas = _areas((X0, Y0, X0 + 2000, Y0 + 2000))
    s = coverage_gap_surfaces(_events([(X0 + 1000, Y0 + 1000, "harm")]), areas, eps_m=400, thin_ratio=0.5)
    data = geotiff_bytes(s)
    assert data == geotiff_bytes(s)
    path = tmp_path / "surface.tif"
    path.write_bytes(data)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 27700
        assert src.count == 3
        assert src.descriptions[2].startswith("gap")
        assert (src.bounds.left, src.bounds.top) == (s.grid.x0, s.grid.y1)
        # Sample at the event: the harm band peaks there.
        value = next(src.sample([(X0 + 1000, Y0 + 1000)], indexes=1))[0]
        assert value == pytest.approx(np.nanmax(s.harm), rel=1e-5)
