"""Checks on the committed synthetic sample (``data/sample/``) and the police.uk config.

The sample must be exactly what ``scripts/make_sample.py`` writes, and its planted hotspots
must come out as ``data/sample/README.md`` says. The planted structure is checked with
scikit-learn's DBSCAN and shapely footprints, independently of hotspots' own pipeline, so
the lead's end-to-end tests can trust the README table.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from sklearn.cluster import DBSCAN

from hotspots import schema
from hotspots.params import load_config

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "make_sample.py"
SAMPLE_DIR = REPO / "data" / "sample"
EVENTS = SAMPLE_DIR / "events.csv"
POLICEUK_CONFIG = REPO / "src" / "hotspots" / "configs" / "policeuk-street.toml"
POLICEUK_DATA = REPO.parent / "shared" / "data" / "policeuk"

ID_RE = re.compile(r"^EV\d{6}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
COORD_RE = re.compile(r"^-?\d+\.\d{6}$")


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def make_sample() -> ModuleType:
    """The generator script as a module (its tables describe what is planted)."""
    return _load_script()


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    """The committed events, every value as the text in the file."""
    return pd.read_csv(EVENTS, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def norfolk_m() -> shapely.Geometry:
    """The seven Norfolk districts as one polygon in EPSG:27700."""
    districts = gpd.read_file(REPO / "src" / "hotspots" / "data" / "boundaries" / "lad_2011_ew.geojson")
    norfolk = districts[districts["area_code"].isin(_load_script().NORFOLK_CODES)]
    assert len(norfolk) == 7
    return shapely.union_all(norfolk.to_crs(schema.CRS_METRIC).geometry.values)


@pytest.fixture(scope="module")
def clean_m(events: pd.DataFrame, norfolk_m: shapely.Geometry) -> gpd.GeoDataFrame:
    """Rows an analysis would keep, in metres, with their quarter."""
    ok = (
        events["type"].isin(["cuckooing", "raid", "seizure"])
        & events["date"].map(_parses)
        & events["lat"].str.match(COORD_RE)
        & events["lon"].str.match(COORD_RE)
        & ~events["id"].duplicated()
    )
    kept = events[ok].copy()
    lat, lon = kept["lat"].astype(float), kept["lon"].astype(float)
    kept = kept[(lat > 50) & (lon.abs() > 0)]  # drops swapped and 0,0 rows
    frame = gpd.GeoDataFrame(
        kept,
        geometry=gpd.points_from_xy(kept["lon"].astype(float), kept["lat"].astype(float)),
        crs=schema.CRS_WEB,
    ).to_crs(schema.CRS_METRIC)
    frame = frame[frame.within(norfolk_m)]
    frame["quarter"] = frame["date"].map(lambda d: "2024Q3" if d <= "2024-09-30" else "2024Q4")
    return frame


def _parses(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


# --- the committed files are the generator's output ------------------------------------------


def test_committed_files_match_generator(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out-dir", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("events.csv", "README.md"):
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), (
            f"data/sample/{name} differs from a fresh run; run `python scripts/make_sample.py` "
            "and review the diff"
        )


def test_readme_says_synthetic_and_how_to_regenerate() -> None:
    text = (SAMPLE_DIR / "README.md").read_text(encoding="utf-8")
    assert "SYNTHETIC" in text
    assert "python scripts/make_sample.py" in text


# --- shape of the file ---------------------------------------------------------------------


def test_header_line_endings_and_size() -> None:
    raw = EVENTS.read_bytes()
    assert raw.startswith(b"id,type,date,lat,lon\n")
    assert b"\r" not in raw
    assert raw.endswith(b"\n")
    assert 600 <= raw.count(b"\n") - 1 <= 900


def test_ids(events: pd.DataFrame) -> None:
    assert events["id"].str.match(ID_RE).all()
    repeated = events[events["id"].duplicated(keep=False)]
    assert len(repeated) == 2
    # The duplicate is an exact repeat of a background raid.
    assert repeated.drop_duplicates().shape[0] == 1
    assert repeated["type"].tolist() == ["raid", "raid"]


def test_types(events: pd.DataFrame) -> None:
    counts = events["type"].value_counts().to_dict()
    assert set(counts) == {"cuckooing", "raid", "seizure", "burglary"}
    assert counts["burglary"] == 1


def test_dates_cover_two_quarters(events: pd.DataFrame) -> None:
    assert events["date"].str.match(DATE_RE).all()
    bad = events.loc[~events["date"].map(_parses), "date"].tolist()
    assert bad == ["2024-09-31"]
    good = events.loc[events["date"].map(_parses), "date"]
    assert good.min() >= "2024-07-01"
    assert good.max() <= "2024-12-31"
    q3 = (good <= "2024-09-30").sum()
    assert 300 < q3 < len(good) - 300  # both quarters well filled


def test_coordinates_written_with_six_decimals_or_blank(events: pd.DataFrame) -> None:
    for column in ("lat", "lon"):
        values = events[column]
        assert (values.str.match(COORD_RE) | (values == "")).all()
    blank = (events["lat"] == "") | (events["lon"] == "")
    assert blank.sum() == 12
    assert ((events["lat"] == "") & (events["lon"] == "")).sum() == 10


def test_messy_coordinates(events: pd.DataFrame) -> None:
    has = (events["lat"] != "") & (events["lon"] != "")
    lat, lon = events.loc[has, "lat"].astype(float), events.loc[has, "lon"].astype(float)
    assert ((lat == 0) & (lon == 0)).sum() == 1
    swapped = (lat.between(0.1, 1.8)) & (lon.between(52.3, 53.1))
    assert swapped.sum() == 2


def test_stacked_point(events: pd.DataFrame) -> None:
    has = (events["lat"] != "") & (events["lon"] != "")
    stacks = events[has].groupby(["lat", "lon"]).size()
    assert stacks.max() == 6
    lat, lon = stacks.idxmax()
    assert (lat, lon) == ("52.628400", "1.290600")
    assert set(events.loc[(events["lat"] == lat) & (events["lon"] == lon), "type"]) == {"seizure"}
    # Apart from the stack and the duplicated row, no two rows share a coordinate.
    assert sorted(stacks[stacks > 1].tolist()) == [2, 6]


def test_one_point_outside_norfolk_is_in_suffolk(
    events: pd.DataFrame, norfolk_m: shapely.Geometry
) -> None:
    rows = events[events["lat"].str.match(COORD_RE) & events["lon"].str.match(COORD_RE)]
    rows = rows[rows["lat"].astype(float) > 50]  # not the swapped or 0,0 rows
    points = gpd.GeoSeries(
        gpd.points_from_xy(rows["lon"].astype(float), rows["lat"].astype(float)),
        crs=schema.CRS_WEB,
    ).to_crs(schema.CRS_METRIC)
    outside = rows[~points.within(norfolk_m).to_numpy()]
    assert outside[["type", "lat", "lon"]].values.tolist() == [
        ["cuckooing", "52.490000", "1.730000"]
    ]


# --- the planted structure -----------------------------------------------------------------


def _centre_m(make_sample: ModuleType, spec: object) -> np.ndarray:
    site = make_sample.SITES[spec.site]  # type: ignore[attr-defined]
    point = gpd.GeoSeries([shapely.Point(site.lon, site.lat)], crs=schema.CRS_WEB)
    xy = point.to_crs(schema.CRS_METRIC).get_coordinates().to_numpy()[0]
    return xy + np.asarray(getattr(spec, "offset_m", (0.0, 0.0)))


def _hotspots(clean_m: gpd.GeoDataFrame, quarter: str) -> list[tuple[int, shapely.Geometry]]:
    """(harm count, footprint) of each DBSCAN cluster of one quarter's cuckooing events."""
    harm = clean_m[(clean_m["quarter"] == quarter) & (clean_m["type"] == "cuckooing")]
    xy = harm.get_coordinates().to_numpy()
    labels = DBSCAN(eps=400.0, min_samples=3).fit_predict(xy)
    found = []
    for label in sorted(set(labels) - {-1}):
        members = shapely.MultiPoint(xy[labels == label])
        found.append((int((labels == label).sum()), members.convex_hull.buffer(200.0)))
    return found


