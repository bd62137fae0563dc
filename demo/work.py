"""Mijn werk in the demo: a toegang team with owners for every file, tasks, journal notes, the
regisseur's decisions with their follow-up, escalations and tasks, and what each user last opened.

Everything is dated around the demo's day so each role's Mijn werk is full and partly overdue, as a
real team's is. Set-based like the rest of the demo: bulk_create_with_history / bulk_update_with_history.
"""

import datetime as dt
import random
from decimal import Decimal

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from cases.codes import EndReason
from cases.formatting import euro, number
from cases.models import (
    CaseAccessLog,
    Child,
    Household,
    JournalEntry,
    JournalKind,
    Role,
    Task,
    TaskKind,
    TaskOrigin,
    TaskStatus,
    Trajectory,
    User,
    daily_cost,
)
from cases.readlog import child_ids_text
from demo.history import BATCH, given_timestamps, model_field
from regie.models import (
    CaseMeeting,
    CaseMeetingItem,
    CaseMeetingKind,
    Decision,
    DecisionKind,
    Escalation,
    EscalationStatus,
    QueueVisit,
)
from regie.services import monthly_cost
from werk.models import WorkWindows

UNASSIGNED_SHARE = 0.03  # files that came in through an import and wait for a casusregisseur

TASK_TEXTS = {
    TaskKind.CONTACT: ["Ouders terugbellen over de voortgang", "Huisbezoek plannen", "Gezin informeren over wachttijd"],
    TaskKind.FOLLOW_UP: ["Evaluatiegesprek met aanbieder voorbereiden", "Ondersteuningsplan bijstellen"],
    TaskKind.OTHER: ["Toestemming gegevensdeling vastleggen", "Schoolverslag opvragen"],
}
NOTE_TEXTS = {
    JournalKind.FAMILY: [
        "Gesprek met moeder: het gaat thuis rustiger, afspraken over dagritme werken.",
        "Vader geeft aan dat de begeleiding helpt; wens om over drie maanden af te schalen.",
        "Gezin ervaart de wachttijd als zwaar; overbrugging via het wijkteam besproken.",
    ],
    JournalKind.MEETING: [
        "Overleg met aanbieder: doelen grotendeels behaald, afbouw in twee maanden.",
        "Multidisciplinair overleg: inzet op school versterken, behandeling blijft.",
    ],
    JournalKind.AGREEMENT: [
        "Afgesproken: evaluatie over zes weken, daarna besluit over verlenging.",
        "Afspraak met school en ouders over een aangepast rooster.",
    ],
    JournalKind.PHONE: [
        "Huisarts gebeld over de verwijzing; aanvullende informatie volgt per post.",
        "Aanbieder gebeld: start zorg volgende week bevestigd.",
    ],
    JournalKind.OTHER: ["Dossier doorgenomen voor de overdracht."],
}


def write_work(gemeente, team: list, lead, regisseur, today: dt.date, clock, *, seed: int) -> None:
    """Owners, tasks, notes and reads for one gemeente; decisions too when a regisseur works there."""
    rng = random.Random(seed)
    WorkWindows.objects.create(gemeente=gemeente)
    children = _assign_owners(gemeente, team, lead, rng)
    open_ids = set(
        Trajectory.objects.filter(child__gemeente=gemeente, end_date__isnull=True).values_list("child_id", flat=True)
    )
    in_care = [c for c in children if c.pk in open_ids and c.owner_id]
    _write_tasks(gemeente, in_care, team, today, clock, rng)
    _write_journal(in_care, today, clock, rng)
    _write_reads(team, in_care, today, clock, rng)
    if regisseur is not None:
        _write_decisions(gemeente, in_care, regisseur, today, clock, rng)
        _write_meetings(gemeente, regisseur, team, today)


