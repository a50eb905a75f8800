"""Append one record per run to an audit log (``audit.jsonl``), durably, before outputs are delivered.

Part 3 of the Data Protection Act 2018 (s.62) expects a log of law-enforcement processing: when,
what was done, on which data, what came out, and why. Each run of a command that writes outputs
appends one JSON line with sorted keys:

``when``
    UTC time in ISO 8601 (``2025-11-28T10:15:00Z``), added if the record lacks it.
``command``, ``parameters``
    The command (``"brief"``) and the effective parameters.
``inputs``
    Input file name -> SHA-256 (``Analysis.inputs``).
``outputs``
    The files written.
``reason``
    The user's ``--reason``, or null.

Lines are only ever appended, each with one ``write`` call on a file opened for appending, so
concurrent runs into one folder do not interleave within a line. The line is flushed to disk
(``fsync``, and the folder too when the log is new) before `append_audit` returns, and the
briefing job calls it before it moves any output into place: a run whose record could not be
made durable delivers nothing.

Where the log lives (`audit_log_path`): ``--audit-log FILE`` when given; otherwise
``audit.jsonl`` in the output folder for the internal audience, and for the wide audience the
user's log ``$HOTSPOTS_AUDIT_LOG``, else ``$XDG_STATE_HOME/hotspots/audit.jsonl`` (by default
``~/.local/state/hotspots/audit.jsonl``). The record holds the ``--reason`` and input file names
that the wide audience never gets, so a wide output folder never holds it: a log inside it is
refused.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from hotspots.auditlog import LOG_FILE
from hotspots.errors import ConfigError, OutputError

__all__ = ["AUDIT_FILE", "append_audit", "audit_log_path", "audit_record", "user_audit_log"]

AUDIT_FILE: Final = LOG_FILE
#: Environment variable naming the user-level audit log (wide briefings' default).
AUDIT_ENV: Final = "HOTSPOTS_AUDIT_LOG"


def user_audit_log() -> Path:
    """The user-level audit log: ``$HOTSPOTS_AUDIT_LOG``, else under ``$XDG_STATE_HOME``."""
    named = os.environ.get(AUDIT_ENV)
    if named:
        return Path(named).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "hotspots" / AUDIT_FILE


def audit_log_path(
    out_dir: str | os.PathLike[str],
    *,
    wide: bool,
    audit_log: str | os.PathLike[str] | None = None,
) -> Path:
    """Where a run's audit record goes (see the module docstring).

    Parameters
    ----------
    out_dir
        The output folder.
    wide
        Whether the outputs are for the wide audience.
    audit_log
        The log named by the user (``--audit-log``), or None for the default.

    Returns
    -------
    Path
        The log file.

    Raises
    ------
    ConfigError
        If a wide run's log would be inside its output folder, or `audit_log` names a folder.
    """
    if audit_log is not None and not str(audit_log).strip():
        raise ConfigError("--audit-log: expected a file name, got an empty value")
    if audit_log is not None:
        path = Path(audit_log).expanduser()
    elif wide:
        path = user_audit_log()
    else:
        path = Path(out_dir) / AUDIT_FILE
    if path.is_dir():
        raise ConfigError(f"--audit-log: {path} is a folder; give a file, e.g. {path / AUDIT_FILE}")
    if wide:
        folder = Path(out_dir).resolve()
        target = path.resolve()
        if target == folder or folder in target.parents:
            raise ConfigError(
                f"--audit-log: {path} is inside the wide output folder {out_dir}; the audit record "
                "holds the reason and input file names the wide audience never gets. Give a log "
                "outside it (default: the user's log, see docs/privacy.md)."
            )
    return path


def audit_record(
    *,
    command: str,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str],
    outputs: Sequence[str | os.PathLike[str]],
    reason: str | None = None,
    when: datetime | None = None,
) -> dict[str, Any]:
    """Build an audit record with every field the log expects.

    Parameters
    ----------
    command
        The command run, e.g. ``"brief"``.
    parameters
        The effective parameters (``AnalysisParams.as_dict()`` plus command options).
    inputs
        Input file name -> SHA-256, as in ``Analysis.inputs``.
    outputs
        The files written (names or paths).
    reason
        Why the run was made (``--reason``), or None.
    when
        When it ran; now when None. A naive datetime is taken as UTC.

    Returns
    -------
    dict
        JSON-ready values for `append_audit`.
    """
    moment = when or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return {
        "when": _iso_utc(moment),
        "command": command,
        "parameters": dict(parameters),
        "inputs": dict(inputs),
        "outputs": [str(p) for p in outputs],
        "reason": reason,
    }


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def append_audit(log: str | os.PathLike[str], record: Mapping[str, Any]) -> Path:
    """Append one record to the audit log as a line of JSON with sorted keys, flushed to disk.

    Parameters
    ----------
    log
        The log file, or a folder (the log is then ``audit.jsonl`` in it, the old calling
        convention); missing parent folders are created.
    record
        The record, e.g. from `audit_record`. ``when`` (UTC now) is added if missing; values
        JSON cannot hold (dates, paths) are written as strings.

    Returns
    -------
    Path
        The audit log's path.

    Raises
    ------
    TypeError
        If `record` is not a mapping with string keys.
    OutputError
        If the log cannot be written and made durable.
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"append_audit: record must be a dict, got {type(record).__name__}")
    bad_keys = [repr(k) for k in record if not isinstance(k, str)]
    if bad_keys:
        raise TypeError(f"append_audit: record keys must be strings, got {', '.join(bad_keys)}")
    entry = dict(record)
    entry.setdefault("when", _iso_utc(datetime.now(UTC)))
    line = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str) + "\n"

    path = Path(log)
    if path.is_dir() or (not path.exists() and not path.suffix):
        path = path / AUDIT_FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            data = line.encode("utf-8")
            if os.write(handle, data) != len(data):
                raise OSError("short write")
            os.fsync(handle)
        finally:
            os.close(handle)
        if new:
            _fsync_folder(path.parent)
    except OSError as exc:
        raise OutputError(f"{path}: could not append the audit record ({exc})") from exc
    return path


def _fsync_folder(folder: Path) -> None:
    """Make a new file's directory entry durable (no-op where folders cannot be opened)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
