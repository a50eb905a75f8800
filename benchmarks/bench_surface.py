"""Benchmark the coverage-gap surface and the chance test: seconds at growing sizes, and linearity.

The workload is the DBSCAN benchmark's (``bench_dbscan.make_points``: a 100 km square in
British National Grid, 60 % of points in a few hundred Gaussian clusters), with 30 % of the
points harm and the rest enforcement, and the square as the study area. Each stage is timed
after a warm-up on a small input (numba's kernels loaded), best of ``--repeat`` runs.

``--fpr N`` also measures the chance test's false-positive rate: N seeded runs where harm is a
random draw of uniformly placed events (the null hypothesis is true), each tested with
``--replicates`` relabellings; it prints the share of runs with any hotspot "unlikely by
chance" at 0.05 and a 95 % Wilson interval (the test holds the family-wise rate at 0.05).

Usage::

    PYTHONPATH=src python benchmarks/bench_surface.py
    PYTHONPATH=src python benchmarks/bench_surface.py --sizes 25000 50000 100000 200000 --replicates 99
    PYTHONPATH=src python benchmarks/bench_surface.py --sizes --fpr 400
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_dbscan import ORIGIN_M, SQUARE_M, make_points


def workload(n: int, seed: int):
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry import box

    from hotspots import schema

    xy = make_points(n, seed)
    rng = np.random.default_rng(seed + 1)
    role = np.where(rng.random(n) < 0.3, schema.ROLE_HARM, schema.ROLE_ENFORCEMENT)
    events = pd.DataFrame({schema.COL_X: xy[:, 0], schema.COL_Y: xy[:, 1], schema.COL_ROLE: role})
    x0, y0 = ORIGIN_M
    areas = gpd.GeoDataFrame({schema.COL_AREA_CODE: ["A"], schema.COL_AREA_NAME: ["study area"]},
                             geometry=[box(x0, y0, x0 + SQUARE_M, y0 + SQUARE_M)], crs=schema.CRS_METRIC)
    return events, areas


def run(
    n: int, seed: int, eps: float, min_samples: int, replicates: int, repeat: int
) -> tuple[float, float, float, int]:
    from hotspots import schema
    from hotspots.dbscan import run_dbscan
    from hotspots.significance import chance_test
    from hotspots.surface import coverage_gap_surfaces

    events, areas = workload(n, seed)
    harm = (events[schema.COL_ROLE] == schema.ROLE_HARM).to_numpy()
    x, y = events[schema.COL_X].to_numpy(), events[schema.COL_Y].to_numpy()
    owner = np.full(n, -1)
    owner[harm] = run_dbscan(np.column_stack([x[harm], y[harm]]), eps, min_samples).labels
    n_hot = int(owner.max()) + 1
    surface_s, test_s, cpu_s = [], [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        coverage_gap_surfaces(events, areas, eps_m=eps, thin_ratio=0.5)
        surface_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        chance_test(x, y, harm, owner, n_hot, eps_m=eps, min_samples=min_samples, replicates=replicates)
        test_s.append(time.perf_counter() - t)
        cpu_s.append(time.process_time() - c)
    return min(surface_s), min(test_s), min(cpu_s), n_hot


def false_positive_rate(runs: int, replicates: int, eps: float, min_samples: int) -> None:
    """Share of null runs (uniform events, harm drawn at random) with any significant hotspot."""
    from hotspots.dbscan import run_dbscan
    from hotspots.significance import chance_test

    hits = 0
    for seed in range(runs):
        rng = np.random.default_rng(10_000 + seed)
        n = 1_000
        x = rng.uniform(600_000, 605_000, n)
        y = rng.uniform(300_000, 305_000, n)
        harm = rng.random(n) < 0.3
        owner = np.full(n, -1)
        owner[harm] = run_dbscan(np.column_stack([x[harm], y[harm]]), eps, min_samples).labels
        result = chance_test(x, y, harm, owner, int(owner.max()) + 1, eps_m=eps, min_samples=min_samples,
                             replicates=replicates, seed=seed)
        hits += bool((result.p_values <= 0.05).any())
    rate = hits / runs
    z = 1.96
    centre = (rate + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * np.sqrt(rate * (1 - rate) / runs + z * z / (4 * runs * runs)) / (1 + z * z / runs)
    print(f"false-positive runs: {hits} of {runs} = {rate:.3f} (95% Wilson {centre - half:.3f}-{centre + half:.3f}); "
          f"level 0.05, {replicates} replicates, 1,000 uniform events, 30% harm, eps {eps:g} m")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[25_000, 50_000, 100_000, 200_000])
    parser.add_argument("--eps", type=float, default=400.0)
    parser.add_argument("--min-samples", type=int, default=3)
    parser.add_argument("--replicates", type=int, default=99)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fpr", type=int, default=0, help="null runs for the false-positive rate (0: skip)")
    args = parser.parse_args()
    run(2_000, args.seed, args.eps, args.min_samples, 2, 1)  # warm-up: numba kernels, imports
    # CPU seconds (both stages, every thread) say what the work costs when the machine is shared;
    # wall seconds what a user waits on an idle one.
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'events':>8} {'hotspots':>8} {'surface s':>10} {'test s':>8} {'total s':>8} {'cpu s':>7} "
          f"{'cpu s/100k':>10}")
    for n in args.sizes:
        surface_s, test_s, cpu_s, n_hot = run(n, args.seed, args.eps, args.min_samples, args.replicates, args.repeat)
        total = surface_s + test_s
        print(f"{n:>8,} {n_hot:>8,} {surface_s:>10.3f} {test_s:>8.3f} {total:>8.3f} {cpu_s:>7.2f} "
              f"{cpu_s / n * 1e5:>10.3f}", flush=True)
    if args.fpr:
        false_positive_rate(args.fpr, args.replicates, args.eps, args.min_samples)


if __name__ == "__main__":
    main()
