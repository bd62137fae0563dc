"""One import from start to report: the commands, the upload page and the Celery task all call run_import."""

import logging
from pathlib import Path

from django.db.models import Max, Q
from django.utils import timezone

from cases.models import Child, Extension, Trajectory

from .after import after_import
from .csv_declarations import CsvDeclarationImport, is_declaration_csv
from .csv_import import CsvImport
from .ijw_import import IjwImport
from .models import ImportKind, ImportRun, ImportStatus
from .progress import Progress
from .report import Report

logger = logging.getLogger(__name__)


def change_reason(run: ImportRun) -> str:
    return f"import {run.file_name}"[:90] + f" #{run.pk}"


def run_import(run: ImportRun, paths: list[Path], *, echo=None) -> Report:
    """Import `paths` for `run` (its kind, user and dry-run flag) and store the outcome on the run."""
    report = Report()
    progress = Progress(run, echo=echo)
    run.status = ImportStatus.RUNNING
    run.started_at = timezone.now()
    run.save(update_fields=["status", "started_at"])
    reason = change_reason(run)
    marks = history_marks()
    try:
        if run.kind == ImportKind.CSV:
            for path in paths:
                importer = CsvDeclarationImport if is_declaration_csv(path) else CsvImport
                importer(
                    path,
                    user=run.started_by,
                    report=report,
                    progress=progress,
                    display_name=Path(path).name,
                    reason=reason,
                ).run(dry_run=run.dry_run)
        else:
            IjwImport(paths, user=run.started_by, report=report, progress=progress, reason=reason, run=run).run(
                dry_run=run.dry_run
            )
    except Exception:
        logger.exception("Import %s failed", run.pk)
        run.status = ImportStatus.FAILED
        report.note(
            "De import is afgebroken door een fout in jeugdregie; er is niets opgeslagen. Meld dit aan de beheerder."
        )
        _store(run, report, progress)
        raise
    if run.dry_run:
        run.status = ImportStatus.CHECKED
    elif report.ok:
        run.status = ImportStatus.DONE
    elif run.kind == ImportKind.IJW and report.files_ok:
        run.status = ImportStatus.PARTIAL  # the files that were fine are in; the report names the others
    else:
        run.status = ImportStatus.REFUSED
    _store(run, report, progress)
    if not run.dry_run and run.status in (ImportStatus.DONE, ImportStatus.PARTIAL):
        after_import(touched_children(reason, marks), rows_written=run.created + run.updated)
    return report


def history_marks() -> tuple[int, int]:
    """The last trajectory and extension history ids before an import starts (0 when there are none).

    History ids come from a sequence, so every history row an import writes has a higher id. Its rows are
    then found through the history's primary key instead of reading the whole history by change reason
    (which has no index, and grows with every nightly import).
    """
    return (
        Trajectory.history.aggregate(last=Max("history_id"))["last"] or 0,
        Extension.history.aggregate(last=Max("history_id"))["last"] or 0,
    )


def touched_children(reason: str, marks: tuple[int, int] = (0, 0)):
    """Children whose trajectories this import wrote, read back from the history it left (a queryset).

    Read from the database rather than collected during the import, so memory stays flat. `marks` are
    the history_marks() from before the import: only later history rows can be its own.
    """
    trajectory_mark, extension_mark = marks
    written = Trajectory.history.filter(history_id__gt=trajectory_mark, history_change_reason=reason).values("child_id")
    extended = Trajectory.objects.filter(
        pk__in=Extension.history.filter(history_id__gt=extension_mark, history_change_reason=reason).values(
            "trajectory_id"
        )
    ).values("child_id")
    return Child.objects.filter(Q(pk__in=written) | Q(pk__in=extended))


def _store(run: ImportRun, report: Report, progress: Progress) -> None:
    progress.finish()
    run.total = progress.total
    run.done = progress.done
    run.created = report.total("nieuw")
    run.updated = report.total("gewijzigd")
    run.unchanged = report.total("ongewijzigd")
    run.waiting = report.total("wacht")
    run.problem_count = report.problem_count
    run.report = report.as_dict()
    run.finished_at = timezone.now()
    run.save()
