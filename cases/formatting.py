"""Dutch display of money, numbers, percentages and dates: the one place every page, flag sentence,
CSV, chart label and email formats a figure.

Built on Django's own `numberformat.format` with the Dutch separators fixed here, so the output is the
same whatever the active language (a Celery worker renders the email with no request at all).
Missing values show as a dash; `NVT` is what a KPI without a meaningful value shows.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import numberformat, timezone

DECIMAL_SEP, THOUSANDS_SEP = ",", "."
DASH = "—"
NVT = "n.v.t."


def number(value, decimals: int | None = None, *, grouping: bool = True) -> str:
    """1.234 · 12,5 · with `decimals=None`: whole numbers bare, others to one decimal."""
    if value is None:
        return DASH
    value = Decimal(str(value))
    if decimals is None:
        decimals = 0 if value == value.to_integral_value() else 1
    # Rounded here, half up as floatformat does: numberformat.format cuts the digits off (10.666,67 -> 10.666).
    value = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return numberformat.format(
        value,
        DECIMAL_SEP,
        decimal_pos=decimals,
        grouping=3 if grouping else 0,
        thousand_sep=THOUSANDS_SEP,
        force_grouping=grouping,
    )


def euro(value, decimals: int = 0) -> str:
    """€ 63.400 (whole euros unless asked), € -1.250 for a negative amount."""
    if value is None:
        return DASH
    return "€ " + number(value, decimals)


def percent(value, decimals: int = 1) -> str:
    """12,5%."""
    if value is None:
        return DASH
    return number(value, decimals) + "%"


def date(value) -> str:
    """29-11-2026 (datetimes in the local zone: 29-11-2026 14:05)."""
    if value is None:
        return DASH
    if isinstance(value, dt.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{local:%d-%m-%Y %H:%M}"
    return f"{value:%d-%m-%Y}"


def csv_number(value) -> str:
    """A number as a Dutch spreadsheet reads it: decimal comma, no thousands separator, full precision."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value).replace(".", DECIMAL_SEP)
    return str(value)
