"""The service's commands: ``hotspots serve`` and ``hotspots audit verify`` (``hotspots run`` joins them).

Kept apart from ``cli.py`` so the analysis commands stay thin; ``cli.py`` adds these to its group.
Errors raised on purpose become ``Error: …`` with the error's exit code, as everywhere else.
"""

from __future__ import annotations

import functools
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from hotspots import schema
from hotspots.errors import ConfigError, HotspotsError

__all__ = ["audit_group", "run_command", "serve_command"]


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except HotspotsError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.command("run")
@click.argument("job_file", type=click.Path(path_type=Path))
@click.option(
    "--runs",
    "runs_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="The runs folder; the bundle is written to RUNS/<run id>/.",
)
@click.option(
    "--today", help="Date that relative periods count back from, YYYY-MM-DD (default: today, UTC)."
)
@click.option(
    "--audit-log",
    type=click.Path(path_type=Path),
    help="Hash-chained audit log (default: RUNS/audit.jsonl, shared with 'hotspots serve').",
)
@click.option("--quiet", is_flag=True, help="Print only the bundle's folder.")
@_clean_errors
def run_command(
    job_file: Path, runs_dir: Path, today: str | None, audit_log: Path | None, quiet: bool
) -> None:
    """Make a job's products and publish them as one immutable bundle (all or nothing)."""
    from datetime import date

    from hotspots.runs import load_job, run_job

    job = load_job(job_file)
    try:
        day = date.fromisoformat(today) if today else None
    except ValueError:
        raise ConfigError(f"--today: expected a date YYYY-MM-DD, got {today!r}") from None

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    # A stop from systemd or kill (SIGTERM) unwinds like Ctrl-C: run_job removes the staging
    # folder and logs the run as failed, so an interrupted run leaves no bundle either.
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        outcome = run_job(job, runs_dir, today=day, audit_log=audit_log, progress=progress)
    except KeyboardInterrupt:
        click.echo("Interrupted: no bundle was published; the run is logged as failed.", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(str(outcome.folder))


@click.command("serve")
@click.option(
    "--runs",
    "runs_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="The runs folder that 'hotspots run' writes bundles to.",
)
@click.option(
    "--access",
    "access_file",
    required=True,
    type=click.Path(path_type=Path),
    help="ACCESS.toml: users and groups -> role and areas.",
)
@click.option(
    "--host",
    default=schema.SERVICE_HOST,
    show_default=True,
    help="Address to listen on (keep it on loopback behind the reverse proxy).",
)
@click.option(
    "--port", default=schema.SERVICE_PORT, show_default=True, type=click.IntRange(0, 65535), help="TCP port."
)
@click.option(
    "--user-header",
    default=schema.USER_HEADER,
    show_default=True,
    help="Request header holding the signed-in user, set by the reverse proxy.",
)
@click.option(
    "--groups-header",
    default=schema.GROUPS_HEADER,
    show_default=True,
    help="Request header holding the user's groups (comma- or semicolon-separated).",
)
@click.option(
    "--trusted-proxy",
    "trusted",
    multiple=True,
    help="Address or network of the reverse proxy whose headers are believed; repeat for "
    "more (default: 127.0.0.1 and ::1).",
)
@click.option(
    "--audit-log",
    type=click.Path(path_type=Path),
    help="Hash-chained audit log (default: RUNS/audit.jsonl, shared with 'hotspots run').",
)
@click.option(
    "--marking",
    default=schema.DEFAULT_MARKING,
    show_default=True,
    help="Protective marking shown on the service's own pages.",
)
@_clean_errors
def serve_command(
    runs_dir: Path,
    access_file: Path,
    host: str,
    port: int,
    user_header: str,
    groups_header: str,
    trusted: tuple[str, ...],
    audit_log: Path | None,
    marking: str,
) -> None:
    """Serve published bundles read-only to the people ACCESS.toml allows, logging every request."""
    from hotspots.access import load_access
    from hotspots.auditlog import LOG_FILE, AuditLog

    try:
        from hotspots.serve import DEFAULT_TRUSTED, ServiceConfig, parse_trusted, run_server
    except ImportError as exc:
        raise ConfigError(
            f"the service needs starlette and uvicorn ({exc}); install them with: pip install 'hotspots[serve]'"
        ) from None

    if not runs_dir.is_dir():
        raise ConfigError(
            f"--runs {runs_dir}: no such folder; give the folder 'hotspots run --runs' writes to"
        )
    access = load_access(access_file)
    try:
        networks = parse_trusted(trusted or DEFAULT_TRUSTED)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    log = AuditLog(audit_log or runs_dir / LOG_FILE)
    config = ServiceConfig(
        runs_dir=runs_dir,
        access=access,
        audit=log,
        user_header=user_header,
        groups_header=groups_header,
        trusted=networks,
        marking=marking.strip() or schema.DEFAULT_MARKING,
    )
    click.echo(f"serving {runs_dir} on http://{host}:{port}/ (audit log {log.path})", err=True)
    run_server(config, host=host, port=port)


@click.group("audit")
def audit_group() -> None:
    """Work with the hash-chained audit log."""


@audit_group.command("verify")
@click.argument("log", type=click.Path(path_type=Path))
@_clean_errors
def audit_verify_command(log: Path) -> None:
    """Check every line of LOG and its link to the line before; report the first broken link.

    Exit 0 when the chain is intact, 1 at the first broken line, 2 when LOG cannot be read.
    """
    from hotspots.auditlog import verify_log

    result = verify_log(log)
    if result.ok:
        click.echo(f"{log}: {result.lines} lines, chain intact; latest hash {result.head}")
        click.echo(
            "Keep the latest hash elsewhere: only that copy shows lines removed from the end."
        )
        return
    click.echo(f"{log}: line {result.broken_line}: {result.problem}", err=True)
    click.echo(f"lines 1-{(result.broken_line or 1) - 1} are intact (hash {result.head})", err=True)
    sys.exit(1)
