"""Briefings print parameters in words and their sources once (issue 17)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from test_brief import make_analysis

from hotspots.brief import briefing_html, briefing_markdown, build_briefing
from hotspots.brief.docx import briefing_docx
from hotspots.parameter_words import PARAMETER_WORDS, parameter_label, value_in_words
from hotspots.params import AnalysisParams, PresentationParams, parameters_record

RAW_KEYS = re.compile(r"\b(?:eps_m|min_samples|footprint_margin_m|thin_ratio|coast_tolerance_m|stack_min|"
                      r"min_locations|few_locations|eps_source|show_points|date_order)\b")
#: The bundled boundaries' source line, which states the ONS and OS attributions itself.
BUNDLED = (
    "Local authority districts (April 2025), dissolved from ONS LSOA (Dec 2011) Boundaries Super "
    "Generalised Clipped by the ONS Postcode Directory (November 2025). Source: Office for National "
    "Statistics licensed under the Open Government Licence v.3.0; Contains OS data © Crown copyright "
    "and database right."
)
ONS = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"


def test_every_parameter_has_words():
    keys = parameters_record(AnalysisParams(), PresentationParams())
    assert set(keys) <= set(PARAMETER_WORDS), set(keys) - set(PARAMETER_WORDS)


@pytest.mark.parametrize(
    ("key", "text", "label", "value"),
    [
        ("eps_m", "400", "Neighbourhood radius (eps)", "400 m"),
        ("coast_tolerance_m", "1000", "Coast tolerance (offshore points within it join the nearest district)", "1000 m"),
        ("few_locations", "demote", "Hotspots with fewer distinct locations",
         "ranked after every other hotspot and left out of the priorities (check the geocoding)"),
        ("surface_cell_m", "100", "Surface cell", "100 m"),  # a key without words yet
        ("footprint_margin_m", "not set", "Margin around a hotspot's events (footprint)", "not set"),
    ],
    ids=["eps", "coast", "few-locations", "unknown-key", "not-set"],
)
def test_parameter_in_words(key, text, label, value):
    assert parameter_label(key) == label
    assert value_in_words(key, text) == value


@pytest.fixture(scope="module")
def bundled_briefing():
    analysis = replace(make_analysis(), boundary_source=BUNDLED)
    analysis = replace(analysis, params=replace(analysis.params, few_locations="demote"))
    return build_briefing(analysis, produced=date(2024, 10, 7), version="t")


def test_briefing_parameters_have_no_raw_keys(bundled_briefing):
    rows = dict(bundled_briefing.parameters.rows)
    assert rows["Neighbourhood radius (eps)"] == "400 m"
    assert rows["Events at one exact point that make a stacked point"] == "5"
    html, markdown = briefing_html(bundled_briefing), briefing_markdown(bundled_briefing)
    method = markdown.split("### Parameters", 1)[1].split("### Inputs", 1)[0]
    assert not RAW_KEYS.search(method.replace("\\_", "_")), method
    parameters = html.split("<h3>Parameters</h3>", 1)[1].split("</table>", 1)[0]
    assert not RAW_KEYS.search(parameters), parameters


def test_sources_are_printed_once(bundled_briefing):
    assert ONS not in bundled_briefing.attributions  # the boundary source says it already
    for text in (briefing_html(bundled_briefing), briefing_markdown(bundled_briefing)):
        assert text.count("Sources") == 1
        assert text.count("Source: Office for National Statistics") == 1
    assert "Contains OS data © Crown copyright and database right" not in bundled_briefing.attributions
    postcodes = [a for a in bundled_briefing.attributions if a.startswith("Postcodes:")]
    assert postcodes and "Royal Mail" in postcodes[0] and "Office for National" not in postcodes[0]
    # A user's own boundaries keep every attribution line.
    own = build_briefing(make_analysis(boundary_source="my_wards.geojson"), produced=date(2024, 10, 7), version="t")
    assert ONS in own.attributions


def test_docx_has_words_and_one_source_line(bundled_briefing):
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(briefing_docx(bundled_briefing))) as z:
        xml = z.read("word/document.xml").decode()
    text = re.sub(r"<[^>]+>", "", xml)
    assert "Neighbourhood radius (eps)" in text
    assert "eps_m" not in text and "stack_min" not in text
    assert text.count("Source: Office for National Statistics") == 1


def test_pdf_prints_words_and_sources_once(bundled_briefing, tmp_path):
    from hotspots.brief import briefing_pdf, find_chromium

    pypdf = pytest.importorskip("pypdf")
    if find_chromium() is None:
        pytest.skip("no Chromium to print the PDF with (apt-get install chromium)")
    path = tmp_path / "briefing.pdf"
    assert briefing_pdf(briefing_html(bundled_briefing), path)
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)
    assert "Neighbourhood radius (eps) 400 m" in text
    assert not RAW_KEYS.search(text), RAW_KEYS.findall(text)
    assert text.count("Source: Office for National Statistics") == 1
