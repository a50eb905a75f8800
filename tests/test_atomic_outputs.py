"""All-or-nothing output folders: a failed or interrupted run leaves the previous complete
outputs (or none), never a half set, no temporary folder, and never touches files it did not write."""

from __future__ import annotations

import io
import json
import os
import signal
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots import outputs, schema
from hotspots.cli import main
from hotspots.errors import OutputError
from hotspots.outputs import OutputFolder, csv_text, json_text, writing

EVENTS = (
    "id,type,date,lat,lon\n"
    + "".join(f"H{i},cuckooing,2024-07-{i + 1:02d},{52.6284 + i * 0.0003:.4f},1.2963\n" for i in range(6))
    + "E1,raid,2024-07-10,52.6290,1.2965\nR1,raid,2024-07-10,,\n"
)
FOREIGN = "notes.txt"  # a file of the analyst's own in the output folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def leftovers(parent: Path) -> list[str]:
    return [p.name for p in parent.rglob("*") if ".partial-" in p.name or p.name == ".previous"]


def fail_on_call(monkeypatch, n: int, error: BaseException) -> None:
    """Make the ``n``-th ``OutputFolder.write_text`` of the run raise ``error``."""
    real = OutputFolder.write_text
    calls = {"n": 0}

    def write_text(self, name, text):
        calls["n"] += 1
        if calls["n"] == n:
            raise error
        real(self, name, text)

    monkeypatch.setattr(OutputFolder, "write_text", write_text)


@pytest.fixture
def previous(tmp_path) -> Path:
    """An output folder holding a complete previous set and a file the tool did not write."""
    out = tmp_path / "out"
    with writing(out) as folder:
        for name in ("a.csv", "b.json", "c.html"):
            folder.write_text(name, f"old {name}\n")
    (out / FOREIGN).write_text("mine\n", encoding="utf-8")
    return out


# --- the writing() context manager --------------------------------------------------------------


def test_success_replaces_only_the_files_written(previous):
    with writing(previous) as folder:
        folder.write_text("a.csv", "new a\n")
        folder.write_text("d.txt", "new d\n")
    assert snapshot(previous) == {
        "a.csv": b"new a\n",
        "b.json": b"old b.json\n",
        "c.html": b"old c.html\n",
        "d.txt": b"new d\n",
        FOREIGN: b"mine\n",
    }
    assert leftovers(previous.parent) == []


@pytest.mark.parametrize(
    "error",
    [OSError(28, "No space left on device"), RuntimeError("bug"), KeyboardInterrupt()],
    ids=["disk-full", "crash", "ctrl-c"],
)
def test_failure_while_staging_leaves_previous_outputs(previous, error):
    before = snapshot(previous)
    expected = OutputError if isinstance(error, OSError) else type(error)
    with pytest.raises(expected), writing(previous) as folder:
        folder.write_text("a.csv", "new a\n")
        folder.write_text("b.json", "new b\n")
        raise error
    assert snapshot(previous) == before
    assert leftovers(previous.parent) == []


def test_failure_while_moving_in_puts_the_previous_set_back(previous, monkeypatch):
    before = snapshot(previous)
    real_replace = os.replace
    calls = {"n": 0}

    def replace(src, dst):
        if Path(src).parent.name != ".previous":  # moves of new files into place
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="Input/output error"), writing(previous) as folder:
        folder.write_text("a.csv", "new a\n")
        folder.write_text("new.txt", "new file\n")  # did not exist before: removed again
        folder.write_text("b.json", "new b\n")
    assert snapshot(previous) == before
    assert leftovers(previous.parent) == []


def test_failed_first_run_leaves_no_folder(tmp_path):
    with pytest.raises(RuntimeError), writing(tmp_path / "fresh") as folder:
        folder.write_text("a.csv", "x\n")
        raise RuntimeError("bug")
    assert not (tmp_path / "fresh").exists()
    assert leftovers(tmp_path) == []


def test_failed_move_on_a_first_run_leaves_no_folder(tmp_path, monkeypatch):
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst).name == "b.json":
            raise OSError(5, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError), writing(tmp_path / "fresh") as folder:
        folder.write_text("a.csv", "x\n")
        folder.write_text("b.json", "{}\n")
    assert not (tmp_path / "fresh").exists()
    assert leftovers(tmp_path) == []


