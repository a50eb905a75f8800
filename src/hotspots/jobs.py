"""One function per command: the public way to run hotspots from Python, the CLI or a service.

Each ``run_*`` function takes plain values -- event file paths, a config (a :class:`Config`,
or the path of a TOML file), parameters, period strings such as ``"2024Q4"`` -- checks every
one of them before reading any data, does the work, and returns a frozen result object:

=================  =====================  =================================================
function           result                 files its ``.write(folder)`` writes
=================  =====================  =================================================
`run_map`          `MapResult`            map.html, hotspots.geojson, enforcement_clusters
                                          .geojson, areas.csv, rejected.csv, outputs.gpkg,
                                          tables.xlsx, summary.json
`run_compare`      `CompareResult`        compare.html, changes.geojson, area_changes.csv,
                                          rejected.csv, outputs.gpkg, tables.xlsx,
                                          summary.json
`run_brief`        `BriefResult`          briefing.html, briefing.png, briefing.md,
                                          briefing.docx, briefing.pdf (when printed);
                                          appends audit.jsonl
`run_tune`         `TuneResult`           tune.html, tune.json
`run_evaluate`     `EvaluateResult`       evaluate.json, evaluate.md, evaluate.html
`run_validate`     `ValidateResult`       rejected.csv, summary.json
=================  =====================  =================================================

Every result has ``.write(folder)`` (all files or none, through
:func:`hotspots.outputs.writing`; returns the names written), ``.summary_lines(folder)``
(what the command line prints) and ``.warnings`` (the one warning channel: data-quality and
method warnings travel on results, never through ``logging``). Errors are
:class:`~hotspots.errors.HotspotsError` subclasses; nothing here prints or exits.

Example::

    from hotspots.jobs import run_map
    result = run_map("events.csv", config="norfolk.toml", period="2024Q4")
    print(len(result.analysis.hotspots), "hotspots")
    result.write("outputs/q4")

How to add an output
--------------------
Each result class lists its writers, in the order the files are written, in its ``WRITERS``
class attribute: functions ``writer(out: OutputFolder, result) -> None`` that render one
file (or a few) and stage it with ``out.write_text(name, text)`` / ``out.write_bytes``. To add
an output, write such a function (rendering belongs in ``render/`` or ``brief/``; the writer
only calls it) and add it to ``WRITERS`` before the summary writer, which is last because
``summary.json`` lists every file written. An output the user opts into (a GeoPackage, a
spreadsheet) reads its switch from a field of the result (add the field and the job
parameter that sets it) and returns without writing when it is off. New CLI options only
pass values to the job; they never write files themselves.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from hotspots import schema
from hotspots.params import (
    AnalysisParams,
    Config,
    PresentationParams,
    build_params,
    build_presentation,
    load_config,
    parameters_record,
)
from hotspots.period import Period, label_of, parse_period
from hotspots.sentences import counted

if TYPE_CHECKING:
    from hotspots.brief.content import Briefing
    from hotspots.compare import Comparison
    from hotspots.evaluate import EvaluationResult
    from hotspots.export.postgis import PostgisTarget
    from hotspots.model import Analysis
    from hotspots.outputs import OutputFolder
    from hotspots.pipeline import Loaded
    from hotspots.significance import ChanceOptions, ChanceTest
    from hotspots.surface import SurfaceOptions, Surfaces
    from hotspots.timeline import Timeline
    from hotspots.timeofweek import TimeOfWeek
    from hotspots.tune import TuneResult as Suggestion

PathLike = str | os.PathLike[str]
Progress = Callable[[str], None]


def _silent(_: str) -> None:
    """The default progress callback: say nothing."""


@dataclass(frozen=True)
class ReadOptions:
    """How to read the input files: text encoding, delimiter and the district boundaries."""

    encoding: str | None = None  # None: UTF-8 with or without BOM, else cp1252
    delimiter: str | None = None  # None: sniffed from the header
    boundaries: Path | None = None  # None: the bundled set named by ``areas``
    boundary_code_field: str = "area_code"
    boundary_name_field: str = "area_name"
    areas: str = "lad2025"  # bundled: lad2025 (April 2025 districts), lad2011, pfa2025
    local_areas: Path | None = None  # the force's wards / neighbourhoods / beats
    local_area_code_field: str | None = None  # None: "code", "name", or ONS-style ...CD / ...NM
    local_area_name_field: str | None = None
    table: str | None = None  # events given as a postgresql:// URL: the table (SCHEMA.NAME) ...
    query: str | None = None  # ... or the SELECT query holding them (hotspots.postgis)
    layer: str | None = None  # the layer of a multi-layer GeoPackage


# --- shared steps ------------------------------------------------------------------------------


def _settings(
    config: Config | PathLike | None,
    params: AnalysisParams | None,
    presentation: PresentationParams | None,
    period: str | Period | None,
) -> tuple[Config, AnalysisParams, PresentationParams]:
    """The config and both parameter sets, every value checked before any data is read."""
    if not isinstance(config, Config):
        config = load_config(None if config is None else Path(config))
    params = build_params(config) if params is None else params
    presentation = build_presentation(config) if presentation is None else presentation
    if period is not None:
        params = params.with_overrides(period=_period(period))
    return config, params, presentation


def _period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else parse_period(period)


def _paths(events: PathLike | Sequence[PathLike], read: ReadOptions | None = None) -> list[Any]:
    """Files as paths; ``postgresql://`` URLs as database sources (``read.table``/``read.query``)."""
    from hotspots.postgis import sources_from_arguments

    items = [events] if isinstance(events, str | os.PathLike) else list(events)
    read = read or ReadOptions()
    return sources_from_arguments([str(p) if isinstance(p, str) else os.fspath(p) for p in items],
                                  table=read.table, query=read.query)


def _load(
    events: PathLike | Sequence[PathLike],
    config: Config,
    params: AnalysisParams,
    read: ReadOptions | None,
    progress: Progress,
    *,
    clusters: bool = True,
    later: tuple[str, ...] = (),
    also: Period | None = None,
) -> Loaded:
    """Read and validate the input files.

    ``clusters``: the job clusters them next; ``later``: modules it imports after loading
    (its renderers), imported in the background meanwhile; ``also``: a second analysed period
    (compare, evaluate, brief --against), whose events choose the default study area too.
    """
    from hotspots.pipeline import load
    from hotspots.process import import_in_background

    if clusters and params.engine == schema.ENGINE_GRID:
        from hotspots.dbscan import preload_kernels

        preload_kernels()  # numba's second of start-up overlaps reading and validating
    if later:
        import_in_background(later)
    read = read or ReadOptions()
    return load(
        _paths(events, read),
        config,
        params,
        encoding=read.encoding,
        delimiter=read.delimiter,
        boundaries=read.boundaries,
        code_field=read.boundary_code_field,
        name_field=read.boundary_name_field,
        areas=read.areas,
        local_areas=read.local_areas,
        local_code_field=read.local_area_code_field,
        local_name_field=read.local_area_name_field,
        layer=read.layer,
        progress=progress,
        periods=tuple(p for p in (also, params.period) if p is not None),
    )


