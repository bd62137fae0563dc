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
"""

import os
from pathlib import Path

from django.db import DataError, IntegrityError, transaction

from .common import database_refusal
from .history import HistoryWriter
from .ijw import Message, MessageError, read_message
from .ijw_allocations import AllocationMessages
from .ijw_base import LABEL
from .ijw_care import CareMessages
from .ijw_check import check_message
from .ijw_declarations import DECLARATION_KINDS, DeclarationMessages
from .ijw_referrals import ReferralMessages
from .lookups import Lookups
from .report import Report


def message_files(paths: list[Path]) -> list[tuple[Path, str]]:
    """Every .xml file named or inside a named folder (sorted, so a folder imports the same way twice)."""
    files = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for folder, _dirs, names in sorted(os.walk(path)):
                for name in sorted(names):
                    if name.lower().endswith(".xml"):
                        full = Path(folder) / name
                        files.append((full, str(full.relative_to(path.parent))))
        else:
            files.append((path, path.name))
    return files


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
        files = message_files(self.paths)
        self.progress.set_total(len(files))
        # One outer transaction with a savepoint per file: a refused file leaves nothing, and a dry
        # run sees the effect of earlier files on later ones exactly as the real import would.
        with transaction.atomic():
            for path, name in files:
                self._file(path, name)
                self.progress.advance()
            if dry_run:
                transaction.set_rollback(True)

    # --- one file ------------------------------------------------------------------------------

    def _file(self, path: Path, name: str) -> None:
        try:
            message = read_message(path, name)
            if message.kind not in DECLARATION_KINDS:  # declarations check their many clients themselves
                check_message(message, self.lookups)
            self.counts: list = []
            self.notes: list = []
            try:
                with transaction.atomic():
                    self._apply(message)
            except (IntegrityError, DataError) as exc:
                # A rule the checks above missed: the database refuses, and so does the import.
                raise MessageError.one(message.file, message.kind, "database", "", database_refusal(exc)) from None
        except MessageError as exc:
            for problem in exc.problems:
                self.report.problem(problem)
            self.report.refused_files.append(name)
            return
        self.report.files_ok += 1
        for kind, outcome in self.counts:
            self.report.count(kind, outcome)
        for note in message.notes + self.notes:
            self.report.note(f"{name}: {note}")

    def _apply(self, message: Message) -> None:
        if message.kind in DECLARATION_KINDS:
            self._declaration(message)
            return
        self.gemeente = self.lookups.gemeenten[message.gemeente_code]
        self.provider = self.lookups.providers[message.provider_agb]
        self.referrals_made: dict = {}
        apply_item = getattr(self, f"_{message.kind.lower()}")
        for item in message.items:
            apply_item(message, item)
        if not message.items:
            self.counts.append((LABEL[message.kind], "niet vastgelegd"))
