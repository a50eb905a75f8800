"""Benchmark the whole ``hotspots map`` job against the floor of reading and projecting.

For each N the script writes a reproducible events CSV (``id,type,date,lat,lon``, WGS84 to 6
decimals) into a temporary folder, then measures, each in a fresh child process:

* the floor: ``pandas.read_csv(engine="pyarrow")`` of that file plus projecting lon/lat to
  EPSG:27700 with pyproj (transformer creation included); the median of three rounds in one
  process, imports excluded;
* the end to end run: ``python -m hotspots map EVENTS --out DIR --eps 200`` (all dates, no
  ``--period``), its wall time from launch to exit and its peak resident memory (``ru_maxrss``
  of that one child, from ``os.wait4``). The per-stage breakdown comes from the
  ``[  12.3s] step`` progress lines the CLI prints to standard error, timestamped as they
  arrive; a stage lasts until the next line, the last one until the process exits;
* ``python -m hotspots --help`` (median of --repeat runs).

It prints the ratio end to end / floor; the goal in issue 5 is at most 5x at 1,000,000 events,
and ``--help`` well under a second. For the largest N, ``--breakdown`` runs the CLI once
more in-process with the main functions wrapped in timers (inclusive seconds, no profiler
overhead) and ``--profile`` runs it under cProfile, listing the top functions by file:line.
``--src DIR`` benchmarks another tree of the package (e.g. a commit exported with
``git archive``); ``--e2e-repeat K`` reports the median of K end-to-end runs.

Workload (the one of ``bench_dbscan.py``, moved to East Anglia): N points in the 100 km square
E 530-630 km, N 220-320 km of British National Grid (south Norfolk, Suffolk, Cambridgeshire,
north Essex; about 0.8 % falls in the sea and is rejected as outside the districts), 60 % in 300
Gaussian clusters (sigma 50-300 m), 40 % uniform; types cuckooing 40 % (harm), raid 30 % and
seizure 30 % (enforcement), independent of position; dates uniform over 2024. Coordinates are
converted to WGS84 with one fixed PROJ pipeline (the one ``scripts/make_sample.py`` uses), so
the file is byte-identical for a given --n and --seed on any machine (its SHA-256 is printed).

Usage::

    .venv/bin/python benchmarks/bench_pipeline.py                  # 1,000,000 events
    .venv/bin/python benchmarks/bench_pipeline.py --n 100000 1000000 --e2e-repeat 3 --breakdown
    .venv/bin/python benchmarks/bench_pipeline.py --n 1000000 --profile --top 30
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dbscan import ORIGIN_M as DBSCAN_ORIGIN_M
from bench_dbscan import make_points

ROOT = Path(__file__).resolve().parent.parent
#: South-west corner of the 100 km square, British National Grid metres: about 99 % land.
ORIGIN_M = (530_000.0, 220_000.0)
#: Event types and their shares; the first is harm, the others enforcement (built-in roles).
TYPE_SHARES = {"cuckooing": 0.4, "raid": 0.3, "seizure": 0.3}
YEAR_START = np.datetime64("2024-01-01")
YEAR_DAYS = 366
DEFAULT_SEED = 20240601

#: British National Grid -> WGS84 degrees, OSGB36 to WGS 84 (6) (EPSG:1314, ~2 m); as in
#: scripts/make_sample.py, spelled out so the output does not depend on the OSTN15 grid.
BNG_TO_WGS84 = (
    "+proj=pipeline "
    "+step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 "
    "+ellps=airy "
    "+step +proj=push +v_3 "
    "+step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector "
    "+step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 "
    "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

PROGRESS_LINE = re.compile(r"^\[\s*([0-9.]+)s\] (.*)$")

#: Functions timed by --breakdown (inclusive wall time, outermost call only). Private names
#: change as the code does: a target that no longer exists is listed as missing, not an error.
BREAKDOWN_TARGETS = (
    ("hotspots.pipeline", "load"),
    ("hotspots.io", "read_events"),
    ("hotspots.io", "_read_table_arrow"),
    ("hotspots.boundaries", "load_boundaries"),
    ("hotspots.validate", "validate"),
    ("hotspots.validate", "_parse_dates"),
    ("hotspots.validate", "_project"),
    ("hotspots.validate", "_numbers"),
    ("hotspots.validate", "_place"),
    ("hotspots.validate", "_repeated"),
    ("hotspots.analysis", "analyse"),
    ("hotspots.cluster", "cluster_events"),
    ("hotspots.analysis", "_hotspots"),
    ("hotspots.analysis", "_enforcement_clusters"),
    ("hotspots.cluster", "footprints"),
    ("hotspots.analysis", "_points_in"),
    ("hotspots.analysis", "_majority_area"),
    ("hotspots.analysis", "_areas"),
    ("hotspots.analysis", "stacked_points"),
    ("hotspots.render.map", "map_html"),
    ("hotspots.render.features", "web_features"),
    ("hotspots.render.map", "_add_areas"),
    ("hotspots.render.map", "_add_clusters"),
    ("hotspots.render.map", "_add_hotspots"),
    ("hotspots.render.map_events", "add_point_layers"),
    ("hotspots.render.map_events", "add_grid_layers"),
    ("hotspots.render.offline", "offline_html"),
    ("hotspots.render.offline", "_private_copy"),
    ("hotspots.render.offline", "_assign_deterministic_ids"),
    ("folium.folium", "Map.render"),  # every layer to JavaScript (prepared data excluded)
    ("hotspots.render.offline", "_insert_prepared_data"),
    ("hotspots.render.offline", "_script_hashes"),
    ("hotspots.render.offline", "_reject_external_references"),
    ("hotspots.jobs", "_write_map_tables"),
    ("hotspots.outputs", "geojson_text"),
    ("hotspots.geojson", "web_geometries"),
    ("hotspots.geojson", "geometry_json"),
)


# --- workload ----------------------------------------------------------------------------------


def make_events(n: int, seed: int):  # -> pd.DataFrame (pandas imported lazily)
    """Return the benchmark events: columns id, type, date, lat, lon; reproducible from seed."""
    import pandas as pd
    from pyproj import Transformer

    xy = make_points(n, seed) - np.asarray(DBSCAN_ORIGIN_M) + np.asarray(ORIGIN_M)
    rng = np.random.default_rng([seed, 1])
    types = np.array(list(TYPE_SHARES))
    kind = rng.choice(types, size=n, p=list(TYPE_SHARES.values()))
    days = rng.integers(0, YEAR_DAYS, size=n)
    lon, lat = Transformer.from_pipeline(BNG_TO_WGS84).transform(xy[:, 0], xy[:, 1])
    ids = pd.Series(np.arange(1, n + 1)).astype(str).str.zfill(7)
    return pd.DataFrame(
        {
            "id": "EV" + ids,
            "type": kind,
            "date": (YEAR_START + days.astype("timedelta64[D]")).astype(str),
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
        }
    )


def write_events(path: Path, n: int, seed: int) -> str:
    """Write the benchmark events CSV to path and return its SHA-256."""
    make_events(n, seed).to_csv(path, index=False, float_format="%.6f", lineterminator="\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- children ----------------------------------------------------------------------------------


def _peak_mb() -> float:
    """This process's resident-memory high-water mark in MB (VmHWM)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def floor_child(csv_path: str, rounds: int) -> None:
    """Print JSON: import time, then median read and project times over ``rounds`` rounds."""
    t0 = time.perf_counter()
    import pandas as pd
    from pyproj import Transformer

    import_s = time.perf_counter() - t0
    reads, projects, rows = [], [], 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        table = pd.read_csv(csv_path, engine="pyarrow")
        t1 = time.perf_counter()
        transformer = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
        x, y = transformer.transform(table["lon"].to_numpy(), table["lat"].to_numpy())
        t2 = time.perf_counter()
        reads.append(t1 - t0)
        projects.append(t2 - t1)
        rows = len(table)
        assert np.isfinite(x).all() and np.isfinite(y).all()
        del table, x, y
    print(
        json.dumps(
            {
                "import_s": import_s,
                "read_s": statistics.median(reads),
                "project_s": statistics.median(projects),
                "rows": rows,
                "peak_mb": _peak_mb(),
            }
        )
    )


