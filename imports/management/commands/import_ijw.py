from pathlib import Path

from django.core.management.base import BaseCommand

from imports.command import add_common_arguments, run_command
from imports.models import ImportKind


class Command(BaseCommand):
    help = "Importeer iJw 3.2-berichten (JW315, JW301, JW305, JW307, JW317, JW323, JW325): bestanden of mappen."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        add_common_arguments(parser)

    def handle(self, *args, paths, **options):
        name = ", ".join(p.name for p in paths)
        run_command(self, kind=ImportKind.IJW, paths=paths, display_name=name, options=options)
