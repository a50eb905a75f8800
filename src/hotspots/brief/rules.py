"""Who may see what: the two audiences of a briefing and how each writes numbers and places.

``internal`` (default)
    Hotspot locations as 6-figure OS grid references (the 100 m square holding the mean of the
    hotspot's harm events), footprints on the figure, counts as recorded.
``wide``
    For distribution beyond the tasking group: 4-figure (1 km) grid references, grid squares on
    the figure, and statistical disclosure control on every number (``hotspots.brief.disclosure``
    and ``docs/privacy.md``): counts 1-4 shown as ``"<5"``, the rest rounded to the nearest 5,
    derived figures worked out from published ones, days since enforcement in
    :data:`DAY_BANDS`; places as the postcode sector nearest the hotspot (``NR30 2``), never
    the postcode or settlement; no validation warnings, input file names or production reason.

Neither audience shows individual events or free text from the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from hotspots.brief.disclosure import (
    ROUND_BASE,
    SUPPRESS_BELOW,
    WITHHELD,
    Shown,
    shown_count,
    shown_ratio,
)
from hotspots.gridref import grid_reference

__all__ = [
    "AUDIENCES",
    "AUDIENCE_INTERNAL",
    "AUDIENCE_WIDE",
    "DAY_BANDS",
    "ROUND_BASE",
    "SUPPRESS_BELOW",
    "WIDE_GRID_M",
    "Style",
    "audience_note",
    "audience_rules",
]

AUDIENCE_INTERNAL: Final = "internal"
AUDIENCE_WIDE: Final = "wide"
AUDIENCES: Final = (AUDIENCE_INTERNAL, AUDIENCE_WIDE)
#: Wide audience: locations are squares of the OS National Grid this many metres across.
WIDE_GRID_M: Final = 1000
#: Wide audience: days since the last enforcement, as (first day, last day or None, label).
DAY_BANDS: Final = ((0, 29, "under 30"), (30, 89, "30 to 89"), (90, None, "90 or more"))
#: What a withheld ratio, share or total shows.
SUPPRESSED: Final = "suppressed"


@dataclass(frozen=True)
class Style:
    """How numbers and places are written for one audience (``hotspots.brief.disclosure``)."""

    wide: bool

    def shown(self, n: int) -> Shown:
        """Count `n` as published: exact (internal) or suppressed/rounded (wide)."""
        if not self.wide:
            return Shown(f"{int(n):,}", int(n), int(n))
        return shown_count(n)

    def suppressed(self, n: int) -> bool:
        """Whether count `n` is hidden from this audience (shown as "<5")."""
        return self.wide and 0 < n < SUPPRESS_BELOW

    def count(self, n: int) -> str:
        """``"1,234"`` (internal); ``"<5"`` or rounded to the nearest 5 (wide)."""
        return self.shown(n).text

    def counted(self, n: int | Shown, word: str, plural: str | None = None) -> str:
        """``"3 harm events"``; singular only for a printed 1, so "<5" hides 1 too."""
        shown = n if isinstance(n, Shown) else self.shown(n)
        noun = word if shown.text == "1" else (plural or word + "s")
        return f"{shown.text} {noun}"

    def ratio(self, numerator: int | Shown, denominator: int | Shown) -> str:
        """``"0.25"``; ``"n/a"`` over 0; wide: from the published numbers, or suppressed."""
        top = numerator if isinstance(numerator, Shown) else self.shown(numerator)
        bottom = denominator if isinstance(denominator, Shown) else self.shown(denominator)
        return shown_ratio(top, bottom, SUPPRESSED)

    def share(self, part: int | Shown, whole: int | Shown) -> str | None:
        """A whole-number percentage of published numbers, or None when one is not a number."""
        top = part if isinstance(part, Shown) else self.shown(part)
        bottom = whole if isinstance(whole, Shown) else self.shown(whole)
        ratio = shown_ratio(top, bottom, SUPPRESSED)
        if ratio in (SUPPRESSED, "n/a") or " to " in top.text or " to " in bottom.text:
            return None
        a, b = float(top.text.replace(",", "")), float(bottom.text.replace(",", ""))
        return f"{round(100 * a / b)}%"

    def days(self, days: float | None) -> str:
        """Days since enforcement: exact (internal) or a band (wide); "none recorded" if None."""
        if days is None or days < 0:
            return "none recorded"
        whole = int(days)
        if not self.wide:
            return f"{whole:,}"
        for first, last, label in DAY_BANDS:
            if whole >= first and (last is None or whole <= last):
                return label
        return "none recorded"

    def location(self, x_m: float, y_m: float) -> str:
        """The OS grid reference: 6-figure (internal) or 4-figure, the 1 km square (wide)."""
        return grid_reference(x_m, y_m, digits=4 if self.wide else 6) or "outside the grid"

    def place(self, near: str, sector: str, postcode: str) -> str:
        """Where, in words: nearest place and postcode (internal), the postcode sector (wide).

        A postcode is a street or two, so the wide audience gets its sector (a few thousand
        addresses), never the postcode or a settlement named beside it.
        """
        if self.wide:
            return sector or "–"
        return ", ".join(part for part in (near, postcode or sector) if part) or "–"

    def arrow(self, before: int | Shown | None, after: int | Shown | None) -> str:
        """``"4 → 9"``, each side a count (``"–"`` when unknown)."""

        def side(value: int | Shown | None) -> str:
            if value is None:
                return "–"
            return value.text if isinstance(value, Shown) else self.count(value)

        return f"{side(before)} → {side(after)}"


def audience_note(wide: bool) -> str:
    """One line for the header saying what this audience's version shows."""
    if wide:
        return (
            f"Wide distribution: locations are {WIDE_GRID_M // 1000} km OS grid squares; counts "
            f"from 1 to {SUPPRESS_BELOW - 1} are shown as <{SUPPRESS_BELOW} and the rest rounded "
            f"to the nearest {ROUND_BASE}; totals and ratios are worked out from those figures."
        )
    return "Internal: exact hotspot locations (100 m grid references) and counts as recorded."


