"""The synthetic sample shipped with hotspots: where its files are, for examples and notebooks.

Every event in it is invented (``data/sample/README.md`` says what is planted where), so it is
safe to share, print and put in tutorials.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from hotspots.errors import InputError

SAMPLE_EVENTS = "events.csv"
SAMPLE_CONFIG = "norfolk.toml"


def sample_files() -> tuple[Path, Path]:
    """The sample's events file and config file: ``(events.csv, norfolk.toml)``.

    Looked up beside the installed package (``hotspots/data/sample``) and, for a package used
    from its project folder (``python3 run.py``, ``pip install -e``), in that folder's
    ``data/sample``; the answer does not depend on the current folder.

    Raises
    ------
    InputError
        Neither place holds the sample (an installed wheel without it).
    """
    packaged = resources.files("hotspots").joinpath("data", "sample")
    checkout = Path(__file__).resolve().parents[2] / "data" / "sample"
    for folder in (Path(str(packaged)), checkout):
        events, config = folder / SAMPLE_EVENTS, folder / SAMPLE_CONFIG
        if events.is_file() and config.is_file():
            return events, config
    raise InputError(
        f"the synthetic sample is not installed with this copy of hotspots (looked in {packaged} "
        f"and {checkout}); use the project folder, where it is data/sample/{SAMPLE_EVENTS}"
    )
