"""JW315 verzoek om toewijzing: the referral (COD327 verwijzer), linked to its allocation by ReferentieAanbieder."""

from django.utils import timezone

from referrals.models import AllocationRequest, Referral, RequestCategory

from .ijw import Message, iso_date
from .ijw_base import LABEL, MessageHandlers
from .models import IjwAllocation, IjwReferral


class ReferralMessages(MessageHandlers):
    """`_jw315`."""

    def _jw315(self, message: Message, item: dict) -> None:
        reference = item["provider_reference"]
        if IjwReferral.objects.filter(provider=self.provider, provider_reference=reference).exists():
            self.counts.append((LABEL["JW315"], "ongewijzigd"))
            return
        child = self._child(message)
        referrer = (item["referrer_type"], item["referrer_name"], item["referrer_agb"])
        start = iso_date(item["start"])
        referral = self.referrals_made.get(referrer)
        if referral is None:
            referral = Referral(
                child=child,
                # The request's date, but never after the care it asks for (wachttijd would turn negative).
                date=min(message.message_date, start) if start else message.message_date,
                source=item["referrer_type"],
                referrer_name=item["referrer_name"][:120],
                referrer_agb=item["referrer_agb"],
                request_category=RequestCategory.OTHER,
            )
            referral = self.writer.create([referral], Referral)[0]
            self.referrals_made[referrer] = referral
            self.counts.append(("verwijzing", "nieuw"))
        IjwReferral.objects.create(provider=self.provider, provider_reference=reference, referral=referral)
        self.counts.append((LABEL["JW315"], "nieuw"))
        allocation = (
            IjwAllocation.objects.select_related("trajectory")
            .filter(provider_reference=reference, trajectory__provider=self.provider, trajectory__child=child)
            .first()
        )
        # The doorlooptijd from this request to the allocation (KPI); the JW301 may have come first.
        request = AllocationRequest(
            child=child, provider=self.provider, provider_reference=reference, requested_on=message.message_date
        )
        if allocation is not None:
            request.answer(timezone.localdate(allocation.allocated_at))
        request.save()
        if allocation is not None and allocation.trajectory.referral_id is None:
            trajectory = allocation.trajectory
            trajectory.referral = referral
            self._update(trajectory, ["referral"])
            self.counts.append(("traject", "gewijzigd"))
