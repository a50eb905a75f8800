"""District boundaries: a bundled set of districts, or the user's own file.

The bundled files are package data in ``hotspots/data/boundaries/`` (its README says where
each comes from), read with :mod:`importlib.resources`, so an installed wheel finds them
wherever it is installed. :data:`BUNDLED` names each set; add a set by placing its file there
and adding a row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from hotspots import schema
from hotspots.errors import InputError

if TYPE_CHECKING:
    import geopandas as gpd

DEFAULT_SOURCE = (
    "Local authority districts (December 2011), dissolved from ONS LSOA (Dec 2011) Boundaries "
    "Super Generalised Clipped. Source: Office for National Statistics licensed under the Open "
    "Government Licence v.3.0; Contains OS data © Crown copyright and database right"
)


@dataclass(frozen=True)
class BundledBoundaries:
    """One bundled set of district polygons: its file in ``hotspots/data/boundaries``."""

    file: str
    source: str  # stated on every output that uses it (the licence asks for it)


#: Bundled district sets by name.
BUNDLED: dict[str, BundledBoundaries] = {
    "lad2011": BundledBoundaries("lad_2011_ew.geojson", DEFAULT_SOURCE),
}
#: The set used when no boundaries are given.
DEFAULT_BUNDLED = "lad2011"


@contextmanager
def bundled_file(name: str = DEFAULT_BUNDLED) -> Iterator[Path]:
    """The path of a bundled boundaries file, for the ``with`` block.

    A real file for an ordinary install; a temporary copy when the package is imported from
    a zip archive (:func:`importlib.resources.as_file`).

    Raises
    ------
    InputError
        ``name`` is not a bundled set, or its file is missing from the installation.
    """
    if name not in BUNDLED:
        raise InputError(f"boundaries: no bundled set {name!r}; expected one of {', '.join(BUNDLED)}")
    resource = resources.files("hotspots").joinpath("data", "boundaries", BUNDLED[name].file)
    if not resource.is_file():
        raise InputError(
            f"{resource}: bundled boundaries file not found (the installation is incomplete: "
            "reinstall hotspots); pass your own with --boundaries FILE"
        )
    with resources.as_file(resource) as path:
        yield path


@dataclass(frozen=True)
class Boundaries:
    """District polygons in EPSG:27700 with ``area_code`` and ``area_name``, and their source."""

    areas: gpd.GeoDataFrame
    source: str


def load_boundaries(
    path: Path | None = None, *, code_field: str = "area_code", name_field: str = "area_name"
) -> Boundaries:
    """Read district polygons and project them to British National Grid.

    Raises
    ------
    InputError
        The file is missing or unreadable, has no CRS, or lacks the named fields.
    """
    if path is None:
        with bundled_file(DEFAULT_BUNDLED) as file:
            frame = _read(file)
        source = BUNDLED[DEFAULT_BUNDLED].source
    else:
        file = Path(path)
        if not file.exists():
            raise InputError(f"{file}: boundaries file not found; pass your own with --boundaries FILE")
        frame = _read(file)
        source = f"User boundaries: {file.name}"
    missing = [f for f in (code_field, name_field) if f not in frame.columns]
    if missing:
        found = ", ".join(repr(c) for c in frame.columns if c != frame.geometry.name)
        raise InputError(
            f"{file}: no field {', '.join(repr(m) for m in missing)} in the boundaries. Fields found: "
            f"{found}. Fix: name the code and name fields with --boundary-code-field and --boundary-name-field"
        )
    if frame.crs is None:
        raise InputError(f"{file}: the boundaries have no coordinate reference system; save them with one")
    areas = frame[[code_field, name_field, frame.geometry.name]].rename(
        columns={code_field: schema.COL_AREA_CODE, name_field: schema.COL_AREA_NAME}
    )
    areas[schema.COL_AREA_CODE] = areas[schema.COL_AREA_CODE].astype(str)
    areas[schema.COL_AREA_NAME] = areas[schema.COL_AREA_NAME].astype(str)
    areas = areas[~areas.geometry.is_empty & areas.geometry.notna()].to_crs(schema.CRS_METRIC)
    areas = areas.sort_values(schema.COL_AREA_CODE, kind="mergesort").reset_index(drop=True)
    return Boundaries(areas, source)


def _read(file: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    try:
        return gpd.read_file(file)
    except Exception as exc:  # noqa: BLE001 -- pyogrio raises several types; all mean "cannot read"
        raise InputError(f"{file}: cannot read boundaries ({exc})") from None
