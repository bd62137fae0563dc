"""Draws one gemeente's children, referrals, trajectories, extensions, reviews and households."""

import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal

from cases.codes import EndReason, Frequency
from cases.models import ExtensionStatus, ReviewOutcome
from demo.catalogue import (
    MAATWERK_REASON,
    MAATWERK_SHARE,
    NON_CONTRACTED_REASONS,
    NON_CONTRACTED_SHARE,
    PRODUCTS_BY_SEGMENT,
    PROVIDERS,
    ProviderPlan,
)
from demo.distributions import (
    ADULT_CARE,
    AGE_AT_START,
    APPROVE_REASONS,
    COMPANIONS,
    COMPLEX,
    DONE_OUTCOMES,
    EARLY_END_REASONS,
    EXTENSION_REASONS,
    FOLLOW_UP_AFTER_SWITCH,
    HOUSEHOLD_SIZES,
    ON_TIME_END_REASONS,
    OTHER_OUTCOMES,
    RE_ENTRY,
    REFERRER_NAMES,
    REFERRER_SHARES,
    REFUSE_REASONS,
    REQUEST_CATEGORIES,
    REVIEW_NOTES,
    SHORTEN_REASONS,
    UNREFERRED_PER_REFERRED,
)
from demo.figures import CALIBRATION_YEAR, LOGGED_FROM, PROCESS_FROM, TARGETS, year_bounds
from demo.names import FIRST_NAMES, LAST_NAMES
from demo.plan import ChildPlan, ExtensionPlan, GemeentePlan, HouseholdPlan, ReferralPlan, ReviewPlan, TrajectoryPlan
from referrals.models import ReferralOutcome


def _days(months: float) -> int:
    return max(1, round(months * 30.4375))


def _birthday(birth_date: dt.date, years: int) -> dt.date:
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:  # 29 February
        return birth_date.replace(year=birth_date.year + years, day=28)


def _pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


