"""In Chromium: the pages work under the Content-Security-Policy (no violation reported), 2FA set-up
shows its QR code, and a lockout shows the Dutch page."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..conftest import assert_accessible, login, screenshot
from ..factories import ChildFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_violations(page):
    seen = []
    page.on("console", lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None)
    return seen


def test_2fa_setup_with_qr_code_then_the_case_pages_run_without_csp_violations(
    page, toegang_a, gemeente_a, settings, csp_violations
):
    settings.TWO_FACTOR_REQUIRED = True
    child = ChildFactory(gemeente=gemeente_a, last_name="Vermeulen")
    login(page, "toegang_a")
    assert "/accounts/tweestaps/instellen/" in page.url
    qr = page.get_by_role("img", name="QR-code met de sleutel voor uw authenticator-app")
    assert qr.evaluate("img => img.naturalWidth") > 0
    assert_accessible(page)
    screenshot(page, "security-2fa-setup")
    device = TOTPDevice.objects.get(user=toegang_a)
    page.get_by_label("Code").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Instellen").click()
    assert page.get_by_role("heading", name="Tweestapsverificatie is ingesteld").is_visible()
    page.get_by_role("link", name="Verder naar jeugdregie").click()
    page.goto("/dossiers/")
    page.goto(f"/jeugdigen/{child.pk}/")
    assert page.get_by_text("Vermeulen").first.is_visible()
    assert csp_violations == []


def test_a_lockout_shows_the_dutch_page(page, toegang_a, settings):
    settings.AXES_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(page, "toegang_a", password="fout-wachtwoord")
    login(page, "toegang_a")
    assert page.get_by_role("heading", name="Inloggen tijdelijk geblokkeerd").is_visible()
    assert_accessible(page)
