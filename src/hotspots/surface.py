"""Kernel density surfaces of harm and enforcement on a British National Grid raster, and their gap.

Definitions (also in ``docs/surface.md`` and every output that carries a surface):

* **density** — a quartic (biweight) kernel estimate in events per km²: each event spreads
  one unit over a disc of radius ``bandwidth_m``, weighted ``3/(π h²)·(1 − d²/h²)²``
  (the kernel of Chainey and Ratcliffe's crime-mapping practice and of QGIS's heatmap).
  Events are first binned to the centre of their grid cell, so a cell's value is exact for
  events at cell centres and within half a cell otherwise.
* **edge correction** — harm and enforcement can only happen inside the study area, so
  near the coast and the study-area edge part of each kernel falls where no event can be.
  Each cell's density is divided by the share of its kernel that lies inside the study
  area (Diggle's correction), floored at :data:`MIN_KERNEL_SHARE` so a cell on a spit of
  land is not inflated without limit. Cells whose centre is outside the study area are
  empty (NaN).
* **coverage gap** — ``harm density − enforcement density ÷ thin_ratio``, in harm events
  per km² left unmatched at the thin ratio: the surface form of a hotspot's harm gap.
  It is positive exactly where enforcement density is below ``thin_ratio`` times harm
  density (locally thin), negative where locally covered, and it falls to zero where both
  densities fall to zero — no ratio, so no division by near-zero densities in places with
  no events at all.

Defaults are chosen from the analysis: the bandwidth is the DBSCAN radius ``eps_m`` (the
scale at which a hotspot is defined; with ``--eps auto`` the knee of the k-distance curve,
as ``hotspots tune`` chooses it) and the cell is a quarter of the bandwidth rounded to
10 m, coarsened when the grid would exceed :data:`MAX_CELLS` cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import ConfigError

if TYPE_CHECKING:
    import geopandas as gpd

    from hotspots.model import Analysis

#: Largest grid, in cells; a larger study area gets coarser cells (about 32 MB a float64 band).
MAX_CELLS = 4_000_000
#: Smallest share of a cell's kernel inside the study area that the edge correction divides by.
MIN_KERNEL_SHARE = 0.25
#: Cell size of surfaces shown to the wide audience (the 1 km squares of its briefing).
WIDE_CELL_M = 1000.0

DEFINITIONS = {
    "density": "quartic kernel density in events per km2 (bandwidth_m radius), events binned to cell centres",
    "edge_correction": "density divided by the share of the kernel inside the study area "
    f"(floored at {MIN_KERNEL_SHARE}); cells outside the study area are empty",
    "coverage_gap": "harm density - enforcement density / thin_ratio (harm events per km2 left "
    "unmatched at the thin ratio); positive where locally thin, 0 where there are no events",
}


@dataclass(frozen=True)
class SurfaceOptions:
    """What ``--surface`` asks for: cell and bandwidth overrides (None: chosen from the analysis)."""

    cell_m: float | None = None
    bandwidth_m: float | None = None

    def __post_init__(self) -> None:
        for name, value in (("surface cell", self.cell_m), ("surface bandwidth", self.bandwidth_m)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not (math.isfinite(value) and 0 < value <= 100_000)):
                raise ConfigError(f"{name}: expected metres between 0 and 100000, got {value!r}")


@dataclass(frozen=True)
class Grid:
    """A regular raster on British National Grid; row 0 is the northern edge (as in GeoTIFF)."""

    x0: float  # western edge, metres
    y1: float  # northern edge, metres
    cell_m: float
    nx: int
    ny: int

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in metres."""
        return (self.x0, self.y1 - self.ny * self.cell_m, self.x0 + self.nx * self.cell_m, self.y1)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates as two (ny, nx) arrays."""
        xs = self.x0 + (np.arange(self.nx) + 0.5) * self.cell_m
        ys = self.y1 - (np.arange(self.ny) + 0.5) * self.cell_m
        return np.meshgrid(xs, ys)

    def cell_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, inside the grid) of each point."""
        col = np.floor((x - self.x0) / self.cell_m).astype(np.int64)
        row = np.floor((self.y1 - y) / self.cell_m).astype(np.int64)
        inside = (col >= 0) & (col < self.nx) & (row >= 0) & (row < self.ny)
        return row, col, inside


