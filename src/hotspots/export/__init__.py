"""Writers of the files analysts open in their own tools: GeoPackage (QGIS, ArcGIS Pro) and Excel.

Each module builds one file format from the result objects (:class:`~hotspots.model.Analysis`,
:class:`~hotspots.compare.Comparison`) and returns bytes or writes one path; none of them
analyses anything.
"""

from __future__ import annotations

import datetime
from typing import Final

#: The time written wherever a file format asks for one (creation or change times), so that
#: equal results give equal bytes. The real run time is not a property of the results.
FIXED_TIME: Final = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
