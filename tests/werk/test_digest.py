"""The daily digest of Mijn werk, sent through a real SMTP server on localhost (aiosmtpd) and read back."""

import datetime as dt
import email
import email.policy
import io
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import ExtensionStatus, Role, Task, TaskKind, TaskOrigin
from regie.codes import FlagCode
from regie.models import Decision, DecisionKind, Escalation, Flag
from werk.digest import digests_prepare
from werk.models import DigestDelivery, DigestStatus
from werk.tasks import retry_failed_digests, send_daily_digest, send_outbox
from werk.worklists import digest_counts

from ..conftest import TODAY
from ..factories import (
    ChildFactory,
    ExtensionFactory,
    ProviderFactory,
    ReferralFactory,
    StopReviewFactory,
    TrajectoryFactory,
    UserFactory,
)

DAY = TODAY.isoformat()  # Monday 2 March 2026, a working day
SITE = "https://jeugdregie.example.nl"
SECRET_NAME, SECRET_LAST_NAME, BSN = "Geheimnaam", "Verborgenhuis", "111222333"
PROVIDER = "Zorgvuldig Jeugdhulp"
TASK_TITLE = "Bel moeder over de opname"


class Mailbox:
    """An aiosmtpd handler that keeps what arrives and refuses the addresses in `refuse`."""

    def __init__(self, delay: float = 0):
        self.messages = []
        self.refuse = set()
        self.refused = []
        self.delay = delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            self.refused.append(address)
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)  # a slow server, so two runs overlap
        self.messages.append(
            (envelope.rcpt_tos[:], email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 Message accepted"

    def to(self, address):
        return [message for tos, message in self.messages if address in tos]

    @property
    def recipients(self):
        return sorted(to for tos, _message in self.messages for to in tos)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = False
    settings.SITE_URL = SITE
    yield mailbox
    controller.stop()


@pytest.fixture
def work(frozen_today, gemeente_a, gemeente_b, toegang_a, toegang_b, regisseur_a):
    """Open work of every kind for toegang_a, some for toegang_b (gemeente B) and for regisseur_a."""
    colleague = UserFactory(username="collega_a", role=Role.TOEGANG, gemeenten=[gemeente_a])
    provider = ProviderFactory(name=PROVIDER)
    own = ChildFactory(
        gemeente=gemeente_a, owner=toegang_a, first_name=SECRET_NAME, last_name=SECRET_LAST_NAME, bsn=BSN
    )
    ending = TrajectoryFactory(child=own, provider=provider, planned_end_date=TODAY - dt.timedelta(days=3))
    second = ChildFactory(gemeente=gemeente_a, owner=toegang_a)
    review_trajectory = TrajectoryFactory(child=second, planned_end_date=TODAY + dt.timedelta(days=200))
    StopReviewFactory(trajectory=review_trajectory, due_date=TODAY + dt.timedelta(days=5))
    StopReviewFactory(trajectory=review_trajectory, due_date=TODAY - dt.timedelta(days=60))
    ReferralFactory(child=second, date=TODAY - dt.timedelta(days=30), outcome="")
    Flag.objects.create(
        gemeente=gemeente_a,
        child=second,
        code=FlagCode.WAITING,
        norm=6,
        reference_date=TODAY - dt.timedelta(weeks=8),
        raised_at=timezone.now(),
    )
    # A decision on an extension toegang_a asked for on a colleague's file.
    theirs = ChildFactory(gemeente=gemeente_a, owner=colleague)
    ExtensionFactory(
        trajectory=TrajectoryFactory(child=theirs, planned_end_date=TODAY + dt.timedelta(days=200)),
        requested_by=toegang_a,
        status=ExtensionStatus.APPROVED,
        decision_reason="Onderbouwd",
        granted_end_date=TODAY + dt.timedelta(days=380),
        decided_at=timezone.now() - dt.timedelta(days=2),
    )
    Task.objects.create(
        child=own,
        gemeente=gemeente_a,
        kind=TaskKind.CONTACT,
        title=TASK_TITLE,
        due_date=TODAY - dt.timedelta(days=1),
        owner=toegang_a,
    )
    Task.objects.create(  # for the toegang team of gemeente A: toegang_a's and the colleague's
        child=theirs, gemeente=gemeente_a, kind=TaskKind.OTHER, title="Team", due_date=TODAY, owner_role=Role.TOEGANG
    )
    unassigned = ChildFactory(gemeente=gemeente_a, owner=None)
    TrajectoryFactory(child=unassigned, planned_end_date=TODAY + dt.timedelta(days=10))  # the team's, nobody's own

    other = ChildFactory(gemeente=gemeente_b, owner=toegang_b)
    TrajectoryFactory(child=other, planned_end_date=TODAY + dt.timedelta(days=20))

    Decision.objects.create(
        child=own,
        gemeente=gemeente_a,
        kind=DecisionKind.CONTINUE,
        reason="Besproken",
        follow_up_date=TODAY + dt.timedelta(days=2),
        actor="Toegang",
        decided_by=regisseur_a,
        decided_at=timezone.now() - dt.timedelta(days=40),
    )
    escalate = Decision.objects.create(
        child=theirs,
        gemeente=gemeente_a,
        kind=DecisionKind.ESCALATE,
        reason="Opgeschaald",
        follow_up_date=TODAY + dt.timedelta(days=60),
        actor="Wethouder",
        decided_by=regisseur_a,
        decided_at=timezone.now() - dt.timedelta(days=35),
    )
    Escalation.objects.create(
        decision=escalate, child=theirs, gemeente=gemeente_a, question="?", created_at=escalate.decided_at
    )
    Task.objects.create(
        child=theirs,
        gemeente=gemeente_a,
        kind=TaskKind.DECISION,
        title="Besluit uitvoeren",
        due_date=TODAY - dt.timedelta(days=4),
        owner_role=Role.REGISSEUR,
        origin=TaskOrigin.DECISION,
    )
    return {"own": own, "second": second, "theirs": theirs, "ending": ending, "colleague": colleague}


def _body(message) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n"),
        message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n"),
    )


# --- what is in it --------------------------------------------------------------------------------


def test_digest_has_counts_and_case_numbers_and_nothing_about_the_child(work, smtp, toegang_a):
    result = send_daily_digest(DAY)

    assert result["failed"] == 0
    [message] = smtp.to(toegang_a.email)
    assert message["Subject"] == "Mijn werk 02-03-2026: 10 openstaand, waarvan 7 te laat"
    text, html = _body(message)
    own, second = work["own"], work["second"]
    assert "- Stopstrategie-reviews: 2, waarvan 1 te laat" in text
    assert "- Trajecten die aflopen: 1, waarvan 1 te laat" in text
    assert "- Verwijzingen zonder uitkomst: 3, waarvan 3 te laat"  # with the trajectories' referrals in text
    assert "- Wachtende jeugdigen: 1, waarvan 1 te laat" in text
    assert "- Teruggekomen verlengingsbesluiten: 1\n" in text
    assert "- Taken: 2, waarvan 1 te laat" in text
    reviews = text.split("- Stopstrategie-reviews")[1].split("- Trajecten")[0]
    assert reviews.count(second.case_number) == 1  # two reviews of one file: its number once
    for child in (own, second, work["theirs"]):
        assert f"{child.case_number}  {SITE}/jeugdigen/{child.pk}/" in text
        assert f'<a href="{SITE}/jeugdigen/{child.pk}/">{child.case_number}</a>' in html
    assert f"Alles op Mijn werk: {SITE}/werk/" in text
    # Case numbers only: no name, no BSN, nothing about the care (product, provider, a task's words).
    product = work["ending"].product.description
    for secret in (SECRET_NAME, SECRET_LAST_NAME, BSN, BSN[-4:], PROVIDER, product, TASK_TITLE, "Jansen"):
        assert secret not in text and secret not in html, secret
        assert secret not in message["Subject"]


def test_regisseur_gets_the_counts_of_the_regisseur_page(work, smtp, regisseur_a, gemeente_a):
    send_daily_digest(DAY)

    [message] = smtp.to(regisseur_a.email)
    text, _html = _body(message)
    assert f"Voorbeeldstad ({SITE}/werk/?gemeente={gemeente_a.code})" in text
    assert "- Vervolgdatums: 1\n" in text
    assert "- Besluiten met taken over de datum: 1, waarvan 1 te laat" in text
    assert "- Open opschalingen: 1, waarvan 1 te laat" in text


def test_only_users_with_open_work_get_one(work, smtp, toegang_a, toegang_b, regisseur_a, toets_a, beleid_a):
    idle = UserFactory(username="zonder_werk", role=Role.TOEGANG, gemeenten=[toegang_b.gemeenten.get()])

    send_daily_digest(DAY)

    assert smtp.recipients == sorted(
        [toegang_a.email, toegang_b.email, regisseur_a.email, work["colleague"].email]  # the team task
    )
    assert not DigestDelivery.objects.filter(user__in=[idle, toets_a, beleid_a]).exists()


# --- the same counts as the pages -----------------------------------------------------------------


def _page_sections(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("werk:mine"), query)
    assert response.status_code == 200
    return response.context["sections"]


@pytest.mark.parametrize("persona", ["toegang_a", "toegang_b", "regisseur_a", "colleague"])
def test_page_counts_equal_digest_counts(work, client, request, persona):
    user = work["colleague"] if persona == "colleague" else request.getfixturevalue(persona)

    [page] = digest_counts([user], TODAY)[user.pk]
    sections = _page_sections(client, user)

    assert [(line.key, line.count, line.overdue) for line in page.lines] == [
        (s.key, s.count, s.overdue) for s in sections
    ]
    for line, section in zip(page.lines, sections, strict=True):
        assert line.child_ids == [item.child.pk for item in section.items][: len(line.child_ids)]
        assert len(line.child_ids) == min(section.count, 5)


def test_page_and_digest_agree_with_windows_set_per_gemeente(work, client, toegang_a, gemeente_a):
    from werk.models import WorkWindows

    WorkWindows.objects.create(gemeente=gemeente_a, review_days=3, task_days=0, returned_extension_days=1)

    [page] = digest_counts([toegang_a], TODAY)[toegang_a.pk]
    sections = _page_sections(client, toegang_a)

    assert [(line.count, line.overdue) for line in page.lines] == [(s.count, s.overdue) for s in sections]
    assert page.lines[0].count == 1  # the review due in 5 days is outside a 3-day window
    assert page.lines[4].count == 0  # decided 2 days ago, window 1 day


def test_digest_counts_take_the_same_queries_for_more_users_and_gemeenten(work, gemeente_a, gemeente_b):
    users = [UserFactory(role=Role.TOEGANG, gemeenten=[gemeente_a]) for _ in range(2)]
    with CaptureQueriesContext(connection) as few:
        digest_counts(users, TODAY)
    many = users + [UserFactory(role=Role.TOEGANG, gemeenten=[gemeente_a, gemeente_b]) for _ in range(10)]
    with CaptureQueriesContext(connection) as more:
        digest_counts(many, TODAY)
    assert len(few.captured_queries) == len(more.captured_queries)


# --- when -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [
        "2026-03-07",  # Saturday
        "2026-03-08",  # Sunday
        "2026-04-06",  # Easter Monday
        "2026-04-27",  # King's Day
        "2026-12-25",  # Christmas
    ],
)
def test_nothing_is_sent_on_a_weekend_or_public_holiday(work, smtp, day):
    assert send_daily_digest(day) == {"sent": 0, "skipped": 0, "failed": 0}
    assert retry_failed_digests(day) == {"sent": 0, "skipped": 0, "failed": 0}
    assert smtp.messages == [] and not DigestDelivery.objects.exists()


