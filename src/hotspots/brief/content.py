"""Build the content of a tasking briefing: every sentence, table and the figure, numbers computed.

`build_briefing` turns one period's `Analysis` (and optionally a comparison with an earlier
period) into a `Briefing`: plain strings, tables of strings and PNG bytes, in the order a problem
profile uses. The renderers in `hotspots.brief.document` only lay it out, so what may be shown to
whom (`hotspots.brief.rules`) is decided here, once, for HTML, Markdown and PDF alike.

Neither audience shows individual events or free text from the input: the `Analysis` holds
none, and the comparison object is read only for its counts, classes, periods and geometry.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final

import shapely

from hotspots import __version__, schema, sentences
from hotspots.brief.disclosure import WITHHELD, Shown, hotspot_counts, shown_sum
from hotspots.brief.rules import (
    AUDIENCE_INTERNAL,
    AUDIENCE_WIDE,
    AUDIENCES,
    WIDE_GRID_M,
    Style,
    audience_note,
    audience_rules,
)
from hotspots.brief.wording import (
    attributions,
    caveats,
    definitions,
    long_date,
    looks_like_police_uk,
    period_label,
    period_text,
)
from hotspots.compare import CHANGE_CLASSES, CHANGE_RESOLVED
from hotspots.display import short_name
from hotspots.errors import ConfigError
from hotspots.labels import Labels
from hotspots.notices import NOT_ANALYSED, no_harm_of
from hotspots.parameter_words import parameters_in_words
from hotspots.params import PresentationParams, parameters_record
from hotspots.period import Period

if TYPE_CHECKING:
    from hotspots.brief.timesection import TimeSection
    from hotspots.model import Analysis
    from hotspots.timeline import Timeline
    from hotspots.timeofweek import TimeOfWeek

__all__ = [
    "DEFAULT_TOP_N",
    "TITLE",
    "Briefing",
    "Changes",
    "MapFeature",
    "Table",
    "build_briefing",
    "title_of",
]

#: Priority hotspots listed unless the caller asks for another number.
DEFAULT_TOP_N: Final = 10
TITLE: Final = "Tasking briefing: harm hotspots and enforcement coverage"


def title_of(labels: Labels) -> str:
    """The briefing's title, naming what harm and enforcement stand for ([labels])."""
    return (
        f"Tasking briefing: harm hotspots ({labels.harm}) and enforcement coverage "
        f"({labels.enforcement})"
    )
#: Maximum number of key-finding sentences; the brief asks for three to five.
MAX_FINDINGS: Final = 5

#: Classes of current-period hotspots, in the order they are reported.
CURRENT_CLASSES: Final = tuple(c for c in CHANGE_CLASSES if c != CHANGE_RESOLVED)
RESOLVED: Final = CHANGE_RESOLVED
COVERAGE_CHANGE_LABELS: Final = {
    "gap_opened": "gap opened",
    "gap_closed": "gap closed",
    "still_thin": "still thin",
    "still_covered": "still covered",
}


@dataclass(frozen=True)
class Table:
    """A table of display strings: column headings, rows, and which columns are numeric."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()  # right-aligned columns; empty: none

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"Table: row {i} has {len(row)} cells, expected {len(self.columns)} "
                    f"({', '.join(self.columns)})"
                )

    def records(self) -> list[dict[str, str]]:
        """The rows as ``{column: cell}`` dictionaries."""
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]

    def is_numeric(self, index: int) -> bool:
        """Whether column `index` holds numbers (and is right-aligned)."""
        return bool(self.numeric) and self.numeric[index]


@dataclass(frozen=True)
class MapFeature:
    """One hotspot as the figure draws it: a shape, its status and its label."""

    geometry: Any  # shapely geometry in EPSG:27700: footprint (internal) or grid square (wide)
    x_m: float  # where the label goes
    y_m: float
    status: str
    label: str  # rank number for priority hotspots, "" for the rest


@dataclass(frozen=True)
class Changes:
    """Section 6: what changed since the comparison period."""

    summary: tuple[str, ...]
    hotspots: Table


@dataclass(frozen=True)
class Briefing:
    """Everything a briefing shows, ready to lay out; see the module docstring for audiences."""

    title: str
    marking: str  # in capitals
    audience: str
    audience_note: str
    area: str
    period: str
    comparison_period: str | None
    produced: date
    version: str
    reason: str | None
    key_findings: tuple[str, ...]
    priority: Table
    priority_note: str
    figure_png: bytes
    figure_caption: str
    map_features: tuple[MapFeature, ...]
    areas: Table
    areas_note: str
    changes: Changes | None
    quality: Table  # figure, value
    rejected: Table
    stacked: Table | None
    stacked_note: str
    warnings: tuple[str, ...]
    caveats: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]
    parameters: Table
    inputs: Table | None
    boundary_source: str
    attributions: tuple[str, ...]
    audience_rules: tuple[str, ...] = field(default=())
    surface: Table | None = None  # the coverage-gap surface by district (--surface)
    surface_note: str = ""
    time: TimeSection | None = None  # monthly charts, heat tables (internal audience, when built with a timeline)
    insets_png: bytes | None = None  # street-scale panels of the top priorities (brief.insets)

    @property
    def produced_text(self) -> str:
        """The production date as ``28 November 2025``."""
        return long_date(self.produced)


# --- formatting ----------------------------------------------------------------------------------


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return word if n == 1 else (plural or word + "s")


def _number(value: Any) -> float | None:
    """A finite float, or None for missing/NaN/non-numeric values."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _whole(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else round(number)


def _coordinate(value: Any) -> float:
    """Metres, or NaN when missing (NaN never reaches a grid reference: it gives "")."""
    number = _number(value)
    return math.nan if number is None else number


def _text(value: Any) -> str:
    """A display string for a name-like value; missing values become ""."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _p_value(value: Any) -> str:
    p = _number(value)
    if p is None:
        return ""
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _ids(value: Any) -> str:
    """Matched ids (a list, tuple, set or a delimited string) as ``"H001, H004"``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        parts: Iterable[Any] = re.split(r"[;,\s]+", value)
    elif isinstance(value, Iterable):
        parts = value
    else:
        parts = [value]
    return ", ".join(sorted({str(p) for p in parts if str(p)}))


def _rows(frame: Any) -> list[dict[str, Any]]:
    """The rows of a (Geo)DataFrame as plain dictionaries, in order."""
    if frame is None or len(frame) == 0:
        return []
    return [dict(row) for row in frame.to_dict("records")]


