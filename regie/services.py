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
from cases.models import Child, Product, Role, TaskKind, TaskOrigin, Trajectory, User, daily_cost
from cases.services import SCALE_DOWN_KEY_SUFFIX, as_user, review_plan, task_create
from cases.terms import monthly_cost, trajectory_terms

from . import figures
from .knelpunten import decision_link_knelpunten, knelpunten_errors
from .models import (
    CaseMeeting,
    CaseMeetingItem,
    CaseMeetingKind,
    Decision,
    DecisionKind,
    Escalation,
    EscalationStatus,
    Flag,
    FlagCode,
    FlagEvent,
)
from .scores import refresh_scores
from .wlz import open_route_message, open_route_of, wlz_route_open


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
        # The gemeente's stored figures (patronen, the queue's provider filter) follow the flags.
        figures.request_refresh([child.gemeente_id])
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
        figures.request_refresh({locked.gemeente_id, flag.child.gemeente_id})  # as for a manual flag
    return locked


def decision_errors(
    *,
    kind: str,
    reason: str,
    follow_up_date: dt.date | None,
    actor: str,
    today: dt.date,
    child: Child | None = None,
    trajectory: Trajectory | None = None,
    act_by: dt.date | None = None,
    end_reason: str = "",
    proposed_volume: Decimal | None = None,
    question: str = "",
    meeting: "CaseMeeting | None" = None,
    proposed_product: Product | None = None,
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
    if kind in ACTING_KINDS:
        verb = "afschalen" if kind == DecisionKind.SCALE_DOWN else "beëindigen"
        if trajectory is None:
            errors["trajectory"] = f"Kies het traject dat u wilt {verb}."
        elif trajectory.end_date is not None or (child is not None and trajectory.child_id != child.pk):
            errors["trajectory"] = "Kies een lopend traject van deze jeugdige."
        if act_by is None:
            errors["act_by"] = "Geef aan wanneer het uiterlijk gedaan moet zijn."
        elif act_by < today:
            errors["act_by"] = "Deze datum ligt in het verleden."
        elif trajectory is not None and act_by < trajectory.start_date:
            errors["act_by"] = (
                f"Deze datum ligt vóór de start van het traject ({formatting.date(trajectory.start_date)})."
            )
    if meeting is not None and child is not None and meeting.gemeente_id != child.gemeente_id:
        errors["meeting"] = "Dit overleg is van een andere gemeente."
    if kind == DecisionKind.WLZ and child is not None and (route := open_route_of(child)) is not None:
        errors["kind"] = open_route_message(route)
    if kind == DecisionKind.ESCALATE and not (question or "").strip():
        errors["question"] = "Stel de vraag aan de bestuurder."
    if kind == DecisionKind.END and not end_reason:
        errors["end_reason"] = "Kies de reden van beëindiging (JZ588)."
    if kind == DecisionKind.SCALE_DOWN:
        if proposed_volume is None:
            errors["proposed_volume"] = "Geef het lichtere volume dat u voorstelt."
        elif proposed_volume <= 0:
            errors["proposed_volume"] = "Het volume is groter dan 0; wilt u stoppen, kies dan beëindigen."
        elif proposed_product is not None and trajectory is not None and proposed_product != trajectory.product:
            before = monthly_cost(trajectory.daily_cost)
            after = proposed_monthly_cost(trajectory, proposed_product, proposed_volume)
            if before is not None and after is not None and after >= before:
                errors["proposed_product"] = (
                    f"{proposed_product.code} {proposed_product.description} kost bij dit volume "
                    f"{formatting.euro(after)} per maand, niet minder dan nu ({formatting.euro(before)})."
                )
        elif trajectory is not None and proposed_volume >= trajectory.volume:
            errors["proposed_volume"] = (
                f"Afschalen is minder dan het huidige volume ({formatting.number(trajectory.volume)})."
            )
    return errors


def proposed_monthly_cost(trajectory: Trajectory, product: Product | None, volume: Decimal) -> Decimal | None:
    """What the trajectory would cost per month at `volume` of `product` (None: the same product), at the
    same provider, frequency and period; None without a price per case (taakgericht)."""
    if product is None or product == trajectory.product:
        tariff = trajectory.tariff
    else:
        tariff = trajectory_terms(product, trajectory.provider).tariff
    return monthly_cost(
        daily_cost(
            tariff=tariff,
            volume=Decimal(str(volume)),
            frequency=trajectory.frequency,
            start=trajectory.start_date,
            planned_end=trajectory.planned_end_date,
        )
    )


# The decisions that give the case owner work on a trajectory, through the task service.
ACTING_KINDS = (DecisionKind.SCALE_DOWN, DecisionKind.END)


def decision_record(
    *,
    user,
    child: Child,
    kind: str,
    reason: str,
    follow_up_date: dt.date | None,
    actor: str,
    seen_decision: int | None = None,
    trajectory: Trajectory | None = None,
    act_by: dt.date | None = None,
    end_reason: str = "",
    proposed_volume: Decimal | None = None,
    question: str = "",
    meeting: CaseMeeting | None = None,
    meeting_item: CaseMeetingItem | None = None,
    knelpunten=(),
    proposed_product: Product | None = None,
) -> Decision:
    """Record the regisseur's decision; the case leaves the queue until the follow-up date.

    Bestuurlijk opschalen puts `question` to the bestuurder (an Escalation).
    Route naar Wlz opens the child's Wlz route (regie/wlz.py); a second open route is refused.

    Afschalen and beëindigen act: a task for the casusregisseur (or the gemeente's toegang when the file
    has none) to change or end the trajectory by `act_by`, keyed to the decision so the work itself
    closes it (cases.services: trajectory_change to a lighter one, trajectory_end); beëindigen also
    plans a stop-strategy review when the trajectory has none open.

    `seen_decision` is the latest decision the regisseur saw when she opened the form (0: none). If
    another decision was recorded since, hers is refused rather than silently placed on top of it:
    the child's row lock makes two regisseurs deciding at once take turns, and the second one sees
    the first's decision.
    """
    _require_regisseur(user, child)
    today = timezone.localdate()
    if proposed_volume is not None:
        proposed_volume = Decimal(str(proposed_volume))
    if kind not in ACTING_KINDS:
        trajectory, act_by, end_reason, proposed_volume = None, None, "", None
    if kind != DecisionKind.SCALE_DOWN:
        proposed_volume, proposed_product = None, None
    elif trajectory is not None and proposed_product == trajectory.product:
        proposed_product = None
    if kind != DecisionKind.END:
        end_reason = ""
    errors = decision_errors(
        kind=kind,
        reason=reason,
        follow_up_date=follow_up_date,
        actor=actor,
        today=today,
        child=child,
        trajectory=trajectory,
        act_by=act_by,
        end_reason=end_reason,
        proposed_volume=proposed_volume,
        question=question,
        meeting=meeting if kind == DecisionKind.CASE_MEETING else None,
        proposed_product=proposed_product,
    )
    if meeting_item is not None and meeting_item.child_id != child.pk:
        errors["__all__"] = "Dit agendapunt gaat over een andere casus."
    errors |= knelpunten_errors(gemeente_id=child.gemeente_id, knelpunten=knelpunten)
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
            trajectory=trajectory,
            act_by=act_by,
            end_reason=end_reason,
            proposed_volume=proposed_volume,
            proposed_product=proposed_product,
        )
        if trajectory is not None:
            decision.monthly_cost_before = monthly_cost(trajectory.daily_cost)
        if proposed_volume is not None:
            decision.proposed_monthly_cost = proposed_monthly_cost(trajectory, proposed_product, proposed_volume)
        as_user(decision, user).save()
        if kind in ACTING_KINDS:
            _decision_tasks(user, decision, child, trajectory)
        if kind == DecisionKind.WLZ:
            wlz_route_open(user=user, decision=decision)
        if kind == DecisionKind.ESCALATE:
            escalation = Escalation(
                decision=decision,
                child=child,
                gemeente_id=child.gemeente_id,
                question=question.strip(),
                created_at=decision.decided_at,
            )
            as_user(escalation, user).save()
        if kind == DecisionKind.CASE_MEETING and meeting is not None:
            case_meeting_add_case(user=user, meeting=meeting, child=child, decision=decision)
        if meeting_item is not None:
            # Recorded from the minutes of a meeting: this decision is that agenda item's outcome.
            case_meeting_record_outcome(user=user, item=meeting_item, decision=decision)
        decision_link_knelpunten(user=user, decision=decision, knelpunten=knelpunten)
    return decision