def _two_periods(
    loaded: Loaded, config: Config, params: AnalysisParams, against: Period, progress: Progress
) -> tuple[Analysis, Analysis]:
    """The analyses of ``against`` and of ``params.period``, same parameters and rows.

    What differs between the two periods is then the events alone.
    """
    from hotspots.pipeline import analyse_period

    progress("analysing both periods with the same parameters")
    previous = analyse_period(loaded, params, config, against)
    current = analyse_period(loaded, params, config, params.period)
    return previous, current


def _evaluation(previous: Analysis, current: Analysis) -> EvaluationResult | None:
    """How well ``previous``'s hotspots caught ``current``'s harm; None with no hotspots."""
    from hotspots.pipeline import evaluation_of

    return evaluation_of(previous, current) if len(previous.hotspots) else None


def _params_text(params: AnalysisParams) -> str:
    return (
        f"eps {params.eps_m:g} m ({params.eps_source or 'given'}), min samples {params.min_samples}, "
        f"footprint margin {params.margin_m:g} m, thin ratio {params.thin_ratio:g}"
    )


def _quality_lines(analysis: Analysis) -> list[str]:
    from hotspots.notices import row_accounting

    q = analysis.quality
    lines = [
        row_accounting(
            q.rows_read, q.rows_analysed, q.rows_outside_period, q.rows_not_analysed, q.rows_rejected
        ),
        f"geocoding rate {q.geocoding_rate:.1%}",
    ]
    lines += [f"  rejected {reason}: {n:,}" for reason, n in q.rejected_by_reason.items() if n]
    if q.stacked_points:
        top = ", ".join(f"{s['grid_ref']} ({s['area_name']}) {s['events']}" for s in q.stacked_points[:5])
        lines.append(f"stacked points: {len(q.stacked_points)} (largest: {top})")
    lines += [f"warning: {w}" for w in q.warnings]
    return lines


def _where(folder: PathLike | None) -> str:
    return f"; outputs in {folder}" if folder is not None else ""


class _Result:
    """What every result shares: writing its ``WRITERS`` into a folder, all or nothing."""

    WRITERS: ClassVar[tuple[Callable[[OutputFolder, Any], None], ...]] = ()

    def write(self, folder: PathLike) -> list[str]:
        """Write every output into ``folder`` (created if missing); the names written.

        Raises
        ------
        OutputError
            The folder cannot be created or written; its previous files are kept.
        """
        from hotspots.outputs import writing

        with writing(Path(folder)) as out:
            for writer in self.WRITERS:
                writer(out, self)
            return list(out.names)


# --- map ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapResult(_Result):
    """One period analysed: hotspots, coverage, areas, and the rendered map."""

    analysis: Analysis
    loaded: Loaded
    presentation: PresentationParams
    map_html: str
    surfaces: Surfaces | None = None  # with --surface
    chance: ChanceTest | None = None  # with --chance-test
    timeline: Timeline | None = None  # monthly series per hotspot and district (timeline.csv)
    time_of_week: TimeOfWeek | None = None  # day x hour tables (time_of_week.csv, when times exist)
    postgis: PostgisTarget | None = None  # also write the result tables into PostGIS

    @property
    def warnings(self) -> tuple[str, ...]:
        """Data-quality and method warnings, also written into summary.json and the map."""
        return tuple(self.analysis.quality.warnings)

    def summary_lines(self, folder: PathLike | None = None) -> list[str]:
        """What ``hotspots map`` prints: data quality, then the hotspot count."""
        from hotspots.notices import no_harm_of

        spots = self.analysis.hotspots
        thin = int((spots["status"] == schema.STATUS_THIN).sum())
        no_harm = no_harm_of(self.analysis)  # "hotspots 0" alone reads as a fault
        return [
            *_quality_lines(self.analysis),
            *([no_harm] if no_harm else []),
            f"hotspots {len(spots)} ({thin} thin){_where(folder)}",
        ]


def _write_map_html(out: OutputFolder, result: MapResult) -> None:
    out.write_text(schema.OUT_MAP, result.map_html)


def _write_map_tables(out: OutputFolder, result: MapResult) -> None:
    import pandas as pd

    from hotspots.outputs import csv_text, geojson_text
    from hotspots.pipeline import rejected_csv

    analysis = result.analysis
    spots, clusters = analysis.hotspots, analysis.enforcement_clusters
    out.write_text(schema.OUT_HOTSPOTS, geojson_text(spots, [c for c in spots.columns if c != "geometry"]))
    out.write_text(
        schema.OUT_ENFORCEMENT_CLUSTERS,
        geojson_text(clusters, [c for c in clusters.columns if c != "geometry"]),
    )
    out.write_text(schema.OUT_AREAS, csv_text(pd.DataFrame(analysis.areas.drop(columns="geometry"))))
    if analysis.local_areas is not None:
        out.write_text(schema.OUT_LOCAL_AREAS, csv_text(analysis.local_areas))
    out.write_text(schema.OUT_REJECTED, rejected_csv(result.loaded))


def _write_surface(out: OutputFolder, result: MapResult | CompareResult) -> None:
    """surface.tif and surface_areas.csv, when the job computed surfaces (--surface)."""
    if result.surfaces is None:
        return
    from hotspots.outputs import csv_text
    from hotspots.raster import geotiff_bytes
    from hotspots.surface import district_summary

    analysis = result.analysis if isinstance(result, MapResult) else result.current
    extra = {}
    table = district_summary(result.surfaces, analysis.areas)
    if isinstance(result, CompareResult) and result.previous_surfaces is not None:
        from hotspots.surface import difference

        extra = {
            "previous_gap": result.previous_surfaces.gap,
            "difference": difference(result.surfaces, result.previous_surfaces),
        }
        before = district_summary(result.previous_surfaces, analysis.areas)
        for column in ("thin_surface_km2", "unmatched_harm"):
            table[f"previous_{column}"] = before[column].to_numpy()
    out.write_bytes(schema.OUT_SURFACE, geotiff_bytes(result.surfaces, extra))
    out.write_text(schema.OUT_SURFACE_AREAS, csv_text(table))


