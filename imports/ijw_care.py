"""JW305 start zorg and JW307 stop zorg: the actual start and end of a trajectory (StatusAanlevering 3 undoes them)."""

from django.utils import timezone

from cases.formatting import date
from cases.terms import actual_start_problem

from .ijw import Message, MessageError, iso_date
from .ijw_base import LABEL, MessageHandlers


class CareMessages(MessageHandlers):
    """`_jw305` and `_jw307`."""

    def _jw305(self, message: Message, item: dict) -> None:
        allocation = self._allocation_or_wait(message, item)
        if allocation is None:
            return
        trajectory = allocation.trajectory
        begin = iso_date(item["begin"])
        if item["status"] == "3":  # verwijderen aanlevering: back to the allocation's start
            if allocation.actual_start != begin:
                self.counts.append((LABEL["JW305"], "ongewijzigd"))
                return
            actual_start, new_start = None, allocation.allocation_start
        else:
            actual_start = new_start = begin
        where = message.where(item)
        referral = trajectory.referral
        # The rule of the toegang's form and the CSV import (cases.terms); an undo checks the allocated start.
        problem = actual_start_problem(
            actual_start=new_start,
            referral_date=referral.date if referral is not None and actual_start else None,
            planned_end=trajectory.planned_end_date,
            end=trajectory.end_date,
            today=timezone.localdate(),
        )
        if problem:
            raise MessageError.one(message.file, where, "Begindatum", item["begin"], problem)
        if allocation.actual_start != actual_start:
            self.batch.change(allocation, {"actual_start": actual_start}, history=False)
        # The start of care the rules read (issue 12); start_date follows it as before, the allocated start
        # stays on the IjwAllocation.
        values = {"start_date": new_start, "actual_start_date": actual_start}
        changed = {name: value for name, value in values.items() if getattr(trajectory, name) != value}
        if not changed:
            self.counts.append((LABEL["JW305"], "ongewijzigd"))
            return
        self._update(trajectory, changed)
        self.counts.append((LABEL["JW305"], "gewijzigd"))

    def _jw307(self, message: Message, item: dict) -> None:
        allocation = self._allocation_or_wait(message, item)
        if allocation is None:
            return
        trajectory = allocation.trajectory
        end = iso_date(item["end"])
        if item["status"] == "3":  # verwijderen aanlevering: the care did not stop after all
            if trajectory.end_date != end:
                self.counts.append((LABEL["JW307"], "ongewijzigd"))
                return
            new_end, new_reason = None, ""
        else:
            new_end, new_reason = end, item["end_reason"]
        if (trajectory.end_date, trajectory.end_reason) == (new_end, new_reason):
            self.counts.append((LABEL["JW307"], "ongewijzigd"))
            return
        if new_end and new_end < trajectory.start_date:
            raise MessageError.one(
                message.file,
                message.where(item),
                "Einddatum",
                item["end"],
                f"De zorg stopt vóór de start van {date(trajectory.start_date)}.",
            )
        self._update(trajectory, {"end_date": new_end, "end_reason": new_reason})
        self.counts.append((LABEL["JW307"], "gewijzigd"))
