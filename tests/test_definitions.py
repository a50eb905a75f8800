"""hotspots.definitions: every definition written once, with the run's parameters and labels."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from hotspots.definitions import (
    BRIEFING_TERMS,
    CHANCE_TEST,
    MAP_TERMS,
    definitions_for,
    reference_table,
    texts,
)
from hotspots.labels import Labels
from hotspots.params import AnalysisParams, EventTypes
from hotspots.significance import ChanceTest


def _types(**labels: str) -> EventTypes:
    return EventTypes(
        roles={"robbery": "harm", "drugs_offence": "enforcement", "raid": "enforcement"},
        type_labels={"robbery": "Robbery", "drugs_offence": "Drugs"},
        labels=Labels(**labels),
    )


def test_harm_and_enforcement_are_named_by_labels_and_type_labels():
    found = definitions_for(
        _types(harm_description="Robbery — a stand-in"),
        AnalysisParams(),
        harm_types=["robbery"],
        enforcement_types=["drugs_offence", "raid"],
    )
    assert found["harm"].text == (
        "Robbery — a stand-in: events whose type has the harm role (Robbery)."
    )
    # A type without a label of its own shows its name.
    assert "(Drugs, raid); recorded police effort" in found["enforcement"].text


@pytest.mark.parametrize(
    ("params", "key", "expected"),
    [
        (AnalysisParams(thin_ratio=0.3), "thin", "A hotspot whose coverage is below 0.3; otherwise covered."),
        (AnalysisParams(eps_m=250, min_samples=4), "hotspot", "at least 4 harm events within 250 m"),
        (AnalysisParams(eps_m=300), "footprint", "buffered by 150 m"),
        (AnalysisParams(few_locations="demote"), "locations", "left out of the priorities."),
        (AnalysisParams(few_locations="demote"), "harm_gap", "ranked after all others."),
        (AnalysisParams(stack_min=7), "stacked_point", "at least 7 analysed events"),
    ],
    ids=["thin-ratio", "eps-min-samples", "margin-half-eps", "demote-locations", "demote-rank", "stack"],
)
def test_parameters_are_written_in(params, key, expected):
    found = definitions_for(_types(), params, harm_types=["robbery"], enforcement_types=["raid"])
    assert expected in found[key].text


def test_no_raw_parameter_keys_in_the_texts():
    found = texts(definitions_for(_types(), AnalysisParams(), harm_types=[], enforcement_types=[]))
    for key in ("eps_m", "thin_ratio", "min_samples", "stack_min", "footprint_margin_m"):
        assert not any(key in text for text in found.values()), key
    assert "none in this period" in found["harm"]


def test_every_term_a_page_prints_is_defined_and_the_reference_lists_all():
    found = definitions_for(_types(), AnalysisParams(), harm_types=[], enforcement_types=[])
    assert set(MAP_TERMS) <= set(found) and set(BRIEFING_TERMS) <= set(found)
    table = reference_table()
    assert all(f"| `{key}` |" in table for key in found)


def test_chance_test_is_one_text_in_summary_and_briefing():
    from hotspots.brief import wording

    summary = ChanceTest(
        p_values=np.array([]), statistics=np.array([]), replicates=9, seed=1, alpha=0.05, cell_m=100.0
    ).as_dict()
    assert summary["test"] == CHANCE_TEST
    tested = SimpleNamespace(hotspots=pd.DataFrame({"p_value": [0.01]}))
    assert wording._chance_definition(tested) == [("Against chance", CHANCE_TEST)]
