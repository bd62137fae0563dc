"""Demo declarations: past months only, mostly close to the allocation, some under-delivery, answered."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count

from cases.models import Declaration, DeclarationStatus, Gemeente
from demo import builder as demo
from reports import kpis
from reports.kpis import Period

from ..factories import ensure_catalogue

TODAY = dt.date(2026, 12, 6)


@pytest.mark.django_db
def test_demo_declares_the_last_six_months_believably():
    ensure_catalogue()
    demo.build_demo(scale=0.1, today=TODAY)

    months = list(Declaration.objects.order_by("month").values_list("month", flat=True).distinct())
    assert months == [dt.date(2026, m, 1) for m in range(6, 12)]  # June to November: past months only
    statuses = dict(Declaration.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[DeclarationStatus.APPROVED] > 20 * statuses[DeclarationStatus.REJECTED] > 0
    # The last month is partly answered, so the dashboard's Toegekend is not stuck at 0 beside Nog niet beantwoord.
    assert set(Declaration.objects.filter(month=dt.date(2026, 11, 1)).values_list("status", flat=True)) == {
        DeclarationStatus.SUBMITTED,
        DeclarationStatus.APPROVED,
    }
    assert not Declaration.history.filter(history_user__isnull=True).exists()
    declared = kpis.declared_vs_allocated(Gemeente.objects.get(code="9901"), Period.month(2026, 11))
    # Mostly close to the allocation, with under-delivery (and care past its planned end is not declarable).
    assert 70 <= declared.declared_pct <= 98
    assert any(row.declared_pct < 85 for row in declared.rows)
    assert all(row.declared <= row.allocated + Decimal("0.01") for row in declared.rows)