# --- hotspots ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hotspot:
    """One hotspot row read from the analysis, with plain Python values."""

    hotspot_id: str
    rank: int
    status: str
    harm: int
    enforcement: int
    days: float | None
    area_code: str
    area_name: str
    x_m: float
    y_m: float
    geometry: Any
    chance: str = ""  # "unlikely by chance" / "could be chance" when the chance test ran
    p_value: float | None = None
    locations: int | None = None  # distinct coordinates of its harm events (None: not recorded)
    few_locations: bool = False
    near: str = ""  # nearest settlement (hotspots.where)
    postcode_sector: str = ""
    postcode: str = ""  # internal audience only
    local_area_name: str = ""  # with --local-areas
    shown_harm: Shown | None = None  # as published for the audience (see _published)
    shown_enforcement: Shown | None = None
    wide: bool = False  # published for the wide audience: no exact counts in sentences

    @property
    def thin(self) -> bool:
        return self.status == schema.STATUS_THIN

    @property
    def where(self) -> str:
        """``"all 3 events at one location"``, or ``""`` when the hotspot is not flagged."""
        if not self.few_locations or self.locations is None:
            return ""
        if self.wide:  # exact counts of events and locations would give the harm count away
            return "few distinct locations"
        return sentences.at_locations(self.harm, self.locations)


def _published(
    style: Style, params: Any, harm: int | None, enforcement: int | None, status: str
) -> tuple[Shown | None, Shown | None]:
    """A hotspot's harm and enforcement as published; the wide rules are in brief.disclosure."""
    if harm is None or enforcement is None:
        return (
            None if harm is None else style.shown(harm),
            None if enforcement is None else style.shown(enforcement),
        )
    if not style.wide:
        return style.shown(harm), style.shown(enforcement)
    return hotspot_counts(
        harm, enforcement, status == schema.STATUS_THIN, params.thin_ratio, params.min_samples
    )


def _hotspots(analysis: Analysis, style: Style | None = None) -> list[_Hotspot]:
    style = style or Style(wide=False)
    found = []
    for row in _rows(analysis.hotspots):
        harm = _whole(row.get("harm")) or 0
        enforcement = _whole(row.get("enforcement")) or 0
        shown_harm, shown_enforcement = _published(
            style, analysis.params, harm, enforcement, _text(row.get("status"))
        )
        found.append(
            _Hotspot(
                hotspot_id=_text(row.get("hotspot_id")),
                rank=_whole(row.get("rank")) or 0,
                status=_text(row.get("status")),
                harm=_whole(row.get("harm")) or 0,
                enforcement=_whole(row.get("enforcement")) or 0,
                days=_number(row.get("days_since_enforcement")),
                area_code=_text(row.get("area_code")),
                area_name=short_name(_text(row.get("area_name"))),
                x_m=_coordinate(row.get("centroid_x")),
                y_m=_coordinate(row.get("centroid_y")),
                geometry=row.get("geometry"),
                chance=_text(row.get("chance")) if row.get("chance") is not None else "",
                p_value=_number(row.get("p_value")),
                locations=_whole(row.get("locations")),
                few_locations=bool(row.get("few_locations")) if _text(row.get("few_locations")) else False,
                near=_text(row.get("near")),
                postcode_sector=_text(row.get("postcode_sector")),
                postcode=_text(row.get("postcode")),
                local_area_name=_text(row.get("local_area_name")),
                shown_harm=shown_harm,
                shown_enforcement=shown_enforcement,
                wide=style.wide,
            )
        )
    return sorted(found, key=lambda h: (h.rank, h.hotspot_id))


def _withheld(h: _Hotspot) -> bool:
    """Whether a hotspot's enforcement is withheld; its days since enforcement are then withheld
    too, since a date inside the period says enforcement was at least 1."""
    return h.shown_enforcement is not None and h.shown_enforcement.hi is None


def _order_value(shown: Shown | None) -> float:
    """Where a published count sorts: its printed number, a suppressed one in the middle of its
    range, a withheld one last."""
    if shown is None or shown.hi is None:
        return math.inf
    try:
        return float(shown.text.replace(",", ""))
    except ValueError:
        return (shown.lo + shown.hi) / 2


def _wide_order(hotspots: Sequence[_Hotspot]) -> list[_Hotspot]:
    """Thin hotspots in the wide version's priority order, from published figures only.

    The analysis ranks by the exact harm gap; an order of exact values, printed beside rounded
    ones, tells a reader how suppressed counts compare. The wide version orders by published
    harm (most first), then published enforcement (least first), then hotspot id.
    """
    return sorted(
        hotspots,
        key=lambda h: (
            -_order_value(h.shown_harm),
            _order_value(h.shown_enforcement),
            h.hotspot_id,
        ),
    )


def _square(x_m: float, y_m: float) -> tuple[Any, float, float]:
    """The wide-audience grid square holding a point, and the square's centre."""
    x0 = math.floor(x_m / WIDE_GRID_M) * WIDE_GRID_M
    y0 = math.floor(y_m / WIDE_GRID_M) * WIDE_GRID_M
    half = WIDE_GRID_M / 2
    return shapely.box(x0, y0, x0 + WIDE_GRID_M, y0 + WIDE_GRID_M), x0 + half, y0 + half


# --- the comparison (duck-typed: see the module docstring of hotspots.compare) --------------------


@dataclass(frozen=True)
class _Change:
    period: str
    hotspot_id: str
    change: str
    matched: str
    harm_previous: Shown | None
    harm_current: Shown | None
    enforcement_previous: Shown | None
    enforcement_current: Shown | None
    status_previous: str
    status_current: str
    coverage_change: str
    p_value: str
    area_name: str
    geometry: Any


#: Classes decided by the harm-count test; the wide version reports them as "matched", since the
#: test is computed from the exact counts.
_TESTED_CLASSES: Final = ("intensified", "persistent", "diminished")
MATCHED: Final = "matched"


def _changes(
    comparison: Any,
    style: Style | None = None,
    params: Any = None,
    own: Mapping[str, _Hotspot] | None = None,
) -> list[_Change]:
    style = style or Style(wide=False)
    rows = []
    table = _rows(getattr(comparison, "hotspots", None))
    # Wide: a group with several current hotspots prints its current totals beside each
    # member's own counts (priority table); derive them from the members' published counts.
    members: dict[str, list[str]] = {}
    for row in table:
        if _text(row.get("period")) == "current" and _ids(row.get("matched_ids")):
            members.setdefault(_ids(row.get("matched_ids")), []).append(
                _text(row.get("hotspot_id"))
            )
    for row in table:
        harm_previous, enforcement_previous = _published(
            style,
            params,
            _whole(row.get("harm_previous")),
            _whole(row.get("enforcement_previous")),
            _text(row.get("status_previous")),
        )
        harm_current, enforcement_current = _published(
            style,
            params,
            _whole(row.get("harm_current")),
            _whole(row.get("enforcement_current")),
            _text(row.get("status_current")),
        )
        group = members.get(_ids(row.get("matched_ids")), [])
        if (
            style.wide
            and own is not None
            and _text(row.get("period")) == "current"
            and len(group) > 1
            and all(g in own for g in group)
        ):
            harm_current = shown_sum(own[g].shown_harm or style.shown(own[g].harm) for g in group)
            enforcement_current = shown_sum(
                own[g].shown_enforcement or style.shown(own[g].enforcement) for g in group
            )
        change = _text(row.get("change"))
        p_value = _p_value(row.get("p_value"))
        if style.wide:
            # A test of exact counts gives them away (p = 0.002 fits 25 -> 6, not 25 -> 7), and
            # an exact count differenced with the others pins suppressed ones: no test results.
            p_value = ""
            if change in _TESTED_CLASSES:
                change = MATCHED
        rows.append(
            _Change(
                period=_text(row.get("period")),
                hotspot_id=_text(row.get("hotspot_id")),
                change=change,
                matched=_ids(row.get("matched_ids")),
                harm_previous=harm_previous,
                harm_current=harm_current,
                enforcement_previous=enforcement_previous,
                enforcement_current=enforcement_current,
                status_previous=_text(row.get("status_previous")),
                status_current=_text(row.get("status_current")),
                coverage_change=_text(row.get("coverage_change")),
                p_value=p_value,
                area_name=short_name(_text(row.get("area_name"))),
                geometry=row.get("geometry"),
            )
        )
    return rows