def _extras_summary(result: MapResult | CompareResult) -> dict[str, Any]:
    """The surface's and the chance test's settings and definitions, for summary.json."""
    content: dict[str, Any] = {}
    if result.surfaces is not None:
        content["surface"] = result.surfaces.as_dict()
    if result.chance is not None:
        content["chance_test"] = result.chance.as_dict()
    return content


def _write_time_tables(out: OutputFolder, result: MapResult) -> None:
    from hotspots.outputs import csv_text

    if result.timeline is not None:
        out.write_text(schema.OUT_TIMELINE, csv_text(result.timeline.frame()))
    if result.time_of_week is not None and result.time_of_week.has_times:
        out.write_text(schema.OUT_TIME_OF_WEEK, csv_text(result.time_of_week.frame()))


def _time_views(loaded: Loaded, analysis: Analysis, top_n: int = 10) -> tuple[Timeline, TimeOfWeek]:
    """Monthly series of every hotspot and district; time-of-week tables of the top ``top_n``."""
    from hotspots.timeline import build_timeline
    from hotspots.timeofweek import build_time_of_week

    spots = analysis.hotspots
    priority = [str(h) for h in spots.loc[spots["rank"] <= top_n, "hotspot_id"]]
    return build_timeline(loaded.valid, analysis), build_time_of_week(analysis.events, priority)


def _time_summary(content: dict[str, Any], timeline: Timeline | None, week: TimeOfWeek | None) -> dict[str, Any]:
    """``summary.json`` with the timeline, time-of-week counts and their definitions added."""
    from hotspots.timeline import TIMELINE_DEFINITIONS
    from hotspots.timeofweek import WEEK_DEFINITIONS

    if timeline is None:
        return content
    content = dict(content)
    content["definitions"] = {**content.get("definitions", {}), **TIMELINE_DEFINITIONS, **WEEK_DEFINITIONS}
    content["timeline"] = timeline.as_summary()
    content["time_of_week"] = week.as_summary() if week is not None else None
    return content


def _write_map_summary(out: OutputFolder, result: MapResult) -> None:
    from hotspots.outputs import json_text
    from hotspots.pipeline import summary

    names = [*out.names, schema.OUT_SUMMARY]
    content = summary(
        result.analysis, command="map", loaded=result.loaded, outputs=names,
        presentation=result.presentation,
    )
    content = _time_summary(content, result.timeline, result.time_of_week)
    out.write_text(
        schema.OUT_SUMMARY,
        json_text({**content, **_extras_summary(result), **_postgis_summary(result.postgis)}),
    )


def _write_map_exports(out: OutputFolder, result: MapResult) -> None:
    """outputs.gpkg (QGIS, ArcGIS Pro) and tables.xlsx (Excel); see :mod:`hotspots.export`."""
    from hotspots.export.gpkg import GPKG_NAME, gpkg_bytes, map_layers
    from hotspots.export.xlsx import XLSX_NAME, map_sheets, workbook_bytes

    layers = map_layers(result.analysis)
    out.write_bytes(GPKG_NAME, gpkg_bytes(layers))
    marking = result.presentation.marking
    sheets = map_sheets(result.analysis, result.loaded.rejected, marking=marking)
    out.write_bytes(XLSX_NAME, workbook_bytes(sheets, marking=marking))
    _write_postgis(result.postgis, layers, "map", result.analysis, result.loaded)


def _write_postgis(
    target: PostgisTarget | None, layers: Sequence[Any], command: str, analysis: Analysis, loaded: Loaded
) -> None:
    """The layers into PostGIS (``--to-postgis``), while the folder's files are still staged.

    A failure raises OutputError before any file is moved in: the folder and the database both
    keep their previous contents.
    """
    if target is None:
        return
    from hotspots.export.postgis import write_postgis

    spots = analysis.hotspots
    counts = {
        "rows_read": analysis.quality.rows_read,
        "rows_analysed": analysis.quality.rows_analysed,
        "rows_not_analysed": analysis.quality.rows_not_analysed,
        "rows_rejected": analysis.quality.rows_rejected,
        "hotspots": len(spots),
        "thin_hotspots": int((spots["status"] == schema.STATUS_THIN).sum()),
        "enforcement_clusters": len(analysis.enforcement_clusters),
    }
    target.written.append(
        write_postgis(
            target.url, target.schema, layers, command=command,
            period=analysis.period.as_dict() if analysis.period else None,
            parameters=analysis.params.as_dict(), inputs=loaded.inputs, counts=counts,
        )
    )


def _postgis_summary(target: PostgisTarget | None) -> dict[str, Any]:
    """``{"postgis": {url (no password), schema, run_id, tables}}`` once written, else ``{}``."""
    if target is None or not target.written:
        return {}
    return {"postgis": target.written[-1].as_dict()}


MapResult.WRITERS = (
    _write_map_html, _write_map_tables, _write_map_exports, _write_surface, _write_time_tables,
    _write_map_summary,
)


def _tested(analysis: Analysis, chance: ChanceOptions | None, progress: Progress) -> tuple[Analysis, ChanceTest | None]:
    """The analysis with p-values on its hotspots when the chance test is asked for."""
    if chance is None:
        return analysis, None
    from hotspots.significance import with_chance_test

    progress(f"testing hotspots against chance ({chance.replicates} relabellings)")
    return with_chance_test(analysis, chance)