def _assign_owners(gemeente, team, lead, rng) -> list[Child]:
    """One casusregisseur per household (1 gezin, 1 regisseur), a few imported files without one."""
    households = list(Household.objects.filter(gemeente=gemeente).order_by("pk"))
    owner_of = {}
    for index, household in enumerate(households):
        owner = None if rng.random() < UNASSIGNED_SHARE else team[index % len(team)]
        owner_of[household.pk] = owner
        household.lead_worker = owner
    bulk_update_with_history(
        households, Household, ["lead_worker"], batch_size=BATCH, default_user=lead, default_change_reason="Mijn werk"
    )
    children = list(Child.objects.filter(gemeente=gemeente).order_by("pk"))
    for child in children:
        child.owner = owner_of[child.household_id]
    bulk_update_with_history(
        children, Child, ["owner"], batch_size=BATCH, default_user=lead, default_change_reason="casusregisseur"
    )
    return children


def _write_tasks(gemeente, in_care, team, today, clock, rng) -> None:
    tasks = []
    for child in rng.sample(in_care, k=min(len(in_care), max(6, len(in_care) // 9))):
        kind = rng.choice(list(TASK_TEXTS))
        due = today + dt.timedelta(days=rng.randint(-45, 30))
        created = min(due, today) - dt.timedelta(days=rng.randint(7, 30))
        task = Task(
            child=child,
            gemeente=gemeente,
            kind=kind,
            title=rng.choice(TASK_TEXTS[kind]),
            due_date=due,
            owner_id=child.owner_id,
            origin=TaskOrigin.MANUAL,
            created_by_id=child.owner_id,
            created_at=clock.at(created, 10),
        )
        roll = rng.random()
        if due < today and roll < 0.35:
            task.status, task.closed_at, task.closed_by_id = TaskStatus.DONE, clock.at(due, 15), child.owner_id
        elif due < today and roll < 0.42:
            task.status, task.closed_at, task.closed_by_id = TaskStatus.CANCELLED, clock.at(due, 15), child.owner_id
            task.cancel_reason = "Niet meer nodig: het gezin heeft zelf contact opgenomen."
        task._history_user, task._history_date = team[0], task.created_at
        tasks.append(task)
    # Work for the toetsing of the gemeente as a whole (a role, not a person).
    for child in rng.sample(in_care, k=min(len(in_care), 4)):
        tasks.append(
            Task(
                child=child,
                gemeente=gemeente,
                kind=TaskKind.OTHER,
                title="Productcode controleren bij de toewijzing",
                due_date=today + dt.timedelta(days=rng.randint(-5, 6)),
                owner_role=Role.TOETS,
                origin=TaskOrigin.CASE_FILE,
                created_by_id=child.owner_id,
                created_at=clock.at(today - dt.timedelta(days=10), 11),
            )
        )
    with given_timestamps(model_field(Task, "created_at")):
        bulk_create_with_history(tasks, Task, batch_size=BATCH)


def _write_journal(in_care, today, clock, rng) -> None:
    notes = []
    for child in rng.sample(in_care, k=len(in_care) // 4):
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(list(NOTE_TEXTS))
            day = today - dt.timedelta(days=rng.randint(1, 120))
            notes.append(
                JournalEntry(
                    child=child,
                    kind=kind,
                    event_date=day,
                    text=rng.choice(NOTE_TEXTS[kind]),
                    author_id=child.owner_id,
                    created_at=clock.at(day, 16),
                )
            )
    with given_timestamps(model_field(JournalEntry, "created_at")):
        written = JournalEntry.objects.bulk_create(notes, batch_size=BATCH)
    corrections = [
        JournalEntry(
            child_id=note.child_id,
            kind=note.kind,
            event_date=note.event_date,
            text="Correctie: de afspraak is niet met moeder maar met de pleegmoeder gemaakt.",
            corrects=note,
            author_id=note.author_id,
            created_at=clock.at(min(note.event_date + dt.timedelta(days=1), today), 9),
        )
        for note in written[:3]
    ]
    with given_timestamps(model_field(JournalEntry, "created_at")):
        JournalEntry.objects.bulk_create(corrections)


def _write_reads(team, in_care, today, clock, rng) -> None:
    """Each worker opened some of their files in the last days: their 'recent geopend'."""
    reads = []
    for worker in team:
        own = [c for c in in_care if c.owner_id == worker.pk]
        for days_ago, child in enumerate(rng.sample(own, k=min(len(own), 8))):
            reads.append(
                CaseAccessLog(
                    user=worker,
                    role=worker.role,
                    child=child,
                    child_ids=child_ids_text([child.pk]),
                    case_number=child.case_number,
                    gemeente_id=child.gemeente_id,
                    at=clock.at(today - dt.timedelta(days=days_ago + 1), 10 + days_ago % 6),
                )
            )
    with given_timestamps(model_field(CaseAccessLog, "at")):
        CaseAccessLog.objects.bulk_create(reads)


# kind, how many, follow-up (days from today), decided (days ago)
DECISION_PLAN = (
    (DecisionKind.CONTINUE, 8, (-12, 6), (30, 90)),
    (DecisionKind.SCALE_DOWN, 5, (20, 60), (10, 40)),
    (DecisionKind.END, 4, (14, 45), (10, 40)),
    (DecisionKind.ESCALATE, 4, (10, 40), (5, 60)),
    (DecisionKind.CASE_MEETING, 3, (3, 20), (5, 20)),
)
REASONS = {
    DecisionKind.CONTINUE: "Behandeling loopt volgens plan; evaluatie bij de vervolgdatum.",
    DecisionKind.SCALE_DOWN: "Doelen grotendeels behaald: afschalen naar lichtere begeleiding.",
    DecisionKind.END: "Geen meerwaarde van voortzetting; traject beëindigen met overdracht naar voorliggend veld.",
    DecisionKind.ESCALATE: "Passende plek ontbreekt in de regio; bestuurlijke afspraak met aanbieders nodig.",
    DecisionKind.CASE_MEETING: "Meerdere aanbieders in het gezin: afstemmen in het trajectberaad.",
}


ESCALATION_QUESTIONS = (
    "Mag de gemeente boven het plafond een passende plek buiten de regio inkopen?",
    "Wilt u met de aanbieders in de regio een bestuurlijke afspraak maken over een verblijfsplek?",
)


def _write_escalations(gemeente, decisions, today, clock) -> None:
    """An escalation per escalate decision: the oldest still open (so older than the Mijn werk threshold of
    28 days, on the regisseur's Mijn werk), the next answered by the bestuurder, one besproken, the others
    open."""
    bestuurder = User.objects.filter(role=Role.BESTUURDER, gemeenten=gemeente).first()
    rows = []
    for i, decision in enumerate(sorted(decisions, key=lambda d: d.decided_at)):
        escalation = Escalation(
            decision=decision,
            child_id=decision.child_id,
            gemeente=gemeente,
            question=ESCALATION_QUESTIONS[i % len(ESCALATION_QUESTIONS)],
            created_at=decision.decided_at,
        )
        if i == 1 and bestuurder is not None:
            escalation.status = EscalationStatus.DECIDED
            escalation.answer = "Akkoord: eenmalig maatwerk buiten de regio, evaluatie na drie maanden."
            escalation.answer_date = min(decision.decided_at.date() + dt.timedelta(days=14), today)
            escalation.answered_by = bestuurder
        elif i == 2 and bestuurder is not None:
            escalation.status = EscalationStatus.DISCUSSED
            escalation.answer = "Besproken in het portefeuillehoudersoverleg; besluit volgt."
            escalation.answer_date = min(decision.decided_at.date() + dt.timedelta(days=7), today)
            escalation.answered_by = bestuurder
        escalation._history_user, escalation._history_date = decision.decided_by, decision.decided_at
        rows.append(escalation)
    bulk_create_with_history(rows, Escalation, batch_size=BATCH)


def _write_meetings(gemeente, regisseur, team, today) -> None:
    """Three case meetings: a TCC and an overleg met aanbieder held, whose agendas are the cases the
    regisseur decided to continue (the outcome recorded there), and a Team8Tien coming, with the cases
    of her case-meeting decisions on its agenda."""
    decisions = list(Decision.objects.filter(gemeente=gemeente))
    continued = sorted((d for d in decisions if d.kind == DecisionKind.CONTINUE), key=lambda d: d.decided_at)
    planned = [d for d in decisions if d.kind == DecisionKind.CASE_MEETING]
    plan = (
        (CaseMeetingKind.TCC, continued[: len(continued) // 2], True, "Jeugdbescherming west, GGD"),
        (CaseMeetingKind.PROVIDER, continued[len(continued) // 2 :], True, "Ipse de Bruggen, Youz"),
        (CaseMeetingKind.TEAM8TIEN, planned, False, "Leerplicht, Wijkteam"),
    )
    meetings, items = [], []
    for kind, agenda, held, outside in plan:
        day = min(d.decided_at.date() for d in agenda) if held and agenda else today + dt.timedelta(days=9)
        meeting = CaseMeeting(gemeente=gemeente, date=day, kind=kind, outside_parties=outside, created_by=regisseur)
        meeting._history_user = regisseur
        meetings.append((meeting, agenda, held))
    created = bulk_create_with_history([m for m, _, _ in meetings], CaseMeeting, batch_size=BATCH)
    for meeting, (_, agenda, held) in zip(created, meetings, strict=True):
        meeting.participants.set([regisseur, *team[:2]])
        for decision in agenda:
            items.append(
                CaseMeetingItem(
                    meeting=meeting,
                    child_id=decision.child_id,
                    decision=None if held else decision,
                    outcome=decision if held else None,
                )
            )
    bulk_create_with_history(items, CaseMeetingItem, batch_size=BATCH, default_user=regisseur)


def _write_decisions(gemeente, in_care, regisseur, today, clock, rng) -> None:
    """The regisseur's decisions on the costliest cases, with the tasks they gave the casusregisseur.

    Afschalen and beëindigen act on the child's dearest priced trajectory, as regie's decision_record
    does: a task keyed to the decision on that trajectory, the expected saving per month fixed at the
    decision. Two afschalen are done (the trajectory made lighter, the task closed), the others open,
    some of them overdue.
    """
    cost = Trajectory.objects.filter(child__gemeente=gemeente).open_cost_by_child(today)
    heaviest = sorted(in_care, key=lambda c: cost.get(c.pk, 0), reverse=True)
    priced = {}
    for t in Trajectory.objects.filter(
        child__in=heaviest[:60], end_date__isnull=True, daily_cost__isnull=False, start_date__lte=today
    ).select_related("product"):
        if t.child_id not in priced or t.daily_cost > priced[t.child_id].daily_cost:
            priced[t.child_id] = t
    pool = heaviest[:60]
    rng.shuffle(pool)
    decisions, tasks = [], []
    for kind, count, follow, decided in DECISION_PLAN:
        acts = kind in (DecisionKind.SCALE_DOWN, DecisionKind.END)
        candidates = [c for c in pool if c.pk in priced] if acts else pool
        for child in candidates[:count]:
            pool.remove(child)
            when = clock.at(today - dt.timedelta(days=rng.randint(*decided)), 14)
            decision = Decision(
                child=child,
                gemeente=gemeente,
                kind=kind,
                reason=REASONS[kind],
                follow_up_date=today + dt.timedelta(days=rng.randint(*follow)),
                actor=child.owner.get_full_name(),
                decided_by=regisseur,
                decided_at=when,
                cost_at_decision=cost.get(child.pk, 0),
            )
            if acts:
                trajectory = priced[child.pk]
                decision.trajectory = trajectory
                decision.act_by = when.date() + dt.timedelta(days=rng.choice((14, 21, 28, 42)))
                decision.monthly_cost_before = monthly_cost(trajectory.daily_cost)
                if kind == DecisionKind.SCALE_DOWN:
                    decision.proposed_volume = max((trajectory.volume / 2).quantize(Decimal("1")), Decimal("1"))
                    decision.proposed_monthly_cost = monthly_cost(
                        daily_cost(
                            tariff=trajectory.tariff,
                            volume=decision.proposed_volume,
                            frequency=trajectory.frequency,
                            start=trajectory.start_date,
                            planned_end=trajectory.planned_end_date,
                        )
                    )
                else:
                    decision.end_reason = rng.choice((EndReason.EARLY_AGREED, EndReason.BY_GEMEENTE))
                tasks.append((decision, child, when))
            decision._history_user, decision._history_date = regisseur, when
            decisions.append(decision)
    decisions = bulk_create_with_history(decisions, Decision, batch_size=BATCH)
    by_child = {d.child_id: d for d in decisions}
    rows, lighter = [], []
    done_left = 2
    for _, child, when in tasks:
        decision = by_child[child.pk]
        trajectory = priced[child.pk]
        if decision.kind == DecisionKind.SCALE_DOWN:
            saving = euro(decision.expected_monthly_saving)
            title = (
                f"Afschalen volgens besluit: {trajectory.product.description} naar "
                f"{number(decision.proposed_volume)} (verwacht {saving} per maand minder)"
            )
            key = f"besluit:{decision.pk}:afschalen"
        else:
            title = f"Beëindigen volgens besluit: {trajectory.product.description}, reden {decision.end_reason}"
            key = f"besluit:{decision.pk}:einde"
        task = Task(
            child=child,
            gemeente=gemeente,
            kind=TaskKind.DECISION,
            title=title[:200],
            due_date=decision.act_by,
            owner_id=child.owner_id,
            origin=TaskOrigin.DECISION,
            trajectory=trajectory,
            key=key,
            created_by=regisseur,
            created_at=when,
        )
        if decision.kind == DecisionKind.SCALE_DOWN and done_left:
            # Done: the casusregisseur made the trajectory lighter, which closed the task.
            done_left -= 1
            trajectory.volume = decision.proposed_volume
            trajectory.refresh_daily_cost()
            lighter.append(trajectory)
            task.status = TaskStatus.DONE
            task.closed_at = clock.at(decision.act_by - dt.timedelta(days=3), 11)
            task.closed_by = child.owner
        rows.append(task)
    _write_escalations(gemeente, [d for d in decisions if d.kind == DecisionKind.ESCALATE], today, clock)
    if lighter:
        bulk_update_with_history(
            lighter, Trajectory, ["volume", "daily_cost"], batch_size=BATCH, default_change_reason="afgeschaald"
        )
    for decision in decisions:
        if decision.kind == DecisionKind.CASE_MEETING:
            rows.append(
                Task(
                    child_id=decision.child_id,
                    gemeente=gemeente,
                    kind=TaskKind.FOLLOW_UP,
                    title="Casus voorbereiden voor het trajectberaad",
                    due_date=min(decision.follow_up_date - dt.timedelta(days=2), today + dt.timedelta(days=5)),
                    owner_role=Role.REGISSEUR,
                    origin=TaskOrigin.DECISION,
                    key=f"besluit:{decision.pk}",
                    created_by=regisseur,
                    created_at=decision.decided_at,
                )
            )
    with given_timestamps(model_field(Task, "created_at")):
        bulk_create_with_history(rows, Task, batch_size=BATCH, default_user=regisseur)
    # What the regisseur saw on her last visit to the queue, a week ago: today's costliest cases
    # without a few that have entered since.
    seen = [c.pk for c in heaviest[:36] if c.pk not in {d.child_id for d in decisions}]
    seen = [pk for i, pk in enumerate(seen) if i % 8 != 3]
    QueueVisit.objects.create(
        user=regisseur, gemeente=gemeente, seen_at=clock.at(today - dt.timedelta(days=7), 9), child_ids=seen[:32]
    )
