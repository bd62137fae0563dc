"""CSV import: one row per trajectory (column set in docs/import.md), all or nothing per file.

The file is streamed in chunks of CHUNK_SIZE rows; each chunk is checked row by row and then written
set-based (a handful of queries per chunk, whatever its size) with history. Everything runs in one
transaction that is rolled back when any row is wrong or when it is a dry run, so a dry run reports
exactly what the real import would do and leaves nothing behind.

Reading and checking the rows runs in a thread of its own, a chunk ahead of the writing: while PostgreSQL
works on one chunk (psycopg lets go of the GIL while it waits), the next is parsed. The reader touches no
database (Django's connections are per thread; everything that looks anything up stays in the writer) and
hands each chunk over with the problems of the lines read since the previous one, which the writer reports
before writing the chunk: the report comes out in the same order as when one thread did both. At most
QUEUED_CHUNKS chunks wait, so memory stays flat whatever the file's size.
"""

import csv
import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from django.db import DataError, IntegrityError, connection, transaction

from .common import database_refusal
from .csv_rows import Row, RowChecker, count_lines, sniff_delimiter
from .csv_write import ChunkWriter
from .history import HistoryWriter
from .lookups import Lookups
from .report import Problem, Report

CHUNK_SIZE = 5000
QUEUED_CHUNKS = 1  # parsed and waiting; with the one being written and the one being read, three in memory


@dataclass
class Parsed:
    """A chunk read and checked, with what the reader found since the previous one."""

    rows: list[Row]
    problems: list[tuple]  # (line, field, value, message), in the order found
    lines: int  # lines read, for the progress


class _Stopped(Exception):
    """The writer stopped (an error): the reader stops too."""


class CsvImport:
    def __init__(self, path: Path, *, user, report: Report, progress, display_name: str, reason: str):
        self.path = Path(path)
        self.user = user
        self.report = report
        self.progress = progress
        self.name = display_name
        self.writer = HistoryWriter(user=user, reason=reason)
        self.lookups = Lookups(user)
        self.rows = RowChecker(lookups=self.lookups, problem=self._hold)
        self.chunks = ChunkWriter(writer=self.writer, lookups=self.lookups, report=report, problem=self._problem)
        self._held: list[tuple] = []  # the reader's problems not yet handed over (the reader's alone)
        self._lines = 0

    # --- entry point ---------------------------------------------------------------------------

    def run(self, *, dry_run: bool) -> None:
        self.progress.set_total(count_lines(self.path))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Foreign keys checked at the end of each COPY and INSERT instead of all at the COMMIT (Django
                # declares them deferred): the COMMIT's checks ran alone, these overlap with the reader thread,
                # for no more of PostgreSQL's CPU (docs/benchmarks.md, issue 14, fourth round). A violation is
                # refused with its chunk, as any other rule the database enforces.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._stream()
            if dry_run or not self.report.ok:
                # All or nothing: a single bad row, or a dry run, leaves the database as it was.
                transaction.set_rollback(True)

    def _problem(self, line: int, field: str, value: str, message: str) -> None:
        where = f"regel {line}" if line else "bestand"
        self.report.problem(Problem(self.name, where, field, value, message))

    def _stream(self) -> None:
        """The writer's side: report what the reader found, then write its chunk."""
        parsed_chunks: queue.Queue = queue.Queue(maxsize=QUEUED_CHUNKS)
        stop = threading.Event()
        reader = threading.Thread(target=self._read, args=(parsed_chunks, stop), name="csv-reader", daemon=True)
        reader.start()
        try:
            while (parsed := parsed_chunks.get()) is not None:
                if isinstance(parsed, BaseException):
                    raise parsed
                for problem in parsed.problems:
                    self._problem(*problem)
                self.progress.advance(parsed.lines)
                self._write_chunk(parsed.rows)
        finally:
            stop.set()
            reader.join()

    # --- the reader's side (its own thread: no database) --------------------------------------

    def _hold(self, line: int, field: str, value: str, message: str) -> None:
        self._held.append((line, field, value, message))

    def _read(self, parsed_chunks: queue.Queue, stop: threading.Event) -> None:
        def hand_over(item) -> None:
            while not stop.is_set():
                try:
                    parsed_chunks.put(item, timeout=0.1)
                    return
                except queue.Full:
                    continue
            raise _Stopped

        def chunk_done(rows: list[Row]) -> None:
            parsed = Parsed(rows, self._held, self._lines)
            self._held, self._lines = [], 0
            hand_over(parsed)

        try:
            self._parse_file(chunk_done)
            hand_over(None)
        except _Stopped:
            return
        except BaseException as exc:  # a bug, not a bad file: the writer raises it
            try:
                hand_over(exc)
            except _Stopped:
                return

    def _parse_file(self, chunk_done) -> None:
        try:
            with open(self.path, encoding="utf-8-sig", newline="") as handle:
                header_line = handle.readline()
                if not header_line.strip():
                    self._hold(1, "kopregel", "", "Het bestand is leeg of heeft geen kopregel.")
                    chunk_done([])
                    return
                delimiter = sniff_delimiter(header_line)
                columns = next(csv.reader([header_line], delimiter=delimiter))
                index = self.rows.header(columns)
                if index is None:
                    chunk_done([])
                    return
                reader = csv.reader(handle, delimiter=delimiter)
                chunk: list[Row] = []
                keys: set = set()
                for values in reader:
                    line = reader.line_num + 1  # +1: the header line was read before the reader
                    self._lines += 1
                    if not any(v.strip() for v in values):
                        continue
                    row = self.rows.parse(line, values, index, len(columns))
                    if row is None:
                        continue
                    if row.trajectory_key in keys or len(chunk) >= CHUNK_SIZE:
                        # A repeated trajectory goes to the next chunk, where it meets the first as an
                        # existing record (unchanged or updated), the same as across chunks.
                        chunk_done(chunk)
                        chunk, keys = [], set()
                    chunk.append(row)
                    keys.add(row.trajectory_key)
                chunk_done(chunk)
        except UnicodeDecodeError as exc:
            # What was read of the chunk is not written: the file is refused.
            self._hold(
                0, "tekenset", "", f"Het bestand is geen UTF-8-tekst (byte {exc.start}); sla het op als CSV UTF-8."
            )
            chunk_done([])
        except csv.Error as exc:
            self._hold(0, "opmaak", "", f"Het bestand is geen geldige CSV: {exc}.")
            chunk_done([])

    # --- one chunk, set-based (the writer) -----------------------------------------------------

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
