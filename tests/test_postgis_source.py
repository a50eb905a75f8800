"""PostGIS as a source, against a real PostgreSQL 15 + PostGIS 3 (see _postgis.py).

The same rows in a table give the same validation, row accounting and rejected rows as the file;
geometry columns in any SRID, dates in every PostgreSQL type; bad input ends with exit 2 and a
clear message; a password never appears anywhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from _exports_sample import ROOT, SAMPLE
from _postgis import pg_env, postgis_server  # noqa: F401 - fixtures

from hotspots.errors import InputError
from hotspots.io import read_events
from hotspots.params import build_params, load_config
from hotspots.pipeline import load
from hotspots.postgis import DatabaseSource, display_url, read_events_db, scrubbed

CONFIG = SAMPLE / "norfolk.toml"


def hotspots(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The command line in a child process (as a user runs it), with this checkout's code."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    base["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run(
        [sys.executable, "-m", "hotspots", *args], capture_output=True, text=True, env={**base, **(env or {})},
        timeout=600, check=False,
    )


@pytest.fixture(scope="module")
def events_db(postgis_server):  # noqa: F811 - the imported fixture
    """The sample events as tables: text as in the file, and geometries in two SRIDs."""
    with postgis_server.connect() as db:
        db.execute("DROP SCHEMA IF EXISTS src CASCADE")
        db.execute("CREATE SCHEMA src")
        db.execute("CREATE TABLE src.events_text (id text, type text, date text, lat text, lon text)")
        with db.cursor().copy("COPY src.events_text FROM STDIN WITH (FORMAT csv, HEADER true)") as copy:
            copy.write((SAMPLE / "events.csv").read_bytes())
        usable = (
            "lat ~ '^-?[0-9.]+$' AND lon ~ '^-?[0-9.]+$' AND date ~ '^\\d{4}-\\d{2}-\\d{2}$' "
            "AND date <> '2024-09-31'"
        )
        for name, srid in (("events_bng", 27700), ("events_wgs84", 4326)):
            db.execute(
                f"CREATE TABLE src.{name} AS SELECT id AS event_id, type AS event_type, date::date AS event_date, "
                f"ST_Transform(ST_SetSRID(ST_MakePoint(lon::float8, lat::float8), 4326), {srid}) AS location "
                f"FROM src.events_text WHERE {usable}"
            )
    return postgis_server


def test_a_text_table_reads_exactly_as_the_file(events_db, pg_env):  # noqa: F811
    config = load_config(CONFIG)
    from_file = read_events(SAMPLE / "events.csv", config.columns).raw
    from_db = read_events_db(DatabaseSource(events_db.url(), table="src.events_text"), config.columns).raw
    assert list(from_db.columns) == list(from_file.columns)
    assert (from_db["source_file"] == "hotspots_test.src.events_text").all()
    same = [c for c in from_file.columns if c != "source_file"]
    pd.testing.assert_frame_equal(
        from_db[same].astype(str).reset_index(drop=True), from_file[same].astype(str).reset_index(drop=True)
    )


def test_validation_and_rejected_rows_are_those_of_the_file(events_db, pg_env):  # noqa: F811
    config = load_config(CONFIG)
    params = build_params(config)
    file_loaded = load([SAMPLE / "events.csv"], config, params)
    db_loaded = load([DatabaseSource(events_db.url(), table="src.events_text")], config, params)
    assert db_loaded.rows_read == file_loaded.rows_read == 795
    assert db_loaded.rejected_by_reason == file_loaded.rejected_by_reason
    columns = ["source_row", "reason", "id", "type", "date"]
    pd.testing.assert_frame_equal(
        db_loaded.rejected[columns].reset_index(drop=True), file_loaded.rejected[columns].reset_index(drop=True)
    )
    assert db_loaded.valid["id"].tolist() == file_loaded.valid["id"].tolist()
    assert list(db_loaded.inputs) == ["hotspots_test.src.events_text"]
    assert len(db_loaded.inputs["hotspots_test.src.events_text"]) == 64


@pytest.mark.parametrize("table", ["src.events_bng", "src.events_wgs84"], ids=["EPSG:27700", "EPSG:4326"])
def test_a_geometry_column_in_any_srid_gives_the_files_hotspots(events_db, pg_env, table):  # noqa: F811
    from hotspots.jobs import run_map

    from_file = run_map(SAMPLE / "events.csv", config=CONFIG, period="2024Q4").analysis.hotspots
    from_db = run_map(events_db.url(), config=CONFIG, period="2024Q4", read=_read(table=table)).analysis.hotspots
    columns = ["hotspot_id", "rank", "status", "harm", "enforcement", "area_name"]
    pd.testing.assert_frame_equal(pd.DataFrame(from_db[columns]), pd.DataFrame(from_file[columns]))
    assert from_db["centroid_x"].to_numpy() == pytest.approx(from_file["centroid_x"].to_numpy(), abs=0.01)


def _read(**kwargs):
    from hotspots.jobs import ReadOptions

    return ReadOptions(**kwargs)


def test_geometry_kinds_dates_and_time_zones(events_db, pg_env):  # noqa: F811
    with events_db.connect() as db:
        db.execute(
            "CREATE TABLE src.kinds AS SELECT * FROM (VALUES "
            "('a', 'raid', timestamptz '2024-07-01 23:30:00+00', timestamp '2024-07-01 12:00', ST_SetSRID(ST_MakePoint(600000, 300000), 27700)), "
            "('b', 'raid', timestamptz '2024-07-01 22:30:00+00', timestamp '2024-07-01 00:00', NULL::geometry), "
            "('c', 'raid', timestamptz '2024-12-01 23:30:00+00', NULL, ST_SetSRID(ST_GeomFromText('POINT EMPTY'), 27700)), "
            "('d', 'raid', NULL, NULL, ST_SetSRID(ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), 27700))"
            ") AS t(id, type, date, other_date, geom)"
        )
    raw = read_events_db(DatabaseSource(events_db.url(), query="SELECT * FROM src.kinds ORDER BY id"), load_config(None).columns).raw
    assert raw["id"].tolist() == ["a", "b", "c", "d"]
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST); in December London is on UTC.
    assert raw["date"].tolist() == ["2024-07-02T00:30:00", "2024-07-01T23:30:00", "2024-12-01T23:30:00", ""]
    assert raw["geometry_kind"].tolist() == ["point", "empty", "empty", "polygon"]
    assert raw["x_original"].tolist() == ["600000", "", "", ""]
    assert raw["crs"].tolist()[0] == "EPSG:27700"


def test_easting_northing_columns_and_date_columns(events_db, pg_env):  # noqa: F811
    with events_db.connect() as db:
        db.execute(
            "CREATE TABLE src.grid AS SELECT 'e1'::text AS id, 'seizure'::text AS type, "
            "date '2024-07-25' AS date, 612345.5::float8 AS easting, 301234::int AS northing"
        )
    raw = read_events_db(DatabaseSource(events_db.url(), table="src.grid"), load_config(None).columns).raw
    row = raw.iloc[0].to_dict()
    assert (row["date"], row["x_original"], row["y_original"], row["crs"]) == (
        "2024-07-25", "612345.5", "301234", "EPSG:27700",
    )


def test_geometry_without_srid_is_refused_with_the_fix(events_db, pg_env):  # noqa: F811
    source = DatabaseSource(
        events_db.url(), query="SELECT 'x' AS id, 'raid' AS type, '2024-07-01' AS date, ST_MakePoint(1, 2) AS geom"
    )
    with pytest.raises(InputError, match=r"no SRID \(0\).*ST_SetSRID"):
        read_events_db(source, load_config(None).columns)


# --- bad input through the command line: exit 2, a clear message, nothing written ---------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--table", "no_such_table"], "table 'no_such_table' not found. Tables found: "),
        (["--query", "SELECT 1 AS a, 2 AS b"], "no 'id' column. Columns found: 'a', 'b'"),
        (["--query", "SELECT id, type, date FROM src.events_text"], "no coordinate column"),
        (["--query", "SELEKT nothing"], "syntax error"),
    ],
    ids=["missing-table", "no-usable-columns", "no-coordinates", "bad-sql"],
)
def test_bad_table_or_query_exits_2(events_db, tmp_path, args, message):
    out = tmp_path / "out"
    result = hotspots("map", events_db.url(), *args, "--out", str(out), "--quiet")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Error: postgresql://hotspots_admin@127.0.0.1:")
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert events_db.password not in result.stderr + result.stdout


def test_refused_connection_and_wrong_password_exit_2(events_db, tmp_path):
    from _postgis import free_port

    refused = hotspots("map", f"postgresql://someone:pw-secret-x@127.0.0.1:{free_port()}/db", "--table", "t",
                       "--out", str(tmp_path / "a"), "--quiet")
    assert refused.returncode == 2
    assert "cannot connect" in refused.stderr and "Connection refused" in refused.stderr
    assert "pw-secret-x" not in refused.stderr
    wrong = hotspots("map", events_db.url().replace(events_db.password, "not-the-password"), "--table",
                     "src.events_text", "--out", str(tmp_path / "b"), "--quiet")
    assert wrong.returncode == 2
    assert "password authentication failed" in wrong.stderr and "Fix: check the user and password" in wrong.stderr
    assert "not-the-password" not in wrong.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_table_or_query_without_a_database_is_refused(tmp_path):
    result = hotspots("map", str(SAMPLE / "events.csv"), "--table", "x", "--out", str(tmp_path / "o"), "--quiet")
    assert result.returncode == 2
    assert "--table and --query read from a database" in result.stderr


def test_a_url_needs_a_table_or_a_query():
    with pytest.raises(InputError, match="exactly one of them"):
        DatabaseSource("postgresql://h/db")


# --- credentials: URL, PG variables, .pgpass; the password shown nowhere --------------------


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())


@pytest.mark.parametrize("how", ["url", "PGPASSWORD", "pgpass"])
def test_credentials_from_url_environment_or_pgpass_and_never_shown(events_db, tmp_path, how):
    env: dict[str, str] = {}
    url = events_db.url(password=how == "url")
    if how == "PGPASSWORD":
        env["PGPASSWORD"] = events_db.password
    if how == "pgpass":
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"127.0.0.1:{events_db.port}:*:{events_db.user}:{events_db.password}\n")
        pgpass.chmod(0o600)
        env["PGPASSFILE"] = str(pgpass)
    out = tmp_path / "out"
    result = hotspots(
        "brief", url, "--table", "src.events_text", "--config", str(CONFIG), "--period", "2024Q4",
        "--no-pdf", "--produced", "2025-01-15", "--out", str(out), env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "audit.jsonl").exists() and (out / "briefing.docx").exists()
    mapped = hotspots(
        "map", url, "--table", "src.events_text", "--config", str(CONFIG), "--period", "2024Q4",
        "--out", str(tmp_path / "map"), "--to-postgis", url, "--schema", f"creds_{how.lower()}", env=env,
    )
    assert mapped.returncode == 0, mapped.stderr
    everything = _all_text(out) + _all_text(tmp_path / "map") + result.stdout + result.stderr
    everything += mapped.stdout + mapped.stderr
    assert "hotspots_admin@127.0.0.1" in everything  # the URL is named, without its password
    assert events_db.password not in everything
    assert "hotspots_test.src.events_text" in (out / "audit.jsonl").read_text()
    with events_db.connect() as db:
        stored = db.execute(f"SELECT parameters::text || inputs::text || counts::text FROM creds_{how.lower()}.runs").fetchone()[0]
    assert events_db.password not in stored


def test_display_url_and_scrubbing_hide_the_password():
    url = "postgresql://ana:p%40ss@db.example:5433/crime?sslmode=require"
    assert display_url(url) == "postgresql://ana@db.example:5433/crime"
    assert scrubbed("failed for p%40ss and p@ss", url) == "failed for *** and ***"
    assert "p@ss" not in repr(DatabaseSource(url, table="t")) and "p@ss" not in str(DatabaseSource(url, table="t"))
