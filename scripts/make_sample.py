"""Generate the SYNTHETIC sample events shipped in ``data/sample/`` (no network, fixed seed).

Writes ``events.csv`` (the tool's default layout: ``id,type,date,lat,lon``) and ``README.md``
into ``data/sample/`` (or ``--out-dir``). Every event is invented. Places are real Norfolk
towns, so maps look right, but nothing here says anything about crime in those places.

What is planted, per calendar quarter (2024Q3 = Jul-Sep, 2024Q4 = Oct-Dec):

* harm clusters (cuckooing, normal scatter with sd 100-140 m, cut off at 2 sd) that each form
  exactly one DBSCAN cluster at eps 400 m / min_samples 3, with a known number of enforcement
  events (raid, seizure) close enough to the centre to fall inside the footprint (convex hull
  of the harm events buffered by 200 m), so each hotspot is thin or covered by construction;
* enforcement-only clusters (no harm) and one stacked coordinate (6 seizures at one point);
* between the quarters: a persistent hotspot, one that intensifies, one that resolves, a new
  one, one whose enforcement gap closes, and one that splits in two;
* background events spread across Norfolk, kept 1.5 km from every planted site and at least
  450 m from each other (same role, both quarters), so every background event is noise;
* a little mess for validation: blank, swapped and zero coordinates, a duplicated row, an
  unknown type, an impossible date and a point in Suffolk.

Distances are worked in British National Grid metres (EPSG:27700) and converted to WGS84 with
one fixed, grid-free PROJ pipeline (OSGB36 to WGS 84 (6), a 7-parameter Helmert, ~2 m), so
the output does not depend on whether PROJ can download the OSTN15 grid. Coordinates are
written with 6 decimals and lines end in ``\\n``: re-running gives byte-identical files
(``tests/test_sample_data.py`` checks that the committed files match).

Run from the repository root::

    python scripts/make_sample.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

import numpy as np
import shapely
from pyproj import Transformer
from pyproj.enums import TransformDirection
from scipy.stats import binomtest

REPO: Final = Path(__file__).resolve().parents[1]
BOUNDARIES: Final = REPO / "src" / "hotspots" / "data" / "boundaries" / "lad_2011_ew.geojson"
OUT_DIR: Final = REPO / "data" / "sample"
EVENTS_NAME: Final = "events.csv"
README_NAME: Final = "README.md"

SEED: Final = 20240701
HEADER: Final = ("id", "type", "date", "lat", "lon")
RAID: Final = "raid"
SEIZURE: Final = "seizure"
CUCKOOING: Final = "cuckooing"
ENFORCEMENT_TYPES: Final = (RAID, SEIZURE)

#: The analysis defaults the planted structure is built for (see src/hotspots/params.py).
EPS_M: Final = 400.0
MIN_SAMPLES: Final = 3
MARGIN_M: Final = 200.0
THIN_RATIO: Final = 0.5

#: British National Grid -> WGS84 lon/lat degrees via OSGB36 to WGS 84 (6) (EPSG:1314,
#: accuracy ~2 m). Spelled out so the result is the same with or without the OSTN15 grid.
BNG_TO_WGS84: Final = (
    "+proj=pipeline "
    "+step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 "
    "+ellps=airy "
    "+step +proj=push +v_3 "
    "+step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector "
    "+step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 "
    "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

NORFOLK_CODES: Final = (
    "E07000143",  # Breckland
    "E07000144",  # Broadland
    "E07000145",  # Great Yarmouth
    "E07000146",  # King's Lynn and West Norfolk
    "E07000147",  # North Norfolk
    "E07000148",  # Norwich
    "E07000149",  # South Norfolk
)
SUFFOLK_CODE: Final = "E07000206"  # Waveney (a 2011 district; East Suffolk since 2019)

QUARTERS: Final = {
    "2024Q3": (date(2024, 7, 1), date(2024, 9, 30)),
    "2024Q4": (date(2024, 10, 1), date(2024, 12, 31)),
}
Q3, Q4 = QUARTERS

#: Scatter is cut off at this many standard deviations (redrawn beyond it), which bounds
#: every planted cluster and keeps the DBSCAN result certain rather than merely likely.
CUTOFF_SD: Final = 2.0
#: Background events stay this far from every planted site (both quarters) ...
EXCLUSION_M: Final = 1500.0
#: ... and this far from every other background event of the same role, so they stay noise.
BACKGROUND_GAP_M: Final = 450.0
BACKGROUND_PER_QUARTER: Final = {CUCKOOING: 100, "enforcement": 150}
BACKGROUND_RAID_SHARE: Final = 0.45
#: Share of background events drawn around a market town rather than anywhere in Norfolk.
TOWN_SHARE: Final = 0.6
TOWN_SD_M: Final = 2000.0


@dataclass(frozen=True)
class Site:
    """A real place that planted events are scattered around."""

    name: str
    lat: float
    lon: float
    area_code: str
    area_name: str


SITES: Final = {
    "norwich": Site("Norwich north", 52.6450, 1.2780, "E07000148", "Norwich"),
    "yarmouth": Site("Great Yarmouth north", 52.6250, 1.7240, "E07000145", "Great Yarmouth"),
    "gorleston": Site("Gorleston", 52.5750, 1.7050, "E07000145", "Great Yarmouth"),
    "lynn": Site("King's Lynn east", 52.7490, 0.4210, "E07000146", "King's Lynn and West Norfolk"),
    "thetford": Site("Thetford", 52.4200, 0.7400, "E07000143", "Breckland"),
    "cromer": Site("Cromer", 52.9230, 1.2950, "E07000147", "North Norfolk"),
    "wymondham": Site("Wymondham", 52.5720, 1.1100, "E07000149", "South Norfolk"),
    "dereham": Site("Dereham", 52.6800, 0.9400, "E07000143", "Breckland"),
    "station": Site("Norwich centre (stacked point)", 52.6284, 1.2906, "E07000148", "Norwich"),
}
#: Used only for the one out-of-county row.
LOWESTOFT: Final = Site("Lowestoft (Suffolk)", 52.4900, 1.7300, SUFFOLK_CODE, "Waveney")

#: Market towns around which most background events fall: (name, lat, lon).
TOWNS: Final = (
    ("Norwich", 52.6300, 1.2970),
    ("Great Yarmouth", 52.6070, 1.7300),
    ("King's Lynn", 52.7540, 0.3980),
    ("Thetford", 52.4130, 0.7500),
    ("Dereham", 52.6810, 0.9400),
    ("Wymondham", 52.5700, 1.1160),
    ("Downham Market", 52.6000, 0.3800),
    ("Swaffham", 52.6480, 0.6860),
    ("Fakenham", 52.8310, 0.8480),
    ("North Walsham", 52.8210, 1.3870),
    ("Aylsham", 52.7950, 1.2560),
    ("Diss", 52.3760, 1.1080),
    ("Attleborough", 52.5180, 1.0190),
    ("Watton", 52.5710, 0.8270),
    ("Hunstanton", 52.9400, 0.4900),
    ("Sheringham", 52.9430, 1.2100),
    ("Holt", 52.9080, 1.0910),
    ("Acle", 52.6370, 1.5460),
    ("Loddon", 52.5340, 1.4810),
    ("Harleston", 52.4020, 1.2990),
)


@dataclass(frozen=True)
class HarmCluster:
    """Cuckooing reports around a site in one quarter, with enforcement inside the footprint.

    ``length_m`` > 0 spreads the harm events evenly along an east-west line of that length
    (an elongated cluster) instead of a round scatter.
    """

    label: str
    site: str
    quarter: str
    harm: int
    enforcement: int
    harm_sd_m: float = 110.0
    enforcement_sd_m: float = 70.0
    offset_m: tuple[float, float] = (0.0, 0.0)  # east, north from the site
    length_m: float = 0.0
    enforcement_types: tuple[str, ...] = ENFORCEMENT_TYPES

    @property
    def status(self) -> str:
        """Thin or covered under the default thin_ratio."""
        return "thin" if self.enforcement / self.harm < THIN_RATIO else "covered"


@dataclass(frozen=True)
class EnforcementCluster:
    """Enforcement events with no harm nearby; ``sd_m`` = 0 stacks them on one coordinate."""

    label: str
    site: str
    quarter: str
    count: int
    sd_m: float
    types: tuple[str, ...]


#: Every planted hotspot. Harm counts differ within each quarter so ranking is unambiguous.
HARM_CLUSTERS: Final = (
    # 2024Q3
    HarmCluster("Norwich north", "norwich", Q3, harm=20, enforcement=2),
    HarmCluster("Thetford", "thetford", Q3, harm=18, enforcement=0, harm_sd_m=60.0, length_m=900.0),
    HarmCluster(
        "King's Lynn east", "lynn", Q3, harm=16, enforcement=1, enforcement_types=(SEIZURE,)
    ),
    HarmCluster("Gorleston", "gorleston", Q3, harm=14, enforcement=16),
    HarmCluster("Great Yarmouth north", "yarmouth", Q3, harm=10, enforcement=1),
    HarmCluster("Cromer", "cromer", Q3, harm=8, enforcement=0),
    # 2024Q4
    HarmCluster("Great Yarmouth north", "yarmouth", Q4, harm=30, enforcement=2, harm_sd_m=140.0),
    HarmCluster("Norwich north", "norwich", Q4, harm=19, enforcement=2),
    HarmCluster("King's Lynn east", "lynn", Q4, harm=15, enforcement=18, enforcement_types=(RAID,)),
    HarmCluster("Wymondham", "wymondham", Q4, harm=12, enforcement=1),
    HarmCluster("Gorleston", "gorleston", Q4, harm=11, enforcement=13),
    HarmCluster(
        "Thetford west",
        "thetford",
        Q4,
        harm=9,
        enforcement=1,
        harm_sd_m=100.0,
        offset_m=(-450.0, 0.0),
    ),
    HarmCluster(
        "Thetford east",
        "thetford",
        Q4,
        harm=7,
        enforcement=1,
        harm_sd_m=100.0,
        offset_m=(450.0, 0.0),
    ),
)

ENFORCEMENT_CLUSTERS: Final = (
    EnforcementCluster("Dereham seizures", "dereham", Q3, 10, 150.0, (SEIZURE,)),
    EnforcementCluster("Dereham seizures", "dereham", Q4, 9, 150.0, (SEIZURE,)),
    EnforcementCluster("Norwich centre stacked point", "station", Q3, 6, 0.0, (SEIZURE,)),
    EnforcementCluster("Cromer raids", "cromer", Q4, 4, 100.0, (RAID,)),
)

#: How each planted place changes from 2024Q3 to 2024Q4 (README table, in this order).
CHANGES: Final = (
    ("Norwich north", ("Norwich north",), ("Norwich north",), "persistent (thin both quarters)"),
    (
        "Great Yarmouth north",
        ("Great Yarmouth north",),
        ("Great Yarmouth north",),
        "intensified (10 -> 30 harm)",
    ),
    ("Gorleston", ("Gorleston",), ("Gorleston",), "persistent (covered both quarters)"),
    (
        "King's Lynn east",
        ("King's Lynn east",),
        ("King's Lynn east",),
        "gap closed (thin -> covered: 18 raids added)",
    ),
    (
        "Thetford",
        ("Thetford",),
        ("Thetford west", "Thetford east"),
        "split (one 900 m east-west cluster -> two groups 900 m apart)",
    ),
    ("Cromer", ("Cromer",), (), "resolved (no harm in Q4; 4 raids there)"),
    ("Wymondham", (), ("Wymondham",), "new"),
)

#: Rows added for validation to find, with the rejection reason hotspots gives them.
BLANK_BOTH: Final = 10
BLANK_ONE: Final = 2  # one with lat blank, one with lon blank
SWAPPED: Final = 2
BAD_DATE: Final = "2024-09-31"
UNKNOWN_TYPE: Final = "burglary"


@dataclass
class Row:
    """One output row before ids are assigned; ``lat``/``lon`` are the text written."""

    type: str
    date: str
    lat: str
    lon: str
    note: str  # what the row is for (not written)
    id: str = ""


class Geography:
    """Norfolk district polygons and the coordinate conversion, both in EPSG:27700 metres."""

    def __init__(self, boundaries: Path) -> None:
        self._transformer = Transformer.from_pipeline(BNG_TO_WGS84)
        collection = json.loads(boundaries.read_text(encoding="utf-8"))
        wanted = {*NORFOLK_CODES, SUFFOLK_CODE}
        self.districts: dict[str, shapely.Geometry] = {}
        for feature in collection["features"]:
            code = feature["properties"]["area_code"]
            if code in wanted:
                geometry = shapely.geometry.shape(feature["geometry"])
                self.districts[code] = shapely.transform(geometry, self._to_metres_array)
        missing = wanted - set(self.districts)
        if missing:
            raise SystemExit(f"{boundaries}: district(s) {', '.join(sorted(missing))} not found")
        self.norfolk = shapely.union_all([self.districts[c] for c in NORFOLK_CODES])
        for geometry in (*self.districts.values(), self.norfolk):
            shapely.prepare(geometry)

    def _to_metres_array(self, lonlat: np.ndarray) -> np.ndarray:
        x, y = self._transformer.transform(
            lonlat[:, 0], lonlat[:, 1], direction=TransformDirection.INVERSE
        )
        return np.column_stack([x, y])

    def to_metres(self, lat: float, lon: float) -> tuple[float, float]:
        """British National Grid easting, northing of a WGS84 point."""
        x, y = self._transformer.transform(lon, lat, direction=TransformDirection.INVERSE)
        return float(x), float(y)

    def to_text(self, x_m: float, y_m: float) -> tuple[str, str]:
        """WGS84 latitude and longitude of a grid point, as written (6 decimals)."""
        lon, lat = self._transformer.transform(x_m, y_m)
        return f"{lat:.6f}", f"{lon:.6f}"

    def contains(self, code: str, x_m: float, y_m: float) -> bool:
        """Whether the district with this code contains the point."""
        return bool(self.districts[code].contains(shapely.Point(x_m, y_m)))


def _cut_normal(rng: np.random.Generator, size: tuple[int, ...], sd: float) -> np.ndarray:
    """Normal draws with sd ``sd``, each redrawn until within CUTOFF_SD standard deviations."""
    values = rng.normal(0.0, sd, size)
    while True:
        far = np.abs(values) > CUTOFF_SD * sd
        if not far.any():
            return values
        values[far] = rng.normal(0.0, sd, int(far.sum()))


def _dates(rng: np.random.Generator, quarter: str, count: int) -> list[str]:
    start, end = QUARTERS[quarter]
    offsets = rng.integers(0, (end - start).days + 1, count)
    return [(start + timedelta(days=int(d))).isoformat() for d in offsets]


def _types(rng: np.random.Generator, choices: Sequence[str], count: int) -> list[str]:
    if len(choices) == 1:
        return [choices[0]] * count
    return [choices[int(i)] for i in rng.integers(0, len(choices), count)]


def _planted_rows(
    rng: np.random.Generator,
    geo: Geography,
    site: Site,
    quarter: str,
    kinds: Sequence[str],
    dx: np.ndarray,
    dy: np.ndarray,
    note: str,
) -> list[Row]:
    cx, cy = geo.to_metres(site.lat, site.lon)
    dates = _dates(rng, quarter, len(dx))
    rows = []
    for kind, when, ex, ny in zip(kinds, dates, dx, dy, strict=True):
        x, y = cx + float(ex), cy + float(ny)
        if not geo.contains(site.area_code, x, y):
            raise SystemExit(f"{note}: a point fell outside {site.area_name}; move the site inland")
        lat, lon = geo.to_text(x, y)
        rows.append(Row(kind, when, lat, lon, note))
    return rows


def harm_cluster_rows(rng: np.random.Generator, geo: Geography, spec: HarmCluster) -> list[Row]:
    """The harm and enforcement events of one planted hotspot."""
    site = SITES[spec.site]
    east, north = spec.offset_m
    if spec.length_m > 0:
        along = np.linspace(-spec.length_m / 2, spec.length_m / 2, spec.harm)
        along = along + _cut_normal(rng, (spec.harm,), spec.length_m / spec.harm / 4)
        across = _cut_normal(rng, (spec.harm,), spec.harm_sd_m)
        hx, hy = along + east, across + north
    else:
        offsets = _cut_normal(rng, (spec.harm, 2), spec.harm_sd_m)
        hx, hy = offsets[:, 0] + east, offsets[:, 1] + north
    note = f"hotspot {spec.label} {spec.quarter}"
    rows = _planted_rows(rng, geo, site, spec.quarter, [CUCKOOING] * spec.harm, hx, hy, note)
    offsets = _cut_normal(rng, (spec.enforcement, 2), spec.enforcement_sd_m)
    kinds = _types(rng, spec.enforcement_types, spec.enforcement)
    rows += _planted_rows(
        rng, geo, site, spec.quarter, kinds, offsets[:, 0] + east, offsets[:, 1] + north, note
    )
    return rows


def enforcement_cluster_rows(
    rng: np.random.Generator, geo: Geography, spec: EnforcementCluster
) -> list[Row]:
    """Enforcement events with no harm around them (or stacked on one coordinate)."""
    site = SITES[spec.site]
    note = f"enforcement {spec.label} {spec.quarter}"
    kinds = _types(rng, spec.types, spec.count)
    if spec.sd_m == 0:
        lat, lon = f"{site.lat:.6f}", f"{site.lon:.6f}"
        dates = _dates(rng, spec.quarter, spec.count)
        return [Row(k, d, lat, lon, note) for k, d in zip(kinds, dates, strict=True)]
    offsets = _cut_normal(rng, (spec.count, 2), spec.sd_m)
    return _planted_rows(rng, geo, site, spec.quarter, kinds, offsets[:, 0], offsets[:, 1], note)


class BackgroundSampler:
    """Points in Norfolk away from planted sites, mostly around market towns."""

    def __init__(self, rng: np.random.Generator, geo: Geography) -> None:
        self._rng = rng
        self._geo = geo
        self._towns = np.array([geo.to_metres(lat, lon) for _, lat, lon in TOWNS])
        self._sites = np.array([geo.to_metres(s.lat, s.lon) for s in SITES.values()])
        self._bounds = geo.norfolk.bounds
        self._taken: dict[str, list[tuple[float, float]]] = {}

    def point(self, group: str | None) -> tuple[float, float]:
        """A new point; with ``group``, at least BACKGROUND_GAP_M from that group's others."""
        rng = self._rng
        taken = np.array(self._taken.get(group, []) if group else []).reshape(-1, 2)
        while True:
            if rng.random() < TOWN_SHARE:
                town = self._towns[int(rng.integers(0, len(self._towns)))]
                x, y = (town + rng.normal(0.0, TOWN_SD_M, 2)).tolist()
            else:
                minx, miny, maxx, maxy = self._bounds
                x, y = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
            if not self._geo.norfolk.contains(shapely.Point(x, y)):
                continue
            if np.hypot(*(self._sites - (x, y)).T).min() < EXCLUSION_M:
                continue
            if len(taken) and np.hypot(*(taken - (x, y)).T).min() < BACKGROUND_GAP_M:
                continue
            if group:
                self._taken.setdefault(group, []).append((x, y))
            return x, y


