"""Print or send one gemeente's monthly KPI report.

python manage.py kpi_report --gemeente 1916 --month 2026-02 [--format json|csv] [--send] [--force]
"""

from django.core.management.base import BaseCommand, CommandError

from cases.models import Gemeente
from reports.export import report_csv, report_json
from reports.kpis import Period
from reports.models import DeliveryStatus, ReportDelivery
from reports.snapshots import dashboard_report
from reports.tasks import send_gemeente_report


class Command(BaseCommand):
    help = "Toon of verstuur de maandrapportage van één gemeente."

    def add_arguments(self, parser):
        parser.add_argument("--gemeente", required=True, help="CBS-code van de gemeente, bijvoorbeeld 1916.")
        parser.add_argument("--month", required=True, help="Maand als JJJJ-MM, bijvoorbeeld 2026-02.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--send", action="store_true", help="Verstuur de e-mail naar de abonnees.")
        parser.add_argument("--force", action="store_true", help="Ook opnieuw versturen naar wie hem al kreeg.")

    def handle(self, *args, gemeente, month, format, send, force, **options):
        found = Gemeente.objects.filter(code=gemeente).first()
        if found is None:
            raise CommandError(f"Geen gemeente met CBS-code '{gemeente}'.")
        try:
            period = Period.parse_month(month)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if force and not send:
            raise CommandError("--force hoort bij --send.")
        if not send:
            report = dashboard_report(found, period)  # a closed month as stored, like the dashboard
            self.stdout.write(report_json(report) if format == "json" else report_csv(report, bom=False), ending="")
            if format == "json":
                self.stdout.write("")
            return
        # In-process, so the command reports what happened; retries of a failed address go to the worker.
        result = send_gemeente_report.apply(args=(found.pk, period.key), kwargs={"force": force}).get()
        self.stdout.write(
            f"{found.name} {period.label}: {result['sent']} verstuurd, {result['skipped']} al eerder verstuurd "
            f"of bezig, {result['failed']} mislukt (wordt opnieuw geprobeerd)."
        )
        failed = ReportDelivery.objects.filter(gemeente=found, month=period.start, status=DeliveryStatus.FAILED)
        for delivery in failed:
            self.stderr.write(f"Mislukt: {delivery.email}: {delivery.last_error}")