def _change_text(change: _Change, style: Style) -> str:
    """``"intensified: harm 4 → 9; gap opened"`` for a priority-table cell."""
    text = change.change or "unclassified"
    if change.harm_previous is not None and change.change != "new":
        text += f": harm {style.arrow(change.harm_previous, change.harm_current)}"
    if change.coverage_change in ("gap_opened", "gap_closed"):
        text += f"; {COVERAGE_CHANGE_LABELS[change.coverage_change]}"
    return text


# --- sections ------------------------------------------------------------------------------------


def build_briefing(
    current: Analysis,
    comparison: Any | None = None,
    previous: Analysis | None = None,
    *,
    audience: str = AUDIENCE_INTERNAL,
    top_n: int = DEFAULT_TOP_N,
    produced: date | None = None,
    version: str = __version__,
    reason: str | None = None,
    evaluation: Any | None = None,
    presentation: PresentationParams | None = None,
    surface_areas: Any | None = None,
    surface_note: str = "",
    timeline: Timeline | None = None,
    time_of_week: TimeOfWeek | None = None,
) -> Briefing:
    """Build the content of a tasking briefing.

    Parameters
    ----------
    current
        The analysis of the period the briefing is about.
    comparison
        A comparison of `current` with an earlier period (``hotspots.compare.Comparison`` or any
        object with its ``hotspots`` and ``areas`` tables), or None for no comparison.
    previous
        The analysis of the comparison period: names the period in the header and places
        resolved hotspots. Optional even with a comparison.
    audience
        ``"internal"`` or ``"wide"``; `hotspots.brief.rules` says what ``wide`` withholds.
    top_n
        How many thin-coverage hotspots to list as priorities (1 or more).
    produced
        The production date printed in the header; today when None. Pin it for reproducible
        output.
    version
        The tool version printed in the header and method.
    reason
        Why the briefing was produced (``--reason``); shown to the internal audience only.
    evaluation
        Predictive scores of `previous`'s hotspots on `current`'s harm, or None.
    presentation
        The protective marking (and the settings listed with the parameters); default
        `PresentationParams()`.
    timeline, time_of_week
        Monthly series and day x hour tables (:mod:`hotspots.timeline`,
        :mod:`hotspots.timeofweek`): a chart per priority hotspot, heat tables and a trend
        finding for the internal audience; None leaves them out.
    surface_areas, surface_note
        The coverage-gap surface by district (:func:`hotspots.surface.district_summary`,
        computed on 1 km squares for the wide audience) and how it was made, or None.

    Returns
    -------
    Briefing
        The content, with the figure rendered as PNG bytes.

    Raises
    ------
    ConfigError
        If `audience` or `top_n` is invalid.
    """
    if audience not in AUDIENCES:
        raise ConfigError(f"audience: expected one of {', '.join(AUDIENCES)}, got {audience!r}")
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ConfigError(f"top_n: expected a whole number of at least 1, got {top_n!r}")
    from hotspots.brief.figure import render_figure  # matplotlib is slow to import
    from hotspots.brief.insets import render_insets

    presentation = PresentationParams() if presentation is None else presentation

    style = Style(wide=audience == AUDIENCE_WIDE)
    params = current.params
    hotspots = _hotspots(current, style)
    # Demoted hotspots (too few distinct locations, when configured) are never priorities:
    # the analysis's warnings list them under "check the geocoding".
    demote = getattr(params, "few_locations", "flag") == "demote"
    thin = [h for h in hotspots if h.thin]
    if style.wide:
        # Wide ranks come from published figures only (see _wide_order).
        ranked = {
            h.hotspot_id: replace(h, rank=i) for i, h in enumerate(_wide_order(thin), start=1)
        }
        hotspots = [ranked.get(h.hotspot_id, h) for h in hotspots]
        thin = sorted(ranked.values(), key=lambda h: h.rank)
    priority = [h for h in thin if not (demote and h.few_locations)][:top_n]
    changes = (
        _changes(comparison, style, params, {h.hotspot_id: h for h in hotspots})
        if comparison is not None
        else []
    )
    current_changes = {c.hotspot_id: c for c in changes if c.period == "current"}
    # The comparison period: from the previous analysis, else from the comparison itself.
    previous_period = previous.period if previous is not None else None
    if previous_period is None and comparison is not None:
        candidate = getattr(comparison, "previous_period", None)
        previous_period = candidate if isinstance(candidate, Period) else None
    comparison_label = None
    previous_label = "the comparison period"
    if previous_period is not None:
        comparison_label = period_text(previous_period)
        previous_label = period_label(previous_period)
    elif comparison is not None or previous is not None:
        comparison_label = previous_label

    area_rows = _rows(current.areas)
    # A district's harm in thin hotspots is the sum of its thin hotspots' harm: the wide version
    # derives it from the published hotspot counts (only when every one is published), so it can
    # never be differenced against them.
    published_ids = {h.hotspot_id for h in priority}
    if comparison is not None:
        published_ids |= {c.hotspot_id for c in changes if c.period == "current"}
    thin_harm = _thin_harm_by_area(area_rows, thin, published_ids, style)
    features = _map_features(hotspots, {h.hotspot_id for h in priority}, style)
    boundaries = current.areas.geometry if len(current.areas) else None
    area_labels = [(short_name(_text(r.get("area_name")), 40), r.get("geometry")) for r in area_rows]
    marking = presentation.marking.strip().upper()
    figure_png = render_figure(boundaries, area_labels, features, wide=style.wide, marking=marking)
    ranked_features = sorted((f for f in features if f.label), key=lambda f: int(f.label))
    insets_png = render_insets(
        boundaries, ranked_features, features, wide=style.wide, marking=marking
    )
    police_uk = looks_like_police_uk(current.inputs)
    findings = _key_findings(
        current, hotspots, thin, area_rows, thin_harm, changes, previous_label, style
    )
    time = None
    if timeline is not None and not style.wide:
        from hotspots.brief.timesection import time_section, trend_finding

        priority_ids = [(h.rank, h.hotspot_id) for h in priority]
        time = time_section(timeline, time_of_week, priority_ids)
        sentence = trend_finding(timeline, priority_ids)
        if sentence:  # after the headline findings; the list keeps its maximum length
            at = min(len(findings), 2)
            findings = (*findings[:at], sentence, *findings[at:])[:MAX_FINDINGS]

    return Briefing(
        title=title_of(current.types.labels),
        marking=presentation.marking.strip().upper(),
        audience=audience,
        audience_note=audience_note(style.wide),
        area=_study_area(area_rows),
        period=period_text(current.period),
        comparison_period=comparison_label,
        produced=produced or date.today(),
        version=version,
        reason=None if style.wide else reason,
        key_findings=findings,
        priority=_priority_table(
            priority, current_changes if comparison is not None else None, style
        ),
        priority_note=_priority_note(
            len(hotspots), len(thin), len(priority), top_n, style.wide,
            demoted=demote and any(h.few_locations for h in thin),
        )
        + _few_locations_note(priority, hotspots, demote),
        figure_png=figure_png,
        figure_caption=_figure_caption(current, style),
        map_features=tuple(features),
        areas=_areas_table(area_rows, thin_harm, comparison, style),
        areas_note=_areas_note(comparison is not None, style.wide),
        surface=None if surface_areas is None else _surface_table(surface_areas, style),
        surface_note=surface_note,
        changes=(
            _with_evaluation(
                _changes_section(changes, comparison, current, previous, previous_label, style),
                None if style.wide else evaluation,
                previous_label,
                period_label(current.period) if current.period else "this period",
            )
            if comparison is not None
            else None
        ),
        quality=_quality_table(current, area_rows, style),
        rejected=_rejected_table(current.quality.rejected_by_reason, style),
        stacked=None if style.wide else _stacked_table(current.quality.stacked_points, style),
        stacked_note=_stacked_note(current, style),
        warnings=() if style.wide else tuple(str(w) for w in current.quality.warnings),
        caveats=caveats(current, police_uk, comparison is not None),
        definitions=definitions(current, comparison is not None, style.wide) + _time_definitions(time),
        parameters=_parameters_table(parameters_record(params, presentation)),
        inputs=None if style.wide else _inputs_table(current.inputs),
        boundary_source=current.boundary_source,
        attributions=_sources_once(current.boundary_source, attributions(police_uk)),
        audience_rules=audience_rules(),
        time=time,
        insets_png=insets_png,
    )