class Generator:
    """Draws one gemeente's children, referrals and trajectories from a shared random generator."""

    def __init__(self, rng: random.Random, today: dt.date, plan: GemeentePlan):
        self.rng = rng
        self.today = today
        self.plan = plan
        self.year_first, self.year_last = year_bounds(CALIBRATION_YEAR)
        self.youths = defaultdict(set)  # segment -> ids of children with care in the calibration year
        self.contracted = {s: [p for p in PROVIDERS if p.contracted and s in p.segments] for s in TARGETS}
        self.uncontracted = {s: [p for p in PROVIDERS if not p.contracted and s in p.segments] for s in TARGETS}

    # -- dates

    def random_day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def care_start(self, segment: int) -> dt.date:
        if segment == 4 and self.rng.random() < 0.7:
            # Onderwijs-jeugdhulp starts with the school year.
            year = self.rng.randint(PROCESS_FROM.year, self.today.year)
            day = self.random_day(dt.date(year, 8, 20), dt.date(year, 10, 31))
            if PROCESS_FROM <= day <= self.today:
                return day
        return self.random_day(PROCESS_FROM, self.today)

    # -- children

    def new_child(self, segment: int, first_care: dt.date) -> ChildPlan:
        low, high, _ = _pick(self.rng, [((a, b, w), w) for a, b, w in AGE_AT_START[segment]])
        age_days = int(self.rng.uniform(low, high) * 365.25)
        child = ChildPlan(birth_date=first_care - dt.timedelta(days=max(age_days, 30)), anchor=first_care)
        self.plan.children.append(child)
        return child

    def referral(self, child: ChildPlan, on: dt.date, segment: int, source: str | None = None) -> ReferralPlan:
        source = source or _pick(self.rng, REFERRER_SHARES.items())
        referral = ReferralPlan(
            child=child,
            date=max(on, child.birth_date),
            source=source,
            referrer_name=self.rng.choice(REFERRER_NAMES[source]),
            request_category=_pick(self.rng, REQUEST_CATEGORIES[segment]),
        )
        self.plan.referrals.append(referral)
        return referral

    def waiting_days(self) -> int:
        # Wachttijd from referral to start: mostly within 8 weeks, a tail beyond it.
        return _pick(self.rng, (((0, 14), 30), ((15, 42), 40), ((43, 70), 20), ((71, 150), 10)))

    # -- trajectories

    def client(self, segment: int) -> None:
        """A new child whose care starts in `segment`, with concurrent care elsewhere at times."""
        start = self.care_start(segment)
        child = self.new_child(segment, start)
        low, high = self.waiting_days()
        referral = self.referral(child, start - dt.timedelta(days=self.rng.randint(low, high)), segment)
        self.chain(child, referral, segment, start, depth=0)
        companions = COMPANIONS.get(segment, ())
        if segment in COMPLEX and self.rng.random() < COMPLEX[segment][1]:
            companions = [(other, 1.0) for other in COMPLEX[segment][0]]
        for other, probability in companions:
            if self.rng.random() < probability:
                companion_start = start + dt.timedelta(days=self.rng.randint(0, 90))
                if companion_start > self.today:
                    continue
                own = self.rng.random() < 0.5
                companion_referral = (
                    self.referral(child, companion_start - dt.timedelta(days=self.rng.randint(0, 30)), other)
                    if own
                    else referral
                )
                self.chain(child, companion_referral, other, companion_start, depth=1)

    def chain(self, child, referral, segment, start, depth, product=None, avoid=None) -> None:
        """One trajectory, then what follows it: another provider after a switch, or re-entry."""
        trajectory = self.trajectory(child, referral, segment, start, product, avoid)
        if trajectory.end is None or depth >= 3:
            return
        if trajectory.end_reason == EndReason.OTHER_PROVIDER and self.rng.random() < FOLLOW_UP_AFTER_SWITCH:
            next_start = trajectory.end + dt.timedelta(days=1)
            if next_start <= self.today:
                self.chain(child, referral, segment, next_start, depth + 1, trajectory.product, trajectory.provider)
        elif self.rng.random() < RE_ENTRY:
            next_start = trajectory.end + dt.timedelta(days=self.rng.randint(30, 330))
            if next_start <= self.today:
                again = segment if self.rng.random() < 0.6 else 5
                new_referral = self.referral(child, next_start - dt.timedelta(days=self.rng.randint(7, 40)), again)
                self.chain(child, new_referral, again, next_start, depth + 1)

    def provider(self, segment: int, avoid: ProviderPlan | None) -> tuple[ProviderPlan, str]:
        rng = self.rng
        if self.uncontracted[segment] and rng.random() < NON_CONTRACTED_SHARE[segment]:
            return rng.choice(self.uncontracted[segment]), rng.choice(NON_CONTRACTED_REASONS)
        options = [p for p in self.contracted[segment] if p is not avoid] or self.contracted[segment]
        # A few large providers and a tail of small ones.
        provider = rng.choices(options, weights=[1 / (i + 1) for i in range(len(options))])[0]
        return provider, (MAATWERK_REASON if rng.random() < MAATWERK_SHARE else "")

    def trajectory(self, child, referral, segment, start, product=None, avoid=None) -> TrajectoryPlan:
        rng = self.rng
        product = product or _pick(rng, [(p, p.weight) for p in PRODUCTS_BY_SEGMENT[segment]])
        provider, outside_reason = self.provider(segment, avoid)
        volume = Decimal(str(rng.choice(product.volumes)))
        planned_end = start + dt.timedelta(days=_days(rng.choice(product.planned)) - 1)
        intended_end = start + dt.timedelta(days=_days(rng.lognormvariate(math.log(product.median), product.sigma)) - 1)
        eighteen = _birthday(child.birth_date, 18)
        to_wmo = intended_end >= eighteen and rng.random() >= ADULT_CARE
        if to_wmo:
            intended_end = max(start, eighteen - dt.timedelta(days=1))
        trajectory = TrajectoryPlan(
            child=child,
            referral=referral,
            product=product,
            provider=provider,
            start=start,
            planned_end=planned_end,
            volume=volume,
            frequency=product.frequency,
            final_planned_end=planned_end,
            final_volume=volume,
            outside_budget_reason=outside_reason,
        )
        refused = self.extensions(trajectory, intended_end)
        if refused is not None:
            intended_end = min(intended_end, max(trajectory.final_planned_end, refused))
        if intended_end <= self.today:
            trajectory.end = intended_end
            trajectory.end_reason = (
                EndReason.OTHER_DOMAIN
                if to_wmo and intended_end < eighteen
                else self.end_reason(trajectory, refused is not None)
            )
        self.reviews(trajectory)
        if referral.outcome == "":
            referral.outcome = ReferralOutcome.SPECIALISED
            referral.outcome_date = max(referral.date, start - dt.timedelta(days=rng.randint(0, 7)))
        self.plan.trajectories.append(trajectory)
        if trajectory.overlaps(self.year_first, self.year_last):
            self.youths[segment].add(id(child))
        return trajectory

    def extensions(self, trajectory: TrajectoryPlan, intended_end: dt.date) -> dt.date | None:
        """Extension requests while care runs past its planned end; returns the day of a refusal."""
        rng = self.rng
        while intended_end > trajectory.final_planned_end:
            current_end = trajectory.final_planned_end
            requested_on = max(trajectory.start, current_end - dt.timedelta(days=rng.randint(14, 42)))
            if requested_on > self.today or rng.random() < 0.15:
                return None  # nobody asked (yet): the care runs on past its planned end
            months = rng.choice((3, 6, 6, 12, 12))
            requested_volume = None
            if (
                trajectory.frequency == Frequency.PER_WEEK
                and trajectory.final_volume == trajectory.volume
                and rng.random() < 0.2
            ):
                # Afschalen (once): continue with fewer hours or dagdelen a week.
                requested_volume = max(Decimal("1"), (trajectory.final_volume * 3 / 4 * 2).to_integral_value() / 2)
            extension = ExtensionPlan(
                requested_on=requested_on,
                requested_end=current_end + dt.timedelta(days=_days(months)),
                requested_volume=requested_volume,
                reason=rng.choice(EXTENSION_REASONS),
            )
            trajectory.extensions.append(extension)
            decided_on = requested_on + dt.timedelta(days=rng.randint(1, 21))
            if intended_end <= self.today:
                decided_on = min(decided_on, intended_end)
            if decided_on > self.today:
                return None  # still in the toets queue
            extension.decided_on = decided_on
            draw = rng.random()
            if draw < 0.72:
                extension.status = ExtensionStatus.APPROVED
                extension.granted_end = extension.requested_end
                extension.granted_volume = requested_volume
                extension.decision_reason = rng.choice(APPROVE_REASONS)
            elif draw < 0.86 and (extension.requested_end - current_end).days > 2:
                extension.status = ExtensionStatus.SHORTENED
                extension.granted_end = current_end + (extension.requested_end - current_end) / 2
                extension.granted_volume = requested_volume
                extension.decision_reason = rng.choice(SHORTEN_REASONS)
            else:
                extension.status = ExtensionStatus.REFUSED
                extension.decision_reason = rng.choice(REFUSE_REASONS)
                return decided_on
            trajectory.final_planned_end = extension.granted_end
            if extension.granted_volume is not None:
                trajectory.final_volume = extension.granted_volume
        return None

    def end_reason(self, trajectory: TrajectoryPlan, refused: bool) -> str:
        rng = self.rng
        if refused:
            return _pick(rng, ((EndReason.BY_GEMEENTE, 50), (EndReason.AS_PLANNED, 50)))
        if trajectory.end < trajectory.final_planned_end - dt.timedelta(days=30):
            return _pick(rng, EARLY_END_REASONS)
        return _pick(rng, ON_TIME_END_REASONS)

    def reviews(self, trajectory: TrajectoryPlan) -> None:
        """Stop-strategy reviews on longer care: done, planned or overdue."""
        rng, today = self.rng, self.today
        last = trajectory.end or today
        if (last - trajectory.start).days < 180:
            return
        if trajectory.end_reason in (EndReason.BY_GEMEENTE, EndReason.OTHER_DOMAIN):
            done = max(trajectory.start, trajectory.end - dt.timedelta(days=rng.randint(10, 40)))
            outcome = ReviewOutcome.END if trajectory.end_reason == EndReason.BY_GEMEENTE else ReviewOutcome.WLZ
            self.review(trajectory, done, done, outcome)
            return
        if trajectory.end is not None:
            if rng.random() < 0.3:
                done = self.random_day(trajectory.start + dt.timedelta(days=150), trajectory.end)
                self.review(trajectory, done, done, _pick(rng, DONE_OUTCOMES))
            return
        draw = rng.random()
        if draw < 0.35:
            done = self.random_day(trajectory.start + dt.timedelta(days=150), today)
            self.review(trajectory, done, done, _pick(rng, DONE_OUTCOMES))
            if rng.random() < 0.6:
                self.review(trajectory, done, done + dt.timedelta(days=rng.randint(90, 200)))
        elif draw < 0.5:
            self.review(
                trajectory,
                today - dt.timedelta(days=rng.randint(60, 150)),
                today + dt.timedelta(days=rng.randint(1, 90)),
            )
        elif draw < 0.6:
            due = today - dt.timedelta(days=rng.randint(1, 120))
            self.review(trajectory, due - dt.timedelta(days=rng.randint(30, 120)), due)  # overdue

    def review(self, trajectory, planned_on, due, outcome="", done=None) -> None:
        planned_on = min(max(planned_on - dt.timedelta(days=self.rng.randint(20, 90)), trajectory.start), self.today)
        review = ReviewPlan(planned_on=planned_on, due=max(due, trajectory.start))
        if outcome:
            review.done = min(due, self.today)
            review.outcome = outcome
            review.note = REVIEW_NOTES[outcome]
        trajectory.reviews.append(review)

    def leave_out_care_ended_before_go_live(self) -> None:
        still_in_care = {id(t.child) for t in self.plan.trajectories if t.end is None or t.end >= LOGGED_FROM}
        self.plan.children = [c for c in self.plan.children if id(c) in still_in_care]
        self.plan.referrals = [r for r in self.plan.referrals if id(r.child) in still_in_care]
        self.plan.trajectories = [t for t in self.plan.trajectories if id(t.child) in still_in_care]

    # -- referrals that did not lead to specialised care

    def other_referrals(self) -> None:
        rng, today = self.rng, self.today
        first_referral = {}
        for referral in self.plan.referrals:
            known = first_referral.get(id(referral.child))
            if known is None or referral.date < known.date:
                first_referral[id(referral.child)] = referral
        for referral in list(self.plan.referrals):
            ratio = UNREFERRED_PER_REFERRED[referral.source]
            count = int(ratio) + (rng.random() < ratio - int(ratio))
            for _ in range(count):
                date = referral.date - dt.timedelta(days=rng.randint(0, 120))
                child = referral.child
                earlier = first_referral[id(child)].date - dt.timedelta(days=rng.randint(60, 400))
                if rng.random() < 0.4 and earlier >= PROCESS_FROM and earlier > child.birth_date:
                    date = earlier  # first light help, specialised care later
                else:
                    child = self.new_child(5, max(date, LOGGED_FROM))
                    date = child.anchor
                other = self.referral(child, date, 0, referral.source)
                other.outcome = _pick(rng, OTHER_OUTCOMES)
                other.outcome_date = min(other.date + dt.timedelta(days=rng.randint(1, 30)), today)
        # Referrals still waiting for a decision; those older than 8 weeks raise the wachttijd flag.
        waiting = max(2, round(sum(self.plan.youth_targets.values()) * 0.016))
        for _ in range(waiting):
            date = today - dt.timedelta(days=rng.randint(3, 120))
            self.referral(self.new_child(5, date), date, 5)

    # -- households

    def households(self) -> None:
        """Group children into households; siblings close in time, so their care overlaps."""
        rng = self.rng
        children = sorted(self.plan.children, key=lambda c: c.anchor)
        i = 0
        while i < len(children):
            size = _pick(rng, HOUSEHOLD_SIZES)
            members = children[i : i + size]
            i += size
            prefix, last_name = rng.choice(LAST_NAMES)
            household = HouseholdPlan(
                name=f"Gezin {prefix + ' ' if prefix else ''}{last_name}", created=min(c.anchor for c in members)
            )
            self.plan.households.append(household)
            members.sort(key=lambda c: c.birth_date)
            for n, child in enumerate(members):
                child.household, child.name_prefix, child.last_name = household, prefix, last_name
                child.first_name = rng.choice(FIRST_NAMES)
                if n and (child.birth_date - members[n - 1].birth_date).days < 300 and rng.random() < 0.9:
                    # Siblings born at least ~15 months apart (twins aside), still before their first care.
                    moved = members[n - 1].birth_date + dt.timedelta(days=rng.randint(420, 900))
                    if moved < child.anchor:
                        child.birth_date = moved
                    else:
                        child.birth_date = members[n - 1].birth_date  # a twin
                if n and child.first_name == members[n - 1].first_name:
                    child.first_name = rng.choice(FIRST_NAMES)

    def build(self) -> None:
        for segment in (1, 3, 4, 2, 5):  # segment 5 last: the others' companions count towards it
            while len(self.youths[segment]) < self.plan.youth_targets[segment]:
                self.client(segment)
        self.leave_out_care_ended_before_go_live()
        self.other_referrals()
        for child_referrals in _by_child(self.plan.referrals).values():
            registered = min(r.date for r in child_referrals)
            child_referrals[0].child.registered = registered
            child_referrals[0].child.anchor = min(child_referrals[0].child.anchor, registered)
        self.households()


def _by_child(referrals) -> dict:
    grouped = defaultdict(list)
    for referral in referrals:
        grouped[id(referral.child)].append(referral)
    return grouped
