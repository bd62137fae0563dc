"""Ranking and the regisseur's queue: a score per child from its active flags, the top N per gemeente.

score = open care cost in thousands of euros (to date plus committed) + the sum of the weights of the
child's active flags. Cost weighs most: a case of €100,000 outranks any pile of flags on a cheap one.
A case with a decision leaves the queue until its follow-up date, unless it got worse: a flag raised
after the decision, or open cost more than the gemeente's cost jump above the cost at the decision.
Every function here runs a fixed number of queries, whatever the size of the gemeente.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import Exists, F, OuterRef, Q

from cases.codes import ReferrerType
from cases.formatting import date, euro
from cases.models import Child, CostBasisLabel, Gemeente, Provider, Task, TaskOrigin, Trajectory
from referrals.models import Referral

from .flag_text import CHIP_LABELS, flag_key_number, flag_sentence
from .models import (
    DEFAULT_WEIGHTS,
    MANUAL_WEIGHT,
    ChildScore,
    Decision,
    DecisionKind,
    Flag,
    FlagCode,
    FlagRule,
    RegieSettings,
)

# The full label of each flag code, as get_code_display gives it, looked up once instead of per flag.
FLAG_LABELS = {code: str(label) for code, label in FlagCode.choices}
# The referrer's label, as get_source_display gives it (a referral's source is a ReferrerType).
SOURCE_LABELS = {code: str(label) for code, label in ReferrerType.choices}
# The fields of a flag its sentence, key number and code are made of (regie/flag_text.py).
FLAG_TEXT_FIELDS = ("child_id", "code", "value", "norm", "detail", "reference_date", "reason")
# The decision in a word, so a queue row stays one line (the full label in its title).
DECISION_SHORT = {
    DecisionKind.CONTINUE: "Voortzetten",
    DecisionKind.SCALE_DOWN: "Afschalen",
    DecisionKind.END: "Beëindigen",
    DecisionKind.WLZ: "Wlz",
    DecisionKind.ESCALATE: "Opschalen",
    DecisionKind.CASE_MEETING: "Casusoverleg",
}
# Why a case is back, in a word for the badge (the whole reason in its title and for screen readers).
BACK_WORDS = {"vervolg bereikt": "vervolg", "nieuw signaal": "signaal", "kosten gestegen": "kosten"}


@dataclass(frozen=True)
class QueueFilters:
    flag: str = ""
    segment: int | None = None
    source: str = ""
    provider: int | None = None

    @property
    def any(self) -> bool:
        return bool(self.flag or self.segment or self.source or self.provider)


def regie_settings(gemeente: Gemeente) -> RegieSettings:
    """The gemeente's settings, or the defaults (not saved: reading never writes)."""
    return RegieSettings.objects.filter(gemeente=gemeente).first() or RegieSettings(gemeente=gemeente)


def weights(gemeente: Gemeente) -> dict[str, int]:
    result = dict(DEFAULT_WEIGHTS)
    result.update(dict(FlagRule.objects.filter(gemeente=gemeente).order_by().values_list("code", "weight")))
    result[FlagCode.MANUAL] = MANUAL_WEIGHT
    return result


def filter_providers(gemeente: Gemeente, today: dt.date) -> list[tuple[int, str]]:
    """The providers (id, name) with running care for a child in the gemeente's queue, so the provider filter
    offers exactly the providers it can find cases for. Computed live: regie/figures.py keeps them stored."""
    in_queue = ChildScore.objects.filter(gemeente=gemeente).values("child_id")
    running = Trajectory.objects.filter(
        gemeente=gemeente, child_id__in=in_queue, end_date__isnull=True, start_date__lte=today
    )
    providers = Provider.objects.filter(pk__in=running.values("provider_id")).order_by("name")
    return list(providers.values_list("pk", "name"))


def _latest_decisions(gemeente: Gemeente) -> dict[int, dict]:
    """The latest decision per decided child of the gemeente (decisions are few: one per case meeting)."""
    latest = {}
    decisions = Decision.objects.filter(gemeente=gemeente).order_by("child_id", "-decided_at")
    fields = ("pk", "child_id", "kind", "decided_at", "decided_by_id", "follow_up_date", "cost_at_decision")
    for decision in decisions.values(*fields):
        latest.setdefault(decision["child_id"], decision)
    return latest


