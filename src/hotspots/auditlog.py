"""A hash-chained, append-only JSON-lines audit log shared by ``hotspots run`` and ``hotspots serve``.

Part 3 of the Data Protection Act 2018 (s.62) expects law-enforcement processing to be logged:
who consulted or disclosed what, when, and from where. The service appends one line per listing,
view and download, and ``hotspots run`` one line per run, to the same file.

Each line is one JSON object with sorted keys and no spaces, holding the caller's fields plus:

``seq``
    1 for the first line, then +1 per line.
``prev``
    The ``hash`` of the line before (64 zeros for the first line).
``hash``
    SHA-256 (hex) of the line's own canonical JSON *without* the ``hash`` key.

So editing a line breaks its ``hash``; deleting, inserting or moving a line breaks the next
line's ``prev`` (and ``seq``). Removing lines from the *end* leaves a shorter valid chain: only a
copy of the latest hash kept elsewhere (``verify_log`` returns it; ship it to syslog or a SIEM)
shows that. Appends take an exclusive ``flock`` on the file, read the last line's hash and write
the new line with one ``write`` call, so the server's threads and a concurrent ``hotspots run``
never interleave or fork the chain. The writer fails closed: if a record cannot be appended the
caller gets an `OutputError` (the service then refuses the request rather than serve unlogged).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from hotspots.errors import InputError, OutputError

__all__ = ["GENESIS", "LOG_FILE", "AuditLog", "Verification", "record_hash", "verify_log"]

#: ``prev`` of the first line.
GENESIS: Final = "0" * 64
#: An audit log's file name in its folder: a runs folder's shared log, a briefing's own record.
LOG_FILE: Final = "audit.jsonl"
_RESERVED: Final = frozenset({"seq", "prev", "hash"})
_TAIL_CHUNK: Final = 65536


def _canonical(record: Mapping[str, Any]) -> str:
    """One line of JSON: sorted keys, no spaces, UTF-8 kept (never ``\\n`` inside)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(record: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a record's canonical JSON, leaving out its ``hash`` key."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def utc_now() -> str:
    """The current UTC time as ``2026-12-06T02:15:00.123456Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class AuditLog:
    """Append records to one hash-chained log file.

    Parameters
    ----------
    path
        The log file; created (with its folder) on the first append.
    fsync
        Return only once the line is on disk (default), so a record the caller saw succeed
        survives a power cut. Concurrent appends share fsyncs (group commit).
    """

    def __init__(self, path: Path | str, *, fsync: bool = True) -> None:
        self.path = Path(path)
        self.fsync = fsync
        self._lock = threading.Lock()  # flock is per open file; threads share this process's
        # Group commit: a line is durable once an fsync *started after it was written* ends.
        # Threads waiting for their line take turns to fsync, and one fsync covers every line
        # written before it began, so 50 concurrent requests cost a few fsyncs, not 50.
        self._sync_lock = threading.Lock()
        self._written = 0  # lines this object has written (under _lock)
        self._synced = 0  # lines known to be on disk (under _sync_lock)

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Append one record, chained to the last line; return it as written.

        ``time`` is added (UTC) when the record has none.

        Raises
        ------
        ValueError
            The record uses a reserved key (``seq``, ``prev``, ``hash``).
        OutputError
            The log cannot be read or written, or its last line is incomplete or not a
            chained record (then nothing is appended: run ``hotspots audit verify``).
        """
        clash = _RESERVED & set(record)
        if clash:
            raise ValueError(f"audit record uses reserved keys {sorted(clash)}")
        entry: dict[str, Any] = {"time": utc_now(), **record}
        with self._lock:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o660)
            except OSError as exc:
                raise OutputError(
                    f"{self.path}: cannot open the audit log ({exc.strerror or exc})"
                ) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                seq, prev = self._last_link(fd)
                entry["seq"] = seq + 1
                entry["prev"] = prev
                entry["hash"] = record_hash(entry)
                data = (_canonical(entry) + "\n").encode("utf-8")
                written = os.write(fd, data)
                if written != len(data):
                    raise OutputError(
                        f"{self.path}: short write to the audit log ({written} of {len(data)} bytes)"
                    )
                self._written += 1
                mine = self._written
            except OSError as exc:
                raise OutputError(
                    f"{self.path}: cannot append to the audit log ({exc.strerror or exc})"
                ) from None
            finally:
                os.close(fd)  # also releases the flock
        if self.fsync:
            self._sync(mine)
        return entry

    def _sync(self, mine: int) -> None:
        """Return once line number ``mine`` (of this object's writes) is on disk."""
        with self._sync_lock:
            if self._synced >= mine:
                return  # an fsync that began after our write has already finished
            with self._lock:
                target = self._written
            try:
                fd = os.open(self.path, os.O_RDONLY)
                try:
                    os.fsync(fd)  # flushes the file's data whichever descriptor wrote it
                finally:
                    os.close(fd)
            except OSError as exc:
                raise OutputError(
                    f"{self.path}: cannot flush the audit log to disk ({exc.strerror or exc})"
                ) from None
            self._synced = target

    def _last_link(self, fd: int) -> tuple[int, str]:
        """``(seq, hash)`` of the last line, or ``(0, GENESIS)`` for an empty file."""
        size = os.fstat(fd).st_size
        if size == 0:
            return 0, GENESIS
        start = size
        tail = b""
        # Read backwards until the chunk holds the start of the last line.
        while True:
            start = max(0, start - _TAIL_CHUNK)
            tail = os.pread(fd, size - start, start)
            body = tail[:-1]
            if not tail.endswith(b"\n"):
                raise OutputError(
                    f"{self.path}: the audit log ends with an incomplete line; nothing appended. "
                    f"Check it with: hotspots audit verify {self.path}"
                )
            if b"\n" in body or start == 0:
                break
        last = body.rsplit(b"\n", 1)[-1]
        try:
            record = json.loads(last)
            return int(record["seq"]), str(record["hash"])
        except (ValueError, KeyError, TypeError):
            raise OutputError(
                f"{self.path}: the last line is not a chained audit record; nothing appended. "
                f"Check it with: hotspots audit verify {self.path}"
            ) from None