def breakdown_child(report_path: str, cli_args: list[str]) -> None:
    """Run ``hotspots`` in this process with BREAKDOWN_TARGETS wrapped in timers.

    Writes JSON to ``report_path``: for each target reached, its first-call order, nesting
    depth, calls and inclusive seconds. Every module-level reference to a target (``from x
    import f`` copies the name) is replaced, so calls through any module are counted.
    """
    import functools
    import importlib

    t_start = time.perf_counter()
    for module in {m for m, _ in BREAKDOWN_TARGETS} | {"hotspots.cli"}:
        importlib.import_module(module)
    stats: dict[str, dict[str, float]] = {}
    # Each thread has its own stack of timed calls in progress: the job clusters enforcement
    # in a worker thread while the main thread scores hotspots.
    per_thread = threading.local()
    missing = []
    for module_name, qualname in BREAKDOWN_TARGETS:
        owner: object = sys.modules[module_name]
        *outer, attr = qualname.split(".")
        for part in outer:
            owner = getattr(owner, part)
        original = getattr(owner, attr, None)
        if original is None:
            missing.append(f"{module_name}.{qualname}")
            continue
        key = f"{module_name}.{qualname}"

        def timed(*a: Any, __f: Any = original, __key: str = key, **kw: Any) -> Any:
            active = per_thread.__dict__.setdefault("active", [])
            if __key in active:  # recursion: count the outermost call only
                return __f(*a, **kw)
            entry = stats.setdefault(
                __key, {"order": len(stats), "depth": len(active), "calls": 0, "seconds": 0.0}
            )
            active.append(__key)
            t0 = time.perf_counter()
            try:
                return __f(*a, **kw)
            finally:
                entry["seconds"] += time.perf_counter() - t0
                entry["calls"] += 1
                active.pop()

        wrapper = functools.wraps(original)(timed)
        setattr(owner, attr, wrapper)
        if not outer:  # module-level function: patch every copy of the name
            for mod in list(sys.modules.values()):
                if getattr(mod, "__name__", "").startswith("hotspots"):
                    for name, value in list(vars(mod).items()):
                        if value is original:
                            setattr(mod, name, wrapper)
    import_s = time.perf_counter() - t_start
    from hotspots.cli import main as cli_main

    code = 0
    try:
        cli_main(cli_args, prog_name="hotspots")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    Path(report_path).write_text(
        json.dumps(
            {
                "imports_s": import_s,
                "total_s": time.perf_counter() - t_start,
                "exit": code,
                "stats": stats,
                "missing": missing,
            }
        )
    )