def background_rows(
    rng: np.random.Generator, geo: Geography, sampler: BackgroundSampler
) -> list[Row]:
    """Sparse harm and enforcement events across Norfolk, each one noise."""
    rows = []
    for quarter in QUARTERS:
        for role, count in BACKGROUND_PER_QUARTER.items():
            dates = _dates(rng, quarter, count)
            for when in dates:
                if role == CUCKOOING:
                    kind = CUCKOOING
                else:
                    kind = RAID if rng.random() < BACKGROUND_RAID_SHARE else SEIZURE
                x, y = sampler.point(role)
                lat, lon = geo.to_text(x, y)
                rows.append(Row(kind, when, lat, lon, f"background {quarter}"))
    return rows


def messy_rows(
    rng: np.random.Generator, geo: Geography, sampler: BackgroundSampler, background: list[Row]
) -> list[Row]:
    """Rows validation should reject, each with a note naming the problem."""
    all_types = (CUCKOOING, RAID, SEIZURE)

    def somewhere(kind: str, quarter: str, note: str) -> Row:
        x, y = sampler.point(None)
        lat, lon = geo.to_text(x, y)
        return Row(kind, _dates(rng, quarter, 1)[0], lat, lon, note)

    rows = []
    for i in range(BLANK_BOTH + BLANK_ONE):
        quarter = (Q3, Q4)[i % 2]
        row = somewhere(_types(rng, all_types, 1)[0], quarter, "blank coordinates")
        if i < BLANK_BOTH:
            row.lat, row.lon = "", ""
        elif i == BLANK_BOTH:
            row.lat = ""
        else:
            row.lon = ""
        rows.append(row)
    for kind, quarter in [(CUCKOOING, Q3), (RAID, Q4)][:SWAPPED]:
        row = somewhere(kind, quarter, "lat and lon swapped")
        row.lat, row.lon = row.lon, row.lat
        rows.append(row)
    zero = somewhere(SEIZURE, Q4, "coordinates at 0,0")
    zero.lat, zero.lon = f"{0:.6f}", f"{0:.6f}"
    rows.append(zero)
    rows.append(somewhere(UNKNOWN_TYPE, Q3, "unknown type"))
    bad_date = somewhere(CUCKOOING, Q3, "impossible date (30 days in September)")
    bad_date.date = BAD_DATE
    rows.append(bad_date)
    x, y = geo.to_metres(LOWESTOFT.lat, LOWESTOFT.lon)
    if not geo.contains(SUFFOLK_CODE, x, y):
        raise SystemExit("the Suffolk point is not in Waveney")
    rows.append(
        Row(
            CUCKOOING,
            _dates(rng, Q4, 1)[0],
            f"{LOWESTOFT.lat:.6f}",
            f"{LOWESTOFT.lon:.6f}",
            "outside Norfolk (Lowestoft, Suffolk)",
        )
    )
    # An exact repeat of a background raid (same id): the export-twice mistake.
    raids = [r for r in background if r.type == RAID]
    source = raids[int(rng.integers(0, len(raids)))]
    rows.append(
        Row(source.type, source.date, source.lat, source.lon, "duplicate of " + source.note)
    )
    source.note += " (duplicated)"
    return rows


