"""PostGIS as a sink: the result tables written into a database schema in one transaction.

``--to-postgis URL --schema NAME`` writes, into schema ``NAME`` (created when missing):

``hotspots``, ``enforcement_clusters``, ``districts`` (and ``changes`` for ``compare``)
    the layers of ``outputs.gpkg`` (:mod:`hotspots.export.gpkg`): the same fields, a ``run_id``
    column, and the polygons as ``geom geometry(MultiPolygon, 27700)`` with a GiST spatial index
    and a primary key. Each run **replaces** these tables.
``runs``
    one row per run, kept across runs: ``run_id``, ``command``, ``period`` (label, start, end),
    ``parameters`` and ``inputs`` (input name -> SHA-256) as JSON, counts, the tool version and
    when it was written (the server's clock).

Everything happens in one transaction: tables are dropped and recreated, filled with ``COPY``
and indexed, the run recorded, then committed. If anything fails (the connection drops, a
permission is missing, a name is taken by a view) the transaction is rolled back and the
previous tables and runs are as they were; the error is an
:class:`~hotspots.errors.OutputError` (exit 4). Credentials are read as for the source
(:func:`hotspots.postgis.connect`); no password reaches a message or a table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from hotspots import __version__
from hotspots.errors import ConfigError, OutputError
from hotspots.schema import OUT_POSTGIS_SCHEMA

if TYPE_CHECKING:
    from hotspots.export.gpkg import Layer

__all__ = ["RUNS_TABLE", "PostgisTarget", "SinkResult", "write_postgis"]

RUNS_TABLE: Final = "runs"
GEOMETRY_COLUMN: Final = "geom"
SRID: Final = 27700
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class PostgisTarget:
    """Where ``--to-postgis URL --schema NAME`` writes; checked when made (before any work)."""

    url: str = field(repr=False)
    schema: str = OUT_POSTGIS_SCHEMA
    #: What was written by each ``.write()`` of the result holding this target (for summary.json).
    written: list[SinkResult] = field(default_factory=list, compare=False, repr=False)

    def __post_init__(self) -> None:
        from hotspots.postgis import is_database_url

        if not is_database_url(self.url):
            raise ConfigError(
                "--to-postgis: expected a postgresql://[user@]host[:port]/database URL"
            )
        if not _NAME.match(self.schema):
            raise ConfigError(
                f"--schema {self.schema!r}: expected a plain PostgreSQL name (letters, digits and "
                "underscores, not starting with a digit, at most 63 characters)"
            )

    def __repr__(self) -> str:
        from hotspots.postgis import display_url

        return f"PostgisTarget(url={display_url(self.url)!r}, schema={self.schema!r})"


@dataclass(frozen=True)
class SinkResult:
    """What was written: where (no password), the run's id and the rows per table."""

    url: str
    schema: str
    run_id: int
    rows: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (for ``summary.json``)."""
        return {
            "url": self.url,
            "schema": self.schema,
            "run_id": self.run_id,
            "tables": dict(self.rows),
        }


def _sql_type(series: pd.Series) -> str:
    kind = series.dtype.kind
    if kind == "b":
        return "boolean"
    if kind in "iu":
        return "bigint"
    if kind == "f":
        return "double precision"
    if kind == "M":
        return "timestamp"
    return "text"


def _values(series: pd.Series) -> list[Any]:
    """Python values for COPY: NaN/None as NULL, numpy scalars as Python scalars."""
    kind = series.dtype.kind
    if kind == "f":
        values = series.to_numpy(dtype=float)
        return [None if not np.isfinite(v) else float(v) for v in values.tolist()]
    if kind in "iub":
        return series.to_numpy().tolist()
    return [
        None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v)
        for v in series.tolist()
    ]


def _check_name(name: str, what: str) -> None:
    if not _NAME.match(name):
        raise OutputError(
            f"--schema {name!r}: expected a plain PostgreSQL name (letters, digits, underscores; "
            f"not starting with a digit; at most 63 characters) for the {what}"
        )


def write_postgis(
    url: str,
    schema_name: str,
    layers: Sequence[Layer],
    *,
    command: str,
    period: Mapping[str, Any] | None,
    parameters: Mapping[str, Any],
    inputs: Mapping[str, str],
    counts: Mapping[str, int] | None = None,
) -> SinkResult:
    """Replace the layers' tables in ``schema_name`` and record the run, in one transaction.

    Parameters
    ----------
    url
        ``postgresql://…``; user, password, host and database may also come from ``PG*``
        variables or ``.pgpass``.
    schema_name
        The schema to write into (created when missing).
    layers
        The tables to write (EPSG:27700 polygons): the GeoPackage's layers.
    command, period, parameters, inputs, counts
        What the ``runs`` row records.

    Returns
    -------
    SinkResult
        The run id and row counts.

    Raises
    ------
    OutputError
        Connection, permission or write failure; nothing was changed.
    """
    import psycopg
    import shapely
    from psycopg import sql

    from hotspots.postgis import connect, display_url, scrubbed

    _check_name(schema_name, "schema")
    for layer in layers:
        _check_name(layer.name, "table")
    shown = display_url(url)
    rows: dict[str, int] = {}
    with connect(url, error=OutputError) as connection:
        try:
            with connection.transaction():
                schema_id = sql.Identifier(schema_name)
                connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(schema_id))
                runs = sql.Identifier(schema_name, RUNS_TABLE)
                connection.execute(
                    sql.SQL(
                        "CREATE TABLE IF NOT EXISTS {} ("
                        "run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
                        "command text NOT NULL, period text, period_start date, period_end date, "
                        "parameters jsonb NOT NULL, inputs jsonb NOT NULL, counts jsonb NOT NULL, "
                        "tool_version text NOT NULL, written_at timestamptz NOT NULL DEFAULT now())"
                    ).format(runs)
                )
                period = dict(period or {})
                row = connection.execute(
                    sql.SQL(
                        "INSERT INTO {} (command, period, period_start, period_end, parameters, inputs, "
                        "counts, tool_version) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING run_id"
                    ).format(runs),
                    [
                        command,
                        period.get("label"),
                        period.get("start"),
                        period.get("end"),
                        json.dumps(_jsonable(parameters), sort_keys=True),
                        json.dumps(dict(inputs), sort_keys=True),
                        json.dumps(dict(counts or {}), sort_keys=True),
                        __version__,
                    ],
                ).fetchone()
                assert row is not None  # INSERT ... RETURNING gives one row
                run_id = row[0]
                for layer in layers:
                    rows[layer.name] = _replace_table(
                        connection, schema_name, layer, int(run_id), shapely, sql
                    )
        except psycopg.Error as exc:
            diag = getattr(exc, "diag", None)
            reason = getattr(diag, "message_primary", None) or str(exc)
            reason = " ".join(scrubbed(reason, url).split())
            raise OutputError(
                f"{shown}: could not write schema {schema_name!r} ({reason}); nothing was changed "
                "(the previous tables are as they were)"
            ) from None
    return SinkResult(shown, schema_name, int(run_id), rows)


def _jsonable(value: Any) -> Any:
    from hotspots.outputs import _jsonable as plain

    return plain(value)


def _replace_table(
    connection: Any, schema_name: str, layer: Layer, run_id: int, shapely: Any, sql: Any
) -> int:
    """Drop and recreate one table, COPY its rows, index it; returns the row count."""
    frame = layer.frame
    table = sql.Identifier(schema_name, layer.name)
    attributes = [c for c in frame.columns if c != frame.geometry.name]
    clash = {"run_id", GEOMETRY_COLUMN, "fid"} & set(attributes)
    if clash:
        raise OutputError(f"table {layer.name!r}: columns {sorted(clash)} are reserved by the sink")
    definitions = [sql.SQL("fid bigint PRIMARY KEY"), sql.SQL("run_id bigint NOT NULL")]
    definitions += [
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(_sql_type(frame[name])))
        for name in attributes
    ]
    definitions.append(
        sql.SQL("{} geometry(MultiPolygon, {})").format(
            sql.Identifier(GEOMETRY_COLUMN), sql.Literal(SRID)
        )
    )
    connection.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
    connection.execute(
        sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(definitions))
    )
    geometries = shapely.set_srid(_as_multi(shapely, frame.geometry.to_numpy()), SRID)
    wkb = shapely.to_wkb(geometries, hex=True, include_srid=True).tolist()
    columns = [_values(frame[name]) for name in attributes]
    names = sql.SQL(", ").join(
        [
            sql.Identifier("fid"),
            sql.Identifier("run_id"),
            *map(sql.Identifier, attributes),
            sql.Identifier(GEOMETRY_COLUMN),
        ]
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(table, names)) as copy,
    ):
        for i in range(len(frame)):
            copy.write_row([i + 1, run_id, *(column[i] for column in columns), wkb[i]])
    connection.execute(
        sql.SQL("CREATE INDEX {} ON {} USING GIST ({})").format(
            sql.Identifier(f"{layer.name}_{GEOMETRY_COLUMN}_gist"[:63]),
            table,
            sql.Identifier(GEOMETRY_COLUMN),
        )
    )
    connection.execute(
        sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(layer.description))
    )
    return len(frame)


def _as_multi(shapely: Any, geometries: np.ndarray) -> np.ndarray:
    """Polygons as one-part MultiPolygons (the column's type); missing stays missing."""
    out = np.asarray(geometries, dtype=object).copy()
    kinds = shapely.get_type_id(out)
    polygons = kinds == int(shapely.GeometryType.POLYGON)
    if polygons.any():
        out[polygons] = [shapely.MultiPolygon([g]) for g in out[polygons]]
    return out