def run_map(
    events: PathLike | Sequence[PathLike],
    *,
    config: Config | PathLike | None = None,
    params: AnalysisParams | None = None,
    presentation: PresentationParams | None = None,
    period: str | Period | None = None,
    auto_eps: bool = False,
    surface: SurfaceOptions | None = None,
    chance: ChanceOptions | None = None,
    read: ReadOptions | None = None,
    to_postgis: str | None = None,
    postgis_schema: str = schema.OUT_POSTGIS_SCHEMA,
    progress: Progress = _silent,
) -> MapResult:
    """Find the harm hotspots of one period, score their enforcement coverage, draw the map.

    Parameters
    ----------
    events
        One events file or several (CSV, police.uk CSV, GeoPackage, GeoJSON, Parquet...).
    config
        A :class:`Config`, the path of a TOML config file, or None for the defaults.
    params
        Analysis parameters; None takes them from the config's ``[analysis]`` table.
    presentation
        Marking, basemap, event points, run date; None takes them from the config.
    period
        The period analysed (``"2024Q4"``, ``"2024-07"``, ``"2024-07-01..2024-09-30"``, a
        :class:`Period`); None keeps ``params.period`` (all dates when that is None too).
    auto_eps
        Take eps from the knee of the harm events' k-distance curve (``--eps auto``).
    surface
        Compute the coverage-gap surface (``--surface``; see :mod:`hotspots.surface`).
    chance
        Test each hotspot against chance (``--chance-test``; see :mod:`hotspots.significance`).
    read
        How to read the files and which boundaries to use.
    to_postgis, postgis_schema
        Also write the result tables into this PostgreSQL/PostGIS database and schema when
        the result is written (:mod:`hotspots.export.postgis`); None: files only.
    progress
        Called with a short message at each step.

    Raises
    ------
    HotspotsError
        A subclass with the exit code the command line uses (bad input 2, no data 3, ...).
    """
    from hotspots.pipeline import analyse_period, with_auto_eps

    config, params, presentation = _settings(config, params, presentation, period)
    target = _postgis_target(to_postgis, postgis_schema)
    loaded = _load(events, config, params, read, progress, later=("hotspots.render.map",))
    if auto_eps:
        params, _ = with_auto_eps(loaded, params)
        progress(f"eps {params.eps_m:g} m ({params.eps_source})")
    progress("clustering and scoring")
    analysis = analyse_period(loaded, params, config, params.period)
    analysis, tested = _tested(analysis, chance, progress)
    surfaces = overlays = None
    if surface is not None:
        from hotspots.render.surface_layer import colour_scale, gap_overlay
        from hotspots.surface import surfaces_of

        progress("computing the coverage-gap surface")
        surfaces = surfaces_of(analysis, cell_m=surface.cell_m, bandwidth_m=surface.bandwidth_m)
        overlays = [gap_overlay(surfaces, colour_scale(surfaces.gap))]
    progress("monthly series and time of week")
    timeline, week = _time_views(loaded, analysis)
    progress("rendering map")
    from hotspots.render.map import map_html
    from hotspots.render.sparkline import tooltip_rows

    html = map_html(
        analysis, presentation, overlays=overlays or (), hotspot_rows=tooltip_rows(timeline, week),
        timeline=timeline,
    )
    return MapResult(analysis, loaded, presentation, html, surfaces, tested, timeline, week, target)


def _postgis_target(url: str | None, schema_name: str) -> PostgisTarget | None:
    """The ``--to-postgis`` target, checked before any work; None without a URL."""
    if url is None:
        return None
    from hotspots.export.postgis import PostgisTarget

    return PostgisTarget(url, schema_name)


# --- compare -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompareResult(_Result):
    """Two periods' hotspots matched and classified, with the comparison map."""

    comparison: Comparison
    previous: Analysis
    current: Analysis
    evaluation: EvaluationResult | None  # None when the earlier period has no hotspots
    loaded: Loaded
    presentation: PresentationParams
    compare_html: str
    surfaces: Surfaces | None = None  # the current period's, with --surface
    previous_surfaces: Surfaces | None = None  # on the same grid
    chance: ChanceTest | None = None  # the current period's hotspots, with --chance-test
    postgis: PostgisTarget | None = None  # also write the result tables into PostGIS

    @property
    def warnings(self) -> tuple[str, ...]:
        """The comparison's warnings, then both analyses', each once (earlier period first)."""
        return tuple(
            dict.fromkeys(
                [
                    *self.comparison.warnings,
                    *self.previous.quality.warnings,
                    *self.current.quality.warnings,
                ]
            )
        )

    def summary_lines(self, folder: PathLike | None = None) -> list[str]:
        """What ``hotspots compare`` prints: hotspot counts, changes, coverage, hit rate."""
        before_label, now_label = label_of(self.previous.period), label_of(self.current.period)
        comparison = self.comparison
        from hotspots.notices import no_harm_of

        lines = [
            *(s for s in (no_harm_of(self.previous), no_harm_of(self.current)) if s),
            (
                f"{before_label}: {counted(len(self.previous.hotspots), 'hotspot')}; "
                f"{now_label}: {len(self.current.hotspots)}"
            ),
            "changes: " + ", ".join(f"{k} {v}" for k, v in comparison.class_counts.items()),
            "coverage: " + ", ".join(f"{k} {v}" for k, v in comparison.coverage_counts.items()),
        ]
        if self.evaluation is not None:
            h = self.evaluation.hotspots
            lines.append(f"{before_label} hotspots caught {h.hit_rate:.1%} of {now_label} harm (PAI {h.pai:.1f})")
        lines += [f"warning: {w}" for w in self.comparison.warnings]
        if folder is not None:
            lines.append(f"outputs in {folder}")
        return lines


def _write_compare_files(out: OutputFolder, result: CompareResult) -> None:
    import pandas as pd

    from hotspots.compare import changes_geojson_frame
    from hotspots.outputs import csv_text, geojson_text
    from hotspots.pipeline import rejected_csv

    changes = changes_geojson_frame(result.comparison)
    out.write_text(schema.OUT_COMPARE_MAP, result.compare_html)
    out.write_text(schema.OUT_CHANGES, geojson_text(changes, [c for c in changes.columns if c != "geometry"]))
    out.write_text(schema.OUT_AREA_CHANGES, csv_text(pd.DataFrame(result.comparison.areas)))
    out.write_text(schema.OUT_REJECTED, rejected_csv(result.loaded))


def _write_compare_summary(out: OutputFolder, result: CompareResult) -> None:
    from hotspots import __version__
    from hotspots.definitions import summary_definitions
    from hotspots.notices import no_harm_of
    from hotspots.outputs import json_text
    from hotspots.pipeline import labels_record

    evaluation = result.evaluation
    content = {
        "tool": "hotspots",
        "version": __version__,
        "command": "compare",
        **result.comparison.as_summary(),
        "evaluation": evaluation.as_dict() if evaluation is not None else None,
        "labels": labels_record(result.current),
        "no_harm": [s for s in (no_harm_of(result.previous), no_harm_of(result.current)) if s],
        "definitions": summary_definitions(result.current),
        "notes": list(result.loaded.notes),
        "outputs": [*out.names, schema.OUT_SUMMARY],
        **_extras_summary(result),
        **_postgis_summary(result.postgis),
    }
    out.write_text(schema.OUT_SUMMARY, json_text(content))


