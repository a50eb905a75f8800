"""The built wheel works on its own: installed into a fresh environment, run from another folder.

The bundled district boundaries are package data (``hotspots/data/boundaries``); a wheel that
missed them would fail at its first run with "boundaries file not found". This test builds the
wheel from a copy of the sources, installs it into a new virtual environment outside the
checkout (no system site-packages; dependencies come from the machine's package index or
cache) and runs ``hotspots map`` on a small events file in a scratch folder.

It installs every dependency, so it takes a minute or more: it runs in CI (``.ci/run`` sets
``HOTSPOTS_WHEEL_TEST=1``) and when that variable is set, and is skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = (
    "id,type,date,lat,lon\n"
    "1,cuckooing,2024-07-01,52.62840,1.29630\n"
    "2,cuckooing,2024-07-02,52.62850,1.29640\n"
    "3,cuckooing,2024-07-03,52.62860,1.29620\n"
    "4,raid,2024-07-04,52.62840,1.29650\n"
)

pytestmark = [
    pytest.mark.wheel,
    pytest.mark.skipif(
        os.environ.get("HOTSPOTS_WHEEL_TEST") != "1",
        reason="installs every dependency into a new environment (minutes): set HOTSPOTS_WHEEL_TEST=1",
    ),
]


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        [str(c) for c in command],
        check=False, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800,
    )
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _uv() -> str | None:
    """uv installs from its cache by hard links: seconds instead of minutes with pip."""
    return shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))


def test_installed_wheel_maps_events_from_another_folder(tmp_path):
    # Build from a copy, so the checkout gets no build/ or egg-info folder.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, source], cwd=tmp_path)
    (wheel,) = wheels.glob("hotspots-*.whl")

    env_dir = tmp_path / "env"
    python = env_dir / "bin" / "python"
    uv = _uv()
    if uv:
        _run([uv, "venv", "--quiet", "--python", sys.executable, env_dir], cwd=tmp_path)
        _run([uv, "pip", "install", "--quiet", "--python", python, wheel], cwd=tmp_path)
    else:
        venv.create(env_dir, with_pip=True)
        _run([python, "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path)

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "events.csv").write_text(EVENTS, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    output = _run([env_dir / "bin" / "hotspots", "map", "events.csv", "--out", "out"], cwd=work, env=clean)
    assert "hotspots 1 (1 thin)" in output

    summary = json.loads((work / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["study_area"] == [{"area_code": "E07000148", "area_name": "Norwich"}]
    assert "Office for National Statistics" in summary["boundary_source"]
    where = _run([python, "-c", "import hotspots; print(hotspots.__file__)"], cwd=work, env=clean)
    assert Path(where.strip()).is_relative_to(env_dir)  # the installed copy, not the checkout
