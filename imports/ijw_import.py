"""iJw import: messages into children, referrals, trajectories and extensions.

Rules (issue 5, DOMAIN.md §5a):
- Each file is all or nothing (a savepoint per file); a refused file is named in the report.
- An allocation is found by its ToewijzingNummer; the BSN in the message must be the child's.
- A JW305/JW307/JW317 whose JW301 has not arrived waits in IjwPendingMessage and is applied when
  the JW301 comes in. Nothing is guessed.
- A JW301 older (Toewijzingsdatum/-tijd) than the one already applied changes nothing, so messages
  can arrive in any order and twice. A re-issued JW301 with RedenWijziging 04 and a later end date
  is a granted extension.
- JW315 creates the referral (COD327 verwijzer); it is linked to the allocation by ReferentieAanbieder.

Speed (issue 14): files go in batches of BATCH_FILES. A batch is read and checked, everything its
messages refer to is loaded in a few queries (imports.ijw_batch.Batch.load), the messages are applied
in memory in file order, and the batch is written in bulk. A refused file is undone in memory, so it
writes nothing while its neighbours go in. Should the database still refuse the batch's writes (a rule
the checks missed), the batch is redone one file at a time, so the refusal names its file.
"""

import os
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.db import DataError, IntegrityError, transaction

from .common import database_refusal
from .history import HistoryWriter
from .ijw import Message, MessageError, read_message
from .ijw_allocations import AllocationMessages
from .ijw_base import LABEL
from .ijw_batch import Batch
from .ijw_care import CareMessages
from .ijw_check import check_message
from .ijw_declarations import DECLARATION_KINDS, DeclarationMessages
from .ijw_referrals import ReferralMessages
from .lookups import Lookups
from .report import Problem, Report

BATCH_FILES = 500  # files per batch: the queries per batch stay the same, memory stays flat


def message_files(paths: list[Path]):
    """Every .xml file named or inside a named folder (sorted, so a folder imports the same way twice)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            parent = str(path.parent)
            for folder, dirs, names in os.walk(path):
                dirs.sort()
                shown = os.path.relpath(folder, parent)
                for name in sorted(names):
                    if name.lower().endswith(".xml"):
                        yield Path(folder, name), os.path.join(shown, name)
        else:
            yield path, path.name


def count_files(paths: list[Path]) -> int:
    return sum(1 for _ in message_files(paths))


@dataclass
class Outcome:
    """What one file did; it reaches the report only once its batch is written."""

    name: str
    problems: list[Problem] = field(default_factory=list)
    counts: list = field(default_factory=list)
    notes: list = field(default_factory=list)


class IjwImport(AllocationMessages, CareMessages, ReferralMessages, DeclarationMessages):
    """Runs the files; the handlers per message type (`_jw301`, `_jw305`, ...) come from the mixed-in classes."""

    def __init__(self, paths, *, user, report: Report, progress, reason: str, run=None):
        self.paths = paths
        self.user = user
        self.report = report
        self.progress = progress
        self.run_row = run
        self.writer = HistoryWriter(user=user, reason=reason)
        self.lookups = Lookups(user)

    def run(self, *, dry_run: bool) -> None:
        self.progress.set_total(count_files(self.paths))
        # One outer transaction: a dry run sees the effect of earlier files on later ones exactly as the
        # real import would, and rolls back at the end.
        with transaction.atomic():
            files = message_files(self.paths)
            while batch := list(islice(files, BATCH_FILES)):
                self._batch([(name, self._read(path, name)) for path, name in batch])
            if dry_run:
                transaction.set_rollback(True)

    def _read(self, path: Path, name: str) -> Message | MessageError:
        try:
            message = read_message(path, name)
            if message.kind not in DECLARATION_KINDS:  # declarations check their many clients themselves
                check_message(message, self.lookups)
        except MessageError as exc:
            return exc
        return message

    def _batch(self, files: list[tuple]) -> None:
        """Messages in bulk; a declaration (many clients, its own set-based path) goes alone, in file order."""
        group: list[tuple] = []
        for name, message in files:
            if isinstance(message, Message) and message.kind in DECLARATION_KINDS:
                self._write(group)
                group = []
                self._report([self._declaration_file(name, message)])
            else:
                group.append((name, message))
        self._write(group)

    def _write(self, files: list[tuple]) -> None:
        if files:
            self._report(self._apply_batch(files))

    def _apply_batch(self, files: list[tuple]) -> list[Outcome]:
        try:
            with transaction.atomic():  # a savepoint: a refused batch leaves the transaction usable
                self.batch = Batch(self.writer)
                self.batch.load([m for _name, m in files if isinstance(m, Message)])
                outcomes = [self._file(name, message) for name, message in files]
                self.batch.flush()
        except (IntegrityError, DataError) as exc:
            # A rule the checks missed: the database refuses. Redo the files one by one, so only the file
            # that breaks the rule is refused (and named), as when each file had its own savepoint.
            if len(files) > 1:
                return [outcome for one in files for outcome in self._apply_batch([one])]
            name, message = files[0]
            problem = Problem(name, message.kind, "database", "", database_refusal(exc))
            return [Outcome(name, problems=[problem])]
        finally:
            self.batch = None
        return outcomes

    def _file(self, name: str, message: Message | MessageError) -> Outcome:
        if isinstance(message, MessageError):
            return Outcome(name, problems=message.problems)
        mark = self.batch.mark()
        self.counts, self.notes = [], []
        try:
            self._apply(message)
        except MessageError as exc:
            self.batch.undo(mark)  # all or nothing: this file leaves no trace in the batch
            return Outcome(name, problems=exc.problems)
        return Outcome(name, counts=self.counts, notes=message.notes + self.notes)

    def _declaration_file(self, name: str, message: Message) -> Outcome:
        self.counts, self.notes = [], []
        try:
            try:
                with transaction.atomic():
                    self._declaration(message)
            except (IntegrityError, DataError) as exc:
                raise MessageError.one(message.file, message.kind, "database", "", database_refusal(exc)) from None
        except MessageError as exc:
            return Outcome(name, problems=exc.problems)
        return Outcome(name, counts=self.counts, notes=message.notes + self.notes)

    def _report(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            self.progress.advance()
            if outcome.problems:
                for problem in outcome.problems:
                    self.report.problem(problem)
                self.report.refused_files.append(outcome.name)
                continue
            self.report.files_ok += 1
            for kind, result in outcome.counts:
                self.report.count(kind, result)
            for note in outcome.notes:
                self.report.note(f"{outcome.name}: {note}")

    def _apply(self, message: Message) -> None:
        self.gemeente = self.lookups.gemeenten[message.gemeente_code]
        self.provider = self.lookups.providers[message.provider_agb]
        self.referrals_made: dict = {}
        apply_item = getattr(self, f"_{message.kind.lower()}")
        for item in message.items:
            apply_item(message, item)
        if not message.items:
            self.counts.append((LABEL[message.kind], "niet vastgelegd"))
