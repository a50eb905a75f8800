"""Column names, event types, roles and coordinate reference systems.

Every name that crosses a module boundary or reaches an output lives here, so that
modules and tests import one spelling.
"""

from __future__ import annotations

from typing import Final

# --- coordinate reference systems ----------------------------------------------------------
#: British National Grid: all distances, areas and clustering happen here (metres).
CRS_METRIC: Final = "EPSG:27700"
#: WGS84 longitude/latitude: what web maps and GeoJSON outputs use.
CRS_WEB: Final = "EPSG:4326"

# --- DBSCAN engines ---------------------------------------------------------------------
#: Engine names the parameters, the command line and :data:`hotspots.dbscan.ENGINES` share.
ENGINE_GRID: Final = "grid"
ENGINE_SKLEARN: Final = "sklearn"
ENGINE_NAMES: Final = (ENGINE_GRID, ENGINE_SKLEARN)

# --- roles -------------------------------------------------------------------------------
ROLE_HARM: Final = "harm"
ROLE_ENFORCEMENT: Final = "enforcement"
ROLES: Final = (ROLE_HARM, ROLE_ENFORCEMENT)

# --- built-in event types and their roles ------------------------------------------------
TYPE_RAID: Final = "raid"
TYPE_SEIZURE: Final = "seizure"
TYPE_CUCKOOING: Final = "cuckooing"
DEFAULT_TYPE_ROLES: Final = {
    TYPE_RAID: ROLE_ENFORCEMENT,
    TYPE_SEIZURE: ROLE_ENFORCEMENT,
    TYPE_CUCKOOING: ROLE_HARM,
}

# --- canonical input columns (after renaming by config) -----------------------------------
COL_ID: Final = "id"
COL_TYPE: Final = "type"
COL_DATE: Final = "date"
COL_LAT: Final = "lat"
COL_LON: Final = "lon"
COL_EASTING: Final = "easting"
COL_NORTHING: Final = "northing"
# Optional time columns (read only when the file has them; see docs/time.md).
COL_TIME: Final = "time"  # time of day of ``date`` (14:30, 1430, 14:30:00)
COL_DATE_FROM: Final = "date_from"  # an aoristic window: earliest date (and time) the event can have happened
COL_DATE_TO: Final = "date_to"  # ... and the latest
OPTIONAL_RAW_COLUMNS: Final = (COL_TIME, COL_DATE_FROM, COL_DATE_TO)

#: Synonyms recognised without a config (lower-cased header -> canonical column).
COLUMN_SYNONYMS: Final = {
    "id": COL_ID,
    "event_id": COL_ID,
    "crime id": COL_ID,
    "type": COL_TYPE,
    "event_type": COL_TYPE,
    "date": COL_DATE,
    "datetime": COL_DATE,
    "event_date": COL_DATE,
    "lat": COL_LAT,
    "latitude": COL_LAT,
    "lon": COL_LON,
    "lng": COL_LON,
    "long": COL_LON,
    "longitude": COL_LON,
    "easting": COL_EASTING,
    "northing": COL_NORTHING,
}

# --- the raw frame every reader produces (all values are the file's text) ---------------------
COL_X_RAW: Final = "x_original"  # longitude, easting or x as written
COL_Y_RAW: Final = "y_original"  # latitude, northing or y as written
COL_CRS: Final = "crs"  # the CRS the coordinates are written in
COL_GEOM_KIND: Final = "geometry_kind"  # spatial files: "point", "empty" or the geometry type
RAW_COLUMNS: Final = (COL_ID, COL_TYPE, COL_DATE, COL_X_RAW, COL_Y_RAW, COL_CRS)

# --- columns added while reading and validating -------------------------------------------
COL_SOURCE: Final = "source_file"
COL_ROW: Final = "source_row"  # 1-based data row number within its file (header excluded)
COL_ROLE: Final = "role"
COL_REASON: Final = "reason"
COL_X: Final = "x_m"  # easting in CRS_METRIC
COL_Y: Final = "y_m"  # northing in CRS_METRIC
COL_DATE_START: Final = "date_start"  # first instant the recorded date can mean
COL_DATE_END: Final = "date_end"  # last day the recorded date can mean (month-only dates, windows)
COL_MINUTE_START: Final = "minute_start"  # minute of date_start's day the event can first mean; -1: no time
COL_MINUTE_END: Final = "minute_end"  # minute of date_end's day the event can last mean; -1: no time
COL_HOTSPOT: Final = "hotspot_id"
COL_AREA_CODE: Final = "area_code"
COL_AREA_NAME: Final = "area_name"

