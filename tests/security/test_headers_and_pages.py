"""Headers on every page and export; Dutch error pages (also under DEBUG); absurd input refused, never a 500."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from ..factories import ChildFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_case_page_has_csp_without_inline_script_permissions_policy_and_no_store(client, toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    client.force_login(toegang_a)
    response = client.get(reverse("cases:child_detail", args=[child.pk]))
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert script_src.strip() == "'self'"
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "camera=()" in response["Permissions-Policy"]
    assert "no-store" in response["Cache-Control"]


def test_csv_export_is_not_stored(client, regisseur_a, gemeente_a):
    client.force_login(regisseur_a)
    response = client.get(reverse("regie:queue_csv"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_login_page_has_the_headers_too(client):
    response = client.get(reverse("login"))
    assert "Content-Security-Policy" in response and "no-store" in response["Cache-Control"]


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for template in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in template.parts:
            continue
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{template}: {tag}")
        offenders += [f"{template}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert not offenders, offenders


def test_404_is_dutch_with_navigation_and_no_url_listing_under_debug(client, toegang_a, settings):
    settings.DEBUG = True
    client.force_login(toegang_a)
    for url in ("/bestaat-niet/", reverse("cases:child_detail", args=[999999])):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 404
        assert "Pagina niet gevonden" in body and "Dossiers zoeken" in body
        assert "URLconf" not in body and "admin/" not in body


def test_404_and_403_are_dutch_in_production(client, beleid_a):
    client.force_login(beleid_a)
    assert "Pagina niet gevonden" in client.get("/bestaat-niet/").content.decode()
    denied = client.get(reverse("cases:search"))
    assert denied.status_code == 403 and "Geen toegang" in denied.content.decode()


def test_500_page_is_dutch(client, toegang_a, monkeypatch):
    import cases.views

    def broken(*args, **kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr(cases.views, "_search", broken)
    client.raise_request_exception = False
    client.force_login(toegang_a)
    response = client.get(reverse("cases:search"), {"q": "x"})
    assert response.status_code == 500 and "Er ging iets mis" in response.content.decode()


@pytest.mark.parametrize("query", ["a\x00b", "\x00"])
def test_a_nul_byte_in_search_is_refused_with_a_message(client, toegang_a, query):
    client.force_login(toegang_a)
    response = client.get(reverse("cases:search"), {"q": query})
    assert response.status_code == 400 and "ongeldig teken" in response.content.decode()


def test_a_nul_byte_in_a_form_is_refused(client, toegang_a, gemeente_a):
    client.force_login(toegang_a)
    response = client.post(reverse("cases:child_register"), {"first_name": "An\x00na", "gemeente": gemeente_a.pk})
    assert response.status_code == 400


def test_health_endpoint_checks_the_database_without_login(client):
    response = client.get(reverse("health"), {"format": "json"})
    assert response.status_code == 200
    assert "Database" in response.content.decode()


def test_database_connections_are_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
