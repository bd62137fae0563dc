"""The lists of Mijn werk: what is due, for one worker, for the unassigned files or for a whole team.

Every section is two queries whatever the data (its first rows, and its counts in one aggregate), so
the pages and the daily digest cost the same for a gemeente of 500 children or of 26,000.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from cases.formatting import date as nl_date
from cases.models import (
    CaseAccessLog,
    Child,
    Extension,
    ExtensionStatus,
    StopReview,
    Task,
    TaskOrigin,
    Trajectory,
)
from referrals.models import Referral
from regie.codes import FlagCode
from regie.models import Decision, DecisionKind, Flag, QueueVisit
from regie.ranking import top_child_ids

from .windows import Punctuality, due_within, overdue_after, punctuality

ROWS_PER_SECTION = 25
RECENT_FILES = 8
UNASSIGNED = "unassigned"


@dataclass
class Scope:
    """Whose work: `owner` a user, UNASSIGNED (files without casusregisseur) or None (the whole team)."""

    user: object
    gemeente_ids: list[int]
    today: dt.date
    owner: object = None

    def children(self, path: str = "") -> Q:
        q = Q(**{f"{path}gemeente_id__in": self.gemeente_ids})
        if self.owner == UNASSIGNED:
            q &= Q(**{f"{path}owner__isnull": True})
        elif self.owner is not None:
            q &= Q(**{f"{path}owner": self.owner})
        return q


@dataclass
class Item:
    child: Child
    what: str
    due: dt.date | None
    punctuality: Punctuality
    url: str
    detail: str = ""


@dataclass
class Section:
    key: str
    title: str
    explanation: str
    items: list[Item] = field(default_factory=list)
    count: int = 0
    overdue: int = 0

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _file(child: Child, anchor: str = "") -> str:
    return reverse("cases:child_detail", args=[child.pk]) + (f"#{anchor}" if anchor else "")


def _counts(qs, overdue: Q) -> tuple[int, int]:
    got = qs.order_by().aggregate(count=Count("pk"), overdue=Count("pk", filter=overdue))
    return got["count"], got["overdue"]


# --- the toegangsmedewerker's sections ------------------------------------------------------------


def reviews_due(scope: Scope, windows) -> Section:
    qs = StopReview.objects.filter(
        scope.children("trajectory__child__"),
        due_within(
            windows,
            "review_days",
            due_field="due_date",
            gemeente_field="trajectory__child__gemeente_id",
            today=scope.today,
        ),
        done_date__isnull=True,
        trajectory__end_date__isnull=True,
    )
    section = Section(
        "reviews", "Stopstrategie-reviews", "Reviews die binnen de termijn of te laat zijn, nog niet vastgelegd."
    )
    section.count, section.overdue = _counts(qs, Q(due_date__lt=scope.today))
    for review in qs.select_related("trajectory__child__owner", "trajectory__product").order_by("due_date", "pk")[
        :ROWS_PER_SECTION
    ]:
        child = review.trajectory.child
        window = windows[child.gemeente_id].review_days
        section.items.append(
            Item(
                child,
                f"Review {review.trajectory.product.description}",
                review.due_date,
                punctuality(review.due_date, window, scope.today),
                _file(child, f"traject-{review.trajectory_id}"),
            )
        )
    return section


def trajectories_ending(scope: Scope, windows) -> Section:
    pending = Extension.objects.filter(trajectory=OuterRef("pk"), status=ExtensionStatus.PENDING)
    qs = Trajectory.objects.filter(
        scope.children("child__"),
        due_within(
            windows,
            "trajectory_end_days",
            due_field="planned_end_date",
            gemeente_field="child__gemeente_id",
            today=scope.today,
        ),
        end_date__isnull=True,
    ).exclude(Exists(pending))
    section = Section(
        "einde",
        "Trajecten die aflopen",
        "Voorbij of binnen de termijn van de geplande einddatum, zonder verlengingsaanvraag of einde.",
    )
    section.count, section.overdue = _counts(qs, Q(planned_end_date__lt=scope.today))
    for trajectory in qs.select_related("child__owner", "product", "provider").order_by("planned_end_date", "pk")[
        :ROWS_PER_SECTION
    ]:
        window = windows[trajectory.child.gemeente_id].trajectory_end_days
        section.items.append(
            Item(
                trajectory.child,
                f"{trajectory.product.description} bij {trajectory.provider.name}",
                trajectory.planned_end_date,
                punctuality(trajectory.planned_end_date, window, scope.today),
                _file(trajectory.child, f"traject-{trajectory.pk}"),
            )
        )
    return section


def referrals_without_outcome(scope: Scope, windows) -> Section:
    qs = Referral.objects.filter(
        scope.children("child__"),
        overdue_after(
            windows, "referral_outcome_days", date_field="date", gemeente_field="child__gemeente_id", today=scope.today
        ),
        outcome="",
    )
    section = Section(
        "verwijzingen", "Verwijzingen zonder uitkomst", "Verwijzingen waarvan de uitkomst na de termijn nog ontbreekt."
    )
    section.count, section.overdue = _counts(qs, Q(pk__isnull=False))
    for referral in qs.select_related("child__owner").order_by("date", "pk")[:ROWS_PER_SECTION]:
        window = windows[referral.child.gemeente_id].referral_outcome_days
        due = referral.date + dt.timedelta(days=window)
        section.items.append(
            Item(
                referral.child,
                f"Verwijzing {referral.get_source_display()} van {nl_date(referral.date)}",
                due,
                punctuality(due, window, scope.today),
                _file(referral.child, "verwijzingen"),
            )
        )
    return section


def children_waiting(scope: Scope, windows) -> Section:
    """Referred but not in care after the wachttijd threshold: the active wachttijd signals, so this
    list and the regisseur's signal can never disagree about who waits."""
    qs = Flag.objects.filter(scope.children("child__"), code=FlagCode.WAITING, active=True)
    section = Section(
        "wachtend", "Wachtende jeugdigen", "Verwezen, maar na de wachttijdnorm van de gemeente nog niet in zorg."
    )
    section.count, section.overdue = _counts(qs, Q(pk__isnull=False))
    for flag in qs.select_related("child__owner").order_by("reference_date", "pk")[:ROWS_PER_SECTION]:
        weeks = int(flag.norm or 0)
        due = flag.reference_date + dt.timedelta(weeks=weeks) if flag.reference_date else None
        section.items.append(
            Item(
                flag.child,
                f"Verwezen op {nl_date(flag.reference_date)}, norm {weeks} weken",
                due,
                punctuality(due, weeks * 7, scope.today),
                _file(flag.child, "signalen"),
            )
        )
    return section