# --- rejection reasons ---------------------------------------------------------------------
REASON_MISSING_COORDS: Final = "missing_coordinates"
REASON_NON_NUMERIC_COORDS: Final = "non_numeric_coordinates"
REASON_ZERO_COORDS: Final = "coordinates_at_zero"
REASON_SWAPPED_COORDS: Final = "coordinates_swapped"  # lat/lon (or easting/northing) reversed
REASON_NOT_POINT: Final = "geometry_not_point"
REASON_INVALID_COORDS: Final = "coordinates_out_of_range"
REASON_OUTSIDE_AREA: Final = "outside_study_area"
REASON_MISSING_DATE: Final = "missing_date"
REASON_BAD_DATE: Final = "unparseable_date"
REASON_BAD_TIME: Final = "unparseable_time"  # a time of day that is not one (25:00, "noon")
REASON_INCOMPLETE_WINDOW: Final = "incomplete_window"  # date_from without date_to, or the reverse
REASON_WINDOW_REVERSED: Final = "window_end_before_start"
REASON_WINDOW_OUTSIDE: Final = "window_outside_input_span"  # ends before, or starts after, every other row
REASON_UNKNOWN_TYPE: Final = "unknown_type"
REASON_MISSING_TYPE: Final = "missing_type"
REASON_DUPLICATE_ID: Final = "duplicate_id"
REASON_MISSING_ID: Final = "missing_id"
REASON_TYPE_NOT_ANALYSED: Final = "type_not_analysed"  # a label the config lists as not analysed
#: Every reason, in the order they are checked: a row is given the first that applies.
REASONS: Final = (
    REASON_TYPE_NOT_ANALYSED,
    REASON_MISSING_ID,
    REASON_DUPLICATE_ID,
    REASON_MISSING_TYPE,
    REASON_UNKNOWN_TYPE,
    REASON_MISSING_DATE,
    REASON_BAD_DATE,
    REASON_BAD_TIME,
    REASON_INCOMPLETE_WINDOW,
    REASON_WINDOW_REVERSED,
    REASON_WINDOW_OUTSIDE,
    REASON_MISSING_COORDS,
    REASON_NON_NUMERIC_COORDS,
    REASON_NOT_POINT,
    REASON_ZERO_COORDS,
    REASON_SWAPPED_COORDS,
    REASON_INVALID_COORDS,
    REASON_OUTSIDE_AREA,
)
#: The reasons that are faults: every reason but type_not_analysed, whose rows are counted
#: apart as "not analysed (other categories)" (hotspots.notices).
REJECTION_REASONS: Final = tuple(r for r in REASONS if r != REASON_TYPE_NOT_ANALYSED)

# --- hotspot status ------------------------------------------------------------------------
STATUS_THIN: Final = "thin"
STATUS_COVERED: Final = "covered"

# --- fixed output file names ---------------------------------------------------------------
OUT_MAP: Final = "map.html"
OUT_HOTSPOTS: Final = "hotspots.geojson"
OUT_AREAS: Final = "areas.csv"
OUT_LOCAL_AREAS: Final = "local_areas.csv"  # with --local-areas
OUT_REJECTED: Final = "rejected.csv"
OUT_SUMMARY: Final = "summary.json"
OUT_ENFORCEMENT_CLUSTERS: Final = "enforcement_clusters.geojson"
OUT_COMPARE_MAP: Final = "compare.html"
OUT_CHANGES: Final = "changes.geojson"
OUT_AREA_CHANGES: Final = "area_changes.csv"
OUT_SURFACE: Final = "surface.tif"  # with --surface: harm, enforcement and coverage-gap rasters
OUT_SURFACE_AREAS: Final = "surface_areas.csv"  # with --surface: the gap surface per district
OUT_TIMELINE: Final = "timeline.csv"
OUT_TIME_OF_WEEK: Final = "time_of_week.csv"
#: The PostgreSQL schema ``--to-postgis`` writes into unless ``--schema`` names another.
OUT_POSTGIS_SCHEMA: Final = "hotspots"

# --- the service (``hotspots serve``): defaults its command and ServiceConfig share ----------
#: Where the service listens: loopback, behind the force's reverse proxy.
SERVICE_HOST: Final = "127.0.0.1"
SERVICE_PORT: Final = 8750
#: Request headers the reverse proxy sets: the signed-in user, and their groups.
USER_HEADER: Final = "X-Remote-User"
GROUPS_HEADER: Final = "X-Remote-Groups"

#: Protective marking printed on every page unless the user chooses another.
DEFAULT_MARKING: Final = "OFFICIAL-SENSITIVE"
