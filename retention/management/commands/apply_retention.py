from django.core.management.base import BaseCommand
from django.utils import timezone

from retention import services


class Command(BaseCommand):
    help = "Anonimiseer dossiers die langer dan de bewaartermijn (RETENTION_YEARS) gesloten zijn."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Alleen tellen, niets wijzigen.")
        parser.add_argument("--years", type=int, default=None, help="Bewaartermijn in jaren (standaard de instelling).")

    def handle(self, *args, dry_run=False, years=None, **options):
        run = services.apply_retention(today=timezone.localdate(), dry_run=dry_run, years=years)
        verb = "te anonimiseren (proefdraai, niets gewijzigd)" if dry_run else "geanonimiseerd"
        self.stdout.write(f"{run.processed} dossiers gesloten vóór {run.cutoff:%d-%m-%Y} {verb}.")
