"""Send (or with --dry-run only count) the daily digest of Mijn werk for a day."""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from werk import digest
from werk.tasks import send_outbox


class Command(BaseCommand):
    help = "Verstuur de dagelijkse samenvatting van Mijn werk (alleen op werkdagen; elke gebruiker één keer per dag)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="de dag (JJJJ-MM-DD); standaard vandaag")
        parser.add_argument("--dry-run", action="store_true", help="alleen tellen: niets versturen of vastleggen")

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            day = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"Ongeldige datum {date!r}: gebruik JJJJ-MM-DD.") from exc
        if not digest.should_send(day):
            self.stdout.write(f"{day}: geen werkdag (weekend of feestdag), niets verstuurd.")
            return
        if dry_run:
            started = time.perf_counter()
            users = list(digest.recipients())
            pages = digest.digest_counts(users, day)
            with_work = [u for u in users if sum(p.total for p in pages.get(u.pk, [])) > 0]
            seconds = time.perf_counter() - started
            for user in with_work:
                counts = ", ".join(
                    f"{line.key} {line.count}" for page in pages[user.pk] for line in page.lines if line.count
                )
                self.stdout.write(f"{user.username}: {counts}")
            self.stdout.write(
                f"{day}: {len(with_work)} van {len(users)} gebruikers met werk; geteld in {seconds:.1f} s (dry run)."
            )
            return
        result = send_outbox(digest.digests_prepare(day=day))
        self.stdout.write(
            f"{day}: {result['sent']} verstuurd, {result['skipped']} al verstuurd of bezig, "
            f"{result['failed']} mislukt (worden opnieuw geprobeerd)."
        )
