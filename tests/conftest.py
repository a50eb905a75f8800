"""Suite-wide options.

``--fuzz-examples N`` (or the environment variable ``HOTSPOTS_FUZZ_EXAMPLES=N``) sets how many
generated files the property-based CLI fuzz tests in ``test_fuzz_cli.py`` try; the default keeps
the normal suite fast, a long run is ``pytest tests/test_fuzz_cli.py --fuzz-examples 5000``.
"""

from __future__ import annotations

import os

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=None,
        help="Generated cases for the CLI fuzz tests (default 150, or $HOTSPOTS_FUZZ_EXAMPLES).",
    )


def pytest_configure(config: pytest.Config) -> None:
    # The fuzz module reads the count when it is imported, which happens after this hook.
    examples = config.getoption("--fuzz-examples")
    if examples is not None:
        os.environ["HOTSPOTS_FUZZ_EXAMPLES"] = str(examples)


@pytest.fixture(autouse=True)
def _audit_log_in_tmp(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # Wide briefings record runs in the user's audit log: keep tests out of the real one.
    if "HOTSPOTS_AUDIT_LOG" not in os.environ:
        log = tmp_path_factory.getbasetemp() / "user-audit" / "audit.jsonl"
        monkeypatch.setenv("HOTSPOTS_AUDIT_LOG", str(log))
