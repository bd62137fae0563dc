"""The one CSV writer for every export: what Dutch Excel opens without a wizard.

UTF-8 with a BOM (Excel reads UTF-8 only with it), `;` as separator, decimal commas, CRLF line ends,
and every cell through the formula-injection guard (csv_safety.safe_cell): data that came in through
an import can never run as a formula when someone opens the file.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse

from .csv_safety import safe_cell
from .formatting import csv_number

BOM = "\ufeff"


def csv_cell(value) -> str:
    # A number the app computed cannot be a formula (and a guarded "-1250" would be text to Excel).
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return csv_number(value)
    return safe_cell(value)


def write_rows(out, header: Iterable, rows: Iterable[Iterable]) -> None:
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])


def csv_text(header: Iterable, rows: Iterable[Iterable], *, bom: bool = True) -> str:
    """The whole file as text (for an email attachment or a command's output)."""
    out = io.StringIO()
    if bom:
        out.write(BOM)
    write_rows(out, header, rows)
    return out.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A download. `filename` must not hold personal data (it ends up in browser histories)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write(BOM)
    write_rows(response, header, rows)
    return response
