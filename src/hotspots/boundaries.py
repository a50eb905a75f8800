"""Area polygons: a bundled set (2025 or 2011 districts, 2025 police force areas) or a file.

The bundled files are package data in ``hotspots/data/boundaries/`` (``src/hotspots/data/README.md``
and ``data/boundaries/README.md`` beside them say where each comes from), read with
:mod:`importlib.resources`, so an installed wheel finds them wherever it is installed.
:data:`AREA_SETS` names each set; add one by placing its file there and adding a row.

Bundled sets:

- ``lad2025`` (default): the 318 local authority districts of England and Wales in force
  since 1 April 2024 (unchanged in 2025), built from ONS LSOA polygons and the ONS postcode
  directory of November 2025;
- ``lad2011``: the 348 districts of December 2011;
- ``pfa2025``: the 43 territorial police force areas, dissolved from ``lad2025``.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from hotspots import schema
from hotspots.errors import ConfigError, InputError

if TYPE_CHECKING:
    import geopandas as gpd

_ONS_OS: Final = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0; "
    "Contains OS data © Crown copyright and database right"
)


@dataclass(frozen=True)
class AreaSet:
    """One bundled set of areas: where it lives, what it is, and its attribution."""

    key: str
    file_name: str
    vintage: str
    source: str

    @property
    def attribution(self) -> str:
        """The short line a page's attribution shows: vintage, then the ONS/OS wording."""
        return f"Boundaries: {self.vintage[0].upper()}{self.vintage[1:]}. {_ONS_OS}"


#: The bundled area sets by ``--areas`` key.
AREA_SETS: Final = {
    "lad2025": AreaSet(
        "lad2025",
        "lad_2025_ew.geojson",
        "local authority districts, April 2025 (318, England and Wales)",
        "Local authority districts (April 2025), dissolved from ONS LSOA (Dec 2011) Boundaries "
        "Super Generalised Clipped by the ONS Postcode Directory (November 2025). " + _ONS_OS,
    ),
    "lad2011": AreaSet(
        "lad2011",
        "lad_2011_ew.geojson",
        "local authority districts, December 2011 (348, England and Wales)",
        "Local authority districts (December 2011), dissolved from ONS LSOA (Dec 2011) "
        "Boundaries Super Generalised Clipped. " + _ONS_OS,
    ),
    "pfa2025": AreaSet(
        "pfa2025",
        "pfa_2025_ew.geojson",
        "police force areas, April 2025 (43, England and Wales)",
        "Police force areas (April 2025; Police Act 1996, Schedule 1, as amended), dissolved "
        "from the April 2025 local authority districts. " + _ONS_OS,
    ),
}
DEFAULT_AREAS: Final = "lad2025"
#: Source text of the default areas (shown in summaries, pages and briefings).
DEFAULT_SOURCE: Final = AREA_SETS[DEFAULT_AREAS].source
#: Every bundled source text, so pages can tell bundled areas from a user's file.
BUNDLED_SOURCES: Final = frozenset(s.source for s in AREA_SETS.values())
#: District -> force table of the 2025 districts (built with them; see the data README).
FORCE_TABLE: Final = "lad_2025_pfa.csv"

#: Bundled district sets by name (kept for callers of the first package-data layout).
BUNDLED: Final = AREA_SETS
DEFAULT_BUNDLED: Final = DEFAULT_AREAS


@dataclass(frozen=True)
class Boundaries:
    """Area polygons in EPSG:27700 with ``area_code`` and ``area_name``, and their source.

    ``key`` is the bundled set's ``--areas`` key, or ``"file"`` for the user's own file.
    """

    areas: gpd.GeoDataFrame
    source: str
    key: str = "file"
    vintage: str = ""
    notes: tuple[str, ...] = ()  # e.g. multi-part districts merged (hotspots.boundary_checks)


def bundled_attribution(source: str) -> str | None:
    """The attribution line of the bundled set whose source text this is, else None."""
    for chosen in AREA_SETS.values():
        if source.strip() == chosen.source:
            return chosen.attribution
    return None


def _resource(file_name: str) -> resources.abc.Traversable:
    resource = resources.files("hotspots").joinpath("data", "boundaries", file_name)
    if not resource.is_file():
        raise InputError(
            f"{resource}: bundled boundaries file not found (the installation is incomplete: "
            "reinstall hotspots); pass your own with --areas FILE"
        )
    return resource


@contextmanager
def bundled_file(name: str = DEFAULT_AREAS) -> Iterator[Path]:
    """The path of a bundled boundaries file, for the ``with`` block.

    A real file for an ordinary install; a temporary copy when the package is imported from
    a zip archive (:func:`importlib.resources.as_file`).

    Raises
    ------
    ConfigError
        ``name`` is not a bundled set.
    InputError
        Its file is missing from the installation.
    """
    with resources.as_file(_resource(area_set(name).file_name)) as path:
        yield path


def bundled_text(file_name: str) -> str:
    """The text of a file in ``hotspots/data/boundaries`` (e.g. the force table)."""
    return _resource(file_name).read_text(encoding="utf-8")


def area_set(key: str) -> AreaSet:
    """The bundled set named ``key``.

    Raises
    ------
    ConfigError
        No bundled set has that key.
    """
    try:
        return AREA_SETS[key.strip().lower()]
    except KeyError:
        choices = ", ".join(AREA_SETS)
        raise ConfigError(
            f"--areas {key!r}: no bundled areas of that name; expected one of {choices}, "
            "or the path of a polygon file"
        ) from None


