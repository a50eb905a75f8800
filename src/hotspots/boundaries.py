"""District boundaries: the bundled ONS 2011 districts, or the user's own file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hotspots import schema
from hotspots.errors import InputError

#: The bundled districts, next to the project (see data/boundaries/README.md).
DEFAULT_BOUNDARIES = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "lad_2011_ew.geojson"
DEFAULT_SOURCE = (
    "Local authority districts (December 2011), dissolved from ONS LSOA (Dec 2011) Boundaries "
    "Super Generalised Clipped. Source: Office for National Statistics licensed under the Open "
    "Government Licence v.3.0; Contains OS data © Crown copyright and database right"
)


@dataclass(frozen=True)
class Boundaries:
    """District polygons in EPSG:27700 with ``area_code`` and ``area_name``, and their source."""

    areas: object  # geopandas.GeoDataFrame
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
    import geopandas as gpd

    file = path or DEFAULT_BOUNDARIES
    if not file.exists():
        hint = "" if path else " (the bundled file is missing: reinstall from the project folder)"
        raise InputError(f"{file}: boundaries file not found{hint}; pass your own with --boundaries FILE")
    try:
        frame = gpd.read_file(file)
    except Exception as exc:  # noqa: BLE001 -- pyogrio raises several types; all mean "cannot read"
        raise InputError(f"{file}: cannot read boundaries ({exc})") from None
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
    source = DEFAULT_SOURCE if path is None else f"User boundaries: {file.name}"
    return Boundaries(areas, source)
