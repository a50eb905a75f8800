"""One period's analysis: hotspots, their enforcement coverage, and the districts.

Definitions (also in the README and every output):

* **hotspot** — a DBSCAN cluster of the period's harm events (``eps_m``,
  ``min_samples``); its **footprint** is the convex hull of its members buffered by
  ``margin_m``.
* **enforcement** of a hotspot — enforcement events of the period inside its footprint.
* **coverage** — enforcement ÷ harm.
* **thin** — coverage below ``thin_ratio``; otherwise **covered**.
* **harm gap** — harm − enforcement ÷ ``thin_ratio``: how many harm events are left
  unmatched at the thin ratio (positive exactly when thin). Hotspots are ranked by harm
  gap (largest first), then harm (largest first), coverage (smallest first) and id.
* **days since enforcement** — from the period's last day to the latest enforcement
  event in the footprint dated on or before it (any earlier period counts; month-only
  dates count from the month's first day); empty when the record holds none.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.cluster import cluster_events, cluster_ids, footprints
from hotspots.gridref import grid_reference
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis, Quality
from hotspots.params import AnalysisParams, EventTypes
from hotspots.period import Period

#: Geocoding rate under which hotspot maps are unreliable (Ratcliffe 2004: 85 %).
MIN_GEOCODING_RATE = 0.85


def in_period(valid: pd.DataFrame, period: Period | None) -> np.ndarray:
    """Rows whose whole recorded date range lies inside ``period`` (all rows without one)."""
    if period is None:
        return np.ones(len(valid), dtype=bool)
    start = np.datetime64(period.start, "D")
    end = np.datetime64(period.end, "D")
    first = valid[schema.COL_DATE_START].to_numpy("datetime64[D]")
    last = valid[schema.COL_DATE_END].to_numpy("datetime64[D]")
    return (first >= start) & (last <= end)


def analyse(
    valid: pd.DataFrame,
    *,
    rows_read: int,
    rejected_by_reason: Mapping[str, int],
    rows_with_coordinates: int,
    params: AnalysisParams,
    types: EventTypes,
    areas: object,
    inputs: Mapping[str, str],
    boundary_source: str,
) -> Analysis:
    """Cluster, score and overlay the valid events of ``params.period``.

    Parameters
    ----------
    valid
        Validated events of every date (from :func:`hotspots.validate.validate`).
    rows_read, rejected_by_reason, rows_with_coordinates
        Accounting from reading and validation, for the data-quality figures.
    areas
        Study-area districts (GeoDataFrame, EPSG:27700), the rows of ``areas.csv``.
    """
    inside = in_period(valid, params.period)
    events = valid.loc[inside].reset_index(drop=True)
    period_end = _period_end(events, params.period)

    harm = events[events[schema.COL_ROLE] == schema.ROLE_HARM]
    labels = cluster_events(harm, params.eps_m, params.min_samples, params.engine)
    hotspot_of_event = np.full(len(events), "", dtype=object)
    hotspot_of_event[harm.index.to_numpy()] = cluster_ids(labels, "H")
    events[schema.COL_HOTSPOT] = hotspot_of_event

    enforcement = events[events[schema.COL_ROLE] == schema.ROLE_ENFORCEMENT]
    history = valid[
        (valid[schema.COL_ROLE] == schema.ROLE_ENFORCEMENT)
        & (valid[schema.COL_DATE_START].to_numpy("datetime64[D]") <= period_end)
    ]
    # The period's enforcement is part of the history: one spatial query serves both counts.
    history_in_period = in_period(history, params.period)
    hotspots = _hotspots(harm, labels, history, history_in_period, period_end, params, types, areas)

    enf_labels = cluster_events(enforcement, params.eps_m, params.min_samples, params.engine)
    enforcement_clusters = _enforcement_clusters(enforcement, enf_labels, params, types)
    area_table = _areas(events, hotspots, areas)

    rows_analysed = len(events)
    rows_rejected = int(sum(rejected_by_reason.values()))
    rate = rows_with_coordinates / rows_read if rows_read else 0.0
    warnings = []
    if rows_read and rate < MIN_GEOCODING_RATE:
        warnings.append(
            f"geocoding rate {rate:.1%} is below {MIN_GEOCODING_RATE:.0%}: hotspots may be missing "
            "where addresses failed to geocode"
        )
    quality = Quality(
        rows_read=rows_read,
        rows_analysed=rows_analysed,
        rows_outside_period=len(valid) - rows_analysed,
        rows_rejected=rows_rejected,
        rejected_by_reason={r: int(rejected_by_reason.get(r, 0)) for r in schema.REASONS},
        geocoding_rate=rate,
        stacked_points=stacked_points(events, params.stack_min),
        warnings=warnings,
    )
    return Analysis(
        params=params,
        types=types,
        period=params.period,
        events=events,
        hotspots=hotspots,
        enforcement_clusters=enforcement_clusters,
        areas=area_table,
        quality=quality,
        inputs=dict(inputs),
        boundary_source=boundary_source,
    )


def _period_end(events: pd.DataFrame, period: Period | None) -> np.datetime64:
    if period is not None:
        return np.datetime64(period.end, "D")
    if len(events) == 0:
        return np.datetime64("NaT", "D")
    return events[schema.COL_DATE_END].to_numpy("datetime64[D]").max()


def _hotspots(
    harm: pd.DataFrame,
    labels: np.ndarray,
    history: pd.DataFrame,
    history_in_period: np.ndarray,
    period_end: np.datetime64,
    params: AnalysisParams,
    types: EventTypes,
    areas: object,
) -> object:
    import geopandas as gpd

    table, shapes = _cluster_table(harm, labels, params.margin_m, schema.COL_HOTSPOT, "H", "harm")
    n = len(shapes)
    member = labels >= 0

    hist_shape, hist_event = _points_in(shapes, history)
    now = history_in_period[hist_event]
    hit_shape = hist_shape[now]
    table["enforcement"] = np.bincount(hit_shape, minlength=n)
    type_counts: dict[str, np.ndarray] = {}
    harm_types = harm[schema.COL_TYPE].to_numpy()
    enf_types = history[schema.COL_TYPE].to_numpy()[hist_event[now]]
    for type_name in sorted(types.roles):
        if types.roles[type_name] == schema.ROLE_HARM:
            mask = member & (harm_types == type_name)
            type_counts[f"n_{type_name}"] = np.bincount(labels[mask], minlength=n)
        else:
            type_counts[f"n_{type_name}"] = np.bincount(hit_shape[enf_types == type_name], minlength=n)

    table["coverage"] = table["enforcement"] / table["harm"].where(table["harm"] > 0)
    ratio = params.thin_ratio
    table["harm_gap"] = table["harm"] - table["enforcement"] / ratio if ratio > 0 else -table["enforcement"]
    table["status"] = np.where(table["coverage"] < ratio, schema.STATUS_THIN, schema.STATUS_COVERED)

    latest = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    if len(hist_shape):
        dates = history[schema.COL_DATE_START].to_numpy("datetime64[D]")[hist_event]
        frame = pd.DataFrame({"shape": hist_shape, "date": dates}).groupby("shape")["date"].max()
        latest[frame.index.to_numpy()] = frame.to_numpy("datetime64[D]")
    days = (period_end - latest).astype("timedelta64[D]").astype(float)
    days[np.isnat(latest)] = np.nan
    table["days_since_enforcement"] = days

    code, name = _majority_area(shapes, areas)
    table[schema.COL_AREA_CODE] = code
    table[schema.COL_AREA_NAME] = name

    table = table.sort_values(
        ["harm_gap", "harm", "coverage", schema.COL_HOTSPOT],
        ascending=[False, False, True, True],
        kind="mergesort",
    )
    table["rank"] = np.arange(1, n + 1)
    geometry = shapes[table.index.to_numpy()] if n else shapes
    for column, counts in type_counts.items():
        table[column] = counts[table.index.to_numpy()]
    ordered = list(HOTSPOT_COLUMNS) + list(type_counts)
    table = table[ordered].reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=list(geometry), crs=schema.CRS_METRIC)


def _points_in(shapes: np.ndarray, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(shape index, event position) for every event inside (or on the edge of) a shape."""
    import shapely

    if len(shapes) == 0 or len(events) == 0:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    points = shapely.points(events[schema.COL_X].to_numpy(float), events[schema.COL_Y].to_numpy(float))
    tree = shapely.STRtree(shapes)
    event_idx, shape_idx = tree.query(points, predicate="intersects")
    return shape_idx.astype(np.int64), event_idx.astype(np.int64)


