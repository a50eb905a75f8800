"""The bundled sample analysed once per test session, for the export tests (not a test module).

2024Q4 against 2024Q3 of ``data/sample/events.csv`` with ``norfolk.toml``: a handful of hotspots,
clusters and districts, a few rejected rows, and every change class the sample plants.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"


@dataclass(frozen=True)
class Sample:
    loaded: Any
    previous: Any
    current: Any
    comparison: Any


@cache
def sample() -> Sample:
    from hotspots.compare import compare
    from hotspots.params import build_params, load_config
    from hotspots.period import parse_period
    from hotspots.pipeline import analyse_period, load

    config = load_config(SAMPLE / "norfolk.toml")
    params = build_params(config, period=parse_period("2024Q4"))
    loaded = load([SAMPLE / "events.csv"], config, params)
    current = analyse_period(loaded, params, config, params.period)
    previous = analyse_period(loaded, params, config, parse_period("2024Q3"))
    comparison = compare(previous, current, match_distance_m=params.eps_m)
    return Sample(loaded, previous, current, comparison)