def extensions_returned(scope: Scope, windows) -> Section:
    since = scope.today - dt.timedelta(days=max(w.returned_extension_days for w in windows.values()))
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    who = scope.children("trajectory__child__")
    if scope.owner not in (None, UNASSIGNED):
        who |= Q(trajectory__child__gemeente_id__in=scope.gemeente_ids, requested_by=scope.owner)
    qs = Extension.objects.filter(who, decided_at__gte=start).exclude(status=ExtensionStatus.PENDING)
    section = Section(
        "teruggekomen", "Teruggekomen verlengingsbesluiten", "Besluiten van de toetsing van de afgelopen dagen."
    )
    section.count, section.overdue = _counts(qs, Q(pk__in=[]))
    for extension in qs.select_related("trajectory__child__owner", "trajectory__product").order_by("-decided_at", "pk")[
        :ROWS_PER_SECTION
    ]:
        child = extension.trajectory.child
        section.items.append(
            Item(
                child,
                f"{extension.get_status_display()}: {extension.trajectory.product.description}",
                None,
                punctuality(None, 0, scope.today),
                _file(child, f"traject-{extension.trajectory_id}"),
                detail=f"besloten {nl_date(timezone.localtime(extension.decided_at).date())}",
            )
        )
    return section


def open_tasks(scope: Scope, windows, *, for_user=None, origin: str = "", overdue_only: bool = False) -> Section:
    qs = Task.objects.open().filter(gemeente_id__in=scope.gemeente_ids)
    if for_user is not None:
        qs = qs.for_user(for_user)
    elif scope.owner == UNASSIGNED:
        qs = qs.filter(child__owner__isnull=True)
    elif scope.owner is not None:
        qs = qs.filter(owner=scope.owner)
    if origin:
        qs = qs.filter(origin=origin)
    if overdue_only:
        qs = qs.filter(due_date__lt=scope.today)
    else:
        qs = qs.filter(
            due_within(windows, "task_days", due_field="due_date", gemeente_field="gemeente_id", today=scope.today)
        )
    if origin == TaskOrigin.DECISION:
        section = Section(
            "besluittaken", "Besluiten met taken over de datum", "Taken uit uw besluiten die te laat zijn."
        )
    else:
        section = Section("taken", "Taken", "Open taken die binnen de termijn vallen of te laat zijn.")
    section.count, section.overdue = _counts(qs, Q(due_date__lt=scope.today))
    for task in qs.select_related("child__owner", "owner", "gemeente").order_by("due_date", "pk")[:ROWS_PER_SECTION]:
        window = windows[task.gemeente_id].task_days
        section.items.append(
            Item(
                task.child,
                task.title,
                task.due_date,
                punctuality(task.due_date, window, scope.today),
                _file(task.child, f"taak-{task.pk}"),
                detail=task.owner_label,
            )
        )
    return section