def _time_definitions(time: TimeSection | None) -> tuple[tuple[str, str], ...]:
    """The time section's definitions (docs/time.md), when the briefing has one."""
    if time is None:
        return ()
    from hotspots.timeline import TIMELINE_DEFINITIONS
    from hotspots.timeofweek import WEEK_DEFINITIONS

    terms = {**TIMELINE_DEFINITIONS, **WEEK_DEFINITIONS}
    return tuple((term.replace("_", " "), text) for term, text in terms.items())


def _study_area(area_rows: Sequence[Mapping[str, Any]]) -> str:
    names = sorted({short_name(_text(r.get("area_name"))) for r in area_rows} - {""})
    if not names:
        return "no districts"
    if len(names) <= 8:
        return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]
    return f"{', '.join(names[:6])} and {len(names) - 6} more districts"


def _map_features(
    hotspots: Sequence[_Hotspot], priority_ids: set[str], style: Style
) -> list[MapFeature]:
    features = []
    if style.wide:
        # Drawing order decides label placement and overlaps: published ranks, then ids, never
        # the exact ranking.
        hotspots = sorted(
            hotspots,
            key=lambda h: (h.rank if h.hotspot_id in priority_ids else math.inf, h.hotspot_id),
        )
    for h in hotspots:
        label = str(h.rank) if h.hotspot_id in priority_ids else ""
        if style.wide:
            if not (math.isfinite(h.x_m) and math.isfinite(h.y_m)):
                continue
            square, cx, cy = _square(h.x_m, h.y_m)
            features.append(MapFeature(square, cx, cy, h.status, label))
        else:
            features.append(MapFeature(h.geometry, h.x_m, h.y_m, h.status, label))
    return features


def _thin_harm_by_area(
    area_rows: Sequence[Mapping[str, Any]],
    thin: Sequence[_Hotspot],
    published_ids: set[str],
    style: Style,
) -> dict[str, Shown | None]:
    """Each district's harm in thin hotspots as published (None: not shown).

    Internal: the analysis' figure. Wide: the sum of the published harm of the district's thin
    hotspots, only when every one of them is published (otherwise the total, differenced with
    the listed ones, would narrow down the rest).
    """
    shown: dict[str, Shown | None] = {}
    for r in area_rows:
        code = _text(r.get("area_code"))
        if not style.wide:
            shown[code] = style.shown(_whole(r.get("harm_in_thin_hotspots")) or 0)
            continue
        mine = [h for h in thin if h.area_code == code]
        if all(h.hotspot_id in published_ids and h.shown_harm is not None for h in mine):
            shown[code] = shown_sum(h.shown_harm for h in mine if h.shown_harm is not None)
        else:
            shown[code] = None
    return shown


def _total(area_rows: Sequence[Mapping[str, Any]], column: str, style: Style) -> Shown:
    """A study-area total: exact (internal) or the sum of the published district counts (wide)."""
    exact = sum(_whole(r.get(column)) or 0 for r in area_rows)
    if not style.wide:
        return style.shown(exact)
    return shown_sum(style.shown(_whole(r.get(column)) or 0) for r in area_rows)


