"""The job layer: one function per command, result objects that write themselves, the public API."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import hotspots
from hotspots import jobs
from hotspots.cli import main
from hotspots.errors import ConfigError
from hotspots.params import PresentationParams

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "events.csv"
CONFIG = ROOT / "data" / "sample" / "norfolk.toml"
NORWICH = "52.6284,1.2963"
#: A tile URL whose extra braces Jinja would evaluate (the page held "?k=49").
TEMPLATE_TILES = "https://t.example.org/{z}/{x}/{y}.png?k={{7*7}}"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def sample_map():
    return jobs.run_map(SAMPLE, config=CONFIG, period="2024Q4")


def test_map_job_reads_like_the_command(sample_map, tmp_path):
    # The job and the command give the same files, byte for byte.
    api_out, cli_out = tmp_path / "api", tmp_path / "cli"
    written = sample_map.write(api_out)
    result = invoke("map", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--out", cli_out, "--quiet")
    assert result.exit_code == 0, result.output
    assert written == sorted(written, key=written.index) and "summary.json" == written[-1]
    assert sorted(p.name for p in cli_out.iterdir()) == sorted(written)
    for name in written:
        assert (api_out / name).read_bytes() == (cli_out / name).read_bytes(), name
    assert result.output.splitlines() == sample_map.summary_lines(cli_out)


def test_map_result_exposes_figures_and_lists_its_outputs(sample_map, tmp_path):
    spots = sample_map.analysis.hotspots
    lines = sample_map.summary_lines()
    assert lines[-1] == f"hotspots {len(spots)} ({int((spots['status'] == 'thin').sum())} thin)"
    sample_map.write(tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["outputs"] == sorted(summary["outputs"], key=summary["outputs"].index)
    assert set(summary["outputs"]) == {p.name for p in tmp_path.iterdir()}
    assert summary["parameters"]["tiles"] == "none" and summary["hotspots"] == len(spots)
    assert sample_map.warnings == tuple(summary["warnings"])


def test_a_writer_added_to_a_result_is_written_and_listed(sample_map, tmp_path, monkeypatch):
    # The extension point other outputs use: a writer function before the summary writer.
    def extra(out, result):
        out.write_text("extra.txt", f"{len(result.analysis.hotspots)}\n")

    writers = jobs.MapResult.WRITERS
    monkeypatch.setattr(jobs.MapResult, "WRITERS", (*writers[:-1], extra, writers[-1]))
    sample_map.write(tmp_path)
    assert (tmp_path / "extra.txt").read_text() == f"{len(sample_map.analysis.hotspots)}\n"
    assert "extra.txt" in json.loads((tmp_path / "summary.json").read_text())["outputs"]


def test_validate_job_without_writing():
    result = jobs.run_validate([SAMPLE], config=CONFIG, period="2024Q4")
    report = result.report
    assert report["rows_read"] == report["rows_valid_in_period"] + report["rows_outside_period"] + report[
        "rows_rejected"
    ]
    assert result.summary_lines()[0].startswith(f"rows read {report['rows_read']:,}")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"period": "2024Q5"}, "2024Q5"),
        ({"config": ROOT / "nowhere.toml"}, "config file not found"),
    ],
    ids=["period", "config"],
)
def test_bad_values_fail_before_the_events_are_read(tmp_path, kwargs, message):
    missing = tmp_path / "missing.csv"  # never opened: the values are checked first
    with pytest.raises(ConfigError, match=message):
        jobs.run_map(missing, **kwargs)


# --- --tiles: checked once, when the parameters are made ---------------------------------------


@pytest.mark.parametrize(
    "tiles",
    [TEMPLATE_TILES, "https://t.example.org/tile.png", "file:///srv/{z}/{x}/{y}.png", "osmm"],
    ids=["jinja-braces", "no-placeholders", "not-http", "unknown-name"],
)
def test_bad_tiles_are_refused_on_creation(tiles):
    with pytest.raises(ConfigError, match="tiles: expected 'none', 'osm' or a tile URL template"):
        PresentationParams(tiles=tiles)


@pytest.mark.parametrize("command", ["map", "compare", "brief", "tune", "evaluate"])
def test_bad_tiles_are_exit_2_in_every_command_before_any_work(tmp_path, command):
    # The events file does not exist: a bad --tiles must be reported first, and alone.
    periods = ["--period", "2024Q4"] + (["--against", "2024Q3"] if command in ("compare", "evaluate") else [])
    out = tmp_path / "o"
    result = invoke(command, tmp_path / "missing.csv", *periods, "--tiles", TEMPLATE_TILES, "--out", out, "--quiet")
    assert result.exit_code == 2, result.output
    assert "tiles: expected" in result.output and "missing.csv" not in result.output
    assert not out.exists()


def test_compare_with_osm_tiles_has_their_attribution(tmp_path):
    # Was "Internal error: ValueError: Custom tiles must have an attribution", exit 1.
    out = tmp_path / "o"
    result = invoke("compare", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--against", "2024Q3",
                    "--tiles", "osm", "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    page = (out / "compare.html").read_text(encoding="utf-8")
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in page
    assert "openstreetmap.org/copyright" in page


def test_compare_refuses_a_tile_template_jinja_would_run(tmp_path):
    # Was exit 0 with "...png?k=49" in compare.html: the template had run.
    out = tmp_path / "o"
    result = invoke("compare", SAMPLE, "--config", CONFIG, "--period", "2024Q4", "--against", "2024Q3",
                    "--tiles", TEMPLATE_TILES, "--out", out, "--quiet")
    assert result.exit_code == 2
    assert "tiles: expected" in result.output
    assert not out.exists()


def test_tiles_in_the_config_file_are_checked_and_named(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[analysis]\ntiles = "https://t.example.org/{z}/{x}/{y}.png?{{1}}"\n', encoding="utf-8")
    result = invoke("map", tmp_path / "missing.csv", "--config", config, "--out", tmp_path / "o", "--quiet")
    assert result.exit_code == 2
    assert f"{config}: [analysis] tiles: expected" in result.output


# --- the public API ----------------------------------------------------------------------------


def test_public_names_resolve():
    for name in hotspots.__all__:
        assert getattr(hotspots, name) is not None, name
    assert set(hotspots.__all__) == {"__version__", *hotspots._EXPORTS}
    assert hotspots.run_map is jobs.run_map
    with pytest.raises(AttributeError):
        hotspots.no_such_name  # noqa: B018


def test_importing_the_package_stays_light():
    code = (
        "import sys, hotspots\n"
        "heavy = [m for m in ('pandas', 'geopandas', 'folium', 'numba', 'hotspots.jobs') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
