"""Uploaded files between the proefimport and the confirmation, and running an import on them.

Files wait in IMPORT_UPLOAD_DIR (default: the system temp dir), one folder per upload, readable
only by this process's user; they are deleted once the real import has run.
"""

import re
import shutil
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .models import ImportKind, ImportRun, ImportStatus
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


MAX_ZIP_MEMBERS = 100_000
MAX_ZIP_BYTES = 1 << 30  # 1 GiB unpacked: a zip bomb stops here


class UploadError(Exception):
    pass


def _unique(name: str, used: set) -> str:
    name = safe_name(name)
    while name in used:
        name = f"_{name}"
    used.add(name)
    return name


def _unpack(archive: Path, folder: Path, used: set) -> None:
    """The .xml members of a zip, flattened into the folder (no paths from the archive are used)."""
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [m for m in zipped.infolist() if not m.is_dir() and m.filename.lower().endswith(".xml")]
            if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise UploadError("Het zip-bestand is te groot om te importeren; splits het op.")
            for member in members:
                with zipped.open(member) as source, open(folder / _unique(member.filename, used), "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
    except zipfile.BadZipFile:
        raise UploadError("Dit zip-bestand is beschadigd of geen zip-bestand.") from None
    finally:
        archive.unlink(missing_ok=True)


def store_upload(files) -> Path:
    remove_stale_uploads()
    folder = upload_root() / uuid.uuid4().hex
    folder.mkdir(parents=True, mode=0o700)
    used: set = set()
    try:
        for upload in files:
            target = folder / (
                f".{uuid.uuid4().hex}.zip" if upload.name.lower().endswith(".zip") else _unique(upload.name, used)
            )
            with open(target, "wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            if target.suffix == ".zip":
                _unpack(target, folder, used)
        if not any(folder.iterdir()):
            raise UploadError("Er staan geen .xml-berichten in het zip-bestand.")
    except UploadError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
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