def _write_compare_exports(out: OutputFolder, result: CompareResult) -> None:
    """outputs.gpkg (with the changes layer) and tables.xlsx; see :mod:`hotspots.export`."""
    from hotspots.export.gpkg import GPKG_NAME, compare_layers, gpkg_bytes
    from hotspots.export.xlsx import XLSX_NAME, compare_sheets, workbook_bytes

    layers = compare_layers(result.comparison, result.previous, result.current)
    out.write_bytes(GPKG_NAME, gpkg_bytes(layers))
    marking = result.presentation.marking
    sheets = compare_sheets(result.comparison, result.current, result.loaded.rejected, marking=marking)
    out.write_bytes(XLSX_NAME, workbook_bytes(sheets, marking=marking))
    _write_postgis(result.postgis, layers, "compare", result.current, result.loaded)



CompareResult.WRITERS = (
    _write_compare_files, _write_compare_exports, _write_surface, _write_compare_summary,
)


def run_compare(
    events: PathLike | Sequence[PathLike],
    *,
    period: str | Period,
    against: str | Period,
    config: Config | PathLike | None = None,
    params: AnalysisParams | None = None,
    presentation: PresentationParams | None = None,
    match_distance_m: float | None = None,
    alpha: float = 0.05,
    surface: SurfaceOptions | None = None,
    chance: ChanceOptions | None = None,
    read: ReadOptions | None = None,
    to_postgis: str | None = None,
    postgis_schema: str = schema.OUT_POSTGIS_SCHEMA,
    progress: Progress = _silent,
) -> CompareResult:
    """Compare ``period`` with the earlier ``against``: new, persistent, resolved... hotspots.

    Both periods are analysed with the same parameters, so they share one eps: choose it
    with :func:`run_tune` rather than per period. ``match_distance_m`` (default: eps) is how
    close two footprints must be to match; ``alpha`` the significance level of the count
    test. With ``surface``, both periods' surfaces are computed on one grid and drawn on one
    colour scale, with their difference; with ``chance``, the current period's hotspots are
    tested. The other parameters (``to_postgis`` too) are as for
    :func:`run_map`.
    """
    from hotspots.compare import compare

    config, params, presentation = _settings(config, params, presentation, period)
    target = _postgis_target(to_postgis, postgis_schema)
    earlier = _period(against)
    loaded = _load(events, config, params, read, progress, also=earlier)
    previous, current = _two_periods(loaded, config, params, earlier, progress)
    distance = params.eps_m if match_distance_m is None else match_distance_m
    comparison = compare(previous, current, match_distance_m=distance, alpha=alpha)
    evaluation = _evaluation(previous, current)
    tested_current, tested = _tested(current, chance, progress)
    surfaces = previous_surfaces = None
    overlays: list[Any] = []
    if surface is not None:
        overlays, surfaces, previous_surfaces = _compare_overlays(previous, current, surface, progress)
    from hotspots.render.compare_map import compare_map_html

    now = label_of(params.period)
    html = compare_map_html(
        comparison, previous, current, marking=presentation.marking,
        title=f"hotspots: {now} against {earlier.label}", tiles=presentation.tiles,
        run_date=presentation.run_date, overlays=overlays,
    )
    return CompareResult(
        comparison, previous, tested_current, evaluation, loaded, presentation, html,
        surfaces, previous_surfaces, tested, target,
    )


def _compare_overlays(
    previous: Analysis, current: Analysis, surface: SurfaceOptions, progress: Progress
) -> tuple[list[Any], Surfaces, Surfaces]:
    """Both periods' gap surfaces on one grid and one colour scale, and their difference."""
    from hotspots.render.surface_layer import colour_scale, gap_overlay
    from hotspots.surface import difference, surfaces_of

    progress("computing the coverage-gap surfaces of both periods on one grid")
    west, south, east, north = (float(v) for v in current.areas.total_bounds)
    bounds = (west, south, east, north)

    def surfaces(analysis: Analysis) -> Surfaces:
        return surfaces_of(analysis, cell_m=surface.cell_m, bandwidth_m=surface.bandwidth_m, bounds=bounds)

    now, before = surfaces(current), surfaces(previous)
    shared = colour_scale(now.gap, before.gap)  # one scale: the two periods read alike
    change = difference(now, before)
    before_label, now_label = label_of(previous.period), label_of(current.period)
    overlays = [
        gap_overlay(before, shared, name=f"Coverage-gap surface, {before_label}"),
        gap_overlay(now, shared, name=f"Coverage-gap surface, {now_label}"),
        gap_overlay(now, colour_scale(change), name="Change in the coverage gap", band=change),
    ]
    return overlays, now, before