def recent_files(user, gemeente_ids) -> list[Child]:
    """The files this user opened last (from the inzagelog), newest first."""
    latest = (
        CaseAccessLog.objects.filter(user=user, child__isnull=False, gemeente_id__in=gemeente_ids)
        .values("child_id")
        .annotate(last=Max("at"))
        .order_by("-last")[:RECENT_FILES]
    )
    ids = [row["child_id"] for row in latest]
    children = Child.objects.filter(pk__in=ids).select_related("owner").in_bulk()
    return [children[pk] for pk in ids if pk in children]


def toegang_sections(scope: Scope, windows, *, tasks_for=None) -> list[Section]:
    return [
        reviews_due(scope, windows),
        trajectories_ending(scope, windows),
        referrals_without_outcome(scope, windows),
        children_waiting(scope, windows),
        extensions_returned(scope, windows),
        open_tasks(scope, windows, for_user=tasks_for),
    ]


# --- the regisseur's sections -------------------------------------------------------------------


def _latest_decisions(scope: Scope):
    later = Decision.objects.filter(child=OuterRef("child_id"), decided_at__gt=OuterRef("decided_at"))
    return Decision.objects.filter(gemeente_id__in=scope.gemeente_ids).exclude(Exists(later))


def follow_ups_reached(scope: Scope, windows) -> Section:
    qs = _latest_decisions(scope).filter(
        due_within(
            windows, "follow_up_days", due_field="follow_up_date", gemeente_field="gemeente_id", today=scope.today
        )
    )
    section = Section(
        "vervolg", "Vervolgdatums", "Besluiten waarvan de vervolgdatum bereikt is of binnen de termijn valt."
    )
    section.count, section.overdue = _counts(qs, Q(follow_up_date__lt=scope.today))
    for decision in qs.select_related("child__owner").order_by("follow_up_date", "pk")[:ROWS_PER_SECTION]:
        window = windows[decision.gemeente_id].follow_up_days
        section.items.append(
            Item(
                decision.child,
                f"{decision.get_kind_display()} (besloten {nl_date(timezone.localtime(decision.decided_at).date())})",
                decision.follow_up_date,
                punctuality(decision.follow_up_date, window, scope.today),
                _file(decision.child, "besluiten"),
                detail=decision.actor,
            )
        )
    return section


def open_escalations(scope: Scope, windows) -> Section:
    """Escalations still standing: the child's latest decision is bestuurlijk opschalen."""
    qs = _latest_decisions(scope).filter(kind=DecisionKind.ESCALATE)
    section = Section(
        "opschalingen", "Open opschalingen", "Bestuurlijk opgeschaalde casussen; te laat na de termijn van de gemeente."
    )
    rows = list(qs.select_related("child__owner").order_by("decided_at", "pk")[:ROWS_PER_SECTION])
    overdue = Q(pk__in=[])
    for gemeente_id, window in windows.items():
        cutoff = timezone.make_aware(
            dt.datetime.combine(scope.today - dt.timedelta(days=window.escalation_days), dt.time.min)
        )
        overdue |= Q(gemeente_id=gemeente_id, decided_at__lt=cutoff)
    section.count, section.overdue = _counts(qs, overdue)
    for decision in rows:
        window = windows[decision.gemeente_id].escalation_days
        due = timezone.localtime(decision.decided_at).date() + dt.timedelta(days=window)
        section.items.append(
            Item(
                decision.child,
                f"Opgeschaald op {nl_date(timezone.localtime(decision.decided_at).date())}",
                due,
                punctuality(due, window, scope.today),
                _file(decision.child, "besluiten"),
                detail=decision.reason[:80],
            )
        )
    return section