def print_breakdown(report: dict[str, Any]) -> None:
    """Print the timed functions as a tree in first-call order."""
    print("\nfunction breakdown (inclusive wall seconds, no profiler; hotspots map in-process):")
    print(f"  {report['imports_s']:7.2f}  imports before the CLI starts")
    stats: dict[str, dict[str, float]] = report["stats"]
    for key, entry in sorted(stats.items(), key=lambda kv: kv[1]["order"]):
        indent = "  " * int(entry["depth"])
        calls = f" ({int(entry['calls'])} calls)" if entry["calls"] != 1 else ""
        print(f"  {entry['seconds']:7.2f}  {indent}{key}{calls}")
    print(f"  {report['total_s']:7.2f}  total (exit {report['exit']})")
    if report["missing"]:
        print("  not found (renamed?): " + ", ".join(report["missing"]))


#: The source tree children import hotspots from (``--src``); the repository's by default.
SOURCE = {"src": ROOT / "src"}


def child_env() -> dict[str, str]:
    """The environment for children: the chosen src first, so no install is needed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SOURCE["src"]), env.get("PYTHONPATH", "")) if p
    )
    return env


def check_source(src: Path) -> Path:
    """Use ``src`` (a folder holding the hotspots package) for every child; return it resolved."""
    src = src.resolve()
    if not (src / "hotspots" / "__init__.py").is_file():
        raise SystemExit(f"--src {src}: no hotspots package there (expected hotspots/__init__.py)")
    SOURCE["src"] = src
    return src


@dataclass(frozen=True)
class Run:
    """One timed child: wall seconds, peak RSS, exit code, timestamped stderr, stdout."""

    wall_s: float
    peak_mb: float
    returncode: int
    stderr: list[tuple[float, str]]
    stdout: str


def run_timed(cmd: list[str], stdout_path: Path) -> Run:
    """Run cmd; return wall time, peak RSS, exit code and stderr lines with arrival times.

    Standard output goes to ``stdout_path``; standard error is read line by line as it
    arrives, so each progress line carries the moment the parent saw it.
    """
    lines: list[tuple[float, str]] = []
    with open(stdout_path, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True, env=child_env())

        def drain() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                lines.append((time.perf_counter() - t0, line.rstrip("\n")))

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        # wait4 gives this one child's rusage (RUSAGE_CHILDREN would be a max over all children).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join()
    return Run(
        wall_s=wall,
        peak_mb=usage.ru_maxrss / 1024.0,
        returncode=proc.returncode,
        stderr=lines,
        stdout=stdout_path.read_text(),
    )


def stages(run: Run) -> list[tuple[str, float]]:
    """Per-stage seconds from progress lines: start-up, each step, and the tail to exit."""
    marks = [
        (arrived, m.group(2)) for arrived, line in run.stderr if (m := PROGRESS_LINE.match(line))
    ]
    if not marks:
        return [("whole run (no progress lines)", run.wall_s)]
    out = [("start-up and imports (to first progress line)", marks[0][0])]
    ends = [t for t, _ in marks[1:]] + [run.wall_s]
    for (start, step), end in zip(marks, ends, strict=True):
        out.append((step, end - start))
    last = out[-1]
    out[-1] = (f"{last[0]} + writing outputs + exit", last[1])
    return out


# --- reporting ---------------------------------------------------------------------------------


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "absent"


def machine_summary() -> str:
    """CPU model, cores, RAM, Python and the versions of the libraries the pipeline uses."""
    cpu = platform.processor() or "unknown cpu"
    mem_gib = float("nan")
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            mem_gib = int(fh.readline().split()[1]) / 2**20
    except OSError:
        pass
    libs = ", ".join(
        f"{name} {_version(name)}"
        for name in (
            "numpy",
            "pandas",
            "pyarrow",
            "pyproj",
            "shapely",
            "geopandas",
            "numba",
            "folium",
        )
    )
    return (
        f"{cpu}; {os.cpu_count()} cores; {mem_gib:.1f} GiB RAM; "
        f"Python {platform.python_version()}; {libs}"
    )


def summary_lines(stdout: str) -> list[str]:
    """The CLI's own result lines worth repeating (rows, rejected, hotspots)."""
    keep = ("rows read", "  rejected", "hotspots ")
    return [line for line in stdout.splitlines() if line.startswith(keep)]


