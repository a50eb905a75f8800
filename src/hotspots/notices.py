"""Plain sentences about what the data holds, printed wherever the figures are.

Two things were silent before: a period with no harm events printed "hotspots 0" and nothing
else, and rows of categories the config chose not to analyse were counted as "rejected" beside
real faults. This module words both once, so the CLI, the map page, the briefing and
``summary.json`` say the same thing:

* :func:`no_harm_sentence` -- "The period 2025Q3 holds no harm events (robbery): no hotspots
  can be found." A period without harm is not an error (exit 0); it is a finding.
* :func:`split_rejections` -- rows of ``type_not_analysed`` are *not analysed (other
  categories)*, counted apart from *rejected* rows (faults: no coordinates, bad dates...), so
  that rows read = analysed + outside the period + not analysed + rejected.
* :func:`row_accounting` -- that identity as one line of text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from hotspots import schema
from hotspots.period import label_of
from hotspots.sentences import joined

if TYPE_CHECKING:
    from hotspots.model import Analysis
    from hotspots.params import EventTypes

#: How rows of a category the config does not analyse are named in every output.
NOT_ANALYSED: str = "not analysed (other categories)"
#: The definition written into summary.json beside the counts.
NOT_ANALYSED_DEFINITION: str = (
    "Rows whose type the config lists as recorded but not analysed ([ignore], or [ignore] "
    "other_types = true), counted apart from rows rejected for a fault (no coordinates, bad "
    "dates, unknown types, outside the study area); rejected.csv lists them with the reason "
    "type_not_analysed. Rows read = analysed + outside the period + not analysed + rejected."
)


def split_rejections(by_reason: Mapping[str, int]) -> tuple[int, dict[str, int]]:
    """Rows not analysed, and the true rejections by reason (every other reason, in check order).

    Parameters
    ----------
    by_reason
        Row counts per reason as validation gave them (``type_not_analysed`` among them).

    Returns
    -------
    tuple
        ``(rows_not_analysed, {reason: rows})`` with every reason of
        :data:`hotspots.schema.REJECTION_REASONS`, zeros included.
    """
    not_analysed = int(by_reason.get(schema.REASON_TYPE_NOT_ANALYSED, 0))
    rejected = {r: int(by_reason.get(r, 0)) for r in schema.REJECTION_REASONS}
    return not_analysed, rejected


def harm_types(types: EventTypes) -> list[str]:
    """The harm types a run looks for, as the user named them when the config names any.

    A config that maps its own labels (``[types]``) onto harm types is about those types: the
    built-in ``cuckooing`` it still knows is not what its data holds.
    """
    harm = sorted(t for t, role in types.roles.items() if role == schema.ROLE_HARM)
    mapped = sorted({t for t in types.aliases.values() if types.roles.get(t) == schema.ROLE_HARM})
    return mapped or harm


def no_harm_sentence(period_label: str, types: EventTypes) -> str:
    """``"The period 2025Q3 holds no harm events (robbery): no hotspots can be found."``."""
    names = harm_types(types)
    which = f" ({joined(names, 'or')})" if names else ""
    return f"The period {period_label} holds no harm events{which}: no hotspots can be found."


def period_label(analysis: Analysis) -> str:
    """The analysed period's label, or "all dates" without one."""
    return label_of(analysis.period)


def harm_count(analysis: Analysis) -> int:
    """Harm events analysed in the period: the districts' sum (every one is in a district)."""
    import pandas as pd

    areas = analysis.areas
    if "harm" in areas:
        return int(pd.to_numeric(areas["harm"], errors="coerce").fillna(0).sum())
    events = analysis.events
    if schema.COL_ROLE not in events:
        return 0
    return int((events[schema.COL_ROLE] == schema.ROLE_HARM).sum())


def no_harm_of(analysis: Analysis) -> str | None:
    """The no-harm sentence when the period holds no harm event, else None."""
    if len(analysis.hotspots) or harm_count(analysis):
        return None
    return no_harm_sentence(period_label(analysis), analysis.types)


def rejected_text(rejected: int, not_analysed: int) -> str:
    """``"89 rejected · 64,342 not analysed (other categories)"``; the second part only when any."""
    text = f"{rejected:,} rejected"
    if not_analysed:
        text += f" · {not_analysed:,} {NOT_ANALYSED}"
    return text


def row_accounting(read: int, analysed: int, outside: int, not_analysed: int, rejected: int) -> str:
    """Where every row read went, in one line (the four parts sum to ``read``)."""
    parts = [f"analysed {analysed:,}", f"outside the period {outside:,}"]
    if not_analysed:
        parts.append(f"{NOT_ANALYSED} {not_analysed:,}")
    parts.append(f"rejected {rejected:,}")
    return f"rows read {read:,}: " + ", ".join(parts)
