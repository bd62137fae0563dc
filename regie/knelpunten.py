"""Knelpunten: the structural bottlenecks the regisseur names, and the decisions that stand behind them.

Writes are the services below (history with the user, on the knelpunt and on its links); the list reads
every link of a gemeente in one query and groups it here, so the page and the report run the same
number of queries for any number of knelpunten.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Gemeente, Role
from cases.services import as_user

from .models import Decision, DecisionKind, Knelpunt, KnelpuntStatus

LINKABLE = (KnelpuntStatus.OPEN, KnelpuntStatus.IN_PROGRESS)


def _require_regisseur_of(user, gemeente_id: int) -> None:
    if user.role != Role.REGISSEUR:
        raise ValidationError({"__all__": "Alleen een regisseur legt knelpunten vast."})
    if not user.serves(gemeente_id):
        raise ValidationError({"__all__": "U werkt niet voor deze gemeente."})


def _check(title: str, status: str) -> dict[str, str]:
    errors = {}
    if not (title or "").strip():
        errors["title"] = "Geef het knelpunt een titel, bijvoorbeeld: geen passend aanbod voor …"
    if status not in KnelpuntStatus.values:
        errors["status"] = "Kies de status."
    return errors


def _save(knelpunt: Knelpunt, user) -> Knelpunt:
    try:
        with transaction.atomic():
            as_user(knelpunt, user).save()
    except IntegrityError:
        raise ValidationError({"title": f"Het knelpunt '{knelpunt.title}' bestaat al."}) from None
    return knelpunt


def knelpunt_create(*, user, gemeente: Gemeente, title: str, description: str = "", status: str = "open") -> Knelpunt:
    _require_regisseur_of(user, gemeente.pk)
    if errors := _check(title, status):
        raise ValidationError(errors)
    knelpunt = Knelpunt(
        gemeente=gemeente,
        title=title.strip(),
        description=(description or "").strip(),
        status=status,
        created_by=user,
        created_at=timezone.now(),
    )
    return _save(knelpunt, user)


def knelpunt_update(*, user, knelpunt: Knelpunt, title: str, description: str, status: str) -> Knelpunt:
    _require_regisseur_of(user, knelpunt.gemeente_id)
    if errors := _check(title, status):
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Knelpunt.objects.select_for_update().get(pk=knelpunt.pk)
        locked.title, locked.description, locked.status = title.strip(), (description or "").strip(), status
        return _save(locked, user)


def knelpunten_errors(*, gemeente_id: int, knelpunten) -> dict[str, str]:
    """A decision links only knelpunten of its own gemeente that are not yet solved."""
    wrong = [k for k in knelpunten if k.gemeente_id != gemeente_id or k.status not in LINKABLE]
    if wrong:
        names = ", ".join(f"'{k.title}'" for k in wrong)
        return {"knelpunten": f"Niet te koppelen (opgelost of van een andere gemeente): {names}."}
    return {}


def decision_link_knelpunten(*, user, decision: Decision, knelpunten) -> None:
    """Link a decision to knelpunten; the caller holds the transaction (regie.services.decision_record)."""
    for knelpunt in knelpunten:
        as_user(knelpunt, user)
        knelpunt.decisions.add(decision)


# --- reading -----------------------------------------------------------------------------------------


@dataclass
class KnelpuntRow:
    knelpunt: Knelpunt
    decisions: int = 0
    children: set = field(default_factory=set)
    cost: Decimal = Decimal("0")  # open care cost at the latest linked decision, once per case
    kinds: dict = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return len(self.children)

    @property
    def kind_text(self) -> str:
        labels = dict(DecisionKind.choices)
        # "Route naar Wlz" keeps its capital: only the first letter goes lower case.
        return ", ".join(
            f"{n}× {labels[k][0].lower()}{labels[k][1:]}" for k, n in sorted(self.kinds.items(), key=lambda x: -x[1])
        )


def knelpunt_rows(gemeente: Gemeente, *, statuses=None) -> list[KnelpuntRow]:
    """The gemeente's knelpunten, open ones first, each with its linked decisions, the cases behind them
    and what their open care cost at the (latest linked) decision: two queries."""
    knelpunten = Knelpunt.objects.filter(gemeente=gemeente)
    if statuses is not None:
        knelpunten = knelpunten.filter(status__in=statuses)
    rows = {k.pk: KnelpuntRow(k) for k in knelpunten.order_by("status", "title")}
    links = (
        Knelpunt.decisions.through.objects.filter(knelpunt_id__in=list(rows))
        .order_by("decision__decided_at")
        .values("knelpunt_id", "decision__child_id", "decision__kind", "decision__cost_at_decision")
    )
    latest_cost = defaultdict(dict)
    for link in links:
        row = rows[link["knelpunt_id"]]
        row.decisions += 1
        row.children.add(link["decision__child_id"])
        row.kinds[link["decision__kind"]] = row.kinds.get(link["decision__kind"], 0) + 1
        latest_cost[row.knelpunt.pk][link["decision__child_id"]] = link["decision__cost_at_decision"]
    for pk, costs in latest_cost.items():
        rows[pk].cost = sum(costs.values(), Decimal("0"))
    order = {KnelpuntStatus.OPEN: 0, KnelpuntStatus.IN_PROGRESS: 1, KnelpuntStatus.SOLVED: 2}
    return sorted(rows.values(), key=lambda r: (order.get(r.knelpunt.status, 3), -r.decisions, r.knelpunt.title))