def _new_signals(decisions: dict[int, dict], child_ids) -> set[int]:
    """The children with a flag raised after their latest decision that counts as a new signal.

    A manual flag the deciding regisseur raised herself after her decision does not count: she adds it
    to note what she saw (often right after deciding), not to undo her own decision. An engine flag, or
    a manual flag of another regisseur, does. One query over the few decided children given.
    """
    child_ids = [pk for pk in child_ids if pk in decisions]
    if not child_ids:
        return set()
    since = min(decisions[pk]["decided_at"] for pk in child_ids)
    # No order: a set comes out, and Flag's ordering by the child's name would join and plan cases_child.
    flags = Flag.objects.filter(child_id__in=child_ids, active=True, raised_at__gt=since).order_by()
    new = set()
    for child_id, code, raised_by_id, raised_at in flags.values_list("child_id", "code", "raised_by_id", "raised_at"):
        decision = decisions[child_id]
        if raised_at <= decision["decided_at"]:
            continue
        if code == FlagCode.MANUAL and raised_by_id == decision["decided_by_id"]:
            continue
        new.add(child_id)
    return new


def _filtered(scores, filters: QueueFilters, today: dt.date):
    """Each filter as an EXISTS on the scored child, so the top N is still read in index order."""
    child = OuterRef("child_id")
    running = Trajectory.objects.filter(child_id=child, end_date__isnull=True, start_date__lte=today)
    if filters.flag:
        scores = scores.filter(Exists(Flag.objects.filter(child_id=child, active=True, code=filters.flag)))
    if filters.segment:
        scores = scores.filter(Exists(running.filter(product__segment__number=filters.segment)))
    if filters.provider:
        scores = scores.filter(Exists(running.filter(provider_id=filters.provider)))
    if filters.source:
        scores = scores.filter(Exists(Referral.objects.filter(child_id=child, source=filters.source)))
    return scores


def _cost_rose(score, decision: dict, cost_jump_percent: int) -> bool:
    """Open cost more than the gemeente's cost jump above the cost at the decision."""
    return score.open_cost > Decimal(decision["cost_at_decision"]) * (1 + Decimal(cost_jump_percent) / 100)


def _in_queue(score, decision: dict | None, today: dt.date, cost_jump_percent: int, new_signal: bool) -> bool:
    """In the queue? Out until the follow-up date, unless it got worse. `score` is a ChildScore or a row with
    its open_cost. The rule alone, for every decided child (_top_scores); why a shown case is back is
    _queue_state's, which formats it only for the rows shown."""
    if decision is None or decision["follow_up_date"] <= today or new_signal:
        return True
    return _cost_rose(score, decision, cost_jump_percent)


def _queue_state(
    score, decision: dict | None, today: dt.date, cost_jump_percent: int, new_signal: bool
) -> tuple[bool, str]:
    """(in the queue?, why it is back): _in_queue, with the reasons in words."""
    if decision is None:
        return True, ""
    if decision["follow_up_date"] <= today:
        return True, f"vervolgdatum {date(decision['follow_up_date'])} bereikt"
    reasons = []
    if new_signal:
        reasons.append("nieuw signaal na het besluit")
    if _cost_rose(score, decision, cost_jump_percent):
        before = Decimal(decision["cost_at_decision"])
        reasons.append(f"kosten gestegen van {euro(before)} naar {euro(score.open_cost)}")
    return bool(reasons), "; ".join(reasons)