def profile_run(csv_path: Path, out_dir: Path, eps: float, min_samples: int, top: int) -> None:
    """Run the CLI under cProfile and print the top functions by own and cumulative time."""
    import pstats

    prof = out_dir.parent / "map.prof"
    cmd = [
        sys.executable,
        "-m",
        "cProfile",
        "-o",
        str(prof),
        "-m",
        "hotspots",
        "map",
        str(csv_path),
        "--out",
        str(out_dir),
        "--eps",
        f"{eps:g}",
        "--min-samples",
        str(min_samples),
        "--quiet",
    ]
    subprocess.run(cmd, check=True, env=child_env(), stdout=subprocess.DEVNULL)
    stats = pstats.Stats(str(prof))
    for key, title in (("tottime", "own time"), ("cumulative", "cumulative time")):
        print(f"\ncProfile, top {top} by {title} (seconds; file:line(function)):")
        rows = sorted(
            stats.stats.items(),  # type: ignore[attr-defined]  # pstats keeps it undocumented
            key=lambda item: item[1][2] if key == "tottime" else item[1][3],
            reverse=True,
        )
        shown = 0
        for (filename, line, func), (_cc, ncalls, tottime, cumtime, _callers) in rows:
            if key == "cumulative" and "hotspots" not in filename:
                continue  # cumulative: only our own functions, the places to change
            where = filename.replace(str(ROOT) + "/", "")
            where = re.sub(r".*/site-packages/", "", where)
            print(f"  {tottime:8.2f} {cumtime:8.2f} {ncalls:>9}  {where}:{line}({func})")
            shown += 1
            if shown >= top:
                break
    print("  (columns: own s, cumulative s, calls)")


