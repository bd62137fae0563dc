"""Business writes on referrals (verwijzingen)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.evaluation import request_evaluation
from cases.models import Child
from cases.services import as_user
from cases.validators import validate_agb

from .models import Referral, ReferralOutcome


def referral_add(
    *,
    user,
    child: Child,
    date: dt.date,
    source: str,
    request_category: str,
    referrer_name: str = "",
    referrer_agb: str = "",
) -> Referral:
    errors = {}
    if date > timezone.localdate():
        errors["date"] = "De verwijsdatum ligt in de toekomst."
    if date < child.birth_date:
        errors["date"] = "De verwijsdatum ligt vóór de geboortedatum."
    if referrer_agb:
        try:
            validate_agb(referrer_agb)
        except ValidationError as exc:
            errors["referrer_agb"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    referral = Referral(
        child=child,
        date=date,
        source=source,
        request_category=request_category,
        referrer_name=referrer_name.strip(),
        referrer_agb=referrer_agb,
    )
    as_user(referral, user).save()
    request_evaluation([child.pk])
    return referral


def referral_record_outcome(*, user, referral: Referral, outcome: str, outcome_date: dt.date) -> Referral:
    errors = {}
    if outcome not in ReferralOutcome.values:
        errors["outcome"] = "Kies de uitkomst van de verwijzing."
    if outcome_date < referral.date:
        errors["outcome_date"] = "De datum van de uitkomst ligt vóór de verwijsdatum."
    if outcome_date > timezone.localdate():
        errors["outcome_date"] = "De datum van de uitkomst ligt in de toekomst."
    if errors:
        raise ValidationError(errors)
    referral.outcome = outcome
    referral.outcome_date = outcome_date
    as_user(referral, user).save()
    request_evaluation([referral.child_id])
    return referral
