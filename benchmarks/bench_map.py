"""Benchmark the map page: HTML size and load time in headless Chromium, event points on.

For each N (default 1,000, 10,000 and 100,000 events of the ``bench_pipeline.py`` workload)
the script runs ``hotspots map EVENTS --show-points --eps 200 --min-samples 5`` in a child
process, then opens ``map.html`` in Debian's headless Chromium (Playwright with the system
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
aggregates, see hotspots.render.map.COMPACT_ABOVE). ``--sample`` adds the bundled sample's
map (2024Q4, its config) to the table. ``--no-points`` maps without event points. Sizes are in
MB of 10^6 bytes. Browser times are wall-clock: the load average at the start is printed, and
figures taken on a loaded machine are not comparable.

Usage::

    .venv/bin/python benchmarks/bench_map.py
    .venv/bin/python benchmarks/bench_map.py --n 1000 10000 100000 1000000 --repeat 5
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
    parser.add_argument("--n", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--eps", type=float, default=200.0)
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--repeat", type=int, default=3, help="page opens per N (median)")
    parser.add_argument("--timeout-s", type=float, default=300.0)
    parser.add_argument(
        "--src", type=Path, default=ROOT / "src", help="folder holding the hotspots package"
    )
    parser.add_argument("--keep", type=Path, help="write CSVs and maps here, not a temp dir")
    parser.add_argument(
        "--sample", action="store_true", help="also time the bundled sample's map (2024Q4)"
    )
    parser.add_argument(
        "--no-points", dest="points", action="store_false", help="map without event points"
    )
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
        f"workload: bench_pipeline.py's, seed {args.seed}; hotspots map --show-points "
        f"--eps {args.eps:g} --min-samples {args.min_samples}; median of {args.repeat} opens"
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp_name, sync_playwright() as playwright:
        base = args.keep or Path(tmp_name)
        base.mkdir(parents=True, exist_ok=True)
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=LAUNCH_ARGS
        )
        try:
            workloads: list[int | str] = (["sample"] if args.sample else []) + list(args.n)
            for n in workloads:
                work = base / f"map-n{n}"
                work.mkdir(exist_ok=True)
                out = work / "out"
                if n == "sample":
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
                        *(["--show-points"] if args.points and n != "sample" else []),
                        "--quiet",
                    ],
                    capture_output=True,
                    text=True,
                    env=child_env(),
                    check=False,
                )
                cli_s = time.perf_counter() - t0
                if proc.returncode != 0:
                    print(
                        f"N {n:,}: hotspots map failed (exit {proc.returncode}): "
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
                    (n, size_mb, aggregated, med, opens[0]["count"], problems, cli_s, n_hotspots, large)
                )
                print(
                    f"\nN {n if isinstance(n, str) else f'{n:,}'}: map.html {size_mb:.2f} MB, "
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
        f"{'events':>8} {'hotspots':>8} {'MB':>6} {'points':>10} {'page':>7} {'load ms':>8} "
        f"{'paths ms':>9} {'frame ms':>9} {'paths':>6} {'errors':>6} {'failed':>6} {'blocked':>7}"
    )
    print(header)
    print("-" * len(header))
    for n, size_mb, aggregated, med, count, problems, _cli_s, n_hotspots, large in rows:
        points = "aggregated" if aggregated else ("points" if args.points else "off")
        print(
            f"{n:>8} {n_hotspots:>8} {size_mb:>6.2f} {points:>10} "
            f"{'large' if large else 'full':>7} "
            f"{med['load']:>8.0f} {med['paths']:>9.0f} {med['frame']:>9.0f} {count:>6} "
            f"{problems['errors']:>6} {problems['failed']:>6} {problems['blocked']:>7}"
        )
    print("goal (issue 6): map.html under 5 MB at 100,000 events with points on")
    print(
        "goals (issue 20): sample load < 500 ms; 1,000,000 events load < 2,000 ms; "
        "10,000 hotspots < 5 MB"
    )
    print("load average at end (1, 5, 15 min): " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
