#!/usr/bin/env python3
"""Set up and run hotspots with nothing but Python 3.11+.

    python3 run.py demo   # the main job on the bundled synthetic sample, into outputs/
    python3 run.py test   # the whole test suite (pytest; extra arguments go to pytest)

On first use (and whenever pyproject.toml changes) it creates ``.venv`` in the project
folder and installs the package with its test extras there.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / ".setup-stamp"

#: The demo: one quarter mapped, the next compared with it, and a briefing.
SAMPLE = ["data/sample/events.csv", "--config", "data/sample/norfolk.toml", "--quiet"]
DEMO = [
    ["map", *SAMPLE, "--period", "2024Q4", "--out", "outputs/sample"],
    ["compare", *SAMPLE, "--period", "2024Q4", "--against", "2024Q3", "--out", "outputs/sample-compare"],
    ["brief", *SAMPLE, "--period", "2024Q4", "--against", "2024Q3", "--produced", "2024-12-31",
     "--reason", "demo on synthetic data", "--out", "outputs/sample-brief"],
]


def ensure_environment() -> None:
    """Create .venv and install the project into it unless already current."""
    if sys.version_info < (3, 11):
        sys.exit(f"hotspots needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if PYTHON.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not PYTHON.exists():
        print(f"creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    print("installing hotspots and its dependencies (first run only)", flush=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([PYTHON, "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted + "\n")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test"}:
        print(__doc__)
        return 2
    ensure_environment()
    os.chdir(ROOT)
    if argv[0] == "test":
        return subprocess.run([PYTHON, "-m", "pytest", *argv[1:]]).returncode
    for args in DEMO:
        print("$ hotspots " + shlex.join(args), flush=True)
        code = subprocess.run([PYTHON, "-m", "hotspots", *args]).returncode
        if code:
            return code
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
