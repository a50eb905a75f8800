"""The one-way flow: read → validate → cluster → score → overlay → render/write.

Commands call :func:`load` once (reading and validating every input row), then
:func:`hotspots.analysis.analyse` for each period they need, then write.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from hotspots import __version__, schema
from hotspots.analysis import analyse
from hotspots.boundaries import DEFAULT_AREAS, load_boundaries
from hotspots.definitions import analysed_types, summary_definitions
from hotspots.errors import InputError, NoDataError
from hotspots.io import read_events
from hotspots.model import Analysis
from hotspots.outputs import csv_text
from hotspots.params import AnalysisParams, Config, PresentationParams, parameters_record
from hotspots.period import Period
from hotspots.postgis import DatabaseSource, read_events_db
from hotspots.validate import study_area_warning, validate

if TYPE_CHECKING:
    import geopandas as gpd

Progress = Callable[[str], None]


def stderr_progress(enabled: bool = True) -> Progress:
    """A progress callback printing elapsed time and a step to standard error."""
    started = time.perf_counter()

    def report(step: str) -> None:
        if enabled:
            print(f"[{time.perf_counter() - started:6.1f}s] {step}", file=sys.stderr, flush=True)

    return report


@dataclass(frozen=True)
class Loaded:
    """Every input row read and validated, with the study-area districts."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    rows_with_coordinates: int
    inputs: dict[str, str]
    notes: tuple[str, ...]
    areas: gpd.GeoDataFrame  # study-area districts in EPSG:27700
    boundary_source: str
    boundary_key: str = "file"  # --areas key of the bundled set, "file" for the user's own
    boundary_vintage: str = ""
    local_areas: Any = None  # hotspots.local_areas.LocalAreas with --local-areas, else None
    study_choice: dict[str, Any] = field(default_factory=dict)  # how the study area was chosen

    @property
    def rejected_by_reason(self) -> dict[str, int]:
        """Rejected row counts per reason."""
        return self.rejected[schema.COL_REASON].value_counts().to_dict()


def load(
    files: Sequence[Path | DatabaseSource],
    config: Config,
    params: AnalysisParams,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    boundaries: Path | None = None,
    code_field: str = "area_code",
    name_field: str = "area_name",
    areas: str = DEFAULT_AREAS,
    local_areas: Path | None = None,
    local_code_field: str | None = None,
    local_name_field: str | None = None,
    layer: str | None = None,
    progress: Progress = lambda _: None,
    periods: tuple[Period, ...] = (),
) -> Loaded:
    """Read and validate every input file.

    ``periods`` are the periods the command analyses (default: ``params.period``): only
    events dated inside them choose the default study area.

    Raises
    ------
    NoDataError
        The files hold no data rows at all.
    """
    frames: list[pd.DataFrame] = []
    inputs: dict[str, str] = {}
    notes: list[str] = []
    headers: dict[str, tuple[str, str]] = {}  # each source's x and y headers, for hints
    _refuse_repeated_files(files)
    names = [p.name for p in files if isinstance(p, Path)]
    for path in files:
        progress(f"reading {path}")
        if isinstance(path, DatabaseSource):  # a PostgreSQL table or query (hotspots.postgis)
            result = read_events_db(path, config.columns)
        else:
            result = read_events(path, config.columns, encoding=encoding, delimiter=delimiter, layer=layer)
        raw_rows = result.raw
        if isinstance(path, Path) and names.count(path.name) > 1:
            # Two inputs called events.csv from different folders: rows say which one.
            raw_rows = raw_rows.assign(**{schema.COL_SOURCE: str(path)})
        frames.append(raw_rows)
        if len(raw_rows):
            headers[str(raw_rows[schema.COL_SOURCE].iloc[0])] = result.coordinate_headers
        key = path.name if path.name not in inputs else str(path)
        inputs[key] = result.sha256
        notes.extend(result.notes)
        if isinstance(path, Path):
            notes.extend(_crs_note(path, config, result))
    raw = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if len(raw) == 0:
        listed = ", ".join(str(p) for p in files)
        raise NoDataError(f"{listed}: no data rows (the file has a header only, or nothing at all)")
    progress(f"validating {len(raw):,} rows")
    districts = load_boundaries(boundaries, areas=areas, code_field=code_field, name_field=name_field)
    local = None
    if local_areas is not None:
        from hotspots.local_areas import load_local_areas

        local = load_local_areas(local_areas, code_field=local_code_field, name_field=local_name_field)
    notes.extend(districts.notes)
    checked = validate(raw, config.types, params, districts.areas, periods, coordinate_headers=headers)
    notes.extend(checked.notes)
    study = districts.areas[districts.areas[schema.COL_AREA_CODE].isin(checked.study_codes)]
    return Loaded(
        valid=checked.valid,
        rejected=checked.rejected,
        rows_read=len(raw),
        rows_with_coordinates=checked.rows_with_coordinates,
        inputs=inputs,
        notes=tuple(notes),
        areas=study.reset_index(drop=True),
        boundary_source=districts.source,
        boundary_key=districts.key,
        boundary_vintage=districts.vintage,
        local_areas=local,
        study_choice=checked.study_choice,
    )


