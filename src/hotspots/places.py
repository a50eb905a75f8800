"""Settlement names with a size class, for labels and for naming where a hotspot is.

The bundled file (``data/places/places_gb.csv``, built by ``scripts/build_places.py``) holds
the 5,792 populated places of England, Wales and Scotland with 500 people or more in
GeoNames, in British National Grid metres. Size class from the GeoNames population:
1 city (100,000 or more), 2 town (10,000 to 99,999), 3 village or other.

This is the stable API the map labels use: :func:`load_places` and :func:`nearest_place`.
"""

from __future__ import annotations

import functools
import importlib.resources
import threading
from typing import TYPE_CHECKING, Final

import numpy as np

from hotspots.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

#: Attribution for any output that shows these names (GeoNames asks for credit, CC BY 4.0).
SOURCE: Final = (
    "Place names: GeoNames (geonames.org), licensed under Creative Commons Attribution 4.0"
)
SIZE_CITY: Final = 1
SIZE_TOWN: Final = 2
SIZE_OTHER: Final = 3
#: Population thresholds of the size classes (see the module docstring).
CITY_MIN_POPULATION: Final = 100_000
TOWN_MIN_POPULATION: Final = 10_000
_RESOURCE: Final = ("data", "places", "places_gb.csv")
_LOCK = threading.Lock()


@functools.cache
def _load_cached() -> pd.DataFrame:
    import pandas as pd

    resource = importlib.resources.files("hotspots").joinpath(*_RESOURCE)
    try:
        with resource.open("rb") as fh:
            frame = pd.read_csv(
                fh,
                dtype={"name": str, "x_m": "int64", "y_m": "int64", "size_class": "int8",
                       "population": "int64", "country": str, "geonameid": "int64"},
                keep_default_na=False,
            )
    except FileNotFoundError:
        raise InputError(
            f"the bundled places file {'/'.join(_RESOURCE)} is missing from the installed "
            "package; reinstall hotspots"
        ) from None
    return frame


def load_places() -> pd.DataFrame:
    """Return every bundled place.

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``x_m``, ``y_m`` (EPSG:27700 metres), ``size_class`` (1 city,
        2 town, 3 village or other), then ``population``, ``country`` (ENG, WLS, SCT) and
        ``geonameid``; sorted by size class, then population (largest first). A copy: the
        caller may change it.
    """
    with _LOCK:
        return _load_cached().copy()


@functools.cache
def _tree() -> tuple[object, np.ndarray]:
    from scipy.spatial import cKDTree

    places = _load_cached()
    xy = places[["x_m", "y_m"]].to_numpy(dtype=float)
    return cKDTree(xy), places["name"].to_numpy(dtype=object)


def nearest_place(x_m: np.ndarray, y_m: np.ndarray) -> np.ndarray:
    """Name of the nearest bundled place to each point.

    Parameters
    ----------
    x_m, y_m
        Eastings and northings in metres (EPSG:27700), same length.

    Returns
    -------
    numpy.ndarray
        Object array of names; ``None`` where a coordinate is not finite.
    """
    x = np.asarray(x_m, dtype=float).ravel()
    y = np.asarray(y_m, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"x_m and y_m differ in length: {x.size} and {y.size}")
    out = np.full(x.size, None, dtype=object)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any():
        with _LOCK:
            tree, names = _tree()
        _, idx = tree.query(np.column_stack([x[ok], y[ok]]), k=1)  # type: ignore[attr-defined]
        out[ok] = names[idx]
    return out