@dataclass(frozen=True)
class Verification:
    """What `verify_log` found.

    Attributes
    ----------
    ok
        Every line is intact and linked to the one before.
    lines
        Lines checked (up to and including the first broken one).
    head
        The last line's hash when ``ok`` (keep a copy elsewhere to detect truncation).
    broken_line
        1-based number of the first broken line, or None.
    problem
        Why that line is broken, or None.
    """

    ok: bool
    lines: int
    head: str
    broken_line: int | None = None
    problem: str | None = None


def verify_log(path: Path | str) -> Verification:
    """Check every line's hash and its link to the line before; stop at the first break.

    Raises
    ------
    InputError
        The file does not exist or cannot be read.
    """
    path = Path(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the audit log ({exc.strerror or exc})") from None
    prev, seq, number = GENESIS, 0, 0

    def broken(problem: str) -> Verification:
        return Verification(False, number, prev, number, problem)

    with handle:
        for raw in handle:
            number += 1
            if not raw.endswith(b"\n"):
                return broken("incomplete last line (a write was cut off)")
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as exc:
                return broken(f"not valid JSON ({exc.msg} at column {exc.colno})")
            except UnicodeDecodeError:
                return broken("not valid UTF-8 text")
            if not isinstance(record, dict) or not {"seq", "prev", "hash"} <= set(record):
                return broken("not a chained record (no seq, prev or hash)")
            if record_hash(record) != record["hash"]:
                return broken("its content does not match its hash (the line was edited)")
            if record["prev"] != prev:
                return broken(
                    "its 'prev' does not match the hash of the line before "
                    "(a line was deleted, inserted or moved here)"
                )
            if record["seq"] != seq + 1:
                return broken(f"seq {record['seq']!r} follows {seq} (lines deleted or moved)")
            prev, seq = record["hash"], record["seq"]
    return Verification(True, number, prev)
