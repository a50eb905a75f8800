"""Statistical disclosure control for the wide briefing: what each published count can be.

The wide briefing goes beyond the tasking group, so no figure in it, alone or differenced with
any other figure in it, may pin down a count from 1 to 4 (a small count of events can point at
a household). The design, stated in ``docs/privacy.md``:

1. **Primary counts** of events or rows are published as a `Shown`: 0 as ``"0"`` (no
   enforcement is the finding the briefing exists for, and an absence discloses no one), 1 to
   4 as ``"<5"``, 5 and over rounded to the nearest 5 (``ROUND_BASE``; 5-7 -> ``"5"``, 8-12 ->
   ``"10"``). Each `Shown` knows the interval of true values it stands for.
2. **Derived figures** (totals, ratios, shares) are computed from published `Shown` values only
   (`shown_sum`, `shown_ratio`), never from the exact counts, so they add nothing an attacker
   does not already have. A total of parts that include ``"<5"`` is a range (``"31 to 40"``).
3. **Hotspot counts meet the status rule.** A hotspot's status (thin when enforcement / harm is
   below the thin ratio) is published and is computed from the exact counts, so together with
   the published harm it can pin a ``"<5"`` enforcement count (harm ``"<5"`` and thin at ratio
   0.5 leaves only enforcement 1). `hotspot_counts` checks, by brute force over every count
   pair each published combination stands for, whether the standard display could pin a
   suppressed value; if so, enforcement is withheld (``"withheld"``, 0 included) for every
   hotspot with that published harm and status. The decision depends only on published
   figures (harm display, status, thin ratio, min_samples), so it reveals nothing itself.
   A hotspot holds at least ``min_samples`` harm events; when that leaves ``"<5"`` a single
   value (min_samples 4), hotspot harm under 10 is shown as ``"<10"``.

Ranks, orders, p-values and test-based classes are handled in `hotspots.brief.content`: the wide
version orders by published figures and drops tests computed from a suppressed count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Final

__all__ = [
    "ROUND_BASE",
    "SUPPRESS_BELOW",
    "WITHHELD",
    "Shown",
    "hotspot_counts",
    "shown_count",
    "shown_ratio",
    "shown_sum",
]

#: Counts from 1 up to (not including) this are shown as "<5".
SUPPRESS_BELOW: Final = 5
#: Counts of SUPPRESS_BELOW and more are rounded to the nearest multiple of this.
ROUND_BASE: Final = 5
#: What a withheld count shows.
WITHHELD: Final = "withheld"
#: How far past a lower bound brute force looks for an unbounded interval (ample: the checks
#: only need to find two consistent values).
_SEARCH_SPAN: Final = 200


@dataclass(frozen=True)
class Shown:
    """A published count: its text and the true values it is consistent with.

    ``lo`` and ``hi`` bound the true value (``hi`` None: no upper bound). ``protected`` is true
    when the interval holds a value from 1 to 4 that the text does not give away.
    """

    text: str
    lo: int
    hi: int | None

    @property
    def exact(self) -> bool:
        """Whether the text gives the true value exactly (only ever 0 in the wide version)."""
        return self.hi == self.lo

    @property
    def protected(self) -> bool:
        """Whether this published value stands for a suppressed (1-4) count."""
        return not self.exact and self.lo < SUPPRESS_BELOW

    def values(self, least: int = 0) -> range:
        """The true values it stands for (at least `least`), cut at a search span if unbounded."""
        lo = max(self.lo, least)
        hi = self.hi if self.hi is not None else lo + _SEARCH_SPAN
        return range(lo, hi + 1)

    @property
    def point(self) -> float | None:
        """A value derived figures use: the rounded number, None for a suppressed or withheld one."""
        if self.exact:
            return float(self.lo)
        if self.protected or self.hi is None:
            return None
        return float((self.lo + self.hi) / 2)


def _rounded(n: int, base: int) -> int:
    return base * math.floor(n / base + 0.5)


def shown_count(n: int, *, below: int = SUPPRESS_BELOW, base: int = ROUND_BASE, least: int = 0) -> Shown:
    """Publish count `n`: 0 exact, 1 to ``below - 1`` as ``"<below"``, the rest rounded to `base`.

    Parameters
    ----------
    n
        The exact count (0 or more).
    below
        Counts from 1 up to this are suppressed.
    base
        Counts of `below` or more are rounded to the nearest multiple of `base` (half up).
    least
        The smallest value the count can take (a hotspot holds at least ``min_samples`` harm
        events); the interval starts there.

    Returns
    -------
    Shown
        The text and the interval of true values it stands for.

    Examples
    --------
    >>> [shown_count(n).text for n in (0, 1, 4, 5, 7, 8, 12, 13)]
    ['0', '<5', '<5', '5', '5', '10', '10', '15']
    """
    n = int(n)
    if n <= 0:
        return Shown("0", 0, 0)
    if n < below:
        return Shown(f"<{below}", max(1, least), below - 1)
    r = max(_rounded(n, base), _rounded(below, base))
    lo = max(below, least, math.ceil(r - base / 2))
    hi = math.ceil(r + base / 2) - 1
    return Shown(f"{r:,}", lo, hi)


def shown_sum(parts: Iterable[Shown]) -> Shown:
    """A total derived from published parts only: their printed numbers plus a range for ``"<5"``.

    The text is one number when no part is suppressed (``"40"``) and a range otherwise
    (``"31 to 40"``, each ``"<5"`` adding 1 to 4); ``"withheld"`` when a part is withheld. The
    returned interval is the printed range (a reader can redo the sum), not the true values.

    Examples
    --------
    >>> shown_sum([shown_count(12), shown_count(3), shown_count(0)]).text
    '11 to 14'
    """
    low = high = 0
    ranged = False
    for part in parts:
        if part.hi is None:
            return Shown(WITHHELD, 0, None)
        printed = _value(part)
        if printed is None:  # "<5": 1 to 4
            low, high, ranged = low + part.lo, high + part.hi, True
        else:
            low, high = low + int(printed), high + int(printed)
    return Shown(f"{low:,} to {high:,}" if ranged else f"{low:,}", low, high)


def _value(shown: Shown) -> float | None:
    """The number a published value prints (None for a suppressed, withheld or range value)."""
    try:
        return float(shown.text.replace(",", ""))
    except ValueError:
        return None


def shown_ratio(numerator: Shown, denominator: Shown, suppressed: str = "suppressed") -> str:
    """A ratio computed from the published numbers (``"0.25"``); `suppressed` if either is not one.

    ``"n/a"`` over a published 0.
    """
    top, bottom = _value(numerator), _value(denominator)
    if bottom == 0:
        return "n/a"
    if top is None or bottom is None:
        return suppressed
    return f"{top / bottom:.2f}"


def _thin(harm: int, enforcement: int, thin_ratio: float) -> bool:
    # The scoring rule (hotspots.analysis): coverage = enforcement / harm, thin below the ratio.
    return harm > 0 and enforcement / harm < thin_ratio


def hotspot_harm(harm: int, min_samples: int) -> Shown:
    """A hotspot's harm count: suppressed below 5, or below 10 when min_samples leaves one value."""
    least = max(1, int(min_samples))
    # "<5" standing for min_samples..4 must hold two values; with min_samples 4 it would hold one.
    below = 2 * SUPPRESS_BELOW if SUPPRESS_BELOW - least == 1 else SUPPRESS_BELOW
    return shown_count(harm, below=below, least=least)


