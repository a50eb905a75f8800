"""A real PostgreSQL 15 + PostGIS 3 server for the tests (not a test module).

`postgis_server` (session fixture) runs ``initdb`` in a fresh temporary folder, starts
``postgres`` listening on 127.0.0.1 only, on a free port, with password (SCRAM) authentication
for TCP connections, creates a database with the PostGIS extension, and stops and deletes
everything after the session. PostgreSQL refuses to run as root: when the tests run as root the
server runs as the ``postgres`` system user (created by Debian's package), else as the current
user. The binaries come from Debian's ``postgresql-15-postgis-3`` (``.ci/run`` installs it);
without them the tests that need the server are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("HOTSPOTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
SUPERUSER = "hotspots_admin"
DATABASE = "hotspots_test"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    database: str
    folder: Path

    def url(self, *, password: bool = True, database: str | None = None) -> str:
        secret = f":{self.password}" if password else ""
        return f"postgresql://{self.user}{secret}@{self.host}:{self.port}/{database or self.database}"

    def connect(self, database: str | None = None):
        import psycopg

        return psycopg.connect(self.url(database=database), autocommit=True)


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None."""
    if not (PG_BIN / "initdb").exists() or not (PG_BIN / "pg_ctl").exists():
        return f"PostgreSQL 15 is not installed ({PG_BIN}/initdb missing; Debian: apt-get install postgresql-15-postgis-3)"
    if not POSTGIS_CONTROL.exists():
        return "PostGIS 3 for PostgreSQL 15 is not installed (Debian: apt-get install postgresql-15-postgis-3)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'psycopg[binary]')"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the server as"
    return None


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """Run as the ``postgres`` user when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in command)]


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False, **kwargs)


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    """Start a throw-away server; stop it and delete its folder afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="hotspots-pg-"))
    data = folder / "data"
    password = "pw-" + secrets.token_hex(12)  # distinctive: tests grep outputs for it
    pwfile = folder / "pwfile"
    pwfile.write_text(password + "\n")
    if os.geteuid() == 0:
        record = pwd.getpwnam("postgres")
        os.chown(folder, record.pw_uid, record.pw_gid)
        os.chown(pwfile, record.pw_uid, record.pw_gid)
    os.chmod(folder, 0o700)
    os.chmod(pwfile, 0o600)
    port = free_port()
    started = False
    try:
        result = _run(
            [
                str(PG_BIN / "initdb"),
                "-D", str(data),
                "-U", SUPERUSER,
                "--pwfile", str(pwfile),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed: {result.stderr[-2000:]}")
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=20"
        )
        result = _run(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options, "-w", "-t", "60", "start"]
        )
        if result.returncode != 0:
            log = (folder / "server.log").read_text(errors="replace")[-2000:] if (folder / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {result.stderr[-1000:]} {log}")
        started = True
        server = Server("127.0.0.1", port, SUPERUSER, password, DATABASE, folder)
        deadline = time.monotonic() + 30
        while True:
            try:
                with server.connect(database="postgres") as db:
                    db.execute(f"CREATE DATABASE {DATABASE}")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        with server.connect() as db:
            db.execute("CREATE EXTENSION postgis")
        yield server
    finally:
        if started:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[Server]:
    reason = unavailable_reason()
    if reason:
        if os.environ.get("HOTSPOTS_REQUIRE_POSTGIS") == "1":  # CI installed it: a skip would hide a failure
            pytest.fail(reason)
        pytest.skip(reason)
    with running_server() as server:
        yield server


@pytest.fixture
def pg_env(monkeypatch, tmp_path) -> None:
    """No PG* variables or ~/.pgpass from the machine leak into a test."""
    for name in list(os.environ):
        if name.startswith("PG"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
