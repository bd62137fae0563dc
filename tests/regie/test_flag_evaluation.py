"""The life of a flag across evaluations: raised once, refreshed, lapsed, raised anew; idempotent and
safe when two evaluations run at once; a case change queues its re-evaluation after commit."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from cases import services
from cases.models import FlagOutbox
from regie import evaluation, flags
from regie import services as regie_services
from regie.models import Flag

from ..factories import ChildFactory, HouseholdFactory, TrajectoryFactory


def use_broker(app, url: str, *, eager: bool) -> None:
    app.conf.update(task_always_eager=eager, broker_url=url)
    # The connection and producer pools keep the old URL otherwise.
    app._pool = None
    app.amqp._producer_pool = None


def snapshot():
    return sorted(
        Flag.objects.values_list(
            "child_id",
            "code",
            "subject_key",
            "value",
            "norm",
            "reference_date",
            "detail",
            "firing",
            "active",
            "raised_at",
            "resolved_at",
            "resolution_note",
        )
    )


def past_end(child, **kwargs):
    return TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 2, 2), **kwargs)


@pytest.mark.django_db
def test_running_twice_leaves_identical_flags(frozen_today, gemeente_a):
    for _ in range(3):
        past_end(ChildFactory(gemeente=gemeente_a), outside_budget=True, outside_budget_reason="Maatwerk")
    first = flags.evaluate()
    before = snapshot()
    second = flags.evaluate()
    assert first.candidates == second.candidates == 6
    assert second.upserted == 0 and second.lapsed == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_flag_lapses_when_rule_no_longer_holds_and_is_raised_anew(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = past_end(child)
    flags.evaluate()
    flag = Flag.objects.get(child=child, code="einddatum")
    assert flag.active and flag.firing
    raised = flag.raised_at

    trajectory.planned_end_date = dt.date(2026, 6, 1)
    trajectory.save()
    flags.evaluate()
    flag.refresh_from_db()
    assert not flag.active and not flag.firing
    assert flag.resolved_at is not None and flag.resolution_note == evaluation.LAPSED_NOTE

    trajectory.planned_end_date = dt.date(2026, 2, 1)
    trajectory.save()
    flags.evaluate()
    flag.refresh_from_db()
    assert flag.active and flag.firing and flag.resolved_at is None and flag.resolution_note == ""
    assert flag.value == 29 and flag.raised_at >= raised


@pytest.mark.django_db
def test_numbers_refresh_but_raised_date_stays(gemeente_a):
    import time_machine

    child = ChildFactory(gemeente=gemeente_a)
    past_end(child)
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        flags.evaluate()
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, 0, tzinfo=dt.UTC), tick=False):
        flags.evaluate()
    flag = Flag.objects.get(child=child, code="einddatum")
    assert flag.value == 35
    assert flag.raised_at == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_resolved_by_regisseur_stays_resolved_while_rule_holds(frozen_today, gemeente_a, regisseur_a):
    child = ChildFactory(gemeente=gemeente_a)
    past_end(child)
    flags.evaluate()
    flag = Flag.objects.get(child=child, code="einddatum")
    regie_services.flag_resolve(user=regisseur_a, flag=flag, note="Verlenging is onderweg")
    flags.evaluate()
    flag.refresh_from_db()
    assert not flag.active and flag.firing
    assert flag.resolved_by == regisseur_a and flag.resolution_note == "Verlenging is onderweg"


@pytest.mark.django_db
def test_manual_flags_survive_evaluation(frozen_today, gemeente_a, regisseur_a):
    child = ChildFactory(gemeente=gemeente_a)
    flag = regie_services.flag_raise_manual(user=regisseur_a, child=child, reason="Signaal van de school")
    flags.evaluate()
    flag.refresh_from_db()
    assert flag.active and flag.raised_by == regisseur_a and flag.sentence == "Signaal van de school"


@pytest.mark.django_db
def test_child_evaluation_touches_only_that_household(frozen_today, gemeente_a):
    household = HouseholdFactory(gemeente=gemeente_a)
    child, sibling = (ChildFactory(gemeente=gemeente_a, household=household) for _ in range(2))
    stranger = ChildFactory(gemeente=gemeente_a)
    for c in (child, sibling, stranger):
        past_end(c)
    flags.evaluate(child_ids=[child.pk])
    assert set(Flag.objects.values_list("child_id", flat=True)) == {child.pk, sibling.pk}


@pytest.mark.django_db
def test_gemeente_evaluation_leaves_other_gemeenten_alone(frozen_today, gemeente_a, gemeente_b):
    a, b = ChildFactory(gemeente=gemeente_a), ChildFactory(gemeente=gemeente_b)
    past_end(a)
    past_end(b)
    flags.evaluate_gemeente(gemeente_b.code)
    assert list(Flag.objects.values_list("child_id", flat=True)) == [b.pk]


@pytest.mark.django_db
def test_nightly_run_splits_whole_gemeenten_over_balanced_tasks(frozen_today, settings):
    from regie import tasks

    from ..factories import GemeenteFactory

    sizes = {"0001": 6, "0002": 5, "0003": 3, "0004": 2, "0005": 2, "0006": 1, "0007": 1}
    for code, n in sizes.items():
        gemeente = GemeenteFactory(code=code)
        for _ in range(n):
            past_end(ChildFactory(gemeente=gemeente))
    batches = flags.nightly_batches(children_per_batch=7)
    assert sorted(code for batch in batches for code in batch) == sorted(sizes)  # each gemeente once, whole
    assert sorted(sum(sizes[c] for c in batch) for batch in batches) == [6, 7, 7]  # 20 children, 3 tasks

    settings.FLAG_BATCH_CHILDREN = 7
    assert tasks.evaluate_all() == 3  # in-process here: the three tasks ran
    assert Flag.objects.filter(code="einddatum", active=True).count() == 20


@pytest.mark.django_db
def test_full_run_drains_the_outbox(frozen_today, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    FlagOutbox.objects.create(child=child)
    flags.evaluate()
    assert not FlagOutbox.objects.exists()


@pytest.mark.django_db
def test_service_write_requests_evaluation_after_commit(
    frozen_today, gemeente_a, toegang_a, django_capture_on_commit_callbacks
):
    """On the embedded default (no Redis) the task runs in-process once the save has committed."""
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = TrajectoryFactory(child=child, planned_end_date=dt.date(2026, 6, 1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.trajectory_change(
            user=toegang_a,
            trajectory=trajectory,
            version=trajectory.version,
            provider=trajectory.provider,
            start_date=trajectory.start_date,
            planned_end_date=dt.date(2026, 2, 1),
            volume=Decimal("2"),
            frequency="2",
            outside_budget=False,
            outside_budget_reason="",
        )
        assert not Flag.objects.exists()  # nothing before the commit
    # The service's one request; the evaluation it ran then asked for its gemeente's figures (regie/figures.py).
    assert [c.__qualname__.split(".")[0] for c in callbacks] == [
        "request_evaluation",
        "request_refresh",
        "refresh_in_transaction",
    ]
    assert Flag.objects.filter(child=child, code="einddatum", active=True).exists()


@pytest.mark.django_db
def test_broker_down_save_succeeds_and_outbox_catches_up(gemeente_a, toegang_a, django_capture_on_commit_callbacks):
    """Redis unreachable: the save commits at once, the child waits in the outbox, the catch-up flags it.

    No frozen clock here: kombu's connection timeouts need time to pass.
    """
    from jeugdregie.celery import app

    today = dt.date.today()
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = TrajectoryFactory(
        child=child, start_date=today - dt.timedelta(days=200), planned_end_date=today + dt.timedelta(days=30)
    )
    # Point the broker at a closed port and stop running tasks in-process.
    use_broker(app, "redis://127.0.0.1:1/0", eager=False)
    try:
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            changed = services.trajectory_change(
                user=toegang_a,
                trajectory=trajectory,
                version=trajectory.version,
                provider=trajectory.provider,
                start_date=trajectory.start_date,
                planned_end_date=today - dt.timedelta(days=1),
                volume=Decimal("2"),
                frequency="2",
                outside_budget=False,
                outside_budget_reason="",
            )
        assert time.monotonic() - started < 5
        assert changed.version == 2
        assert list(FlagOutbox.objects.values_list("child_id", flat=True)) == [child.pk]
        assert not Flag.objects.exists()
    finally:
        use_broker(app, "memory://", eager=True)
    assert flags.drain_outbox() == 1
    assert Flag.objects.filter(child=child, code="einddatum", active=True).exists()
    assert not FlagOutbox.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_evaluations_at_once_leave_the_same_flags(frozen_today, gemeente_a, gemeente_b):
    """Two threads, two connections: on PostgreSQL the advisory lock makes them run one after the other."""
    for gemeente in (gemeente_a, gemeente_b):
        for i in range(5):
            child = ChildFactory(gemeente=gemeente)
            past_end(child, outside_budget=bool(i % 2), outside_budget_reason="Maatwerk" if i % 2 else "")
    flags.evaluate()
    expected = snapshot()
    Flag.objects.all().delete()

    errors, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            flags.evaluate()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite cannot be shared between threads; this test runs on PostgreSQL in CI")
    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ignoring_times = [row[:9] for row in snapshot()]
    assert ignoring_times == [row[:9] for row in expected]
    assert Flag.objects.count() == 14  # 10 past their end, 4 outside the budget


@pytest.mark.django_db
def test_a_first_run_reads_no_table_while_writing_it(frozen_today, gemeente_a):
    """The INSERT into the flags and into the scores reads only the prepared changes, never the table it
    fills: planned for an empty table, an anti-join on it re-read the rows being inserted once per row,
    22 minutes for a first run on the national set (issue 14). The result is the same as before."""
    from django.test.utils import CaptureQueriesContext

    from regie.models import ChildScore

    for i in range(4):
        past_end(ChildFactory(gemeente=gemeente_a), outside_budget=bool(i % 2), outside_budget_reason="Maatwerk")
    with CaptureQueriesContext(connection) as ctx:
        first = flags.evaluate()
    writes = {Flag._meta.db_table: 0, ChildScore._meta.db_table: 0}
    for query in ctx.captured_queries:
        sql = " ".join(query["sql"].split())
        for table in writes:
            if sql.startswith(f"INSERT INTO {table} "):
                writes[table] += 1
                body = sql.split(" ON CONFLICT ")[0].removeprefix(f"INSERT INTO {table} ")
                assert f" {table} " not in f" {body} ", sql
    assert writes[Flag._meta.db_table] >= 1 and writes[ChildScore._meta.db_table] >= 1
    assert (first.candidates, first.upserted, first.scores) == (6, 6, 4)
    # Nothing changed: the second run finds every candidate unchanged and writes nothing.
    second = flags.evaluate()
    assert (second.candidates, second.upserted, second.lapsed, second.scores) == (6, 0, 0, 0)


@pytest.mark.django_db
def test_a_large_first_run_leaves_fresh_statistics_for_the_queue(frozen_today, gemeente_a, monkeypatch):
    """On PostgreSQL, a run that writes many scores analyses the score table in the same transaction, so the
    Top N and the queue that follow do not plan for the empty table (autovacuum looks only afterwards)."""
    if connection.vendor != "postgresql":
        pytest.skip("table statistics (pg_class.reltuples) are PostgreSQL's; SQLite has no ANALYZE of this kind")
    from regie import scores

    monkeypatch.setattr(scores, "ANALYZE_AFTER_ROWS", 2)
    for _ in range(4):
        past_end(ChildFactory(gemeente=gemeente_a))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_childscore")  # known empty, as on a new installation
        flags.evaluate()
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cases_childscore'")
        assert cursor.fetchone()[0] == 4
