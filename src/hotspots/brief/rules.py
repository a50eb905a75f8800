"""Who may see what: the two audiences of a briefing and how each writes numbers and places.

``internal`` (default)
    Hotspot locations as 6-figure OS grid references (the 100 m square holding the mean of the
    hotspot's harm events), footprints on the figure, counts as recorded.
``wide``
    For distribution beyond the tasking group.

    * Locations are 4-figure OS grid references: the 1 km square (:data:`WIDE_GRID_M`) holding
      the hotspot's centre. The figure draws those squares and district boundaries, never
      footprints or points.
    * Every count of events or rows from 1 to ``SUPPRESS_BELOW - 1`` is shown as ``"<5"``. 0 stays
      0: "no enforcement" is the finding the briefing exists to report, and an absence discloses
      no one. Counts of hotspots are not suppressed (each is already ``min_samples`` or more
      events).
    * Ratios and shares whose parts include a suppressed count are shown as ``"suppressed"``, and
      so are totals that add up hotspot counts (harm in thin hotspots, per district and overall)
      when one of the hotspots they add up is suppressed: otherwise subtraction would recover it
      (secondary suppression). The study-area share of harm in thin hotspots is then given to
      the nearest 10%.
    * Places are the postcode sector nearest the hotspot's centre (``NR30 2``), never the
      postcode or the settlement name the internal version gives.
    * Days since the last enforcement are given in bands (:data:`DAY_BANDS`): an exact day count
      dates an individual enforcement event.
    * Stacked points are counted, not located; validation warnings, input file names and the
      production reason are left out.

Neither audience shows individual events or free text from the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from hotspots.gridref import grid_reference

__all__ = [
    "AUDIENCES",
    "AUDIENCE_INTERNAL",
    "AUDIENCE_WIDE",
    "DAY_BANDS",
    "SUPPRESS_BELOW",
    "WIDE_GRID_M",
    "Style",
    "audience_note",
    "audience_rules",
]

AUDIENCE_INTERNAL: Final = "internal"
AUDIENCE_WIDE: Final = "wide"
AUDIENCES: Final = (AUDIENCE_INTERNAL, AUDIENCE_WIDE)
#: Wide audience: counts of events or rows from 1 up to (not including) this are shown as "<5".
SUPPRESS_BELOW: Final = 5
#: Wide audience: locations are squares of the OS National Grid this many metres across.
WIDE_GRID_M: Final = 1000
#: Wide audience: days since the last enforcement, as (first day, last day or None, label).
DAY_BANDS: Final = ((0, 29, "under 30"), (30, 89, "30 to 89"), (90, None, "90 or more"))
#: What a withheld ratio, share or total shows.
SUPPRESSED: Final = "suppressed"


@dataclass(frozen=True)
class Style:
    """How numbers and places are written for one audience."""

    wide: bool

    def suppressed(self, n: int) -> bool:
        """Whether count `n` is hidden from this audience."""
        return self.wide and 0 < n < SUPPRESS_BELOW

    def count(self, n: int) -> str:
        """``"1,234"``, or ``"<5"`` for a suppressed count."""
        return f"<{SUPPRESS_BELOW}" if self.suppressed(n) else f"{n:,}"

    def counted(self, n: int, word: str, plural: str | None = None) -> str:
        """``"3 harm events"``; plural whenever the count is suppressed, so "<5" hides 1 too."""
        noun = word if n == 1 and not self.suppressed(n) else (plural or word + "s")
        return f"{self.count(n)} {noun}"

    def ratio(self, numerator: int, denominator: int) -> str:
        """``"0.25"``; ``"n/a"`` over 0; suppressed when either count is."""
        if denominator == 0:
            return "n/a"
        if self.suppressed(numerator) or self.suppressed(denominator):
            return SUPPRESSED
        return f"{numerator / denominator:.2f}"

    def share(self, part: int, whole: int) -> str | None:
        """A whole-number percentage, or None when it would reveal a suppressed count."""
        if whole == 0 or self.suppressed(part) or self.suppressed(whole - part):
            return None
        return f"{round(100 * part / whole)}%"

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

    def arrow(self, before: int | None, after: int | None) -> str:
        """``"4 → 9"``, each side a count (``"–"`` when unknown)."""
        left = "–" if before is None else self.count(before)
        right = "–" if after is None else self.count(after)
        return f"{left} → {right}"


def audience_note(wide: bool) -> str:
    """One line for the header saying what this audience's version shows."""
    if wide:
        return (
            f"Wide distribution: locations are {WIDE_GRID_M // 1000} km OS grid squares and "
            f"counts from 1 to {SUPPRESS_BELOW - 1} are shown as <{SUPPRESS_BELOW}."
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
            f"<{SUPPRESS_BELOW}; 0 is shown as 0; counts of hotspots are not suppressed. Ratios and "
            f"shares built from a suppressed count are shown as '{SUPPRESSED}', and so are totals "
            "that add up hotspot counts (harm in thin hotspots) when one of those counts is "
            "suppressed, so it cannot be recovered by subtraction."
        ),
        "Wide: days since the last enforcement are given in bands ("
        + ", ".join(label for _, _, label in DAY_BANDS)
        + " days); stacked points are counted, not located; validation warnings, input file "
        "names and the production reason are left out.",
        "Both: no individual event, exact point or free text from the input is shown.",
    )
