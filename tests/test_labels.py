"""[labels]: what harm and enforcement stand for, named wherever people look (issue 17).

With the shipped police.uk config the map header said "119 harm, 608 enforcement", the briefing
was titled "harm hotspots", its caveats said "cuckooing is under-reported" for data holding no
cuckooing, and tooltips listed "cuckooing 0, raid 0, seizure 0, drugs_offence 0".
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from hotspots.cli import main
from hotspots.errors import ConfigError
from hotspots.labels import DEFAULT_ENFORCEMENT, DEFAULT_HARM, Labels
from hotspots.params import load_config
from hotspots.timeline import TIMELINE_DEFINITIONS
from hotspots.timeofweek import WEEK_DEFINITIONS

ROOT = Path(__file__).resolve().parents[1]
POLICEUK_CONFIG = ROOT / "src" / "hotspots" / "configs" / "policeuk-street.toml"
SAMPLE_EVENTS = ROOT / "data" / "sample" / "events.csv"
SAMPLE_CONFIG = ROOT / "data" / "sample" / "norfolk.toml"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
# Norwich city centre and Great Yarmouth, a few tens of metres between events.
NORWICH = (1.2974, 52.6309)
YARMOUTH = (1.7290, 52.6078)


def _street_csv(path: Path) -> Path:
    """A police.uk-style street file: robberies in two towns, drugs and weapons offences, a burglary."""
    rows = []

    def add(place: tuple[float, float], step: int, kind: str) -> None:
        lon, lat = place[0] + 0.0004 * step, place[1] + 0.0002 * step
        n = len(rows)
        rows.append(
            f"{n:064x},2025-08,Norfolk Constabulary,Norfolk Constabulary,{lon:.6f},{lat:.6f},"
            f"On or near X Street,E01000001,Norwich 001A,{kind},Under investigation,"
        )

    for step in range(4):
        add(NORWICH, step, "Robbery")
    add(NORWICH, 1, "Drugs")
    for step in range(3):
        add(YARMOUTH, step, "Robbery")
    add(YARMOUTH, 1, "Drugs")
    add(YARMOUTH, 2, "Drugs")
    add(YARMOUTH, 1, "Possession of weapons")
    add(NORWICH, 2, "Burglary")  # not analysed (other_types = true)
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def policeuk_run(tmp_path_factory):
    """The map and the briefing of the small street file with the shipped police.uk config."""
    folder = tmp_path_factory.mktemp("policeuk")
    events = _street_csv(folder / "2025-08-norfolk-street.csv")
    common = [str(events), "--config", str(POLICEUK_CONFIG), "--period", "2025Q3", "--quiet"]
    done = CliRunner().invoke(main, ["map", *common, "--out", str(folder / "map")])
    assert done.exit_code == 0, done.output
    done = CliRunner().invoke(
        main,
        ["brief", *common, "--produced", "2025-10-07", "--reason", "test", "--out", str(folder / "brief")],
    )
    assert done.exit_code == 0, done.output
    return folder


def _header(page: str) -> str:
    return re.search(r'<header id="hs-header">.*?</header>', page, re.DOTALL).group(0)


def test_policeuk_labels_are_named_in_the_map_header_legend_and_tooltips(policeuk_run):
    page = (policeuk_run / "map" / "map.html").read_text(encoding="utf-8")
    header = _header(page)
    assert "7 harm (robbery), 4 enforcement (drugs and weapons offences)" in header
    # The title too: on a phone the summary line folds away, the title stays.
    assert "<h1>hotspots — harm (robbery) and enforcement (drugs and weapons offences) coverage</h1>" in header
    legend = re.search(r'<div id="hs-legend".*?</div></div>', page, re.DOTALL).group(0)
    assert "Hotspots (clusters of harm: robbery)" in legend
    assert "cluster of drugs and weapons offences" in legend
    assert "raids and seizures" not in page
    # Tooltip rows name the roles by their labels; symbol tooltips too.
    assert "Harm events (robbery)" in page
    assert "Enforcement in footprint (drugs and weapons offences)" in page
    assert '" harm (robbery), "' in page


def test_tooltips_list_the_users_type_labels_of_analysed_types_only(policeuk_run):
    page = (policeuk_run / "map" / "map.html").read_text(encoding="utf-8")
    # Hotspot footprints and enforcement clusters break their enforcement down by type.
    by_type = re.findall(r'"(?:enforcement|events)": ?"(\d+ \([^"]*\))"', page)
    assert len(by_type) == 3, by_type  # two hotspots, one enforcement cluster
    assert all(re.fullmatch(r"\d+ \(Drugs \d+, Possession of weapons \d+\)", e) for e in by_type)
    # Internal names and types the period holds no event of are never listed.
    for word in ("cuckooing", "raid 0", "seizure 0", "drugs_offence", "weapons_possession 0"):
        assert word not in page


def test_summary_json_names_the_labels_and_the_types(policeuk_run):
    summary = json.loads((policeuk_run / "map" / "summary.json").read_text(encoding="utf-8"))
    assert summary["labels"]["harm"] == "robbery"
    assert summary["labels"]["harm_description"] == "Robbery — a stand-in for drug-market harm"
    assert summary["labels"]["enforcement_description"] == (
        "Drugs and weapons possession offences — a stand-in for enforcement"
    )
    assert summary["labels"]["types"] == {
        "harm": {"robbery": "Robbery"},
        "enforcement": {"drugs_offence": "Drugs", "weapons_possession": "Possession of weapons"},
    }
    assert summary["definitions"]["harm"].startswith("Robbery — a stand-in for drug-market harm")
    assert "(Robbery)" in summary["definitions"]["harm"]
    assert "cuckooing" not in json.dumps(summary["definitions"])


def test_briefing_title_and_first_finding_name_the_labels(policeuk_run):
    text = (policeuk_run / "brief" / "briefing.md").read_text(encoding="utf-8")
    assert "# Tasking briefing: harm hotspots (robbery) and enforcement coverage (drugs and weapons offences)" in text
    findings = text.split("## 1. Key findings", 1)[1].split("\n## ", 1)[0]
    first = next(line for line in findings.splitlines() if line.startswith("- "))
    assert "harm hotspots (robbery)" in first
    assert "drugs and weapons offences per harm event" in first
    page = html.unescape((policeuk_run / "brief" / "briefing.html").read_text(encoding="utf-8"))
    assert "harm hotspots (robbery) and enforcement coverage (drugs and weapons offences)" in page


def test_caveats_follow_the_types_analysed(policeuk_run):
    text = (policeuk_run / "brief" / "briefing.md").read_text(encoding="utf-8")
    assert "cuckooing" not in text.casefold()
    assert "a warrant or seizure counts" not in text
    assert "Recorded harm depends on reporting (robbery here)" in text
    assert "Recorded enforcement is effort, not outcome (drugs and weapons offences here)" in text


def test_definitions_are_one_text_in_summary_map_and_briefing(policeuk_run):
    """Every definition the map page and the briefing print is summary.json's, word for word."""
    definitions = json.loads((policeuk_run / "map" / "summary.json").read_text())["definitions"]
    map_page = html.unescape((policeuk_run / "map" / "map.html").read_text(encoding="utf-8"))
    briefing = html.unescape((policeuk_run / "brief" / "briefing.html").read_text(encoding="utf-8"))
    shared = ("harm", "enforcement", "coverage", "thin", "harm_gap", "days_since_enforcement", "locations")
    for key in shared:
        assert definitions[key] in map_page, key
        assert definitions[key] in briefing, key
    assert definitions["harm_in_thin_hotspots"] in map_page


