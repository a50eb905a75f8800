"""What the process plumbing of ``hotspots.process`` saves at a million events.

Runs ``hotspots map`` end to end on the ``bench_pipeline.py`` workload (same events, eps 200 m,
min_samples 5, all dates) in a fresh child process per run, in four variants:

* ``as shipped``: ``hotspots.cli.run`` -- quick exit, background imports, numba preload;
* ``normal exit``: ``hotspots.cli.main`` and an ordinary interpreter exit (teardown included);
* ``no background imports``: :func:`hotspots.process.import_in_background` does nothing;
* ``no numba preload``: :func:`hotspots.dbscan.preload_kernels` does nothing.

The variants run in interleaved rounds (ABCD ABCD ...), so a slow spell on a shared machine
falls on all of them; it prints each variant's median wall time (launch to exit) and its
difference from ``as shipped``. A plumbing piece that saves under 0.5 s is not worth its code.

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
from bench_pipeline import DEFAULT_SEED, machine_summary, write_events  # noqa: E402

VARIANTS = {
    "as shipped": "from hotspots.cli import run\nrun()\n",
    "normal exit": "import sys\nfrom hotspots.cli import main\nsys.exit(main())\n",
    "no background imports": (
        "import hotspots.process as p\np.import_in_background = lambda modules: None\n"
        "from hotspots.cli import run\nrun()\n"
    ),
    "no numba preload": (
        "import hotspots.dbscan as d\nd.preload_kernels = lambda: None\n"
        "from hotspots.cli import run\nrun()\n"
    ),
}


def timed(script: str, args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.argv = ['hotspots', *{args!r}]\n{script}"],
        check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="events")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each variant")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)

    src = Path(__file__).resolve().parents[1] / "src"
    env = {**os.environ, "PYTHONPATH": str(src)}
    with tempfile.TemporaryDirectory() as scratch:
        events = Path(scratch) / "events.csv"
        digest = write_events(events, args.n, args.seed)
        print(machine_summary())
        print(f"{args.n:,} events, sha256 {digest[:16]}; {args.rounds} interleaved rounds")
        command = ["map", str(events), "--eps", "200", "--min-samples", "5", "--quiet"]
        times: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for round_number in range(args.rounds):
            for name, script in VARIANTS.items():
                out = Path(scratch) / f"out-{round_number}-{len(times[name])}"
                times[name].append(timed(script, [*command, "--out", str(out)], env))
                print(f"  round {round_number + 1}: {name:<22} {times[name][-1]:6.2f} s", flush=True)
        base = statistics.median(times["as shipped"])
        print(f"\n{'variant':<24}{'median s':>10}{'vs shipped':>12}")
        for name, values in times.items():
            median = statistics.median(values)
            print(f"{name:<24}{median:>10.2f}{median - base:>+12.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
