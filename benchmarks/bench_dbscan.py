"""Benchmark the grid DBSCAN engine against scikit-learn: time, peak memory, agreement.

Every (N, eps, engine) run happens in a fresh child process, so peak memory is the OS's
high-water mark (VmHWM from /proc/self/status), reset just before the clustering call and read
straight after it: resident imports and the input count, data generation and saving do not. Each child first warms up on a small input, so
the timed call excludes numba compilation (the grid engine's compile, or load from numba's
cache, is reported as "warmup s") and scikit-learn's import. Only the fit is timed for
scikit-learn; relabelling its result for the comparison happens afterwards.

The workload is reproducible from --seed: N points in a 100 km square placed in British
National Grid range, 60 % in a few hundred Gaussian clusters (sigma 50-300 m), 40 % uniform.

Usage::

    PYTHONPATH=src python benchmarks/bench_dbscan.py
    PYTHONPATH=src python benchmarks/bench_dbscan.py --sizes 10000 100000 --eps 200
    PYTHONPATH=src python benchmarks/bench_dbscan.py --skip-sklearn-above 100000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

SQUARE_M = 100_000.0
ORIGIN_M = (400_000.0, 200_000.0)  # inside British National Grid's extent
N_BLOBS = 300
CLUSTERED_SHARE = 0.6


def make_points(n: int, seed: int) -> np.ndarray:
    """Return the benchmark workload: n points (x, y) in metres, reproducible from seed."""
    rng = np.random.default_rng(seed)
    n_clustered = round(n * CLUSTERED_SHARE)
    centres = rng.uniform(0.0, SQUARE_M, size=(N_BLOBS, 2))
    sigmas = rng.uniform(50.0, 300.0, size=N_BLOBS)
    blob = rng.integers(0, N_BLOBS, size=n_clustered)
    clustered = centres[blob] + rng.normal(size=(n_clustered, 2)) * sigmas[blob, None]
    background = rng.uniform(0.0, SQUARE_M, size=(n - n_clustered, 2))
    xy = np.concatenate([clustered, background]) + np.asarray(ORIGIN_M)
    return xy[rng.permutation(n)]


def _peak_mb() -> float:
    """This process's resident-memory high-water mark in MB (VmHWM)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _reset_peak() -> None:
    """Restart the high-water mark at the current RSS, so it covers only what follows.

    Without this the peak would include data generation; where the kernel refuses (old
    kernels, some sandboxes) the peak simply covers the whole child.
    """
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def run_child(
    engine: str, n: int, eps: float, min_samples: int, seed: int, out: str, mem_cap_gib: float
) -> None:
    """Run one engine once and print a JSON record; save labels and core flags to ``out``."""
    from hotspots import dbscan as engine_module

    xy = make_points(n, seed)
    record: dict[str, object] = {"engine": engine, "n": n, "eps": eps}
    warm = make_points(2000, seed + 1)
    t0 = time.perf_counter()
    if engine == "grid":
        engine_module.dbscan_grid(warm, eps, min_samples)
    else:
        from sklearn.cluster import DBSCAN

        DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree").fit(warm)
    record["warmup_s"] = time.perf_counter() - t0
    _reset_peak()

    try:
        if engine == "grid":
            t0 = time.perf_counter()
            result = engine_module.dbscan_grid(xy, eps, min_samples)
            record["seconds"] = time.perf_counter() - t0
            record["peak_mb"] = _peak_mb()
            labels, core = result.labels, result.core
        else:
            from sklearn.cluster import DBSCAN

            if mem_cap_gib > 0:
                # Soft limit only, so it can be lifted again for the relabelling below.
                hard = resource.getrlimit(resource.RLIMIT_AS)[1]
                cap = int(mem_cap_gib * 2**30)
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            t0 = time.perf_counter()
            fitted = DBSCAN(eps=eps, min_samples=min_samples, algorithm="kd_tree", n_jobs=1).fit(xy)
            record["seconds"] = time.perf_counter() - t0
            record["peak_mb"] = _peak_mb()
            hard = resource.getrlimit(resource.RLIMIT_AS)[1]
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            core = np.zeros(n, dtype=bool)
            core[fitted.core_sample_indices_] = True
            raw = np.asarray(fitted.labels_, dtype=np.int64)
            del fitted
            # Same numbering and border rule as the grid engine, outside the timed call.
            labels = engine_module._relabel_reference(xy, eps, raw, core).labels
    except MemoryError:
        record["status"] = f"MemoryError (cap {mem_cap_gib:g} GiB)"
        record["peak_mb"] = _peak_mb()
        print(json.dumps(record))
        return
    np.savez(out, labels=labels, core=core)
    record["status"] = "ok"
    record["clusters"] = int(labels.max()) + 1 if labels.size else 0
    print(json.dumps(record))


