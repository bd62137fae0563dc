"""Uploaded files between the proefimport and the confirmation, and running an import on them.

Files wait in IMPORT_UPLOAD_DIR (default: the system temp dir), one folder per upload, readable
only by this process's user; they are deleted once the real import has run.
"""

import re
import shutil
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from cases.models import ImportKind, ImportRun, ImportStatus

from .runner import run_import


def upload_root() -> Path:
    return Path(getattr(settings, "IMPORT_UPLOAD_DIR", Path(tempfile.gettempdir()) / "jeugdregie-imports"))


def safe_name(name: str) -> str:
    return re.sub(r"[^\w.\-]", "_", Path(name).name)[:100] or "bestand"


KEEP_SECONDS = 24 * 3600  # a proefimport not confirmed within a day is dropped, file and all


def remove_stale_uploads() -> None:
    """Uploads hold BSNs: one that was checked but never confirmed does not linger."""
    root = upload_root()
    if not root.is_dir():
        return
    cutoff = time.time() - KEEP_SECONDS
    for folder in root.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def store_upload(files) -> Path:
    remove_stale_uploads()
    folder = upload_root() / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    used = set()
    for upload in files:
        name = safe_name(upload.name)
        while name in used:
            name = f"_{name}"
        used.add(name)
        with open(folder / name, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
    return folder


def stored_files(run: ImportRun) -> list[Path]:
    folder = Path(run.stored_path)
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def run_stored(run_id: int) -> None:
    run = ImportRun.objects.select_related("started_by").get(pk=run_id)
    if run.status != ImportStatus.PENDING:
        return  # already picked up: running the same run twice would import twice
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.PENDING).update(status=ImportStatus.RUNNING)
    if not claimed:
        return
    paths = stored_files(run)
    if not paths:
        run.status = ImportStatus.FAILED
        run.report = {"notes": ["Het geüploade bestand is er niet meer; upload het opnieuw."]}
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "report", "finished_at"])
        return
    if run.kind == ImportKind.CSV:
        paths = paths[:1]
    try:
        run_import(run, paths)
    finally:
        if not run.dry_run:
            shutil.rmtree(run.stored_path, ignore_errors=True)
