"""Keeping a Celery task's old name for one release after it moved app (issue 9).

Messages already queued under the old name (and a beat schedule not yet restarted) must run as the
task does now: same function, same retries, same acknowledgement.
"""

from celery import shared_task

OPTIONS = ("autoretry_for", "retry_backoff", "retry_backoff_max", "retry_jitter", "max_retries", "acks_late")


def keep_old_name(task, old_name: str):
    """Register `task` a second time under `old_name`, with the options it was declared with."""
    options = {name: getattr(task, name) for name in OPTIONS if hasattr(task, name)}
    return shared_task(name=old_name, **options)(task.run)
