"""The effect of the Top N, measured: a peildatum freezes the Top N, and later it is compared with now.

Taking a peildatum (`cohort_take`) writes the cohort in three set-based statements: the top N of the
queue score (ChildScore, every flagged child, with or without a decision) with its rank and the codes
of its active flags; every trajectory those children had open, with its cost per day then (the
tariff's, or the indicative one of taakgericht care); each member's cost per month from those.

`cohort_compare` puts the cohort then beside the cohort on a later day, in a fixed number of queries
for any size (the grouping is done on the rows those queries return). Definitions in docs/kpis.md
("Effect van de Top 32"):

- cost per month: the sum over the open trajectories of cost per day × 365 / 12 (cases.terms);
- per decision kind: each case by its latest decision taken on or after the peildatum; none is
  "nog niet besproken" (still unreviewed);
- a frozen trajectory is ended when it has an end date by the day compared; moved to the Wlz when it
  ended and the case's latest decision is the Wlz route; scaled down when it still runs at a lower
  cost per day than on the peildatum;
- re-entry: a case left care on day E (on or after the peildatum, a trajectory ended and none ran the
  day after) and a new trajectory was allocated within 12 months after E.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cases import formatting
from cases.models import Gemeente, IndicativeCost, Role, Trajectory
from cases.services import as_user
from cases.terms import monthly_cost

from .models import ChildScore, Cohort, CohortMember, CohortTrajectory, Decision, DecisionKind, Flag
from .ranking import regie_settings

RE_ENTRY_DAYS = 365
UNREVIEWED = "geen"  # the group of cases without a decision since the peildatum


def cohort_take(*, user, gemeente: Gemeente, note: str = "") -> Cohort:
    """Freeze today's Top N of `gemeente` as a cohort with today as its peildatum (once a day)."""
    if user.role != Role.REGISSEUR:
        raise ValidationError({"__all__": "Alleen een regisseur legt een peildatum vast."})
    if not user.serves(gemeente.pk):
        raise ValidationError({"__all__": "U werkt niet voor deze gemeente."})
    today = timezone.localdate()
    top_n = regie_settings(gemeente).top_n
    with transaction.atomic():
        if Cohort.objects.select_for_update().filter(gemeente=gemeente, peildatum=today).exists():
            raise ValidationError(
                {"__all__": f"Er is al een peildatum vastgelegd op {formatting.date(today)}; bekijk die hieronder."}
            )
        cohort = as_user(
            Cohort(gemeente=gemeente, peildatum=today, top_n=top_n, note=note.strip(), taken_by=user),
            user,
        )
        cohort.taken_at = timezone.now()
        cohort.save()
        with connection.cursor() as cursor:
            _insert_members(cursor, cohort)
            cohort_freeze_trajectories(cursor, cohort)
    return cohort


def _insert_members(cursor, cohort: Cohort) -> None:
    """The Top N by score, ranked, with their active flag codes: one INSERT ... SELECT."""
    member, score, flag = CohortMember._meta.db_table, ChildScore._meta.db_table, Flag._meta.db_table
    if connection.vendor == "postgresql":
        codes = "string_agg(DISTINCT f.code, ',' ORDER BY f.code)"
    else:
        codes = "group_concat(DISTINCT f.code)"
    cursor.execute(
        f"""
        INSERT INTO {member} (cohort_id, child_id, rank, score, open_cost, monthly_cost, flag_codes, open_trajectories)
        SELECT %s, s.child_id, ROW_NUMBER() OVER (ORDER BY s.score DESC, s.child_id), s.score, s.open_cost, 0,
               COALESCE((SELECT {codes} FROM {flag} f WHERE f.child_id = s.child_id AND f.active = %s), ''), 0
        FROM (SELECT child_id, score, open_cost FROM {score} WHERE gemeente_id = %s
              ORDER BY score DESC, child_id LIMIT %s) s
        """,
        [cohort.pk, True, cohort.gemeente_id, cohort.top_n],
    )


