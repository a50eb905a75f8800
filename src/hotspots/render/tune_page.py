"""The ``tune.html`` page and its k-distance figure: how the suggested eps was found.

Built from a :class:`hotspots.tune.TuneResult`; the page fetches nothing and runs no script.
"""

from __future__ import annotations

import base64

from hotspots import schema
from hotspots.render.figures_tune import k_distance_png, standalone_page
from hotspots.render.offline import escape_text
from hotspots.tune import METHOD_TEXT, TuneResult

__all__ = ["tune_html", "tune_png"]


def tune_png(result: TuneResult) -> bytes:
    """Draw the k-distance curves with their knees as a PNG, byte-identical for equal results.

    Parameters
    ----------
    result
        From :func:`hotspots.tune.suggest`.

    Returns
    -------
    bytes
        The PNG file.
    """
    return k_distance_png(
        curves=[row.k_distances_m for row in result.rows],
        labels=[
            f"min_samples {row.min_samples}: eps {row.eps_m:,.0f} m"
            + ("" if row.knee_found else " (no knee)")
            for row in result.rows
        ],
        knee_indices=[row.knee_index for row in result.rows],
        highlight=[row.min_samples == result.min_samples for row in result.rows],
        suggested_eps_m=result.eps_m,
    )


def tune_html(
    result: TuneResult,
    *,
    title: str = "Choosing eps: k-distance curve",
    marking: str = schema.DEFAULT_MARKING,
    period_label: str = "",
    params_text: str = "",
) -> str:
    """Render a self-contained HTML page: the curve image, the table and the method.

    The page fetches nothing (the image is a ``data:`` URI; a Content-Security-Policy forbids
    every network request and all scripts), prints ``marking`` at the top and bottom, and
    escapes every value. Equal inputs give identical strings.

    Parameters
    ----------
    result
        From :func:`hotspots.tune.suggest`.
    title
        Page title and heading.
    marking
        Protective marking, e.g. ``"OFFICIAL-SENSITIVE"``.
    period_label
        The period the harm events come from, e.g. ``"2025Q2"``; omitted when empty.
    params_text
        Other parameters to state (e.g. event types, study area); omitted when empty.

    Returns
    -------
    str
        The HTML page.
    """
    png = tune_png(result)
    best = result.suggestion
    facts = [("Harm events", f"{result.n_harm:,}")]
    if period_label:
        facts.insert(0, ("Period", period_label))
    if params_text:
        facts.append(("Parameters", params_text))
    facts.append(
        (
            "Suggestion",
            (
                f"eps {best.eps_m:,.0f} m with min_samples {best.min_samples}: "
                f"{best.n_hotspots:,} hotspots holding {best.harm_captured:,} harm events "
                f"({100 * best.harm_share:.1f}%)"
            ),
        )
    )
    facts_html = "".join(
        f"<tr><th>{escape_text(k)}</th><td>{escape_text(v)}</td></tr>" for k, v in facts
    )
    header = (
        "<tr><th>min_samples</th><th>Knee distance (m)</th><th>Suggested eps (m)</th>"
        "<th>Hotspots</th><th>Harm captured</th><th>Share of harm</th><th>Knee</th></tr>"
    )
    body_rows = []
    for row in result.rows:
        cells = [
            f"{row.min_samples}",
            f"{row.knee_distance_m:,.1f}",
            f"{row.eps_m:,.0f}",
            f"{row.n_hotspots:,}",
            f"{row.harm_captured:,}",
            f"{100 * row.harm_share:.1f}%",
            "found" if row.knee_found else "none (largest distance shown)",
        ]
        cls = ' class="chosen"' if row.min_samples == result.min_samples else ""
        body_rows.append(
            f"<tr{cls}>" + "".join(f"<td>{escape_text(c)}</td>" for c in cells) + "</tr>"
        )
    image = base64.b64encode(png).decode("ascii")
    body = (
        f'<table class="facts">{facts_html}</table>\n'
        f'<img alt="k-distance curves with knees marked" src="data:image/png;base64,{image}">\n'
        f'<table class="rows"><thead>{header}</thead><tbody>{"".join(body_rows)}</tbody></table>\n'
        f'<p class="note">The highlighted row is the suggestion. {escape_text(METHOD_TEXT)}</p>'
    )
    return standalone_page(title=title, marking=marking, body_html=body)
