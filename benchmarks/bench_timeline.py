"""Benchmark what the monthly series and time-of-week tables add to ``hotspots map``.

Workload: the ``bench_pipeline.py`` events (default 1,000,000 over 2024 in a 100 km square),
given a time of day and, for one row in ten, a ``date_from``/``date_to`` window of up to
five days instead, so that every path of the timeline is taken (aoristic month weights,
instants and windows in the time-of-week tables). The map is of ``--period 2024Q4`` with
``--eps 200 --min-samples 5`` (issue 5's workload), so the series reach back to January.

Each run is a child process (``run_map`` then ``write``, as ``hotspots map`` does), in turns:

* **with** the timeline (the command as shipped);
* **without**: the same, with ``hotspots.jobs._time_views`` and
  ``hotspots.render.sparkline.tooltip_rows`` replaced by stubs (no series, no tables, no
  tooltip rows, no timeline.csv).

Each child also times the timeline steps it runs (inclusive wall time of ``_time_views``,
``tooltip_rows``, ``_write_time_tables``). Reported: the median wall time of each variant,
the difference, and the in-process share ``timeline steps / (run time - timeline steps)``.
Goal (issue 22): the timeline adds under 10 % to ``hotspots map`` at 1,000,000 events.

Usage::

    .venv/bin/python benchmarks/bench_timeline.py
    .venv/bin/python benchmarks/bench_timeline.py --n 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import DEFAULT_SEED, ROOT, child_env, machine_summary, make_events

PERIOD = "2024Q4"


def write_timed_events(path: Path, n: int, seed: int) -> None:
    """The pipeline benchmark's events with times, and windows on one row in ten."""
    frame = make_events(n, seed)
    rng = np.random.default_rng([seed, 22])
    minutes = rng.integers(0, 1440, size=n)
    frame["time"] = [f"{m // 60:02d}:{m % 60:02d}" for m in minutes.tolist()]
    windowed = rng.random(n) < 0.1
    start = frame["date"].to_numpy("datetime64[D]")
    end = start + rng.integers(0, 5, size=n).astype("timedelta64[D]")
    frame["date_from"] = np.where(windowed, [f"{d}T18:00" for d in start.astype(str)], "")
    frame["date_to"] = np.where(windowed, [f"{d}T08:00" for d in end.astype(str)], "")
    frame.loc[windowed, "date"] = ""
    frame.to_csv(path, index=False, float_format="%.6f", lineterminator="\n")


CHILD = r"""
import json, sys, time
started = time.perf_counter()
from hotspots import jobs
from hotspots.render import sparkline
spent = {"_time_views": 0.0, "tooltip_rows": 0.0, "_write_time_tables": 0.0}

def timed(owner, name):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t0
    setattr(owner, name, wrapper)

if sys.argv[3] == "without":
    jobs._time_views = lambda loaded, analysis, top_n=10: (None, None)
    sparkline.tooltip_rows = lambda timeline, week=None: []
else:
    timed(jobs, "_time_views")
    timed(sparkline, "tooltip_rows")
    timed(jobs, "_write_time_tables")
    jobs.MapResult.WRITERS = tuple(
        jobs._write_time_tables if w.__name__ == "_write_time_tables" else w for w in jobs.MapResult.WRITERS
    )
from hotspots.params import AnalysisParams
result = jobs.run_map(sys.argv[1], period="__PERIOD__", params=AnalysisParams(eps_m=200.0, min_samples=5))
names = result.write(sys.argv[2])
total = time.perf_counter() - started
print(json.dumps({"total_s": total, "spent": spent, "files": names, "hotspots": len(result.analysis.hotspots),
                  "months": len(result.timeline.months) if result.timeline else 0}))
""".replace("__PERIOD__", PERIOD)


def run_child(csv: Path, out: Path, variant: str) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(csv), str(out), variant],
        env=child_env(), capture_output=True, text=True, check=False,
    )
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"child ({variant}) failed with {done.returncode}:\n{done.stderr[-3000:]}")
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["wall_s"] = wall
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="events (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant, alternating")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    print(machine_summary())
    with tempfile.TemporaryDirectory(prefix="bench-timeline-") as scratch:
        work = Path(scratch)
        csv = work / "events.csv"
        t0 = time.perf_counter()
        write_timed_events(csv, args.n, args.seed)
        print(f"workload: {args.n:,} events with times, 10 % windows; map --period {PERIOD} --eps 200 "
              f"--min-samples 5 ({time.perf_counter() - t0:.1f} s to write, "
              f"{csv.stat().st_size / 1e6:.0f} MB); source {ROOT / 'src'}")
        runs: dict[str, list[dict]] = {"with": [], "without": []}
        for k in range(args.repeat):
            for variant in ("without", "with") if k % 2 == 0 else ("with", "without"):
                report = run_child(csv, work / f"out-{variant}", variant)
                runs[variant].append(report)
                steps = ", ".join(f"{name} {s:.2f} s" for name, s in report["spent"].items())
                print(f"  run {k + 1} {variant:>7}: wall {report['wall_s']:.2f} s, in child {report['total_s']:.2f} s"
                      + (f" ({steps}; {report['hotspots']:,} hotspots, {report['months']} months)"
                         if variant == "with" else ""))
        with_s = statistics.median(r["wall_s"] for r in runs["with"])
        without_s = statistics.median(r["wall_s"] for r in runs["without"])
        steps = [sum(r["spent"].values()) for r in runs["with"]]
        rest = [r["total_s"] - s for r, s in zip(runs["with"], steps, strict=True)]
        share = statistics.median(s / max(r, 1e-9) for s, r in zip(steps, rest, strict=True))
        print(f"median wall: with timeline {with_s:.2f} s, without {without_s:.2f} s, "
              f"difference {with_s - without_s:+.2f} s ({(with_s - without_s) / without_s:+.1%})")
        print(f"timeline steps in process: median {statistics.median(steps):.2f} s = {share:.1%} of the rest of "
              f"the run (goal: under 10 %) -> {'OK' if share < 0.10 else 'OVER'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
