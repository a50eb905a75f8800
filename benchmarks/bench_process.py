"""What each piece of process plumbing in ``hotspots.process`` can save, measured in isolation.

On a shared machine a million-event ``hotspots map`` run varies by tens of seconds from one
run to the next, far more than the fractions of a second at stake, so comparing whole runs
measures the neighbours. Each piece is timed where it acts instead:

* **quick exit** (``hotspots.cli.run`` ends with ``os._exit`` once outputs are written): the
  interpreter teardown it skips, measured at N events as the time from the command's return
  to the process's end, with an ordinary exit (``sys.exit``) and with the quick exit;
* **background imports** (:func:`hotspots.process.import_in_background` loads the map
  renderer while the input is read): at most the time importing ``hotspots.render.map``
  takes once the analysis modules are loaded, in a fresh process (independent of N);
* **numba preload** (:func:`hotspots.dbscan.preload_kernels`): at most the time loading the
  grid kernels takes (numba import and cached machine code), in a fresh process.

Each figure is the median of ``--rounds`` fresh processes. A piece whose saving is under
0.5 s at a million events does not earn its code.

Usage::

    .venv/bin/python benchmarks/bench_process.py                 # 1,000,000 events, 3 rounds
    .venv/bin/python benchmarks/bench_process.py --n 200000 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_pipeline import DEFAULT_SEED, machine_summary, write_events

# Each prints "RETURNED <time.time()>" to stderr when the command has returned.
QUICK_EXIT = """
import sys, time
import hotspots.process as process
quick = process.flush_and_exit
def stamped(status):
    print(f"RETURNED {time.time()!r}", file=sys.stderr, flush=True)
    quick(status)
process.flush_and_exit = stamped
from hotspots.cli import run
run()
"""
NORMAL_EXIT = """
import sys, time
from hotspots.cli import main
try:
    main()
except SystemExit as exc:
    print(f"RETURNED {time.time()!r}", file=sys.stderr, flush=True)
    raise
"""
RENDERER_IMPORT = """
import time
import hotspots.jobs, hotspots.pipeline, hotspots.analysis, hotspots.compare  # loaded by then
started = time.perf_counter()
import hotspots.render.map
print(time.perf_counter() - started)
"""
KERNEL_LOAD = """
import time
import hotspots.dbscan as dbscan
started = time.perf_counter()
dbscan._kernels()
print(time.perf_counter() - started)
"""


def teardown_s(script: str, args: list[str], env: dict[str, str]) -> float:
    """Seconds from the command's return to the end of its process."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv = ['hotspots', *{args!r}]\n{script}"],
        check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    ended = time.time()
    stamps = [line for line in done.stderr.splitlines() if line.startswith("RETURNED ")]
    if done.returncode != 0 or not stamps:
        raise SystemExit(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    return ended - float(stamps[-1].split()[1])


def printed_s(script: str, env: dict[str, str]) -> float:
    done = subprocess.run(
        [sys.executable, "-c", script], check=True, env=env, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="events")
    parser.add_argument("--rounds", type=int, default=3, help="fresh processes per figure")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    print(machine_summary())
    figures: dict[str, list[float]] = {
        "renderer import (background imports, upper bound)": [],
        "kernel load (numba preload, upper bound)": [],
    }
    for _ in range(args.rounds):
        figures["renderer import (background imports, upper bound)"].append(printed_s(RENDERER_IMPORT, env))
        figures["kernel load (numba preload, upper bound)"].append(printed_s(KERNEL_LOAD, env))
    with tempfile.TemporaryDirectory() as scratch:
        events = Path(scratch) / "events.csv"
        digest = write_events(events, args.n, args.seed)
        print(f"{args.n:,} events, sha256 {digest[:16]}; {args.rounds} rounds")
        command = ["map", str(events), "--eps", "200", "--min-samples", "5", "--quiet"]
        quick, normal = f"teardown, quick exit ({args.n:,})", f"teardown, normal exit ({args.n:,})"
        figures[quick], figures[normal] = [], []
        for number in range(args.rounds):
            for name, script in ((quick, QUICK_EXIT), (normal, NORMAL_EXIT)):
                out = Path(scratch) / f"out-{number}"
                figures[name].append(teardown_s(script, [*command, "--out", str(out)], env))
                print(f"  round {number + 1}: {name}: {figures[name][-1]:.2f} s", flush=True)
    print(f"\n{'figure':<56}{'median s':>10}   runs")
    for name, values in figures.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"{name:<56}{statistics.median(values):>10.2f}   {runs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
