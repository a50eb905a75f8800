"""Lay a `Briefing` out as a Word document (``briefing.docx``, python-docx; bytes only, no I/O).

The content and its order are those of ``briefing.html`` (`hotspots.brief.document`): header,
key findings, priority hotspots, map, areas, changes, data quality and caveats, method. Tables
are real Word tables (header row repeated on every page, rows never split across pages, numbers
right-aligned); the figure is the same PNG.

Word furniture a force expects, added here: the protective marking in every page's header and
footer, "Page n of m" (Word's ``PAGE`` and ``NUMPAGES`` fields, so the numbers are right after
any edit), and in the document's header table the **reference**, **date**, **originator** and
**handling instruction** (:class:`Furniture`). The reference defaults to a digest of the
briefing's content, so the same briefing always carries the same reference and a changed one a
new reference.

Deterministic: the document properties carry :data:`hotspots.export.FIXED_TIME` and the zip
entries one fixed time, so equal briefings give equal bytes.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from hotspots.brief.content import Briefing, Table
from hotspots.brief.document import briefing_markdown, header_rows

if TYPE_CHECKING:
    from docx.document import Document as DocumentObject

__all__ = ["DOCX_NAME", "Furniture", "briefing_docx", "default_furniture"]

#: File name of the Word briefing in an output folder.
DOCX_NAME: Final = "briefing.docx"
#: Zip entry time of every part (the earliest a zip can hold).
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)
_FONT: Final = "Arial"


@dataclass(frozen=True)
class Furniture:
    """The document furniture printed in the header table of the Word briefing."""

    reference: str
    originator: str
    handling: str


def default_furniture(
    b: Briefing,
    *,
    originator: str | None = None,
    reference: str | None = None,
    handling: str | None = None,
) -> Furniture:
    """Furniture for a briefing, with a content-derived reference where none is given.

    Parameters
    ----------
    b
        The briefing.
    originator
        Who produced it (unit, role); default: a note that it was not stated.
    reference
        The document reference; default ``HOTSPOTS/<period>/<8 hex digits>`` from a SHA-256 of
        the briefing's Markdown text (everything it says) and its figure.
    handling
        The handling instruction; default: for the named audience only, no onward distribution
        without the originator's approval.
    """
    if reference is None:
        digest = hashlib.sha256(briefing_markdown(b).encode("utf-8") + b.figure_png).hexdigest()
        # The period's short label ("2024Q4" of "2024Q4 (1 October 2024 to ...)").
        words = b.period.split()
        label = words[0] if words else ""
        period = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in label)[:24]
        reference = f"HOTSPOTS/{period or 'ALL'}/{digest[:8].upper()}"
    return Furniture(
        reference=reference,
        originator=originator or "Not stated (give --originator)",
        handling=handling
        or (
            f"{b.marking}. For the {b.audience} audience named above ({b.audience_note}). Do not "
            "forward, copy or publish without the originator's approval; destroy when no longer "
            "needed."
        ),
    )


# --- low-level Word XML helpers ---------------------------------------------------------------


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """Append a Word field (``PAGE``, ``NUMPAGES``) whose result Word recomputes when it lays out."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def fld_char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        if kind == "begin":
            element.set(qn("w:dirty"), "true")  # ask Word to update it on open
        return element

    run = paragraph.add_run()
    run._r.append(fld_char("begin"))
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    run = paragraph.add_run()
    run._r.append(fld_char("separate"))
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    run._r.append(fld_char("end"))