@dataclass
class QueueRow:
    rank: int
    child: Child
    score: Decimal
    flags: list = field(default_factory=list)  # the fields of its active flags its texts are made of (FLAG_TEXT_FIELDS)
    cost_this_year: Decimal = Decimal("0")
    committed: Decimal = Decimal("0")
    open_cost: Decimal = Decimal("0")
    running_months: int = 0
    sources: list[str] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)
    household_open: int = 0
    back_because: str = ""
    decision: dict | None = None  # the latest decision: pk, kind, decided_at, follow_up_date
    open_tasks: list = field(default_factory=list)  # open tasks of the regisseur's decisions
    indicative: bool = False  # part of the cost is indicative (taakgericht care, no price per case)

    @cached_property
    def sentences(self) -> list[str]:
        """The sentence of each flag, in order: formatted once for the chips, the list and the CSV."""
        return [flag_sentence(flag) for flag in self.flags]

    @cached_property
    def flag_items(self) -> list[tuple[str, str]]:
        """(label, sentence) per flag, in order: the queue's list of the row's flags."""
        return [(FLAG_LABELS.get(f.code, f.code), s) for f, s in zip(self.flags, self.sentences, strict=True)]

    @cached_property
    def chips(self) -> list[dict]:
        """One chip per kind of flag: its short label, the key number of its heaviest flag (the flags of a
        code are several trajectories' or reviews'), how many there are, and the sentences for the title."""
        by_code: dict[str, list] = {}
        for flag, sentence in zip(self.flags, self.sentences, strict=True):
            by_code.setdefault(flag.code, []).append((flag, sentence))
        chips = []
        for code, group in by_code.items():
            heaviest = max(group, key=lambda fs: fs[0].value if fs[0].value is not None else Decimal("-1"))[0]
            chips.append(
                {
                    "label": CHIP_LABELS.get(code, code),
                    "number": flag_key_number(heaviest),
                    "count": len(group),
                    "title": " · ".join(sentence for _, sentence in group),
                }
            )
        return chips

    @property
    def back_short(self) -> str:
        """Why the case is back, in a word or two for the row (the whole reason in its title)."""
        words = []
        if self.back_because.startswith("vervolgdatum"):
            words.append("vervolg bereikt")
        if "nieuw signaal" in self.back_because:
            words.append("nieuw signaal")
        if "kosten gestegen" in self.back_because:
            words.append("kosten gestegen")
        return ", ".join(words)

    @property
    def back_word(self) -> str:
        return ", ".join(BACK_WORDS.get(part, part) for part in self.back_short.split(", ") if part)

    @property
    def decision_short(self) -> str:
        return DECISION_SHORT.get(self.decision["kind"], "") if self.decision else ""

    @property
    def decision_label(self) -> str:
        return DecisionKind(self.decision["kind"]).label if self.decision else ""

    @property
    def flag_codes(self) -> list[str]:
        """The codes of the row's flags, each once, in order: what the exports list."""
        return sorted({flag.code for flag in self.flags})


def _top_scores(gemeente: Gemeente, *, today: dt.date, filters: QueueFilters, limit: int, settings: RegieSettings):
    """The top `limit` scores of the queue (a queryset) and the latest decision per decided child."""
    scores = ChildScore.objects.filter(gemeente=gemeente)
    decisions = _latest_decisions(gemeente)
    waiting = [pk for pk, decision in decisions.items() if decision["follow_up_date"] > today]
    # What _queue_state and the new-signal check read (a few hundred decided children in a large gemeente),
    # as named tuples: a model instance each cost more than the rest of this function.
    waiting_scores = list(
        scores.filter(child_id__in=waiting).values_list("child_id", "open_cost", "last_raised", named=True)
    )
    # Only a flag raised after the decision can count: the score's last_raised says which to look at.
    new_signals = _new_signals(
        decisions, [s.child_id for s in waiting_scores if s.last_raised > decisions[s.child_id]["decided_at"]]
    )
    held_out = {
        score.child_id
        for score in waiting_scores
        if not _in_queue(
            score, decisions[score.child_id], today, settings.cost_jump_percent, score.child_id in new_signals
        )
    }
    top = _filtered(scores, filters, today).exclude(child_id__in=held_out).order_by("-score", "child_id")[:limit]
    return top, decisions, new_signals


def _unfiltered_top(gemeente: Gemeente, today: dt.date):
    """The scores of the unfiltered top N today, in rank order (what the queue page shows)."""
    settings = regie_settings(gemeente)
    top, _, _ = _top_scores(gemeente, today=today, filters=QueueFilters(), limit=settings.top_n, settings=settings)
    return top


def top_child_ids(gemeente: Gemeente, *, today: dt.date) -> list[int]:
    """The children in the unfiltered top N today, in rank order."""
    return list(_unfiltered_top(gemeente, today).values_list("child_id", flat=True))