def build_rows(geo: Geography, seed: int = SEED) -> list[Row]:
    """Every row of the sample, with ids, in output (shuffled) order."""
    rng = np.random.default_rng(seed)
    rows: list[Row] = []
    for harm_spec in HARM_CLUSTERS:
        rows += harm_cluster_rows(rng, geo, harm_spec)
    for enforcement_spec in ENFORCEMENT_CLUSTERS:
        rows += enforcement_cluster_rows(rng, geo, enforcement_spec)
    sampler = BackgroundSampler(rng, geo)
    background = background_rows(rng, geo, sampler)
    rows += background
    mess = messy_rows(rng, geo, sampler, background)
    duplicate = mess[-1]
    originals = rows + mess[:-1]
    # Ids are sparse and unordered, as exports from case systems tend to be.
    numbers = rng.choice(np.arange(1, 3 * len(originals)), size=len(originals), replace=False)
    for row, number in zip(originals, numbers, strict=True):
        row.id = f"EV{int(number):06d}"
    duplicate.id = next(r.id for r in background if r.note.endswith("(duplicated)"))
    everything = originals + [duplicate]
    return [everything[int(i)] for i in rng.permutation(len(everything))]


def csv_text(rows: Iterable[Row]) -> str:
    """The CSV file's text: header, one line per row, '\\n' line endings."""
    lines = [",".join(HEADER)]
    lines += [f"{r.id},{r.type},{r.date},{r.lat},{r.lon}" for r in rows]
    return "\n".join(lines) + "\n"