def cohort_freeze_trajectories(cursor, cohort: Cohort) -> None:
    """Every trajectory the members had open on the peildatum with its cost per day, then each member's
    count and cost per month (per trajectory rounded to the cent, as cases.terms.monthly_cost)."""
    member, frozen = CohortMember._meta.db_table, CohortTrajectory._meta.db_table
    trajectory, indicative = Trajectory._meta.db_table, IndicativeCost._meta.db_table
    cursor.execute(
        f"""
        INSERT INTO {frozen} (cohort_id, child_id, trajectory_id, daily_cost)
        SELECT m.cohort_id, t.child_id, t.id, COALESCE(t.daily_cost, ic.daily_cost)
        FROM {member} m
        JOIN {trajectory} t ON t.child_id = m.child_id
        LEFT JOIN {indicative} ic ON ic.trajectory_id = t.id
        WHERE m.cohort_id = %s AND t.start_date <= %s AND (t.end_date IS NULL OR t.end_date > %s)
        """,
        [cohort.pk, cohort.peildatum, cohort.peildatum],
    )
    mine = f"{frozen}.cohort_id = {member}.cohort_id AND {frozen}.child_id = {member}.child_id"
    cursor.execute(
        f"""
        UPDATE {member} SET
          monthly_cost = COALESCE(
            (SELECT SUM(ROUND({frozen}.daily_cost * 365.0 / 12, 2)) FROM {frozen} WHERE {mine}), 0),
          open_trajectories = (SELECT COUNT(*) FROM {frozen} WHERE {mine})
        WHERE cohort_id = %s
        """,
        [cohort.pk],
    )


# --- the comparison ---------------------------------------------------------------------------------


@dataclass
class Group:
    """Cases of the cohort with the same latest decision since the peildatum (or none)."""

    key: str
    label: str
    cases: int = 0
    then: Decimal = Decimal("0")  # cost per month on the peildatum
    now: Decimal = Decimal("0")  # cost per month on the day compared
    trajectories: int = 0  # open on the peildatum
    ended: int = 0
    scaled_down: int = 0
    to_wlz: int = 0

    @property
    def difference(self) -> Decimal:
        return self.now - self.then

    @property
    def change_pct(self) -> float | None:
        return round(float(100 * self.difference / self.then), 1) if self.then else None


@dataclass
class MemberRow:
    member: CohortMember
    now: Decimal = Decimal("0")
    decision: Decision | None = None
    ended: int = 0
    scaled_down: int = 0
    left_care_on: dt.date | None = None
    re_entered_on: dt.date | None = None
    flags: str = ""  # the flags on the peildatum, in words

    @property
    def difference(self) -> Decimal:
        return self.now - self.member.monthly_cost


@dataclass
class CohortComparison:
    cohort: Cohort
    on: dt.date
    members: list[MemberRow]
    groups: list[Group]  # per decision kind, then the unreviewed; only groups with cases
    total: Group
    left_care: int = 0
    re_entered: int = 0
    flag_counts: list[tuple[str, int]] = field(default_factory=list)

    @property
    def unreviewed(self) -> int:
        return sum(g.cases for g in self.groups if g.key == UNREVIEWED)

    @property
    def reviewed(self) -> int:
        return self.total.cases - self.unreviewed

    @property
    def re_entry_pct(self) -> float | None:
        return round(100 * self.re_entered / self.left_care, 1) if self.left_care else None

    @property
    def months(self) -> int:
        span = (self.on.year - self.cohort.peildatum.year) * 12 + self.on.month - self.cohort.peildatum.month
        return span - (1 if self.on.day < self.cohort.peildatum.day else 0)


def _cost(row) -> Decimal:
    per_day = row["daily_cost"] if row["daily_cost"] is not None else row["indicative__daily_cost"]
    return monthly_cost(per_day) or Decimal("0")


