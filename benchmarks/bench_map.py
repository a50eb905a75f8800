"""Benchmark the map page: HTML size and load time in headless Chromium, against the goals.

Workloads (``--workloads``; the default measures every goal of issue 20 item 7 and issue 6):

* ``sample``: the bundled sample's map (2024Q4, its config): goal load < 0.5 s;
* ``events:N``: N events of the ``bench_pipeline.py`` workload, ``hotspots map EVENTS --eps 200
  --min-samples 5`` (no event points, the default map): goal at 1,000,000 events load < 2 s;
* ``points:N``: the same with ``--show-points``: goal at 100,000 events under 5 MB (issue 6);
* ``hotspots:N``: planted hotspots (6 harm events within 20 m at every node of a 400 m grid,
  every other one with 4 enforcement events too, so half thin), mapped with the same options;
  10 % more are planted than N, since districts holding under 1 % of the events fall outside
  the default study area: the table gives the number of hotspots found. Goal at 10,000
  hotspots: under 5 MB.

For each the script runs ``hotspots map`` in a child process, then opens ``map.html`` in
Debian's headless Chromium (Playwright with the system
executable) with the network cut off: every request that is not ``file:`` or ``data:`` is
aborted and counted, and Chromium's resolver maps every host to nothing. Each page is opened
--repeat times (default 3), each in a fresh browser context, and the median is reported of:

* load: ``performance.timing.loadEventEnd - navigationStart`` (ms);
* paths: from navigation start until ``.leaflet-overlay-pane`` first holds an SVG ``path``
  (districts, hotspot footprints, enforcement clusters), seen by a MutationObserver installed
  before the page's own scripts run;
* frame: from navigation start until the first animation frame after both, i.e. the map
  drawn on screen (event points and grid cells are on a canvas, drawn in that frame).

It also reports whether the page switched to the aggregated (grid-cell) layer, as the map's
header says ("Event points aggregated: ..."), the SVG path count, and console errors, failed
and blocked requests (all should be 0). Goals: under 5 MB at 100,000 events with points on
(issue 6); the bundled sample's map loads in under 0.5 s, the million-event map in under 2 s,
and a page of 10,000 hotspots stays under 5 MB (issue 20: above 2,000 hotspots the page
aggregates, see hotspots.render.map.COMPACT_ABOVE). The last table prints each goal, the
figure measured and their ratio. Sizes are in MB of 10^6 bytes. Browser times are
wall-clock: the load average at the start and end is printed, and figures taken on a loaded
machine are not comparable with figures from an idle one.

Usage::

    .venv/bin/python benchmarks/bench_map.py
    .venv/bin/python benchmarks/bench_map.py --workloads sample events:1000000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import (
    DEFAULT_SEED,
    ROOT,
    check_source,
    child_env,
    machine_summary,
    write_events,
)

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # one argv item: no shell quotes
]
VIEWPORT = {"width": 1280, "height": 800}
LOCAL_SCHEMES = ("file:", "data:")
PATH_SELECTOR = ".leaflet-overlay-pane path"
AGGREGATED_MARK = "event points aggregated"  # the warning in the title block

#: Runs before the page's scripts: note when the overlay pane first holds a path.
WATCH_PATHS = """
(() => {
  const selector = __SELECTOR__;
  const seen = () => {
    if (window.__benchPathsAt === undefined && document.querySelector(selector)) {
      window.__benchPathsAt = performance.now();
      return true;
    }
    return false;
  };
  const observer = new MutationObserver(() => { if (seen()) observer.disconnect(); });
  observer.observe(document, {childList: true, subtree: true});
})();
""".replace("__SELECTOR__", json.dumps(PATH_SELECTOR))

#: After load and paths: wait for the next frame to be produced, then read the clocks.
READ_TIMES = """
() => new Promise((resolve) => {
  requestAnimationFrame(() => requestAnimationFrame(() => {
    const t = performance.timing;
    resolve({
      load: t.loadEventEnd - t.navigationStart,
      paths: window.__benchPathsAt,
      frame: performance.now(),
      count: document.querySelectorAll(__SELECTOR__).length,
    });
  }));
})
""".replace("__SELECTOR__", json.dumps(PATH_SELECTOR))


def write_planted_hotspots(path: Path, n: int, seed: int) -> None:
    """About 1.1 N planted hotspots on a 400 m grid around bench_pipeline's origin (docstring)."""
    import numpy as np
    import pandas as pd
    from bench_pipeline import BNG_TO_WGS84, ORIGIN_M
    from pyproj import Transformer

    rng = np.random.default_rng([seed, 7])
    n = int(np.ceil(1.1 * n))
    side = int(np.ceil(np.sqrt(n)))
    k = np.arange(n)
    spacing = 400.0  # twice eps: neighbours never join
    centre_x = ORIGIN_M[0] - side * spacing / 2 + (k % side) * spacing
    centre_y = ORIGIN_M[1] - side * spacing / 2 + (k // side) * spacing
    covered = k % 2 == 1
    harm_n, enf_n = 6, 4
    cx = np.concatenate([np.repeat(centre_x, harm_n), np.repeat(centre_x[covered], enf_n)])
    cy = np.concatenate([np.repeat(centre_y, harm_n), np.repeat(centre_y[covered], enf_n)])
    kinds = ["cuckooing"] * (n * harm_n) + ["raid"] * (int(covered.sum()) * enf_n)
    x = cx + rng.uniform(-20, 20, len(cx))
    y = cy + rng.uniform(-20, 20, len(cy))
    lon, lat = Transformer.from_pipeline(BNG_TO_WGS84).transform(x, y)
    days = rng.integers(0, 366, len(cx))
    pd.DataFrame(
        {
            "id": [f"PH{i:07d}" for i in range(len(cx))],
            "type": kinds,
            "date": (np.datetime64("2024-01-01") + days.astype("timedelta64[D]")).astype(str),
            "lat": np.round(lat, 6),
            "lon": np.round(lon, 6),
        }
    ).to_csv(path, index=False, lineterminator="\n")


def parse_workload(text: str) -> tuple[str, int]:
    """``"sample"`` or ``"events:1000000"`` -> (kind, N)."""
    kind, _, number = text.partition(":")
    if kind == "sample" and not number:
        return kind, 0
    if kind not in {"events", "points", "hotspots"} or not number.replace("_", "").isdigit():
        raise argparse.ArgumentTypeError(
            f"workload {text!r}: expected sample, events:N, points:N or hotspots:N"
        )
    return kind, int(number.replace("_", ""))


#: (workload, what is measured, goal or None, unit, source) for the goals table.
GOALS: tuple[tuple[tuple[str, int], str, float | None, str, str], ...] = (
    (("sample", 0), "load", 500.0, "ms", "issue 20: sample map loads < 0.5 s"),
    (("events", 1_000_000), "load", 2000.0, "ms", "issue 20: 1M-event map loads < 2 s"),
    (("hotspots", 10_000), "size", 5.0, "MB", "issue 20: 10,000-hotspot page < 5 MB"),
    (("hotspots", 10_000), "load", None, "ms", "10,000-hotspot page load (no goal)"),
    (("points", 100_000), "size", 5.0, "MB", "issue 6: 100k events with points < 5 MB"),
)


def open_timed(browser: Any, html: Path, timeout_ms: float) -> dict[str, Any]:
    """Open html once in a fresh context; return times, path count and problems seen."""
    context = browser.new_context(viewport=VIEWPORT, service_workers="block")
    blocked: list[str] = []
    failed: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()

        def route(r: Any) -> None:
            if r.request.url.startswith(LOCAL_SCHEMES):
                r.continue_()
            else:
                blocked.append(r.request.url)
                r.abort("blockedbyclient")

        page.route("**/*", route)
        page.on(
            "requestfailed",
            lambda req: failed.append(req.url) if req.url not in blocked else None,
        )
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.add_init_script(WATCH_PATHS)
        t0 = time.perf_counter()
        page.goto(html.resolve().as_uri(), wait_until="load", timeout=timeout_ms)
        page.wait_for_selector(PATH_SELECTOR, state="attached", timeout=timeout_ms)
        times = page.evaluate(READ_TIMES)
        wall_ms = (time.perf_counter() - t0) * 1000
    finally:
        context.close()
    return {
        **times,
        "wall": wall_ms,
        "blocked": len(blocked),
        "failed": len(failed),
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
    }


def header_points_line(html_text: str) -> str:
    """The map header's sentence about event points, tags removed."""
    match = re.search(r"Event points:[^<]*", html_text)
    if match is None:
        return "?"
    return re.sub(r"<[^>]+>", "", match.group(0)).strip()


def main(argv: list[str] | None = None) -> int:
    """Generate each workload, render its map and time it in headless Chromium."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workloads",
        type=parse_workload,
        nargs="+",
        default=[parse_workload(w) for w in
                 ("sample", "events:1000000", "hotspots:10000", "points:100000")],
        help="sample, events:N, points:N (with --show-points), hotspots:N (planted)",
    )
    parser.add_argument("--eps", type=float, default=200.0)
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3, help="page opens per N (median)")
    parser.add_argument("--timeout-s", type=float, default=300.0)
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="folder holding the hotspots package"
    )
    parser.add_argument("--keep", type=Path, help="write CSVs and maps here, not a temp dir")
    args = parser.parse_args(argv)

    chromium = shutil.which("chromium")
    if chromium is None:
        print("no chromium on PATH (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    version = subprocess.run(
        [chromium, "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    src = check_source(args.src)
    print(machine_summary())
    print(f"hotspots from {src}")
    print("load average at start (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    print(f"browser: {version} (headless, network blocked), viewport 1280x800")
    print(
        f"workloads: {' '.join(k + (f':{n}' if n else '') for k, n in args.workloads)}; seed "
        f"{args.seed}; --eps {args.eps:g} --min-samples {args.min_samples}; median of "
        f"{args.repeat} opens"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name, sync_playwright() as playwright:
        base = args.keep or Path(tmp_name)
        base.mkdir(parents=True, exist_ok=True)
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=LAUNCH_ARGS
        )
        try:
            for kind, n in args.workloads:
                work = base / f"map-{kind}{n or ''}"
                work.mkdir(exist_ok=True)
                out = work / "out"
                if kind == "sample":
                    sample = ROOT / "data" / "sample"
                    command = [
                        str(sample / "events.csv"),
                        "--config",
                        str(sample / "norfolk.toml"),
                        "--period",
                        "2024Q4",
                    ]
                else:
                    csv_path = work / "events.csv"
                    if kind == "hotspots":
                        write_planted_hotspots(csv_path, n, args.seed)
                    else:
                        write_events(csv_path, n, args.seed)
                    command = [
                        str(csv_path),
                        "--eps",
                        f"{args.eps:g}",
                        "--min-samples",
                        str(args.min_samples),
                    ]
                t0 = time.perf_counter()
                proc = subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "hotspots",
                        "map",
                        *command,
                        "--out",
                        str(out),
                        *(["--show-points"] if kind == "points" else []),
                        "--quiet",
                    ],
                    capture_output=True,
                    text=True,
                    env=child_env(),
                    check=False,
                )
                cli_s = time.perf_counter() - t0
                label = kind if kind == "sample" else f"{kind}:{n:,}"
                if proc.returncode != 0:
                    print(
                        f"{label}: hotspots map failed (exit {proc.returncode}): "
                        f"{proc.stderr.strip()[-500:]}"
                    )
                    continue
                html = out / "map.html"
                text = html.read_text(encoding="utf-8")
                size_mb = html.stat().st_size / 1e6
                aggregated = AGGREGATED_MARK in text
                hotspots_line = next(
                    (line for line in proc.stdout.splitlines() if line.startswith("hotspots ")), ""
                )
                opens = [
                    open_timed(browser, html, args.timeout_s * 1000) for _ in range(args.repeat)
                ]
                med = {
                    k: statistics.median(float(o[k]) for o in opens)
                    for k in ("load", "paths", "frame", "wall")
                }
                problems = {
                    k: max(int(o[k]) for o in opens) for k in ("errors", "failed", "blocked")
                }
                n_hotspots = int(m.group(1)) if (m := re.search(r"hotspots (\d+)", hotspots_line)) else -1
                large = "<b>Large map:</b>" in text
                rows.append(
                    ((kind, n), size_mb, aggregated, med, opens[0]["count"], problems, cli_s,
                     n_hotspots, large)
                )
                print(
                    f"\n{label}: map.html {size_mb:.2f} MB, "
                    f"written in {cli_s:.1f} s; {hotspots_line.split(';')[0]}"
                )
                print(f"  header: {header_points_line(text)}")
                print(
                    "  opens (ms): "
                    + "; ".join(
                        f"load {o['load']:.0f} paths {o['paths']:.0f} frame {o['frame']:.0f}"
                        for o in opens
                    )
                )
                if problems["errors"]:
                    print(f"  console error: {opens[0]['first_error'] or '(later open)'}")
        finally:
            browser.close()

    print("\nsummary (browser times: median ms from navigation start)")
    header = (
        f"{'workload':>16} {'hotspots':>8} {'MB':>6} {'points':>10} {'page':>7} {'load ms':>8} "
        f"{'paths ms':>9} {'frame ms':>9} {'paths':>6} {'errors':>6} {'failed':>6} {'blocked':>7}"
    )
    print(header)
    print("-" * len(header))
    for (kind, n), size_mb, aggregated, med, count, problems, _cli_s, n_hotspots, large in rows:
        points = "aggregated" if aggregated else ("points" if kind == "points" else "off")
        name = kind if kind == "sample" else f"{kind}:{n:,}"
        print(
            f"{name:>16} {n_hotspots:>8} {size_mb:>6.2f} {points:>10} "
            f"{'large' if large else 'full':>7} "
            f"{med['load']:>8.0f} {med['paths']:>9.0f} {med['frame']:>9.0f} {count:>6} "
            f"{problems['errors']:>6} {problems['failed']:>6} {problems['blocked']:>7}"
        )
    print("\ngoals (measured / goal: at most 1.00 meets the goal)")
    measured = {row[0]: row for row in rows}
    for workload, what, goal, unit, source in GOALS:
        row = measured.get(workload)
        if row is None:
            print(f"  {source}: not measured (add the workload)")
            continue
        value = row[3]["load"] if what == "load" else row[1]
        figure = f"{value:,.{0 if unit == 'ms' else 2}f} {unit}"
        if what == "size" and workload[0] == "hotspots":
            figure += f" with {row[7]:,} hotspots"
        if goal is None:
            print(f"  {source}: {figure}")
            continue
        verdict = "met" if value < goal else "NOT met"
        print(f"  {source}: {figure} = {value / goal:.2f} x goal, {verdict}")
    print("load average at end (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
