"""The force's own finer areas (wards, neighbourhood policing areas, beats): read, and name hotspots.

``--local-areas FILE`` takes any polygon file with a code and a name field. Each hotspot is
named by the local area holding most of its footprint (``local_area_code``,
``local_area_name``; equal shares go to the smaller code), and ``local_areas.csv`` counts the
hotspots and their events per local area.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np

from hotspots import schema
from hotspots.errors import InputError

COL_LOCAL_CODE: Final = "local_area_code"
COL_LOCAL_NAME: Final = "local_area_name"

#: ``local_areas.csv`` columns, in order.
LOCAL_AREA_COLUMNS: Final = (
    COL_LOCAL_CODE,
    COL_LOCAL_NAME,
    "hotspots",  # hotspots whose footprint lies mostly in the local area
    "thin_hotspots",
    "harm_in_hotspots",  # harm events of those hotspots
    "harm_in_thin_hotspots",
    "enforcement_in_hotspots",  # enforcement of the period inside those footprints
)
#: Field names tried, in order, when none is given (case-insensitive).
CODE_FIELDS: Final = ("code", "local_area_code", "area_code", "id")
NAME_FIELDS: Final = ("name", "local_area_name", "area_name")


@dataclass(frozen=True)
class LocalAreas:
    """Local-area polygons in EPSG:27700 (``local_area_code``, ``local_area_name``)."""

    areas: Any  # geopandas.GeoDataFrame
    source: str  # e.g. "Local areas: wards.geojson (code field WD24CD, name field WD24NM)"


def _pick_field(columns: list[str], given: str | None, candidates: tuple[str, ...], suffix: str) -> str | None:
    """The field to use: the one given, a known name, or the single ONS-style ``…CD``/``…NM``."""
    if given is not None:
        return given if given in columns else None
    lower = {c.lower(): c for c in columns}
    for name in candidates:
        if name in lower:
            return lower[name]
    ons = [c for c in columns if c.upper().endswith(suffix) and len(c) > len(suffix)]
    return ons[0] if len(ons) == 1 else None


def load_local_areas(
    path: Path, *, code_field: str | None = None, name_field: str | None = None
) -> LocalAreas:
    """Read local-area polygons and project them to British National Grid.

    Parameters
    ----------
    path
        Any polygon file GDAL reads (GeoJSON, GeoPackage, shapefile, ...), with a CRS.
    code_field, name_field
        The fields holding each area's code and name. ``None`` tries ``code``/``name`` (and
        ``local_area_code``, ``area_code``, ``id`` / ``local_area_name``, ``area_name``),
        then a single ONS-style field ending in ``CD`` / ``NM`` (e.g. ``WD24CD``, ``WD24NM``).

    Raises
    ------
    InputError
        The file is missing, unreadable, without CRS or polygons, lacks the fields, or gives
        one code two different names.
    """
    import geopandas as gpd

    if not path.exists():
        raise InputError(f"{path}: local areas file not found; check the path given to --local-areas")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # noqa: BLE001 -- pyogrio raises several types; all mean "cannot read"
        raise InputError(f"{path}: cannot read local areas ({exc})") from None
    columns = [c for c in frame.columns if c != frame.geometry.name]
    code = _pick_field(columns, code_field, CODE_FIELDS, "CD")
    name = _pick_field(columns, name_field, NAME_FIELDS, "NM")
    if code is None or name is None:
        wanted = []
        if code is None:
            wanted.append(f"code field {code_field!r}" if code_field else "a code field")
        if name is None:
            wanted.append(f"name field {name_field!r}" if name_field else "a name field")
        raise InputError(
            f"{path}: no {' and no '.join(wanted)} in the local areas. Fields found: "
            f"{', '.join(repr(c) for c in columns) or 'none'}. Fix: name them with "
            "--local-area-code-field and --local-area-name-field"
        )
    if frame.crs is None:
        raise InputError(f"{path}: the local areas have no coordinate reference system; save them with one")
    polygonal = frame.geom_type.isin(["Polygon", "MultiPolygon"])
    if not polygonal.any():
        raise InputError(f"{path}: no polygons among the local areas (found {sorted(set(frame.geom_type.dropna()))})")
    frame = frame[polygonal & ~frame.geometry.is_empty]
    areas = gpd.GeoDataFrame(
        {
            COL_LOCAL_CODE: frame[code].astype(str).str.strip().to_numpy(),
            COL_LOCAL_NAME: frame[name].astype(str).str.strip().to_numpy(),
        },
        geometry=frame.geometry.make_valid().to_numpy(),
        crs=frame.crs,
    ).to_crs(schema.CRS_METRIC)
    names = areas.groupby(COL_LOCAL_CODE)[COL_LOCAL_NAME].nunique()
    clash = sorted(names[names > 1].index)
    if clash:
        raise InputError(
            f"{path}: code {clash[0]!r} has more than one name in field {name!r} "
            f"({len(clash)} codes like this); each code must have one name"
        )
    # One row per code (a code split over several polygons is one area).
    areas = areas.dissolve(by=COL_LOCAL_CODE, as_index=False, sort=True)[
        [COL_LOCAL_CODE, COL_LOCAL_NAME, "geometry"]
    ]
    source = f"Local areas: {path.name} (code field {code}, name field {name})"
    return LocalAreas(areas.reset_index(drop=True), source)


def majority_local_area(shapes: np.ndarray, local: LocalAreas) -> tuple[np.ndarray, np.ndarray]:
    """Code and name of the local area holding the largest part of each footprint.

    ``""`` where a footprint touches no local area; equal overlaps go to the smaller code.
    """
    import shapely

    n = len(shapes)
    code = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    if n == 0 or len(local.areas) == 0:
        return code, name
    polygons = np.asarray(local.areas.geometry.values)
    area_idx, shape_idx = shapely.STRtree(shapes).query(polygons, predicate="intersects")
    if len(shape_idx) == 0:
        return code, name
    overlap = shapely.area(shapely.intersection(shapes[shape_idx], polygons[area_idx]))
    codes = local.areas[COL_LOCAL_CODE].to_numpy()
    # Rows are sorted by code, so the area index orders codes: largest overlap, then smallest index.
    order = np.lexsort((area_idx, -overlap, shape_idx))
    shape_idx, area_idx, overlap = shape_idx[order], area_idx[order], overlap[order]
    first = np.r_[True, shape_idx[1:] != shape_idx[:-1]] & (overlap > 0)
    code[shape_idx[first]] = codes[area_idx[first]]
    name[shape_idx[first]] = local.areas[COL_LOCAL_NAME].to_numpy()[area_idx[first]]
    return code, name


def local_area_table(hotspots: Any, local: LocalAreas) -> Any:
    """``local_areas.csv``: per local area, its hotspots and their harm and enforcement.

    Every local area of the file is listed, sorted by code (0 where it holds no hotspot).
    """
    import pandas as pd

    table = pd.DataFrame(
        {
            COL_LOCAL_CODE: local.areas[COL_LOCAL_CODE].to_numpy(),
            COL_LOCAL_NAME: local.areas[COL_LOCAL_NAME].to_numpy(),
        }
    ).set_index(COL_LOCAL_CODE)
    spots = pd.DataFrame(hotspots.drop(columns="geometry"))
    thin = spots["status"] == schema.STATUS_THIN
    by = spots.groupby(COL_LOCAL_CODE)
    by_thin = spots[thin].groupby(COL_LOCAL_CODE)
    table["hotspots"] = by.size()
    table["thin_hotspots"] = by_thin.size()
    table["harm_in_hotspots"] = by["harm"].sum()
    table["harm_in_thin_hotspots"] = by_thin["harm"].sum()
    table["enforcement_in_hotspots"] = by["enforcement"].sum()
    table = table.fillna(0).reset_index()
    for column in LOCAL_AREA_COLUMNS[2:]:
        table[column] = table[column].astype(np.int64)
    return table[list(LOCAL_AREA_COLUMNS)]
