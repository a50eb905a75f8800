"""The definitions of :mod:`hotspots.definitions` as page HTML (map and comparison pages).

The text is the one ``summary.json`` and the briefing print; only the markup is added here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from hotspots.definitions import MAP_TERMS, definitions
from hotspots.render.page import html_text

if TYPE_CHECKING:
    from hotspots.model import Analysis


def definitions_html(analysis: Analysis, keys: Sequence[str] = MAP_TERMS) -> str:
    """One ``<p><b>Term:</b> text</p>`` per key, every text escaped."""
    found = definitions(analysis)
    return "".join(
        f"<p><b>{html_text(found[key].term)}:</b> {html_text(found[key].text)}</p>" for key in keys
    )
