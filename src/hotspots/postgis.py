"""PostgreSQL/PostGIS as a source of events: connect safely, read a table or query as raw text.

:func:`read_events_db` returns the same raw table of text values that
:func:`hotspots.io.read_events` returns for a file (see :mod:`hotspots.io`), so validation, row
accounting and rejected rows work unchanged. Events come from ``--table NAME`` (optionally
``schema.name``) or ``--query "SELECT ..."``, with the fields found as in a file:

* a geometry or geography column (the first one; any SRID, taken per row from ``ST_SRID``):
  points give their coordinates, null or empty geometries are rejected as missing coordinates,
  other geometry types as not points; or
* ``lat``/``lon``, ``easting``/``northing`` or ``x``/``y`` (with ``--crs``) columns, or the names
  given in a ``--config`` file, as for CSV files.

Values reach validation as text written the way the file readers write them: ``date`` as
``2024-07-25``; ``timestamp`` as ``2024-07-25T14:30:00`` (``T00:00:00`` dropped);
``timestamptz`` as the local time in Europe/London (a UK force's date of the event); numbers in
their shortest exact form. Rows are numbered (``source_row``) in the order the server returns
them: a table's storage order (synchronised scans are switched off so that repeated reads
agree), a query's own order (give it an ``ORDER BY`` for a stable numbering). The input's
SHA-256 is that of the rows as read (the text stream of ``COPY ... TO STDOUT``).

Credentials: the connection URL (``postgresql://user:password@host:port/db``), the standard
``PG*`` environment variables and ``~/.pgpass`` (or ``PGPASSFILE``) all work, as libpq reads
them. A password is never shown: :func:`display_url` drops it from every URL this module names,
and :func:`scrubbed` removes it from any message a server or libpq returns.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np
import pandas as pd

from hotspots import schema
from hotspots.errors import HotspotsError, InputError

if TYPE_CHECKING:
    import psycopg

    from hotspots.io import ReadResult
    from hotspots.params import ColumnNames

__all__ = [
    "DatabaseSource",
    "connect",
    "display_url",
    "is_database_url",
    "read_events_db",
    "scrubbed",
]

URL_SCHEMES: Final = ("postgresql://", "postgres://")
#: The time zone in which timestamps with a time zone are turned into dates.
LOCAL_TIME_ZONE: Final = "Europe/London"
_CONNECT_TIMEOUT_S: Final = 10
_GEOMETRY_TYPES: Final = ("geometry", "geography")


def is_database_url(text: object) -> bool:
    """Whether an events argument names a PostgreSQL database rather than a file."""
    return isinstance(text, str) and text.strip().lower().startswith(URL_SCHEMES)


def _conninfo(url: str) -> dict[str, Any]:
    from psycopg.conninfo import conninfo_to_dict

    try:
        return dict(conninfo_to_dict(url))
    except Exception as exc:  # noqa: BLE001 - psycopg.ProgrammingError and friends
        # The message may quote the URL; never the password.
        raise InputError(
            f"{display_url(url)}: not a valid PostgreSQL URL ({scrubbed(str(exc), url)})"
        ) from None


def display_url(url: str) -> str:
    """The URL as it may be shown: user, host, port and database, never a password.

    Examples
    --------
    >>> display_url("postgresql://ana:s3cret@db.example:5433/crime?sslmode=require")
    'postgresql://ana@db.example:5433/crime'
    """
    from urllib.parse import unquote, urlsplit

    try:
        parts = urlsplit(url.strip())
        user = unquote(parts.username) if parts.username else ""
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        database = parts.path.lstrip("/")
    except ValueError:
        return "postgresql://(unreadable URL)"
    at = f"{user}@" if user else ""
    return f"postgresql://{at}{host}{port}/{database}"


def _secrets(url: str) -> list[str]:
    """The password in a URL (raw and decoded), to be scrubbed from messages."""
    from urllib.parse import unquote, urlsplit

    found = []
    try:
        password = urlsplit(url.strip()).password
    except ValueError:
        password = None
    if password:
        found += [password, unquote(password)]
    import os

    if os.environ.get("PGPASSWORD"):
        found.append(os.environ["PGPASSWORD"])
    return sorted({s for s in found if s}, key=len, reverse=True)


def scrubbed(message: str, url: str = "") -> str:
    """``message`` with any password of ``url`` (or ``PGPASSWORD``) replaced by ``***``."""
    for secret in _secrets(url):
        message = message.replace(secret, "***")
    return message


@contextmanager
def connect(
    url: str, *, error: type[HotspotsError] = InputError, autocommit: bool = False
) -> Iterator[psycopg.Connection]:
    """Open a connection (URL, ``PG*`` variables, ``.pgpass``), closing it after the block.

    Parameters
    ----------
    url
        ``postgresql://[user[:password]@][host][:port][/database][?param=value]``; parts left out
        come from the ``PG*`` environment variables and ``.pgpass``, as in ``psql``.
    error
        The error class raised when the connection fails: :class:`~hotspots.errors.InputError`
        for a source (exit 2), :class:`~hotspots.errors.OutputError` for a sink (exit 4).

    Raises
    ------
    HotspotsError
        Of class ``error``: the server refused or could not be reached, the password was wrong
        or missing, the database does not exist. The message names the URL without password.
    """
    import psycopg

    info = _conninfo(url)
    info.setdefault("connect_timeout", _CONNECT_TIMEOUT_S)
    info.setdefault("application_name", "hotspots")
    shown = display_url(url)
    try:
        connection = psycopg.connect(**info, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        reason = " ".join(scrubbed(str(exc), url).split())
        raise error(f"{shown}: cannot connect ({reason}). {_connection_fix(reason)}") from None
    try:
        yield connection
    finally:
        connection.close()


def _connection_fix(reason: str) -> str:
    lowered = reason.lower()
    if "password" in lowered:
        return (
            "Fix: check the user and password (in the URL, PGPASSWORD or ~/.pgpass; a password "
            "is never printed)."
        )
    if "does not exist" in lowered:
        return "Fix: check the database and user names in the URL."
    return (
        "Fix: check that the server is running and accepts TCP connections at that host and port."
    )


# --- the source ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseSource:
    """Events in a PostgreSQL database: a table (``schema.name`` or ``name``) or a query."""

    url: str = field(repr=False)  # may hold a password: never shown (see __repr__)
    table: str | None = None
    query: str | None = None

    def __repr__(self) -> str:
        return (
            f"DatabaseSource({display_url(self.url)!r}, table={self.table!r}, query={self.query!r})"
        )

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise InputError(
                f'{display_url(self.url)}: give the events as --table NAME or --query "SELECT ..." '
                "(exactly one of them)"
            )
        if self.query is not None and not self.query.strip():
            raise InputError(f"{display_url(self.url)}: --query is empty")

    @property
    def label(self) -> str:
        """How outputs name this input (``source_file``): database and table, no credentials."""
        info_db = display_url(self.url).rsplit("/", 1)[-1] or "database"
        if self.table is not None:
            return f"{info_db}.{self.table}"
        digest = hashlib.sha256(self.query.encode("utf-8")).hexdigest()[:8] if self.query else ""
        return f"{info_db}.query-{digest}"

    def __str__(self) -> str:
        where = f"table {self.table}" if self.table is not None else "query"
        return f"{display_url(self.url)} ({where})"

    @property
    def name(self) -> str:  # the file readers' path.name
        return self.label


def _relation(connection: psycopg.Connection, source: DatabaseSource) -> Any:
    """The table as a quoted SQL identifier; InputError naming the tables found when it is missing."""
    from psycopg import sql

    assert source.table is not None
    parts = [p for p in source.table.split(".")]
    if not 1 <= len(parts) <= 2 or not all(parts):
        raise InputError(f"{source}: --table expects NAME or SCHEMA.NAME, got {source.table!r}")
    identifier = sql.Identifier(*parts)
    found = connection.execute(
        "SELECT to_regclass(%s)", [identifier.as_string(connection)]
    ).fetchone()
    if found is None or found[0] is None:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT CASE WHEN table_schema = 'public' THEN table_name "
                "ELSE table_schema || '.' || table_name END FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema', 'topology', 'tiger') "
                "AND table_name NOT IN ('spatial_ref_sys', 'geometry_columns', 'geography_columns') "
                "ORDER BY 1 LIMIT 30"
            ).fetchall()
        ]
        listed = ", ".join(tables) if tables else "(none)"
        raise InputError(
            f"{source}: table {source.table!r} not found. Tables found: {listed}. "
            'Fix: give --table SCHEMA.NAME as it exists, or --query "SELECT ..."'
        )
    return identifier


def _text_expression(column: Any, type_name: str) -> Any:
    """SQL turning one column into the text a file reader would hold for it."""
    from psycopg import sql

    if type_name == "date":
        return sql.SQL("to_char({}, 'YYYY-MM-DD')").format(column)
    if type_name == "timestamp":
        return sql.SQL(
            "regexp_replace(to_char({}, 'YYYY-MM-DD\"T\"HH24:MI:SS'), 'T00:00:00$', '')"
        ).format(column)
    if type_name == "timestamptz":
        return sql.SQL(
            "regexp_replace(to_char({} AT TIME ZONE {}, 'YYYY-MM-DD\"T\"HH24:MI:SS'), 'T00:00:00$', '')"
        ).format(column, sql.Literal(LOCAL_TIME_ZONE))
    return sql.SQL("{}::text").format(column)


def _describe(connection: psycopg.Connection, inner: Any) -> list[tuple[str, str]]:
    """(column name, type name) of the relation or query, in order."""
    from psycopg import sql

    cursor = connection.execute(sql.SQL("SELECT * FROM {} AS q LIMIT 0").format(inner))
    oids = [column.type_code for column in cursor.description or []]
    names = {
        oid: name
        for oid, name in connection.execute(
            "SELECT oid, typname FROM pg_type WHERE oid = ANY(%s)", [oids]
        ).fetchall()
    }
    return [(column.name, names.get(column.type_code, "")) for column in cursor.description or []]


def read_events_db(source: DatabaseSource, columns: ColumnNames) -> ReadResult:
    """Read events from a database table or query as the raw text table of the file readers.

    Raises
    ------
    InputError
        The server cannot be reached or refuses the login, the table does not exist, the query
        fails, or the rows lack a required column (the message lists the columns found).
    NoDataError
        Never: a table without rows gives an empty raw table (the caller reports no data).
    """
    import psycopg
    from psycopg import sql

    from hotspots.io import ReadResult, _resolve, _unique_names

    with connect(source.url) as connection:
        try:
            connection.execute("SET TIME ZONE 'UTC'")
            connection.execute("SET extra_float_digits = 1")  # shortest exact floats
            connection.execute("SET synchronize_seqscans = off")  # a table read in storage order
            connection.execute("SET DateStyle = 'ISO, YMD'")
            if source.table is not None:
                inner = _relation(connection, source)
            else:
                inner = sql.SQL("({})").format(sql.SQL(source.query.strip().rstrip(";")))  # type: ignore[union-attr]
            described = _describe(connection, inner)
        except psycopg.Error as exc:
            where = (
                ""
                if source.table is not None
                else " (the query runs as SELECT * FROM (QUERY) AS q)"
            )
            raise InputError(f"{source}: {_server_message(exc, source.url)}{where}") from None
        names = [name for name, _type in described]
        types = dict(zip(_unique_names(names), [t for _n, t in described], strict=True))
        headers = list(types)
        geometry = next((h for h in headers if types[h] in _GEOMETRY_TYPES), None)
        plain = [h for h in headers if h != geometry]
        # The file readers' column finder; ``source`` stands in for the path in its messages.
        found = _resolve(
            cast(Any, source),
            plain,
            columns,
            geometry_crs=None if geometry is None else "per-row SRID",
        )
        select = [
            _text_expression(sql.Identifier(h), types[h])
            for h in (found.id, found.type, found.date)
        ]
        if found.x:
            select += [_text_expression(sql.Identifier(h), types[h]) for h in (found.x, found.y)]
            select += [sql.Literal(found.crs), sql.Literal("")]
        else:
            assert geometry is not None  # _resolve found no coordinate columns, so a geometry
            g: sql.Composable = sql.Identifier(geometry)
            if types[geometry] == "geography":
                g = sql.SQL("{}::geometry").format(g)
            point = sql.SQL("GeometryType({g}) = 'POINT' AND NOT ST_IsEmpty({g})").format(g=g)
            select += [
                sql.SQL("CASE WHEN {p} THEN ST_X({g})::text END").format(p=point, g=g),
                sql.SQL("CASE WHEN {p} THEN ST_Y({g})::text END").format(p=point, g=g),
                sql.SQL(
                    "CASE WHEN ST_SRID({g}) = 0 THEN '' ELSE 'EPSG:' || ST_SRID({g}) END"
                ).format(g=g),
                sql.SQL(
                    "CASE WHEN {g} IS NULL OR ST_IsEmpty({g}) THEN 'empty' ELSE lower(GeometryType({g})) END"
                ).format(g=g),
            ]
        copy = sql.SQL("COPY (SELECT {} FROM {} AS q) TO STDOUT WITH (FORMAT csv)").format(
            sql.SQL(", ").join(select), inner
        )
        digest = hashlib.sha256()
        buffer = io.BytesIO()
        try:
            with connection.cursor() as cursor, cursor.copy(copy) as stream:
                for block in stream:
                    data = bytes(block)
                    digest.update(data)
                    buffer.write(data)
        except psycopg.Error as exc:
            raise InputError(f"{source}: {_server_message(exc, source.url)}") from None
    raw = _raw_frame(source, buffer.getvalue(), found.crs if found.x else None)
    if not found.x:
        no_srid = (raw[schema.COL_CRS] == "") & (raw[schema.COL_GEOM_KIND] != "empty")
        if bool(no_srid.any()):
            raise InputError(
                f"{source}: {int(no_srid.sum()):,} geometries have no SRID (0). "
                f"Fix: set it in the query, e.g. ST_SetSRID({geometry}, 27700) AS {geometry}"
            )
    notes: tuple[str, ...] = ()
    if geometry is not None and not found.x:
        others = [h for h in headers if types[h] in _GEOMETRY_TYPES and h != geometry]
        if others:
            notes = (f"{source.label}: several geometry columns; {geometry!r} is used",)
    return ReadResult(raw, digest.hexdigest(), "utf-8", ",", notes)


def _server_message(exc: Exception, url: str) -> str:
    """A server error as one line: its primary message (and hint), scrubbed of any password."""
    diag = getattr(exc, "diag", None)
    primary = getattr(diag, "message_primary", None) or str(exc)
    hint = getattr(diag, "message_hint", None)
    text = primary + (f" (hint: {hint})" if hint else "")
    return " ".join(scrubbed(text, url).split())


#: The columns the COPY query returns, in order: the raw frame's, then the geometry kind.
_FIELDS: Final = (*schema.RAW_COLUMNS, schema.COL_GEOM_KIND)


def _raw_frame(source: DatabaseSource, data: bytes, crs: str | None) -> pd.DataFrame:
    """The COPY text parsed into the raw frame (every value text, missing as '')."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = list(_FIELDS)
    if data:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pacsv.ReadOptions(
                column_names=names, block_size=max(len(data) + 1, 1 << 20)
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
        columns = {name: table.column(name).to_pandas() for name in names}
        n = table.num_rows
    else:
        columns = {name: pd.Series([], dtype=object) for name in names}
        n = 0
    raw = pd.DataFrame(
        {
            schema.COL_SOURCE: pd.Series(source.label, index=range(n), dtype=object),
            schema.COL_ROW: np.arange(1, n + 1, dtype=np.int64),
            **{name: columns[name].reset_index(drop=True) for name in names},
        }
    )
    if crs is not None:
        raw[schema.COL_CRS] = crs
    return raw[[schema.COL_SOURCE, schema.COL_ROW, *_FIELDS]]


def sources_from_arguments(
    events: Sequence[str], *, table: str | None, query: str | None
) -> list[Any]:
    """Files as paths, database URLs as :class:`DatabaseSource` (with ``--table`` or ``--query``).

    Raises
    ------
    InputError
        ``--table``/``--query`` without a database URL, or a URL without either.
    """
    from pathlib import Path

    urls = [e for e in events if is_database_url(e)]
    if (table is not None or query is not None) and not urls:
        raise InputError(
            "--table and --query read from a database: give a postgresql://… URL as the events"
        )
    return [
        DatabaseSource(e, table=table, query=query) if is_database_url(e) else Path(e)
        for e in events
    ]