def test_tables_xlsx_names_the_labels_and_quotes_the_definitions(policeuk_run):
    openpyxl = pytest.importorskip("openpyxl")
    summary = json.loads((policeuk_run / "map" / "summary.json").read_text())
    sheet = openpyxl.load_workbook(policeuk_run / "map" / "tables.xlsx")["about"]
    about = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert about["label: harm"] == "robbery"
    assert about["column: n_drugs_offence"] == "Drugs (enforcement)"
    assert "column: n_raid" not in about  # no raid in the period
    time_terms = {*TIMELINE_DEFINITIONS, *WEEK_DEFINITIONS}  # timeline.csv is not in the book
    for key, text in summary["definitions"].items():
        if key not in time_terms:
            assert about[f"definition: {key}"] == text, key


def test_sample_keeps_the_force_data_wording(tmp_path):
    done = CliRunner().invoke(
        main,
        ["map", str(ROOT / "data" / "sample" / "events.csv"), "--config",
         str(ROOT / "data" / "sample" / "norfolk.toml"), "--period", "2024Q4", "--out", str(tmp_path), "--quiet"],
    )
    assert done.exit_code == 0, done.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["labels"]["harm"] == DEFAULT_HARM == "cuckooing reports"
    assert summary["labels"]["enforcement"] == DEFAULT_ENFORCEMENT == "raids and seizures"
    header = _header((tmp_path / "map.html").read_text(encoding="utf-8"))
    assert "harm (cuckooing reports)" in header and "enforcement (raids and seizures)" in header


