"""One id is one hotspot, within every output and across periods (issue 17).

The sample briefing's Changes table listed H003 twice: in 2024Q4 (Breckland, split) and in
2024Q3 (North Norfolk, resolved). Ids now start with their period's label.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from hotspots.analysis import hotspot_prefix
from hotspots.brief import build_briefing
from hotspots.compare import compare
from hotspots.errors import InputError
from hotspots.params import build_params, load_config
from hotspots.period import parse_period
from hotspots.pipeline import analyse_period, load

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture(scope="module")
def sample_periods():
    config = load_config(SAMPLE / "norfolk.toml")
    params = build_params(config, period=parse_period("2024Q4"))
    loaded = load([SAMPLE / "events.csv"], config, params)
    current = analyse_period(loaded, params, config, params.period)
    previous = analyse_period(loaded, params, config, parse_period("2024Q3"))
    return previous, current


@pytest.mark.parametrize(
    ("period", "prefix"),
    [("2024Q4", "2024Q4-H"), ("fy2024-25q1", "FY2024-25Q1-H"), (None, "H")],
    ids=["quarter", "financial-quarter", "no-period"],
)
def test_ids_start_with_the_period_label(period, prefix):
    assert hotspot_prefix(parse_period(period) if period else None) == prefix


def test_sample_ids_name_their_period_and_never_meet(sample_periods):
    previous, current = sample_periods
    assert len(previous.hotspots) and len(current.hotspots)
    assert all(i.startswith("2024Q3-H") for i in previous.hotspots["hotspot_id"])
    assert all(i.startswith("2024Q4-H") for i in current.hotspots["hotspot_id"])
    # The events carry the ids of the hotspot table, and nothing else.
    in_events = set(current.events["hotspot_id"]) - {""}
    assert in_events == set(current.hotspots["hotspot_id"])


def test_sample_changes_table_lists_each_id_once(sample_periods):
    previous, current = sample_periods
    comparison = compare(previous, current, match_distance_m=current.params.eps_m)
    ids = comparison.hotspots["hotspot_id"]
    assert ids.is_unique
    briefing = build_briefing(current, comparison, previous, produced=date(2025, 1, 6))
    listed = [r["Hotspot"] for r in briefing.changes.hotspots.records()]
    assert len(listed) == len(set(listed)) > 0
    # Every matched id names a hotspot of the other period.
    for row in comparison.hotspots.itertuples():
        other = "2024Q3-H" if row.period == "current" else "2024Q4-H"
        assert all(m.startswith(other) for m in row.matched_ids.split(";") if m)


def test_ids_are_stable_when_rows_are_shuffled(tmp_path, sample_periods):
    _, current = sample_periods
    shuffled = pd.read_csv(SAMPLE / "events.csv", dtype=str).sample(frac=1.0, random_state=3)
    path = tmp_path / "shuffled.csv"
    shuffled.to_csv(path, index=False)
    config = load_config(SAMPLE / "norfolk.toml")
    params = build_params(config, period=parse_period("2024Q4"))
    again = analyse_period(load([path], config, params), params, config, params.period)
    columns = ["hotspot_id", "rank", "harm", "area_code"]
    pd.testing.assert_frame_equal(
        pd.DataFrame(current.hotspots[columns]), pd.DataFrame(again.hotspots[columns])
    )


def test_compare_refuses_one_id_for_two_hotspots(sample_periods):
    _, current = sample_periods
    with pytest.raises(InputError, match=r"2024Q4-H001.* in both periods.*differently labelled"):
        compare(current, current, match_distance_m=current.params.eps_m)
