"""Run the signalering by hand: `python manage.py evaluate_flags [--gemeente CODE]`."""

import time

from django.core.management.base import BaseCommand, CommandError

from cases.formatting import number
from cases.models import Gemeente
from regie import flags


class Command(BaseCommand):
    help = "Beoordeel alle lopende casussen op de signaalregels (alle gemeenten, of één met --gemeente)."

    def add_arguments(self, parser):
        parser.add_argument("--gemeente", help="CBS-code van de gemeente")

    def handle(self, *args, gemeente=None, **options):
        started = time.monotonic()
        if gemeente:
            if not Gemeente.objects.filter(code=gemeente).exists():
                raise CommandError(f"Onbekende gemeente: {gemeente}")
            result = flags.evaluate_gemeente(gemeente)
        else:
            result = flags.evaluate_everything()
        self.stdout.write(
            f"{result.candidates} signalen actief, {result.upserted} nieuw of bijgewerkt, "
            f"{result.lapsed} vervallen ({number(time.monotonic() - started, 1)} s)"
        )
