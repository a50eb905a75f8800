"""Parameters and config files: every bad config is refused before any work, naming what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.errors import ConfigError
from hotspots.params import (
    AnalysisParams,
    PresentationParams,
    build_params,
    build_presentation,
    load_config,
    parameters_record,
)

BAD_CONFIGS = [
    ("not toml [", ["not valid TOML"]),
    ("[colums]\nid = 'x'\n", ["unknown table(s) colums", "expected [columns]"]),
    ("columns = 3\n", ["[columns] must be a table"]),
    ("[columns]\nident = 'URN'\n", ["[columns] has unknown key(s) ident", "expected some of"]),
    ("[columns]\nid = 7\n", ["[columns] id must be a non-empty string, got 7"]),
    ("[columns]\nid = ''\n", ["[columns] id must be a non-empty string"]),
    ("[columns]\nx = 'E'\n", ["give both x and y, or neither"]),
    ("[columns]\nx = 'E'\ny = 'N'\n", ["need their CRS", "--crs EPSG:27700"]),
    ("[roles]\nrobbery = 'victim'\n", ["type 'robbery' has role 'victim'", "harm, enforcement"]),
    ("[types]\n'Warrant' = 'warrant'\n", ["label 'warrant' maps to 'warrant', which has no role", "[roles]"]),
    ("[ignore]\ntypes = 'Shoplifting'\n", ["[ignore] types must be a list of strings"]),
    ("[ignore]\nother_types = 'yes'\n", ["[ignore] other_types must be true or false, got 'yes'"]),
    ("[analysis]\nepsilon = 400\n", ["[analysis] has unknown key(s) epsilon", "eps_m"]),
    ("[analysis]\neps_m = -5\n", ["[analysis] eps_m: expected a finite number above 0, got -5"]),
    ("[analysis]\neps_m = 'wide'\n", ["[analysis] eps_m: expected a finite number above 0"]),
    ("[analysis]\nmin_samples = 0\n", ["[analysis] min_samples: expected a whole number of at least 1"]),
    ("[analysis]\nmin_samples = 2.5\n", ["[analysis] min_samples: expected a whole number"]),
    ("[analysis]\nthin_ratio = -1\n", ["[analysis] thin_ratio: expected a finite number of 0 or more"]),
    ("[analysis]\nengine = 'fast'\n", ["[analysis] engine: expected one of grid, sklearn, got 'fast'"]),
    ("[analysis]\ndate_order = 'ymd'\n", ["[analysis] date_order: expected one of auto, dmy, mdy"]),
    ("[analysis]\nstack_min = 1\n", ["[analysis] stack_min: expected a whole number of at least 2"]),
    ("[analysis]\nmarking = '  '\n", ["[analysis] marking: the protective marking must not be empty"]),
    ("[analysis]\nshow_points = 'yes'\n", ["[analysis] show_points: expected true or false"]),
    ("[analysis]\ntiles = 'http://t.example/x.png'\n", ["[analysis] tiles: expected 'none', 'osm'"]),
]
IDS = [
    "not-toml", "unknown-table", "table-not-table", "unknown-column-key", "column-not-string",
    "column-empty", "x-without-y", "xy-without-crs", "bad-role", "type-without-role",
    "ignore-not-list", "ignore-others-not-bool", "unknown-analysis-key", "eps-negative",
    "eps-text", "min-samples-zero", "min-samples-fraction", "thin-ratio-negative", "engine",
    "date-order", "stack-min", "marking-blank", "show-points-text", "tiles",
]


def _settings(path: Path) -> None:
    """What every command does with a config before reading any event."""
    config = load_config(path)
    build_params(config)
    build_presentation(config)


@pytest.mark.parametrize(("text", "fragments"), BAD_CONFIGS, ids=IDS)
def test_bad_config_names_the_file_and_the_fix(tmp_path, text, fragments):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        _settings(path)
    message = str(caught.value)
    assert str(path) in message or "columns:" in message
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(("text", "fragments"), BAD_CONFIGS, ids=IDS)
def test_bad_config_is_exit_2_before_the_events_are_read(tmp_path, text, fragments):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    missing = tmp_path / "missing.csv"  # never opened: the config is refused first
    result = CliRunner().invoke(main, ["validate", str(missing), "--config", str(path), "--quiet"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith("Error: ") and "Traceback" not in result.output
    assert fragments[0] in result.output and "missing.csv" not in result.output


def test_missing_config_file():
    with pytest.raises(ConfigError, match="nowhere.toml: config file not found"):
        load_config(Path("nowhere.toml"))


def test_command_line_values_override_the_config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[analysis]\neps_m = 300\nmarking = 'official'\ntiles = 'osm'\n", encoding="utf-8")
    config = load_config(path)
    assert build_params(config).eps_m == 300
    assert build_params(config, eps_m=250.0, min_samples=None).eps_m == 250
    presentation = build_presentation(config, marking="secret", tiles=None)
    assert (presentation.marking, presentation.tiles) == ("secret", "osm")


def test_bad_command_line_values_are_not_blamed_on_the_config(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[analysis]\neps_m = 300\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        build_params(load_config(path), eps_m=-1.0)
    assert str(caught.value).startswith("eps_m:") and str(path) not in str(caught.value)


def test_parameters_record_keeps_the_order_outputs_have_always_had():
    record = parameters_record(AnalysisParams(), PresentationParams())
    keys = list(record)
    assert keys[-4:] == ["marking", "show_points", "tiles", "eps_source"]
    assert record["footprint_margin_m"] == AnalysisParams().eps_m / 2