def test_good_friday_is_a_working_day(work, smtp):
    assert send_daily_digest("2026-04-03")["sent"] == 4


def test_beat_runs_it_at_seven_amsterdam_time(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mijn-werk-samenvatting"]
    assert entry["task"] == "werk.tasks.send_daily_digest"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({7}, {0})
    assert settings.CELERY_TIMEZONE == "Europe/Amsterdam"
    assert settings.CELERY_BEAT_SCHEDULE["mijn-werk-samenvatting-herhalen"]["task"] == "werk.tasks.retry_failed_digests"


def test_the_task_without_a_date_sends_for_today(work, smtp, toegang_a):
    send_daily_digest()
    assert DigestDelivery.objects.get(user=toegang_a).day == TODAY


# --- exactly once ---------------------------------------------------------------------------------


def test_running_twice_sends_one_mail_per_user(work, smtp):
    first = send_daily_digest(DAY)
    again = send_daily_digest(DAY)
    retry = retry_failed_digests(DAY)
    call_command("send_digest", date=DAY, stdout=io.StringIO())

    assert first == {"sent": 4, "skipped": 0, "failed": 0}
    assert again == retry == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(smtp.messages) == 4 and len(set(smtp.recipients)) == 4
    assert set(DigestDelivery.objects.values_list("status", "attempts")) == {(DigestStatus.SENT, 1)}


def test_a_delivery_another_run_is_sending_is_left_alone(work, smtp, toegang_a):
    outbox = digests_prepare(day=TODAY)  # run 1 made the rows ...
    DigestDelivery.objects.filter(user=toegang_a).update(attempts=1)  # ... and is sending toegang_a's

    send_daily_digest(DAY)

    assert smtp.to(toegang_a.email) == []
    assert len(smtp.messages) == len(outbox.digests) - 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_send_one_mail_per_user(work, smtp):
    """Two beat processes (here two threads, each with its own database connection) start together."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; on SQLite the sequential double run covers it")
    smtp.delay = 0.05  # each mail takes a moment, so the two runs overlap
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(send_daily_digest(DAY))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r["sent"] for r in results) == 4
    assert sorted(smtp.recipients) == sorted(set(smtp.recipients)) and len(smtp.recipients) == 4
    assert set(DigestDelivery.objects.values_list("status", "attempts")) == {(DigestStatus.SENT, 1)}


@pytest.mark.django_db(transaction=True)
def test_two_runs_with_the_same_outbox_claim_each_delivery_once(work, smtp):
    """The race forced: both runs have made the rows and hold all of them before either sends."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; on SQLite the sequential double run covers it")
    prepared, results, errors = threading.Barrier(2), [], []

    def run():
        try:
            outbox = digests_prepare(day=TODAY)
            prepared.wait()
            results.append(send_outbox(outbox))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted((r["sent"] + r["skipped"]) for r in results) == [4, 4]
    assert sum(r["sent"] for r in results) == 4 and sum(r["skipped"] for r in results) == 4
    assert len(smtp.recipients) == len(set(smtp.recipients)) == 4
    assert DigestDelivery.objects.count() == 4


