"""Lay a `Briefing` out as self-contained HTML or as Markdown (strings only, no I/O).

HTML comes from ``templates/briefing.html.j2`` with autoescaping on, so every value reaches the
page as text; the figure is embedded as a ``data:`` URI and the CSS inline, and a
Content-Security-Policy forbids any fetch but ``data:`` images. For print the page is A4, the
protective marking is a ``position: fixed`` band at the top and bottom (Chromium repeats those on
every printed page), table rows do not break across pages and table headings repeat.

Markdown escapes every value with `escape_markdown`, so pipes cannot split table cells and no
value turns into a link, an image, emphasis or raw HTML.
"""

from __future__ import annotations

import base64
import re
from functools import cache

import jinja2
import markupsafe

from hotspots.brief.content import Briefing, Table
from hotspots.display import neutralise_bidi

__all__ = ["briefing_html", "briefing_markdown", "escape_markdown", "header_rows"]

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can start
# markup anywhere in a line: emphasis, code, link and image brackets (with "[" and "]" escaped, "("
# and "!" are plain text), raw HTML and autolinks, entities, table cells, strikethrough, maths in
# some renderers. Line-start markup (#, -, +, 1.) cannot occur because every line the renderer
# writes starts with its own prefix; "#" is escaped anyway for renderers that allow "x #tag".
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def escape_markdown(value: object) -> str:
    """Escape a value for Markdown text or a table cell.

    Parameters
    ----------
    value
        Any value; converted with ``str()``.

    Returns
    -------
    str
        The text on one line, with Markdown's special characters backslash-escaped.

    Examples
    --------
    >>> escape_markdown("a | b <i>")
    'a \\\\| b \\\\<i\\\\>'
    """
    text = neutralise_bidi(_LINE_BREAKS.sub(" ", str(value)))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _finalize(value: object) -> object:
    """Input text loses bidirectional controls; markup the template built is left as it is."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return neutralise_bidi(value)
    return value


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("hotspots.brief", "templates"),
        autoescape=True,
        # Every value the template prints loses bidirectional controls (hotspots.display).
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
        lstrip_blocks=False,
        keep_trailing_newline=True,
    )


def briefing_html(b: Briefing) -> str:
    """Render a briefing as one self-contained, print-ready HTML page.

    Parameters
    ----------
    b
        The briefing content from `build_briefing`.

    Returns
    -------
    str
        The HTML document: no external reference, byte-identical for equal briefings.
    """
    if not isinstance(b, Briefing):
        raise TypeError(f"briefing_html: b must be a Briefing, got {type(b).__name__}")
    template = _environment().get_template("briefing.html.j2")
    return template.render(
        b=b,
        figure_base64=base64.b64encode(b.figure_png).decode("ascii"),
        insets_base64=(
            base64.b64encode(b.insets_png).decode("ascii") if b.insets_png is not None else None
        ),
        n_quality=6 if b.changes else 5,
    )


def header_rows(b: Briefing, *, handling: str | None = None) -> list[tuple[str, str]]:
    """The (item, value) rows of the header table the Markdown and Word briefings print.

    ``handling``, the Word version's handling instruction, follows the protective marking.
    """
    rows = [("Area", b.area), ("Period", b.period)]
    if b.comparison_period:
        rows.append(("Compared with", b.comparison_period))
    rows.append(("Protective marking", b.marking))
    if handling is not None:
        rows.append(("Handling instruction", handling))
    rows += [
        ("Audience", f"{b.audience} – {b.audience_note}"),
        ("Produced", b.produced_text),
        ("Tool", f"hotspots {b.version}"),
    ]
    if b.reason:
        rows.append(("Reason", b.reason))
    return rows


def _markdown_table(table: Table) -> list[str]:
    lines = [
        "| " + " | ".join(escape_markdown(c) for c in table.columns) + " |",
        "| "
        + " | ".join("---:" if table.is_numeric(i) else "---" for i in range(len(table.columns)))
        + " |",
    ]
    for row in table.rows:
        lines.append("| " + " | ".join(escape_markdown(cell) or " " for cell in row) + " |")
    return lines


def _bullets(items: tuple[str, ...]) -> list[str]:
    return [f"- {escape_markdown(item)}" for item in items]


def briefing_markdown(b: Briefing, figure_path: str | None = None) -> str:
    """Render a briefing as Markdown for pasting into other systems.

    Parameters
    ----------
    b
        The briefing content from `build_briefing`.
    figure_path
        Where the caller wrote ``b.figure_png`` (e.g. ``"briefing.png"``), linked as an image;
        None writes a note that the map is in the HTML briefing instead.

    Returns
    -------
    str
        The Markdown text, ending with a newline.
    """
    if not isinstance(b, Briefing):
        raise TypeError(f"briefing_markdown: b must be a Briefing, got {type(b).__name__}")
    e = escape_markdown
    marking = f"**{e(b.marking)}**"
    lines = [marking, "", f"# {e(b.title)}", ""]
    lines += _markdown_table(Table(("Item", "Value"), tuple(header_rows(b))))

    lines += ["", "## 1. Key findings", ""] + _bullets(b.key_findings)

    lines += ["", "## 2. Priority hotspots", "", e(b.priority_note), ""]
    if b.priority.rows:
        lines += _markdown_table(b.priority)
    if b.time is not None:
        lines += ["", "### Harm per month", "", e(b.time.months_note), ""]
        if b.time.months:
            rows = tuple((r.rank, r.hotspot_id, r.values, r.trend) for r in b.time.months)
            lines += _markdown_table(Table(("Rank", "Hotspot", "Harm per month", "Trend"), rows))
        lines += ["", "### Time of week", "", e(b.time.week_note)]
        for heat in b.time.heat_tables:
            lines += ["", e(heat.caption), ""] + _markdown_table(Table(heat.columns, heat.rows))

    lines += ["", "## 3. Map", ""]
    if figure_path:
        # Angle brackets keep a path with spaces or parentheses one link destination.
        destination = figure_path.replace("<", "%3C").replace(">", "%3E")
        lines.append(f"![Figure 1. {e(b.figure_caption)}](<{destination}>)")
    else:
        lines.append(f"Figure 1 (in the HTML briefing). {e(b.figure_caption)}")

    lines += ["", "## 4. Areas", "", e(b.areas_note), ""] + _markdown_table(b.areas)
    if b.surface:
        lines += ["", "### Coverage-gap surface by area", "", e(b.surface_note), ""]
        lines += _markdown_table(b.surface)

    n = 5
    if b.changes:
        lines += ["", f"## 5. Changes since {e(b.comparison_period)}", ""]
        lines += _bullets(b.changes.summary)
        if b.changes.hotspots.rows:
            lines += [""] + _markdown_table(b.changes.hotspots)
        n = 6

    lines += ["", f"## {n}. Data quality and caveats", ""] + _markdown_table(b.quality)
    lines.append("")
    if b.rejected.rows:
        lines += _markdown_table(b.rejected)
    else:
        lines.append("No rows were rejected.")
    lines += ["", "### Stacked points", "", e(b.stacked_note)]
    if b.stacked and b.stacked.rows:
        lines += [""] + _markdown_table(b.stacked)
    if b.warnings:
        lines += ["", "### Validation warnings", ""] + _bullets(b.warnings)
    lines += ["", "### What the data cannot show", ""] + _bullets(b.caveats)

    lines += ["", f"## {n + 1}. Method", ""]
    lines += [f"- **{e(term)}**: {e(text)}" for term, text in b.definitions]
    lines += ["", "### Parameters", ""] + _markdown_table(b.parameters)
    if b.inputs:
        lines += ["", "### Inputs", ""] + _markdown_table(b.inputs)
    lines += ["", "### Distribution rules", ""] + _bullets(b.audience_rules)
    lines += ["", "### Sources", "", f"District boundaries: {e(b.boundary_source)}.", ""]
    lines += _bullets(b.attributions)
    lines += ["", marking, ""]
    return "\n".join(lines)
