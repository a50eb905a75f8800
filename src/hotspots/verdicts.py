"""The plain-English verdicts of ``hotspots tune`` and ``hotspots evaluate``.

Each page and each command summary opens with one of these sentences, so the page, the
terminal and the docs say the same thing in the same words:

* :func:`tune_verdict` says that the suggested eps is a suggestion, **not applied**, and
  names the option that applies it (:func:`apply_option`, e.g. ``--eps 2900``);
  :func:`large_eps_warning` repeats the method's caveat about town-sized radii when the
  suggestion is :data:`LARGE_EPS_M` or more.
* :func:`evaluation_verdict` reads the scores as "hotspots caught x% of the next period's harm
  in y% of the area: z times better than chance and w times the best equal-area grid", and
  :func:`pai_explanation` says why PAI runs into the hundreds. The figures are the
  evaluation's own (``z`` is the hotspots' PAI; ``w`` their PAI over the baseline's,
  :func:`grid_ratio`); undefined cases get a plain sentence instead of "nan%".

Every function returns plain text; renderers escape it.
"""

from __future__ import annotations

import math
from typing import Final

from hotspots.evaluate import EvaluationResult
from hotspots.sentences import counted
from hotspots.tune import TuneResult

__all__ = [
    "LARGE_EPS_M",
    "apply_option",
    "evaluation_verdict",
    "grid_ratio",
    "large_eps_warning",
    "pai_explanation",
    "percent_text",
    "times_text",
    "tune_verdict",
]

#: A suggested eps at or above this many metres draws town-sized hotspots: at 1 km DBSCAN
#: chains events across neighbourhoods and whole town centres (Norwich's centre is about
#: 1.5 km across), two and a half times the default 400 m. On sparse county data the knee
#: often lands there (1.8 to 4.5 km on police.uk Norfolk robbery, 4,370 m on the sample).
LARGE_EPS_M: Final = 1000.0


def apply_option(eps_m: float) -> str:
    """The command-line option that applies a suggested eps: ``"--eps 2900"``."""
    return f"--eps {eps_m:.0f}"


def _metres(value: float) -> str:
    return f"{value:,.0f} m"


def tune_verdict(result: TuneResult, current_eps_m: float) -> str:
    """Say what `tune` suggests, that it was not applied, and how to apply it.

    Parameters
    ----------
    result
        From :func:`hotspots.tune.suggest`.
    current_eps_m
        The eps in effect for this run (given, from the config, or the default): what maps,
        comparisons and briefings will keep using until the suggestion is applied.

    Returns
    -------
    str
        Plain text, e.g. ``"Suggestion, not applied: eps 2,900 m …; to apply it, run map,
        compare or brief with --eps 2900 (or set eps_m = 2900 under [analysis] in the
        config)."``
    """
    best = result.suggestion
    option = apply_option(best.eps_m)
    return (
        f"Suggestion, not applied: eps {_metres(best.eps_m)} with min samples "
        f"{best.min_samples} would give {counted(best.n_hotspots, 'hotspot')} holding "
        f"{best.harm_captured:,} of {counted(result.n_harm, 'harm event')} "
        f"({percent_text(best.harm_share)}). Nothing was changed: map, compare and brief keep "
        f"using eps {_metres(current_eps_m)} until you apply it. To apply it, run them with "
        f"{option} (or set eps_m = {best.eps_m:.0f} under [analysis] in the config)."
    )


def large_eps_warning(eps_m: float) -> str | None:
    """The caveat about town-sized radii when ``eps_m`` is `LARGE_EPS_M` or more, else None."""
    if not eps_m >= LARGE_EPS_M:
        return None
    return (
        f"eps {_metres(eps_m)} is town-sized (the warning starts at {_metres(LARGE_EPS_M)}). "
        "On sparse county data the knee often marks where towns end and countryside begins, "
        "not where an estate ends: hotspots this wide cover whole towns. Read the curve and "
        "the table; do not adopt a town-sized eps for tasking without thought."
    )


# --- evaluate ----------------------------------------------------------------------------------


def percent_text(share: float) -> str:
    """A share as a percentage with sensible precision: 44.5%, 1.2%, 0.13%, under 0.01%.

    Shares under 1% keep two significant figures, because the hotspots' share of a county is
    often a tenth of a percent and "0.1%" would hide a factor of two.
    """
    pct = 100 * share
    if pct == 0:
        return "0%"
    if pct < 0.01:
        return "under 0.01%"
    if pct < 1:
        return f"{pct:.2g}%"
    return f"{pct:.1f}%"


