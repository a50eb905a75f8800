"""The ``tune.html`` page and its k-distance figure: how the suggested eps was found.

Built from a :class:`hotspots.tune.TuneResult` inside the shared page frame
(:func:`hotspots.render.page.document_page`). The page opens by saying that the suggestion is
**not applied** and which option applies it, repeats the caveat about town-sized radii when
the suggestion is :data:`hotspots.verdicts.LARGE_EPS_M` or more, and fetches nothing.
"""

from __future__ import annotations

import base64

from hotspots import schema
from hotspots.params import DEFAULT_EPS_M
from hotspots.period import ALL_DATES
from hotspots.render.figures_tune import k_distance_png
from hotspots.render.page import PageFrame, document_page, facts_html, html_text, table_html
from hotspots.tune import METHOD_TEXT, TuneResult
from hotspots.verdicts import apply_option, large_eps_warning, tune_verdict

__all__ = ["tune_html", "tune_png"]

_HEADER = (
    "min samples",
    "Knee distance (m)",
    "Suggested eps (m)",
    "Hotspots",
    "Harm captured",
    "Share of harm",
    "Knee",
)


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


def _rows(result: TuneResult) -> list[list[str]]:
    return [
        [
            f"{row.min_samples}",
            f"{row.knee_distance_m:,.1f}",
            f"{row.eps_m:,.0f}",
            f"{row.n_hotspots:,}",
            f"{row.harm_captured:,}",
            f"{100 * row.harm_share:.1f}%",
            "found" if row.knee_found else "none (largest distance shown)",
        ]
        for row in result.rows
    ]


def tune_html(
    result: TuneResult,
    *,
    title: str = "Choosing eps: k-distance curve",
    marking: str = schema.DEFAULT_MARKING,
    period_label: str = "",
    params_text: str = "",
    current_eps_m: float = DEFAULT_EPS_M,
    area: str = "",
    produced: str | None = None,
    attribution_html: str = "",
    harm_label: str = "",
) -> str:
    """Render the page: the verdict, the table, the curves and the method, in the page frame.

    The page fetches nothing (the image is a ``data:`` URI; the Content-Security-Policy
    forbids every network request and all scripts), prints ``marking`` at the top and bottom,
    and escapes every value. Equal inputs give identical strings.

    Parameters
    ----------
    result
        From :func:`hotspots.tune.suggest`.
    title
        Page title and heading.
    marking
        Protective marking, e.g. ``"OFFICIAL-SENSITIVE"``.
    period_label
        The period the harm events come from, e.g. ``"2025Q2"``; "all dates" when empty.
    params_text
        The settings in effect for this run (unchanged by the suggestion); omitted when empty.
    current_eps_m
        The eps in effect for this run, which the suggestion does not change.
    area, produced, attribution_html
        The title block's study area (in words) and date, and the escaped attribution (of
        the boundaries) that ends the page.
    harm_label
        What harm stands for (the config's ``[labels]`` noun), named beside the harm count.

    Returns
    -------
    str
        The complete, self-contained page.
    """
    best = result.suggestion
    option = html_text(apply_option(best.eps_m))
    lead, _, rest = html_text(tune_verdict(result, current_eps_m)).partition(": ")
    verdict = f"<strong>{lead}:</strong> " + rest.replace(option, f"<code>{option}</code>")
    warning = large_eps_warning(best.eps_m)
    facts = [(f"Harm events ({harm_label})" if harm_label else "Harm events", f"{result.n_harm:,}")]
    if params_text:
        facts.append(("Settings of this run (unchanged)", params_text))
    image = base64.b64encode(tune_png(result)).decode("ascii")
    body = [
        f'<p class="hs-verdict" id="hs-verdict">{verdict}</p>',
        f'<p class="hs-caution" id="hs-large-eps">{html_text(warning)}</p>' if warning else "",
        "<h2>How the suggestion moves with min samples</h2>",
        table_html(
            _HEADER,
            _rows(result),
            chosen=[row.min_samples == result.min_samples for row in result.rows],
            numeric_from=1,
            label="Suggested eps for each min samples",
        ),
        '<p class="hs-note">The highlighted row is the suggestion, for the run\'s min samples.</p>',
        facts_html(facts),
        f'<img alt="k-distance curves with knees marked" src="data:image/png;base64,{image}">',
        "<h2>Method</h2>",
        f'<p class="hs-note">{html_text(METHOD_TEXT)}</p>',
    ]
    frame = PageFrame(
        title=title,
        marking=marking,
        period=period_label or ALL_DATES,
        area=area,
        produced=produced,
        summary_html=(
            f"Suggested eps {best.eps_m:,.0f} m, <b>not applied</b>: to apply it, run with "
            f"<code>{option}</code>"
        ),
    )
    return document_page(
        frame,
        "\n".join(p for p in body if p),
        attribution_html=attribution_html,
        print_columns=True,
    )