def top_children(gemeente: Gemeente, *, today: dt.date) -> list[Child]:
    """top_child_ids with the children themselves, read in the same query (Mijn werk's "Nieuw in de top")."""
    return [score.child for score in _unfiltered_top(gemeente, today).select_related("child")]


def top_cases(
    gemeente: Gemeente,
    *,
    today: dt.date,
    filters: QueueFilters = QueueFilters(),
    limit: int | None = None,
    settings: RegieSettings | None = None,
):
    """The regisseur's queue: ranked rows with everything the page and the exports show.

    The scores are kept by the evaluation (regie/scores.py); here only the children a decision keeps
    out of the queue are set aside, and the top N read in score order.
    """
    settings = settings or regie_settings(gemeente)
    limit = limit or settings.top_n
    top, decisions, new_signals = _top_scores(gemeente, today=today, filters=filters, limit=limit, settings=settings)
    top = list(top.select_related("child"))
    children = []
    for score in top:
        child = score.child
        child.score, child.open_cost = score.score, score.open_cost
        child.decision = decisions.get(child.pk)
        child.back_because = _queue_state(
            score, child.decision, today, settings.cost_jump_percent, child.pk in new_signals
        )[1]
        children.append(child)
    return _rows(children, today=today)


def _rows(ranked, *, today: dt.date) -> list[QueueRow]:
    ids = [c.pk for c in ranked]
    rows = {
        c.pk: QueueRow(rank=i, child=c, score=Decimal(c.score).quantize(Decimal("0.1")), open_cost=c.open_cost)
        for i, c in enumerate(ranked, start=1)
    }
    if not ids:
        return []
    # Only what the sentences, chips and codes read, as named tuples: a Top 32 holds some 300 flags in the
    # national set, and a model instance each was a tenth of the page's function calls.
    flags = (
        Flag.objects.filter(child_id__in=ids, active=True)
        .order_by("code", "subject_key")
        .values_list(*FLAG_TEXT_FIELDS, named=True)
    )
    for flag in flags:
        rows[flag.child_id].flags.append(flag)
    year_start = dt.date(today.year, 1, 1)
    trajectories = (
        Trajectory.objects.filter(child_id__in=ids)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=year_start), start_date__lte=today)
        # The few columns the row reads, and the names beside them: one object per trajectory, not four.
        .only("child_id", "start_date", "end_date", "actual_start_date")
        .annotate(provider_name=F("provider__name"), segment_number=F("product__segment__number"))
        .with_costs(today)
        .with_cost_in_period(year_start, today, as_of=today, indicative=True)
        .order_by("start_date")
    )
    for t in trajectories:
        row = rows[t.child_id]
        row.cost_this_year += t.period_cost or 0
        row.indicative = row.indicative or t.cost_basis in (CostBasisLabel.CONTRACT, CostBasisLabel.REFERENCE)
        if t.is_open:
            row.committed += t.committed or 0
            row.running_months = max(row.running_months, t.running_months(today))
            if t.provider_name not in row.providers:
                row.providers.append(t.provider_name)
            if t.segment_number not in row.segments:
                row.segments.append(t.segment_number)
    for child_id, source in (
        Referral.objects.filter(child_id__in=ids).order_by("-date").values_list("child_id", "source")
    ):
        label = SOURCE_LABELS.get(source, source)
        if label not in rows[child_id].sources:
            rows[child_id].sources.append(label)
    household_ids = {c.household_id for c in ranked}
    household_open = dict(
        Trajectory.objects.filter(child__household_id__in=household_ids, end_date__isnull=True, start_date__lte=today)
        .order_by()
        .values("child__household_id")
        .annotate(n=models.Count("id"))
        .values_list("child__household_id", "n")
    )
    for c in ranked:
        row = rows[c.pk]
        row.household_open = household_open.get(c.household_id, 0)
        row.back_because = c.back_because
        row.decision = getattr(c, "decision", None)
    decided = [c.pk for c in ranked if getattr(c, "decision", None)]
    if decided:
        tasks = Task.objects.open().filter(child_id__in=decided, origin=TaskOrigin.DECISION).order_by("due_date", "pk")
        for task in tasks:
            rows[task.child_id].open_tasks.append(task)
    return list(rows.values())
