"""A config cannot change meaning silently (issue 17): refused with exit 2, the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.params import load_config

EVENTS = "id,type,date,lat,lon\n1,raid,2024-07-01,52.63,1.29\n"


def run_with_config(tmp_path: Path, toml: str):
    config = tmp_path / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    events = tmp_path / "e.csv"
    events.write_text(EVENTS, encoding="utf-8")
    args = ["map", str(events), "--config", str(config), "--out", str(tmp_path / "out"), "--quiet"]
    return CliRunner().invoke(main, args)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[roles]\nraid = "harm"\n',
            [
                "[roles] raid = 'harm' changes the role of the built-in type 'raid'",
                "harm and enforcement are never mixed",
                '[types] "raid" = "my_raid" and [roles] my_raid = "harm"',
            ],
        ),
        (
            '[roles]\nCuckooing = "enforcement"\n',
            ["[roles] Cuckooing = 'enforcement' changes the role of the built-in type 'cuckooing'"],
        ),
        (
            '[types]\n"Raid" = "raid"\n"RAID" = "seizure"\n',
            [
                "[types] 'Raid' = 'raid' and 'RAID' = 'seizure' are one label",
                "mapped to two types; keep one of them",
            ],
        ),
        (
            '[analysis]\nstudy_area = "Norwich"\n',
            [
                "[analysis] study_area must be a list of district names or codes, got 'Norwich'",
                'write study_area = ["Norwich"]',
            ],
        ),
        (
            "[analysis]\nstudy_area = [1, 2]\n",
            ["[analysis] study_area must be a list of district names or codes, got [1, 2]"],
        ),
    ],
    ids=["raid-as-harm", "cuckooing-as-enforcement-any-case", "one-label-two-types", "string-study-area", "numbers"],
)
def test_meaning_changing_config_is_refused_with_exit_2(tmp_path, toml, expected):
    result = run_with_config(tmp_path, toml)
    assert result.exit_code == 2, result.output
    for fragment in expected:
        assert fragment in result.output
    assert "bad.toml" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "toml",
    [
        '[roles]\nraid = "enforcement"\n',  # the built-in role, restated
        '[types]\n"Raid" = "raid"\n"RAID" = "raid"\n',  # one label, one type
        '[types]\n"warrant" = "my_raid"\n[roles]\nmy_raid = "harm"\n',  # a new type may be harm
        '[analysis]\nstudy_area = ["Norwich"]\n',
    ],
    ids=["same-role", "same-type-twice", "new-type-harm", "list-study-area"],
)
def test_configs_that_keep_the_meaning_load(tmp_path, toml):
    path = tmp_path / "ok.toml"
    path.write_text(toml, encoding="utf-8")
    load_config(path)
