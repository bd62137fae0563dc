"""Print a gemeente's Top N: `python manage.py top_cases --gemeente CODE [--limit 32] [--format csv|json]`.

Rank, case number (never the BSN or a name), score and the flag codes.
"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import Gemeente
from regie.ranking import top_cases


class Command(BaseCommand):
    help = "Toon de Top N casussen van een gemeente (dossiernummer, score, signalen; nooit BSN)."

    def add_arguments(self, parser):
        parser.add_argument("--gemeente", required=True, help="CBS-code van de gemeente")
        parser.add_argument(
            "--limit", type=int, default=None, help="aantal casussen (standaard de Top N van de gemeente)"
        )
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, gemeente, limit, format, **options):
        try:
            gemeente_obj = Gemeente.objects.get(code=gemeente)
        except Gemeente.DoesNotExist:
            raise CommandError(f"Onbekende gemeente: {gemeente}") from None
        if limit is not None and limit < 1:
            raise CommandError("--limit moet minstens 1 zijn")
        rows = top_cases(gemeente_obj, today=timezone.localdate(), limit=limit)
        records = [
            {
                "rank": row.rank,
                "case_number": row.child.case_number,
                "score": str(row.score),
                "flags": sorted({flag.code for flag in row.flags}),
            }
            for row in rows
        ]
        if format == "json":
            self.stdout.write(json.dumps(records, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["rank", "case_number", "score", "flags"])
        for record in records:
            writer.writerow([record["rank"], record["case_number"], record["score"], " ".join(record["flags"])])