def _task_owner(child: Child) -> dict:
    """The casusregisseur of the file, or the gemeente's toegang when it has none (or they left)."""
    owner = child.owner
    if owner is not None and owner.is_active and owner.serves(child.gemeente_id):
        return {"owner": owner}
    return {"owner_role": Role.TOEGANG}


def _decision_tasks(user, decision: Decision, child: Child, trajectory: Trajectory) -> None:
    product = trajectory.product.description
    if decision.kind == DecisionKind.SCALE_DOWN:
        saving = decision.expected_monthly_saving
        lighter = decision.proposed_product
        unit = lighter.get_unit_display() if lighter else trajectory.get_unit_display()
        title = (
            f"Afschalen volgens besluit: {product} naar "
            + (f"{lighter.code} {lighter.description}, " if lighter else "")
            + f"{formatting.number(decision.proposed_volume)} "
            f"{unit.lower()} {trajectory.get_frequency_display().lower()}"
            + (f" (verwacht {formatting.euro(saving)} per maand minder)" if saving is not None else "")
        )
        key = f"besluit:{decision.pk}{SCALE_DOWN_KEY_SUFFIX}"
    else:
        title = (
            f"Beëindigen volgens besluit: {product}, reden {decision.end_reason} {decision.get_end_reason_display()}"
        )
        key = f"besluit:{decision.pk}:einde"
    task_create(
        user=user,
        child=child,
        kind=TaskKind.DECISION,
        due_date=decision.act_by,
        title=title,
        origin=TaskOrigin.DECISION,
        trajectory=trajectory,
        key=key,
        **_task_owner(child),
    )
    if decision.kind == DecisionKind.END and not trajectory.reviews.filter(done_date__isnull=True).exists():
        review_plan(user=user, trajectory=trajectory, due_date=decision.act_by)