def _key_findings(
    current: Analysis,
    hotspots: Sequence[_Hotspot],
    thin: Sequence[_Hotspot],
    area_rows: Sequence[Mapping[str, Any]],
    thin_harm: Mapping[str, Shown | None],
    changes: Sequence[_Change],
    previous_label: str,
    style: Style,
) -> tuple[str, ...]:
    params = current.params
    period = period_label(current.period)
    demote = getattr(params, "few_locations", "flag") == "demote"
    ranked = [h for h in thin if not (demote and h.few_locations)]
    set_aside = len(thin) - len(ranked)
    total_harm = _total(area_rows, "harm", style)
    total_enforcement = _total(area_rows, "enforcement", style)
    findings: list[str] = []

    no_harm = no_harm_of(current)
    if no_harm:  # a period with no harm at all says so, not "formed no group"
        findings.append(no_harm)
    elif not hotspots:
        findings.append(
            f"No harm hotspots were found in {period}: the "
            f"{style.counted(total_harm, 'recorded harm event')} formed no group of "
            f"{params.min_samples} or more within {params.eps_m:g} m of each other."
        )
    else:
        labels = current.types.labels
        sentence = (
            f"{len(thin)} of {len(hotspots)} harm {_plural(len(hotspots), 'hotspot')} "
            f"({labels.harm}) in {period} had thin enforcement coverage (fewer than "
            f"{params.thin_ratio:g} {labels.enforcement} per harm event)"
        )
        # The findings headline ranked priorities only: thin hotspots the briefing sets aside
        # ("check the geocoding") are counted, never described (issue 17).
        sentence += _set_aside_clause(len(thin), set_aside, params)
        details = []
        if style.wide:
            # Count what is published: a withheld enforcement count may be 0.
            no_enforcement = sum(
                1 for h in ranked if h.shown_enforcement is not None and h.shown_enforcement.text == "0"
            )
            if no_enforcement:
                details.append(
                    f"{no_enforcement} {sentences.verb(no_enforcement, 'is')} shown with no "
                    "recorded enforcement"
                )
        else:
            no_enforcement = sum(1 for h in ranked if h.enforcement == 0)
            if no_enforcement:
                details.append(f"{no_enforcement} had no recorded enforcement at all")
        by_district = Counter(h.area_name for h in ranked)
        if by_district:
            k = max(by_district.values())
            tied = sorted(d for d, n in by_district.items() if n == k)  # name every tied district
            if len(ranked) == 1:
                details.append(f"it is in {tied[0]}")
            elif len(tied) == 1:
                details.append(f"{k} {sentences.verb(k, 'is')} in {tied[0]}")
            else:
                details.append(f"{k} {sentences.verb(k, 'is')} in each of {sentences.joined(tied)}")
        if set_aside and details:
            sentence += f". Of the {sentences.counted(len(ranked), 'ranked one')}, " + "; ".join(details)
        else:
            sentence += "".join(f"; {d}" for d in details)
        findings.append(sentence + ".")

    codes = {_text(r.get("area_code")) for r in area_rows}
    thin_total: Shown | None = None
    if style.wide:
        if thin and all(thin_harm.get(code) is not None for code in codes):
            thin_total = shown_sum(v for v in thin_harm.values() if v is not None)
    else:
        thin_total = style.shown(sum(h.harm for h in thin))
    if set_aside:
        # Thin totals (and the districts' harm in thin hotspots) include the hotspots set
        # aside: internal, the ranked ones' own harm is given; wide, nothing (no exact sums).
        thin_total = None if style.wide or not ranked else style.shown(sum(h.harm for h in ranked))
    if ranked and thin_total is not None and total_harm.text != "0":
        share = style.share(thin_total, total_harm)
        which = "Ranked thin hotspots" if set_aside else "Thin hotspots"
        if share is None:
            findings.append(
                f"{which} held {thin_total.text} of the {total_harm.text} "
                "harm events recorded in the study area."
            )
        else:
            findings.append(
                f"{which} held {share} of the harm events recorded in the study area "
                f"({thin_total.text} of {total_harm.text})."
            )

    # The districts' harm in thin hotspots counts hotspots set aside too: with any set aside,
    # no district is headlined (the priority table and areas table still give the figures).
    worst = [] if set_aside else _worst_areas(area_rows, style)
    if worst:
        findings.append(_worst_area_finding(worst, thin_harm, style))

    if ranked:
        first = ranked[0]
        if _withheld(first):
            when = "with the days since enforcement withheld"
        elif first.days is None:
            when = "with no enforcement recorded in its footprint"
        elif style.wide:
            days = style.days(first.days)
            when = f"with the last enforcement {days} {'day' if days == '1' else 'days'} before the period end"
        else:
            when = f"with the last enforcement {sentences.counted(int(first.days), 'day')} before the period end"
        harm_shown = first.shown_harm or style.shown(first.harm)
        enforcement_shown = first.shown_enforcement or style.shown(first.enforcement)
        findings.append(
            f"Priority 1 is hotspot {first.hotspot_id} in {first.area_name} "
            f"({style.location(first.x_m, first.y_m)}): "
            f"{style.counted(harm_shown, 'harm event')}"
            f"{f' ({first.where}: check the geocoding)' if first.where else ''} and "
            f"{style.counted(enforcement_shown, 'enforcement event')}, {when}."
        )

    if changes:
        findings.insert(
            min(len(findings), MAX_FINDINGS - 1), _change_finding(changes, previous_label)
        )

    if len(findings) < 3:
        findings.append(
            f"The study area recorded {style.counted(total_harm, 'harm event')} and "
            f"{style.counted(total_enforcement, 'enforcement event')} in {period} (coverage "
            f"{style.ratio(total_enforcement, total_harm)})."
        )
    if len(findings) < 3:
        rows = _quality_figures(current, area_rows, style)
        not_analysed = (
            f"{rows['not_analysed'].text} were {NOT_ANALYSED}, " if "not_analysed" in rows else ""
        )
        findings.append(
            f"{rows['analysed'].text} of {rows['read'].text} input rows were "
            f"analysed; {not_analysed}{rows['rejected'].text} were rejected and "
            f"{rows['outside'].text} fell outside the period."
        )
    return tuple(findings[:MAX_FINDINGS])


def _set_aside_clause(thin: int, set_aside: int, params: Any) -> str:
    """How many thin hotspots are not ranked because their harm sits at too few locations."""
    if not set_aside:
        return ""
    least = int(getattr(params, "min_locations", 2))
    few = "one location" if least == 2 else f"fewer than {least} distinct locations"
    if set_aside == thin:
        whom = "it is" if thin == 1 else ("neither is" if thin == 2 else "none is")
        return (
            f"; {whom} ranked among the priorities: {'its' if thin == 1 else 'their'} harm sits at "
            f"{few} (check the geocoding)"
        )
    return (
        f"; {set_aside} of them {sentences.verb(set_aside, 'is')} not ranked among the priorities "
        f"(harm at {few}: check the geocoding)"
    )


def _worst_areas(
    area_rows: Sequence[Mapping[str, Any]], style: Style
) -> list[Mapping[str, Any]]:
    """The districts named in the key findings: every one tied for the most, by name.

    Internal: most harm in thin hotspots. Wide: most thin hotspots, then most published harm
    (an order of exact sums would compare suppressed counts).
    """
    def key(r: Mapping[str, Any]) -> tuple[float, ...]:
        if style.wide:
            return (
                -(_whole(r.get("thin_hotspots")) or 0),
                -_order_value(style.shown(_whole(r.get("harm")) or 0)),
            )
        return (-(_whole(r.get("harm_in_thin_hotspots")) or 0),)

    column = "thin_hotspots" if style.wide else "harm_in_thin_hotspots"
    candidates = [r for r in area_rows if (_whole(r.get(column)) or 0) > 0]
    if not candidates:
        return []
    best = min(key(r) for r in candidates)
    return sorted((r for r in candidates if key(r) == best), key=lambda r: _text(r.get("area_name")))


