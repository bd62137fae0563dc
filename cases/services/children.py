"""Writes on the child and the household. The inzagelog is cases/readlog.py."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from ..models import Child, Gemeente, Household
from ..validators import bsn_is_valid
from .common import as_user, today


def _require_gemeente(user, gemeente: Gemeente) -> None:
    if not user.gemeenten.filter(pk=gemeente.pk).exists():
        raise ValidationError({"gemeente": "U werkt niet voor deze gemeente."})


def child_possible_duplicates(*, user, first_name: str, last_name: str, birth_date: dt.date | None, bsn: str = ""):
    """Children this user can see that may be the same child: same name and birth date, or same BSN.

    Returns (visible matches, bsn_elsewhere) where bsn_elsewhere says the BSN is on a file of a
    gemeente the user does not serve — without revealing anything about that file.
    """
    visible = Child.objects.visible_to(user)
    matches = Child.objects.none()
    if first_name and last_name and birth_date:
        matches = visible.filter(
            first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), birth_date=birth_date
        )
    bsn_elsewhere = False
    if bsn:
        matches = matches | visible.filter(bsn=bsn)
        bsn_elsewhere = Child.objects.filter(bsn=bsn).exclude(pk__in=visible.values("pk")).exists()
    return matches.select_related("gemeente").distinct(), bsn_elsewhere


def child_register(
    *,
    user,
    gemeente: Gemeente,
    first_name: str,
    last_name: str,
    birth_date: dt.date,
    name_prefix: str = "",
    bsn: str = "",
    household: Household | None = None,
    household_name: str = "",
) -> Child:
    """Register a child, with an existing household of the same gemeente or a new one."""
    _require_gemeente(user, gemeente)
    errors = {}
    if birth_date > today():
        errors["birth_date"] = "De geboortedatum ligt in de toekomst."
    if bsn and not bsn_is_valid(bsn):
        errors["bsn"] = "Dit is geen geldig BSN (het voldoet niet aan de elfproef)."
    elif bsn and Child.objects.filter(bsn=bsn).exists():
        errors["bsn"] = (
            "Er bestaat al een dossier met dit BSN. Zoek het dossier op in plaats van een nieuw aan te maken."
        )
    if household is not None and household.gemeente_id != gemeente.pk:
        errors["household"] = "Dit huishouden hoort bij een andere gemeente."
    if household is None and not household_name.strip():
        errors["household_name"] = "Kies een bestaand huishouden of geef het nieuwe huishouden een naam."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if household is None:
            household = as_user(Household(gemeente=gemeente, name=household_name.strip()), user)
            household.save()
        child = as_user(
            Child(
                gemeente=gemeente,
                household=household,
                first_name=first_name.strip(),
                name_prefix=name_prefix.strip(),
                last_name=last_name.strip(),
                birth_date=birth_date,
                bsn=bsn or None,
            ),
            user,
        )
        try:
            with transaction.atomic():
                child.save()
        except IntegrityError:
            # Two registrations of the same BSN at once: the unique constraint decides.
            raise ValidationError({"bsn": "Er bestaat al een dossier met dit BSN."}) from None
    return child
