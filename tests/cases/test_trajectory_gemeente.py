"""A trajectory's gemeente is always its child's (issue 14): the database keeps it so, whoever writes.

The pages of a gemeente (toets queue, Mijn werk, the regisseur's pages) filter on Trajectory.gemeente. If any
writer could leave it empty or stale, a trajectory would vanish from its gemeente's pages or show up in
another's. These tests go through each kind of writer; on SQLite they also fail when a later migration
rebuilds the trajectory or child table and so drops migration 0025's triggers.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F

from cases import services
from cases.models import Child, Trajectory
from imports.history import HistoryWriter

from ..factories import ChildFactory, ProviderFactory, ReferralFactory, TrajectoryFactory, ambulant_product
from ..imports import ijw_messages as msg
from ..imports.test_import_csv import (
    EXAMPLE,
    setup,  # noqa: F401 (the fixture)
)
from ..imports.test_import_csv import do_import as csv_import
from ..imports.test_import_ijw import do_import as ijw_import
from ..imports.test_import_ijw import files
from ..imports.test_import_ijw import user as ijw_user  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def disagreeing() -> list[int]:
    """Trajectories whose gemeente is not their child's (or is missing)."""
    wrong = Trajectory.objects.exclude(gemeente=F("child__gemeente")) | Trajectory.objects.filter(gemeente=None)
    return list(wrong.values_list("pk", flat=True))


def _unsaved(child, n=1, tag="T"):
    provider, product = ProviderFactory(), ambulant_product()
    return [
        Trajectory(
            child=child,
            provider=provider,
            product=product,
            start_date=dt.date(2025, 1, 1),
            planned_end_date=dt.date(2025, 12, 31),
            volume=Decimal("2"),
            unit="04",
            frequency="2",
            tariff=Decimal("95.00"),
            financing="inspanning",
            norm_months=12,
            allocation_number=f"{tag}{i}",
        )
        for i in range(n)
    ]


def test_the_form_service_gives_the_new_trajectory_its_childs_gemeente(toegang_a, gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = services.trajectory_start(
        user=toegang_a,
        child=child,
        referral=ReferralFactory(child=child),
        provider=ProviderFactory(),
        product=ambulant_product(),
        start_date=dt.date(2025, 3, 1),
        planned_end_date=dt.date(2025, 9, 1),
        volume=Decimal("2"),
        frequency="2",
    )

    assert trajectory.gemeente_id == gemeente_a.pk
    assert Trajectory.objects.get(pk=trajectory.pk).gemeente_id == gemeente_a.pk


def test_a_trajectory_saved_without_its_gemeente_gets_it_from_the_database(gemeente_a):
    child = ChildFactory(gemeente=gemeente_a)
    trajectory = _unsaved(Child.objects.get(pk=child.pk))[0]  # the child not loaded on the trajectory
    trajectory.child = None
    trajectory.child_id = child.pk
    trajectory.save()

    assert Trajectory.objects.get(pk=trajectory.pk).gemeente_id == gemeente_a.pk


def test_bulk_writes_and_the_imports_copy_carry_the_childs_gemeente(gemeente_a, beheer_a):
    child = ChildFactory(gemeente=gemeente_a)
    Trajectory.objects.bulk_create(_unsaved(child, 3, "B"))
    # COPY on PostgreSQL (60 rows: above COPY_MIN_ROWS), simple-history's bulk helpers on SQLite.
    HistoryWriter(user=beheer_a, reason="import").create(_unsaved(child, 60, "C"), Trajectory)
    TrajectoryFactory(child=child)

    assert Trajectory.objects.filter(gemeente=gemeente_a).count() == 64
    assert disagreeing() == []


def test_a_wrong_gemeente_written_directly_is_put_right(gemeente_a, gemeente_b):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))

    Trajectory.objects.filter(pk=trajectory.pk).update(gemeente=gemeente_b)

    assert Trajectory.objects.get(pk=trajectory.pk).gemeente_id == gemeente_a.pk


def test_a_new_trajectory_written_with_a_wrong_gemeente_is_put_right(gemeente_a, gemeente_b, beheer_a):
    child = ChildFactory(gemeente=gemeente_a)
    wrong = _unsaved(child, 3, "W")
    for trajectory in wrong:
        trajectory.gemeente = gemeente_b
    Trajectory.objects.bulk_create(wrong)
    # Plain values into COPY on PostgreSQL (60 rows: above COPY_MIN_ROWS), as the CSV import writes them.
    fields = [f.attname for f in Trajectory._meta.concrete_fields if f.attname not in ("id", "created_at")]
    rows = [
        {name: getattr(t, name) for name in fields} | {"gemeente_id": gemeente_b.pk} for t in _unsaved(child, 60, "V")
    ]
    HistoryWriter(user=beheer_a, reason="import").create_values(rows, Trajectory)

    assert Trajectory.objects.filter(gemeente=gemeente_a).count() == 63
    assert disagreeing() == []


def test_a_trajectory_moved_to_another_child_takes_that_childs_gemeente(gemeente_a, gemeente_b):
    trajectory = TrajectoryFactory(child=ChildFactory(gemeente=gemeente_a))
    other = ChildFactory(gemeente=gemeente_b)

    Trajectory.objects.filter(pk=trajectory.pk).update(child=other)

    assert Trajectory.objects.get(pk=trajectory.pk).gemeente_id == gemeente_b.pk


def test_a_child_moving_to_another_gemeente_takes_its_trajectories_along(gemeente_a, gemeente_b):
    child, stays = ChildFactory(gemeente=gemeente_a), ChildFactory(gemeente=gemeente_a)
    TrajectoryFactory.create_batch(2, child=child)
    TrajectoryFactory(child=stays)

    child.gemeente = gemeente_b
    child.save()

    assert set(Trajectory.objects.filter(child=child).values_list("gemeente_id", flat=True)) == {gemeente_b.pk}
    assert Trajectory.objects.get(child=stays).gemeente_id == gemeente_a.pk

    Child.objects.filter(pk=child.pk).update(gemeente=gemeente_a)  # a set-based move too

    assert set(Trajectory.objects.filter(child=child).values_list("gemeente_id", flat=True)) == {gemeente_a.pk}
    assert disagreeing() == []


def test_the_csv_import_gives_every_trajectory_its_childs_gemeente(setup):  # noqa: F811
    run, _report = csv_import(EXAMPLE, setup)

    assert Trajectory.objects.count() > 0
    assert disagreeing() == []


def test_the_ijw_import_gives_every_trajectory_its_childs_gemeente(ijw_user, tmp_path):  # noqa: F811
    paths = files(tmp_path, [("a_toewijzing", msg.jw301("2001")), ("b_toewijzing", msg.jw301("2002"))])

    ijw_import([paths[0].parent], ijw_user)

    assert Trajectory.objects.count() == 2
    assert disagreeing() == []


def test_the_gemeente_is_no_change_in_the_trajectorys_history():
    # Derived from the child (whose own history has it): a move must not write history rows of trajectories.
    assert "gemeente" not in {f.name for f in Trajectory.history.model._meta.fields}