def escalation_answer(
    *, user, escalation: Escalation, status: str, answer: str, answer_date: dt.date | None
) -> Escalation:
    """The bestuurder records where an escalation stands: besproken, or besluit genomen with the answer.
    The move is checked against Escalation.TRANSITIONS under a row lock; a decided one is final."""
    errors = {}
    if user.role != Role.BESTUURDER:
        errors["__all__"] = "Alleen een bestuurder legt het antwoord op een opschaling vast."
    elif not user.serves(escalation.gemeente_id):
        errors["__all__"] = "U bent geen bestuurder van deze gemeente."
    if status not in EscalationStatus.values:
        errors["status"] = "Kies de status."
    if status == EscalationStatus.DECIDED and not (answer or "").strip():
        errors["answer"] = "Geef het antwoord (het besluit) van de bestuurder."
    if status == EscalationStatus.DECIDED and answer_date is None:
        errors["answer_date"] = "Geef de datum van het besluit."
    elif answer_date is not None and answer_date > timezone.localdate():
        errors["answer_date"] = "De datum ligt in de toekomst."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Escalation.objects.select_for_update().get(pk=escalation.pk)
        if status not in Escalation.TRANSITIONS[locked.status]:
            current = locked.get_status_display().lower()
            raise ValidationError(
                {"status": f"Deze opschaling is {current}; {EscalationStatus(status).label.lower()} kan niet."}
            )
        locked.status = status
        locked.answer = (answer or "").strip()
        locked.answer_date = answer_date
        locked.answered_by = user
        as_user(locked, user).save()
    return locked


# --- case meetings (casusoverleg) -------------------------------------------------------------------


def case_meeting_plan(
    *, user, gemeente, date: dt.date | None, kind: str, participants=(), outside_parties: str = ""
) -> CaseMeeting:
    """Plan (or record afterwards) a casusoverleg of one gemeente; its participants work for it."""
    errors = {}
    if user.role != Role.REGISSEUR:
        errors["__all__"] = "Alleen een regisseur plant een casusoverleg."
    elif not user.serves(gemeente.pk):
        errors["__all__"] = "U werkt niet voor deze gemeente."
    if date is None:
        errors["date"] = "Kies de datum van het overleg."
    elif abs((date - timezone.localdate()).days) > 366:
        errors["date"] = "Kies een datum binnen een jaar van vandaag."
    if kind not in CaseMeetingKind.values:
        errors["kind"] = "Kies de soort overleg."
    serving = set(
        User.objects.filter(pk__in=[p.pk for p in participants], gemeenten=gemeente).values_list("pk", flat=True)
    )
    outsiders = [p for p in participants if p.pk not in serving]
    if outsiders:
        names = ", ".join(p.get_full_name() or p.username for p in outsiders)
        errors["participants"] = f"Werkt niet voor deze gemeente: {names}. Noem externe deelnemers hieronder."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = as_user(
            CaseMeeting(
                gemeente=gemeente, date=date, kind=kind, outside_parties=outside_parties.strip(), created_by=user
            ),
            user,
        )
        meeting.save()
        meeting.participants.set(participants)
    return meeting


def case_meeting_add_case(
    *, user, meeting: CaseMeeting, child: Child, decision: Decision | None = None
) -> CaseMeetingItem:
    """Put a case on a meeting's agenda: a case of the meeting's own gemeente, once."""
    _require_regisseur(user, child)
    if child.gemeente_id != meeting.gemeente_id:
        raise ValidationError(
            {"__all__": f"Dossier {child.case_number} hoort bij een andere gemeente dan dit overleg."}
        )
    with transaction.atomic():
        CaseMeeting.objects.select_for_update().filter(pk=meeting.pk).first()
        existing = CaseMeetingItem.objects.filter(meeting=meeting, child=child).first()
        if existing is not None:
            if decision is not None and existing.decision_id is None:
                existing.decision = decision
                as_user(existing, user).save(update_fields=["decision"])
            return existing
        item = as_user(CaseMeetingItem(meeting=meeting, child=child, decision=decision), user)
        item.save()
    return item


def case_meeting_record_outcome(*, user, item: CaseMeetingItem, decision: Decision) -> CaseMeetingItem:
    """The decision taken on an agenda item is its outcome (the minutes link to it)."""
    if decision.child_id != item.child_id:
        raise ValidationError({"__all__": "Dit besluit gaat over een andere casus dan dit agendapunt."})
    with transaction.atomic():
        locked = CaseMeetingItem.objects.select_for_update().get(pk=item.pk)
        locked.outcome = decision
        as_user(locked, user).save(update_fields=["outcome"])
    return locked
