"""A task for test_worker_lost.py, loaded into a real worker with `celery worker -I`. Not collected by pytest.

It carries no options of its own: the test proves that the project's settings (acks_late,
reject_on_worker_lost) bring a task back after its worker process is killed.
"""

import os
import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.security.worker_tasks.slow_marker")
def slow_marker(path: str) -> str:
    marker = Path(path)
    if marker.exists():
        marker.write_text(marker.read_text() + f"again {os.getpid()}\n")
        return "again"
    marker.write_text(f"{os.getpid()}\n")
    time.sleep(120)  # killed long before this ends
    return "first"
