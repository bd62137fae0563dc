"""The regisseur's side of the demo (issue 11): a year of flags and Top N behind the monthly report, a
verblijf list beside the capped Top, new verblijf starts and a stale escalation on Mijn werk, and decisions
that held their cases out of the queue."""

import datetime as dt
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Gemeente, User
from regie.models import Decision, Flag, TopMembership
from regie.ranking import top_cases
from regie.residential import residential_rows
from reports.kpis.flags import flags_raised_resolved, top_reviewed_on_time
from reports.kpis.period import Period


@pytest.fixture(scope="module")
def full_demo(django_db_setup, django_db_blocker):
    """The full-size demo, as `make run` builds it; rolled back after this module."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            started = time.perf_counter()
            call_command("demo_data", stdout=StringIO())
            print(f"\ndemo_data (volledige omvang) gebouwd in {time.perf_counter() - started:.1f} s")
            yield
            transaction.set_rollback(True)


def _last_month() -> Period:
    first = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    return Period.month(first.year, first.month)


def test_report_counts_flags_raised_and_the_top_reviewed_last_month(full_demo, db):
    gemeente = Gemeente.objects.get(code="9901")
    period = _last_month()
    counts = flags_raised_resolved(gemeente, period)
    assert counts.raised > 0 and counts.resolved > 0  # care that ended resolved its flags (not stuck at 0)
    reviewed = top_reviewed_on_time(gemeente, period)
    assert reviewed is not None and 0 < reviewed < 100
    # Engine flags are raised when their rule began to hold, not all on the demo's day.
    assert Flag.objects.filter(gemeente=gemeente, raised_at__lt=timezone.now() - dt.timedelta(days=180)).exists()
    assert TopMembership.objects.filter(gemeente=gemeente).values("month").distinct().count() >= 12


def test_every_child_in_residential_care_is_listed_beside_the_capped_top(full_demo, db):
    gemeente = Gemeente.objects.get(code="9901")
    today = timezone.localdate()
    rows = residential_rows([gemeente.pk], today)
    top = top_cases(gemeente, today=today)
    in_top = sum(1 for row in top if "verblijf" in row.flag_codes)
    assert len(top) == 32 and len(rows) > in_top
    assert (
        len(rows)
        == Flag.objects.filter(gemeente=gemeente, code="verblijf", active=True).values("child").distinct().count()
    )
    assert any(row.new for row in rows) and rows[0].new


def test_regisseur_mijn_werk_shows_new_verblijf_starts_and_a_stale_escalation(full_demo, db, client):
    client.force_login(User.objects.get(username="regisseur"))
    sections = {s.key: s for s in client.get(reverse("werk:mine")).context["sections"]}
    assert sections["nieuw_verblijf"].count > 0
    assert sections["opschalingen"].count >= 1


def test_decided_cases_wait_for_their_follow_up(full_demo, db):
    """A flag raised before the regisseur's decision is no new signal: a case decided on, with its follow-up
    date ahead and no flag raised since, stays out of the queue unless its cost jumped."""
    gemeente = Gemeente.objects.get(code="9901")
    today = timezone.localdate()
    latest = {}
    for decision in Decision.objects.filter(gemeente=gemeente).order_by("child_id", "-decided_at"):
        latest.setdefault(decision.child_id, decision)
    waiting = {
        pk
        for pk, d in latest.items()
        if d.follow_up_date > today
        and not Flag.objects.filter(child_id=pk, active=True, raised_at__gt=d.decided_at).exists()
    }
    assert len(waiting) >= 5
    rows = top_cases(gemeente, today=today)
    assert all("kosten gestegen" in row.back_because for row in rows if row.child.pk in waiting)