def test_out_that_is_a_file_is_an_output_error(tmp_path):
    target = tmp_path / "out"
    target.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="not a folder"), writing(target):
        pass
    assert target.read_text(encoding="utf-8") == "not a folder"


def test_mount_point_output_is_staged_inside_and_cleaned(previous, monkeypatch):
    monkeypatch.setattr(outputs, "_is_mount_point", lambda path: True)
    with writing(previous) as folder:
        assert folder.staging.parent == previous.resolve()
        folder.write_text("a.csv", "new a\n")
    assert (previous / "a.csv").read_text() == "new a\n"
    assert leftovers(previous.parent) == []


@pytest.mark.parametrize("name", ["", "..", "sub/file.txt", "/etc/passwd"])
def test_output_names_must_be_plain_file_names(tmp_path, name):
    with pytest.raises(ValueError, match="plain file name"), writing(tmp_path / "out") as folder:
        folder.write_text(name, "x")
    assert leftovers(tmp_path) == []


def test_ctrl_c_while_moving_in_waits_for_the_move():
    with pytest.raises(KeyboardInterrupt), outputs._signals_deferred():
        signal.raise_signal(signal.SIGINT)
        finished = True  # reached: the interrupt was held until the block ended
    assert finished


# --- through the command line -------------------------------------------------------------------


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def events(tmp_path) -> Path:
    path = tmp_path / "events.csv"
    path.write_text(EVENTS, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("command", "fail_at"), [("validate", 2), ("map", 3)], ids=["validate", "map"]
)
def test_writer_failure_keeps_previous_outputs_exit_4(tmp_path, events, monkeypatch, command, fail_at):
    out = tmp_path / "out"
    first = run(command, events, "--out", out, "--quiet")
    assert first.exit_code == 0, first.output
    (out / FOREIGN).write_text("mine\n", encoding="utf-8")
    before = snapshot(out)
    fail_on_call(monkeypatch, fail_at, OSError(28, "No space left on device"))
    result = run(command, events, "--out", out, "--quiet", "--period", "2024-07")
    assert result.exit_code == 4, result.output
    assert "Error: " in result.output and "No space left on device" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("command", ["validate", "map"])
def test_interrupted_run_is_exit_130_and_keeps_previous_outputs(tmp_path, events, monkeypatch, command):
    out = tmp_path / "out"
    assert run(command, events, "--out", out, "--quiet").exit_code == 0
    before = snapshot(out)
    fail_on_call(monkeypatch, 2, KeyboardInterrupt())
    result = run(command, events, "--out", out, "--quiet", "--period", "2024-07")
    assert result.exit_code == 130
    assert "Interrupted" in result.output and "Traceback" not in result.output
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_interrupted_first_run_writes_nothing(tmp_path, events, monkeypatch):
    fail_on_call(monkeypatch, 1, KeyboardInterrupt())
    result = run("validate", events, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 130
    assert not (tmp_path / "out").exists()
    assert leftovers(tmp_path) == []


def test_rerun_replaces_the_whole_set(tmp_path, events):
    out = tmp_path / "out"
    assert run("validate", events, "--out", out, "--quiet").exit_code == 0
    assert run("validate", events, "--out", out, "--quiet", "--period", "2024-08").exit_code == 0
    summary = json.loads((out / schema.OUT_SUMMARY).read_text(encoding="utf-8"))
    assert summary["period"]["label"] == "2024-08"
    assert summary["rows_outside_period"] == 7


# --- deterministic formats ------------------------------------------------------------------------


def test_json_text_writes_nan_and_infinity_as_null():
    import numpy as np

    text = json_text({"a": float("nan"), "b": [np.float64("inf"), 1.5], np.int64(3): pd.NaT})
    assert json.loads(text) == {"a": None, "b": [None, 1.5], "3": None}


def test_csv_text_keeps_one_line_per_row_when_values_hold_carriage_returns():
    frame = pd.DataFrame({"id": ["a\rb", "c\r\nd", "e"], "x": [1.23456, None, 3.0]})
    text = csv_text(frame)
    back = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert list(back["id"]) == ["a\nb", "c\nd", "e"]
    assert list(back["x"]) == ["1.2346", "", "3.0"]
