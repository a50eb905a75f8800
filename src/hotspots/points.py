"""Arrays of point coordinates in metres, checked once for every consumer."""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspots.errors import ConfigError


def as_points(xy: Any, name: str) -> np.ndarray:
    """Return ``xy`` as a C-contiguous float64 (n, 2) array of finite values, or raise."""
    try:
        arr = np.asarray(xy, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{name} must be an array of shape (n, 2) holding x, y in metres; "
            f"got {type(xy).__name__} that is not numeric ({exc})"
        ) from exc
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ConfigError(
            f"{name} must be an array of shape (n, 2) holding x, y in metres; got shape {arr.shape}"
        )
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ConfigError(
            f"{name} must hold finite coordinates; found {rows.size} row(s) with NaN or infinity "
            f"(first at row {rows[0]}); drop or repair them first"
        )
    return np.ascontiguousarray(arr)
