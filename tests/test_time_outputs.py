"""The time outputs of the jobs: timeline.csv, time_of_week.csv, summary.json, tooltips, briefing."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from hotspots import schema
from hotspots.cli import main
from hotspots.jobs import run_brief, run_map
from hotspots.timeline import TIMELINE_COLUMNS
from hotspots.timeofweek import STUDY_AREA, WEEK_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
NORWICH = (623_200.0, 308_500.0)
#: police.uk files live in ../shared beside the checkout (or one level up for a worktree).
STREET = next(
    (p for p in (ROOT.parent / "shared" / "data" / "policeuk" / "norfolk-street",
                 ROOT.parents[1] / "shared" / "data" / "policeuk" / "norfolk-street") if p.is_dir()),
    None,
)
POLICEUK_CONFIG = ROOT / "src" / "hotspots" / "configs" / "policeuk-street.toml"


def planted(tmp_path: Path, *, times: bool) -> Path:
    """A Norwich hotspot rising month by month through 2024 (harm on Friday nights), one raid a month."""
    rows = []
    for k, month in enumerate(np.arange(np.datetime64("2024-01"), np.datetime64("2025-01"))):
        first = month.astype("datetime64[D]")
        friday = first + (4 - (first.astype(np.int64) + 3) % 7) % 7
        for j in range(k + 2):
            angle = 2 * np.pi * j / (k + 2)
            date = f"{friday}T22:{j % 60:02d}" if times else str(friday)
            rows.append(("cuckooing", date, NORWICH[0] + 50 * np.cos(angle), NORWICH[1] + 50 * np.sin(angle)))
        rows.append(("raid", str(first + 2), *NORWICH))
    frame = pd.DataFrame(rows, columns=["type", "date", "easting", "northing"])
    frame.insert(0, "id", [f"E{k:04d}" for k in range(len(frame))])
    path = tmp_path / "events.csv"
    frame.to_csv(path, index=False)
    return path


def test_map_writes_the_timeline_and_time_of_week(tmp_path):
    result = run_map(planted(tmp_path, times=True), period="2024Q4")
    names = result.write(tmp_path / "out")
    assert schema.OUT_TIMELINE in names and schema.OUT_TIME_OF_WEEK in names
    timeline = pd.read_csv(tmp_path / "out" / schema.OUT_TIMELINE)
    assert tuple(timeline.columns) == TIMELINE_COLUMNS
    spot = timeline[timeline["level"] == "hotspot"]
    assert spot["harm"].tolist() == list(range(2, 14))
    week = pd.read_csv(tmp_path / "out" / schema.OUT_TIME_OF_WEEK)
    assert tuple(week.columns) == WEEK_COLUMNS
    study = week[week["id"] == STUDY_AREA]
    assert study.loc[(study["day"] == "Friday") & (study["hour"] == 22), "harm"].item() == 11 + 12 + 13
    summary = json.loads((tmp_path / "out" / schema.OUT_SUMMARY).read_text())
    assert summary["timeline"]["hotspot_trends"]["2024Q4-H001"]["trend"] == "rising"
    assert summary["time_of_week"]["tables"][STUDY_AREA]["left_out_no_time"] == 0
    assert {"trend", "timeline_month_of_event", "time_of_week_window"} <= set(summary["definitions"])
    html = (tmp_path / "out" / schema.OUT_MAP).read_text()
    assert "Harm per month" in html and "sparkline" in html and "rising (p" in html
    # The time definitions on the page are summary.json's, word for word (written once).
    page = unescape(html)
    for key in ("timeline_hotspot_series", "trend", "time_of_week", "time_of_week_window"):
        assert summary["definitions"][key] in page, key
    assert "harm by day and hour (4-hour blocks) =" in page


def test_date_only_input_gives_series_but_no_time_of_week_and_says_so(tmp_path):
    result = run_map(planted(tmp_path, times=False), period="2024Q4")
    names = result.write(tmp_path / "out")
    assert schema.OUT_TIMELINE in names and schema.OUT_TIME_OF_WEEK not in names
    summary = json.loads((tmp_path / "out" / schema.OUT_SUMMARY).read_text())
    assert summary["time_of_week"]["tables"][STUDY_AREA]["left_out_no_time"] == 11 + 12 + 13


def test_briefing_draws_a_chart_per_priority_hotspot_and_states_the_trend(tmp_path):
    result = run_brief(planted(tmp_path, times=True), period="2024Q4", produced="2025-01-15", pdf=False)
    assert "Harm in 2024Q4-H001 (rank 1) has risen each month since" in " ".join(result.briefing.key_findings)
    assert result.briefing_html.count('<svg class="sparkline"') == 1
    assert 'class="heat-table"' in result.briefing_html and "Harm per month" in result.briefing_md
    wide = run_brief(planted(tmp_path, times=True), period="2024Q4", produced="2025-01-15", pdf=False,
                     audience="wide")
    assert "sparkline" not in wide.briefing_html  # small monthly counts are not for the wide audience


def test_time_col_option_names_the_column_and_a_missing_one_exits_2(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,type,date,Time Committed,lat,lon\nA1,raid,2024-07-25,21:15,52.6284,1.2963\n")
    ok = CliRunner().invoke(main, ["validate", str(path), "--time-col", "Time Committed", "--quiet"])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(main, ["validate", str(path), "--time-col", "Hour", "--quiet"])
    assert bad.exit_code == 2 and "Hour" in bad.output and "Traceback" not in bad.output


@pytest.mark.shared
@pytest.mark.skipif(STREET is None, reason="police.uk data (../shared/data/policeuk) not present")
def test_policeuk_month_only_data_gives_monthly_series_only(tmp_path):
    files = [STREET / f"2025-{m:02d}-norfolk-street.csv" for m in range(1, 10)]
    result = run_map(files, config=POLICEUK_CONFIG, period="2025Q3")
    names = result.write(tmp_path)
    assert schema.OUT_TIME_OF_WEEK not in names
    assert result.timeline.months == tuple(f"2025-{m:02d}" for m in range(1, 10))
    assert not result.time_of_week.has_times
    harm = int((result.analysis.events[schema.COL_ROLE] == schema.ROLE_HARM).sum())
    assert result.time_of_week.tables[STUDY_AREA].no_time == harm
    areas = result.timeline.frame().query("level == 'area' and in_period")
    assert areas["harm"].sum() == result.analysis.areas["harm"].sum()
