"""The results that flow between pipeline stages and into every output.

One analysis of one period is an :class:`Analysis`. Renderers (map, briefing,
comparison) and writers read it and nothing else, so this module is the contract
between the analysis and everything that shows it.

Tables (all in :data:`hotspots.schema.CRS_METRIC`, metres, unless said otherwise):

``events``
    Analysed events of the period, one row each: ``source_file``, ``source_row``,
    ``id``, ``type``, ``role``, ``date_start`` and ``date_end`` (``datetime64[ns]``
    days; equal unless the date was month-only), ``x_m``, ``y_m``, ``area_code``,
    ``area_name``, ``hotspot_id`` (harm events in a hotspot, else ``""``). Sorted by
    (``source_file``, ``source_row``).
``hotspots``
    GeoDataFrame, one row per harm hotspot, sorted by ``rank`` (1 = act first):
    :data:`HOTSPOT_COLUMNS` plus ``n_<type>`` counts for every configured type
    (harm types count members, enforcement types count events inside the
    footprint), and the footprint polygon as ``geometry``.
``enforcement_clusters``
    GeoDataFrame of DBSCAN clusters of enforcement events: ``cluster_id``
    (``E001``…), ``events``, ``n_<type>`` for enforcement types, ``centroid_x``,
    ``centroid_y``, footprint ``geometry``.
``areas``
    GeoDataFrame, one row per study-area district, sorted by ``area_code``:
    :data:`AREA_COLUMNS` and the district polygon as ``geometry``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from hotspots.params import AnalysisParams, EventTypes
    from hotspots.period import Period

#: Hotspot table columns in output order (before the per-type counts and geometry).
HOTSPOT_COLUMNS: Final = (
    "hotspot_id",  # 2024Q4-H001…: period label, then numbered by the smallest (x, y) member
    "rank",  # 1 = largest harm gap
    "status",  # "thin" or "covered"
    "harm",  # harm events in the cluster
    "locations",  # distinct coordinates (to 1 m) of its harm events
    "few_locations",  # locations < min_locations: check the geocoding (demoted when configured)
    "enforcement",  # enforcement events of the period inside the footprint
    "coverage",  # enforcement / harm
    "harm_gap",  # harm - enforcement / thin_ratio: the shortfall against the thin rule
    "days_since_enforcement",  # from period end to the latest enforcement in the footprint; NaN if none
    "area_code",  # district holding most of its harm events (ties: most of the footprint)
    "area_name",
    "local_area_code",  # --local-areas: the local area holding most of the footprint, else ""
    "local_area_name",
    "near",  # nearest populated place (GeoNames) to the centroid
    "postcode_sector",  # sector of the nearest postcode, e.g. "NR30 2"
    "postcode",  # nearest live postcode to the centroid (internal audience only)
    "centroid_x",  # mean of member coordinates, metres
    "centroid_y",
    "footprint_m2",
)

#: Area table columns in output order (``areas.csv``).
AREA_COLUMNS: Final = (
    "area_code",
    "area_name",
    "harm",  # harm events of the period in the district
    "enforcement",  # enforcement events of the period in the district
    "coverage",  # enforcement / harm; NaN when harm is 0
    "hotspots",  # hotspots whose district this is (each hotspot counted once)
    "thin_hotspots",
    "harm_in_thin_hotspots",  # harm events in the district that belong to thin hotspots
)


@dataclass(frozen=True)
class Quality:
    """Row accounting and data-quality figures of one run over the input files."""

    rows_read: int
    rows_analysed: int
    rows_outside_period: int
    rows_rejected: int  # faults only; rows not analysed are counted apart
    rejected_by_reason: dict[str, int]  # hotspots.schema.REJECTION_REASONS
    geocoding_rate: float  # rows with usable coordinates / rows read (0 when no rows)
    stacked_points: list[dict[str, Any]]  # {grid_ref (6-figure), events, harm, enforcement, area_name}, most first
    warnings: list[str] = field(default_factory=list)
    #: Rows of categories the config chose not to analyse (reason type_not_analysed):
    #: rows_read = rows_analysed + rows_outside_period + rows_not_analysed + rows_rejected.
    rows_not_analysed: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready figures (the keys used in ``summary.json``)."""
        return {
            "rows_read": self.rows_read,
            "rows_analysed": self.rows_analysed,
            "rows_outside_period": self.rows_outside_period,
            "rows_not_analysed": self.rows_not_analysed,
            "rows_rejected": self.rows_rejected,
            "rejected_by_reason": dict(self.rejected_by_reason),
            "geocoding_rate": round(self.geocoding_rate, 4),
            "stacked_points": list(self.stacked_points),
            "warnings": list(self.warnings),
        }


@dataclass(frozen=True)
class Analysis:
    """Everything one period's analysis produced."""

    params: AnalysisParams
    types: EventTypes
    period: Period | None
    events: pd.DataFrame
    hotspots: gpd.GeoDataFrame
    enforcement_clusters: gpd.GeoDataFrame
    areas: gpd.GeoDataFrame
    quality: Quality
    inputs: dict[str, str]  # file name -> sha256
    boundary_source: str
    #: ``local_areas.csv`` rows (``hotspots.local_areas.LOCAL_AREA_COLUMNS``) with
    #: ``--local-areas``, else None; and that file's source line.
    local_areas: pd.DataFrame | None = None
    local_area_source: str = ""
