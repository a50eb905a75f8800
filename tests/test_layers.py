"""The import graph flows one way: analysis modules never reach up into pages or jobs.

Only ``render/`` (and ``brief/`` for documents) draws pages; the job layer and the command line
call them. A module that analyses (``tune``, ``evaluate``, ``pipeline``...) importing
``hotspots.render`` would put it above the renderers it feeds.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "hotspots"
#: Top-level modules allowed to import the renderers: the ones that run commands.
TOP = {"jobs.py", "cli.py", "__init__.py", "__main__.py"}  # __init__: the lazy public API
#: Packages that lay results out (pages, documents, files for other tools): they may import
#: the renderers (export/ takes the maps' colours and district classes for its QGIS styles).
DRAWING = ("render", "brief", "serve", "export")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _analysis_modules() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py")
        if p.relative_to(PACKAGE).parts[0] not in DRAWING and str(p.relative_to(PACKAGE)) not in TOP
    )


@pytest.mark.parametrize("path", _analysis_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_analysis_modules_do_not_import_renderers_or_jobs(path):
    upward = {
        name for name in _imports(path)
        if name.startswith(("hotspots.render", "hotspots.brief", "hotspots.jobs", "hotspots.cli"))
    }
    assert not upward, f"{path.name} imports {sorted(upward)}"


@pytest.mark.parametrize("path", _analysis_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_renderers_write_html(path):
    text = path.read_text(encoding="utf-8")
    assert "<html" not in text.lower() and "<table" not in text.lower(), path.name
