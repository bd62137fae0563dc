"""Declarations as CSV (issue 12): many gemeenten export them from their financial system.

One row per declaration line; the columns are in docs/import.md ("Declaraties als CSV"). A file is a
declarations file when its header has `referentienummer`; the rows go through the same rules as a
JW323 (imports/declarations.py). All or nothing per file; a dry run writes nothing.
"""

import csv
from pathlib import Path

from django.db import DataError, IntegrityError, transaction

from cases.codes import Unit
from cases.models import DebitCredit, DeclarationSource

from .common import database_refusal, parse_date, parse_decimal
from .csv_rows import count_lines, sniff_delimiter
from .declarations import DeclarationLine, Declared, declarations_import
from .history import HistoryWriter
from .ijw import MessageError
from .lookups import Lookups
from .report import Problem, Report

LABEL = "declaratieregel (CSV)"
# column -> required, in the order of docs/import.md.
COLUMNS = {
    "aanbieder_agb": True,
    "toewijzingnummer": True,
    "bsn": True,
    "referentienummer": True,
    "begindatum": True,
    "einddatum": True,
    "volume": True,
    "eenheid": False,
    "tarief": False,
    "bedrag": True,
    "debet_credit": False,
    "productcode": False,
    "declaratienummer": False,
    "toegekend_bedrag": False,
}
DEBIT_CREDIT = {"d": "D", "debet": "D", "": "D", "c": "C", "credit": "C"}
UNITS = frozenset(Unit.values)


def _header(path: Path) -> tuple[str, list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        line = handle.readline()
    delimiter = sniff_delimiter(line)
    return delimiter, [c.strip().lower() for c in next(csv.reader([line], delimiter=delimiter), [])]


def is_declaration_csv(path: Path) -> bool:
    try:
        return "referentienummer" in _header(Path(path))[1]
    except (OSError, UnicodeDecodeError, csv.Error):
        return False


class CsvDeclarationImport:
    def __init__(self, path: Path, *, user, report: Report, progress, display_name: str, reason: str):
        self.path = Path(path)
        self.report = report
        self.progress = progress
        self.name = display_name
        self.writer = HistoryWriter(user=user, reason=reason)
        self.lookups = Lookups(user)

    def _problem(self, where: str, field: str, value: str, message: str) -> None:
        self.report.problem(Problem(self.name, where, field, value, message))

    def run(self, *, dry_run: bool) -> None:
        self.progress.set_total(count_lines(self.path))
        with transaction.atomic():
            lines = self._read()
            if lines and self.report.ok:
                try:
                    with transaction.atomic():
                        declared = Declared(file=self.name, kind="CSV", source=DeclarationSource.CSV)
                        outcomes = declarations_import(declared, lines, lookups=self.lookups, writer=self.writer)
                except MessageError as exc:
                    for problem in exc.problems:
                        self.report.problem(problem)
                except (IntegrityError, DataError) as exc:
                    self._problem("bestand", "database", "", database_refusal(exc))
                else:
                    for outcome, n in outcomes:
                        self.report.count(LABEL, outcome, n)
            if dry_run or not self.report.ok:
                transaction.set_rollback(True)

    def _read(self) -> list[DeclarationLine]:
        lines = []
        try:
            delimiter, columns = _header(self.path)
            missing = [name for name, required in COLUMNS.items() if required and name not in columns]
            if missing:
                self._problem("regel 1", "kopregel", ", ".join(missing), "Deze verplichte kolommen ontbreken.")
                return []
            index = {name: columns.index(name) for name in COLUMNS if name in columns}
            with open(self.path, encoding="utf-8-sig", newline="") as handle:
                reader = csv.reader(handle, delimiter=delimiter)
                next(reader)
                for values in reader:
                    self.progress.advance()
                    if any(v.strip() for v in values):
                        line = self._line(f"regel {reader.line_num}", values, index)
                        if line is not None:
                            lines.append(line)
        except UnicodeDecodeError as exc:
            self._problem("bestand", "tekenset", "", f"Het bestand is geen UTF-8-tekst (byte {exc.start}).")
        except csv.Error as exc:
            self._problem("bestand", "opmaak", "", f"Het bestand is geen geldige CSV: {exc}.")
        return lines

    def _line(self, where: str, values: list[str], index: dict) -> DeclarationLine | None:
        def cell(name: str) -> str:
            i = index.get(name)
            return values[i].strip() if i is not None and i < len(values) else ""

        ok = True

        def bad(field: str, value: str, message: str) -> None:
            nonlocal ok
            ok = False
            self._problem(where, field, value, message)

        for name, required in COLUMNS.items():
            if required and not cell(name):
                bad(name, "", "Deze kolom is verplicht.")
        if not ok:
            return None
        begin, end = parse_date(cell("begindatum")), parse_date(cell("einddatum"))
        for name, value in (("begindatum", begin), ("einddatum", end)):
            if value is None:
                bad(name, cell(name), f"'{cell(name)}' is geen datum (dd-mm-jjjj).")
        numbers = {}
        for name in ("volume", "bedrag", "tarief", "toegekend_bedrag"):
            if cell(name):
                numbers[name] = parse_decimal(cell(name))
                if numbers[name] is None:
                    bad(name, cell(name), f"'{cell(name)}' is geen getal.")
                elif name != "volume" and numbers[name] < 0:
                    bad(name, cell(name), "Een bedrag is niet negatief; geef een credit aan met debet_credit C.")
        dc = DEBIT_CREDIT.get(cell("debet_credit").lower())
        if dc is None:
            bad("debet_credit", cell("debet_credit"), "Gebruik D (debet) of C (credit) (COD043).")
        unit = cell("eenheid")
        if unit and unit.zfill(2) not in UNITS:
            bad("eenheid", unit, "Onbekende eenheid (WJ756).")
        if len(cell("referentienummer")) > 20:
            bad("referentienummer", cell("referentienummer"), "Een referentienummer heeft ten hoogste 20 tekens.")
        if not ok:
            return None
        sign = -1 if dc == DebitCredit.CREDIT else 1
        approved = numbers.get("toegekend_bedrag")
        return DeclarationLine(
            where=where,
            provider_agb=cell("aanbieder_agb"),
            bsn=cell("bsn"),
            reference=cell("referentienummer"),
            allocation_number=cell("toewijzingnummer"),
            product_code=cell("productcode"),
            begin=begin,
            end=end,
            volume=numbers["volume"],
            unit=unit.zfill(2) if unit else "",
            tariff=numbers.get("tarief"),
            debit_credit=dc,
            amount=sign * numbers["bedrag"],
            approved=None if approved is None else sign * approved,
        )
