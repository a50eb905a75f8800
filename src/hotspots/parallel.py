"""Large array calls split into one block per processor core, run in threads.

PROJ (through pyproj) and GEOS (through shapely 2's vectorised functions) release the GIL
while they work, so one call over a large array can be cut into contiguous blocks that
run at the same time. Each element is computed exactly as it would be on its own, so the
result is the same, value for value, whatever the number of blocks. Small arrays run in
one call: starting threads costs more than it saves.

Blocks must not share a prepared geometry: GEOS builds a prepared geometry's index on first
use, unguarded (libgeos/geos#825), so callers give each block its own shapes or copies.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

#: Items per block below which splitting does not pay for the threads.
MIN_BLOCK = 100_000


def cores() -> int:
    """Processor cores this process may run on (fewer than the machine's in a limited container)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_blocks(func: Callable[[int, int], T], n: int, min_block: int | None = None) -> list[T]:
    """``func(start, stop)`` over contiguous blocks covering ``range(n)``, in order.

    Parameters
    ----------
    func
        Called once per block with its start and stop; it must release the GIL to gain.
    n
        Number of items.
    min_block
        Fewest items per block (default :data:`MIN_BLOCK`): ``n // min_block`` blocks at
        most, and one per core at most.

    Returns
    -------
    list
        The blocks' results in block order (one item when ``n`` is small).
    """
    workers = min(cores(), n // max(min_block or MIN_BLOCK, 1))
    if workers < 2:
        return [func(0, n)]
    from concurrent.futures import ThreadPoolExecutor

    edges = np.linspace(0, n, workers + 1).astype(int).tolist()
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(func, edges[:-1], edges[1:]))


def elementwise(func: Callable[[np.ndarray], np.ndarray], values: np.ndarray, min_block: int | None = None) -> np.ndarray:
    """``func(values)`` for an element-wise ``func`` (e.g. ``shapely.buffer``), in blocks."""
    parts = in_blocks(lambda a, b: func(values[a:b]), len(values), min_block)
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def transform(
    transformer: Any, x: np.ndarray, y: np.ndarray, min_block: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``transformer.transform(x, y, errcheck=False)`` of many points, in blocks.

    pyproj gives each thread its own copy of the transformation (thread-safe since 3.1).
    """
    parts = in_blocks(lambda a, b: transformer.transform(x[a:b], y[a:b], errcheck=False), len(x), min_block)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([px for px, _ in parts]), np.concatenate([py for _, py in parts])