def _worst_area_finding(
    worst: Sequence[Mapping[str, Any]], thin_harm: Mapping[str, Shown | None], style: Style
) -> str:
    """``"Norwich had the most harm in thin hotspots (…); across the district …"``; ties name all."""
    most = "thin hotspots" if style.wide else "harm in thin hotspots"
    parts = []
    for r in worst:
        harm = style.shown(_whole(r.get("harm")) or 0)
        enforcement = style.shown(_whole(r.get("enforcement")) or 0)
        k = _whole(r.get("thin_hotspots")) or 0
        in_thin = thin_harm.get(_text(r.get("area_code")))
        in_thin_text = "" if in_thin is None else f"{style.counted(in_thin, 'harm event')} in "
        parts.append(
            (
                short_name(_text(r.get("area_name"))),
                f"{in_thin_text}{k} thin {_plural(k, 'hotspot')}",
                (
                    f"{style.counted(enforcement, 'enforcement event')} "
                    f"{'was' if enforcement.text == '1' else 'were'} recorded against "
                    f"{style.counted(harm, 'harm event')} (coverage {style.ratio(enforcement, harm)})"
                ),
            )
        )
    if len(parts) == 1:
        name, figures, coverage = parts[0]
        return f"{name} had the most {most} ({figures}); across the district {coverage}."
    names = sentences.joined([p[0] for p in parts])
    each = "; ".join(f"{name}: {figures}, and across the district {coverage}" for name, figures, coverage in parts)
    return f"{names} tied for the most {most} ({len(parts)} districts). {each}."


def _change_finding(changes: Sequence[_Change], previous_label: str) -> str:
    current = [c for c in changes if c.period == "current"]
    counts = Counter(c.change for c in current)
    parts = [f"{counts[name]} {name}" for name in (*CURRENT_CLASSES, MATCHED) if counts[name]]
    resolved = sum(1 for c in changes if c.period == "previous" and c.change == RESOLVED)
    if resolved:
        parts.append(f"{resolved} resolved")
    opened = sum(1 for c in current if c.coverage_change == "gap_opened")
    closed = sum(1 for c in current if c.coverage_change == "gap_closed")
    listed = (
        ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + (parts[-1] if parts else "")
    )
    sentence = f"Compared with {previous_label}, hotspots were: {listed or 'none to compare'}"
    sentence += (
        f"; coverage gaps opened at {opened} {_plural(opened, 'hotspot')} and closed at {closed}."
    )
    return sentence


def _priority_table(
    priority: Sequence[_Hotspot], changes: Mapping[str, _Change] | None, style: Style
) -> Table:
    columns = [
        "Rank",
        "Hotspot",
        "Area",
        "Location (OS grid ref)",
        "Near" if not style.wide else "Postcode sector",
        "Harm",
        "Enforcement",
        "Coverage",
        "Days since enforcement",
    ]
    numeric = [True, False, False, False, False, True, True, True, True]
    local = any(h.local_area_name for h in priority)
    if local:
        columns.insert(3, "Local area")
        numeric.insert(3, False)
    if changes is not None:
        columns.append("Change since comparison")
        numeric.append(False)
    tested = any(h.chance for h in priority)
    if tested:
        columns.append("Against chance")
        numeric.append(False)
    rows = []
    for h in priority:
        harm = h.shown_harm or style.shown(h.harm)
        enforcement = h.shown_enforcement or style.shown(h.enforcement)
        row = [
            str(h.rank),
            h.hotspot_id,
            h.area_name,
            *([h.local_area_name or "–"] if local else []),
            style.location(h.x_m, h.y_m),
            style.place(h.near, h.postcode_sector, h.postcode),
            harm.text,
            enforcement.text,
            style.ratio(enforcement, harm),
            WITHHELD if _withheld(h) else style.days(h.days),
        ]
        if changes is not None:
            change = changes.get(h.hotspot_id)
            row.append(_change_text(change, style) if change else "not compared")
        if tested:
            # Only the internal audience gets here (run_brief refuses the test for the wide one).
            row.append(f"{h.chance} (p = {h.p_value:.2f})" if h.p_value is not None else h.chance)
        rows.append(tuple(row))
    return Table(tuple(columns), tuple(rows), tuple(numeric))


def _few_locations_note(priority: Sequence[_Hotspot], hotspots: Sequence[_Hotspot], demote: bool) -> str:
    """Sentences naming listed hotspots at few locations, and the demoted ones left out."""
    note = ""
    flagged = [f"{h.hotspot_id} ({h.where})" for h in priority if h.where]
    if flagged:
        note += (
            f" Check the geocoding before tasking {sentences.joined(flagged)}: many events at one "
            "point can be one address reported many times, or events snapped to one map point."
        )
    demoted = [f"{h.hotspot_id} ({h.where})" for h in hotspots if demote and h.thin and h.where]
    if demoted:
        note += (
            f" Not ranked among the priorities (check the geocoding): {sentences.joined(demoted)}."
        )
    return note


def _priority_note(
    n_hotspots: int,
    n_thin: int,
    n_listed: int,
    top_n: int,
    wide: bool = False,
    demoted: bool = False,
) -> str:
    order = (
        "most published harm first, then least published enforcement, then hotspot id (this "
        "version does not order by exact counts)"
        if wide
        else "by harm gap, largest first"
    )
    if demoted:
        return (
            f"Thin-coverage hotspots {order}: {n_listed} of {n_thin} thin listed "
            f"({sentences.counted(n_hotspots, 'hotspot')} in all); thin hotspots with too few distinct "
            "locations are not "
            "ranked among the priorities."
        )
    if n_hotspots == 0:
        return "No harm hotspots were found, so none is listed."
    if n_thin == 0:
        if n_hotspots == 1:
            return "The one harm hotspot did not have thin coverage, so none is listed."
        return f"None of the {n_hotspots} harm hotspots had thin coverage, so none is listed."
    note = (
        f"Thin-coverage hotspots {order}: {n_listed} of {n_thin} thin "
        f"({sentences.counted(n_hotspots, 'hotspot')} in all)."
    )
    if n_thin > top_n:
        note += " Only the first is listed." if top_n == 1 else f" Only the first {top_n} are listed."
    return note


def _figure_caption(current: Analysis, style: Style) -> str:
    period = period_label(current.period)
    if style.wide:
        shapes = f"{WIDE_GRID_M // 1000} km OS grid squares holding a harm hotspot"
    else:
        shapes = "Harm hotspot footprints (dots mark centres)"
    return (
        f"{shapes} in {period}: orange, thin coverage; blue, covered. Numbers are ranks in the "
        "priority table. Lines are district boundaries."
    )


