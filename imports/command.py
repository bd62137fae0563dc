"""Shared body of the import_csv and import_ijw management commands."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from cases.formatting import number

from .models import ImportRun, ImportStatus
from .runner import run_import


def add_common_arguments(parser) -> None:
    parser.add_argument(
        "--dry-run", action="store_true", help="Proefimport: toon wat er zou veranderen, schrijf niets."
    )
    parser.add_argument("--user", help="Gebruikersnaam die in de historie komt als degene die importeerde.")


def run_command(command, *, kind: str, paths: list[Path], display_name: str, options: dict) -> None:
    user = None
    if options.get("user"):
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"Gebruiker '{options['user']}' bestaat niet.") from None
    for path in paths:
        if not path.exists():
            raise CommandError(f"Bestand of map '{path}' bestaat niet.")
    run = ImportRun.objects.create(kind=kind, file_name=display_name[:255], dry_run=options["dry_run"], started_by=user)
    stderr = command.stderr

    def echo(done: int, total: int, rate: float) -> None:
        stderr.write(f"\r{number(done)}/{number(total)} verwerkt ({number(rate, 0)} per seconde)", ending="")
        stderr.flush()

    report = run_import(run, paths, echo=echo)  # stores the outcome on this same object
    stderr.write("")
    heading = "Proefimport (er is niets opgeslagen)" if run.dry_run else "Import"
    command.stdout.write(f"{heading} {run.file_name}: {run.get_status_display()} (import #{run.pk})")
    for line in report.lines():
        command.stdout.write(line)
    if run.status == ImportStatus.REFUSED:
        raise CommandError("Het bestand is geweigerd; er is niets geïmporteerd. Los de problemen hierboven op.")
    # A refused file fails the command also in a dry run and when other files of the folder went in (issue 12),
    # so a script that checks the exit code never misses one.
    if not report.ok or report.refused_files:
        files = f" ({', '.join(report.refused_files[:5])})" if report.refused_files else ""
        if run.dry_run:
            raise CommandError(f"De proefimport vond problemen{files}: zo wordt het niet (helemaal) geïmporteerd.")
        raise CommandError(f"Niet elk bestand is geïmporteerd{files}; de geweigerde staan hierboven.")
