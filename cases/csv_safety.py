"""CSV export safety: a cell that starts with = + - @ (or a tab/CR) is a formula to Excel and LibreOffice.

Every CSV jeugdregie writes goes through `safe_cell` (cases/csv_export.py), so data that came in through an
import can never run as a formula when a user opens an export (OWASP "CSV injection").
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text; prefixed with an apostrophe if a spreadsheet would execute it."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text
