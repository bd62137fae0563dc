"""A peak of failed logins is an attack in progress: warn the beheerders (and the monitoring).

django-axes locks a username after AXES_FAILURE_LIMIT wrong passwords and keeps every failure as a
row (AccessFailureLog). A password-spraying attack tries one password on many usernames and locks
none; the peak shows it. The beat task `cases.tasks.watch_failed_logins` calls `failed_login_peak`
every LOGIN_PEAK_MINUTES.
"""

import datetime as dt
import logging

from axes.models import AccessFailureLog
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Role, User

audit = logging.getLogger("jeugdregie.audit")


def failed_login_peak(*, now: dt.datetime | None = None) -> int:
    """Failed logins in the last window; at or above LOGIN_PEAK_THRESHOLD the beheerders get an e-mail."""
    now = now or timezone.now()
    since = now - dt.timedelta(minutes=settings.LOGIN_PEAK_MINUTES)
    failures = AccessFailureLog.objects.filter(attempt_time__gte=since, attempt_time__lt=now)
    count = failures.count()
    if count < settings.LOGIN_PEAK_THRESHOLD:
        return count
    usernames = failures.values("username").distinct().count()
    addresses = failures.values("ip_address").distinct().count()
    audit.warning(
        "failed-login peak: %s failures for %s usernames from %s addresses in %s minutes",
        count,
        usernames,
        addresses,
        settings.LOGIN_PEAK_MINUTES,
    )
    recipients = list(
        User.objects.filter(role=Role.BEHEER, is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if recipients:
        send_mail(
            subject="jeugdregie: veel mislukte inlogpogingen",
            message=(
                f"In de afgelopen {settings.LOGIN_PEAK_MINUTES} minuten zijn er {count} mislukte inlogpogingen "
                f"geweest, voor {usernames} gebruikersnamen vanaf {addresses} adressen.\n\n"
                "Dit kan een aanval zijn. Bekijk Beheer → Axes (Access failures) en overleg met de "
                "technisch beheerder of adressen geblokkeerd moeten worden."
            ),
            from_email=None,
            recipient_list=recipients,
            fail_silently=True,  # the warning is in the log either way; a mail server down must not hide it
        )
    return count