def cohort_compare(cohort: Cohort, *, on: dt.date | None = None, children=None) -> CohortComparison:
    """The cohort on its peildatum beside the cohort on `on` (today). `children` limits it to the cases
    a user may see (Child.objects.visible_to(user)); the report, per gemeente, passes none."""
    on = on or timezone.localdate()
    members = CohortMember.objects.filter(cohort=cohort).select_related("child").order_by("rank")
    if children is not None:
        members = members.filter(child__in=children)
    rows = {m.child_id: MemberRow(m) for m in members}
    ids = list(rows)
    total = Group("totaal", "Alle casussen")
    comparison = CohortComparison(cohort=cohort, on=on, members=list(rows.values()), groups=[], total=total)
    if not ids:
        return comparison
    decisions = Decision.objects.filter(
        child_id__in=ids, decided_at__date__gte=cohort.peildatum, decided_at__date__lte=on
    ).order_by("decided_at", "pk")
    for decision in decisions:
        rows[decision.child_id].decision = decision  # the latest wins
    all_care = list(
        Trajectory.objects.filter(child_id__in=ids, start_date__lte=on)
        .order_by("start_date", "pk")
        .values("pk", "child_id", "start_date", "end_date", "daily_cost", "indicative__daily_cost")
    )
    care_by_child = defaultdict(list)
    for t in all_care:
        care_by_child[t["child_id"]].append(t)
        if t["end_date"] is None or t["end_date"] > on:
            rows[t["child_id"]].now += _cost(t)
    by_pk = {t["pk"]: t for t in all_care}
    frozen = CohortTrajectory.objects.filter(cohort=cohort, child_id__in=ids).values(
        "child_id", "trajectory_id", "daily_cost"
    )
    group_of = {}
    for kind, label in DecisionKind.choices:
        group_of[kind] = Group(kind, label)
    group_of[UNREVIEWED] = Group(UNREVIEWED, "Nog niet besproken")
    for row in rows.values():
        group = group_of[row.decision.kind if row.decision else UNREVIEWED]
        for g in (group, total):
            g.cases += 1
            g.then += row.member.monthly_cost
            g.now += row.now
    for f in frozen:
        row = rows[f["child_id"]]
        group = group_of[row.decision.kind if row.decision else UNREVIEWED]
        current = by_pk.get(f["trajectory_id"])
        ended = current is not None and current["end_date"] is not None and current["end_date"] <= on
        scaled = (
            not ended
            and current is not None
            and f["daily_cost"] is not None
            and (current["daily_cost"] if current["daily_cost"] is not None else current["indicative__daily_cost"])
            is not None
            and _cost(current) < (monthly_cost(f["daily_cost"]) or Decimal("0"))
        )
        to_wlz = ended and row.decision is not None and row.decision.kind == DecisionKind.WLZ
        row.ended += ended
        row.scaled_down += scaled
        for g in (group, total):
            g.trajectories += 1
            g.ended += ended
            g.scaled_down += scaled
            g.to_wlz += to_wlz
    for child_id, row in rows.items():
        row.left_care_on, row.re_entered_on = _left_and_back(care_by_child[child_id], cohort.peildatum, on)
        comparison.left_care += row.left_care_on is not None
        comparison.re_entered += row.re_entered_on is not None
    comparison.groups = [g for g in group_of.values() if g.cases]
    counts = defaultdict(int)
    labels = dict(Flag._meta.get_field("code").choices)
    for row in rows.values():
        codes = sorted(filter(None, row.member.flag_codes.split(",")))
        row.flags = ", ".join(labels.get(code, code).lower() for code in codes)
        for code in codes:
            counts[code] += 1
    comparison.flag_counts = sorted(((labels.get(c, c), n) for c, n in counts.items()), key=lambda x: (-x[1], x[0]))
    return comparison


def _left_and_back(care: list[dict], since: dt.date, on: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """The first day on or after `since` the child left care (a trajectory ended and none ran the day
    after: care handed over to a trajectory starting the next day is no leaving), and the allocation of
    the first new trajectory within RE_ENTRY_DAYS after it."""
    for end in sorted({t["end_date"] for t in care if t["end_date"] is not None and since <= t["end_date"] <= on}):
        day_after = end + dt.timedelta(days=1)
        running = any(t["start_date"] <= day_after and (t["end_date"] is None or t["end_date"] > end) for t in care)
        if running:
            continue
        back = [
            t["start_date"] for t in care if end < t["start_date"] <= min(end + dt.timedelta(days=RE_ENTRY_DAYS), on)
        ]
        return end, min(back) if back else None
    return None, None


def latest_cohort(gemeente: Gemeente, *, on: dt.date | None = None) -> Cohort | None:
    """The gemeente's most recent cohort taken on or before `on`."""
    cohorts = Cohort.objects.filter(gemeente=gemeente)
    if on is not None:
        cohorts = cohorts.filter(peildatum__lte=on)
    return cohorts.order_by("-peildatum").first()
