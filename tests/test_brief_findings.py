"""Key findings name every tied district and headline ranked priorities only (issue 17).

Hand-built analyses from ``test_brief`` (two districts, six planted hotspots): the reviewer found
"Norwich had the most harm in thin hotspots" when South Norfolk tied, and findings about hotspots
the briefing itself sets aside ("check the geocoding") on police.uk Norfolk 2025Q3.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from test_brief import NORWICH, YARMOUTH, make_analysis

from hotspots.brief import build_briefing

ROOT = Path(__file__).resolve().parents[1]
STREET = ROOT.parent / "shared" / "data" / "policeuk" / "norfolk-street"
CONFIG = ROOT / "src" / "hotspots" / "configs" / "policeuk-street.toml"
NORFOLK = "Breckland,Broadland,Great Yarmouth,King's Lynn and West Norfolk,North Norfolk,Norwich,South Norfolk"


def findings(analysis, audience: str = "internal") -> tuple[str, ...]:
    return build_briefing(analysis, audience=audience, produced=date(2024, 10, 7), version="t").key_findings


def demoted(analysis, *ids: str):
    """The analysis with ``few_locations = "demote"`` and ``ids`` at one location."""
    spots = analysis.hotspots.copy()
    few = spots["hotspot_id"].isin(ids)
    spots.loc[few, "few_locations"] = True
    spots.loc[few, "locations"] = 1
    return replace(analysis, hotspots=spots, params=replace(analysis.params, few_locations="demote"))


TIED = [
    ("H001", YARMOUTH, 5, 0, None, 652_340.0, 307_860.0),
    ("H002", NORWICH, 5, 0, None, 623_150.0, 308_720.0),
    ("H003", NORWICH, 6, 6, 3, 622_480.0, 309_910.0),
]


@pytest.mark.parametrize("audience", ["internal", "wide"], ids=["internal", "wide"])
def test_tied_districts_are_all_named(audience):
    # Equal district harm too: the wide order breaks a tie in thin hotspots by published harm.
    even = {NORWICH[0]: 30, YARMOUTH[0]: 30}
    found = findings(make_analysis(TIED, harm=even), audience)
    text = " ".join(found)
    assert "1 is in each of Great Yarmouth and Norwich" in found[0]
    most = "harm in thin hotspots" if audience == "internal" else "thin hotspots"
    district = [f for f in found if "tied for the most" in f]
    assert district, found
    assert district[0].startswith(f"Great Yarmouth and Norwich tied for the most {most} (2 districts).")
    assert "Great Yarmouth:" in district[0] and "Norwich:" in district[0]
    assert "had the most" not in text


def test_a_single_worst_district_keeps_its_sentence():
    found = findings(make_analysis())  # Great Yarmouth: 24 harm in thin hotspots, Norwich 5
    assert any(f.startswith("Great Yarmouth had the most harm in thin hotspots (24 harm events in 3 thin hotspots)") for f in found), found
    assert not any("tied" in f for f in found)


def test_findings_headline_ranked_priorities_only():
    # H004 (Great Yarmouth, 11 harm, no enforcement: priority 1 when flagged) sits at one
    # location and is demoted: no finding may describe it.
    found = findings(demoted(make_analysis(), "H004"))
    text = " ".join(found)
    assert "H004" not in text
    assert found[0].startswith("4 of 6 harm hotspots") and "had thin enforcement coverage" in found[0]
    assert (
        "; 1 of them is not ranked among the priorities (harm at one location: check the "
        "geocoding). Of the 3 ranked ones, 1 had no recorded enforcement at all; 2 are in Great Yarmouth."
    ) in found[0]
    assert "Ranked thin hotspots held 36% of the harm events recorded in the study area (18 of 50)." in found
    assert not any("had the most" in f or "tied for the most" in f for f in found)
    assert any(f.startswith("Priority 1 is hotspot H002 in Great Yarmouth") for f in found), found


@pytest.mark.parametrize("audience", ["internal", "wide"], ids=["internal", "wide"])
def test_no_finding_describes_thin_hotspots_that_are_all_set_aside(audience):
    found = findings(demoted(make_analysis(), "H004", "H002", "H005", "H001"), audience)
    text = " ".join(found)
    assert "none is ranked among the priorities: their harm sits at one location (check the geocoding)" in found[0]
    for word in ("H00", "had the most", "tied for the most", "Priority 1", "no recorded enforcement", "is in"):
        assert word not in text, (word, found)
    assert not any(f.startswith(("Thin hotspots held", "Ranked thin hotspots held")) for f in found)


@pytest.mark.shared
@pytest.mark.skipif(not STREET.is_dir(), reason=f"{STREET} not present (police.uk data is not shipped)")
def test_policeuk_norfolk_2025q3_findings(tmp_path):
    # The reviewer's repro: both thin hotspots are single snapped points (demoted) in Norwich
    # and South Norfolk, which tie on harm in thin hotspots.
    from click.testing import CliRunner

    from hotspots.cli import main

    files = [str(STREET / f"2025-{m:02d}-norfolk-street.csv") for m in (7, 8, 9)]
    result = CliRunner().invoke(
        main,
        ["brief", *files, "--config", str(CONFIG), "--study-area", NORFOLK, "--period", "2025Q3",
         "--out", str(tmp_path), "--no-pdf", "--quiet"],
    )
    assert result.exit_code == 0, result.output
    markdown = (tmp_path / "briefing.md").read_text()
    key = markdown.split("## 1. Key findings", 1)[1].split("## 2.", 1)[0]
    assert "neither is ranked among the priorities" in key
    assert "Norwich had the most" not in key and "1 is in Norwich" not in key
    assert "H001" not in key and "H002" not in key
    assert "not analysed (other categories)" in key
