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
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"

    @property
    def short_label(self) -> str:
        return f"{MONTH_NAMES[self.start.month - 1][:3]} {self.start:%y}"

    def aware_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first moment, first moment after) in the site's time zone, for datetime fields."""
        tz = timezone.get_default_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end