def _majority_area(shapes: np.ndarray, areas: object) -> tuple[np.ndarray, np.ndarray]:
    """Code and name of the district holding the largest share of each footprint."""
    import shapely

    n = len(shapes)
    code = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    if n == 0:
        return code, name
    polygons = np.asarray(areas.geometry.values)  # type: ignore[attr-defined]
    codes = areas[schema.COL_AREA_CODE].to_numpy()  # type: ignore[index]
    names = areas[schema.COL_AREA_NAME].to_numpy()  # type: ignore[index]
    shape_idx, area_idx = shapely.STRtree(polygons).query(shapes, predicate="intersects")
    if len(shape_idx) == 0:
        return code, name
    overlap = shapely.area(shapely.intersection(shapes[shape_idx], polygons[area_idx]))
    pairs = pd.DataFrame({"shape": shape_idx, "overlap": overlap, "code": codes[area_idx], "area": area_idx})
    # Largest overlap wins; equal overlaps go to the smaller code, so the choice is stable.
    pairs = pairs.sort_values(["shape", "overlap", "code"], ascending=[True, False, True], kind="mergesort")
    best = pairs.drop_duplicates("shape")
    code[best["shape"].to_numpy()] = codes[best["area"].to_numpy()]
    name[best["shape"].to_numpy()] = names[best["area"].to_numpy()]
    return code, name


