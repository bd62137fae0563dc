"""The monthly report email, sent through a real SMTP server on localhost (aiosmtpd) and read back."""

import csv
import datetime as dt
import email
import email.policy
import io
import json
import socket

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command

from cases.models import Role
from reports.delivery import first_working_day
from reports.models import DeliveryStatus, ReportDelivery, ReportSubscription
from reports.tasks import send_gemeente_report, send_monthly_reports

from ..factories import UserFactory
from . import kpi_data


class Mailbox:
    """An aiosmtpd handler that keeps what arrives and refuses the addresses in `refuse`."""

    def __init__(self):
        self.messages = []
        self.refuse = set()
        self.refused = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            self.refused.append(address)
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (envelope.rcpt_tos[:], email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 Message accepted"


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
    settings.SITE_URL = "https://jeugdregie.example.nl"
    yield mailbox
    controller.stop()


@pytest.fixture(autouse=True)
def eager_celery():
    """Run tasks (and their retries) in-process, even when REDIS_URL points at a real broker."""
    from jeugdregie.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def data(frozen_today, gemeente_a, gemeente_b):
    return kpi_data.build(gemeente_a, gemeente_b)


@pytest.fixture
def subscribers(gemeente_a, beleid_a, regisseur_a):
    for user in (beleid_a, regisseur_a):
        ReportSubscription.objects.create(gemeente=gemeente_a, user=user)
    return [beleid_a, regisseur_a]


def test_report_arrives_with_both_parts_inline_charts_and_csv(data, gemeente_a, subscribers, smtp):
    result = send_gemeente_report(gemeente_a.pk, "2026-02")

    assert result == {"sent": 2, "skipped": 0, "failed": 0}
    assert sorted(to for tos, _msg in smtp.messages for to in tos) == ["beleid_a@example.nl", "regisseur_a@example.nl"]
    _to, message = smtp.messages[0]
    assert message["Subject"] == "Maandrapportage jeugdhulp Voorbeeldstad, februari 2026"
    assert message["List-Unsubscribe"].strip().startswith("<https://jeugdregie.example.nl/kpi/afmelden/")
    assert message.get_content_type() == "multipart/mixed"
    related = message.get_payload()[0]
    assert related.get_content_type() == "multipart/related"

    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # Hand-computed figures (tests/kpi_data.py) in both parts, with the trend against January.
    assert "- Gestarte trajecten: < 5" in text  # 4, published as "< 5" (docs/kpis.md)
    assert "- 1 op N jeugdigen (0-17) in zorg: 1 op 10,0" in text
    assert "- Signalen afgegeven: 0" in text and "- Top 32 op tijd besproken: n.v.t." in text
    assert "Prognose jaareinde = uitgegeven" in text
    assert "https://jeugdregie.example.nl/kpi/?gemeente=9901&maand=2026-02" in text
    assert "Kerncijfers februari 2026" in html and "€ 23.466" in html
    assert 'href="https://jeugdregie.example.nl/kpi/?gemeente=9901&amp;maand=2026-02"' in html

    images = [part for part in related.iter_parts() if part.get_content_type() == "image/png"]
    assert len(images) == 4
    for image in images:
        cid = image["Content-ID"].strip("<>")
        assert f'src="cid:{cid}"' in html
        assert image.get_content()[:8] == b"\x89PNG\r\n\x1a\n"

    attachment = next(part for part in message.iter_attachments() if part.get_content_type() == "text/csv")
    assert attachment.get_filename() == "kpi-9901-2026-02.csv"
    rows = list(csv.reader(io.StringIO(attachment.get_content().lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["gemeentecode", "gemeente", "maand", "sectie", "figuur", "uitsplitsing", "eenheid", "waarde"]
    forecast = [r for r in rows if r[2] == "2026-02" and r[4] == "Prognose jaareinde" and r[5] == ""]
    assert forecast == [["9901", "Voorbeeldstad", "2026-02", "Uitgaven en budget", "Prognose jaareinde", "", "€",
                         "23466,00"]]  # fmt: skip
    assert len({r[2] for r in rows[1:]}) == 13  # the month and the 12 before it

    deliveries = ReportDelivery.objects.filter(gemeente=gemeente_a, month=dt.date(2026, 2, 1))
    assert [(d.status, d.attempts) for d in deliveries] == [(DeliveryStatus.SENT, 1)] * 2


def test_sending_twice_sends_nothing_the_second_time_unless_forced(data, gemeente_a, subscribers, smtp):
    send_gemeente_report(gemeente_a.pk, "2026-02")
    assert len(smtp.messages) == 2

    again = send_gemeente_report(gemeente_a.pk, "2026-02")
    call_command("kpi_report", gemeente="9901", month="2026-02", send=True, stdout=io.StringIO())

    assert again == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(smtp.messages) == 2
    assert ReportDelivery.objects.count() == 2

    out = io.StringIO()
    call_command("kpi_report", gemeente="9901", month="2026-02", send=True, force=True, stdout=out)
    assert len(smtp.messages) == 4
    assert "2 verstuurd" in out.getvalue()


def test_a_delivery_claimed_by_another_run_is_not_sent_again(data, gemeente_a, subscribers, smtp):
    send_gemeente_report(gemeente_a.pk, "2026-02")
    ReportDelivery.objects.update(status=DeliveryStatus.SENDING)  # another worker is busy with them

    assert send_gemeente_report(gemeente_a.pk, "2026-02") == {"sent": 0, "skipped": 0, "failed": 0}
    assert len(smtp.messages) == 2


def test_a_bouncing_address_is_retried_reported_and_stops_nobody_else(data, gemeente_a, subscribers, smtp):
    smtp.refuse.add("beleid_a@example.nl")

    result = send_gemeente_report(gemeente_a.pk, "2026-02")

    assert result == {"sent": 1, "skipped": 0, "failed": 1}
    assert [tos for tos, _msg in smtp.messages] == [["regisseur_a@example.nl"]]
    failed = ReportDelivery.objects.get(email="beleid_a@example.nl")
    # First try, then the retry task's first run and its 3 retries with backoff.
    assert smtp.refused == ["beleid_a@example.nl"] * 5
    assert (failed.status, failed.attempts) == (DeliveryStatus.FAILED, 5)
    assert "SMTPRecipientsRefused" in failed.last_error and "Mailbox unavailable" in failed.last_error
    assert ReportDelivery.objects.get(email="regisseur_a@example.nl").status == DeliveryStatus.SENT

    # Once the mailbox is back, a re-run sends to the failed address only.
    smtp.refuse.clear()
    assert send_gemeente_report(gemeente_a.pk, "2026-02") == {"sent": 1, "skipped": 0, "failed": 0}
    assert [tos for tos, _msg in smtp.messages][-1] == ["beleid_a@example.nl"]


def test_a_server_that_is_down_is_recorded(data, gemeente_a, subscribers, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2

    assert send_gemeente_report(gemeente_a.pk, "2026-02") == {"sent": 0, "skipped": 0, "failed": 2}
    assert set(ReportDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    assert all("ConnectionRefusedError" in e for e in ReportDelivery.objects.values_list("last_error", flat=True))


def test_only_active_subscribers_who_still_serve_the_gemeente_receive_it(
    data, gemeente_a, gemeente_b, subscribers, smtp, beleid_a, regisseur_a
):
    ReportSubscription.objects.filter(user=regisseur_a).update(active=False)
    moved = UserFactory(username="vertrokken", role=Role.BELEID, gemeenten=[gemeente_b])
    ReportSubscription.objects.create(gemeente=gemeente_a, user=moved)  # no longer works for gemeente A

    send_gemeente_report(gemeente_a.pk, "2026-02")

    assert [tos for tos, _msg in smtp.messages] == [["beleid_a@example.nl"]]


def test_first_working_day_skips_weekends_and_holidays():
    assert first_working_day(2026, 1) == dt.date(2026, 1, 2)  # New Year's Day is a Thursday
    assert first_working_day(2026, 3) == dt.date(2026, 3, 2)  # 1 March is a Sunday
    assert first_working_day(2027, 1) == dt.date(2027, 1, 4)  # Friday New Year, then the weekend
    assert first_working_day(2027, 6) == dt.date(2027, 6, 1)
    assert first_working_day(2008, 5) == dt.date(2008, 5, 2)  # Ascension Day 2008 is 1 May (Easter 23 March)
    assert first_working_day(2024, 4) == dt.date(2024, 4, 2)  # Easter Monday 2024 is 1 April


def test_first_working_day_after_whit_monday_and_not_after_good_friday():
    assert first_working_day(2020, 6) == dt.date(2020, 6, 2)  # Whit Monday 2020 is 1 June
    assert first_working_day(2025, 5) == dt.date(2025, 5, 1)  # Liberation Day is 5 May, not the 1st
    assert first_working_day(2067, 4) == dt.date(2067, 4, 1)  # Good Friday: no day off


@pytest.mark.parametrize(
    ("moment", "expected"),
    [(dt.datetime(2026, 3, 2, 7, 0), 1), (dt.datetime(2026, 3, 3, 7, 0), 0), (dt.datetime(2026, 3, 1, 7, 0), 0)],
)
def test_daily_beat_task_sends_only_on_the_first_working_day(
    moment, expected, db, gemeente_a, subscribers, smtp, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    with time_machine.travel(moment.replace(tzinfo=timezone.get_default_timezone()), tick=False):
        assert send_monthly_reports() == expected
    assert len(smtp.messages) == 2 * expected
    if expected:
        assert set(ReportDelivery.objects.values_list("month", flat=True)) == {dt.date(2026, 2, 1)}


def test_command_prints_json_and_csv(data, gemeente_a):
    out = io.StringIO()
    call_command("kpi_report", gemeente="9901", month="2026-02", stdout=out)
    data = json.loads(out.getvalue())
    figures = {f["sleutel"]: f for f in data["figuren"]}
    assert figures["inflow.trajectories"]["waarde"] == "< 5"  # 4: a small count is not published
    assert figures["in_care.one_in_n"]["waarde"] == 10.0
    assert figures["flags.raised"]["waarde"] == 0 and figures["top.reviewed_on_time"]["waarde"] == "n.v.t."
    assert figures["spend.forecast"]["waarde"] == 23466.0
    assert len(figures["inflow.trajectories"]["reeks"]) == 13

    out = io.StringIO()
    call_command("kpi_report", gemeente="9901", month="2026-02", format="csv", stdout=out)
    assert out.getvalue().startswith("gemeentecode;gemeente;maand;")


def test_command_rejects_bad_input_in_dutch(db, gemeente_a):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Geen gemeente met CBS-code '0000'"):
        call_command("kpi_report", gemeente="0000", month="2026-02")
    with pytest.raises(CommandError, match="JJJJ-MM"):
        call_command("kpi_report", gemeente="9901", month="februari")
