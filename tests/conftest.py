"""Personas (STYLE.md §7): toegangsmedewerker of gemeente A and of gemeente B, toets, regisseur,
beleid and beheerder of gemeente A. A frozen clock for anything with dates."""

import datetime as dt

import pytest
import time_machine

from cases.models import Role

from .factories import GemeenteFactory, UserFactory

TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are made in almost every test; the production hasher is slow by design."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: ids repeat across tests, cached lists must not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def frozen_today():
    """Freeze the clock at a fixed Monday morning in Amsterdam."""
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))), tick=False):
        yield TODAY


@pytest.fixture
def gemeente_a(db):
    return GemeenteFactory(code="9901", name="Voorbeeldstad")


@pytest.fixture
def gemeente_b(db):
    return GemeenteFactory(code="9902", name="Proefdorp")


def _persona(role, gemeente, username):
    return UserFactory(username=username, role=role, gemeenten=[gemeente])


@pytest.fixture
def toegang_a(gemeente_a):
    return _persona(Role.TOEGANG, gemeente_a, "toegang_a")


@pytest.fixture
def toegang_b(gemeente_b):
    return _persona(Role.TOEGANG, gemeente_b, "toegang_b")


@pytest.fixture
def toets_a(gemeente_a):
    return _persona(Role.TOETS, gemeente_a, "toets_a")


@pytest.fixture
def regisseur_a(gemeente_a):
    return _persona(Role.REGISSEUR, gemeente_a, "regisseur_a")


@pytest.fixture
def beleid_a(gemeente_a):
    return _persona(Role.BELEID, gemeente_a, "beleid_a")


@pytest.fixture
def beheer_a(gemeente_a):
    user = _persona(Role.BEHEER, gemeente_a, "beheer_a")
    user.is_staff = True
    user.save()
    return user


@pytest.fixture(autouse=True)
def celery_in_process(request):
    """Tasks run in-process, as on the embedded default, also when CI sets REDIS_URL. Tests marked
    `services` talk to the real broker and worker themselves."""
    from jeugdregie.celery import app

    if request.node.get_closest_marker("services"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


def pytest_sessionstart(session):
    """In CI (REQUIRE_SERVICES=1) the suite must run on PostgreSQL and reach Redis, or fail at once."""
    import os

    if os.environ.get("REQUIRE_SERVICES") != "1":
        return
    import redis
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        pytest.exit(f"REQUIRE_SERVICES=1 but the database is {engine}, not PostgreSQL", returncode=3)
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach Redis ends the run
        pytest.exit(f"REQUIRE_SERVICES=1 but Redis at {settings.REDIS_URL!r} is unreachable: {exc}", returncode=3)


# --- headless Chromium (Debian's package; Playwright's own browser download is not used) ---------


def _chromium_path():
    import os
    import shutil

    for candidate in (
        os.environ.get("CHROMIUM_PATH"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        shutil.which("google-chrome"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    import os

    path = _chromium_path()
    if path is None:
        message = "Chromium not found (install Debian's chromium or set CHROMIUM_PATH)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
    # around it are ordinary blocking calls.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def login(page, username, password="geheim-wachtwoord"):
    page.goto("/accounts/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state("networkidle")


def assert_accessible(page):
    """axe-core in the page: no serious or critical WCAG 2.1 A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    wcag = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": wcag}})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in serious
    )


def screenshot(page, name):
    """Keep a screenshot for a person to look at (screenshots/ is git-ignored)."""
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "screenshots"
    folder.mkdir(exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
