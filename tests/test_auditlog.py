"""The hash-chained audit log: appends chain, tampering is found at the right line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspots.auditlog import GENESIS, AuditLog, record_hash, verify_log
from hotspots.errors import InputError, OutputError

REPO = Path(__file__).resolve().parents[1]


def make_log(path: Path, n: int = 5) -> list[dict]:
    log = AuditLog(path, fsync=False)
    return [log.append({"event": "view", "user": f"user{i}", "file": "map.html"}) for i in range(n)]


def test_records_chain_from_genesis(tmp_path):
    records = make_log(tmp_path / "a.jsonl", 3)
    assert [r["seq"] for r in records] == [1, 2, 3]
    assert records[0]["prev"] == GENESIS
    assert records[1]["prev"] == records[0]["hash"] and records[2]["prev"] == records[1]["hash"]
    assert all(record_hash(r) == r["hash"] for r in records)
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == records


def test_intact_log_verifies_and_reports_head(tmp_path):
    records = make_log(tmp_path / "a.jsonl")
    result = verify_log(tmp_path / "a.jsonl")
    assert (result.ok, result.lines, result.head) == (True, 5, records[-1]["hash"])


def test_a_second_writer_continues_the_chain(tmp_path):
    make_log(tmp_path / "a.jsonl", 2)
    # A new process (e.g. 'hotspots run' beside the server) reads the last link from the file.
    later = AuditLog(tmp_path / "a.jsonl").append({"event": "run"})
    assert later["seq"] == 3
    assert verify_log(tmp_path / "a.jsonl").ok


@pytest.mark.parametrize("shared", [False, True], ids=["four-writers", "one-writer-group-commit"])
def test_concurrent_appends_keep_one_chain(tmp_path, shared):
    path = tmp_path / "a.jsonl"
    # Separate objects: flock must serialise them; one shared object with fsync on: its
    # threads share fsyncs (group commit) and must still chain every line exactly once.
    one = AuditLog(path, fsync=True)
    writers = [one] * 4 if shared else [AuditLog(path, fsync=False) for _ in range(4)]

    def work(log: AuditLog) -> None:
        for i in range(50):
            log.append({"event": "view", "i": i})

    threads = [threading.Thread(target=work, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result = verify_log(path)
    assert result.ok and result.lines == 200
    if shared:
        assert one._synced == one._written == 200  # every line covered by a finished fsync


def _edit(lines: list[str]) -> list[str]:
    record = json.loads(lines[2])
    record["user"] = "someone-else"
    lines[2] = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return lines


def _edit_and_rehash(lines: list[str]) -> list[str]:
    record = json.loads(lines[2])
    record["user"] = "someone-else"
    record["hash"] = record_hash(record)
    lines[2] = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return lines


TAMPERS = {
    "edit line 3": (_edit, 3, "edited"),
    "edit and rehash line 3": (_edit_and_rehash, 4, "'prev' does not match"),
    "delete line 3": (lambda lines: lines[:2] + lines[3:], 3, "'prev' does not match"),
    "delete line 1": (lambda lines: lines[1:], 1, "'prev' does not match"),
    "swap lines 2 and 3": (
        lambda lines: [lines[0], lines[2], lines[1], *lines[3:]],
        2,
        "'prev' does not match",
    ),
    "insert a copy": (lambda lines: lines[:3] + [lines[1]] + lines[3:], 4, "'prev' does not match"),
    "garbage line": (lambda lines: lines[:4] + ["not json"] + lines[4:], 5, "not valid JSON"),
    "cut last line": (lambda lines: lines[:-1] + [lines[-1][:20]], 5, "incomplete"),
}


@pytest.mark.parametrize("name", list(TAMPERS), ids=list(TAMPERS))
def test_tampering_is_found_at_the_first_broken_line(tmp_path, name):
    tamper, line, problem = TAMPERS[name]
    path = tmp_path / "a.jsonl"
    make_log(path)
    lines = path.read_text().splitlines()
    text = "\n".join(tamper(lines))
    path.write_text(text if name == "cut last line" else text + "\n")
    result = verify_log(path)
    assert not result.ok
    assert result.broken_line == line
    assert problem in (result.problem or "")


def test_verify_command_exit_codes_and_messages(tmp_path):
    path = tmp_path / "a.jsonl"
    make_log(path)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    cmd = [sys.executable, "-m", "hotspots", "audit", "verify"]
    ok = subprocess.run([*cmd, str(path)], env=env, capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and "5 lines, chain intact" in ok.stdout
    path.write_text("\n".join(_edit(path.read_text().splitlines())) + "\n")
    bad = subprocess.run([*cmd, str(path)], env=env, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "line 3: its content does not match its hash" in bad.stderr
    missing = subprocess.run(
        [*cmd, str(tmp_path / "none.jsonl")], env=env, capture_output=True, text=True, check=False
    )
    assert missing.returncode == 2 and "cannot read the audit log" in missing.stderr


def test_append_refuses_after_a_torn_line(tmp_path):
    path = tmp_path / "a.jsonl"
    make_log(path, 2)
    with path.open("a") as handle:
        handle.write('{"seq": 3, "half')
    with pytest.raises(OutputError, match="incomplete line"):
        AuditLog(path).append({"event": "view"})


def test_reserved_keys_are_refused(tmp_path):
    with pytest.raises(ValueError, match="reserved"):
        AuditLog(tmp_path / "a.jsonl").append({"hash": "x"})


def test_missing_log_is_an_input_error(tmp_path):
    with pytest.raises(InputError):
        verify_log(tmp_path / "none.jsonl")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.text(min_size=1, max_size=8).filter(lambda k: k not in {"seq", "prev", "hash"}),
            st.one_of(st.text(max_size=30), st.integers(), st.none()),
            max_size=4,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_records_round_trip_and_verify(tmp_path_factory, records):
    path = tmp_path_factory.mktemp("log") / "a.jsonl"
    log = AuditLog(path, fsync=False)
    for record in records:
        log.append(record)
    result = verify_log(path)
    assert result.ok and result.lines == len(records)


def test_a_line_that_is_not_utf8_is_reported(tmp_path):
    path = tmp_path / "a.jsonl"
    make_log(path, 2)
    with path.open("ab") as handle:
        handle.write(b'{"seq": 3, "user": "\xff"}\n')
    result = verify_log(path)
    assert (result.ok, result.broken_line, result.problem) == (False, 3, "not valid UTF-8 text")