def _refuse_repeated_files(files: Sequence[Path | DatabaseSource]) -> None:
    """Refuse one file passed twice (its rows would be read twice and all rejected as duplicates)."""
    seen: dict[tuple[int, int], Path] = {}
    for path in files:
        if not isinstance(path, Path):
            continue  # a database source
        try:
            info = path.stat()
        except OSError:
            continue  # read_events names a missing file
        key = (info.st_dev, info.st_ino)
        if key in seen:
            raise InputError(
                f"{path}: passed twice (also as {seen[key]}); give each file once"
            )
        seen[key] = path


def _crs_note(path: Path, config: Config, result: Any) -> tuple[str, ...]:
    """A note when --crs (or [columns] crs) was given but the file's coordinates ignore it."""
    wanted = config.columns.crs
    if not wanted or len(result.raw) == 0:
        return ()
    used = str(result.raw[schema.COL_CRS].iloc[0])
    if used == wanted:
        return ()
    kind = {
        schema.CRS_WEB: "lat/lon columns (WGS84)",
        schema.CRS_METRIC: "easting/northing columns (EPSG:27700)",
    }.get(used, f"the file ({used})")
    note = (
        f"{path.name}: --crs {wanted} was not used: the coordinates were read from {kind}; "
        "--crs applies to x/y columns only"
    )
    return (note,)


def analyse_period(
    loaded: Loaded, params: AnalysisParams, config: Config, period: Period | None
) -> Analysis:
    """The analysis of one period over loaded events (the same rejected rows for every period)."""
    return analyse(
        loaded.valid,
        rows_read=loaded.rows_read,
        rejected_by_reason=loaded.rejected_by_reason,
        rows_with_coordinates=loaded.rows_with_coordinates,
        params=params.with_overrides(period=period) if period else params,
        types=config.types,
        areas=loaded.areas,
        inputs=loaded.inputs,
        boundary_source=loaded.boundary_source,
        local_areas=loaded.local_areas,
        warnings=[w for w in [study_area_warning(loaded.study_choice)] if w],
    )


def harm_xy(analysis_events: pd.DataFrame) -> Any:
    """Shape (n, 2) metres of the harm events in a table of events."""
    import numpy as np

    harm = analysis_events[analysis_events[schema.COL_ROLE] == schema.ROLE_HARM]
    return np.column_stack([harm[schema.COL_X].to_numpy(float), harm[schema.COL_Y].to_numpy(float)])


def with_auto_eps(loaded: Loaded, params: AnalysisParams) -> tuple[AnalysisParams, Any]:
    """Parameters whose eps is the knee of the period's harm k-distance curve (``--eps auto``)."""
    from hotspots.analysis import in_period
    from hotspots.tune import suggest

    events = loaded.valid.loc[in_period(loaded.valid, params.period)]
    result = suggest(harm_xy(events), min_samples=params.min_samples, engine=params.engine)
    source = (
        f"auto: knee of the {params.min_samples}-distance curve of {result.n_harm} harm events "
        f"(kneedle), rounded up to 10 m"
    )
    return params.with_overrides(eps_m=result.eps_m, eps_source=source), result


