"""Small pieces of English that agree with their numbers, shared by every output.

Renderers and analyses build their sentences from these so that "1 is in Norwich" and
"3 are in Norwich" come out right everywhere, and a phrase such as "all 3 events at one
location" reads the same on the map, in summary.json and in the briefing.
"""

from __future__ import annotations

from collections.abc import Sequence

_IRREGULAR = {"is": "are", "was": "were", "has": "have", "this": "these", "it": "they"}


def plural(n: int, word: str, many: str | None = None) -> str:
    """``word`` as it agrees with ``n``: ``plural(1, "hotspot")`` is ``"hotspot"``."""
    if n == 1:
        return word
    if many is not None:
        return many
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def counted(n: int, word: str, many: str | None = None) -> str:
    """``n`` and ``word`` in agreement, with thousands separators: ``"1,204 harm events"``.

    Only the last word of ``word`` is made plural: ``counted(2, "harm event")``.
    """
    head, _, last = word.rpartition(" ")
    noun = plural(n, last, many)
    return f"{n:,} {head + ' ' if head else ''}{noun}"


def verb(n: int, singular: str) -> str:
    """The verb agreeing with ``n``: ``verb(1, "is")`` is ``"is"``, ``verb(2, "is")`` ``"are"``."""
    return plural(n, singular)


def joined(items: Sequence[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


def at_locations(events: int, locations: int) -> str:
    """Where a hotspot's harm events sit: ``"all 3 events at one location"``, ``"5 events at 2 locations"``."""
    if locations == 1:
        if events == 1:
            return "1 event at one location"
        if events == 2:
            return "both events at one location"
        return f"all {events:,} events at one location"
    return f"{counted(events, 'event')} at {counted(locations, 'location')}"
