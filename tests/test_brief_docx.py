"""briefing.docx: the HTML briefing's content in order, real tables, the figure, page furniture."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import subprocess
import time
import zipfile
from html.parser import HTMLParser

import docx
import pytest
from _exports_sample import sample

from hotspots.brief import Briefing, briefing_html, build_briefing
from hotspots.brief.docx import Furniture, briefing_docx, default_furniture

PRODUCED = datetime.date(2025, 1, 15)


@pytest.fixture(scope="module")
def compared() -> Briefing:
    s = sample()
    return build_briefing(s.current, s.comparison, s.previous, produced=PRODUCED)


@pytest.fixture(scope="module")
def timed() -> Briefing:
    """With the monthly charts and time-of-week tables ``hotspots brief`` adds."""
    from hotspots.timeline import build_timeline
    from hotspots.timeofweek import build_time_of_week

    s = sample()
    spots = s.current.hotspots
    priority = [str(h) for h in spots.loc[spots["rank"] <= 10, "hotspot_id"]]
    return build_briefing(
        s.current,
        s.comparison,
        s.previous,
        produced=PRODUCED,
        timeline=build_timeline(s.loaded.valid, s.current),
        time_of_week=build_time_of_week(s.current.events, priority),
    )


@pytest.fixture(scope="module")
def wide() -> Briefing:
    return build_briefing(sample().current, audience="wide", produced=PRODUCED)


@pytest.fixture(scope="module")
def document(compared) -> docx.document.Document:
    return docx.Document(io.BytesIO(briefing_docx(compared)))


class _Headings(HTMLParser):
    """The h1/h2/h3 texts of a page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "h2", "h3"):
            self._open = tag
            self.found.append((tag, ""))

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open:
            tag, text = self.found[-1]
            self.found[-1] = (tag, text + data)


def html_headings(b: Briefing) -> list[tuple[int, str]]:
    parser = _Headings()
    parser.feed(briefing_html(b))
    return [(int(tag[1]), text.strip()) for tag, text in parser.found]


def docx_headings(d) -> list[tuple[int, str]]:
    out = []
    for p in d.paragraphs:
        match = re.fullmatch(r"Heading (\d)", p.style.name)
        if match:
            out.append((int(match.group(1)), p.text))
    return out


@pytest.mark.parametrize("which", ["compared", "wide", "timed"])
def test_same_sections_in_the_same_order_as_the_html(which, compared, wide, timed):
    b = {"compared": compared, "wide": wide, "timed": timed}[which]
    d = docx.Document(io.BytesIO(briefing_docx(b)))
    assert docx_headings(d) == html_headings(b)


def test_tables_are_word_tables_with_the_briefings_cells(compared, document):
    expected = [compared.priority, compared.areas, compared.changes.hotspots, compared.quality]
    tables = document.tables[1:]  # the first is the header table
    for table in expected:
        match = [t for t in tables if tuple(c.text for c in t.rows[0].cells) == table.columns]
        assert match, table.columns
        word = match[0]
        assert len(word.rows) == len(table.rows) + 1
        assert [tuple(c.text for c in row.cells) for row in word.rows[1:]] == list(table.rows)
        # The header row repeats on every page; rows do not split across pages.
        assert word.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
        assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in word.rows[1:])


def test_numbers_are_right_aligned(compared, document):
    table = next(
        t
        for t in document.tables
        if tuple(c.text for c in t.rows[0].cells) == compared.priority.columns
    )
    for i in range(len(compared.priority.columns)):
        alignment = table.rows[1].cells[i].paragraphs[0].alignment
        assert (alignment is not None and int(alignment) == 2) == compared.priority.is_numeric(i)


def test_key_findings_and_caveats_are_bullets(compared, document):
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    for sentence in (*compared.key_findings, *compared.caveats):
        assert sentence in bullets


def test_the_figure_is_the_briefings_png(compared, document):
    assert len(document.inline_shapes) == 1
    images = [p for p in document.part.package.parts if p.partname.endswith(".png")]
    assert [p.blob for p in images] == [compared.figure_png]
    assert any(p.text == f"Figure 1. {compared.figure_caption}" for p in document.paragraphs)


def test_marking_and_page_numbers_on_every_page(compared, document):
    for section in document.sections:
        assert section.header.paragraphs[0].text == compared.marking == "OFFICIAL-SENSITIVE"
        assert section.footer.paragraphs[0].text == compared.marking
        fields = " ".join(section.footer._element.xpath(".//w:instrText/text()"))
        assert fields.split() == ["PAGE", "NUMPAGES"]
        assert section.page_width.mm == pytest.approx(210, abs=0.1)
        assert section.page_height.mm == pytest.approx(297, abs=0.1)


def test_furniture_in_the_header_table(compared, document):
    furniture = default_furniture(compared)
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["Reference"] == furniture.reference
    assert re.fullmatch(r"HOTSPOTS/2024Q4/[0-9A-F]{8}", furniture.reference)
    assert rows["Date"] == "15 January 2025"
    assert rows["Originator"] == furniture.originator
    assert rows["Handling instruction"].startswith("OFFICIAL-SENSITIVE.")
    assert rows["Protective marking"] == "OFFICIAL-SENSITIVE"
    assert document.core_properties.identifier == furniture.reference


def test_given_furniture_is_printed_and_reference_follows_content(compared, wide):
    given = Furniture(
        reference="NC/INT/2025/017",
        originator="Norfolk Constabulary, Intelligence",
        handling="Read and destroy.",
    )
    d = docx.Document(io.BytesIO(briefing_docx(compared, given)))
    rows = {row.cells[0].text: row.cells[1].text for row in d.tables[0].rows}
    assert (rows["Reference"], rows["Originator"], rows["Handling instruction"]) == (
        "NC/INT/2025/017",
        "Norfolk Constabulary, Intelligence",
        "Read and destroy.",
    )
    assert "NC/INT/2025/017" in d.sections[0].footer.paragraphs[1].text
    assert default_furniture(compared).reference != default_furniture(wide).reference


def test_writing_twice_gives_the_same_bytes(compared):
    first = briefing_docx(compared)
    time.sleep(2.1)  # zip times have two-second resolution
    assert briefing_docx(compared) == first
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_not_a_briefing_is_refused():
    with pytest.raises(TypeError, match="Briefing"):
        briefing_docx("not a briefing")  # type: ignore[arg-type]


@pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice is not installed (Debian: libreoffice-writer-nogui)",
)
def test_libreoffice_prints_it_with_the_marking_and_page_n_of_m_on_every_page(compared, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    source = tmp_path / "briefing.docx"
    source.write_bytes(briefing_docx(compared))
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pages = pypdf.PdfReader(tmp_path / "briefing.pdf").pages
    assert 2 <= len(pages) <= 12
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") >= 2, number  # header and footer
        assert f"Page {number} of {len(pages)}" in text
    first = pages[0].extract_text()
    assert "Tasking briefing" in first and "Key findings" in first


def test_time_section_tables(timed):
    assert timed.time is not None and timed.time.months
    d = docx.Document(io.BytesIO(briefing_docx(timed)))
    months = next(
        t
        for t in d.tables
        if tuple(c.text for c in t.rows[0].cells) == ("Rank", "Hotspot", "Harm per month", "Trend")
    )
    assert [row.cells[2].text for row in months.rows[1:]] == [r.values for r in timed.time.months]
    for heat in timed.time.heat_tables:
        assert any(p.text == heat.caption for p in d.paragraphs)