def new_in_top(scope: Scope, gemeente) -> Section:
    """Cases in today's top N that were not in it when this regisseur last looked at the queue."""
    visit = QueueVisit.objects.filter(user=scope.user, gemeente=gemeente).first()
    top = top_child_ids(gemeente, today=scope.today)
    seen = set(visit.child_ids) if visit else set()
    new_ids = [pk for pk in top if pk not in seen]
    since = nl_date(timezone.localtime(visit.seen_at).date()) if visit else "nooit"
    section = Section(
        "nieuw_in_top", "Nieuw in de top", f"Sinds uw laatste bezoek aan de top ({since}) in de top gekomen."
    )
    section.count = len(new_ids)
    children = Child.objects.filter(pk__in=new_ids[:ROWS_PER_SECTION]).select_related("owner").in_bulk()
    for rank_pk in new_ids[:ROWS_PER_SECTION]:
        child = children[rank_pk]
        section.items.append(
            Item(
                child,
                f"Plaats {top.index(rank_pk) + 1}",
                None,
                punctuality(None, 0, scope.today),
                _file(child, "signalen"),
            )
        )
    return section


def regisseur_sections(scope: Scope, windows, gemeente) -> list[Section]:
    return [
        follow_ups_reached(scope, windows),
        open_tasks(scope, windows, origin=TaskOrigin.DECISION, overdue_only=True),
        new_in_top(scope, gemeente),
        open_escalations(scope, windows),
        open_tasks(scope, windows, for_user=scope.user),
    ]


# --- the team ------------------------------------------------------------------------------------


@dataclass
class Caseload:
    owner: object  # a user, or None for the unassigned files
    children: int = 0
    tasks: int = 0
    overdue: int = 0


def caseloads(gemeente_id: int, today: dt.date, workers) -> list[Caseload]:
    """Per worker of the team (and for the unassigned files): open files, open tasks, overdue work.

    Overdue work is what Mijn werk shows in red: tasks, reviews and trajectories past their date.
    """
    loads = {w.pk: Caseload(w) for w in workers}
    loads[None] = Caseload(None)

    def add(rows, attr):
        for row in rows:
            load = loads.get(row["owner"])
            if load is not None:
                setattr(load, attr, getattr(load, attr) + row["n"])

    open_children = Child.objects.filter(gemeente_id=gemeente_id, closed_on__isnull=True)
    add(open_children.values("owner").annotate(n=Count("pk")).order_by(), "children")
    tasks = Task.objects.open().filter(gemeente_id=gemeente_id)
    add(tasks.values("owner").annotate(n=Count("pk")).order_by(), "tasks")
    add(tasks.filter(due_date__lt=today).values("owner").annotate(n=Count("pk")).order_by(), "overdue")
    reviews = StopReview.objects.filter(
        trajectory__child__gemeente_id=gemeente_id,
        done_date__isnull=True,
        trajectory__end_date__isnull=True,
        due_date__lt=today,
    )
    add(reviews.values(owner=F("trajectory__child__owner")).annotate(n=Count("pk")).order_by(), "overdue")
    pending = Extension.objects.filter(trajectory=OuterRef("pk"), status=ExtensionStatus.PENDING)
    ended = Trajectory.objects.filter(
        child__gemeente_id=gemeente_id, end_date__isnull=True, planned_end_date__lt=today
    ).exclude(Exists(pending))
    add(ended.values(owner=F("child__owner")).annotate(n=Count("pk")).order_by(), "overdue")
    return list(loads.values())
