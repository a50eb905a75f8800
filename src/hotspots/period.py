"""Analysis periods: parse ``--period`` values into inclusive date ranges.

Accepted forms (all inclusive of both ends):

* ``2024-07-01..2024-09-30`` — an explicit range of ISO dates;
* ``2024Q3`` — a calendar quarter (Q1 = January–March);
* ``FY2024-25Q1`` — a UK financial-year quarter: police figures run April–March, so
  FY2024-25 Q1 is April–June 2024 and Q4 is January–March 2025;
* ``2024-07`` — one calendar month;
* ``2024`` — one calendar year.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Final

from hotspots.errors import ConfigError

_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")
_QUARTER = re.compile(r"^(\d{4})[Qq]([1-4])$")
_FY_QUARTER = re.compile(r"^FY(\d{4})-(\d{2})[Qq]([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")

#: What a missing period (no ``--period``: every date in the input) is called in outputs.
ALL_DATES: Final = "all dates"

PERIOD_FORMS = "YYYY-MM-DD..YYYY-MM-DD, YYYYQn (calendar quarter), FYYYYY-YYQn (UK financial-year quarter, e.g. FY2024-25Q1 = Apr-Jun 2024), YYYY-MM or YYYY"


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of calendar days with the label the user gave it."""

    start: date
    end: date
    label: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ConfigError(
                f"period {self.label!r}: end {self.end} is before start {self.start}; "
                "give the earlier date first"
            )

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included."""
        return (self.end - self.start).days + 1

    def as_dict(self) -> dict[str, str]:
        """The period as JSON-ready strings."""
        return {"label": self.label, "start": self.start.isoformat(), "end": self.end.isoformat()}


def label_of(period: Period | None) -> str:
    """The period's label, or :data:`ALL_DATES` when there is no period."""
    return period.label if period else ALL_DATES


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: int, quarter: int) -> tuple[date, date]:
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), _month_end(year, first_month + 2)


def parse_period(text: str) -> Period:
    """Parse a ``--period`` value.

    Parameters
    ----------
    text
        One of the forms listed in the module docstring.

    Returns
    -------
    Period
        The inclusive date range, labelled with ``text`` as given.

    Raises
    ------
    ConfigError
        When ``text`` matches no accepted form or names an impossible date.
    """
    value = text.strip()
    try:
        if m := _RANGE.match(value):
            return Period(date.fromisoformat(m[1]), date.fromisoformat(m[2]), value)
        if m := _QUARTER.match(value):
            start, end = _quarter(int(m[1]), int(m[2]))
            return Period(start, end, value.upper())
        if m := _FY_QUARTER.match(value):
            first_year, second_year, quarter = int(m[1]), int(m[2]), int(m[3])
            if (first_year + 1) % 100 != second_year:
                raise ConfigError(
                    f"period {text!r}: a financial year runs from one April to the next March, "
                    f"so FY{first_year}-{second_year:02d} should be FY{first_year}-{(first_year + 1) % 100:02d}"
                )
            # FY quarter 1 is April-June of the first year; quarter 4 is January-March of the next.
            months_from_april = 3 * (quarter - 1)
            start_month = 4 + months_from_april
            year = first_year + (start_month - 1) // 12
            start_month = (start_month - 1) % 12 + 1
            start = date(year, start_month, 1)
            end = _month_end(year, start_month + 2)
            return Period(start, end, value.upper())
        if m := _MONTH.match(value):
            year, month = int(m[1]), int(m[2])
            return Period(date(year, month, 1), _month_end(year, month), value)
        if m := _YEAR.match(value):
            year = int(m[1])
            return Period(date(year, 1, 1), date(year, 12, 31), value)
    except ValueError as exc:
        if isinstance(exc, ConfigError):
            raise
        raise ConfigError(f"period {text!r}: {exc}; accepted forms: {PERIOD_FORMS}") from None
    raise ConfigError(f"period {text!r} is not understood; accepted forms: {PERIOD_FORMS}")