def compare(grid_file: str, ref_file: str) -> str:
    """Describe agreement: core mask, partition of core points, border labels that differ."""
    a = np.load(grid_file)
    b = np.load(ref_file)
    if not np.array_equal(a["core"], b["core"]):
        return f"CORE DIFFERS ({int((a['core'] != b['core']).sum())} points)"
    core = a["core"]
    la = a["labels"][core]
    lb = b["labels"][core]
    # Partitions are equal iff the label pairs form a bijection between the two labellings.
    pairs = np.unique(np.stack([la, lb]), axis=1)
    same_partition = pairs.shape[1] == np.unique(la).size == np.unique(lb).size
    if not same_partition:
        return "PARTITION DIFFERS"
    border_diff = int((a["labels"][~core] != b["labels"][~core]).sum())
    return f"equal; {border_diff} border labels differ"


def machine_summary() -> str:
    """CPU model, cores, RAM and library versions."""
    cpu = platform.processor() or "unknown cpu"
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as fh:
            mem_gib = int(fh.readline().split()[1]) / 2**20
    except OSError:
        mem_gib = float("nan")
    libs = ", ".join(
        f"{name} {version(name)}" for name in ("numpy", "numba", "scikit-learn", "scipy")
    )
    return (
        f"{cpu}; {os.cpu_count()} cores; {mem_gib:.1f} GiB RAM; "
        f"Python {platform.python_version()}; {libs}"
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the benchmark matrix, one child per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--eps", type=float, nargs="+", default=[200.0, 500.0])
    parser.add_argument("--min-samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--skip-sklearn-above",
        type=int,
        default=None,
        metavar="N",
        help="do not run scikit-learn for N above this",
    )
    parser.add_argument(
        "--sklearn-mem-cap-gib",
        type=float,
        default=16.0,
        help="address-space cap for scikit-learn children (0: none)",
    )
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        engine, out = args.child
        run_child(
            engine,
            args.sizes[0],
            args.eps[0],
            args.min_samples,
            args.seed,
            out,
            args.sklearn_mem_cap_gib,
        )
        return 0

    print(machine_summary())
    print(
        f"workload: seed {args.seed}, {N_BLOBS} blobs sigma 50-300 m holding "
        f"{CLUSTERED_SHARE:.0%}, rest uniform over {SQUARE_M / 1000:g} km square; "
        f"min_samples {args.min_samples}"
    )
    header = (
        f"{'N':>9} {'eps':>5} {'engine':>7} {'seconds':>9} {'peak MB':>9} "
        f"{'warmup s':>9} {'clusters':>8}  agreement / ratio"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            for eps in args.eps:
                records: dict[str, dict[str, object]] = {}
                for engine in ("grid", "sklearn"):
                    out = str(Path(tmp) / f"{engine}.npz")
                    if (
                        engine == "sklearn"
                        and args.skip_sklearn_above is not None
                        and n > args.skip_sklearn_above
                    ):
                        records[engine] = {"status": "skipped"}
                    else:
                        cmd = [
                            sys.executable,
                            __file__,
                            "--child",
                            engine,
                            out,
                            "--sizes",
                            str(n),
                            "--eps",
                            str(eps),
                            "--min-samples",
                            str(args.min_samples),
                            "--seed",
                            str(args.seed),
                            "--sklearn-mem-cap-gib",
                            str(args.sklearn_mem_cap_gib),
                        ]
                        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
                        if proc.returncode != 0:
                            tail = proc.stderr.strip().splitlines()[-1:] or ["?"]
                            records[engine] = {"status": f"failed: {tail[0]}"}
                        else:
                            records[engine] = json.loads(proc.stdout.strip().splitlines()[-1])
                    rec = records[engine]
                    if rec.get("status") == "ok":
                        agree = ""
                        if engine == "sklearn" and records["grid"].get("status") == "ok":
                            agree = compare(str(Path(tmp) / "grid.npz"), out)
                        print(
                            f"{n:>9} {eps:>5g} {engine:>7} {rec['seconds']:>9.3f} "
                            f"{rec['peak_mb']:>9.0f} {rec['warmup_s']:>9.2f} "
                            f"{rec['clusters']:>8}  {agree}",
                            flush=True,
                        )
                    else:
                        peak = rec.get("peak_mb")
                        peak_s = f"{peak:>9.0f}" if isinstance(peak, float) else f"{'-':>9}"
                        print(
                            f"{n:>9} {eps:>5g} {engine:>7} {'-':>9} {peak_s} {'-':>9} "
                            f"{'-':>8}  {rec['status']}",
                            flush=True,
                        )
                g, s = records["grid"], records["sklearn"]
                if g.get("status") == "ok" and s.get("status") == "ok":
                    print(
                        f"{'':>24} sklearn/grid: time x{s['seconds'] / g['seconds']:.1f}, "
                        f"peak memory x{s['peak_mb'] / g['peak_mb']:.1f}",
                        flush=True,
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