def rejected_csv(loaded: Loaded) -> str:
    """``rejected.csv``: where each rejected row came from, why, and its original values.

    Only the columns the tool reads are repeated; other input columns (free text such as
    a location description or notes) are never copied into outputs.
    """
    columns = [schema.COL_SOURCE, schema.COL_ROW, schema.COL_REASON, *schema.RAW_COLUMNS]
    # The time columns (time, date_from, date_to) are repeated only when an input has them.
    columns += [c for c in schema.OPTIONAL_RAW_COLUMNS if c in loaded.rejected]
    return csv_text(loaded.rejected[columns])


def summary(
    analysis: Analysis,
    *,
    command: str,
    loaded: Loaded,
    outputs: Sequence[str],
    presentation: PresentationParams | None = None,
) -> dict[str, Any]:
    """The ``summary.json`` content of one analysis (``outputs``: every file name written)."""
    from hotspots.notices import no_harm_of

    presentation = PresentationParams() if presentation is None else presentation
    events = analysis.events
    hotspots = analysis.hotspots
    return {
        "tool": "hotspots",
        "version": __version__,
        "command": command,
        "period": analysis.period.as_dict() if analysis.period else None,
        **{k: v for k, v in analysis.quality.as_dict().items() if k != "warnings"},
        "rows_by_type": {str(k): int(v) for k, v in sorted(events[schema.COL_TYPE].value_counts().items())},
        "rows_by_role": {r: int((events[schema.COL_ROLE] == r).sum()) for r in schema.ROLES},
        "hotspots": len(hotspots),
        "no_harm": no_harm_of(analysis),  # the sentence when the period holds no harm event
        "thin_hotspots": int((hotspots["status"] == schema.STATUS_THIN).sum()),
        "enforcement_clusters": len(analysis.enforcement_clusters),
        "study_area": [
            {"area_code": c, "area_name": n}
            for c, n in zip(analysis.areas[schema.COL_AREA_CODE], analysis.areas[schema.COL_AREA_NAME], strict=True)
        ],
        "study_area_choice": dict(loaded.study_choice),
        "parameters": parameters_record(analysis.params, presentation),
        "event_types": {t: analysis.types.roles[t] for t in sorted(analysis.types.roles)},
        "labels": labels_record(analysis),
        "definitions": summary_definitions(analysis),
        "boundary_source": analysis.boundary_source,
        "areas": {
            "key": loaded.boundary_key,
            "vintage": loaded.boundary_vintage,
            "source": analysis.boundary_source,
        },
        "local_areas_source": analysis.local_area_source or None,
        "place_sources": place_sources(),
        "inputs": [{"file": name, "sha256": sha} for name, sha in loaded.inputs.items()],
        "notes": list(loaded.notes),
        "warnings": list(analysis.quality.warnings),
        "outputs": list(outputs),
        "licence": "Boundaries: Source: Office for National Statistics licensed under the Open Government "
        "Licence v.3.0; Contains OS data © Crown copyright and database right",
    }


def labels_record(analysis: Analysis) -> dict[str, Any]:
    """What harm and enforcement stand for ([labels]) and the analysed types' labels."""
    return {
        **analysis.types.labels.as_dict(),
        "types": {
            role: {t: analysis.types.label_of(t) for t in analysed_types(analysis, role)}
            for role in schema.ROLES
        },
    }


def place_sources() -> dict[str, str]:
    """Attribution of the columns naming where hotspots are (``near``, ``postcode``)."""
    from hotspots.places import SOURCE as PLACES
    from hotspots.postcodes import SOURCE as POSTCODES

    return {"near": PLACES, "postcode": POSTCODES}


def evaluation_of(previous: Analysis, current: Analysis) -> Any:
    """Predictive scores of ``previous``'s hotspots on ``current``'s harm events."""
    from hotspots.errors import NoDataError
    from hotspots.evaluate import evaluate

    if len(current.areas) == 0 or not float(current.areas.geometry.area.sum()) > 0:
        raise NoDataError(
            "the study area is empty: no district of it holds analysed events, so there is no "
            "area to score hotspots on; check --study-area and the boundaries"
        )
    return evaluate(
        previous.hotspots.geometry.values,
        harm_xy(previous.events),
        harm_xy(current.events),
        current.areas.geometry.values,
    )
