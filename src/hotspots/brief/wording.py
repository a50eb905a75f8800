"""The fixed wording of a briefing: dates, caveats, definitions and attributions.

Sentences here depend only on parameters and on which kinds of input were used, never on input
text, so they are the same for both audiences except where a rule in `hotspots.brief.rules`
says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Final

from hotspots import compare, schema
from hotspots.brief.rules import WIDE_GRID_M
from hotspots.definitions import BRIEFING_TERMS, CHANCE_TEST, analysed_types
from hotspots.definitions import definitions as all_definitions

if TYPE_CHECKING:
    from hotspots.model import Analysis
    from hotspots.period import Period

__all__ = [
    "ATTRIBUTION_ONS",
    "ATTRIBUTION_OS",
    "ATTRIBUTION_POLICE_UK",
    "attributions",
    "caveats",
    "definitions",
    "long_date",
    "looks_like_police_uk",
    "period_label",
    "period_text",
]

ATTRIBUTION_ONS: Final = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
)
ATTRIBUTION_OS: Final = "Contains OS data © Crown copyright and database right"
ATTRIBUTION_POLICE_UK: Final = (
    "Contains public sector information licensed under the Open Government Licence v3.0 (police.uk)"
)
#: police.uk download names: 2025-01-norfolk-street.csv, 2024-03-norfolk-stop-and-search.csv.
_POLICE_UK_FILE = re.compile(r"(?:^|[-_])(?:street|stop-and-search|outcomes)\b", re.IGNORECASE)

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date) -> str:
    """``7 October 2024`` (no locale involved)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def period_text(period: Period | None) -> str:
    """``2024Q3 (1 July 2024 to 30 September 2024)``."""
    if period is None:
        return "all dates in the input"
    return f"{period.label} ({long_date(period.start)} to {long_date(period.end)})"


def period_label(period: Period | None) -> str:
    """``2024Q3``, for sentences."""
    return "the period analysed" if period is None else period.label


def looks_like_police_uk(file_names: Iterable[str]) -> bool:
    """Whether any input is named like a police.uk download (``…-street.csv`` and kin)."""
    return any(_POLICE_UK_FILE.search(name) for name in file_names)


def attributions(police_uk: bool) -> tuple[str, ...]:
    """The attribution lines the boundaries, postcodes, place names (and police.uk) require."""
    from hotspots.places import SOURCE as PLACES
    from hotspots.postcodes import SOURCE as POSTCODES

    return (
        (ATTRIBUTION_ONS, ATTRIBUTION_OS, POSTCODES, PLACES)
        + ((ATTRIBUTION_POLICE_UK,) if police_uk else ())
    )


def caveats(current: Analysis, police_uk: bool, compared: bool) -> tuple[str, ...]:
    """What the data cannot show, for this analysis."""
    params = current.params
    end = (
        f"the period end ({long_date(current.period.end)})"
        if current.period is not None
        else "the latest date analysed"
    )
    labels = current.types.labels
    # Caveats follow the types actually analysed: no "cuckooing is under-reported" for data
    # holding no cuckooing (police.uk's robbery stand-in), no "warrant or seizure" without them.
    harm_types = set(analysed_types(current, schema.ROLE_HARM))
    enforcement_types = set(analysed_types(current, schema.ROLE_ENFORCEMENT))
    found = [
        (
            "Recorded enforcement is effort, not outcome: a warrant or seizure counts whether or not "
            "it disrupted the line, and enforcement recorded elsewhere (or not recorded) is not seen."
            if enforcement_types & {schema.TYPE_RAID, schema.TYPE_SEIZURE}
            else f"Recorded enforcement is effort, not outcome ({labels.enforcement} here): each "
            "event counts whether or not it disrupted a drug line, and enforcement recorded "
            "elsewhere (or not recorded) is not seen."
        ),
        (
            "Recorded harm depends on reporting: cuckooing is under-reported and reporting varies "
            "with community confidence and partner referrals, so a place without a hotspot is not a "
            "place without harm."
            if schema.TYPE_CUCKOOING in harm_types
            else f"Recorded harm depends on reporting ({labels.harm} here): reporting varies with "
            "community confidence and partner referrals, so a place without a hotspot is not a "
            "place without harm."
        ),
        (
            f"Enforcement is counted inside a hotspot's footprint (its harm events buffered by "
            f"{params.margin_m:g} m); activity just outside the footprint does not count towards it."
        ),
        (
            f"Days since enforcement are counted back from {end} to the latest enforcement event in "
            "the footprint."
        ),
    ]
    if police_uk:
        found.append(
            "Some inputs look like police.uk downloads: their locations are anonymised by moving "
            "each event to a nearby snap point (the centre of a street or a public place) and "
            "their dates are months only, so footprints are displaced by up to a few hundred "
            "metres and day counts are approximate."
        )
    if current.quality.stacked_points:
        found.append(
            "Events stacked on one exact location can form a hotspot on their own; check stacked "
            "points (data quality) before tasking to them."
        )
    if compared:
        found.append(
            "Changes between periods reflect recording and reporting as well as activity; a "
            "resolved hotspot may have moved rather than stopped."
        )
    if "p_value" in current.hotspots.columns:
        found.append(
            "The chance test compares harm with where all recorded events happen, and enforcement "
            "is part of that background: a hotspot can stand out because harm is concentrated or "
            "because enforcement is absent there. \"Unlikely by chance\" says the imbalance is "
            "unlikely to be a random arrangement of these events, not why, nor that it is large."
        )
    return tuple(found)


def _chance_definition(current: Analysis) -> list[tuple[str, str]]:
    """The chance test's definition, when it ran (the hotspots carry a ``p_value``)."""
    if "p_value" not in current.hotspots.columns:
        return []
    return [("Against chance", CHANCE_TEST)]


def definitions(current: Analysis, compared: bool, wide: bool) -> tuple[tuple[str, str], ...]:
    """``(term, definition)`` pairs for the method section (the core ones: hotspots.definitions)."""
    location = (
        f"The 4-figure OS grid reference of the {WIDE_GRID_M // 1000} km square holding the mean "
        "position of the hotspot's harm events."
        if wide
        else "The 6-figure OS grid reference (100 m square) of the mean position of the "
        "hotspot's harm events."
    )
    core = all_definitions(current)
    found = []
    for key in BRIEFING_TERMS:
        item = core[key]
        text = item.text
        if key == "harm_gap" and wide:
            text += (
                " In this wide version ranks follow the published figures instead (most harm, "
                "then least enforcement, then hotspot id), since an order of exact counts would "
                "compare suppressed ones."
            )
        found.append((item.term, text))
        if key == "harm":  # the chance test's definition follows the harm events'
            found += _chance_definition(current)
    found.append(("Location", location))
    if compared:
        found += [
            ("Matching", compare.MATCHING_RULE),
            (
                "Change classes",
                "; ".join(
                    f"{name}: {compare.CLASS_DESCRIPTIONS[name]}" for name in compare.CHANGE_CLASSES
                )
                + ".",
            ),
            (
                "Coverage change",
                "; ".join(
                    f"{name.replace('_', ' ')}: {compare.COVERAGE_CHANGE_DESCRIPTIONS[name]}"
                    for name in compare.COVERAGE_CHANGES
                )
                + ".",
            ),
            ("Harm-count test", compare.TEST_DESCRIPTION),
            ("Counts of matched hotspots", compare.COUNTS_NOTE),
        ]
    return tuple(found)
