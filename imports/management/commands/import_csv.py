from pathlib import Path

from django.core.management.base import BaseCommand

from imports.command import add_common_arguments, run_command
from imports.models import ImportKind


class Command(BaseCommand):
    help = "Importeer een CSV-bestand met trajecten of declaraties (kolommen: docs/import.md). Alles of niets."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        add_common_arguments(parser)

    def handle(self, *args, path, **options):
        run_command(self, kind=ImportKind.CSV, paths=[path], display_name=path.name, options=options)
