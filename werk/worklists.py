"""The lists of Mijn werk: what is due, for one worker, for the unassigned files or for a whole team.

Every section is one query whatever the data (its first rows, with its counts as window aggregates). Each
kind of work is one Rule (its queryset for any scope); the pages build their sections from it, and the
daily digest counts the same rules for all users at once, grouped by owner and gemeente
(`digest_counts`), so a page and a digest cannot disagree.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from cases.formatting import date as nl_date
from cases.links import url_with_pk
from cases.models import (
    CaseAccessLog,
    Child,
    Extension,
    ExtensionStatus,
    Gemeente,
    Role,
    StopReview,
    Task,
    TaskOrigin,
    Trajectory,
    User,
)
from referrals.models import Referral
from regie.codes import FlagCode
from regie.models import Decision, Escalation, Flag, QueueVisit
from regie.ranking import top_child_ids, top_children
from regie.residential import NEW_START_DAYS, new_residential_starts

from .windows import Punctuality, due_within, overdue_after, per_window, punctuality, windows_for

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
    with_owners: bool = False  # the team tab shows each file's casusregisseur: only then are they read

    @cached_property
    def file_url(self) -> str:
        """The case file's URL with the child's pk left as {}: reverse() once a page, not once an item."""
        return url_with_pk("cases:child_detail")

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


def _file(scope: Scope, child: Child, anchor: str = "") -> str:
    return scope.file_url.format(child.pk) + (f"#{anchor}" if anchor else "")


def _first_rows(section: Section, rows: QuerySet, overdue: Q, order, related) -> list:
    """The first rows of a section, and its counts in the same query: window aggregates over all its rows
    (read from any row; no rows, no work). One pass over the rows instead of one for the count and one
    for the first rows."""
    first = list(
        rows.select_related(*related)
        .annotate(section_count=Window(Count("pk")), section_overdue=Window(Count("pk", filter=overdue)))
        .order_by(*order)[:ROWS_PER_SECTION]
    )
    if first:
        section.count, section.overdue = first[0].section_count, first[0].section_overdue
    return first


# --- the rules: which rows each kind of work is, for any scope --------------------------------------
#
# A rule is the one place that says what counts as, say, "a review due": the pages take its first rows
# and its counts for one worker or team (Section), the daily digest counts it for every user at once,
# grouped by owner and gemeente (digest_counts, below). Same queryset, so the two can never disagree.


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    explanation: str
    rows: Callable[[Scope, dict], QuerySet]  # the items of this kind within the scope
    overdue: Callable[[Scope, dict], Q]  # which of them are late
    child: str  # path to the child
    gemeente: str  # path to the gemeente the row belongs to
    order: tuple[str, ...]  # most urgent first
    owner: str = ""  # path to the user whose work a row is; "" for work of the whole gemeente
    # Counted in a query of its own: for rows an index gives in order, where the first rows' LIMIT stops
    # early and a count over the same query would read and join every row (the new verblijf starts).
    counted_apart: bool = False

    def section(self, scope: Scope, windows, *related) -> tuple[Section, list]:
        """The section with its counts, and its first rows (most urgent first) to list, each read with its
        child and `related`."""
        section = Section(self.key, self.title, self.explanation)
        related = (self.child_related(scope), *related)
        rows, overdue = self.rows(scope, windows), self.overdue(scope, windows)
        if self.counted_apart:
            counted = rows.order_by().aggregate(count=Count("pk"), overdue=Count("pk", filter=overdue))
            section.count, section.overdue = counted["count"], counted["overdue"]
            return section, list(rows.select_related(*related).order_by(*self.order)[:ROWS_PER_SECTION])
        return section, _first_rows(section, rows, overdue, self.order, related)

    def child_related(self, scope: Scope) -> str:
        return f"{self.child}__owner" if scope.with_owners else self.child


def _late(field: str):
    return lambda scope, windows: Q(**{f"{field}__lt": scope.today})


def _all_late(scope, windows) -> Q:
    return Q(pk__isnull=False)


def _none_late(scope, windows) -> Q:
    return Q(pk__isnull=True)  # never true; not pk__in=[], which empties a query it is a window filter of


def _reviews(scope: Scope, windows):
    return StopReview.objects.filter(
        scope.children("trajectory__child__"),
        due_within(
            windows,
            "review_days",
            due_field="due_date",
            gemeente_field="trajectory__gemeente_id",
            today=scope.today,
        ),
        done_date__isnull=True,
        trajectory__end_date__isnull=True,
    )


def _trajectories_ending(scope: Scope, windows):
    pending = Extension.objects.filter(trajectory=OuterRef("pk"), status=ExtensionStatus.PENDING)
    return Trajectory.objects.filter(
        scope.children("child__"),
        Q(gemeente_id__in=scope.gemeente_ids),  # the trajectory's own column first: its index
        due_within(
            windows,
            "trajectory_end_days",
            due_field="planned_end_date",
            gemeente_field="gemeente_id",
            today=scope.today,
        ),
        end_date__isnull=True,
    ).exclude(Exists(pending))


def _referrals_without_outcome(scope: Scope, windows):
    return Referral.objects.filter(
        scope.children("child__"),
        overdue_after(
            windows, "referral_outcome_days", date_field="date", gemeente_field="child__gemeente_id", today=scope.today
        ),
        outcome="",
    )


def _children_waiting(scope: Scope, windows):
    # The flag's own gemeente column first: its index, not a join over the gemeente's children.
    return Flag.objects.filter(
        scope.children("child__"), gemeente_id__in=scope.gemeente_ids, code=FlagCode.WAITING, active=True
    )


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _returned_since(windows, today: dt.date) -> Q:
    """Decided within the gemeente's own window back, from the start of that day, up to today. The upper
    bound keeps the index range short (and a decision dated ahead by a clock or an import out)."""
    return per_window(
        windows,
        "returned_extension_days",
        "gemeente_id",
        lambda days: Q(decided_at__gte=_start_of(today - dt.timedelta(days=days))),
    ) & Q(decided_at__lt=_start_of(today + dt.timedelta(days=1)))


def _extensions_returned(scope: Scope, windows):
    """The decisions on the worker's own files, and on the requests they made for someone else's.

    The request's own gemeente column (its trajectory's and its child's, kept so by the database, migration
    0027) and decision date first: index extension_decided_gemeente gives the gemeente's few decisions of
    the window, and only those are joined to their trajectory and child to see whose they are."""
    who = scope.children("trajectory__child__")
    if scope.owner not in (None, UNASSIGNED):
        who |= Q(requested_by=scope.owner)
    return Extension.objects.filter(
        who, _returned_since(windows, scope.today), gemeente_id__in=scope.gemeente_ids
    ).exclude(status=ExtensionStatus.PENDING)


def _tasks(scope: Scope, windows, *, for_user=None, origin: str = "", overdue_only: bool = False):
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
        return qs.filter(due_date__lt=scope.today)
    return qs.filter(
        due_within(windows, "task_days", due_field="due_date", gemeente_field="gemeente_id", today=scope.today)
    )


def _latest_decisions(scope: Scope):
    later = Decision.objects.filter(child=OuterRef("child_id"), decided_at__gt=OuterRef("decided_at"))
    return Decision.objects.filter(gemeente_id__in=scope.gemeente_ids).exclude(Exists(later))


def _follow_ups(scope: Scope, windows):
    # A child whose care has all ended (out of care, moved to the Wlz) has no follow-up left to do; a child
    # not yet in care (referred, waiting) still has.
    care = Trajectory.objects.filter(child=OuterRef("child_id"))
    out_of_care = Exists(care) & ~Exists(care.filter(Q(end_date__isnull=True) | Q(end_date__gt=scope.today)))
    return (
        _latest_decisions(scope)
        .exclude(out_of_care)
        .filter(
            due_within(
                windows, "follow_up_days", due_field="follow_up_date", gemeente_field="gemeente_id", today=scope.today
            )
        )
    )


def _escalations(scope: Scope, windows):
    """Escalations the bestuurder has not decided on (open or besproken), older than the gemeente's
    threshold: the ones the regisseur should chase."""
    return Escalation.objects.unanswered().filter(
        per_window(
            windows,
            "escalation_days",
            "gemeente_id",
            lambda days: Q(created_at__lt=_start_of(scope.today - dt.timedelta(days=days))),
        ),
        gemeente_id__in=scope.gemeente_ids,
    )


REVIEWS = Rule(
    "reviews",
    "Stopstrategie-reviews",
    "Reviews die binnen de termijn of te laat zijn, nog niet vastgelegd.",
    _reviews,
    _late("due_date"),
    child="trajectory__child",
    gemeente="trajectory__gemeente",
    order=("due_date", "pk"),
    owner="trajectory__child__owner",
)
TRAJECTORIES_ENDING = Rule(
    "einde",
    "Trajecten die aflopen",
    "Voorbij of binnen de termijn van de geplande einddatum, zonder verlengingsaanvraag of einde.",
    _trajectories_ending,
    _late("planned_end_date"),
    child="child",
    gemeente="gemeente",
    order=("planned_end_date", "pk"),
    owner="child__owner",
)
REFERRALS = Rule(
    "verwijzingen",
    "Verwijzingen zonder uitkomst",
    "Verwijzingen waarvan de uitkomst na de termijn nog ontbreekt.",
    _referrals_without_outcome,
    _all_late,
    child="child",
    gemeente="child__gemeente",
    order=("date", "pk"),
    owner="child__owner",
)
WAITING = Rule(
    "wachtend",
    "Wachtende jeugdigen",
    "Verwezen, maar na de wachttijdnorm van de gemeente nog niet in zorg.",
    _children_waiting,
    _all_late,
    child="child",
    gemeente="child__gemeente",
    order=("reference_date", "pk"),
    owner="child__owner",
)
RETURNED = Rule(
    "teruggekomen",
    "Teruggekomen verlengingsbesluiten",
    "Besluiten van de toetsing van de afgelopen dagen.",
    _extensions_returned,
    _none_late,
    child="trajectory__child",
    gemeente="gemeente",
    order=("-decided_at", "pk"),
    owner="trajectory__child__owner",
)
# The requester of an extension sees its decision too, also on a file they do not own.
RETURNED_REQUESTER = "requested_by"


def _extensions_pending(scope: Scope, windows):
    return Extension.objects.filter(trajectory__gemeente_id__in=scope.gemeente_ids, status=ExtensionStatus.PENDING)


# The toetsmedewerker's work: the queue (cases:extension_queue), the most urgent first. Late: the
# trajectory has already passed its current end.
EXTENSIONS_PENDING = Rule(
    "verlengingen",
    "Verlengingen te toetsen",
    "Aanvragen die op een besluit wachten; te laat als het traject al over zijn einddatum is.",
    _extensions_pending,
    _late("trajectory__planned_end_date"),
    child="trajectory__child",
    gemeente="trajectory__gemeente",
    order=("trajectory__planned_end_date", "requested_at", "pk"),
)
TASKS = Rule(
    "taken",
    "Taken",
    "Open taken die binnen de termijn vallen of te laat zijn.",
    _tasks,
    _late("due_date"),
    child="child",
    gemeente="gemeente",
    order=("due_date", "pk"),
    owner="owner",
)
DECISION_TASKS = Rule(
    "besluittaken",
    "Besluiten met taken over de datum",
    "Taken uit uw besluiten die te laat zijn.",
    lambda scope, windows: _tasks(scope, windows, origin=TaskOrigin.DECISION, overdue_only=True),
    _late("due_date"),
    child="child",
    gemeente="gemeente",
    order=("due_date", "pk"),
)
FOLLOW_UPS = Rule(
    "vervolg",
    "Vervolgdatums",
    "Besluiten waarvan de vervolgdatum bereikt is of binnen de termijn valt.",
    _follow_ups,
    _late("follow_up_date"),
    child="child",
    gemeente="gemeente",
    order=("follow_up_date", "pk"),
)
ESCALATIONS = Rule(
    "opschalingen",
    "Open opschalingen",
    "Bestuurlijk opgeschaald en na de termijn van de gemeente nog zonder besluit van de bestuurder.",
    _escalations,
    _all_late,
    child="child",
    gemeente="gemeente",
    order=("created_at", "pk"),
)
NEW_IN_TOP_TITLE = "Nieuw in de top"
# Residential care is always seen (DOMAIN.md §6): the verblijf starts of the last weeks, in or out of the top.
NEW_RESIDENTIAL = Rule(
    "nieuw_verblijf",
    "Nieuwe verblijfsstarts",
    f"Trajecten met verblijf die de afgelopen {NEW_START_DAYS} dagen startten, ook buiten de top.",
    lambda scope, windows: new_residential_starts(scope.gemeente_ids, scope.today),
    _none_late,
    child="child",
    gemeente="gemeente",
    order=("-start_date", "pk"),
    counted_apart=True,
)

TOEGANG_RULES = [REVIEWS, TRAJECTORIES_ENDING, REFERRALS, WAITING, RETURNED, TASKS]


# --- the toegangsmedewerker's sections ------------------------------------------------------------


def reviews_due(scope: Scope, windows) -> Section:
    section, rows = REVIEWS.section(scope, windows, "trajectory__product")
    for review in rows:
        child = review.trajectory.child
        window = windows[child.gemeente_id].review_days
        section.items.append(
            Item(
                child,
                f"Review {review.trajectory.product.description}",
                review.due_date,
                punctuality(review.due_date, window, scope.today),
                _file(scope, child, f"traject-{review.trajectory_id}"),
            )
        )
    return section


def trajectories_ending(scope: Scope, windows) -> Section:
    section, rows = TRAJECTORIES_ENDING.section(scope, windows, "product", "provider")
    for trajectory in rows:
        window = windows[trajectory.child.gemeente_id].trajectory_end_days
        section.items.append(
            Item(
                trajectory.child,
                f"{trajectory.product.description} bij {trajectory.provider.name}",
                trajectory.planned_end_date,
                punctuality(trajectory.planned_end_date, window, scope.today),
                _file(scope, trajectory.child, f"traject-{trajectory.pk}"),
            )
        )
    return section


def referrals_without_outcome(scope: Scope, windows) -> Section:
    section, rows = REFERRALS.section(scope, windows)
    for referral in rows:
        window = windows[referral.child.gemeente_id].referral_outcome_days
        due = referral.date + dt.timedelta(days=window)
        section.items.append(
            Item(
                referral.child,
                f"Verwijzing {referral.get_source_display()} van {nl_date(referral.date)}",
                due,
                punctuality(due, window, scope.today),
                _file(scope, referral.child, "verwijzingen"),
            )
        )
    return section


def children_waiting(scope: Scope, windows) -> Section:
    """Referred but not in care after the wachttijd threshold: the active wachttijd signals, so this
    list and the regisseur's signal can never disagree about who waits."""
    section, rows = WAITING.section(scope, windows)
    for flag in rows:
        weeks = int(flag.norm or 0)
        due = flag.reference_date + dt.timedelta(weeks=weeks) if flag.reference_date else None
        section.items.append(
            Item(
                flag.child,
                f"Verwezen op {nl_date(flag.reference_date)}, norm {weeks} weken",
                due,
                punctuality(due, weeks * 7, scope.today),
                _file(scope, flag.child, "signalen"),
            )
        )
    return section


