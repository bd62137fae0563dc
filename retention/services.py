"""Retention (DOMAIN.md §8; Jeugdwet art. 7.3.8: the dossier is kept 20 years, then no longer).

A file is due when it was created before the cutoff (today minus RETENTION_YEARS), has no running
care, and no trajectory ended and no referral was dated on or after the cutoff. A due file is
anonymised, not deleted: names, BSN, the source reference, the day of birth and every free text
that may name someone are cleared — in the live rows and in their history rows — while the
trajectories, dates, products, prices and volumes stay, so every aggregate figure (KPIs, spend per
segment) is the same before and after. Anonymised files are not due again: running twice changes
nothing. The inzagelog is not touched (it names a dossiernummer, not a person; kept ≥ 5 years).
"""

import datetime as dt
import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef

from cases.models import Child, Extension, Household, StopReview, Trajectory
from referrals.models import Referral
from regie.models import Decision, Flag

from .models import RetentionRun

logger = logging.getLogger(__name__)

ANONYMISED = "(geanonimiseerd)"
BATCH = 500


def cutoff_for(today: dt.date, years: int) -> dt.date:
    return today - relativedelta(years=years)


def due_children(*, cutoff: dt.date):
    """Files closed before the cutoff and not yet anonymised."""
    child = OuterRef("pk")
    recent_care = Trajectory.objects.filter(child=child).filter(end_date__isnull=True) | Trajectory.objects.filter(
        child=child, end_date__gte=cutoff
    )
    recent_referral = Referral.objects.filter(child=child, date__gte=cutoff)
    return (
        Child.objects.filter(created_at__date__lt=cutoff)
        .exclude(first_name=ANONYMISED)
        .exclude(Exists(recent_care))
        .exclude(Exists(recent_referral))
    )


def _anonymise_batch(ids: list[int]) -> None:
    child_fields = {"first_name": ANONYMISED, "name_prefix": "", "last_name": "", "bsn": None, "external_reference": ""}
    Child.objects.filter(pk__in=ids).update(**child_fields)
    Child.history.filter(id__in=ids).update(**child_fields)
    # The day of birth goes; the year stays for the age-based figures (18-/18+).
    for model in (Child, Child.history.model):
        rows = list(model.objects.filter(id__in=ids).only("pk", "birth_date"))
        for row in rows:
            row.birth_date = dt.date(row.birth_date.year, 1, 1)
        model.objects.bulk_update(rows, ["birth_date"], batch_size=BATCH)

    trajectories = Trajectory.objects.filter(child_id__in=ids)
    trajectory_ids = list(trajectories.values_list("pk", flat=True))
    for manager, field_values in (
        (Trajectory.objects.filter(pk__in=trajectory_ids), {"outside_budget_reason": ""}),
        (Trajectory.history.filter(id__in=trajectory_ids), {"outside_budget_reason": ""}),
        (Extension.objects.filter(trajectory_id__in=trajectory_ids), {"reason": ANONYMISED, "decision_reason": ""}),
        (Extension.history.filter(trajectory_id__in=trajectory_ids), {"reason": ANONYMISED, "decision_reason": ""}),
        (StopReview.objects.filter(trajectory_id__in=trajectory_ids), {"note": ""}),
        (StopReview.history.filter(trajectory_id__in=trajectory_ids), {"note": ""}),
        (Referral.objects.filter(child_id__in=ids), {"referrer_name": ""}),
        (Referral.history.filter(child_id__in=ids), {"referrer_name": ""}),
        (Flag.objects.filter(child_id__in=ids), {"reason": "", "resolution_note": ""}),
        (Decision.objects.filter(child_id__in=ids), {"reason": ANONYMISED, "actor": ""}),
        (Decision.history.filter(child_id__in=ids), {"reason": ANONYMISED, "actor": ""}),
    ):
        manager.update(**field_values)

    # A household whose children are all anonymised loses its name (with its history).
    households = Household.objects.filter(children__pk__in=ids).exclude(
        Exists(Child.objects.filter(household=OuterRef("pk")).exclude(first_name=ANONYMISED))
    )
    household_ids = list(households.values_list("pk", flat=True).distinct())
    Household.objects.filter(pk__in=household_ids).update(name=ANONYMISED)
    Household.history.filter(id__in=household_ids).update(name=ANONYMISED)


def apply_retention(*, today: dt.date, dry_run: bool = False, years: int | None = None) -> RetentionRun:
    """Anonymise every due file (or, with dry_run, only count them); record how many, never which."""
    years = settings.RETENTION_YEARS if years is None else years
    cutoff = cutoff_for(today, years)
    ids = list(due_children(cutoff=cutoff).values_list("pk", flat=True))
    if not dry_run:
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                _anonymise_batch(ids[start : start + BATCH])
    run = RetentionRun.objects.create(cutoff=cutoff, years=years, dry_run=dry_run, processed=len(ids))
    logger.info(
        "retention: %s files closed before %s %s", len(ids), cutoff, "due (dry run)" if dry_run else "anonymised"
    )
    return run
