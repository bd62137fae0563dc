"""Login: throttling and lockout, password rules, no e-mail reset, session lifetime, production refusals."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from cases.models import User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_brute_force_locks_out_even_the_right_password(client, toegang_a, throttled, settings, caplog):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _login(client, "toegang_a", "fout-wachtwoord").status_code in (200, 429)
    response = _login(client, "toegang_a", "geheim-wachtwoord")
    assert response.status_code == 429
    assert "tijdelijk geblokkeerd" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.get(username="toegang_a").failures_since_start >= settings.AXES_FAILURE_LIMIT
    audit = [r.getMessage() for r in caplog.records if r.name == "jeugdregie.audit"]
    assert set(audit) == {
        f"login locked out after repeated failures: user id {toegang_a.pk}, address 127.0.0.1"
    }  # at the lockout and at each try during it


def test_lockout_ends_after_the_cooloff(client, toegang_a, throttled, settings):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _login(client, "toegang_a", "fout-wachtwoord")
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1), tick=False):
        assert _login(client, "toegang_a", "geheim-wachtwoord").status_code == 302


def test_a_few_typos_then_the_right_password_work(client, toegang_a, throttled):
    for _ in range(2):
        _login(client, "toegang_a", "fout-wachtwoord")
    assert _login(client, "toegang_a", "geheim-wachtwoord").status_code == 302


@pytest.mark.parametrize(
    "password", ["toegang1", "toegang!2026", "Jeugdregie2026!", "12345678901234", "qwertyuiop123", "kort1!"]
)
def test_weak_passwords_are_refused_with_a_dutch_message(password):
    with translation.override("nl"):  # as LocaleMiddleware does for every request
        with pytest.raises(ValidationError) as refused:
            validate_password(password, user=User(username="toegang", first_name="Sanne"))
        messages = [str(message) for message in refused.value.messages]
    assert any("wachtwoord" in message.lower() for message in messages), messages


def test_a_good_password_is_accepted():
    validate_password("paars-fietsenrek-onweer-42", user=User(username="toegang"))


def test_no_password_reset_by_email(client):
    with pytest.raises(NoReverseMatch):
        reverse("password_reset")
    assert client.get("/accounts/password_reset/").status_code == 404


def test_session_ends_at_browser_close(settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_session_ends_after_idle_time(client, toegang_a, settings):
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client.force_login(toegang_a)
        assert client.get(reverse("cases:search")).status_code == 200
    with time_machine.travel(start + dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 60), tick=False):
        response = client.get(reverse("cases:search"))
    assert response.status_code == 302 and "verlopen=1" in response.url
    assert "_auth_user_id" not in client.session


def test_session_ends_after_its_absolute_lifetime_even_when_active(client, toegang_a, settings):
    start = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
    step = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT // 2)
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(toegang_a)
        while dt.datetime.now(dt.UTC) - start <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE):
            assert client.get(reverse("cases:search")).status_code == 200
            clock.shift(step)
        response = client.get(reverse("cases:search"))
    assert response.status_code == 302 and "verlopen=1" in response.url


def test_session_ends_when_the_user_is_disabled(client, toegang_a):
    client.force_login(toegang_a)
    assert client.get(reverse("cases:search")).status_code == 200
    toegang_a.is_active = False
    toegang_a.save()
    response = client.get(reverse("cases:search"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def _django(args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "TWO_FACTOR_REQUIRED")}
    environment.update(DJANGO_SETTINGS_MODULE="jeugdregie.settings", **env)
    command = [sys.executable, "manage.py", *args]
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key():
    result = _django(["check"], DEBUG="0")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_refuses_two_factor_off():
    result = _django(["check"], DEBUG="0", SECRET_KEY="x" * 60, TWO_FACTOR_REQUIRED="0")
    assert result.returncode != 0 and "TWO_FACTOR_REQUIRED" in result.stderr


def test_check_deploy_is_clean_with_the_documented_production_settings():
    result = _django(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="0",
        SECRET_KEY="a-long-random-production-key-" + "k7Qx9" * 10,
        ALLOWED_HOSTS="jeugdregie.gemeente.nl",
        BEHIND_PROXY="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_peak_of_failed_logins_across_usernames_warns_the_beheerders(
    client, beheer_a, throttled, settings, mailoutbox, caplog
):
    settings.LOGIN_PEAK_THRESHOLD = 10
    for number in range(10):  # password spraying: one try per username, no lockout
        _login(client, f"medewerker{number}", "Welkom2026!")
    from cases.tasks import watch_failed_logins

    assert watch_failed_logins.delay().get() == 10
    assert [m.to for m in mailoutbox] == [[beheer_a.email]]
    assert "10 mislukte inlogpogingen" in mailoutbox[0].body and "medewerker" not in mailoutbox[0].body
    assert any("failed-login peak" in r.getMessage() for r in caplog.records if r.name == "jeugdregie.audit")


def test_a_few_failed_logins_warn_nobody(client, beheer_a, throttled, mailoutbox):
    for _ in range(3):
        _login(client, "toegang_a", "fout-wachtwoord")
    from cases.tasks import watch_failed_logins

    assert watch_failed_logins.delay().get() == 3 and mailoutbox == []