def main(argv: list[str] | None = None) -> int:
    """Generate the workload for each N and print floor, end-to-end and --help figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1_000_000], help="event counts")
    parser.add_argument("--eps", type=float, default=200.0, help="DBSCAN eps in metres")
    parser.add_argument("--min-samples", type=int, default=5, help="as in issue 5's workload")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3, help="runs of --help and of the floor")
    parser.add_argument("--e2e-repeat", type=int, default=1, help="runs of hotspots map per N")
    parser.add_argument("--profile", action="store_true", help="also profile the largest N")
    parser.add_argument("--top", type=int, default=20, help="rows per profile table")
    parser.add_argument(
        "--breakdown", action="store_true", help="also time key functions for the largest N"
    )
    parser.add_argument(
        "--src",
        type=Path,
        default=ROOT / "src",
        help="folder holding the hotspots package to benchmark (default: this repository's "
        "src), e.g. a tree exported with git archive",
    )
    parser.add_argument("--keep", type=Path, help="write CSVs and outputs here, not a temp dir")
    parser.add_argument("--child-floor", help=argparse.SUPPRESS)
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child-breakdown"]:  # the CLI's own options follow: not ours to parse
        breakdown_child(argv[1], argv[2:])
        return 0
    args = parser.parse_args(argv)

    if args.child_floor:
        floor_child(args.child_floor, args.repeat)
        return 0

    src = check_source(args.src)
    print(machine_summary())
    print(f"hotspots from {src}")
    print("load average at start (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(
        f"workload: seed {args.seed}; East Anglia, BNG square E {ORIGIN_M[0] / 1000:g}-"
        f"{ORIGIN_M[0] / 1000 + 100:g} km, N {ORIGIN_M[1] / 1000:g}-{ORIGIN_M[1] / 1000 + 100:g} km; "
        f"60 % in 300 Gaussian clusters, 40 % uniform; "
        + ", ".join(f"{t} {s:.0%}" for t, s in TYPE_SHARES.items())
        + f"; dates over 2024; hotspots map --eps {args.eps:g} --min-samples {args.min_samples}"
    )
    py = [sys.executable]
    helps = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        subprocess.run(
            [*py, "-m", "hotspots", "--help"],
            check=True,
            env=child_env(),
            stdout=subprocess.DEVNULL,
        )
        helps.append(time.perf_counter() - t0)
    print(
        f"hotspots --help: median {statistics.median(helps):.3f} s, min {min(helps):.3f} s "
        f"over {len(helps)} runs (goal: well under 1 s)"
    )

    results = []
    with tempfile.TemporaryDirectory() as tmp_name:
        base = args.keep or Path(tmp_name)
        base.mkdir(parents=True, exist_ok=True)
        for n in args.n:
            work = base / f"n{n}"
            work.mkdir(exist_ok=True)
            csv_path = work / "events.csv"
            t0 = time.perf_counter()
            sha = write_events(csv_path, n, args.seed)
            gen_s = time.perf_counter() - t0
            size_mb = csv_path.stat().st_size / 1e6
            print(
                f"\nN {n:,}: wrote {csv_path.name} {size_mb:.1f} MB in {gen_s:.1f} s, "
                f"sha256 {sha[:16]}…"
            )

            floor_proc = subprocess.run(
                [*py, __file__, "--child-floor", str(csv_path), "--repeat", str(args.repeat)],
                capture_output=True,
                text=True,
                check=True,
                env=child_env(),
            )
            floor = json.loads(floor_proc.stdout.strip().splitlines()[-1])
            floor_s = floor["read_s"] + floor["project_s"]
            print(
                f"  floor: read {floor['read_s']:.3f} s + project {floor['project_s']:.3f} s = "
                f"{floor_s:.3f} s (imports {floor['import_s']:.2f} s, peak {floor['peak_mb']:.0f} MB)"
            )

            cmd = [
                *py,
                "-m",
                "hotspots",
                "map",
                str(csv_path),
                "--out",
                str(work / "out"),
                "--eps",
                f"{args.eps:g}",
                "--min-samples",
                str(args.min_samples),
            ]
            runs = [run_timed(cmd, work / "stdout.txt") for _ in range(args.e2e_repeat)]
            bad = [r for r in runs if r.returncode != 0]
            if bad:
                tail = "\n".join(line for _, line in bad[0].stderr[-5:])
                print(f"  hotspots map FAILED (exit {bad[0].returncode}):\n{tail}")
                continue
            first_s = runs[0].wall_s  # pays numba's compile if its cache was cold
            # The median run by wall time gives the figures and the stage breakdown.
            runs.sort(key=lambda r: r.wall_s)
            run = runs[len(runs) // 2]
            wall = run.wall_s
            html_mb = (work / "out" / "map.html").stat().st_size / 1e6
            spread = (
                f" (median of {len(runs)}: " + ", ".join(f"{r.wall_s:.2f}" for r in runs) + ")"
                if len(runs) > 1
                else ""
            )
            print(
                f"  end to end: {wall:.2f} s{spread}, peak RSS {run.peak_mb:.0f} MB, "
                f"map.html {html_mb:.2f} MB; x{wall / floor_s:.1f} the floor"
            )
            if len(runs) > 1:
                print(f"  first run {first_s:.2f} s (includes numba compilation if uncached)")
            for line in summary_lines(run.stdout):
                print(f"    {line.strip()}")
            print("  stages (seconds, from the CLI's progress lines):")
            for step, secs in stages(run):
                print(f"    {secs:7.2f}  {step}")
            results.append((n, size_mb, floor, floor_s, run, wall))

        print("\nsummary")
        header = (
            f"{'N':>9} {'CSV MB':>7} {'read s':>7} {'proj s':>7} {'floor s':>8} "
            f"{'e2e s':>7} {'peak MB':>8} {'e2e/floor':>9}"
        )
        print(header)
        print("-" * len(header))
        for n, size_mb, floor, floor_s, run, wall in results:
            print(
                f"{n:>9} {size_mb:>7.1f} {floor['read_s']:>7.3f} {floor['project_s']:>7.3f} "
                f"{floor_s:>8.3f} {wall:>7.2f} {run.peak_mb:>8.0f} {wall / floor_s:>8.1f}x"
            )
        print("goal (issue 5): e2e/floor <= 5x at 1,000,000 events")

        n = max(args.n)
        work = base / f"n{n}"
        if args.breakdown:
            report_path = work / "breakdown.json"
            subprocess.run(
                [
                    *py,
                    __file__,
                    "--child-breakdown",
                    str(report_path),
                    "map",
                    str(work / "events.csv"),
                    "--out",
                    str(work / "out-breakdown"),
                    "--eps",
                    f"{args.eps:g}",
                    "--min-samples",
                    str(args.min_samples),
                    "--quiet",
                ],
                check=True,
                env=child_env(),
                stdout=subprocess.DEVNULL,
            )
            print_breakdown(json.loads(report_path.read_text()))
        if args.profile:
            profile_run(
                work / "events.csv", work / "out-profile", args.eps, args.min_samples, args.top
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
