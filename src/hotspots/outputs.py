"""Deterministic file formats and all-or-nothing writing of an output folder.

Outputs are written into a temporary folder beside ``--out`` and moved into place only
when every file is complete: an interrupted or failed run leaves the previous complete
outputs (or none). Only the files this run writes are replaced; anything else in the
folder is left alone.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import OutputError

#: Decimal places of WGS84 coordinates in GeoJSON outputs (1e-6 degrees is about 0.1 m).
COORD_DECIMALS = 6


class OutputFolder:
    """Files collected for one output folder; see :func:`writing`."""

    def __init__(self, staging: Path) -> None:
        self.staging = staging
        self.names: list[str] = []

    def write_text(self, name: str, text: str) -> None:
        """Stage a text file (UTF-8, ``\\n`` line endings)."""
        self.write_bytes(name, text.encode("utf-8"))

    def write_bytes(self, name: str, data: bytes) -> None:
        """Stage a binary file."""
        (self.staging / name).write_bytes(data)
        if name not in self.names:
            self.names.append(name)


@contextmanager
def writing(out_dir: Path) -> Iterator[OutputFolder]:
    """Stage files in a temporary folder beside ``out_dir``; move them in on success.

    Raises
    ------
    OutputError
        The folder cannot be created or written.
    """
    out_dir = out_dir.resolve()
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot create the output folder ({exc.strerror or exc})") from None
    try:
        folder = OutputFolder(staging)
        yield folder
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in folder.names:
            os.replace(staging / name, out_dir / name)
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write outputs ({exc.strerror or exc})") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _plain(value: Any) -> Any:
    """A JSON-ready version of numpy and pandas scalars; NaN becomes null."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 4)
    if value is pd.NaT or value is None:
        return None
    return value


def json_text(data: Any) -> str:
    """Stable JSON: 2-space indent, keys in insertion order, UTF-8, final newline."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_plain, allow_nan=False) + "\n"


def csv_text(frame: pd.DataFrame) -> str:
    """Stable CSV: no index, ``\\n`` line endings, floats rounded to 4 decimals, NaN empty."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = out[column].round(4)
    return out.to_csv(index=False, lineterminator="\n")


def geojson_text(frame: Any, properties: list[str]) -> str:
    """A WGS84 FeatureCollection, one feature per row, one line per feature.

    Coordinates are rounded to :data:`COORD_DECIMALS`; properties keep the given order.
    """
    import shapely

    web = frame.to_crs(schema.CRS_WEB)
    geoms = shapely.transform(np.asarray(web.geometry.values), lambda c: np.round(c, COORD_DECIMALS))
    records = web[properties].to_dict(orient="records")
    lines = []
    for record, geom in zip(records, geoms, strict=True):
        feature = {
            "type": "Feature",
            "properties": {k: _plain(v) for k, v in record.items()},
            "geometry": json.loads(shapely.to_geojson(geom)),
        }
        lines.append(json.dumps(feature, ensure_ascii=False, allow_nan=False, separators=(",", ":")))
    body = ",\n".join(lines)
    return '{"type":"FeatureCollection","features":[\n' + body + ("\n" if lines else "") + "]}\n"


def counts(mapping: Mapping[str, int]) -> dict[str, int]:
    """A count mapping with plain ints, keys sorted."""
    return {str(k): int(v) for k, v in sorted(mapping.items())}
