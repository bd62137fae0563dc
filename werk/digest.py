"""The daily digest of Mijn werk: one email per user per working day with the counts of their work.

Who gets one: an active toegangsmedewerker or regisseur with an email address and `daily_digest` on,
who has open work that day. The counts come from werk/worklists.py (`digest_counts`), the same rules
as the pages. The body names case numbers only: no names, no BSN, nothing about the care.

Exactly once: a DigestDelivery row per (user, day) is the claim. Rows are inserted or skipped (the
unique key), and a row is sent only by the conditional update that takes it from "sending, 0
attempts" (made, not yet taken) or "failed" to "sending" with one attempt more; so two beat processes,
a retried task or the command run at the same time send each email once. A row left "sending" by a
worker that died is not taken again by itself: the beheerder sees it in the admin and retries it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.formatting import date as nl_date
from cases.models import Child, Gemeente, Role, User
from cases.working_days import is_working_day

from .models import DigestDelivery, DigestStatus
from .worklists import DigestPage, digest_counts

log = logging.getLogger(__name__)

# The roles whose home page is a worklist: Mijn werk, or for the toetsing the queue of extensions.
DIGEST_ROLES = (Role.TOEGANG, Role.REGISSEUR, Role.TOETS)
# Made and not yet taken, or failed: what a run may claim. "sending" with attempts ≥ 1 is being sent.
SENDABLE = Q(status=DigestStatus.SENDING, attempts=0) | Q(status=DigestStatus.FAILED)


def recipients():
    return User.objects.filter(is_active=True, daily_digest=True, role__in=DIGEST_ROLES).exclude(email="")


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@dataclass
class Outbox:
    """The digests of one day still to send: delivery id → (user, pages)."""

    day: dt.date
    digests: dict[int, tuple[User, list[DigestPage]]]


def digests_prepare(*, day: dt.date, create: bool = True, user_ids=None) -> Outbox:
    """Count everyone's work, make the day's delivery rows for those who have some (`create`), and
    return the rows still to send with their pages. Without `create` only existing rows are sent
    (the catch-up runs later in the day: nobody gets a first digest at noon)."""
    users = recipients()
    if user_ids is not None:
        users = users.filter(pk__in=list(user_ids))
    if not create:
        open_rows = DigestDelivery.objects.filter(SENDABLE, day=day).values("user_id")
        users = users.filter(pk__in=open_rows)
    users = {u.pk: u for u in users}
    pages = digest_counts(users.values(), day)
    with_work = {pk for pk, user_pages in pages.items() if sum(p.total for p in user_pages) > 0}
    if create and with_work:
        with transaction.atomic():
            # The unique (user, day) key: rows of an earlier or a concurrent run stay as they are.
            DigestDelivery.objects.bulk_create(
                [DigestDelivery(user_id=pk, day=day) for pk in sorted(with_work)], ignore_conflicts=True
            )
    rows = DigestDelivery.objects.filter(SENDABLE, day=day).values_list("pk", "user_id").order_by("pk")
    return Outbox(day, {pk: (users[user_id], pages[user_id]) for pk, user_id in rows if user_id in with_work})


def digest_subject(day: dt.date, pages: list[DigestPage]) -> str:
    total = sum(p.total for p in pages)
    late = sum(line.overdue for p in pages for line in p.lines)
    late_text = f", waarvan {late} te laat" if late else ""
    return f"Mijn werk {nl_date(day)}: {total} openstaand{late_text}"


def digest_email(user: User, pages: list[DigestPage], day: dt.date) -> EmailMultiAlternatives:
    """The email for one user: plain text and HTML with the same counts and links, case numbers only."""
    gemeenten = Gemeente.objects.in_bulk([p.gemeente_id for p in pages if p.gemeente_id])
    mine = reverse("cases:extension_queue") if user.role == Role.TOETS else reverse("werk:mine")
    blocks = []
    for page in pages:
        gemeente = gemeenten.get(page.gemeente_id)
        url = _absolute(f"{mine}?gemeente={gemeente.code}" if gemeente else mine)
        lines = [
            {
                "line": line,
                "files": [
                    (Child(pk=pk).case_number, _absolute(reverse("cases:child_detail", args=[pk])))
                    for pk in dict.fromkeys(line.child_ids)  # a file with two reviews is named once
                ],
            }
            for line in page.lines
            if line.count
        ]
        if lines:
            blocks.append({"gemeente": gemeente, "url": url, "lines": lines})
    context = {
        "day": day,
        "blocks": blocks,
        "mine_url": _absolute(mine),
        "home_title": "de toetsing" if user.role == Role.TOETS else "Mijn werk",
        "setting_url": _absolute(mine) + "#s-digest",
    }
    email = EmailMultiAlternatives(
        subject=digest_subject(day, pages),
        body=render_to_string("werk/digest_email.txt", context),
        to=[user.email],
    )
    email.attach_alternative(render_to_string("werk/digest_email.html", context), "text/html")
    return email


def delivery_send(*, delivery_id: int, user: User, pages: list[DigestPage], day: dt.date, connection=None) -> bool:
    """Send one digest if this run can claim it; False if another run has it or it went already.

    An SMTP error is kept on the row (status "failed", the error) and raised, so the caller retries
    this user and goes on with the others.
    """
    claimed = DigestDelivery.objects.filter(SENDABLE, pk=delivery_id).update(
        status=DigestStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    try:
        # Built inside the try: whatever fails, the row never stays "sending".
        email = digest_email(user, pages, day)
        email.connection = connection or get_connection(fail_silently=False)
        email.send(fail_silently=False)
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"[:300]
        DigestDelivery.objects.filter(pk=delivery_id).update(status=DigestStatus.FAILED, error=message)
        log.warning("Dagelijkse samenvatting %s niet verstuurd (levering %s): %s", day, delivery_id, message)
        raise
    DigestDelivery.objects.filter(pk=delivery_id).update(status=DigestStatus.SENT, sent_at=timezone.now(), error="")
    return True


def delivery_retry(*, delivery_id: int) -> bool:
    """Send one failed (or never taken) delivery again, with the user's counts of now."""
    delivery = DigestDelivery.objects.get(pk=delivery_id)
    outbox = digests_prepare(day=delivery.day, create=False, user_ids=[delivery.user_id])
    if delivery_id not in outbox.digests:
        return False  # sent meanwhile, switched off, or no work left
    user, pages = outbox.digests[delivery_id]
    return delivery_send(delivery_id=delivery_id, user=user, pages=pages, day=delivery.day)


def deliveries_mark_for_retry(*, queryset) -> list[int]:
    """The beheerder's retry: failed rows, and rows stuck in "sending", become sendable again."""
    ids = list(queryset.exclude(status=DigestStatus.SENT).values_list("pk", flat=True))
    DigestDelivery.objects.filter(pk__in=ids).update(status=DigestStatus.FAILED)
    return ids


def daily_digest_set(*, user: User, on: bool) -> None:
    """A user switches their daily digest on or off; the user's history keeps when."""
    if user.daily_digest == on:
        return
    user.daily_digest = on
    user._change_reason = "dagelijkse e-mail " + ("aan" if on else "uit")
    user.save(update_fields=["daily_digest"])


def should_send(day: dt.date) -> bool:
    """Working days only: no digest on a weekend or a Dutch public holiday."""
    return is_working_day(day)
