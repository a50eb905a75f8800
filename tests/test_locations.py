"""Hotspots whose harm sits at one point are flagged, or demoted when configured (issue 17).

On police.uk Norfolk 2025Q3, priorities 1 and 2 were each 3 robberies at one snapped point;
the stacked-points table lists only 5 or more events at a point, so neither was flagged.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from hotspots.brief import build_briefing
from hotspots.errors import ConfigError
from hotspots.params import AnalysisParams, Config, build_params, load_config
from hotspots.period import parse_period
from hotspots.pipeline import analyse_period, load
from hotspots.render.map import locations_text

POLICEUK_CONFIG = Path(__file__).resolve().parents[1] / "src" / "hotspots" / "configs" / "policeuk-street.toml"
NORWICH = (623_200.0, 308_500.0)
YARMOUTH = (652_300.0, 307_700.0)


def frame() -> pd.DataFrame:
    """Norwich: 3 harm events at one point, no enforcement. Yarmouth: 6 harm events at 6 points
    40 m apart and 1 raid."""
    rows = []

    def add(x, y, kind):
        rows.append({"id": f"E{len(rows)}", "type": kind, "date": "2024-08-01", "easting": x, "northing": y})

    for _ in range(3):
        add(*NORWICH, "cuckooing")
    for i in range(6):
        add(YARMOUTH[0] + 40 * i, YARMOUTH[1], "cuckooing")
    add(*YARMOUTH, "raid")
    return pd.DataFrame(rows)


def analysed(tmp_path: Path, name: str = "e.csv", **analysis):
    path = tmp_path / name
    frame().to_csv(path, index=False)
    config = Config(analysis=analysis)
    params = build_params(config, period=parse_period("2024Q3"))
    return analyse_period(load([path], config, params), params, config, params.period)


def test_locations_count_distinct_points_of_harm(tmp_path):
    spots = analysed(tmp_path).hotspots.set_index("area_name")
    assert spots.loc["Norwich", "harm"] == 3 and spots.loc["Norwich", "locations"] == 1
    assert spots.loc["Great Yarmouth", "locations"] == 6
    assert bool(spots.loc["Norwich", "few_locations"])
    assert not bool(spots.loc["Great Yarmouth", "few_locations"])


def test_flag_keeps_the_rank_and_says_so_everywhere(tmp_path):
    result = analysed(tmp_path)
    spots = result.hotspots.set_index("area_name")
    # Harm gap: Yarmouth 6 - 1/0.5 = 4 > Norwich 3; flagging leaves the order alone.
    assert list(result.hotspots["area_name"]) == ["Great Yarmouth", "Norwich"]
    warning = next(w for w in result.quality.warnings if "check the geocoding" in w)
    assert f"{spots.loc['Norwich', 'hotspot_id']} in Norwich (all 3 events at one location)" in warning
    assert "ranked as usual" in warning
    row = spots.loc["Norwich"].to_dict()
    assert locations_text(row, result.params) == "all 3 events at one location — check the geocoding"
    briefing = build_briefing(result, produced=date(2024, 10, 7))
    assert [r["Hotspot"] for r in briefing.priority.records()] == list(result.hotspots["hotspot_id"])
    assert "Check the geocoding before tasking" in briefing.priority_note
    assert "(all 3 events at one location)" in briefing.priority_note


def test_demote_ranks_it_last_and_out_of_the_priorities(tmp_path):
    # At thin ratio 0.2 Norwich has the larger harm gap (3 against 6 - 1 / 0.2 = 1):
    # flagged, it is priority 1; demoted, it comes last.
    flagged = analysed(tmp_path, "flag.csv", thin_ratio=0.2)
    result = analysed(tmp_path, "demote.csv", few_locations="demote", min_locations=2, thin_ratio=0.2)
    assert list(flagged.hotspots["area_name"]) == ["Norwich", "Great Yarmouth"]
    assert list(result.hotspots["area_name"]) == ["Great Yarmouth", "Norwich"]
    norwich = result.hotspots.set_index("area_name").loc["Norwich"]
    briefing = build_briefing(result, produced=date(2024, 10, 7))
    listed = [r["Hotspot"] for r in briefing.priority.records()]
    assert norwich["hotspot_id"] not in listed
    assert f"Not ranked among the priorities (check the geocoding): {norwich['hotspot_id']}" in briefing.priority_note
    assert any("demoted below the other hotspots" in w for w in result.quality.warnings)
    assert locations_text(norwich.to_dict(), result.params).endswith("not ranked among priorities")


def test_min_locations_sets_the_threshold(tmp_path):
    result = analysed(tmp_path, min_locations=7)
    assert list(result.hotspots["few_locations"]) == [True, True]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"few_locations": "hide"}, "few_locations: expected one of flag, demote, got 'hide'"),
        ({"min_locations": 0}, "min_locations: expected a whole number of at least 1"),
    ],
    ids=["unknown-choice", "zero"],
)
def test_bad_settings_are_refused(settings, message):
    with pytest.raises(ConfigError, match=message):
        AnalysisParams(**settings)


def test_the_policeuk_config_demotes():
    params = build_params(load_config(POLICEUK_CONFIG))
    assert (params.few_locations, params.min_locations) == ("demote", 2)
    assert AnalysisParams().few_locations == "flag"
