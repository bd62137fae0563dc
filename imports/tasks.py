"""The import as a Celery task: takes the run's id, calls the runner (STYLE.md §4).

Without Redis (the embedded default) Celery runs eagerly, so the upload page's request does the
work itself; with a worker the page polls the run's progress.
"""

from celery import shared_task

from cases.task_names import keep_old_name

from .uploads import run_stored


@shared_task(acks_late=False)
def import_run(run_id: int) -> None:
    # Not retried and not acked late: an import is all or nothing, and a second run of the same
    # upload is the user's choice (the page offers it), never the broker's.
    run_stored(run_id)


# The name before the app split (issue 9), kept for one release so a queued import still runs.
keep_old_name(import_run, "cases.imports.tasks.import_run")
