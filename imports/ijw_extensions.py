"""Extensions from iJw: a JW317 asks for one (it waits for the toets), a re-issued JW301 (JZ002 04) grants one."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from cases.formatting import date
from cases.models import Extension, ExtensionStatus, Trajectory
from cases.services import extension_check_transition
from cases.terms import volume_impossible

from .ijw import Message, MessageError, iso_date
from .ijw_base import LABEL, MessageHandlers

EXTENSION_CODE = "04"  # JZ002 herbeoordeling: verlenging toewijzing
GRANTED = (ExtensionStatus.APPROVED, ExtensionStatus.SHORTENED)


class ExtensionMessages(MessageHandlers):
    """`_jw317`, and the decision a re-issued JW301 makes (`_granted_extension`)."""

    def _jw317(self, message: Message, item: dict) -> None:
        allocation = self._allocation_or_wait(message, item)
        if allocation is None:
            return
        trajectory = allocation.trajectory
        end = iso_date(item["end"])
        number = item["allocation_number"]
        if end is None or end <= trajectory.planned_end_date:
            self.counts.append((LABEL["JW317"], "niet vastgelegd"))
            self.notes.append(
                f"het verzoek voor toewijzing {number} vraagt geen latere einddatum; dat is geen verlenging."
            )
            return
        extensions = self.batch.extensions[id(trajectory)]
        if any(e.requested_end_date == end for e in extensions):
            self.counts.append((LABEL["JW317"], "ongewijzigd"))
            return
        if trajectory.end_date is not None or any(e.status == ExtensionStatus.PENDING for e in extensions):
            self.counts.append((LABEL["JW317"], "niet vastgelegd"))
            self.notes.append(
                f"het verzoek voor toewijzing {number} is niet vastgelegd: "
                "het traject is beëindigd of er loopt al een aanvraag."
            )
            return
        volume = Decimal(item["volume"]) if item.get("volume") else None
        if volume is not None:
            # The toegang's extension form and the JW301 refuse the same: one rule (cases.terms).
            impossible = volume_impossible(
                volume=volume,
                unit=item.get("unit") or trajectory.unit,
                frequency=item.get("frequency") or trajectory.frequency,
                start=trajectory.start_date,
                planned_end=end,
            )
            if impossible:
                raise MessageError.one(message.file, message.where(item), "Volume", item["volume"], impossible)
        reason_label = {"1": "verandering cliëntsituatie", "2": "wijziging zorgplan"}.get(item["request_reason"], "")
        extension = Extension(
            trajectory=trajectory,
            requested_end_date=end,
            requested_volume=volume if volume and volume != trajectory.volume else None,
            reason=f"Verzoek om wijziging van de aanbieder (WJ758 {item['request_reason']} {reason_label}), "
            f"referentie {item['provider_reference']}",
        )
        self._add_extension(extension)
        self.counts.append((LABEL["JW317"], "nieuw"))
        self.counts.append(("verlenging", "nieuw"))

    def _granted_extension(self, message: Message, item: dict, trajectory: Trajectory, volume: Decimal, allocated_at):
        """A re-issued allocation (JZ002 04) is the gemeente's decision on an extension.

        It takes the toets's path: the request's row locked, the transition checked against
        Extension.TRANSITIONS (cases.services.extension_check_transition), the importing user as the
        decider and a reason. Unlike the toets, it does not move the trajectory's end: the allocation
        itself already did, and it may do so after a stop (messages arrive in any order).
        """
        number, end = item["allocation_number"], iso_date(item["end"])
        # The trajectory's requests, newest first (Batch.load locked them).
        requests = self.batch.extensions[id(trajectory)][::-1]
        # The request this allocation answers: the open one, else one that asked for this very date and
        # was decided otherwise already (refused, or granted to another date): the allocation may not
        # decide it a second time. One granted to this very date agrees with it: that is a new extension
        # (after a shortening, the gemeente extends again).
        extension = next((e for e in requests[::-1] if e.status == ExtensionStatus.PENDING), None) or next(
            (
                e
                for e in requests
                if e.requested_end_date == end and not (e.status in GRANTED and e.granted_end_date == end)
            ),
            None,
        )
        new = extension is None
        if new:
            # The gemeente extended without a request: request and decision come in this one message.
            extension = Extension(
                trajectory=trajectory, requested_end_date=end, reason="Verlenging door de gemeente (iJw JW301)"
            )
        decision = ExtensionStatus.APPROVED if end >= extension.requested_end_date else ExtensionStatus.SHORTENED
        try:
            extension_check_transition(extension, decision)
        except ValidationError:
            raise MessageError.one(
                message.file,
                message.where(item),
                "ToewijzingEinddatum",
                item["end"],
                f"Toewijzing {number} verlengt tot {date(end)}, maar de verlengingsaanvraag tot die datum is in "
                f"jeugdregie al afgehandeld ({extension.get_status_display().lower()}); het bericht is niet verwerkt.",
            ) from None
        values = {
            "status": decision,
            "granted_end_date": end,
            "granted_volume": volume if extension.requested_volume is not None else None,
            "decision_reason": f"Verlengd via iJw-toewijzing {number} (JW301, JZ002 04 herbeoordeling verlenging)",
            "decided_by": self.user,
            "decided_at": allocated_at,
        }
        if new:
            for name, value in values.items():
                setattr(extension, name, value)
            self._add_extension(extension)
            self.counts.append(("verlenging", "nieuw"))
            return
        self.batch.change(extension, values)
        self.counts.append(("verlenging", "gewijzigd"))

    def _add_extension(self, extension: Extension) -> None:
        self.batch.create(extension)
        self.batch.append(self.batch.extensions[id(extension.trajectory)], extension)
