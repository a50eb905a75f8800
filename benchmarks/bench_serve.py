"""Benchmark ``hotspots serve`` under load: 50 clients x 200 requests against 127.0.0.1.

The script builds a runs folder of --bundles bundles (one holds a --map-mb MB ``map.html``),
starts ``hotspots serve`` on a free loopback port (audit log on, fsync on: the production
setting), and runs --clients threads, each with its own keep-alive connection, each sending
--requests requests drawn (fixed seed) from this mix:

* 40 % listings (``/``, a third of them with a search ``?q=``),
* 25 % bundle pages (``/b/<run id>/``),
* 25 % product pages (a briefing, ~20 kB, viewed inline),
* 10 % downloads of the 5 MB map (``?download=1``, read to the end).

Each request is timed from send to last byte. Reported: requests, errors (any status other
than 200, or a socket error), p50 / p95 / p99 latency, throughput (requests/s and MB/s),
the server's RSS at start, end and peak (``/proc/<pid>/status``, sampled every 0.2 s), and the
audit log's line count and chain check. With --with-run (default on when ``hotspots.jobs``
exists) a ``hotspots run`` of the bundled sample data (one map) writes a new bundle in the
middle of the load; the script reports how long it took, whether the new bundle was listed
afterwards, and the errors seen while it ran. Everything is on loopback; nothing leaves the
machine.

Usage::

    .venv/bin/python benchmarks/bench_serve.py
    .venv/bin/python benchmarks/bench_serve.py --clients 10 --requests 50 --no-run
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
sys.path.insert(0, str(SRC))
sys.path.insert(0, str(REPO / "tests"))

# The service tests' bundle writer, port finder and server command: one copy for both.
from servehelp import free_port, serve_argv, write_bundle

ACCESS = """
contact = "benchmark"
[users.bench]
role = "analyst"
areas = ["E07000148", "E07000145", "E07000143", "E07000144", "E07000146", "E07000147", "E07000149"]
"""
AREAS = [
    ("E07000148", "Norwich"),
    ("E07000145", "Great Yarmouth"),
    ("E07000143", "Breckland"),
    ("E07000144", "Broadland"),
    ("E07000146", "King's Lynn and West Norfolk"),
    ("E07000147", "North Norfolk"),
    ("E07000149", "South Norfolk"),
]
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def big_map(mb: float) -> bytes:
    head = f'<!DOCTYPE html><html><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{CSP}" />\n<title>map</title></head><body>\n'
    rng = random.Random(7)
    # Incompressible-ish filler, like the map's embedded GeoJSON coordinates.
    line = "".join(
        f"[{rng.uniform(0.9, 1.8):.6f},{rng.uniform(52.3, 53.0):.6f}]," for _ in range(400)
    )
    body = []
    size = len(head)
    target = int(mb * 1_000_000)
    while size < target:
        body.append(line + "\n")
        size += len(line) + 1
    return (head + "".join(body) + "</body></html>\n").encode()


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=200, help="requests per client")
    parser.add_argument("--bundles", type=int, default=40)
    parser.add_argument("--map-mb", type=float, default=5.0)
    parser.add_argument("--with-run", dest="with_run", action="store_true", default=None)
    parser.add_argument("--no-run", dest="with_run", action="store_false")
    parser.add_argument("--keep", type=Path, help="keep the runs folder here")
    args = parser.parse_args()
    if args.with_run is None:
        args.with_run = (SRC / "hotspots" / "jobs.py").exists()

    scratch = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    runs = scratch / "runs"
    runs.mkdir()
    map_html = big_map(args.map_mb)
    brief = big_map(0.02)
    for i in range(args.bundles):
        area = AREAS[i % len(AREAS)]
        files = {"brief": ("brief", "internal", {"briefing.html": brief})}
        if i == 0:
            files["map"] = ("map", "internal", {"map.html": map_html})
        created = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T06:00:00Z"
        write_bundle(runs, f"r{i:03d}", areas=[area], products=files, created=created)
    access = scratch / "ACCESS.toml"
    access.write_text(ACCESS)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    server = subprocess.Popen(
        serve_argv(runs, access, port),
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.1)
        time.sleep(0.5)
        rss_start = rss_kb(server.pid)
        rss_peak = [rss_start]
        rss_series: list[tuple[float, int]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.2):
                now = rss_kb(server.pid)
                rss_peak[0] = max(rss_peak[0], now)
                rss_series.append((time.perf_counter(), now))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        rng = random.Random(42)
        plans = []
        for _ in range(args.clients):
            plan = []
            for _ in range(args.requests):
                roll = rng.random()
                if roll < 0.40:
                    path = (
                        "/"
                        if rng.random() < 2 / 3
                        else "/?q=" + rng.choice(["norwich", "E07000145", "broad"])
                    )
                    kind = "list"
                elif roll < 0.65:
                    path, kind = f"/b/r{rng.randrange(args.bundles):03d}/", "bundle"
                elif roll < 0.90:
                    path, kind = (
                        f"/b/r{rng.randrange(args.bundles):03d}/brief/briefing.html",
                        "page",
                    )
                else:
                    path, kind = "/b/r000/map/map.html?download=1", "map"
                plan.append((kind, path))
            plans.append(plan)

        results: list[tuple[str, float, float, int, bool]] = []  # kind, start, seconds, bytes, ok
        lock = threading.Lock()
        barrier = threading.Barrier(args.clients + 1)

        def client(plan: list[tuple[str, str]]) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            mine = []
            barrier.wait()
            for kind, path in plan:
                t0 = time.perf_counter()
                ok, size = False, 0
                try:
                    conn.request("GET", path, headers={"X-Remote-User": "bench"})
                    response = conn.getresponse()
                    while chunk := response.read(1 << 16):
                        size += len(chunk)
                    ok = response.status == 200
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                mine.append((kind, t0, time.perf_counter() - t0, size, ok))
            conn.close()
            with lock:
                results.extend(mine)

        threads = [threading.Thread(target=client, args=(p,)) for p in plans]
        for t in threads:
            t.start()
        run_report = {}

        def run_during_load() -> None:
            time.sleep(3)
            job = scratch / "job.toml"
            job.write_text(
                'name = "bench-live"\n'
                f'inputs = ["{REPO / "data" / "sample" / "events.csv"}"]\n'
                f'config = "{REPO / "data" / "sample" / "norfolk.toml"}"\n'
                'period = "2024Q4"\n[[products]]\nkind = "map"\n'
            )
            t0 = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "hotspots", "run", str(job), "--runs", str(runs), "--quiet"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            run_report.update(
                start=t0,
                seconds=time.perf_counter() - t0,
                status=done.returncode,
                folder=done.stdout.strip(),
                stderr=done.stderr.strip()[-300:],
            )

        runner = threading.Thread(target=run_during_load)
        if args.with_run:
            runner.start()
        t_start = time.perf_counter()
        barrier.wait()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t_start
        if args.with_run:
            runner.join()
        stop.set()
        sampler.join()
        rss_end = rss_kb(server.pid)

        total = len(results)
        errors = sum(1 for r in results if not r[4])
        latencies = sorted(r[2] for r in results)

        def q(p: float) -> float:
            return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

        print(
            f"clients {args.clients} x requests {args.requests} = {total}; bundles {args.bundles}; "
            f"map {len(map_html) / 1e6:.1f} MB; {os.cpu_count()} CPUs shared by client and server"
        )
        print(f"errors {errors}")
        print(
            f"latency ms: p50 {q(0.50):.1f}  p95 {q(0.95):.1f}  p99 {q(0.99):.1f}  max {latencies[-1] * 1000:.1f}"
        )
        for kind in ("list", "bundle", "page", "map"):
            ks = sorted(r[2] for r in results if r[0] == kind)
            if ks:
                print(
                    f"  {kind:6s} n={len(ks):5d}  p50 {statistics.median(ks) * 1000:7.1f}  "
                    f"p95 {ks[min(len(ks) - 1, int(0.95 * len(ks)))] * 1000:7.1f}"
                )
        mb = sum(r[3] for r in results) / 1e6
        print(
            f"throughput {total / elapsed:.0f} requests/s, {mb / elapsed:.0f} MB/s ({mb:.0f} MB in {elapsed:.1f} s)"
        )
        print(
            f"server RSS MB: start {rss_start / 1024:.0f}, end {rss_end / 1024:.0f}, peak {rss_peak[0] / 1024:.0f}"
        )
        marks = []
        for tenth in range(1, 11):
            when = t_start + elapsed * tenth / 10
            near = min(rss_series, key=lambda item: abs(item[0] - when), default=(0.0, 0))
            marks.append(f"{near[1] / 1024:.0f}")
        print("server RSS MB at each tenth of the load: " + " ".join(marks))
        log = runs / "audit.jsonl"
        from hotspots.auditlog import verify_log

        check = verify_log(log)
        print(
            f"audit log: {check.lines} lines, chain {'intact' if check.ok else 'BROKEN at ' + str(check.broken_line)}"
        )
        if args.with_run:
            t0, t1 = run_report["start"], run_report["start"] + run_report["seconds"]
            during = [r for r in results if t0 <= r[1] <= t1]
            listed = False
            if run_report["status"] == 0:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", "/", headers={"X-Remote-User": "bench"})
                listed = Path(run_report["folder"]).name in conn.getresponse().read().decode()
                conn.close()
            lat = sorted(r[2] for r in during) or [0.0]
            print(
                f"hotspots run during the load: exit {run_report['status']}, {run_report['seconds']:.1f} s; "
                f"{len(during)} requests answered meanwhile, errors {sum(1 for r in during if not r[4])}, "
                f"p95 {lat[int(0.95 * (len(lat) - 1))] * 1000:.1f} ms; new bundle listed: {listed}"
            )
            if run_report["status"] != 0:
                print("  run stderr:", run_report["stderr"])
    finally:
        server.terminate()
        server.wait(timeout=10)
        if args.keep:
            shutil.copytree(runs, args.keep, dirs_exist_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
