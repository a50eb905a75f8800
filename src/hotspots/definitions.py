"""Every definition the outputs state, written once.

``summary.json`` (``definitions``), ``tables.xlsx`` (the about sheet), the briefing's method
section and the map page's "About this map" all take their text from :func:`definitions`, so
a figure is defined in the same words wherever it is read. Each text is one sentence (or a
few), with this analysis's parameters in words and its harm and enforcement named by the
config's ``[labels]`` and type labels (:mod:`hotspots.labels`). docs/outputs-and-definitions.md
quotes the defaults (generated from here by cog, checked by tests/test_docs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from hotspots import schema
from hotspots.notices import NOT_ANALYSED_DEFINITION

if TYPE_CHECKING:
    from hotspots.model import Analysis
    from hotspots.params import AnalysisParams, EventTypes

#: The definitions the map page prints under "About this map", in this order.
MAP_TERMS: Final = (
    "harm",
    "enforcement",
    "coverage",
    "thin",
    "harm_gap",
    "harm_in_thin_hotspots",
    "days_since_enforcement",
    "locations",
)
#: The definitions the briefing's method section prints, in this order (then its own).
BRIEFING_TERMS: Final = (
    "harm",
    "enforcement",
    "hotspot",
    "footprint",
    "coverage",
    "thin",
    "harm_gap",
    "days_since_enforcement",
    "locations",
    "area",
)
#: The chance test (--chance-test, hotspots.significance): summary.json's ``chance_test.test``,
#: the briefing's "Against chance" and the map page's definition.
CHANCE_TEST: Final = (
    "Monte Carlo scan test: which of the period's recorded events are harm is drawn at random many "
    "times and DBSCAN is run again each time; a hotspot is \"unlikely by chance\" when few of the "
    "draws (under the stated level, 5% unless set otherwise; the p-value) produce anywhere a "
    "cluster with as strong an excess of harm (Bernoulli likelihood ratio over the cells holding "
    "its events); otherwise \"could be chance\"."
)


@dataclass(frozen=True)
class Definition:
    """One defined term: its ``summary.json`` key, its heading and its text."""

    key: str
    term: str
    text: str


def analysed_types(analysis: Analysis, role: str) -> list[str]:
    """The event types with ``role`` that hold events in this analysis, in config order.

    A table without a ``type`` column (a hand-built analysis) gives every configured type.
    """
    configured = [name for name, r in analysis.types.roles.items() if r == role]
    events = analysis.events
    if schema.COL_TYPE not in events.columns:
        return configured
    present = set(events[schema.COL_TYPE].astype(str))
    return [name for name in configured if name in present]


def _type_names(types: EventTypes, names: list[str]) -> str:
    return ", ".join(types.label_of(n) for n in names) if names else "none in this period"


def definitions(analysis: Analysis) -> dict[str, Definition]:
    """Every definition of one analysis, keyed as in ``summary.json``."""
    return definitions_for(
        analysis.types,
        analysis.params,
        harm_types=analysed_types(analysis, schema.ROLE_HARM),
        enforcement_types=analysed_types(analysis, schema.ROLE_ENFORCEMENT),
    )


def definitions_for(
    types: EventTypes,
    params: AnalysisParams,
    *,
    harm_types: list[str],
    enforcement_types: list[str],
) -> dict[str, Definition]:
    """Every definition for a config's types and labels, parameters and analysed types."""
    labels = types.labels
    thin = f"{params.thin_ratio:g}"
    demote = params.few_locations == "demote"
    items = [
        Definition(
            "harm",
            "Harm events",
            f"{labels.harm_description}: events whose type has the harm role "
            f"({_type_names(types, harm_types)}).",
        ),
        Definition(
            "enforcement",
            "Enforcement events",
            f"{labels.enforcement_description}: events whose type has the enforcement role "
            f"({_type_names(types, enforcement_types)}); recorded police effort, not outcome and "
            "not harm.",
        ),
        Definition(
            "hotspot",
            "Hotspot",
            "A DBSCAN cluster of the period's harm events, distances in metres on the British "
            f"National Grid ({schema.CRS_METRIC}): at least {params.min_samples} harm events within "
            f"{params.eps_m:g} m of a core event.",
        ),
        Definition(
            "footprint",
            "Footprint",
            f"The convex hull of a hotspot's harm events buffered by {params.margin_m:g} m; "
            "enforcement events of the period inside it count towards the hotspot (an event "
            "inside two overlapping footprints counts for both).",
        ),
        Definition(
            "coverage",
            "Coverage",
            "Enforcement events of the period inside the footprint per harm event in the hotspot.",
        ),
        Definition("thin", "Thin", f"A hotspot whose coverage is below {thin}; otherwise covered."),
        Definition(
            "harm_gap",
            "Harm gap and rank",
            f"Harm gap = harm − enforcement ÷ {thin}: the harm not matched by enforcement at the "
            "thin rate, positive exactly when thin. Rank 1 has the largest harm gap (ties: more "
            "harm, then lower coverage, then hotspot id)"
            + ("; hotspots at too few locations are ranked after all others." if demote else "."),
        ),
        Definition(
            "harm_in_thin_hotspots",
            "Harm in thin hotspots",
            "Harm events that belong to thin hotspots, counted in the district where each event "
            "is, so a district's harm in thin hotspots never exceeds its harm.",
        ),
        Definition(
            "days_since_enforcement",
            "Days since enforcement",
            "Days from the period's last day back to the latest enforcement event in the "
            "footprint dated on or before it (a date given as a month only counts from the month's "
            "first day); empty if none.",
        ),
        Definition(
            "enforcement_cluster",
            "Enforcement cluster",
            "A DBSCAN cluster (the same radius and minimum) of the period's enforcement events; "
            "shows enforcement where no harm is recorded.",
        ),
        Definition(
            "area",
            "Area",
            "A hotspot belongs to the local-authority district holding most of its harm events "
            "(equal counts: the district holding more of its footprint).",
        ),
        Definition(
            "study_area",
            "Study area",
            "The districts given by --study-area, else every district holding at least 1% of the "
            "valid events dated in the analysed period(s); smaller districts are listed in the "
            "warnings with the option that adds them (summary.json study_area_choice).",
        ),
        Definition(
            "geocoding_rate",
            "Geocoding rate",
            "Rows with usable coordinates divided by rows read.",
        ),
        Definition("rows_not_analysed", "Rows not analysed (other categories)", NOT_ANALYSED_DEFINITION),
        Definition(
            "locations",
            "Locations",
            "Distinct coordinates (to 1 m) of a hotspot's harm events; a hotspot with fewer than "
            f"{params.min_locations} is flagged 'check the geocoding'"
            + (" and left out of the priorities." if demote else "."),
        ),
        Definition(
            "stacked_point",
            "Stacked point",
            f"One coordinate (to 1 m) holding at least {params.stack_min} analysed events.",
        ),
        Definition(
            "local_area",
            "Local area",
            "With --local-areas, the local area (ward, neighbourhood, beat) holding the largest "
            "part of a hotspot's footprint (equal parts: the smaller code); empty otherwise.",
        ),
        Definition(
            "near",
            "Near",
            "The nearest populated place (GeoNames, 500 people or more) to the hotspot's "
            "centroid, the mean of its harm events.",
        ),
        Definition(
            "postcode",
            "Postcode",
            "The nearest live postcode in Great Britain to the centroid (ONS Postcode Directory, "
            "November 2025); internal audience only. postcode_sector: its outward code and the "
            "first digit of its inward code (e.g. NR30 2).",
        ),
    ]
    return {item.key: item for item in items}


def texts(found: dict[str, Definition]) -> dict[str, str]:
    """``{key: text}``, as ``summary.json`` and ``tables.xlsx`` hold them."""
    return {key: item.text for key, item in found.items()}


def summary_definitions(analysis: Analysis) -> dict[str, str]:
    """The ``definitions`` of ``summary.json`` for one analysis."""
    return texts(definitions(analysis))


def reference_table() -> str:
    """The definitions with the default config and parameters, as a Markdown table.

    docs/outputs-and-definitions.md embeds it with cog (``cog -r docs/outputs-and-definitions.md``),
    so the reference quotes the outputs' words; tests/test_docs.py fails when it drifts.
    """
    from hotspots.params import AnalysisParams, EventTypes

    types = EventTypes()
    found = definitions_for(
        types,
        AnalysisParams(),
        harm_types=[n for n, r in types.roles.items() if r == schema.ROLE_HARM],
        enforcement_types=[n for n, r in types.roles.items() if r == schema.ROLE_ENFORCEMENT],
    )
    rows = ["| key | term | definition (defaults) |", "|---|---|---|"]
    rows += [
        f"| `{item.key}` | **{item.term}** | {item.text.replace('|', '/')} |" for item in found.values()
    ]
    return "\n".join(rows)
