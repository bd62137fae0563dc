"""Starting imports from the upload page: the run rows the pages show, and when a proefimport may be confirmed.

The page's writes live here (STYLE.md §1), so the view only reads the form and redirects. The import
itself runs in the Celery task (tasks.import_run), enqueued once the run row is committed.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import ImportKind, ImportRun, ImportStatus
from .tasks import import_run
from .uploads import store_upload

log = logging.getLogger(__name__)

SHOWN_NAMES = 3
BROKER_DOWN = (
    "De achtergrondverwerking is nu niet bereikbaar, dus deze import is niet gestart en er is niets "
    "opgeslagen. Probeer het over enkele minuten opnieuw; blijft dit gebeuren, meld het dan aan de "
    "technisch beheerder."
)


def _start(run: ImportRun) -> None:
    # Eager (no Redis): runs now, in this request. With a worker: after the run row is committed.
    def enqueue():
        try:
            # retry=False: with the broker down, say so now instead of holding the page for minutes.
            import_run.apply_async((run.pk,), retry=False)
        except (BrokerError, OSError) as exc:
            # Never a 500 and never a run left "pending" for ever: the run ends with a Dutch reason.
            log.warning("import run %s not queued, broker unreachable: %s", run.pk, type(exc).__name__)
            ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PENDING).update(
                status=ImportStatus.FAILED, finished_at=timezone.now(), report={"notes": [BROKER_DOWN]}
            )

    transaction.on_commit(enqueue)


def import_check(*, user, kind: str, files: list) -> ImportRun:
    """Store the uploaded files and start their proefimport. Raises uploads.UploadError (Dutch) for a bad upload."""
    folder = store_upload(files)
    names = ", ".join(f.name for f in files[:SHOWN_NAMES]) + (" …" if len(files) > SHOWN_NAMES else "")
    run = ImportRun.objects.create(
        kind=kind, file_name=names[:255], dry_run=True, started_by=user, stored_path=str(folder)
    )
    _start(run)
    return run


def can_confirm(run: ImportRun) -> bool:
    """A finished proefimport without problems (iJw: with at least one good file), not imported yet."""
    report = run.report or {}
    return (
        run.dry_run
        and run.status == ImportStatus.CHECKED
        and (run.problem_count == 0 or (run.kind == ImportKind.IJW and bool(report.get("files_ok"))))
        and not ImportRun.objects.filter(stored_path=run.stored_path, dry_run=False).exists()
    )


def import_confirm(*, user, checked: ImportRun) -> ImportRun:
    """The real import of a checked upload, once: the proefimport's row is locked while it is confirmed."""
    with transaction.atomic():
        # Two clicks on "bevestigen" wait for each other here; the second finds the real run and stops.
        checked = ImportRun.objects.select_for_update().get(pk=checked.pk)
        if not can_confirm(checked):
            raise ValidationError("Deze proefimport kan niet (meer) worden bevestigd.")
        run = ImportRun.objects.create(
            kind=checked.kind,
            file_name=checked.file_name,
            dry_run=False,
            started_by=user,
            stored_path=checked.stored_path,
        )
        _start(run)
    return run
