"""Tasking briefings: content from an analysis, laid out as HTML, Markdown and PDF, plus the audit log.

``build_briefing`` decides what is shown (and, for the wide audience, what is withheld);
``briefing_html`` and ``briefing_markdown`` lay it out as strings; ``briefing_pdf`` prints the
HTML with headless Chromium; ``append_audit`` records the run.
"""

from hotspots.brief.audit import (
    AUDIT_FILE,
    append_audit,
    audit_log_path,
    audit_record,
    user_audit_log,
)
from hotspots.brief.content import (
    DEFAULT_TOP_N,
    Briefing,
    Changes,
    MapFeature,
    Table,
    build_briefing,
)
from hotspots.brief.document import briefing_html, briefing_markdown, escape_markdown
from hotspots.brief.pdf import briefing_pdf, find_chromium, pdf_unavailable_reason
from hotspots.brief.rules import AUDIENCES, DAY_BANDS, SUPPRESS_BELOW, WIDE_GRID_M

__all__ = [
    "AUDIENCES",
    "AUDIT_FILE",
    "DAY_BANDS",
    "DEFAULT_TOP_N",
    "SUPPRESS_BELOW",
    "WIDE_GRID_M",
    "Briefing",
    "Changes",
    "MapFeature",
    "Table",
    "append_audit",
    "audit_log_path",
    "audit_record",
    "briefing_html",
    "briefing_markdown",
    "briefing_pdf",
    "build_briefing",
    "escape_markdown",
    "find_chromium",
    "pdf_unavailable_reason",
    "user_audit_log",
]