@cache
def _standard_is_safe(harm: Shown, thin: bool, thin_ratio: float, least: int) -> bool:
    """Whether showing enforcement the standard way can pin no suppressed value of this class."""
    harms = harm.values(least)
    cap = max(SUPPRESS_BELOW * 4, math.ceil(thin_ratio * harms[-1]) + 2 * SUPPRESS_BELOW)
    displays: dict[str, Shown] = {}
    for e in range(cap + 1):
        shown = shown_count(e)
        displays.setdefault(shown.text, shown)
    for shown in displays.values():
        pairs = [
            (h, e)
            for h in harms
            for e in shown.values()
            if _thin(h, e, thin_ratio) == thin
        ]
        if not pairs:
            continue
        if shown.protected and len({e for _, e in pairs}) < 2:
            return False
        if harm.protected and len({h for h, _ in pairs}) < 2:
            return False
    return True


def hotspot_counts(
    harm: int, enforcement: int, thin: bool, thin_ratio: float, min_samples: int
) -> tuple[Shown, Shown]:
    """Publish a hotspot's harm and enforcement so that its published status pins neither.

    Parameters
    ----------
    harm, enforcement
        The exact counts.
    thin
        The published status (thin or covered).
    thin_ratio, min_samples
        The published parameters the status and the hotspot follow.

    Returns
    -------
    tuple of Shown
        Harm and enforcement as published. Enforcement is ``"withheld"`` (any value, 0 included)
        for every hotspot whose published harm and status would otherwise let the status pin a
        suppressed count; the choice depends on published figures only.
    """
    least = max(1, int(min_samples))
    if harm <= 0:  # no hotspot on this side (a resolved or new hotspot's other period)
        return shown_count(harm), shown_count(enforcement)
    shown_harm = hotspot_harm(harm, least)
    if _standard_is_safe(shown_harm, thin, thin_ratio, least):
        return shown_harm, shown_count(enforcement)
    return shown_harm, Shown(WITHHELD, 0, None)
