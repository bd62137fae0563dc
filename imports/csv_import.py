"""CSV import: one row per trajectory (column set in docs/import.md), all or nothing per file.

The file is streamed in chunks of CHUNK_SIZE rows; each chunk is checked row by row and then written
set-based (a handful of queries per chunk, whatever its size) with history. Everything runs in one
transaction that is rolled back when any row is wrong or when it is a dry run, so a dry run reports
exactly what the real import would do and leaves nothing behind.
"""

import csv
from pathlib import Path

from django.db import DataError, IntegrityError, transaction

from .common import database_refusal
from .csv_rows import Row, RowChecker, count_lines, sniff_delimiter
from .csv_write import ChunkWriter
from .history import HistoryWriter
from .lookups import Lookups
from .report import Problem, Report

CHUNK_SIZE = 5000


class CsvImport:
    def __init__(self, path: Path, *, user, report: Report, progress, display_name: str, reason: str):
        self.path = Path(path)
        self.user = user
        self.report = report
        self.progress = progress
        self.name = display_name
        self.writer = HistoryWriter(user=user, reason=reason)
        self.lookups = Lookups(user)
        self.rows = RowChecker(lookups=self.lookups, report=report, problem=self._problem)
        self.chunks = ChunkWriter(writer=self.writer, lookups=self.lookups, report=report, problem=self._problem)

    # --- entry point ---------------------------------------------------------------------------

    def run(self, *, dry_run: bool) -> None:
        self.progress.set_total(count_lines(self.path))
        with transaction.atomic():
            self._stream()
            if dry_run or not self.report.ok:
                # All or nothing: a single bad row, or a dry run, leaves the database as it was.
                transaction.set_rollback(True)

    def _problem(self, line: int, field: str, value: str, message: str) -> None:
        where = f"regel {line}" if line else "bestand"
        self.report.problem(Problem(self.name, where, field, value, message))

    def _stream(self) -> None:
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as handle:
                header_line = handle.readline()
                if not header_line.strip():
                    self._problem(1, "kopregel", "", "Het bestand is leeg of heeft geen kopregel.")
                    return
                delimiter = sniff_delimiter(header_line)
                columns = next(csv.reader([header_line], delimiter=delimiter))
                index = self.rows.header(columns)
                if index is None:
                    return
                reader = csv.reader(handle, delimiter=delimiter)
                chunk: list[Row] = []
                keys: set = set()
                for values in reader:
                    line = reader.line_num + 1  # +1: the header line was read before the reader
                    self.progress.advance()
                    if not any(v.strip() for v in values):
                        continue
                    row = self.rows.parse(line, values, index, len(columns))
                    if row is None:
                        continue
                    if row.trajectory_key in keys or len(chunk) >= CHUNK_SIZE:
                        # A repeated trajectory goes to the next chunk, where it meets the first as an
                        # existing record (unchanged or updated), the same as across chunks.
                        self._write_chunk(chunk)
                        chunk, keys = [], set()
                    chunk.append(row)
                    keys.add(row.trajectory_key)
                self._write_chunk(chunk)
        except UnicodeDecodeError as exc:
            self._problem(
                0, "tekenset", "", f"Het bestand is geen UTF-8-tekst (byte {exc.start}); sla het op als CSV UTF-8."
            )
        except csv.Error as exc:
            self._problem(0, "opmaak", "", f"Het bestand is geen geldige CSV: {exc}.")

    # --- one chunk, set-based ------------------------------------------------------------------

    def _write_chunk(self, rows: list[Row]) -> None:
        if not rows:
            return
        try:
            with transaction.atomic():  # a savepoint: a refused chunk leaves the transaction usable
                self._write_rows(rows)
        except (IntegrityError, DataError) as exc:
            # A rule the row checks missed: the database refuses, and so does the file.
            where = f"regels {rows[0].line}-{rows[-1].line}"
            self.report.problem(Problem(self.name, where, "database", "", database_refusal(exc)))

    def _write_rows(self, rows: list[Row]) -> None:
        self.chunks.write(rows)
