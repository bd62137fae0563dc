"""Declarations through the beheerder's upload page: a JW301 and its JW323 together, checked, then confirmed."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Declaration
from imports.models import ImportRun, ImportStatus
from jeugdregie.celery import app as celery_app

from ..factories import ProviderFactory, ensure_catalogue
from . import declaration_messages as decl
from . import ijw_messages as msg


@pytest.fixture(autouse=True)
def eager_celery(monkeypatch, settings, tmp_path):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    settings.IMPORT_UPLOAD_DIR = tmp_path / "uploads"


def test_an_allocation_and_its_declaration_are_checked_then_confirmed(
    client, beheer_a, django_capture_on_commit_callbacks
):
    ensure_catalogue()
    ProviderFactory(agb_code="42420001", name="Jeugdhulp Noord")
    client.force_login(beheer_a)
    march = (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    line = decl.line("1001", *march, 8, 9500, ref="M1")
    files = [
        SimpleUploadedFile("a_toewijzing.xml", msg.jw301("1001", gemeente="9901"), "text/xml"),
        SimpleUploadedFile(
            "b_declaratie.xml", decl.jw323([line], period=march, gemeente="9901", provider="42420001"), "text/xml"
        ),
    ]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:upload"), {"kind": "ijw", "files": files})
    checked = ImportRun.objects.get()
    assert checked.status == ImportStatus.CHECKED and checked.problem_count == 0, checked.report
    assert checked.report["counts"]["declaratieregel (JW323)|nieuw"] == 1
    assert not Declaration.objects.exists()  # a proefimport writes nothing

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[checked.pk]))

    declaration = Declaration.objects.get()
    assert (declaration.month, declaration.amount, declaration.trajectory.allocation_number) == (
        dt.date(2025, 3, 1),
        760,  # 8 hours × € 95
        "1001",
    )
    page = client.get(reverse("imports:run", args=[ImportRun.objects.latest("pk").pk])).content.decode()
    assert "Declaratieregel (JW323)" in page
