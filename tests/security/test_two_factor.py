"""2FA: required for every role before any page, set up once with recovery codes, reset by a beheerder (logged)."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("two_factor")]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _with_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


@pytest.mark.parametrize("persona", ["toegang_a", "toets_a", "regisseur_a", "beleid_a", "beheer_a"])
def test_every_role_sets_up_2fa_before_any_page(client, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for url in (reverse("home"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("two_factor_setup")), url


def test_a_user_with_an_app_is_asked_for_the_code(client, toegang_a):
    _with_device(toegang_a)
    client.force_login(toegang_a)
    response = client.get(reverse("cases:search"))
    assert response.status_code == 302 and response.url.startswith(reverse("two_factor_verify"))


def test_setup_confirms_a_code_and_shows_ten_recovery_codes_once(client, toegang_a):
    client.force_login(toegang_a)
    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200 and "sleutel" in page.content.decode()
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code, made on the server
    device = TOTPDevice.objects.get(user=toegang_a, confirmed=False)
    wrong = client.post(reverse("two_factor_setup"), {"token": "000000" if _code(device) != "000000" else "111111"})
    assert "klopt niet" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait after a wrong code; the test does not wait
    done = client.post(reverse("two_factor_setup"), {"token": _code(device), "next": reverse("cases:search")})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=toegang_a).confirmed
    assert client.get(reverse("cases:search")).status_code == 200
    assert client.get(reverse("two_factor_setup")).status_code == 302  # never shown again


def test_the_right_code_opens_the_app_and_a_wrong_one_does_not(client, toegang_a):
    device = _with_device(toegang_a)
    client.force_login(toegang_a)
    wrong = client.post(reverse("two_factor_verify"), {"token": "12345"})
    assert wrong.status_code == 200 and "klopt niet" in wrong.content.decode()
    assert client.get(reverse("cases:search")).status_code == 302
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the next try wait after a wrong code; the test does not wait
    response = client.post(reverse("two_factor_verify"), {"token": _code(device), "next": reverse("cases:search")})
    assert response.status_code == 302 and response.url == reverse("cases:search")
    assert client.get(reverse("cases:search")).status_code == 200


def test_a_recovery_code_works_once(client, toegang_a):
    _with_device(toegang_a)
    static = StaticDevice.objects.create(user=toegang_a, name="Herstelcodes")
    StaticToken.objects.create(device=static, token="herstel1")
    client.force_login(toegang_a)
    assert client.post(reverse("two_factor_verify"), {"token": "herstel1"}).status_code == 302
    assert client.get(reverse("cases:search")).status_code == 200
    client.logout()
    client.force_login(toegang_a)
    assert client.post(reverse("two_factor_verify"), {"token": "herstel1"}).status_code == 200


def test_an_external_next_is_not_followed(client, toegang_a):
    device = _with_device(toegang_a)
    client.force_login(toegang_a)
    response = client.post(reverse("two_factor_verify"), {"token": _code(device), "next": "https://kwaad.example/"})
    assert response.url == "/"


def _verified_admin_client(client, user):
    device = _with_device(user)
    client.force_login(user)
    client.post(reverse("two_factor_verify"), {"token": _code(device)})
    return client


def test_beheerder_resets_2fa_and_the_reset_is_logged(client, beheer_a, toegang_a, caplog):
    _with_device(toegang_a)
    StaticDevice.objects.create(user=toegang_a, name="Herstelcodes")
    _verified_admin_client(client, beheer_a)
    response = client.post(
        reverse("admin:cases_user_changelist"), {"action": "reset_two_factor", "_selected_action": [toegang_a.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=toegang_a).exists()
    assert not StaticDevice.objects.filter(user=toegang_a).exists()
    entry = LogEntry.objects.get(object_id=str(toegang_a.pk))
    assert entry.user == beheer_a and "Tweestapsverificatie" in entry.get_change_message()
    assert any("2FA reset" in record.getMessage() for record in caplog.records)


def test_beheerder_cannot_reset_their_own_2fa_nor_see_secrets(client, beheer_a):
    _verified_admin_client(client, beheer_a)
    client.post(
        reverse("admin:cases_user_changelist"), {"action": "reset_two_factor", "_selected_action": [beheer_a.pk]}
    )
    assert TOTPDevice.objects.filter(user=beheer_a).exists()
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404


def test_a_session_verified_before_a_reset_is_asked_again(client, toegang_a, beheer_a):
    device = _with_device(toegang_a)
    client.force_login(toegang_a)
    client.post(reverse("two_factor_verify"), {"token": _code(device)})
    assert client.get(reverse("cases:search")).status_code == 200
    TOTPDevice.objects.filter(user=toegang_a).delete()
    assert client.get(reverse("cases:search")).status_code == 302
    assert User.objects.get(pk=toegang_a.pk).is_active
