"""Append one record per run to ``audit.jsonl`` in the output folder.

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
concurrent runs into one folder do not interleave within a line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from hotspots.errors import OutputError

__all__ = ["AUDIT_FILE", "append_audit", "audit_record"]

AUDIT_FILE: Final = "audit.jsonl"


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


def append_audit(out_dir: str | os.PathLike[str], record: Mapping[str, Any]) -> Path:
    """Append one record to ``audit.jsonl`` in `out_dir` as a line of JSON with sorted keys.

    Parameters
    ----------
    out_dir
        The output folder; created if missing.
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
        If the log cannot be written.
    """
    if not isinstance(record, Mapping):
        raise TypeError(f"append_audit: record must be a dict, got {type(record).__name__}")
    bad_keys = [repr(k) for k in record if not isinstance(k, str)]
    if bad_keys:
        raise TypeError(f"append_audit: record keys must be strings, got {', '.join(bad_keys)}")
    entry = dict(record)
    entry.setdefault("when", _iso_utc(datetime.now(UTC)))
    line = json.dumps(entry, sort_keys=True, ensure_ascii=False, default=str) + "\n"

    folder = Path(out_dir)
    path = folder / AUDIT_FILE
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(handle, line.encode("utf-8"))
        finally:
            os.close(handle)
    except OSError as exc:
        raise OutputError(f"{path}: could not append the audit record ({exc})") from exc
    return path