def extensions_returned(scope: Scope, windows) -> Section:
    section, rows = RETURNED.section(scope, windows, "trajectory__product")
    for extension in rows:
        child = extension.trajectory.child
        section.items.append(
            Item(
                child,
                f"{extension.get_status_display()}: {extension.trajectory.product.description}",
                None,
                punctuality(None, 0, scope.today),
                _file(scope, child, f"traject-{extension.trajectory_id}"),
                detail=f"besloten {nl_date(timezone.localtime(extension.decided_at).date())}",
            )
        )
    return section


def open_tasks(scope: Scope, windows, *, for_user=None, origin: str = "", overdue_only: bool = False) -> Section:
    rule = DECISION_TASKS if origin == TaskOrigin.DECISION and overdue_only and for_user is None else TASKS
    rows = _tasks(scope, windows, for_user=for_user, origin=origin, overdue_only=overdue_only)
    section = Section(rule.key, rule.title, rule.explanation)
    related = (rule.child_related(scope), "owner", "gemeente")
    for task in _first_rows(section, rows, rule.overdue(scope, windows), rule.order, related):
        window = windows[task.gemeente_id].task_days
        section.items.append(
            Item(
                task.child,
                task.title,
                task.due_date,
                punctuality(task.due_date, window, scope.today),
                _file(scope, task.child, f"taak-{task.pk}"),
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
    children = Child.objects.in_bulk(ids)
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


def follow_ups_reached(scope: Scope, windows) -> Section:
    section, rows = FOLLOW_UPS.section(scope, windows)
    for decision in rows:
        window = windows[decision.gemeente_id].follow_up_days
        section.items.append(
            Item(
                decision.child,
                f"{decision.get_kind_display()} (besloten {nl_date(timezone.localtime(decision.decided_at).date())})",
                decision.follow_up_date,
                punctuality(decision.follow_up_date, window, scope.today),
                _file(scope, decision.child, "besluiten"),
                detail=decision.actor,
            )
        )
    return section


def open_escalations(scope: Scope, windows) -> Section:
    """Escalations without the bestuurder's decision, older than the gemeente's threshold."""
    section, rows = ESCALATIONS.section(scope, windows)
    for escalation in rows:
        window = windows[escalation.gemeente_id].escalation_days
        opened = timezone.localtime(escalation.created_at).date()
        due = opened + dt.timedelta(days=window)
        section.items.append(
            Item(
                escalation.child,
                f"Opgeschaald op {nl_date(opened)} ({escalation.get_status_display().lower()})",
                due,
                punctuality(due, window, scope.today),
                reverse("regie:escalations"),
                detail=escalation.question[:80],
            )
        )
    return section


def new_in_top_ids(top: list[int], visit) -> list[int]:
    """The children of today's top that were not in it at this regisseur's last visit, in rank order."""
    seen = set(visit.child_ids) if visit else set()
    return [pk for pk in top if pk not in seen]


def new_in_top(scope: Scope, gemeente) -> Section:
    """Cases in today's top N that were not in it when this regisseur last looked at the queue."""
    visit = QueueVisit.objects.filter(user=scope.user, gemeente=gemeente).first()
    children = {child.pk: child for child in top_children(gemeente, today=scope.today)}
    top = list(children)
    new_ids = new_in_top_ids(top, visit)
    since = nl_date(timezone.localtime(visit.seen_at).date()) if visit else "nooit"
    section = Section(
        "nieuw_in_top", NEW_IN_TOP_TITLE, f"Sinds uw laatste bezoek aan de top ({since}) in de top gekomen."
    )
    section.count = len(new_ids)
    for rank_pk in new_ids[:ROWS_PER_SECTION]:
        child = children[rank_pk]
        section.items.append(
            Item(
                child,
                f"Plaats {top.index(rank_pk) + 1}",
                None,
                punctuality(None, 0, scope.today),
                _file(scope, child, "signalen"),
            )
        )
    return section


def new_residential(scope: Scope, windows) -> Section:
    section, rows = NEW_RESIDENTIAL.section(scope, windows, "product", "provider")
    for trajectory in rows:
        section.items.append(
            Item(
                trajectory.child,
                f"{trajectory.product.code} {trajectory.product.description} bij {trajectory.provider.name}",
                None,
                punctuality(None, 0, scope.today),
                _file(scope, trajectory.child, "trajecten"),
                detail=f"gestart {nl_date(trajectory.start_date)}",
            )
        )
    return section


def regisseur_sections(scope: Scope, windows, gemeente) -> list[Section]:
    return [
        follow_ups_reached(scope, windows),
        open_tasks(scope, windows, origin=TaskOrigin.DECISION, overdue_only=True),
        new_in_top(scope, gemeente),
        new_residential(scope, windows),
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
    """Per worker of the team (and for the unassigned files): open files, open tasks, tasks overdue.

    Three grouped counts over the gemeente's own rows (children and tasks carry their gemeente). The
    overdue reviews and trajectories of one worker show in that worker's sections below the table;
    counting them for a whole team would pass over the national trajectory table on every view.
    """
    loads = {w.pk: Caseload(w) for w in workers}
    loads[None] = Caseload(None)

    open_children = Child.objects.filter(gemeente_id=gemeente_id, closed_on__isnull=True)
    for row in open_children.values("owner").annotate(n=Count("pk")).order_by():
        if row["owner"] in loads:
            loads[row["owner"]].children = row["n"]
    tasks = Task.objects.open().filter(gemeente_id=gemeente_id)
    counted = tasks.values("owner").annotate(n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today)))
    for row in counted.order_by():
        if row["owner"] in loads:
            loads[row["owner"]].tasks, loads[row["owner"]].overdue = row["n"], row["late"]
    return list(loads.values())


# --- everyone at once: the counts of the daily digest ----------------------------------------------
#
# The digest needs, for every user of every gemeente, what their Mijn werk page would count. Building
# the sections per user is two queries per section per user; at national scale (thousands of workers)
# that is too slow. Here each rule runs once for all gemeenten, grouped by owner and gemeente (two
# queries: the counts, and the most urgent rows of each group through a window function), and each
# user's figures are the sum of their groups. The rows are the rules' own querysets, so a page and a
# digest count the same thing; tests/werk/test_digest.py compares them.

DIGEST_CASE_NUMBERS = 5  # the most urgent files per kind, by case number


@dataclass
class Tally:
    count: int = 0
    overdue: int = 0
    first: list[tuple] = field(default_factory=list)  # (sort key, child id) of the most urgent rows

    def __add__(self, other: "Tally") -> "Tally":
        first = sorted(self.first + other.first)[:DIGEST_CASE_NUMBERS]
        return Tally(self.count + other.count, self.overdue + other.overdue, first)


def _sort_key(value, pk: int, descending: bool) -> tuple:
    """The page's ORDER BY in Python, to merge the first rows of several groups."""
    if value is None:
        return (1, 0, pk)
    number = value.timestamp() if isinstance(value, dt.datetime) else value.toordinal()
    return (0, -number if descending else number, pk)


def _tally(rule: Rule, rows, overdue: Q, group: dict[str, str]) -> dict[tuple, Tally]:
    """Counts and first rows of `rows` per group (`{alias: path}`): two queries whatever the data."""
    names = list(group)
    by = {name: F(path) for name, path in group.items()}
    tallies: dict[tuple, Tally] = {}
    counts = rows.order_by().values(**by).annotate(n=Count("pk"), late=Count("pk", filter=overdue))
    for row in counts:
        tallies[tuple(row[n] for n in names)] = Tally(row["n"], row["late"])
    field_name = rule.order[0].lstrip("-")
    descending = rule.order[0].startswith("-")
    ranked = (
        rows.annotate(
            **by,
            rank=Window(RowNumber(), partition_by=list(by.values()), order_by=list(rule.order)),
            child_pk=F(f"{rule.child}__id"),
            sort_value=F(field_name),
        )
        .filter(rank__lte=DIGEST_CASE_NUMBERS)
        .order_by()
        .values(*names, "child_pk", "sort_value", "pk")
    )
    for row in ranked:
        tally = tallies.get(tuple(row[n] for n in names))
        if tally is not None:
            tally.first.append((_sort_key(row["sort_value"], row["pk"], descending), row["child_pk"]))
    for tally in tallies.values():
        tally.first.sort()
    return tallies


def _sum(tallies: dict[tuple, Tally], keys) -> Tally:
    total = Tally()
    for key in keys:
        if key in tallies:
            total = total + tallies[key]
    return total


@dataclass
class DigestLine:
    key: str
    title: str
    count: int
    overdue: int
    child_ids: list[int]


@dataclass
class DigestPage:
    """What one Mijn werk page of a user counts: all of a toegangsmedewerker's gemeenten at once, or
    one gemeente of a regisseur (their page shows one gemeente at a time)."""

    gemeente_id: int | None
    lines: list[DigestLine]

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)


