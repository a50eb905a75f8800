"""PostGIS as a sink, against a real server: tables with spatial indexes, the runs table, all or
nothing (a failed run leaves the previous tables and the output folder as they were)."""

from __future__ import annotations

import json

import pytest
from _exports_sample import sample
from _postgis import pg_env, postgis_server  # noqa: F401 - fixtures
from test_postgis_source import CONFIG, SAMPLE, hotspots

from hotspots.errors import ConfigError, OutputError
from hotspots.export.gpkg import compare_layers, map_layers
from hotspots.export.postgis import PostgisTarget, write_postgis


def _write(server, schema_name, layers, command="map"):
    s = sample()
    return write_postgis(
        server.url(), schema_name, layers, command=command, period=s.current.period.as_dict(),
        parameters=s.current.params.as_dict(), inputs=s.current.inputs, counts={"hotspots": len(s.current.hotspots)},
    )


def test_tables_geometry_indexes_and_runs(postgis_server, pg_env):  # noqa: F811
    s = sample()
    result = _write(postgis_server, "sink_a", compare_layers(s.comparison, s.previous, s.current), "compare")
    assert result.rows == {
        "hotspots": len(s.current.hotspots),
        "enforcement_clusters": len(s.current.enforcement_clusters),
        "districts": len(s.comparison.areas),
        "changes": len(s.comparison.hotspots),
    }
    assert postgis_server.password not in json.dumps(result.as_dict())
    with postgis_server.connect() as db:
        columns = db.execute(
            "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema = 'sink_a' ORDER BY 1"
        ).fetchall()
        assert columns == [(name, "MULTIPOLYGON", 27700) for name in ("changes", "districts", "enforcement_clusters", "hotspots")]
        gist = db.execute(
            "SELECT tablename FROM pg_indexes WHERE schemaname = 'sink_a' AND indexdef LIKE '%USING gist (geom)%' ORDER BY 1"
        ).fetchall()
        assert [t for (t,) in gist] == ["changes", "districts", "enforcement_clusters", "hotspots"]
        rows = db.execute("SELECT hotspot_id, rank, harm, coverage, run_id, ST_Area(geom) FROM sink_a.hotspots ORDER BY fid").fetchall()
        expected = s.current.hotspots
        assert [r[0] for r in rows] == expected["hotspot_id"].tolist()
        assert [r[2] for r in rows] == expected["harm"].tolist()
        assert [r[5] for r in rows] == pytest.approx(expected.geometry.area.tolist())
        assert {r[4] for r in rows} == {result.run_id}
        run = db.execute("SELECT command, period, period_start, parameters, inputs FROM sink_a.runs").fetchone()
        assert run[0:2] == ("compare", "2024Q4")
        assert str(run[2]) == "2024-10-01"
        assert run[3]["eps_m"] == s.current.params.eps_m
        assert run[4] == s.current.inputs  # input name -> sha256


def test_a_second_run_replaces_the_tables_and_adds_a_run(postgis_server, pg_env):  # noqa: F811
    s = sample()
    first = _write(postgis_server, "sink_b", map_layers(s.current))
    second = _write(postgis_server, "sink_b", map_layers(s.previous))
    assert second.run_id > first.run_id
    with postgis_server.connect() as db:
        assert db.execute("SELECT count(*) FROM sink_b.hotspots").fetchone()[0] == len(s.previous.hotspots)
        assert db.execute("SELECT DISTINCT run_id FROM sink_b.hotspots").fetchall() == [(second.run_id,)]
        assert db.execute("SELECT count(*) FROM sink_b.runs").fetchone()[0] == 2


def test_a_failed_run_changes_nothing(postgis_server, pg_env):  # noqa: F811
    s = sample()
    first = _write(postgis_server, "sink_c", map_layers(s.current))
    with postgis_server.connect() as db:
        db.execute("CREATE VIEW sink_c.changes AS SELECT 1 AS x")  # the fourth table cannot be replaced
    with pytest.raises(OutputError, match=r"nothing was changed") as caught:
        _write(postgis_server, "sink_c", compare_layers(s.comparison, s.previous, s.current), "compare")
    assert postgis_server.password not in str(caught.value)
    with postgis_server.connect() as db:
        assert db.execute("SELECT DISTINCT run_id FROM sink_c.hotspots").fetchall() == [(first.run_id,)]
        assert db.execute("SELECT count(*) FROM sink_c.districts").fetchone()[0] == len(s.current.areas)
        assert db.execute("SELECT count(*) FROM sink_c.runs").fetchone()[0] == 1


def test_the_command_line_writes_the_sink_and_fails_with_exit_4_leaving_everything(postgis_server, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    args = [str(SAMPLE / "events.csv"), "--config", str(CONFIG), "--period", "2024Q4", "--against", "2024Q3", "--quiet"]
    ok = hotspots("compare", *args, "--out", str(out), "--to-postgis", postgis_server.url(), "--schema", "sink_cli")
    assert ok.returncode == 0, ok.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["postgis"]["schema"] == "sink_cli" and summary["postgis"]["tables"]["changes"] > 0
    assert postgis_server.password not in (out / "summary.json").read_text()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with postgis_server.connect() as db:
        db.execute("DROP TABLE sink_cli.changes")
        db.execute("CREATE VIEW sink_cli.changes AS SELECT 1 AS x")
    failed = hotspots("compare", *args, "--out", str(out), "--to-postgis", postgis_server.url(), "--schema", "sink_cli")
    assert failed.returncode == 4
    assert "nothing was changed" in failed.stderr and postgis_server.password not in failed.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the folder kept the previous run
    wrong = hotspots(
        "compare", *args, "--out", str(tmp_path / "new"),
        "--to-postgis", postgis_server.url().replace(postgis_server.password, "wrong-pw"),
    )
    assert wrong.returncode == 4
    assert "password authentication failed" in wrong.stderr and "wrong-pw" not in wrong.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    ("url", "schema_name", "message"),
    [
        ("postgresql://h/db", "1bad", "--schema '1bad'"),
        ("postgresql://h/db", "a;drop", "--schema 'a;drop'"),
        ("mysql://h/db", "ok", "--to-postgis: expected a postgresql://"),
    ],
    ids=["leading-digit", "punctuation", "not-postgresql"],
)
def test_bad_target_is_refused_before_any_work(url, schema_name, message):
    with pytest.raises(ConfigError, match=message):
        PostgisTarget(url, schema_name)


def test_the_target_never_shows_its_password():
    target = PostgisTarget("postgresql://u:hunter2@h/db", "s")
    assert "hunter2" not in repr(target)