# --- brief -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefResult(_Result):
    """A tasking briefing: its content, the HTML and Markdown, and the PDF when printed."""

    briefing: Briefing
    briefing_html: str
    briefing_md: str
    briefing_docx: bytes
    pdf: bytes | None  # None: not printed, see pdf_note
    pdf_note: str | None  # why there is no PDF ("not requested", "Chromium failed ...")
    audit_parameters: dict[str, Any]
    loaded: Loaded
    reason: str | None
    current: Analysis
    previous: Analysis | None = None
    comparison: Comparison | None = None
    evaluation: EvaluationResult | None = None
    surfaces: Surfaces | None = None  # with --surface; 1 km squares for the wide audience

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings of the briefed period's analysis."""
        return tuple(self.current.quality.warnings)

    def output_names(self) -> list[str]:
        """The files :meth:`write` writes, in order (audit.jsonl is appended to, not listed)."""
        return [writer_name for writer_name, data in self._files() if data is not None]

    def _files(self) -> list[tuple[str, str | bytes | None]]:
        return [
            ("briefing.html", self.briefing_html),
            ("briefing.png", self.briefing.figure_png),
            ("briefing.md", self.briefing_md),
            ("briefing.docx", self.briefing_docx),
            ("briefing.pdf", self.pdf),
            *self._surface_files(),
        ]

    def _surface_files(self) -> list[tuple[str, str | bytes | None]]:
        # Not for the wide audience: summed over a 1 km square, the density bands give back the
        # square's exact event count, and surface_areas.csv its smoothed gap to two decimals
        # (docs/privacy.md); the briefing's table by area is its disclosure-controlled form.
        if self.surfaces is None or self.briefing.audience == "wide":
            return []
        from hotspots.outputs import csv_text
        from hotspots.raster import geotiff_bytes
        from hotspots.surface import district_summary

        table = district_summary(self.surfaces, self.current.areas)
        return [(schema.OUT_SURFACE, geotiff_bytes(self.surfaces)), (schema.OUT_SURFACE_AREAS, csv_text(table))]

    def audit_log(self, folder: PathLike, audit_log: PathLike | None = None) -> Path:
        """Where :meth:`write` records the run (``hotspots.brief.audit.audit_log_path``)."""
        from hotspots.brief import audit_log_path

        return audit_log_path(
            folder, wide=self.briefing.audience == "wide", audit_log=audit_log
        )

    def write(self, folder: PathLike, audit_log: PathLike | None = None) -> list[str]:
        """Write the briefing files, recording the run in the audit log first.

        The record is appended and flushed to disk after the files are staged and before any
        is moved into ``folder``: if it cannot be written, nothing is delivered. The log is
        :meth:`audit_log` (never inside a wide briefing's folder).
        """
        from hotspots.brief import append_audit, audit_record
        from hotspots.outputs import writing
        from hotspots.process import raise_if_interrupted

        log = self.audit_log(folder, audit_log)
        with writing(Path(folder)) as out:
            for writer in self.WRITERS:
                writer(out, self)
            written = list(out.names)
            record = audit_record(
                command="brief", parameters=self.audit_parameters, inputs=self.loaded.inputs,
                outputs=written, reason=self.reason,
            )
            raise_if_interrupted()  # no record of a run that will not be delivered
            append_audit(log, record)
        return written

    def summary_lines(
        self, folder: PathLike | None = None, audit_log: PathLike | None = None
    ) -> list[str]:
        """What ``hotspots brief`` prints: the files written, the audit log, why there is no PDF."""
        where = f" in {folder}" if folder is not None else ""
        lines = [f"wrote {', '.join(self.output_names())}{where}"]
        if folder is not None:
            lines.append(f"audit record appended to {self.audit_log(folder, audit_log)}")
        if self.pdf_note is not None:
            lines.append(f"no briefing.pdf: {self.pdf_note}")
        return lines


def _write_brief_files(out: OutputFolder, result: BriefResult) -> None:
    for name, data in result._files():
        if isinstance(data, str):
            out.write_text(name, data)
        elif data is not None:
            out.write_bytes(name, data)


BriefResult.WRITERS = (_write_brief_files,)


def run_brief(
    events: PathLike | Sequence[PathLike],
    *,
    period: str | Period,
    against: str | Period | None = None,
    config: Config | PathLike | None = None,
    params: AnalysisParams | None = None,
    presentation: PresentationParams | None = None,
    audience: str = "internal",
    top_n: int = 10,
    produced: date | str | None = None,
    reason: str | None = None,
    pdf: bool = True,
    surface: SurfaceOptions | None = None,
    chance: ChanceOptions | None = None,
    originator: str | None = None,
    reference: str | None = None,
    handling: str | None = None,
    read: ReadOptions | None = None,
    progress: Progress = _silent,
) -> BriefResult:
    """Build a tasking briefing of ``period`` (changes against ``against`` when given).

    ``audience`` is ``"internal"`` or ``"wide"`` (1 km squares, counts below 5 as <5, no
    footprints); ``top_n`` priority hotspots are listed; ``produced`` (a date or
    ``YYYY-MM-DD``; default today) is printed; ``reason`` goes into the audit record; ``pdf``
    prints briefing.pdf with headless Chromium when it is installed; ``chance`` tests the
    briefed period's hotspots against chance (a column of the priorities table, and its
    definition and caveat); ``surface`` adds the coverage-gap surface by area to section 4
    (on 1 km squares for the wide audience) and, for the internal audience only, writes
    surface.tif and surface_areas.csv.
    ``originator``, ``reference`` and ``handling`` are printed in briefing.docx's header table
    (defaults: see :func:`hotspots.brief.docx.default_furniture`). The other parameters are as
    for :func:`run_map`.
    """
    from hotspots.brief import (
        AUDIENCES,
        briefing_html,
        briefing_markdown,
        briefing_pdf,
        build_briefing,
        pdf_unavailable_reason,
    )
    from hotspots.errors import ConfigError
    from hotspots.pipeline import analyse_period

    if audience not in AUDIENCES:
        raise ConfigError(f"audience: expected one of {', '.join(AUDIENCES)}, got {audience!r}")
    if chance is not None and audience == "wide":
        # Test results can pin a suppressed count (docs/privacy.md): the wide version prints none.
        raise ConfigError(
            "--chance-test is for the internal audience: the wide briefing prints no test results "
            "(see docs/privacy.md); drop --chance-test or use --audience internal"
        )
    if surface is not None and audience == "wide":
        # The disclosure attack pinned a district's enforcement count of 1 from the smoothed
        # unmatched harm (docs/privacy.md): the wide version has no surface until that is fixed.
        raise ConfigError(
            "--surface is for the internal audience: its smoothed figures can pin a count the wide "
            "briefing suppresses (see docs/privacy.md); drop --surface or use --audience internal"
        )
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ConfigError(f"top_n: expected a whole number of at least 1, got {top_n!r}")
    config, params, presentation = _settings(config, params, presentation, period)
    if isinstance(produced, str):
        try:
            produced = date.fromisoformat(produced)
        except ValueError:
            raise ConfigError(f"produced: expected a date YYYY-MM-DD, got {produced!r}") from None
    produced = produced or date.today()
    earlier = _period(against) if against is not None else None
    loaded = _load(events, config, params, read, progress, also=earlier)
    progress("analysing")
    current = analyse_period(loaded, params, config, params.period)
    previous = comparison = evaluation = None
    if earlier is not None:
        from hotspots.compare import compare

        previous = analyse_period(loaded, params, config, earlier)
        comparison = compare(previous, current, match_distance_m=params.eps_m)
        evaluation = _evaluation(previous, current)
    current, _ = _tested(current, chance, progress)
    surfaces, surface_areas, surface_note = _brief_surface(current, surface, audience, progress)
    timeline, week = _time_views(loaded, current, top_n)
    briefing = build_briefing(
        current, comparison, previous, audience=audience, top_n=top_n,
        produced=produced, reason=reason, evaluation=evaluation, presentation=presentation,
        surface_areas=surface_areas, surface_note=surface_note,
        timeline=timeline, time_of_week=week,
    )
    html = briefing_html(briefing)
    markdown = briefing_markdown(briefing, figure_path="briefing.png")
    from hotspots.brief.docx import briefing_docx, default_furniture

    furniture = default_furniture(briefing, originator=originator, reference=reference, handling=handling)
    docx_bytes = briefing_docx(briefing, furniture)
    pdf_bytes = None
    pdf_note = "not requested" if not pdf else pdf_unavailable_reason()
    if pdf_note is None:
        progress("printing briefing.pdf with headless Chromium")
        with tempfile.TemporaryDirectory() as scratch:
            pdf_path = Path(scratch) / "briefing.pdf"
            if briefing_pdf(html, pdf_path, produced=produced):
                pdf_bytes = pdf_path.read_bytes()
            else:
                pdf_note = "Chromium failed to print it"
    audit_parameters = {
        **parameters_record(params, presentation),
        "audience": audience,
        "against": None if against is None else str(against if isinstance(against, str) else against.label),
        "top_n": top_n,
    }
    return BriefResult(
        briefing, html, markdown, docx_bytes, pdf_bytes, pdf_note, audit_parameters, loaded, reason,
        current, previous, comparison, evaluation, surfaces,
    )


