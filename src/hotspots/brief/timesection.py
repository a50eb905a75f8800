"""The briefing's time content: monthly charts of priority hotspots, heat tables, the trend finding.

Built from a :class:`~hotspots.timeline.Timeline` and a :class:`~hotspots.timeofweek.TimeOfWeek`
into plain strings and trusted markup (the inline SVG and HTML of
:mod:`hotspots.render.sparkline`, which escapes every value), so the document renderers only
lay it out. The wide audience gets none of it: monthly and hourly counts of a small area are
the small numbers that audience's rules withhold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from hotspots.render.sparkline import heat_table_html, sparkline_svg, trend_phrase
from hotspots.sentences import counted, verb
from hotspots.timeline import MAX_WINDOW_DAYS, Timeline
from hotspots.timeofweek import DAYS, MAX_WINDOW_HOURS, STUDY_AREA, TimeOfWeek
from hotspots.trend import TREND_ALPHA, TREND_FALLING, TREND_RISING, rising_run

#: Hours merged into one column of the briefing's heat tables (6 columns a day).
HOURS_PER_CELL = 4


@dataclass(frozen=True)
class MonthRow:
    """One priority hotspot's monthly harm."""

    rank: str
    hotspot_id: str
    chart: Markup  # inline SVG
    values: str  # "3, 5, 8" for Markdown and screen readers
    trend: str


@dataclass(frozen=True)
class HeatTable:
    """One day x hour table, as HTML and as rows for Markdown."""

    caption: str
    html: Markup
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class TimeSection:
    """What the briefing shows about time."""

    months_note: str
    months: tuple[MonthRow, ...]
    week_note: str
    heat_tables: tuple[HeatTable, ...]


def _count(value: float) -> str:
    return f"{value:.0f}" if abs(value - round(value)) < 1e-9 else f"{value:.1f}"


def _month_name(month: str) -> str:
    """``"2024-04"`` -> ``"April 2024"``."""
    return date.fromisoformat(f"{month}-01").strftime("%B %Y")


def time_section(
    timeline: Timeline, week: TimeOfWeek | None, priority: Sequence[tuple[int, str]]
) -> TimeSection:
    """The section for the priority hotspots ``priority`` ((rank, id), in order)."""
    months = timeline.months
    rows = []
    for rank, key in priority:
        series = timeline.hotspots.get(key)
        if series is None:
            continue
        rows.append(
            MonthRow(
                rank=str(rank),
                hotspot_id=key,
                chart=Markup(sparkline_svg(series.harm, months=months, period_first=timeline.period_first,
                                           width=160, height=32)),
                values=", ".join(_count(v) for v in series.harm),
                trend=trend_phrase(series.trend),
            )
        )
    span = f"{_month_name(months[0])} to {_month_name(months[-1])}" if months else "no months"
    months_note = (
        f"Harm events inside each footprint per calendar month, {span} (darker line: this period). "
        f"Trend: a Poisson regression of the monthly counts on time, labelled rising or falling only "
        f"when significant at the {TREND_ALPHA:g} level. Events dated by a window are shared between "
        f"months in proportion to its days; windows over {MAX_WINDOW_DAYS} days are left out "
        f"({timeline.windows_too_long:,} here)."
    )
    heat: list[HeatTable] = []
    week_note = "The input records no times of day, so there is no time-of-week table."
    if week is not None and week.has_times:
        study = week.tables[STUDY_AREA]
        week_note = (
            f"Harm by day of week and time of day ({HOURS_PER_CELL}-hour blocks, clock time as recorded). "
            f"{counted(study.with_time, 'harm event')} of the period {verb(study.with_time, 'has')} a "
            f"time; {study.no_time:,} (date-only or "
            f"month-only) and {study.too_long:,} (windows over {MAX_WINDOW_HOURS} hours) are left out. "
            "Windows are shared between hours in proportion to their length."
        )
        ranks = {key: rank for rank, key in priority}
        for key, table in week.tables.items():
            if key != STUDY_AREA and key not in ranks:
                continue
            caption = "Study area" if key == STUDY_AREA else f"Rank {ranks[key]}: {key}"
            caption += f" ({table.with_time:,} timed events)"
            blocks = [
                [sum(float(v) for v in row[h : h + HOURS_PER_CELL]) for h in range(0, 24, HOURS_PER_CELL)]
                for row in table.weights
            ]
            heat.append(
                HeatTable(
                    caption=caption,
                    html=Markup(heat_table_html(table.weights, caption=caption, hours_per_cell=HOURS_PER_CELL)),
                    columns=("Day", *(f"{h:02d}-{h + HOURS_PER_CELL - 1:02d}" for h in range(0, 24, HOURS_PER_CELL))),
                    rows=tuple((day[:3], *(_count(v) for v in row)) for day, row in zip(DAYS, blocks, strict=True)),
                )
            )
    return TimeSection(months_note, tuple(rows), week_note, tuple(heat))


def trend_finding(timeline: Timeline, priority: Sequence[tuple[int, str]]) -> str | None:
    """One key-finding sentence about the priority hotspots' trends, or None when none is clear.

    "has risen each month since April 2024" is said only when the count literally rose in
    each month since then (at least two rises in a row) and the trend test calls it rising.
    """
    months = timeline.months
    rising = [(r, k) for r, k in priority if k in timeline.hotspots and timeline.hotspots[k].trend.label == TREND_RISING]
    falling = [(r, k) for r, k in priority if k in timeline.hotspots and timeline.hotspots[k].trend.label == TREND_FALLING]
    if not rising and not falling:
        return None
    parts = []
    if rising:
        # The strongest evidence first (smallest p), then rank.
        rank, key = min(rising, key=lambda rk: (timeline.hotspots[rk[1]].trend.p_value or 1.0, rk[0]))
        series = timeline.hotspots[key]
        run = rising_run(series.harm)
        p = trend_phrase(series.trend).split("(", 1)[1].rstrip(")")
        if run >= 2:
            since = months[len(months) - 1 - run]
            shown = series.harm[-(run + 1):]
            values = (", ".join(_count(v) for v in shown) if len(shown) <= 6
                      else f"from {_count(shown[0])} to {_count(shown[-1])} a month")
            parts.append(f"Harm in {key} (rank {rank}) has risen each month since {_month_name(since)} "
                         f"({values}; monthly trend test, {p})")
        else:
            parts.append(f"Harm in {key} (rank {rank}) is rising over the {len(months)} months to "
                         f"{_month_name(months[-1])} (monthly trend test, {p})")
        others = [k for _, k in rising if k != key]
        if others:
            parts[-1] += f"; also rising: {', '.join(others)}"
    if falling:
        parts.append(f"falling: {', '.join(k for _, k in falling)}")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."