def _quarter_of(row: Row) -> str:
    for name, (start, end) in QUARTERS.items():
        if start.isoformat() <= row.date <= end.isoformat():
            return name
    return "-"


def centre_of(geo: Geography, spec: HarmCluster | EnforcementCluster) -> tuple[float, float]:
    """Latitude and longitude of a planted group's centre (its site moved by any offset)."""
    site = SITES[spec.site]
    east, north = spec.offset_m if isinstance(spec, HarmCluster) else (0.0, 0.0)
    if (east, north) == (0.0, 0.0):
        return site.lat, site.lon
    x, y = geo.to_metres(site.lat, site.lon)
    lat, lon = geo.to_text(x + east, y + north)
    return float(lat), float(lon)


def readme_text(geo: Geography, rows: list[Row], events_sha256: str) -> str:
    """The sample's README: what it is, what is planted, how to regenerate it."""
    by_label = {(s.label, s.quarter): s for s in HARM_CLUSTERS}

    def cell(labels: Sequence[str], quarter: str) -> str:
        if not labels:
            return "-"
        parts = []
        for label in labels:
            s = by_label[(label, quarter)]
            prefix = f"{label.split()[-1]}: " if len(labels) > 1 else ""
            parts.append(f"{prefix}{s.harm} / {s.enforcement} **{s.status}**")
        return "; ".join(parts)

    def centre(spec: HarmCluster | EnforcementCluster) -> str:
        lat, lon = centre_of(geo, spec)
        return f"{lat:.4f}, {lon:.4f}"

    def kinds(count: int, types: Sequence[str]) -> str:
        return f"{count} ({'/'.join(types)})" if count else "0"

    hotspot_lines = []
    for place, q3_labels, q4_labels, change in CHANGES:
        site = SITES[next(s.site for s in HARM_CLUSTERS if s.label in (*q3_labels, *q4_labels))]
        hotspot_lines.append(
            f"| {place} | {site.area_name} ({site.area_code}) | {site.lat:.4f}, {site.lon:.4f} "
            f"| {cell(q3_labels, Q3)} | {cell(q4_labels, Q4)} | {change} |"
        )

    ranking_lines = []
    for quarter in QUARTERS:
        ranked = sorted((s for s in HARM_CLUSTERS if s.quarter == quarter), key=lambda s: -s.harm)
        text = ", ".join(f"{s.label} {s.harm} ({s.status})" for s in ranked)
        ranking_lines.append(f"- **{quarter}:** {text}.")

    # The harm-count test of hotspots.compare: both quarters have 92 days, so under "no
    # change" each harm event is equally likely to fall in either quarter.
    q3_days, q4_days = ((end - start).days + 1 for start, end in QUARTERS.values())
    test_parts = []
    for place, q3_labels, q4_labels, _ in CHANGES:
        if len(q3_labels) == len(q4_labels) == 1:
            before, after = by_label[(q3_labels[0], Q3)].harm, by_label[(q4_labels[0], Q4)].harm
            share = q4_days / (q3_days + q4_days)
            p_value = binomtest(after, before + after, share).pvalue
            test_parts.append(f"{place} {before} -> {after} (p = {p_value:.3f})")

    group_lines = []
    for s in HARM_CLUSTERS:
        shape = (
            f"harm spread evenly along a {s.length_m:.0f} m east-west line, sd {s.harm_sd_m:.0f} m across"
            if s.length_m
            else f"harm sd {s.harm_sd_m:.0f} m"
        )
        enforcement_shape = f"; enforcement sd {s.enforcement_sd_m:.0f} m" if s.enforcement else ""
        group_lines.append(
            f"| {s.quarter} | {s.label} | {centre(s)} | {s.harm} "
            f"| {kinds(s.enforcement, s.enforcement_types)} | {s.enforcement / s.harm:.2f} "
            f"| {s.status} | {shape}{enforcement_shape} |"
        )
    for e in ENFORCEMENT_CLUSTERS:
        shape = "all on one exact coordinate" if e.sd_m == 0 else f"sd {e.sd_m:.0f} m"
        group_lines.append(
            f"| {e.quarter} | {e.label} | {centre(e)} | 0 | {kinds(e.count, e.types)} "
            f"| - | no hotspot | {shape} |"
        )

    counts = Counter((_quarter_of(r), r.type) for r in rows)
    type_names = (CUCKOOING, RAID, SEIZURE, UNKNOWN_TYPE)
    count_lines = [
        f"| {q} | "
        + " | ".join(str(counts[(q, t)]) for t in type_names)
        + f" | {sum(counts[(q, t)] for t in type_names)} |"
        for q in (*QUARTERS, "-")
    ]
    notes = Counter(r.note for r in rows)
    suffolk = (
        f"a cuckooing report in Lowestoft ({LOWESTOFT.lat:.4f}, {LOWESTOFT.lon:.4f}; "
        f"Waveney {SUFFOLK_CODE}, Suffolk), 3 km south of the county line"
    )
    duplicates = sum(1 for r in rows if r.note.startswith("duplicate of"))
    mess = [
        (
            "blank coordinates (10 both blank, 1 lat only, 1 lon only)",
            "missing_coordinates",
            notes["blank coordinates"],
        ),
        ("lat and lon swapped", "coordinates_swapped", notes["lat and lon swapped"]),
        ("coordinates 0.000000, 0.000000", "coordinates_at_zero", notes["coordinates at 0,0"]),
        (f"type `{UNKNOWN_TYPE}`", "unknown_type", notes["unknown type"]),
        (
            f"date `{BAD_DATE}` (September has 30 days)",
            "unparseable_date",
            notes["impossible date (30 days in September)"],
        ),
        (suffolk, "outside_study_area", notes["outside Norfolk (Lowestoft, Suffolk)"]),
        ("an exact repeat of a background raid row, same id", "duplicate_id", duplicates),
    ]
    mess_lines = [f"| {what} | `{reason}` | {n} |" for what, reason, n in mess]
    station = SITES["station"]
    n_rows = len(rows)
    n_bg_harm = BACKGROUND_PER_QUARTER[CUCKOOING]
    n_bg_enf = BACKGROUND_PER_QUARTER["enforcement"]
    raid_share, town_share = f"{BACKGROUND_RAID_SHARE:.0%}", f"{TOWN_SHARE:.0%}"

    return f"""# Sample events (SYNTHETIC)

**Every event in `events.csv` is invented.** The file was generated by
`scripts/make_sample.py` from a fixed random seed; no real case, report or operation is in
it. Places are real Norfolk towns only so that the maps look right; nothing here says
anything about crime in those places.

| | |
|---|---|
| File | `events.csv`, {n_rows} rows, header `id,type,date,lat,lon`, UTF-8, `\\n` line endings |
| sha256 | `{events_sha256}` |
| Types | `cuckooing` (harm), `raid` and `seizure` (enforcement), plus one `{UNKNOWN_TYPE}` |
| Dates | ISO `YYYY-MM-DD`, 2024-07-01 .. 2024-12-31 (2024Q3 and 2024Q4), uniform within each quarter |
| Coordinates | WGS84 latitude/longitude, 6 decimals |
| Ids | `EV` + 6 digits, sparse and in no order; rows shuffled |
| Seed | `{SEED}` (`numpy.random.default_rng`) |

## Regenerate

```sh
python scripts/make_sample.py            # rewrites data/sample/events.csv and README.md
python scripts/make_sample.py --out-dir /tmp/sample
```

Re-running gives byte-identical files; `tests/test_sample_data.py` regenerates into a
temporary folder and compares bytes, then checks the planted structure with scikit-learn's
DBSCAN. Edit the tables at the top of the script (`HARM_CLUSTERS`, `ENFORCEMENT_CLUSTERS`,
`CHANGES`) and re-run to change what is planted; this README is rewritten with them.

How it is made: positions are worked in British National Grid metres (EPSG:27700) and
converted to WGS84 with one fixed PROJ pipeline (OSGB36 to WGS 84 (6), a 7-parameter
Helmert, accurate to ~2 m), so the result does not depend on whether PROJ has the OSTN15
grid. District polygons come from `src/hotspots/data/boundaries/lad_2011_ew.geojson`; every planted point
is checked to lie inside its district. A future numpy that changes its random streams would
change the file (the test will say so); regenerate and review the diff.

## Planted hotspots

Built for the defaults: DBSCAN over harm (cuckooing) events with eps 400 m and min_samples 3;
footprint = convex hull of a cluster's harm events buffered by 200 m; enforcement (raid,
seizure) counted inside the footprint in the same quarter; coverage = enforcement / harm;
**thin** if coverage < {THIN_RATIO}. Cells read *harm / enforcement inside the footprint*.

| Place | District | Centre (lat, lon) | 2024Q3 | 2024Q4 | Change Q3 -> Q4 |
|---|---|---|---|---|---|
{chr(10).join(hotspot_lines)}

Expected ranking by harm count (all counts distinct within a quarter):

{chr(10).join(ranking_lines)}

Harm-count test for the one-to-one pairs (two-sided binomial test, {q3_days} and {q4_days}
days): {"; ".join(test_parts)}. Only Great Yarmouth north changes significantly at
alpha 0.05.

Each DBSCAN run over one quarter's cuckooing events should give exactly these clusters
(6 in 2024Q3, 7 in 2024Q4), each holding exactly its planted harm events, and every other
cuckooing event noise. In 2024Q4 the two Thetford groups' footprints both overlap the
2024Q3 Thetford footprint; they are 900 m apart centre to centre and no two of their events
are within 400 m.

### Every planted group

Scatter is normal, redrawn beyond 2 sd, so a cluster's events lie within 2 sd of its centre
on each axis. Enforcement sits near the centre, inside the footprint by construction.

| Quarter | Group | Centre (lat, lon) | Harm | Enforcement | Coverage | Status | Shape |
|---|---|---|---|---|---|---|---|
{chr(10).join(group_lines)}

The stacked point ({station.lat:.4f}, {station.lon:.4f}, central Norwich) stands in for the
police.uk artefact where offences recorded at a police station share its coordinate: 6
seizures on one exact coordinate, which the default `stack_min` (5) reports as a stacked
point. It is 2 km from the nearest planted harm, so it is in no footprint.
Dereham (both quarters) and Cromer in 2024Q4 are enforcement clusters with no harm.

## Background

Per quarter, {n_bg_harm} cuckooing and {n_bg_enf} enforcement events (raid {raid_share},
seizure the rest) across Norfolk: {town_share} scattered around one of {len(TOWNS)} market
towns (sd {TOWN_SD_M / 1000:.0f} km), the rest anywhere in the county. Each is at least
{EXCLUSION_M / 1000:.1f} km from every planted site and at least {BACKGROUND_GAP_M:.0f} m from
every other background event of the same role in either quarter, so background harm is always
noise and background enforcement never forms a cluster or falls in a footprint.

## Rows for validation to find

| Problem | Expected rejection reason (`schema.REASON_*`) | Rows |
|---|---|---|
{chr(10).join(mess_lines)}

All of these are extra rows at background-style places; no planted event is damaged. The
Lowestoft row is `outside_study_area` only when the study area is Norfolk (`study_area` set
to the seven Norfolk districts); with the default study area (every area holding events) it
would bring Waveney in as an area. The duplicated rows are identical, so if the validator
keeps one copy the kept rows are the same whichever it keeps.

## Rows by quarter and type

| Quarter | cuckooing | raid | seizure | {UNKNOWN_TYPE} | total |
|---|---|---|---|---|---|
{chr(10).join(count_lines)}

(`-`: the row with the impossible date. Blank, swapped and zero-coordinate rows are counted
in their quarter.)
"""


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_sample(out_dir: Path, boundaries: Path = BOUNDARIES) -> tuple[Path, Path]:
    """Generate the sample and write ``events.csv`` and ``README.md`` into ``out_dir``."""
    geo = Geography(boundaries)
    rows = build_rows(geo)
    events = csv_text(rows)
    digest = hashlib.sha256(events.encode("utf-8")).hexdigest()
    events_path, readme_path = out_dir / EVENTS_NAME, out_dir / README_NAME
    _write_atomic(events_path, events)
    _write_atomic(readme_path, readme_text(geo, rows, digest))
    return events_path, readme_path


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out-dir", type=Path, default=OUT_DIR, help=f"where to write (default: {OUT_DIR})"
    )
    args = parser.parse_args(argv)
    events_path, readme_path = write_sample(args.out_dir)
    n_rows = events_path.read_text(encoding="utf-8").count("\n") - 1
    print(f"wrote {events_path} ({n_rows} rows) and {readme_path}")


if __name__ == "__main__":
    main()
