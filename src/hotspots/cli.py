"""The ``hotspots`` command line: options in, one job, its summary out.

Each command parses its options into plain values, calls one function of
:mod:`hotspots.jobs`, writes the result into ``--out`` and prints the result's summary lines.
Heavy libraries (pandas, geopandas, folium, numba) are imported inside the jobs, so
``hotspots --help`` answers at once. Errors the tool raises on purpose become one-line
messages with documented exit codes; ``--debug`` shows the traceback instead.

Exit codes: 0 success; 1 unexpected internal error; 2 bad input, option or config;
3 no data rows; 4 outputs could not be written; 130 interrupted; 141 output pipe closed.
"""

from __future__ import annotations

import atexit
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from hotspots import __version__, process, schema
from hotspots.errors import HotspotsError

EXIT_INTERNAL = 1


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn HotspotsError into ``Error: …`` and its exit code (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        try:
            from hotspots.outputs import inputs_protected  # pandas: loaded by every command anyway

            with process.signals_as_interrupts(), inputs_protected(_input_paths(kwargs)):
                return func(*args, **kwargs)
        except HotspotsError as exc:
            if debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            process.interrupt_handled()
            click.echo(
                "Interrupted: the output folder holds complete outputs only (the previous ones, or "
                "the new ones if they were already being moved in); nothing partial.",
                err=True,
            )
            sys.exit(process.EXIT_INTERRUPTED)
        except click.exceptions.Exit:
            raise
        except BrokenPipeError:
            # The program reading our output has stopped (``hotspots validate … | head``): stop
            # quietly, as command-line tools do. Later writes and the exit flush go nowhere.
            process.silence_standard_streams()
            sys.exit(process.EXIT_BROKEN_PIPE)
        except Exception as exc:  # the last line of defence: no traceback for users
            if debug:
                raise
            click.echo(
                f"Internal error: {type(exc).__name__}: {exc}. This is a bug in hotspots; "
                "rerun with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper


def _input_paths(opts: dict[str, Any]) -> list[Path]:
    """Every file the command reads: events, --config, --boundaries."""
    paths = [Path(p) for p in opts.get("events") or ()]
    paths += [Path(opts[k]) for k in ("config", "boundaries") if opts.get(k)]
    return paths


class _OutFolder(click.Path):
    """``--out``: a folder name; an empty value (``--out ""``) is refused, not read as ".". """

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("expected a folder name, got an empty value (write --out . for this folder)")
        return super().convert(value, param, ctx)


_OUT = _OutFolder(path_type=Path)


def _input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads events."""
    options = [
        click.argument("events", nargs=-1, required=True, type=click.Path()),
        click.option("--table", help="Events in a database: the table (or SCHEMA.TABLE) of a postgresql:// URL given as EVENTS."),
        click.option("--query", help='Events in a database: a query, e.g. "SELECT id, type, date, geom FROM crimes WHERE ...".'),
        click.option("--config", type=click.Path(path_type=Path), help="TOML file: column names, type vocabulary, roles, defaults."),
        click.option("--encoding", help="Text encoding of CSV inputs (default: UTF-8 with or without BOM, else cp1252)."),
        click.option("--delimiter", type=click.Choice([",", ";", "tab", "\t", "|", "pipe"]), help="CSV delimiter (default: sniffed from the header)."),
        click.option("--date-order", type=click.Choice(["auto", "dmy", "mdy"]), help="How to read dd/mm/yyyy-style dates (default auto)."),
        click.option("--crs", help="CRS of x/y columns, e.g. EPSG:27700."),
        click.option("--time-col", help="Column holding the time of day (default: 'time' if present; see docs/time.md)."),
        click.option("--areas", "areas", help="Areas: lad2025 (default: April 2025 districts), lad2011, pfa2025 (police force areas), or a polygon FILE."),
        click.option("--boundaries", type=click.Path(path_type=Path), help="Polygon file of your own areas (same as --areas FILE)."),
        click.option("--boundary-code-field", default="area_code", show_default=True, help="Code field in --areas FILE / --boundaries."),
        click.option("--boundary-name-field", default="area_name", show_default=True, help="Name field in --areas FILE / --boundaries."),
        click.option("--layer", help="Layer of a multi-layer GeoPackage holding the events."),
        click.option("--study-area", multiple=True, help="District names or codes, comma-separated or repeated. Default: districts holding events."),
        click.option("--force", "force", help="Study area = a police force's districts, e.g. Norfolk, 'Devon & Cornwall', metropolitan."),
        click.option("--local-areas", type=click.Path(path_type=Path), help="Polygons of wards/neighbourhoods/beats: each hotspot is named by one; writes local_areas.csv."),
        click.option("--local-area-code-field", help="Code field in --local-areas (default: code, or the one field ending in CD)."),
        click.option("--local-area-name-field", help="Name field in --local-areas (default: name, or the one field ending in NM)."),
        click.option("--quiet", is_flag=True, help="No progress messages."),
        click.option("--debug", is_flag=True, help="Show tracebacks."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _analysis_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options of commands that find hotspots."""
    options = [
        click.option("--eps", "eps", help="DBSCAN radius in metres (default 400), or 'auto' for the k-distance knee."),
        click.option("--min-samples", type=int, help="DBSCAN: events (itself included) within eps to be core (default 3)."),
        click.option("--margin", type=float, help="Footprint margin in metres (default: eps / 2)."),
        click.option("--thin-ratio", type=float, help="Thin when enforcement / harm is below this (default 0.5)."),
        click.option("--engine", type=click.Choice(schema.ENGINE_NAMES), help="DBSCAN engine (default grid)."),
        click.option("--marking", help="Protective marking (default OFFICIAL-SENSITIVE)."),
        click.option("--tiles", help="Basemap: none (default, offline), osm, or a URL template {z}/{x}/{y}."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _extra_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the coverage-gap surface and the chance test (map, compare, brief)."""
    options = [
        click.option("--surface", is_flag=True, help="Add the coverage-gap surface: a layer, surface.tif and surface_areas.csv."),
        click.option("--surface-cell", type=float, help="Surface cell in metres (default: a quarter of the bandwidth, rounded to 10 m)."),
        click.option("--surface-bandwidth", type=float, help="Surface kernel bandwidth in metres (default: eps)."),
    ]
    for option in reversed(options):
        func = option(func)
    return _chance_options(func)


def _chance_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options of the chance test."""
    options = [
        click.option("--chance-test", is_flag=True, help="Test each hotspot against random relabelling of the period's events (p_value)."),
        click.option("--replicates", type=int, default=99, show_default=True, help="Relabellings of the chance test."),
        click.option("--seed", type=int, default=20240101, show_default=True, help="Seed of the chance test's random draws."),
        click.option("--chance-alpha", type=float, default=0.05, show_default=True, help="Level at which a hotspot is 'unlikely by chance'."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _extras(opts: dict[str, Any]) -> dict[str, Any]:
    """The ``surface`` and ``chance`` job arguments (None when not asked for), checked now."""
    surface = chance = None
    if opts.get("surface") or opts.get("surface_cell") is not None or opts.get("surface_bandwidth") is not None:
        from hotspots.surface import SurfaceOptions

        surface = SurfaceOptions(cell_m=opts.get("surface_cell"), bandwidth_m=opts.get("surface_bandwidth"))
    if opts.get("chance_test"):
        from hotspots.significance import ChanceOptions

        chance = ChanceOptions(replicates=opts["replicates"], seed=opts["seed"], alpha=opts["chance_alpha"])
    return {"surface": surface, "chance": chance}


def _postgis_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--to-postgis URL --schema NAME``: also write the result tables into PostGIS."""
    func = click.option("--schema", default=schema.OUT_POSTGIS_SCHEMA, show_default=True, help="Schema written by --to-postgis.")(func)
    return click.option(
        "--to-postgis", metavar="URL",
        help="Also write hotspots, enforcement clusters and districts into this PostGIS database "
        "(postgresql://user@host/db; password from the URL, PGPASSWORD or ~/.pgpass).",
    )(func)


def _settings(opts: dict[str, Any], *, allow_auto_eps: bool = False) -> dict[str, Any]:
    """The job arguments every command shares, each value checked before any work.

    Returns keyword arguments for a :mod:`hotspots.jobs` function: ``config``, ``params``,
    ``presentation``, ``read`` and ``progress``.
    """
    from dataclasses import replace

    from hotspots.errors import ConfigError
    from hotspots.jobs import ReadOptions
    from hotspots.params import build_params, build_presentation, load_config
    from hotspots.pipeline import stderr_progress

    config = load_config(opts.get("config"))
    if opts.get("crs"):
        config = replace(config, columns=replace(config.columns, crs=opts["crs"]))
    if opts.get("time_col"):
        # Named explicitly, the column must be there (like a [columns] time entry).
        columns = config.columns
        config = replace(config, columns=replace(columns, time=opts["time_col"], renamed=columns.renamed | {"time"}))
    eps = opts.get("eps")
    eps_m: float | None = None
    if eps == "auto" and not allow_auto_eps:
        # Two periods (or a briefing) must share one eps: take it from `hotspots tune`.
        raise ConfigError(
            "--eps auto is for hotspots map; run hotspots tune and pass its suggestion as --eps METRES"
        )
    if eps is not None and eps != "auto":
        try:
            eps_m = float(eps)
        except ValueError:
            raise ConfigError(f"--eps: expected a distance in metres (e.g. 400), got {eps!r}") from None
    from hotspots.validate import split_study_area

    study_area = split_study_area(opts.get("study_area") or ())
    areas_key, boundaries = _areas_choice(opts)
    if opts.get("force"):
        from hotspots.boundaries import force_study_area

        if study_area:
            raise ConfigError("--force and --study-area both set the study area; give one of them")
        if boundaries is not None:
            raise ConfigError("--force needs bundled areas (--areas lad2025 or pfa2025), not a file")
        study_area = force_study_area(opts["force"], areas_key)
    params = build_params(
        config,
        eps_m=eps_m,
        min_samples=opts.get("min_samples"),
        footprint_margin_m=opts.get("margin"),
        thin_ratio=opts.get("thin_ratio"),
        engine=opts.get("engine"),
        study_area=study_area or None,
        date_order=opts.get("date_order"),
    )
    presentation = build_presentation(
        config,
        marking=opts.get("marking"),
        tiles=opts.get("tiles"),
        show_points=opts.get("show_points") or None,
        run_date=opts.get("run_date"),
    )
    delimiter = {"tab": "\t", "pipe": "|"}.get(opts.get("delimiter") or "", opts.get("delimiter"))
    read = ReadOptions(
        encoding=opts.get("encoding"),
        delimiter=delimiter,
        boundaries=boundaries,
        boundary_code_field=opts.get("boundary_code_field") or "area_code",
        boundary_name_field=opts.get("boundary_name_field") or "area_name",
        areas=areas_key,
        local_areas=opts.get("local_areas"),
        local_area_code_field=opts.get("local_area_code_field"),
        local_area_name_field=opts.get("local_area_name_field"),
        table=opts.get("table"),
        query=opts.get("query"),
        layer=opts.get("layer"),
    )
    return {
        "config": config,
        "params": params,
        "presentation": presentation,
        "read": read,
        "progress": stderr_progress(not opts["quiet"]),
    }


def _areas_choice(opts: dict[str, Any]) -> tuple[str, Path | None]:
    """``(bundled areas key, user's polygon file or None)`` from ``--areas`` and ``--boundaries``."""
    from hotspots.boundaries import AREA_SETS, DEFAULT_AREAS
    from hotspots.errors import ConfigError

    value = (opts.get("areas") or "").strip()
    boundaries = opts.get("boundaries")
    if value.lower() in AREA_SETS:
        if boundaries is not None:
            raise ConfigError(f"--areas {value} and --boundaries FILE: give one of them")
        return value.lower(), None
    if value:
        if boundaries is not None:
            raise ConfigError("--areas FILE and --boundaries FILE: give one of them")
        if not Path(value).exists():
            raise ConfigError(
                f"--areas {value!r}: neither bundled areas ({', '.join(AREA_SETS)}) nor an existing "
                "polygon file"
            )
        return DEFAULT_AREAS, Path(value)
    return DEFAULT_AREAS, boundaries


def _echo(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotspots")
def main() -> None:
    """Map where county-lines harm concentrates while enforcement coverage is thin."""


@main.command("map")
@_input_options
@_analysis_options
@click.option("--period", help="YYYY-MM-DD..YYYY-MM-DD, 2024Q3, FY2024-25Q1, 2024-07 or 2024 (default: all dates).")
@click.option("--out", required=True, type=_OUT, help="Output folder.")
@click.option("--show-points", is_flag=True, help="Add individual event points (victims' locations!) as a layer.")
@click.option("--run-date", help="Date printed on the map (default: none, for byte-identical reruns).")
@_extra_options
@_postgis_options
@_guarded
def map_command(**opts: Any) -> None:
    """Cluster harm events, score enforcement coverage and write map.html and tables."""
    from hotspots.jobs import run_map

    job = _settings(opts, allow_auto_eps=True)
    result = run_map(
        opts["events"], period=opts.get("period"), auto_eps=opts.get("eps") == "auto",
        to_postgis=opts.get("to_postgis"), postgis_schema=opts["schema"], **_extras(opts), **job,
    )
    job["progress"]("writing outputs")
    result.write(opts["out"])
    job["progress"]("done")
    _echo(result.summary_lines(opts["out"]))


@main.command("validate")
@_input_options
@click.option("--period", help="Count rows outside this period (default: all dates).")
@click.option("--out", type=_OUT, help="Folder for rejected.csv and summary.json.")
@_guarded
def validate_command(**opts: Any) -> None:
    """Check input files and report data quality without analysing."""
    from hotspots.jobs import run_validate

    job = _settings(opts)
    del job["presentation"]
    result = run_validate(opts["events"], period=opts.get("period"), **job)
    _echo(result.summary_lines())
    if opts.get("out"):
        result.write(opts["out"])
        _echo(result.summary_lines(opts["out"])[-1:])


@main.command("tune")
@_input_options
@_analysis_options
@click.option("--period", help="Tune on this period's harm events (default: all dates).")
@click.option("--out", required=True, type=_OUT, help="Output folder.")
@_guarded
def tune_command(**opts: Any) -> None:
    """Suggest eps from the knee of the harm events' k-distance curve (tune.html, tune.json)."""
    from hotspots.jobs import run_tune

    result = run_tune(opts["events"], period=opts.get("period"), **_settings(opts))
    result.write(opts["out"])
    _echo(result.summary_lines(opts["out"]))


@main.command("evaluate")
@_input_options
@_analysis_options
@click.option("--period", required=True, help="The period scored (its harm events).")
@click.option("--against", required=True, help="The earlier period on which hotspots are drawn.")
@click.option("--out", required=True, type=_OUT, help="Output folder.")
@_guarded
def evaluate_command(**opts: Any) -> None:
    """Score hotspots drawn on --against by --period's harm: hit rate, PAI, RRI, vs a grid baseline."""
    from hotspots.jobs import run_evaluate

    job = _settings(opts)
    result = run_evaluate(opts["events"], period=opts["period"], against=opts["against"], **job)
    result.write(opts["out"])
    _echo(result.summary_lines(opts["out"]))


@main.command("compare")
@_input_options
@_analysis_options
@click.option("--period", required=True, help="The current period.")
@click.option("--against", required=True, help="The earlier period to compare with.")
@click.option("--match-distance", type=float, help="Footprints this close (metres) match (default: eps).")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level of the count test.")
@click.option("--out", required=True, type=_OUT, help="Output folder.")
@_extra_options
@_postgis_options
@_guarded
def compare_command(**opts: Any) -> None:
    """Compare two periods: new, persistent, intensified, diminished, resolved, merged, split hotspots."""
    from hotspots.jobs import run_compare

    job = _settings(opts)
    result = run_compare(
        opts["events"], period=opts["period"], against=opts["against"],
        match_distance_m=opts.get("match_distance"), alpha=opts["alpha"],
        to_postgis=opts.get("to_postgis"), postgis_schema=opts["schema"], **_extras(opts), **job,
    )
    result.write(opts["out"])
    _echo(result.summary_lines(opts["out"]))


@main.command("brief")
@_input_options
@_analysis_options
@click.option("--period", required=True, help="The period briefed.")
@click.option("--against", help="An earlier period to report changes against.")
@click.option("--audience", type=click.Choice(["internal", "wide"]), default="internal", show_default=True,
              help="wide: 1 km squares only, counts below 5 shown as <5, no footprints.")
@click.option("--top", "top_n", type=int, default=10, show_default=True, help="Priority hotspots listed.")
@click.option("--produced", help="Date printed as produced, YYYY-MM-DD (default: today).")
@click.option("--reason", help="Why this briefing is produced (kept in the audit log).")
@click.option("--no-pdf", is_flag=True, help="Do not print briefing.pdf.")
@click.option("--originator", help="Who produced it (unit, role), printed in briefing.docx.")
@click.option("--reference", help="Document reference for briefing.docx (default: from its content).")
@click.option("--handling", help="Handling instruction for briefing.docx (default: named audience only).")
@click.option("--audit-log", type=click.Path(path_type=Path),
              help="Audit log file (default: audit.jsonl in --out; wide: the user's log, "
                   "see docs/privacy.md).")
@click.option("--out", required=True, type=_OUT, help="Output folder.")
@_extra_options
@_guarded
def brief_command(**opts: Any) -> None:
    """Write a tasking briefing: briefing.html (A4, print-ready), briefing.md, briefing.docx, briefing.pdf."""
    from hotspots.brief import audit_log_path
    from hotspots.jobs import run_brief

    # Refused before the analysis: a wide briefing's audit log may not sit in its folder.
    audit_log_path(opts["out"], wide=opts["audience"] == "wide", audit_log=opts.get("audit_log"))

    result = run_brief(
        opts["events"], period=opts["period"], against=opts.get("against"),
        audience=opts["audience"], top_n=opts["top_n"], produced=opts.get("produced"),
        reason=opts.get("reason"), pdf=not opts["no_pdf"], originator=opts.get("originator"),
        reference=opts.get("reference"), handling=opts.get("handling"), **_extras(opts), **_settings(opts),
    )
    result.write(opts["out"], opts.get("audit_log"))
    _echo(result.summary_lines(opts["out"], opts.get("audit_log")))


def run() -> None:
    """The ``hotspots`` program: :func:`main`, then an exit without interpreter teardown.

    Once a command has returned, its outputs are written and closed; tearing the interpreter
    down then only frees memory the operating system takes back anyway (see
    :mod:`hotspots.process`). So, once ``main`` has ended with a status, every exit handler
    runs (as at a normal exit), the standard streams are flushed and the process ends with
    that status. This is the program's entry point only: called inside another Python
    process it would end that process too. An exception other than ``SystemExit`` leaves by
    Python's normal path (traceback, exit 1).
    """
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = process.exit_status(exc.code)
    # atexit's own runner: handlers registered before and after this point run, newest first,
    # exactly as interpreter shutdown would run them, and are then cleared.
    atexit._run_exitfuncs()
    process.flush_and_exit(status)


# The service's commands live in their own module (run, serve, audit verify).
from hotspots.cli_service import audit_group, run_command, serve_command

main.add_command(run_command)
main.add_command(serve_command)
main.add_command(audit_group)
