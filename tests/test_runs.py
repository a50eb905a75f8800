"""``hotspots run``: job files, relative periods, atomic bundles, run records in the shared log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from hotspots import schema
from hotspots.auditlog import verify_log
from hotspots.bundle import read_bundle
from hotspots.errors import ConfigError, InputError
from hotspots.runs import load_job, parse_job, previous_period, resolve_period, run_job

REPO = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 12, 6, 2, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "today", "label"),
    [
        ("latest complete quarter", date(2026, 12, 6), "2026Q3"),
        ("latest complete quarter", date(2026, 10, 1), "2026Q3"),
        ("latest complete quarter", date(2026, 9, 30), "2026Q2"),
        ("latest complete quarter", date(2026, 2, 1), "2025Q4"),
        ("Latest  Complete Month", date(2026, 12, 6), "2026-11"),
        ("latest complete month", date(2026, 1, 31), "2025-12"),
        ("2024Q2", date(2026, 1, 1), "2024Q2"),
    ],
    ids=[
        "dec",
        "first-day-of-q4",
        "last-day-of-q3",
        "january-wraps",
        "month",
        "month-wraps",
        "explicit",
    ],
)
def test_resolve_period(text, today, label):
    assert resolve_period(text, today).label == label


@pytest.mark.parametrize(
    ("label", "before"),
    [("2026Q1", "2025Q4"), ("2026Q3", "2026Q2"), ("2026-01", "2025-12"), ("2026-07", "2026-06")],
    ids=["q1", "q3", "jan", "jul"],
)
def test_previous_period(label, before):
    assert previous_period(resolve_period(label, date(2027, 1, 1))).label == before


def test_previous_of_a_range_needs_an_explicit_period():
    with pytest.raises(ConfigError, match="give the earlier period explicitly"):
        previous_period(resolve_period("2026-01-01..2026-02-15", date(2027, 1, 1)))


GOOD = {
    "name": "norfolk",
    "inputs": ["*.csv"],
    "period": "latest complete quarter",
    "against": "previous",
    "products": [{"kind": "map"}, {"kind": "brief", "audience": "wide"}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "../x"}, "name '../x'"),
        ({"inputs": []}, "inputs: expected a list"),
        ({"period": ""}, "period: expected"),
        ({"products": []}, "products: expected at least one"),
        ({"products": [{"kind": "tune"}]}, "kind 'tune' is not one of"),
        (
            {"products": [{"kind": "map", "audience": "wide"}]},
            "only a briefing has a wide-audience version",
        ),
        ({"against": None, "products": [{"kind": "compare"}]}, "a compare needs against"),
        ({"products": [{"kind": "map"}, {"kind": "map"}]}, "a second product named 'map'"),
        ({"colour": "red"}, "unknown keys ['colour']"),
    ],
    ids=[
        "name",
        "inputs",
        "period",
        "no-products",
        "kind",
        "wide-map",
        "compare-needs-against",
        "duplicate",
        "unknown-key",
    ],
)
def test_bad_job_names_the_problem(change, message):
    data = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(ConfigError, match=None) as caught:
        parse_job(data, Path("/jobs/job.toml"))
    assert message in str(caught.value) and "/jobs/job.toml" in str(caught.value)


def test_job_paths_are_relative_to_the_job_file(tmp_path):
    (tmp_path / "job.toml").write_text(
        'name = "j"\ninputs = ["data/*.csv"]\nconfig = "c.toml"\n'
        'period = "2025Q3"\n[[products]]\nkind = "map"\n'
    )
    job = load_job(tmp_path / "job.toml")
    assert job.inputs == (str(tmp_path / "data/*.csv"),) and job.config == tmp_path / "c.toml"
    assert len(job.source_sha256) == 64


class FakeResult:
    """Stands in for a jobs result: writes files, has areas, parameters and inputs."""

    def __init__(self, files: dict[str, str], fail: bool = False) -> None:
        self.files, self.fail = files, fail
        areas = pd.DataFrame(
            {schema.COL_AREA_CODE: ["E07000148"], schema.COL_AREA_NAME: ["Norwich"]}
        )
        self.analysis = SimpleNamespace(
            areas=areas, params=SimpleNamespace(as_dict=lambda: {"eps_m": 400})
        )
        self.loaded = SimpleNamespace(inputs={"events.csv": "ab" * 32})

    def write(self, folder: Path) -> list[str]:
        if self.fail:
            raise InputError("events.csv: row 3: something wrong")
        folder.mkdir(parents=True)
        for name, text in self.files.items():
            (folder / name).write_text(text)
        return list(self.files)


def fake_maker(fail_kind: str | None = None):
    def make(spec, files, job, period, against, today):
        assert period.label == "2026Q3" and against.label == "2026Q2"
        names = {
            "map": {"map.html": "<html>", "rejected.csv": "row\n"},
            "brief": {"briefing.html": "<html>", "audit.jsonl": '{"command": "brief"}\n'},
        }[spec.kind]
        return FakeResult(names, fail=spec.kind == fail_kind)

    return make


@pytest.fixture
def job(tmp_path):
    (tmp_path / "events.csv").write_text("id\n")
    return parse_job(GOOD, tmp_path / "job.toml")


def test_run_publishes_one_bundle_with_a_manifest(tmp_path, job):
    runs = tmp_path / "runs"
    outcome = run_job(job, runs, today=date(2026, 12, 6), now=NOW, make_product=fake_maker())
    assert outcome.run_id == "20261206T021500Z-norfolk-2026Q3"
    assert sorted(p.name for p in runs.iterdir()) == [
        "20261206T021500Z-norfolk-2026Q3",
        "audit.jsonl",
    ]
    bundle = read_bundle(outcome.folder)  # the service's reader accepts it
    assert [(p.name, p.kind, p.audience) for p in bundle.products] == [
        ("map", "map", "internal"),
        ("brief-wide", "brief", "wide"),
    ]
    map_files = {f.name: f for f in bundle.product("map").files}
    assert map_files["rejected.csv"].event_level and not map_files["map.html"].event_level
    # The briefing's own audit file went into the shared log, not into the bundle.
    assert [f.name for f in bundle.product("brief-wide").files] == ["briefing.html"]
    manifest = json.loads((outcome.folder / "manifest.json").read_text())
    assert manifest["areas"] == [{"code": "E07000148", "name": "Norwich"}]
    assert manifest["inputs"] == [{"file": "events.csv", "sha256": "ab" * 32}]
    assert (
        manifest["created"] == "2026-12-06T02:15:00Z" and manifest["against"]["label"] == "2026Q2"
    )
    assert oct((outcome.folder / "map" / "map.html").stat().st_mode & 0o777) == "0o444"
    records = [json.loads(line) for line in (runs / "audit.jsonl").read_text().splitlines()]
    assert len(records) == 1 and records[0]["event"] == "run" and records[0]["outcome"] == "ok"
    assert records[0]["product_records"] == [{"command": "brief"}]
    assert verify_log(runs / "audit.jsonl").ok


def test_a_failed_run_leaves_no_bundle_and_is_logged(tmp_path, job):
    runs = tmp_path / "runs"
    with pytest.raises(InputError, match="row 3"):
        run_job(
            job, runs, today=date(2026, 12, 6), now=NOW, make_product=fake_maker(fail_kind="brief")
        )
    assert [p.name for p in runs.iterdir()] == ["audit.jsonl"]  # no bundle, no staging folder
    record = json.loads((runs / "audit.jsonl").read_text())
    assert record["outcome"] == "failed" and "row 3" in record["error"]


def test_a_second_run_in_the_same_second_gets_its_own_id(tmp_path, job):
    runs = tmp_path / "runs"
    first = run_job(job, runs, today=date(2026, 12, 6), now=NOW, make_product=fake_maker())
    second = run_job(job, runs, today=date(2026, 12, 6), now=NOW, make_product=fake_maker())
    assert second.run_id == first.run_id + "-2"
    assert verify_log(runs / "audit.jsonl").lines == 2


def test_inputs_matching_nothing_fail_before_any_work(tmp_path):
    job = parse_job({**GOOD, "inputs": ["missing/*.csv"]}, tmp_path / "job.toml")
    with pytest.raises(InputError, match="matches no file"):
        run_job(job, tmp_path / "runs", today=date(2026, 12, 6), make_product=fake_maker())
    assert [p.name for p in (tmp_path / "runs").iterdir()] == ["audit.jsonl"]


def test_run_command_bad_job_exits_2(tmp_path):
    (tmp_path / "job.toml").write_text('name = "x"\n')
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotspots",
            "run",
            str(tmp_path / "job.toml"),
            "--runs",
            str(tmp_path / "runs"),
        ],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "inputs: expected a list" in result.stderr and "Traceback" not in result.stderr


def test_real_job_through_the_command_line(tmp_path):
    """The sample data, latest complete quarter on 2025-01-15 (2024Q4) against 2024Q3."""
    sample = REPO / "data" / "sample"
    job = tmp_path / "job.toml"
    job.write_text(
        'name = "sample"\n'
        f'inputs = ["{sample / "events.csv"}"]\nconfig = "{sample / "norfolk.toml"}"\n'
        'period = "latest complete quarter"\nagainst = "previous"\nreason = "test"\n'
        '[[products]]\nkind = "map"\n'
        '[[products]]\nkind = "compare"\n'
        '[[products]]\nkind = "evaluate"\n'
        '[[products]]\nkind = "brief"\naudience = "wide"\npdf = false\n'
    )
    runs = tmp_path / "runs"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "hotspots",
            "run",
            str(job),
            "--runs",
            str(runs),
            "--today",
            "2025-01-15",
        ],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.parent == runs.resolve() and folder.name.endswith("-sample-2024Q4")
    bundle = read_bundle(folder)
    assert bundle.period["label"] == "2024Q4" and bundle.against["label"] == "2024Q3"
    assert {code for code, _ in bundle.areas} == {f"E0700014{i}" for i in range(3, 10)}  # Norfolk
    assert [(p.name, p.kind, p.audience) for p in bundle.products] == [
        ("map", "map", "internal"),
        ("compare", "compare", "internal"),
        ("evaluate", "evaluate", "internal"),
        ("brief-wide", "brief", "wide"),
    ]
    assert all(p.files for p in bundle.products)
    map_files = {f.name for f in bundle.product("map").files}
    assert {"map.html", "hotspots.geojson", "rejected.csv", "summary.json"} <= map_files
    assert "audit.jsonl" not in {f.name for f in bundle.product("brief-wide").files}
    assert not list(folder.rglob("audit.jsonl"))
    manifest = json.loads((folder / "manifest.json").read_text())
    sha = manifest["inputs"][0]["sha256"]
    import hashlib

    assert sha == hashlib.sha256((sample / "events.csv").read_bytes()).hexdigest()
    record = json.loads((runs / "audit.jsonl").read_text())
    assert record["outcome"] == "ok" and record["run_id"] == folder.name
    assert record["product_records"][0]["reason"] == "test"


def test_a_stopped_run_leaves_no_bundle(tmp_path):
    """SIGTERM (systemd stop, kill) while products are being made: nothing is published."""
    import signal
    import time

    sample = REPO / "data" / "sample"
    job = tmp_path / "job.toml"
    job.write_text(
        f'name = "sample"\ninputs = ["{sample / "events.csv"}"]\nconfig = "{sample / "norfolk.toml"}"\n'
        'period = "2024Q4"\n[[products]]\nkind = "map"\n[[products]]\nkind = "map"\nname = "map2"\n'
    )
    runs = tmp_path / "runs"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hotspots", "run", str(job), "--runs", str(runs)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not (runs.exists() and any(p.name.startswith(".partial-") for p in runs.iterdir())):
        assert proc.poll() is None and time.monotonic() < deadline, "the run never started staging"
        time.sleep(0.05)
    time.sleep(1.0)  # inside the first product
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "no bundle was published" in err
    assert [p.name for p in runs.iterdir()] == ["audit.jsonl"]
    record = json.loads((runs / "audit.jsonl").read_text())
    assert record["outcome"] == "failed" and record["error"].startswith("KeyboardInterrupt")