def load_boundaries(
    path: Path | None = None,
    *,
    areas: str = DEFAULT_AREAS,
    code_field: str = "area_code",
    name_field: str = "area_name",
) -> Boundaries:
    """Read area polygons and project them to British National Grid.

    Parameters
    ----------
    path
        The user's polygon file; ``None`` reads the bundled set ``areas``.
    areas
        Key of a bundled set (``lad2025``, ``lad2011``, ``pfa2025``); used when ``path``
        is ``None``.
    code_field, name_field
        The code and name fields of ``path``.

    Raises
    ------
    InputError
        The file is missing or unreadable, has no CRS, or lacks the named fields.
    ConfigError
        ``areas`` names no bundled set.
    """
    from hotspots.boundary_checks import check_boundaries, check_boundary_fields, check_spatial

    chosen = None if path is not None else area_set(areas)
    if chosen is None:
        check_boundary_fields(Path(path), code_field, name_field)  # type: ignore[arg-type]
    if chosen is not None:
        with bundled_file(chosen.key) as file:
            frame = _read(file)
    else:
        file = Path(path)  # type: ignore[arg-type]
        if not file.exists():
            raise InputError(f"{file}: boundaries file not found; pass your own with --areas FILE")
        frame = _read(file)
        check_spatial(frame, file)
    missing = [f for f in (code_field, name_field) if f not in frame.columns]
    if missing:
        found = ", ".join(repr(c) for c in frame.columns if c != frame.geometry.name)
        raise InputError(
            f"{file}: no field {', '.join(repr(m) for m in missing)} in the boundaries. Fields found: "
            f"{found}. Fix: name the code and name fields with --boundary-code-field and --boundary-name-field"
        )
    notes: tuple[str, ...] = ()
    if chosen is None:  # the user's file: checked as GIS exports are (bundled sets are clean)
        frame, notes = check_boundaries(frame, file, code_field, name_field)
    if frame.crs is None:
        raise InputError(f"{file}: the boundaries have no coordinate reference system; save them with one")
    polygons = frame[[code_field, name_field, frame.geometry.name]].rename(
        columns={code_field: schema.COL_AREA_CODE, name_field: schema.COL_AREA_NAME}
    )
    polygons[schema.COL_AREA_CODE] = polygons[schema.COL_AREA_CODE].astype(str)
    polygons[schema.COL_AREA_NAME] = polygons[schema.COL_AREA_NAME].astype(str)
    polygons = polygons[~polygons.geometry.is_empty & polygons.geometry.notna()].to_crs(
        schema.CRS_METRIC
    )
    polygons = polygons.sort_values(schema.COL_AREA_CODE, kind="mergesort").reset_index(drop=True)
    if chosen is None:
        return Boundaries(polygons, f"User boundaries: {file.name}", notes=notes)
    return Boundaries(polygons, chosen.source, chosen.key, chosen.vintage)


def _read(file: Path) -> gpd.GeoDataFrame:
    import geopandas as gpd

    try:
        with warnings.catch_warnings():
            # pyogrio's notes (unclosed rings, fields not parsed as JSON, other layers) would
            # print past --quiet; what matters is checked and reported by boundary_checks.
            warnings.simplefilter("ignore")
            return gpd.read_file(file)
    except Exception as exc:  # noqa: BLE001 -- pyogrio raises several types; all mean "cannot read"
        raise InputError(f"{file}: cannot read boundaries ({exc})") from None


@dataclass(frozen=True)
class Force:
    """A territorial police force of England and Wales and its 2025 districts."""

    code: str  # ONS police force area code, e.g. E23000024
    name: str  # as police.uk writes it, e.g. "Norfolk"
    policeuk_id: str  # police.uk's force id, e.g. "norfolk"
    district_codes: tuple[str, ...]
    district_names: tuple[str, ...]


def load_forces() -> dict[str, Force]:
    """Every force, keyed by ONS code, from the bundled district -> force table."""
    rows = list(csv.DictReader(io.StringIO(bundled_text(FORCE_TABLE))))
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        grouped.setdefault(row["pfa_code"], []).append(row)
    return {
        code: Force(
            code,
            members[0]["pfa_name"],
            members[0]["policeuk_force_id"],
            tuple(m["area_code"] for m in members),
            tuple(m["area_name"] for m in members),
        )
        for code, members in sorted(grouped.items())
    }


def find_force(wanted: str) -> Force:
    """The force named ``wanted``: its police.uk name, police.uk id or ONS code (any case).

    Raises
    ------
    ConfigError
        No force matches; the message lists every force name.
    """
    key = " ".join(wanted.split()).casefold()
    forces = load_forces()
    for force in forces.values():
        aliases = {force.name, force.policeuk_id, force.code, force.name.replace("&", "and")}
        if key in {a.casefold() for a in aliases}:
            return force
    names = ", ".join(sorted(f.name for f in forces.values()))
    raise ConfigError(f"--force {wanted!r}: no such police force; expected one of {names}")


def force_study_area(wanted: str, areas: str = DEFAULT_AREAS) -> tuple[str, ...]:
    """Study-area codes for a force: its districts, or the force itself for ``pfa2025``.

    Raises
    ------
    ConfigError
        No such force, or the areas are the 2011 districts (force areas are defined on the
        2025 districts; choose ``--areas lad2025`` or ``pfa2025``).
    """
    force = find_force(wanted)
    key = areas.strip().lower()
    if key == "pfa2025":
        return (force.code,)
    if key == "lad2025":
        return force.district_codes
    raise ConfigError(
        f"--force {wanted!r} needs --areas lad2025 or pfa2025 (force areas are built from the "
        f"2025 districts), not {areas!r}"
    )
