"""JW315 verzoek om toewijzing: the referral (COD327 verwijzer), linked to its allocation by ReferentieAanbieder."""

from django.utils import timezone

from referrals.models import AllocationRequest, Referral, RequestCategory

from .ijw import Message, iso_date
from .ijw_base import LABEL, MessageHandlers
from .ijw_batch import same
from .models import IjwReferral


class ReferralMessages(MessageHandlers):
    """`_jw315`."""

    def _jw315(self, message: Message, item: dict) -> None:
        reference = item["provider_reference"]
        key = (self.provider.pk, reference)
        if key in self.batch.ijw_referrals:
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
            self.batch.create(referral)
            self.referrals_made[referrer] = referral
            self.counts.append(("verwijzing", "nieuw"))
        link = IjwReferral(provider=self.provider, provider_reference=reference, referral=referral)
        self.batch.create(link, history=False)
        self.batch.put(self.batch.ijw_referrals, key, link)
        self.counts.append((LABEL["JW315"], "nieuw"))
        allocation = next(
            (
                a
                for a in self.batch.by_reference.get(reference, ())
                if a.trajectory.provider_id == self.provider.pk and same(a.trajectory.child, child)
            ),
            None,
        )
        # The doorlooptijd from this request to the allocation (KPI); the JW301 may have come first.
        request = AllocationRequest(
            child=child, provider=self.provider, provider_reference=reference, requested_on=message.message_date
        )
        if allocation is not None:
            request.answer(timezone.localdate(allocation.allocated_at))
        self.batch.create(request, history=False)
        self.batch.put(self.batch.requests, key, request)
        if allocation is not None and allocation.trajectory.referral is None:
            self._update(allocation.trajectory, {"referral": referral})
            self.counts.append(("traject", "gewijzigd"))
