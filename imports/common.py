"""Small helpers shared by the CSV and iJw import: dates, decimals, BSN masking and hashing."""

import datetime as dt
import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings

DATE_SEPARATORS = str.maketrans({"/": "-", ".": "-"})


@lru_cache(maxsize=8192)  # dates repeat across rows; bounded, so memory stays flat
def parse_date(text: str) -> dt.date | None:
    """A Dutch (31-12-2026, 31/12/2026, 31.12.2026, 2-2-2026) or ISO (2026-12-31) date; None if it is none.

    Hand-rolled instead of strptime: it runs for every date of every row of a large import.
    """
    parts = text.strip().translate(DATE_SEPARATORS).split("-")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    if len(parts[0]) == 4:
        year, month, day = parts
    elif len(parts[2]) == 4:
        day, month, year = parts
    else:
        return None
    if len(day) > 2 or len(month) > 2:
        return None
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_decimal(text: str) -> Decimal | None:
    """'1.234,50', '1234,5' and '1234.50' all read as 1234.50; None if it is not a number."""
    text = text.strip().replace("€", "").replace(" ", "")
    if "," in text:
        # Dutch notation: the dot groups thousands and the comma is the decimal separator.
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def mask_bsn(bsn: str) -> str:
    """Only the last four digits of a BSN ever appear in a report."""
    bsn = (bsn or "").strip()
    return f"•••••{bsn[-4:]}" if len(bsn) >= 4 else "•••••"


def bsn_digest(bsn: str) -> str:
    """Keyed hash of a BSN: lets a waiting message be matched to a child without storing the BSN."""
    return hmac.new(settings.SECRET_KEY.encode(), f"bsn:{bsn}".encode(), hashlib.sha256).hexdigest()


def database_refusal(exc: Exception) -> str:
    """A Dutch message for a constraint the database enforced (names the rule, never the data)."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    rule = f" ({constraint})" if constraint else ""
    return f"De database weigert deze gegevens: ze botsen met een regel van jeugdregie{rule}."
