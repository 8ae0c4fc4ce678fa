"""Half-years: parsing `2026-H1`, their bounds, the previous one and the last complete one.

Calendar half-years (H1 = January-June). The marts' `half_year` periods follow the dbt var
`fiscal_year_start_month`; the report reads that var from dbt_project.yml so that its half matches
the marts' `period_start` (see ``Half.start`` with ``fiscal_start_month``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_HALF = re.compile(r"^\s*(\d{4})-?[Hh]([12])\s*$")


@dataclass(frozen=True, order=True)
class Half:
    """A half-year of the (fiscal) year ``year``: ``number`` 1 or 2."""

    year: int
    number: int
    fiscal_start_month: int = 1

    @classmethod
    def parse(cls, text: str, fiscal_start_month: int = 1) -> Half:
        match = _HALF.match(text or "")
        if not match:
            raise ValueError(f"{text!r}: not a half-year (expected YYYY-H1 or YYYY-H2, e.g. 2026-H1)")
        return cls(int(match.group(1)), int(match.group(2)), fiscal_start_month)

    @classmethod
    def containing(cls, day: date, fiscal_start_month: int = 1) -> Half:
        """The half-year that ``day`` falls in."""
        months = (day.year * 12 + day.month - 1) - (fiscal_start_month - 1)  # months since fiscal epoch
        fiscal_year, month_in_year = divmod(months, 12)
        # fiscal years are named after the calendar year they start in when the fiscal year starts in January;
        # otherwise after the calendar year they end in (FY2026 = Jul 2025 - Jun 2026), as most companies do
        name_year = fiscal_year if fiscal_start_month == 1 else fiscal_year + 1
        return cls(name_year, 1 if month_in_year < 6 else 2, fiscal_start_month)

    @classmethod
    def last_complete(cls, today: date, fiscal_start_month: int = 1) -> Half:
        """The newest half-year that ended on or before ``today`` (the default review)."""
        return cls.containing(today, fiscal_start_month).previous()

    @property
    def label(self) -> str:
        return f"{self.year}-H{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> date:
        """First day of the half-year."""
        calendar_year = self.year if self.fiscal_start_month == 1 else self.year - 1
        months = calendar_year * 12 + (self.fiscal_start_month - 1) + (0 if self.number == 1 else 6)
        return date(months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> date:
        """First day after the half-year (exclusive bound)."""
        return self.next().start

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def as_of(self) -> str:
        """The last second of the half-year (UTC), the dbt var `as_of` the review is computed at."""
        return datetime.combine(self.last_day, datetime.max.time()).strftime("%Y-%m-%d %H:%M:%S")

    def previous(self) -> Half:
        if self.number == 2:
            return Half(self.year, 1, self.fiscal_start_month)
        return Half(self.year - 1, 2, self.fiscal_start_month)

    def next(self) -> Half:
        if self.number == 1:
            return Half(self.year, 2, self.fiscal_start_month)
        return Half(self.year + 1, 1, self.fiscal_start_month)

    def months(self) -> list[date]:
        """First days of the six months of the half-year."""
        out, current = [], self.start
        for _ in range(6):
            out.append(current)
            current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
        return out
