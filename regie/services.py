"""The regisseur's writes: a manual flag, resolving a flag, recording a decision on a case.

A flag's states and the events allowed in each are Flag.TRANSITIONS (regie/models.py): a flag raised
by hand starts as the engine's do, and `flag_resolve` checks the transition under a row lock. The
evaluation never reopens a flag a person resolved while its rule still holds, only one that lapsed and
fires again.
"""

import datetime as dt
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cases import formatting
from cases.models import Child, Role, Trajectory
from cases.services import as_user

from .models import Decision, DecisionKind, Flag, FlagCode, FlagEvent
from .scores import refresh_scores


def _require_regisseur(user, child: Child) -> None:
    if user.role != Role.REGISSEUR:
        raise ValidationError({"__all__": "Alleen een regisseur kan dit vastleggen."})
    if not Child.objects.visible_to(user).filter(pk=child.pk).exists():
        raise ValidationError({"__all__": "U werkt niet voor de gemeente van deze jeugdige."})


def open_care_cost(child_ids, today: dt.date) -> dict[int, Decimal]:
    """Cost of each child's open care (to date plus committed to the planned end), in one query."""
    costs = Trajectory.objects.filter(child_id__in=child_ids).open_cost_by_child(today)
    return {child_id: cost.quantize(Decimal("0.01")) for child_id, cost in costs.items()}


def flag_raise_manual(*, user, child: Child, reason: str) -> Flag:
    _require_regisseur(user, child)
    if not reason.strip():
        raise ValidationError({"reason": "Geef de reden van het signaal."})
    state = Flag.TRANSITIONS[None][FlagEvent.RAISE]
    with transaction.atomic():
        # A negative, time-based subject keeps several manual flags on one child apart.
        flag = Flag.objects.create(
            gemeente_id=child.gemeente_id,
            child=child,
            code=FlagCode.MANUAL,
            subject_key=-time.time_ns() // 1000,
            firing=state.firing,
            active=state.active,
            reason=reason.strip(),
            raised_by=user,
            raised_at=timezone.now(),
        )
        refresh_scores(today=timezone.localdate(), child_ids=[child.pk])
    return flag


def flag_resolve(*, user, flag: Flag, note: str) -> Flag:
    _require_regisseur(user, flag.child)
    if not note.strip():
        raise ValidationError({"note": "Geef aan waarom het signaal is afgehandeld."})
    with transaction.atomic():
        locked = Flag.objects.select_for_update().get(pk=flag.pk)
        state = locked.after(FlagEvent.RESOLVE)  # already resolved or lapsed: refused
        locked.firing, locked.active = state.firing, state.active
        locked.resolved_at = timezone.now()
        locked.resolved_by = user
        locked.resolution_note = note.strip()
        locked.save(update_fields=["firing", "active", "resolved_at", "resolved_by", "resolution_note"])
        refresh_scores(today=timezone.localdate(), child_ids=[locked.child_id])
    return locked


def decision_errors(
    *, kind: str, reason: str, follow_up_date: dt.date | None, actor: str, today: dt.date
) -> dict[str, str]:
    """What is wrong with this decision, per field (empty: nothing). The form shows them all at once."""
    errors = {}
    if kind not in DecisionKind.values:
        errors["kind"] = "Kies een besluit."
    if not (reason or "").strip():
        errors["reason"] = "Motiveer het besluit."
    if follow_up_date is None:
        errors["follow_up_date"] = "Kies een vervolgdatum."
    elif follow_up_date <= today:
        errors["follow_up_date"] = "De vervolgdatum ligt na vandaag."
    elif follow_up_date > today + dt.timedelta(days=366):
        errors["follow_up_date"] = "Kies een vervolgdatum binnen een jaar."
    if not (actor or "").strip():
        errors["actor"] = "Geef aan wie actie onderneemt."
    return errors


def decision_record(
    *,
    user,
    child: Child,
    kind: str,
    reason: str,
    follow_up_date: dt.date | None,
    actor: str,
    seen_decision: int | None = None,
) -> Decision:
    """Record the regisseur's decision; the case leaves the queue until the follow-up date.

    `seen_decision` is the latest decision the regisseur saw when she opened the form (0: none). If
    another decision was recorded since, hers is refused rather than silently placed on top of it:
    the child's row lock makes two regisseurs deciding at once take turns, and the second one sees
    the first's decision.
    """
    _require_regisseur(user, child)
    today = timezone.localdate()
    errors = decision_errors(kind=kind, reason=reason, follow_up_date=follow_up_date, actor=actor, today=today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Child.objects.select_for_update().filter(pk=child.pk).first()
        latest = Decision.objects.filter(child=child).select_related("decided_by").order_by("-decided_at").first()
        if seen_decision is not None and (latest.pk if latest else 0) != seen_decision:
            who = latest.decided_by.get_full_name() or latest.decided_by.username
            when = formatting.date(timezone.localtime(latest.decided_at).date())
            message = (
                f"Intussen heeft {who} op {when} besloten: {latest.get_kind_display().lower()}. "
                "Bekijk dat besluit; uw invoer staat nog hieronder."
            )
            raise ValidationError({"__all__": message})
        codes = sorted(set(Flag.objects.filter(child=child, active=True).values_list("code", flat=True)))
        decision = Decision(
            child=child,
            gemeente_id=child.gemeente_id,
            kind=kind,
            reason=reason.strip(),
            follow_up_date=follow_up_date,
            actor=actor.strip(),
            decided_by=user,
            decided_at=timezone.now(),
            cost_at_decision=open_care_cost([child.pk], today).get(child.pk, Decimal("0")),
            flag_codes=",".join(codes),
        )
        as_user(decision, user).save()
    return decision
