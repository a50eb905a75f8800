"""Small inline SVG charts: a monthly sparkline and a day-of-week x hour heat table.

Pure string building: no script, no external file, no library; every label that comes
from data is escaped. The same strings serve the map's tooltips and the briefing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

import numpy as np

from hotspots.render.offline import escape_text
from hotspots.timeline import TIMELINE_DEFINITIONS, Timeline
from hotspots.timeofweek import STUDY_AREA, WEEK_DEFINITIONS, TimeOfWeek
from hotspots.trend import MIN_EVENTS, MIN_MONTHS, Trend

#: Line colour of the analysed period's months and of the earlier months.
PERIOD_COLOUR: Final = "#b35806"
HISTORY_COLOUR: Final = "#8c8c8c"
#: Heat-table ramp (light to dark orange), colour-blind safe against white.
HEAT_RAMP: Final = ("#ffffff", "#fee6ce", "#fdae6b", "#f16913", "#a63603")
DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _number(value: float) -> str:
    """A coordinate with at most 1 decimal, without a trailing ``.0`` (stable bytes)."""
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _count(value: float) -> str:
    """A count as people read it: whole numbers plain, aoristic fractions to 1 decimal."""
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def sparkline_svg(
    values: Sequence[float] | np.ndarray,
    *,
    months: Sequence[str] = (),
    period_first: int = 0,
    label: str = "Harm per month",
    width: int = 120,
    height: int = 28,
) -> str:
    """An inline SVG line of monthly values; the analysed period's months drawn darker.

    Parameters
    ----------
    values
        One value per month, oldest first.
    months
        ``YYYY-MM`` labels (optional): the first and last name the range in the title.
    period_first
        Index of the analysed period's first month; earlier months are drawn grey.
    label
        What the values are; with the values it forms the title (screen readers, hover).
    """
    n = len(values)
    clean = [float(v) if math.isfinite(float(v)) else 0.0 for v in values]
    span = f" {months[0]} to {months[-1]}" if len(months) == n and n else ""
    title = f"{label}{span}: " + (", ".join(_count(v) for v in clean) if n else "no months")
    head = (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape_text(title)}">'
        f"<title>{escape_text(title)}</title>"
    )
    if n == 0:
        return head + "</svg>"
    pad = 2.0
    top = max(clean) or 1.0
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0.0

    def point(k: int) -> str:
        x = pad + k * step if n > 1 else width / 2
        y = height - pad - (height - 2 * pad) * clean[k] / top
        return f"{_number(x)},{_number(y)}"

    first = min(max(period_first, 0), n - 1)
    parts = [head]
    if first > 0:
        history = " ".join(point(k) for k in range(first + 1))
        parts.append(f'<polyline points="{history}" fill="none" stroke="{HISTORY_COLOUR}" stroke-width="1"/>')
    period = " ".join(point(k) for k in range(first, n))
    if n - first > 1:
        parts.append(f'<polyline points="{period}" fill="none" stroke="{PERIOD_COLOUR}" stroke-width="1.5"/>')
    last_x, last_y = point(n - 1).split(",")
    parts.append(f'<circle cx="{last_x}" cy="{last_y}" r="1.8" fill="{PERIOD_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def heat_table_html(
    table: Sequence[Sequence[float]] | np.ndarray, *, caption: str, hours_per_cell: int = 1, compact: bool = False
) -> str:
    """A day-of-week x hour-of-day table as an HTML table of shaded cells.

    Parameters
    ----------
    table
        7 rows (Monday first) of 24 values (hour 0 first).
    caption
        The table's caption (escaped).
    hours_per_cell
        Hours merged into one column (1, 2, 3, 4, 6 or 12) to keep the table small.
    compact
        Small type and tight cells set inline (for a map tooltip, which has no style sheet
        of its own); otherwise the page styles ``table.heat-table``.
    """
    if len(table) != 7 or any(len(row) != 24 for row in table):
        raise ValueError("table: expected 7 rows (Monday first) of 24 hours")
    if hours_per_cell not in (1, 2, 3, 4, 6, 12):
        raise ValueError(f"hours_per_cell: expected 1, 2, 3, 4, 6 or 12, got {hours_per_cell!r}")
    cells = [
        [sum(float(v) for v in row[h : h + hours_per_cell]) for h in range(0, 24, hours_per_cell)]
        for row in table
    ]
    top = max((v for row in cells for v in row), default=0.0)
    th = ' style="padding:0 2px;font-weight:normal"' if compact else ""
    td = "padding:0 2px;min-width:14px;border:1px solid #ddd;text-align:center;" if compact else ""
    head = "".join(f'<th scope="col"{th}>{h:02d}</th>' for h in range(0, 24, hours_per_cell))
    rows = []
    for day, row in zip(DAY_NAMES, cells, strict=True):
        tds = []
        for value in row:
            shade = HEAT_RAMP[0] if top <= 0 or value <= 0 else HEAT_RAMP[min(4, 1 + int(3.999 * value / top))]
            ink = "#ffffff" if shade in HEAT_RAMP[3:] else "#000000"
            text = _count(value) if value > 0 else ""
            tds.append(f'<td style="{td}background:{shade};color:{ink}">{text}</td>')
        rows.append(f'<tr><th scope="row"{th}>{day}</th>{"".join(tds)}</tr>')
    table_style = ' style="font-size:9px;line-height:1.1;border-collapse:collapse"' if compact else ""
    return (
        f'<table class="heat-table"{table_style}><caption>{escape_text(caption)}</caption>'
        f'<thead><tr><th scope="col"{th}></th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


#: What each tooltip row of :func:`tooltip_rows` shows, for the map's definitions: how it is
#: drawn, then the definitions summary.json and the briefing print (timeline.py, timeofweek.py),
#: word for word, so each is written once.
TOOLTIP_DEFINITIONS: Final = {
    "Harm per month": (
        "harm per month (grey: months before the period, up to 24; orange: the period) is the "
        "harm of the hotspot series, where hotspot series = "
        f"{TIMELINE_DEFINITIONS['timeline_hotspot_series']}; month of an event = "
        f"{TIMELINE_DEFINITIONS['timeline_month_of_event']}; trend = {TIMELINE_DEFINITIONS['trend']} "
        "(docs/time.md)."
    ),
    "Harm by day and hour": (
        f"harm by day and hour (4-hour blocks) = {WEEK_DEFINITIONS['time_of_week']}; "
        f"{WEEK_DEFINITIONS['time_of_week_window']}."
    ),
}


def trend_phrase(trend: Trend) -> str:
    """``"rising (p = 0.003)"``, ``"no clear trend (p = 0.41)"`` or why it was not tested."""
    if trend.p_value is None:
        return f"no clear trend (not tested: fewer than {MIN_MONTHS} months or {MIN_EVENTS:g} events)"
    p = "p < 0.001" if trend.p_value < 0.001 else f"p = {trend.p_value:.3f}"
    return f"{trend.label} ({p})"


def tooltip_rows(timeline: Timeline, week: TimeOfWeek | None = None) -> list[tuple[str, dict[str, str]]]:
    """Tooltip rows for the map's hotspots: the monthly sparkline with its trend, and the
    day x hour heat table (4-hour blocks) of priority hotspots when the input has times."""
    months = timeline.months
    cells = {
        key: sparkline_svg(series.harm, months=months, period_first=timeline.period_first)
        + f" {escape_text(trend_phrase(series.trend))}"
        for key, series in timeline.hotspots.items()
    }
    # A short label keeps the tooltip narrow; the chart's title names its months.
    rows = [("Harm per month", cells)]
    if week is not None and week.has_times:
        heat = {
            key: heat_table_html(table.weights, caption=f"{table.with_time:,} timed, {table.no_time + table.too_long:,} left out",
                                 hours_per_cell=4, compact=True)
            for key, table in week.tables.items()
            if key != STUDY_AREA
        }
        rows.append(("Harm by day and hour", heat))
    return rows
