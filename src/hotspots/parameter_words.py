"""The run's parameters in words, for documents read by people who never typed them.

``summary.json`` and the audit record keep the keys (``eps_m``, ``stack_min``...): they are for
machines and for re-running. A briefing (HTML, PDF, Markdown, Word) prints each parameter as a
phrase with its unit, "Neighbourhood radius (eps): 400 m", and values that are themselves keys
(``demote``, ``auto``) as what they mean; docs/outputs-and-definitions.md lists the keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

#: key -> (phrase, unit). The unit follows the value ("400 m"); "" for none.
PARAMETER_WORDS: Final[Mapping[str, tuple[str, str]]] = {
    "eps_m": ("Neighbourhood radius (eps)", "m"),
    "min_samples": ("Harm events within the radius that start a hotspot (min samples)", ""),
    "footprint_margin_m": ("Margin around a hotspot's events (footprint)", "m"),
    "thin_ratio": ("Thin-coverage ratio (enforcement events per harm event below which a hotspot is thin)", ""),
    "engine": ("Clustering method", ""),
    "period": ("Period", ""),
    "study_area": ("Study area", ""),
    "date_order": ("Date order", ""),
    "coast_tolerance_m": ("Coast tolerance (offshore points within it join the nearest district)", "m"),
    "stack_min": ("Events at one exact point that make a stacked point", ""),
    "min_locations": ("Distinct locations a hotspot needs to be ranked without a check", ""),
    "few_locations": ("Hotspots with fewer distinct locations", ""),
    "marking": ("Protective marking", ""),
    "show_points": ("Event points shown on the map", ""),
    "tiles": ("Background map", ""),
    "eps_source": ("How the neighbourhood radius was chosen", ""),
}

#: Values that are themselves keys, in words.
VALUE_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "engine": {"grid": "DBSCAN on a grid index (exact)", "sklearn": "DBSCAN by scikit-learn (exact)"},
    "date_order": {
        "auto": "worked out from each file (day first or month first, whichever its dates allow)",
        "dmy": "day first (03/04 is 3 April)",
        "mdy": "month first (03/04 is 4 March)",
    },
    "few_locations": {
        "flag": "flagged 'check the geocoding' and still ranked",
        "demote": "ranked after every other hotspot and left out of the priorities (check the geocoding)",
    },
    "tiles": {"none": "none (district boundaries only; works offline)"},
    "eps_source": {"given": "given (command line, config or default)"},
}


def parameter_label(key: str) -> str:
    """``"Neighbourhood radius (eps)"``; an unknown key is spelt out (``"surface cell"``)."""
    if key in PARAMETER_WORDS:
        return PARAMETER_WORDS[key][0]
    return key.removesuffix("_m").replace("_", " ").capitalize()


def parameter_unit(key: str) -> str:
    """The unit printed after the value (``"m"`` for distances), or ``""``."""
    if key in PARAMETER_WORDS:
        return PARAMETER_WORDS[key][1]
    return "m" if key.endswith("_m") else ""


def value_in_words(key: str, text: str) -> str:
    """A value already written as text, with its unit or its meaning: ``"400 m"``, ``"flagged …"``."""
    words = VALUE_WORDS.get(key, {})
    if text in words:
        return words[text]
    unit = parameter_unit(key)
    return f"{text} {unit}" if unit and text not in ("not set", "") else text


def parameters_in_words(values: Mapping[str, Any], text_of: Any) -> tuple[tuple[str, str], ...]:
    """(label, value) rows for ``values``; ``text_of(key, value)`` writes each raw value first."""
    return tuple(
        (parameter_label(key), value_in_words(key, text_of(key, value))) for key, value in values.items()
    )
