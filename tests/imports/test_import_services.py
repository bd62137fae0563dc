"""imports.services: starting a proefimport from an upload and confirming it, once."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Trajectory
from imports import services
from imports.models import ImportKind, ImportRun, ImportStatus
from imports.uploads import UploadError
from jeugdregie.celery import app as celery_app

from ..factories import ProviderFactory, ensure_catalogue

GOOD = (
    "gemeentecode;kindreferentie;geboortedatum;aanbieder_agb;productcode;startdatum;geplande_einddatum;volume;"
    "frequentie\n9901;K-1;14-02-2012;42420001;45A48;03-02-2025;02-02-2026;2;2\n"
)


@pytest.fixture(autouse=True)
def eager_celery(monkeypatch, settings, tmp_path):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def checked(beheer_a, django_capture_on_commit_callbacks):
    ensure_catalogue()
    ProviderFactory(agb_code="42420001")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_check(
            user=beheer_a, kind=ImportKind.CSV, files=[SimpleUploadedFile("export.csv", GOOD.encode())]
        )
    run.refresh_from_db()
    return run


def test_import_check_stores_the_upload_and_runs_a_proefimport(checked, beheer_a):
    assert (checked.dry_run, checked.status, checked.started_by, checked.file_name) == (
        True,
        ImportStatus.CHECKED,
        beheer_a,
        "export.csv",
    )
    assert Trajectory.objects.count() == 0
    assert services.can_confirm(checked)


def test_import_confirm_imports_once(checked, beheer_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.import_confirm(user=beheer_a, checked=checked)

    run.refresh_from_db()
    assert (run.dry_run, run.status) == (False, ImportStatus.DONE)
    assert Trajectory.objects.count() == 1
    assert not services.can_confirm(checked)
    with pytest.raises(ValidationError, match="kan niet \\(meer\\) worden bevestigd"):
        services.import_confirm(user=beheer_a, checked=checked)
    assert ImportRun.objects.count() == 2


def test_a_broken_zip_creates_no_run(beheer_a):
    with pytest.raises(UploadError):
        services.import_check(
            user=beheer_a, kind=ImportKind.IJW, files=[SimpleUploadedFile("berichten.zip", b"geen zip")]
        )
    assert ImportRun.objects.count() == 0