def _areas_table(
    area_rows: Sequence[Mapping[str, Any]],
    thin_harm: Mapping[str, Shown | None],
    comparison: Any | None,
    style: Style,
) -> Table:
    columns = [
        "Area",
        "Code",
        "Harm",
        "Enforcement",
        "Coverage",
        "Hotspots",
        "Thin hotspots",
        "Harm in thin hotspots",
    ]
    numeric = [False, False, True, True, True, True, True, True]
    trends: dict[str, str] = {}
    if comparison is not None:
        columns.append("Harm change")
        numeric.append(False)
        for row in _rows(getattr(comparison, "areas", None)):
            before = _whole(row.get("harm_previous"))
            after = _whole(row.get("harm_current"))
            trend = _text(row.get("harm_trend")) or "not tested"
            p = _p_value(row.get("harm_change_p"))
            if style.wide:  # the test of exact counts would give them away: counts only
                trends[_text(row.get("area_code"))] = style.arrow(before, after)
                continue
            text = f"{trend}: {style.arrow(before, after)}"
            if p and trend in ("up", "down"):
                text += f" (p {p if p.startswith('<') else '= ' + p})"
            trends[_text(row.get("area_code"))] = text
    if style.wide:
        # An order of exact values would compare suppressed counts: published figures only.
        ordered = sorted(
            area_rows,
            key=lambda r: (
                -(_whole(r.get("thin_hotspots")) or 0),
                -(_whole(r.get("hotspots")) or 0),
                -_order_value(style.shown(_whole(r.get("harm")) or 0)),
                _text(r.get("area_name")),
            ),
        )
    else:
        ordered = sorted(
            area_rows,
            key=lambda r: (
                -(_whole(r.get("harm_in_thin_hotspots")) or 0),
                -(_whole(r.get("harm")) or 0),
                _text(r.get("area_name")),
            ),
        )
    rows = []
    for r in ordered:
        harm = style.shown(_whole(r.get("harm")) or 0)
        enforcement = style.shown(_whole(r.get("enforcement")) or 0)
        in_thin = thin_harm.get(_text(r.get("area_code")))
        cells = [
            short_name(_text(r.get("area_name"))),
            _text(r.get("area_code")),
            harm.text,
            enforcement.text,
            style.ratio(enforcement, harm),
            str(_whole(r.get("hotspots")) or 0),
            str(_whole(r.get("thin_hotspots")) or 0),
            "not shown" if in_thin is None else in_thin.text,
        ]
        if comparison is not None:
            cells.append(trends.get(_text(r.get("area_code")), "not compared"))
        rows.append(tuple(cells))
    return Table(tuple(columns), tuple(rows), tuple(numeric))


def _surface_table(table: Any, style: Style) -> Table:
    """Districts by unmatched harm under the coverage-gap surface, largest first.

    The wide version orders districts by the published (rounded) figure, then by name, and has
    no peak column: an order by the exact figure, or which of a district's squares peaks, ranks
    values the rounding hides (the disclosure attack found the order pinning a count of 4).
    """
    def unmatched(r: Mapping[str, Any]) -> Shown:
        return style.shown(round(_number(r.get("unmatched_harm")) or 0.0))

    if style.wide:
        rows = sorted(_rows(table), key=lambda r: (-unmatched(r).lo, _text(r.get("area_name"))))
    else:
        rows = sorted(_rows(table), key=lambda r: (-(_number(r.get("unmatched_harm")) or 0.0), _text(r.get("area_name"))))
    body = []
    for r in rows:
        peak_x, peak_y = _number(r.get("peak_x")), _number(r.get("peak_y"))
        cells = [
            short_name(_text(r.get("area_name"))),
            unmatched(r).text,
            f"{_number(r.get('thin_surface_km2')) or 0.0:,.1f}",
        ]
        if not style.wide:
            cells.append(
                style.location(peak_x, peak_y) if peak_x is not None and peak_y is not None else "no thin surface"
            )
        body.append(tuple(cells))
    columns = ("Area", "Unmatched harm (smoothed)", "Thin surface (km²)", "Peak (OS grid ref)")
    if style.wide:
        return Table(columns[:3], tuple(body), (False, True, True))
    return Table(columns, tuple(body), (False, True, True, False))


def _areas_note(compared: bool, wide: bool = False) -> str:
    first = (
        "most thin hotspots first; harm in thin hotspots is added up from the published hotspot "
        "counts (not shown unless every thin hotspot of the district is listed)"
        if wide
        else "most harm in thin hotspots first"
    )
    note = (
        f"Districts of the study area, {first}. Coverage is enforcement "
        "events per harm event across the whole district."
    )
    if compared and wide:
        note += (
            " Harm change gives the published counts of both periods; the significance tests are "
            "computed from exact counts and are in the internal version only."
        )
    elif compared:
        note += (
            " Harm change is the comparison's test of the district's harm count: up or down only "
            "when the change is statistically significant (p-value shown)."
        )
    return note


def _changes_section(
    changes: Sequence[_Change],
    comparison: Any,
    current: Analysis,
    previous: Analysis | None,
    previous_label: str,
    style: Style,
) -> Changes:
    summary = [_change_finding(changes, previous_label)]
    for row in _rows(getattr(comparison, "areas", None)):
        trend = _text(row.get("harm_trend"))
        if trend not in ("up", "down"):
            continue
        p = _p_value(row.get("harm_change_p"))
        if style.wide:
            continue  # the test of exact counts would give them away
        summary.append(
            f"Harm went {trend} in {short_name(_text(row.get('area_name')))}: "
            f"{style.arrow(_whole(row.get('harm_previous')), _whole(row.get('harm_current')))} "
            f"harm events" + (f" (p {p if p.startswith('<') else '= ' + p})." if p else ".")
        )

    centres = {("current", h.hotspot_id): (h.x_m, h.y_m, h.rank) for h in _hotspots(current)}
    if previous is not None:
        centres.update(
            {("previous", h.hotspot_id): (h.x_m, h.y_m, h.rank) for h in _hotspots(previous)}
        )

    def place(change: _Change) -> tuple[str, int]:
        known = centres.get((change.period, change.hotspot_id))
        if known is not None and math.isfinite(known[0]):
            return style.location(known[0], known[1]), known[2]
        geometry = change.geometry
        if geometry is not None and not getattr(geometry, "is_empty", True):
            point = geometry.centroid
            return style.location(point.x, point.y), 10**9
        return "unknown", 10**9

    shown = [c for c in changes if c.period == "current"] + [
        c for c in changes if c.period == "previous" and c.change == RESOLVED
    ]
    placed = [(c, *place(c)) for c in shown]
    # Wide: by hotspot id, since the analysis ranks are an order of exact counts.
    placed.sort(
        key=lambda item: (
            item[0].period != "current",
            0 if style.wide else item[2],
            item[0].hotspot_id,
        )
    )
    rows = []
    for c, location, _rank in placed:
        rows.append(
            (
                c.hotspot_id,
                "current" if c.period == "current" else "comparison",
                c.change or "unclassified",
                c.matched,
                c.area_name,
                location,
                style.arrow(c.harm_previous, c.harm_current),
                style.arrow(c.enforcement_previous, c.enforcement_current),
                f"{c.status_previous or '–'} → {c.status_current or '–'}",
                COVERAGE_CHANGE_LABELS.get(c.coverage_change, c.coverage_change),
                c.p_value,
            )
        )
    table = Table(
        (
            "Hotspot",
            "Period",
            "Change",
            "Matched",
            "Area",
            "Location (OS grid ref)",
            "Harm",
            "Enforcement",
            "Status",
            "Coverage change",
            "p-value",
        ),
        tuple(rows),
        (False, False, False, False, False, False, True, True, False, False, True),
    )
    return Changes(summary=tuple(summary), hotspots=table)


