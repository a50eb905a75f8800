"""--surface and --chance-test through the command line, on the bundled synthetic sample."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner

from hotspots import schema
from hotspots.cli import main
from hotspots.significance import WORD_COULD_BE, WORD_UNLIKELY

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = [str(ROOT / "data/sample/events.csv"), "--config", str(ROOT / "data/sample/norfolk.toml"), "--quiet"]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def mapped(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("surface") / "map"
    result = run("map", *SAMPLE, "--period", "2024Q4", "--surface", "--chance-test", "--replicates", "49",
                 "--out", out)
    assert result.exit_code == 0, result.output
    return out


def test_map_writes_the_surface_files_and_says_how_they_were_made(mapped):
    summary = json.loads((mapped / schema.OUT_SUMMARY).read_text())
    assert schema.OUT_SURFACE in summary["outputs"] and schema.OUT_SURFACE_AREAS in summary["outputs"]
    assert summary["surface"]["bandwidth_m"] == 400 and summary["surface"]["cell_m"] == 100
    assert "coverage_gap" in summary["surface"]["definitions"]
    assert summary["chance_test"]["replicates"] == 49
    with rasterio.open(mapped / schema.OUT_SURFACE) as src:
        assert src.crs.to_epsg() == 27700 and src.count == 3
        gap = src.read(3)
    assert np.nanmax(gap) > 0 > np.nanmin(gap)
    html = (mapped / schema.OUT_MAP).read_text()
    assert "Coverage-gap surface" in html and "data:image/png;base64," in html


def test_planted_thin_hotspots_are_unlikely_by_chance_and_covered_ones_are_not(mapped):
    # data/sample/README.md: Great Yarmouth north (30 harm, 2 enforcement), Norwich north (19/2)
    # and Wymondham (12/1) are planted thin; Gorleston (11/13) and King's Lynn (15/18) covered.
    features = json.loads((mapped / schema.OUT_HOTSPOTS).read_text())["features"]
    by_harm = {f["properties"]["harm"]: f["properties"] for f in features}
    for harm in (30, 19, 12):
        assert by_harm[harm]["chance"] == WORD_UNLIKELY and by_harm[harm]["p_value"] <= 0.05
    for harm in (11, 15):
        assert by_harm[harm]["chance"] == WORD_COULD_BE and by_harm[harm]["p_value"] > 0.5


def test_surface_areas_put_the_largest_unmatched_harm_where_the_thin_hotspots_are(mapped):
    import pandas as pd

    table = pd.read_csv(mapped / schema.OUT_SURFACE_AREAS)
    assert set(table.columns) >= {"area_code", "unmatched_harm", "thin_surface_km2", "peak_gap_per_km2"}
    # The sharpest peak is at Great Yarmouth north, 30 harm and 2 enforcement in one footprint.
    assert table.loc[table["peak_gap_per_km2"].idxmax(), "area_name"] == "Great Yarmouth"


def test_reruns_are_byte_identical(mapped, tmp_path):
    again = tmp_path / "again"
    result = run("map", *SAMPLE, "--period", "2024Q4", "--surface", "--chance-test", "--replicates", "49",
                 "--out", again)
    assert result.exit_code == 0, result.output
    for name in (schema.OUT_SURFACE, schema.OUT_SURFACE_AREAS, schema.OUT_HOTSPOTS, schema.OUT_MAP):
        assert (again / name).read_bytes() == (mapped / name).read_bytes(), name


def test_compare_draws_both_periods_on_one_grid_with_their_difference(tmp_path):
    out = tmp_path / "compare"
    result = run("compare", *SAMPLE, "--period", "2024Q4", "--against", "2024Q3", "--surface", "--out", out)
    assert result.exit_code == 0, result.output
    with rasterio.open(out / schema.OUT_SURFACE) as src:
        assert src.count == 5
        assert [d.split(":")[0] for d in src.descriptions] == ["harm", "enforcement", "gap", "previous_gap",
                                                              "difference"]
        gap, before, change = src.read(3), src.read(4), src.read(5)
    assert np.allclose(change, gap - before, equal_nan=True, atol=1e-4)
    html = (out / schema.OUT_COMPARE_MAP).read_text()
    assert "Coverage-gap surface, 2024Q3" in html and "Change in the coverage gap" in html
    summary = json.loads((out / schema.OUT_SUMMARY).read_text())
    assert summary["surface"]["cell_m"] == 100


@pytest.mark.parametrize(
    ("option", "message"),
    [(["--surface-cell", "-5"], "surface cell"), (["--surface-bandwidth", "nan"], "surface bandwidth"),
     (["--chance-test", "--replicates", "0"], "replicates"), (["--chance-test", "--chance-alpha", "1.5"], "alpha"),
     (["--surface-cell", "300"], "under two cells")],
    ids=["negative-cell", "nan-bandwidth", "zero-replicates", "alpha-above-one", "cell-wider-than-kernel"],
)
def test_bad_surface_and_chance_options_exit_2_with_a_message(tmp_path, option, message):
    result = run("map", *SAMPLE, "--period", "2024Q4", *option, "--out", tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_briefing_says_which_priorities_are_unlikely_by_chance(tmp_path):
    out = tmp_path / "internal"
    result = run("brief", *SAMPLE, "--period", "2024Q4", "--chance-test", "--replicates", "19",
                 "--produced", "2024-12-31", "--no-pdf", "--out", out)
    assert result.exit_code == 0, result.output
    markdown = (out / "briefing.md").read_text()
    assert "Against chance" in markdown and WORD_UNLIKELY in markdown and "(p = " in markdown
    assert "enforcement is absent there" in markdown  # the caveat travels with the column


def test_the_wide_briefing_refuses_the_chance_test(tmp_path):
    # A test result can pin a suppressed count: the wide version prints none (docs/privacy.md).
    result = run("brief", *SAMPLE, "--period", "2024Q4", "--chance-test", "--audience", "wide",
                 "--produced", "2024-12-31", "--no-pdf", "--out", tmp_path / "wide")
    assert result.exit_code == 2, result.output
    assert "--chance-test is for the internal audience" in result.output
    assert not (tmp_path / "wide").exists()


@pytest.mark.parametrize("audience", ["internal", "wide"])
def test_briefing_surface_by_area_and_the_wide_audience_gets_1_km_squares(tmp_path, audience):
    out = tmp_path / audience
    result = run("brief", *SAMPLE, "--period", "2024Q4", "--surface", "--audience", audience,
                 "--produced", "2024-12-31", "--no-pdf", "--out", out)
    if audience == "wide":
        # Its smoothed figures pinned a suppressed count in the disclosure attack: refused.
        assert result.exit_code == 2, result.output
        assert "--surface is for the internal audience" in result.output
        return
    assert result.exit_code == 0, result.output
    markdown = (out / "briefing.md").read_text()
    assert "Coverage-gap surface by area" in markdown and "Unmatched harm (smoothed)" in markdown
    assert ("1000 m cells" in markdown) == (audience == "wide")
    if audience == "wide":
        # Summed over a 1 km square the density bands give the square's exact count back: the
        # wide folder holds the briefing's disclosure-controlled table only (docs/privacy.md).
        assert not (out / schema.OUT_SURFACE).exists() and not (out / schema.OUT_SURFACE_AREAS).exists()
        # Which square peaks ranks values the rounding hides: the wide table shows no peak.
        assert "Peak (OS grid ref)" not in markdown
        return
    assert "Peak (OS grid ref)" in markdown
    with rasterio.open(out / schema.OUT_SURFACE) as src:
        assert src.res == (100.0, 100.0)
    assert (out / schema.OUT_SURFACE_AREAS).exists()