def audience_rules() -> tuple[str, ...]:
    """The distribution rules as printed in the method section of every briefing."""
    return (
        (
            "Internal: hotspot locations are 6-figure OS grid references (the 100 m square holding "
            "the mean of the hotspot's harm events); the figure shows footprints; counts are shown as "
            "recorded."
        ),
        (
            "Internal: each hotspot is also named by the nearest settlement and the postcode "
            "nearest its centre; wide: by that postcode's sector only (outward code and the "
            "first digit of the inward code, e.g. NR30 2)."
        ),
        (
            f"Wide: locations are 4-figure OS grid references (the {WIDE_GRID_M // 1000} km square "
            "holding the hotspot centre) and the figure shows only those squares and district "
            "boundaries, never footprints or points."
        ),
        (
            f"Wide: counts of events or rows from 1 to {SUPPRESS_BELOW - 1} are shown as "
            f"<{SUPPRESS_BELOW}, 0 as 0, and every other count rounded to the nearest "
            f"{ROUND_BASE} (5-7 as 5, 8-12 as 10); counts of hotspots and districts are exact. "
            "Totals (rows read and rejected, study-area and district totals, harm in thin "
            "hotspots) are added up from the published figures, each <5 adding 1 to 4, so they "
            "are ranges when a part is <5; ratios and shares are worked out from the published "
            f"figures and shown as '{SUPPRESSED}' when one is <5."
        ),
        (
            "Wide: where a hotspot's status (thin or covered) together with its published harm "
            f"could pin down an enforcement count below {SUPPRESS_BELOW}, enforcement is "
            f"'{WITHHELD}' for every hotspot with that harm figure and status, 0 included. Priority "
            "order is by published harm, then published enforcement, then hotspot id. Tests "
            "computed from exact counts are left out: p-values, harm trends and the test-based "
            "classes (intensified, persistent, diminished: shown as 'matched'); the geocoding rate "
            "and the predictive scores are in the internal version only."
        ),
        "Wide: days since the last enforcement are given in bands ("
        + ", ".join(label for _, _, label in DAY_BANDS)
        + " days); stacked points are counted, not located; validation warnings, input file "
        "names and the production reason are left out.",
        "Both: no individual event, exact point or free text from the input is shown.",
    )
