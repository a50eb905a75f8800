"""Where each hotspot is, in the words people use: local area, nearest place, postcode.

Called once by the analysis after scoring. Adds to the hotspot table (definitions also in
``docs/geography.md`` and ``summary.json``):

* ``local_area_code``, ``local_area_name`` -- with ``--local-areas``, the local area holding
  most of the footprint (``""`` without the option or outside every local area);
* ``near`` -- the nearest populated place (GeoNames, 500 people or more) to the hotspot's
  centroid, the mean of its harm events;
* ``postcode`` -- the nearest live postcode to the centroid (internal audience only: a
  postcode is a street or two);
* ``postcode_sector`` -- that postcode's sector, e.g. ``"NR30 2"`` (a few thousand
  addresses; what a wide audience may see, with the district).
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np

from hotspots.local_areas import COL_LOCAL_CODE, COL_LOCAL_NAME, LocalAreas, majority_local_area
from hotspots.model import HOTSPOT_COLUMNS

COL_NEAR: Final = "near"
COL_POSTCODE: Final = "postcode"
COL_SECTOR: Final = "postcode_sector"
#: The columns this module adds, in the order of :data:`HOTSPOT_COLUMNS`.
PLACE_COLUMNS: Final = tuple(
    c for c in HOTSPOT_COLUMNS if c in {COL_LOCAL_CODE, COL_LOCAL_NAME, COL_NEAR, COL_SECTOR, COL_POSTCODE}
)


def add_place_columns(hotspots: Any, local_areas: LocalAreas | None = None) -> Any:
    """The hotspot table with :data:`PLACE_COLUMNS` filled, columns in output order.

    The bundled postcodes and places are read only if there is a hotspot to name.
    """
    n = len(hotspots)
    x = hotspots["centroid_x"].to_numpy(float)
    y = hotspots["centroid_y"].to_numpy(float)
    empty = np.full(n, "", dtype=object)
    if n:
        from hotspots.places import nearest_place
        from hotspots.postcodes import nearest_postcodes

        near = nearest_place(x, y)
        postcode, sector = nearest_postcodes(x, y)
    else:
        near, postcode, sector = empty, empty, empty
    if local_areas is not None and n:
        code, name = majority_local_area(np.asarray(hotspots.geometry.values), local_areas)
    else:
        code, name = empty, empty
    values = {
        COL_LOCAL_CODE: code,
        COL_LOCAL_NAME: name,
        COL_NEAR: near,
        COL_SECTOR: sector,
        COL_POSTCODE: postcode,
    }
    out = hotspots.copy()
    for column, value in values.items():
        out[column] = ["" if v is None else str(v) for v in value]
    rest = [c for c in out.columns if c not in HOTSPOT_COLUMNS]
    return out[list(HOTSPOT_COLUMNS) + rest]
