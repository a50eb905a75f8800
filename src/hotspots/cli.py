"""The ``hotspots`` command line.

Heavy libraries (pandas, geopandas, folium, numba) are imported inside commands, so
``hotspots --help`` answers at once. Errors the tool raises on purpose become one-line
messages with documented exit codes; ``--debug`` shows the traceback instead.

Exit codes: 0 success; 1 unexpected internal error; 2 bad input, option or config;
3 no data rows; 4 outputs could not be written; 130 interrupted.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from hotspots import __version__
from hotspots.errors import HotspotsError

EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130
#: 128 + SIGPIPE, the status a shell reports for a program whose reader went away.
EXIT_BROKEN_PIPE = 141


#: Seconds an interrupted command has to unwind before the process ends anyway.
INTERRUPT_GRACE_S = 10.0

_watchdogs: list[threading.Timer] = []


def _interrupt(signum: int, frame: object) -> None:
    """Raise KeyboardInterrupt (Ctrl-C, SIGTERM), and end the process if it is lost.

    Python drops an exception raised inside its import machinery's weakref callbacks
    ("Exception ignored in ... cb"): a signal arriving as the main thread finishes an import
    while background threads import too (numba, the map renderer) is lost, and may leave
    an import lock held that the other threads then wait on for ever. If the interrupt has
    not been handled within :data:`INTERRUPT_GRACE_S`, the process ends with status 130.
    """
    if not _watchdogs:
        watchdog = threading.Timer(INTERRUPT_GRACE_S, _end_interrupted)
        watchdog.daemon = True
        watchdog.start()
        _watchdogs.append(watchdog)
    raise KeyboardInterrupt


def _end_interrupted() -> None:
    with contextlib.suppress(OSError, ValueError):  # a closed stream must not keep it alive
        print("Interrupted: the command did not stop in time and was ended.", file=sys.stderr)
    _flush_and_exit(EXIT_INTERRUPTED)


def _interrupt_handled() -> None:
    for watchdog in _watchdogs:
        watchdog.cancel()
    _watchdogs.clear()


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn HotspotsError into ``Error: …`` and its exit code (traceback with --debug)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        # A polite kill (SIGTERM) gets the same clean-up as Ctrl-C: no half-written folders.
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            return func(*args, **kwargs)
        except HotspotsError as exc:
            if debug:
                raise
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _interrupt_handled()
            click.echo(
                "Interrupted: the output folder holds complete outputs only (the previous ones, or "
                "the new ones if they were already being moved in); nothing partial.",
                err=True,
            )
            sys.exit(EXIT_INTERRUPTED)
        except click.exceptions.Exit:
            raise
        except BrokenPipeError:
            # The program reading our output has stopped (``hotspots validate … | head``): stop
            # quietly, as command-line tools do. Later writes and the exit flush go nowhere.
            _silence_standard_streams()
            sys.exit(EXIT_BROKEN_PIPE)
        except Exception as exc:  # the last line of defence: no traceback for users
            if debug:
                raise
            click.echo(
                f"Internal error: {type(exc).__name__}: {exc}. This is a bug in hotspots; "
                "rerun with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        finally:
            for sig, handler in previous.items():  # as they were, for a host calling in-process
                if handler is not None:
                    signal.signal(sig, handler)

    return wrapper


def _input_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads events."""
    options = [
        click.argument("events", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--config", type=click.Path(path_type=Path), help="TOML file: column names, type vocabulary, roles, defaults."),
        click.option("--encoding", help="Text encoding of CSV inputs (default: UTF-8 with or without BOM, else cp1252)."),
        click.option("--delimiter", type=click.Choice([",", ";", "tab", "\t", "|", "pipe"]), help="CSV delimiter (default: sniffed from the header)."),
        click.option("--date-order", type=click.Choice(["auto", "dmy", "mdy"]), help="How to read dd/mm/yyyy-style dates (default auto)."),
        click.option("--crs", help="CRS of x/y columns, e.g. EPSG:27700."),
        click.option("--boundaries", type=click.Path(path_type=Path), help="District polygons (default: bundled ONS 2011 districts)."),
        click.option("--boundary-code-field", default="area_code", show_default=True, help="Code field in --boundaries."),
        click.option("--boundary-name-field", default="area_name", show_default=True, help="Name field in --boundaries."),
        click.option("--study-area", multiple=True, help="District names or codes, comma-separated or repeated. Default: districts holding events."),
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
        click.option("--engine", type=click.Choice(["grid", "sklearn"]), help="DBSCAN engine (default grid)."),
        click.option("--marking", help="Protective marking (default OFFICIAL-SENSITIVE)."),
        click.option("--tiles", help="Basemap: none (default, offline), osm, or a URL template {z}/{x}/{y}."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _setup(opts: dict[str, Any], period: str | None = None, *, allow_auto_eps: bool = False) -> tuple[Any, Any]:
    """Config and analysis parameters from a command's options."""
    from dataclasses import replace

    from hotspots.errors import ConfigError
    from hotspots.params import build_params, load_config
    from hotspots.period import parse_period

    config = load_config(opts.get("config"))
    if opts.get("crs"):
        config = replace(config, columns=replace(config.columns, crs=opts["crs"]))
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
    params = build_params(
        config,
        eps_m=eps_m,
        min_samples=opts.get("min_samples"),
        footprint_margin_m=opts.get("margin"),
        thin_ratio=opts.get("thin_ratio"),
        engine=opts.get("engine"),
        study_area=tuple(
            name.strip() for value in opts.get("study_area") or () for name in value.split(",") if name.strip()
        )
        or None,
        date_order=opts.get("date_order"),
        marking=opts.get("marking"),
        tiles=opts.get("tiles"),
        show_points=opts.get("show_points") or None,
        period=parse_period(period) if period else None,
    )
    return config, params


def _load(
    opts: dict[str, Any],
    config: Any,
    params: Any,
    progress: Any,
    *,
    clusters: bool = True,
    later: tuple[str, ...] = (),
) -> Any:
    """Read and validate the input files.

    ``clusters``: the command will cluster them next; ``later``: modules it imports after
    loading (its renderers), imported in the background meanwhile.
    """
    from hotspots.pipeline import load

    if clusters and params.engine == "grid":
        from hotspots.dbscan import preload_kernels

        preload_kernels()  # numba's second of start-up overlaps reading and validating
    if later:
        _import_in_background(later)
    delimiter = {"tab": "\t", "pipe": "|"}.get(opts.get("delimiter") or "", opts.get("delimiter"))
    return load(
        list(opts["events"]),
        config,
        params,
        encoding=opts.get("encoding"),
        delimiter=delimiter,
        boundaries=opts.get("boundaries"),
        code_field=opts.get("boundary_code_field") or "area_code",
        name_field=opts.get("boundary_name_field") or "area_name",
        progress=progress,
    )


def _import_in_background(modules: tuple[str, ...]) -> None:
    """Import ``modules`` on a daemon thread while this one reads and validates the input.

    Reading and projecting run mostly outside the GIL, so imports a later step needs
    (folium, jinja2 and branca for the map: over half a second) overlap them. The step's own
    ``import`` then finds the module loaded, or waits for the thread to finish loading it
    (Python's import system locks each module while it loads). A failure is not reported
    here: the step's own import raises it again.
    """

    def load() -> None:
        import importlib

        for module in modules:
            with contextlib.suppress(Exception):
                importlib.import_module(module)

    threading.Thread(target=load, name="hotspots-imports", daemon=True).start()


def _two_periods(opts: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """Parameters, loaded rows, and the analyses of ``--against`` and ``--period``.

    Both periods are analysed with the same parameters, boundaries and validated rows, so
    that what differs between them is the events alone.
    """
    from hotspots.period import parse_period
    from hotspots.pipeline import analyse_period, stderr_progress

    progress = stderr_progress(not opts["quiet"])
    config, params = _setup(opts, opts["period"])
    against = parse_period(opts["against"])
    loaded = _load(opts, config, params, progress)
    progress("analysing both periods with the same parameters")
    previous = analyse_period(loaded, params, config, against)
    current = analyse_period(loaded, params, config, params.period)
    return params, loaded, previous, current


def _quality_lines(analysis: Any) -> list[str]:
    q = analysis.quality
    lines = [
        (
            f"rows read {q.rows_read:,}: analysed {q.rows_analysed:,}, "
            f"outside the period {q.rows_outside_period:,}, rejected {q.rows_rejected:,}"
        ),
        f"geocoding rate {q.geocoding_rate:.1%}",
    ]
    lines += [f"  rejected {reason}: {n:,}" for reason, n in q.rejected_by_reason.items() if n]
    if q.stacked_points:
        top = ", ".join(f"{s['grid_ref']} ({s['area_name']}) {s['events']}" for s in q.stacked_points[:5])
        lines.append(f"stacked points: {len(q.stacked_points)} (largest: {top})")
    lines += [f"warning: {w}" for w in q.warnings]
    return lines


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hotspots")
def main() -> None:
    """Map where county-lines harm concentrates while enforcement coverage is thin."""


@main.command("map")
@_input_options
@_analysis_options
@click.option("--period", help="YYYY-MM-DD..YYYY-MM-DD, 2024Q3, FY2024-25Q1, 2024-07 or 2024 (default: all dates).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--show-points", is_flag=True, help="Add individual event points (victims' locations!) as a layer.")
@click.option("--run-date", help="Date printed on the map (default: none, for byte-identical reruns).")
@_guarded
def map_command(**opts: Any) -> None:
    """Cluster harm events, score enforcement coverage and write map.html and tables."""
    from hotspots.outputs import writing
    from hotspots.pipeline import analyse_period, stderr_progress, with_auto_eps, write_map_outputs

    progress = stderr_progress(not opts["quiet"])
    config, params = _setup(opts, opts.get("period"), allow_auto_eps=True)
    loaded = _load(opts, config, params, progress, later=("hotspots.render.map",))
    if opts.get("eps") == "auto":
        params, _ = with_auto_eps(loaded, params)
        progress(f"eps {params.eps_m:g} m ({params.eps_source})")
    progress("clustering and scoring")
    analysis = analyse_period(loaded, params, config, params.period)
    progress("rendering map")
    from hotspots.render.map import map_html

    html = map_html(analysis, run_date=opts.get("run_date"))
    progress("writing outputs")
    with writing(opts["out"]) as folder:
        write_map_outputs(folder, analysis, loaded, html)
    progress("done")
    for line in _quality_lines(analysis):
        click.echo(line)
    spots = analysis.hotspots
    click.echo(
        f"hotspots {len(spots)} ({int((spots['status'] == 'thin').sum())} thin); outputs in {opts['out']}"
    )


@main.command("validate")
@_input_options
@click.option("--period", help="Count rows outside this period (default: all dates).")
@click.option("--out", type=click.Path(path_type=Path), help="Folder for rejected.csv and summary.json.")
@_guarded
def validate_command(**opts: Any) -> None:
    """Check input files and report data quality without analysing."""
    from hotspots import schema
    from hotspots.analysis import in_period
    from hotspots.outputs import json_text, writing
    from hotspots.pipeline import rejected_csv, stderr_progress

    progress = stderr_progress(not opts["quiet"])
    config, params = _setup(opts, opts.get("period"))
    loaded = _load(opts, config, params, progress, clusters=False)
    inside = int(in_period(loaded.valid, params.period).sum())
    by_reason = loaded.rejected_by_reason
    report = {
        "rows_read": loaded.rows_read,
        "rows_valid_in_period": inside,
        "rows_outside_period": len(loaded.valid) - inside,
        "rows_rejected": len(loaded.rejected),
        "rejected_by_reason": {r: int(by_reason.get(r, 0)) for r in schema.REASONS},
        "geocoding_rate": round(loaded.rows_with_coordinates / loaded.rows_read, 4),
        "period": params.period.as_dict() if params.period else None,
        "inputs": [{"file": k, "sha256": v} for k, v in loaded.inputs.items()],
        "notes": list(loaded.notes),
    }
    click.echo(
        f"rows read {report['rows_read']:,}: valid in period {inside:,}, outside the period "
        f"{report['rows_outside_period']:,}, rejected {report['rows_rejected']:,}"
    )
    click.echo(f"geocoding rate {report['geocoding_rate']:.1%}")
    for reason, n in report["rejected_by_reason"].items():
        if n:
            click.echo(f"  rejected {reason}: {n:,}")
    if opts.get("out"):
        with writing(opts["out"]) as folder:
            folder.write_text(schema.OUT_REJECTED, rejected_csv(loaded))
            folder.write_text(schema.OUT_SUMMARY, json_text(report))
        click.echo(f"wrote {schema.OUT_REJECTED} and {schema.OUT_SUMMARY} in {opts['out']}")


def _params_text(params: Any) -> str:
    return (
        f"eps {params.eps_m:g} m ({params.eps_source or 'given'}), min samples {params.min_samples}, "
        f"footprint margin {params.margin_m:g} m, thin ratio {params.thin_ratio:g}"
    )


@main.command("tune")
@_input_options
@_analysis_options
@click.option("--period", help="Tune on this period's harm events (default: all dates).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@_guarded
def tune_command(**opts: Any) -> None:
    """Suggest eps from the knee of the harm events' k-distance curve (tune.html, tune.json)."""
    from hotspots.outputs import json_text, writing
    from hotspots.pipeline import stderr_progress, with_auto_eps
    from hotspots.tune import tune_html

    progress = stderr_progress(not opts["quiet"])
    config, params = _setup(opts, opts.get("period"))
    loaded = _load(opts, config, params, progress)
    progress("computing k-distance curves")
    tuned, result = with_auto_eps(loaded, params)
    label = params.period.label if params.period else "all dates"
    html = tune_html(result, marking=params.marking, period_label=label, params_text=_params_text(tuned))
    with writing(opts["out"]) as folder:
        folder.write_text("tune.html", html)
        folder.write_text("tune.json", json_text({"period": label, "inputs": loaded.inputs, **result.as_dict()}))
    for row in result.rows:
        click.echo(
            f"min samples {row.min_samples}: eps {row.eps_m:g} m -> {row.n_hotspots} hotspots, "
            f"{row.harm_share:.0%} of {result.n_harm} harm events"
        )
    click.echo(f"suggested eps {result.eps_m:g} m (min samples {result.min_samples}); outputs in {opts['out']}")


@main.command("evaluate")
@_input_options
@_analysis_options
@click.option("--period", required=True, help="The period scored (its harm events).")
@click.option("--against", required=True, help="The earlier period on which hotspots are drawn.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@_guarded
def evaluate_command(**opts: Any) -> None:
    """Score hotspots drawn on --against by --period's harm: hit rate, PAI, RRI, vs a grid baseline."""
    from hotspots.evaluate import evaluation_html, evaluation_markdown
    from hotspots.outputs import json_text, writing
    from hotspots.pipeline import evaluation_of

    params, loaded, previous, current = _two_periods(opts)
    result = evaluation_of(previous, current)
    labels = {"period_label": current.period.label, "against_label": previous.period.label}
    with writing(opts["out"]) as folder:
        folder.write_text(
            "evaluate.json",
            json_text({**labels, "parameters": params.as_dict(), "inputs": loaded.inputs, **result.as_dict()}),
        )
        folder.write_text("evaluate.md", evaluation_markdown(result, **labels))
        folder.write_text(
            "evaluate.html",
            evaluation_html(result, marking=params.marking, params_text=_params_text(params), **labels),
        )
    for scores in (result.hotspots, result.baseline):
        click.echo(
            f"{scores.name}: hit rate {scores.hit_rate:.1%}, PAI {scores.pai:.1f}, RRI {scores.rri:.2f} "
            f"({scores.area_share:.2%} of the study area)"
        )
    click.echo(f"outputs in {opts['out']}")


@main.command("compare")
@_input_options
@_analysis_options
@click.option("--period", required=True, help="The current period.")
@click.option("--against", required=True, help="The earlier period to compare with.")
@click.option("--match-distance", type=float, help="Footprints this close (metres) match (default: eps).")
@click.option("--alpha", type=float, default=0.05, show_default=True, help="Significance level of the count test.")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@_guarded
def compare_command(**opts: Any) -> None:
    """Compare two periods: new, persistent, intensified, diminished, resolved, merged, split hotspots."""
    from hotspots.compare import compare
    from hotspots.outputs import writing
    from hotspots.pipeline import evaluation_of, write_compare_outputs
    from hotspots.render.compare_map import compare_map_html

    params, loaded, previous, current = _two_periods(opts)
    against = previous.period
    distance = opts.get("match_distance")
    comparison = compare(
        previous, current, match_distance_m=params.eps_m if distance is None else distance, alpha=opts["alpha"]
    )
    evaluation = evaluation_of(previous, current) if len(previous.hotspots) else None
    title = f"hotspots: {params.period.label} against {against.label}"
    html = compare_map_html(comparison, previous, current, marking=params.marking, title=title, tiles=params.tiles)
    with writing(opts["out"]) as folder:
        write_compare_outputs(folder, comparison, loaded, html, evaluation)
    counts = ", ".join(f"{k} {v}" for k, v in comparison.class_counts.items())
    click.echo(f"{against.label}: {len(previous.hotspots)} hotspots; {params.period.label}: {len(current.hotspots)}")
    click.echo(f"changes: {counts}")
    click.echo("coverage: " + ", ".join(f"{k} {v}" for k, v in comparison.coverage_counts.items()))
    if evaluation is not None:
        h = evaluation.hotspots
        click.echo(f"{against.label} hotspots caught {h.hit_rate:.1%} of {params.period.label} harm (PAI {h.pai:.1f})")
    click.echo(f"outputs in {opts['out']}")


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
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@_guarded
def brief_command(**opts: Any) -> None:
    """Write a tasking briefing: briefing.html (A4, print-ready), briefing.md, briefing.pdf."""
    import tempfile
    from datetime import date

    from hotspots.brief import (
        append_audit,
        audit_record,
        briefing_html,
        briefing_markdown,
        briefing_pdf,
        build_briefing,
        pdf_unavailable_reason,
    )
    from hotspots.errors import ConfigError
    from hotspots.outputs import writing
    from hotspots.period import parse_period
    from hotspots.pipeline import analyse_period, evaluation_of, stderr_progress

    progress = stderr_progress(not opts["quiet"])
    config, params = _setup(opts, opts["period"])
    try:
        produced = date.fromisoformat(opts["produced"]) if opts.get("produced") else date.today()
    except ValueError:
        raise ConfigError(f"--produced: expected a date YYYY-MM-DD, got {opts['produced']!r}") from None
    loaded = _load(opts, config, params, progress)
    progress("analysing")
    current = analyse_period(loaded, params, config, params.period)
    previous = comparison = evaluation = None
    if opts.get("against"):
        from hotspots.compare import compare

        previous = analyse_period(loaded, params, config, parse_period(opts["against"]))
        comparison = compare(previous, current, match_distance_m=params.eps_m)
        evaluation = evaluation_of(previous, current) if len(previous.hotspots) else None
    briefing = build_briefing(
        current, comparison, previous, audience=opts["audience"], top_n=opts["top_n"],
        produced=produced, reason=opts.get("reason"), evaluation=evaluation,
    )
    html = briefing_html(briefing)
    pdf_note = "not requested" if opts["no_pdf"] else pdf_unavailable_reason()
    with writing(opts["out"]) as folder:
        folder.write_text("briefing.html", html)
        folder.write_bytes("briefing.png", briefing.figure_png)
        folder.write_text("briefing.md", briefing_markdown(briefing, figure_path="briefing.png"))
        if pdf_note is None:
            progress("printing briefing.pdf with headless Chromium")
            with tempfile.TemporaryDirectory() as scratch:
                pdf_path = Path(scratch) / "briefing.pdf"
                if briefing_pdf(html, pdf_path):
                    folder.write_bytes("briefing.pdf", pdf_path.read_bytes())
                else:
                    pdf_note = "Chromium failed to print it"
        written = list(folder.names)
    record = audit_record(
        command="brief", parameters={**params.as_dict(), "audience": opts["audience"],
                                     "against": opts.get("against"), "top_n": opts["top_n"]},
        inputs=loaded.inputs, outputs=written, reason=opts.get("reason"),
    )
    append_audit(opts["out"], record)
    click.echo(f"wrote {', '.join(written)} and appended audit.jsonl in {opts['out']}")
    if pdf_note is not None:
        click.echo(f"no briefing.pdf: {pdf_note}")


def run() -> None:
    """The ``hotspots`` program: :func:`main`, then an exit without interpreter teardown.

    Once a command has returned, its outputs are written and closed; tearing the interpreter
    down then only frees memory the operating system takes back anyway -- at a million
    events 0.4 s of freeing objects and unloading numba's compiler. So, once ``main`` has
    ended with a status, every exit handler runs (as at a normal exit), the standard streams
    are flushed and the process ends with that status. This is the program's entry point
    only: called inside another Python process it would end that process too.
    An exception other than ``SystemExit`` leaves by Python's normal path (traceback, exit 1).
    """
    try:
        main()
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc.code)
    # atexit's own runner: handlers registered before and after this point run, newest first,
    # exactly as interpreter shutdown would run them, and are then cleared.
    atexit._run_exitfuncs()
    _flush_and_exit(status)


def _silence_standard_streams() -> None:
    """Point standard output and error at the null device, so nothing more can fail on them."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(AttributeError, OSError, ValueError):  # no file descriptor
                os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def _flush_and_exit(status: int) -> None:
    """Flush the standard streams and end the process at once with ``status``."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status Python gives ``sys.exit(code)``: None is 0, an int itself, else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