# --- the config table ---------------------------------------------------------------------


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_labels_default_to_the_configs_own_type_labels(tmp_path):
    path = _config(
        tmp_path,
        '[types]\n"Robbery" = "robbery"\n"Theft from the person" = "snatch"\n'
        '[roles]\nrobbery = "harm"\nsnatch = "harm"\n',
    )
    labels = load_config(path).types.labels
    assert labels.harm == "Robbery and Theft from the person"  # never "cuckooing reports"
    assert labels.enforcement == DEFAULT_ENFORCEMENT  # only built-in enforcement types


def test_labels_given_in_part_keep_the_other_defaults(tmp_path):
    path = _config(tmp_path, '[labels]\nharm = "county lines referrals"\n')
    labels = load_config(path).types.labels
    assert labels == Labels(harm="county lines referrals")


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('harm = 3', "[labels] harm: expected text"),
        ('harm = ""', "[labels] harm: must not be empty"),
        ('harm = ["robbery"]', "[labels] harm: expected text"),
        ('enforcement_description = "two\\nlines"', "[labels] enforcement_description: holds a line break"),
        (f'enforcement = "{"x" * 41}"', "[labels] enforcement: 41 characters, at most 40"),
        ('harm_label = "robbery"', "[labels] has unknown key(s) harm_label"),
    ],
    ids=["number", "empty", "list", "line-break", "too-long", "unknown-key"],
)
def test_bad_labels_exit_2_naming_the_key(tmp_path, table, expected):
    path = _config(tmp_path, f"[labels]\n{table}\n")
    with pytest.raises(ConfigError, match=re.escape(expected)):
        load_config(path)
    done = CliRunner().invoke(
        main, ["validate", str(ROOT / "data" / "sample" / "events.csv"), "--config", str(path), "--quiet"]
    )
    assert done.exit_code == 2, done.output
    assert expected in done.output and str(path) in done.output
    assert "Traceback" not in done.output


def test_labels_must_be_a_table(tmp_path):
    path = _config(tmp_path, 'labels = "robbery"\n')
    with pytest.raises(ConfigError, match=re.escape("[labels] must be a table")):
        load_config(path)


STREET = ROOT.parent / "shared" / "data" / "policeuk" / "norfolk-street"


@pytest.mark.skipif(not STREET.is_dir(), reason=f"{STREET} not present (police.uk data is not shipped)")
def test_real_norfolk_quarter_names_robbery_and_no_cuckooing(tmp_path):
    files = [str(STREET / f"2025-{m:02d}-norfolk-street.csv") for m in (7, 8, 9)]
    done = CliRunner().invoke(
        main,
        ["map", *files, "--config", str(POLICEUK_CONFIG), "--force", "Norfolk", "--period", "2025Q3",
         "--out", str(tmp_path), "--quiet"],
    )
    assert done.exit_code == 0, done.output
    page = (tmp_path / "map.html").read_text(encoding="utf-8")
    assert re.search(r"\d+ harm \(robbery\), \d+ enforcement \(drugs and weapons offences\)", _header(page))
    assert "cuckooing" not in page and "raid 0" not in page
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["labels"]["harm"] == "robbery"


def test_evaluate_and_tune_pages_name_the_harm_label(tmp_path):
    """The sample with a [labels] table: the evaluation verdict and the tune facts use its noun."""
    config = tmp_path / "labelled.toml"
    config.write_text(
        SAMPLE_CONFIG.read_text(encoding="utf-8") + '\n[labels]\nharm = "reported takeovers"\n',
        encoding="utf-8",
    )
    common = [str(SAMPLE_EVENTS), "--config", str(config), "--period", "2024Q4", "--quiet"]
    done = CliRunner().invoke(main, ["evaluate", *common, "--against", "2024Q3", "--out", str(tmp_path / "e")])
    assert done.exit_code == 0, done.output
    assert "harm (reported takeovers: " in done.output
    for name in ("evaluate.html", "evaluate.md"):
        assert "harm (reported takeovers: " in (tmp_path / "e" / name).read_text(encoding="utf-8")
    done = CliRunner().invoke(main, ["tune", *common, "--out", str(tmp_path / "t")])
    assert done.exit_code == 0, done.output
    assert "Harm events (reported takeovers)" in (tmp_path / "t" / "tune.html").read_text(encoding="utf-8")
