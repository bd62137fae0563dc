"""JW301 toewijzing: the trajectory it allocates, a later version of it, and the messages that waited for it."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from cases.codes import Frequency, Unit
from cases.models import Trajectory
from cases.terms import trajectory_terms, volume_impossible
from referrals.models import AllocationRequest

from .common import bsn_digest, mask_bsn
from .ijw import Message, MessageError, iso_date
from .ijw_base import LABEL
from .ijw_batch import child_key
from .ijw_extensions import EXTENSION_CODE, ExtensionMessages
from .models import IjwAllocation

WAITING_ORDER = {"JW305": 0, "JW317": 1, "JW307": 2}  # start before change before stop


class AllocationMessages(ExtensionMessages):
    """`_jw301`; a re-issue with JZ002 04 and a later end decides an extension (ExtensionMessages)."""

    @staticmethod
    def _allocation_tariff(item: dict, volume: Decimal) -> Decimal | None:
        """The price per unit this allocation states itself, if it does; trajectory_terms decides the rest."""
        if item["unit"] == Unit.EUROS:
            return Decimal("1.00")  # the volume is an amount in euros
        if item["budget_cents"] and item["frequency"] == Frequency.TOTAL:
            # A budget (eurocents) for the whole allocation: price per unit = budget / total volume.
            return (Decimal(item["budget_cents"]) / 100 / volume).quantize(Decimal("0.01"))
        return None

    def _jw301(self, message: Message, item: dict) -> None:
        number = item["allocation_number"]
        where = message.where(item)
        allocated_at = timezone.make_aware(dt.datetime.fromisoformat(item["allocated_at"]))
        product = self.lookups.products[item["product_code"]]
        start, end = iso_date(item["start"]), iso_date(item["end"])
        volume = Decimal(item["volume"])
        # The same limit as the toegang's form (cases.terms): an allocation that cannot be delivered is refused.
        impossible = volume_impossible(
            volume=volume, unit=item["unit"], frequency=item["frequency"], start=start, planned_end=end
        )
        if impossible:
            raise MessageError.one(message.file, where, "Volume", item["volume"], impossible)
        link = None
        if item["provider_reference"]:
            self._answer_request(item["provider_reference"], allocated_at.date())
            link = self.batch.ijw_referrals.get((self.provider.pk, item["provider_reference"]))
        allocation = self.batch.allocations.get(number)
        if allocation is None:
            adopted = self.batch.adoptable.get(number)
            if adopted is None:
                self._new_allocation(message, item, product, start, end, volume, allocated_at, link)
                return
            # Known from an earlier CSV import: from now on the messages keep it up to date.
            allocation = self._add_allocation(
                IjwAllocation(
                    allocation_number=number,
                    trajectory=adopted,
                    provider_reference=item["provider_reference"],
                    allocated_at=allocated_at - dt.timedelta(microseconds=1),
                    allocation_start=start,
                )
            )
        trajectory = allocation.trajectory
        if trajectory.child.bsn != message.bsn:
            raise MessageError.one(
                message.file, where, "Bsn", mask_bsn(message.bsn), f"Dit BSN hoort niet bij toewijzing {number}."
            )
        if trajectory.product.code != product.code:
            raise MessageError.one(
                message.file,
                where,
                "Product",
                product.code,
                f"Toewijzing {number} is voor product {trajectory.product.code}; "
                "een toewijzing verandert niet van product.",
            )
        if allocated_at < allocation.allocated_at:
            self.counts.append((LABEL["JW301"], "ongewijzigd"))
            self.notes.append(f"toewijzing {number} is ouder dan de al verwerkte versie; niets veranderd.")
            return
        old_end = trajectory.planned_end_date
        values = {
            "start_date": allocation.actual_start or start,
            "actual_start_date": allocation.actual_start or trajectory.actual_start_date,
            "planned_end_date": end,
            "volume": volume,
            "unit": item["unit"],
            "frequency": item["frequency"],
            "tariff": trajectory.tariff,
        }
        if item["budget_cents"] or item["unit"] == Unit.EUROS:
            # A re-issue that prices the allocation: the same rule as a new trajectory's, at its own financing.
            tariff = self._allocation_tariff(item, volume)
            values["tariff"] = trajectory_terms(
                product, self.provider, tariff=tariff, financing=trajectory.financing
            ).tariff
        if trajectory.referral is None and link is not None and child_key(link.referral) == child_key(trajectory):
            values["referral"] = link.referral
        if trajectory.end_date and values["start_date"] > trajectory.end_date:
            raise MessageError.one(
                message.file, where, "Ingangsdatum", item["start"], "De ingangsdatum ligt na het einde van de zorg."
            )
        changed = {name: value for name, value in values.items() if getattr(trajectory, name) != value}
        if changed:
            self._update(trajectory, changed)
        if (allocation.allocated_at, allocation.allocation_start) != (allocated_at, start):
            self.batch.change(allocation, {"allocated_at": allocated_at, "allocation_start": start}, history=False)
        self.counts.append((LABEL["JW301"], "gewijzigd" if changed else "ongewijzigd"))
        if item["change_reason"] == EXTENSION_CODE and end > old_end:
            self._granted_extension(message, item, trajectory, volume, allocated_at)

    def _answer_request(self, reference: str, allocated_on: dt.date) -> None:
        """The allocation answers the provider's verzoek om toewijzing (JW315): its first (earliest) answer counts."""
        request = self.batch.requests.get((self.provider.pk, reference))
        if request is not None and (request.allocated_on is None or allocated_on < request.allocated_on):
            answered = AllocationRequest(requested_on=request.requested_on)
            answered.answer(allocated_on)
            values = {"allocated_on": answered.allocated_on, "working_days": answered.working_days}
            self.batch.change(request, values, history=False)

    def _new_allocation(self, message, item, product, start, end, volume, allocated_at, link) -> None:
        child = self._child(message)
        referral = link.referral if link is not None and child_key(link.referral) == child_key(child) else None
        trajectory = Trajectory(
            child=child,
            referral=referral,
            provider=self.provider,
            product=product,
            start_date=start,
            planned_end_date=end,
            volume=volume,
            unit=item["unit"],
            frequency=item["frequency"],
            allocation_number=item["allocation_number"],
            **trajectory_terms(product, self.provider, tariff=self._allocation_tariff(item, volume)).as_fields(),
        )
        self.batch.create(trajectory)
        allocation = self._add_allocation(
            IjwAllocation(
                allocation_number=item["allocation_number"],
                trajectory=trajectory,
                provider_reference=item["provider_reference"],
                allocated_at=allocated_at,
                allocation_start=start,
            )
        )
        self.counts.append((LABEL["JW301"], "nieuw"))
        if item["change_reason"] == EXTENSION_CODE:
            # The re-issue came before (or without) the original: the allocation was extended once.
            self._granted_extension(message, item, trajectory, volume, allocated_at)
        self._apply_waiting(allocation, message)

    def _add_allocation(self, allocation: IjwAllocation) -> IjwAllocation:
        self.batch.create(allocation, history=False)
        self.batch.put(self.batch.allocations, allocation.allocation_number, allocation)
        if allocation.provider_reference:
            self.batch.append(self.batch.by_reference[allocation.provider_reference], allocation)
        return allocation

    def _apply_waiting(self, allocation: IjwAllocation, message: Message) -> None:
        waiting = sorted(
            self.batch.pending.get(allocation.allocation_number, ()),
            key=lambda p: (WAITING_ORDER.get(p.kind, 9), p.payload.get("message_date", "")),  # stable: then oldest
        )
        digest = bsn_digest(allocation.trajectory.child.bsn)
        for pending in waiting:
            if pending.bsn_digest != digest:
                self.notes.append(
                    f"een wachtend {pending.kind} voor toewijzing {allocation.allocation_number} heeft een ander BSN; "
                    "het blijft wachten."
                )
                continue
            waiting_message = Message(
                kind=pending.kind,
                file=f"{pending.file_name} (wachtte)",
                gemeente_code=pending.payload["gemeente_code"],
                provider_agb=message.provider_agb,
                message_id="",
                message_date=iso_date(pending.payload["message_date"]),
                bsn=message.bsn,
            )
            getattr(self, f"_{pending.kind.lower()}")(waiting_message, pending.payload)
            self.batch.delete(pending)
            self.batch.forget(self.batch.pending_digests, pending.content_digest)
            self.notes.append(f"wachtend {pending.kind} voor toewijzing {allocation.allocation_number} is nu verwerkt.")