def times_text(ratio: float) -> str:
    """A ratio to quote: one decimal under 10 (1.1), whole numbers above (335)."""
    return f"{ratio:.1f}" if ratio < 10 else f"{ratio:,.0f}"


def grid_ratio(result: EvaluationResult) -> float:
    """``w``: the hotspots' PAI over the equal-area grid's (NaN when the grid's PAI is 0 or NaN).

    PAI, not the hit rate, because the grid's cells can only approximate the hotspots' area;
    dividing by area first keeps the comparison fair.
    """
    hot, grid = result.hotspots.pai, result.baseline.pai
    if not (math.isfinite(hot) and math.isfinite(grid)) or grid <= 0:
        return math.nan
    return hot / grid


def _periods(period_label: str, against_label: str) -> tuple[str, str]:
    drawn = f"drawn on {against_label} " if against_label else ""
    scored = f"{period_label}'s" if period_label else "the next period's"
    return drawn, scored


def evaluation_verdict(
    result: EvaluationResult, *, period_label: str = "", against_label: str = "", harm_label: str = ""
) -> str:
    """One sentence that reads the scores, or says plainly why there is nothing to read.

    Parameters
    ----------
    result
        The scores (:func:`hotspots.evaluate.evaluate`).
    period_label, against_label
        The scored period and the one the hotspots were drawn on; said generically when empty.
    harm_label
        What harm stands for (the config's ``[labels]`` noun, e.g. ``"robbery"``), named with
        the counts ("robbery: 89 of 200 events"); omitted when empty.

    Returns
    -------
    str
        E.g. ``"Hotspots drawn on 2025Q2 caught 44.5% of 2025Q3's harm (89 of 200 harm
        events) in 0.13% of the study area: 335 times better than chance and 1.1 times the
        best equal-area grid."``
    """
    drawn, scored = _periods(period_label, against_label)
    hot = result.hotspots
    if result.n_cur == 0:
        period = period_label or "the scored period"
        return f"Not scored: {period} has no harm events to score the hotspots by."
    if hot.n_areas == 0 or hot.area_m2 <= 0:
        earlier = against_label or "the earlier period"
        return (
            f"Not scored: no hotspots were drawn on {earlier} "
            f"({counted(result.n_prev, 'harm event')}), so there is nothing to score."
        )
    area = percent_text(hot.area_share)
    if hot.cur_inside == 0:
        return (
            f"Hotspots {drawn}caught none of {scored} "
            f"{counted(result.n_cur, 'harm event')}; they cover {area} of the study area."
        )
    chance = (
        "no better than chance"
        if times_text(hot.pai) == "1.0"
        else f"{times_text(hot.pai)} times better than chance"
        if hot.pai > 1
        else f"worse than chance ({times_text(hot.pai)} times what chance would catch)"
    )
    caught = (  # the label names what the counted events are: "robbery: 89 of 200 events"
        f"{harm_label}: {hot.cur_inside:,} of {counted(result.n_cur, 'event')}"
        if harm_label
        else f"{hot.cur_inside:,} of {counted(result.n_cur, 'harm event')}"
    )
    ratio = grid_ratio(result)
    if math.isnan(ratio):
        grid = "the best equal-area grid caught none"
    elif times_text(ratio) == "1.0":
        grid = "level with the best equal-area grid"
    else:
        grid = f"{times_text(ratio)} times the best equal-area grid"
    return (
        f"Hotspots {drawn}caught {percent_text(hot.hit_rate)} of {scored} harm "
        f"({caught}) in {area} of the "
        f"study area: {chance}, and {grid}."
    )


def pai_explanation(result: EvaluationResult) -> str:
    """Why PAI is as large as it is, with this evaluation's own figures when it is defined."""
    hot = result.hotspots
    worked = ""
    if math.isfinite(hot.pai) and hot.area_share > 0 and result.n_cur > 0:
        worked = (
            f" Here {percent_text(hot.hit_rate)} ÷ {percent_text(hot.area_share)} = "
            f"{times_text(hot.pai)}."
        )
    return (
        "Why PAI runs into the hundreds: PAI = hit rate ÷ area share (the share of the study "
        "area the hotspots cover). Harm concentrates in a few streets of a large area, so the "
        f"area share is small and PAI is large.{worked} 1 is what areas placed at random score. "
        "Compare PAI only between methods scored on the same study area and period, as here "
        "with the equal-area grid; never between areas, forces or periods."
    )