@dataclass(frozen=True)
class Surfaces:
    """Harm, enforcement and coverage-gap surfaces of one period on one grid.

    Bands are (ny, nx) float64 arrays in events per km², NaN outside the study area.
    """

    grid: Grid
    harm: np.ndarray
    enforcement: np.ndarray
    gap: np.ndarray
    inside: np.ndarray  # bool (ny, nx): cell centre inside the study area
    bandwidth_m: float
    thin_ratio: float
    choice: str  # how cell and bandwidth were chosen, in words

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready description (for ``summary.json``)."""
        west, south, east, north = self.grid.bounds
        return {
            "cell_m": self.grid.cell_m,
            "bandwidth_m": self.bandwidth_m,
            "thin_ratio": self.thin_ratio,
            "crs": schema.CRS_METRIC,
            "bounds_m": [west, south, east, north],
            "cells": [self.grid.ny, self.grid.nx],
            "choice": self.choice,
            "kernel": "quartic (biweight)",
            "min_kernel_share": MIN_KERNEL_SHARE,
            "definitions": DEFINITIONS,
        }


def surface_settings(
    eps_m: float, study_bounds: tuple[float, float, float, float], *, cell_m: float | None = None,
    bandwidth_m: float | None = None,
) -> tuple[float, float, str]:
    """Cell size and bandwidth in metres, and a sentence saying how they were chosen.

    Raises
    ------
    ConfigError
        A given cell or bandwidth is not a positive distance, or the bandwidth is under two cells.
    """
    for name, value in (("surface cell", cell_m), ("surface bandwidth", bandwidth_m)):
        if value is not None and not (math.isfinite(value) and 0 < value <= 100_000):
            raise ConfigError(f"{name}: expected metres between 0 and 100000, got {value!r}")
    words = []
    given_bandwidth, given_cell = bandwidth_m, cell_m
    if bandwidth_m is None:
        bandwidth_m = float(eps_m)
        words.append(f"bandwidth {bandwidth_m:g} m = the DBSCAN radius eps_m")
    else:
        words.append(f"bandwidth {bandwidth_m:g} m (given)")
    west, south, east, north = study_bounds
    area = max(east - west, 1.0) * max(north - south, 1.0)
    if cell_m is None:
        cell_m = max(10.0, round(bandwidth_m / 4 / 10) * 10)
        floor = math.ceil(math.sqrt(area / MAX_CELLS) / 10) * 10
        if floor > cell_m:
            words.append(f"cell {floor:g} m (a quarter of the bandwidth would exceed {MAX_CELLS:,} cells)")
            cell_m = float(floor)
        else:
            words.append(f"cell {cell_m:g} m = a quarter of the bandwidth, rounded to 10 m")
    else:
        words.append(f"cell {cell_m:g} m (given)")
    if bandwidth_m < 2 * cell_m and given_bandwidth is None and given_cell is None:
        # A coarsened national grid: a kernel of one cell would be no smoothing at all.
        bandwidth_m = 4 * cell_m
        words[0] = f"bandwidth {bandwidth_m:g} m = four cells (the DBSCAN radius is under two cells)"
    if bandwidth_m < 2 * cell_m:
        raise ConfigError(
            f"surface bandwidth {bandwidth_m:g} m is under two cells of {cell_m:g} m: the kernel would be "
            "a single cell; pass a larger --surface-bandwidth or a smaller --surface-cell"
        )
    return float(cell_m), float(bandwidth_m), "; ".join(words)


def grid_over(bounds: tuple[float, float, float, float], cell_m: float, pad_m: float) -> Grid:
    """A grid covering ``bounds`` plus ``pad_m``, its edges on whole multiples of ``cell_m``.

    Snapping to multiples of the cell keeps cells in the same place whatever the data, so two
    periods (or two runs) share cells and a surface can be differenced cell by cell.
    """
    west, south, east, north = bounds
    x0 = math.floor((west - pad_m) / cell_m) * cell_m
    y0 = math.floor((south - pad_m) / cell_m) * cell_m
    x1 = math.ceil((east + pad_m) / cell_m) * cell_m
    y1 = math.ceil((north + pad_m) / cell_m) * cell_m
    return Grid(x0=float(x0), y1=float(y1), cell_m=float(cell_m), nx=round((x1 - x0) / cell_m),
                ny=round((y1 - y0) / cell_m))


def quartic_stencil(bandwidth_m: float, cell_m: float) -> np.ndarray:
    """The quartic kernel on cell offsets, summing to 1 (a discrete kernel of radius ``bandwidth_m``)."""
    reach = math.ceil(bandwidth_m / cell_m)
    offsets = np.arange(-reach, reach + 1) * cell_m
    dx, dy = np.meshgrid(offsets, offsets)
    u2 = (dx**2 + dy**2) / bandwidth_m**2
    weights = np.where(u2 < 1, (1 - u2) ** 2, 0.0)
    return weights / weights.sum()


def counts_on(grid: Grid, x: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Events (or their weights) per cell, shape (ny, nx); events off the grid are dropped."""
    row, col, inside = grid.cell_of(np.asarray(x, float), np.asarray(y, float))
    w = None if weights is None else np.asarray(weights, float)[inside]
    flat = np.bincount(row[inside] * grid.nx + col[inside], weights=w, minlength=grid.nx * grid.ny)
    return flat.reshape(grid.ny, grid.nx).astype(float)