@pytest.mark.parametrize("quarter", ["2024Q3", "2024Q4"], ids=["q3", "q4"])
def test_planted_hotspots_come_out_as_documented(
    make_sample: ModuleType, clean_m: gpd.GeoDataFrame, quarter: str
) -> None:
    planted = [s for s in make_sample.HARM_CLUSTERS if s.quarter == quarter]
    found = _hotspots(clean_m, quarter)
    assert len(found) == len(planted)
    enforcement = clean_m[
        (clean_m["quarter"] == quarter) & clean_m["type"].isin(["raid", "seizure"])
    ]
    got = {}
    for harm, footprint in found:
        matches = [
            s for s in planted if footprint.contains(shapely.Point(_centre_m(make_sample, s)))
        ]
        assert len(matches) == 1, f"a cluster of {harm} harm events matches {matches}"
        inside = int(enforcement.within(footprint).sum())
        status = "thin" if inside / harm < 0.5 else "covered"
        got[matches[0].label] = (harm, inside, status)
    expected = {s.label: (s.harm, s.enforcement, s.status) for s in planted}
    assert got == expected


def test_split_footprints_overlap_the_old_one(
    make_sample: ModuleType, clean_m: gpd.GeoDataFrame
) -> None:
    def footprint(quarter: str, label: str) -> shapely.Geometry:
        spec = next(
            s for s in make_sample.HARM_CLUSTERS if (s.quarter, s.label) == (quarter, label)
        )
        centre = shapely.Point(_centre_m(make_sample, spec))
        return next(f for _, f in _hotspots(clean_m, quarter) if f.contains(centre))

    before = footprint("2024Q3", "Thetford")
    west, east = footprint("2024Q4", "Thetford west"), footprint("2024Q4", "Thetford east")
    assert before.intersects(west)
    assert before.intersects(east)
    assert not west.intersects(east)