def _repeat_header_row(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_row_together(row: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    cant_split = OxmlElement("w:cantSplit")
    cant_split.set(qn("w:val"), "true")
    properties.append(cant_split)


def _shade(cell: Any, fill: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _cell_text(
    cell: Any, text: str, *, bold: bool = False, right: bool = False, size: float = 8.5
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)


# --- building blocks ----------------------------------------------------------------------------


def _table(doc: DocumentObject, table: Table, *, caption: str = "") -> None:
    """A Word table: bold shaded header row repeated on each page, numeric columns right-aligned."""
    from docx.shared import Pt

    if caption:
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(caption)
        run.bold = True
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.space_after = Pt(2)
    word = doc.add_table(rows=1 + len(table.rows), cols=len(table.columns))
    word.style = "Table Grid"
    header = word.rows[0]
    _repeat_header_row(header)
    for i, name in enumerate(table.columns):
        _cell_text(header.cells[i], name, bold=True, right=table.is_numeric(i))
        _shade(header.cells[i], "E8E8E8")
    for r, values in enumerate(table.rows, start=1):
        row = word.rows[r]
        _keep_row_together(row)
        for i, value in enumerate(values):
            _cell_text(row.cells[i], value, right=table.is_numeric(i))
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def _bullets(doc: DocumentObject, items: Sequence[str]) -> None:
    for item in items:
        doc.add_paragraph(item, style="List Bullet")


def _note(doc: DocumentObject, text: str) -> None:
    from docx.shared import Pt, RGBColor

    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.font.size = Pt(8.5)
    run.font.color.rgb = RGBColor(0x33, 0x33, 0x33)


def _marking_paragraph(paragraph: Any, marking: str) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(marking)
    run.bold = True
    run.font.size = Pt(10)


def _page_furniture(doc: DocumentObject, b: Briefing, furniture: Furniture) -> None:
    """A4 pages; marking at the top and bottom of every page; reference and page n of m below."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(16)
        section.top_margin = section.bottom_margin = Mm(18)
        section.header_distance = section.footer_distance = Mm(8)
        section.different_first_page_header_footer = False
        header = section.header
        header.is_linked_to_previous = False
        _marking_paragraph(header.paragraphs[0], b.marking)
        footer = section.footer
        footer.is_linked_to_previous = False
        _marking_paragraph(footer.paragraphs[0], b.marking)
        line = footer.add_paragraph()
        line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = line.add_run(f"{furniture.reference} · Page ")
        run.font.size = Pt(8)
        _field(line, "PAGE", "1")
        line.add_run(" of ").font.size = Pt(8)
        _field(line, "NUMPAGES", "1")
        for run in line.runs:
            run.font.size = Pt(8)


def _properties(doc: DocumentObject, b: Briefing, furniture: Furniture) -> None:
    from hotspots.export import FIXED_TIME

    core = doc.core_properties
    fixed = FIXED_TIME.replace(tzinfo=None)
    core.title = b.title
    core.subject = f"{b.area}, {b.period}"
    core.author = "hotspots"
    core.last_modified_by = "hotspots"
    core.category = b.marking
    core.identifier = furniture.reference
    core.keywords = b.marking
    core.comments = ""
    core.created = fixed
    core.modified = fixed
    core.last_printed = fixed
    core.revision = 1


def briefing_docx(b: Briefing, furniture: Furniture | None = None) -> bytes:
    """Render a briefing as a Word document.

    Parameters
    ----------
    b
        The briefing content from `build_briefing`.
    furniture
        Reference, originator and handling instruction; `default_furniture` when None.

    Returns
    -------
    bytes
        The ``.docx`` file; byte-identical for equal arguments.
    """
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    if not isinstance(b, Briefing):
        raise TypeError(f"briefing_docx: b must be a Briefing, got {type(b).__name__}")
    furniture = furniture or default_furniture(b)
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = _FONT
    normal.font.size = Pt(10)
    _page_furniture(doc, b, furniture)
    _properties(doc, b, furniture)

    doc.add_heading(b.title, level=1)
    header = [
        ("Reference", furniture.reference),
        ("Date", b.produced_text),
        ("Originator", furniture.originator),
        *header_rows(b, handling=furniture.handling),
    ]
    _table(doc, Table(("Item", "Value"), tuple(header)))

    doc.add_heading("1. Key findings", level=2)
    _bullets(doc, b.key_findings)

    doc.add_heading("2. Priority hotspots", level=2)
    _note(doc, b.priority_note)
    if b.priority.rows:
        _table(doc, b.priority)
    if b.time is not None:  # as the HTML: monthly harm of the priorities, then time of week
        doc.add_heading("Harm per month", level=3)
        _note(doc, b.time.months_note)
        if b.time.months:
            rows = tuple((r.rank, r.hotspot_id, r.values, r.trend) for r in b.time.months)
            _table(
                doc,
                Table(
                    ("Rank", "Hotspot", "Harm per month", "Trend"),
                    rows,
                    (True, False, False, False),
                ),
            )
        doc.add_heading("Time of week", level=3)
        _note(doc, b.time.week_note)
        for heat in b.time.heat_tables:
            _table(doc, Table(heat.columns, heat.rows), caption=heat.caption)

    doc.add_heading("3. Map", level=2)
    picture = doc.add_paragraph()
    picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
    picture.paragraph_format.keep_with_next = True
    picture.add_run().add_picture(io.BytesIO(b.figure_png), width=Mm(170))
    caption = doc.add_paragraph(style="Caption") if "Caption" in doc.styles else doc.add_paragraph()
    caption.add_run(f"Figure 1. {b.figure_caption}")

    doc.add_heading("4. Areas", level=2)
    _note(doc, b.areas_note)
    _table(doc, b.areas)

    n = 5
    if b.changes:
        doc.add_heading(f"5. Changes since {b.comparison_period}", level=2)
        _bullets(doc, b.changes.summary)
        if b.changes.hotspots.rows:
            _table(doc, b.changes.hotspots)
        n = 6

    doc.add_heading(f"{n}. Data quality and caveats", level=2)
    _table(doc, b.quality)
    if b.rejected.rows:
        _table(doc, b.rejected)
    else:
        _note(doc, "No rows were rejected.")
    doc.add_heading("Stacked points", level=3)
    _note(doc, b.stacked_note)
    if b.stacked and b.stacked.rows:
        _table(doc, b.stacked)
    if b.warnings:
        doc.add_heading("Validation warnings", level=3)
        _bullets(doc, b.warnings)
    doc.add_heading("What the data cannot show", level=3)
    _bullets(doc, b.caveats)

    doc.add_heading(f"{n + 1}. Method", level=2)
    for term, text in b.definitions:
        paragraph = doc.add_paragraph()
        paragraph.add_run(term).bold = True
        paragraph.add_run(f": {text}")
    doc.add_heading("Parameters", level=3)
    _table(doc, b.parameters)
    if b.inputs:
        doc.add_heading("Inputs", level=3)
        _table(doc, b.inputs)
    doc.add_heading("Distribution rules", level=3)
    _bullets(doc, b.audience_rules)
    doc.add_heading("Sources", level=3)
    doc.add_paragraph(f"District boundaries: {b.boundary_source}.")
    _bullets(doc, b.attributions)

    buffer = io.BytesIO()
    doc.save(buffer)
    return _fixed_zip(buffer.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry stamped :data:`_ZIP_TIME` (python-docx stamps the clock)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, _ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()