def _brief_surface(
    current: Analysis, surface: SurfaceOptions | None, audience: str, progress: Progress
) -> tuple[Surfaces | None, Any, str]:
    """The briefing's surface (1 km squares for the wide audience), its table by area and note."""
    if surface is None:
        return None, None, ""
    from hotspots.surface import WIDE_CELL_M, coarsened, district_summary, surfaces_of

    progress("computing the coverage-gap surface")
    surfaces = surfaces_of(current, cell_m=surface.cell_m, bandwidth_m=surface.bandwidth_m)
    if audience == "wide":
        surfaces = coarsened(surfaces, WIDE_CELL_M)
    note = (
        f"Coverage gap = harm density − enforcement density ÷ thin ratio {surfaces.thin_ratio:g} "
        f"(quartic kernel, bandwidth {surfaces.bandwidth_m:g} m, {surfaces.grid.cell_m:g} m cells, "
        "edge-corrected at the study-area edge). Unmatched harm is the positive gap summed over the "
        "area: harm events left unmatched at the thin ratio, smoothed. Thin surface is the area where "
        + (
            "the gap is positive. Areas are in order of the published figure, then name; no peak "
            "is shown (it would rank values the rounding hides)."
            if audience == "wide"
            else "the gap is positive; the peak is the cell where it is largest."
        )
    )
    return surfaces, district_summary(surfaces, current.areas), note


# --- tune --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TuneResult(_Result):
    """The k-distance curves of the harm events and the eps they suggest."""

    suggestion: Suggestion
    params: AnalysisParams  # with the suggested eps
    period_label: str
    loaded: Loaded
    tune_html: str

    @property
    def eps_m(self) -> float:
        """The suggested DBSCAN radius in metres."""
        return self.suggestion.eps_m

    @property
    def warnings(self) -> tuple[str, ...]:
        """None so far: the suggestion's caveats are on its page."""
        return ()

    def summary_lines(self, folder: PathLike | None = None) -> list[str]:
        """What ``hotspots tune`` prints: one line per min_samples, then the suggestion."""
        from hotspots.verdicts import apply_option, large_eps_warning

        s = self.suggestion
        lines = [
            f"min samples {row.min_samples}: eps {row.eps_m:g} m -> {counted(row.n_hotspots, 'hotspot')}, "
            f"{row.harm_share:.0%} of {counted(s.n_harm, 'harm event')}"
            for row in s.rows
        ]
        lines.append(
            f"suggested eps {s.eps_m:g} m (min samples {s.min_samples}): a suggestion, not applied; "
            f"to apply it, run map, compare or brief with {apply_option(s.eps_m)}{_where(folder)}"
        )
        warning = large_eps_warning(s.eps_m)
        return lines + ([f"warning: {warning}"] if warning else [])


def _write_tune_files(out: OutputFolder, result: TuneResult) -> None:
    from hotspots.outputs import json_text

    out.write_text("tune.html", result.tune_html)
    from hotspots.verdicts import apply_option

    content = {"period": result.period_label, "inputs": result.loaded.inputs, **result.suggestion.as_dict()}
    # Said in the file too: the suggestion changes nothing until the user passes the option.
    content.update(applied=False, apply_with=apply_option(result.suggestion.eps_m))
    out.write_text("tune.json", json_text(content))


TuneResult.WRITERS = (_write_tune_files,)


def run_tune(
    events: PathLike | Sequence[PathLike],
    *,
    config: Config | PathLike | None = None,
    params: AnalysisParams | None = None,
    presentation: PresentationParams | None = None,
    period: str | Period | None = None,
    read: ReadOptions | None = None,
    progress: Progress = _silent,
) -> TuneResult:
    """Suggest eps from the knee of the harm events' k-distance curve, for each min_samples.

    The parameters are as for :func:`run_map`.
    """
    from hotspots.pipeline import with_auto_eps
    from hotspots.render.map import area_text
    from hotspots.render.page import boundary_attribution
    from hotspots.render.tune_page import tune_html

    config, params, presentation = _settings(config, params, presentation, period)
    loaded = _load(events, config, params, read, progress)
    progress("computing k-distance curves")
    tuned, suggestion = with_auto_eps(loaded, params)
    label = label_of(params.period)
    html = tune_html(  # the run's own settings: the suggestion is shown, never applied
        suggestion,
        marking=presentation.marking,
        period_label=label,
        params_text=_params_text(params),
        current_eps_m=params.eps_m,
        area=area_text(loaded.areas["area_name"].astype(str).tolist()),
        produced=presentation.run_date,
        attribution_html=boundary_attribution(loaded.boundary_source),
        harm_label=config.types.labels.harm,
    )
    return TuneResult(suggestion, tuned, label, loaded, html)


