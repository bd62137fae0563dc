"""An extension request's gemeente is always its trajectory's (issue 14): the database keeps it so, whoever writes.

The toets queue reads a gemeente's pending requests by Extension.gemeente (migration 0027). If any writer could
leave it empty or stale, a request would vanish from its gemeente's queue or show up in another's. These tests go
through each kind of writer and each move; on SQLite they also fail when a later migration rebuilds the extension,
trajectory or child table and so drops the triggers.
"""

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse

from cases import services
from cases.models import Child, Extension, Trajectory
from imports.history import HistoryWriter

from ..factories import ChildFactory, ExtensionFactory, TrajectoryFactory
from ..imports import ijw_messages as msg
from ..imports.test_import_ijw import do_import as ijw_import
from ..imports.test_import_ijw import files
from ..imports.test_import_ijw import user as ijw_user  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def disagreeing() -> list[int]:
    """Requests whose gemeente is not their trajectory's child's (or is missing)."""
    wrong = Extension.objects.exclude(gemeente=F("trajectory__child__gemeente")) | Extension.objects.filter(
        gemeente=None
    )
    return list(wrong.values_list("pk", flat=True))


def _unsaved(trajectories) -> list[Extension]:
    return [
        Extension(trajectory=t, requested_end_date=t.planned_end_date + dt.timedelta(days=90), reason="Nog nodig")
        for t in trajectories
    ]


def test_the_form_service_gives_the_request_its_trajectorys_gemeente(toegang_a, gemeente_a):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))

    extension = services.extension_request(
        user=toegang_a,
        trajectory=trajectory,
        requested_end_date=trajectory.planned_end_date + dt.timedelta(days=90),
        reason="Behandeldoelen nog niet bereikt",
    )

    assert Extension.objects.get(pk=extension.pk).gemeente_id == gemeente_a.pk


def test_bulk_writes_and_the_history_writers_copy_carry_the_gemeente(gemeente_a, gemeente_b, beheer_a):
    in_a = TrajectoryFactory.create_batch(3, child=ChildFactory(gemeente=gemeente_a))
    in_b = [TrajectoryFactory(child=ChildFactory(gemeente=gemeente_b)) for _ in range(60)]
    Extension.objects.bulk_create(_unsaved(in_a))
    # COPY on PostgreSQL (60 rows: above COPY_MIN_ROWS), simple-history's bulk helpers on SQLite.
    HistoryWriter(user=beheer_a, reason="import").create(_unsaved(in_b), Extension)
    ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a)))

    in_each = [Extension.objects.filter(gemeente=g).count() for g in (gemeente_a, gemeente_b)]
    assert in_each == [4, 60]
    assert disagreeing() == []


def test_the_ijw_import_gives_its_requests_their_trajectorys_gemeente(ijw_user, tmp_path):  # noqa: F811
    ijw_import(files(tmp_path, [("toewijzing", msg.jw301("1001"))]), ijw_user)
    extended = msg.jw301("1001", end=dt.date(2026, 8, 2), change_reason="04", allocated=dt.datetime(2026, 1, 20, 9))

    ijw_import(files(tmp_path, [("verlenging", extended)], "later"), ijw_user)

    assert Extension.objects.count() == 1
    assert disagreeing() == []


def test_a_wrong_gemeente_written_directly_is_put_right(gemeente_a, gemeente_b):
    extension = ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a)))

    Extension.objects.filter(pk=extension.pk).update(gemeente=gemeente_b)

    assert Extension.objects.get(pk=extension.pk).gemeente_id == gemeente_a.pk


def test_a_request_moved_to_another_trajectory_takes_its_gemeente(gemeente_a, gemeente_b):
    extension = ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a)))
    other = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_b))

    Extension.objects.filter(pk=extension.pk).update(trajectory=other)

    assert Extension.objects.get(pk=extension.pk).gemeente_id == gemeente_b.pk


def test_a_trajectory_moved_to_another_child_takes_its_requests_along(gemeente_a, gemeente_b):
    # The trajectory's gemeente changes in its own BEFORE trigger (0025), not in the UPDATE's SET list.
    extension = ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a)))

    Trajectory.objects.filter(pk=extension.trajectory_id).update(child=ChildFactory(gemeente=gemeente_b))

    assert Extension.objects.get(pk=extension.pk).gemeente_id == gemeente_b.pk


def test_a_child_moving_to_another_gemeente_takes_its_requests_along(gemeente_a, gemeente_b):
    child, stays = ChildFactory(gemeente=gemeente_a), ChildFactory(gemeente=gemeente_a)
    moving = [ExtensionFactory(trajectory=TrajectoryFactory(child=child)) for _ in range(2)]
    staying = ExtensionFactory(trajectory=TrajectoryFactory(child=stays))

    child.gemeente = gemeente_b
    child.save()

    assert {e.gemeente_id for e in Extension.objects.filter(pk__in=[e.pk for e in moving])} == {gemeente_b.pk}
    assert Extension.objects.get(pk=staying.pk).gemeente_id == gemeente_a.pk

    Child.objects.filter(pk=child.pk).update(gemeente=gemeente_a)  # a set-based move too

    assert {e.gemeente_id for e in Extension.objects.filter(pk__in=[e.pk for e in moving])} == {gemeente_a.pk}
    assert disagreeing() == []


def test_the_toets_queue_follows_a_child_that_moved(client, toets_a, gemeente_a, gemeente_b):
    extension = ExtensionFactory(trajectory=TrajectoryFactory(child=ChildFactory(gemeente=gemeente_b)))
    client.force_login(toets_a)
    queue = reverse("cases:extension_queue")

    assert client.get(queue).context["extensions"] == []

    Child.objects.filter(pk=extension.trajectory.child_id).update(gemeente=gemeente_a)

    assert [e.pk for e in client.get(queue).context["extensions"]] == [extension.pk]


def test_the_gemeente_is_no_change_in_the_requests_history():
    # Derived from the trajectory: a child's move must not write history rows of its requests.
    assert "gemeente" not in {f.name for f in Extension.history.model._meta.fields}