# --- failures -------------------------------------------------------------------------------------


def test_an_smtp_failure_is_recorded_retried_and_delivered_once(work, smtp, toegang_a):
    smtp.refuse.add(toegang_a.email)

    result = send_daily_digest(DAY)

    assert result == {"sent": 3, "skipped": 0, "failed": 1}
    failed = DigestDelivery.objects.get(user=toegang_a)
    # The first try, then the retry task's first run and its 3 retries with backoff.
    assert smtp.refused == [toegang_a.email] * 5
    assert (failed.status, failed.attempts) == (DigestStatus.FAILED, 5)
    assert "SMTPRecipientsRefused" in failed.error and "Mailbox unavailable" in failed.error

    smtp.refuse.clear()
    assert retry_failed_digests(DAY) == {"sent": 1, "skipped": 0, "failed": 0}
    assert retry_failed_digests(DAY) == {"sent": 0, "skipped": 0, "failed": 0}
    assert send_daily_digest(DAY) == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(smtp.to(toegang_a.email)) == 1
    delivered = DigestDelivery.objects.get(user=toegang_a)
    assert (delivered.status, delivered.attempts, delivered.error) == (DigestStatus.SENT, 6, "")


def test_a_server_that_is_down_is_recorded_for_everyone(work, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2

    assert send_daily_digest(DAY) == {"sent": 0, "skipped": 0, "failed": 4}
    assert set(DigestDelivery.objects.values_list("status", flat=True)) == {DigestStatus.FAILED}
    assert all("ConnectionRefusedError" in e for e in DigestDelivery.objects.values_list("error", flat=True))


def test_beheerder_sees_the_log_and_retries_a_failed_digest(work, smtp, client, beheer_a, toegang_a):
    smtp.refuse.add(toegang_a.email)
    send_daily_digest(DAY)
    smtp.refuse.clear()
    failed = DigestDelivery.objects.get(user=toegang_a)
    changelist = reverse("admin:werk_digestdelivery_changelist")

    client.force_login(beheer_a)
    page = client.get(changelist, {"status__exact": "failed"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [failed]
    assert "SMTPRecipientsRefused" in page.content.decode()
    assert client.get(reverse("admin:werk_digestdelivery_change", args=[failed.pk])).status_code == 200
    assert client.post(reverse("admin:werk_digestdelivery_change", args=[failed.pk]), {}).status_code == 403

    client.post(changelist, {"action": "retry", "_selected_action": [failed.pk]})

    assert len(smtp.to(toegang_a.email)) == 1
    assert DigestDelivery.objects.get(pk=failed.pk).status == DigestStatus.SENT


def test_the_log_is_for_the_beheerder_of_the_users_gemeente_only(work, smtp, client, toegang_a, toegang_b, beheer_a):
    send_daily_digest(DAY)

    client.force_login(beheer_a)
    shown = client.get(reverse("admin:werk_digestdelivery_changelist")).context["cl"].result_list
    assert toegang_b.pk not in {d.user_id for d in shown} and toegang_a.pk in {d.user_id for d in shown}
    theirs = DigestDelivery.objects.get(user=toegang_b)
    assert client.get(reverse("admin:werk_digestdelivery_change", args=[theirs.pk])).status_code in (302, 403, 404)

    client.force_login(toegang_a)
    assert client.get(reverse("admin:werk_digestdelivery_changelist")).status_code == 302


# --- switching it off -----------------------------------------------------------------------------


def test_a_user_switches_it_off_on_mijn_werk_and_gets_none(work, smtp, client, toegang_a, toegang_b):
    client.force_login(toegang_a)
    assert "Dagelijkse e-mail: aan" in client.get(reverse("werk:mine")).content.decode()

    response = client.post(reverse("werk:digest_setting"), {"daily_digest": "0"})
    client.post(reverse("werk:digest_setting"), {"daily_digest": "0"})  # a double click changes nothing

    assert response.status_code == 302
    toegang_a.refresh_from_db()
    assert toegang_a.daily_digest is False
    history = list(toegang_a.history.order_by("history_id"))  # the clock is frozen: order by id
    assert [h.daily_digest for h in history][-2:] == [True, False]
    assert (history[-1].history_change_reason, history[-1].history_user) == ("dagelijkse e-mail uit", toegang_a)
    assert "Dagelijkse e-mail: uit" in client.get(reverse("werk:mine")).content.decode()

    send_daily_digest(DAY)

    assert smtp.to(toegang_a.email) == [] and len(smtp.to(toegang_b.email)) == 1
    assert not DigestDelivery.objects.filter(user=toegang_a).exists()

    client.post(reverse("werk:digest_setting"), {"daily_digest": "1"})
    toegang_a.refresh_from_db()
    assert toegang_a.daily_digest is True


def test_switching_it_off_after_a_failure_stops_the_retry(work, smtp, client, toegang_a):
    smtp.refuse.add(toegang_a.email)
    send_daily_digest(DAY)
    smtp.refuse.clear()
    client.force_login(toegang_a)
    client.post(reverse("werk:digest_setting"), {"daily_digest": "0"})

    assert retry_failed_digests(DAY)["sent"] == 0
    assert smtp.to(toegang_a.email) == []


def test_the_setting_is_post_only_and_for_roles_with_a_worklist(client, toegang_a, toets_a, beleid_a):
    client.force_login(toegang_a)
    assert client.get(reverse("werk:digest_setting")).status_code == 405
    assert client.post(reverse("werk:digest_setting"), {"daily_digest": "ja"}).status_code == 400

    client.force_login(toets_a)  # the toetsing gets the digest of its queue and switches it off there
    response = client.post(reverse("werk:digest_setting"), {"daily_digest": "0"})
    assert response.status_code == 302 and response.url.startswith(reverse("cases:extension_queue"))
    toets_a.refresh_from_db()
    assert toets_a.daily_digest is False

    client.force_login(beleid_a)
    assert client.post(reverse("werk:digest_setting"), {"daily_digest": "0"}).status_code == 403


# --- the command ----------------------------------------------------------------------------------


def test_command_dry_run_counts_and_sends_nothing(work, smtp, toegang_a):
    out = io.StringIO()
    call_command("send_digest", date=DAY, dry_run=True, stdout=out)

    assert (
        f"{toegang_a.username}: reviews 2, einde 1, verwijzingen 3, wachtend 1, teruggekomen 1, taken 2"
        in out.getvalue()
    )
    assert "4 van 4 gebruikers met werk" in out.getvalue()
    assert smtp.messages == [] and not DigestDelivery.objects.exists()


def test_command_sends_and_says_so_and_skips_days_off(work, smtp):
    out = io.StringIO()
    call_command("send_digest", date=DAY, stdout=out)
    call_command("send_digest", date="2026-03-07", stdout=out)

    assert "4 verstuurd, 0 al verstuurd of bezig, 0 mislukt" in out.getvalue()
    assert "geen werkdag" in out.getvalue()
    assert len(smtp.messages) == 4


def test_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Ongeldige datum"):
        call_command("send_digest", date="2-3-2026", stdout=io.StringIO())


def test_an_error_in_one_digest_stops_nobody_else(work, smtp, toegang_a, monkeypatch):
    from werk import digest as digest_module

    real = digest_module.digest_email

    def broken_for_toegang_a(user, pages, day):
        if user == toegang_a:
            raise ValueError("kapot")
        return real(user, pages, day)

    monkeypatch.setattr(digest_module, "digest_email", broken_for_toegang_a)

    assert send_daily_digest(DAY) == {"sent": 3, "skipped": 0, "failed": 1}
    failed = DigestDelivery.objects.get(user=toegang_a)
    assert (failed.status, failed.error) == (DigestStatus.FAILED, "ValueError: kapot")

    monkeypatch.setattr(digest_module, "digest_email", real)
    assert retry_failed_digests(DAY) == {"sent": 1, "skipped": 0, "failed": 0}
    assert len(smtp.to(toegang_a.email)) == 1


def test_the_toetsmedewerker_gets_the_queue_and_the_toets_tasks(gemeente_a, toets_a, toegang_a, frozen_today):
    """Toetsing has open work too: the pending requests of its gemeenten (late when the trajectory is
    already past its end) and the tasks for the toets role. Case numbers only, linking to the queue."""
    import datetime as dt

    from cases.models import Role, Task
    from tests.factories import ChildFactory, ExtensionFactory, TrajectoryFactory
    from werk.digest import digest_email
    from werk.worklists import digest_counts

    child = ChildFactory(gemeente=gemeente_a, owner=toegang_a, last_name="Achterhuis")
    late = TrajectoryFactory(child=child, planned_end_date=frozen_today - dt.timedelta(days=3))
    soon = TrajectoryFactory(child=child, planned_end_date=frozen_today + dt.timedelta(days=20))
    ExtensionFactory(trajectory=late)
    ExtensionFactory(trajectory=soon)
    Task.objects.create(
        child=child,
        gemeente=gemeente_a,
        kind="anders",
        title="Code controleren",
        due_date=frozen_today,
        owner_role=Role.TOETS,
    )
    pages = digest_counts([toets_a], frozen_today)[toets_a.pk]
    lines = {line.key: line for line in pages[0].lines}
    assert (lines["verlengingen"].count, lines["verlengingen"].overdue) == (2, 1)
    assert lines["taken"].count == 1
    email = digest_email(toets_a, pages, frozen_today)
    assert child.case_number in email.body and "/toetsing/" in email.body
    assert "Achterhuis" not in email.body and "Code controleren" not in email.body