def _enforcement_clusters(
    enforcement: pd.DataFrame, labels: np.ndarray, params: AnalysisParams, types: EventTypes
) -> object:
    import geopandas as gpd

    table, shapes = _cluster_table(enforcement, labels, params.margin_m, "cluster_id", "E", "events")
    member = labels >= 0
    kinds = enforcement[schema.COL_TYPE].to_numpy()
    for type_name in sorted(t for t, role in types.roles.items() if role == schema.ROLE_ENFORCEMENT):
        table[f"n_{type_name}"] = np.bincount(labels[member & (kinds == type_name)], minlength=len(shapes))
    return gpd.GeoDataFrame(table, geometry=list(shapes), crs=schema.CRS_METRIC)


def _cluster_table(
    events: pd.DataFrame, labels: np.ndarray, margin_m: float, id_column: str, prefix: str, count_column: str
) -> tuple[pd.DataFrame, np.ndarray]:
    """Per cluster: id, member count, member centroid and footprint area; and the footprints."""
    import shapely

    x = events[schema.COL_X].to_numpy(float)
    y = events[schema.COL_Y].to_numpy(float)
    shapes = footprints(x, y, labels, margin_m)
    n = len(shapes)
    member = labels >= 0
    counts = np.bincount(labels[member], minlength=n)
    table = pd.DataFrame({id_column: cluster_ids(np.arange(n), prefix), count_column: counts})
    table["centroid_x"] = np.bincount(labels[member], weights=x[member], minlength=n) / np.maximum(counts, 1)
    table["centroid_y"] = np.bincount(labels[member], weights=y[member], minlength=n) / np.maximum(counts, 1)
    table["footprint_m2"] = shapely.area(shapes) if n else np.array([], dtype=float)
    return table, shapes


def _areas(events: pd.DataFrame, hotspots: object, areas: object) -> object:
    import geopandas as gpd

    base = pd.DataFrame(
        {
            schema.COL_AREA_CODE: areas[schema.COL_AREA_CODE].to_numpy(),  # type: ignore[index]
            schema.COL_AREA_NAME: areas[schema.COL_AREA_NAME].to_numpy(),  # type: ignore[index]
        }
    )
    by_area = events.groupby([schema.COL_AREA_CODE, schema.COL_ROLE]).size().unstack(fill_value=0)
    spots = pd.DataFrame(hotspots.drop(columns="geometry"))  # type: ignore[attr-defined]
    thin = spots[spots["status"] == schema.STATUS_THIN]
    table = base.set_index(schema.COL_AREA_CODE)
    table["harm"] = by_area.get(schema.ROLE_HARM, pd.Series(dtype=int)).reindex(table.index, fill_value=0)
    table["enforcement"] = by_area.get(schema.ROLE_ENFORCEMENT, pd.Series(dtype=int)).reindex(
        table.index, fill_value=0
    )
    table["coverage"] = table["enforcement"] / table["harm"].where(table["harm"] > 0)
    table["hotspots"] = spots.groupby(schema.COL_AREA_CODE).size().reindex(table.index, fill_value=0)
    table["thin_hotspots"] = thin.groupby(schema.COL_AREA_CODE).size().reindex(table.index, fill_value=0)
    table["harm_in_thin_hotspots"] = thin.groupby(schema.COL_AREA_CODE)["harm"].sum().reindex(
        table.index, fill_value=0
    )
    table = table.reset_index()[list(AREA_COLUMNS)]
    for column in ("harm", "enforcement", "hotspots", "thin_hotspots", "harm_in_thin_hotspots"):
        table[column] = table[column].astype(np.int64)
    return gpd.GeoDataFrame(table, geometry=list(np.asarray(areas.geometry.values)), crs=schema.CRS_METRIC)  # type: ignore[attr-defined]


def stacked_points(events: pd.DataFrame, stack_min: int) -> list[dict[str, object]]:
    """Exact coordinates (to 1 m) holding at least ``stack_min`` analysed events.

    Reported by 6-figure grid reference (100 m), not by exact coordinate, so that the
    list does not pinpoint an address.
    """
    if len(events) == 0:
        return []
    key = pd.DataFrame(
        {
            "x": np.round(events[schema.COL_X].to_numpy(float)),
            "y": np.round(events[schema.COL_Y].to_numpy(float)),
            "role": events[schema.COL_ROLE].to_numpy(),
            "area": events[schema.COL_AREA_NAME].to_numpy(),
        }
    )
    counts = key.groupby(["x", "y"]).agg(events=("role", "size"), area=("area", "first"))
    harm = key[key["role"] == schema.ROLE_HARM].groupby(["x", "y"]).size()
    counts["harm"] = harm.reindex(counts.index, fill_value=0)
    counts = counts[counts["events"] >= stack_min].reset_index()
    counts = counts.sort_values(["events", "x", "y"], ascending=[False, True, True], kind="mergesort")
    return [
        {
            "grid_ref": grid_reference(float(row.x), float(row.y)),
            "events": int(row.events),
            "harm": int(row.harm),
            "enforcement": int(row.events - row.harm),
            "area_name": str(row.area),
        }
        for row in counts.itertuples(index=False)
    ]
