"""The period a KPI is computed for: normally one calendar month, with Dutch month names."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

MONTH_NAMES = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip


@dataclass(frozen=True)
class Period:
    """A closed date range; normally one calendar month (the quarterly update uses three)."""

    start: dt.date
    end: dt.date

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(start, following - dt.timedelta(days=1))

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """'YYYY-MM' → that month; ValueError with a Dutch message otherwise."""
        try:
            year, month = (int(part) for part in text.strip().split("-"))
            return cls.month(year, month)
        except (ValueError, TypeError):
            raise ValueError(f"'{text}' is geen maand; gebruik de vorm JJJJ-MM, bijvoorbeeld 2026-02.") from None

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError(f"Kwartaal {quarter} bestaat niet; kies 1 tot en met 4.")
        first = cls.month(year, 3 * quarter - 2)
        return cls(first.start, first.shifted(2).end)

    @classmethod
    def parse_quarter(cls, text: str) -> Period:
        """'YYYY-K1' … 'YYYY-K4' → that quarter; ValueError with a Dutch message otherwise."""
        try:
            year, quarter = text.strip().upper().split("-K")
            return cls.quarter(int(year), int(quarter))
        except (ValueError, TypeError):
            raise ValueError(f"'{text}' is geen kwartaal; gebruik de vorm JJJJ-Kn, bijvoorbeeld 2026-K1.") from None

    @classmethod
    def last_complete_quarter(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        current = cls.quarter(today.year, (today.month - 1) // 3 + 1)
        return current.quarters_shifted(-1)

    @property
    def is_quarter(self) -> bool:
        return (
            self.start.day == 1
            and self.start.month in (1, 4, 7, 10)
            and self.end == Period.month(self.start.year, self.start.month).shifted(2).end
        )

    @property
    def months(self) -> int:
        """Calendar months in the period (1 for a month, 3 for a quarter)."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def quarters_shifted(self, quarters: int) -> Period:
        first = self.shifted(3 * quarters)
        return Period(first.start, first.shifted(2).end)

    def with_quarters_before(self, count: int) -> list[Period]:
        """This quarter and the `count` quarters before it, oldest first (the quarterly update's window)."""
        return [self.quarters_shifted(-offset) for offset in range(count, -1, -1)]

    @classmethod
    def last_complete_month(cls, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.month(today.year, today.month).shifted(-1)

    def shifted(self, months: int) -> Period:
        """The calendar month `months` away from this period's first month."""
        index = self.start.year * 12 + self.start.month - 1 + months
        return Period.month(index // 12, index % 12 + 1)

    def with_months_before(self, count: int) -> list[Period]:
        """This month and the `count` months before it, oldest first (the trend window)."""
        return [self.shifted(-offset) for offset in range(count, -1, -1)]

    @property
    def key(self) -> str:
        if self.is_quarter:
            return f"{self.start.year}-K{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.is_quarter:
            return f"{(self.start.month - 1) // 3 + 1}e kwartaal {self.start.year}"
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def short_label(self) -> str:
        if self.is_quarter:
            return f"K{(self.start.month - 1) // 3 + 1} {self.start:%y}"
        return f"{MONTH_NAMES[self.start.month - 1][:3]} {self.start:%y}"

    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first moment, first moment after) in the site's time zone, for datetime fields."""
        tz = timezone.get_default_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end