def _with_evaluation(changes: Changes, evaluation: Any | None, drawn: str, scored: str) -> Changes:
    """Add the predictive scores of the earlier period's hotspots (``hotspots evaluate``)."""
    if evaluation is None:
        return changes
    h, b = evaluation.hotspots, evaluation.baseline
    if not (math.isfinite(h.hit_rate) and math.isfinite(b.hit_rate)):
        return changes
    sentence = (
        f"Hotspots drawn on {drawn} contained {100 * h.hit_rate:.0f}% of {scored}'s harm events "
        f"on {100 * h.area_share:.2f}% of the study area (PAI {h.pai:.0f}); the same area of "
        f"busiest {evaluation.cell_m:.0f} m grid cells contained {100 * b.hit_rate:.0f}% (PAI {b.pai:.0f})."
    )
    return Changes(summary=(*changes.summary, sentence), hotspots=changes.hotspots)


def _quality_figures(
    current: Analysis, area_rows: Sequence[Mapping[str, Any]], style: Style
) -> dict[str, Shown]:
    """Row counts as published.

    Wide: rows outside the period and each rejection reason are published (rounded); rows
    analysed are the sum of the published district counts (every analysed event is a harm or an
    enforcement event of one district), rows rejected the sum of the published reasons and rows
    read the sum of those three, so no total can be differenced against its parts.
    """
    q = current.quality
    # Rows of categories the config does not analyse are not faults: counted apart, and only
    # named when there are any (hotspots.notices).
    apart = {"not_analysed": style.shown(q.rows_not_analysed)} if q.rows_not_analysed else {}
    if not style.wide:
        return {
            "read": style.shown(q.rows_read),
            "analysed": style.shown(q.rows_analysed),
            "outside": style.shown(q.rows_outside_period),
            **apart,
            "rejected": style.shown(q.rows_rejected),
        }
    outside = style.shown(q.rows_outside_period)
    analysed = shown_sum(
        style.shown(_whole(r.get(column)) or 0)
        for r in area_rows
        for column in ("harm", "enforcement")
    )
    rejected = shown_sum(style.shown(int(n)) for n in q.rejected_by_reason.values() if int(n))
    return {
        "read": shown_sum((analysed, outside, *apart.values(), rejected)),
        "analysed": analysed,
        "outside": outside,
        **apart,
        "rejected": rejected,
    }


def _quality_table(
    current: Analysis, area_rows: Sequence[Mapping[str, Any]], style: Style
) -> Table:
    q = current.quality
    figures = _quality_figures(current, area_rows, style)
    rate = (
        "in the internal version (computed from exact counts)"
        if style.wide
        else f"{100 * q.geocoding_rate:.1f}%"
    )
    rows = (
        ("Rows read", figures["read"].text),
        ("Rows analysed", figures["analysed"].text),
        ("Rows outside the period", figures["outside"].text),
        *(
            [(f"Rows {NOT_ANALYSED}", figures["not_analysed"].text)]
            if "not_analysed" in figures
            else []
        ),
        ("Rows rejected", figures["rejected"].text),
        ("Geocoding rate (rows with usable coordinates)", rate),
        ("Stacked points", str(len(q.stacked_points))),
    )
    return Table(("Figure", "Value"), rows, (False, True))


def _rejected_table(by_reason: Mapping[str, int], style: Style) -> Table:
    # Ordered by the published count (an order of exact counts would compare suppressed ones).
    shown = [(str(reason), style.shown(int(n))) for reason, n in by_reason.items() if int(n)]
    ordered = sorted(shown, key=lambda item: (-_order_value(item[1]), item[0]))
    rows = tuple((reason.replace("_", " "), value.text) for reason, value in ordered)
    return Table(("Reason rejected", "Rows"), rows, (False, True))


def _stacked_table(points: Sequence[Mapping[str, Any]], style: Style) -> Table:
    rows = []
    for point in points[:10]:
        x, y = _number(point.get("x_m")), _number(point.get("y_m"))
        location = (
            style.location(x, y)
            if x is not None and y is not None
            else _text(point.get("grid_ref"))
        )
        rows.append(
            (
                location,
                short_name(_text(point.get("area_name"))),
                style.count(_whole(point.get("events")) or 0),
            )
        )
    return Table(("Location (OS grid ref)", "Area", "Events"), tuple(rows), (False, False, True))


def _stacked_note(current: Analysis, style: Style) -> str:
    points = current.quality.stacked_points
    stack_min = current.params.stack_min
    if not points:
        return f"No exact location holds {stack_min} or more events."
    events = sum(_whole(p.get("events")) or 0 for p in points)
    note = (
        f"{len(points)} exact {_plural(len(points), 'location')} "
        f"{'holds' if len(points) == 1 else 'hold'} {stack_min} or more events each "
        f"({style.counted(events, 'event')} in all). Stacks usually mark a default geocode (a "
        "police station, a town centre, a snap point) rather than a real concentration."
    )
    if style.wide:
        note += " Their locations are not listed in this version."
    elif len(points) > 10:
        note += " The 10 largest are listed."
    return note


def _parameter_value(name: str, value: Any) -> str:
    if value is None:
        return "not set"
    if name == "period" and isinstance(value, Mapping):
        return f"{value.get('label')} ({value.get('start')} to {value.get('end')})"
    if name == "study_area":
        return ", ".join(short_name(str(v)) for v in value) or "every district holding events"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str | int):
        return str(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _parameters_table(values: Mapping[str, Any]) -> Table:
    # In words, not config keys: the reader of a briefing never typed "eps_m" (summary.json
    # keeps the keys for machines and re-runs).
    return Table(("Parameter", "Value"), parameters_in_words(values, _parameter_value), (False, False))


def _sources_once(boundary_source: str, lines: Sequence[str]) -> tuple[str, ...]:
    """The attribution lines without the statements already made (each source stated once).

    The bundled boundaries' source line already carries the ONS and OS statements, and the
    postcode line repeats the ONS one: a clause (split at "." or ";") already said earlier is
    left out, a line left empty is dropped.
    """
    def plain(text: str) -> str:
        return " ".join(text.split()).rstrip(".;").casefold()

    said = [plain(boundary_source)]
    kept_lines = []
    for line in lines:
        clauses = re.split(r"(?<=[.;])\s+", line.strip())
        kept = [c for c in clauses if plain(c) and not any(plain(c) in s for s in said)]
        if kept:
            kept_lines.append(" ".join(kept).rstrip(";"))
        said.append(plain(line))
    return tuple(kept_lines)


def _inputs_table(inputs: Mapping[str, str]) -> Table | None:
    if not inputs:
        return None
    rows = tuple((name, str(digest)[:16]) for name, digest in sorted(inputs.items()))
    return Table(("Input file", "SHA-256 (first 16 hex digits)"), rows, (False, False))