def _line(rule_key: str, title: str, tally: Tally) -> DigestLine:
    return DigestLine(rule_key, title, tally.count, tally.overdue, [child_id for _key, child_id in tally.first])


def digest_counts(users, today: dt.date) -> dict[int, list[DigestPage]]:
    """For each toegangsmedewerker, regisseur and toetsmedewerker in `users`: the counts of their home
    page (Mijn werk; for the toetsmedewerker the queue of extensions and the tasks of the toets role).

    A fixed number of queries for any number of users, plus two per gemeente of a regisseur (that
    gemeente's top N and when the regisseur last saw it).
    """
    users = [u for u in users if u.role in (Role.TOEGANG, Role.REGISSEUR, Role.TOETS)]
    links = User.gemeenten.through.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", "gemeente_id")
    gemeenten_of: dict[int, list[int]] = {}
    for user_id, gemeente_id in links:
        gemeenten_of.setdefault(user_id, []).append(gemeente_id)
    all_ids = sorted({g for ids in gemeenten_of.values() for g in ids})
    if not all_ids:
        return {}
    windows = windows_for(all_ids)
    scope = Scope(user=None, gemeente_ids=all_ids, today=today)
    tasks = _tasks(scope, windows)
    task_late = TASKS.overdue(scope, windows)
    own_tasks = _tally(TASKS, tasks.filter(owner__isnull=False), task_late, {"who": "owner", "where": "gemeente"})
    role_tasks = _tally(TASKS, tasks.filter(owner__isnull=True), task_late, {"who": "owner_role", "where": "gemeente"})

    def tasks_for(user, gemeente_ids) -> Tally:
        return _sum(own_tasks, [(user.pk, g) for g in gemeente_ids]) + _sum(
            role_tasks, [(user.role, g) for g in gemeente_ids]
        )

    result: dict[int, list[DigestPage]] = {}
    toegang = [u for u in users if u.role == Role.TOEGANG and gemeenten_of.get(u.pk)]
    if toegang:
        tallies = {}
        for rule in TOEGANG_RULES[:-1]:
            by_owner = {"who": rule.owner, "where": rule.gemeente}
            tallies[rule.key] = _tally(rule, rule.rows(scope, windows), rule.overdue(scope, windows), by_owner)
        # A decision on an extension this worker requested for a file someone else owns (or nobody).
        others = RETURNED.rows(scope, windows).exclude(
            trajectory__child__owner__isnull=False, trajectory__child__owner=F(RETURNED_REQUESTER)
        )
        requested = _tally(
            RETURNED,
            others.filter(requested_by__isnull=False),
            RETURNED.overdue(scope, windows),
            {"who": RETURNED_REQUESTER, "where": RETURNED.gemeente},
        )
        for user in toegang:
            ids = gemeenten_of[user.pk]
            lines = []
            for rule in TOEGANG_RULES[:-1]:
                tally = _sum(tallies[rule.key], [(user.pk, g) for g in ids])
                if rule is RETURNED:
                    tally = tally + _sum(requested, [(user.pk, g) for g in ids])
                lines.append(_line(rule.key, rule.title, tally))
            lines.append(_line(TASKS.key, TASKS.title, tasks_for(user, ids)))
            result[user.pk] = [DigestPage(None, lines)]

    toetsers = [u for u in users if u.role == Role.TOETS and gemeenten_of.get(u.pk)]
    if toetsers:
        rule = EXTENSIONS_PENDING
        pending = _tally(rule, rule.rows(scope, windows), rule.overdue(scope, windows), {"where": rule.gemeente})
        for user in toetsers:
            ids = gemeenten_of[user.pk]
            lines = [
                _line(rule.key, rule.title, _sum(pending, [(g,) for g in ids])),
                _line(TASKS.key, TASKS.title, tasks_for(user, ids)),
            ]
            result[user.pk] = [DigestPage(None, lines)]

    regisseurs = [u for u in users if u.role == Role.REGISSEUR and gemeenten_of.get(u.pk)]
    if regisseurs:
        per_gemeente = {
            rule.key: _tally(rule, rule.rows(scope, windows), rule.overdue(scope, windows), {"where": rule.gemeente})
            for rule in (FOLLOW_UPS, DECISION_TASKS, ESCALATIONS, NEW_RESIDENTIAL)
        }
        regie_gemeenten = sorted({g for u in regisseurs for g in gemeenten_of[u.pk]})
        gemeenten = Gemeente.objects.in_bulk(regie_gemeenten)
        tops = {g: top_child_ids(gemeenten[g], today=today) for g in regie_gemeenten}
        visits = {
            (v.user_id, v.gemeente_id): v
            for v in QueueVisit.objects.filter(user__in=[u.pk for u in regisseurs], gemeente_id__in=regie_gemeenten)
        }
        for user in regisseurs:
            pages = []
            for g in sorted(gemeenten_of[user.pk], key=lambda g: gemeenten[g].name):
                new_ids = new_in_top_ids(tops[g], visits.get((user.pk, g)))
                new = Tally(
                    len(new_ids), 0, [((0, rank, pk), pk) for rank, pk in enumerate(new_ids[:DIGEST_CASE_NUMBERS])]
                )
                lines = [
                    _line(FOLLOW_UPS.key, FOLLOW_UPS.title, _sum(per_gemeente[FOLLOW_UPS.key], [(g,)])),
                    _line(DECISION_TASKS.key, DECISION_TASKS.title, _sum(per_gemeente[DECISION_TASKS.key], [(g,)])),
                    _line("nieuw_in_top", NEW_IN_TOP_TITLE, new),
                    _line(NEW_RESIDENTIAL.key, NEW_RESIDENTIAL.title, _sum(per_gemeente[NEW_RESIDENTIAL.key], [(g,)])),
                    _line(ESCALATIONS.key, ESCALATIONS.title, _sum(per_gemeente[ESCALATIONS.key], [(g,)])),
                    _line(TASKS.key, TASKS.title, tasks_for(user, [g])),
                ]
                pages.append(DigestPage(g, lines))
            result[user.pk] = pages
    return result
