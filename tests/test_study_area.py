"""The default study area follows the analysed period's events (issue 17).

Adding one 2023 raid in Cornwall, outside both analysed periods, put Cornwall in the default
study area and raised evaluate's PAI from 2094 to 3068 (+46 %).
"""

from __future__ import annotations

import json

import pytest
from test_analysis import LYNN, NORWICH, planted

from hotspots import schema
from hotspots.jobs import run_compare, run_map
from hotspots.validate import STUDY_MIN_SHARE

CORNWALL = (180_000.0, 50_000.0)  # Cornwall, far from every planted event
NORFOLK = {"E07000145", "E07000146", "E07000148"}  # Great Yarmouth, King's Lynn, Norwich


def with_rows(tmp_path, *rows):
    frame = planted()
    for row in rows:
        frame.loc[len(frame)] = row
    path = tmp_path / "e.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_row_outside_the_period_never_moves_the_study_area(tmp_path):
    plain = run_map(with_rows(tmp_path), period="2024Q3")
    stray = {"id": "C1", "type": "raid", "date": "2023-05-01", "easting": CORNWALL[0], "northing": CORNWALL[1]}
    moved = run_map(with_rows(tmp_path, stray), period="2024Q3")
    assert set(moved.analysis.areas[schema.COL_AREA_CODE]) == set(plain.analysis.areas[schema.COL_AREA_CODE])
    assert set(plain.analysis.areas[schema.COL_AREA_CODE]) == NORFOLK
    # The stray row is accounted for, and says why it was left out.
    q = moved.analysis.quality
    assert q.rejected_by_reason[schema.REASON_OUTSIDE_AREA] == 1
    assert q.rows_analysed + q.rows_outside_period + q.rows_rejected == q.rows_read


def test_a_row_outside_both_compared_periods_never_moves_the_study_area(tmp_path):
    stray = {"id": "C1", "type": "raid", "date": "2023-05-01", "easting": CORNWALL[0], "northing": CORNWALL[1]}
    # The previous period's events choose the study area too: Lynn's are dated 2024Q2 here.
    early = {"id": "Q2", "type": "cuckooing", "date": "2024-05-02", "easting": LYNN[0], "northing": LYNN[1]}
    result = run_compare(with_rows(tmp_path, stray, early), period="2024Q3", against="2024Q2")
    assert set(result.current.areas[schema.COL_AREA_CODE]) == NORFOLK
    assert set(result.previous.areas[schema.COL_AREA_CODE]) == NORFOLK


def test_a_district_under_one_percent_is_listed_with_the_option_that_adds_it(tmp_path):
    # 31 planted events in 2024Q3; one more in South Norfolk is 1 of 32 (3.1 %): added.
    # Against 111 others it is under 1 %: listed, not added.
    south = {"id": "S1", "type": "raid", "date": "2024-08-03", "easting": 615_000, "northing": 295_000}
    filler = [
        {"id": f"F{i}", "type": "seizure", "date": "2024-08-04", "easting": NORWICH[0] + 3 * i, "northing": NORWICH[1] - 300}
        for i in range(80)
    ]
    small = run_map(with_rows(tmp_path, south, *filler), period="2024Q3")
    n_events = small.analysis.quality.rows_analysed + 1
    assert 1 / n_events < STUDY_MIN_SHARE
    assert "E07000149" not in set(small.analysis.areas[schema.COL_AREA_CODE])
    warning = next(w for w in small.analysis.quality.warnings if w.startswith("study area:"))
    assert "South Norfolk (E07000149: 1 event, 0.9%) holds under 1% of the period's events" in warning
    assert "pass --study-area 'Great Yarmouth,King'\"'\"'s Lynn and West Norfolk,Norwich,South Norfolk'" in warning

    added = run_map(with_rows(tmp_path, south), period="2024Q3")
    assert "E07000149" in set(added.analysis.areas[schema.COL_AREA_CODE])
    assert not any(w.startswith("study area:") for w in added.analysis.quality.warnings)


@pytest.mark.parametrize("given", [False, True], ids=["default", "given"])
def test_summary_says_how_the_study_area_was_chosen(tmp_path, given):
    config = tmp_path / "c.toml"
    config.write_text('[analysis]\nstudy_area = ["Norwich", "Great Yarmouth", "King\'s Lynn and West Norfolk"]\n' if given else "")
    result = run_map(with_rows(tmp_path), period="2024Q3", config=config)
    result.write(tmp_path / "out")
    summary = json.loads((tmp_path / "out" / schema.OUT_SUMMARY).read_text())
    choice = summary["study_area_choice"]
    if given:
        assert choice == {"rule": "given: the districts named by --study-area or [analysis] study_area", "left_out": []}
    else:
        assert choice["rule"] == "every district holding at least 1% of the 31 valid events dated in 2024Q3"
        assert choice["left_out"] == []
    assert {d["area_code"] for d in summary["study_area"]} == NORFOLK
