"""Print a gemeente's Top N: `python manage.py top_cases --gemeente CODE [--limit 32] [--format csv|json]`.

Rank, case number (never the BSN or a name), score and the flag codes. The CSV is the one CSV of every
export (cases/csv_export.py: `;`, decimal comma, the formula guard), without the BOM: it goes to a
terminal or a pipe, where a BOM is an invisible character glued to the first column name.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.csv_export import csv_text
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
        if format == "json":
            records = [
                {
                    "rank": row.rank,
                    "case_number": row.child.case_number,
                    "score": str(row.score),
                    "flags": row.flag_codes,
                }
                for row in rows
            ]
            self.stdout.write(json.dumps(records, indent=2))
            return
        header = ["rank", "case_number", "score", "flags"]
        lines = [[row.rank, row.child.case_number, row.score, " ".join(row.flag_codes)] for row in rows]
        self.stdout.write(csv_text(header, lines, bom=False), ending="")
