"""Where a briefing's audit record goes, and that it is durable before any output is delivered."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_brief import brief, make_analysis

from hotspots.brief import AUDIT_FILE, audit_log_path, briefing_html, briefing_markdown
from hotspots.errors import ConfigError, OutputError
from hotspots.jobs import BriefResult


def result(audience: str) -> BriefResult:
    b = brief(make_analysis(), audience=audience, reason="Op Alpha")
    return BriefResult(
        b, briefing_html(b), briefing_markdown(b), b"", None, "not requested",
        {"audience": audience}, SimpleNamespace(inputs={"cuckooing.csv": "ab" * 32}),
        "Op Alpha", make_analysis(),
    )


def test_wide_briefing_records_the_run_in_the_user_log_not_the_folder(tmp_path, monkeypatch):
    log = tmp_path / "state" / "audit.jsonl"
    monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(log))
    out = tmp_path / "wide"
    written = result("wide").write(out)
    assert AUDIT_FILE not in os.listdir(out)
    assert sorted(os.listdir(out)) == sorted(written)
    record = json.loads(log.read_text(encoding="utf-8"))
    assert record["reason"] == "Op Alpha" and "cuckooing.csv" in record["inputs"]
    for name in written:
        assert b"Op Alpha" not in (out / name).read_bytes()
        assert b"cuckooing.csv" not in (out / name).read_bytes()


def test_internal_briefing_keeps_the_log_in_its_folder(tmp_path):
    out = tmp_path / "internal"
    result("internal").write(out)
    assert json.loads((out / AUDIT_FILE).read_text(encoding="utf-8"))["reason"] == "Op Alpha"


def test_audit_log_option_is_used_for_either_audience(tmp_path):
    log = tmp_path / "logs" / "briefings.jsonl"
    result("wide").write(tmp_path / "a", audit_log=log)
    result("internal").write(tmp_path / "b", audit_log=log)
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2
    assert not (tmp_path / "b" / AUDIT_FILE).exists()


@pytest.mark.parametrize(
    "inside", ["audit.jsonl", "sub/audit.jsonl", "."], ids=["file", "subfolder", "folder-itself"]
)
def test_a_log_inside_a_wide_folder_is_refused(tmp_path, inside):
    out = tmp_path / "wide"
    with pytest.raises(ConfigError, match="inside the wide output folder"):
        audit_log_path(out, wide=True, audit_log=out / inside if inside != "." else out)


def test_a_log_that_is_a_folder_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="is a folder"):
        audit_log_path(tmp_path / "out", wide=False, audit_log=tmp_path)


def test_nothing_is_delivered_when_the_record_cannot_be_written(tmp_path):
    # The case: the log cannot be appended to (here its folder is a file). The run fails
    # and no briefing reaches the folder, unaudited.
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    out = tmp_path / "wide"
    with pytest.raises(OutputError, match="could not append the audit record"):
        result("wide").write(out, audit_log=blocker / "audit.jsonl")
    assert not out.exists() or os.listdir(out) == []


def test_internal_log_made_a_folder_delivers_nothing(tmp_path):
    out = tmp_path / "internal"
    (out / AUDIT_FILE).mkdir(parents=True)
    with pytest.raises(ConfigError, match="is a folder"):
        result("internal").write(out)
    assert os.listdir(out) == [AUDIT_FILE]


def test_cli_refuses_a_wide_log_inside_the_folder_before_analysing(tmp_path):
    from click.testing import CliRunner

    from hotspots.cli import main

    out = tmp_path / "wide"
    run = CliRunner().invoke(
        main,
        ["brief", str(tmp_path / "missing.csv"), "--period", "2024Q3", "--audience", "wide",
         "--out", str(out), "--audit-log", str(out / "audit.jsonl")],
    )
    assert run.exit_code == 2, run.output
    assert "inside the wide output folder" in run.output
    assert not Path(out).exists()
