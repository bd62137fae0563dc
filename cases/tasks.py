"""The case file's own scheduled work: thin tasks that call one function."""

from celery import shared_task

from . import logins


@shared_task
def watch_failed_logins() -> int:
    return logins.failed_login_peak()
