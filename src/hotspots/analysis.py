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

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from hotspots import parallel, schema, sentences
from hotspots.cluster import cluster_events, cluster_ids, footprints
from hotspots.gridref import grid_reference
from hotspots.local_areas import LocalAreas, local_area_table
from hotspots.model import AREA_COLUMNS, HOTSPOT_COLUMNS, Analysis, Quality
from hotspots.notices import split_rejections
from hotspots.params import AnalysisParams, EventTypes
from hotspots.period import Period
from hotspots.where import PLACE_COLUMNS, add_place_columns

if TYPE_CHECKING:
    import geopandas as gpd

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


def geocoding_warning(rows_read: int, rate: float) -> str | None:
    """The warning every output carries when too few rows could be placed; None when enough.

    ``rate`` is rows with usable coordinates / rows read (see :data:`MIN_GEOCODING_RATE`).
    """
    if rows_read and rate < MIN_GEOCODING_RATE:
        return (
            f"geocoding rate {rate:.1%} is below {MIN_GEOCODING_RATE:.0%}: hotspots may be missing "
            "where addresses failed to geocode"
        )
    return None


def analyse(
    valid: pd.DataFrame,
    *,
    rows_read: int,
    rejected_by_reason: Mapping[str, int],
    rows_with_coordinates: int,
    params: AnalysisParams,
    types: EventTypes,
    areas: gpd.GeoDataFrame,
    inputs: Mapping[str, str],
    boundary_source: str,
    local_areas: LocalAreas | None = None,
    warnings: Sequence[str] = (),
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
    local_areas
        The force's finer areas (``--local-areas``), or None.
    warnings
        Warnings from loading (e.g. districts left out of the study area), listed first.
    """
    inside = in_period(valid, params.period)
    events = valid.loc[inside].reset_index(drop=True)
    period_end = _period_end(events, params.period)

    # The subsets carry only the columns the scoring reads: copying every column of a
    # million rows is a good part of the cost of selecting them.
    role = events[schema.COL_ROLE]
    harm = events.loc[role == schema.ROLE_HARM, list(_EVENT_COLUMNS)]
    labels = cluster_events(harm, params.eps_m, params.min_samples, params.engine)
    harm_codes = events[schema.COL_AREA_CODE].to_numpy()[harm.index.to_numpy()]
    prefix = hotspot_prefix(params.period)
    events[schema.COL_HOTSPOT] = _hotspot_column(len(events), harm.index.to_numpy(), labels, prefix)

    enforcement = events.loc[role == schema.ROLE_ENFORCEMENT, list(_EVENT_COLUMNS)]
    history = valid.loc[
        (valid[schema.COL_ROLE] == schema.ROLE_ENFORCEMENT)
        & (valid[schema.COL_DATE_START].to_numpy("datetime64[D]") <= period_end),
        [*_EVENT_COLUMNS, schema.COL_DATE_END],
    ]
    # The period's enforcement is part of the history: one spatial query serves both counts.
    history_in_period = in_period(history, params.period)
    with ThreadPoolExecutor(1) as pool:
        # Clustering runs compiled without the GIL (its kernels are loaded by now): the
        # enforcement events are clustered while the hotspots are scored.
        enf_job = pool.submit(cluster_events, enforcement, params.eps_m, params.min_samples, params.engine)
        hotspots = _hotspots(
            harm, labels, harm_codes, history, history_in_period, period_end, params, types, areas
        )
        enf_labels = enf_job.result()
    enforcement_clusters = _enforcement_clusters(enforcement, enf_labels, params, types)
    # Names for where each hotspot is (local area, nearest place, postcode): after scoring,
    # in one place, so every output reads the same columns.
    hotspots = add_place_columns(hotspots, local_areas)
    local_table = local_area_table(hotspots, local_areas) if local_areas is not None else None
    area_table = _areas(events, hotspots, areas)

    rows_analysed = len(events)
    not_analysed, rejections = split_rejections(rejected_by_reason)
    rate = rows_with_coordinates / rows_read if rows_read else 0.0
    warnings = list(warnings)
    warning = geocoding_warning(rows_read, rate)
    if warning:
        warnings.append(warning)
    few = few_locations_warning(hotspots, params)
    if few:
        warnings.append(few)
    quality = Quality(
        rows_read=rows_read,
        rows_analysed=rows_analysed,
        rows_outside_period=len(valid) - rows_analysed,
        rows_rejected=sum(rejections.values()),
        rejected_by_reason=rejections,
        geocoding_rate=rate,
        stacked_points=stacked_points(events, params.stack_min),
        warnings=warnings,
        rows_not_analysed=not_analysed,
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
        local_areas=local_table,
        local_area_source=local_areas.source if local_areas is not None else "",
    )


#: Columns of the harm, enforcement and history subsets (``COL_DATE_END`` too for history).
_EVENT_COLUMNS = (schema.COL_X, schema.COL_Y, schema.COL_TYPE, schema.COL_DATE_START)


def hotspot_prefix(period: Period | None) -> str:
    """The start of every hotspot id of ``period``'s analysis: ``"2024Q4-H"``, or ``"H"`` with no period.

    Ids name the period so that one id is one hotspot across every output: the
    briefing's changes table and the comparison map show two periods' hotspots side
    by side, and ``H003`` of one quarter is not ``H003`` of the next (issue 17).
    """
    return f"{period.label}-H" if period is not None else "H"


def _hotspot_column(n_events: int, harm_rows: np.ndarray, labels: np.ndarray, prefix: str) -> object:
    """The hotspot id of every event (``""`` outside hotspots), for ``events[COL_HOTSPOT]``.

    Taking from a short series of ids makes a string column directly, where a
    million-row object array would be built and then converted by pandas. An empty
    column stays the object array pandas has always been given.
    """
    n_clusters = int(labels.max()) + 1 if len(labels) else 0
    which = np.zeros(n_events, dtype=np.int64)  # 0 is "" (noise or not harm)
    which[harm_rows] = labels + 1
    ids = cluster_ids(np.arange(-1, n_clusters), prefix)
    if n_events == 0:
        return ids[which]
    return pd.Series(ids).take(which).array


def _is(column: pd.Series, value: str) -> np.ndarray:
    """``column == value`` as a numpy bool array, compared in the column's own (Arrow) storage."""
    return (column == value).to_numpy(dtype=bool, na_value=False)


def _period_end(events: pd.DataFrame, period: Period | None) -> np.datetime64:
    if period is not None:
        return np.datetime64(period.end, "D")
    if len(events) == 0:
        return np.datetime64("NaT", "D")
    return events[schema.COL_DATE_END].to_numpy("datetime64[D]").max()


def _hotspots(
    harm: pd.DataFrame,
    labels: np.ndarray,
    harm_codes: np.ndarray,
    history: pd.DataFrame,
    history_in_period: np.ndarray,
    period_end: np.datetime64,
    params: AnalysisParams,
    types: EventTypes,
    areas: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    import geopandas as gpd

    prefix = hotspot_prefix(params.period)
    table, shapes = _cluster_table(harm, labels, params.margin_m, schema.COL_HOTSPOT, prefix, "harm")
    n = len(shapes)
    member = labels >= 0

    hist_shape, hist_event = _points_in(shapes, history)
    now = history_in_period[hist_event]
    hit_shape = hist_shape[now]
    table["enforcement"] = np.bincount(hit_shape, minlength=n)
    type_counts: dict[str, np.ndarray] = {}
    hit_event = hist_event[now]
    for type_name in sorted(types.roles):
        if types.roles[type_name] == schema.ROLE_HARM:
            mask = member & _is(harm[schema.COL_TYPE], type_name)
            type_counts[f"n_{type_name}"] = np.bincount(labels[mask], minlength=n)
        else:
            of_type = _is(history[schema.COL_TYPE], type_name)[hit_event]
            type_counts[f"n_{type_name}"] = np.bincount(hit_shape[of_type], minlength=n)

    table["locations"] = _locations(harm, labels, n)
    table["few_locations"] = table["locations"] < params.min_locations
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

    code, name = _district_of_members(labels, harm_codes, shapes, areas)
    table[schema.COL_AREA_CODE] = code
    table[schema.COL_AREA_NAME] = name

    # Demoted hotspots (too few locations to trust, when configured) rank after all others.
    table["demoted"] = table["few_locations"] & (params.few_locations == "demote")
    table = table.sort_values(
        ["demoted", "harm_gap", "harm", "coverage", schema.COL_HOTSPOT],
        ascending=[True, False, False, True, True],
        kind="mergesort",
    )
    table["rank"] = np.arange(1, n + 1)
    geometry = shapes[table.index.to_numpy()] if n else shapes
    for column, counts in type_counts.items():
        table[column] = counts[table.index.to_numpy()]
    ordered = [c for c in HOTSPOT_COLUMNS if c not in PLACE_COLUMNS] + list(type_counts)
    table = table[ordered].reset_index(drop=True)
    return gpd.GeoDataFrame(table, geometry=list(geometry), crs=schema.CRS_METRIC)


def _locations(harm: pd.DataFrame, labels: np.ndarray, n: int) -> np.ndarray:
    """Distinct whole-metre coordinates among each cluster's harm events."""
    member = labels >= 0
    if n == 0 or not member.any():
        return np.zeros(n, dtype=np.int64)
    points = pd.DataFrame(
        {
            "label": labels[member],
            "x": np.round(harm[schema.COL_X].to_numpy(float)[member]),
            "y": np.round(harm[schema.COL_Y].to_numpy(float)[member]),
        }
    ).drop_duplicates()
    return np.bincount(points["label"].to_numpy(), minlength=n)


def few_locations_warning(hotspots: pd.DataFrame, params: AnalysisParams) -> str | None:
    """The sentence naming the hotspots whose harm sits at fewer than ``min_locations`` points."""
    few = hotspots[hotspots["few_locations"].astype(bool)] if "few_locations" in hotspots else hotspots[:0]
    if len(few) == 0:
        return None
    named = [
        f"{row.hotspot_id} in {row.area_name} ({sentences.at_locations(int(row.harm), int(row.locations))})"
        for row in few.itertuples()
    ]
    shown = named[:5] + ([f"{len(named) - 5} more"] if len(named) > 5 else [])
    subject = sentences.counted(len(few), "hotspot")
    verb = "has" if len(few) == 1 else "have"
    what = (
        "demoted below the other hotspots and out of the priorities"
        if params.few_locations == "demote"
        else "ranked as usual"
    )
    return (
        f"check the geocoding: {subject} {verb} harm events at fewer than "
        f"{sentences.counted(params.min_locations, 'distinct location')} "
        f"({sentences.joined(shown)}); {what}. Many events at one point can be one address "
        "reported many times, or events snapped to one map point (police.uk does this)"
    )


#: Footprints per thread below which testing events against them in threads does not pay.
_SHAPES_PER_BLOCK = 1_000


def _points_in(shapes: np.ndarray, events: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(shape index, event position) for every event inside (or on the edge of) a shape.

    Pairs come in no particular order. Building a shapely Point per event and querying a
    tree with a million of them cost seconds; instead the events are binned on a grid,
    each shape's bounding box picks its candidate events from the cells it covers, and
    GEOS tests only those (x, y) pairs against the prepared shape.
    """
    import shapely

    empty = np.array([], dtype=np.int64)
    if len(shapes) == 0 or len(events) == 0:
        return empty, empty
    x = events[schema.COL_X].to_numpy(float)
    y = events[schema.COL_Y].to_numpy(float)
    box = shapely.bounds(shapes)  # x min, y min, x max, y max
    x0, y0 = box[:, 0].min(), box[:, 1].min()
    x1, y1 = box[:, 2].max(), box[:, 3].max()
    # Cells about one footprint wide keep a box to a few cells and a cell to a few events;
    # the floor keeps the grid to at most 2**20 cells a side (and non-zero for point shapes).
    extent = np.maximum(box[:, 2] - box[:, 0], box[:, 3] - box[:, 1])
    side = max(float(np.median(extent)), max(x1 - x0, y1 - y0) / 2**20, 1.0)
    n_rows = int(np.floor((y1 - y0) / side)) + 1

    def column(v: np.ndarray) -> np.ndarray:
        # Subtraction, division and floor all round monotonically, so an event inside a
        # box always falls in one of the box's cells.
        return np.floor((v - x0) / side).astype(np.int64)

    def row(v: np.ndarray) -> np.ndarray:
        return np.floor((v - y0) / side).astype(np.int64)

    # Events sorted by cell (column-major), so the rows r0..r1 of one column are one run.
    near = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
    cell = column(x[near]) * n_rows + row(y[near])
    order = np.argsort(cell)  # the order of events within a cell does not matter
    cell, near = cell[order], near[order]

    c0, c1, r0, r1 = column(box[:, 0]), column(box[:, 2]), row(box[:, 1]), row(box[:, 3])
    run_shape, run_col = _expand(c0, c1 - c0 + 1)
    first = np.searchsorted(cell, run_col * n_rows + r0[run_shape], side="left")
    stop = np.searchsorted(cell, run_col * n_rows + r1[run_shape], side="right")
    shape_idx, position = _expand(first, stop - first, run_shape)
    event_idx = near[position]

    ex, ey, b = x[event_idx], y[event_idx], box[shape_idx]
    inside_box = (ex >= b[:, 0]) & (ex <= b[:, 2]) & (ey >= b[:, 1]) & (ey <= b[:, 3])
    shape_idx, event_idx = shape_idx[inside_box], event_idx[inside_box]
    shapely.prepare(shapes)  # caches an index on each shape, which stays the same geometry
    # The pairs come grouped by shape; blocks of whole shapes run in threads, so no prepared
    # shape is used by two threads at once (GEOS prepared geometries are not thread-safe).
    pairs_of = np.searchsorted(shape_idx, np.arange(len(shapes) + 1))

    def test(first: int, stop: int) -> np.ndarray:
        pairs = slice(pairs_of[first], pairs_of[stop])
        return shapely.intersects_xy(shapes[shape_idx[pairs]], x[event_idx[pairs]], y[event_idx[pairs]])

    hit = np.concatenate(parallel.in_blocks(test, len(shapes), min_block=_SHAPES_PER_BLOCK))
    return shape_idx[hit], event_idx[hit]


def _expand(start: np.ndarray, count: np.ndarray, owner: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Ranges ``start[i] .. start[i] + count[i] - 1`` laid end to end, with the owner of each value.

    ``owner`` defaults to the range's own index ``i``.
    """
    if owner is None:
        owner = np.arange(len(start))
    total = int(count.sum())
    ends = np.cumsum(count)
    values = np.repeat(start - (ends - count), count) + np.arange(total)
    return np.repeat(owner, count), values


def _district_of_members(
    labels: np.ndarray, codes: np.ndarray, shapes: np.ndarray, areas: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Code and name of the district holding most of each hotspot's harm events.

    A hotspot's events are counted where they are (issue 17: a hotspot of 14 events in
    Norwich and 7 in Broadland is Norwich's, whatever its footprint's shape). Equal counts
    go to the district holding more of the footprint, then to the smaller code.
    """
    n = len(shapes)
    code = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    member = labels >= 0
    if n == 0 or not member.any():
        return code, name
    area_codes = areas[schema.COL_AREA_CODE].astype(str).to_numpy()
    area_names = areas[schema.COL_AREA_NAME].astype(str).to_numpy()
    pairs = pd.DataFrame({"spot": labels[member], "code": np.asarray(codes[member], dtype=object)})
    counts = pairs.groupby(["spot", "code"], sort=False).size().rename("n").reset_index()
    counts["top"] = counts["n"] == counts.groupby("spot")["n"].transform("max")
    top = counts[counts["top"]]
    tied = np.flatnonzero(np.bincount(top["spot"].to_numpy(), minlength=n) > 1)
    by_footprint = np.full(n, "", dtype=object)
    if len(tied):
        by_footprint[tied] = _majority_area(shapes[tied], areas)[0]
    top = top.assign(footprint=top["code"].to_numpy() == by_footprint[top["spot"].to_numpy()])
    top = top.sort_values(["spot", "footprint", "code"], ascending=[True, False, True], kind="mergesort")
    best = top.drop_duplicates("spot")
    spots = best["spot"].to_numpy()
    code[spots] = best["code"].to_numpy()
    name_of = dict(zip(area_codes, area_names, strict=True))
    name[spots] = [name_of.get(c, "") for c in best["code"]]
    return code, name


def _majority_area(shapes: np.ndarray, areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Code and name of the district holding the largest share of each footprint."""
    import shapely

    n = len(shapes)
    code = np.full(n, "", dtype=object)
    name = np.full(n, "", dtype=object)
    if n == 0:
        return code, name
    polygons = np.asarray(areas.geometry.values)
    codes = areas[schema.COL_AREA_CODE].to_numpy()
    names = areas[schema.COL_AREA_NAME].to_numpy()
    # Querying a tree of the footprints with the districts prepares each (large) district
    # once; the other way round prepared every footprint and took 8x longer.
    area_idx, shape_idx = shapely.STRtree(shapes).query(polygons, predicate="intersects")
    if len(shape_idx) == 0:
        return code, name
    pair_order = np.lexsort((area_idx, shape_idx))
    shape_idx, area_idx = shape_idx[pair_order], area_idx[pair_order]
    # A footprint touching one district belongs to it; only footprints across a boundary
    # need the (costly) overlap areas.
    shared = np.bincount(shape_idx, minlength=n)[shape_idx] > 1
    overlap = np.zeros(len(shape_idx))
    overlap[shared] = shapely.area(shapely.intersection(shapes[shape_idx[shared]], polygons[area_idx[shared]]))
    pairs = pd.DataFrame({"shape": shape_idx, "overlap": overlap, "code": codes[area_idx], "area": area_idx})
    # Largest overlap wins; equal overlaps go to the smaller code, so the choice is stable.
    pairs = pairs.sort_values(["shape", "overlap", "code"], ascending=[True, False, True], kind="mergesort")
    best = pairs.drop_duplicates("shape")
    code[best["shape"].to_numpy()] = codes[best["area"].to_numpy()]
    name[best["shape"].to_numpy()] = names[best["area"].to_numpy()]
    return code, name


def _enforcement_clusters(
    enforcement: pd.DataFrame, labels: np.ndarray, params: AnalysisParams, types: EventTypes
) -> gpd.GeoDataFrame:
    import geopandas as gpd

    table, shapes = _cluster_table(enforcement, labels, params.margin_m, "cluster_id", "E", "events")
    member = labels >= 0
    for type_name in sorted(t for t, role in types.roles.items() if role == schema.ROLE_ENFORCEMENT):
        mask = member & _is(enforcement[schema.COL_TYPE], type_name)
        table[f"n_{type_name}"] = np.bincount(labels[mask], minlength=len(shapes))
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


def _areas(events: pd.DataFrame, hotspots: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    import geopandas as gpd

    base = pd.DataFrame(
        {
            schema.COL_AREA_CODE: areas[schema.COL_AREA_CODE].to_numpy(),
            schema.COL_AREA_NAME: areas[schema.COL_AREA_NAME].to_numpy(),
        }
    )
    spots = pd.DataFrame(hotspots.drop(columns="geometry"))
    thin = spots[spots["status"] == schema.STATUS_THIN]
    table = base.set_index(schema.COL_AREA_CODE)
    # Codes once, then a count per role: cheaper than grouping by two string columns.
    code_id, codes = pd.factorize(events[schema.COL_AREA_CODE])
    for column, role in (("harm", schema.ROLE_HARM), ("enforcement", schema.ROLE_ENFORCEMENT)):
        of_role = code_id[_is(events[schema.COL_ROLE], role) & (code_id >= 0)]
        counts = pd.Series(np.bincount(of_role, minlength=len(codes)), index=codes)
        table[column] = counts.reindex(table.index, fill_value=0)
    table["coverage"] = table["enforcement"] / table["harm"].where(table["harm"] > 0)
    table["hotspots"] = spots.groupby(schema.COL_AREA_CODE).size().reindex(table.index, fill_value=0)
    table["thin_hotspots"] = thin.groupby(schema.COL_AREA_CODE).size().reindex(table.index, fill_value=0)
    # Harm in thin hotspots is counted where each event is, not where its hotspot is
    # assigned: a district's share can then never exceed its own harm (issue 17).
    in_thin = events[schema.COL_HOTSPOT].isin(set(thin[schema.COL_HOTSPOT])).to_numpy(dtype=bool)
    thin_harm = code_id[in_thin & _is(events[schema.COL_ROLE], schema.ROLE_HARM) & (code_id >= 0)]
    counts = pd.Series(np.bincount(thin_harm, minlength=len(codes)), index=codes)
    table["harm_in_thin_hotspots"] = counts.reindex(table.index, fill_value=0)
    table = table.reset_index()[list(AREA_COLUMNS)]
    for column in ("harm", "enforcement", "hotspots", "thin_hotspots", "harm_in_thin_hotspots"):
        table[column] = table[column].astype(np.int64)
    return gpd.GeoDataFrame(table, geometry=list(np.asarray(areas.geometry.values)), crs=schema.CRS_METRIC)


def stacked_points(events: pd.DataFrame, stack_min: int) -> list[dict[str, object]]:
    """Exact coordinates (to 1 m) holding at least ``stack_min`` analysed events.

    Reported by 6-figure grid reference (100 m), not by exact coordinate, so that the
    list does not pinpoint an address.
    """
    if len(events) == 0:
        return []
    x = np.round(events[schema.COL_X].to_numpy(float))
    y = np.round(events[schema.COL_Y].to_numpy(float))
    stacked = _stacked_rows(x, y, stack_min)
    if len(stacked) == 0:
        return []
    # Only the few stacked rows are grouped, strings and all.
    key = pd.DataFrame(
        {
            "x": x[stacked],
            "y": y[stacked],
            "role": events[schema.COL_ROLE].iloc[stacked].to_numpy(),
            "area": events[schema.COL_AREA_NAME].iloc[stacked].to_numpy(),
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


def _stacked_rows(x: np.ndarray, y: np.ndarray, stack_min: int) -> np.ndarray:
    """Positions, ascending, of the rows whose whole-metre (x, y) occurs ``stack_min`` times or more.

    Grid metres (0 to 2**31, as British National Grid always is) pack into one int64 per
    point, and sorting those is ten times faster than grouping the float pairs. Other
    coordinates keep every row, for the caller's grouping to sort out.
    """
    limit = 2.0**31
    if not (x.min() >= 0 and y.min() >= 0 and x.max() < limit and y.max() < limit):
        return np.arange(len(x))
    key = (x.astype(np.int64) << 31) | y.astype(np.int64)
    ordered = np.sort(key)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    counts = np.diff(np.r_[starts, len(ordered)])
    stacked_keys = ordered[starts[counts >= stack_min]]
    if len(stacked_keys) == 0:
        return np.array([], dtype=np.int64)
    at = np.minimum(np.searchsorted(stacked_keys, key), len(stacked_keys) - 1)
    return np.flatnonzero(stacked_keys[at] == key)
