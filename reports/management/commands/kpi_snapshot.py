"""Keep (or recompute) the KPI figures of a month.

python manage.py kpi_snapshot --month 2026-02 [--gemeente 1916] [--force --reason "..."]

Without --force only gemeenten without figures for the month get them (what the monthly run does);
with --force a new snapshot is added beside the old one, with the reason.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import Gemeente
from reports.kpis import Period
from reports.models import SnapshotTrigger
from reports.snapshots import snapshots_take


class Command(BaseCommand):
    help = "Leg de KPI-cijfers van een maand vast, voor alle gemeenten of één."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="Maand als JJJJ-MM, bijvoorbeeld 2026-02.")
        parser.add_argument("--gemeente", help="CBS-code van één gemeente; zonder: alle gemeenten.")
        parser.add_argument("--force", action="store_true", help="Opnieuw berekenen; de eerdere cijfers blijven.")
        parser.add_argument("--reason", default="", help="Waarom de maand opnieuw wordt berekend (bij --force).")

    def handle(self, *args, month, gemeente, force, reason, **options):
        try:
            period = Period.parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if period.end >= timezone.localdate():
            raise CommandError("Die maand is nog niet afgesloten; alleen voorbije maanden worden vastgelegd.")
        if force and not reason.strip():
            raise CommandError("Geef bij --force de reden met --reason.")
        ids = None
        if gemeente:
            found = Gemeente.objects.filter(code=gemeente).first()
            if found is None:
                raise CommandError(f"Geen gemeente met CBS-code '{gemeente}'.")
            ids = [found.pk]
        made = snapshots_take(
            [period], ids, trigger=SnapshotTrigger.COMMAND, reason=reason.strip() if force else "", force=force
        )
        self.stdout.write(f"{period.label}: {len(made)} momentopname(n) vastgelegd.")
