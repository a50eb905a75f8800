"""Documentation that cannot rot: the README's Python example runs, the command reference is current."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
COMMANDS = ROOT / "docs" / "commands.md"


def _first_python_block(markdown: str, heading: str) -> str:
    section = markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, f"no python code block under '## {heading}'"
    return match.group(1)


def test_readme_python_api_example_runs_from_any_folder(tmp_path):
    code = _first_python_block(README.read_text(encoding="utf-8"), "Python API")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert re.fullmatch(r"\d+ hotspots, \d+ thin", first), first
    written = tmp_path / "hotspots-sample"
    assert (written / "map.html").is_file() and (written / "summary.json").is_file()
    assert "'summary.json'" in done.stdout  # the names write() returned


def test_readme_links_to_docs_pages_that_exist():
    text = README.read_text(encoding="utf-8")
    targets = set(re.findall(r"\]\((docs/[^)#]+)", text))
    assert targets, "the README links no docs pages"
    missing = sorted(t for t in targets if not (ROOT / t).is_file())
    assert not missing, missing


def test_command_reference_matches_help():
    cog = pytest.importorskip("cogapp", reason="cogapp is in the test extra")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", str(COMMANDS)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert cog and done.returncode == 0, (
        f"docs/commands.md is out of date: run `cog -r docs/commands.md`\n{done.stdout}{done.stderr}"
    )


def test_definitions_reference_matches_the_one_source():
    """docs/outputs-and-definitions.md quotes hotspots.definitions (issue 16: written once)."""
    cog = pytest.importorskip("cogapp", reason="cogapp is in the test extra")
    page = ROOT / "docs" / "outputs-and-definitions.md"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", str(page)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert cog and done.returncode == 0, (
        f"{page.name} is out of date: run `cog -r docs/outputs-and-definitions.md`\n"
        f"{done.stdout}{done.stderr}"
    )
