"""Benchmark the offline postcode and place lookups (issue 19 budgets).

Each figure is measured in a fresh child process (so nothing is cached), --repeat times
(default 5), and the median printed:

* ``hotspots --help``: the whole command, start to exit (goal: under 0.2 s);
* ``numpy+pandas+scipy``: importing the libraries first (a map run has them already);
* ``import``: importing ``hotspots.postcodes`` and ``hotspots.places`` (must not read data);
* ``postcodes load``: the first ``load_postcodes()`` (goal: under 1 s);
* ``places load``: the first ``load_places()``;
* ``nearest 500``: ``nearest_postcodes`` and ``nearest_place`` for 500 points in East
  Anglia, after loading.

It also prints the bundled files' sizes on disk. Usage::

    .venv/bin/python benchmarks/bench_places.py [--repeat 5] [--src DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, time
tl = time.perf_counter()
import numpy as np, pandas, scipy.spatial  # a map run has these loaded long before naming
t0 = time.perf_counter()
import hotspots.postcodes as pc, hotspots.places as pl
t1 = time.perf_counter()
pc.load_postcodes()
t2 = time.perf_counter()
pl.load_places()
t3 = time.perf_counter()
rng = np.random.default_rng(0)
x, y = rng.uniform(530_000, 630_000, 500), rng.uniform(220_000, 320_000, 500)
pc.nearest_postcodes(x, y)
pl.nearest_place(x, y)
t4 = time.perf_counter()
print(json.dumps({"numpy+pandas+scipy": t0 - tl, "import": t1 - t0, "postcodes load": t2 - t1, "places load": t3 - t2,
                  "nearest 500": t4 - t3}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="package tree to time")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src)}

    help_times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "hotspots", "--help"], env=env, check=True,
                       capture_output=True)
        help_times.append(time.perf_counter() - start)
    runs = []
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True,
                             capture_output=True, text=True)
        runs.append(json.loads(out.stdout))

    print(f"{'figure':<18} {'median s':>9} {'min s':>7}  goal")
    goals = {"hotspots --help": "< 0.2 s", "postcodes load": "< 1 s"}
    rows = [("hotspots --help", help_times)] + [(k, [r[k] for r in runs]) for k in runs[0]]
    for name, values in rows:
        print(f"{name:<18} {statistics.median(values):>9.3f} {min(values):>7.3f}  "
              f"{goals.get(name, '')}")
    data = args.src / "hotspots" / "data"
    for path in sorted(data.rglob("*")):
        if path.is_file() and path.suffix in {".npz", ".csv", ".geojson"}:
            print(f"{path.relative_to(data)}: {path.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
