"""The command line: help, exit codes and messages for bad input."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from hotspots.cli import main

NORWICH = "52.6284,1.2963"


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def write(tmp_path: Path, text: str, name: str = "events.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_every_command_has_help_text():
    for name, command in main.commands.items():
        assert isinstance(command, click.Command)
        assert command.help and command.help.strip(), name
        result = invoke(name, "--help")
        assert result.exit_code == 0, name


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from hotspots.cli import main\n"
        "heavy = [m for m in ('pandas', 'geopandas', 'folium', 'numba', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m hotspots ARGS`` in a child process, output captured through pipes."""
    return _python("-m", "hotspots", *args)


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` in a child process, output captured through pipes."""
    command = [sys.executable, *args]
    return subprocess.run(command, check=False, capture_output=True, text=True, timeout=300)


def test_program_exit_status_and_piped_output_survive_the_quick_exit(tmp_path):
    # The program ends with os._exit: buffered output must still arrive and statuses stay right.
    good = write(tmp_path, f"id,type,date,lat,lon\n1,raid,2024-07-01,{NORWICH}\n")
    done = _program("validate", good)
    assert done.returncode == 0, done.stderr
    assert "rows read 1" in done.stdout
    bad = _program("validate", str(tmp_path / "missing.csv"), "--quiet")
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: ") and "missing.csv" in bad.stderr
    usage = _program("map")
    assert usage.returncode == 2 and "Missing argument" in usage.stderr
    assert _program("--version").stdout.startswith("hotspots")


def test_a_reader_that_stops_early_ends_the_program_quietly(tmp_path):
    # `hotspots validate … | head -1`: the pipe closes before the summary is written. Shells
    # report 141 for a program their pipe's reader left behind; no "Internal error", no traceback.
    good = write(tmp_path, f"id,type,date,lat,lon\n1,raid,2024-07-01,{NORWICH}\n")
    command = [sys.executable, "-m", "hotspots", "validate", good]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        child.stdout.close()  # before the child can have written: it prints after reading the file
        stderr = child.stderr.read()
        status = child.wait(timeout=300)
    assert status == 141
    assert "Traceback" not in stderr and "error" not in stderr.lower()


def test_program_runs_exit_handlers_registered_before_it_starts():
    # os._exit skips interpreter teardown, not the exit handlers a library registered on import.
    script = (
        "import atexit, sys\n"
        "atexit.register(print, 'handler from before')\n"
        "sys.argv = ['hotspots', '--version']\n"
        "from hotspots.cli import run\n"
        "run()\n"
    )
    done = _python("-c", script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("hotspots") and done.stdout.endswith("handler from before\n")


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ident,type,date,lat,lon", ["no 'id' column", "'ident'", '[columns] id = "Your header"']),
        ("id,type,when,lat,lon", ["no 'date' column", "'when'"]),
        ("id,type,date,a,b", ["no coordinate column", "lat/lon", "easting/northing"]),
        ("id,type,date,x,y", ["--crs"]),
    ],
    ids=["id", "date", "coordinates", "xy-without-crs"],
)
def test_missing_column_is_exit_2_with_columns_found_and_fix(tmp_path, header, expected):
    path = write(tmp_path, header + "\n1,raid,2024-07-01,52.6,1.29\n")
    result = invoke("validate", path, "--quiet")
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
    assert "events.csv" in result.output
    for fragment in expected:
        assert fragment in result.output
    assert "Traceback" not in result.output


def test_an_interrupt_python_loses_still_ends_the_program_with_130():
    # Python can swallow the KeyboardInterrupt a signal raises (inside an import's weakref
    # callback); the program must not then run on, or wait, for ever.
    script = (
        "import time\n"
        "from hotspots import process\n"
        "process.INTERRUPT_GRACE_S = 0.5\n"
        "try:\n"
        "    process.interrupt(15, None)\n"
        "except KeyboardInterrupt:\n"
        "    pass  # lost, as in 'Exception ignored in ... cb'\n"
        "time.sleep(60)\n"
    )
    done = _python("-c", script)
    assert done.returncode == 130
    assert "did not stop in time" in done.stderr


def test_a_bad_events_file_is_reported_before_bad_boundaries(tmp_path):
    # Both files are bad: the events' problem is the one reported; the districts' once the events are good.
    no_boundaries = str(tmp_path / "nowhere.gpkg")
    result = invoke("map", str(tmp_path / "nope.csv"), "--boundaries", no_boundaries, "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.output and "nowhere.gpkg" not in result.output
    good = write(tmp_path, f"id,type,date,lat,lon\n1,raid,2024-07-01,{NORWICH}\n")
    result = invoke("map", good, "--boundaries", no_boundaries, "--out", str(tmp_path / "o"), "--quiet")
    assert result.exit_code == 2
    assert "nowhere.gpkg: boundaries file not found" in result.output
    assert "Traceback" not in result.output


def test_missing_file_is_exit_2(tmp_path):
    result = invoke("validate", str(tmp_path / "nope.csv"), "--quiet")
    assert result.exit_code == 2
    assert "nope.csv: file not found" in result.output


def test_header_only_file_is_no_data_exit_3(tmp_path):
    result = invoke("validate", write(tmp_path, "id,type,date,lat,lon\n"), "--quiet")
    assert result.exit_code == 3
    assert "no data rows" in result.output


def test_bad_period_and_bad_eps_are_exit_2(tmp_path):
    path = write(tmp_path, f"id,type,date,lat,lon\n1,raid,2024-07-01,{NORWICH}\n")
    result = invoke("validate", path, "--period", "2024Q5", "--quiet")
    assert result.exit_code == 2 and "2024Q5" in result.output
    result = invoke("map", path, "--eps", "wide", "--out", str(tmp_path / "o"), "--quiet")
    assert result.exit_code == 2 and "--eps" in result.output


def test_ambiguous_dates_name_the_option(tmp_path):
    path = write(tmp_path, f"id,type,date,lat,lon\n1,raid,03/07/2024,{NORWICH}\n")
    result = invoke("validate", path, "--quiet")
    assert result.exit_code == 2
    assert "--date-order dmy" in result.output


def test_validate_reports_and_writes_rejected_rows(tmp_path):
    body = f"id,type,date,lat,lon,notes\n1,raid,2024-07-01,{NORWICH},secret\n2,raid,2024-07-01,,,secret\n"
    out = tmp_path / "out"
    result = invoke("validate", write(tmp_path, body), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert "rejected missing_coordinates: 1" in result.output
    rejected = (out / "rejected.csv").read_text(encoding="utf-8")
    assert "missing_coordinates" in rejected
    assert "secret" not in rejected  # columns the tool does not read never reach outputs


def test_debug_shows_the_traceback(tmp_path):
    result = invoke("validate", str(tmp_path / "nope.csv"), "--quiet", "--debug")
    assert result.exit_code != 0
    assert result.exception is not None


def test_eps_auto_is_refused_where_two_periods_must_share_eps(tmp_path):
    path = write(tmp_path, f"id,type,date,lat,lon\n1,raid,2024-07-01,{NORWICH}\n")
    result = invoke("compare", path, "--period", "2024Q3", "--against", "2024Q2", "--eps", "auto",
                    "--out", str(tmp_path / "o"), "--quiet")
    assert result.exit_code == 2
    assert "hotspots tune" in result.output
