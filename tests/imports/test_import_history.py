"""The import's COPY path on PostgreSQL writes the same rows and history as simple-history's bulk helpers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from cases.models import Child, Trajectory
from imports.history import HistoryWriter, copy_values

from ..factories import ChildFactory, HouseholdFactory, ProviderFactory, ambulant_product

pytestmark = pytest.mark.django_db

COMPARED = (
    "child_id",
    "provider_id",
    "product_id",
    "start_date",
    "planned_end_date",
    "volume",
    "unit",
    "frequency",
    "tariff",
    "financing",
    "norm_months",
    "daily_cost",
    "allocation_number",
    "version",
)


def _trajectories(child, provider, product, tag):
    return [
        Trajectory(
            child=child,
            provider=provider,
            product=product,
            start_date=dt.date(2025, 1, 1) + dt.timedelta(days=i),
            planned_end_date=dt.date(2025, 12, 31),
            volume=Decimal("2"),
            unit="04",
            frequency="2",
            tariff=Decimal("95.00"),
            financing="inspanning",
            norm_months=12,
            allocation_number=f"{tag}{i}",
        )
        for i in range(60)  # above COPY_MIN_ROWS
    ]


def test_copy_and_bulk_helpers_write_the_same_rows_and_history(beheer_a):
    child, provider, product = ChildFactory(), ProviderFactory(), ambulant_product()
    on_postgres = connection.vendor == "postgresql"
    assert HistoryWriter(user=beheer_a, reason="x").use_copy is on_postgres  # SQLite: always the bulk helpers

    by_helpers = HistoryWriter(user=beheer_a, reason="import a #1", use_copy=False).create(
        _trajectories(child, provider, product, "A"), Trajectory
    )
    writer = HistoryWriter(user=beheer_a, reason="import a #1", use_copy=on_postgres)
    by_copy = writer.create(_trajectories(child, provider, product, "B"), Trajectory)

    def rows(objs):
        return [
            {name: value for name, value in row.items() if name in COMPARED and name != "allocation_number"}
            for row in Trajectory.objects.filter(pk__in=[o.pk for o in objs]).order_by("start_date").values()
        ]

    def history(objs):
        return [
            (h.id, h.history_type, h.history_user_id, h.history_change_reason, h.daily_cost, h.start_date, h.child_id)
            for h in Trajectory.history.filter(id__in=[o.pk for o in objs]).order_by("start_date")
        ]

    assert rows(by_copy) == rows(by_helpers)
    assert all(o.pk and o.daily_cost == Decimal("27.1429") for o in by_copy)
    assert [h[1:] for h in history(by_copy)] == [h[1:] for h in history(by_helpers)]
    assert [h[0] for h in history(by_copy)] == [o.pk for o in by_copy]
    assert {o.created_at is not None for o in Trajectory.objects.filter(pk__in=[o.pk for o in by_copy])} == {True}
    # The sequence moved past the copied ids: the next ordinary insert does not collide.
    later = HistoryWriter(user=beheer_a, reason="y", use_copy=False).create(
        _trajectories(child, provider, product, "C")[:1], Trajectory
    )
    assert later[0].pk > max(o.pk for o in by_copy)


def _values(child, provider, product, tag):
    """The same trajectories as plain values, as the CSV import hands them to create_values."""
    fields = [f.attname for f in Trajectory._meta.concrete_fields if f.attname in COMPARED or f.name == "tariff"]
    return [
        {name: getattr(t, name) for name in fields if name not in ("daily_cost", "version")}
        for t in _trajectories(child, provider, product, tag)
    ]


def test_rows_from_plain_values_match_the_bulk_helpers(beheer_a):
    child, provider, product = ChildFactory(), ProviderFactory(), ambulant_product()
    on_postgres = connection.vendor == "postgresql"
    by_helpers = HistoryWriter(user=beheer_a, reason="import a #1", use_copy=False).create_values(
        _values(child, provider, product, "A"), Trajectory
    )
    by_copy = HistoryWriter(user=beheer_a, reason="import a #1", use_copy=on_postgres).create_values(
        _values(child, provider, product, "B"), Trajectory
    )

    def rows(ids):
        return [
            {name: value for name, value in row.items() if name in COMPARED and name != "allocation_number"}
            for row in Trajectory.objects.filter(pk__in=ids).order_by("start_date").values()
        ]

    def history(ids):
        return [
            (h.history_type, h.history_user_id, h.history_change_reason, h.daily_cost, h.version, h.created_at)
            for h in Trajectory.history.filter(id__in=ids).order_by("start_date")
        ]

    assert len(by_copy) == 60 and rows(by_copy) == rows(by_helpers)
    assert rows(by_copy)[0]["daily_cost"] == Decimal("27.1429") and rows(by_copy)[0]["version"] == 1
    assert [h[:5] for h in history(by_copy)] == [h[:5] for h in history(by_helpers)]
    assert all(h[5] is not None for h in history(by_copy))

    def every_history_field(ids):
        # Everything but what differs by nature: the ids, the moments of writing, the allocation numbers.
        differ = {"history_id", "id", "history_date", "created_at", "updated_at", "allocation_number"}
        return [
            {name: value for name, value in row.items() if name not in differ}
            for row in Trajectory.history.filter(id__in=ids).order_by("start_date").values()
        ]

    assert every_history_field(by_copy) == every_history_field(by_helpers)
    assert list(Trajectory.history.filter(id__in=by_copy).order_by("history_id").values_list("id", flat=True)) == (
        sorted(by_copy)
    )
    assert list(
        Trajectory.objects.filter(pk__in=by_copy).order_by("pk").values_list("allocation_number", flat=True)
    ) == [f"B{i}" for i in range(60)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is the PostgreSQL path")
def test_children_written_by_copy_get_their_search_names_from_the_database(beheer_a):
    """The stored upper-cased names (generated columns) are not in COPY's columns: the database fills them."""
    household = HouseholdFactory()
    rows = [
        {
            "gemeente_id": household.gemeente_id,
            "household_id": household.pk,
            "first_name": f"Zoë{i}",
            "last_name": "van den Berg",
            "birth_date": dt.date(2015, 1, 1),
        }
        for i in range(60)  # above COPY_MIN_ROWS
    ]
    ids = copy_values(HistoryWriter(user=beheer_a, reason="import", use_copy=True), rows, Child)
    assert Child.objects.filter(pk=ids[0]).values_list("first_name_upper", "last_name_upper").get() == (
        "ZOË0",
        "VAN DEN BERG",
    )
    assert Child.history.filter(id__in=ids).count() == 60
