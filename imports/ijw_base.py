"""What every iJw message handler shares: the import's state, the child, the allocation, waiting.

The handlers per message type (ijw_allocations, ijw_care, ijw_referrals, ijw_extensions) extend
MessageHandlers; ijw_import.IjwImport puts them together and runs the files.
"""

import hashlib
import json

from cases.models import Child, Household, Trajectory

from .common import bsn_digest, mask_bsn
from .history import HistoryWriter
from .ijw import Message, MessageError
from .ijw_batch import Batch
from .lookups import Lookups
from .models import IjwAllocation, IjwPendingMessage

LABEL = {
    "JW301": "toewijzing (JW301)",
    "JW305": "start zorg (JW305)",
    "JW307": "stop zorg (JW307)",
    "JW315": "verzoek om toewijzing (JW315)",
    "JW317": "verzoek om wijziging (JW317)",
    "JW323": "declaratieregel (JW323)",
    "JW325": "declaratie-antwoord (JW325)",
}


class MessageHandlers:
    """State of one import (writer, lookups) and of the file being applied (counts, notes, gemeente)."""

    user = None
    run_row = None
    writer: HistoryWriter
    batch: Batch
    lookups: Lookups
    counts: list
    notes: list

    def _child(self, message: Message) -> Child:
        """The child with this BSN (it must be of the message's gemeente), or a new case file."""
        child = self.batch.children.get(message.bsn)
        if child is not None:
            if child.gemeente_id != self.gemeente.pk:
                raise MessageError.one(
                    message.file,
                    message.kind,
                    "Bsn",
                    mask_bsn(message.bsn),
                    f"Dit BSN hoort bij een dossier van een andere gemeente dan {self.gemeente.name}.",
                )
            return child
        name = " ".join(p for p in (message.name_prefix, message.last_name) if p) or "onbekend"
        household = self.batch.create(Household(gemeente=self.gemeente, name=f"Gezin {name}"[:120]))
        child = Child(
            gemeente=self.gemeente,
            household=household,
            first_name=message.first_name[:80],
            name_prefix=message.name_prefix[:20],
            last_name=(message.last_name or "onbekend")[:120],
            birth_date=message.birth_date,
            bsn=message.bsn,
        )
        self.batch.create(child)
        self.batch.put(self.batch.children, message.bsn, child)
        self.counts.append(("jeugdige", "nieuw"))
        self.counts.append(("huishouden", "nieuw"))
        return child

    def _allocation(self, message: Message, item: dict) -> IjwAllocation | None:
        """The known allocation for a start/stop/change, checked against the message's BSN and gemeente."""
        number = item["allocation_number"]
        allocation = self.batch.allocations.get(number)
        if allocation is None:
            return None
        child = allocation.trajectory.child
        where = message.where(item)
        if child.bsn != message.bsn:
            raise MessageError.one(
                message.file, where, "Bsn", mask_bsn(message.bsn), f"Dit BSN hoort niet bij toewijzing {number}."
            )
        allowed = self.lookups.allowed_gemeente_ids
        if allowed is not None and child.gemeente_id not in allowed:
            raise MessageError.one(
                message.file, where, "ToewijzingNummer", number, f"U werkt niet voor gemeente {child.gemeente.name}."
            )
        if child.gemeente.code != message.gemeente_code:
            self.notes.append(
                f"{message.kind} is gericht aan gemeente {message.gemeente_code}, maar toewijzing {number} is van "
                f"{child.gemeente.name} ({child.gemeente.code}); verwerkt op die toewijzing."
            )
        return allocation

    def _allocation_or_wait(self, message: Message, item: dict) -> IjwAllocation | None:
        """The allocation for a start/stop/change, or None once the message waits for its JW301."""
        allocation = self._allocation(message, item)
        if allocation is None:
            self._wait(message, item)
        return allocation

    def _wait(self, message: Message, item: dict) -> None:
        """Keep a start/stop/change for an allocation that has not arrived (dates and codes, no BSN)."""
        payload = {**item, "gemeente_code": message.gemeente_code, "message_date": message.message_date.isoformat()}
        digest_bsn = bsn_digest(message.bsn)
        content = json.dumps([message.kind, item["allocation_number"], digest_bsn, payload], sort_keys=True)
        content_digest = hashlib.sha256(content.encode()).hexdigest()
        if content_digest not in self.batch.pending_digests:  # the same message twice waits once
            pending = IjwPendingMessage(
                content_digest=content_digest,
                kind=message.kind,
                gemeente=self.gemeente,
                allocation_number=item["allocation_number"],
                bsn_digest=digest_bsn,
                payload=payload,
                file_name=message.file[:255],
                received_in=self.run_row if self.run_row and self.run_row.pk else None,
            )
            self.batch.create(pending, history=False)
            self.batch.put(self.batch.pending_digests, content_digest, pending)
            self.batch.append(self.batch.pending[item["allocation_number"]], pending)
        self.counts.append((LABEL[message.kind], "wacht"))
        self.notes.append(
            f"{message.kind} voor toewijzing {item['allocation_number']} wacht op die toewijzing (JW301); "
            "het wordt verwerkt zodra de toewijzing is geïmporteerd."
        )

    def _update(self, trajectory: Trajectory, values: dict) -> None:
        """Change a trajectory (its version goes up), with history, written at the batch's flush."""
        self.batch.change(trajectory, values)