def smooth(counts: np.ndarray, stencil: np.ndarray) -> np.ndarray:
    """``counts`` convolved with ``stencil`` (same shape); tiny FFT round-off is set to zero."""
    from scipy.signal import fftconvolve

    out = fftconvolve(counts, stencil, mode="same")
    # FFT leaves values of order 1e-16 where the exact answer is 0: a cell with no event in
    # reach must read 0, not a speck of density (or a negative one).
    out[np.abs(out) < 1e-9 * max(1.0, float(np.abs(counts).max(initial=0)))] = 0.0
    return out


def study_mask(grid: Grid, areas: gpd.GeoDataFrame) -> np.ndarray:
    """True for cells whose centre lies inside a study-area polygon."""
    from rasterio.features import geometry_mask
    from rasterio.transform import from_origin

    transform = from_origin(grid.x0, grid.y1, grid.cell_m, grid.cell_m)
    shapes = [g for g in areas.geometry.values if g is not None and not g.is_empty]
    if not shapes:
        return np.zeros((grid.ny, grid.nx), dtype=bool)
    return geometry_mask(shapes, out_shape=(grid.ny, grid.nx), transform=transform, invert=True)


def density(
    grid: Grid, x: np.ndarray, y: np.ndarray, bandwidth_m: float, inside: np.ndarray,
    kernel_share: np.ndarray | None = None,
) -> np.ndarray:
    """Edge-corrected quartic kernel density in events per km², NaN outside the study area."""
    stencil = quartic_stencil(bandwidth_m, grid.cell_m)
    if kernel_share is None:
        kernel_share = smooth(inside.astype(float), stencil)
    raw = smooth(counts_on(grid, x, y), stencil) / (grid.cell_m**2 / 1e6)
    corrected = raw / np.maximum(kernel_share, MIN_KERNEL_SHARE)
    return np.where(inside, corrected, np.nan)


def coverage_gap_surfaces(
    events: pd.DataFrame, areas: gpd.GeoDataFrame, *, eps_m: float, thin_ratio: float,
    cell_m: float | None = None, bandwidth_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> Surfaces:
    """Harm, enforcement and coverage-gap surfaces of one period's analysed events.

    Parameters
    ----------
    events
        Analysed events of the period (``x_m``, ``y_m``, ``role``), EPSG:27700.
    areas
        Study-area districts (GeoDataFrame, EPSG:27700): the edge of the surfaces.
    eps_m, thin_ratio
        The analysis's DBSCAN radius (the default bandwidth) and thin ratio.
    cell_m, bandwidth_m
        Override the defaults (metres).
    bounds
        Grid extent (west, south, east, north); default the study area's. Two periods of a
        comparison pass the same bounds so their cells coincide.
    """
    if thin_ratio <= 0:
        raise ConfigError("the coverage-gap surface needs thin_ratio > 0 (it divides enforcement by it)")
    west, south, east, north = bounds if bounds is not None else (float(v) for v in areas.total_bounds)
    extent = (west, south, east, north)
    cell_m, bandwidth_m, choice = surface_settings(eps_m, extent, cell_m=cell_m, bandwidth_m=bandwidth_m)
    grid = grid_over(extent, cell_m, pad_m=bandwidth_m)
    inside = study_mask(grid, areas)
    share = smooth(inside.astype(float), quartic_stencil(bandwidth_m, cell_m))
    role = events[schema.COL_ROLE].to_numpy()
    x = events[schema.COL_X].to_numpy(float)
    y = events[schema.COL_Y].to_numpy(float)
    harm_mask = role == schema.ROLE_HARM
    enf_mask = role == schema.ROLE_ENFORCEMENT
    harm = density(grid, x[harm_mask], y[harm_mask], bandwidth_m, inside, share)
    enforcement = density(grid, x[enf_mask], y[enf_mask], bandwidth_m, inside, share)
    gap = harm - enforcement / thin_ratio
    return Surfaces(grid=grid, harm=harm, enforcement=enforcement, gap=gap, inside=inside,
                    bandwidth_m=bandwidth_m, thin_ratio=thin_ratio, choice=choice)


def coarsened(surfaces: Surfaces, cell_m: float = WIDE_CELL_M) -> Surfaces:
    """The surfaces averaged over ``cell_m`` squares (for the wide audience).

    A coarse cell is the mean of the fine cells inside the study area that it holds, so the
    figures stay densities per km²; coarse cells with no fine cell inside are empty.
    """
    factor = round(cell_m / surfaces.grid.cell_m)
    if factor <= 1:
        return surfaces
    g = surfaces.grid
    # Re-snap the grid's corner to multiples of the coarse cell, padding with empty cells.
    x0 = math.floor(g.x0 / cell_m) * cell_m
    y1 = math.ceil(g.y1 / cell_m) * cell_m
    left = round((g.x0 - x0) / g.cell_m)
    top = round((y1 - g.y1) / g.cell_m)
    nx = math.ceil((g.nx + left) / factor)
    ny = math.ceil((g.ny + top) / factor)

    def block_mean(band: np.ndarray) -> np.ndarray:
        padded = np.full((ny * factor, nx * factor), np.nan)
        padded[top:top + g.ny, left:left + g.nx] = band
        blocks = padded.reshape(ny, factor, nx, factor)
        counts = np.sum(~np.isnan(blocks), axis=(1, 3))
        sums = np.nansum(blocks, axis=(1, 3))
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)

    harm = block_mean(surfaces.harm)
    enforcement = block_mean(surfaces.enforcement)
    grid = Grid(x0=float(x0), y1=float(y1), cell_m=float(cell_m), nx=nx, ny=ny)
    return replace(
        surfaces, grid=grid, harm=harm, enforcement=enforcement,
        gap=harm - enforcement / surfaces.thin_ratio, inside=~np.isnan(harm),
        choice=surfaces.choice + f"; averaged over {cell_m:g} m squares for the wide audience",
    )


