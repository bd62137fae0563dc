"""The demo's kept KPI figures (issue 14): the closed months as the monthly run stored them, one month
recomputed after late declarations with its first snapshot kept, and the monthly email's subscribers."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cases.models import Declaration, Gemeente, User
from demo.figures import VOORBEELDSTAD
from reports.kpis import Period
from reports.models import KpiSnapshot, KpiSnapshotValue, ReportSubscription, SnapshotTrigger
from reports.snapshots import snapshots_take


def _run_at(period: Period, day: int = 1, hour: int = 5) -> dt.datetime:
    """A moment in the month after `period` (the monthly run: the 1st at 05:00)."""
    following = period.shifted(1).start
    return timezone.make_aware(dt.datetime(following.year, following.month, day, hour, 0))


def write_report_snapshots(today: dt.date) -> dict:
    last = Period.last_complete_month(today)
    # Fourteen months: the dashboard of the last month and of the corrected one before it read 13 each.
    months = last.with_months_before(13)
    voorbeeldstad = Gemeente.objects.get(code=VOORBEELDSTAD[0])
    # The month corrected afterwards: the one before last, whose declarations the demo has.
    corrected = last.shifted(-1)
    late = Declaration.objects.filter(trajectory__child__gemeente=voorbeeldstad, month=corrected.start)
    provider = late.values_list("provider__name", flat=True).order_by("provider__name").first()
    for period in months:
        if period == corrected and provider:
            # At the first run one provider's declarations of that month had not come in yet: computed
            # without them inside a savepoint that is rolled back, the snapshot kept in memory meanwhile.
            with transaction.atomic():
                savepoint = transaction.savepoint()
                late.filter(provider__name=provider).delete()
                first = _copy(snapshots_take([period], trigger=SnapshotTrigger.MONTHLY, at=_run_at(period)))
                transaction.savepoint_rollback(savepoint)
            _restore(first)
            snapshots_take(
                [period],
                [voorbeeldstad.pk],
                trigger=SnapshotTrigger.BEHEERDER,
                user=User.objects.filter(username="beheer").first(),
                reason=f"Declaraties van {provider} over {period.label} kwamen na de maandafsluiting binnen (JW323).",
                force=True,
                at=_run_at(period, day=12, hour=10),
            )
        else:
            snapshots_take([period], trigger=SnapshotTrigger.MONTHLY, at=_run_at(period))
    subscribers = User.objects.filter(username__in=["beleid", "regisseur"])
    for user in subscribers:
        ReportSubscription.objects.get_or_create(gemeente=voorbeeldstad, user=user)
    return {"months": len(months), "corrected": corrected.label if provider else None}


VALUE_FIELDS = ("position", "key", "section", "label", "unit", "breakdown", "key_figure", "value")


def _copy(snapshots: list[KpiSnapshot]) -> list[tuple[dict, list[dict]]]:
    fields = ("gemeente_id", "month", "computed_at", "trigger", "reason")
    return [({f: getattr(s, f) for f in fields}, list(s.values.values(*VALUE_FIELDS))) for s in snapshots]


def _restore(copies: list[tuple[dict, list[dict]]]) -> None:
    for fields, values in copies:
        snapshot = KpiSnapshot.objects.create(**fields)
        KpiSnapshotValue.objects.bulk_create([KpiSnapshotValue(snapshot=snapshot, **v) for v in values])
