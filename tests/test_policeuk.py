"""The shipped police.uk config on real data.police.uk files (skipped without ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.cli import main

ROOT = Path(__file__).resolve().parents[1]
STREET = ROOT.parent / "shared" / "data" / "policeuk" / "norfolk-street"
CONFIG = ROOT / "src" / "hotspots" / "configs" / "policeuk-street.toml"
NORFOLK = "Breckland,Broadland,Great Yarmouth,King's Lynn and West Norfolk,North Norfolk,Norwich,South Norfolk"

pytestmark = [
    pytest.mark.shared,
    pytest.mark.skipif(not STREET.is_dir(), reason=f"{STREET} not present (police.uk data is not shipped)"),
]


def test_map_on_a_real_norfolk_quarter_accounts_for_every_row(tmp_path):
    files = [str(STREET / f"2025-{m:02d}-norfolk-street.csv") for m in (7, 8, 9)]
    result = CliRunner().invoke(
        main,
        ["map", *files, "--config", str(CONFIG), "--study-area", NORFOLK, "--period", "2025Q3",
         "--out", str(tmp_path), "--quiet"],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["rows_read"] == (
        summary["rows_analysed"] + summary["rows_outside_period"] + summary["rows_not_analysed"]
        + summary["rows_rejected"]
    )
    assert summary["rows_outside_period"] == 0  # month-only dates of Jul-Sep are all inside 2025Q3
    reasons = summary["rejected_by_reason"]
    # Categories the config does not analyse are counted apart from rejected rows.
    assert summary["rows_not_analysed"] > 0.8 * summary["rows_read"]
    assert "type_not_analysed" not in reasons
    assert summary["rows_rejected"] == sum(reasons.values()) < 0.01 * summary["rows_read"]
    assert reasons["outside_study_area"] > 0  # police.uk files hold rows beyond the force
    assert summary["rows_by_role"]["harm"] > 50
    assert summary["stacked_points"]  # snapped points
    assert len(summary["study_area"]) == 7
