"""hotspots: where county-lines harm concentrates while enforcement coverage is thin.

The public API: one job per command (:mod:`hotspots.jobs`), their parameters
(:mod:`hotspots.params`), result objects and errors (:mod:`hotspots.errors`)::

    import hotspots
    result = hotspots.run_map("events.csv", config="norfolk.toml", period="2024Q4")
    result.write("outputs/q4")

Names are imported on first use, so ``import hotspots`` (and ``hotspots --help``) stays fast:
the jobs pull in pandas, geopandas and numba only when called.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    # jobs and their results
    "run_map": "hotspots.jobs",
    "run_compare": "hotspots.jobs",
    "run_brief": "hotspots.jobs",
    "run_tune": "hotspots.jobs",
    "run_evaluate": "hotspots.jobs",
    "run_validate": "hotspots.jobs",
    "ReadOptions": "hotspots.jobs",
    "MapResult": "hotspots.jobs",
    "CompareResult": "hotspots.jobs",
    "BriefResult": "hotspots.jobs",
    "TuneResult": "hotspots.jobs",
    "EvaluateResult": "hotspots.jobs",
    "ValidateResult": "hotspots.jobs",
    # parameters
    "AnalysisParams": "hotspots.params",
    "PresentationParams": "hotspots.params",
    "Config": "hotspots.params",
    "load_config": "hotspots.params",
    "Period": "hotspots.period",
    "parse_period": "hotspots.period",
    # what a job returns inside its result
    "Analysis": "hotspots.model",
    # the synthetic sample, for examples
    "sample_files": "hotspots.samples",
    # errors
    "HotspotsError": "hotspots.errors",
    "InputError": "hotspots.errors",
    "ConfigError": "hotspots.errors",
    "NoDataError": "hotspots.errors",
    "OutputError": "hotspots.errors",
}

__all__ = [
    "Analysis",
    "AnalysisParams",
    "BriefResult",
    "CompareResult",
    "Config",
    "ConfigError",
    "EvaluateResult",
    "HotspotsError",
    "InputError",
    "MapResult",
    "NoDataError",
    "OutputError",
    "Period",
    "PresentationParams",
    "ReadOptions",
    "TuneResult",
    "ValidateResult",
    "__version__",
    "load_config",
    "parse_period",
    "run_brief",
    "run_compare",
    "run_evaluate",
    "run_map",
    "run_tune",
    "run_validate",
    "sample_files",
]

if TYPE_CHECKING:
    from hotspots.errors import ConfigError, HotspotsError, InputError, NoDataError, OutputError
    from hotspots.jobs import (
        BriefResult,
        CompareResult,
        EvaluateResult,
        MapResult,
        ReadOptions,
        TuneResult,
        ValidateResult,
        run_brief,
        run_compare,
        run_evaluate,
        run_map,
        run_tune,
        run_validate,
    )
    from hotspots.model import Analysis
    from hotspots.params import AnalysisParams, Config, PresentationParams, load_config
    from hotspots.period import Period, parse_period
    from hotspots.samples import sample_files


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hotspots' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