def district_summary(surfaces: Surfaces, areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per district: unmatched harm under the positive gap, its thin area and peak.

    Columns: ``area_code``, ``area_name``, ``thin_surface_km2`` (area where the gap is
    positive), ``unmatched_harm`` (the positive gap integrated over the district: harm
    events left unmatched at the thin ratio, smoothed), ``peak_gap_per_km2`` and
    ``peak_x``/``peak_y`` (centre of the district's highest-gap cell; empty when the
    district has no positive gap).
    """
    from rasterio.features import rasterize
    from rasterio.transform import from_origin

    g = surfaces.grid
    transform = from_origin(g.x0, g.y1, g.cell_m, g.cell_m)
    shapes = [(geom, i + 1) for i, geom in enumerate(areas.geometry.values)]
    owner = (
        rasterize(shapes, out_shape=(g.ny, g.nx), transform=transform, fill=0, dtype="int32")
        if shapes else np.zeros((g.ny, g.nx), dtype="int32")
    )
    cell_km2 = g.cell_m**2 / 1e6
    cx, cy = g.centres()
    rows = []
    for i, (code, name) in enumerate(zip(areas[schema.COL_AREA_CODE], areas[schema.COL_AREA_NAME], strict=True)):
        cells = (owner == i + 1) & ~np.isnan(surfaces.gap)
        gap = surfaces.gap[cells]
        positive = gap > 0
        peak = None
        if positive.any():
            k = int(np.argmax(gap))
            peak = (float(cx[cells][k]), float(cy[cells][k]), float(gap[k]))
        rows.append({
            schema.COL_AREA_CODE: code,
            schema.COL_AREA_NAME: name,
            "thin_surface_km2": round(float(positive.sum()) * cell_km2, 3),
            "unmatched_harm": round(float(gap[positive].sum()) * cell_km2, 2),
            "peak_gap_per_km2": round(peak[2], 3) if peak else np.nan,
            "peak_x": peak[0] if peak else np.nan,
            "peak_y": peak[1] if peak else np.nan,
        })
    return pd.DataFrame(rows)


def difference(current: Surfaces, previous: Surfaces) -> np.ndarray:
    """Current gap minus previous gap, cell by cell (both on one grid).

    Raises
    ------
    ValueError
        The two surfaces are not on the same grid (build both with the same ``bounds``).
    """
    if current.grid != previous.grid:
        raise ValueError(f"surfaces on different grids: {current.grid} and {previous.grid}")
    return current.gap - previous.gap


def surfaces_of(
    analysis: Analysis, *, cell_m: float | None = None, bandwidth_m: float | None = None,
    bounds: tuple[float, float, float, float] | None = None,
) -> Surfaces:
    """The coverage-gap surfaces of one period's analysis (its events, study area and parameters)."""
    return coverage_gap_surfaces(
        analysis.events, analysis.areas, eps_m=analysis.params.eps_m, thin_ratio=analysis.params.thin_ratio,
        cell_m=cell_m, bandwidth_m=bandwidth_m, bounds=bounds,
    )
