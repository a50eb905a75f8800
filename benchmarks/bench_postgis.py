"""Benchmark PostGIS as a source and a sink against ``COPY ... TO STDOUT`` of the same table.

The script starts a throw-away PostgreSQL 15 + PostGIS 3 server (``tests/_postgis.py``: initdb in
a temporary folder, loopback only, a free port; ``--url`` uses an existing database instead),
loads the workload of ``bench_pipeline.py`` (N events, default 1,000,000: 60 % in 300 Gaussian
clusters, 40 % uniform, in East Anglia; types cuckooing/raid/seizure; dates over 2024) into a
table ``bench_events(id text, type text, date date, geom geometry(Point, 27700))``, then
measures, each the median of ``--repeat`` rounds:

* **floor**: ``COPY bench_events TO STDOUT`` read whole into Python by psycopg (what any client
  pays to get the rows out);
* **read**: :func:`hotspots.postgis.read_events_db` of the table: the raw text table validation
  takes, SHA-256 included;
* **write**: :func:`hotspots.export.postgis.write_postgis` of the analysis of those events (all
  dates, eps 200 m, min samples 5; analysis not timed): hotspots, enforcement clusters and
  districts replaced in one transaction with their GiST indexes, and a runs row.

It prints the three times and the ratio (read + write) / floor; the goal in issue 21 is at most
3x at 1,000,000 events.

Usage::

    .venv/bin/python benchmarks/bench_postgis.py             # 1,000,000 events
    .venv/bin/python benchmarks/bench_postgis.py --n 100000 --repeat 3
    .venv/bin/python benchmarks/bench_postgis.py --url postgresql://me@localhost/scratch
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent / "src"))

from bench_dbscan import ORIGIN_M as DBSCAN_ORIGIN_M
from bench_dbscan import make_points
from bench_pipeline import ORIGIN_M, make_events

TABLE = "bench_events"


def load_table(url: str, n: int, seed: int) -> float:
    """Create and fill the events table; returns the seconds it took (not part of the figures)."""
    import psycopg

    started = time.perf_counter()
    events = make_events(n, seed)
    xy = make_points(n, seed) - np.asarray(DBSCAN_ORIGIN_M) + np.asarray(ORIGIN_M)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute(f"DROP TABLE IF EXISTS {TABLE}")
        db.execute(f"CREATE TABLE {TABLE} (id text, type text, date date, geom geometry(Point, 27700))")
        buffer = io.StringIO()
        for i, t, d, x, y in zip(events["id"], events["type"], events["date"], xy[:, 0], xy[:, 1], strict=True):
            buffer.write(f"{i}\t{t}\t{d}\tSRID=27700;POINT({x:.3f} {y:.3f})\n")
        with db.cursor().copy(f"COPY {TABLE} FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        db.execute(f"VACUUM ANALYZE {TABLE}")
    return time.perf_counter() - started


def floor(url: str) -> float:
    import psycopg

    started = time.perf_counter()
    size = 0
    with psycopg.connect(url) as db, db.cursor() as cursor, cursor.copy(f"COPY {TABLE} TO STDOUT") as copy:
        for block in copy:
            size += len(block)
    elapsed = time.perf_counter() - started
    floor.bytes = size  # type: ignore[attr-defined]
    return elapsed


def read(url: str):
    from hotspots.params import load_config
    from hotspots.postgis import DatabaseSource, read_events_db

    columns = load_config(None).columns
    started = time.perf_counter()
    result = read_events_db(DatabaseSource(url, table=TABLE), columns)
    return time.perf_counter() - started, result


def analyse(url: str):
    from hotspots.jobs import ReadOptions, run_map
    from hotspots.params import build_params, load_config

    config = load_config(None)
    params = build_params(config, eps_m=200.0, min_samples=5)
    result = run_map(url, config=config, params=params, read=ReadOptions(table=TABLE))
    return result.analysis


def write(url: str, analysis) -> tuple[float, dict[str, int]]:
    from hotspots.export.gpkg import map_layers
    from hotspots.export.postgis import write_postgis

    layers = map_layers(analysis)
    started = time.perf_counter()
    sink = write_postgis(
        url, "bench_results", layers, command="map", period=None,
        parameters=analysis.params.as_dict(), inputs=analysis.inputs, counts={"hotspots": len(analysis.hotspots)},
    )
    return time.perf_counter() - started, sink.rows


def run(url: str, n: int, seed: int, repeat: int) -> int:
    print(f"loading {n:,} events into {TABLE} ...", flush=True)
    print(f"  loaded in {load_table(url, n, seed):.1f} s (not measured)", flush=True)
    floors = [floor(url) for _ in range(repeat)]
    reads = []
    for _ in range(repeat):
        seconds, result = read(url)
        reads.append(seconds)
    print(f"  raw rows read: {len(result.raw):,}; COPY text: {floor.bytes / 1e6:.1f} MB", flush=True)  # type: ignore[attr-defined]
    print("analysing (not measured) ...", flush=True)
    analysis = analyse(url)
    writes = []
    for _ in range(repeat):
        seconds, rows = write(url, analysis)
        writes.append(seconds)
    t_floor, t_read, t_write = (statistics.median(v) for v in (floors, reads, writes))
    ratio = (t_read + t_write) / t_floor
    print()
    print(f"events                         {n:>12,}")
    print(f"tables written                 {', '.join(f'{k} {v:,}' for k, v in rows.items())}")
    print(f"floor: COPY ... TO STDOUT      {t_floor:>10.2f} s")
    print(f"read_events_db (raw table)     {t_read:>10.2f} s   {t_read / t_floor:5.2f}x the floor")
    print(f"write_postgis (results)        {t_write:>10.2f} s   {t_write / t_floor:5.2f}x the floor")
    print(f"read + write                   {t_read + t_write:>10.2f} s   {ratio:5.2f}x the floor (goal: <= 3x)")
    print(f"load average at the end        {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="events (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each measurement (median)")
    parser.add_argument("--url", help="an existing database (default: start a throw-away server)")
    args = parser.parse_args(argv)
    print(f"load average at the start      {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.url:
        return run(args.url, args.n, args.seed, args.repeat)
    import _postgis

    reason = _postgis.unavailable_reason()
    if reason:
        print(f"cannot start a server: {reason}", file=sys.stderr)
        return 2
    with _postgis.running_server() as server:
        return run(server.url(), args.n, args.seed, args.repeat)


if __name__ == "__main__":
    raise SystemExit(main())
