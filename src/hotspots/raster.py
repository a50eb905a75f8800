"""Write surfaces as a GeoTIFF on British National Grid."""

from __future__ import annotations

import json

import numpy as np

from hotspots import schema
from hotspots.surface import Surfaces

#: Band names in file order; each band's description in the file says what it holds.
BANDS = (
    ("harm", "harm density, events per km2 (edge-corrected quartic kernel)"),
    ("enforcement", "enforcement density, events per km2 (edge-corrected quartic kernel)"),
    ("gap", "coverage gap: harm density - enforcement density / thin_ratio, per km2"),
)


def geotiff_bytes(surfaces: Surfaces, extra: dict[str, np.ndarray] | None = None) -> bytes:
    """The surfaces as a float32 GeoTIFF (EPSG:27700, NaN outside the study area, deflate).

    ``extra`` adds named bands after the three standard ones (e.g. a comparison's
    difference surface). The file holds no timestamp, so equal surfaces give equal bytes.
    """
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    g = surfaces.grid
    bands = [(name, text, getattr(surfaces, name)) for name, text in BANDS]
    bands += [(name, name, values) for name, values in (extra or {}).items()]
    profile = {
        "driver": "GTiff",
        "width": g.nx,
        "height": g.ny,
        "count": len(bands),
        "dtype": "float32",
        "crs": schema.CRS_METRIC,
        "transform": from_origin(g.x0, g.y1, g.cell_m, g.cell_m),
        "nodata": float("nan"),
        "compress": "deflate",
        "tiled": False,
    }
    with MemoryFile() as memory:
        with memory.open(**profile) as dst:
            for index, (name, text, values) in enumerate(bands, start=1):
                dst.write(np.asarray(values, dtype="float32"), index)
                dst.set_band_description(index, f"{name}: {text}")
            dst.update_tags(
                SURFACE=json.dumps(surfaces.as_dict(), sort_keys=True),
                SOFTWARE="hotspots",
            )
        return bytes(memory.read())