# --- evaluate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluateResult(_Result):
    """Hotspots drawn on one period scored by the next period's harm (hit rate, PAI, RRI)."""

    evaluation: EvaluationResult
    previous: Analysis
    current: Analysis
    params: AnalysisParams
    presentation: PresentationParams
    loaded: Loaded
    labels: dict[str, str] = field(default_factory=dict)  # period_label, against_label, harm_label

    @property
    def warnings(self) -> tuple[str, ...]:
        """Warnings of both periods' analyses, each once, earlier period first."""
        return tuple(dict.fromkeys([*self.previous.quality.warnings, *self.current.quality.warnings]))

    def summary_lines(self, folder: PathLike | None = None) -> list[str]:
        """What ``hotspots evaluate`` prints: the verdict, the hotspots' and the baseline's scores."""
        from hotspots.verdicts import evaluation_verdict

        now = self.labels.get("period_label", "the later period")
        lines = [evaluation_verdict(self.evaluation, **self.labels)]
        lines += [
            f"{scores.name}: hit rate {scores.hit_rate:.1%}, PAI {scores.pai:.1f}, RRI {scores.rri:.2f} "
            f"({scores.area_share:.2%} of the study area)"
            if math.isfinite(scores.hit_rate)
            else f"{scores.name}: not scored: no harm events in {now} to score by "
            f"({scores.area_share:.2%} of the study area)"
            for scores in (self.evaluation.hotspots, self.evaluation.baseline)
        ]
        if folder is not None:
            lines.append(f"outputs in {folder}")
        return lines


def _write_evaluate_files(out: OutputFolder, result: EvaluateResult) -> None:
    from hotspots.outputs import json_text
    from hotspots.render.evaluation_page import evaluation_html, evaluation_markdown
    from hotspots.render.map import area_text
    from hotspots.render.page import boundary_attribution

    labels, evaluation = result.labels, result.evaluation
    parameters = parameters_record(result.params, result.presentation)
    out.write_text(
        "evaluate.json",
        json_text({**labels, "parameters": parameters, "inputs": result.loaded.inputs, **evaluation.as_dict()}),
    )
    out.write_text("evaluate.md", evaluation_markdown(evaluation, **labels))
    out.write_text(
        "evaluate.html",
        evaluation_html(
            evaluation,
            marking=result.presentation.marking,
            params_text=_params_text(result.params),
            area=area_text(result.current.areas["area_name"].astype(str).tolist()),
            produced=result.presentation.run_date,
            attribution_html=boundary_attribution(result.current.boundary_source),
            **labels,
        ),
    )


EvaluateResult.WRITERS = (_write_evaluate_files,)


def run_evaluate(
    events: PathLike | Sequence[PathLike],
    *,
    period: str | Period,
    against: str | Period,
    config: Config | PathLike | None = None,
    params: AnalysisParams | None = None,
    presentation: PresentationParams | None = None,
    read: ReadOptions | None = None,
    progress: Progress = _silent,
) -> EvaluateResult:
    """Score the hotspots drawn on ``against`` by ``period``'s harm, against a grid baseline.

    The parameters are as for :func:`run_map`.
    """
    from hotspots.pipeline import evaluation_of

    config, params, presentation = _settings(config, params, presentation, period)
    earlier = _period(against)
    loaded = _load(events, config, params, read, progress, also=earlier)
    previous, current = _two_periods(loaded, config, params, earlier, progress)
    evaluation = evaluation_of(previous, current)
    labels = {
        "period_label": label_of(current.period),
        "against_label": earlier.label,
        "harm_label": config.types.labels.harm,
    }
    return EvaluateResult(evaluation, previous, current, params, presentation, loaded, labels)


# --- validate ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidateResult(_Result):
    """Every input row read and checked, without analysis: the data-quality report."""

    report: dict[str, Any]
    loaded: Loaded

    @property
    def warnings(self) -> tuple[str, ...]:
        """Notes about how the files were read (encoding, delimiter, ...)."""
        return tuple(self.loaded.notes)

    def _geocoding_rate(self) -> float:
        rows = self.loaded.rows_read
        return self.loaded.rows_with_coordinates / rows if rows else 0.0

    def summary_lines(self, folder: PathLike | None = None) -> list[str]:
        """What ``hotspots validate`` prints: row counts and the reasons rows were rejected."""
        from hotspots.notices import NOT_ANALYSED

        r = self.report
        not_analysed = (
            f"{NOT_ANALYSED} {r['rows_not_analysed']:,}, " if r["rows_not_analysed"] else ""
        )
        lines = [
            (
                f"rows read {r['rows_read']:,}: valid in period {r['rows_valid_in_period']:,}, "
                f"outside the period {r['rows_outside_period']:,}, {not_analysed}"
                f"rejected {r['rows_rejected']:,}"
            ),
            # From the counts, not the rounded figure in summary.json: the same text as `map`.
            f"geocoding rate {self._geocoding_rate():.1%}",
        ]
        lines += [f"  rejected {reason}: {n:,}" for reason, n in r["rejected_by_reason"].items() if n]
        if folder is not None:
            lines.append(f"wrote {schema.OUT_REJECTED} and {schema.OUT_SUMMARY} in {folder}")
        return lines


def _write_validate_files(out: OutputFolder, result: ValidateResult) -> None:
    from hotspots.outputs import json_text
    from hotspots.pipeline import rejected_csv

    out.write_text(schema.OUT_REJECTED, rejected_csv(result.loaded))
    out.write_text(schema.OUT_SUMMARY, json_text(result.report))


ValidateResult.WRITERS = (_write_validate_files,)


def run_validate(
    events: PathLike | Sequence[PathLike],
    *,
    config: Config | PathLike | None = None,
    params: AnalysisParams | None = None,
    period: str | Period | None = None,
    read: ReadOptions | None = None,
    progress: Progress = _silent,
) -> ValidateResult:
    """Read and check every input row and report data quality, without analysing.

    ``period`` only splits the valid rows into inside and outside it. The other parameters
    are as for :func:`run_map`.
    """
    from hotspots.analysis import in_period
    from hotspots.notices import NOT_ANALYSED_DEFINITION, split_rejections

    config, params, _ = _settings(config, params, PresentationParams(), period)
    loaded = _load(events, config, params, read, progress, clusters=False)
    inside = int(in_period(loaded.valid, params.period).sum())
    not_analysed, by_reason = split_rejections(loaded.rejected_by_reason)
    report = {
        "rows_read": loaded.rows_read,
        "rows_valid_in_period": inside,
        "rows_outside_period": len(loaded.valid) - inside,
        "rows_not_analysed": not_analysed,
        "rows_rejected": sum(by_reason.values()),
        "rejected_by_reason": by_reason,
        "definitions": {"rows_not_analysed": NOT_ANALYSED_DEFINITION},
        "geocoding_rate": round(loaded.rows_with_coordinates / loaded.rows_read, 4),
        "period": params.period.as_dict() if params.period else None,
        "inputs": [{"file": k, "sha256": v} for k, v in loaded.inputs.items()],
        "notes": list(loaded.notes),
    }
    return ValidateResult(report, loaded)
