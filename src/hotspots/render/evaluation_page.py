"""The evaluation outputs: ``evaluate.html`` and the Markdown section ``evaluate.md``.

Built from a :class:`hotspots.evaluate.EvaluationResult`: a table of hit rate, PAI and RRI for
the hotspots and the grid baseline, and the formulas. The page loads nothing and runs no script.
"""

from __future__ import annotations

import math

from hotspots import schema
from hotspots.evaluate import FORMULAS_TEXT, EvaluationResult
from hotspots.render.figures_tune import standalone_page
from hotspots.render.offline import escape_text

__all__ = ["evaluation_html", "evaluation_markdown"]


def _fmt(value: float, spec: str) -> str:
    return "n/a" if not math.isfinite(value) else format(value, spec)


def _table_rows(result: EvaluationResult) -> list[list[str]]:
    rows = []
    for label, s in (
        ("DBSCAN hotspots", result.hotspots),
        (f"Baseline: top {result.cell_m:,.0f} m cells", result.baseline),
    ):
        rows.append(
            [
                label,
                f"{s.n_areas:,}",
                _fmt(s.area_m2 / 1e6, ",.3f"),
                _fmt(100 * s.area_share, ".3g") + "%",
                f"{s.cur_inside:,} / {result.n_cur:,}",
                _fmt(100 * s.hit_rate, ".1f") + ("%" if math.isfinite(s.hit_rate) else ""),
                _fmt(s.pai, ".2f"),
                _fmt(s.rri, ".2f"),
            ]
        )
    return rows


_HEADER = [
    "Predictor",
    "Areas",
    "Area (km²)",
    "Share of study area",
    "Harm events inside",
    "Hit rate",
    "PAI",
    "RRI",
]


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def evaluation_markdown(
    result: EvaluationResult, *, period_label: str = "", against_label: str = ""
) -> str:
    """Render the scores as a short Markdown section: a table and the formulas.

    Parameters
    ----------
    result
        From :func:`hotspots.evaluate.evaluate`.
    period_label
        The scored period, e.g. ``"2025Q3"``; omitted when empty.
    against_label
        The period the hotspots were drawn on, e.g. ``"2025Q2"``; omitted when empty.

    Returns
    -------
    str
        Markdown ending in a newline; equal inputs give identical text.
    """
    lines = ["## Do the hotspots predict?", ""]
    if period_label or against_label:
        drawn = _md_cell(against_label) if against_label else "the earlier period"
        scored = _md_cell(period_label) if period_label else "the next period"
        lines += [f"Hotspots drawn on {drawn}, scored on the harm events of {scored}.", ""]
    lines.append("| " + " | ".join(_HEADER) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(_HEADER) - 1)) + "|")
    for row in _table_rows(result):
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    lines += [
        "",
        (
            f"Study area {result.study_area_m2 / 1e6:,.1f} km²; {result.n_prev:,} harm events "
            f"in the earlier period, {result.n_cur:,} in the scored period."
        ),
        "",
        FORMULAS_TEXT,
        "",
    ]
    return "\n".join(lines)


def evaluation_html(
    result: EvaluationResult,
    *,
    title: str = "Do the hotspots predict?",
    marking: str = schema.DEFAULT_MARKING,
    period_label: str = "",
    against_label: str = "",
    params_text: str = "",
) -> str:
    """Render the scores as a self-contained HTML page with the marking top and bottom.

    The page loads nothing and runs no script; every value is escaped; equal inputs give
    identical strings.

    Parameters
    ----------
    result
        From :func:`hotspots.evaluate.evaluate`.
    title
        Page title and heading.
    marking
        Protective marking, e.g. ``"OFFICIAL-SENSITIVE"``.
    period_label
        The scored period; omitted when empty.
    against_label
        The period the hotspots were drawn on; omitted when empty.
    params_text
        Parameters to state (eps, min_samples, event types); omitted when empty.

    Returns
    -------
    str
        The HTML page.
    """
    facts = []
    if against_label:
        facts.append(("Hotspots drawn on", against_label))
    if period_label:
        facts.append(("Scored on", period_label))
    if params_text:
        facts.append(("Parameters", params_text))
    facts += [
        ("Study area", f"{result.study_area_m2 / 1e6:,.1f} km²"),
        ("Harm events", f"{result.n_prev:,} earlier, {result.n_cur:,} scored"),
    ]
    facts_html = "".join(
        f"<tr><th>{escape_text(k)}</th><td>{escape_text(v)}</td></tr>" for k, v in facts
    )
    head = "".join(f"<th>{escape_text(h)}</th>" for h in _HEADER)
    body_rows = "".join(
        "<tr>" + "".join(f"<td>{escape_text(c)}</td>" for c in row) + "</tr>"
        for row in _table_rows(result)
    )
    body = (
        f'<table class="facts">{facts_html}</table>\n'
        f'<table class="scores"><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>\n'
        f'<p class="note">{escape_text(FORMULAS_TEXT)}</p>'
    )
    return standalone_page(title=title, marking=marking, body_html=body)