@pytest.mark.parametrize("quarter", ["2024Q3", "2024Q4"], ids=["q3", "q4"])
def test_background_harm_is_noise_and_enforcement_clusters_are_planted(
    make_sample: ModuleType, clean_m: gpd.GeoDataFrame, quarter: str
) -> None:
    in_quarter = clean_m[clean_m["quarter"] == quarter]
    planted_harm = sum(s.harm for s in make_sample.HARM_CLUSTERS if s.quarter == quarter)
    assert sum(n for n, _ in _hotspots(clean_m, quarter)) == planted_harm
    # Enforcement clusters: those of covered hotspots plus the planted enforcement-only ones.
    enforcement = in_quarter[in_quarter["type"].isin(["raid", "seizure"])]
    labels = DBSCAN(eps=400.0, min_samples=3).fit_predict(enforcement.get_coordinates())
    sizes = sorted(int((labels == k).sum()) for k in set(labels) - {-1})
    expected = [s.enforcement for s in make_sample.HARM_CLUSTERS if s.quarter == quarter]
    expected += [e.count for e in make_sample.ENFORCEMENT_CLUSTERS if e.quarter == quarter]
    assert sizes == sorted(n for n in expected if n >= 3)


# --- the police.uk config ------------------------------------------------------------------


def test_policeuk_config_loads_with_expected_mapping() -> None:
    config = load_config(POLICEUK_CONFIG)
    columns = config.columns
    assert (columns.id, columns.type, columns.date, columns.lat, columns.lon) == (
        "Crime ID",
        "Crime type",
        "Month",
        "Latitude",
        "Longitude",
    )
    lookup = config.types.lookup()
    assert lookup["robbery"] == "robbery"
    assert lookup["drugs"] == "drugs_offence"
    assert lookup["possession of weapons"] == "weapons_possession"
    roles = config.types.roles
    assert roles["robbery"] == schema.ROLE_HARM
    assert roles["drugs_offence"] == schema.ROLE_ENFORCEMENT
    assert roles["weapons_possession"] == schema.ROLE_ENFORCEMENT
    assert config.types.ignore_others is True
    # No other police.uk category is analysed.
    for label in ("anti-social behaviour", "violence and sexual offences", "shoplifting"):
        assert label not in lookup
    # Only the few-locations rule: police.uk snaps events to anonymising points (issue 17).
    assert dict(config.analysis) == {"few_locations": "demote", "min_locations": 2}


@pytest.mark.shared
def test_policeuk_config_columns_exist_in_real_files() -> None:
    files = sorted((POLICEUK_DATA / "norfolk-street").glob("*-norfolk-street.csv"))
    if not files:
        pytest.skip(f"{POLICEUK_DATA} not present")
    config = load_config(POLICEUK_CONFIG)
    header = files[0].open(encoding="utf-8").readline().rstrip("\n").split(",")
    c = config.columns
    assert {c.id, c.type, c.date, c.lat, c.lon} <= set(header)
    crime_types = pd.read_csv(files[0], usecols=["Crime type"])["Crime type"].str.casefold()
    mapped = set(config.types.aliases)
    assert mapped <= set(crime_types)  # every mapped label really occurs
