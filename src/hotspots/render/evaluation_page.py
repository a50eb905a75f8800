"""The evaluation outputs: ``evaluate.html`` and the Markdown section ``evaluate.md``.

Built from a :class:`hotspots.evaluate.EvaluationResult`: a plain verdict
(:func:`hotspots.verdicts.evaluation_verdict`), a table of hit rate, PAI and RRI for the
hotspots and the grid baseline, why PAI is as large as it is, and the formulas. The page is
drawn in the shared page frame (:func:`hotspots.render.page.document_page`); it loads
nothing and runs no script.
"""

from __future__ import annotations

import math

from hotspots import schema
from hotspots.evaluate import FORMULAS_TEXT, EvaluationResult
from hotspots.render.page import PageFrame, document_page, facts_html, html_text, table_html
from hotspots.verdicts import evaluation_verdict, pai_explanation

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


def _study_text(result: EvaluationResult) -> str:
    return (
        f"Study area {result.study_area_m2 / 1e6:,.1f} km²; {result.n_prev:,} harm events "
        f"in the earlier period, {result.n_cur:,} in the scored period."
    )


def evaluation_markdown(
    result: EvaluationResult,
    *,
    period_label: str = "",
    against_label: str = "",
    harm_label: str = "",
) -> str:
    """Render the scores as a short Markdown section: the verdict, a table and the formulas.

    Parameters
    ----------
    result
        From :func:`hotspots.evaluate.evaluate`.
    period_label
        The scored period, e.g. ``"2025Q3"``; omitted when empty.
    against_label
        The period the hotspots were drawn on, e.g. ``"2025Q2"``; omitted when empty.
    harm_label
        What harm stands for (the ``[labels]`` noun, e.g. ``"robbery"``), named in the verdict.

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
    verdict = evaluation_verdict(
        result, period_label=period_label, against_label=against_label, harm_label=harm_label
    )
    lines += [f"**{_md_cell(verdict)}**", ""]
    lines.append("| " + " | ".join(_HEADER) + " |")
    lines.append("|" + "|".join(["---"] + ["---:"] * (len(_HEADER) - 1)) + "|")
    for row in _table_rows(result):
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    lines += ["", _study_text(result), "", pai_explanation(result), "", FORMULAS_TEXT, ""]
    return "\n".join(lines)


def evaluation_html(
    result: EvaluationResult,
    *,
    title: str = "Do the hotspots predict?",
    marking: str = schema.DEFAULT_MARKING,
    period_label: str = "",
    against_label: str = "",
    harm_label: str = "",
    params_text: str = "",
    area: str = "",
    produced: str | None = None,
    attribution_html: str = "",
) -> str:
    """Render the scores as a page in the shared frame, opening with a plain verdict.

    The page loads nothing and runs no script; every value is escaped; equal inputs give
    identical strings.

    Parameters
    ----------
    result
        From :func:`hotspots.evaluate.evaluate`.
    title, marking
        The heading, and the protective marking the frame prints top and bottom.
    period_label, against_label
        The scored period and the one the hotspots were drawn on; omitted when empty.
    harm_label
        What harm stands for (the ``[labels]`` noun, e.g. ``"robbery"``), named in the verdict.
    params_text
        Parameters to state (eps, min_samples, event types); omitted when empty.
    area, produced, attribution_html
        The study area in words and the produced date for the title block, and the escaped
        attribution for the end of the page (see `hotspots.render.page.document_page`).

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
    verdict = evaluation_verdict(
        result, period_label=period_label, against_label=against_label, harm_label=harm_label
    )
    body = [
        f'<p class="hs-verdict" id="hs-verdict">{html_text(verdict)}</p>',
        table_html(_HEADER, _table_rows(result), label="Scores of the hotspots and the baseline"),
        "<h2>Reading PAI</h2>",
        f'<p id="hs-pai">{html_text(pai_explanation(result))}</p>',
        facts_html(facts),
        "<h2>Definitions</h2>",
        f'<p class="hs-note">{html_text(FORMULAS_TEXT)}</p>',
    ]
    if period_label and against_label:
        period = f"{against_label} (hotspots drawn) → {period_label} (scored)"
    else:
        period = period_label or against_label or "two periods"
    frame = PageFrame(
        title=title, marking=marking, period=period, area=area, produced=produced
    )
    return document_page(frame, "\n".join(body), attribution_html=attribution_html)
